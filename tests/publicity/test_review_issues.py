"""Teaching material lists what a review round actually found, not the raw decision record."""
from assistant.publicity import _review_issues


def test_only_problems_and_the_opinion_are_listed():
    findings = [
        {"item_decisions": {"程序合法": {"decision": "符合", "note": ""},
                            "裁量基准适当": {"decision": "存在问题", "note": "罚款高于所选档次"}}},
        {"item": "主体合法", "status": "pass", "message": "机关名称齐全"},
        {"item": "文书规范齐备", "status": "fail", "message": "决定书缺少第五十九条第（五）项：救济途径"},
        {"item": "涉嫌犯罪移送", "status": "manual", "message": "须人工判断"},
    ]
    issues = _review_issues(findings, "请按档次重新裁量")
    assert issues == ("审核意见：请按档次重新裁量", "裁量基准适当：罚款高于所选档次",
                      "文书规范齐备：决定书缺少第五十九条第（五）项：救济途径")
    assert not any("item_decisions" in i or "主体合法" in i or "程序合法" in i for i in issues)


def test_an_approved_round_without_problems_lists_nothing():
    findings = [{"item_decisions": {"程序合法": {"decision": "符合", "note": ""}}},
                {"item": "主体合法", "status": "pass", "message": "机关名称齐全"}]
    assert _review_issues(findings, "同意") == ()

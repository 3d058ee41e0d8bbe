"""The 法制审核 workspace: 送审 rounds, separation of duties, diffs, escalation and the 意见书."""
from __future__ import annotations

import io

import docx
import pytest
from sqlalchemy import select

from assistant import cases as svc
from assistant import review
from assistant.errors import GateRefused, InputError, PermissionDenied
from assistant.store.audit_tables import AuditEntry
from assistant.store.case_tables import Case, CaseReview, DocumentVersion
from tests.cases.conftest import PASSWORD
from tests.review.conftest import AFTER_WINDOW, draft_text

MATERIALS = ["现场检查笔录", "询问笔录", "行政处罚事先告知书送达回证"]


def _actions(db, case_id) -> list[tuple[str, str]]:
    with db.session(readonly=True) as s:
        return [(e.actor, e.action) for e in s.execute(select(AuditEntry).where(AuditEntry.case_id == case_id)
                                                        .order_by(AuditEntry.seq)).scalars()]


def _submit(db, case_id, text, actor="zhang3"):
    with db.session() as s:
        return review.submit(s, case_id, actor, text, materials=MATERIALS, today=AFTER_WINDOW)


def test_submit_stores_a_new_version_runs_the_checklist_and_moves_to_review(db, world, case_id):
    r = _submit(db, case_id, draft_text(payment=False))
    assert r.round_no == 1 and r.materials == MATERIALS
    assert r.summary["文书规范齐备"] == "fail"
    assert any("十五日" in f["message"] for f in r.findings)
    with db.session(readonly=True) as s:
        assert s.get(Case, case_id).state == "法制审核"
        v = s.execute(select(DocumentVersion)).scalars().one()
        assert v.content["statements"] and v.content["explanation"] == "违法事实清楚"
    assert ("zhang3", "review.submit") in _actions(db, case_id)


def test_only_a_handler_submits(db, world, case_id):
    with pytest.raises(PermissionDenied):
        _submit(db, case_id, draft_text(), actor=world.reviewer)
    assert (world.reviewer, "review.submit.refused") in _actions(db, case_id)


def test_the_handler_cannot_review_their_own_case_and_the_refusal_is_logged(db, world, case_id):
    _submit(db, case_id, draft_text())
    with pytest.raises(PermissionDenied) as err:
        with db.session() as s:
            review.decide(s, case_id, "li4", "同意", "同意")
    assert "承办人不能审核自己承办的案件" in err.value.message
    assert ("li4", "review.decide.refused") in _actions(db, case_id)
    with db.session(readonly=True) as s:
        assert s.get(Case, case_id).review_passed_at is None


def test_only_a_legal_reviewer_can_pass_a_review(db, world, case_id):
    _submit(db, case_id, draft_text())
    with pytest.raises(PermissionDenied) as err:
        with db.session() as s:
            review.decide(s, case_id, world.head, "同意", "同意")
    assert "不是法制审核人员" in err.value.message
    assert (world.head, "review.decide.refused") in _actions(db, case_id)


def test_no_decision_before_the_required_review_passes(db, world, case_id):
    decide = {"penalty": {"types": ["罚款"], "fine": 50000}}
    _submit(db, case_id, draft_text())
    with pytest.raises(GateRefused):
        with db.session() as s:
            svc.advance(s, case_id, "决定", actor=world.head, payload=decide, today=AFTER_WINDOW)
    with db.session() as s:
        review.decide(s, case_id, world.reviewer, "存在问题", "请补充证据说明",
                      {"证据合法充分": ("存在问题", "补充询问笔录")})
    with pytest.raises(GateRefused):
        with db.session() as s:
            svc.advance(s, case_id, "决定", actor=world.head, payload=decide, today=AFTER_WINDOW)
    _submit(db, case_id, draft_text())
    with db.session() as s:
        review.decide(s, case_id, world.reviewer, "同意", "同意", {"证据合法充分": ("符合", "")})
        svc.advance(s, case_id, "决定", actor=world.head, payload=decide, today=AFTER_WINDOW)
        assert s.get(Case, case_id).state == "决定"


def test_resubmission_keeps_every_round_and_the_diff_shows_the_change(db, world, case_id):
    _submit(db, case_id, draft_text(payment=False))
    with pytest.raises(InputError):  # the pending round must be reviewed first
        _submit(db, case_id, draft_text())
    with db.session() as s:
        r1 = review.decide(s, case_id, world.reviewer, "存在问题", "未写明罚款缴纳期限",
                           {"文书规范齐备": ("存在问题", "补充十五日缴纳期限")})
    assert r1.result == "存在问题"
    r2 = _submit(db, case_id, draft_text())
    assert r2.round_no == 2 and r2.summary["文书规范齐备"] == "pass"
    with db.session() as s:
        review.decide(s, case_id, world.reviewer, "同意", "同意")
    with db.session(readonly=True) as s:
        diff = review.round_diff(s, case_id, 2)
        rounds = review.rounds(s, case_id)
        review_rounds = [r.round for r in s.execute(select(CaseReview).order_by(CaseReview.round)).scalars()]
        versions = [(v.version_no, v.content["text"]) for v in
                    s.execute(select(DocumentVersion).order_by(DocumentVersion.version_no)).scalars()]
    assert "+当事人应当自收到本决定书之日起十五日内" in diff and "第1轮送审稿" in diff
    assert [r.result for r in rounds] == ["存在问题", "通过"]
    assert rounds[0].item_decisions["文书规范齐备"]["decision"] == "存在问题"
    assert review_rounds == [1, 2]
    assert [v[0] for v in versions] == [1, 2] and versions[0][1] != versions[1][1]


def test_opinion_docx_lists_every_item_and_the_decision(db, world, case_id):
    _submit(db, case_id, draft_text(payment=False))
    with db.session() as s:
        review.decide(s, case_id, world.reviewer, "存在问题", "未写明罚款缴纳期限",
                      {"文书规范齐备": ("存在问题", "补充十五日缴纳期限")})
    with db.session() as s:
        data = review.opinion_docx(s, case_id, 1)
    d = docx.Document(io.BytesIO(data))
    text = "\n".join(p.text for p in d.paragraphs) + "\n".join(c.text for t in d.tables for row in t.rows for c in row.cells)
    assert "法制审核意见书" in text and "补充十五日缴纳期限" in text and "存在问题" in text and "孙审核" in text


def test_escalation_sets_the_collective_flag_with_its_record(db, world, case_id):
    _submit(db, case_id, draft_text())
    with db.session() as s:
        review.escalate(s, case_id, "zhang3", "承办人与审核人员对裁量档次意见不一致")
    with db.session(readonly=True) as s:
        assert s.get(Case, case_id).collective_required
    assert ("zhang3", "review.escalate") in _actions(db, case_id)
    with db.session() as s:
        review.decide(s, case_id, world.reviewer, "同意", "同意")
        review.escalate(s, case_id, world.head, "提请集体讨论", participants=["陈局长", "刘副局长"],
                        conclusion="同意按一般情形处罚")
        assert s.get(Case, case_id).collective_at is not None


def test_cli_submit_decide_opinion_similar_and_precedent_import(db, world, case_id, backend, tmp_path, monkeypatch, capsys):
    if backend != "sqlite":
        pytest.skip("CLI smoke test runs on the SQLite file")
    from assistant.cli import main
    from tests.review.conftest import FIXTURES

    monkeypatch.setenv("ZHIFA_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ZHIFA_DATABASE_URL", str(db.engine.url))
    monkeypatch.setenv("ZHIFA_PASSWORD", PASSWORD)  # every seeded user's password (tests/cases/conftest.py)
    draft = tmp_path / "draft.txt"
    draft.write_text(draft_text(decided="2026年10月14日"), encoding="utf-8")
    monkeypatch.setattr(review, "submit", lambda s, c, a, t, materials, store=None: _real_submit(s, c, a, t, materials))
    assert main(["review", "submit", str(case_id), "--actor", "zhang3", "--draft", str(draft),
                 "--materials", "现场笔录,询问笔录"]) == 0
    assert "第1轮" in capsys.readouterr().out
    assert main(["review", "decide", str(case_id), "--reviewer", "li4", "--outcome", "同意", "--opinion", "同意"]) == 2
    assert "承办人不能审核" in capsys.readouterr().err
    assert main(["review", "decide", str(case_id), "--reviewer", world.reviewer, "--outcome", "存在问题",
                 "--opinion", "补充证据", "--item", "证据合法充分=存在问题:补充询问笔录"]) == 0
    out = tmp_path / "opinion.docx"
    assert main(["review", "opinion", str(case_id), "--round", "1", "--out", str(out)]) == 0
    assert "补充询问笔录" in "\n".join(c.text for t in docx.Document(str(out)).tables for r in t.rows for c in r.cells)
    assert main(["precedent", "import", str(FIXTURES)]) == 0
    assert "market_expired_food" in capsys.readouterr().out
    assert main(["similar", str(case_id), "--json"]) == 0
    assert "沪市监某处" in capsys.readouterr().out


_REAL_SUBMIT = review.submit


def _real_submit(s, case_id, actor, text, materials):
    return _REAL_SUBMIT(s, case_id, actor, text, materials=materials, today=AFTER_WINDOW)

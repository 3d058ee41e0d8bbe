"""Checks on the text of a generated (or uploaded) document, reused by the review workspace."""
from __future__ import annotations

import re

DATE_RE = re.compile(r"(\d{4}|[〇○零一二三四五六七八九]{4})年[\d一二三四五六七八九十]{1,2}月[\d一二三四五六七八九十]{1,3}日")
# an agency name ends with its organ word, optionally followed by a bracketed note such as （演示）
_AGENCY_END = re.compile(r"(局|厅|委员会|委|人民政府|政府|办公室|管理处|中心|大队|支队|队|所|署|机关|部|院|站)(（[^（）]{1,10}）)?$")
PENALTY_WORDS = ("警告", "通报批评", "罚款", "没收违法所得", "没收非法财物", "暂扣", "降低资质等级", "吊销",
                 "限制开展生产经营活动", "责令停产停业", "责令关闭", "限制从业", "行政拘留")

# 行政处罚法 第五十九条 items, as the review workspace names them.
ITEMS_59 = (
    "当事人的姓名或者名称、地址",
    "违反法律、法规、规章的事实和证据",
    "行政处罚的种类和依据",
    "行政处罚的履行方式和期限",
    "申请行政复议、提起行政诉讼的途径和期限",
    "作出行政处罚决定的行政机关名称和作出决定的日期",
    "行政机关的印章",
)

# Fixed wording that is outdated (行政诉讼法 第四十六条: six months since 2015).
OUTDATED_PHRASES = {
    "三个月内向人民法院提起行政诉讼": "起诉期限已改为六个月（行政诉讼法 第四十六条）",
    "三个月内提起行政诉讼": "起诉期限已改为六个月（行政诉讼法 第四十六条）",
    "十五日内向人民法院提起行政诉讼": "起诉期限已改为六个月（行政诉讼法 第四十六条）",
}


def _value_after(text: str, labels: tuple[str, ...]) -> bool:
    for label in labels:
        m = re.search(rf"{label}[：:]\s*(\S+)", text)
        if m and m.group(1).strip("　 ："):
            return True
    return False


def missing_items_59(docx_text: str) -> list[str]:
    """The items of 行政处罚法 第五十九条 that a 决定书's text does not show (empty list = complete).

    Heuristic text checks, meant to flag, not to approve: a reviewer still reads the document.
    """
    text = docx_text
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    missing = []
    if not (_value_after(text, ("当事人",)) and _value_after(text, ("住所", "住址", "地址", "经营场所"))):
        missing.append(ITEMS_59[0])
    if not (re.search(r"经查|查明", text) and re.search(r"证据|证明", text)):
        missing.append(ITEMS_59[1])
    if not (re.search(r"依据《[^》]+》第[^条]{1,8}条", text) and any(w in text for w in PENALTY_WORDS)):
        missing.append(ITEMS_59[2])
    if not (re.search(r"(收到本决定书之日起[^。]{0,12}日内|日内[^。]{0,20}(缴|交|履行))", text)
            or re.search(r"自收到本决定书之日起[^。]*履行", text)):
        missing.append(ITEMS_59[3])
    if not ("申请行政复议" in text and "提起行政诉讼" in text and re.search(r"六十日|60日", text)
            and re.search(r"六个月|6个月", text)):
        missing.append(ITEMS_59[4])
    tail = lines[-6:]
    has_date = any(DATE_RE.search(ln) for ln in tail)
    has_agency = any(_AGENCY_END.search(ln) for ln in tail)
    if not (has_date and has_agency):
        missing.append(ITEMS_59[5])
    if not any(("印章" in ln or "盖章" in ln or "（章）" in ln) for ln in tail):
        missing.append(ITEMS_59[6])
    return missing


def outdated_phrases(text: str) -> list[str]:
    """Chinese messages for outdated fixed wording found in the text."""
    return [f"文书含过时表述“{p}”：{why}" for p, why in OUTDATED_PHRASES.items() if p in text]

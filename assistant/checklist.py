"""The 法制审核 checklist (domain-spec §3) with its automatic checks.

Automation only flags and prefills: each item reports pass / warn / fail / manual with evidence,
and the reviewer decides every item. Checks run on the document text alone (e.g. another agency's
决定书) and get sharper with the structured case data in :class:`ReviewContext`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Callable

from corpus.decisions import ParsedDecision, parse_amount, parse_decision
from corpus.penalty_ranges import statutory_fine_range
from corpus.statutes import StatuteStore

PASS, WARN, FAIL, MANUAL = "pass", "warn", "fail", "manual"

ITEMS: tuple[tuple[str, str], ...] = (
    ("主体合法", "《中华人民共和国行政处罚法》第十八条、第二十二条、第二十三条"),
    ("人员资格", "《中华人民共和国行政处罚法》第四十二条、第四十三条、第五十八条"),
    ("程序合法", "《中华人民共和国行政处罚法》第四十四条、第六十条、第六十二条、第六十三条"),
    ("事实清楚", "《中华人民共和国行政处罚法》第四十条、第五十九条"),
    ("证据合法充分", "《中华人民共和国行政处罚法》第四十六条"),
    ("适用法律准确", "《中华人民共和国行政处罚法》第三十七条、第十六条"),
    ("裁量基准适当", "《中华人民共和国行政处罚法》第五条、第三十四条、第四十五条"),
    ("是否超越权限", "《中华人民共和国行政处罚法》第十八条"),
    ("文书规范齐备", "《中华人民共和国行政处罚法》第五十九条"),
    ("涉嫌犯罪移送", "《中华人民共和国行政处罚法》第二十七条、第五十七条"),
)


@dataclass(frozen=True)
class Finding:
    item: str
    status: str
    message: str
    evidence: str = ""
    basis: str = ""


@dataclass
class ReviewContext:
    """Structured case data, when the document comes from our own case store."""

    filed_on: date | None = None
    violation_date: date | None = None
    decided_on: date | None = None
    party_name: str | None = None
    party_kind: str | None = None  # 自然人 | 法人或者其他组织
    notice_date: date | None = None
    notice_fine: float | None = None
    statement_window_closed: bool | None = None
    hearing_threshold: float | None = None
    hearing_offered: bool | None = None
    band_label: str | None = None
    band_min: float | None = None
    band_max: float | None = None
    mitigated: bool = False  # 减轻处罚 applied (may go below the statutory minimum)
    handlers: list[str] = field(default_factory=list)
    handler_credentials_valid: dict[str, bool] = field(default_factory=dict)
    reviewer: str | None = None
    reviewer_qualified: bool | None = None
    evidence_types: list[str] = field(default_factory=list)
    agency_is_police: bool | None = None
    crime_threshold: float | None = None
    goods_value: float | None = None
    illegal_gains: float | None = None


def _wan(x: float) -> str:
    return f"{x / 10000:g} 万元" if x >= 10000 else f"{x:g} 元"


# -- the individual checks -------------------------------------------------------------------------
def _subject(d: ParsedDecision, ctx: ReviewContext, _s: StatuteStore | None) -> list[Finding]:
    if not d.agency:
        return [Finding("主体合法", FAIL, "文书未载明作出决定的行政机关名称")]
    return [Finding("主体合法", MANUAL, f"作出机关：{d.agency}；管辖权与权责清单须人工核对", d.agency)]


def _personnel(d: ParsedDecision, ctx: ReviewContext, _s: StatuteStore | None) -> list[Finding]:
    basis = "《中华人民共和国行政处罚法》第四十二条"
    out = []
    if not ctx.handlers:
        return [Finding("人员资格", MANUAL, "无承办人信息，执法人员资格须人工核对", basis=basis)]
    valid = [h for h in ctx.handlers if ctx.handler_credentials_valid.get(h, True)]
    if len(valid) < 2:
        out.append(Finding("人员资格", FAIL, f"持有效执法证件的承办人不足两人（{len(valid)}人）", "、".join(ctx.handlers), basis))
    if ctx.reviewer and ctx.reviewer in ctx.handlers:
        out.append(Finding("人员资格", FAIL, f"审核人员“{ctx.reviewer}”是本案承办人，违反办审分离", ctx.reviewer,
                           "《中华人民共和国行政处罚法》第五十八条"))
    if ctx.reviewer_qualified is False:
        out.append(Finding("人员资格", FAIL, "初次从事法制审核的人员应当取得法律职业资格", ctx.reviewer or "",
                           "《中华人民共和国行政处罚法》第五十八条"))
    return out or [Finding("人员资格", PASS, f"承办人 {len(valid)} 人，证件有效；审核人员与承办人分离", basis=basis)]


def _procedure(d: ParsedDecision, ctx: ReviewContext, _s: StatuteStore | None) -> list[Finding]:
    out = []
    filed = ctx.filed_on or d.filed_on
    decided = ctx.decided_on or d.decided_on
    if filed and decided:
        days = (decided - filed).days
        if days > 90:
            out.append(Finding("程序合法", FAIL, f"自立案（{filed}）至决定（{decided}）共 {days} 日，超过九十日期限",
                               f"{filed} → {decided}", "《中华人民共和国行政处罚法》第六十条"))
    elif not filed:
        out.append(Finding("程序合法", WARN, "未能确定立案日期，无法核对九十日办案期限", basis="《中华人民共和国行政处罚法》第六十条"))
    notice = ctx.notice_date or d.notice_date
    mentions_notice = bool(re.search(r"事先告知|告知书|告知了?当事人", d.text))
    if not mentions_notice and not notice:
        out.append(Finding("程序合法", FAIL, "文书未载明作出决定前已告知当事人拟处罚内容及陈述、申辩权利", "",
                           "《中华人民共和国行政处罚法》第四十四条"))
    elif notice and decided and notice > decided:
        out.append(Finding("程序合法", FAIL, f"事先告知日期（{notice}）晚于决定日期（{decided}）", "",
                           "《中华人民共和国行政处罚法》第四十四条"))
    if ctx.statement_window_closed is False:
        out.append(Finding("程序合法", FAIL, "陈述、申辩期限尚未届满且当事人未放弃，不得作出决定", "",
                           "《中华人民共和国行政处罚法》第六十二条"))
    threshold = ctx.hearing_threshold
    if threshold is None:
        threshold = 10000.0 if (ctx.party_kind or d.party_kind) == "自然人" else 100000.0
    fine = d.fine or 0
    heavy = any(t in d.penalty_types for t in ("吊销许可证件", "吊销营业执照", "责令停产停业", "责令关闭", "限制从业", "降低资质等级"))
    if fine >= threshold or heavy:
        offered = ctx.hearing_offered if ctx.hearing_offered is not None else bool(re.search(r"听证", d.text))
        if not offered:
            why = f"罚款 {_wan(fine)}达到较大数额标准（{_wan(threshold)}）" if fine >= threshold else "拟作出吊销、停产停业等较重处罚"
            out.append(Finding("程序合法", FAIL, f"{why}，但未告知当事人有要求听证的权利", "",
                               "《中华人民共和国行政处罚法》第六十三条"))
    return out or [Finding("程序合法", PASS, "立案、告知、听证告知与办案期限未见问题")]


_ORG_NAME = r"[\u4e00-\u9fa5（）()]{4,30}(?:有限公司|有限责任公司|股份有限公司|公司|厂|商店|超市|门市部|经营部|中心|合作社|酒店|饭店|餐厅|药房|药店)"


def _facts(d: ParsedDecision, ctx: ReviewContext, _s: StatuteStore | None) -> list[Finding]:
    out = []
    if not d.facts:
        out.append(Finding("事实清楚", FAIL, "文书缺少违法事实（“经查，……”）", basis="《中华人民共和国行政处罚法》第五十九条第（二）项"))
    elif not d.violation_date and not ctx.violation_date:
        out.append(Finding("事实清楚", WARN, "违法事实未写明违法行为发生的时间", d.facts[:60]))
    name = ctx.party_name or d.party_name
    if name:
        if d.party_name and ctx.party_name and d.party_name != ctx.party_name:
            out.append(Finding("事实清楚", FAIL, f"当事人名称与案件登记不一致：文书为“{d.party_name}”，案件为“{ctx.party_name}”"))
        others = {m.group(0) for m in re.finditer(rf"当事人(?:{_ORG_NAME})", d.text)}
        others = {o.removeprefix("当事人") for o in others} - {name}
        if others:
            out.append(Finding("事实清楚", FAIL, f"当事人名称前后不一致：“{name}”与“{'”“'.join(sorted(others))}”", "、".join(sorted(others))))
    # amounts: every 罚款 figure in the decision part and the payment part must agree, and match 大写
    decision_part = d.text[d.text.find("决定"):] if "决定" in d.text else d.text
    figures = {parse_amount(m.group(1), m.group(2)) for m in
               re.finditer(r"(?<!拟)罚款\s*(?:人民币)?\s*([\d,，.]+)\s*(万)?\s*元", decision_part)}
    figures.discard(None)
    if len(figures) > 1:
        out.append(Finding("事实清楚", FAIL, "罚款金额前后不一致：" + "、".join(_wan(f) for f in sorted(figures))))
    for m in re.finditer(r"([\d,，.]+)\s*(万)?\s*元\s*[（(]\s*(?:人民币)?([壹贰叁肆伍陆柒捌玖拾佰仟万亿零圆元角分整]+)\s*[）)]", d.text):
        small, big = parse_amount(m.group(1), m.group(2)), parse_amount(m.group(3))
        if small is not None and big is not None and abs(small - big) > 0.001:
            out.append(Finding("事实清楚", FAIL, f"金额大小写不一致：{m.group(0)}", m.group(0)))
    return out or [Finding("事实清楚", PASS, "违法事实、当事人名称和金额前后一致")]


def _evidence(d: ParsedDecision, ctx: ReviewContext, _s: StatuteStore | None) -> list[Finding]:
    basis = "《中华人民共和国行政处罚法》第四十六条"
    if not d.evidence:
        return [Finding("证据合法充分", FAIL, "文书未列明认定事实的证据", basis=basis)]
    items = re.findall(r"\d+\s*[.、．]", d.evidence)
    if not items and "、" not in d.evidence:
        return [Finding("证据合法充分", WARN, "证据未逐项列明", d.evidence[:80], basis)]
    return [Finding("证据合法充分", MANUAL, f"列明证据 {max(len(items), 1)} 项；证据的合法性与证明力须人工判断", d.evidence[:80], basis)]


def _citation_results(text: str, store: StatuteStore, as_of: date | None) -> list[tuple[str, str, str, int | None]]:
    """(citation as written, reason, message, article id) for every citation in ``text``."""
    from assistant.citations import verify_citations

    out = []
    for c in verify_citations(text, store, as_of=as_of):
        out.append((c.raw, c.reason, c.message, c.article_id))
    return out


def _law(d: ParsedDecision, ctx: ReviewContext, store: StatuteStore | None) -> list[Finding]:
    if store is None:
        return [Finding("适用法律准确", MANUAL, "未连接法条库，引用须人工核对")]
    as_of = ctx.violation_date or d.violation_date or ctx.decided_on or d.decided_on
    out = []
    violated_ids, penalty_ids = [], []
    for part, ids in ((d.violated_text, violated_ids), (d.penalty_text, penalty_ids)):
        if part:
            for raw, reason, message, art_id in _citation_results(part, store, as_of):
                if reason != "ok":
                    status = WARN if reason in ("earlier_version_not_stored", "user_unverified") else FAIL
                    out.append(Finding("适用法律准确", status, message, raw, "《中华人民共和国行政处罚法》第三十七条"))
                elif art_id is not None:
                    ids.append(art_id)
    if not d.violated_text:
        out.append(Finding("适用法律准确", FAIL, "文书未写明违反的法律条款（违法依据）", basis="《中华人民共和国行政处罚法》第五十九条第（三）项"))
    if not d.penalty_text:
        out.append(Finding("适用法律准确", FAIL, "文书未写明作出处罚所依据的条款（处罚依据）", basis="《中华人民共和国行政处罚法》第五十九条第（三）项"))
    for pid in penalty_ids:
        art = store.get_article(pid)
        if not art.is_liability:
            out.append(Finding("适用法律准确", WARN, f"处罚依据 {art.short_citation} 不是罚则条款，请核对", art.short_citation))
    if violated_ids and penalty_ids:
        linked = {link.penalty_id for vid in violated_ids for link in store.penalty_links_for(vid)}
        if linked and not linked & set(penalty_ids):
            names = "、".join(store.get_article(p).short_citation for p in sorted(linked)[:3])
            out.append(Finding("适用法律准确", WARN, f"违法依据对应的罚则条款是 {names}，与所引处罚依据不一致，请核对"))
    return out or [Finding("适用法律准确", PASS, f"全部引用在 {as_of or '决定日'} 有效，违法依据与处罚依据对应")]


def _discretion(d: ParsedDecision, ctx: ReviewContext, store: StatuteStore | None) -> list[Finding]:
    out = []
    fine = d.fine
    if fine is None:
        return [Finding("裁量基准适当", MANUAL, "未发现罚款金额，裁量须人工核对")]
    if ctx.band_min is not None and ctx.band_max is not None and not (ctx.band_min <= fine <= ctx.band_max):
        out.append(Finding("裁量基准适当", FAIL, f"罚款 {_wan(fine)}超出所选档次{ctx.band_label or ''} {_wan(ctx.band_min)}–{_wan(ctx.band_max)}",
                           basis="《中华人民共和国行政处罚法》第三十四条"))
    if ctx.notice_fine is not None and fine > ctx.notice_fine:
        out.append(Finding("裁量基准适当", FAIL, f"决定罚款 {_wan(fine)}重于事先告知的 {_wan(ctx.notice_fine)}",
                           basis="《中华人民共和国行政处罚法》第四十五条"))
    if store is not None and d.penalty_text:
        bases = {k: v for k, v in (("货值金额", ctx.goods_value or d.goods_value), ("违法所得", ctx.illegal_gains or d.illegal_gains)) if v is not None}
        as_of = ctx.violation_date or d.violation_date or d.decided_on
        for raw, reason, _m, art_id in _citation_results(d.penalty_text, store, as_of):
            if art_id is None:
                continue
            rng = statutory_fine_range(_cited_text(store, art_id, raw), bases)
            if rng is None:
                continue
            lo, hi, snippet = rng
            if fine > hi:
                out.append(Finding("裁量基准适当", FAIL, f"罚款 {_wan(fine)}超过法定上限 {_wan(hi)}", snippet, "《中华人民共和国行政处罚法》第五条"))
            elif fine < lo and not (ctx.mitigated or "减轻" in d.text):
                out.append(Finding("裁量基准适当", FAIL, f"罚款 {_wan(fine)}低于法定下限 {_wan(lo)}，且未说明减轻处罚理由", snippet,
                                   "《中华人民共和国行政处罚法》第三十二条"))
    return out or [Finding("裁量基准适当", PASS, f"罚款 {_wan(fine)}在法定幅度和所选档次内")]


def _cited_text(store: StatuteStore, article_id: int, raw: str) -> str:
    """Text of the cited 款/项 where the citation names one, else the whole article."""
    from corpus.numerals import cn_to_int

    kuan = re.search(r"第([一二三四五六七八九十\d]+)款", raw)
    xiang = re.search(r"第[（(]([一二三四五六七八九十\d]+)[）)]项", raw)
    if kuan:
        k = cn_to_int(kuan.group(1))
        para = store.paragraph(article_id, k, 0)
        if para:
            text = para.text
            if xiang:
                item = store.paragraph(article_id, k, cn_to_int(xiang.group(1)))
                text += item.text if item else ""
            return text
    return store.get_article(article_id).text


def _authority(d: ParsedDecision, ctx: ReviewContext, _s: StatuteStore | None) -> list[Finding]:
    police = ctx.agency_is_police if ctx.agency_is_police is not None else bool(d.agency and "公安" in d.agency)
    if "行政拘留" in d.penalty_types and not police:
        return [Finding("是否超越权限", FAIL, "限制人身自由的行政处罚只能由公安机关和法律规定的其他机关实施", d.agency or "",
                        "《中华人民共和国行政处罚法》第十八条")]
    return [Finding("是否超越权限", PASS, f"处罚种类：{'、'.join(d.penalty_types) or '未识别'}")]


def _documents(d: ParsedDecision, ctx: ReviewContext, _s: StatuteStore | None) -> list[Finding]:
    from assistant.documents.checks import missing_items_59

    out = [Finding("文书规范齐备", FAIL, f"决定书缺少{m}", basis="《中华人民共和国行政处罚法》第五十九条") for m in missing_items_59(d.text)]
    remedy = d.text[d.text.find("不服"):] if "不服" in d.text else ""
    if remedy:
        if re.search(r"三个月内[^。]*行政诉讼|行政诉讼[^。]*三个月", remedy):
            out.append(Finding("文书规范齐备", FAIL, "行政诉讼期限写成“三个月”，现行期限为六个月", basis="《中华人民共和国行政诉讼法》第四十六条"))
        elif "行政诉讼" in remedy and "六个月" not in remedy:
            out.append(Finding("文书规范齐备", FAIL, "未写明提起行政诉讼的期限（六个月）", basis="《中华人民共和国行政诉讼法》第四十六条"))
        if "行政复议" in remedy and "六十日" not in remedy:
            out.append(Finding("文书规范齐备", FAIL, "未写明申请行政复议的期限（六十日）", basis="《中华人民共和国行政复议法》第二十条"))
    if "罚款" in d.penalty_types:
        if not re.search(r"十五日内", d.text):
            out.append(Finding("文书规范齐备", FAIL, "未写明罚款缴纳期限（十五日）", basis="《中华人民共和国行政处罚法》第六十七条"))
        if not re.search(r"百分之三|3%", d.text):
            out.append(Finding("文书规范齐备", WARN, "未告知逾期缴纳每日按罚款数额百分之三加处罚款", basis="《中华人民共和国行政处罚法》第七十二条"))
    if d.document_no is None:
        placeholder = re.search(r"[\u4e00-\u9fa5]{1,12}[〔\[【(（﹝]\s*\d{4}\s*[〕\]】)）﹞]\s*（待编号）", d.text)
        if placeholder:  # a draft before the decision: the number is allocated when the decision is made (spec §7)
            out.append(Finding("文书规范齐备", WARN, f"文号待编号（{placeholder.group(0)}），作出决定时由系统编号",
                               placeholder.group(0)))
        else:
            out.append(Finding("文书规范齐备", FAIL, "缺少文号（如 某市监罚〔2026〕12号）"))
    return out or [Finding("文书规范齐备", PASS, "第五十九条规定事项齐全，救济期限表述正确")]


def _crime(d: ParsedDecision, ctx: ReviewContext, _s: StatuteStore | None) -> list[Finding]:
    amount = max(x for x in (d.fine or 0, d.goods_value or 0, d.illegal_gains or 0, ctx.goods_value or 0))
    if ctx.crime_threshold is not None and amount >= ctx.crime_threshold:
        return [Finding("涉嫌犯罪移送", WARN, f"涉案金额 {_wan(amount)}达到移送标准 {_wan(ctx.crime_threshold)}，请考虑移送司法机关",
                        basis="《中华人民共和国行政处罚法》第二十七条")]
    return [Finding("涉嫌犯罪移送", MANUAL, "未配置追诉标准或未达到，是否涉嫌犯罪须人工判断")]


CHECKS: tuple[Callable[[ParsedDecision, ReviewContext, StatuteStore | None], list[Finding]], ...] = (
    _subject, _personnel, _procedure, _facts, _evidence, _law, _discretion, _authority, _documents, _crime,
)


def run_checklist(text: str, store: StatuteStore | None, ctx: ReviewContext | None = None) -> list[Finding]:
    """Run every automatic check on a 决定书 text; one or more findings per checklist item."""
    ctx = ctx or ReviewContext()
    parsed = parse_decision(text)
    findings: list[Finding] = []
    for check in CHECKS:
        findings.extend(check(parsed, ctx, store))
    return findings


def summary(findings: list[Finding]) -> dict[str, str]:
    """Worst status per item, in checklist order."""
    order = {PASS: 0, MANUAL: 1, WARN: 2, FAIL: 3}
    out = {name: PASS for name, _ in ITEMS}
    for f in findings:
        if order[f.status] > order[out[f.item]]:
            out[f.item] = f.status
    return out

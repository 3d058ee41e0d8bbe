"""Draft service: DraftContext → .docx draft + section texts + findings.

``draft_document("决定书", ctx, store=store, llm=llm)`` renders the document template with the
deterministic narrative (or an LLM polish of it that passed :mod:`assistant.llm.guard`), lays it out
per GB/T 9704 and checks the result before it can be submitted:

- every citation re-checked in the version in force on the violation date (第三十七条; through
  ``assistant.citations.verify_citations`` when that module exists), procedural ones on the decision date;
- amounts: within the chosen band and the statutory range, 大写 matches, decision ≤ notice (第四十五条),
  没收违法所得 equals the established 违法所得, and every number in the text comes from the context;
- document rules: 第五十九条 items, hearing wording (第六十四条), ≥2 承办人 (第四十二条), outdated wording.

The output is always a draft: it carries the 草稿 mark until ``ctx.approved`` and is never signed.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from assistant.amounts import daxie, wan, yuan
from corpus.penalty_ranges import statutory_fine_range
from assistant.documents import gbt9704
from assistant.documents.checks import missing_items_59, outdated_phrases
from assistant.documents.citing import CitationRef, cite, recheck
from assistant.documents.context import DraftContext, to_plain
from assistant.documents.kinds import DocKind, doc_kind
from assistant.errors import InputError
from assistant.llm.guard import ARABIC_RE, polish
from assistant.ports import LLM

log = logging.getLogger(__name__)

ERROR, WARNING, INFO = "error", "warning", "info"
PENALTY_LAW = "中华人民共和国行政处罚法"
# sections whose citations are substantive (violation date applies); the rest are procedural
_SUBSTANTIVE_SECTIONS = ("定性", "处罚依据和内容", "定性与不予处罚理由", "事实理由依据", "拟作出的处罚")


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str       # error (blocks submission) | warning | info
    message: str        # Chinese, shown to the user


@dataclass(frozen=True)
class Draft:
    kind: str
    title: str
    docx: bytes
    sections: dict[str, str]
    citations: tuple[CitationRef, ...]
    findings: tuple[Finding, ...]
    llm_used: bool
    narrative_sources: dict[str, str] = field(default_factory=dict)   # section → "llm" | "template"
    llm_notes: dict[str, str] = field(default_factory=dict)           # section → why fallback
    approved: bool = False

    @property
    def text(self) -> str:
        return "\n".join(self.sections.values())

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def can_submit(self) -> bool:
        """A draft with error findings cannot be submitted for 法制审核."""
        return not self.blocking


# -- narrative ----------------------------------------------------------------------------------

def _facts_for_llm(ctx: DraftContext) -> dict[str, object]:
    f = ctx.case.facts
    data: dict[str, object] = {"当事人": ctx.party.name, "时间": f.time, "地点": f.place, "行为": f.act}
    if f.quantities:
        data["数量"] = "；".join(f.quantities)
    if f.goods_value is not None:
        data["货值金额"] = yuan(f.goods_value)
    if f.illegal_gains is not None:
        data["违法所得"] = yuan(f.illegal_gains)
    if f.harm:
        data["危害后果"] = f.harm
    if f.other:
        data["其他情节"] = f.other
    return data


def _discretion_for_llm(ctx: DraftContext) -> dict[str, object]:
    d = ctx.discretion
    data: dict[str, object] = {"裁量基准": d.benchmark, "档次": d.level}
    if d.band:
        data["罚款幅度"] = f"{yuan(d.band[0])}以上{yuan(d.band[1])}以下"
    data["情节"] = "；".join(d.factors)
    data["说明"] = d.explanation
    return data


def _required(baseline: str, *extra: str) -> tuple[str, ...]:
    nums = tuple(dict.fromkeys(m.group(0) for m in ARABIC_RE.finditer(baseline)))
    return tuple(x for x in extra if x) + nums


def _narratives(kind: DocKind, ctx: DraftContext, llm: LLM | None, timeout: float):
    from prompts.render import render

    texts, sources, notes = {}, {}, {}
    base = render("narrative_facts", ctx=ctx).strip()
    res = polish(llm, task="把数据块中的违法事实改写为一段规范、客观的行政处罚决定书“经查”段落（不含“经查”二字）。",
                 facts=_facts_for_llm(ctx), baseline=base, required=_required(base, ctx.party.name), timeout=timeout)
    texts["违法事实"], sources["违法事实"] = res.text, "llm" if res.used_llm else "template"
    if res.reason:
        notes["违法事实"] = res.reason
    base = render("narrative_discretion", ctx=ctx).strip()
    if base and kind.key in ("decision", "review_form"):
        res = polish(llm, task="把数据块中的裁量情况改写为一段简洁的裁量说明。", facts=_discretion_for_llm(ctx),
                     baseline=base, required=_required(base), timeout=timeout)
        texts["裁量说明"], sources["裁量说明"] = res.text, "llm" if res.used_llm else "template"
        if res.reason:
            notes["裁量说明"] = res.reason
    else:
        texts["裁量说明"] = base
    return texts, sources, notes


# -- procedural citations -------------------------------------------------------------------------

def _join_labels(refs: list[CitationRef]) -> str:
    """《中华人民共和国行政处罚法》第四十四条、第四十五条 (same law written once)."""
    out, last_law = [], None
    for r in refs:
        out.append(r.pinpoint if r.law == last_law else r.label)
        last_law = r.law
    return "、".join(out)


def _procedural_refs(store, day: date) -> tuple[dict[str, str], list[CitationRef]]:
    spec = {
        "order_to_correct": [(28, 1, None)],
        "late_fee": [(72, 1, 1)],
        "no_suspend": [(73, 1, None)],
        "payment": [(67, 3, None)],
        "notice": [(44, None, None), (45, None, None)],
        "hearing": [(63, None, None), (64, None, None)],
        "education": [(33, 3, None)],
    }
    labels, refs = {}, []
    for key, items in spec.items():
        rs = [cite(store, PENALTY_LAW, n, k, x, as_of=day) for n, k, x in items]
        refs.extend(rs)
        labels[key] = _join_labels(rs)
    return labels, refs


# -- checks --------------------------------------------------------------------------------------

def _range_text(lo: Decimal, hi: Decimal) -> str:
    if lo >= 10000 or (lo == 0 and hi >= 10000):
        return f"{(lo / 10000).normalize():f}–{wan(hi)}"
    return f"{lo.normalize():f}–{hi.normalize():f} 元"


def check_amounts(ctx: DraftContext, kind: DocKind | None = None) -> list[Finding]:
    out: list[Finding] = []
    fines = [p for p in ctx.penalties if p.type == "罚款"]
    for p in fines:
        if p.amount is None or p.amount <= 0:
            out.append(Finding("fine_missing", ERROR, "罚款未写明数额"))
    fine = ctx.fine
    d = ctx.discretion
    if fines and fine > 0:
        if d.band and not (d.band[0] <= fine <= d.band[1]):
            out.append(Finding("fine_outside_band", ERROR,
                               f"罚款 {wan(fine)}超出所选档次 {_range_text(*d.band)}"))
        stat = d.statutory_range
        source = "所选裁量情况"
        if stat is None:
            facts = ctx.case.facts
            bases = {k: float(v) for k, v in (("货值金额", facts.goods_value), ("违法所得", facts.illegal_gains)) if v is not None}
            ranges = [r for v in ctx.violations for ref in v.penalty_basis
                      if (r := statutory_fine_range(ref.article_text or ref.text, bases))]
            if ranges:
                stat = (Decimal(str(min(r[0] for r in ranges))), Decimal(str(max(r[1] for r in ranges))))
                source = "、".join(ref.label for v in ctx.violations for ref in v.penalty_basis)
        if stat:
            if fine > stat[1]:
                out.append(Finding("fine_above_statutory", ERROR,
                                   f"罚款 {wan(fine)}超过法定最高额 {wan(stat[1])}（{source}）"))
            elif fine < stat[0] and not d.mitigated:
                out.append(Finding("fine_below_statutory", ERROR,
                                   f"罚款 {wan(fine)}低于法定最低额 {wan(stat[0])}，且未认定减轻处罚情节（行政处罚法 第三十二条）"))
            if d.band and (d.band[1] > stat[1] or (d.band[0] < stat[0] and not d.mitigated)):
                out.append(Finding("band_outside_statutory", WARNING,
                                   f"所选档次 {_range_text(*d.band)}超出法定幅度 {_range_text(*stat)}"))
        elif kind is None or kind.key in ("decision", "notice"):
            out.append(Finding("statutory_range_unknown", WARNING, "未能确定法定罚款幅度，请人工核对罚款是否在法定幅度内"))
    gains = ctx.case.facts.illegal_gains
    for p in ctx.penalties:
        if p.type == "没收违法所得":
            if p.amount is None:
                out.append(Finding("confiscation_amount_missing", ERROR, "没收违法所得未写明数额"))
            elif gains is not None and p.amount != gains:
                out.append(Finding("confiscation_mismatch", ERROR,
                                   f"没收违法所得 {yuan(p.amount)}与认定的违法所得 {yuan(gains)}不一致"))
    if gains and gains > 0 and not any(p.type == "没收违法所得" for p in ctx.penalties) and ctx.no_penalty is None \
            and (kind is None or kind.key in ("decision", "notice")):  # 立案审批表 / 送审表 decide no penalty
        out.append(Finding("confiscation_missing", WARNING,
                           f"认定违法所得 {yuan(gains)}，但处罚内容中没有没收违法所得（行政处罚法 第二十八条第二款）"))
    notified = ctx.procedure.notified_penalties
    if notified and (kind is None or kind.key == "decision"):
        n_fine = sum((p.amount or Decimal(0) for p in notified if p.type == "罚款"), Decimal(0))
        if fine > n_fine:
            out.append(Finding("heavier_than_notice", ERROR,
                               f"决定罚款 {wan(fine)}高于事先告知的 {wan(n_fine)}（行政处罚法 第四十五条：不得因陈述、申辩给予更重的处罚）"))
        new_types = sorted({p.type for p in ctx.penalties} - {p.type for p in notified})
        if new_types:
            out.append(Finding("type_not_notified", ERROR,
                               f"决定增加了告知书中没有的处罚种类：{'、'.join(new_types)}（行政处罚法 第四十四条、第四十五条）"))
    if ctx.payment.days != 15:
        out.append(Finding("payment_days", WARNING,
                           f"缴款期限为 {ctx.payment.days} 日，行政处罚法 第六十七条规定为十五日"))
    return out


def _allowed_numbers(ctx: DraftContext, extra: list[str]) -> set[Decimal]:
    allowed: set[Decimal] = set()

    def walk(obj):
        if isinstance(obj, dict):
            for v in obj.values():
                walk(v)
        elif isinstance(obj, list):
            for v in obj:
                walk(v)
        elif obj is not None:
            for m in ARABIC_RE.finditer(str(obj)):
                try:
                    allowed.add(Decimal(m.group(0).replace("．", ".")))
                except InvalidOperation:
                    pass

    walk(to_plain(ctx))
    walk(extra)
    n = max(len(ctx.evidence), len(ctx.penalties), len(ctx.violations), 1)
    allowed.update(Decimal(i) for i in range(1, n + 1))
    return allowed


def check_numbers(text: str, ctx: DraftContext, extra: list[str]) -> list[Finding]:
    """Every Arabic number in the text must come from the context; 大写 must match its figure."""
    out = []
    allowed = _allowed_numbers(ctx, extra)
    seen = set()
    for m in ARABIC_RE.finditer(text):
        tok = m.group(0)
        try:
            value = Decimal(tok.replace("．", "."))
        except InvalidOperation:
            continue
        if value not in allowed and tok not in seen:
            seen.add(tok)
            out.append(Finding("number_without_source", ERROR, f"文书中的数字“{tok}”在案件信息中找不到来源"))
    for m in re.finditer(r"人民币(\d+(?:\.\d+)?)元（大写：人民币([^）]+)）", text):
        if daxie(m.group(1)) != m.group(2):
            out.append(Finding("daxie_mismatch", ERROR, f"金额 {m.group(1)} 元的大写应为“{daxie(m.group(1))}”，文书中为“{m.group(2)}”"))
    return out


def _external_verifier():
    try:
        from assistant.citations import verify_citations  # type: ignore[attr-defined]
    except ImportError:
        return None
    return verify_citations


def check_citations(sections: dict[str, str], ctx: DraftContext, procedural: list[CitationRef], store,
                    decision_day: date) -> list[Finding]:
    out: list[Finding] = []
    vday = ctx.case.violation_date
    for ref in ctx.citations():
        reason, message = recheck(store, ref, vday)
        if reason == "earlier_version_not_stored":
            out.append(Finding("citation_version_unverified", WARNING, message + "，请核对当时文本"))
        elif reason != "ok":
            out.append(Finding(f"citation_{reason}", ERROR, message))
    for ref in procedural:
        reason, message = recheck(store, ref, decision_day)
        if reason not in ("ok",):
            out.append(Finding(f"citation_{reason}", ERROR if reason != "earlier_version_not_stored" else WARNING, message))
    verify = _external_verifier()
    if verify is not None:
        for name, text in sections.items():
            day = vday if name in _SUBSTANTIVE_SECTIONS else decision_day
            try:
                checks = verify(text, store, day)
            except Exception as exc:  # noqa: BLE001 - report, don't crash drafting
                out.append(Finding("citation_check_failed", WARNING, f"引用核验未能完成：{exc}"))
                break
            for check in checks:
                severity = getattr(check, "severity", None)
                if severity is None:  # older CitationCheck without severity
                    severity = "ok" if check.reason == "ok" else "error"
                if severity == "ok":
                    continue
                out.append(Finding(f"citation_{check.reason}", ERROR if severity == "error" else WARNING,
                                   f"{name}：{check.message}"))
    seen, unique = set(), []
    for f in out:
        if f.message not in seen:
            seen.add(f.message)
            unique.append(f)
    return unique


def _document_checks(kind: DocKind, ctx: DraftContext, text: str, hearing: bool, decision_day: date) -> list[Finding]:
    out = [Finding("outdated_wording", ERROR, m) for m in outdated_phrases(text)]
    if kind.key == "decision":
        out += [Finding("item_59_missing", ERROR, f"决定书缺少行政处罚法 第五十九条规定的事项：{item}")
                for item in missing_items_59(text)]
        if not ctx.penalties:
            out.append(Finding("no_penalty_items", ERROR, "决定书没有处罚内容"))
        if (decision_day - ctx.case.filed_on).days > 90:
            out.append(Finding("decision_late", WARNING,
                               "决定日距立案日已超过九十日（行政处罚法 第六十条），请核对是否经批准延长"))
        if ctx.procedure.notice_date is None:
            out.append(Finding("no_prior_notice", ERROR, "没有事先告知记录，不得作出行政处罚决定（行政处罚法 第四十四条、第六十二条）"))
    if kind.key in ("decision", "no_penalty") and ctx.decision_date is None:
        out.append(Finding("decision_date_missing", WARNING, "未填写作出决定的日期"))
    if kind.key in ("decision", "no_penalty", "notice"):
        if not ctx.agency.review_body or not ctx.agency.court:
            out.append(Finding("remedy_body_missing", ERROR, "未填写复议机关或管辖法院，救济途径不完整"))
        if not ctx.violations:
            out.append(Finding("no_violation", ERROR, "没有认定违法行为及其依据"))
    if kind.key == "notice" and hearing and "在行政机关告知后五日内" not in text:
        out.append(Finding("hearing_notice_missing", ERROR, "应当告知听证权利（行政处罚法 第六十三条、第六十四条）"))
    if kind.key == "no_penalty" and ctx.no_penalty is None:
        raise InputError("不予行政处罚决定书须提供 no_penalty（不予处罚的依据和理由）")
    if kind.key == "filing_form" and len(ctx.case.handlers) < 2:
        out.append(Finding("handlers", ERROR, "承办人不得少于两人（行政处罚法 第四十二条）"))
    return out


# -- the service ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Composition:
    """The rendered template markup of one document, before layout."""

    kind: DocKind
    markup: str
    procedural: tuple[CitationRef, ...]
    hearing: bool
    decision_day: date
    narrative_sources: dict[str, str]
    llm_notes: dict[str, str]


def compose(kind: str, ctx: DraftContext, *, store, llm: LLM | None = None, as_of: date | None = None,
            llm_timeout: float = 120.0) -> Composition:
    """Render the document template (markup, see :mod:`assistant.documents.gbt9704`)."""
    from prompts.render import render

    spec = doc_kind(kind)
    if spec.key == "no_penalty" and ctx.no_penalty is None:
        raise InputError("不予行政处罚决定书须提供 no_penalty（不予处罚的依据和理由）")
    decision_day = as_of or ctx.decision_date or date.today()
    law, procedural = _procedural_refs(store, decision_day)
    narrative, sources, notes = _narratives(spec, ctx, llm, llm_timeout)
    hearing = ctx.needs_hearing()
    violated = "；".join(_join_labels(list(v.violated)) for v in ctx.violations)
    basis = "；".join(_join_labels(list(v.penalty_basis)) for v in ctx.violations)
    if spec.key == "decision":
        markup = render("decision", ctx=ctx, facts_text=narrative["违法事实"], discretion_text=narrative["裁量说明"],
                        hearing=hearing, law=law)
    elif spec.key == "notice":
        markup = render("notice", ctx=ctx, facts_text=narrative["违法事实"], hearing=hearing, law=law,
                        docno=ctx.procedure.notice_number or ctx.doc_number,
                        day=ctx.procedure.notice_date or ctx.decision_date)
    elif spec.key == "no_penalty":
        markup = render("no_penalty", ctx=ctx, facts_text=narrative["违法事实"], law=law)
    elif spec.key == "filing_form":
        markup = render("filing_form", ctx=ctx, violated=violated)
    else:
        proposal = "；".join(
            f"{p.type}" + (f"人民币{yuan(p.amount)}（大写：人民币{daxie(p.amount)}）" if p.amount is not None else "")
            + (f"：{p.detail}" if p.detail else "") for p in ctx.penalties) or "不予行政处罚"
        markup = render("review_form", ctx=ctx, violated=violated, basis=basis, proposal=proposal,
                        history=_history_text(ctx, hearing), discretion_text=narrative["裁量说明"])
    return Composition(spec, markup, tuple(procedural), hearing, decision_day, sources, notes)


def draft_document(kind: str, ctx: DraftContext, *, store, llm: LLM | None = None, as_of: date | None = None,
                   llm_timeout: float = 120.0) -> Draft:
    """Render, lay out and check one document. ``as_of`` is the decision date for procedural
    citations (default: ``ctx.decision_date`` or today); substantive citations use the violation date."""
    comp = compose(kind, ctx, store=store, llm=llm, as_of=as_of, llm_timeout=llm_timeout)
    spec = comp.kind
    doc = gbt9704.new_document(draft_mark=None if ctx.approved else gbt9704.DRAFT_MARK)
    sections = gbt9704.render_markup(doc, comp.markup)
    data = gbt9704.to_bytes(doc)
    text = "\n".join(sections.values())

    findings: list[Finding] = []
    findings += check_citations(sections, ctx, list(comp.procedural), store, comp.decision_day)
    findings += check_amounts(ctx, spec)
    findings += check_numbers(text, ctx, [])
    findings += _document_checks(spec, ctx, text, comp.hearing, comp.decision_day)
    for section, note in comp.llm_notes.items():
        findings.append(Finding("llm_fallback", INFO, f"{section}：{note}"))
    used = list(ctx.citations()) + list(comp.procedural)
    llm_used = any(v == "llm" for v in comp.narrative_sources.values())
    log.debug("drafted %s (%d findings, llm used: %s)", spec.key, len(findings), llm_used)
    return Draft(kind=spec.key, title=spec.title, docx=data, sections=sections, citations=tuple(used),
                 findings=tuple(findings), llm_used=llm_used, narrative_sources=comp.narrative_sources,
                 llm_notes=comp.llm_notes, approved=ctx.approved)


def _history_text(ctx: DraftContext, hearing: bool) -> str:
    p = ctx.procedure
    from prompts.render import cndate

    if not p.notice_date:
        return "尚未事先告知"
    parts = [f"{cndate(p.notice_date)}送达事先告知书" + (f"（{p.notice_number}）" if p.notice_number else "")]
    if hearing:
        parts.append("已告知听证权利")
    if p.hearing_requested:
        parts.append(f"{cndate(p.hearing_date)}举行听证" if p.hearing_date else "当事人要求听证")
    if p.statement:
        parts.append(f"当事人陈述申辩：{p.statement}")
        if p.review_reasons:
            parts.append(f"复核意见：{p.review_reasons}")
    elif p.waived:
        parts.append("当事人放弃陈述申辩")
    else:
        parts.append("当事人未提出陈述申辩")
    return "；".join(parts)


def draft_from_json(path, kind: str, services, *, llm: LLM | None = None) -> Draft:
    """CLI/adapter entry: JSON file → DraftContext → Draft. (``draft_for_case`` will mirror this
    with the case store as the source of the context.)"""
    import json
    from pathlib import Path

    from assistant.documents.context import context_from_dict

    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError(f"找不到案件信息文件：{p}") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"案件信息文件 {p} 不是有效的 UTF-8 JSON：{exc}") from exc
    ctx = context_from_dict(data, services.statutes)
    return draft_document(kind, ctx, store=services.statutes, llm=llm)

"""案例教学 (teaching cases, domain-spec §9: “案例教学”, “典型案例”, “反面典型”).

From a decided case (or a precedent) as a :class:`assistant.publicity.DecisionRecord`:
anonymised facts (through :mod:`assistant.redaction`), 争议焦点, applicable law with the article
text in force on the decision date (from the statute store), discretion analysis, procedural
lessons, the 法制审核 findings and how they were fixed, the outcome, and 3–5 discussion questions
with reference answers. Composition is deterministic; an optional ``polisher(section, text) -> text``
hook may rewrite narrative prose (default: none), and its output is re-checked for leaks.

A trainer reviews before release: draft → approved, only by a 培训员 or 法制审核人员 who did not
handle the case. Export one case or a whole course as .docx.
"""
from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Callable, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant import roles as R
from assistant.audit import log_action
from assistant.errors import InputError, NotFoundError, PermissionDenied
from assistant.publicity import Citation, DecisionRecord
from assistant.redaction import Redactor, RedactionPolicy, assert_clean, known_people, redact
from assistant.store.publicity_tables import TeachingCaseRow

log = logging.getLogger(__name__)

DRAFT, APPROVED = "draft", "approved"
APPROVER_ROLES = (R.TRAINER, R.REVIEWER)

Polisher = Callable[[str, str], str]


@dataclass(frozen=True)
class LawItem:
    citation: str
    text: str
    role: str          # 违法依据 | 处罚依据
    note: str = ""     # version / lookup remark (e.g. not found in the store)


@dataclass(frozen=True)
class Question:
    question: str
    answer: str


@dataclass(frozen=True)
class TeachingCase:
    title: str
    decision_id: str
    case_id: int | None
    agency: str
    decided_on: str
    facts: str
    disputes: tuple[str, ...]
    law: tuple[LawItem, ...]
    discretion: str
    lessons: tuple[str, ...]
    review: tuple[str, ...]
    outcome: str
    questions: tuple[Question, ...]
    handlers: tuple[str, ...] = field(default=(), repr=False)  # usernames (approval rule), not printed

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "TeachingCase":
        d = dict(d)
        d["law"] = tuple(LawItem(**x) for x in d.get("law", ()))
        d["questions"] = tuple(Question(**x) for x in d.get("questions", ()))
        for k in ("disputes", "lessons", "review", "handlers"):
            d[k] = tuple(d.get(k, ()))
        return cls(**d)

    def texts(self) -> list[str]:
        out = [self.title, self.facts, self.discretion, self.outcome, *self.disputes, *self.lessons, *self.review]
        out += [x.text for x in self.law] + [q.question for q in self.questions] + [q.answer for q in self.questions]
        return out


# ---------------------------------------------------------------------------------------------
# law text from the statute store
# ---------------------------------------------------------------------------------------------
def resolve_law(citations: Iterable[Citation], role: str, statutes, day: date) -> list[LawItem]:
    """Article text in force on ``day`` (point-in-time lookup); 款 selected when cited."""
    items: list[LawItem] = []
    for c in citations:
        label = c.label()
        if statutes is None:
            items.append(LawItem(label, "", role, "未连接法条库，条文需人工核对"))
            continue
        lineage = statutes.resolve_lineage(c.law.strip("《》"))
        if lineage is None:
            items.append(LawItem(label, "", role, "法条库中未找到该法律，需人工核对"))
            continue
        look = statutes.article_on(lineage, c.number, c.suffix, day)
        if look.article is None:
            items.append(LawItem(label, "", role, look.message))
            continue
        art = look.article
        text = art.text
        if c.kuan:
            paras = [p for p in text.split("\n") if p.strip() and not p.startswith("（")]
            if 0 < c.kuan <= len(paras):
                text = paras[c.kuan - 1]
        cite = art.citation + (label[label.index("条") + 1:] if "款" in label or "项" in label else "")
        note = "" if look.reason == "in_force" else look.message
        items.append(LawItem(cite, text.strip(), role, note))
    return items


# ---------------------------------------------------------------------------------------------
# building
# ---------------------------------------------------------------------------------------------
def _lessons(record: DecisionRecord, red: Callable[[str], str]) -> list[str]:
    out = [red(n) for n in record.procedural_notes]
    if record.procedure == "普通程序":
        out.append("普通程序案件应当自立案之日起九十日内作出决定（行政处罚法 第六十条）。")
        if record.filed_on:
            days = (record.decided_on - record.filed_on).days
            out.append(f"本案自立案至作出决定历时{days}日" + ("，超过九十日，应说明延期依据。" if days > 90 else "，在法定期限内。"))
    if record.hearing_held:
        out.append("本案举行了听证：听证主持人不得由本案调查人员担任，决定应当依据听证笔录作出（行政处罚法 第六十四条、第六十五条）。")
    if record.statement:
        out.append("当事人提出陈述申辩后，行政机关应当复核，不得因陈述申辩而给予更重的处罚（行政处罚法 第四十五条）。")
    problems = [r for r in record.reviews if r.outcome != "同意"]
    if problems:
        out.append(f"法制审核共{len(record.reviews)}轮，其中{len(problems)}轮提出问题；未经法制审核或者审核未通过的，不得作出决定（行政处罚法 第五十八条）。")
    return out


def _review_lines(record: DecisionRecord, red: Callable[[str], str]) -> list[str]:
    out = []
    for r in sorted(record.reviews, key=lambda x: x.round):
        line = f"第{r.round}轮审核：{r.outcome}"
        if r.findings:
            line += "。发现问题：" + "；".join(red(f) for f in r.findings)
        if r.fixes:
            line += "。整改情况：" + "；".join(red(f) for f in r.fixes)
        out.append(line + "。")
    return out


def _discretion(record: DecisionRecord, red: Callable[[str], str]) -> str:
    if not record.discretion_band and not record.discretion_factors:
        return "本案未记录裁量档次和情节。"
    parts = []
    if record.discretion_band:
        parts.append(f"适用裁量档次：{record.discretion_band}。")
    if record.discretion_factors:
        parts.append("考虑的裁量情节：" + "；".join(red(f) for f in record.discretion_factors) + "。")
    parts.append("裁量应当与违法行为的事实、性质、情节以及社会危害程度相当（行政处罚法 第五条）。")
    return "".join(parts)


def _questions(record: DecisionRecord, law: list[LawItem], discretion: str, review: list[str],
               outcome: str, facts: str, statement: str, disputes: list[str], evidence: str) -> list[Question]:
    """3–5 questions with reference answers, composed from redacted texts only."""
    violated = [x for x in law if x.role == "违法依据"]
    penalty = [x for x in law if x.role == "处罚依据"]
    cite = lambda items: "、".join(x.citation for x in items) or "（决定未列明）"  # noqa: E731
    qs = [Question("本案当事人的行为违反了哪些法律规定？认定违法事实的关键证据有哪些？",
                   f"违反了{cite(violated)}。违法事实：{_clip(facts)}"
                   + (f"关键证据：{_clip(evidence.replace(chr(10), '；'))}" if evidence else "")),
          Question("本案的处罚依据和处罚结果是什么？处罚是否在法定种类和幅度之内？",
                   f"处罚依据为{cite(penalty)}；处罚结果：{outcome or '（未记录）'}。应对照处罚依据条文核对种类和幅度。")]
    if record.discretion_band or record.discretion_factors:
        qs.append(Question("本案适用了哪些裁量情节？选择该裁量档次的理由是什么？", discretion))
    if disputes:
        qs.append(Question("本案的争议焦点是什么？行政机关应当如何回应？",
                           "争议焦点：" + "；".join(disputes) + (f"。当事人陈述申辩：{_clip(statement)}" if statement else "")
                           + "。行政机关应当对当事人提出的事实、理由和证据进行复核，成立的应当采纳。"))
    if any(r.outcome != "同意" for r in record.reviews):
        qs.append(Question("法制审核发现了哪些问题？承办机构是如何整改的？", " ".join(review)))
    if record.hearing_held and len(qs) < 5:
        qs.append(Question("本案为什么要举行听证？听证程序有哪些要求？",
                           "拟作出较大数额罚款等较重处罚的，当事人有权要求听证；主持人由非本案调查人员担任，"
                           "决定应当依据听证笔录作出（行政处罚法 第六十三条至第六十五条）。"))
    if len(qs) < 3:
        qs.append(Question("本案决定公示时，哪些信息需要隐去？依据是什么？",
                           "自然人姓名只保留姓氏，身份证件号码、电话号码、住址（县级以下部分）、银行账号等个人信息应当删除；"
                           "依据民法典 第一千零三十四条、个人信息保护法 第二十八条和行政处罚法 第五十条。"))
    return qs[:5]


def _clip(text: str, n: int = 300) -> str:
    text = (text or "").replace("\n", " ").strip()
    return text if len(text) <= n else text[:n] + "……"


def build_teaching_case(record: DecisionRecord, *, statutes=None, policy: RedactionPolicy | None = None,
                        polisher: Polisher | None = None, title: str | None = None) -> TeachingCase:
    """Compose a teaching case (state draft) from a decided case. Refuses minors' cases."""
    policy = policy or RedactionPolicy()
    pv = redact(record, policy)  # raises GateRefused for minors
    redactor = Redactor(policy)
    known = known_people(record, policy)
    red = lambda t: redactor.redact_text(t or "", known)[0]  # noqa: E731
    facts = pv.fields.get("facts", "")
    evidence = pv.fields.get("evidence", "")
    if evidence:
        facts = facts + "\n证据：" + evidence.replace("\n", "；")
    law = resolve_law(record.violated_provisions, "违法依据", statutes, record.decided_on) + \
        resolve_law(record.penalty_provisions, "处罚依据", statutes, record.decided_on)
    disputes = [red(d) for d in record.disputes]
    statement = pv.fields.get("statement", "")
    if not disputes and statement:
        disputes = [f"当事人陈述申辩的理由能否成立（{_clip(statement, 80)}）"]
    discretion = _discretion(record, red)
    review = _review_lines(record, red)
    outcome = pv.fields.get("penalty_text", "")
    if record.outcome:
        outcome += f"（{red(record.outcome)}）"
    if record.reconsideration:
        outcome += f"；行政复议：{red(record.reconsideration)}"
    if record.litigation:
        outcome += f"；行政诉讼：{red(record.litigation)}"
    if polisher is not None:
        facts = polisher("facts", facts)
        discretion = polisher("discretion", discretion)
    questions = _questions(record, law, discretion, review, outcome, pv.fields.get("facts", ""), statement, disputes,
                           pv.fields.get("evidence", ""))
    tc = TeachingCase(
        title=title or f"{(pv.fields.get('case_name') or record.violation_type or '行政处罚').rstrip('案')}案"
                       f"（{record.document_number or record.decision_id}）",
        decision_id=record.decision_id, case_id=record.case_id, agency=record.agency,
        decided_on=record.decided_on.isoformat(), facts=facts, disputes=tuple(disputes), law=tuple(law),
        discretion=discretion, lessons=tuple(_lessons(record, red)), review=tuple(review), outcome=outcome,
        questions=tuple(questions), handlers=tuple(sorted(record.handler_usernames())),
    )
    assert_clean(tc.texts(), record)
    return tc


# ---------------------------------------------------------------------------------------------
# approval (draft → approved)
# ---------------------------------------------------------------------------------------------
def save_teaching_case(session: Session, tc: TeachingCase, *, actor: str) -> TeachingCaseRow:
    row = TeachingCaseRow(decision_id=tc.decision_id, case_id=tc.case_id, title=tc.title, state=DRAFT,
                          content=tc.to_dict(), handlers=list(tc.handlers), created_by=actor)
    session.add(row)
    session.flush()
    log_action(session, case_id=tc.case_id, actor=actor, action="teaching.draft",
               detail={"teaching_case_id": row.id, "decision_id": tc.decision_id})
    return row


def get_teaching_case(session: Session, teaching_id: int) -> TeachingCaseRow:
    row = session.get(TeachingCaseRow, teaching_id)
    if row is None:
        raise NotFoundError(f"没有编号为 {teaching_id} 的教学案例")
    return row


def approve_teaching_case(session: Session, teaching_id: int, *, actor: str, role: str) -> TeachingCaseRow:
    """Release a teaching case. Only a 培训员 or 法制审核人员 approves, and never a handler of the case."""
    row = get_teaching_case(session, teaching_id)
    if role not in APPROVER_ROLES:
        raise PermissionDenied(f"角色“{role}”无权审定教学案例，须由{'或'.join(APPROVER_ROLES)}审定")
    if actor in (row.handlers or []):
        raise PermissionDenied("本案承办人不能审定以本案编写的教学案例（办审分离）")
    if row.state == APPROVED:
        raise InputError(f"教学案例 {teaching_id} 已于 {row.approved_at} 审定")
    row.state, row.approved_by, row.approved_role = APPROVED, actor, role
    row.approved_at = datetime.now().replace(microsecond=0)
    log_action(session, case_id=row.case_id, actor=actor, action="teaching.approve",
               detail={"teaching_case_id": row.id, "role": role})
    return row


def approved_cases(session: Session) -> list[TeachingCase]:
    rows = session.execute(select(TeachingCaseRow).where(TeachingCaseRow.state == APPROVED)
                           .order_by(TeachingCaseRow.id)).scalars()
    return [TeachingCase.from_dict(r.content) for r in rows]


# ---------------------------------------------------------------------------------------------
# .docx
# ---------------------------------------------------------------------------------------------
def _write_case(doc, tc: TeachingCase, *, heading_prefix: str = "") -> None:
    from assistant.documents import gbt9704 as g

    g.add_title(doc, heading_prefix + tc.title)
    g.add_paragraph(doc, f"{tc.agency}　{tc.decided_on}", indent=False)
    sections = [("一、基本案情", [tc.facts]), ("二、争议焦点", list(tc.disputes) or ["本案无明显争议。"])]
    law_lines = []
    for item in tc.law:
        line = f"{item.role}：{item.citation}"
        if item.text:
            line += f"　{item.text}"
        if item.note:
            line += f"（{item.note}）"
        law_lines.append(line)
    sections += [("三、法律适用", law_lines or ["（未记录）"]), ("四、裁量分析", [tc.discretion]),
                 ("五、程序要点", list(tc.lessons) or ["（无）"]), ("六、法制审核意见及整改", list(tc.review) or ["本案未记录法制审核。"]),
                 ("七、处理结果", [tc.outcome or "（未记录）"])]
    for heading, paras in sections:
        g.add_paragraph(doc, heading, bold=True, indent=False)
        for p in paras:
            for line in str(p).split("\n"):
                g.add_paragraph(doc, line)
    g.add_paragraph(doc, "八、讨论题与参考答案", bold=True, indent=False)
    for i, q in enumerate(tc.questions, 1):
        g.add_paragraph(doc, f"{i}. {q.question}", bold=True)
        g.add_paragraph(doc, f"参考答案：{q.answer}")


def export_teaching_docx(tc: TeachingCase, path: Path | str, *, approved: bool = False) -> Path:
    """One teaching case; a draft carries the mark 草稿—待培训员审定 until approved."""
    from assistant.documents import gbt9704 as g

    doc = g.new_document(draft_mark=None if approved else "草稿—待培训员审定")
    _write_case(doc, tc)
    return g.save_atomic(g.to_bytes(doc), path)


def export_course(cases: Iterable[TeachingCase], path: Path | str, *, title: str = "行政执法典型案例教学材料") -> Path:
    """A collection of (approved) teaching cases as one course document."""
    from docx.enum.text import WD_BREAK

    from assistant.documents import gbt9704 as g

    cases = list(cases)
    if not cases:
        raise InputError("课程中没有已审定的教学案例")
    doc = g.new_document(draft_mark=None)
    g.add_title(doc, title)
    g.add_paragraph(doc, "目录", bold=True, indent=False)
    for i, tc in enumerate(cases, 1):
        g.add_paragraph(doc, f"案例{i}　{tc.title}", indent=False)
    for i, tc in enumerate(cases, 1):
        doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        _write_case(doc, tc, heading_prefix=f"案例{i}　")
    return g.save_atomic(g.to_bytes(doc), path)

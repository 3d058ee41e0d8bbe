"""询问笔录 (.docx) from a corrected interview transcript (spec §2; 行政处罚法 第五十五条).

Header: start/end time, place; 询问人 and 记录人 with their 执法证号 (at least two officers,
第四十二条); 被询问人 name, sex, ID number, employer, address, phone and role; ID shown, 回避
explained, the duty 「如实回答询问」. Body: 问：/答： turns. Closing: the read-back line
“以上笔录我看过，与我说的相符。”, signature lines for the interviewee and both officers, and a
signature line in the footer of every page. The audio record id and SHA-256 link the 笔录 to the
recording (视听资料, 第四十六条). Layout via :mod:`assistant.documents.gbt9704`.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from assistant.errors import InputError
from assistant.transcription import ANSWER, QUESTION, Turn

READ_BACK = "以上笔录我看过，与我说的相符。"
DRAFT = "草稿—须经被询问人核对签名"


@dataclass(frozen=True)
class Officer:
    name: str
    credential_no: str  # 执法证号


@dataclass(frozen=True)
class Interviewee:
    name: str
    sex: str
    id_number: str
    employer: str = ""
    address: str = ""
    phone: str = ""
    role: str = "当事人"  # 与本案关系：当事人 / 证人 / 法定代表人 / 委托代理人 …


@dataclass(frozen=True)
class InterviewHeader:
    started_at: datetime
    ended_at: datetime
    place: str
    interviewers: tuple[Officer, ...]  # 询问人
    recorder: Officer  # 记录人
    interviewee: Interviewee
    agency: str = ""
    case_number: str = ""
    cause: str = ""
    id_shown: bool = True
    recusal_explained: bool = True
    recusal_requested: bool = False
    truth_duty_explained: bool = True
    audio_record_id: int | None = None
    audio_sha256: str | None = None
    sequence: int = 1  # 第几次询问

    def validate(self) -> None:
        officers = {o.credential_no for o in (*self.interviewers, self.recorder) if o.credential_no.strip()}
        if not self.interviewers or len(officers) < 2:
            raise InputError("询问笔录须列明至少两名执法人员（询问人、记录人）及其执法证号（行政处罚法 第四十二条）",
                             field="interviewers")
        if self.ended_at < self.started_at:
            raise InputError("询问结束时间早于开始时间", field="ended_at")
        if not self.place.strip():
            raise InputError("询问笔录缺少询问地点", field="place")
        iv = self.interviewee
        missing = [label for label, v in (("姓名", iv.name), ("性别", iv.sex), ("身份证号", iv.id_number)) if not v.strip()]
        if missing:
            raise InputError(f"被询问人信息缺少：{'、'.join(missing)}", field="interviewee")
        if self.audio_sha256 is not None and len(self.audio_sha256) != 64:
            raise InputError("录音 SHA-256 应为 64 位十六进制", field="audio_sha256")


def _t(d: datetime) -> str:
    return f"{d.year}年{d.month}月{d.day}日{d.hour}时{d.minute:02d}分"


def _yes(b: bool) -> str:
    return "是" if b else "否"


def header_lines(h: InterviewHeader) -> list[str]:
    iv = h.interviewee
    same_day = h.started_at.date() == h.ended_at.date()
    end = f"{h.ended_at.hour}时{h.ended_at.minute:02d}分" if same_day else _t(h.ended_at)
    officers = "、".join(f"{o.name}（执法证号：{o.credential_no}）" for o in h.interviewers)
    lines = [
        f"询问时间：{_t(h.started_at)}至{end}",
        f"询问地点：{h.place}",
        f"询问人：{officers}",
        f"记录人：{h.recorder.name}（执法证号：{h.recorder.credential_no}）",
        f"被询问人：{iv.name}　性别：{iv.sex}　身份证号：{iv.id_number}",
        f"工作单位：{iv.employer or '无'}　与本案关系：{iv.role}",
        f"住址：{iv.address or '—'}　联系电话：{iv.phone or '—'}",
    ]
    if h.case_number or h.cause:
        lines.insert(0, f"案件编号：{h.case_number or '（立案前）'}　案由：{h.cause or '—'}")
    names = "、".join(o.name for o in (*h.interviewers, h.recorder))
    lines += [
        f"执法人员{names}已向被询问人出示执法证件：{_yes(h.id_shown)}",
        f"已告知被询问人有申请执法人员回避的权利：{_yes(h.recusal_explained)}；"
        f"被询问人是否申请回避：{_yes(h.recusal_requested)}",
        f"已告知被询问人应当如实回答询问，并协助调查或者检查：{_yes(h.truth_duty_explained)}",
    ]
    if h.audio_record_id is not None:
        lines.append(f"同步录音：记录编号 {h.audio_record_id}，SHA-256 {h.audio_sha256 or '—'}")
    return lines


def build_interview_record(header: InterviewHeader, turns: Sequence[Turn]) -> bytes:
    """Return the .docx bytes (write with ``gbt9704.save_atomic``)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    from assistant.documents import gbt9704 as g

    header.validate()
    turns = [t for t in turns if t.text.strip()]
    if not turns:
        raise InputError("询问笔录没有问答内容", field="turns")
    doc = g.new_document(draft_mark=DRAFT)
    g.add_title(doc, "询问笔录")
    if header.agency:
        g.add_paragraph(doc, f"{header.agency}　第{header.sequence}次询问", indent=False,
                        align=WD_ALIGN_PARAGRAPH.CENTER)
    g.add_blank(doc)
    for line in header_lines(header):
        g.add_paragraph(doc, line, indent=False)
    g.add_blank(doc)
    for t in turns:
        label = "问" if t.speaker == QUESTION else "答" if t.speaker == ANSWER else t.speaker
        g.add_paragraph(doc, f"{label}：{t.text.strip()}", indent=False)
    g.add_blank(doc)
    g.add_paragraph(doc, f"被询问人核对意见：{READ_BACK}", indent=False)
    g.add_paragraph(doc, "被询问人（签名并捺指印）：　　　　　　　　　年　　月　　日", indent=False)
    officers = "、".join(o.name for o in header.interviewers)
    g.add_paragraph(doc, f"询问人（签名）：{officers}　　　　　　　年　　月　　日", indent=False)
    g.add_paragraph(doc, f"记录人（签名）：{header.recorder.name}　　　　　　　年　　月　　日", indent=False)
    g.add_paragraph(doc, "（被询问人拒绝签名的，由执法人员在笔录上注明情况。笔录修改处由被询问人捺指印确认。）",
                    indent=False)
    _page_signature(doc, g)
    return g.to_bytes(doc)


def _page_signature(doc, g) -> None:
    """A signature line at the foot of every page (odd and even footers, above the page number)."""
    for section in doc.sections:
        for footer in (section.footer, section.even_page_footer):
            p = footer.paragraphs[0].insert_paragraph_before()
            g.set_run_font(p.add_run("被询问人签名（捺指印）：　　　　　　　　执法人员签名：　　　　　　　　"),
                           g.BODY_FONT, g.PAGE_NO_SIZE)


def write_interview_record(header: InterviewHeader, turns: Sequence[Turn], path: Path | str) -> Path:
    from assistant.documents import gbt9704 as g

    return g.save_atomic(build_interview_record(header, turns), path)

"""询问笔录 .docx from the corrected transcript: header fields of spec §2, 问：/答： turns, the
read-back line, signature lines (also in every page footer) and the link to the audio record."""
from __future__ import annotations

from datetime import datetime

import pytest
from docx import Document

from assistant.documents.gbt9704 import docx_text
from assistant.documents.interview_record import (READ_BACK, InterviewHeader, Interviewee, Officer,
                                                  write_interview_record)
from assistant.errors import InputError
from assistant.transcription import EditableTranscript, Segment, Transcript

SHA = "ab" * 32


def header(**over) -> InterviewHeader:
    base = dict(started_at=datetime(2024, 5, 1, 9, 30), ended_at=datetime(2024, 5, 1, 10, 15),
                place="甲区市场监管局询问室", interviewers=(Officer("张承办", "甲市监0001"),),
                recorder=Officer("李承办", "甲市监0002"),
                interviewee=Interviewee("王五", "男", "110101199003077777", "某某食品店", "甲区幸福路1号",
                                        "13800000000", "当事人"),
                agency="甲区市场监督管理局", case_number="甲市监立〔2024〕12号", cause="无证经营",
                audio_record_id=42, audio_sha256=SHA)
    base.update(over)
    return InterviewHeader(**base)


def turns():
    t = Transcript((Segment(0, 2, "你叫什么名字？"), Segment(2.5, 3.5, "王五"),
                    Segment(4, 6, "你的营业执照办了吗？"), Segment(6.2, 7, "还没办")), 7.0, "test")
    et = EditableTranscript(t)
    et.edit_text(3, "还没有办理营业执照。", actor="li")
    return et.turns


def test_docx_has_header_fields_turns_read_back_and_audio_link(tmp_path):
    path = write_interview_record(header(), turns(), tmp_path / "询问笔录.docx")
    text = docx_text(path)
    for needle in ("询问笔录", "询问时间：2024年5月1日9时30分至10时15分", "询问地点：甲区市场监管局询问室",
                   "询问人：张承办（执法证号：甲市监0001）", "记录人：李承办（执法证号：甲市监0002）",
                   "被询问人：王五", "性别：男", "身份证号：110101199003077777", "工作单位：某某食品店",
                   "住址：甲区幸福路1号", "联系电话：13800000000", "与本案关系：当事人",
                   "出示执法证件：是", "回避的权利：是", "如实回答询问", "问：你叫什么名字？", "答：王五",
                   "答：还没有办理营业执照。", READ_BACK, "被询问人（签名并捺指印）", "询问人（签名）：张承办",
                   "记录人（签名）：李承办", f"记录编号 42，SHA-256 {SHA}"):
        assert needle in text, needle
    doc = Document(str(path))
    sec = doc.sections[0]
    assert round(sec.page_width.mm) == 210 and round(sec.page_height.mm) == 297
    footers = " ".join(p.text for f in (sec.footer, sec.even_page_footer) for p in f.paragraphs)
    assert footers.count("被询问人签名（捺指印）") == 2
    assert text.index("问：你叫什么名字？") < text.index(READ_BACK)


@pytest.mark.parametrize("over,words", [
    ({"recorder": Officer("张承办", "甲市监0001")}, "至少两名"),
    ({"ended_at": datetime(2024, 5, 1, 9, 0)}, "结束时间"),
    ({"interviewee": Interviewee("王五", "", "")}, "性别、身份证号"),
])
def test_incomplete_header_is_refused(tmp_path, over, words):
    with pytest.raises(InputError, match=words):
        write_interview_record(header(**over), turns(), tmp_path / "x.docx")
    assert not (tmp_path / "x.docx").exists()

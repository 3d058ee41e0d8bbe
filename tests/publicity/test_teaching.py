"""Teaching cases: redacted, law text from the statute store, questions, approval rules."""
from __future__ import annotations

from dataclasses import replace

import pytest

from assistant.documents.gbt9704 import docx_text
from assistant.errors import GateRefused, InputError, PermissionDenied
from assistant.publicity import Party
from assistant.redaction import personal_identifiers
from assistant.teaching import (approve_teaching_case, approved_cases, build_teaching_case, export_course,
                                export_teaching_docx, save_teaching_case)


@pytest.fixture(scope="module")
def statutes(statute_store):
    return statute_store


@pytest.mark.slow  # builds the full statute store once per run
def test_teaching_case_is_redacted_and_complete(person_decision, statutes):
    tc = build_teaching_case(person_decision, statutes=statutes)
    blob = "\n".join(tc.texts())
    for ident in personal_identifiers(person_decision):
        assert ident not in blob, ident
    assert "张某某" in tc.facts
    assert 3 <= len(tc.questions) <= 5 and all(q.answer for q in tc.questions)
    law = {x.role: x for x in tc.law}
    assert law["处罚依据"].citation.startswith("《中华人民共和国食品安全法》第一百二十四条")
    assert "罚款" in law["处罚依据"].text  # article text resolved from the statute store
    assert tc.disputes == ("当事人是否明知食品超过保质期",)
    assert any("第1轮审核：存在问题" in r and "证人某某的证言未签名" in r for r in tc.review)
    assert any("听证" in l for l in tc.lessons)
    assert "一般" in tc.discretion and "初次违法" in tc.discretion


def test_minors_cases_are_refused(person_decision):
    minor = replace(person_decision, party=Party(kind="natural_person", name="王小二", minor=True))
    with pytest.raises(GateRefused):
        build_teaching_case(minor)


@pytest.mark.slow
def test_docx_has_questions_and_draft_mark(person_decision, statutes, tmp_path):
    tc = build_teaching_case(person_decision, statutes=statutes)
    path = export_teaching_docx(tc, tmp_path / "case.docx")
    text = docx_text(path, with_headers=True)
    assert "讨论题与参考答案" in text and "参考答案：" in text and "草稿—待培训员审定" in text
    assert "张三丰" not in text and "44070319850312451X" not in text


def test_approval_rules(session, person_decision, make_company_decision, tmp_path):
    tc = build_teaching_case(person_decision)  # without the statute store: citations flagged for checking
    assert all("人工核对" in x.note for x in tc.law)
    row = save_teaching_case(session, tc, actor="trainer1")
    assert row.state == "draft" and approved_cases(session) == []
    with pytest.raises(PermissionDenied, match="无权"):
        approve_teaching_case(session, row.id, actor="head1", role="机关负责人")
    with pytest.raises(PermissionDenied, match="承办人"):
        approve_teaching_case(session, row.id, actor="liming", role="法制审核人员")  # handled the case
    approve_teaching_case(session, row.id, actor="trainer2", role="培训员")
    assert row.state == "approved" and row.approved_role == "培训员"
    with pytest.raises(InputError):
        approve_teaching_case(session, row.id, actor="trainer2", role="培训员")
    second = save_teaching_case(session, build_teaching_case(make_company_decision()), actor="trainer1")
    approve_teaching_case(session, second.id, actor="rev1", role="法制审核人员")
    course = export_course(approved_cases(session), tmp_path / "course.docx")
    text = docx_text(course)
    assert "案例1" in text and "案例2" in text and text.count("讨论题与参考答案") == 2


def test_empty_course_is_refused(tmp_path):
    with pytest.raises(InputError):
        export_course([], tmp_path / "c.docx")

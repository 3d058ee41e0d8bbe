"""No personal identifier reaches any public output (CSV, JSON, .docx, HTML)."""
from __future__ import annotations

import csv
import json

import pytest

from assistant.documents.gbt9704 import docx_text
from assistant.publicity import (SHUANG_GONGSHI_FIELDS, approve, export_csv, export_docx, export_html, export_json,
                                 preview, published, render_html)
from assistant.redaction import personal_identifiers, redact


@pytest.fixture
def outputs(tmp_path, session, person_decision, firm_decision):
    for rec in (person_decision, firm_decision):
        preview(session, rec, actor="liming")
        approve(session, rec.decision_id, actor="head1")
    rows = published(session)
    paths = {
        "csv": export_csv(rows, tmp_path / "sgs.csv"),
        "json": export_json(rows, tmp_path / "sgs.json"),
        "docx": export_docx(rows[0], tmp_path / "person.docx"),
        "html": export_html(rows[0], tmp_path / "person.html"),
        "docx2": export_docx(rows[1], tmp_path / "firm.docx"),
    }
    return paths


def _text(path):
    return docx_text(path) if path.suffix == ".docx" else path.read_text(encoding="utf-8-sig")


@pytest.mark.parametrize("kind", ["csv", "json", "docx", "html", "docx2"])
def test_no_identifier_in_any_public_output(outputs, person_decision, firm_decision, kind):
    text = _text(outputs[kind])
    secrets = personal_identifiers(person_decision) + personal_identifiers(firm_decision)
    secrets += ["欧阳娜娜", "0750-3888888", "建设路12号", "13800138000", "6222021234567890123", "D12345", "3201234"]
    for s in secrets:
        assert s not in text, (kind, s)


def test_csv_has_the_shuang_gongshi_fields_in_utf8_sig(outputs):
    raw = outputs["csv"].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel opens Chinese CSV correctly
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert list(rows[0]) == [label for label, _ in SHUANG_GONGSHI_FIELDS]
    person, firm = rows
    assert person["违法企业名称或违法自然人姓名"] == "张某某" and person["统一社会信用代码"] == ""
    assert person["行政处罚决定书文号"] == "江蓬市监罚〔2026〕3号"
    assert firm["违法企业名称或违法自然人姓名"] == "江门市鑫源食品有限公司"
    assert firm["统一社会信用代码"] == "91440703MA4UQ8XX2B" and firm["法定代表人"] == "欧阳某某"
    assert "《食品安全法》第一百二十五条第二款" in firm["处罚依据"]
    assert firm["处罚机关"] == "江门市蓬江区市场监督管理局" and firm["处罚决定日期"] == "2026-09-29"


def test_json_round_trips(outputs):
    data = json.loads(outputs["json"].read_text(encoding="utf-8"))
    assert len(data) == 2 and data[1]["处罚种类"] == "罚款"


def test_docx_full_text_public_version(outputs):
    text = docx_text(outputs["docx"])
    assert "行政处罚决定书（公开版）" in text and "江蓬市监罚〔2026〕3号" in text
    assert "当事人：张某某" in text and "广东省江门市蓬江区" in text
    assert "《中华人民共和国食品安全法》第一百二十四条第一款" in text


def test_html_escapes_everything(firm_decision):
    from dataclasses import replace

    rec = replace(firm_decision, facts="当事人在标签上印有<script>alert('x')</script>字样 & “特供”。")
    html = render_html(redact(rec))
    assert "<script>" not in html and "&lt;script&gt;" in html and "&amp;" in html
    assert html.startswith("<!DOCTYPE html>") and 'charset="utf-8"' in html

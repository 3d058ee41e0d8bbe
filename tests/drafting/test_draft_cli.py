"""``zhifa draft CONTEXT.json --doc … --out FILE.docx`` writes a draft and reports findings."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from assistant.cli import main
from assistant.documents import missing_items_59
from assistant.documents.gbt9704 import docx_text

DATA = Path(__file__).parent / "data" / "decision_context.json"


@pytest.fixture
def env(monkeypatch, tmp_path, statute_store):
    monkeypatch.setenv("ZHIFA_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ZHIFA_STATUTE_DB", str(statute_store.path))
    monkeypatch.setenv("ZHIFA_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.delenv("ZHIFA_LLM_BACKEND", raising=False)
    return tmp_path


def test_cli_drafts_a_decision(env, capsys):
    out = env / "out" / "决定书.docx"
    assert main(["draft", str(DATA), "--doc", "决定书", "--out", str(out)]) == 0
    assert missing_items_59(docx_text(out.read_bytes())) == []
    assert "可以提交法制审核" in capsys.readouterr().out


def test_cli_json_and_strict(env, capsys, tmp_path):
    data = json.loads(DATA.read_text(encoding="utf-8"))
    data["discretion"]["band"] = [20000, 50000]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    rc = main(["draft", str(bad), "--doc", "决定书", "--out", str(tmp_path / "d.docx"), "--json", "--strict"])
    assert rc == 1
    report = json.loads(capsys.readouterr().out)
    assert report["can_submit"] is False
    assert any("超出所选档次 10–30 万元" in f["message"] or "超出所选档次" in f["message"] for f in report["findings"])


def test_cli_bad_input_is_a_chinese_message(env, capsys, tmp_path):
    missing = tmp_path / "nope.json"
    assert main(["draft", str(missing), "--doc", "决定书", "--out", str(tmp_path / "x.docx")]) == 2
    assert "找不到案件信息文件" in capsys.readouterr().err
    assert not (tmp_path / "x.docx").exists()


@pytest.mark.slow
def test_decision_renders_to_pdf(env, tmp_path):
    """Converts with LibreOffice and rasterises the pages (into $ZHIFA_SHOTS_DIR if set, to look at)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.fail("LibreOffice is required (make sysdeps)")
    docx = tmp_path / "decision.docx"
    assert main(["draft", str(DATA), "--doc", "决定书", "--out", str(docx)]) == 0
    profile = tmp_path / "lo-profile"
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(docx)], check=True, capture_output=True, timeout=240)
    pdf = tmp_path / "decision.pdf"
    assert pdf.exists() and pdf.stat().st_size > 5000
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "行政处罚决定书" in text and "草稿—须经法制审核" in text
    assert re.search(r"—\s*1\s*—", text)  # page number field rendered
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "595.3" in info and "841.8" in info  # A4 in points
    shots = Path(os.environ.get("ZHIFA_SHOTS_DIR") or tmp_path / "shots")
    shots.mkdir(exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "70", str(pdf), str(shots / "decision")],
                   check=True, timeout=60)
    assert list(shots.glob("decision*.png"))


def test_verify_citations_reads_a_generated_decision_docx(env, capsys):
    """``zhifa verify-citations 决定书.docx``: paragraphs and table cells are checked; a broken file is a
    Chinese error, not a traceback."""
    from docx import Document

    out = env / "决定书.docx"
    assert main(["draft", str(DATA), "--doc", "决定书", "--out", str(out)]) in (0, 1)
    capsys.readouterr()
    assert main(["verify-citations", str(out), "--as-of", "2025-09-01", "--json"]) == 0  # violation date
    checks = json.loads(capsys.readouterr().out)
    assert checks and all(c["ok"] for c in checks)
    assert any("大气污染防治法" in c["citation"]["text"] for c in checks)

    # a citation only in a table cell is found, and a wrong one fails the check
    doc = Document(str(out))
    doc.add_table(rows=1, cols=1).cell(0, 0).text = "依据《中华人民共和国大气污染防治法》第九百条"
    doc.save(str(out))
    assert main(["verify-citations", str(out), "--as-of", "2025-09-01", "--json"]) == 1
    bad = [c for c in json.loads(capsys.readouterr().out) if not c["ok"]]
    assert [c["reason"] for c in bad] == ["article_not_found"]

    broken = env / "坏文件.docx"
    broken.write_bytes(b"not a zip at all")
    assert main(["verify-citations", str(broken)]) == 2
    err = capsys.readouterr().err
    assert "无法读取 Word 文件" in err and "Traceback" not in err
    assert main(["verify-citations", str(env / "不存在.docx")]) == 2
    assert "文件不存在" in capsys.readouterr().err

"""A generated 决定书 rendered by LibreOffice (``soffice --headless --convert-to pdf``, Debian
libreoffice-writer-nogui) is an A4 official document: title, 文号, the 第五十九条 remedy text and
"— N —" page numbers survive the conversion. The first page is rendered to
``test-artifacts/decision-page1.png`` (gitignored) for a human look.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from assistant.cli import main

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
DATA = Path(__file__).parent / "data" / "decision_context.json"
ARTIFACTS = REPO / "test-artifacts"
TOOLS = ("soffice", "pdftotext", "pdfinfo", "pdftoppm")


@pytest.fixture(scope="module")
def tools() -> dict[str, str]:
    found = {t: shutil.which(t) for t in TOOLS}
    missing = [t for t, p in found.items() if p is None]
    if missing:
        pytest.skip(f"未安装 {'、'.join(missing)}（scripts/sysdeps.sh 安装 libreoffice-writer-nogui 和 poppler-utils）")
    return found


def _run(argv: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, timeout=240, check=True, **kw)


def test_decision_renders_as_an_a4_official_document(tools, tmp_path, monkeypatch, statute_store, capsys):
    monkeypatch.setenv("ZHIFA_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ZHIFA_STATUTE_DB", str(statute_store.path))
    monkeypatch.setenv("ZHIFA_LLM_BACKEND", "none")
    out = tmp_path / "决定书.docx"
    assert main(["draft", str(DATA), "--doc", "决定书", "--out", str(out), "--no-llm"]) == 0
    capsys.readouterr()

    # a private LibreOffice profile: concurrent conversions must not share (and lock) one
    profile = (tmp_path / "lo-profile").as_uri()
    _run([tools["soffice"], f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
          "--outdir", str(tmp_path), str(out)])
    pdf = tmp_path / "决定书.pdf"
    assert pdf.exists() and pdf.stat().st_size > 0

    info = _run([tools["pdfinfo"], str(pdf)]).stdout
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert size and abs(float(size.group(1)) - 595.3) < 1 and abs(float(size.group(2)) - 841.9) < 1, info
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages >= 2

    text = _run([tools["pdftotext"], "-layout", str(pdf), "-"]).stdout
    flat = re.sub(r"\s+", "", text)
    assert "行政处罚决定书" in flat and "江门市生态环境局" in flat
    assert "江环罚〔2025〕18号" in flat
    # 第五十九条第（五）项: 复议/诉讼的途径和期限 (current periods: 六十日 / 六个月), and 第（四）项 履行期限
    assert "六十日内向江门市人民政府申请行政复议" in flat and "六个月内向江门市蓬江区人民法院提起行政诉讼" in flat
    assert "十五日内" in flat
    for n in range(1, pages + 1):
        assert re.search(rf"—\s*{n}\s*—", text), f"第 {n} 页页码缺失"
    assert "草稿" in flat  # not yet approved: the draft mark is printed in the header

    ARTIFACTS.mkdir(exist_ok=True)
    _run([tools["pdftoppm"], "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf),
          str(ARTIFACTS / "decision-page1")])
    png = ARTIFACTS / "decision-page1.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

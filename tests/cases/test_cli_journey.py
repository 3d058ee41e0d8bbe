"""From 立案 to an issued, served 决定书 — only through the ``zhifa`` command line, on a fresh home.

The journey (the same commands as README「从立案到决定（命令行）」):

    demo seed → case create (party, violation, facts) → evidence ×2 → advance 调查取证 → recommend →
    draft 告知书 → advance 事先告知 → 陈述申辩 + 放弃陈述申辩 → draft 决定书 → review submit → review check →
    reviewer returns (存在问题) → officer revises (new evidence, new draft) → resubmit → reviewer approves →
    机关负责人 decides (decision number) → final 决定书 → 送达 → similar + chart → precedent list

and the refusals along the way, each naming its article: skipping a gate, a handler reviewing his own
case, a non-reviewer marking the review passed, a handler issuing the decision, and issuing before the
review passed. The state is a real SQLite file under a temporary ZHIFA_HOME; the statute store is
the real one.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import docx
import pytest

from assistant.cli import main
from assistant.demo import credit_code

pytestmark = pytest.mark.slow

ZHIFA = Path(sys.executable).with_name("zhifa")
PARTY = "示范市好邻居超市有限公司"
CREDIT = credit_code("91440703MA4W00003")
VIOLATED = "《中华人民共和国食品安全法》第三十四条第（十）项"
PENALTY = "《中华人民共和国食品安全法》第一百二十四条第一款第（五）项"


@pytest.fixture
def env(tmp_path, monkeypatch, statute_store) -> dict:
    values = {"ZHIFA_HOME": str(tmp_path / "home"), "ZHIFA_STATUTE_DB": str(statute_store.path),
              "ZHIFA_LOG_LEVEL": "ERROR", "ZHIFA_PASSWORD": "zhifa-demo-2026"}  # README: export ZHIFA_PASSWORD=…
    for key in ("ZHIFA_DATABASE_URL", "ZHIFA_CONFIG", "ZHIFA_LLM_BACKEND", "ZHIFA_DEMO_PASSWORD"):
        monkeypatch.delenv(key, raising=False)
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return values


class Cli:
    def __init__(self, capsys) -> None:
        self.capsys = capsys

    def __call__(self, *argv, code: int = 0) -> str:
        got = main([str(a) for a in argv])
        out = self.capsys.readouterr()
        assert "Traceback" not in out.err
        assert got == code, f"zhifa {' '.join(map(str, argv))} → {got}\n{out.out}\n{out.err}"
        return out.out if code == 0 else out.err

    def json(self, *argv):
        return json.loads(self(*argv, "--json"))


def _docx_text(path: Path) -> str:
    d = docx.Document(str(path))
    return "\n".join(p.text for p in d.paragraphs)


def test_case_from_filing_to_served_decision_through_the_cli(env, capsys, tmp_path):
    from assistant.documents.checks import missing_items_59

    # the installed console script itself, on the same home (fresh database, migrated on first use)
    seeded = subprocess.run([str(ZHIFA), "demo", "seed"], env={**os.environ, **env}, capture_output=True,
                            text=True, timeout=300)
    assert seeded.returncode == 0, seeded.stderr
    assert "演示机关与账号已建立" in seeded.stdout

    zhifa = Cli(capsys)
    today = date.today()
    violated_on, filed_on, notified_on = today - timedelta(days=19), today - timedelta(days=16), today - timedelta(days=13)

    # 立案 with party, violation and facts; article ids resolved as of the violation date
    view = zhifa.json("case", "create", "--agency", "示市监", "--cause", "销售超过保质期的食品",
                      "--party-name", PARTY, "--credit-code", CREDIT, "--address", "示范市示范区示范路8号",
                      "--legal-representative", "张某", "--handlers", "officer1,officer2", "--source", "日常检查",
                      "--violation-date", violated_on, "--filed-on", filed_on,
                      "--facts", "当事人在其经营场所销售超过保质期的袋装面包20袋，货值金额200元，违法所得80元。",
                      "--violated", VIOLATED, "--penalty-basis", PENALTY, "--benchmark-ref", "SJ-001",
                      "--quantity", "货值金额=200", "--quantity", "违法所得=80")
    case_id = str(view["id"])
    assert view["state"] == "立案" and view["case_number"].startswith("示市监立〔")
    assert view["violations"][0]["benchmark_ref"] == "SJ-001"

    # a gate cannot be skipped: 立案 → 事先告知 is refused with the article
    err = zhifa("case", "advance", case_id, "事先告知", "--actor", "officer1", "--fine", "60000", code=2)
    assert "不能从“立案”直接进入“事先告知”" in err and "第五十四条至第六十二条" in err

    zhifa("case", "evidence", case_id, "--actor", "officer1", "--type", "现场笔录", "--title", "现场检查笔录")
    zhifa("case", "evidence", case_id, "--actor", "officer2", "--type", "书证", "--title", "进货及销售记录")
    assert "环节：调查取证" in zhifa("case", "advance", case_id, "调查取证", "--actor", "officer1",
                                   "--today", filed_on + timedelta(days=1))

    # 裁量建议 from the case itself (deterministic; the demo benchmark SJ-001)
    rec = zhifa.json("discretion", "recommend", case_id, "--actor", "officer1")  # saved with the case
    assert rec["outcome"] == "penalty" and rec["band"]["level"] == "一般"
    assert 50000 <= rec["proposed"] <= 70000
    fine = f"{rec['proposed']:.0f}"

    notice_docx = tmp_path / "告知书.docx"
    zhifa("draft", case_id, "--doc", "告知书", "--out", notice_docx, "--fine", fine)
    assert "行政处罚事先告知书" in _docx_text(notice_docx)

    view = zhifa.json("case", "advance", case_id, "事先告知", "--actor", "officer1", "--today", notified_on,
                      "--served-on", notified_on, "--types", "罚款,没收违法所得,责令改正", "--fine", fine,
                      "--confiscation", "80", "--band", "一般", "--facts", "当事人销售超过保质期的袋装面包20袋",
                      "--reasons", f"违反{VIOLATED}", "--basis", PENALTY)
    assert view["state"] == "事先告知" and view["notice"]["number"].startswith("示市监告〔")
    # the demo agency reviews every ordinary-procedure decision ([000][004])
    assert view["flags"]["review_required"]

    zhifa("case", "advance", case_id, "陈述申辩", "--actor", "officer1", "--today", notified_on + timedelta(days=1))
    assert "已登记" in zhifa("case", "statement", case_id, "放弃陈述申辩", "--actor", "officer1",
                            "--on", notified_on + timedelta(days=1), "--content", "当事人书面放弃陈述、申辩")

    draft1 = tmp_path / "决定书-第1稿.docx"
    zhifa("draft", case_id, "--doc", "决定书", "--out", draft1)
    out = zhifa("review", "submit", case_id, "--actor", "officer1", "--draft", draft1,
                "--materials", "现场检查笔录,进货及销售记录,放弃陈述申辩书")
    assert "第1轮" in out
    check = zhifa.json("review", "check", draft1)
    assert check["ok"], check["findings"]

    # separation of duties and the 第五十八条 gate
    err = zhifa("case", "advance", case_id, "决定", "--actor", "head1", code=2)
    assert "未经法制审核或者审核未通过的，不得作出决定" in err and "第五十八条" in err
    err = zhifa("review", "decide", case_id, "--reviewer", "officer2", "--outcome", "同意", "--opinion", "同意", code=2)
    assert "承办人不能审核自己承办的案件" in err and "第五十八条" in err
    err = zhifa("case", "review", case_id, "--reviewer", "head1", "--result", "通过", code=2)
    assert "不是法制审核人员" in err and "第五十八条" in err

    # the reviewer sends it back with an opinion
    assert "存在问题" in zhifa("review", "decide", case_id, "--reviewer", "reviewer1", "--outcome", "存在问题",
                             "--opinion", "证据部分未列明进货查验记录，请补充后重新送审",
                             "--item", "证据合法充分=存在问题:补充进货查验记录")
    err = zhifa("case", "advance", case_id, "决定", "--actor", "head1", code=2)
    assert "第五十八条" in err

    # the officer revises: new evidence, a new draft, a new version (round 2)
    zhifa("case", "evidence", case_id, "--actor", "officer1", "--type", "书证", "--title", "进货查验记录")
    draft2 = tmp_path / "决定书-第2稿.docx"
    zhifa("draft", case_id, "--doc", "决定书", "--out", draft2)
    assert "进货查验记录" in _docx_text(draft2) and "进货查验记录" not in _docx_text(draft1)
    second = zhifa.json("review", "submit", case_id, "--actor", "officer1", "--draft", draft2,
                        "--materials", "现场检查笔录,进货及销售记录,进货查验记录")
    assert second["round_no"] == 2 and second["case_id"] == int(case_id)

    zhifa("review", "decide", case_id, "--reviewer", "reviewer1", "--outcome", "同意",
          "--opinion", "事实清楚，证据确凿，定性准确，处罚适当，程序合法，同意处罚意见")
    opinion = tmp_path / "审核意见书.docx"
    zhifa("review", "opinion", case_id, "--round", "2", "--out", opinion)
    assert opinion.stat().st_size > 0

    # only the 机关负责人 (not a handler) decides; the decision equals the notice (第四十五条)
    err = zhifa("case", "advance", case_id, "决定", "--actor", "officer1", code=2)
    assert "机关负责人" in err and "第五十七条" in err
    view = zhifa.json("case", "advance", case_id, "决定", "--actor", "head1")
    assert view["state"] == "决定" and view["decision_number"].startswith("示市监罚〔")
    assert view["decision"]["fine"] == float(fine) and view["decision"]["confiscation"] == 80

    final = tmp_path / "决定书.docx"
    zhifa("draft", case_id, "--doc", "决定书", "--out", final)
    text = _docx_text(final)
    assert view["decision_number"] in text and PARTY in text and "草稿" not in text
    assert missing_items_59(text) == []
    for item in ("统一社会信用代码", "经查", "上述事实，有以下证据证明", VIOLATED.replace("第（十）项", ""), "十五日内",
                 "六十日内", "六个月内", "示范市市场监督管理局（演示）", "印章"):
        assert item in text, item
    check = zhifa.json("review", "check", final)
    assert check["ok"] and check["summary"]["文书规范齐备"] == "pass", check["findings"]
    text_file = tmp_path / "决定书.txt"
    text_file.write_text(text, encoding="utf-8")
    citations = zhifa.json("verify-citations", text_file, "--as-of", violated_on)
    assert citations and all(c["ok"] for c in citations), citations

    view = zhifa.json("case", "advance", case_id, "送达", "--actor", "officer1", "--served-on", today,
                      "--method", "直接送达")
    assert view["state"] == "送达"

    # similar cases, explained, with the fine-distribution chart
    chart = tmp_path / "分布图.png"
    similar = zhifa.json("similar", case_id, "--chart", chart)
    assert similar["similar"] and all(s["reasons"] for s in similar["similar"])
    assert any("违反同一条款" in r for s in similar["similar"] for r in s["reasons"])
    assert similar["peers"]["count"] >= 1 and similar["chart"] == str(chart)
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    # every decided case becomes a precedent, and is found for the next similar case
    precedents = zhifa.json("precedent", "list")
    mine = [p for p in precedents if p["case_id"] == int(case_id)]
    assert mine and mine[0]["source"] == "case" and mine[0]["document_no"] == view["decision_number"]
    others = zhifa.json("similar", "1")
    assert view["decision_number"] in [s["document_no"] for s in others["similar"]]


@pytest.mark.parametrize("extra, message", [
    (["--facts", "销售过期食品", "--quantity", "货值金额=abc"], "名称=非负数值"),
    (["--facts", "销售过期食品", "--quantity", "货值金额"], "名称=非负数值"),
    (["--facts", "销售过期食品", "--quantity", "货值金额=-5"], "名称=非负数值"),
    (["--facts", "销售过期食品", "--quantity", "货值金额=nan"], "名称=非负数值"),
    (["--quantity", "货值金额=180"], "须同时给出 --facts"),
    (["--violated", VIOLATED], "须同时给出 --facts"),
])
def test_case_create_refuses_bad_violation_input_and_writes_nothing(env, capsys, extra, message):
    cli = Cli(capsys)
    cli("demo", "seed")
    before = cli("case", "list")
    err = cli("case", "create", "--agency", "示市监", "--cause", "销售过期食品案", "--party-name", "某食品店",
              "--handlers", "officer1,officer2", *extra, code=2)
    assert message in err
    assert cli("case", "list") == before

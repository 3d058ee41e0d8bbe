"""``zhifa discretion import / list / recommend`` on a temporary home."""
from __future__ import annotations

import json

from assistant.cli import build_parser


def run(argv, settings, capsys):
    args = build_parser().parse_args(argv)
    code = args.func(args, settings)
    return code, capsys.readouterr().out


def test_import_list_recommend(settings, tmp_path, capsys):
    from corpus.benchmarks import DEMO_FILE

    code, out = run(["discretion", "import", str(DEMO_FILE), "--json"], settings, capsys)
    assert code == 0 and json.loads(out)["violations"] == 5
    code, out = run(["discretion", "list"], settings, capsys)
    assert "共 5 项" in out and "DEMO" in out
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps({"violation_code": "JG-001", "party_type": "legal_person",
                                 "violation_date": "2025-03-01", "decision_date": "2025-04-01",
                                 "quantities": {"个数": 20, "违法所得": 800}, "proposed_amount": 4500},
                                ensure_ascii=False), encoding="utf-8")
    code, out = run(["discretion", "recommend", str(facts), "--json"], settings, capsys)
    data = json.loads(out)
    assert data["outcome"] == "penalty" and data["band"]["level"] == "一般" and data["proposed"] == 2000
    assert [f["code"] for f in data["findings"]] == ["outside_band"]
    code, out = run(["discretion", "recommend", str(facts)], settings, capsys)
    assert "建议罚款：2,000.00元" in out and "没收违法所得800元" in out


def test_bad_facts_file(settings, tmp_path):
    import pytest

    from assistant.errors import InputError

    facts = tmp_path / "facts.json"
    facts.write_text('{"violation_code": "JG-001", "violation_date": "2025/03/01"}', encoding="utf-8")
    args = build_parser().parse_args(["discretion", "recommend", str(facts)])
    with pytest.raises(InputError, match="violation_date"):
        args.func(args, settings)

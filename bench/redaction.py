"""Redaction benchmark: recall of personal data and false-mask rate on ``bench/redaction_set.jsonl``.

    .venv/bin/python bench/redaction.py [--set bench/redaction_set.jsonl] [--json] [--show-misses]

Each line of the set: ``text``, annotated ``spans`` (start, end, category, role, text), the
party's names known from the structured data (``known_party``) and the officers (``officers``).
Two runs: "with structured data" (how the product runs: party names and officers are known) and
"patterns only" (no known names; a lower bound for free text from unknown sources).

- recall: an annotated span counts as found when every character of it is removed or replaced —
  except the surname of a masked name, which is kept by design (张三 → 张某).
- false-mask rate: replaced characters outside every annotated span / all non-PII characters;
  also reported as false spans / all replaced spans.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

from assistant.redaction import KnownPeople, Redactor, _surname_len, load_rules

DEFAULT_SET = Path(__file__).resolve().parent / "redaction_set.jsonl"


def load_set(path: Path | str = DEFAULT_SET) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def evaluate(rows: list[dict], *, use_known: bool = True, redactor: Redactor | None = None) -> dict:
    redactor = redactor or Redactor()
    rules = load_rules()
    found = defaultdict(int)
    total = defaultdict(int)
    misses: list[dict] = []
    leaks: list[dict] = []
    masked_chars = false_chars = non_pii_chars = 0
    spans_total = spans_false = 0
    for row in rows:
        text = row["text"]
        known = KnownPeople(keep=set(row.get("officers", [])))
        if use_known:
            for n in row.get("known_party", []):
                known.add(n, "party_name")
        out, reds = redactor.redact_text(text, known)
        covered = [False] * len(text)
        for r in reds:
            for i in range(r.start, r.end):
                covered[i] = True
        pii = [False] * len(text)
        for sp in row["spans"]:
            for i in range(sp["start"], sp["end"]):
                pii[i] = True
        for sp in row["spans"]:
            cat = sp["category"]
            total[cat] += 1
            start = sp["start"]
            if cat == "name":
                start += _surname_len(sp["text"], rules)
            ok = all(covered[start:sp["end"]])
            if ok:
                found[cat] += 1
            else:
                misses.append({"id": row["id"], "category": cat, "role": sp.get("role", "")})
            if sp["text"] in out:
                leaks.append({"id": row["id"], "category": cat})
        for r in reds:
            spans_total += 1
            if not any(pii[r.start:r.end]):
                spans_false += 1
        masked_chars += sum(covered)
        false_chars += sum(1 for c, p in zip(covered, pii) if c and not p)
        non_pii_chars += sum(1 for p in pii if not p)
    n_found, n_total = sum(found.values()), sum(total.values())
    return {
        "sentences": len(rows),
        "pii_spans": n_total,
        "recall": n_found / n_total if n_total else 1.0,
        "recall_by_category": {c: round(found[c] / total[c], 4) for c in sorted(total)},
        "spans_by_category": dict(sorted(total.items())),
        "leaked_identifiers": len(leaks),
        "false_mask_char_rate": false_chars / non_pii_chars if non_pii_chars else 0.0,
        "false_mask_chars": false_chars,
        "false_mask_span_rate": spans_false / spans_total if spans_total else 0.0,
        "false_spans": spans_false,
        "masked_spans": spans_total,
        "misses": misses,
        "leaks": leaks,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="公示脱敏基准：个人信息召回率与误遮蔽率")
    ap.add_argument("--set", default=str(DEFAULT_SET))
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--show-misses", action="store_true", help="列出漏检的句子编号和类别（不输出原文）")
    args = ap.parse_args(argv)
    rows = load_set(args.set)
    results = {"with_structured_data": evaluate(rows, use_known=True),
               "patterns_only": evaluate(rows, use_known=False)}
    if args.json:
        json.dump(results, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    for label, r in results.items():
        print(f"[{label}] 句子 {r['sentences']}，个人信息片段 {r['pii_spans']}")
        print(f"  召回率 recall = {r['recall']:.4f}；泄露原文 {r['leaked_identifiers']} 处")
        print("  分类召回：" + "，".join(f"{c} {v:.3f}（{r['spans_by_category'][c]}）" for c, v in r["recall_by_category"].items()))
        print(f"  误遮蔽字符率 = {r['false_mask_char_rate']:.4f}（{r['false_mask_chars']} 字）；"
              f"误遮蔽片段率 = {r['false_mask_span_rate']:.4f}（{r['false_spans']}/{r['masked_spans']}）")
        if args.show_misses:
            for m in r["misses"]:
                print(f"    漏检 {m['id']} {m['category']} {m['role']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""``zhifa discretion``: import published 裁量基准 tables, list them, recommend a penalty."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from assistant.cli import print_json
from assistant.cli.identity import acting_user
from assistant.errors import InputError


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("discretion", help="裁量基准：导入、查看、裁量建议")
    sub = p.add_subparsers(dest="discretion_command", metavar="子命令")

    imp = sub.add_parser("import", help="导入裁量基准表（.xls/.xlsx/.csv/.json）或首违不罚清单（.md）")
    imp.add_argument("file", type=Path)
    imp.add_argument("--agency", help="制定机关，如 江门市生态环境局")
    imp.add_argument("--region", default="")
    imp.add_argument("--version", help="基准名称/版本")
    imp.add_argument("--published-at", help="公布日期 YYYY-MM-DD（未公布的基准不得作为处罚依据）")
    imp.add_argument("--publish-url", default="")
    imp.add_argument("--effective-from")
    imp.add_argument("--effective-to")
    imp.add_argument("--source-key", help="批次键，重复导入同一键会整体替换")
    imp.add_argument("--json", action="store_true")
    imp.set_defaults(func=cmd_import)

    ls = sub.add_parser("list", help="列出已导入的裁量基准")
    ls.add_argument("--agency")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=cmd_list)

    rec = sub.add_parser("recommend", help="根据案件（案件 id）或案件事实（JSON 文件）给出裁量建议")
    rec.add_argument("facts", help="案件 id，或事实文件：violation_code/violation_text、party_type、violation_date、quantities …")
    rec.add_argument("--hearing-threshold", action="append", default=[], metavar="PARTY=AMOUNT",
                     help="听证“较大数额罚款”标准，如 natural_person=10000（可重复）")
    rec.add_argument("--actor", help="操作人（随案保存建议并记入审计日志，须验证密码；不指定时只显示、不保存）")
    rec.add_argument("--no-save", action="store_true", help="只显示，不随案保存（默认保存，供同类案件统计）")
    rec.add_argument("--json", action="store_true")
    rec.set_defaults(func=cmd_recommend, acts_when=lambda a: bool(a.actor) and not a.no_save)
    p.set_defaults(func=lambda args, settings: (p.print_help() or 0))


def _store(settings):
    from corpus.statutes import StatuteStore

    return StatuteStore(settings.statute_db) if Path(settings.statute_db).exists() else None


def cmd_import(args, settings) -> int:
    from assistant.discretion.repository import open_session, save_report
    from corpus.benchmarks import import_benchmark_file

    report = import_benchmark_file(
        args.file, store=_store(settings), agency=args.agency, region=args.region, version=args.version,
        published_at=args.published_at, publish_url=args.publish_url, effective_from=args.effective_from,
        effective_to=args.effective_to, source_key=args.source_key)
    with open_session(settings.database_url) as session:
        save_report(session, report)
    summary = report.summary()
    if args.json:
        print_json(summary)
        return 0
    parts = []
    if summary["violations"]:
        parts.append(f"违法行为 {summary['violations']} 项，裁量档次 {summary['tiers']} 个")
    if summary["first_offence_entries"]:
        parts.append(f"首违不罚清单 {summary['first_offence_entries']} 项")
    print(f"已导入 {args.file.name}：" + "，".join(parts))
    if summary["citations"]:
        print("引用条文核验：" + "，".join(f"{k} {v}" for k, v in summary["citations"].items()))
    for line in summary["flagged_citations"]:
        print(f"  [待核] {line}")
    for line in summary["unparsed"]:
        print(f"  [未解析] {line}")
    for line in summary["warnings"]:
        print(f"  [提示] {line}")
    if not any(b.published_at for b in report.benchmarks) and report.benchmarks:
        print("注意：未提供公布日期（--published-at），未公布的裁量基准不得作为处罚依据（行政处罚法 第三十四条、第五条）")
    return 0


def cmd_list(args, settings) -> int:
    from assistant.discretion.repository import load_benchmarks, open_session

    with open_session(settings.database_url) as session:
        items = load_benchmarks(session, agency=args.agency)
    rows = [{"id": b.id, "agency": b.agency, "code": b.violation_code, "name": b.violation_name,
             "bands": len(b.bands), "published_at": b.published_at, "demo": b.demo} for b in items]
    if args.json:
        print_json(rows)
        return 0
    for r in rows:
        print(f"{r['id']}\t{r['agency']}\t{r['name'][:40]}\t档次{r['bands']}\t公布{r['published_at'] or '未公布'}"
              + ("\tDEMO" if r["demo"] else ""))
    print(f"共 {len(rows)} 项")
    return 0


def cmd_recommend(args, settings) -> int:
    from assistant.discretion import CaseFacts, RecommenderConfig, check_proposed, to_dict
    from assistant.discretion.case_facts import recommend_for_case, recommend_with_peers
    from assistant.discretion.repository import open_session

    thresholds = {}
    for item in args.hearing_threshold:
        party, _, amount = item.partition("=")
        try:
            thresholds[party] = float(amount)
        except ValueError as exc:
            raise InputError(f"--hearing-threshold 格式应为 PARTY=AMOUNT：{item}") from exc
    config = RecommenderConfig(hearing_thresholds=thresholds or None)
    source = Path(args.facts)
    if str(args.facts).isdigit() and not source.exists():
        with open_session(settings.database_url) as session:
            save = bool(args.actor) and not args.no_save  # only an authenticated user writes to the case
            facts, rec = recommend_for_case(session, int(args.facts), _store(settings), config=config,
                                            actor=acting_user(args) if save else None)
        if not save and not args.no_save:
            print("未指定 --actor：裁量建议仅显示，未随案保存（随案保存请以本案承办人身份 --actor 并验证密码）",
                  file=sys.stderr)
    else:
        try:
            data = json.loads(source.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(f"事实文件 {source} 无法读取或不是 UTF-8 JSON：{exc}") from exc
        if not isinstance(data, dict):
            raise InputError(f"事实文件 {source} 应为 JSON 对象")
        facts = CaseFacts.from_dict(data)
        with open_session(settings.database_url) as session:
            rec = recommend_with_peers(session, facts, _store(settings), config=config)
    findings = check_proposed(facts.proposed_amount, rec) if facts.proposed_amount is not None else []
    if args.json:
        out = to_dict(rec)
        out["findings"] = [to_dict(f) for f in findings]
        print_json(out)
        return 0
    print(render(rec))
    for f in findings:
        print(f"[{f.severity}] {f.message}（{f.source}）")
    return 0


def render(rec) -> str:
    lines = [f"结论：{ {'penalty': '给予处罚', 'no_penalty': '不予处罚', 'time_barred': '超过时效，不再处罚', 'no_benchmark': '无匹配裁量基准', 'needs_band': '需承办人确定档次', 'needs_quantity': '需录入计算基数'}.get(rec.outcome, rec.outcome)}"]
    if rec.benchmark:
        lines.append(f"裁量基准：{rec.benchmark.agency} {rec.benchmark.violation_code} {rec.benchmark.violation_name}")
    if rec.band:
        lines.append(f"档次：{rec.band.level}")
    if rec.proposed is not None and rec.outcome == "penalty":
        lines.append(f"建议罚款：{rec.proposed:,.2f}元（建议区间 {rec.range_min:,.2f}–{rec.range_max:,.2f}元）")
    if rec.accessories or rec.measures:
        lines.append("并处/措施：" + "、".join(rec.accessories + rec.measures))
    lines.append(f"听证告知：{'是' if rec.hearing_required else '否'}；法制审核：{'是' if rec.review_required else '否'}")
    lines.append("理由：")
    lines += [f"  {i}. [{s.step}] {s.text}（{s.source}）" for i, s in enumerate(rec.explanation, 1)]
    lines += [f"  ! {w}" for w in rec.warnings]
    return "\n".join(lines)

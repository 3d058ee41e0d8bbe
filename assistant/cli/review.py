"""``zhifa review …``, ``zhifa precedent import``, ``zhifa similar``: 法制审核 and precedents.

    zhifa precedent import 决定书/                      # .docx/.txt/.md files; reports missing fields
    zhifa precedent list [--json]                       # the precedent library (imported + decided cases)
    zhifa similar 7 [--json] [--chart 分布图.png]       # precedents similar to case 7, with the fine chart
    zhifa review submit 7 --actor zhang3 --draft 决定书.docx --materials 现场笔录,询问笔录
    zhifa review decide 7 --reviewer sun_review --outcome 存在问题 --opinion "未写明缴纳期限"
    zhifa review check 决定书.docx [--json] [--as-of 2026-09-01]   # exit 1 if any item fails
    zhifa review opinion 7 --round 1 --out 审核意见书.docx
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from assistant.cli import open_database, parse_date, split_csv
from assistant.cli.identity import acting_user
from assistant.errors import InputError
from assistant.settings import Settings

STATUS_CN = {"pass": "通过", "warn": "提示", "fail": "不通过", "manual": "人工核对"}




def _store(settings: Settings):
    from corpus.statutes import StatuteStore

    return StatuteStore(settings.statute_db)




def _text(path: str) -> str:
    from corpus.decisions import read_document_text

    p = Path(path)
    if not p.exists():
        raise InputError(f"文件不存在：{p}", field="path")
    return read_document_text(p)




def register(subparsers) -> None:
    prec = subparsers.add_parser("precedent", help="相似案例库：导入历史决定书")
    psub = prec.add_subparsers(dest="precedent_command", metavar="子命令")
    p = psub.add_parser("import", help="导入决定书文件或文件夹（.docx/.txt/.md）")
    p.add_argument("path")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_precedent_import)
    p = psub.add_parser("list", help="列出案例库（导入的决定书、演示案例和本系统已决定的案件）")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_precedent_list)

    p = subparsers.add_parser("similar", help="查找与案件相似的历史案例，并生成同类案例罚款分布图")
    p.add_argument("case_id", type=int)
    p.add_argument("-k", type=int, default=5, help="返回案例数（默认 5）")
    p.add_argument("--chart", help="罚款分布图 PNG 路径（默认 {数据目录}/charts/similar-案件id.png）")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_similar)

    rev = subparsers.add_parser("review", help="法制审核：送审、审核、自动检查、审核意见书")
    sub = rev.add_subparsers(dest="review_command", metavar="子命令")
    p = sub.add_parser("submit", help="承办人送法制审核（决定书草稿另存为新版本）")
    p.add_argument("case_id", type=int)
    p.add_argument("--actor", required=True)
    p.add_argument("--draft", required=True, help="决定书草稿（.docx/.txt/.md）")
    p.add_argument("--materials", help="审核材料，逗号分隔")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_submit)

    p = sub.add_parser("decide", help="法制审核人员作出审核意见")
    p.add_argument("case_id", type=int)
    p.add_argument("--reviewer", required=True)
    p.add_argument("--outcome", required=True, choices=["同意", "存在问题"])
    p.add_argument("--opinion", required=True)
    p.add_argument("--item", action="append", default=[], metavar="事项=符合|存在问题[:说明]",
                   help="逐项审核结论，可重复")
    p.set_defaults(func=cmd_decide)

    p = sub.add_parser("check", help="对任一决定书文件运行自动审核清单（有不通过项时退出码为 1）")
    p.add_argument("draft")
    p.add_argument("--json", action="store_true")
    p.add_argument("--as-of", help="核对引用条文效力的日期（默认取文书中的违法行为发生日）")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("opinion", help="生成法制审核意见书（.docx）")
    p.add_argument("case_id", type=int)
    p.add_argument("--round", type=int, required=True)
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_opinion)


def cmd_precedent_import(args, settings: Settings) -> int:
    from dataclasses import asdict

    from assistant.cli import print_json
    from assistant.precedents import import_path

    store = _store(settings) if Path(settings.statute_db).exists() else None
    with open_database(settings).session() as s:
        reports = import_path(s, Path(args.path), store)
    if args.json:
        print_json([asdict(r) for r in reports])
    else:
        for r in reports:
            if r.error:
                print(f"✗ {r.path}：{r.error}")
            else:
                missing = f"；缺少字段：{'、'.join(r.missing)}" if r.missing else ""
                print(f"✓ {r.path} → 案例 {r.precedent_id}（{r.document_no or '无文号'}）{missing}")
        print(f"共 {len(reports)} 个文件，导入 {sum(r.precedent_id is not None for r in reports)} 个")
    return 0 if all(r.error is None for r in reports) else 1


def case_query(session, case_id: int):
    """A precedent :class:`Query` from the case's violations and facts."""
    from sqlalchemy import select

    from assistant.cases import get_case
    from assistant.precedents import Query
    from assistant.store.case_tables import Violation

    case = get_case(session, case_id)
    violations = session.execute(select(Violation).where(Violation.case_id == case.id)).scalars().all()
    facts = "\n".join([v.description for v in violations] + [str((case.notice or {}).get("facts") or "")]).strip()
    quantity = None
    for v in violations:
        for key in ("货值金额", "违法所得", "goods_value", "illegal_gains", "工程造价"):
            if (v.quantities or {}).get(key) is not None:
                quantity = float(v.quantities[key])
                break
        if quantity is not None:
            break
    return Query(facts=facts or case.cause,
                 violated_article_ids=[int(i) for v in violations for i in (v.violated_article_ids or [])],
                 penalty_article_ids=[int(i) for v in violations for i in (v.penalty_article_ids or [])],
                 violation_code=next((v.benchmark_ref for v in violations if v.benchmark_ref), None),
                 quantity=quantity, exclude_case_id=case.id)


def _case_fine(session, case_id: int) -> float | None:
    from assistant.cases import get_case

    case = get_case(session, case_id)
    for data in (case.decision, case.notice):
        if data and data.get("fine") is not None:
            return float(data["fine"])
    return None


def cmd_similar(args, settings: Settings) -> int:
    from dataclasses import asdict

    from assistant.cli import print_json
    from assistant.consistency import distribution_chart, peer_stats
    from assistant.precedents import find_similar

    with open_database(settings).session(readonly=True) as s:
        query = case_query(s, args.case_id)
        results = find_similar(s, query, k=args.k)
        proposed = _case_fine(s, args.case_id)
        stats = peer_stats(s, proposed, violated_ids=query.violated_article_ids, penalty_ids=query.penalty_article_ids,
                           violation_code=query.violation_code, exclude_case_id=args.case_id)
    chart = Path(args.chart) if args.chart else settings.home / "charts" / f"similar-{args.case_id}.png"
    chart.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=chart.parent, suffix=".png.tmp")
    with os.fdopen(fd, "wb") as fh:
        fh.write(distribution_chart(stats, proposed, title=f"案件 {args.case_id} 同类案例罚款分布"))
    os.replace(tmp, chart)
    if args.json:
        print_json({"case_id": args.case_id, "similar": [asdict(r) for r in results],
                    "peers": {**asdict(stats), "proposed": proposed}, "chart": str(chart)})
        return 0
    if not results:
        print("案例库中没有相似案例（先用 zhifa precedent import 导入历史决定书）")
    for r in results:
        fine = f"罚款 {r.fine:g} 元" if r.fine is not None else "未罚款"
        print(f"[{r.score:.2f}] {r.document_no or '无文号'} {r.agency or ''} {r.decided_on or ''} {fine}")
        print(f"    {r.facts[:80]}")
        print(f"    相似原因：{'；'.join(r.reasons)}")
    if stats.count:
        pct = f"，本案拟罚款位于第 {stats.percentile:.0f} 百分位" if stats.percentile is not None else ""
        print(f"同类已决案例 {stats.count} 件，罚款 {stats.minimum:g}–{stats.maximum:g} 元，中位数 {stats.median:g} 元{pct}")
    for m in stats.messages:
        print(f"  注意：{m}")
    print(f"罚款分布图：{chart}")
    return 0


def cmd_precedent_list(args, settings: Settings) -> int:
    from sqlalchemy import select

    from assistant.cli import print_json
    from assistant.store.precedent_tables import PrecedentRow

    with open_database(settings).session(readonly=True) as s:
        rows = [{"id": r.id, "source": r.source, "case_id": r.case_id, "document_no": r.document_no,
                 "agency": r.agency, "decided_on": r.decided_on, "penalty_types": list(r.penalty_types or []),
                 "fine": r.fine, "demo": r.demo}
                for r in s.execute(select(PrecedentRow).order_by(PrecedentRow.id)).scalars()]
    if args.json:
        print_json(rows)
        return 0
    source_cn = {"import": "导入", "demo": "演示", "case": "本系统案件"}
    for r in rows:
        fine = f"（罚款{r['fine']:g}元）" if r["fine"] is not None else ""
        print(f"{r['id']}\t{source_cn.get(r['source'], r['source'])}\t{r['document_no'] or '无文号'}\t"
              f"{r['decided_on'] or ''}\t{'、'.join(r['penalty_types'])}{fine}")
    print(f"共 {len(rows)} 件")
    return 0


def cmd_submit(args, settings: Settings) -> int:
    from assistant import review
    from assistant.cli import print_json

    text = _text(args.draft)
    store = _store(settings) if Path(settings.statute_db).exists() else None
    with open_database(settings).session() as s:
        r = review.submit(s, args.case_id, acting_user(args), text, materials=split_csv(args.materials), store=store)
        data = r.to_dict()
    if args.json:
        print_json(data)
        return 0
    print(f"已送法制审核：案件 {args.case_id} 第{r.round_no}轮")
    for item, st in r.summary.items():
        print(f"  {item}：{STATUS_CN.get(st, st)}")
    return 0


def _item_decisions(values: list[str]) -> dict:
    out = {}
    for raw in values:
        if "=" not in raw:
            raise InputError(f"逐项结论格式应为 事项=符合|存在问题[:说明]：{raw}", field="item")
        item, rest = raw.split("=", 1)
        decision, _, note = rest.partition(":")
        out[item.strip()] = (decision.strip(), note.strip())
    return out


def cmd_decide(args, settings: Settings) -> int:
    from assistant import review

    with open_database(settings).session() as s:
        r = review.decide(s, args.case_id, acting_user(args), args.outcome, args.opinion, _item_decisions(args.item))
    print(f"案件 {args.case_id} 第{r.round_no}轮审核：{args.outcome}")
    return 0


def cmd_check(args, settings: Settings) -> int:
    from dataclasses import asdict

    from assistant.checklist import FAIL, ITEMS, ReviewContext, run_checklist, summary
    from assistant.cli import print_json

    text = _text(args.draft)
    ctx = ReviewContext(violation_date=parse_date(args.as_of))
    findings = run_checklist(text, _store(settings), ctx)
    worst = summary(findings)
    ok = FAIL not in worst.values()
    if args.json:
        print_json({"file": args.draft, "ok": ok, "summary": worst, "findings": [asdict(f) for f in findings]})
    else:
        for name, basis in ITEMS:
            print(f"{name}：{STATUS_CN[worst[name]]}")
            for f in findings:
                if f.item == name and f.status != "pass":
                    print(f"    [{STATUS_CN[f.status]}] {f.message}" + (f"（{f.basis}）" if f.basis else ""))
        print("结论：" + ("未发现不通过项（自动检查只作提示，须审核人员逐项确认）" if ok else "存在不通过项"))
    return 0 if ok else 1


def cmd_opinion(args, settings: Settings) -> int:
    from assistant import review

    with open_database(settings).session() as s:
        data = review.opinion_docx(s, args.case_id, args.round)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, suffix=".docx.tmp")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, out)
    print(f"已生成法制审核意见书：{out}")
    return 0

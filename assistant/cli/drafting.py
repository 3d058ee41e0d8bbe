"""``zhifa draft CONTEXT.json --doc 决定书 --out FILE.docx``: draft a document from structured data.

The case-store path (``zhifa draft CASE_ID``) will be a small adapter: build the DraftContext from
the case store and call the same :func:`_write` (see ``assistant.drafting.draft_from_json``).
"""
from __future__ import annotations

import argparse
from pathlib import Path

from assistant.documents.kinds import KINDS


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("draft", help="起草文书（决定书、告知书、不予处罚决定书、立案审批表、送审表），输出 .docx 草稿")
    p.add_argument("context", help="案件编号（数字 id）或案件信息 JSON 文件（DraftContext 字段）")
    p.add_argument("--fine", type=float, help="按案件起草时的罚款金额（默认取事先告知的金额）")
    p.add_argument("--doc", required=True, choices=list(KINDS), help="文书种类")
    p.add_argument("--out", required=True, help="输出 .docx 文件")
    p.add_argument("--no-llm", action="store_true", help="不调用大模型，只用按结构化事实生成的文字")
    p.add_argument("--text", action="store_true", help="同时在屏幕上输出文书正文")
    p.add_argument("--json", action="store_true", help="以 JSON 输出核验结果")
    p.add_argument("--strict", action="store_true", help="存在阻止提交的问题时返回非零退出码")
    p.set_defaults(func=run_draft)


def run_draft(args: argparse.Namespace, settings) -> int:
    from assistant.drafting import draft_from_json
    from assistant.llm import make_llm
    from assistant.services import Services

    services = Services(settings)
    llm = None if args.no_llm else make_llm(settings)
    if str(args.context).isdigit():
        from assistant.case_drafting import draft_for_case

        draft = draft_for_case(services, int(args.context), args.doc, fine=args.fine, llm=llm)
    else:
        draft = draft_from_json(args.context, args.doc, services, llm=llm)
    return _write(draft, args)


def _write(draft, args: argparse.Namespace) -> int:
    from assistant.cli import print_json
    from assistant.documents.gbt9704 import save_atomic

    out = save_atomic(draft.docx, Path(args.out))
    if args.json:
        print_json({
            "out": str(out), "title": draft.title, "can_submit": draft.can_submit, "llm_used": draft.llm_used,
            "narrative_sources": draft.narrative_sources,
            "citations": [c.label for c in draft.citations],
            "findings": [{"code": f.code, "severity": f.severity, "message": f.message} for f in draft.findings],
        })
    else:
        if args.text:
            print(draft.text)
            print()
        print(f"已生成{draft.title}草稿：{out}")
        marks = {"error": "✗ 须改正", "warning": "! 请核对", "info": "· 说明"}
        for f in draft.findings:
            print(f"  {marks.get(f.severity, f.severity)}：{f.message}")
        print("可以提交法制审核。" if draft.can_submit else "存在须改正的问题，暂不能提交法制审核。")
    return 1 if (args.strict and not draft.can_submit) else 0

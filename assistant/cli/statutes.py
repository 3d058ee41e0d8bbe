"""Statute-store commands: ``zhifa corpus import|confirm|list`` and ``zhifa verify-citations``."""
from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from assistant.cli import arg_date
from assistant.errors import InputError




def register(subparsers: argparse._SubParsersAction) -> None:
    corpus = subparsers.add_parser("corpus", help="法条库：导入用户法规、确认、列出")
    sub = corpus.add_subparsers(dest="corpus_command", metavar="子命令")

    imp = sub.add_parser("import", help="导入行政法规、规章、地方性法规或规范性文件（.txt/.md/.docx，文件或目录）")
    imp.add_argument("path", help="文件或目录")
    imp.add_argument("--level", help="效力级别：行政法规、部门规章、地方性法规、地方政府规章、规范性文件")
    imp.add_argument("--issuer", help="制定机关")
    imp.add_argument("--publish", type=arg_date, help="公布日期 YYYY-MM-DD")
    imp.add_argument("--effective", type=arg_date, help="施行日期 YYYY-MM-DD")
    imp.add_argument("--status", help="时效性：现行有效、已废止、尚未生效")
    imp.add_argument("--domain", help="领域（如 市场监管）")
    imp.add_argument("--name", help="法规名称（默认取文件标题）")
    imp.add_argument("--alias", action="append", default=[], help="简称，可重复")
    imp.add_argument("--json", action="store_true")
    imp.set_defaults(func=cmd_import)

    conf = sub.add_parser("confirm", help="管理员确认用户导入的法规文本（已有管理员时须 --as 管理员并验证密码）")
    conf.add_argument("law_id")
    conf.add_argument("--as", dest="actor", help="确认的管理员用户名（系统已有管理员时必填）")
    conf.set_defaults(func=cmd_confirm, acts_when=lambda a: bool(a.actor))

    lst = sub.add_parser("list", help="列出法条库中的法律文件")
    lst.add_argument("--user", action="store_true", help="只列出用户导入的法规")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(func=cmd_list)

    ver = subparsers.add_parser("verify-citations", help="核对文本中的法条引用（是否存在、是否有效）")
    ver.add_argument("source", help="文件路径（.txt/.md/.docx，如起草的决定书），或直接给出文本")
    ver.add_argument("--as-of", type=arg_date, help="以该日期有效的版本核对（默认今天；处罚案件用违法行为发生日）")
    ver.add_argument("--json", action="store_true")
    ver.set_defaults(func=cmd_verify)


def _store(settings, *, create: bool = False):
    from corpus.statutes import StatuteStore

    return StatuteStore(settings.statute_db, create=create)


def cmd_import(args, settings) -> int:
    from assistant.cli import print_json
    from corpus.regulations import InstrumentMeta, collect_files, import_instruments

    meta = InstrumentMeta(
        name=args.name, level=args.level, issuer=args.issuer,
        publish_date=args.publish.isoformat() if args.publish else None,
        effective_date=args.effective.isoformat() if args.effective else None,
        status=args.status, domain=args.domain, aliases=tuple(args.alias),
    )
    results = import_instruments(_store(settings), collect_files(args.path), meta)
    if args.json:
        print_json([dataclasses.asdict(r) for r in results])
        return 0
    for r in results:
        print(f"[{r.action}] {r.law_id or '-'}  {r.message}")
        for w in r.warnings:
            print(f"    注意：{w}")
    return 0


def cmd_confirm(args, settings) -> int:
    """Marking an imported text as checked against the official one is the administrator's call."""
    from assistant.audit import log_action
    from assistant.cli import db_session
    from assistant.cli.identity import require_admin_once_bootstrapped
    from corpus.regulations import confirm_instrument

    store = _store(settings)
    with db_session(settings) as s:
        actor = require_admin_once_bootstrapped(s, args, "确认导入的法规文本")
        name = store.law(args.law_id).name
        # logged first: should the confirmation fail, the session rolls the entry back with it
        log_action(s, case_id=None, actor=actor, action="corpus.confirm", detail={"law_id": args.law_id, "name": name})
        confirm_instrument(store, args.law_id)
    print(f"已确认《{name}》（{args.law_id}）")
    return 0


def cmd_list(args, settings) -> int:
    from assistant.cli import print_json

    laws = [law for law in _store(settings).laws() if not args.user or law.source == "user"]
    if args.json:
        print_json([dataclasses.asdict(law) for law in laws])
        return 0
    for law in laws:
        flag = "" if law.verified else "  [待确认]"
        print(f"{law.law_id}  {law.level:<6} {law.status:<5} {law.in_force_from or '?':<10}  {law.name}{flag}")
    print(f"共 {len(laws)} 个版本")
    return 0


_FILE_SUFFIXES = (".txt", ".md", ".docx")


def _source_text(src: str) -> str:
    """The text to check: a .txt/.md/.docx file (文书 drafts: paragraphs and table cells), else ``src`` itself."""
    path = Path(src)
    suffix = path.suffix.lower() if len(src) < 1024 else ""
    if suffix not in _FILE_SUFFIXES:
        return src
    if not path.is_file():
        raise InputError(f"文件不存在：{src}")
    if suffix == ".docx":
        return _docx_text(path)
    from corpus.textfile import decode_text

    return decode_text(path.read_bytes(), path.name)


def _docx_text(path: Path) -> str:
    import zipfile

    from docx.opc.exceptions import OpcError

    from assistant.documents.gbt9704 import docx_text

    try:
        return docx_text(path)
    except (zipfile.BadZipFile, OpcError, KeyError, ValueError, OSError) as exc:
        raise InputError(f"无法读取 Word 文件（不是有效的 .docx，或文件已损坏）：{path}（{type(exc).__name__}）") from None


def cmd_verify(args, settings) -> int:
    from assistant.citations import verify_citations
    from assistant.cli import print_json

    text = _source_text(args.source)
    checks = verify_citations(text, _store(settings), args.as_of)
    failed = [c for c in checks if not c.ok]
    if args.json:
        print_json([dataclasses.asdict(c) for c in checks])
    else:
        if not checks:
            print("未发现法条引用")
        for c in checks:
            mark = {"ok": "✓", "warning": "!", "error": "✗"}[c.severity]
            print(f"{mark} {c.citation.text}  [{c.reason}] {c.message}")
        print(f"共 {len(checks)} 处引用，{len(failed)} 处有误")
    return 1 if failed else 0

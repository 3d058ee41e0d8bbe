"""``zhifa forms …``: pre-numbered 当场处罚决定书 (行政处罚法 第五十二条).

    zhifa forms issue --agency 某市监 --officer zhang3 --count 20 --as chen_head
    zhifa forms status --officer zhang3 [--json]
    zhifa forms void 某市监罚〔2026〕7号 --reason 填写错误 --as zhang3
"""
from __future__ import annotations

import argparse

from assistant.cli import db_session, print_json
from assistant.cli.identity import acting_user


def cmd_issue(args: argparse.Namespace, settings) -> int:
    from assistant.case_queries import get_agency
    from assistant.simple_forms import issue_pool

    with db_session(settings) as s:
        agency = get_agency(s, args.agency)
        pool = issue_pool(s, agency.id, args.officer, args.count, actor=acting_user(args), year=args.year)
    if args.json:
        print_json({"pool_id": pool.pool_id, "officer": pool.officer, "kind": pool.kind, "year": pool.year,
                    "numbers": list(pool.numbers)})
    else:
        print(f"已向 {pool.officer} 发放{pool.kind} {len(pool.numbers)} 份：{pool.first_number} 至 {pool.last_number}")
    return 0


def cmd_status(args: argparse.Namespace, settings) -> int:
    from assistant.simple_forms import pool_status

    with db_session(settings, readonly=True) as s:
        status = pool_status(s, args.officer)
    if args.json:
        print_json(status.as_dict())
        return 0
    print(f"{status.officer}：未使用 {len(status.unused)} 份，已使用 {len(status.used)} 份，已作废 {len(status.voided)} 份")
    print(f"下一份：{status.next_number or '（无，请机关负责人发放）'}")
    for f in status.used:
        print(f"  已使用  {f.number}  案件 {f.case_id}")
    for f in status.voided:
        print(f"  已作废  {f.number}")
    return 0


def cmd_void(args: argparse.Namespace, settings) -> int:
    from assistant.simple_forms import void_form

    with db_session(settings) as s:
        form = void_form(s, args.number, reason=args.reason, actor=acting_user(args))
    print(f"已作废：{form.number}（作废编号不再使用）")
    return 0


def register(subparsers) -> None:
    forms = subparsers.add_parser("forms", help="当场处罚决定书（预定格式、编有号码，第五十二条）：发放、查询、作废")
    sub = forms.add_subparsers(dest="forms_command", metavar="子命令")

    p = sub.add_parser("issue", help="向承办人发放一批编有号码的当场处罚决定书（机关负责人或管理员）")
    p.add_argument("--agency", required=True, help="执法机关 id、名称或机关代字")
    p.add_argument("--officer", required=True, help="领用的承办人用户名")
    p.add_argument("--count", required=True, type=int, help="发放份数")
    p.add_argument("--year", type=int, default=None, help="文号年份（默认今年）")
    p.add_argument("--as", dest="actor", required=True, help="发放人用户名（机关负责人或管理员）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(func=cmd_issue)

    p = sub.add_parser("status", help="查看承办人领用的当场处罚决定书：未使用、已使用、已作废")
    p.add_argument("--officer", required=True, help="承办人用户名")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("void", help="作废一份未使用的当场处罚决定书（须说明理由，作废编号不再使用）")
    p.add_argument("number", help="决定书编号，如 某市监罚〔2026〕7号")
    p.add_argument("--reason", required=True, help="作废理由")
    p.add_argument("--as", dest="actor", required=True, help="操作人用户名（领用人、机关负责人或管理员）")
    p.set_defaults(func=cmd_void)
    forms.set_defaults(func=lambda args, settings: (forms.print_help(), 0)[1])

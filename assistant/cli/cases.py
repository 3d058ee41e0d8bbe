"""``zhifa case …``, ``zhifa user add``, ``zhifa agency add``: the case store from the command line.

    zhifa agency add --name 某市市场监督管理局 --code 某市监 --region 某省某市
    zhifa user add zhang3 --display-name 张三 --roles 承办人 --agency 某市监 --credential-no A001 --credential-expiry 2030-12-31
    zhifa case create --agency 某市监 --cause 销售过期食品 --party-name 某公司 --credit-code 9144… --handlers zhang3,li4 \
        --facts "当事人销售超过保质期的饼干15袋…" --violated "《中华人民共和国食品安全法》第三十四条第（十）项" \
        --penalty-basis "《中华人民共和国食品安全法》第一百二十四条第一款第（五）项" --quantity 货值金额=180
    zhifa case violation 1 --actor zhang3 --facts … --violated … --penalty-basis … [--benchmark-ref SJ-001]
    zhifa case evidence 1 --actor zhang3 --type 现场笔录 --title 现场检查笔录
    zhifa case advance 1 调查取证 --actor zhang3
    zhifa case advance 1 事先告知 --actor zhang3 --facts … --reasons … --basis … --fine 5000
    zhifa case show 1 --json
"""
from __future__ import annotations

import argparse
import getpass
import json
import math
import os

from assistant.cli import open_database, parse_date, split_csv
from assistant.cli.identity import acting_user
from assistant.errors import InputError
from assistant.settings import Settings


def _violation_options(p: argparse.ArgumentParser, *, required: bool) -> None:
    p.add_argument("--facts", required=required, help="违法事实（经查……）")
    p.add_argument("--violated", required=required, help="违反的条款，如 《中华人民共和国食品安全法》第三十四条第（十）项")
    p.add_argument("--penalty-basis", required=required, help="处罚依据条款")
    p.add_argument("--benchmark-ref", help="裁量基准中的违法行为代码，如 SJ-001")
    p.add_argument("--quantity", action="append", default=[], metavar="名称=数值",
                   help="计算基数（元），如 货值金额=180、违法所得=60；可重复")


def _quantities(values: list[str]) -> dict:
    out = {}
    for raw in values:
        name, sep, value = raw.replace("＝", "=").partition("=")
        try:
            amount = float(value)
            if not sep or not name.strip() or not math.isfinite(amount) or amount < 0:
                raise ValueError
            out[name.strip()] = amount
        except ValueError:
            raise InputError(f"--quantity 格式应为 名称=非负数值（如 货值金额=180）：{raw}", field="quantity") from None
    return out


def _article_ids(settings: Settings, provision: str, as_of) -> list[int]:
    """Article ids of the cited provisions (point-in-time, as of the violation date), if the statute store exists."""
    from pathlib import Path

    if not provision or not Path(settings.statute_db).exists():
        return []
    from assistant.precedents import _article_ids as resolve
    from corpus.statutes import StatuteStore

    return resolve(StatuteStore(settings.statute_db), [provision], as_of)


def _add_violation(s, settings: Settings, case_id: int, actor: str, args: argparse.Namespace):
    from assistant import cases as svc

    case = svc.get_case(s, case_id)
    return svc.add_violation(
        s, case_id, actor=actor, description=args.facts, violated_provision=args.violated or "",
        penalty_provision=args.penalty_basis or "",
        violated_article_ids=_article_ids(settings, args.violated, case.violation_date or case.filed_on),
        penalty_article_ids=_article_ids(settings, args.penalty_basis, case.violation_date or case.filed_on),
        benchmark_ref=args.benchmark_ref, quantities=_quantities(args.quantity))


def register(subparsers) -> None:
    case = subparsers.add_parser("case", help="案件：立案、查看、推进环节、列表")
    sub = case.add_subparsers(dest="case_command", metavar="子命令")

    p = sub.add_parser("create", help="立案（普通程序）或登记当场处罚案件（简易程序）")
    p.add_argument("--agency", required=True, help="执法机关 id、名称或机关代字")
    p.add_argument("--cause", required=True, help="案由")
    p.add_argument("--party-name", required=True, help="当事人姓名或名称")
    p.add_argument("--party-kind", choices=["自然人", "法人", "其他组织"], help="当事人类型（默认按证件推断）")
    ident = p.add_mutually_exclusive_group()
    ident.add_argument("--credit-code", help="统一社会信用代码")
    ident.add_argument("--id-number", help="身份证号（不写入日志）")
    p.add_argument("--address", help="住所")
    p.add_argument("--legal-representative", help="法定代表人")
    p.add_argument("--handlers", required=True, help="承办人用户名，逗号分隔（至少二人）")
    p.add_argument("--actor", help="操作人（默认第一承办人；须验证密码，见 ZHIFA_PASSWORD）")
    p.add_argument("--violation-date", help="违法行为发生日 YYYY-MM-DD")
    p.add_argument("--filed-on", help="立案日 YYYY-MM-DD（默认今天）")
    p.add_argument("--source", default="", help="案件来源")
    p.add_argument("--procedure", choices=["普通", "简易"], default="普通")
    _violation_options(p, required=False)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_create, default_actor=lambda a: (split_csv(a.handlers) or [""])[0])

    p = sub.add_parser("violation", help="登记违法行为：事实、违反条款、处罚依据（引用按违法行为发生日核对）")
    p.add_argument("case_id", type=int)
    p.add_argument("--actor", required=True, help="操作人（本案承办人）")
    _violation_options(p, required=True)
    p.set_defaults(func=cmd_violation)

    p = sub.add_parser("evidence", help="登记证据（第四十六条所列证据种类）")
    p.add_argument("case_id", type=int)
    p.add_argument("--actor", required=True, help="收集人（本案承办人）")
    p.add_argument("--type", required=True, help="证据种类：书证、物证、视听资料、电子数据、证人证言、当事人的陈述、鉴定意见、勘验笔录、现场笔录")
    p.add_argument("--title", required=True, help="证据名称")
    p.add_argument("--description", default="", help="证明内容")
    p.add_argument("--source", default="", help="来源")
    p.set_defaults(func=cmd_evidence)

    p = sub.add_parser("show", help="查看案件及期限")
    p.add_argument("case_id", type=int)
    p.add_argument("--today", help="按指定日期计算期限 YYYY-MM-DD")
    p.add_argument("--actor", help="查看人（记入调阅日志，须验证密码）")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_show, acts_when=lambda a: bool(a.actor))

    p = sub.add_parser("advance", help="推进到下一环节（各环节法定条件不满足时拒绝并说明依据）")
    p.add_argument("case_id", type=int)
    p.add_argument("state", help="目标环节，如 调查取证、事先告知、陈述申辩、法制审核、集体讨论、决定、送达、执行、结案")
    p.add_argument("--actor", required=True)
    p.add_argument("--payload", help="JSON 参数（与下列选项合并）")
    p.add_argument("--types", help="处罚种类，逗号分隔（如 罚款,没收违法所得）")
    p.add_argument("--fine", type=float, help="罚款金额（元）")
    p.add_argument("--confiscation", type=float, help="没收金额（元）")
    p.add_argument("--facts")
    p.add_argument("--reasons")
    p.add_argument("--basis")
    p.add_argument("--hearing-rights", action="store_true", help="告知书已载明听证权利")
    p.add_argument("--served-on", help="送达日 YYYY-MM-DD")
    p.add_argument("--method", help="送达方式")
    p.add_argument("--reason", help="理由（移送、终止、退回）")
    p.add_argument("--ground", help="不予处罚理由")
    p.add_argument("--band", help="裁量档次（事先告知时登记，供相似案例比较）")
    p.add_argument("--today", help="操作日期 YYYY-MM-DD（默认今天）")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_advance)

    p = sub.add_parser("statement", help="登记陈述、申辩、放弃陈述申辩、听证申请、放弃听证")
    p.add_argument("case_id", type=int)
    p.add_argument("kind")
    p.add_argument("--actor", required=True)
    p.add_argument("--content", default="")
    p.add_argument("--on", help="日期 YYYY-MM-DD")
    p.set_defaults(func=cmd_statement)

    p = sub.add_parser("review", help="登记法制审核结论（通过 / 存在问题）")
    p.add_argument("case_id", type=int)
    p.add_argument("--reviewer", required=True)
    p.add_argument("--result", choices=["通过", "存在问题"], required=True)
    p.add_argument("--opinion", default="")
    p.set_defaults(func=cmd_review)

    p = sub.add_parser("list", help="案件列表")
    p.add_argument("--agency")
    p.add_argument("--state")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_list)

    user = subparsers.add_parser("user", help="用户管理")
    usub = user.add_subparsers(dest="user_command", metavar="子命令")
    p = usub.add_parser("add", help="添加用户（新用户的密码取自环境变量 ZHIFA_NEW_PASSWORD 或交互输入；已有管理员时须 --as 管理员）")
    p.add_argument("username")
    p.add_argument("--display-name", required=True)
    p.add_argument("--roles", required=True, help="角色，逗号分隔：承办人、法制审核人员、机关负责人…")
    p.add_argument("--agency", help="执法机关 id、名称或机关代字")
    p.add_argument("--credential-no", help="执法证号")
    p.add_argument("--credential-expiry", help="执法证有效期至 YYYY-MM-DD")
    p.add_argument("--categories", help="执法类别，逗号分隔")
    p.add_argument("--legal-qualification", action="store_true", help="已取得法律职业资格")
    p.add_argument("--as", dest="actor", help="操作的管理员用户名（系统已有管理员时必填，须验证密码）")
    p.set_defaults(func=cmd_user_add, acts_when=lambda a: bool(a.actor))

    agency = subparsers.add_parser("agency", help="执法机关管理")
    asub = agency.add_subparsers(dest="agency_command", metavar="子命令")
    p = asub.add_parser("add", help="添加执法机关")
    p.add_argument("--name", required=True)
    p.add_argument("--code", required=True, help="机关代字（用于文号）")
    p.add_argument("--region", default="")
    p.add_argument("--parent", help="上级机关 id、名称或代字")
    p.add_argument("--settings", help="机关设置 JSON（文号模板、听证标准、陈述申辩期限…）")
    p.add_argument("--as", dest="actor", help="操作的管理员用户名（系统已有管理员时必填，须验证密码）")
    p.set_defaults(func=cmd_agency_add, acts_when=lambda a: bool(a.actor))


def _print_case(view, as_json: bool) -> None:
    from assistant.cli import print_json

    if as_json:
        print_json(view.to_dict())
        return
    print(f"案件 {view.id}  {view.case_number or '（简易程序，无立案编号）'}  {view.agency}")
    print(f"案由：{view.cause}    程序：{view.procedure}    环节：{view.state}" + (f"    结果：{view.outcome}" if view.outcome else ""))
    if view.filed_on:
        print(f"立案日：{view.filed_on}")
    print("当事人：" + "；".join(f"{p['name']}（{p['kind']}）" for p in view.parties))
    print("承办人：" + "、".join(h["display_name"] for h in view.handlers))
    flags = [k for k, v in view.flags.items() if v]
    if flags:
        print("标记：" + "、".join(flags))
    for c in view.clocks:
        print(f"  期限·{c.name}：{c.start} 起 {c.length}{c.unit}，至 {c.due}（{c.status}，剩余 {c.remaining_days} 天）依据：{c.basis}")
    for w in view.warnings:
        print(f"  注意：{w}")
    print("可进入：" + ("、".join(view.next_states) or "（已结案）"))


def cmd_create(args: argparse.Namespace, settings: Settings) -> int:
    from assistant import cases as svc
    from assistant.parties import PartyInput

    kind = args.party_kind or ("自然人" if args.id_number or not args.credit_code else "法人")
    handlers = split_csv(args.handlers)
    if not args.facts and (args.violated or args.penalty_basis or args.benchmark_ref or args.quantity):
        raise InputError("登记违法行为（--violated、--penalty-basis、--benchmark-ref、--quantity）须同时给出 --facts（违法事实）",
                         field="facts")
    _quantities(args.quantity)  # a malformed value is refused before anything is written
    db = open_database(settings)
    with db.session() as s:
        agency = svc.get_agency(s, args.agency)
        case = svc.create_case(
            s, agency_id=agency.id, cause=args.cause, actor=acting_user(args),
            handlers=handlers, procedure=args.procedure, source=args.source, filed_on=parse_date(args.filed_on),
            violation_date=parse_date(args.violation_date),
            party=PartyInput(kind, args.party_name, id_number=args.id_number, credit_code=args.credit_code,
                             address=args.address, legal_representative=args.legal_representative),
            salt=settings.salt())
        if args.facts:
            _add_violation(s, settings, case.id, acting_user(args), args)
        view = svc.show_case(s, case.id)
    _print_case(view, args.json)
    return 0


def cmd_show(args: argparse.Namespace, settings: Settings) -> int:
    from assistant import cases as svc

    db = open_database(settings)
    with db.session() as s:
        view = svc.show_case(s, args.case_id, today=parse_date(args.today),
                              actor=acting_user(args) if args.actor else None)
    _print_case(view, args.json)
    return 0


def cmd_advance(args: argparse.Namespace, settings: Settings) -> int:
    from assistant import cases as svc

    try:
        payload = json.loads(args.payload) if args.payload else {}
    except json.JSONDecodeError as exc:
        raise InputError(f"--payload 不是有效的 JSON：{exc}") from None
    penalty = dict(payload.get("penalty") or {})
    if args.types:
        penalty["types"] = split_csv(args.types)
    if args.fine is not None:
        penalty["fine"] = args.fine
    if args.confiscation is not None:
        penalty["confiscation"] = args.confiscation
    if penalty:
        payload["penalty"] = penalty
    for key in ("facts", "reasons", "basis", "served_on", "method", "reason", "ground", "band"):
        if getattr(args, key):
            payload[key] = getattr(args, key)
    if args.hearing_rights:
        payload["hearing_rights_stated"] = True
    db = open_database(settings)
    with db.session() as s:
        svc.advance(s, args.case_id, args.state, actor=acting_user(args), payload=payload, today=parse_date(args.today))
        view = svc.show_case(s, args.case_id, today=parse_date(args.today))
    _print_case(view, args.json)
    return 0


def cmd_violation(args: argparse.Namespace, settings: Settings) -> int:
    db = open_database(settings)
    with db.session() as s:
        row = _add_violation(s, settings, args.case_id, acting_user(args), args)
        ids = len(row.violated_article_ids or []) + len(row.penalty_article_ids or [])
        print(f"已登记违法行为 {row.id}：违反{row.violated_provision or '（未填）'}，依据{row.penalty_provision or '（未填）'}"
              + ("" if ids else "（未能在法条库中定位所引条文，请用 zhifa verify-citations 核对）"))
    return 0


def cmd_evidence(args: argparse.Namespace, settings: Settings) -> int:
    from assistant import cases as svc

    db = open_database(settings)
    with db.session() as s:
        row = svc.add_evidence(s, args.case_id, actor=acting_user(args), type=args.type, title=args.title,
                               description=args.description, source=args.source)
        print(f"已登记证据 {row.id}：{row.type}·{row.title}")
    return 0


def cmd_statement(args: argparse.Namespace, settings: Settings) -> int:
    from assistant import cases as svc

    db = open_database(settings)
    with db.session() as s:
        svc.record_statement(s, args.case_id, actor=acting_user(args), kind=args.kind, content=args.content, on=parse_date(args.on))
    print(f"已登记：{args.kind}")
    return 0


def cmd_review(args: argparse.Namespace, settings: Settings) -> int:
    from assistant import cases as svc

    db = open_database(settings)
    with db.session() as s:
        row = svc.record_review_result(s, args.case_id, reviewer=acting_user(args), result=args.result, opinion=args.opinion)
        print(f"第{row.round}轮法制审核：{row.result}")
    return 0


def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    from assistant import cases as svc
    from assistant.cli import print_json

    db = open_database(settings)
    with db.session(readonly=True) as s:
        agency_id = svc.get_agency(s, args.agency).id if args.agency else None
        rows = svc.list_cases(s, agency_id=agency_id, state=args.state)
    if args.json:
        print_json([r.__dict__ for r in rows])
    else:
        for r in rows:
            print(f"{r.id}\t{r.case_number or '-'}\t{r.procedure}\t{r.state}\t{r.cause}")
    return 0


def cmd_user_add(args: argparse.Namespace, settings: Settings) -> int:
    from assistant import auth
    from assistant import cases as svc

    from assistant.cli.identity import require_admin_once_bootstrapped

    db = open_database(settings)
    with db.session() as s:
        actor = require_admin_once_bootstrapped(s, args, "添加用户")
        password = os.environ.get("ZHIFA_NEW_PASSWORD") or getpass.getpass(f"新用户 {args.username} 的密码：")
        agency_id = svc.get_agency(s, args.agency).id if args.agency else None
        user = auth.create_user(s, args.username, password, args.display_name, split_csv(args.roles), agency_id,
                                args.credential_no, parse_date(args.credential_expiry),
                                enforcement_categories=split_csv(args.categories),
                                legal_qualification=args.legal_qualification, actor=actor)
        print(f"已添加用户 {user.username}（{'、'.join(sorted(user.role_names))}）")
    return 0


def cmd_agency_add(args: argparse.Namespace, settings: Settings) -> int:
    from assistant import cases as svc

    try:
        extra = json.loads(args.settings) if args.settings else {}
    except json.JSONDecodeError as exc:
        raise InputError(f"--settings 不是有效的 JSON：{exc}") from None
    from assistant.cli.identity import require_admin_once_bootstrapped

    db = open_database(settings)
    with db.session() as s:
        actor = require_admin_once_bootstrapped(s, args, "添加执法机关")
        parent = svc.get_agency(s, args.parent).id if args.parent else None
        agency = svc.create_agency(s, name=args.name, code=args.code, region=args.region, parent_id=parent,
                                   settings=extra, actor=actor)
        print(f"已添加执法机关 {agency.id}：{agency.name}（{agency.code}）")
    return 0

"""CLI for 公示, annual statistics and 案例教学.

    zhifa publish preview DECISION [--record rec.json] [--json]      # redact + show the diff
    zhifa publish approve DECISION [--role 机关负责人] [--on 2026-03-02]
    zhifa publish withdraw DECISION --explanation 理由 [--revoked-on D] [--on D]
    zhifa publish overdue [--today D] [--json]
    zhifa publish export [DECISION] --out FILE(.csv|.json|.docx|.html)
    zhifa stats annual YEAR --out report.docx [--xlsx data.xlsx] [--records recs.json]
    zhifa teach build CASE --out case.docx [--record rec.json] [--save]
    zhifa teach approve TEACHING_ID [--role 培训员]      # roles are read from the users table
    zhifa teach course --out course.docx

DECISION / CASE is a case id (digits) or a decision number of the case store; with ``--record``
(or ``--records``) the decision is read from a JSON file of DecisionRecord instead.
"""
from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from assistant.cli import db_session, print_json
from assistant.cli.identity import acting_user
from assistant.errors import InputError, NotFoundError





def _actor(args) -> str:
    """The authenticated acting user (``--actor``; see assistant.cli.identity)."""
    return acting_user(args)


def _day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InputError(f"日期“{text}”格式错误，应为 YYYY-MM-DD") from exc


def _record(session, ident: str, record_file: str | None):
    from assistant.publicity import decision_record_from_case, load_decision_records

    if record_file:
        recs = load_decision_records(record_file)
        for r in recs:
            if ident in (r.decision_id, r.document_number, str(r.case_id)):
                return r
        if len(recs) == 1 and not ident:
            return recs[0]
        raise NotFoundError(f"文件 {record_file} 中没有决定 {ident}")
    if ident.isdigit():
        return decision_record_from_case(session, int(ident))
    from sqlalchemy import select

    from assistant.store.case_tables import Case

    case_id = session.execute(select(Case.id).where(Case.decision_number == ident)).scalar_one_or_none()
    if case_id is None:
        raise NotFoundError(f"案件库中没有决定书文号为 {ident} 的案件")
    return decision_record_from_case(session, case_id)


def _db_role(session, actor: str, typed: str | None, allowed: tuple[str, ...], what: str) -> str:
    """The actor's role as recorded in the users table (a role typed on the command line is only a
    choice among the roles the user really holds). Refusals are audit-logged."""
    from sqlalchemy import select

    from assistant.audit import log_action
    from assistant.errors import PermissionDenied
    from assistant.store.case_tables import User

    user = session.execute(select(User).where(User.username == actor)).scalar_one_or_none()
    held = sorted(user.role_names) if user is not None and user.active else []
    usable = [r for r in held if r in allowed and (typed is None or r == typed)]
    if not usable:
        reason = (f"用户“{actor}”不存在或已停用" if user is None or not user.active else
                  f"用户“{actor}”的角色为{'、'.join(held) or '无'}" + (f"，不含“{typed}”" if typed else ""))
        log_action(session, case_id=None, actor=actor, action=f"{what}.refused",
                   detail={"typed_role": typed, "reason": reason})
        session.commit()
        raise PermissionDenied(f"{reason}；须由{'、'.join(allowed)}操作（角色以用户库为准）")
    return usable[0]


def _decision_id(session, ident: str) -> str:
    """Register key for an identifier given on the command line."""
    from sqlalchemy import or_, select

    from assistant.store.publicity_tables import Publication

    cond = [Publication.decision_id == ident, Publication.document_number == ident]
    if ident.isdigit():
        cond.append(Publication.case_id == int(ident))
    row = session.execute(select(Publication).where(or_(*cond))).scalars().first()
    if row is None:
        raise NotFoundError(f"公示登记簿中没有决定 {ident}，请先运行 zhifa publish preview {ident}")
    return row.decision_id


# --------------------------------------------------------------------------- publish
def _preview(args, settings) -> int:
    from assistant.publicity import PublicityPolicy, preview

    with db_session(settings) as s:
        rec = _record(s, args.decision, args.record)
        pv = preview(s, rec, actor=_actor(args), policy=PublicityPolicy.from_settings(settings))
        rows = pv.preview_rows()
        from assistant.publicity import get_publication

        pub = get_publication(s, rec.decision_id)
        if args.json:
            print_json({"decision_id": rec.decision_id, "state": pub.state, "due_on": pub.due_on,
                        "public_fields": pv.fields, "redactions": rows})
            return 0
        print(f"决定 {rec.decision_id}（{rec.document_number}）公示期限：{pub.due_on}（{pub.due_basis}）")
        print(f"脱敏 {len(rows)} 处（仅供承办人预览，勿转发）：")
        for r in rows:
            print(f"  [{r['字段']}] {r['原文']} → {r['公开版本']}　{r['类别']}；依据：{r['依据']}")
        print("—— 公开版本 ——")
        for k in ("party_name", "facts", "evidence", "penalty_text"):
            if pv.fields.get(k):
                print(f"{k}: {pv.fields[k]}")
        print(f"确认无误后运行：zhifa publish approve {rec.decision_id}")
    return 0


def _approve(args, settings) -> int:
    from assistant.publicity import _APPROVER_ROLES, approve

    with db_session(settings) as s:
        decision_id = _decision_id(s, args.decision)
        role = _db_role(s, _actor(args), args.role, _APPROVER_ROLES, "publicity.approve")
        row = approve(s, decision_id, actor=_actor(args), role=role, on=_day(args.on))
        print(f"已批准并公示：{row.decision_id}，公示日期 {row.published_on}（期限 {row.due_on}）")
    return 0


def _withdraw(args, settings) -> int:
    from assistant.publicity import PublicityPolicy, withdraw

    with db_session(settings) as s:
        row = withdraw(s, _decision_id(s, args.decision), actor=_actor(args), explanation=args.explanation,
                       on=_day(args.on), revoked_on=_day(args.revoked_on), reason=args.reason or "",
                       policy=PublicityPolicy.from_settings(settings))
        late = "（已逾期）" if row.withdrawn_on > row.withdraw_due_on else ""
        print(f"已撤回：{row.decision_id}，撤回日期 {row.withdrawn_on}，期限 {row.withdraw_due_on}{late}；"
              f"依据：{row.withdraw_basis}")
    return 0


def _overdue(args, settings) -> int:
    from assistant.publicity import overdue

    with db_session(settings, readonly=True) as s:
        items = overdue(s, _day(args.today) or date.today())
        if args.json:
            print_json([i.as_dict() for i in items])
            return 1 if items else 0
        if not items:
            print("没有逾期的公示或撤回事项。")
        for i in items:
            what = "公示逾期" if i.what == "publication" else "撤回逾期"
            print(f"{what}：{i.decision_id} {i.document_number}，期限 {i.due_on}，已逾期 {i.days_overdue} 日（{i.basis}）")
    return 1 if items else 0


def _export(args, settings) -> int:
    from assistant import publicity as P

    out = Path(args.out)
    suffix = out.suffix.lower()
    with db_session(settings, readonly=True) as s:
        if args.decision:
            rows = [P.get_publication(s, _decision_id(s, args.decision))]
            if rows[0].state not in P.PUBLIC_STATES:
                raise InputError(f"决定 {rows[0].decision_id} 尚未批准公示，不能导出公开版本")
        else:
            rows = P.published(s)
        if suffix == ".csv":
            P.export_csv(rows, out)
        elif suffix == ".json":
            P.export_json(rows, out)
        elif suffix in (".docx", ".html", ".htm"):
            if len(rows) != 1:
                raise InputError("全文公开版本（.docx / .html）每次导出一个决定，请指定决定编号")
            (P.export_docx if suffix == ".docx" else P.export_html)(rows[0], out)
        else:
            raise InputError(f"不支持的导出格式“{suffix}”，可选 .csv .json .docx .html")
    print(f"已导出 {len(rows)} 条公示信息到 {out}")
    return 0


# --------------------------------------------------------------------------- stats
def _annual(args, settings) -> int:
    from assistant.publicity import decision_records_for_year, load_decision_records, overdue
    from assistant.statistics import annual_statistics, export_report_docx, export_xlsx

    with db_session(settings, readonly=True) as s:
        recs = load_decision_records(args.records) if args.records else decision_records_for_year(s, args.year)
        try:
            late = overdue(s, date(args.year, 12, 31))
        except Exception:  # noqa: BLE001 - register not present: no publicity overdue data
            late = []
    stats = annual_statistics(recs, args.year, overdue=late)
    export_report_docx(stats, args.out, agency=args.agency or "")
    if args.xlsx:
        export_xlsx(stats, recs, args.xlsx)
    print(f"{args.year}年度：决定 {stats.total} 件，罚款 {stats.fines_total} 元，报告已写入 {args.out}"
          + (f"，数据表 {args.xlsx}" if args.xlsx else ""))
    return 0


# --------------------------------------------------------------------------- teaching
def _teach_build(args, settings) -> int:
    from assistant.teaching import build_teaching_case, export_teaching_docx, save_teaching_case

    statutes = None
    if settings.statute_db.exists():
        from corpus.statutes import StatuteStore

        statutes = StatuteStore(settings.statute_db)
    with db_session(settings) as s:
        rec = _record(s, args.case, args.record)
        from assistant.publicity import PublicityPolicy

        tc = build_teaching_case(rec, statutes=statutes, policy=PublicityPolicy.from_settings(settings).redaction)
        if args.save:
            row = save_teaching_case(s, tc, actor=_actor(args))
            print(f"教学案例已保存为草稿，编号 {row.id}；须由培训员或法制审核人员审定：zhifa teach approve {row.id}")
    export_teaching_docx(tc, args.out)
    print(f"教学案例（草稿）已写入 {args.out}：{len(tc.questions)} 道讨论题")
    return 0


def _teach_approve(args, settings) -> int:
    from assistant.teaching import APPROVER_ROLES, approve_teaching_case

    with db_session(settings) as s:
        role = _db_role(s, _actor(args), args.role, tuple(APPROVER_ROLES), "teaching.approve")
        row = approve_teaching_case(s, args.teaching_id, actor=_actor(args), role=role)
        print(f"教学案例 {row.id} 已审定（{row.approved_role} {row.approved_by}）")
    return 0


def _teach_course(args, settings) -> int:
    from assistant.teaching import approved_cases, export_course

    with db_session(settings, readonly=True) as s:
        cases = approved_cases(s)
    export_course(cases, args.out, title=args.title)
    print(f"课程材料已写入 {args.out}（{len(cases)} 个案例）")
    return 0


# --------------------------------------------------------------------------- parser
def register(subparsers: argparse._SubParsersAction) -> None:
    pub = subparsers.add_parser("publish", help="执法决定公示：脱敏预览、批准、撤回、逾期、导出")
    psub = pub.add_subparsers(dest="publish_command", metavar="操作", required=True)

    def common(p, *, record=True):
        p.add_argument("--actor", help="操作人用户名（必填；须验证密码，见 ZHIFA_PASSWORD）")
        if record:
            p.add_argument("--record", help="从 JSON 文件读取决定记录（不读案件库）")

    p = psub.add_parser("preview", help="生成公开版本并显示脱敏对照")
    p.add_argument("decision")
    p.add_argument("--json", action="store_true")
    common(p)
    p.set_defaults(func=_preview)
    p = psub.add_parser("approve", help="批准并公示已预览的公开版本")
    p.add_argument("decision")
    p.add_argument("--role", help="以用户库中本人持有的哪个角色批准（机关负责人 / 法制审核人员 / 管理员）")
    p.add_argument("--on", help="公示日期 YYYY-MM-DD（默认今天）")
    common(p, record=False)
    p.set_defaults(func=_approve)
    p = psub.add_parser("withdraw", help="决定被变更、撤销后撤回公示信息并说明理由")
    p.add_argument("decision")
    p.add_argument("--explanation", required=True, help="公开说明的撤回理由（行政处罚法 第四十八条）")
    p.add_argument("--reason", help="变更/撤销的原因（内部记录）")
    p.add_argument("--revoked-on", help="决定被变更、撤销的日期（撤回期限起算日）")
    p.add_argument("--on", help="撤回日期（默认今天）")
    common(p, record=False)
    p.set_defaults(func=_withdraw)
    p = psub.add_parser("overdue", help="列出逾期未公示、逾期未撤回的决定（有逾期时退出码为 1）")
    p.add_argument("--today", help="以该日期判断（默认今天）")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_overdue)
    p = psub.add_parser("export", help="导出公示信息：.csv/.json（双公示字段）或 .docx/.html（全文公开版）")
    p.add_argument("decision", nargs="?")
    p.add_argument("--out", required=True)
    p.set_defaults(func=_export)

    st = subparsers.add_parser("stats", help="年度行政执法统计（每年1月31日前公开）")
    ssub = st.add_subparsers(dest="stats_command", metavar="操作", required=True)
    p = ssub.add_parser("annual", help="年度统计报告（.docx，含图表）和数据表（.xlsx）")
    p.add_argument("year", type=int)
    p.add_argument("--out", required=True)
    p.add_argument("--xlsx")
    p.add_argument("--records", help="从 JSON 文件读取决定记录（不读案件库）")
    p.add_argument("--agency", help="报告标题中的机关名称")
    p.set_defaults(func=_annual)

    te = subparsers.add_parser("teach", help="案例教学：由已决案件生成教学案例")
    tsub = te.add_subparsers(dest="teach_command", metavar="操作", required=True)
    p = tsub.add_parser("build", help="生成教学案例草稿（.docx）")
    p.add_argument("case")
    p.add_argument("--out", required=True)
    p.add_argument("--save", action="store_true", help="同时保存为待审定草稿")
    common(p)
    p.set_defaults(func=_teach_build, acts_when=lambda a: a.save)
    p = tsub.add_parser("approve", help="审定教学案例（培训员或法制审核人员，非本案承办人）")
    p.add_argument("teaching_id", type=int)
    p.add_argument("--role", help="以用户库中本人持有的哪个角色审定（培训员 / 法制审核人员）")
    common(p, record=False)
    p.set_defaults(func=_teach_approve)
    p = tsub.add_parser("course", help="把已审定的教学案例汇编为一份课程材料")
    p.add_argument("--out", required=True)
    p.add_argument("--title", default="行政执法典型案例教学材料")
    p.set_defaults(func=_teach_course)

"""系统管理 tab (管理员): users of the agency, agency settings, corpora (regulations, discretion
benchmarks, precedents) and the search-index rebuild with progress."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import gradio as gr

from assistant import roles as R
from assistant.errors import InputError
from ui.common import guarded, service_attr, service_module, table
from ui.uploads import check_upload

log = logging.getLogger(__name__)

USER_HEADERS = ["用户名", "姓名", "角色", "执法证号", "法律职业资格", "状态"]
REG_TYPES = [".txt", ".md", ".docx"]
BENCH_TYPES = [".xlsx", ".xls", ".csv", ".json", ".md"]
PRECEDENT_TYPES = [".json", ".jsonl", ".docx", ".txt"]


@dataclass
class AdminTab:
    on_login: tuple


def build(services, sess: gr.State) -> AdminTab:
    max_mb = services.settings.max_upload_mb
    with gr.Tabs():
        with gr.Tab("用户管理"):
            users = gr.Dataframe(value=table([], USER_HEADERS), interactive=False, label="本单位用户", elem_id="admin-users")
            gr.Markdown("#### 新建用户")
            with gr.Row():
                new_user = gr.Textbox(label="用户名", elem_id="admin-new-username")
                new_name = gr.Textbox(label="姓名", elem_id="admin-new-name")
                new_pwd = gr.Textbox(label="初始密码（至少8位）", type="password", elem_id="admin-new-password")
            with gr.Row():
                new_roles = gr.CheckboxGroup(list(R.ALL_ROLES), label="角色", elem_id="admin-new-roles")
            with gr.Row():
                new_cred = gr.Textbox(label="执法证号（承办人必填）")
                new_cred_exp = gr.Textbox(label="执法证有效期至（YYYY-MM-DD，可空）")
                new_legal = gr.Checkbox(label="具有法律职业资格（首次从事法制审核须具备）")
            create_btn = gr.Button("创建用户", variant="primary", elem_id="admin-create-user")
            user_status = gr.Markdown(elem_id="admin-user-status")
            gr.Markdown("#### 停用 / 启用账号、重置密码")
            with gr.Row():
                manage_user = gr.Textbox(label="用户名", elem_id="admin-manage-username")
                manage_pwd = gr.Textbox(label="新密码（至少8位，仅重置密码时填写）", type="password",
                                        elem_id="admin-manage-password")
            with gr.Row():
                disable_btn = gr.Button("停用账号", variant="stop", elem_id="admin-disable-user")
                enable_btn = gr.Button("启用账号", elem_id="admin-enable-user")
                reset_btn = gr.Button("重置密码", elem_id="admin-reset-password")
        with gr.Tab("单位设置"):
            gr.Markdown("文书编号模板、听证金额标准（行政处罚法 第六十三条）、陈述申辩期限与节假日日历版本按单位配置。")
            with gr.Row():
                set_template = gr.Textbox(label="文书编号模板（须含 {序号}；可用 {机关代字}{类别字}{YYYY}{序号}）",
                                          elem_id="admin-set-template", scale=3)
                set_calendar = gr.Dropdown([], label="节假日日历版本", elem_id="admin-set-calendar")
            with gr.Row():
                set_fine_person = gr.Number(label="听证标准：自然人罚款（元）", elem_id="admin-set-fine-person")
                set_fine_legal = gr.Number(label="听证标准：法人罚款（元）", elem_id="admin-set-fine-legal")
                set_fine_other = gr.Number(label="听证标准：其他组织罚款（元）", elem_id="admin-set-fine-other")
            with gr.Row():
                set_days = gr.Number(label="陈述申辩期限", precision=0, elem_id="admin-set-days")
                set_unit = gr.Radio(["工作日", "日"], value="工作日", label="期限单位", elem_id="admin-set-unit")
            save_settings_btn = gr.Button("保存单位设置", variant="primary", elem_id="admin-save-settings")
            settings_status = gr.Markdown(elem_id="admin-settings-status")
        with gr.Tab("语料与索引"):
            gr.Markdown(f"上传文件上限 {max_mb} MB。导入后请重建检索索引。")
            with gr.Row():
                reg_files = gr.File(label="法规规章（.txt / .md / .docx）", file_count="multiple",
                                    file_types=REG_TYPES, elem_id="admin-reg-files")
                reg_btn = gr.Button("导入法规规章")
            with gr.Row():
                bench_file = gr.File(label="裁量基准表（.xlsx / .xls / .csv / .json）", file_types=BENCH_TYPES)
                bench_btn = gr.Button("导入裁量基准")
            with gr.Row():
                prec_file = gr.File(label="典型案例 / 处罚决定（.json / .jsonl / .docx / .txt）", file_types=PRECEDENT_TYPES)
                prec_btn = gr.Button("导入案例")
            index_btn = gr.Button("重建检索索引", variant="primary", elem_id="admin-rebuild-index")
            corpus_status = gr.Markdown(elem_id="admin-corpus-status")

    def _users(s):
        from sqlalchemy import select

        from assistant.store.case_tables import User

        with services.db.session(readonly=True) as db:
            rows = [[u.username, u.display_name, "、".join(sorted(u.role_names)), u.credential_no or "",
                     "是" if u.legal_qualification else "", "启用" if u.active else "停用"]
                    for u in db.execute(select(User).where(User.agency_id == s.agency_id).order_by(User.id)).scalars()]
        return table(rows, USER_HEADERS)

    def _agency_mod():
        return service_module("assistant.agency_settings", "单位设置")

    def _settings_fields(s) -> list:
        mod = _agency_mod()
        with services.db.session(readonly=True) as db:
            cfg = mod.load_agency_settings(db, s.agency_id)
        fines = cfg.hearing_fine_at_least
        return [cfg.numbering_template,
                gr.update(choices=list(mod.holiday_calendar_versions()), value=cfg.holiday_calendar_version),
                fines.get("自然人"), fines.get("法人"), fines.get("其他组织"), cfg.statement_period_days,
                cfg.statement_period_unit]

    settings_fields = [set_template, set_calendar, set_fine_person, set_fine_legal, set_fine_other, set_days, set_unit]

    @guarded(R.ADMIN)
    def load_all(s):
        return _users(s), *_settings_fields(s)

    def on_login(s):
        if s is None or not s.sees("admin"):
            return [gr.skip()] * (1 + len(settings_fields))
        try:
            return load_all(s)
        except gr.Error:
            return [gr.skip()] * (1 + len(settings_fields))

    @guarded(R.ADMIN)
    def create(s, username, name, pwd, roles, cred, cred_exp, legal):
        from assistant.auth import create_user

        from ui.common import parse_day

        if not roles:
            raise InputError("请至少选择一个角色。")
        if R.HANDLER in roles and not (cred or "").strip():
            raise InputError("承办人须填写执法证号（行政处罚法 第四十二条）。")
        with services.db.session() as db:
            create_user(db, username=username, password=pwd or "", display_name=name, roles=roles,
                        agency_id=s.agency_id, credential_no=(cred or "").strip() or None,
                        credential_expiry=parse_day(cred_exp, "执法证有效期"), legal_qualification=bool(legal),
                        actor=s.username)
        return f"已创建用户“{username.strip()}”。", _users(s), ""

    create_btn.click(create, [sess, new_user, new_name, new_pwd, new_roles, new_cred, new_cred_exp, new_legal],
                     [user_status, users, new_pwd], api_visibility="private")

    def _manage(kind):
        @guarded(R.ADMIN)
        def act(s, username, pwd):
            admin = service_module("assistant.user_admin", "用户管理")
            who = (username or "").strip()
            with services.db.session() as db:
                if kind == "reset":
                    admin.reset_password(db, who, pwd or "", actor=s.username, actor_roles=s.roles,
                                         agency_id=s.agency_id)
                else:
                    admin.set_active(db, who, kind == "enable", actor=s.username, actor_roles=s.roles,
                                     agency_id=s.agency_id)
            done = {"enable": "已启用", "disable": "已停用", "reset": "已重置密码"}[kind]
            return f"用户“{who}”{done}。", _users(s), ""

        return act

    for btn, kind in ((disable_btn, "disable"), (enable_btn, "enable"), (reset_btn, "reset")):
        btn.click(_manage(kind), [sess, manage_user, manage_pwd], [user_status, users, manage_pwd],
                  api_visibility="private")

    @guarded(R.ADMIN)
    def save_settings(s, template, calendar, fine_person, fine_legal, fine_other, days, unit):
        mod = _agency_mod()
        fines = {}
        for kind, value in (("自然人", fine_person), ("法人", fine_legal), ("其他组织", fine_other)):
            if value in (None, ""):
                raise InputError(f"请填写{kind}的听证罚款金额标准。")
            fines[kind] = value
        if days in (None, ""):
            raise InputError("请填写陈述申辩期限天数。")
        cfg = mod.AgencySettings(numbering_template=template or "", hearing_fine_at_least=fines,
                                 statement_period_days=days, statement_period_unit=unit or "工作日",
                                 holiday_calendar_version=calendar or "")
        with services.db.session() as db:
            mod.save_agency_settings(db, s.agency_id, cfg, actor=s.username, roles=s.roles)
        return ["单位设置已保存。", *_settings_fields(s)]

    save_settings_btn.click(save_settings, [sess, *settings_fields], [settings_status, *settings_fields],
                            api_visibility="private")

    @guarded(R.ADMIN)
    def import_regs(s, files, progress=gr.Progress()):
        paths = [check_upload(f, REG_TYPES, max_mb, "法规规章文件") for f in (files or [])]
        if not paths:
            raise InputError("请先选择要导入的法规规章文件。")
        from corpus.regulations import import_instruments

        progress(0.2, desc="正在解析并导入…")
        results = import_instruments(services.statutes, paths)
        lines = [f"- {r.name}：{r.message}" for r in results]
        return "导入完成（导入后请重建检索索引）：\n" + "\n".join(lines)

    reg_btn.click(import_regs, [sess, reg_files], corpus_status, api_visibility="private")

    @guarded(R.ADMIN)
    def import_bench(s, file, progress=gr.Progress()):
        path = check_upload(file, BENCH_TYPES, max_mb, "裁量基准文件")
        from corpus.benchmarks import import_benchmark_file

        save = service_attr("assistant.discretion.repository", "save_report", "裁量基准入库")
        progress(0.2, desc="正在解析裁量基准…")
        report = import_benchmark_file(path, store=services.statutes, agency=s.agency_name or None)
        with services.db.session() as db:
            save(db, report)
        summ = report.summary()
        lines = [f"导入 {summ['violations']} 个违法行为、{summ['tiers']} 个裁量档次。"]
        lines += [f"- 需核对的引用：{c}" for c in summ["flagged_citations"][:20]]
        lines += [f"- 未能解析：{u}" for u in summ["unparsed"][:20]]
        return "\n".join(lines)

    bench_btn.click(import_bench, [sess, bench_file], corpus_status, api_visibility="private")

    @guarded(R.ADMIN)
    def import_prec(s, file, progress=gr.Progress()):
        path = check_upload(file, PRECEDENT_TYPES, max_mb, "案例文件")
        importer = service_attr("assistant.precedents", "import_path", "典型案例导入")
        progress(0.2, desc="正在导入案例…")
        with services.db.session() as db:
            reports = importer(db, Path(path), services.statutes)
        return "案例导入完成：\n" + "\n".join(f"- {r}" for r in reports)

    prec_btn.click(import_prec, [sess, prec_file], corpus_status, api_visibility="private")

    @guarded(R.ADMIN)
    def rebuild(s, progress=gr.Progress(track_tqdm=True)):  # the embedding bar shows in the page
        build_index = service_attr("index.build", "build_index", "检索索引重建")
        steps: list[str] = []

        def say(msg: str) -> None:
            steps.append(msg)
            progress(min(0.95, 0.05 + 0.1 * len(steps)), desc=msg)

        progress(0.02, desc="正在重建检索索引…")
        build_index(services.settings, services.statutes, progress=say)
        # the next search loads the new index (Services.searcher follows the manifest on disk)
        return "检索索引已重建：\n" + "\n".join(f"- {m}" for m in steps[-8:])

    index_btn.click(rebuild, sess, corpus_status, api_visibility="private")
    return AdminTab(on_login=(on_login, [users, *settings_fields]))

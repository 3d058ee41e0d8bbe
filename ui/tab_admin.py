"""系统管理 tab (管理员): users of the agency, agency settings, corpora (regulations, discretion
benchmarks, precedents) and the search-index rebuild with progress."""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

import gradio as gr

from assistant import roles as R
from assistant.errors import InputError
from ui.common import guarded, service_attr, table
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
        with gr.Tab("单位设置"):
            gr.Markdown("文书编号模板、听证金额标准、节假日日历版本、陈述申辩期限等按单位配置（JSON）。")
            agency_settings = gr.Code(language="json", label="本单位设置", elem_id="admin-agency-settings")
            save_settings_btn = gr.Button("保存单位设置")
            settings_status = gr.Markdown()
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

    def _settings_json(s) -> str:
        from assistant.store.case_tables import Agency

        with services.db.session(readonly=True) as db:
            agency = db.get(Agency, s.agency_id) if s.agency_id is not None else None
            return json.dumps(agency.settings if agency else {}, ensure_ascii=False, indent=2)

    @guarded(R.ADMIN)
    def load_all(s):
        return _users(s), _settings_json(s)

    def on_login(s):
        if s is None or not s.sees("admin"):
            return gr.skip(), gr.skip()
        try:
            return load_all(s)
        except gr.Error:
            return gr.skip(), gr.skip()

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

    @guarded(R.ADMIN)
    def save_settings(s, text):
        try:
            data = json.loads(text or "{}")
        except json.JSONDecodeError as exc:
            raise InputError(f"单位设置不是有效的 JSON：第{exc.lineno}行第{exc.colno}列，{exc.msg}") from None
        if not isinstance(data, dict):
            raise InputError("单位设置应为一个 JSON 对象（{…}）。")
        update = service_attr("assistant.cases", "update_agency_settings", "单位设置保存")
        with services.db.session() as db:
            update(db, s.agency_id, data, actor=s.username)
        return "单位设置已保存。", _settings_json(s)

    save_settings_btn.click(save_settings, [sess, agency_settings], [settings_status, agency_settings],
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
    def rebuild(s, progress=gr.Progress()):
        build_index = service_attr("index.build", "build_index", "检索索引重建")
        steps: list[str] = []

        def say(msg: str) -> None:
            steps.append(msg)
            progress(min(0.95, 0.05 + 0.1 * len(steps)), desc=msg)

        progress(0.02, desc="正在重建检索索引…")
        build_index(services.settings, services.statutes, progress=say)
        services.__dict__.pop("searcher", None)  # next search loads the new index
        return "检索索引已重建：\n" + "\n".join(f"- {m}" for m in steps[-8:])

    index_btn.click(rebuild, sess, corpus_status, api_visibility="private")
    return AdminTab(on_login=(on_login, [users, agency_settings]))

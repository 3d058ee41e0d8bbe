"""案例教学 tab (培训员): pick decided cases of the agency, preview the anonymised teaching case,
save it as a draft, approve it (not by a handler of the case), export .docx (one case or the
course of every approved case). The trainer only ever sees the redacted teaching text.

Services: assistant.teaching, assistant.publicity (decision_record_from_case), assistant.cases.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import gradio as gr

from assistant import roles as R
from assistant.errors import InputError, PermissionDenied
from ui.common import guarded, md_escape, service_module, table

log = logging.getLogger(__name__)

DECIDED_STATES = ("决定", "送达", "执行", "结案", "不予处罚", "当场决定")
SAVED_HEADERS = ["编号", "标题", "状态", "编写人", "时间"]
STATE_LABELS = {"draft": "草稿", "approved": "已审定"}


@dataclass
class TeachingTab:
    on_login: tuple


def render(tc) -> str:
    lines = [f"#### {md_escape(tc.title)}", f"**机关**：{md_escape(tc.agency)}　**决定日期**：{tc.decided_on}",
             "**基本案情**", md_escape(tc.facts)]
    if tc.disputes:
        lines += ["**争议焦点**"] + [f"- {md_escape(d)}" for d in tc.disputes]
    if tc.law:
        lines += ["**法律适用**"] + [f"- {x.role}：{md_escape(x.citation)}" + (f"（{md_escape(x.note)}）" if x.note else "")
                                  for x in tc.law]
    if tc.discretion:
        lines += ["**裁量说明**", md_escape(tc.discretion)]
    if tc.review:
        lines += ["**法制审核要点**"] + [f"- {md_escape(r)}" for r in tc.review]
    lines += ["**处理结果**", md_escape(tc.outcome)]
    if tc.lessons:
        lines += ["**办案启示**"] + [f"- {md_escape(x)}" for x in tc.lessons]
    if tc.questions:
        lines += ["**思考题**"] + [f"{i}. {md_escape(q.question)}" for i, q in enumerate(tc.questions, 1)]
    return "\n\n".join(lines)


def build(services, sess: gr.State) -> TeachingTab:
    gr.Markdown("### 案例教学\n从本单位已决案件编写教学案例；当事人及个人信息已脱敏，审定后方可导出使用。")
    with gr.Row():
        refresh_btn = gr.Button("刷新", size="sm", scale=0)
        case_pick = gr.Dropdown([], label="选择已决案件", interactive=True, elem_id="teach-case", scale=3)
        preview_btn = gr.Button("生成教学案例预览", elem_id="teach-preview")
    status = gr.Markdown(elem_id="teach-status")
    preview = gr.Markdown(elem_id="teach-view")
    save_btn = gr.Button("保存为草稿", elem_id="teach-save")
    saved = gr.Dataframe(value=table([], SAVED_HEADERS), interactive=False, label="教学案例", elem_id="teach-saved")
    with gr.Row():
        tid = gr.Number(label="教学案例编号", precision=0, elem_id="teach-id")
        approve_btn = gr.Button("审定", elem_id="teach-approve")
        export_btn = gr.Button("导出 .docx", elem_id="teach-export")
        course_btn = gr.Button("导出全部已审定案例（课程）")
    export_file = gr.File(label="下载", interactive=False, elem_id="teach-file")
    preview_state = gr.State(None)  # per user: the previewed TeachingCase as a dict

    def _cases(s):
        cases = service_module("assistant.cases", "案件服务")
        with services.db.session(readonly=True) as db:
            found = [c for st in DECIDED_STATES for c in cases.list_cases(db, agency_id=s.agency_id, state=st)]
        return found

    def _saved(s):
        service_module("assistant.teaching", "案例教学")
        from sqlalchemy import select

        from assistant.store.publicity_tables import TeachingCaseRow

        ids = {c.id for c in _cases(s)}
        with services.db.session(readonly=True) as db:
            rows = [[r.id, r.title, STATE_LABELS.get(r.state, r.state), r.created_by, f"{r.created_at:%Y-%m-%d %H:%M}"]
                    for r in db.execute(select(TeachingCaseRow).order_by(TeachingCaseRow.id.desc())).scalars()
                    if r.case_id in ids]
        return table(rows, SAVED_HEADERS)

    @guarded(R.TRAINER)
    def refresh(s):
        found = _cases(s)
        choices = [(f"{c.id} · {c.case_number or ''} {c.cause}（{c.state}）", c.id) for c in found]
        return gr.update(choices=choices), _saved(s), ("" if found else "本单位暂无已作出决定的案件。")

    def on_login(s):
        if s is None or not s.sees("teaching"):
            return gr.skip(), gr.skip(), gr.skip()
        try:
            return refresh(s)
        except gr.Error:
            return gr.skip(), gr.skip(), gr.skip()

    refresh_btn.click(refresh, sess, [case_pick, saved, status], api_visibility="private")

    @guarded(R.TRAINER)
    def do_preview(s, case_id, progress=gr.Progress()):
        if case_id in (None, ""):
            raise InputError("请先选择一个已决案件。")
        if int(case_id) not in {c.id for c in _cases(s)}:
            raise PermissionDenied("只能选择本单位已作出决定的案件。")
        teaching = service_module("assistant.teaching", "案例教学")
        publicity = service_module("assistant.publicity", "决定记录")
        progress(0.3, desc="正在脱敏并编写教学案例…")
        with services.db.session(readonly=True) as db:
            record = publicity.decision_record_from_case(db, int(case_id))
        tc = teaching.build_teaching_case(record, statutes=services.statutes)
        return "预览如下（已脱敏）。", render(tc), tc.to_dict()

    preview_btn.click(do_preview, [sess, case_pick], [status, preview, preview_state], api_visibility="private")

    @guarded(R.TRAINER)
    def do_save(s, data):
        if not data:
            raise InputError("请先生成教学案例预览。")
        teaching = service_module("assistant.teaching", "案例教学")
        with services.db.session() as db:
            row = teaching.save_teaching_case(db, teaching.TeachingCase.from_dict(data), actor=s.username)
            new_id = row.id
        return f"已保存为草稿，编号 {new_id}。", _saved(s), new_id

    save_btn.click(do_save, [sess, preview_state], [status, saved, tid], api_visibility="private")

    def _own_row(db, s, teaching_id):
        teaching = service_module("assistant.teaching", "案例教学")
        if teaching_id in (None, ""):
            raise InputError("请填写教学案例编号。")
        row = teaching.get_teaching_case(db, int(teaching_id))
        if row.case_id not in {c.id for c in _cases(s)}:
            raise PermissionDenied("该教学案例不属于本单位。")
        return row

    @guarded(R.TRAINER)
    def do_approve(s, teaching_id):
        teaching = service_module("assistant.teaching", "案例教学")
        with services.db.session() as db:
            _own_row(db, s, teaching_id)
            teaching.approve_teaching_case(db, int(teaching_id), actor=s.username, role=R.TRAINER)
        return f"教学案例 {int(teaching_id)} 已审定。", _saved(s)

    approve_btn.click(do_approve, [sess, tid], [status, saved], api_visibility="private")

    def _out(s, name: str) -> Path:
        out = Path(services.settings.home) / "downloads" / s.username
        out.mkdir(parents=True, exist_ok=True)
        return out / f"{name}-{datetime.now():%Y%m%d%H%M%S}.docx"

    @guarded(R.TRAINER)
    def do_export(s, teaching_id):
        teaching = service_module("assistant.teaching", "案例教学")
        with services.db.session(readonly=True) as db:
            row = _own_row(db, s, teaching_id)
            tc, approved = teaching.TeachingCase.from_dict(row.content), row.state == "approved"
        path = teaching.export_teaching_docx(tc, _out(s, f"教学案例{int(teaching_id)}"), approved=approved)
        note = "" if approved else "（未审定：导出件带“未审定”标记）"
        return f"已导出{note}。", str(path)

    export_btn.click(do_export, [sess, tid], [status, export_file], api_visibility="private")

    @guarded(R.TRAINER)
    def do_course(s):
        teaching = service_module("assistant.teaching", "案例教学")
        ids = {c.id for c in _cases(s)}
        with services.db.session(readonly=True) as db:
            tcs = [tc for tc in teaching.approved_cases(db) if tc.case_id in ids]
        if not tcs:
            raise InputError("本单位还没有已审定的教学案例。")
        path = teaching.export_course(tcs, _out(s, "教学案例汇编"))
        return f"已导出 {len(tcs)} 个已审定案例。", str(path)

    course_btn.click(do_course, sess, [status, export_file], api_visibility="private")
    return TeachingTab(on_login=(on_login, [case_pick, saved, status]))

"""The case page of 我的案件: status line, case summary, running deadlines, the next legal steps
(each tried in a rolled-back transaction so a blocked step shows its reason and article), and the
lifecycle actions: advance to a step, record 陈述申辩/听证, facts (违法行为) and evidence.

:class:`CaseContext` is shared by the other parts of the tab (case list, push panel, interview,
drafting): the services, the session state, the case picker and ``page(s, case_id)`` that renders
the page outputs. No domain logic here.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

import gradio as gr

from assistant import roles as R
from assistant.errors import GateRefused, InputError, PermissionDenied
from ui.common import guarded, md_escape, parse_day, service_module, table
from ui.uploads import check_upload

log = logging.getLogger(__name__)

CLOCK_HEADERS = ["期限", "起算日", "届满日", "剩余天数", "状态", "依据"]
STEP_HEADERS = ["下一步", "能否进行", "原因与依据"]
AUDIO_TYPES = [".wav", ".mp3", ".m4a", ".flac", ".ogg", ".amr", ".mp4"]
EVIDENCE_TYPES = [".pdf", ".jpg", ".jpeg", ".png", ".docx", ".xlsx", ".txt", *AUDIO_TYPES]


class _DryRun(Exception):
    """Raised inside a session to roll back a trial step."""


@dataclass
class CaseContext:
    services: object
    sess: gr.State
    cases_table: object = None
    case_pick: object = None
    case_status: object = None
    page_outputs: list = field(default_factory=list)

    @property
    def max_mb(self) -> int:
        return self.services.settings.max_upload_mb

    def cases_mod(self):
        return service_module("assistant.cases", "案件服务")

    def own_case(self, db, s, case_id):
        if case_id in (None, ""):
            raise InputError("请先在上方选择一个案件。")
        case = self.cases_mod().get_case(db, int(case_id))
        if case.agency_id != s.agency_id:
            raise PermissionDenied("该案件不属于本单位，无权查看。")
        return case

    def list(self, s):
        from ui.case_list import list_cases

        return list_cases(self, s)

    def trial(self, s, case_id, target, payload) -> str | None:
        """Try the step in a transaction that is always rolled back: None = allowed."""
        cases = self.cases_mod()
        try:
            with self.services.db.session() as db:
                cases.advance(db, int(case_id), target, actor=s.username, payload=payload)
                raise _DryRun
        except _DryRun:
            return None
        except GateRefused as exc:
            return exc.message
        except InputError as exc:
            return exc.message

    def page(self, s, case_id, payload=None):
        cases = self.cases_mod()
        with self.services.db.session() as db:
            self.own_case(db, s, case_id)
            v = cases.show_case(db, int(case_id), actor=s.username)
            evidence_types = list(cases.EVIDENCE_TYPES)
        from assistant import lifecycle as lc

        path = lc.ORDINARY_STATES[:10] if v.procedure == lc.ORDINARY else lc.SIMPLE_STATES[:5]
        flow = " → ".join(f"**【{st}】**" if st == v.state else st for st in path)
        parties = "；".join(f"{p['name']}（{p['kind']}）" for p in v.parties) or "（未登记）"
        handlers = "、".join(h["display_name"] for h in v.handlers)
        lines = [f"#### {v.case_number or '简易程序案件'} · {md_escape(v.cause)}",
                 f"**当前环节**：{v.state}　**程序**：{v.procedure}　**立案日**：{v.filed_on or '—'}　"
                 f"**违法行为发生日**：{v.violation_date or '—'}",
                 f"**流程**：{flow}",
                 f"**当事人**：{md_escape(parties)}　**承办人**：{handlers}"]
        if v.review_reasons:
            lines.append("**须法制审核**：" + "；".join(str(r.get('name', r) if isinstance(r, dict) else r)
                                                 for r in v.review_reasons))
        if v.violations:
            lines.append("**违法行为**：")
            lines += [f"- {md_escape(x['description'])}（违法依据：{x['violated_provision'] or '未填'}；"
                      f"处罚依据：{x['penalty_provision'] or '未填'}）" for x in v.violations]
        if v.evidence:
            lines.append("**证据**：" + "；".join(f"{e['type']}·{md_escape(e['title'])}" for e in v.evidence))
        for w in v.warnings:
            lines.append(f"> ⚠ {w}")
        clock_rows = [[c.name, c.start.isoformat(), c.due.isoformat(), c.remaining_days, c.status, c.basis]
                      for c in v.clocks]
        step_rows = []
        payload = payload or {}
        for target in v.next_states:
            why = self.trial(s, case_id, target, payload)
            step_rows.append([target, "可以进行" if why is None else "暂不能进行", why or ""])
        ok = [r[0] for r in step_rows if r[1] == "可以进行"]
        if ok:
            lines.append(f"\n**下一步可进行**：{'、'.join(ok)}")
        return ("\n\n".join(lines), table(clock_rows, CLOCK_HEADERS), table(step_rows, STEP_HEADERS),
                gr.update(choices=v.next_states, value=(ok[0] if ok else None)),
                gr.update(choices=evidence_types, value=evidence_types[0] if evidence_types else None))


def step_payload(types, fine, facts, reasons, basis, served, method, reason, rights) -> dict:
    payload: dict = {"hearing_rights_stated": bool(rights), "rights_stated": bool(rights)}
    t = [x.strip() for x in (types or "").replace("，", ",").replace("、", ",").split(",") if x.strip()]
    if t or fine:
        payload["penalty"] = {"types": t, "fine": float(fine or 0)}
    for key, val in (("facts", facts), ("reasons", reasons), ("basis", basis), ("method", method),
                     ("reason", reason), ("ground", reason)):
        if (val or "").strip():
            payload[key] = val.strip()
    day = parse_day(served, "送达日期")
    if day:
        payload["served_on"] = day.isoformat()
    return payload


def build(ctx: CaseContext) -> None:
    """The page and its lifecycle actions; sets ``ctx.case_status`` and ``ctx.page_outputs``."""
    services, sess, max_mb = ctx.services, ctx.sess, ctx.max_mb

    case_status = gr.Markdown(elem_id="case-status")
    case_view = gr.Markdown(elem_id="case-view")
    clocks = gr.Dataframe(value=table([], CLOCK_HEADERS), interactive=False, label="办案期限", elem_id="case-clocks")
    steps = gr.Dataframe(value=table([], STEP_HEADERS), interactive=False, wrap=True, label="下一步（按法定程序）",
                         elem_id="case-steps")

    with gr.Accordion("推进程序", open=True):
        with gr.Row():
            step_pick = gr.Dropdown([], label="进入环节", elem_id="step-pick")
            p_types = gr.Textbox(label="处罚种类（逗号分隔，如 警告,罚款）", elem_id="step-types")
            p_fine = gr.Number(label="罚款金额（元）", value=None, elem_id="step-fine")
        with gr.Row():
            p_facts = gr.Textbox(label="事实", lines=2, elem_id="step-facts")
            p_reasons = gr.Textbox(label="理由", lines=2, elem_id="step-reasons")
            p_basis = gr.Textbox(label="依据", lines=2, elem_id="step-basis")
        with gr.Row():
            p_served = gr.Textbox(label="送达日期（YYYY-MM-DD）")
            p_method = gr.Textbox(label="送达方式")
            p_reason = gr.Textbox(label="说明理由 / 不予处罚理由")
            p_rights = gr.Checkbox(label="已告知陈述、申辩、听证权利", value=True)
        advance_btn = gr.Button("进入所选环节", variant="primary", elem_id="step-go")

    with gr.Accordion("陈述申辩与听证", open=False, elem_id="case-statement"):
        with gr.Row():
            st_kind = gr.Dropdown(["陈述", "申辩", "放弃陈述申辩", "听证申请", "放弃听证", "复核意见"], value="陈述",
                                  label="类型", elem_id="statement-kind")
            st_content = gr.Textbox(label="内容 / 笔录摘要", elem_id="statement-content")
            st_btn = gr.Button("登记", elem_id="statement-save")

    with gr.Accordion("事实与证据", open=False, elem_id="case-facts"):
        with gr.Row():
            v_desc = gr.Textbox(label="违法行为（事实）", lines=3, elem_id="violation-desc")
            v_violated = gr.Textbox(label="违法依据（如《食品安全法》第三十四条第（十）项）", elem_id="violation-violated")
            v_penalty = gr.Textbox(label="处罚依据（如《食品安全法》第一百二十四条）", elem_id="violation-penalty")
        add_violation_btn = gr.Button("保存违法行为", elem_id="violation-save")
        with gr.Row():
            e_type = gr.Dropdown([], label="证据种类")
            e_title = gr.Textbox(label="证据名称")
            e_file = gr.File(label=f"证据文件（可空，≤{max_mb} MB）")
        add_evidence_btn = gr.Button("登记证据")

    page_outputs = [case_view, clocks, steps, step_pick, e_type]
    ctx.case_status, ctx.page_outputs = case_status, page_outputs
    case_pick = ctx.case_pick

    @guarded(R.HANDLER)
    def open_case(s, case_id):
        if case_id in (None, ""):
            return ["", *[gr.skip()] * len(page_outputs)]
        return ["", *ctx.page(s, case_id)]

    case_pick.input(open_case, [sess, case_pick], [case_status, *page_outputs], api_visibility="private")

    @guarded(R.HANDLER)
    def go(s, case_id, target, *fields):
        if not target:
            raise InputError("请选择要进入的环节。")
        payload = step_payload(*fields)
        cases = ctx.cases_mod()
        try:
            with services.db.session() as db:
                ctx.own_case(db, s, case_id)
                cases.advance(db, int(case_id), target, actor=s.username, payload=payload)
        except GateRefused as exc:
            return [f"<span class='zf-blocked'>不能进入“{target}”：{exc.message}</span>", gr.skip(),
                    *ctx.page(s, case_id, payload)]
        tbl, _ = ctx.list(s)
        return [f"已进入“{target}”。", tbl, *ctx.page(s, case_id)]

    step_fields = [p_types, p_fine, p_facts, p_reasons, p_basis, p_served, p_method, p_reason, p_rights]
    advance_btn.click(go, [sess, case_pick, step_pick, *step_fields], [case_status, ctx.cases_table, *page_outputs],
                      api_visibility="private")

    @guarded(R.HANDLER)
    def save_violation(s, case_id, desc, violated, penalty):
        cases = ctx.cases_mod()
        with services.db.session() as db:
            ctx.own_case(db, s, case_id)
            cases.add_violation(db, int(case_id), actor=s.username, description=desc or "",
                                violated_provision=violated or "", penalty_provision=penalty or "")
        return ["违法行为已保存。", *ctx.page(s, case_id)]

    add_violation_btn.click(save_violation, [sess, case_pick, v_desc, v_violated, v_penalty],
                            [case_status, *page_outputs], api_visibility="private")

    @guarded(R.HANDLER)
    def save_statement(s, case_id, kind, content):
        cases = ctx.cases_mod()
        with services.db.session() as db:
            ctx.own_case(db, s, case_id)
            cases.record_statement(db, int(case_id), actor=s.username, kind=kind, content=content or "")
        return [f"已登记：{kind}。", *ctx.page(s, case_id)]

    st_btn.click(save_statement, [sess, case_pick, st_kind, st_content], [case_status, *page_outputs],
                 api_visibility="private")

    @guarded(R.HANDLER)
    def save_evidence(s, case_id, etype, title, file):
        cases = ctx.cases_mod()
        sha, path = None, None
        if file is not None:
            src = check_upload(file, EVIDENCE_TYPES, max_mb, "证据文件")
            records = service_module("assistant.records", "证据文件库")
            sha, _size, _new = records.FileStore(services.settings.files_dir).put(src)
        with services.db.session() as db:
            ctx.own_case(db, s, case_id)
            cases.add_evidence(db, int(case_id), actor=s.username, type=etype or "", title=title or "",
                               file_sha256=sha, file_path=path)
        return ["证据已登记。", *ctx.page(s, case_id)]

    add_evidence_btn.click(save_evidence, [sess, case_pick, e_type, e_title, e_file], [case_status, *page_outputs],
                           api_visibility="private")

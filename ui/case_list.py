"""The case list of 我的案件 (the agency's cases with the nearest running deadline) and the
立案 / 新建案件 form. No domain logic here."""
from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from assistant import roles as R
from ui.common import guarded, parse_day, table

CASE_HEADERS = ["编号", "案件编号", "案由", "程序", "当前环节", "最近期限", "我承办"]


def nearest(clocks) -> str:
    open_ = [c for c in clocks if not c.done]
    if not open_:
        return ""
    c = min(open_, key=lambda c: c.due)
    return f"{c.name} {c.due.isoformat()}（{'已超期' if c.overdue else f'剩 {c.remaining_days} 天'}）"


def list_cases(ctx, s):
    """(table value, dropdown update) of the agency's cases."""
    cases = ctx.cases_mod()
    rows, choices = [], []
    with ctx.services.db.session(readonly=True) as db:
        for c in cases.list_cases(db, agency_id=s.agency_id):
            view = cases.show_case(db, c.id)
            mine = any(h["username"] == s.username for h in view.handlers)
            rows.append([c.id, c.case_number or "（简易程序）", c.cause, c.procedure, c.state, nearest(view.clocks),
                         "是" if mine else ""])
            choices.append((f"{c.id} · {c.case_number or ''} {c.cause}", c.id))
    return table(rows, CASE_HEADERS), gr.update(choices=choices)


@dataclass
class NewCaseForm:
    refresh_btn: object
    cause: object
    procedure: object
    vdate: object
    cohandler: object
    party_kind: object
    party_name: object
    party_code: object
    create_btn: object


def build(ctx) -> NewCaseForm:
    """The list, the case picker and the new-case form; sets ``ctx.cases_table`` and ``ctx.case_pick``."""
    gr.Markdown("### 我的案件")
    ctx.cases_table = gr.Dataframe(value=table([], CASE_HEADERS), interactive=False, wrap=True, label="本单位案件",
                                   elem_id="cases-list")
    with gr.Row():
        refresh_btn = gr.Button("刷新", size="sm", scale=0)
        ctx.case_pick = gr.Dropdown([], label="打开案件", interactive=True, elem_id="case-pick", scale=3)

    with gr.Accordion("立案 / 新建案件", open=False, elem_id="case-new"):
        with gr.Row():
            new_cause = gr.Textbox(label="案由", elem_id="case-new-cause")
            new_proc = gr.Radio(["普通", "简易"], value="普通", label="程序")
            new_vdate = gr.Textbox(label="违法行为发生日（YYYY-MM-DD）", elem_id="case-new-vdate")
        with gr.Row():
            new_cohandler = gr.Textbox(label="共同承办人用户名（执法人员不得少于两人）", elem_id="case-new-cohandler")
            new_party_kind = gr.Dropdown(["法人", "自然人", "其他组织"], value="法人", label="当事人类型",
                                         elem_id="case-new-party-kind")
            new_party_name = gr.Textbox(label="当事人名称", elem_id="case-new-party")
            new_party_code = gr.Textbox(label="统一社会信用代码 / 身份证号", elem_id="case-new-party-code")
        create_btn = gr.Button("立案", variant="primary", elem_id="case-create")
    return NewCaseForm(refresh_btn, new_cause, new_proc, new_vdate, new_cohandler, new_party_kind, new_party_name,
                       new_party_code, create_btn)


def wire(ctx, form: NewCaseForm):
    """Events of the list and the form (after the page exists). Returns the on-login refresher."""
    services, sess = ctx.services, ctx.sess

    @guarded(R.HANDLER)
    def refresh(s):
        return list_cases(ctx, s)

    def on_login(s):
        if s is None or not s.sees("cases"):
            return gr.skip(), gr.skip()
        try:
            return refresh(s)
        except gr.Error:
            return gr.skip(), gr.skip()

    form.refresh_btn.click(refresh, sess, [ctx.cases_table, ctx.case_pick], api_name="cases",
                           api_visibility="undocumented")

    @guarded(R.HANDLER)
    def create(s, cause, proc, vdate, cohandler, pkind, pname, pcode):
        cases = ctx.cases_mod()
        from assistant.parties import PartyInput

        party = None
        if (pname or "").strip():
            code = (pcode or "").strip() or None
            party = PartyInput(kind=pkind, name=pname.strip(),
                               id_number=code if pkind == "自然人" else None,
                               credit_code=code if pkind != "自然人" else None)
        handlers = [s.username] + [h.strip() for h in (cohandler or "").replace("，", ",").split(",") if h.strip()]
        with services.db.session() as db:
            case = cases.create_case(db, agency_id=s.agency_id, cause=cause or "", actor=s.username, handlers=handlers,
                                     procedure=proc, violation_date=parse_day(vdate, "违法行为发生日"), party=party,
                                     salt=services.settings.salt())
            case_id, number = case.id, case.case_number
        tbl, choices = list_cases(ctx, s)
        choices["value"] = case_id
        return [f"已立案：{number or case_id}。", tbl, choices, *ctx.page(s, case_id)]

    form.create_btn.click(create, [sess, form.cause, form.procedure, form.vdate, form.cohandler, form.party_kind,
                                   form.party_name, form.party_code],
                          [ctx.case_status, ctx.cases_table, ctx.case_pick, *ctx.page_outputs], api_visibility="private")
    return on_login

"""记录管理 tab (记录管理员, 监督): audit-chain verification of the agency's cases and the 调阅
register (approve / reject / issue / return) through ``assistant.access``."""
from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from assistant import roles as R
from assistant.errors import InputError
from ui.common import guarded, service_module, table

CHAIN_HEADERS = ["审计链", "记录数", "结论", "说明"]
ACCESS_HEADERS = ["编号", "申请人", "类型", "方式", "用途", "记录", "状态", "申请时间", "到期"]
STATUS_LABELS = {"pending": "待审批", "approved": "已批准", "rejected": "已驳回", "issued": "已发放",
                 "returned": "已归还", "expired": "已过期"}


@dataclass
class RecordsTab:
    on_login: tuple


def build(services, sess: gr.State) -> RecordsTab:
    gr.Markdown("### 记录管理\n审计链防篡改校验；调阅登记（申请 → 审批 → 发放 → 归还）。")
    with gr.Row():
        verify_btn = gr.Button("校验本单位案件审计链", elem_id="records-verify")
    chain_summary = gr.Markdown(elem_id="records-chain-summary")
    chains = gr.Dataframe(value=table([], CHAIN_HEADERS), interactive=False, wrap=True, label="审计链校验结果")

    gr.Markdown("#### 调阅登记")
    access = gr.Dataframe(value=table([], ACCESS_HEADERS), interactive=False, wrap=True, label="本单位记录的调阅申请",
                          elem_id="records-access")
    with gr.Row():
        req_id = gr.Number(label="申请编号", precision=0)
        days = gr.Number(label="批准期限（天）", value=7, precision=0)
        note = gr.Textbox(label="驳回理由 / 归还检查情况", value="")
    with gr.Row():
        approve_btn = gr.Button("批准")
        reject_btn = gr.Button("驳回")
        issue_btn = gr.Button("登记发放")
        return_btn = gr.Button("登记归还")
    access_status = gr.Markdown()

    @guarded(R.RECORDS_KEEPER, R.SUPERVISOR)
    def verify(s, progress=gr.Progress()):
        audit = service_module("assistant.audit", "审计链校验")
        from sqlalchemy import select

        from assistant.store.case_tables import Case

        with services.db.session(readonly=True) as db:
            q = select(Case.id).order_by(Case.id)
            if not s.has(R.SUPERVISOR):
                q = q.where(Case.agency_id == s.agency_id)
            ids = list(db.execute(q).scalars())
            rows, bad = [], 0
            for i, case_id in enumerate(ids):
                progress((i + 1) / max(1, len(ids)), desc="正在校验审计链…")
                r = audit.verify_chain(db, case_id)
                bad += not r.ok
                rows.append([r.chain, r.entries, "完整" if r.ok else "✗ 被篡改", r.problem])
        msg = f"共校验 {len(rows)} 条案件审计链，" + (f"**{bad} 条异常**。" if bad else "全部完整。")
        return msg, table(rows, CHAIN_HEADERS)

    verify_btn.click(verify, sess, [chain_summary, chains], api_visibility="private")

    def _list(s):
        from sqlalchemy import select

        from assistant.store.record_tables import AccessRequest

        with services.db.session(readonly=True) as db:
            q = select(AccessRequest).order_by(AccessRequest.id.desc())
            if not s.has(R.SUPERVISOR):
                q = q.where(AccessRequest.owner_unit == s.agency_id)
            rows = [[r.id, r.requester, r.scope, service_module("assistant.access", "调阅").MODE_LABELS.get(r.mode, r.mode),
                     r.purpose, "、".join(str(x) for x in r.record_ids), STATUS_LABELS.get(r.status, r.status),
                     r.requested_at.strftime("%Y-%m-%d %H:%M"),
                     r.expires_at.strftime("%Y-%m-%d") if r.expires_at else ""] for r in db.execute(q).scalars()]
        return table(rows, ACCESS_HEADERS)

    @guarded(R.RECORDS_KEEPER, R.SUPERVISOR)
    def refresh(s):
        return _list(s)

    def on_login(s):
        if s is None or not s.sees("records"):
            return gr.skip()
        try:
            return refresh(s)
        except gr.Error:
            return gr.skip()

    def _act(kind):
        @guarded(R.RECORDS_KEEPER, R.HEAD)
        def act(s, rid, ndays, text):
            if rid in (None, ""):
                raise InputError("请填写调阅申请编号。")
            access_mod = service_module("assistant.access", "调阅")
            with services.db.session() as db:
                if kind == "approve":
                    access_mod.approve_access(db, int(rid), approver=s.username,
                                              days=int(ndays or 7))
                elif kind == "reject":
                    if not (text or "").strip():
                        raise InputError("驳回须写明理由。")
                    access_mod.reject_access(db, int(rid), approver=s.username, reason=text)
                elif kind == "issue":
                    access_mod.issue_access(db, int(rid), actor=s.username)
                else:
                    access_mod.return_access(db, int(rid), checked_by=s.username, check=(text or "完好").strip())
            labels = {"approve": "已批准", "reject": "已驳回", "issue": "已登记发放", "return": "已登记归还"}
            return f"调阅申请 {int(rid)} {labels[kind]}。", _list(s)

        return act

    for btn, kind in ((approve_btn, "approve"), (reject_btn, "reject"), (issue_btn, "issue"), (return_btn, "return")):
        btn.click(_act(kind), [sess, req_id, days, note], [access_status, access], api_visibility="private")
    return RecordsTab(on_login=(on_login, [access]))

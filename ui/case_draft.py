"""Drafting on the case page: generate a document draft (citations and amounts checked), download
the .docx, and submit the draft to 法制审核.

Services: assistant.case_drafting (``draft_for_case``), assistant.review (``submit``).
"""
from __future__ import annotations

import secrets
import tempfile
from datetime import datetime
from pathlib import Path

import gradio as gr

from assistant import roles as R
from assistant.errors import InputError
from ui.common import guarded, md_escape, service_attr, service_module

DRAFT_KINDS = ["决定书", "告知书", "不予处罚", "立案审批表", "送审表"]


def write_download(services, username: str, name: str, data: bytes) -> Path:
    """Write ``data`` under downloads/<user>/ with a unique name (temp file, then rename)."""
    out_dir = Path(services.settings.home) / "downloads" / username
    out_dir.mkdir(parents=True, exist_ok=True)
    # unique per call: the same user may draft in two browser tabs at once
    path = out_dir / f"{name}-{datetime.now():%Y%m%d%H%M%S}-{secrets.token_hex(3)}.docx"
    with tempfile.NamedTemporaryFile(dir=out_dir, suffix=".part", delete=False) as fh:
        fh.write(data)
    Path(fh.name).rename(path)
    return path


def build(ctx) -> None:
    services, sess = ctx.services, ctx.sess
    draft_state = gr.State(None)  # per user: {"case_id", "kind", "text", "can_submit"}

    with gr.Accordion("文书起草与送审", open=False, elem_id="case-draft"):
        with gr.Row():
            kind = gr.Dropdown(DRAFT_KINDS, value="决定书", label="文书种类")
            draft_fine = gr.Number(label="罚款金额（元，可空：取告知书/决定中的金额）", value=None, elem_id="draft-fine")
            draft_btn = gr.Button("生成草稿", elem_id="draft-btn")
        draft_findings = gr.Markdown(elem_id="draft-findings")
        draft_text = gr.Textbox(label="草稿全文", lines=14, elem_id="draft-text")
        draft_file = gr.File(label="下载 .docx", interactive=False, elem_id="draft-file")
        submit_btn = gr.Button("送法制审核", variant="primary", elem_id="submit-review")

    @guarded(R.HANDLER)
    def make_draft(s, case_id, k, fine, progress=gr.Progress()):
        draft_for_case = service_attr("assistant.case_drafting", "draft_for_case", "文书起草")
        with services.db.session(readonly=True) as db:
            ctx.own_case(db, s, case_id)
        progress(0.2, desc="正在起草并核验引用与金额…")
        draft = draft_for_case(services, int(case_id), k, fine=float(fine) if fine else None)
        path = write_download(services, s.username, f"案件{int(case_id)}-{draft.title}", draft.docx)
        lines = []
        for f in draft.findings:
            sev = getattr(f, "severity", "")
            mark = "✗" if sev == "error" else ("⚠" if sev == "warning" else "·")
            lines.append(f"- {mark} {md_escape(getattr(f, 'message', str(f)))}")
        head = ("**草稿可以送审。**" if draft.can_submit else "**草稿存在须修改的问题，修改前不能送审。**")
        src = "（叙述部分由模板生成）" if not draft.llm_used else "（叙述部分由大模型生成，已逐条核验）"
        return (head + src + ("\n" + "\n".join(lines) if lines else ""), draft.text, str(path),
                {"case_id": int(case_id), "kind": k, "text": draft.text, "can_submit": draft.can_submit})

    draft_btn.click(make_draft, [sess, ctx.case_pick, kind, draft_fine],
                    [draft_findings, draft_text, draft_file, draft_state],
                    api_name="draft", api_visibility="undocumented")  # bench/load.py drives it (after /login)

    @guarded(R.HANDLER)
    def submit(s, case_id, text, dstate):
        review = service_module("assistant.review", "法制审核")
        if not (text or "").strip():
            raise InputError("请先生成或填写决定书草稿。")
        if dstate and dstate.get("case_id") == int(case_id or 0) and not dstate.get("can_submit", True):
            if (text or "").strip() == dstate.get("text", "").strip():
                raise InputError("草稿存在须修改的问题（见上方核验结果），修改后再送审。")
        with services.db.session() as db:
            ctx.own_case(db, s, case_id)
            v = ctx.cases_mod().show_case(db, int(case_id))
            materials = [f"{e['type']}：{e['title']}" for e in v.evidence]
            rnd = review.submit(db, int(case_id), s.username, text, materials=materials, store=services.statutes)
        return [f"已送法制审核（第 {rnd.round_no} 轮）。", *ctx.page(s, case_id)]

    submit_btn.click(submit, [sess, ctx.case_pick, draft_text, draft_state], [ctx.case_status, *ctx.page_outputs],
                     api_visibility="private")

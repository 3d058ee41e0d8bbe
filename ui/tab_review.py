"""法制审核 tab (法制审核人员, 机关负责人): queue; latest submission with the automatic checklist
findings; similar cases with the penalty-distribution chart; version diff; opinion entry and
同意 / 存在问题 (退回); for 机关负责人, the decision step (gated by the lifecycle).

Services: assistant.review, assistant.cases, assistant.consistency, assistant.precedents.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import gradio as gr

from assistant import roles as R
from assistant.errors import GateRefused, InputError, PermissionDenied
from ui.common import guarded, md_escape, service_module, table

log = logging.getLogger(__name__)

QUEUE_HEADERS = ["编号", "案件编号", "案由", "当前环节", "立案日"]
FINDING_HEADERS = ["审核事项", "结论", "说明", "依据"]
STATUS_LABELS = {"pass": "✓ 符合", "warn": "⚠ 提示", "fail": "✗ 问题", "manual": "○ 人工判断"}
REVIEW_STATE = "法制审核"
HEAD_STATES = ("法制审核", "集体讨论", "陈述申辩", "事先告知")


@dataclass
class ReviewTab:
    on_login: tuple


def build(services, sess: gr.State) -> ReviewTab:
    gr.Markdown("### 法制审核\n审核送审的决定书草稿：自动核查结果仅作提示，每一项由审核人员判断。")
    queue = gr.Dataframe(value=table([], QUEUE_HEADERS), interactive=False, label="待审核 / 待决定案件",
                         elem_id="review-queue")
    with gr.Row():
        refresh_btn = gr.Button("刷新", size="sm", scale=0)
        pick = gr.Dropdown([], label="打开案件", interactive=True, elem_id="review-pick", scale=3)
    status = gr.Markdown(elem_id="review-status")
    summary = gr.Markdown(elem_id="review-summary")
    findings = gr.Dataframe(value=table([], FINDING_HEADERS), interactive=False, wrap=True, label="审核清单（自动核查）",
                            elem_id="review-findings")
    with gr.Row():
        draft = gr.Textbox(label="送审稿", lines=14, interactive=False, elem_id="review-draft")
        with gr.Column():
            chart = gr.Image(label="同类案例罚款分布", type="filepath", elem_id="review-chart")
            peers_md = gr.Markdown(elem_id="review-peers")
    with gr.Accordion("与上一轮送审稿的差异", open=False):
        diff = gr.Code(label="修改对照（按句）", language=None, elem_id="review-diff")
    with gr.Group(visible=False) as review_box:  # 法制审核人员 only: 机关负责人 decides below
        opinion = gr.Textbox(label="审核意见", lines=4, elem_id="review-opinion")
        with gr.Row():
            approve_btn = gr.Button("同意", variant="primary", elem_id="review-approve")
            return_btn = gr.Button("存在问题，退回修改", variant="stop", elem_id="review-return")
    with gr.Accordion("机关负责人决定", open=False, visible=False, elem_id="head-decide") as head_box:
        with gr.Row():
            d_types = gr.Textbox(label="处罚种类（逗号分隔）", elem_id="head-types")
            d_fine = gr.Number(label="罚款金额（元）", elem_id="head-fine")
            d_target = gr.Dropdown(["决定", "集体讨论", "不予处罚"], value="决定", label="作出", elem_id="head-target")
        decide_btn = gr.Button("作出决定", elem_id="head-decide-btn")
        gr.Markdown("**集体讨论记录**（第五十七条第二款：先选“集体讨论”提请，讨论后在此登记，再作出决定）")
        with gr.Row():
            c_people = gr.Textbox(label="参加人（逗号分隔，至少二人）", elem_id="collective-people")
            c_conclusion = gr.Textbox(label="讨论结论", elem_id="collective-conclusion")
        collective_btn = gr.Button("登记集体讨论记录", elem_id="collective-btn")

    def _cases():
        return service_module("assistant.cases", "案件服务")

    def _list(s):
        cases = _cases()
        states = (REVIEW_STATE,) if not s.has(R.HEAD) else HEAD_STATES
        rows, choices = [], []
        with services.db.session(readonly=True) as db:
            for st in states:
                for c in cases.list_cases(db, agency_id=s.agency_id, state=st):
                    rows.append([c.id, c.case_number or "", c.cause, c.state, c.filed_on.isoformat() if c.filed_on else ""])
                    choices.append((f"{c.id} · {c.case_number or ''} {c.cause}（{c.state}）", c.id))
        return table(rows, QUEUE_HEADERS), gr.update(choices=choices)

    @guarded(R.REVIEWER, R.HEAD)
    def refresh(s):
        return _list(s)

    def on_login(s):
        if s is None or not s.sees("review"):
            return gr.skip(), gr.skip(), gr.update(visible=False), gr.update(visible=False)
        boxes = (gr.update(visible=s.has(R.HEAD)), gr.update(visible=s.has(R.REVIEWER)))
        try:
            return (*refresh(s), *boxes)
        except gr.Error:
            return (gr.skip(), gr.skip(), *boxes)

    refresh_btn.click(refresh, sess, [queue, pick], api_visibility="private")

    def _own(db, s, case_id):
        if case_id in (None, ""):
            raise InputError("请先选择一个案件。")
        case = _cases().get_case(db, int(case_id))
        if case.agency_id != s.agency_id:
            raise PermissionDenied("该案件不属于本单位，无权查看。")
        return case

    def _open(s, case_id):
        review = service_module("assistant.review", "法制审核")
        with services.db.session() as db:
            case = _own(db, s, case_id)
            rounds = review.rounds(db, int(case_id))
            view = _cases().show_case(db, int(case_id), actor=s.username)
            diff_text = ""
            if len(rounds) >= 2:
                diff_text = review.round_diff(db, int(case_id), rounds[-1].round_no)
            vids = [i for v in db.execute(_violations_q(int(case_id))).scalars() for i in (v.violated_article_ids or [])]
            pids = [i for v in db.execute(_violations_q(int(case_id))).scalars() for i in (v.penalty_article_ids or [])]
            proposed = float((case.notice or {}).get("fine") or 0) or None
        if not rounds:
            head = f"#### {view.case_number or ''} · {md_escape(view.cause)}\n当前环节：{view.state}。尚无送审材料。"
            return head, table([], FINDING_HEADERS), "", None, "", diff_text
        last = rounds[-1]
        state = {None: "待审核", "通过": "已同意", "存在问题": "已退回"}.get(last.result, last.result)
        head = [f"#### {view.case_number or ''} · {md_escape(view.cause)}",
                f"**第 {last.round_no} 轮送审**　送审人：{last.submitted_by}　时间：{last.submitted_at:%Y-%m-%d %H:%M}　"
                f"**状态**：{state}",
                "**清单概况**：" + "　".join(f"{k} {STATUS_LABELS.get(v, v)}" for k, v in (last.summary or {}).items())]
        if last.materials:
            head.append("**送审材料**：" + "；".join(md_escape(m) for m in last.materials))
        if last.opinion:
            head.append(f"**审核意见**：{md_escape(last.opinion)}")
        rows = [[f.get("item", ""), STATUS_LABELS.get(f.get("status"), f.get("status", "")), f.get("message", ""),
                 f.get("basis", "")] for f in last.findings if isinstance(f, dict) and "item" in f]
        img, peers_text = _peers(s, int(case_id), vids, pids, proposed)
        return "\n\n".join(head), table(rows, FINDING_HEADERS), last.draft_text, img, peers_text, diff_text

    def _violations_q(case_id):
        from sqlalchemy import select

        from assistant.store.case_tables import Violation

        return select(Violation).where(Violation.case_id == case_id)

    def _peers(s, case_id, vids, pids, proposed):
        try:
            cons = service_module("assistant.consistency", "同类案例比较")
        except gr.Error:
            raise
        except Exception as exc:
            return None, getattr(exc, "message", "同类案例比较尚未就绪")
        with services.db.session(readonly=True) as db:
            stats = cons.peer_stats(db, proposed, violated_ids=vids, penalty_ids=pids, exclude_case_id=case_id)
        text = "\n".join(f"- {md_escape(m)}" for m in stats.messages)
        if not stats.count:
            return None, text or "没有可比较的同类案例。"
        png = cons.distribution_chart(stats, proposed)
        out = Path(services.settings.home) / "downloads" / s.username
        out.mkdir(parents=True, exist_ok=True)
        path = out / f"peers-case{case_id}.png"
        path.write_bytes(png)
        summary_line = (f"同类案例 {stats.count} 件，罚款中位数 {stats.median:,.0f} 元"
                        f"（{stats.minimum:,.0f}–{stats.maximum:,.0f}）")
        return str(path), summary_line + ("\n" + text if text else "")

    @guarded(R.REVIEWER, R.HEAD)
    def open_case(s, case_id):
        if case_id in (None, ""):
            return ["", *[gr.skip()] * 6]
        return ["", *_open(s, case_id)]

    page_outputs = [summary, findings, draft, chart, peers_md, diff]
    pick.input(open_case, [sess, pick], [status, *page_outputs], api_visibility="private")

    def _decide(outcome):
        @guarded(R.REVIEWER)
        def act(s, case_id, text):
            review = service_module("assistant.review", "法制审核")
            with services.db.session() as db:
                _own(db, s, case_id)
                review.decide(db, int(case_id), s.username, outcome, text or "")
            tbl, choices = _list(s)
            msg = "审核意见已保存：同意。" if outcome == "同意" else "已退回承办人修改。"
            return [msg, tbl, choices, *_open(s, case_id)]

        return act

    approve_btn.click(_decide("同意"), [sess, pick, opinion], [status, queue, pick, *page_outputs],
                      api_visibility="private")
    return_btn.click(_decide("存在问题"), [sess, pick, opinion], [status, queue, pick, *page_outputs],
                     api_visibility="private")

    @guarded(R.HEAD)
    def head_decide(s, case_id, types, fine, target):
        t = [x.strip() for x in (types or "").replace("，", ",").split(",") if x.strip()]
        payload = {"penalty": {"types": t, "fine": float(fine or 0)}, "reason": "机关负责人决定"}
        try:
            with services.db.session() as db:
                _own(db, s, case_id)
                _cases().advance(db, int(case_id), target, actor=s.username, payload=payload)
        except GateRefused as exc:
            return [f"<span class='zf-blocked'>不能作出“{target}”：{exc.message}</span>", gr.skip(), gr.skip(),
                    *_open(s, case_id)]
        with services.db.session(readonly=True) as db:
            number = _cases().get_case(db, int(case_id)).decision_number
        tbl, choices = _list(s)
        return [f"已作出：{target}。" + (f"决定书文号：{number}。" if number else ""), tbl, choices, *_open(s, case_id)]

    decide_btn.click(head_decide, [sess, pick, d_types, d_fine, d_target], [status, queue, pick, *page_outputs],
                     api_visibility="private")

    @guarded(R.HEAD)
    def head_collective(s, case_id, people, conclusion):
        names = [x.strip() for x in (people or "").replace("，", ",").replace("、", ",").split(",") if x.strip()]
        try:
            with services.db.session() as db:
                _own(db, s, case_id)
                _cases().record_collective_discussion(db, int(case_id), actor=s.username, participants=names,
                                                      conclusion=conclusion or "")
        except GateRefused as exc:
            return [f"<span class='zf-blocked'>不能登记集体讨论：{exc.message}</span>", gr.skip(), gr.skip(),
                    *_open(s, case_id)]
        tbl, choices = _list(s)
        return [f"已登记集体讨论记录（参加人 {len(names)} 人），可作出决定。", tbl, choices, *_open(s, case_id)]

    collective_btn.click(head_collective, [sess, pick, c_people, c_conclusion], [status, queue, pick, *page_outputs],
                         api_visibility="private")
    return ReviewTab(on_login=(on_login, [queue, pick, head_box, review_box]))

"""The push panel of a case (智能推送): relevant articles with their roles (违法依据 / 处罚依据),
the matching discretion-benchmark tier, similar cases and the evidence still missing.

Services: index.search (``services.searcher``), assistant.discretion, assistant.precedents.
"""
from __future__ import annotations

import logging

import gradio as gr

from assistant import roles as R
from ui.common import guarded, md_escape, service_module, table

log = logging.getLogger(__name__)

PUSH_HEADERS = ["条文", "作用", "效力", "摘要"]
SIMILAR_HEADERS = ["文号", "机关", "决定日期", "档次", "罚款（元）", "相似度"]
ROLE_LABELS = {"violated": "违法依据", "penalty": "处罚依据", "other": "相关条文"}
BAND_REASONS = {"no_benchmark": "未找到匹配的裁量基准", "needs_band": "需承办人选择档次",
                "needs_quantity": "需填写违法所得/货值等数额", "time_barred": "已超过处罚时效",
                "no_penalty": "符合不予处罚情形"}


def missing_evidence(v) -> str:
    have = {e["type"] for e in v.evidence}
    notes = []
    if not v.parties:
        notes.append("当事人身份证明（营业执照/身份证复印件）尚未登记")
    if "当事人的陈述" not in have and "当事人陈述" not in have:
        notes.append("询问笔录（当事人的陈述）尚未登记")
    if "现场笔录" not in have and "勘验笔录、现场笔录" not in have:
        notes.append("现场检查笔录尚未登记")
    if not v.violations:
        notes.append("违法行为及其违法依据、处罚依据尚未填写")
    return ("**尚缺证据与材料**（依据：《中华人民共和国行政处罚法》第四十六条、第五十五条）：\n" +
            "\n".join(f"- {n}" for n in notes)) if notes else "**证据材料**：基本材料已登记。"


def build(ctx) -> None:
    services, sess = ctx.services, ctx.sess

    with gr.Accordion("智能推送：相关法条、裁量档次、类似案例", open=False, elem_id="case-push"):
        push_btn = gr.Button("推送", elem_id="push-btn")
        push_articles = gr.Dataframe(value=table([], PUSH_HEADERS), interactive=False, wrap=True, label="相关法条",
                                     elem_id="push-articles")
        push_band = gr.Markdown(elem_id="push-band")
        push_similar = gr.Dataframe(value=table([], SIMILAR_HEADERS), interactive=False, label="类似案例",
                                    elem_id="push-similar")
        push_missing = gr.Markdown(elem_id="push-missing")

    def band(s, case_id, v, query, vdate) -> str:
        """The case's recommendation from its structured violations (saved with the case, so peer
        statistics see it); a case without them gets a text-only match that is not saved."""
        try:
            rec_mod = service_module("assistant.discretion.recommend", "裁量建议")
            case_facts = service_module("assistant.discretion.case_facts", "裁量建议")
            if v.violations and any(x.get("benchmark_ref") for x in v.violations):
                with services.db.session() as db:
                    _, rec = case_facts.recommend_for_case(db, int(case_id), services.statutes, actor=s.username)
            else:
                kind = {"自然人": "natural_person", "法人": "legal_person"}.get(
                    v.parties[0]["kind"] if v.parties else "法人", "other_org")
                facts = rec_mod.CaseFacts(violation_text=query, party_type=kind, violation_date=vdate, agency=v.agency)
                with services.db.session(readonly=True) as db:
                    rec = case_facts.recommend_with_peers(db, facts, services.statutes, exclude_case_id=int(case_id))
        except gr.Error:
            raise
        except Exception as exc:  # shown, not hidden: the push panel still shows the rest
            msg = getattr(exc, "message", None) or "裁量建议暂不可用"
            log.info("discretion unavailable: %s", type(exc).__name__)
            return f"**裁量档次**：{msg}"
        if rec.band is None:
            out = [f"**裁量档次**：{BAND_REASONS.get(rec.outcome, rec.outcome)}"]
        else:
            rng = (f"{rec.range_min:,.0f}–{rec.range_max:,.0f} 元" if rec.range_min is not None and rec.range_max is not None
                   else "（无罚款）")
            out = [f"**匹配档次**：{rec.band.level}（{md_escape(rec.band.conditions_text)}）　**建议罚款**：{rng}"]
        out += [f"- {md_escape(step.text)}（{step.source}）" for step in rec.explanation[:8]]
        out += [f"> ⚠ {w}" for w in rec.warnings[:5]]
        return "\n".join(out)

    def similar(query, case_id, hits) -> list[list]:
        prec = service_module("assistant.precedents", "类似案例")
        with services.db.session(readonly=True) as db:
            sims = prec.find_similar(db, prec.Query(facts=query, exclude_case_id=case_id,
                                                    violated_article_ids=[h.article_id for h in hits if h.role == "violated"],
                                                    penalty_article_ids=[h.article_id for h in hits if h.role == "penalty"]),
                                     k=5)
        return [[x.document_no or "", x.agency or "", x.decided_on.isoformat() if x.decided_on else "", x.band or "",
                 f"{x.fine:,.0f}" if x.fine is not None else "", round(x.score, 3)] for x in sims]

    @guarded(R.HANDLER)
    def push(s, case_id, progress=gr.Progress()):
        cases = ctx.cases_mod()
        with services.db.session(readonly=True) as db:
            case = ctx.own_case(db, s, case_id)
            v = cases.show_case(db, int(case_id))
            vdate = case.violation_date
        from index.search import MAX_QUERY_CHARS

        query = ("；".join(x["description"] for x in v.violations) or v.cause)[:MAX_QUERY_CHARS]
        progress(0.2, desc="检索相关法条…")
        hits = services.searcher.search(query, k=8, as_of=vdate)
        art_rows = [[f"《{h.short_name}》{h.article}", ROLE_LABELS.get(h.role, "相关条文"), h.status,
                     (h.text or "").replace("\n", " ")[:100]] for h in hits]
        progress(0.5, desc="匹配裁量基准…")
        band_md = band(s, case_id, v, query, vdate)
        progress(0.7, desc="查找类似案例…")
        similar_rows = similar(query, int(case_id), hits)
        return table(art_rows, PUSH_HEADERS), band_md, table(similar_rows, SIMILAR_HEADERS), missing_evidence(v)

    push_btn.click(push, [sess, ctx.case_pick], [push_articles, push_band, push_similar, push_missing],
                   api_visibility="private")

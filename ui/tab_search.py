"""法条检索 tab: free statute search with filters, an article view (status, versions, linked
违法/处罚 articles, successors), and a citation checker for pasted text."""
from __future__ import annotations

import logging
from dataclasses import dataclass

import gradio as gr

from assistant.errors import InputError
from ui.common import guarded, md_escape, parse_day, service_attr, table

log = logging.getLogger(__name__)

HIT_HEADERS = ["序号", "条文", "效力", "作用", "相关度", "摘要"]
CHECK_HEADERS = ["引用", "结论", "原因", "说明"]

ROLE_LABELS = {"violated": "违法依据", "penalty": "处罚依据", "other": "其他"}
REASON_LABELS = {
    "ok": "有效",
    "in_force": "有效",
    "article_not_found": "条文不存在",
    "law_not_found": "法律不存在",
    "repealed": "已废止",
    "not_yet_in_force": "尚未生效",
    "earlier_version_not_stored": "需核对当时文本",
    "ambiguous": "指向不明",
    "kuan_not_found": "款项不存在",
    "paragraph_not_found": "款项不存在",
    "xiang_not_found": "项不存在",
    "user_unverified": "导入规章未确认",
}
ANY = "（全部）"


@dataclass
class SearchTab:
    query: gr.Textbox
    results: gr.Dataframe


def _level_choices(store) -> list[str]:
    try:
        return [ANY] + sorted({law.level for law in store.laws() if law.level})
    except Exception:  # the store may be missing at start-up; the search itself says why
        log.warning("statute store unavailable for level choices", exc_info=True)
        return [ANY]


def _domain_choices(store) -> list[str]:
    try:
        return [ANY] + sorted({law.domain for law in store.laws() if law.domain})
    except Exception:
        return [ANY]


def build(services, sess: gr.State) -> SearchTab:
    try:
        store = services.statutes
    except Exception:
        store = None
    levels = _level_choices(store) if store else [ANY]
    domains = _domain_choices(store) if store else [ANY]

    gr.Markdown("### 法条检索\n输入违法事实或法条名称条号（如“食品安全法第一百二十四条”），可按时间点、效力层级、法律筛选。")
    with gr.Row():
        query = gr.Textbox(label="检索内容", placeholder="例如：销售超过保质期的食品", scale=4, elem_id="search-query")
        k = gr.Slider(1, 50, value=10, step=1, label="返回条数", scale=1)
    with gr.Row():
        as_of = gr.Textbox(label="时间点（违法行为发生日，YYYY-MM-DD，可空）", elem_id="search-as-of")
        level = gr.Dropdown(levels, value=ANY, label="效力层级")
        domain = gr.Dropdown(domains, value=ANY, label="法律部门")
        law = gr.Textbox(label="限定法律（全称或简称，可空）", elem_id="search-law")
    search_btn = gr.Button("检索", variant="primary", elem_id="search-btn")
    status = gr.Markdown(elem_id="search-status")
    results = gr.Dataframe(value=table([], HIT_HEADERS), headers=HIT_HEADERS, interactive=False, wrap=True,
                           label="检索结果", elem_id="search-results")
    hit_ids = gr.State([])
    pick = gr.Dropdown([], label="查看条文", interactive=True, elem_id="search-pick")
    article_view = gr.Markdown(elem_id="article-view")

    with gr.Accordion("引用核验：粘贴文书，逐条核对法条引用", open=False, elem_id="citation-checker"):
        cite_text = gr.Textbox(label="待核验文本", lines=6, elem_id="cite-text",
                               placeholder="例如：依据《中华人民共和国食品安全法》第一百二十四条……")
        cite_day = gr.Textbox(label="核验时间点（YYYY-MM-DD，空为今天）", elem_id="cite-day")
        cite_btn = gr.Button("核验引用", elem_id="cite-btn")
        cite_summary = gr.Markdown(elem_id="cite-summary")
        cite_table = gr.Dataframe(value=table([], CHECK_HEADERS), headers=CHECK_HEADERS, interactive=False,
                                  wrap=True, label="核验结果", elem_id="cite-results")

    @guarded()
    def do_search(s, q, kk, day_text, lvl, dom, law_name, progress=gr.Progress()):
        q = (q or "").strip()
        if not q:
            raise InputError("请输入检索内容。")
        day = parse_day(day_text, "时间点")
        lineage = None
        if (law_name or "").strip():
            lineage = services.statutes.resolve_lineage(law_name)
            if lineage is None:
                raise InputError(f"法条库中没有名为“{law_name.strip()}”的法律，请检查名称或使用全称。")
        progress(0.1, desc="正在检索…")
        hits = services.searcher.search(
            q, k=int(kk), as_of=day, level=None if lvl in (None, ANY) else lvl,
            law=lineage, domain=None if dom in (None, ANY) else dom,
        )
        rows, choices, ids = [], [], []
        for i, h in enumerate(hits, 1):
            cite = f"《{h.short_name or h.law}》{h.article}"
            snippet = (h.text or "").replace("\n", " ")
            rows.append([i, cite, h.status, ROLE_LABELS.get(getattr(h, "role", "other"), "其他"),
                         round(float(h.score), 3), snippet[:120] + ("…" if len(snippet) > 120 else "")])
            choices.append((f"{i}. {cite}", h.article_id))
            ids.append(h.article_id)
        when = f"（{day.isoformat()} 有效的版本）" if day else ""
        msg = f"共找到 {len(hits)} 条{when}。" if hits else f"没有找到相关条文{when}，请换个说法或放宽筛选条件。"
        notice = getattr(services.searcher, "notice", "")
        if notice:
            msg += f"\n\n> {notice}"
        first = ids[0] if ids else None
        return (msg, table(rows, HIT_HEADERS), ids,
                gr.update(choices=choices, value=first),
                article_markdown(services.statutes, first, day) if first is not None else "")

    search_inputs = [sess, query, k, as_of, level, domain, law]
    search_outputs = [status, results, hit_ids, pick, article_view]
    search_btn.click(do_search, search_inputs, search_outputs, api_name="search")
    query.submit(do_search, search_inputs, search_outputs, api_visibility="private")

    @guarded()
    def show_article(s, article_id, day_text):
        if article_id in (None, ""):
            return ""
        return article_markdown(services.statutes, int(article_id), parse_day(day_text, "时间点"))

    pick.input(show_article, [sess, pick, as_of], article_view, api_visibility="private")

    @guarded()
    def check(s, text, day_text, progress=gr.Progress()):
        text = (text or "").strip()
        if not text:
            raise InputError("请先粘贴需要核验的文本。")
        verify = service_attr("assistant.citations", "verify_citations", "引用核验")
        day = parse_day(day_text, "核验时间点")
        progress(0.2, desc="正在核验引用…")
        checks = verify(text, services.statutes, day)
        rows, bad = [], 0
        for c in checks:
            reason = getattr(c, "reason", "")
            ok = bool(getattr(c, "ok", reason in ("ok", "in_force")))
            bad += not ok
            sev = getattr(c, "severity", "ok" if ok else "error")
            verdict = "✓ 有效" if ok and sev == "ok" else ("⚠ " if ok else "✗ ") + REASON_LABELS.get(reason, "有问题")
            rows.append([_cite_text(c), verdict, reason, getattr(c, "message", "")])
        if not checks:
            summary = "文本中没有识别到法条引用（引用格式如“《××法》第×条”）。"
        elif bad:
            summary = f"共识别 {len(checks)} 处引用，其中 **{bad} 处有问题**，请逐条核对。"
        else:
            summary = f"共识别 {len(checks)} 处引用，全部有效。"
        return summary, table(rows, CHECK_HEADERS)

    cite_btn.click(check, [sess, cite_text, cite_day], [cite_summary, cite_table], api_name="check_citations")
    return SearchTab(query=query, results=results)


def _cite_text(check) -> str:
    cited = getattr(check, "citation", None)
    if cited is not None and isinstance(getattr(cited, "text", None), str):
        return cited.text
    for name in ("citation", "raw", "text", "quoted", "span_text"):
        v = getattr(check, name, None)
        if isinstance(v, str) and v:
            return v
    return str(check)


def article_markdown(store, article_id: int | None, day=None) -> str:
    """Article view: citation, status, in-force period, text, versions, links, successors."""
    if article_id is None:
        return ""
    art = store.get_article(int(article_id))
    period = f"{art.in_force_from or '?'} 起" + (f"，至 {art.in_force_until} 止" if art.in_force_until else "")
    where = " · ".join(p for p in (art.part, art.chapter, art.section) if p)
    lines = [f"#### {art.citation}",
             f"**效力状态**：{art.law_status}　**施行期间**：{period}　**效力层级**：{art.level}"]
    if where:
        lines.append(f"**所在章节**：{where}" + ("（法律责任）" if art.is_liability else ""))
    lines += ["", md_escape(art.text).replace("\n", "  \n"), ""]

    versions = store.versions(art.lineage)
    if len(versions) > 1:
        lines.append("**历次版本**")
        for v in versions:
            same = store.find_article(v.law_id, art.number, art.suffix)
            note = "本条文字相同" if same and same.text == art.text else ("本条文字不同" if same else "无此条")
            mark = "（当前所示）" if v.law_id == art.law_id else ""
            lines.append(f"- {v.in_force_from or '?'} 起施行 · {v.status} · {note}{mark}")
        lines.append("")

    def _kuan(k: int, x: int = 0) -> str:
        from corpus.numerals import int_to_cn as to_chinese

        return (f"第{to_chinese(k)}款" if k else "") + (f"第（{to_chinese(x)}）项" if x else "")

    pen = store.penalty_links_for(art.id)
    if pen:
        lines.append("**对应处罚依据**")
        for ln in pen:
            p = store.get_article(ln.penalty_id)
            lines.append(f"- {p.citation}{_kuan(ln.penalty_kuan, ln.penalty_xiang)}")
        lines.append("")
    vio = store.violated_links_for(art.id)
    if vio:
        lines.append("**本条处罚的违法行为（违法依据）**")
        for ln in vio:
            v = store.get_article(ln.violated_id)
            lines.append(f"- {v.citation}{_kuan(ln.violated_kuan)}")
        lines.append("")
    succ = store.successors_of(art.id)
    if succ:
        lines.append("**废止后对应的新法条文**")
        for a, score, _method in succ[:3]:
            lines.append(f"- {a.citation}（对应度 {score:.2f}）")
    if day is not None:
        lookup = store.article_on(art.lineage, art.number, art.suffix, day)
        lines.append(f"\n> 时间点核对（{day.isoformat()}）：{lookup.message}")
    return "\n".join(lines)

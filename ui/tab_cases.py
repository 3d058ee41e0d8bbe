"""我的案件 tab (承办人): case list with running deadlines; the case page following the lifecycle
(next legal steps, blocked steps with the reason and the article); facts and evidence entry; the
push panel (articles with 违法依据/处罚依据 roles, benchmark tier, similar cases); interview
transcription; draft generation with .docx download; submission to 法制审核.

Services: assistant.cases, assistant.case_drafting, assistant.review, assistant.precedents,
assistant.discretion, assistant.transcription, index.search. No domain logic here.
"""
from __future__ import annotations

import logging
import secrets
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import gradio as gr

from assistant import roles as R
from assistant.errors import GateRefused, InputError, PermissionDenied
from ui.common import guarded, md_escape, parse_day, service_attr, service_module, table
from ui.uploads import check_upload

log = logging.getLogger(__name__)

CASE_HEADERS = ["编号", "案件编号", "案由", "程序", "当前环节", "最近期限", "我承办"]
CLOCK_HEADERS = ["期限", "起算日", "届满日", "剩余天数", "状态", "依据"]
STEP_HEADERS = ["下一步", "能否进行", "原因与依据"]
PUSH_HEADERS = ["条文", "作用", "效力", "摘要"]
SIMILAR_HEADERS = ["文号", "机关", "决定日期", "档次", "罚款（元）", "相似度"]
AUDIO_TYPES = [".wav", ".mp3", ".m4a", ".flac", ".ogg", ".amr", ".mp4"]
ROLE_LABELS = {"violated": "违法依据", "penalty": "处罚依据", "other": "相关条文"}


class _DryRun(Exception):
    """Raised inside a session to roll back a trial step."""


@dataclass
class CasesTab:
    on_login: tuple


def _nearest(clocks) -> str:
    open_ = [c for c in clocks if not c.done]
    if not open_:
        return ""
    c = min(open_, key=lambda c: c.due)
    return f"{c.name} {c.due.isoformat()}（{'已超期' if c.overdue else f'剩 {c.remaining_days} 天'}）"


def build(services, sess: gr.State) -> CasesTab:
    max_mb = services.settings.max_upload_mb
    draft_state = gr.State(None)  # per user: {"case_id", "kind", "text"}

    gr.Markdown("### 我的案件")
    cases_table = gr.Dataframe(value=table([], CASE_HEADERS), interactive=False, wrap=True, label="本单位案件",
                               elem_id="cases-list")
    with gr.Row():
        refresh_btn = gr.Button("刷新", size="sm", scale=0)
        case_pick = gr.Dropdown([], label="打开案件", interactive=True, elem_id="case-pick", scale=3)

    with gr.Accordion("立案 / 新建案件", open=False, elem_id="case-new"):
        with gr.Row():
            new_cause = gr.Textbox(label="案由", elem_id="case-new-cause")
            new_proc = gr.Radio(["普通", "简易"], value="普通", label="程序")
            new_vdate = gr.Textbox(label="违法行为发生日（YYYY-MM-DD）", elem_id="case-new-vdate")
        with gr.Row():
            new_cohandler = gr.Textbox(label="共同承办人用户名（执法人员不得少于两人）", elem_id="case-new-cohandler")
            new_party_kind = gr.Dropdown(["法人", "自然人", "其他组织"], value="法人", label="当事人类型")
            new_party_name = gr.Textbox(label="当事人名称", elem_id="case-new-party")
            new_party_code = gr.Textbox(label="统一社会信用代码 / 身份证号")
        create_btn = gr.Button("立案", variant="primary", elem_id="case-create")

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

    with gr.Accordion("智能推送：相关法条、裁量档次、类似案例", open=False, elem_id="case-push"):
        push_btn = gr.Button("推送", elem_id="push-btn")
        push_articles = gr.Dataframe(value=table([], PUSH_HEADERS), interactive=False, wrap=True, label="相关法条",
                                     elem_id="push-articles")
        push_band = gr.Markdown(elem_id="push-band")
        push_similar = gr.Dataframe(value=table([], SIMILAR_HEADERS), interactive=False, label="类似案例",
                                    elem_id="push-similar")
        push_missing = gr.Markdown(elem_id="push-missing")

    with gr.Accordion("询问录音转写", open=False):
        audio = gr.File(label=f"询问录音（{'、'.join(AUDIO_TYPES)}，≤{max_mb} MB）", file_types=AUDIO_TYPES)
        transcribe_btn = gr.Button("转写")
        transcript = gr.Textbox(label="笔录文字（可直接修改更正）", lines=10, elem_id="transcript")

    with gr.Accordion("文书起草与送审", open=False, elem_id="case-draft"):
        with gr.Row():
            kind = gr.Dropdown(["决定书", "告知书", "不予处罚", "立案审批表", "送审表"], value="决定书", label="文书种类")
            draft_fine = gr.Number(label="罚款金额（元，可空：取告知书/决定中的金额）", value=None, elem_id="draft-fine")
            draft_btn = gr.Button("生成草稿", elem_id="draft-btn")
        draft_findings = gr.Markdown(elem_id="draft-findings")
        draft_text = gr.Textbox(label="草稿全文", lines=14, elem_id="draft-text")
        draft_file = gr.File(label="下载 .docx", interactive=False, elem_id="draft-file")
        submit_btn = gr.Button("送法制审核", variant="primary", elem_id="submit-review")

    # -- helpers ---------------------------------------------------------------------------------
    def _cases_mod():
        return service_module("assistant.cases", "案件服务")

    def _own_case(db, s, case_id):
        if case_id in (None, ""):
            raise InputError("请先在上方选择一个案件。")
        case = _cases_mod().get_case(db, int(case_id))
        if case.agency_id != s.agency_id:
            raise PermissionDenied("该案件不属于本单位，无权查看。")
        return case

    def _list(s):
        cases = _cases_mod()
        rows, choices = [], []
        with services.db.session(readonly=True) as db:
            for c in cases.list_cases(db, agency_id=s.agency_id):
                view = cases.show_case(db, c.id)
                mine = any(h["username"] == s.username for h in view.handlers)
                rows.append([c.id, c.case_number or "（简易程序）", c.cause, c.procedure, c.state, _nearest(view.clocks),
                             "是" if mine else ""])
                choices.append((f"{c.id} · {c.case_number or ''} {c.cause}", c.id))
        return table(rows, CASE_HEADERS), gr.update(choices=choices)

    def _payload(types, fine, facts, reasons, basis, served, method, reason, rights) -> dict:
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

    def _trial(s, case_id, target, payload) -> str | None:
        """Try the step in a transaction that is always rolled back: None = allowed."""
        cases = _cases_mod()
        try:
            with services.db.session() as db:
                cases.advance(db, int(case_id), target, actor=s.username, payload=payload)
                raise _DryRun
        except _DryRun:
            return None
        except GateRefused as exc:
            return exc.message
        except InputError as exc:
            return exc.message

    def _page(s, case_id, payload=None):
        cases = _cases_mod()
        with services.db.session() as db:
            _own_case(db, s, case_id)
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
            why = _trial(s, case_id, target, payload)
            step_rows.append([target, "可以进行" if why is None else "暂不能进行", why or ""])
        ok = [r[0] for r in step_rows if r[1] == "可以进行"]
        if ok:
            lines.append(f"\n**下一步可进行**：{'、'.join(ok)}")
        return ("\n\n".join(lines), table(clock_rows, CLOCK_HEADERS), table(step_rows, STEP_HEADERS),
                gr.update(choices=v.next_states, value=(ok[0] if ok else None)),
                gr.update(choices=evidence_types, value=evidence_types[0] if evidence_types else None))

    page_outputs = [case_view, clocks, steps, step_pick, e_type]

    # -- handlers --------------------------------------------------------------------------------
    @guarded(R.HANDLER)
    def refresh(s):
        return _list(s)

    def on_login(s):
        if s is None or not s.sees("cases"):
            return gr.skip(), gr.skip()
        try:
            return refresh(s)
        except gr.Error:
            return gr.skip(), gr.skip()

    refresh_btn.click(refresh, sess, [cases_table, case_pick], api_name="cases", api_visibility="undocumented")

    @guarded(R.HANDLER)
    def open_case(s, case_id):
        if case_id in (None, ""):
            return ["", *[gr.skip()] * len(page_outputs)]
        return ["", *_page(s, case_id)]

    case_pick.input(open_case, [sess, case_pick], [case_status, *page_outputs], api_visibility="private")

    @guarded(R.HANDLER)
    def create(s, cause, proc, vdate, cohandler, pkind, pname, pcode):
        cases = _cases_mod()
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
        tbl, choices = _list(s)
        choices["value"] = case_id
        return [f"已立案：{number or case_id}。", tbl, choices, *_page(s, case_id)]

    create_btn.click(create, [sess, new_cause, new_proc, new_vdate, new_cohandler, new_party_kind, new_party_name,
                              new_party_code], [case_status, cases_table, case_pick, *page_outputs],
                     api_visibility="private")

    @guarded(R.HANDLER)
    def go(s, case_id, target, *fields):
        if not target:
            raise InputError("请选择要进入的环节。")
        payload = _payload(*fields)
        cases = _cases_mod()
        try:
            with services.db.session() as db:
                _own_case(db, s, case_id)
                cases.advance(db, int(case_id), target, actor=s.username, payload=payload)
        except GateRefused as exc:
            return [f"<span class='zf-blocked'>不能进入“{target}”：{exc.message}</span>", gr.skip(),
                    *_page(s, case_id, payload)]
        tbl, _ = _list(s)
        return [f"已进入“{target}”。", tbl, *_page(s, case_id)]

    step_fields = [p_types, p_fine, p_facts, p_reasons, p_basis, p_served, p_method, p_reason, p_rights]
    advance_btn.click(go, [sess, case_pick, step_pick, *step_fields], [case_status, cases_table, *page_outputs],
                      api_visibility="private")

    @guarded(R.HANDLER)
    def save_violation(s, case_id, desc, violated, penalty):
        cases = _cases_mod()
        with services.db.session() as db:
            _own_case(db, s, case_id)
            cases.add_violation(db, int(case_id), actor=s.username, description=desc or "",
                                violated_provision=violated or "", penalty_provision=penalty or "")
        return ["违法行为已保存。", *_page(s, case_id)]

    add_violation_btn.click(save_violation, [sess, case_pick, v_desc, v_violated, v_penalty],
                            [case_status, *page_outputs], api_visibility="private")

    @guarded(R.HANDLER)
    def save_statement(s, case_id, kind, content):
        cases = _cases_mod()
        with services.db.session() as db:
            _own_case(db, s, case_id)
            cases.record_statement(db, int(case_id), actor=s.username, kind=kind, content=content or "")
        return [f"已登记：{kind}。", *_page(s, case_id)]

    st_btn.click(save_statement, [sess, case_pick, st_kind, st_content], [case_status, *page_outputs],
                 api_visibility="private")

    @guarded(R.HANDLER)
    def save_evidence(s, case_id, etype, title, file):
        cases = _cases_mod()
        sha, path = None, None
        if file is not None:
            src = check_upload(file, [".pdf", ".jpg", ".jpeg", ".png", ".docx", ".xlsx", ".txt", *AUDIO_TYPES], max_mb,
                               "证据文件")
            records = service_module("assistant.records", "证据文件库")
            sha, _size, _new = records.FileStore(services.settings.files_dir).put(src)
            path = None
        with services.db.session() as db:
            _own_case(db, s, case_id)
            cases.add_evidence(db, int(case_id), actor=s.username, type=etype or "", title=title or "",
                               file_sha256=sha, file_path=path)
        return ["证据已登记。", *_page(s, case_id)]

    add_evidence_btn.click(save_evidence, [sess, case_pick, e_type, e_title, e_file], [case_status, *page_outputs],
                           api_visibility="private")

    @guarded(R.HANDLER)
    def push(s, case_id, progress=gr.Progress()):
        cases = _cases_mod()
        with services.db.session(readonly=True) as db:
            case = _own_case(db, s, case_id)
            v = cases.show_case(db, int(case_id))
            vdate = case.violation_date
        query = "；".join(x["description"] for x in v.violations) or v.cause
        progress(0.2, desc="检索相关法条…")
        hits = services.searcher.search(query, k=8, as_of=vdate)
        art_rows = [[f"《{h.short_name}》{h.article}", ROLE_LABELS.get(h.role, "相关条文"), h.status,
                     (h.text or "").replace("\n", " ")[:100]] for h in hits]
        progress(0.5, desc="匹配裁量基准…")
        band_md = _band(v, query, vdate)
        progress(0.7, desc="查找类似案例…")
        similar_rows = _similar(query, int(case_id), hits)
        missing = _missing_evidence(v)
        return table(art_rows, PUSH_HEADERS), band_md, table(similar_rows, SIMILAR_HEADERS), missing

    def _band(v, query, vdate) -> str:
        try:
            rec_mod = service_module("assistant.discretion.recommend", "裁量建议")
            repo = service_module("assistant.discretion.repository", "裁量基准库")
            kind = {"自然人": "natural_person", "法人": "legal_person"}.get(
                v.parties[0]["kind"] if v.parties else "法人", "other_org")
            facts = rec_mod.CaseFacts(violation_text=query, party_type=kind, violation_date=vdate,
                                      agency=s_agency_name(v))
            with services.db.session(readonly=True) as db:
                benchmarks = repo.load_benchmarks(db)
            rec = rec_mod.recommend(facts, benchmarks, services.statutes)
        except gr.Error:
            raise
        except Exception as exc:  # shown, not hidden: the push panel still shows the rest
            msg = getattr(exc, "message", None) or "裁量建议暂不可用"
            log.info("discretion unavailable: %s", type(exc).__name__)
            return f"**裁量档次**：{msg}"
        if rec.band is None:
            reasons = {"no_benchmark": "未找到匹配的裁量基准", "needs_band": "需承办人选择档次",
                       "needs_quantity": "需填写违法所得/货值等数额", "time_barred": "已超过处罚时效",
                       "no_penalty": "符合不予处罚情形"}
            out = [f"**裁量档次**：{reasons.get(rec.outcome, rec.outcome)}"]
        else:
            rng = (f"{rec.range_min:,.0f}–{rec.range_max:,.0f} 元" if rec.range_min is not None and rec.range_max is not None
                   else "（无罚款）")
            out = [f"**匹配档次**：{rec.band.level}（{md_escape(rec.band.conditions_text)}）　**建议罚款**：{rng}"]
        out += [f"- {md_escape(step.text)}（{step.source}）" for step in rec.explanation[:8]]
        out += [f"> ⚠ {w}" for w in rec.warnings[:5]]
        return "\n".join(out)

    def s_agency_name(v) -> str:
        return v.agency

    def _similar(query, case_id, hits) -> list[list]:
        prec = service_module("assistant.precedents", "类似案例")
        with services.db.session(readonly=True) as db:
            sims = prec.find_similar(db, prec.Query(facts=query, exclude_case_id=case_id,
                                                    violated_article_ids=[h.article_id for h in hits if h.role == "violated"],
                                                    penalty_article_ids=[h.article_id for h in hits if h.role == "penalty"]),
                                     k=5)
        return [[x.document_no or "", x.agency or "", x.decided_on.isoformat() if x.decided_on else "", x.band or "",
                 f"{x.fine:,.0f}" if x.fine is not None else "", round(x.score, 3)] for x in sims]

    def _missing_evidence(v) -> str:
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

    push_btn.click(push, [sess, case_pick], [push_articles, push_band, push_similar, push_missing],
                   api_visibility="private")

    @guarded(R.HANDLER)
    def transcribe(s, file, progress=gr.Progress()):
        path = check_upload(file, AUDIO_TYPES, max_mb, "询问录音")
        tr = service_module("assistant.transcription", "语音转写")
        adapter = service_module("assistant.adapters.whisper", "语音识别模型")
        progress(0.05, desc="正在加载语音识别模型…")
        transcriber = adapter.WhisperTranscriber(services.settings.whisper_model)
        progress(0.1, desc="正在转写（长录音需数分钟）…")
        result = tr.transcribe_file(path, transcriber, max_bytes=max_mb * 1024 * 1024,
                                    progress=lambda f: progress(0.1 + 0.9 * float(f), desc="正在转写…"))
        return getattr(result, "text", str(result))

    transcribe_btn.click(transcribe, [sess, audio], transcript, api_visibility="private")

    @guarded(R.HANDLER)
    def make_draft(s, case_id, k, fine, progress=gr.Progress()):
        draft_for_case = service_attr("assistant.case_drafting", "draft_for_case", "文书起草")
        with services.db.session(readonly=True) as db:
            _own_case(db, s, case_id)
        progress(0.2, desc="正在起草并核验引用与金额…")
        draft = draft_for_case(services, int(case_id), k, fine=float(fine) if fine else None)
        out_dir = Path(services.settings.home) / "downloads" / s.username
        out_dir.mkdir(parents=True, exist_ok=True)
        # unique per call: the same user may draft in two browser tabs at once
        path = out_dir / f"案件{int(case_id)}-{draft.title}-{datetime.now():%Y%m%d%H%M%S}-{secrets.token_hex(3)}.docx"
        with tempfile.NamedTemporaryFile(dir=out_dir, suffix=".part", delete=False) as fh:
            fh.write(draft.docx)
        Path(fh.name).rename(path)
        lines = []
        for f in draft.findings:
            sev = getattr(f, "severity", "")
            mark = "✗" if sev == "error" else ("⚠" if sev == "warning" else "·")
            lines.append(f"- {mark} {md_escape(getattr(f, 'message', str(f)))}")
        head = ("**草稿可以送审。**" if draft.can_submit else "**草稿存在须修改的问题，修改前不能送审。**")
        src = "（叙述部分由模板生成）" if not draft.llm_used else "（叙述部分由大模型生成，已逐条核验）"
        return (head + src + ("\n" + "\n".join(lines) if lines else ""), draft.text, str(path),
                {"case_id": int(case_id), "kind": k, "text": draft.text, "can_submit": draft.can_submit})

    draft_btn.click(make_draft, [sess, case_pick, kind, draft_fine], [draft_findings, draft_text, draft_file, draft_state],
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
            _own_case(db, s, case_id)
            v = _cases_mod().show_case(db, int(case_id))
            materials = [f"{e['type']}：{e['title']}" for e in v.evidence]
            rnd = review.submit(db, int(case_id), s.username, text, materials=materials, store=services.statutes)
        return [f"已送法制审核（第 {rnd.round_no} 轮）。", *_page(s, case_id)]

    submit_btn.click(submit, [sess, case_pick, draft_text, draft_state], [case_status, *page_outputs],
                     api_visibility="private")
    return CasesTab(on_login=(on_login, [cases_table, case_pick]))

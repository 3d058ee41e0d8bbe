"""Interview on the case page (询问录音 → 转写 → 更正 → 询问笔录 .docx).

The officer uploads the recording (type, size and content checked), the real speech model
transcribes it with a progress bar, the 问/答 turns appear in an editable table; the officer
corrects speakers and text (each change is recorded as a tracked edit over the immutable machine
transcript) and then generates the 询问笔录 .docx, which names the two officers of the case
(询问人 = the current user, 记录人 = another handler) and links the recording by its SHA-256.

Services: assistant.transcription, assistant.adapters.whisper, assistant.records (FileStore),
assistant.documents.interview_record.
"""
from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

import gradio as gr

from assistant import roles as R
from assistant.errors import InputError
from ui.case_draft import write_download
from ui.case_page import AUDIO_TYPES
from ui.common import guarded, service_module, table
from ui.uploads import check_upload

log = logging.getLogger(__name__)

TURN_HEADERS = ["段", "说话人", "内容"]
SPEAKERS = ("问", "答")


def _editable(state: dict):
    tr = service_module("assistant.transcription", "语音转写")
    transcript = tr.Transcript.from_json(state["transcript"])
    return tr.EditableTranscript(transcript, [tr.Edit.from_dict(e) for e in state.get("edits", [])])


def _turn_rows(turns) -> list[list]:
    return [[i + 1, t.speaker, t.text] for i, t in enumerate(turns)]


def _parse_time(text: str, field: str) -> datetime:
    raw = (text or "").strip().replace("/", "-")
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M"):
        try:
            return datetime.strptime(raw, fmt)
        except ValueError:
            continue
    raise InputError(f"{field}“{text or ''}”格式不正确，应为 YYYY-MM-DD HH:MM，例如 2024-05-01 09:30。")


def build(ctx) -> None:
    services, sess, max_mb = ctx.services, ctx.sess, ctx.max_mb
    state = gr.State(None)  # per user: {"case_id", "transcript" (json), "edits": [...], "audio_sha256"}

    with gr.Accordion("询问录音转写与询问笔录", open=False, elem_id="case-interview"):
        with gr.Row():
            audio = gr.File(label=f"询问录音（{'、'.join(AUDIO_TYPES)}，≤{max_mb} MB）", file_types=AUDIO_TYPES,
                            elem_id="interview-audio")
            transcribe_btn = gr.Button("上传并转写", scale=0, elem_id="interview-transcribe")
        interview_status = gr.Markdown(elem_id="interview-status")
        turns = gr.Dataframe(value=table([], TURN_HEADERS), interactive=False, wrap=True,
                             label="问答分段（点击一段即可在下方更正）", elem_id="interview-turns")
        with gr.Row():
            fix_no = gr.Number(label="段", precision=0, minimum=1, scale=0, elem_id="interview-fix-no")
            fix_speaker = gr.Radio(list(SPEAKERS), value="问", label="说话人", scale=0, elem_id="interview-fix-speaker")
            fix_text = gr.Textbox(label="内容（更正后）", lines=2, scale=4, elem_id="interview-fix-text")
        with gr.Row():
            save_btn = gr.Button("更正此段", elem_id="interview-save")
            merge_btn = gr.Button("与下一段合并", elem_id="interview-merge")
        gr.Markdown("#### 询问笔录首部")
        with gr.Row():
            started = gr.Textbox(label="询问开始时间（YYYY-MM-DD HH:MM）", elem_id="interview-start")
            ended = gr.Textbox(label="询问结束时间（YYYY-MM-DD HH:MM）", elem_id="interview-end")
            place = gr.Textbox(label="询问地点", elem_id="interview-place")
        with gr.Row():
            name = gr.Textbox(label="被询问人姓名", elem_id="interview-name")
            sex = gr.Dropdown(["男", "女"], value="男", label="性别", elem_id="interview-sex")
            id_number = gr.Textbox(label="身份证号", elem_id="interview-id")
            relation = gr.Dropdown(["当事人", "法定代表人", "委托代理人", "证人"], value="当事人", label="与本案关系")
        with gr.Row():
            employer = gr.Textbox(label="工作单位")
            address = gr.Textbox(label="住址")
            phone = gr.Textbox(label="联系电话")
        record_btn = gr.Button("生成询问笔录（.docx）", variant="primary", elem_id="interview-docx-btn")
        record_file = gr.File(label="下载询问笔录", interactive=False, elem_id="interview-file")

    @guarded(R.HANDLER)
    def transcribe(s, case_id, file, progress=gr.Progress()):
        with services.db.session(readonly=True) as db:
            ctx.own_case(db, s, case_id)
        path = check_upload(file, AUDIO_TYPES, max_mb, "询问录音")
        tr = service_module("assistant.transcription", "语音转写")
        adapter = service_module("assistant.adapters.whisper", "语音识别模型")
        records = service_module("assistant.records", "证据文件库")
        progress(0.02, desc="正在保存录音…")
        sha, _size, _new = records.FileStore(services.settings.files_dir).put(path)
        progress(0.05, desc="正在加载语音识别模型…")
        model_dir = adapter.ensure_whisper_model(services.settings, progress=lambda m: progress(0.06, desc=m))
        transcriber = adapter.WhisperTranscriber(model_dir)
        progress(0.1, desc="正在转写（长录音需数分钟）…")
        result = tr.transcribe_file(path, transcriber, max_bytes=max_mb * 1024 * 1024,
                                    progress=lambda f: progress(0.1 + 0.9 * float(f), desc="正在转写…"))
        if not result.segments:
            raise InputError("录音中没有识别出语音，请检查录音文件。")
        et = tr.EditableTranscript(result)
        data = {"case_id": int(case_id), "transcript": result.to_json(), "edits": [], "audio_sha256": sha,
                "audio_name": path.name, "audio_record_id": None}
        msg = (f"转写完成：录音 {result.duration:.0f} 秒，{len(et.turns)} 段。"
               "请逐段核对说话人和内容：点击一段，在下方更正。")
        return msg, table(_turn_rows(et.turns), TURN_HEADERS), data

    transcribe_btn.click(transcribe, [sess, ctx.case_pick, audio], [interview_status, turns, state],
                         api_visibility="private")

    def _turn(data, no):
        if not data:
            raise InputError("请先上传并转写询问录音。")
        et = _editable(data)
        if no in (None, "") or not 1 <= int(no) <= len(et.turns):
            raise InputError(f"请填写要更正的段号（1 至 {len(et.turns)}）。")
        return et, int(no) - 1

    def pick_turn(data, evt: gr.SelectData):
        try:
            et, i = _turn(data, (evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index) + 1)
        except (InputError, TypeError, ValueError):
            return gr.skip(), gr.skip(), gr.skip()
        t = et.turns[i]
        return i + 1, t.speaker, t.text

    turns.select(pick_turn, state, [fix_no, fix_speaker, fix_text], api_visibility="private", queue=False)

    def _result(et, data, msg):
        data = {**data, "edits": [e.to_dict() for e in et.edits]}
        return msg, table(_turn_rows(et.turns), TURN_HEADERS), data

    @guarded(R.HANDLER)
    def save(s, data, no, speaker, text):
        et, i = _turn(data, no)
        turn = et.turns[i]
        if speaker not in SPEAKERS:
            raise InputError("说话人应为“问”或“答”。")
        changed = 0
        if speaker != turn.speaker:
            et.flip_speaker(i, actor=s.username)
            changed += 1
        if (text or "").strip() and text.strip() != turn.text:
            et.edit_text(i, text.strip(), actor=s.username)
            changed += 1
        msg = (f"第{i + 1}段已更正（累计 {len(et.edits)} 处更正，机器转写原文保留）。" if changed
               else f"第{i + 1}段没有修改。")
        return _result(et, data, msg)

    save_btn.click(save, [sess, state, fix_no, fix_speaker, fix_text], [interview_status, turns, state],
                   api_visibility="private")

    @guarded(R.HANDLER)
    def merge(s, data, no):
        et, i = _turn(data, no)
        et.merge(i, actor=s.username)
        return _result(et, data, f"第{i + 1}段与第{i + 2}段已合并。")

    merge_btn.click(merge, [sess, state, fix_no], [interview_status, turns, state], api_visibility="private")

    @guarded(R.HANDLER)
    def make_record(s, case_id, data, t0, t1, where, who, gender, idno, rel, work, addr, tel):
        if not data:
            raise InputError("请先上传并转写询问录音。")
        if data.get("case_id") != int(case_id or 0):
            raise InputError("转写结果属于另一个案件，请重新上传本案的询问录音。")
        doc = service_module("assistant.documents.interview_record", "询问笔录")
        with services.db.session(readonly=True) as db:
            ctx.own_case(db, s, case_id)
            v = ctx.cases_mod().show_case(db, int(case_id))
        me = next((h for h in v.handlers if h["username"] == s.username), None)
        if me is None:
            raise InputError("只有本案承办人可以制作询问笔录。")
        other = next((h for h in v.handlers if h["username"] != s.username), None)
        if other is None:
            raise InputError("询问笔录须列明至少两名执法人员（行政处罚法 第四十二条），本案只有一名承办人。")
        t_start, t_end = _parse_time(t0, "询问开始时间"), _parse_time(t1, "询问结束时间")
        header = doc.InterviewHeader(
            started_at=t_start, ended_at=t_end, place=where or "",
            interviewers=(doc.Officer(me["display_name"], me["credential_no"] or ""),),
            recorder=doc.Officer(other["display_name"], other["credential_no"] or ""),
            interviewee=doc.Interviewee((who or "").strip(), gender or "", (idno or "").strip(), (work or "").strip(),
                                        (addr or "").strip(), (tel or "").strip(), rel or "当事人"),
            agency=v.agency, case_number=v.case_number or "", cause=v.cause,
            audio_sha256=data.get("audio_sha256"))
        header.validate()  # before the recording is stored: a bad header changes nothing
        record_id, warnings = data.get("audio_record_id"), ()
        if record_id is None:  # the recording becomes the case's 音像记录 (once), linked from the 笔录
            record_id, warnings = _ingest_audio(s, int(case_id), data, t_start, t_end, where, who)
            data = {**data, "audio_record_id": record_id}
        header = replace(header, audio_record_id=record_id)
        data_bytes = doc.build_interview_record(header, _editable(data).turns)
        path = write_download(services, s.username, f"案件{int(case_id)}-询问笔录", data_bytes)
        note = "".join(f"\n> ⚠ {w}" for w in warnings)
        return (f"询问笔录已生成（同步录音：记录编号 {record_id}），请打印后交被询问人核对签名。{note}", str(path), data)

    record_btn.click(make_record, [sess, ctx.case_pick, state, started, ended, place, name, sex, id_number, relation,
                                   employer, address, phone], [interview_status, record_file, state],
                     api_visibility="private")

    def _ingest_audio(s, case_id, data, t_start, t_end, where, who):
        """Store the recording as a process record of the case; (record id, handover warnings)."""
        records = service_module("assistant.records", "音像记录")
        files = records.FileStore(services.settings.files_dir)
        meta = records.RecordMeta(case_id=case_id, captured_at=t_start, captured_end=t_end, location=(where or "").strip(),
                                  collector=s.username, proof_object=f"询问{(who or '').strip() or '被询问人'}",
                                  kind="audio", agency_id=s.agency_id, title=f"询问录音 {data.get('audio_name', '')}",
                                  activity="询问")
        with services.db.session() as db:
            done = records.ingest_record(db, files, files.path(data["audio_sha256"]), meta, actor=s.username,
                                         max_bytes=max_mb * 1024 * 1024)
            return done.record.id, done.warnings

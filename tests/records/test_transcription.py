"""Transcripts: 问/答 turn splitting, officer edits tracked (who, when, before/after) with the
machine transcript immutable, vocabulary post-correction, and (slow) a real clip through the real
model."""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select, text

from assistant.audit import verify_chain
from assistant.errors import InputError, IntegrityError
from assistant.records import edit_transcript, load_transcript, save_transcript
from assistant.store.audit_tables import AuditEntry
from assistant.store.record_tables import TranscriptEdit
from assistant.transcription import (ANSWER, QUESTION, EditableTranscript, Segment, Transcript, Vocabulary,
                                     classify, post_correct, split_turns, transcribe_file)

SEGS = (
    Segment(0.0, 4.0, "我们是市场监管局执法人员，这是我们的执法证件。"),
    Segment(4.2, 6.0, "你是否申请回避？"),
    Segment(6.5, 7.2, "不申请。"),
    Segment(8.0, 9.5, "你叫什么名字"),
    Segment(9.8, 11.0, "张三"),
    Segment(11.1, 13.0, "是这家店的老板"),
    Segment(16.5, 18.0, "店是去年开的"),
    Segment(19.0, 21.0, "营业执照办了吗"),
    Segment(21.5, 23.0, "还没有办"),
)


def transcript() -> Transcript:
    return Transcript(segments=SEGS, duration=23.0, model="test")


def test_question_markers_and_officer_formulas_mark_the_officer():
    assert classify("你是否申请回避？") == QUESTION
    assert classify("你叫什么名字") == QUESTION
    assert classify("我们是执法人员") == QUESTION
    assert classify("还没有办") is None


def test_turns_alternate_and_long_pauses_start_a_new_turn():
    turns = split_turns(SEGS)
    assert [t.speaker for t in turns] == [QUESTION, ANSWER, QUESTION, ANSWER, ANSWER, QUESTION, ANSWER]
    # the officer's two opening segments merge (short pause); 张三 + 是这家店的老板 merge
    assert turns[0].text.startswith("我们是") and turns[0].text.endswith("是否申请回避？")
    assert turns[3].text == "张三，是这家店的老板" and turns[3].start == 9.8 and turns[3].end == 13.0
    assert turns[4].text == "店是去年开的"  # 3.5 s pause ≥ long_pause: a new turn


def test_edits_are_tracked_and_the_machine_transcript_is_kept():
    et = EditableTranscript(transcript())
    original = et.turns
    at = datetime(2024, 5, 1, 10, 0)
    e1 = et.edit_text(3, "张三，是这家店的老板。", actor="li4", at=at)
    e2 = et.merge(3, actor="li4", at=at)
    e3 = et.flip_speaker(0, actor="wang5", at=at)
    e4 = et.split(3, 6, actor="li4", at=at)
    assert (e1.before, e1.after, e1.actor, e1.at) == ("张三，是这家店的老板", "张三，是这家店的老板。", "li4", at)
    assert e2.op == "merge" and e3.before == QUESTION and e3.after == ANSWER and e4.position == 6
    assert et.turns[0].speaker == ANSWER
    assert et.turns[3].text == "张三，是这家" and et.turns[4].text == "店的老板。店是去年开的"
    assert et.transcript.segments == SEGS and list(et.initial) == original
    # replaying the log reproduces the working copy
    assert EditableTranscript(transcript(), et.edits).turns == et.turns
    with pytest.raises(InputError, match="拆分位置"):
        et.split(0, 0, actor="li4")
    with pytest.raises(InputError, match="不存在"):
        et.edit_text(99, "x", actor="li4")


def test_persisted_edits_replay_and_tampering_with_the_machine_text_is_detected(db):
    with db.session() as s:
        tid = save_transcript(s, case_id=5, transcript=transcript(), actor="li4").id
    with db.session() as s:
        edit_transcript(s, tid, "text", 3, actor="li4", text="张三，是这家店的老板。")
        edit_transcript(s, tid, "flip", 4, actor="wang5")
    with db.session(readonly=True) as s:
        et = load_transcript(s, tid)
        assert [e.actor for e in et.edits] == ["li4", "wang5"]
        assert et.turns[3].text == "张三，是这家店的老板。" and et.turns[4].speaker == QUESTION
        assert et.transcript.text == transcript().text  # machine text untouched
        rows = s.execute(select(TranscriptEdit).order_by(TranscriptEdit.seq)).scalars().all()
        assert [(r.seq, r.op, r.before) for r in rows] == [(1, "text", "张三，是这家店的老板"), (2, "flip", ANSWER)]
        actions = [a.action for a in s.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars()]
        assert actions == ["transcript.create", "transcript.edit", "transcript.edit"]
        assert verify_chain(s, 5).ok
        # transcript text never enters the audit log
        details = " ".join(str(a.detail) for a in s.execute(select(AuditEntry)).scalars())
        assert "张三" not in details
    with db.engine.begin() as c:
        c.execute(text("UPDATE transcripts SET machine_json = replace(machine_json, '张三', '李四')"))
    with db.session(readonly=True) as s, pytest.raises(IntegrityError, match="已被改动"):
        load_transcript(s, tid)


def test_post_correction_fixes_homophones_of_vocabulary_terms():
    vocab = Vocabulary.for_case(names=["王建国"], places=["幸福路"])
    assert post_correct("你对处罚有什么陈述申辨意见", vocab) == "你对处罚有什么陈述申辩意见"
    assert post_correct("王建果在星福路开店", vocab) == "王建国在幸福路开店"  # 果 guo3 = 国 guo2; 星 ≠ 幸 in pinyin
    assert post_correct("甚至出现交易几乎停滞的情况", vocab) == "甚至出现交易几乎停滞的情况"
    assert post_correct("询问比录", vocab) == "询问笔录"


def test_fuzzy_post_correction_merges_southern_accent_initials():
    vocab = Vocabulary.for_case(places=["幸福路"])
    assert post_correct("在兴福路", vocab) == "在幸福路"  # xing = xing (homophone)
    assert post_correct("在性福路", vocab, fuzzy=False) == "在幸福路"
    vocab2 = Vocabulary(terms=("陈述申辩",))
    assert post_correct("陈速森辩", vocab2) == "陈速森辩"
    assert post_correct("岑述申辩", vocab2, fuzzy=True) == "陈述申辩"  # cen ≈ chen


@pytest.mark.slow
def test_real_clip_through_the_real_model(whisper_dir, clip):
    from assistant.adapters.whisper import WhisperTranscriber, ensure_whisper_model

    from assistant import ports

    whisper = WhisperTranscriber(whisper_dir)
    assert isinstance(whisper, ports.Transcriber)  # the adapter implements the one Protocol
    tr = transcribe_file(clip, whisper, max_bytes=10 << 20)
    assert not tr.flagged  # no repetition-guard false alarm on clean read speech
    ref = "甚至出现交易几乎停滞的情况"
    hyp = "".join(ch for ch in tr.text if ch.isalnum())
    prev = list(range(len(hyp) + 1))
    for i, a in enumerate(ref, 1):
        cur = [i]
        for j, b in enumerate(hyp, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a != b)))
        prev = cur
    assert prev[-1] / len(ref) < 0.25, tr.text
    assert tr.segments[0].start >= 0 and tr.segments[-1].end <= tr.duration + 0.5
    assert tr.text == tr.text.strip() and "滯" not in tr.text  # Simplified output
    # assembling again is a no-op (size check)
    from types import SimpleNamespace

    msgs = []
    assert ensure_whisper_model(SimpleNamespace(whisper_model=whisper_dir), progress=msgs.append) == whisper_dir
    assert msgs == [f"语音模型已就绪：{whisper_dir}"]
    assert (whisper_dir / "model.bin").stat().st_size == 145_217_607

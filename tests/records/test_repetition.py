"""The repetition guard: faster-whisper decoder loops (a phrase repeated many times in one segment,
or the same segment emitted again and again) are collapsed and flagged for the officer, ordinary
repetition in speech is left alone, and the raw decoder text is kept in the saved machine transcript."""
from __future__ import annotations

import numpy as np

from assistant import ports
from assistant.records import load_transcript, save_transcript
from assistant.transcription import (DecodeOptions, FakeTranscriber, RepetitionPolicy, Segment, Transcriber,
                                     collapse_repeats, compression_ratio, guard_repetitions, transcribe_file)

from tests.records.records_helpers import tone, write_wav

LOOP = "我不知道这个情况。" * 14  # 126 characters of one phrase: the classic long-audio failure


def test_a_phrase_looped_inside_a_segment_is_collapsed_and_flagged_with_the_raw_text_kept():
    segs = [Segment(0, 2, "你知道这些饼干过期了吗？"), Segment(2, 30, LOOP)]
    out = guard_repetitions(segs)
    assert out[0] == segs[0]
    assert out[1].text == "我不知道这个情况。" and out[1].raw_text == LOOP
    assert "连续重复14次" in out[1].flag and (out[1].start, out[1].end) == (2, 30)


def test_a_loop_followed_by_new_words_keeps_the_new_words():
    text, copies = collapse_repeats("这个店是我开的，" * 5 + "后来转给了别人")
    assert (text, copies) == ("这个店是我开的，后来转给了别人", 5)


def test_ordinary_repetition_in_speech_is_left_alone():
    for said in ("好的好的", "对对对对", "不是不是不是", "哈哈哈哈哈", "我是说，我是说，这个不是我的"):
        assert collapse_repeats(said) == (said, 0)
        assert guard_repetitions([Segment(0, 1, said)]) == [Segment(0, 1, said)]
    normal = ("当事人在其经营场所货架上销售超过保质期的袋装饼干十五袋，货值金额一百八十元，违法所得六十元。"
              "我们是市场监管局执法人员，这是我们的执法证件，请你如实回答询问。")
    assert compression_ratio(normal) < RepetitionPolicy().max_compression_ratio
    assert guard_repetitions([Segment(0, 9, normal)])[0].flag == ""


def test_the_same_segment_emitted_again_and_again_is_merged():
    segs = [Segment(0, 1, "你叫什么名字？"), *[Segment(1 + i, 2 + i, "谢谢。") for i in range(6)],
            Segment(8, 9, "我叫张三。"), Segment(9, 10, "是的。"), Segment(10, 11, "是的。")]
    out = guard_repetitions(segs)
    assert [s.text for s in out] == ["你叫什么名字？", "谢谢。", "我叫张三。", "是的。", "是的。"]  # two in a row stay
    merged = out[1]
    assert (merged.start, merged.end) == (1, 7) and "连续6段内容相同" in merged.flag
    assert merged.raw_text.split("\u2028") == ["谢谢。"] * 6


def test_a_varied_loop_is_flagged_by_compression_ratio_but_not_changed():
    varied = ("我没有卖过期的东西，我没卖过期的东西，我没有卖过期的东西啊，我没有卖过期东西，"
              "我没有卖过期的东西，我没卖过期的东西，我没有卖过期的东西啊，我没有卖过期东西")
    (seg,) = guard_repetitions([Segment(0, 20, varied)])
    assert seg.text == varied and seg.raw_text == varied and "压缩比" in seg.flag


class LoopingTranscriber:
    """Stands in for the decoder's failure mode (quality fake): loops on every window."""

    name = "looping"

    def transcribe(self, samples: np.ndarray, options: DecodeOptions):
        yield Segment(0.0, 2.0, "请问你叫什么名字？")
        yield Segment(2.0, len(samples) / 16000, LOOP)


def test_both_transcribers_implement_the_one_protocol():
    assert Transcriber is ports.Transcriber
    assert isinstance(FakeTranscriber(), ports.Transcriber)
    assert isinstance(LoopingTranscriber(), ports.Transcriber)


def test_transcribe_file_guards_and_the_saved_machine_transcript_keeps_the_raw_text(db, tmp_path):
    path = write_wav(tmp_path / "loop.wav", tone(8.0))
    tr = transcribe_file(path, LoopingTranscriber(), max_bytes=10 << 20)
    assert [s.text for s in tr.segments] == ["请问你叫什么名字？", "我不知道这个情况。"]
    assert tr.flagged == (tr.segments[1],) and tr.segments[1].raw_text == LOOP
    with db.session() as s:
        tid = save_transcript(s, case_id=1, transcript=tr, actor="zhang").id
    with db.session(readonly=True) as s:
        loaded = load_transcript(s, tid)
    machine = loaded.transcript
    assert machine.segments[1].raw_text == LOOP and machine.segments[1].flag

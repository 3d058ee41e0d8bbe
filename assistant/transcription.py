"""Interview transcription (语音识别 → 询问笔录 draft): segments, 问/答 turns, tracked edits,
legal vocabulary bias and post-correction.

The domain never imports faster-whisper: a :class:`assistant.ports.Transcriber` (``assistant.adapters.whisper``
in production, :class:`FakeTranscriber` for UI tests) turns 16 kHz mono float32 samples into
:class:`Segment` s. :func:`transcribe_file` probes the upload, streams it in bounded windows
(``assistant.audio.iter_windows``), reports progress and honours a cancel event; it returns a
finished :class:`Transcript` or raises — nothing is persisted here, so a cancelled or failed run
leaves nothing half-saved.

Turn heuristic (:func:`split_turns`), documented for the officer who corrects it:
1. each segment is classified 问 (officer) when it ends with ？/? or contains a question marker
   (吗 呢 是否 是不是 有没有 什么 怎么 为什么 多少 几 哪 谁 请 …) or an officer formula
   (我们是 执法人员 出示 证件 回避 如实回答 …); otherwise 答 (interviewee);
2. an unmarked segment right after a 问 is an answer (alternation); an unmarked segment after a
   pause ≥ ``long_pause`` following an 答 that itself ended a question-answer pair stays 答;
3. consecutive segments with the same speaker are merged into one turn when the pause between
   them is < ``long_pause`` seconds, otherwise they start a new turn of the same speaker.
The officer fixes the rest: flip a turn's speaker, merge two turns, split a turn, edit its text.
Every edit is an :class:`Edit` (who, when, before, after); the machine transcript is immutable and
the current turns are always ``replay(initial turns, edits)``.
"""
from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import numpy as np

from assistant.errors import InputError, ZhifaError
from assistant.ports import Transcriber  # the one speech Protocol (re-exported here)

log = logging.getLogger(__name__)

QUESTION, ANSWER = "问", "答"
SAMPLE_RATE = 16000


class TranscriptionCancelled(ZhifaError):
    code = "cancelled"


# --------------------------------------------------------------------------- records
@dataclass(frozen=True)
class Segment:
    """One decoded segment. When the repetition guard (:func:`guard_repetitions`) collapsed a
    decoder loop, ``text`` is the collapsed text, ``raw_text`` the decoder's output as it came and
    ``flag`` says what was done (shown to the officer); otherwise both are empty."""

    start: float
    end: float
    text: str
    avg_logprob: float | None = None
    no_speech_prob: float | None = None
    raw_text: str = ""
    flag: str = ""


@dataclass(frozen=True)
class DecodeOptions:
    """Decoder settings. Defaults = measured best on the real clips (see bench/transcription.py)."""

    language: str = "zh"
    beam_size: int = 5
    temperature: float = 0.0
    vad: bool = True
    vad_min_silence_ms: int = 2000  # faster-whisper default; 500 ms cut words on the real clips
    condition_on_previous_text: bool = True
    hotwords: str | None = None
    initial_prompt: str | None = None


@dataclass(frozen=True)
class Transcript:
    """The immutable machine transcript (Simplified Chinese, timestamps in seconds)."""

    segments: tuple[Segment, ...]
    duration: float
    model: str
    language: str = "zh"
    elapsed: float = 0.0  # wall seconds spent decoding
    corrected: bool = False  # post-correction applied

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.segments)

    @property
    def flagged(self) -> tuple[Segment, ...]:
        """Segments the repetition guard changed or suspects (the officer should listen to them)."""
        return tuple(s for s in self.segments if s.flag)

    @property
    def rtf(self) -> float:
        return self.elapsed / self.duration if self.duration else 0.0

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, raw: str) -> Transcript:
        data = json.loads(raw)
        data["segments"] = tuple(Segment(**s) for s in data["segments"])
        return cls(**data)


class FakeTranscriber:
    """Deterministic stand-in for UI tests only: one scripted line per ~3 s of non-silent audio."""

    name = "fake"

    def __init__(self, lines: Sequence[str] = ("你叫什么名字？", "我叫张三。")) -> None:
        self.lines = list(lines)
        self._i = 0

    def transcribe(self, samples: np.ndarray, options: DecodeOptions) -> Iterator[Segment]:
        step = 3 * SAMPLE_RATE
        for start in range(0, len(samples), step):
            chunk = samples[start:start + step]
            if chunk.size == 0 or float(np.abs(chunk).max()) < 1e-3:
                continue
            text = self.lines[self._i % len(self.lines)]
            self._i += 1
            yield Segment(start / SAMPLE_RATE, (start + len(chunk)) / SAMPLE_RATE, text)


# --------------------------------------------------------------------------- text normalisation
@lru_cache(maxsize=1)
def _t2s():
    try:
        import opencc
    except ImportError as exc:  # pragma: no cover
        from assistant.errors import SetupMissing

        raise SetupMissing("未安装 OpenCC", fix="pip install opencc-python-reimplemented") from exc
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    return _t2s().convert(text)


# --------------------------------------------------------------------------- vocabulary
VOCAB_FILE = Path(__file__).with_name("legal_terms.txt")


def load_legal_terms(path: Path | None = None) -> list[str]:
    """Legal terms, one per line (``#`` comments). Bundled list: ``assistant/legal_terms.txt``."""
    lines = (path or VOCAB_FILE).read_text(encoding="utf-8").splitlines()
    return [ln.split("#", 1)[0].strip() for ln in lines if ln.split("#", 1)[0].strip()]


@dataclass(frozen=True)
class Vocabulary:
    """Terms that bias decoding and drive post-correction: legal terms + the case's names/places."""

    terms: tuple[str, ...] = ()
    homophones: tuple[tuple[str, str], ...] = ()  # explicit wrong → right pairs

    @classmethod
    def for_case(cls, *, names: Iterable[str] = (), places: Iterable[str] = (),
                 legal: bool = True, extra: Iterable[str] = ()) -> Vocabulary:
        terms = list(load_legal_terms()) if legal else []
        terms += [t for t in (*names, *places, *extra) if t]
        seen: dict[str, None] = {}
        for t in terms:
            seen.setdefault(t.strip(), None)
        return cls(terms=tuple(t for t in seen if t), homophones=HOMOPHONES)

    def hotwords(self, limit: int = 40) -> str:
        # case-specific names come last in ``terms``; keep them, then the shortest legal terms
        return " ".join(list(self.terms)[-limit:])

    def prompt(self) -> str:
        return "以下是行政执法询问笔录：" + "，".join(list(self.terms)[-20:]) + "。"


# common non-homophone confusions seen with Whisper on legal speech (wrong → right)
HOMOPHONES: tuple[tuple[str, str], ...] = (
    ("询问比录", "询问笔录"), ("行政出罚", "行政处罚"), ("陈述申变", "陈述申辩"),
    ("身份正", "身份证"), ("执法正", "执法证"), ("回必", "回避"),
)


def _pinyin(text: str) -> list[str]:
    from pypinyin import Style, lazy_pinyin

    return lazy_pinyin(text, style=Style.NORMAL, errors=lambda s: list(s))


_FUZZY = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("ang", "an"), ("eng", "en"), ("ing", "in"))


def _fuzzy(syllable: str) -> str:
    for a, b in _FUZZY:
        syllable = syllable.replace(a, b)
    return syllable.replace("l", "n") if syllable.startswith("l") else syllable


@lru_cache(maxsize=16)
def _term_table(terms: tuple[str, ...], fuzzy: bool) -> dict[int, list[tuple[tuple[str, ...], str]]]:
    key = _fuzzy if fuzzy else (lambda s: s)
    targets: dict[int, list[tuple[tuple[str, ...], str]]] = {}
    for term in sorted(terms, key=len, reverse=True):
        if len(term) < 2 or not all("\u4e00" <= c <= "\u9fff" for c in term):
            continue
        targets.setdefault(len(term), []).append((tuple(key(p) for p in _pinyin(term)), term))
    return targets


def post_correct(text: str, vocab: Vocabulary, *, fuzzy: bool = False) -> str:
    """Replace windows of ``text`` whose toneless pinyin equals a vocabulary term's (homophones,
    e.g. 陈述申辨 → 陈述申辩) and apply the explicit confusion table. ``fuzzy`` also merges
    zh/z, ch/c, sh/s, -ng/-n and l/n (southern accents) — off by default: more false hits."""
    for wrong, right in vocab.homophones:
        text = text.replace(wrong, right)
    if not text or not vocab.terms:
        return text
    key = _fuzzy if fuzzy else (lambda s: s)
    han = [i for i, ch in enumerate(text) if "\u4e00" <= ch <= "\u9fff"]
    if not han:
        return text
    chars = list(text)
    py = [key(p) for p in _pinyin("".join(chars[i] for i in han))]
    targets = _term_table(vocab.terms, fuzzy)
    taken = [False] * len(han)
    for n in sorted(targets, reverse=True):
        table = dict(targets[n][::-1])  # first (longest/earliest) term wins on equal pinyin
        for k in range(len(han) - n + 1):
            if any(taken[k:k + n]) or han[k + n - 1] - han[k] != n - 1:
                continue  # only contiguous hanzi windows
            term = table.get(tuple(py[k:k + n]))
            if term and "".join(chars[han[k + j]] for j in range(n)) != term:
                for j in range(n):
                    chars[han[k + j]] = term[j]
                taken[k:k + n] = [True] * n
            elif term:
                taken[k:k + n] = [True] * n
    return "".join(chars)


# --------------------------------------------------------------------------- repetition guard
@dataclass(frozen=True)
class RepetitionPolicy:
    """Whisper decoder loops (a phrase repeated many times, typical of faster-whisper on long or
    noisy audio) are caught by three documented heuristics:

    1. **consecutive n-gram repetition** inside a segment: a unit of 1–``max_unit`` characters
       repeated back to back at least ``min_repeats`` times and covering at least ``min_chars``
       characters is collapsed to one copy (``好的好的`` or ``对对对对`` stay: too short to be a loop);
    2. **identical consecutive segments**: ``min_segment_repeats`` or more segments in a row with
       the same text are merged into the first (its end time extended to the last one's);
    3. **compression ratio** (the measure faster-whisper itself uses, threshold 2.4): a segment of
       at least ``ratio_min_chars`` characters whose UTF-8 text still compresses by more than
       ``max_compression_ratio`` after step 1 is flagged (not changed) as a suspected loop.
    The decoder's text is kept in ``Segment.raw_text`` (saved with the machine transcript) and
    ``Segment.flag`` tells the officer what was done.
    """

    max_unit: int = 30
    min_repeats: int = 4
    min_chars: int = 10
    min_segment_repeats: int = 3
    max_compression_ratio: float = 2.4
    ratio_min_chars: int = 40


def compression_ratio(text: str) -> float:
    import zlib

    raw = text.encode("utf-8")
    return len(raw) / len(zlib.compress(raw)) if raw else 0.0


def collapse_repeats(text: str, policy: RepetitionPolicy | None = None) -> tuple[str, int]:
    """Collapse back-to-back repeats of a unit (heuristic 1). Returns the text and the largest
    number of copies found in one collapsed run (0 = unchanged)."""
    policy = policy or RepetitionPolicy()
    pattern = re.compile(r"(.{1,%d}?)\1{%d,}" % (policy.max_unit, policy.min_repeats - 1), re.S)
    copies = 0

    def repl(m: re.Match) -> str:
        nonlocal copies
        if len(m.group(0)) < policy.min_chars:
            return m.group(0)
        copies = max(copies, len(m.group(0)) // len(m.group(1)))
        return m.group(1)

    return pattern.sub(repl, text), copies


def _add_flag(seg: Segment, flag: str, *, text: str | None = None) -> Segment:
    return replace(seg, text=seg.text if text is None else text, raw_text=seg.raw_text or seg.text,
                   flag=f"{seg.flag}；{flag}" if seg.flag else flag)


def guard_repetitions(segments: Sequence[Segment], policy: RepetitionPolicy | None = None) -> list[Segment]:
    """Apply the heuristics of :class:`RepetitionPolicy` to a segment list (order kept)."""
    policy = policy or RepetitionPolicy()
    runs: list[list[Segment]] = []
    for seg in segments:
        if runs and runs[-1][0].text == seg.text:
            runs[-1].append(seg)
        else:
            runs.append([seg])
    merged: list[Segment] = []
    for run in runs:
        if len(run) >= policy.min_segment_repeats:
            first = run[0]
            merged.append(replace(first, end=run[-1].end, raw_text="\u2028".join(s.raw_text or s.text for s in run),
                                  flag=f"疑似识别循环：连续{len(run)}段内容相同，已合并为一段（原文保留）"))
        else:
            merged.extend(run)
    out: list[Segment] = []
    for seg in merged:
        text, copies = collapse_repeats(seg.text, policy)
        if copies:
            seg = _add_flag(seg, f"疑似识别循环：同一内容连续重复{copies}次，已折叠为一次（原文保留）", text=text)
        ratio = compression_ratio(seg.text)
        if len(seg.text) >= policy.ratio_min_chars and ratio > policy.max_compression_ratio:
            seg = _add_flag(seg, f"疑似识别循环：文本压缩比 {ratio:.1f} 超过 {policy.max_compression_ratio}，请核听录音")
        out.append(seg)
    return out


# --------------------------------------------------------------------------- transcription
ProgressFn = Callable[[float], object]


def transcribe_file(path: Path | str, transcriber: Transcriber, *, max_bytes: int,
                    options: DecodeOptions | None = None, vocab: Vocabulary | None = None,
                    bias: bool = False, correct: bool = True, fuzzy: bool = False,
                    progress: ProgressFn | None = None, cancel: threading.Event | None = None,
                    window_seconds: float = 60.0, repetition: RepetitionPolicy | None = None) -> Transcript:
    """Probe, stream-decode and transcribe an audio file.

    ``bias`` passes the vocabulary to the decoder as ``hotwords`` (off by default: measured not to
    help on the real clips); ``correct`` runs :func:`post_correct` with the vocabulary (on by
    default when a vocabulary is given). ``progress(fraction)`` is called after every segment and
    window; ``cancel`` is checked between segments and raises :class:`TranscriptionCancelled`.
    Decoder loops are collapsed or flagged by :func:`guard_repetitions` (raw text kept).
    """
    from assistant.audio import iter_windows, probe

    info = probe(path, max_bytes=max_bytes)
    options = options or DecodeOptions()
    if vocab and bias:
        options = replace(options, hotwords=vocab.hotwords())
    segments: list[Segment] = []
    t0 = time.perf_counter()
    done = 0.0
    for offset, samples in iter_windows(path, window_seconds=window_seconds):
        _check(cancel)
        for seg in transcriber.transcribe(samples, options):
            _check(cancel)
            text = to_simplified(seg.text).strip()
            if text:
                segments.append(replace(seg, start=round(offset + seg.start, 2),
                                        end=round(offset + seg.end, 2), text=text))
            if progress:
                progress(min(1.0, (offset + seg.end) / info.duration))
        done = offset + len(samples) / SAMPLE_RATE
        if progress:
            progress(min(1.0, done / info.duration))
    _check(cancel)
    segments = guard_repetitions(segments, repetition)
    if vocab and correct:
        segments = [replace(s, text=post_correct(s.text, vocab, fuzzy=fuzzy)) for s in segments]
    elapsed = time.perf_counter() - t0
    log.info("transcribed %.1f s of audio in %.1f s (%d segments)", info.duration, elapsed, len(segments))
    return Transcript(segments=tuple(segments), duration=round(max(info.duration, done), 3),
                      model=getattr(transcriber, "name", "?"), language=options.language,
                      elapsed=round(elapsed, 3), corrected=bool(vocab and correct))


def _check(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise TranscriptionCancelled("转写已取消，未保存任何内容。")


# --------------------------------------------------------------------------- turns
@dataclass(frozen=True)
class Turn:
    speaker: str  # 问 | 答
    text: str
    start: float
    end: float


_Q_END = re.compile(r"[？?]\s*$")
_Q_MARKERS = ("吗", "呢", "是否", "是不是", "有没有", "什么", "怎么", "为什么", "多少", "几", "哪",
              "谁", "请你", "请您", "请说", "请问", "能否", "可否", "对不对", "是吧")
_OFFICER = ("我们是", "执法人员", "出示", "证件", "回避", "如实回答", "依法", "现在向你", "询问",
            "你看一下", "签字", "签名", "按手印", "笔录")


def classify(text: str) -> str | None:
    """问 when the text looks like the officer's (question or formula), else None (unmarked)."""
    t = text.strip()
    if _Q_END.search(t) or any(m in t for m in _Q_MARKERS) or any(m in t for m in _OFFICER):
        return QUESTION
    return None


def split_turns(segments: Sequence[Segment], *, long_pause: float = 2.0) -> list[Turn]:
    """Group segments into 问/答 turns (heuristic in the module docstring)."""
    turns: list[Turn] = []
    prev_end = None
    for seg in segments:
        speaker = classify(seg.text) or ANSWER
        gap = (seg.start - prev_end) if prev_end is not None else 0.0
        if turns and turns[-1].speaker == speaker and gap < long_pause:
            last = turns[-1]
            turns[-1] = Turn(speaker, _join(last.text, seg.text), last.start, seg.end)
        else:
            turns.append(Turn(speaker, seg.text, seg.start, seg.end))
        prev_end = seg.end
    return turns


def _join(a: str, b: str) -> str:
    if a and a[-1] not in "，。？！,.?!；;：:":
        return f"{a}，{b}"
    return a + b


# --------------------------------------------------------------------------- edits
EDIT_OPS = ("text", "flip", "merge", "split")


@dataclass(frozen=True)
class Edit:
    """One officer correction. ``before``/``after`` are the affected turns' text (for ``split``,
    ``after`` holds both halves joined by ``\\u2028``)."""

    op: str
    index: int
    actor: str
    at: datetime
    before: str
    after: str
    position: int | None = None  # split offset (characters)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["at"] = self.at.isoformat(timespec="microseconds")
        return d

    @classmethod
    def from_dict(cls, d: dict) -> Edit:
        return cls(**{**d, "at": datetime.fromisoformat(d["at"])})


def apply_edit(turns: Sequence[Turn], edit: Edit) -> list[Turn]:
    turns = list(turns)
    i = edit.index
    if edit.op == "text":
        turns[i] = replace(turns[i], text=edit.after)
    elif edit.op == "flip":
        turns[i] = replace(turns[i], speaker=ANSWER if turns[i].speaker == QUESTION else QUESTION)
    elif edit.op == "merge":
        a, b = turns[i], turns[i + 1]
        turns[i:i + 2] = [Turn(a.speaker, _join(a.text, b.text), a.start, b.end)]
    elif edit.op == "split":
        t, p = turns[i], edit.position or 0
        other = ANSWER if t.speaker == QUESTION else QUESTION
        turns[i:i + 1] = [replace(t, text=t.text[:p]), replace(t, speaker=other, text=t.text[p:])]
    return turns


class EditableTranscript:
    """The officer's working copy: immutable machine transcript + initial turns + edit log."""

    def __init__(self, transcript: Transcript, edits: Iterable[Edit] = (), *,
                 initial: Sequence[Turn] | None = None) -> None:
        self.transcript = transcript
        self.initial: tuple[Turn, ...] = tuple(initial if initial is not None else split_turns(transcript.segments))
        self.edits: list[Edit] = []
        self._turns = list(self.initial)
        for e in edits:
            self._apply(e)

    @property
    def turns(self) -> list[Turn]:
        return list(self._turns)

    def _apply(self, edit: Edit) -> Edit:
        self._turns = apply_edit(self._turns, edit)
        self.edits.append(edit)
        return edit

    def _idx(self, i: int, *, pair: bool = False) -> None:
        if not 0 <= i < len(self._turns) - (1 if pair else 0):
            raise InputError(f"第{i + 1}段不存在（共{len(self._turns)}段）", field="index")

    def edit_text(self, i: int, new_text: str, *, actor: str, at: datetime | None = None) -> Edit:
        self._idx(i)
        if not new_text.strip():
            raise InputError(f"第{i + 1}段修改后的内容为空；如需删除请合并到相邻段落", field="text")
        return self._apply(Edit("text", i, actor, at or datetime.now(), self._turns[i].text, new_text))

    def flip_speaker(self, i: int, *, actor: str, at: datetime | None = None) -> Edit:
        self._idx(i)
        t = self._turns[i]
        return self._apply(Edit("flip", i, actor, at or datetime.now(), t.speaker,
                                ANSWER if t.speaker == QUESTION else QUESTION))

    def merge(self, i: int, *, actor: str, at: datetime | None = None) -> Edit:
        self._idx(i, pair=True)
        a, b = self._turns[i], self._turns[i + 1]
        return self._apply(Edit("merge", i, actor, at or datetime.now(), f"{a.text}\u2028{b.text}",
                                _join(a.text, b.text)))

    def split(self, i: int, position: int, *, actor: str, at: datetime | None = None) -> Edit:
        self._idx(i)
        t = self._turns[i].text
        if not 0 < position < len(t):
            raise InputError(f"第{i + 1}段的拆分位置 {position} 无效（应在 1 至 {len(t) - 1} 之间）", field="position")
        return self._apply(Edit("split", i, actor, at or datetime.now(), t,
                                f"{t[:position]}\u2028{t[position:]}", position))

"""Uploads are probed before anything is decoded or stored: wav/mp3/m4a/amr are accepted; empty,
corrupt, unsupported, zero-length and oversized files are refused with a Chinese message and
leave the case store and the file store untouched."""
from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select

from assistant.audio import decode, iter_windows, probe, supported_formats
from assistant.errors import InputError
from assistant.records import RecordMeta, ingest_record
from assistant.store.audit_tables import AuditEntry
from assistant.store.record_tables import ProcessRecord
from assistant.transcription import FakeTranscriber, TranscriptionCancelled, transcribe_file

from tests.records.records_helpers import encode_amr, ffmpeg, meta, tone, write_wav

MB = 1 << 20


def test_supported_formats_include_amr():
    assert set(supported_formats()) == {"wav", "mp3", "m4a", "amr"}


@pytest.mark.parametrize("ext,args,fmt", [
    ("mp3", (), "mp3"), ("m4a", ("-c:a", "aac"), "m4a"),
    ("amr", None, "amr"), ("wav", (), "wav")])
def test_probe_accepts_common_formats(clip, tmp_path, ext, args, fmt):
    path = encode_amr(clip, tmp_path / "clip.amr") if args is None else ffmpeg(clip, tmp_path / f"clip.{ext}", *args)
    info = probe(path, max_bytes=10 * MB)
    assert info.format == fmt
    assert info.duration == pytest.approx(4.2, abs=0.15)
    samples = decode(path)
    assert samples.dtype == np.float32 and abs(len(samples) / 16000 - 4.2) < 0.15


def _bad_files(tmp_path: Path, clip: Path) -> dict[str, tuple[Path, str]]:
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    corrupt = tmp_path / "corrupt.wav"
    corrupt.write_bytes(os.urandom(4096))
    truncated = tmp_path / "truncated.mp3"
    truncated.write_bytes(b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\x00" * 50)
    zero = write_wav(tmp_path / "zero.wav", np.zeros(0, dtype=np.float32))
    ogg = ffmpeg(clip, tmp_path / "clip.ogg", "-c:a", "libopus")
    return {"empty": (empty, "空文件"), "corrupt": (corrupt, "无法识别"), "truncated": (truncated, "无法"),
            "zero": (zero, "时长为零"), "unsupported": (ogg, "不受支持")}


@pytest.mark.parametrize("kind", ["empty", "corrupt", "truncated", "zero", "unsupported"])
def test_bad_audio_is_refused_and_nothing_is_saved(kind, tmp_path, clip, db, files, settings):
    path, words = _bad_files(tmp_path, clip)[kind]
    with pytest.raises(InputError) as err:
        probe(path, max_bytes=10 * MB)
    assert words in err.value.message and path.name in err.value.message
    with pytest.raises(InputError):
        with db.session() as s:
            ingest_record(s, files, path, RecordMeta.parse(meta(kind="audio")), actor="zhang",
                          max_bytes=10 * MB)
    with db.session(readonly=True) as s:
        assert s.scalar(select(func.count()).select_from(ProcessRecord)) == 0
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == 0
    assert not settings.files_dir.exists() or not [p for p in settings.files_dir.rglob("*") if p.is_file()]


def test_oversized_audio_is_refused(clip, db, files, settings):
    with pytest.raises(InputError, match="超过上限"):
        probe(clip, max_bytes=1000)
    with pytest.raises(InputError, match="超过上传上限"):
        with db.session() as s:
            ingest_record(s, files, clip, RecordMeta.parse(meta()), actor="zhang", max_bytes=1000)
    with pytest.raises(InputError, match="超过上限"):
        transcribe_file(clip, FakeTranscriber(), max_bytes=1000)
    assert not settings.files_dir.exists()


def test_long_audio_streams_in_bounded_windows(tmp_path):
    path = write_wav(tmp_path / "long.wav", tone(185.0))
    windows = list(iter_windows(path, window_seconds=30))
    assert sum(len(s) for _, s in windows) == 185 * 16000
    assert max(len(s) for _, s in windows) <= 33 * 16000  # window + search margin
    offsets = [o for o, _ in windows]
    assert offsets == sorted(offsets) and offsets[0] == 0
    # cuts land in silence (the tone is off in the second half of every 3 s)
    for o in offsets[1:]:
        assert (o % 3.0) >= 1.45


def test_progress_and_cancel(tmp_path):
    path = write_wav(tmp_path / "long.wav", tone(130.0))
    seen: list[float] = []
    tr = transcribe_file(path, FakeTranscriber(["请问你叫什么名字？", "我叫张三。"]), max_bytes=50 * MB,
                         progress=seen.append, window_seconds=30)
    assert seen == sorted(seen) and seen[-1] == pytest.approx(1.0)
    assert tr.segments and tr.duration == pytest.approx(130.0, abs=0.1)
    assert all(b.start >= a.start for a, b in zip(tr.segments, tr.segments[1:]))

    cancel = threading.Event()

    def stop_half(frac: float) -> None:
        if frac > 0.5:
            cancel.set()

    with pytest.raises(TranscriptionCancelled):
        transcribe_file(path, FakeTranscriber(), max_bytes=50 * MB, progress=stop_half, cancel=cancel,
                        window_seconds=30)

"""Audio uploads: probe (validate before anything is stored or decoded) and bounded-memory
streaming decode to 16 kHz mono float32 via PyAV (FFmpeg).

Supported containers: WAV, MP3, M4A/MP4 (AAC), AMR (AMR-NB/WB — the FFmpeg build bundled with
PyAV decodes them; ``supported_formats()`` reports what the installed build can actually open).
"""
from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.errors import InputError

log = logging.getLogger(__name__)

SAMPLE_RATE = 16000
# PyAV container name → our format label (m4a reports as the mov/mp4 family)
_CONTAINERS = {"wav": "wav", "mp3": "mp3", "mov,mp4,m4a,3gp,3g2,mj2": "m4a", "amr": "amr"}
_LABELS = {"wav": "WAV", "mp3": "MP3", "m4a": "M4A", "amr": "AMR"}


@dataclass(frozen=True)
class AudioInfo:
    path: Path
    format: str  # wav | mp3 | m4a | amr
    codec: str
    duration: float  # seconds
    sample_rate: int
    channels: int
    size_bytes: int


def _av():
    try:
        import av
    except ImportError as exc:  # pragma: no cover
        from assistant.errors import SetupMissing

        raise SetupMissing("未安装 PyAV（音频解码）", fix="pip install av") from exc
    return av


def supported_formats() -> list[str]:
    """Formats the installed FFmpeg build can demux and decode."""
    av = _av()
    out = []
    for fmt, codecs in (("wav", ["pcm_s16le"]), ("mp3", ["mp3"]), ("m4a", ["aac"]), ("amr", ["amrnb", "amrwb"])):
        try:
            av.format.ContainerFormat("mov" if fmt == "m4a" else fmt)
            if all(_has_decoder(av, c) for c in codecs):
                out.append(fmt)
        except Exception:  # noqa: BLE001 - absent from this build
            continue
    return out


def _has_decoder(av, name: str) -> bool:
    try:
        av.codec.Codec(name, "r")
        return True
    except Exception:  # noqa: BLE001
        return False


def probe(path: Path | str, *, max_bytes: int) -> AudioInfo:
    """Validate an upload; raise :class:`InputError` (Chinese message) on empty, oversized,
    corrupt, unsupported or zero-length audio. Reads headers and the first packets only."""
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise InputError(f"音频文件“{name}”不存在", field="file")
    size = path.stat().st_size
    if size == 0:
        raise InputError(f"音频文件“{name}”是空文件（0 字节）", field="file")
    if size > max_bytes:
        raise InputError(f"音频文件“{name}”大小 {size / 1048576:.1f} MB，超过上限 {max_bytes / 1048576:.0f} MB",
                         field="file")
    av = _av()
    try:
        container = av.open(str(path), mode="r")
    except Exception as exc:  # noqa: BLE001 - FFmpeg reports many error types
        raise InputError(f"无法识别音频文件“{name}”：文件已损坏或格式不受支持"
                         f"（支持 {'、'.join(_LABELS[f] for f in supported_formats())}）", field="file") from exc
    with container:
        fmt = _CONTAINERS.get(container.format.name)
        if fmt is None:
            raise InputError(f"音频文件“{name}”的格式“{container.format.name}”不受支持"
                             f"（支持 {'、'.join(_LABELS[f] for f in supported_formats())}）", field="file")
        if not container.streams.audio:
            raise InputError(f"文件“{name}”中没有音频轨", field="file")
        stream = container.streams.audio[0]
        duration = 0.0
        if stream.duration is not None and stream.time_base is not None:
            duration = float(stream.duration * stream.time_base)
        elif container.duration is not None:
            duration = container.duration / 1_000_000
        decoded = 0
        try:
            for frame in container.decode(stream):
                decoded += frame.samples
                if decoded >= 1600:
                    break
        except Exception as exc:  # noqa: BLE001
            raise InputError(f"音频文件“{name}”无法解码：文件已损坏", field="file") from exc
        if decoded == 0:
            raise InputError(f"音频文件“{name}”时长为零（没有可解码的声音）", field="file")
        if duration <= 0:  # header without duration (e.g. raw AMR): count by decoding
            duration = _decoded_seconds(path)
        if duration <= 0:
            raise InputError(f"音频文件“{name}”时长为零", field="file")
        return AudioInfo(path, fmt, stream.codec_context.name, round(duration, 3),
                         stream.codec_context.sample_rate or 0, stream.codec_context.channels or 0, size)


def probe_video(path: Path | str, *, max_bytes: int) -> float:
    """Validate a video upload (any container FFmpeg opens with a video stream); return seconds."""
    path = Path(path)
    size = path.stat().st_size if path.is_file() else -1
    if size <= 0:
        raise InputError(f"视频文件“{path.name}”不存在或为空", field="file")
    if size > max_bytes:
        raise InputError(f"视频文件“{path.name}”超过上限 {max_bytes / 1048576:.0f} MB", field="file")
    av = _av()
    try:
        with av.open(str(path), mode="r") as container:
            if not container.streams.video:
                raise InputError(f"文件“{path.name}”中没有视频轨", field="file")
            stream = container.streams.video[0]
            if stream.duration is not None and stream.time_base is not None:
                duration = float(stream.duration * stream.time_base)
            else:
                duration = (container.duration or 0) / 1_000_000
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise InputError(f"无法识别视频文件“{path.name}”：文件已损坏或格式不受支持", field="file") from exc
    if duration <= 0:
        raise InputError(f"视频文件“{path.name}”时长为零", field="file")
    return round(duration, 3)


def _decoded_seconds(path: Path) -> float:
    total = 0
    for _, samples in iter_windows(path, window_seconds=300):
        total += len(samples)
    return total / SAMPLE_RATE


def iter_windows(path: Path | str, *, window_seconds: float = 60.0, search_seconds: float = 3.0
                 ) -> Iterator[tuple[float, np.ndarray]]:
    """Yield ``(offset_seconds, samples)`` windows of ≈``window_seconds`` of 16 kHz mono float32.

    Each window is cut at the quietest 20 ms frame within its last ``search_seconds`` so words are
    not split; the remainder starts the next window. Memory stays O(window) for any length."""
    av = _av()
    window = int(window_seconds * SAMPLE_RATE)
    search = int(min(search_seconds, window_seconds / 4) * SAMPLE_RATE)
    resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
    buf: list[np.ndarray] = []
    buffered = 0
    offset = 0
    with av.open(str(path), mode="r") as container:
        stream = container.streams.audio[0]
        frames = (f for packet in container.demux(stream) for f in _safe_decode(packet))
        for frame in _chain(frames, [None]):
            for out in resampler.resample(frame):
                arr = out.to_ndarray().reshape(-1)
                buf.append(arr)
                buffered += arr.size
            while buffered >= window + search:
                data = np.concatenate(buf)
                cut = _quiet_cut(data, window, search)
                yield offset / SAMPLE_RATE, (data[:cut].astype(np.float32) / 32768.0)
                offset += cut
                buf, buffered = [data[cut:]], data.size - cut
    if buffered:
        data = np.concatenate(buf)
        yield offset / SAMPLE_RATE, data.astype(np.float32) / 32768.0


def _safe_decode(packet):
    try:
        return packet.decode()
    except Exception:  # noqa: BLE001 - a corrupt packet mid-stream: skip it, keep the rest
        log.warning("skipping an undecodable audio packet")
        return []


def _chain(a, b):
    yield from a
    yield from b


def _quiet_cut(data: np.ndarray, window: int, search: int) -> int:
    frame = SAMPLE_RATE // 50  # 20 ms
    lo = max(frame, window - search)
    region = data[lo:window + search].astype(np.float32)
    n = region.size // frame
    if n == 0:
        return window
    energy = (region[: n * frame].reshape(n, frame) ** 2).mean(axis=1)
    return lo + int(energy.argmin()) * frame + frame // 2


def decode(path: Path | str) -> np.ndarray:
    """Whole file as 16 kHz mono float32 (short clips only; long ones use :func:`iter_windows`)."""
    parts = [s for _, s in iter_windows(path, window_seconds=600)]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)

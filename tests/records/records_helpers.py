"""Helpers shared by the records tests (audio synthesis, metadata)."""
from __future__ import annotations

import subprocess
import wave
from datetime import datetime
from pathlib import Path

import numpy as np

def ffmpeg(src: Path, dest: Path, *args: str) -> Path:
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", str(src), *args, str(dest)], check=True)
    return dest


def write_wav(path: Path, samples: np.ndarray, rate: int = 16000) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return path


def tone(seconds: float, *, rate: int = 16000, every: float = 3.0) -> np.ndarray:
    """A 440 Hz tone in 1.5 s bursts separated by silence (stands in for speech with pauses)."""
    t = np.arange(int(seconds * rate)) / rate
    on = (t % every) < every / 2
    return (0.3 * np.sin(2 * np.pi * 440 * t) * on).astype(np.float32)


def meta(**over) -> dict:
    base = {"case_id": "1", "captured_at": datetime.now().replace(microsecond=0).isoformat(),
            "location": "某市某区某路1号", "collector": "张承办", "proof_object": "当事人无证经营的事实"}
    base.update({k: str(v) for k, v in over.items()})
    return base


def encode_amr(src: Path, dest: Path) -> Path:
    """AMR-NB via PyAV's bundled FFmpeg (Debian's ffmpeg has no AMR encoder)."""
    import av

    from assistant.audio import decode

    samples = decode(src)
    pcm = (np.clip(samples, -1, 1) * 32767).astype(np.int16)
    with av.open(str(dest), "w", format="amr") as out:
        stream = out.add_stream("libopencore_amrnb", rate=8000, layout="mono")
        resampler = av.AudioResampler(format="s16", layout="mono", rate=8000)
        frame = av.AudioFrame.from_ndarray(pcm.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = 16000
        for f in (*resampler.resample(frame), *resampler.resample(None)):
            f.pts = None
            for packet in stream.encode(f):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return dest


def seed_users(session, users: dict[str, tuple[str, int]]) -> None:
    """Create users ``{username: (role, agency_id)}`` in the real users table (roles are read from
    there by the services); agencies must exist."""
    from assistant import auth

    for username, (role, agency_id) in users.items():
        auth.create_user(session, username, "password-123", username, [role], agency_id)

"""Transcription benchmark: CER and real-time factor of decoding variants on the four real clips
(``../shared/data/speech``) and on synthetic legal-interview sentences, all in one run with one
loaded model; then a long synthetic recording (espeak-ng ``cmn-latn-pinyin`` on pypinyin TONE3
text, looped with pauses) transcribed through the streaming path in a child process, measuring
peak RSS and RTF.

    python bench/transcription.py                 # clips + 60-minute synthetic run
    python bench/transcription.py --minutes 10    # shorter synthetic run (reported as run)
    python bench/transcription.py --minutes 0     # clips only

Writes ``bench/results/transcription.json`` and ``.md``. CER normalisation: OpenCC t2s, Arabic
digits → Chinese numerals (cn2an), then keep only CJK/letters/digits (punctuation and spaces
removed). RTF = decoding wall time / audio duration on this machine (2 CPU cores).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
import wave
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data" / "speech"
OUT = REPO / "bench" / "results"

LEGAL_SENTENCES = [
    "我们是市场监督管理局的执法人员，这是我们的执法证件。",
    "你有申请执法人员回避的权利，你是否申请回避？",
    "你应当如实回答询问，听清楚了吗？",
    "你的营业执照和身份证请出示一下。",
    "这批食品的进货凭证和销售记录在哪里？",
    "你对这次行政处罚有什么陈述申辩意见？",
    "违法所得一共是多少钱？",
    "我们依法对这些物品先行登记保存。",
]


# --------------------------------------------------------------------------- metrics
def normalise(text: str) -> str:
    from assistant.transcription import to_simplified

    text = to_simplified(text)
    if re.search(r"\d", text):
        import cn2an

        text = cn2an.transform(text, "an2cn")
    return "".join(ch for ch in text if ch.isalnum())


def edit_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def cer(ref: str, hyp: str) -> tuple[int, int]:
    r, h = normalise(ref), normalise(hyp)
    return edit_distance(r, h), len(r)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --------------------------------------------------------------------------- synthetic speech
def synth(text: str, dest: Path) -> Path:
    """Mandarin via espeak-ng's pinyin voice (it cannot read hanzi), resampled to 16 kHz mono."""
    from pypinyin import Style, lazy_pinyin

    pinyin = " ".join(p for p in lazy_pinyin(text, style=Style.TONE3, errors="ignore") if p.strip())
    raw = dest.with_suffix(".raw.wav")
    subprocess.run(["espeak-ng", "-v", "cmn-latn-pinyin", "-s", "150", "-w", str(raw), pinyin], check=True,
                   capture_output=True)
    subprocess.run(["sox", "-D", str(raw), "-r", "16000", "-c", "1", "-b", "16", str(dest)], check=True)  # -D: no random dither
    raw.unlink()
    return dest


def _read_pcm(path: Path) -> bytes:
    with wave.open(str(path)) as w:
        return w.readframes(w.getnframes())


def build_long(minutes: float, work: Path) -> tuple[Path, str]:
    """Loop the synthetic sentences with 0.8–1.6 s pauses until ``minutes``; stream to disk."""
    dest = work / f"long_{minutes:g}min.wav"
    ref_path = dest.with_suffix(".txt")
    if dest.exists() and ref_path.exists():
        return dest, ref_path.read_text(encoding="utf-8")
    clips = [_read_pcm(synth(s, work / f"s{i}.wav")) for i, s in enumerate(LEGAL_SENTENCES)]
    target = int(minutes * 60 * 16000) * 2
    written, i, ref = 0, 0, []
    with wave.open(str(dest), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        while written < target:
            pcm = clips[i % len(clips)]
            pause = b"\x00\x00" * int(16000 * (0.8 + 0.8 * ((i * 7) % 5) / 4))
            out.writeframes(pcm + pause)
            written += len(pcm) + len(pause)
            ref.append(LEGAL_SENTENCES[i % len(clips)])
            i += 1
    ref_path.write_text("".join(ref), encoding="utf-8")
    return dest, "".join(ref)


# --------------------------------------------------------------------------- runs
def run_variants(model_dir: Path, work: Path) -> dict:
    from assistant.adapters.whisper import WhisperTranscriber
    from assistant.transcription import DecodeOptions, Vocabulary, post_correct, transcribe_file

    refs = {}
    for line in (SHARED / "reference.txt").read_text(encoding="utf-8").splitlines():
        if line.strip():
            key, text = line.split(None, 1)
            refs[key] = text.replace(" ", "")
    clips = {k: SHARED / f"{k}.wav" for k in sorted(refs)}
    legal = {f"legal{i}": (synth(s, work / f"legal{i}.wav"), s) for i, s in enumerate(LEGAL_SENTENCES)}

    transcriber = WhisperTranscriber(model_dir)
    post_correct("预热", Vocabulary.for_case())  # load pypinyin's dictionaries before timing
    legal_vocab = Vocabulary.for_case()
    # "oracle" = content words taken from the references themselves: an upper bound of what a
    # perfect case vocabulary (party and place names) could do; NOT a realistic setting.
    oracle_words = ["交易", "停滞", "换一首歌", "说不清楚", "经理", "销售", "商场", "上半年", "业绩", "部门", "汇报"]
    oracle = Vocabulary.for_case(extra=oracle_words)
    base = DecodeOptions()  # defaults: VAD on, min silence 2000 ms
    variants = {
        "plain (default: VAD on, min silence 2000 ms)": dict(options=base),
        "VAD off": dict(options=replace(base, vad=False)),
        "VAD on, min silence 500 ms": dict(options=replace(base, vad_min_silence_ms=500)),
        "+ hotwords (legal vocab)": dict(options=base, vocab=legal_vocab, bias=True, correct=False),
        "+ initial_prompt (legal vocab)": dict(options=replace(base, initial_prompt=legal_vocab.prompt())),
        "+ post-correction (legal vocab)": dict(options=base, vocab=legal_vocab, correct=True),
        "+ post-correction fuzzy (legal vocab)": dict(options=base, vocab=legal_vocab, correct=True, fuzzy=True),
        "+ hotwords + post-correction": dict(options=base, vocab=legal_vocab, bias=True, correct=True),
        "+ hotwords (oracle vocab)": dict(options=base, vocab=oracle, bias=True, correct=False),
        "+ post-correction (oracle vocab)": dict(options=base, vocab=oracle, correct=True),
    }
    results = {}
    for name, kw in variants.items():
        row = {"clips": {}, "legal": {}}
        for group, items in (("clips", {k: (p, refs[k]) for k, p in clips.items()}), ("legal", legal)):
            errs = total = 0
            dur = el = 0.0
            for key, (path, ref) in items.items():
                tr = transcribe_file(path, transcriber, max_bytes=300 << 20, **kw)
                e, n = cer(ref, tr.text)
                errs, total, dur, el = errs + e, total + n, dur + tr.duration, el + tr.elapsed
                row[group][key] = {"cer": round(e / n, 3), "hyp": tr.text}
            row[f"{group}_cer"] = round(errs / total, 4)
            row[f"{group}_rtf"] = round(el / dur, 3)
        results[name] = row
        print(f"{name:<36} clips CER {row['clips_cer']:.3f} RTF {row['clips_rtf']:.3f} | "
              f"synthetic legal CER {row['legal_cer']:.3f}", flush=True)
    return results


def run_long(model_dir: Path, minutes: float, work: Path) -> dict:
    from assistant.adapters.whisper import WhisperTranscriber
    from assistant.audio import probe
    from assistant.transcription import DecodeOptions, Vocabulary, transcribe_file

    path, ref = build_long(minutes, work)
    info = probe(path, max_bytes=2 << 30)
    rss_before_model = peak_rss_mb()
    transcriber = WhisperTranscriber(model_dir)
    last = [0.0]

    def progress(frac: float) -> None:
        if frac - last[0] >= 0.05 or frac >= 1.0 and last[0] < 1.0:
            last[0] = frac
            print(f"  long run {frac * 100:5.1f}%  peak RSS {peak_rss_mb():.0f} MB", file=sys.stderr, flush=True)

    tr = transcribe_file(path, transcriber, max_bytes=2 << 30, options=DecodeOptions(),
                         vocab=Vocabulary.for_case(), correct=True, progress=progress)
    # CER on the first ~2 minutes only (quadratic edit distance): reference prefix of equal share
    hyp = normalise("".join(s.text for s in tr.segments if s.end <= 120))
    refn = normalise(ref)
    share = min(1.0, 120 / info.duration)
    ref_prefix = refn[: int(len(refn) * share)]
    return {"minutes": round(info.duration / 60, 2), "file_mb": round(path.stat().st_size / 1048576, 1),
            "segments": len(tr.segments), "elapsed_s": round(tr.elapsed, 1), "rtf": round(tr.rtf, 3),
            "peak_rss_mb": round(peak_rss_mb(), 0), "rss_before_model_mb": round(rss_before_model, 0),
            "whole_file_float32_mb": round(info.duration * 16000 * 4 / 1048576, 0),
            "cer_first_2min_approx": round(edit_distance(ref_prefix, hyp) / max(1, len(ref_prefix)), 3)}


def markdown(data: dict) -> str:
    lines = [f"# Transcription benchmark ({data['when']}, {data['machine']})", "",
             f"Model: `{data['model']}` (int8, beam 5, temperature 0, language zh, OpenCC t2s). "
             "CER after normalisation (t2s, digits→Chinese numerals, punctuation/spaces removed). "
             "RTF = decode time / audio time on 2 CPU cores, all variants in this one run.", "",
             "| variant | real clips CER (4) | real clips RTF | synthetic legal CER (8, espeak) | synthetic RTF |",
             "|---|---|---|---|---|"]
    for name, row in data["variants"].items():
        lines.append(f"| {name} | {row['clips_cer']:.3f} | {row['clips_rtf']:.3f} | {row['legal_cer']:.3f} | {row['legal_rtf']:.3f} |")
    lines += ["", "Per clip (plain): " + ", ".join(f"{k} {v['cer']:.3f}" for k, v in
                                                    next(iter(data["variants"].values()))["clips"].items())]
    if data.get("long"):
        lg = data["long"]
        lines += ["", "## Long synthetic recording (streaming path, child process)", "",
                  "| length | file | segments | wall time | RTF | peak RSS | whole file as float32 | CER first 2 min (approx.) |",
                  "|---|---|---|---|---|---|---|---|",
                  f"| {lg['minutes']} min | {lg['file_mb']} MB WAV | {lg['segments']} | {lg['elapsed_s']} s | {lg['rtf']} | "
                  f"{lg['peak_rss_mb']} MB | {lg['whole_file_float32_mb']} MB | {lg['cer_first_2min_approx']} |"]
        if lg.get("from_run"):
            lines.append(f"\n(long run from the run of {lg['from_run']}; not repeated)")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--minutes", type=float, default=60.0, help="length of the synthetic long run (0 = skip)")
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "zhifa-bench")
    ap.add_argument("--long-only", action="store_true", help=argparse.SUPPRESS)  # child process
    args = ap.parse_args(argv)
    from assistant.adapters.whisper import ensure_whisper_model
    from assistant.settings import load_settings

    args.work.mkdir(parents=True, exist_ok=True)
    model_dir = ensure_whisper_model(load_settings(), progress=None)
    if args.long_only:
        print(json.dumps(run_long(model_dir, args.minutes, args.work)))
        return 0
    data = {"when": time.strftime("%Y-%m-%d %H:%M"), "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
            "model": str(model_dir), "variants": run_variants(model_dir, args.work)}
    if args.minutes > 0:
        proc = subprocess.run([sys.executable, __file__, "--long-only", "--minutes", str(args.minutes),
                               "--work", str(args.work)], stdout=subprocess.PIPE, text=True, check=True)
        data["long"] = json.loads(proc.stdout.strip().splitlines()[-1])
        print(data["long"])
    elif (OUT / "transcription.json").exists():  # keep the last long run, labelled with its date
        prev = json.loads((OUT / "transcription.json").read_text(encoding="utf-8"))
        if prev.get("long"):
            data["long"] = {**prev["long"], "from_run": prev.get("long_when", prev["when"])}
    if data.get("long") and "from_run" not in data["long"]:
        data["long_when"] = data["when"]
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "transcription.json").write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    (OUT / "transcription.md").write_text(markdown(data), encoding="utf-8")
    print(markdown(data))
    return 0


if __name__ == "__main__":
    sys.exit(main())

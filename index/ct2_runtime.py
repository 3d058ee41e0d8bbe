"""CPU instruction set for CTranslate2 (the embedder in :mod:`index.dense` and faster-whisper).

CTranslate2 picks its CPU kernels once per process, from ``CT2_FORCE_CPU_ISA`` or its own CPU
detection, when the first model is created (not at ``import ctranslate2``; checked with
``CT2_VERBOSE=1``: setting the variable after the import but before the first ``Encoder`` works,
after the first model it has no effect). On AMD CPUs its detection stops at AVX2 even when the
CPU has AVX-512; forcing ``AVX512`` there embedded 1,000 statute articles ~15–20 % faster
(2-core AMD EPYC, int8). The vectors differ from the AVX2 ones only by rounding (cosine mean
0.99959, min 0.99922; both equally close to the fp32 reference, mean 0.99942), the same order as the
same text embedded in another batch; the ISA is part of the vector identity, so an incremental build
never mixes them.

:func:`ct2_cpu_isa` therefore sets ``CT2_FORCE_CPU_ISA=AVX512`` only when ``/proc/cpuinfo`` lists
every AVX-512 subset CTranslate2's AVX-512 kernels need, never an ISA the CPU lacks; a value the
user set (even empty, meaning "CTranslate2 decides") is left alone. Call it before creating a
CTranslate2 model.
"""
from __future__ import annotations

import logging
import os
from collections.abc import MutableMapping
from pathlib import Path

log = logging.getLogger(__name__)

ENV = "CT2_FORCE_CPU_ISA"
CPUINFO = Path("/proc/cpuinfo")
AVX512_FLAGS = frozenset({"avx512f", "avx512bw", "avx512dq", "avx512vl"})


def cpu_flags(cpuinfo: str) -> frozenset[str]:
    """The ``flags`` of the first processor listed in ``/proc/cpuinfo`` text (empty if none)."""
    for line in cpuinfo.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() == "flags":
            return frozenset(value.split())
    return frozenset()


def isa_for(cpuinfo: str) -> str | None:
    """``AVX512`` when the CPU has all of :data:`AVX512_FLAGS`, else None (CTranslate2 decides)."""
    return "AVX512" if AVX512_FLAGS <= cpu_flags(cpuinfo) else None


def ct2_cpu_isa(environ: MutableMapping[str, str] | None = None, cpuinfo_path: Path = CPUINFO) -> str | None:
    """Set ``CT2_FORCE_CPU_ISA`` for this process if useful; return the value in effect.

    None means CTranslate2 chooses by itself. Idempotent and cheap; must run before the first
    CTranslate2 model of the process is created.
    """
    env = os.environ if environ is None else environ
    if ENV in env:  # the user's choice wins
        return env[ENV] or None
    try:
        text = cpuinfo_path.read_text(encoding="utf-8", errors="replace")
    except OSError:  # not Linux: leave it to CTranslate2
        return None
    isa = isa_for(text)
    if isa:
        env[ENV] = isa
        log.debug("CTranslate2 CPU 指令集设为 %s", isa)
    return isa

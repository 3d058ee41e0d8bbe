"""CTranslate2 CPU ISA: AVX-512 only when /proc/cpuinfo has every subset it needs; the user's value wins."""
from index.ct2_runtime import ENV, ct2_cpu_isa, isa_for

EPYC = """processor\t: 0
vendor_id\t: AuthenticAMD
model name\t: AMD EPYC 9R14
flags\t\t: fpu vme sse sse2 avx avx2 fma avx512f avx512dq avx512ifma avx512cd avx512bw avx512vl avx512_vnni
bugs\t\t: sysret_ss_attrs
"""
AVX2_ONLY = EPYC.replace(" avx512f avx512dq avx512ifma avx512cd avx512bw avx512vl avx512_vnni", "")


def _cpuinfo(tmp_path, text):
    path = tmp_path / "cpuinfo"
    path.write_text(text, encoding="utf-8")
    return path


def test_avx512_only_with_all_required_flags():
    assert isa_for(EPYC) == "AVX512"
    assert isa_for(AVX2_ONLY) is None
    assert isa_for(EPYC.replace(" avx512vl", "")) is None  # e.g. Xeon Phi: avx512f without vl/bw/dq
    assert isa_for(EPYC.replace("avx512bw", "avx512_bw")) is None  # exact flag names only
    assert isa_for("") is None
    assert isa_for("processor\t: 0\nFeatures\t: fp asimd\n") is None  # ARM


def test_sets_the_variable_only_when_supported(tmp_path):
    env: dict[str, str] = {}
    assert ct2_cpu_isa(env, _cpuinfo(tmp_path, EPYC)) == "AVX512" and env == {ENV: "AVX512"}
    env = {}
    assert ct2_cpu_isa(env, _cpuinfo(tmp_path, AVX2_ONLY)) is None and env == {}
    assert ct2_cpu_isa(env, tmp_path / "missing") is None and env == {}


def test_user_setting_wins(tmp_path):
    env = {ENV: "AVX2"}
    assert ct2_cpu_isa(env, _cpuinfo(tmp_path, EPYC)) == "AVX2" and env == {ENV: "AVX2"}
    env = {ENV: ""}  # set but empty: CTranslate2 decides, we do not override
    assert ct2_cpu_isa(env, _cpuinfo(tmp_path, EPYC)) is None and env == {ENV: ""}

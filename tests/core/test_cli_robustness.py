"""The installed ``zhifa`` script in a real subprocess: a closed pipe (``zhifa … | head``) is not a
traceback, and stderr carries neither Alembic's INFO chatter nor the same holiday-data warning twice."""
from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

ZHIFA = Path(sys.executable).with_name("zhifa")


def _env(tmp_path: Path, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZHIFA_")}
    return {**env, "ZHIFA_HOME": str(tmp_path / "home"), **extra}


@pytest.mark.slow
def test_demo_seed_stderr_is_quiet_and_warns_once(tmp_path):
    run = subprocess.run([str(ZHIFA), "demo", "seed"], env=_env(tmp_path), capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr
    assert "alembic" not in run.stderr
    warnings = Counter(line.split(" WARNING ", 1)[1] for line in run.stderr.splitlines() if " WARNING " in line)
    assert all(n == 1 for n in warnings.values()), warnings
    # DEBUG brings the migration steps back
    debug = subprocess.run([str(ZHIFA), "demo", "seed"], env=_env(tmp_path / "d", ZHIFA_LOG_LEVEL="DEBUG"),
                           capture_output=True, text=True, timeout=300)
    assert debug.returncode == 0 and "alembic.runtime.migration" in debug.stderr


def test_closed_pipe_is_not_a_traceback(tmp_path, statute_store):
    # `zhifa --help`-sized output fits in the pipe buffer, so close the reading end before the child writes
    proc = subprocess.Popen([str(ZHIFA), "verify-citations", "依据《中华人民共和国食品安全法》第三十四条" * 200],
                            env=_env(tmp_path, ZHIFA_STATUTE_DB=str(statute_store.path)),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()
    err = proc.stderr.read().decode("utf-8")
    code = proc.wait(timeout=120)
    assert "Traceback" not in err and "BrokenPipeError" not in err, err
    assert code == 141

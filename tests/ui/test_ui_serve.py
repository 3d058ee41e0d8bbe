"""``zhifa serve`` starts the app on 127.0.0.1 (the default host) and serves the login page;
uploads are checked for type, size and content before any service sees them."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from assistant.errors import InputError
from ui.uploads import check_upload


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_zhifa_serve_listens_on_loopback_by_default(tmp_path, statute_store):
    port = _free_port()
    env = dict(os.environ, ZHIFA_HOME=str(tmp_path / "home"), ZHIFA_STATUTE_DB=str(statute_store.path),
               ZHIFA_PORT=str(port), ZHIFA_LOG_LEVEL="WARNING")
    env.pop("ZHIFA_HOST", None)
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "serve"], env=env, cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 120
        body = ""
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
                    body = r.read().decode("utf-8", "replace")
                    break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(f"zhifa serve exited: {proc.stdout.read()}")
                time.sleep(1)
        assert "执法" in body
        import shutil

        if shutil.which("ss") is None:
            return
        out = subprocess.run(["ss", "-ltn"], capture_output=True, text=True).stdout
        listening = [line for line in out.splitlines() if f":{port} " in line]
        assert listening and all("127.0.0.1" in line for line in listening)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_uploads_are_checked_for_type_size_and_content(tmp_path: Path):
    fake = tmp_path / "规定.docx"
    fake.write_text("not a zip", encoding="utf-8")
    with pytest.raises(InputError, match="内容与扩展名"):
        check_upload(str(fake), [".docx"], 1, "法规规章文件")
    exe = tmp_path / "x.exe"
    exe.write_bytes(b"MZ")
    with pytest.raises(InputError, match="类型不支持"):
        check_upload(str(exe), [".docx"], 1)
    big = tmp_path / "big.txt"
    big.write_bytes(b"a" * (2 * 1024 * 1024))
    with pytest.raises(InputError, match="超过上限 1 MB"):
        check_upload(str(big), [".txt"], 1)
    ok = tmp_path / "ok.md"
    ok.write_text("# 某某规定\n第一条　为了……", encoding="utf-8")
    assert check_upload(str(ok), [".md"], 1) == ok

"""Upload checks at the edge: size limit (settings.max_upload_mb), allowed extensions and a
content sniff so a renamed file is refused with a Chinese sentence before any service sees it.
Gradio also enforces ``max_file_size`` at the HTTP layer (see ui.app.launch)."""
from __future__ import annotations

from pathlib import Path

from assistant.errors import InputError

# leading bytes by extension; None = text (must decode as UTF-8 / GB18030)
_MAGIC: dict[str, tuple[bytes, ...] | None] = {
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".xls": (b"\xd0\xcf\x11\xe0",),
    ".pdf": (b"%PDF",),
    ".wav": (b"RIFF",),
    ".mp3": (b"ID3", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"),
    ".m4a": None,  # ftyp box at offset 4, checked below
    ".mp4": None,
    ".flac": (b"fLaC",),
    ".ogg": (b"OggS",),
    ".amr": (b"#!AMR",),
    ".txt": None, ".md": None, ".csv": None, ".json": None, ".jsonl": None,
}
_TEXT = {".txt", ".md", ".csv", ".json", ".jsonl"}
_FTYP = {".m4a", ".mp4"}


def upload_path(file) -> Path | None:
    if file is None:
        return None
    if isinstance(file, (str, Path)):
        return Path(file)
    name = getattr(file, "path", None) or getattr(file, "name", None)
    return Path(name) if name else None


def check_upload(file, allowed: list[str], max_mb: int, what: str = "上传文件") -> Path:
    """The uploaded file's path, or InputError naming what is wrong with it."""
    path = upload_path(file)
    if path is None:
        raise InputError(f"请先选择{what}。")
    if not path.exists():
        raise InputError(f"{what}上传未完成，请重新选择。")
    suffix = path.suffix.lower()
    if suffix not in allowed:
        raise InputError(f"{what}“{path.name}”类型不支持，只接受 {'、'.join(allowed)} 文件。")
    size = path.stat().st_size
    if size > max_mb * 1024 * 1024:
        raise InputError(f"{what}“{path.name}”大小 {size / 1048576:.1f} MB，超过上限 {max_mb} MB。")
    if size == 0:
        raise InputError(f"{what}“{path.name}”是空文件。")
    with path.open("rb") as fh:
        head = fh.read(4096)
    if suffix in _TEXT:
        for enc in ("utf-8", "gb18030"):
            try:
                head.decode(enc)
                break
            except UnicodeDecodeError as exc:
                if exc.start >= len(head) - 4:  # a character cut by the 4 KB window
                    break
        else:
            raise InputError(f"{what}“{path.name}”不是文本文件（应为 UTF-8 或 GB18030 编码）。")
    elif suffix in _FTYP:
        if head[4:8] != b"ftyp":
            raise InputError(f"{what}“{path.name}”内容与扩展名 {suffix} 不符。")
    else:
        magics = _MAGIC.get(suffix)
        if magics and not any(head.startswith(m) for m in magics):
            raise InputError(f"{what}“{path.name}”内容与扩展名 {suffix} 不符，可能是改了扩展名的其他文件。")
    return path

"""Text of a user-supplied file (statutes, regulations, benchmark CSVs, decisions, pasted drafts).

Agencies save text as UTF-8 (with or without BOM) or GB18030/GBK; nothing else is guessed. GB18030
decodes almost any byte string, so a binary file is recognised by NUL or replacement characters.
"""
from __future__ import annotations

from assistant.errors import InputError

ENCODINGS = ("utf-8-sig", "gb18030")


def decode_text(raw: bytes, name: str) -> str:
    """``raw`` decoded; :class:`InputError` naming the file when it is not UTF-8 / GB18030 text."""
    for enc in ENCODINGS:
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InputError(f"无法识别文件“{name}”的文字编码（支持 UTF-8、GB18030），请另存为 UTF-8 文本")
    if "\x00" in text or "\ufffd" in text:
        raise InputError(f"文件“{name}”不是文本文件或编码无法识别（支持 UTF-8、GB18030），请另存为 UTF-8 文本")
    return text

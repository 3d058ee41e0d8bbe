"""Chinese numerals as used in article numbers (第一百二十四条, 第十七条之一, （十二）).

>>> cn_to_int("一百二十四"), int_to_cn(124), int_to_cn(1242)
(124, '一百二十四', '一千二百四十二')
"""
from __future__ import annotations

import re

_DIGITS = {"零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
           "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_DIGITS = "零一二三四五六七八九"
CN_NUMBER = r"[零〇○一二两三四五六七八九十百千\d]+"
ARTICLE_NO_RE = re.compile(rf"第({CN_NUMBER})条(?:之({CN_NUMBER}))?")


def cn_to_int(text: str) -> int:
    """Convert a Chinese (or Arabic) numeral below 10,000 to int. Raises ValueError if malformed."""
    text = text.strip()
    if not text:
        raise ValueError("空数字")
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for ch in text:
        if ch in _DIGITS:
            current = _DIGITS[ch]
        elif ch in _UNITS:
            total += (current or 1) * _UNITS[ch]
            current = 0
        else:
            raise ValueError(f"无法识别的数字：{text}")
    return total + current


def int_to_cn(n: int) -> str:
    """Convert 0 < n < 10000 to the form used in statute numbering (十二, 一百零五, 一千二百四十二)."""
    if not 0 < n < 10000:
        raise ValueError(f"条号超出范围：{n}")
    if n < 10:
        return _CN_DIGITS[n]
    if n < 20:
        return "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    out, zero = [], False
    for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // unit % 10
        if digit:
            if zero:
                out.append("零")
                zero = False
            out.append(_CN_DIGITS[digit] + name)
        elif out:
            zero = True
    return "".join(out)


def article_label(number: int, suffix: int = 0) -> str:
    """第一百二十四条 / 第十七条之一."""
    label = f"第{int_to_cn(number)}条"
    return label + (f"之{int_to_cn(suffix)}" if suffix else "")


def parse_article_no(label: str) -> tuple[int, int]:
    """'第十七条之一' → (17, 1); '第124条' → (124, 0). Raises ValueError if not an article number."""
    m = ARTICLE_NO_RE.fullmatch(label.strip())
    if not m:
        raise ValueError(f"不是条号：{label}")
    return cn_to_int(m.group(1)), cn_to_int(m.group(2)) if m.group(2) else 0


def item_label(n: int) -> str:
    """项 label as written in statutes: （一）."""
    return f"（{int_to_cn(n)}）"

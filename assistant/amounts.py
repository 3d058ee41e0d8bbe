"""Money amounts as written in 文书: Arabic (``50000元``), 大写 (``伍万元整``) and parsing back.

>>> daxie(50000), daxie("1234.56"), daxie(0.5)
('伍万元整', '壹仟贰佰叁拾肆元伍角陆分', '伍角')
>>> yuan(50000), yuan("1234.5")
('50000元', '1234.50元')

Amounts are :class:`~decimal.Decimal` rounded to the 分; floats are accepted at the edge only.
"""
from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from assistant.errors import InputError

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")
_BIG_UNITS = ("", "万", "亿", "万亿")
FEN = Decimal("0.01")
DAXIE_CHARS = "零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整"


def to_decimal(value: object, *, field: str = "金额") -> Decimal:
    """Decimal rounded to the 分. Accepts int, float, Decimal and strings like ``"5万"``/``"50,000"``."""
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, bool) or value is None:
        raise InputError(f"{field}不是有效金额：{value!r}")
    elif isinstance(value, (int, float)):
        amount = Decimal(str(value))
    elif isinstance(value, str):
        amount = parse_amount(value, field=field)
    else:
        raise InputError(f"{field}不是有效金额：{value!r}")
    if amount < 0:
        raise InputError(f"{field}不能为负数：{value}")
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def _four(n: int) -> str:
    """大写 for 0 < n < 10000, with inner zeros (1005 → 壹仟零伍)."""
    out, zero = [], False
    for pos in (3, 2, 1, 0):
        d = n // 10**pos % 10
        if d:
            if zero:
                out.append("零")
            out.append(_DIGITS[d] + _SMALL_UNITS[pos])
            zero = False
        elif out:
            zero = True
    return "".join(out)


def _integer_daxie(n: int) -> str:
    if n == 0:
        return ""
    groups = []
    while n:
        groups.append(n % 10000)
        n //= 10000
    if len(groups) > len(_BIG_UNITS):
        raise InputError("金额过大，无法转换为大写")
    out: list[str] = []
    need_zero = False
    for idx in range(len(groups) - 1, -1, -1):
        g = groups[idx]
        if g == 0:
            need_zero = bool(out)
            continue
        if out and (need_zero or g < 1000):
            out.append("零")
        out.append(_four(g) + _BIG_UNITS[idx])
        need_zero = False
    return "".join(out)


def daxie(value: object) -> str:
    """Chinese financial capitals as used on 决定书 and receipts (without the 人民币 prefix)."""
    amount = to_decimal(value)
    cents = int((amount * 100).to_integral_value())
    yuan_part, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    head = _integer_daxie(yuan_part)
    if not head and not jiao and not fen:
        return "零元整"
    out = head + ("元" if head else "")
    if not jiao and not fen:
        return out + "整"
    if jiao:
        out += _DIGITS[jiao] + "角"
    elif head:
        out += "零"
    if fen:
        out += _DIGITS[fen] + "分"
    return out


def yuan(value: object) -> str:
    """Arabic form used in running text: ``50000元``, ``1234.50元`` (no thousands separators)."""
    amount = to_decimal(value)
    if amount == amount.to_integral_value():
        return f"{int(amount)}元"
    return f"{amount:.2f}元"


def wan(value: object) -> str:
    """Short form used in findings: 80000 → ``8 万元``, 1500 → ``1500 元``."""
    amount = to_decimal(value)
    if amount >= 10000 and (amount / 10000) == (amount / 10000).quantize(Decimal("0.01")):
        w = (amount / 10000).normalize()
        return f"{w:f} 万元"
    return f"{amount.normalize():f} 元"


_PLAIN_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")
_WITH_UNIT = re.compile(r"^(\d+(?:\.\d+)?)\s*(万|亿)?$")


def parse_amount(text: str, *, field: str = "金额") -> Decimal:
    """Parse ``50000``, ``50,000元``, ``5万元``, ``人民币伍万元整``, ``五万元``, ``壹仟贰佰叁拾肆元伍角陆分``."""
    raw = text
    s = text.strip().replace(",", "").replace("，", "").replace(" ", "")
    s = s.removeprefix("人民币").removeprefix("（大写）").removeprefix("大写：")
    s = s.removesuffix("整").removesuffix("正")
    if s.endswith("元") and not re.search(r"[角分]", s):
        s = s[:-1]
    if not s:
        raise InputError(f"{field}为空")
    if _PLAIN_NUMBER.match(s):
        return Decimal(s)
    m = _WITH_UNIT.match(s)
    if m:
        mult = {"万": 10000, "亿": 100000000, None: 1}[m.group(2)]
        return Decimal(m.group(1)) * mult
    try:
        import cn2an

        normal = s.translate(str.maketrans("壹贰叁肆伍陆柒捌玖拾佰仟", "一二三四五六七八九十百千"))
        if "元" in normal or "角" in normal or "分" in normal:
            return _parse_cn_money(normal)
        return Decimal(str(cn2an.cn2an(normal, "smart")))
    except (ValueError, InvalidOperation, KeyError) as exc:
        raise InputError(f"{field}无法识别：{raw}") from exc


def _parse_cn_money(s: str) -> Decimal:
    """``一千二百三十四元五角六分`` → 1234.56 (lower-case Chinese numerals after translation)."""
    import cn2an

    m = re.fullmatch(r"(?:(.+?)元)?(?:零?(.)角)?(?:零?(.)分)?", s)
    if not m or not any(m.groups()):
        raise ValueError(s)
    total = Decimal(0)
    if m.group(1):
        total += Decimal(str(cn2an.cn2an(m.group(1), "smart")))
    if m.group(2):
        total += Decimal(str(cn2an.cn2an(m.group(2), "smart"))) / 10
    if m.group(3):
        total += Decimal(str(cn2an.cn2an(m.group(3), "smart"))) / 100
    return total



"""Parsing of the Chinese text of 裁量基准 tables: fine ranges (处二万元以上五万元以下罚款,
违法所得一倍以上三倍以下, 建设项目总投资额百分之一以上百分之二以下), penalty types, and
structured conditions of 裁量情节 (10分钟以上30分钟以下, 2次以上, 货值金额不足一万元, 首次 …).

Conventions (as in Chinese statutes, cf. 刑法 第九十九条): 以上/以下/以内 include the number itself;
超过/不足/不满/低于 exclude it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.discretion.model import CNY, Condition, QuantityRange

NUM = r"[0-9]+(?:\.[0-9]+)?|[零〇一二两三四五六七八九十百千万亿点]+"
_NUM_RE = re.compile(NUM)


def cn_number(text: str) -> float:
    """'二万' → 20000, '5.0' → 5.0, '零点五' → 0.5. Raises ValueError."""
    text = text.strip()
    if not text:
        raise ValueError("空数字")
    try:
        return float(text)
    except ValueError:
        pass
    import cn2an  # runtime dependency, light

    try:
        return float(cn2an.cn2an(text, "smart"))
    except Exception as exc:  # cn2an raises plain ValueError/KeyError variants
        raise ValueError(f"无法识别的数字：{text}") from exc


# --- fines ----------------------------------------------------------------------------------------
_BASES = (  # keyword in the fine clause → unit
    ("违法所得", "违法所得倍数"),
    ("货值", "货值比例"),
    ("造价", "造价比例"),
    ("投资额", "投资额比例"),
    ("投资总额", "投资额比例"),
    ("广告费", "广告费用倍数"),
    ("代为处置费用", "代为处置费用倍数"),
    ("处置费用", "代为处置费用倍数"),
    ("所收费用", "所收费用倍数"),
    ("收取的费用", "所收费用倍数"),
    ("直接损失", "直接损失比例"),
    ("经济损失", "直接损失比例"),
)
_AMOUNT_RE = re.compile(
    rf"(?P<pre>不超过|最高|最低|不足|不满|超过)?(?P<pct>百分之)?(?P<num>{NUM}|等值)(?P<suf>万元|元|倍|%|％)?"
    r"(?P<post>以上|以下|以内|及以上|及以下)?"
)
PENALTY_TYPE_WORDS = (
    ("警告", "警告"), ("通报批评", "通报批评"), ("罚款", "罚款"), ("没收违法所得", "没收违法所得"),
    ("没收", "没收非法财物"), ("暂扣", "暂扣许可证件"), ("降低资质等级", "降低资质等级"),
    ("吊销", "吊销许可证件"), ("限制开展生产经营活动", "限制开展生产经营活动"),
    ("责令停产整治", "责令停产停业"), ("责令停产停业", "责令停产停业"), ("责令停业", "责令停产停业"),
    ("责令停止生产", "责令停产停业"), ("责令关闭", "责令关闭"), ("限制从业", "限制从业"), ("拘留", "行政拘留"),
)
_MEASURE_RE = re.compile(r"责令(?!停产|停业|关闭|停止生产)[^，；。、,;]{1,12}|限期(?:改正|拆除|治理)")


@dataclass(frozen=True)
class FineRange:
    min: float | None
    max: float | None
    unit: str
    text: str  # the clause the range was read from


class FineParseError(ValueError):
    pass


def _unit_of(clause: str) -> str:
    for key, unit in _BASES:
        if key in clause:
            return unit
    return CNY


def parse_fine(text: str) -> FineRange | None:
    """The first fine (罚款) range of a 裁量标准 / statute clause; None if the text has no fine.

    Raises FineParseError if it mentions a fine whose amount cannot be read."""
    text = re.sub(r"\s+", "", text or "")
    if "罚款" not in text:
        return None
    pieces = re.split(r"[，；。,;：:]", text)
    for i, piece in enumerate(pieces):
        if "罚款" not in piece:
            continue
        amounts = [m for m in _AMOUNT_RE.finditer(piece) if m.group("num")]
        if not amounts and i + 1 < len(pieces):  # "按照直接损失的百分之三十计算罚款，但是最高不超过…"
            continue
        if not amounts:
            raise FineParseError(f"罚款数额无法识别：{piece}")
        clause = piece
        unit = _unit_of(clause)
        vals: list[tuple[float, str | None, str | None]] = []
        for m in amounts:
            num, suf = m.group("num"), m.group("suf") or ""
            if num == "等值":
                value = 1.0
            else:
                try:
                    value = cn_number(num)
                except ValueError as exc:
                    raise FineParseError(f"罚款数额无法识别：{piece}") from exc
            if m.group("pct") or suf in ("%", "％"):
                value /= 100
            elif suf == "万元":
                value *= 10000
            vals.append((value, m.group("pre"), m.group("post")))
        if unit == CNY and any(m.group("pct") or (m.group("suf") == "倍") for m in amounts):
            raise FineParseError(f"罚款的计算基数无法识别：{piece}")
        if len(vals) >= 2:
            lo, hi = vals[0][0], vals[1][0]
        else:
            value, pre, post = vals[0]
            if post in ("以下", "以内", "及以下") or pre in ("不超过", "最高", "不足", "不满"):
                lo, hi = 0.0, value
            elif post in ("以上", "及以上") or pre in ("最低", "超过"):
                lo, hi = value, None
            else:
                lo = hi = value
        if hi is not None and lo > hi:
            raise FineParseError(f"罚款下限高于上限：{piece}")
        return FineRange(lo, hi, unit, clause)
    raise FineParseError(f"罚款数额无法识别：{text}")


def parse_all_fines(text: str) -> list[FineRange]:
    """Every fine range of a text (an article often has several: 处二万元以上二十万元以下；
    造成严重后果的，处二十万元以上二百万元以下). Unreadable clauses are skipped."""
    text = re.sub(r"\s+", "", text or "")
    out: list[FineRange] = []
    pos = 0
    while True:
        i = text.find("罚款", pos)
        if i < 0:
            return out
        start = max(text.rfind(sep, 0, i) for sep in "，；。,;：:\n")
        try:
            fine = parse_fine(text[start + 1:i + 2])
        except FineParseError:
            fine = None
        if fine is not None:
            out.append(fine)
        pos = i + 2


def penalty_types_of(text: str) -> tuple[str, ...]:
    text = re.sub(r"\s+", "", text or "")
    out: list[str] = []
    consumed = text
    for word, kind in PENALTY_TYPE_WORDS:
        if word in consumed:
            if kind not in out:
                out.append(kind)
            consumed = consumed.replace(word, "")
    return tuple(out)


def measures_of(text: str) -> tuple[str, ...]:
    text = re.sub(r"\s+", "", text or "")
    out: list[str] = []
    for m in _MEASURE_RE.finditer(text):
        measure = re.split(r"[，；。并]", m.group(0))[0]
        if measure and measure not in out:
            out.append(measure)
    return tuple(out)


def extra_penalties_of(text: str) -> tuple[str, ...]:
    """Fines on other persons after the main one (并对…直接负责的主管人员…处…罚款; 对个人处…)."""
    text = re.sub(r"\s+", "", text or "")
    out = []
    for m in re.finditer(r"(?:并?对|个人处)[^；。]*?罚款", text):
        if m.start() > 0:
            out.append(m.group(0).lstrip("并"))
    return tuple(out)


# --- conditions -----------------------------------------------------------------------------------
_UNITS = {
    "分钟": "分钟", "小时": "小时", "日": "日", "天": "日", "次": "次数", "倍": "超标倍数",
    "dB（A）": "超标dB", "dB(A)": "超标dB", "dB": "超标dB", "分贝": "超标dB", "头猪当量": "存栏量", "头": "存栏量",
    "吨": "吨", "立方米": "立方米", "平方米": "平方米", "万元": "金额", "元": "金额", "%": "百分比",
    "个": "个数", "台": "台数", "家": "家数", "人": "人数", "公斤": "公斤", "千克": "公斤", "米": "米",
}
_UNIT_ALT = "|".join(sorted((re.escape(u) for u in _UNITS), key=len, reverse=True))
_COND_RE = re.compile(
    rf"(?P<pre>超过|不足|不满|未满|低于|高于|达到|大于|小于)?(?P<num>{NUM})(?P<unit>{_UNIT_ALT})"
    r"(?P<post>及以上|及以下|以上|以下|以内|内)?"
)
_AMOUNT_KEYS = (("货值", "货值"), ("违法所得", "违法所得"), ("造价", "造价"), ("投资", "总投资额"),
                ("广告费", "广告费用"), ("损失", "直接损失"), ("罚款", "金额"))
_FLAG_PATTERNS = (
    ("first_offence", r"首次|第一次|初次"),
    ("repeat", r"再次|多次|第[二三四五]次|[二三两3-9]次以上|屡次|累计"),
    ("refused_correction", r"拒不改正|不改正|逾期未改正|逾期不改正|拒不|拒绝改正"),
    ("serious_harm", r"严重后果|较大以上|重大|特别重大|严重污染|人员伤亡"),
    ("no_harm", r"未造成|没有造成|无危害"),
    ("corrected", r"已改正|及时改正|立即改正|主动改正|整改完成"),
)
_ORDINAL = re.compile(r"第([一二三四五六七八九十\d]+)次")


def _quantity_name(text: str, start: int, unit: str) -> str:
    name = _UNITS[unit]
    if name == "金额":
        before = text[max(0, start - 12):start]
        for key, q in _AMOUNT_KEYS:
            if key in before:
                return q
    if name == "超标倍数" and "超标" not in text[max(0, start - 8):start]:
        return "倍数"
    return name


def parse_conditions(text: str) -> Condition:
    """Structured reading of one 裁量情节 (verbatim text always kept)."""
    raw = (text or "").strip()
    t = re.sub(r"\s+", "", raw)
    ranges: list[QuantityRange] = []
    toks = []
    for m in _COND_RE.finditer(t):
        try:
            value = cn_number(m.group("num"))
        except ValueError:
            continue
        unit = m.group("unit")
        if unit == "万元":
            value *= 10000
        toks.append((m, value, _quantity_name(t, m.start(), unit)))
    i = 0
    while i < len(toks):
        m, value, q = toks[i]
        pre, post = m.group("pre"), m.group("post")
        if m.start() > 0 and t[m.start() - 1] == "第":  # 第二次 handled as ordinal below
            i += 1
            continue
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if (post in ("以上", "及以上") or pre in ("超过", "高于", "大于")) and nxt and nxt[2] == q and \
                nxt[0].start() - m.end() <= 2 and (nxt[0].group("post") in ("以下", "以内", "及以下", "内")
                                                   or nxt[0].group("pre") in ("不足", "不满", "未满", "低于", "小于")):
            hi_excl = nxt[0].group("pre") in ("不足", "不满", "未满", "低于", "小于")
            ranges.append(QuantityRange(q, value, nxt[1], lo_inclusive=pre not in ("超过", "高于", "大于"),
                                        hi_inclusive=not hi_excl))
            i += 2
            continue
        if pre in ("超过", "高于", "大于"):
            ranges.append(QuantityRange(q, value, None, lo_inclusive=False))
        elif post in ("以上", "及以上") or pre == "达到":
            ranges.append(QuantityRange(q, value, None))
        elif pre in ("不足", "不满", "未满", "低于", "小于"):
            ranges.append(QuantityRange(q, None, value, hi_inclusive=False))
        elif post in ("以下", "以内", "及以下", "内"):
            ranges.append(QuantityRange(q, None, value))
        i += 1
    for m in _ORDINAL.finditer(t):
        try:
            n = cn_number(m.group(1))
        except ValueError:
            continue
        ranges.append(QuantityRange("次数", n, n))
    flags = tuple(flag for flag, pat in _FLAG_PATTERNS if re.search(pat, t))
    return Condition(raw, tuple(ranges), flags)

"""Read a 行政处罚决定书 written by anyone (ours, another agency's, a published one) into fields.

Used by the precedent importer and by the automatic review checklist. Fields that cannot be found
are listed in ``missing`` — never guessed. Natural persons' identifiers are not kept: the parser
records the party kind and a masked name only when the caller asks for the public form.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from assistant.errors import InputError
from corpus.textfile import decode_text

_NUM = r"[\d,，.０-９]+|[零〇一二两三四五六七八九十百千万亿点]+|[壹贰叁肆伍陆柒捌玖拾佰仟万亿零圆元角分整]+"
DOC_NO_RE = re.compile(r"([\u4e00-\u9fa5]{1,12}(?:罚|处|罚决|罚字|处字|案字|决字)?[字]?\s*[〔\[【(（﹝]\s*(\d{4})\s*[〕\]】)）﹞]\s*(?:第)?\s*[\d*＊]+\s*号)")
DATE_RE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
CN_DATE_RE = re.compile(r"([二〇零一三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日")
PARTY_RE = re.compile(r"当事人(?:名称|姓名)?\s*[：:]\s*([^\n，,；;（(]{2,40})")
CREDIT_RE = re.compile(r"统一社会信用代码(?:或身份证件号码)?\s*[：:]\s*([0-9A-Z*＊]{8,18})")
ID_RE = re.compile(r"(?:身份证(?:件)?号(?:码)?|公民身份号码)\s*[：:]\s*([0-9Xx*＊]{15,18})")
ADDRESS_RE = re.compile(r"(?:住所|地址|住址|经营场所)(?:（住址）)?\s*[：:]\s*([^\n]{2,80})")
LEGAL_REP_RE = re.compile(r"(?:法定代表人|负责人|经营者)(?:（负责人、经营者）)?\s*[：:]\s*([^\n，,；;]{1,20})")
FINE_RE = re.compile(rf"罚款\s*(?:人民币)?\s*({_NUM})\s*(万)?\s*元")
CONFISCATE_RE = re.compile(rf"没收违法所得\s*(?:人民币)?\s*({_NUM})\s*(万)?\s*元")
ILLEGAL_GAINS_RE = re.compile(rf"违法所得(?:共计|合计|为)?\s*(?:人民币)?\s*({_NUM})\s*(万)?\s*元")
GOODS_VALUE_RE = re.compile(rf"货值(?:金额)?(?:共计|合计|为)?\s*(?:人民币)?\s*({_NUM})\s*(万)?\s*元")
BAND_RE = re.compile(r"(不予处罚|轻微|一般|较重|严重)(?:违法)?(?:情形|档次|情节)")
PENALTY_TYPES = ("警告", "通报批评", "罚款", "没收违法所得", "没收非法财物", "暂扣许可证件", "降低资质等级",
                 "吊销许可证件", "吊销营业执照", "限制开展生产经营活动", "责令停产停业", "责令关闭", "限制从业", "行政拘留")
_UPPER = {"零": 0, "壹": 1, "贰": 2, "叁": 3, "肆": 4, "伍": 5, "陆": 6, "柒": 7, "捌": 8, "玖": 9}
_UPPER_UNITS = {"拾": 10, "佰": 100, "仟": 1000}


@dataclass
class ParsedDecision:
    text: str
    document_no: str | None = None
    agency: str | None = None
    party_name: str | None = None
    party_kind: str | None = None  # 自然人 | 法人或者其他组织
    credit_code: str | None = None
    has_id_number: bool = False
    address: str | None = None
    legal_representative: str | None = None
    decided_on: date | None = None
    filed_on: date | None = None
    violation_date: date | None = None
    notice_date: date | None = None
    facts: str | None = None
    evidence: str | None = None
    violated_text: str | None = None
    penalty_text: str | None = None
    penalty_types: list[str] = field(default_factory=list)
    fine: float | None = None
    confiscation: float | None = None
    illegal_gains: float | None = None
    goods_value: float | None = None
    band: str | None = None
    missing: list[str] = field(default_factory=list)


def parse_amount(num: str, wan: str | None = None) -> float | None:
    """'50,000' / '5' + 万 / '五万' / '伍万元整' → 50000.0; None if unreadable."""
    s = num.replace(",", "").replace("，", "").strip()
    s = s.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    value: float | None
    try:
        value = float(s)
    except ValueError:
        value = _upper_to_number(s) if any(c in _UPPER or c in _UPPER_UNITS for c in s) else _cn_to_number(s)
    if value is None:
        return None
    return value * 10000 if wan else value


def _cn_to_number(s: str) -> float | None:
    try:
        import cn2an

        return float(cn2an.cn2an(s.replace("两", "二"), "smart"))
    except Exception:  # noqa: BLE001 - unreadable numeral: reported as missing by the caller
        return None


def _upper_to_number(s: str) -> float | None:
    """大写: 壹拾贰万叁仟元整 / 伍万元 / 壹仟贰佰叁拾肆元伍角陆分."""
    s = s.replace("圆", "元").replace("整", "")
    yuan_part, _, frac = s.partition("元")
    total, section, digit = 0.0, 0, 0
    for ch in yuan_part:
        if ch in _UPPER:
            digit = _UPPER[ch]
        elif ch in _UPPER_UNITS:
            section += (digit or 1) * _UPPER_UNITS[ch]
            digit = 0
        elif ch == "万":
            total += (section + digit) * 10000
            section = digit = 0
        elif ch == "亿":
            total += (section + digit) * 100000000
            section = digit = 0
        else:
            return None
    total += section + digit
    m = re.match(r"(?:([零壹贰叁肆伍陆柒捌玖])角)?(?:([零壹贰叁肆伍陆柒捌玖])分)?$", frac)
    if frac and m:
        total += (_UPPER.get(m.group(1) or "零", 0)) / 10 + (_UPPER.get(m.group(2) or "零", 0)) / 100
    return total


def _cn_date(m: re.Match) -> date | None:
    digits = str.maketrans("〇零一二三四五六七八九", "00123456789")
    try:
        year = int(m.group(1).translate(digits))
        from corpus.numerals import cn_to_int

        return date(year, cn_to_int(m.group(2)), cn_to_int(m.group(3)))
    except ValueError:
        return None


def _date(m: re.Match) -> date | None:
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def read_document_text(path: Path) -> str:
    """Plain text of a .docx / .txt / .md decision (utf-8, utf-8-sig or gb18030)."""
    if not path.exists():
        raise InputError(f"文件不存在：{path}")
    if path.stat().st_size == 0:
        raise InputError(f"文件是空的：{path.name}")
    suffix = path.suffix.lower()
    if suffix == ".docx":
        try:
            import docx

            doc = docx.Document(str(path))
        except Exception as exc:  # noqa: BLE001 - any parse failure is a bad file
            raise InputError(f"无法读取 Word 文件 {path.name}：文件已损坏或不是 .docx 格式") from exc
        parts = [p.text for p in doc.paragraphs]
        for table in doc.tables:
            for row in table.rows:
                parts.append("\t".join(c.text for c in row.cells))
        for section in doc.sections:
            parts.extend(p.text for p in section.footer.paragraphs)
        return "\n".join(parts)
    if suffix in (".txt", ".md"):
        return decode_text(path.read_bytes(), path.name)
    raise InputError(f"不支持的文件类型“{suffix}”：请提供 .docx、.txt 或 .md 文件")


def _section(text: str, start_pat: str, end_pats: tuple[str, ...]) -> str | None:
    m = re.search(start_pat, text)
    if not m:
        return None
    rest = text[m.start():]
    end = len(rest)
    for pat in end_pats:
        e = re.search(pat, rest[1:])
        if e:
            end = min(end, e.start() + 1)
    return rest[:end].strip()


def parse_decision(text: str) -> ParsedDecision:
    text = text.replace("\r\n", "\n").replace("\u3000", " ")
    d = ParsedDecision(text=text)
    if m := DOC_NO_RE.search(text):
        d.document_no = re.sub(r"\s+", "", m.group(1))
    head = text[:400]
    for line in head.split("\n"):
        line = line.strip()
        # an agency name may carry a bracketed note, e.g. 示范市市场监督管理局（演示）
        if re.search(r"(局|委员会|政府|厅|委|办公室|大队|支队|所|中心)(（[^（）]{1,8}）)?$", line) and len(line) <= 40 \
                and "决定书" not in line:
            d.agency = line
            break
    if m := PARTY_RE.search(text):
        d.party_name = m.group(1).strip()
    if m := CREDIT_RE.search(text):
        d.credit_code = m.group(1)
    d.has_id_number = bool(ID_RE.search(text))
    if d.credit_code or re.search(r"(公司|厂|店|中心|合作社|事务所|医院|学校|协会)", d.party_name or ""):
        d.party_kind = "法人或者其他组织"
    elif d.has_id_number or re.search(r"(性别|出生|公民身份)", text[:600]):
        d.party_kind = "自然人"
    if m := ADDRESS_RE.search(text):
        d.address = m.group(1).strip()
    if m := LEGAL_REP_RE.search(text):
        d.legal_representative = m.group(1).strip()

    d.facts = _section(text, r"经查", (r"上述事实", r"以上事实", r"证据如下", r"本机关认为", r"你(单位)?的上述行为"))
    d.evidence = _section(text, r"(上述事实|以上事实)[^\n]{0,20}证据", (r"\n(?!\s*\d+[.、．])", r"本(机关|局)认为"))
    if m := re.search(r"违反了?([^。]*?)(?:的)?规定", text):
        d.violated_text = m.group(0)
    if m := re.search(r"(?:依据|根据|依照)([^。]*?)(?:的)?规定[^。]*?(?:决定|作出如下|处罚如下|给予)", text):
        d.penalty_text = m.group(0)
    for pattern, attr in ((FINE_RE, "fine"), (CONFISCATE_RE, "confiscation"), (ILLEGAL_GAINS_RE, "illegal_gains"),
                          (GOODS_VALUE_RE, "goods_value")):
        if attr == "fine":
            section = _section(text, r"(决定|处罚如下|作出如下)", (r"履行|缴纳|如不服",)) or text
            m = pattern.search(section)
        else:
            m = pattern.search(text)
        if m:
            setattr(d, attr, parse_amount(m.group(1), m.group(2)))
    decision_part = _section(text, r"(作出如下|处罚如下|决定如下|决定：|决定给予|给予以下)", (r"履行|缴纳|如不服|限你",)) or ""
    d.penalty_types = [t for t in PENALTY_TYPES if t in decision_part]
    if m := BAND_RE.search(text):
        d.band = m.group(1)

    dates = [(m.start(), _date(m)) for m in DATE_RE.finditer(text)] + [(m.start(), _cn_date(m)) for m in CN_DATE_RE.finditer(text)]
    dates = sorted((pos, dt) for pos, dt in dates if dt)
    if dates:
        d.decided_on = dates[-1][1]
    if m := re.search(r"(\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)[^。\n，,]{0,30}?一案立案|"
                      r"(\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)[^。\n]{0,12}立案", text):
        d.filed_on = _date(DATE_RE.search(m.group(1) or m.group(2)))
    elif m := re.search(r"立案[^。\n]{0,10}?(\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)", text):
        d.filed_on = _date(DATE_RE.search(m.group(1)))
    if d.facts and (m := DATE_RE.search(d.facts)):
        d.violation_date = _date(m)
    if m := re.search(r"(\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)[^。\n]{0,30}(?:送达|作出|向当事人)?[^。\n]{0,10}(?:事先告知|告知书)", text):
        d.notice_date = _date(DATE_RE.search(m.group(1)))

    wanted = {"document_no": "文号", "party_name": "当事人名称", "address": "当事人地址", "facts": "违法事实",
              "evidence": "证据", "violated_text": "违法依据", "penalty_text": "处罚依据", "decided_on": "决定日期",
              "agency": "作出决定的机关"}
    d.missing = [label for attr, label in wanted.items() if not getattr(d, attr)]
    if not d.penalty_types:
        d.missing.append("处罚种类")
    return d

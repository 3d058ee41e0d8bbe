"""脱敏 (redaction): the public version of a decision (domain-spec §5, document-formats B7).

Kept: agency, facts, basis, penalty, entity names, credit codes, officers' names and 证号.
Masked: natural persons' names (surname + 某/某某), legal representatives (local policy).
Removed: ID numbers, phone numbers, e-mail, IM accounts, bank accounts, plates, home-address
detail below the county, third parties' names, 商业秘密 spans. Minors' decisions are refused.

Two layers:

- :class:`Redactor` works on one text: ``redactor.redact_text(text, known)`` returns the public
  text and the list of :class:`Redaction` spans (original → replacement, category, legal basis)
  for the officer's side-by-side preview. Detection = the people known from structured data +
  patterns (ID/phone/e-mail/bank/plate regexes, cue words such as "证人李四", "法定代表人王五",
  "张三，男，" and home-address cues).
- :func:`redact` takes a :class:`assistant.publicity.DecisionRecord` and redacts every field.

Every rule is data (``assistant/data/redaction_rules.json`` and ``redaction_surnames.txt``) and
names its legal basis. Nothing personal is ever logged: only counts per category.
"""
from __future__ import annotations

import json
import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from assistant.errors import GateRefused, InputError
from assistant.parties import CREDIT_CODE_CHARSET, credit_code_check_char, id_check_char

if TYPE_CHECKING:  # pragma: no cover
    from assistant.publicity import DecisionRecord

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"
NATURAL_PERSON = "natural_person"
NATURAL_PERSON_KINDS = frozenset({"natural_person", "自然人"})

CJK = "\u4e00-\u9fff"


# ---------------------------------------------------------------------------------------------
# rules (data files)
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Rules:
    categories: dict
    refusals: dict
    cues: dict
    replacement: dict
    compound_surnames: tuple[str, ...]
    single_surnames: frozenset[str]
    not_names: frozenset[str] = frozenset()

    def basis(self, category: str) -> str:
        return self.categories[category]["basis"]

    def label(self, category: str) -> str:
        return self.categories[category]["label"]


@lru_cache(maxsize=4)
def load_rules(rules_path: str | None = None, surnames_path: str | None = None) -> Rules:
    rp = Path(rules_path) if rules_path else DATA_DIR / "redaction_rules.json"
    sp = Path(surnames_path) if surnames_path else DATA_DIR / "redaction_surnames.txt"
    try:
        data = json.loads(rp.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"脱敏规则文件 {rp} 无法读取：{exc}") from exc
    compound: list[str] = []
    single: set[str] = set()
    for line in sp.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        for tok in line.split():
            (compound.append(tok) if len(tok) > 1 else single.add(tok))
    compound = sorted(set(compound), key=len, reverse=True)
    return Rules(data["categories"], data.get("refusals", {}), data["cues"], data["replacement"],
                 tuple(compound), frozenset(single), frozenset(data.get("not_names", ())))


# ---------------------------------------------------------------------------------------------
# policy and records
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RedactionPolicy:
    """Local choices (domain-spec §5: "configurable").

    name_style: ``"length"`` (张三→张某, 张三丰→张某某), ``"某"`` (always 张某) or ``"某某"``.
    legal_rep: ``"mask"`` (default, like the A4 example 宣某), ``"keep"`` or ``"remove"``.
    third_party: ``"remove"`` (default: 某某) or ``"mask"`` (surname + 某).
    """

    name_style: str = "length"
    legal_rep: str = "mask"
    third_party: str = "remove"
    refuse_minors: bool = True

    def __post_init__(self) -> None:
        if self.name_style not in ("length", "某", "某某"):
            raise InputError(f"姓名脱敏方式“{self.name_style}”无效，可选：length、某、某某")
        if self.legal_rep not in ("mask", "keep", "remove"):
            raise InputError(f"法定代表人公示政策“{self.legal_rep}”无效，可选：mask、keep、remove")
        if self.third_party not in ("remove", "mask"):
            raise InputError(f"第三人姓名处理方式“{self.third_party}”无效，可选：remove、mask")


@dataclass(frozen=True)
class Redaction:
    """One masked span, for the officer's preview (never logged)."""

    field: str
    start: int
    end: int
    original: str
    replacement: str
    category: str
    basis: str

    def as_dict(self) -> dict:
        return {"field": self.field, "start": self.start, "end": self.end, "original": self.original,
                "replacement": self.replacement, "category": self.category, "basis": self.basis}


@dataclass
class KnownPeople:
    """Who is who, from the structured data. ``masked`` maps a name to its category
    (party_name | legal_rep | third_party); ``keep`` are names never masked (officers, entities);
    ``addresses`` are natural persons' addresses found anywhere in free text."""

    masked: dict[str, str] = field(default_factory=dict)
    keep: set[str] = field(default_factory=set)
    addresses: set[str] = field(default_factory=set)
    secrets: list[str] = field(default_factory=list)
    home_is_residence: bool = False  # party is a natural person: 住所 means home address

    def add(self, name: str, category: str) -> None:
        name = (name or "").strip()
        if len(name) >= 2 and "某" not in name and name not in self.keep:
            # the stricter category wins (third_party hides the surname too)
            order = {"party_name": 0, "legal_rep": 1, "third_party": 2}
            old = self.masked.get(name)
            if old is None or order[category] > order[old]:
                self.masked[name] = category


@dataclass(frozen=True)
class PublicVersion:
    """The redacted decision: ``fields`` are the public texts; ``redactions`` the preview diff."""

    decision_id: str
    fields: dict[str, str]
    redactions: tuple[Redaction, ...]
    policy: RedactionPolicy

    def counts(self) -> dict[str, int]:
        return dict(Counter(r.category for r in self.redactions))

    def preview_rows(self) -> list[dict]:
        """Side-by-side rows: 字段, 原文, 公开版本, 类别, 依据 (for the officer only)."""
        rules = load_rules()
        return [{"字段": r.field, "原文": r.original, "公开版本": r.replacement or "（删除）",
                 "类别": rules.label(r.category), "依据": r.basis} for r in self.redactions]


# ---------------------------------------------------------------------------------------------
# patterns
# ---------------------------------------------------------------------------------------------
_ID18 = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9A-Za-z])")
_ID15 = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{7}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![0-9A-Za-z])(?:(?:\+|＋)?86[-\s－]?)?1[3-9]\d(?:[-\s－]?\d{4}){2}(?![0-9])")
_LANDLINE = re.compile(
    r"(?<![0-9A-Za-z])(?:\(0\d{2,3}\)|（0\d{2,3}）|0\d{2,3})[-\s－—]?[2-9]\d{6,7}"
    r"(?:\s*(?:转|分机|ext\.?|-|－)\s*\d{1,6})?(?![0-9])")
_LOCAL_PHONE = re.compile(r"(?:电话|座机|联系方式|联系电话)[号码为是：:\s]*([2-9]\d{6,7})(?![0-9])")
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
_IM = re.compile(r"(?:微信号?|QQ号?|qq号?|抖音号|支付宝账号)[码为是：:\s]*([A-Za-z0-9_\-@.]{5,30})")
_BANK = re.compile(r"(?<![0-9A-Za-z])(?:\d{16,19}|\d{4}(?:[ \-]\d{4}){3}(?:[ \-]\d{1,3})?)(?![0-9A-Za-z])")
_ACCOUNT_CTX = re.compile(r"(?:账号|帐号|卡号|账户|帐户)[为是：:\s]*(\d[\d \-]{9,22}\d)")
_PLATE = re.compile(
    r"(?<![A-Za-z0-9])[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼]"
    r"[A-HJ-NP-Z][·•・\s]?[A-HJ-NP-Z0-9]{5,6}[挂学警港澳]?(?![A-Za-z0-9])")
_CREDIT = re.compile(r"(?<![0-9A-Za-z])[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}(?![0-9A-Za-z])")
_ORG_SUFFIX = re.compile(r"(?:有限|公司|合作社|经营部|商行|门市|加工|厂|超市|酒店|餐厅|饭店|药店|诊所|医院|学校|中心|局|店)")
_PROVINCE = r"(?:[{c}]{{2,7}}?(?:省|自治区|特别行政区))".format(c=CJK)
_CITY = r"(?:[{c}]{{2,7}}?(?:市|自治州|地区|盟))".format(c=CJK)
_COUNTY = r"(?:[^\s\d，。；：、,;:省市区县旗路街道巷村镇乡苑园小号栋幢室组]{1,6}(?:区|县|旗|市))"
_ADMIN_PREFIX = re.compile(rf"^{_PROVINCE}?{_CITY}?{_COUNTY}?")
_ADDR_TERM = "，。；;,、\n\t）)】"
_GENDER_CUE = re.compile(r"[，,、（(]\s*(?:男|女|性别|身份证|公民身份|汉族|\d{1,3}岁|\d{4}年\d{1,2}月\d{1,2}日出生|出生|住址|住)")

# characters that do not continue a name (2nd given-name position) — verbs/particles after names
_STOP3 = set("称说讲于在系是的等和与及为向对到从将把被让给因曾已均都也又并即便就则未拒签确陈提表出收作经所其之了"
             "过着无不没请要应当可能会该需办进去回交缴持携驾购买卖销售使用以共同负担驾驶骑乘装卸搬送寄取存放拿接"
             "打看听告诉按捺男女先某因据系现均曾于此")
# characters that cannot be the first given-name character
_STOP2 = set("的了在于是和与及等对向将把被从某为已未不也都又并就以由当")
# surnames that are also common words: need a clear boundary after the name
_RISKY_SURNAMES = set("于和由但全国时成向平明海文高商师花强公元信利宣万常安方白包那东南西北上下中"
                      "来都普计相初门云容敬展阴智幸富由衣束斯居干呼玉危战印宿鲜况那修母乌阿羊薄鹿伏戈浦"
                      "支丰巴漆井练盖豆屠帅权海区位满盘楼皮劳原班南乐惠封官池明和师商桑沙荣"
                      "应曾车申房任严查相邢解施项连余温景游冷米边甄仲谈位宗单卫")
_NAME_TERM = set("，。；：、,;:.!！？?（）()《》“”\"' \n\t名家处本们店户夫妻二两三俩几通签") | _STOP3
_NAME_TRIGGER = re.compile(r"(?:对|向|与|询问了?|约谈|传唤|收到|接到|据|由|[，,。；：:])")
_NAME_FOLLOWER = re.compile(r"(?:的(?:书面|口头|电话)?(?:询问|调查|谈话|笔录|证言|陈述|身份证|投诉|举报|申请|住处|家中)"
                            r"|(?:反映|投诉|举报|证实|介绍|供述))")
_RISKY_TERM = set("，。；：、,;:.!！？?（）()《》“”\"' \n\t称说表陈")
_PLACE_CHARS = set("市区县省镇乡村州盟旗路街")


def _surname_len(name: str, rules: Rules) -> int:
    for c in rules.compound_surnames:
        if name.startswith(c) and len(name) > len(c):
            return len(c)
    return 1


def mask_name(name: str, style: str = "length", rules: Rules | None = None) -> str:
    """张三→张某, 张三丰→张某某 (style "length"); 欧阳娜娜→欧阳某某; style "某"/"某某" fixes the tail."""
    rules = rules or load_rules()
    n = _surname_len(name, rules)
    surname, given = name[:n], name[n:]
    if style == "某":
        tail = "某"
    elif style == "某某":
        tail = "某某"
    else:
        tail = "某" * max(1, min(2, len(given)))
    return surname + tail


# ---------------------------------------------------------------------------------------------
# the redactor
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    category: str
    replacement: str
    priority: int


class Redactor:
    """Finds and replaces personal data in one text. Stateless apart from policy and rules."""

    PRIORITY = {"trade_secret": 0, "id_number": 1, "bank_account": 1, "phone": 1, "email": 1,
                "contact": 1, "plate": 1, "address": 2, "third_party": 3, "party_name": 3, "legal_rep": 3}

    def __init__(self, policy: RedactionPolicy | None = None, rules: Rules | None = None) -> None:
        self.policy = policy or RedactionPolicy()
        self.rules = rules or load_rules()
        cues = self.rules.cues
        self._cue_cat: dict[str, str] = {}
        for cat, key in (("third_party", "third_party"), ("legal_rep", "legal_rep"), ("party_name", "party")):
            for c in cues[key]:
                self._cue_cat.setdefault(c, cat)
        alt = "|".join(sorted(map(re.escape, self._cue_cat), key=len, reverse=True))
        self._cue_re = re.compile(rf"({alt})(?:签名|签字|姓名)?(?:[：:\s]|为|是|系|叫)?\s*")
        home = "|".join(sorted(map(re.escape, cues["home_address"]), key=len, reverse=True))
        self._home_re = re.compile(rf"(?:{home})[：:\s为是在于]*")
        self._comma_home_re = re.compile(r"[，,]\s*(?:住所地?|居住于|住于|住(?![址所宅房户]))[：:\s]*")
        self._neg_ctx = sorted(cues["negative_number_context"], key=len, reverse=True)
        self._pos_ctx = sorted(cues["positive_number_context"], key=len, reverse=True)

    # -- replacements --------------------------------------------------------------------------
    def _name_replacement(self, name: str, category: str) -> str:
        if category == "third_party" and self.policy.third_party == "remove":
            return self.rules.replacement["third_party"]
        if category == "legal_rep" and self.policy.legal_rep == "remove":
            return self.rules.replacement["third_party"]
        return mask_name(name, self.policy.name_style, self.rules)

    def _name_category_allowed(self, category: str) -> bool:
        return not (category == "legal_rep" and self.policy.legal_rep == "keep")

    # -- context for numbers -------------------------------------------------------------------
    def _number_context(self, text: str, start: int, window: int = 14) -> str:
        """'pos' | 'neg' | '' — the nearest context keyword before ``start`` wins."""
        left = text[max(0, start - window):start]
        best, kind = -1, ""
        for kw in self._pos_ctx:
            i = left.rfind(kw)
            if i >= 0 and i + len(kw) > best:
                best, kind = i + len(kw), "pos"
        for kw in self._neg_ctx:
            i = left.rfind(kw)
            # "身份证号" ends with "证号": a positive keyword covering the same end wins
            if i >= 0 and i + len(kw) > best:
                best, kind = i + len(kw), "neg"
        return kind

    # -- detectors -----------------------------------------------------------------------------
    def _numbers(self, text: str) -> list[_Span]:
        out: list[_Span] = []
        removed = self.rules.replacement["removed"]

        def add(s: int, e: int, cat: str) -> None:
            out.append(_Span(s, e, cat, removed, self.PRIORITY[cat]))

        for rx in (_ID18, _ID15):
            for m in rx.finditer(text):
                ctx = self._number_context(text, m.start())
                if ctx == "neg" and (_valid_credit_code(m.group()) or "信用代码" in text[max(0, m.start() - 14):m.start()]
                                     or not _valid_id18(m.group())):
                    continue
                cat = "bank_account" if ctx == "pos" and _looks_like_bank_ctx(text, m.start()) else "id_number"
                add(m.start(), m.end(), cat)
        for m in _MOBILE.finditer(text):
            if self._number_context(text, m.start()) != "neg":
                add(m.start(), m.end(), "phone")
        for m in _LANDLINE.finditer(text):
            if self._number_context(text, m.start()) != "neg":
                add(m.start(), m.end(), "phone")
        for m in _LOCAL_PHONE.finditer(text):
            add(m.start(1), m.end(1), "phone")
        for m in _EMAIL.finditer(text):
            add(m.start(), m.end(), "email")
        for m in _IM.finditer(text):
            add(m.start(1), m.end(1), "contact")
        for m in _BANK.finditer(text):
            if self._number_context(text, m.start()) != "neg":
                add(m.start(), m.end(), "bank_account")
        for m in _ACCOUNT_CTX.finditer(text):
            digits = re.sub(r"\D", "", m.group(1))
            if 10 <= len(digits) <= 25:
                add(m.start(1), m.end(1), "bank_account")
        for m in _PLATE.finditer(text):
            add(m.start(), m.end(), "plate")
        return out

    def _secrets(self, text: str, known: KnownPeople) -> list[_Span]:
        out = []
        for secret in known.secrets:
            if not secret:
                continue
            for m in re.finditer(re.escape(secret), text):
                out.append(_Span(m.start(), m.end(), "trade_secret", self.rules.replacement["trade_secret"], 0))
        return out

    def _address_span(self, text: str, start: int) -> _Span | None:
        end = start
        while end < len(text) and text[end] not in _ADDR_TERM:
            end += 1
        addr = text[start:end]
        if len(addr) < 2:
            return None
        m = _ADMIN_PREFIX.match(addr)
        keep = m.end() if m else 0
        if keep >= len(addr):
            return None  # only the county or above: nothing to remove
        repl = "" if keep else self.rules.replacement["removed"]
        return _Span(start + keep, end, "address", repl, self.PRIORITY["address"])

    def _addresses(self, text: str, known: KnownPeople) -> list[_Span]:
        out = []
        for m in self._home_re.finditer(text):
            sp = self._address_span(text, m.end())
            if sp:
                out.append(sp)
        for m in self._comma_home_re.finditer(text):
            if m.group().strip("，, ：:").startswith("住所") and not known.home_is_residence and \
                    not any(text.endswith(n, 0, m.start()) for n in known.masked):
                continue
            sp = self._address_span(text, m.end())
            if sp:
                out.append(sp)
        if known.home_is_residence:
            for m in re.finditer(r"住所(?:地)?[：:\s为是在于]*", text):
                sp = self._address_span(text, m.end())
                if sp:
                    out.append(sp)
        for addr in known.addresses:
            if len(addr) < 4:
                continue
            for m in re.finditer(re.escape(addr), text):
                pm = _ADMIN_PREFIX.match(addr)
                keep = pm.end() if pm else 0
                if keep < len(addr):
                    out.append(_Span(m.start() + keep, m.end(), "address",
                                     "" if keep else self.rules.replacement["removed"], self.PRIORITY["address"]))
        return out

    def _is_surname_at(self, text: str, i: int) -> int:
        """Length of the surname starting at text[i] (0 if none)."""
        for c in self.rules.compound_surnames:
            if text.startswith(c, i):
                return len(c)
        return 1 if i < len(text) and text[i] in self.rules.single_surnames else 0

    def _name_at(self, text: str, i: int, *, strict: bool = False) -> str | None:
        """A plausible personal name starting at text[i] (surname + 1–2 given characters)."""
        sl = self._is_surname_at(text, i)
        if not sl:
            return None
        j = i + sl
        if j >= len(text) or not _is_cjk(text[j]) or text[j] in _STOP2:
            return None
        g1 = j + 1
        risky = sl == 1 and text[i] in _RISKY_SURNAMES
        # a third character is part of the name unless it reads as the verb/particle that follows
        if g1 < len(text) and _is_cjk(text[g1]) and text[g1] not in _STOP3:
            after = text[g1 + 1] if g1 + 1 < len(text) else "\n"
            if after in _NAME_TERM or not _is_cjk(after):
                name = text[i:g1 + 1]
            elif strict or risky:
                return None
            elif _is_common_word(text[g1:g1 + 2]):
                name = text[i:g1]  # "张三同意", "胡贵直接": the third character starts the next word
            else:
                name = text[i:g1 + 1]
        else:
            name = text[i:g1]
            after = text[g1] if g1 < len(text) else "\n"
            if (strict or risky) and not (after in _NAME_TERM or not _is_cjk(after)):
                return None
        if risky and not (after in _RISKY_TERM or not _is_cjk(after)) and \
                (_is_common_word(text[j:j + 2]) or text[j] in "其本该此这那各每"):
            return None  # "当事人于收到…", "当事人向本局…": a word, not a name
        if "某" in name:
            return None
        return name

    def _plausible(self, text: str, i: int, name: str) -> bool:
        """Reject cue-detected candidates that read as a place, an organisation or a common word."""
        if any(c in _PLACE_CHARS for c in text[i + 1:i + 4]):
            return False
        if _ORG_SUFFIX.match(text, i + len(name)):
            return False
        if name in self.rules.not_names or name[:2] in self.rules.not_names:
            return False
        if self._is_surname_at(text, i) > 1:
            return True
        return not _is_common_word(name[:2]) and not (len(name) == 3 and _is_common_word(name))

    def _pattern_names(self, text: str, known: KnownPeople) -> dict[str, str]:
        """Names found by cue words ("证人李四", "员工甲、乙") and by "张三，男，…" — name → category."""
        found: dict[str, str] = {}
        for m in self._cue_re.finditer(text):
            pos, cat = m.end(), self._cue_cat[m.group(1)]
            while True:
                name = self._name_at(text, pos)
                if not name or not self._plausible(text, pos, name):
                    break
                if name not in known.keep:
                    found.setdefault(name, cat)
                nxt = pos + len(name)
                sep = re.match(r"(?:、|，|和|与|及|以及)", text[nxt:nxt + 2])
                if not sep:
                    break
                pos = nxt + len(sep.group())
        for m in _NAME_TRIGGER.finditer(text):
            name = self._name_at(text, m.end())
            if name and _NAME_FOLLOWER.match(text, m.end() + len(name)) and self._plausible(text, m.end(), name) \
                    and name not in known.keep:
                found.setdefault(name, "third_party")
        for m in _GENDER_CUE.finditer(text):
            s = m.start()
            for n in (4, 3, 2):
                i = s - n
                if i < 0:
                    continue
                prev = text[i - 1] if i > 0 else "，"
                cand = self._name_at(text, i, strict=False)
                if cand and i + len(cand) == s and (not _is_cjk(prev) or prev in "了对向与和及将把被由经据称叫为是系"
                                                    or n == 2 or self._is_surname_at(text, i) > 1):
                    if cand not in known.keep and not any(c in _PLACE_CHARS for c in cand[1:]):
                        found.setdefault(cand, "party_name")
                    break
        # structured data wins: a pattern hit that merely extends a known name ("胡贵直接") is dropped
        for name in list(found):
            if any(name != k and name.startswith(k) for k in known.masked):
                del found[name]
        return found

    def _names(self, text: str, known: KnownPeople) -> list[_Span]:
        names = dict(self._pattern_names(text, known))
        for name, cat in known.masked.items():
            names[name] = cat  # structured data wins
        out = []
        for name, cat in names.items():
            if not self._name_category_allowed(cat):
                continue
            repl = self._name_replacement(name, cat)
            for m in re.finditer(re.escape(name), text):
                # do not cut into a longer name: "张三丰" contains "张三"
                longer = [n for n in names if len(n) > len(name) and text.startswith(n, m.start())]
                if longer:
                    continue
                out.append(_Span(m.start(), m.end(), cat, repl, self.PRIORITY[cat]))
        return out

    def _protected(self, text: str, known: KnownPeople) -> list[tuple[int, int]]:
        spans = []
        for name in known.keep:
            if len(name) >= 2:
                spans += [(m.start(), m.end()) for m in re.finditer(re.escape(name), text)]
        for m in _CREDIT.finditer(text):
            code = m.group()
            context = "信用代码" in text[max(0, m.start() - 14):m.start()]
            id_like = bool(_ID18.fullmatch(code)) and _valid_id18(code)
            if context or (_valid_credit_code(code) and not id_like):
                spans.append((m.start(), m.end()))
        return spans

    # -- public API ----------------------------------------------------------------------------
    def find(self, text: str, known: KnownPeople | None = None) -> list[_Span]:
        known = known or KnownPeople()
        if not text:
            return []
        protected = self._protected(text, known)
        cands = self._secrets(text, known) + self._numbers(text) + self._addresses(text, known) + self._names(text, known)
        chosen: list[_Span] = []
        for sp in sorted(cands, key=lambda s: (s.priority, -(s.end - s.start), s.start)):
            if sp.category not in ("trade_secret", "id_number", "bank_account", "phone", "email", "contact") and \
                    any(s < sp.end and sp.start < e for s, e in protected):
                continue
            if sp.category in ("id_number", "bank_account") and \
                    any(s <= sp.start and sp.end <= e for s, e in protected):
                continue
            if any(c.start < sp.end and sp.start < c.end for c in chosen):
                continue
            chosen.append(sp)
        return sorted(chosen, key=lambda s: s.start)

    def redact_text(self, text: str, known: KnownPeople | None = None, *,
                    field_name: str = "text") -> tuple[str, list[Redaction]]:
        spans = self.find(text, known)
        out, pos, reds = [], 0, []
        for sp in spans:
            out.append(text[pos:sp.start])
            out.append(sp.replacement)
            reds.append(Redaction(field_name, sp.start, sp.end, text[sp.start:sp.end], sp.replacement,
                                  sp.category, self.rules.basis(sp.category)))
            pos = sp.end
        out.append(text[pos:])
        return "".join(out), reds


@lru_cache(maxsize=1)
def _word_tags() -> dict[str, str]:
    """jieba's dictionary (word → part of speech), loaded lazily once."""
    try:
        import jieba
        import jieba.posseg as pseg
    except ImportError:  # pragma: no cover - jieba is a declared dependency
        log.warning("未安装 jieba，姓名识别不做常用词排除（pip install jieba）")
        return {}
    jieba.setLogLevel(logging.WARNING)
    return pseg.dt.word_tag_tab


def _is_common_word(word: str) -> bool:
    """A dictionary word that is not tagged as a person name (陈述, 相关, 查处, 车辆…)."""
    tag = _word_tags().get(word)
    return tag is not None and not tag.startswith("nr")


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"




def _valid_id18(s: str) -> bool:
    """GB 11643 check character (the validator in assistant.parties, as a predicate)."""
    return len(s) == 18 and s[:17].isdigit() and id_check_char(s[:17]) == s[17].upper()


def _valid_credit_code(s: str) -> bool:
    """GB 32100 check character (the validator in assistant.parties, as a predicate)."""
    s = s.upper()
    return len(s) == 18 and all(c in CREDIT_CODE_CHARSET for c in s) and credit_code_check_char(s[:17]) == s[17]


def _looks_like_bank_ctx(text: str, start: int) -> bool:
    left = text[max(0, start - 14):start]
    return any(k in left for k in ("账号", "帐号", "卡号", "账户", "帐户", "银行", "开户")) and \
        not any(k in left[-8:] for k in ("身份证", "身份号码"))


# ---------------------------------------------------------------------------------------------
# decisions
# ---------------------------------------------------------------------------------------------
TEXT_FIELDS = ("case_name", "facts", "evidence", "basis_text", "penalty_text", "statement", "outcome")


def known_people(decision: "DecisionRecord", policy: RedactionPolicy | None = None) -> KnownPeople:
    policy = policy or RedactionPolicy()
    known = KnownPeople()
    party = decision.party
    for o in decision.officers:
        known.keep.add(o.name)
    known.keep.add(decision.agency)
    if party.kind in NATURAL_PERSON_KINDS:
        known.add(party.name, "party_name")
        known.home_is_residence = True
        if party.address:
            known.addresses.add(party.address)
    else:
        known.keep.add(party.name)
        if party.legal_representative:
            if policy.legal_rep != "keep":
                known.add(party.legal_representative, "legal_rep")
            else:
                known.keep.add(party.legal_representative)
    for p in decision.third_parties:
        known.add(p.name, "third_party")
        if p.address:
            known.addresses.add(p.address)
    known.secrets = [s for s in decision.trade_secrets if s]
    # officers' names must not be swallowed by a cue ("询问人李明")
    for name in list(known.masked):
        if name in known.keep:
            del known.masked[name]
    return known


def check_publishable(decision: "DecisionRecord", policy: RedactionPolicy | None = None) -> None:
    """Raise :class:`GateRefused` when the decision may not be published at all."""
    policy = policy or RedactionPolicy()
    rules = load_rules()
    if policy.refuse_minors and decision.party.minor:
        r = rules.refusals["minor"]
        raise GateRefused(r["message"], article=r["basis"], reason="minor")
    if decision.withheld_reason:
        raise GateRefused(f"该决定不予公开：{decision.withheld_reason}", article="行政处罚法 第四十八条",
                          reason="withheld")


def redact(decision: "DecisionRecord", policy: RedactionPolicy | None = None,
           redactor: Redactor | None = None) -> PublicVersion:
    """The public version of a decision with the preview diff. Refuses minors' decisions."""
    policy = policy or RedactionPolicy()
    check_publishable(decision, policy)
    redactor = redactor or Redactor(policy)
    rules = redactor.rules
    known = known_people(decision, policy)
    party = decision.party
    fields: dict[str, str] = {}
    reds: list[Redaction] = []

    def structured(name: str, value: str, category: str, replacement: str) -> None:
        if value:
            reds.append(Redaction(name, 0, len(value), value, replacement, category, rules.basis(category)))

    # 当事人 block (structured)
    if party.kind in NATURAL_PERSON_KINDS:
        fields["party_name"] = mask_name(party.name, policy.name_style, rules) if party.name else ""
        structured("party_name", party.name, "party_name", fields["party_name"])
        fields["credit_code"] = ""
        structured("party_id_number", party.id_number, "id_number", "")
        addr_text, addr_reds = redactor.redact_text(party.address, known, field_name="party_address")
        if party.address and not addr_reds:
            pm = _ADMIN_PREFIX.match(party.address)
            keep = pm.end() if pm else 0
            addr_text = party.address[:keep]
            if keep < len(party.address):
                addr_reds = [Redaction("party_address", keep, len(party.address), party.address[keep:], "",
                                       "address", rules.basis("address"))]
        fields["party_address"] = addr_text
        reds += addr_reds
        fields["legal_representative"] = ""
    else:
        fields["party_name"] = party.name
        fields["credit_code"] = party.credit_code
        fields["party_address"] = party.address  # registered address: kept
        rep = party.legal_representative
        if policy.legal_rep == "keep" or not rep:
            fields["legal_representative"] = rep
        else:
            fields["legal_representative"] = redactor._name_replacement(rep, "legal_rep")
            structured("legal_representative", rep, "legal_rep", fields["legal_representative"])
    structured("party_phone", party.phone, "phone", "")

    # plain fields kept as they are
    fields["agency"] = decision.agency
    fields["document_number"] = decision.document_number
    fields["decided_on"] = decision.decided_on.isoformat()
    fields["kind"] = decision.kind
    fields["violation_type"] = decision.violation_type
    fields["penalty_types"] = "、".join(dict.fromkeys(p.type for p in decision.penalties))
    fields["basis"] = "；".join(c.label() for c in decision.penalty_provisions)
    fields["violated"] = "；".join(c.label() for c in decision.violated_provisions)
    fields["officers"] = "、".join(f"{o.name}（执法证号：{o.certificate_no}）" if o.certificate_no else o.name
                                  for o in decision.officers)
    # free texts
    for name in TEXT_FIELDS:
        value = getattr(decision, name, "") or ""
        if name == "penalty_text" and not value:
            value = decision.penalty_summary()
        text, rs = redactor.redact_text(value, known, field_name=name)
        fields[name] = text
        reds += rs
    log.info("公示脱敏完成：决定 %s，%d 处（%s）", decision.decision_id, len(reds),
             "、".join(f"{k}×{v}" for k, v in sorted(Counter(r.category for r in reds).items())))
    return PublicVersion(decision.decision_id, fields, tuple(reds), policy)


def personal_identifiers(decision: "DecisionRecord") -> list[str]:
    """Strings that must never appear in any public output (tests and a last-line check)."""
    party = decision.party
    out = [party.id_number, party.phone]
    if party.kind in NATURAL_PERSON_KINDS:
        out.append(party.name)
        pm = _ADMIN_PREFIX.match(party.address or "")
        if party.address and pm and pm.end() < len(party.address):
            out.append(party.address)
    for p in decision.third_parties:
        out += [p.name, p.id_number, p.phone]
    out += list(decision.trade_secrets)
    return [s for s in out if s and len(s) >= 2]


def assert_clean(texts: Iterable[str], decision: "DecisionRecord") -> None:
    """Last line of defence before anything leaves the system: refuse if an identifier leaked."""
    ids = personal_identifiers(decision)
    for t in texts:
        for s in ids:
            if s in t:
                raise GateRefused("公开版本中仍含有个人信息，已阻止导出，请检查脱敏预览",
                                  article="民法典 第一千零三十四条", reason="leak")


# ---------------------------------------------------------------------------------------------
# conveniences for other modules (precedents, teaching)
# ---------------------------------------------------------------------------------------------
def mask_person_name(name: str, style: str = "length") -> str:
    """张三 → 张某 (surname kept; compound surnames handled)."""
    return mask_name(name, style) if name and len(name) >= 2 else (name or "")


def redact_text(text: str, known_names: Iterable[str] = (), *, third_parties: Iterable[str] = (),
                keep: Iterable[str] = (), policy: RedactionPolicy | None = None) -> str:
    """Public version of a free text: ``known_names`` are the party's names (surname kept),
    ``third_parties`` are removed entirely, ``keep`` (officers, entities) are never masked."""
    known = KnownPeople(keep=set(k for k in keep if k))
    for n in known_names:
        known.add(n, "party_name")
    for n in third_parties:
        known.add(n, "third_party")
    return Redactor(policy).redact_text(text or "", known)[0]

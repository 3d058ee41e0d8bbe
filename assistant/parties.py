"""当事人 (parties): kinds, and validation of 身份证号 (GB 11643-1999) and 统一社会信用代码
(GB 32100-2015). Errors are :class:`InputError` with a Chinese message; ID numbers never appear in
log records or error messages (only their position and the rule that failed).
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date

from assistant.errors import InputError

NATURAL_PERSON = "自然人"
LEGAL_PERSON = "法人"
OTHER_ORG = "其他组织"
PARTY_KINDS = (NATURAL_PERSON, LEGAL_PERSON, OTHER_ORG)

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_RE = re.compile(r"^[1-9]\d{16}[\dX]$")

CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: no I, O, S, V, Z
_CC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CC_RE = re.compile(rf"^[{CREDIT_CODE_CHARSET}]{{18}}$")


def id_check_char(first17: str) -> str:
    """GB 11643 check character (ISO 7064 MOD 11-2) for the first 17 digits."""
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS)) % 11]


def validate_id_number(value: str, *, field: str = "身份证号", today: date | None = None) -> str:
    """Return the normalised 18-character 公民身份号码 or raise :class:`InputError`."""
    v = (value or "").strip().upper().replace(" ", "")
    if len(v) != 18:
        raise InputError(f"{field}应为18位，实际为{len(v)}位", field=field)
    if not _ID_RE.match(v):
        raise InputError(f"{field}格式错误：前17位须为数字，末位为数字或X", field=field)
    try:
        born = date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
    except ValueError:
        raise InputError(f"{field}中的出生日期（第7至14位）不是有效日期", field=field) from None
    if born.year < 1900 or born > (today or date.today()):
        raise InputError(f"{field}中的出生日期（第7至14位）不在合理范围内", field=field)
    if id_check_char(v[:17]) != v[17]:
        raise InputError(f"{field}校验码错误（第18位与前17位不符，请核对是否录入有误）", field=field)
    return v


def credit_code_check_char(first17: str) -> str:
    total = sum(CREDIT_CODE_CHARSET.index(c) * w for c, w in zip(first17, _CC_WEIGHTS))
    return CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


def validate_credit_code(value: str, *, field: str = "统一社会信用代码") -> str:
    """Return the normalised 18-character 统一社会信用代码 or raise :class:`InputError`."""
    v = (value or "").strip().upper().replace(" ", "")
    if len(v) != 18:
        raise InputError(f"{field}应为18位，实际为{len(v)}位", field=field)
    if not _CC_RE.match(v):
        bad = next((c for c in v if c not in CREDIT_CODE_CHARSET), "")
        raise InputError(f"{field}含有不允许的字符“{bad}”（不使用I、O、S、V、Z）", field=field)
    if not v[2:8].isdigit():
        raise InputError(f"{field}第3至8位（登记管理机关行政区划码）应为数字", field=field)
    if credit_code_check_char(v[:17]) != v[17]:
        raise InputError(f"{field}校验码错误（第18位与前17位不符，请核对是否录入有误）", field=field)
    return v


def id_hash(id_number: str, salt: str) -> str:
    """Salted sha256 of a validated ID number: the 一户式 key for natural persons."""
    return hashlib.sha256(f"{salt}:{id_number}".encode("utf-8")).hexdigest()


def mask_id_number(id_number: str | None) -> str:
    if not id_number:
        return ""
    return id_number[:3] + "*" * 11 + id_number[-4:] if len(id_number) == 18 else "*" * len(id_number)


@dataclass(frozen=True)
class PartyInput:
    """A party as entered; :meth:`validated` normalises and checks it."""

    kind: str
    name: str
    id_number: str | None = None
    credit_code: str | None = None
    address: str | None = None
    legal_representative: str | None = None
    phone: str | None = None

    def __repr__(self) -> str:  # keep personal identifiers out of reprs/logs
        return f"PartyInput(kind={self.kind!r}, name={self.name!r})"

    def validated(self) -> "PartyInput":
        if self.kind not in PARTY_KINDS:
            raise InputError(f"当事人类型“{self.kind}”无效，应为：{'、'.join(PARTY_KINDS)}", field="kind")
        name = (self.name or "").strip()
        if not name:
            raise InputError("当事人姓名或名称不能为空", field="name")
        id_number = credit_code = None
        if self.kind == NATURAL_PERSON:
            if self.credit_code:
                raise InputError("自然人不填写统一社会信用代码", field="credit_code")
            if self.id_number:
                id_number = validate_id_number(self.id_number)
        else:
            if self.id_number:
                raise InputError(f"{self.kind}不填写身份证号，请填写统一社会信用代码", field="id_number")
            if self.credit_code:
                credit_code = validate_credit_code(self.credit_code)
        return PartyInput(self.kind, name, id_number, credit_code, self.address, self.legal_representative,
                          self.phone)


# Kept under the name used in the brief: ``Party`` is the validated input record.
Party = PartyInput

"""Structured citations resolved from the statute store (never free text).

``cite(store, "大气污染防治法", 99, kuan=1, xiang=1, as_of=date(2025, 9, 1))`` returns a
:class:`CitationRef` whose text comes from the version in force on ``as_of`` (行政处罚法 第三十七条:
the rules in force when the violation happened apply). Anything not in force on that day is refused
with :class:`InputError`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from assistant.errors import InputError
from corpus.numerals import article_label, int_to_cn, item_label, parse_article_no

# Lookup reasons (StatuteStore.article_on) that may be cited; the second one is cited with a caveat.
_CITABLE = ("in_force", "earlier_version_not_stored")


@dataclass(frozen=True)
class CitationRef:
    law: str               # official full name of the version cited
    lineage: str
    law_id: str
    article_id: int
    number: int
    suffix: int
    kuan: int | None
    xiang: int | None
    text: str              # text of the cited unit (款/项 when given, else the whole 条)
    as_of: date
    caveat: str = ""       # e.g. only a later version of the law is stored
    article_text: str = ""  # the whole 条 (fine ranges often sit in the 款 lead-in)

    @property
    def article_no(self) -> str:
        return article_label(self.number, self.suffix)

    @property
    def pinpoint(self) -> str:
        """第九十九条第一款第（一）项"""
        out = self.article_no
        if self.kuan:
            out += f"第{int_to_cn(self.kuan)}款"
        if self.xiang:
            out += f"第{item_label(self.xiang)}项"
        return out

    @property
    def label(self) -> str:
        """《中华人民共和国大气污染防治法》第九十九条第一款第（一）项"""
        return f"《{self.law}》{self.pinpoint}"

    def to_dict(self) -> dict:
        return {"law": self.law, "article": self.number, "suffix": self.suffix, "kuan": self.kuan,
                "xiang": self.xiang, "label": self.label, "law_id": self.law_id, "as_of": self.as_of.isoformat(),
                "caveat": self.caveat}


def _number(number: int | str) -> tuple[int, int]:
    if isinstance(number, int):
        return number, 0
    text = str(number).strip()
    if text.isdigit():
        return int(text), 0
    try:
        return parse_article_no(text if text.startswith("第") else f"第{text}条")
    except ValueError as exc:
        raise InputError(f"条号无法识别：{number}") from exc


def cite(store, law: str, number: int | str, kuan: int | None = None, xiang: int | None = None, *,
         as_of: date, suffix: int = 0) -> CitationRef:
    """Resolve a citation in the version in force on ``as_of``; refuse anything else (InputError)."""
    lineage = store.resolve_lineage(law)
    if lineage is None:
        raise InputError(f"法条库中没有《{law.strip('《》')}》，不能引用")
    num, suf = _number(number)
    suf = suf or suffix
    lookup = store.article_on(lineage, num, suf, as_of)
    if lookup.reason not in _CITABLE or lookup.article is None:
        raise InputError(f"不能引用《{lineage}》{article_label(num, suf)}：{lookup.message}（违法行为发生日 {as_of.isoformat()}，"
                         "依据行政处罚法 第三十七条应适用当时有效的规定）", reason=lookup.reason)
    art = lookup.article
    text = art.text
    if kuan:
        para = store.paragraph(art.id, kuan, xiang or 0)
        if para is None:
            where = f"第{int_to_cn(kuan)}款" + (f"第{item_label(xiang)}项" if xiang else "")
            raise InputError(f"{art.citation}没有{where}")
        text = para.text
    elif xiang:
        raise InputError(f"{art.citation}：引用项时必须同时写明款")
    caveat = lookup.message if lookup.reason == "earlier_version_not_stored" else ""
    return CitationRef(law=art.law_name, lineage=lineage, law_id=art.law_id, article_id=art.id, number=num,
                       suffix=suf, kuan=kuan or None, xiang=xiang or None, text=text, as_of=as_of, caveat=caveat,
                       article_text=art.text)


def recheck(store, ref: CitationRef, as_of: date) -> tuple[str, str]:
    """Point-in-time re-check of a resolved ref: (reason, Chinese message). ``reason`` is 'ok' when
    the same article of the same version applies on ``as_of``."""
    lookup = store.article_on(ref.lineage, ref.number, ref.suffix, as_of)
    if lookup.reason not in _CITABLE or lookup.article is None:
        return lookup.reason, f"{ref.label}：{lookup.message}"
    if lookup.article.law_id != ref.law_id:
        return "version_mismatch", f"{ref.label}引用的不是{as_of.isoformat()}有效的版本"
    if lookup.reason == "earlier_version_not_stored":
        return "earlier_version_not_stored", f"{ref.label}：{lookup.message}"
    return "ok", f"{ref.label}在{as_of.isoformat()}有效"

"""Registry of document kinds: CLI name → template, title, 类别字 (spec §7)."""
from __future__ import annotations

from dataclasses import dataclass

from assistant.errors import InputError


@dataclass(frozen=True)
class DocKind:
    key: str            # template name in prompts/templates
    title: str
    category: str       # 类别字 for numbering (spec §7)
    basis: str          # legal source of the document's content


KINDS: dict[str, DocKind] = {
    "决定书": DocKind("decision", "行政处罚决定书", "罚", "行政处罚法 第五十九条"),
    "告知书": DocKind("notice", "行政处罚事先告知书", "告", "行政处罚法 第四十四条、第六十三条、第六十四条"),
    "不予处罚": DocKind("no_penalty", "不予行政处罚决定书", "不罚", "行政处罚法 第三十三条、第五十七条"),
    "立案审批表": DocKind("filing_form", "立案审批表", "立", "行政处罚法 第五十四条"),
    "送审表": DocKind("review_form", "法制审核送审表", "审", "行政处罚法 第五十八条"),
}
_ALIASES = {"decision": "决定书", "行政处罚决定书": "决定书", "notice": "告知书", "事先告知书": "告知书",
            "行政处罚事先告知书": "告知书", "no_penalty": "不予处罚", "不予行政处罚决定书": "不予处罚",
            "filing": "立案审批表", "filing_form": "立案审批表", "review": "送审表", "review_form": "送审表",
            "法制审核送审表": "送审表"}


def doc_kind(name: str) -> DocKind:
    key = _ALIASES.get(name.strip(), name.strip())
    if key not in KINDS:
        raise InputError(f"不支持的文书种类“{name}”，可选：{'、'.join(KINDS)}")
    return KINDS[key]

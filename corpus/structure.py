"""Legal structure inside one article: 款 (paragraphs, separated by newlines) and 项 (items,
lines starting with （一）). Also cleans stray headings that some sources glue to an article.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from corpus.numerals import CN_NUMBER, cn_to_int

ITEM_RE = re.compile(rf"^\s*[（(]({CN_NUMBER})[）)]\s*")
# A heading line such as "第五编 婚姻家庭", "第二章 法律责任", "第一节 一般规定", "第二分编 ..."
HEADING_RE = re.compile(rf"^\s*第{CN_NUMBER}(编|分编|章|节)\s*\S*\s*$")


@dataclass(frozen=True)
class Paragraph:
    """One addressable unit: 款 ``kuan`` (1-based) and 项 ``xiang`` (0 = the 款's lead-in text)."""

    kuan: int
    xiang: int
    text: str


def clean_article_text(text: str) -> str:
    """Normalise line breaks and drop trailing heading lines glued to the article (民法典 第1039条)."""
    lines = [ln.strip() for ln in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    lines = [ln for ln in lines if ln]
    while len(lines) > 1 and HEADING_RE.match(lines[-1]):
        lines.pop()
    return "\n".join(lines)


def split_paragraphs(text: str) -> list[Paragraph]:
    """Split an article into 款 and 项. A line starting with （一） is a 项 of the preceding 款."""
    out: list[Paragraph] = []
    kuan = 0
    for line in clean_article_text(text).split("\n"):
        m = ITEM_RE.match(line)
        if m and kuan:
            try:
                xiang = cn_to_int(m.group(1))
            except ValueError:
                xiang = 0
            if xiang:
                out.append(Paragraph(kuan, xiang, line))
                continue
        kuan += 1
        out.append(Paragraph(kuan, 0, line))
    return out


# Bump when the rule below changes: stores built under another version are re-classified (and
# their penalty links rebuilt) by ``zhifa prepare``.
LIABILITY_RULES = "2"
# A sanction imposed as the consequence of an act: "…的，(由…)处…罚款 / 给予警告 / 吊销…许可证 …",
# within one sentence (no 。 or line break between the condition and the sanction, so a list of
# grounds "有下列情形之一的，不予注册：（三）被吊销…" does not count). "加处罚款" is an
# enforcement measure (行政强制法 第四十五条), not a penalty; a clause with 有期徒刑 / 拘役 / 罚金 is a
# criminal sanction (刑法), not an administrative one.
_SANCTION_RE = re.compile(
    r"的[，,][^。\n]{0,80}?(?:(?<!加)处[^。；;\n]{0,30}?(?:罚款|拘留|警告)|给予警告|(?<![不再得])给予治安管理处罚"
    r"|没收违法所得|吊销[^。；;\n]{0,20}?(?:许可证|执照|证书|证)|责令停产停业)"
)
_CRIMINAL_RE = re.compile(r"有期徒刑|拘役|罚金|刑事责任")


def is_liability_text(text: str, chapter: str | None, section: str | None) -> bool:
    """An article that imposes sanctions (a 处罚依据): in a 法律责任 / 罚则 chapter or section, or
    worded as a sanction for an act ("…的，由…处…罚款"), wherever it stands (商标法 第六十一条,
    治安管理处罚法 第三章). A heading that merely mentions 处罚 does not count: 行政处罚法's
    "行政处罚的决定" and 治安管理处罚法's "处罚程序" are procedure; nor does a list that mentions a
    sanction in passing ("被吊销营业执照" as a ground for 退伙 or 不予注册)."""
    heading = f"{chapter or ''}{section or ''}"
    if "法律责任" in heading or "罚则" in heading:
        return True
    return any(not _CRIMINAL_RE.search(m.group()) for m in _SANCTION_RE.finditer(text))

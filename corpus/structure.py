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


def is_liability_text(text: str, chapter: str | None, section: str | None) -> bool:
    """An article that imposes sanctions: in a 法律责任 chapter/section, or wording that does."""
    heading = f"{chapter or ''}{section or ''}"
    if "法律责任" in heading or "罚则" in heading or "处罚" in heading:
        return True
    return bool(re.search(r"(处|并处|可以处)[^。；]{0,30}罚款|吊销|责令停产停业|没收违法所得|给予警告|处以", text))

"""Layout helpers for official documents per GB/T 9704-2012 (党政机关公文格式), for python-docx.

Reused for 决定书, 告知书, 询问笔录, 审核意见书 and teaching documents:

- A4; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm;
- title 2号 (22 pt) 方正小标宋简体, body 3号 (16 pt) 仿宋_GB2312 (fallbacks 宋体 / 仿宋 declared in the
  font table as ``w:altName``), exact 28 pt line spacing, first-line indent of 2 characters;
- page numbers 4号 (14 pt) "— 1 —" via a PAGE field, odd pages right, even pages left (一字线);
- a visible draft mark ("草稿—须经法制审核") in the header until the document is approved.

Documents can be written directly with the ``add_*`` helpers or from a line markup
(:func:`render_markup`) produced by the templates in ``prompts/templates``:

``@title T`` · ``@docno N`` · ``@section key`` (not printed) · ``@row 标签|内容`` (form table row) ·
``@right T`` · ``@seal T`` · ``@blank`` · ``@noindent T`` · ``@bold T`` · any other line = body paragraph.
"""
from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210, 297
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
TITLE_FONT, TITLE_FALLBACK = "方正小标宋简体", "宋体"
BODY_FONT, BODY_FALLBACK = "仿宋_GB2312", "仿宋"
HEAD_FONT, HEAD_FALLBACK = "黑体", "SimHei"
PAGE_NO_FONT = "宋体"
LATIN_FONT = "Times New Roman"
TITLE_SIZE = Pt(22)     # 2号
BODY_SIZE = Pt(16)      # 3号
PAGE_NO_SIZE = Pt(14)   # 4号
TABLE_SIZE = Pt(14)     # 4号 in form tables
LINE_EXACT = Pt(28)
INDENT_2_CHARS = Pt(32)
DRAFT_MARK = "草稿—须经法制审核"
SEAL_PLACEHOLDER = "（印章）"

# font name → (fallback altName, panose family) written to word/fontTable.xml
_FONT_TABLE = {
    TITLE_FONT: TITLE_FALLBACK,
    BODY_FONT: BODY_FALLBACK,
    HEAD_FONT: HEAD_FALLBACK,
}


def set_run_font(run, east_asia: str, size, *, bold: bool = False, color: RGBColor | None = None,
                 latin: str = LATIN_FONT) -> None:
    """Set a run's Latin and East Asian fonts (``w:rFonts w:eastAsia``) and size."""
    run.font.name = latin
    run.font.size = size
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    rpr = run._element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    rfonts.set(qn("w:eastAsia"), east_asia)
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)


def _exact(paragraph, spacing=LINE_EXACT) -> None:
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = spacing
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)


def _indent_chars(paragraph, chars: int = 2) -> None:
    """First-line indent in characters (w:firstLineChars) with the point value as fallback."""
    paragraph.paragraph_format.first_line_indent = Pt(16 * chars)
    ppr = paragraph._p.get_or_add_pPr()
    ind = ppr.find(qn("w:ind"))
    if ind is None:
        ind = OxmlElement("w:ind")
        ppr.append(ind)
    ind.set(qn("w:firstLineChars"), str(chars * 100))


def _add_font_table_fallbacks(doc) -> None:
    """Declare 方正小标宋简体/仿宋_GB2312 with altName fallbacks (宋体/仿宋) for machines without them."""
    from lxml import etree

    for part in doc.part.package.iter_parts():
        if str(part.partname) != "/word/fontTable.xml":
            continue
        root = etree.fromstring(part.blob)
        for name, alt in _FONT_TABLE.items():
            font = etree.SubElement(root, qn("w:font"))
            font.set(qn("w:name"), name)
            alt_el = etree.SubElement(font, qn("w:altName"))
            alt_el.set(qn("w:val"), alt)
            charset = etree.SubElement(font, qn("w:charset"))
            charset.set(qn("w:val"), "86")  # GB2312
            family = etree.SubElement(font, qn("w:family"))
            family.set(qn("w:val"), "modern" if name == HEAD_FONT else "roman")
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
        return


def _page_field(paragraph) -> None:
    """Append "— {PAGE} —" as a complex field, 4号 宋体."""
    def text_run(text):
        run = paragraph.add_run(text)
        set_run_font(run, PAGE_NO_FONT, PAGE_NO_SIZE, latin=PAGE_NO_FONT)
        return run

    text_run("— ")
    for kind, payload in (("begin", None), ("instr", " PAGE "), ("separate", None), ("text", "1"), ("end", None)):
        run = paragraph.add_run()
        set_run_font(run, PAGE_NO_FONT, PAGE_NO_SIZE, latin=PAGE_NO_FONT)
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = payload
        elif kind == "text":
            el = OxmlElement("w:t")
            el.text = payload
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        run._element.append(el)
    text_run(" —")


def _setup_footer(footer, *, align) -> None:
    p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    p.alignment = align
    fmt = p.paragraph_format
    if align == WD_ALIGN_PARAGRAPH.RIGHT:
        fmt.right_indent = PAGE_NO_SIZE   # 单页码居右空一字
    else:
        fmt.left_indent = PAGE_NO_SIZE    # 双页码居左空一字
    _page_field(p)


def set_draft_mark(doc, mark: str | None = DRAFT_MARK) -> None:
    """Write (or clear) the draft mark in every header (odd and even pages)."""
    for section in doc.sections:
        for header in (section.header, section.even_page_header):
            header.is_linked_to_previous = False
            for p in header.paragraphs:
                p._p.getparent().remove(p._p)
            p = header.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            if mark:
                run = p.add_run(mark)
                set_run_font(run, HEAD_FONT, BODY_SIZE, bold=True, color=RGBColor(0xC0, 0x00, 0x00))


def new_document(*, draft_mark: str | None = DRAFT_MARK):
    """A blank GB/T 9704 document: page set-up, Normal style, footers with page numbers, draft mark."""
    doc = Document()
    _add_font_table_fallbacks(doc)
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM)
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    section.header_distance, section.footer_distance = Mm(15), Mm(20)
    doc.settings.odd_and_even_pages_header_footer = True

    normal = doc.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = BODY_SIZE
    rpr = normal.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    rfonts.set(qn("w:eastAsia"), BODY_FONT)
    pf = normal.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = LINE_EXACT
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)
    pf.widow_control = False

    _setup_footer(section.footer, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _setup_footer(section.even_page_footer, align=WD_ALIGN_PARAGRAPH.LEFT)
    set_draft_mark(doc, draft_mark)
    return doc


def add_title(doc, text: str):
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _exact(p, Pt(36))
    set_run_font(p.add_run(text), TITLE_FONT, TITLE_SIZE)
    return p


def add_docno(doc, text: str):
    """文号, centred under the title, followed by one blank line."""
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _exact(p)
    set_run_font(p.add_run(text), BODY_FONT, BODY_SIZE)
    add_blank(doc)
    return p


def add_blank(doc):
    p = doc.add_paragraph()
    _exact(p)
    return p


def add_paragraph(doc, text: str, *, indent: bool = True, bold: bool = False, align=None,
                  font: str = BODY_FONT, right_chars: int = 0):
    """Body paragraph: 3号 仿宋, exact 28 pt, first-line indent 2 chars unless ``indent=False``."""
    p = doc.add_paragraph()
    _exact(p)
    if indent:
        _indent_chars(p)
    if align is not None:
        p.alignment = align
    if right_chars:
        p.paragraph_format.right_indent = Pt(16 * right_chars)
    set_run_font(p.add_run(text), HEAD_FONT if bold else font, BODY_SIZE)
    return p


def add_signature(doc, agency: str, day_text: str, *, seal: str = SEAL_PLACEHOLDER) -> None:
    """落款: agency name and date right-aligned (右空四字), with the seal placeholder."""
    add_blank(doc)
    add_paragraph(doc, agency, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT, right_chars=4)
    add_paragraph(doc, seal, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT, right_chars=6)
    add_paragraph(doc, day_text, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT, right_chars=4)


def add_form_table(doc, rows: list[tuple[str, str]]):
    """Two-column form (审批表, 送审表): label | content, bordered, 4号 仿宋."""
    table = doc.add_table(rows=0, cols=2)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for label, value in rows:
        cells = table.add_row().cells
        for cell, text, bold in ((cells[0], label, True), (cells[1], value, False)):
            cell.paragraphs[0].text = ""
            for i, line in enumerate(text.split("\n") or [""]):
                p = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
                _exact(p, Pt(24))
                set_run_font(p.add_run(line), HEAD_FONT if bold else BODY_FONT, TABLE_SIZE)
    for row in table.rows:
        row.cells[0].width = Mm(38)
        row.cells[1].width = Mm(118)
    return table


def render_markup(doc, markup: str) -> dict[str, str]:
    """Write template markup into ``doc``; return the plain text of every ``@section``."""
    sections: dict[str, list[str]] = {}
    current = "_"
    rows: list[tuple[str, str]] = []

    def flush_rows():
        if rows:
            add_form_table(doc, list(rows))
            rows.clear()

    def keep_previous_with_next():
        paragraphs = doc.paragraphs
        if paragraphs:
            paragraphs[-1].paragraph_format.keep_with_next = True

    for raw in markup.splitlines():
        line = raw.rstrip()
        if not line.strip():
            continue
        cmd, _, rest = line.partition(" ") if line.startswith("@") else ("", "", line)
        if cmd != "@row":
            flush_rows()
        if cmd == "@section":
            current = rest.strip()
            sections.setdefault(current, [])
            continue
        text = rest.strip(" \t")
        if cmd in ("@right", "@seal", "@blank"):
            keep_previous_with_next()  # 落款 stays on the page of the last body lines
        if cmd == "@row":
            label, _, value = text.partition("|")
            value = value.replace("\\n", "\n")
            value = value.strip(" \t")
            rows.append((label.strip(), value))
            sections.setdefault(current, []).append(f"{label.strip()}：{value}")
            continue
        if cmd == "@title":
            add_title(doc, text)
        elif cmd == "@docno":
            add_docno(doc, text)
        elif cmd == "@right":
            add_paragraph(doc, text, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT, right_chars=4)
        elif cmd == "@seal":
            add_paragraph(doc, text, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT, right_chars=6)
        elif cmd == "@blank":
            add_blank(doc)
            continue
        elif cmd == "@noindent":
            add_paragraph(doc, text, indent=False)
        elif cmd == "@bold":
            add_paragraph(doc, text, indent=False, bold=True)
        elif cmd == "":
            text = line.strip()
            add_paragraph(doc, text)
        else:
            raise ValueError(f"未知的版式指令：{cmd}")
        sections.setdefault(current, []).append(text)
    flush_rows()
    return {k: "\n".join(v) for k, v in sections.items() if k != "_" or v}


def to_bytes(doc) -> bytes:
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def save_atomic(data: bytes, path: Path | str) -> Path:
    """Write to a temp file beside ``path`` and rename (no half-written documents)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def docx_text(source: bytes | str | Path, *, with_headers: bool = False) -> str:
    """Plain text of a .docx: body paragraphs and table cells in order (and headers if asked)."""
    doc = Document(io.BytesIO(source) if isinstance(source, bytes) else str(source))
    out: list[str] = []
    if with_headers:
        for section in doc.sections:
            for header in (section.header, section.even_page_header):
                out.extend(p.text for p in header.paragraphs if p.text)
    body = doc.element.body
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            out.append("".join(t.text or "" for t in child.iter(qn("w:t"))))
        elif child.tag == qn("w:tbl"):
            for tr in child.iter(qn("w:tr")):
                cells = []
                for tc in tr.iter(qn("w:tc")):
                    cells.append("\n".join("".join(t.text or "" for t in p.iter(qn("w:t"))) for p in tc.iter(qn("w:p"))))
                out.append("：".join(cells))
    return "\n".join(line for line in out if line.strip())


__all__ = [
    "DRAFT_MARK", "MARGINS_MM", "TITLE_FONT", "BODY_FONT", "TITLE_SIZE", "BODY_SIZE", "PAGE_NO_SIZE", "LINE_EXACT",
    "new_document", "set_draft_mark", "set_run_font", "add_title", "add_docno", "add_blank", "add_paragraph",
    "add_signature", "add_form_table", "render_markup", "to_bytes", "save_atomic", "docx_text",
]

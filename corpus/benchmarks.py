"""Importers for published 裁量基准 tables (.xls via xlrd, .xlsx via openpyxl, .csv in
utf-8/utf-8-sig/gb18030), the 首违不罚 list (Markdown as published by 江门市生态环境局) and the
product's own demo benchmark (``corpus/data/demo_benchmark.json``), plus the mapping of every cited
provision onto the statute store (current article / successor in 生态环境法典 / flagged).

Table layout (as published, e.g. 江门 2020): an optional title row, a header row
(序号 / 违法行为 / 法律依据 / 类别 / 裁量情节 / 裁量标准 / 备注), then one block per violation:
a row with a 序号 starts a violation, a row with a 类别 starts a band, and every other row adds an
alternative circumstance (merged cells are empty below their first row). Parsing never raises on a
single bad band: the row is reported in :attr:`ImportReport.unparsed` with sheet and row number.
A file that cannot be read at all (empty, wrong columns, corrupt, wrong encoding) raises
:class:`InputError` and nothing is stored.
"""
from __future__ import annotations

import csv
import io
import json
import logging
import math
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from assistant.discretion.model import (
    CNY, BenchmarkBand, CitationCheck, Condition, DiscretionBenchmark, DiscretionFactor,
    FirstOffenceEntry, QuantityRange,
)
from assistant.discretion.parse import (
    FineParseError, extra_penalties_of, parse_all_fines, measures_of, parse_conditions, parse_fine, penalty_types_of,
)
from assistant.errors import InputError
from corpus.numerals import cn_to_int, int_to_cn
from corpus.statutes import REPEALED, Article, StatuteStore
from corpus.textfile import decode_text

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"
DEMO_FILE = DATA_DIR / "demo_benchmark.json"

COLUMNS = {  # canonical column → accepted header spellings
    "seq": ("序号", "编号", "事项代码", "违法行为代码", "代码"),
    "violation": ("违法行为", "事项名称", "违法行为名称"),
    "basis": ("法律依据", "处罚依据", "依据"),
    "violated": ("违法依据", "违反条款"),
    "level": ("类别", "档次", "裁量等级", "阶次", "裁量档次", "等级"),
    "circumstances": ("裁量情节", "适用条件", "情节", "阶次及适用条件", "违法情节"),
    "standard": ("裁量标准", "裁量幅度", "处罚标准", "处罚幅度"),
    "note": ("备注", "说明"),
}
REQUIRED = ("seq", "violation", "standard")


@dataclass(frozen=True)
class ImportIssue:
    sheet: str
    row: int | None        # 1-based row number as shown in a spreadsheet program
    column: str
    message: str

    def __str__(self) -> str:
        where = f"工作表“{self.sheet}”" if self.sheet else ""
        if self.row:
            where += f"第{self.row}行"
        if self.column:
            where += f"“{self.column}”列"
        return f"{where}：{self.message}"


@dataclass
class ImportReport:
    source: str
    source_key: str
    benchmarks: list[DiscretionBenchmark] = field(default_factory=list)
    first_offence: list[FirstOffenceEntry] = field(default_factory=list)
    unparsed: list[ImportIssue] = field(default_factory=list)
    warnings: list[ImportIssue] = field(default_factory=list)

    @property
    def violations(self) -> int:
        return len(self.benchmarks)

    @property
    def tiers(self) -> int:
        return sum(len(b.bands) for b in self.benchmarks)

    def citation_stats(self) -> dict[str, int]:
        """Counts over unique (law, article) citations."""
        seen: dict[tuple[str, str], str] = {}
        for b in self.benchmarks:
            for c in b.citations:
                seen.setdefault((c.law_name, c.article_no), c.status)
        return dict(Counter(seen.values()))

    def flagged_citations(self) -> list[CitationCheck]:
        out, seen = [], set()
        for b in self.benchmarks:
            for c in b.citations:
                if c.status not in ("current", "repealed_mapped") and (c.law_name, c.article_no) not in seen:
                    seen.add((c.law_name, c.article_no))
                    out.append(c)
        return out

    def summary(self) -> dict:
        return {
            "source": self.source, "source_key": self.source_key,
            "violations": self.violations, "tiers": self.tiers,
            "first_offence_entries": len(self.first_offence),
            "citations": self.citation_stats(),
            "flagged_citations": [f"{c.citation}：{c.message}" for c in self.flagged_citations()],
            "unparsed": [str(i) for i in self.unparsed],
            "warnings": [str(i) for i in self.warnings],
        }


# --- reading tables ---------------------------------------------------------------------------------
@dataclass
class Sheet:
    name: str
    rows: list[list[str]]
    #: (row, col) of a cell covered by a merged range (not its first cell) → (row, col) of the first cell
    merged: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)

    def value(self, r: int, c: int) -> str:
        """The cell as displayed: a covered cell of a merged range shows the range's first cell."""
        origin = self.merged.get((r, c))
        if origin is not None:
            r, c = origin
        row = self.rows[r] if r < len(self.rows) else []
        return row[c] if c < len(row) else ""


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else str(value)
    return str(value).strip()


def read_sheets(path: Path) -> list[Sheet]:
    path = Path(path)
    if not path.exists():
        raise InputError(f"文件不存在：{path}")
    if path.stat().st_size == 0:
        raise InputError(f"文件 {path.name} 是空文件")
    suffix = path.suffix.lower()
    if suffix == ".xls":
        import xlrd

        try:
            book = xlrd.open_workbook(str(path), formatting_info=True)
        except Exception:
            try:
                book = xlrd.open_workbook(str(path))
            except Exception as exc:
                raise InputError(f"文件 {path.name} 不是有效的 .xls 表格（{type(exc).__name__}），无法读取") from exc
        sheets = []
        for s in book.sheets():
            merged = {(r, c): (r0, c0) for r0, r1, c0, c1 in getattr(s, "merged_cells", [])
                      for r in range(r0, r1) for c in range(c0, c1) if (r, c) != (r0, c0)}
            sheets.append(Sheet(s.name, [[_cell_text(s.cell_value(r, c)) for c in range(s.ncols)]
                                         for r in range(s.nrows)], merged))
        return sheets
    if suffix == ".xlsx":
        import openpyxl

        try:
            book = openpyxl.load_workbook(str(path), data_only=True)
        except Exception as exc:
            raise InputError(f"文件 {path.name} 不是有效的 .xlsx 表格（{type(exc).__name__}），无法读取") from exc
        sheets = []
        for ws in book.worksheets:
            merged = {(r - 1, c - 1): (rng.min_row - 1, rng.min_col - 1) for rng in ws.merged_cells.ranges
                      for r in range(rng.min_row, rng.max_row + 1) for c in range(rng.min_col, rng.max_col + 1)
                      if (r, c) != (rng.min_row, rng.min_col)}
            sheets.append(Sheet(ws.title, [[_cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)],
                                merged))
        return sheets
    if suffix == ".csv":
        text = decode_text(path.read_bytes(), path.name)
        if not re.search(r"[\u4e00-\u9fff]", text):
            raise InputError(f"文件 {path.name} 的编码无法识别或不含中文表头（支持 UTF-8、GB18030）")
        rows = [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]
        return [Sheet(path.stem, rows)]
    raise InputError(f"不支持的文件类型：{path.name}（支持 .xls、.xlsx、.csv、.json、.md）")


def _find_header(sheet: Sheet) -> tuple[int, dict[str, int]] | None:
    for r, row in enumerate(sheet.rows[:8]):
        cols: dict[str, int] = {}
        for c, cell in enumerate(row):
            key = re.sub(r"\s+", "", cell)
            for canon, names in COLUMNS.items():
                if canon not in cols and key in names:
                    cols[canon] = c
        if "violation" in cols and ("seq" in cols or "standard" in cols):
            return r, cols
    return None


# --- citations --------------------------------------------------------------------------------------
_CN = "零〇一二两三四五六七八九十百千"
_CITE_RE = re.compile(
    rf"《(?P<law>[^》]{{2,60}})》\s*(?:[（(](?P<ver>[^）)]{{0,20}})[）)])?\s*"
    rf"(?P<arts>第[{_CN}\d]+条(?:之[{_CN}]+)?(?:[第{_CN}\d款项（）()、，,和及与]*?第[{_CN}\d]+条(?:之[{_CN}]+)?)*)"
)
_ART_RE = re.compile(rf"第([{_CN}\d]+)条(?:之([{_CN}]+))?")


@dataclass(frozen=True)
class Citation:
    law: str
    year: int | None
    number: int
    suffix: int
    text: str            # "《中华人民共和国水污染防治法》第八十一条"
    quoted: str          # article text quoted after the citation in the cell (may be empty)
    violated: bool


_PRIMARY_BEFORE = re.compile(r"(?:^|\n)[\s\u3000]*(?:\d+[、.．]|[（(]\d+[）)]|[一二三四五六七八九十]+、)?[\s\u3000]*$"
                             r"|(?:违反|依据|根据|按照|；|;)[\s\u3000]*$")


def parse_citations(text: str) -> list[Citation]:
    """Citations that head the cell or a line of it ("1、《…》第…条：…"), each with the article
    text quoted after it; references inside a quoted article (有《环境保护法》第六十三条规定的…)
    are not citations of the benchmark. If no citation heads a line, every one counts."""
    text = text or ""
    out: list[Citation] = []
    seen = set()
    every = list(_CITE_RE.finditer(text))
    matches = [m for m in every if _PRIMARY_BEFORE.search(text[:m.start()])] or every
    for i, m in enumerate(matches):
        law = m.group("law").strip()
        ver = m.group("ver") or ""
        ym = re.search(r"(\d{4})", ver)
        year = int(ym.group(1)) if ym else None
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        quoted = text[m.end():end]
        quoted = re.sub(r"^[^：:]{0,30}[：:]", "", quoted.strip()).strip()
        violated = "违反" in text[max(0, m.start() - 6):m.start()]
        for a in _ART_RE.finditer(m.group("arts")):
            try:
                number = cn_to_int(a.group(1))
                suffix = cn_to_int(a.group(2)) if a.group(2) else 0
            except ValueError:
                continue
            key = (law, number, suffix)
            if key in seen:
                continue
            seen.add(key)
            label = f"第{int_to_cn(number)}条" + (f"之{int_to_cn(suffix)}" if suffix else "")
            out.append(Citation(law, year, number, suffix, f"《{law}》{label}", quoted, violated))
    return out


def _bigrams(text: str) -> Counter:
    t = re.sub(r"[^\u4e00-\u9fff0-9a-zA-Z]", "", text)
    return Counter(t[i:i + 2] for i in range(len(t) - 1))


def similarity(a: str, b: str) -> float:
    """Cosine similarity of character bigram counts (0..1)."""
    va, vb = _bigrams(a), _bigrams(b)
    if not va or not vb:
        return 0.0
    dot = sum(v * vb.get(k, 0) for k, v in va.items())
    return dot / math.sqrt(sum(v * v for v in va.values()) * sum(v * v for v in vb.values()))


def containment(part: str, whole: str) -> float:
    """Share of ``part``'s character bigrams found in ``whole`` (a quoted item of an article is
    contained in the article)."""
    vp, vw = set(_bigrams(part)), set(_bigrams(whole))
    return len(vp & vw) / len(vp) if vp else 0.0


class _SuccessorIndex:
    """Fallback old-article → successor-article matcher (used only when the store's
    ``successor_articles`` table has nothing for an article): TF-IDF weighted character-bigram
    cosine against every article of the successor instrument, liability articles preferred."""

    def __init__(self, articles: list[Article]) -> None:
        self.articles = articles
        docs = [_bigrams(a.text) for a in articles]
        df: Counter = Counter()
        for d in docs:
            df.update(d.keys())
        n = len(docs) or 1
        self.idf = {k: math.log((n + 1) / (v + 1)) + 1 for k, v in df.items()}
        self.vecs = [self._weigh(d) for d in docs]

    def _weigh(self, d: Counter) -> tuple[dict[str, float], float]:
        w = {k: v * self.idf.get(k, 1.0) for k, v in d.items()}
        return w, math.sqrt(sum(x * x for x in w.values())) or 1.0

    def best(self, text: str, *, liability_only: bool = False) -> tuple[Article, float] | None:
        q, qn = self._weigh(_bigrams(text))
        best, score = None, 0.0
        for art, (w, wn) in zip(self.articles, self.vecs):
            if liability_only and not art.is_liability:
                continue
            s = sum(v * w.get(k, 0.0) for k, v in q.items()) / (qn * wn)
            if s > score:
                best, score = art, s
        return (best, min(score, 1.0)) if best else None


_INDEX_CACHE: dict[tuple[str, str], _SuccessorIndex] = {}
FALLBACK_MIN_SCORE = 0.35
SAME_TEXT_MIN_SCORE = 0.6


def _successor_index(store: StatuteStore, law_id: str) -> _SuccessorIndex:
    key = (str(store.path), law_id)
    if key not in _INDEX_CACHE:
        _INDEX_CACHE[key] = _SuccessorIndex(store.articles(law_id=law_id))
    return _INDEX_CACHE[key]


def map_citation(c: Citation, store: StatuteStore, *, on: date | None = None) -> CitationCheck:
    """Map one cited provision onto the store; see :class:`CitationCheck` for statuses."""
    lineage = store.resolve_lineage(c.law)
    typo = ""
    for cut in (1, 2):  # 《…防治法五》: a stray character after the name in the published table
        if lineage is None and len(c.law) > cut + 2:
            lineage = store.resolve_lineage(c.law[:-cut])
            typo = f"（表中法律名称“{c.law}”疑有笔误，按《{c.law[:-cut]}》核验）" if lineage else ""
    check = _map_citation(c, store, on, lineage)
    return replace(check, message=check.message + typo) if typo else check


def _map_citation(c: Citation, store: StatuteStore, on: date | None, lineage: str | None) -> CitationCheck:
    base = dict(citation=c.text, law_name=c.law, article_no=f"第{int_to_cn(c.number)}条"
                + (f"之{int_to_cn(c.suffix)}" if c.suffix else ""))
    if lineage is None:
        return CitationCheck(**base, status="not_in_store",
                             message=f"《{c.law}》不在法条库中（行政法规、地方性法规等），无法在库中核验")
    versions = store.versions(lineage)
    law = None
    if c.year:
        for v in versions:
            if any((d or "").startswith(str(c.year)) for d in (v.version_date, v.effective_date, v.in_force_from)):
                law = v
                break
    if law is None:
        law = store.law_on(lineage, on) if on else None
    exact_version = law is not None
    law = law or versions[-1]
    art = store.find_article(law.law_id, c.number, c.suffix)
    status, message = "current", ""
    quoted_ok = art is not None and (not c.quoted or containment(c.quoted, art.text) >= SAME_TEXT_MIN_SCORE)
    if exact_version and art is not None and not quoted_ok:
        message = f"表中所附条文与库中{art.citation}的文本不完全一致，请核对原表"
    elif not exact_version and not quoted_ok:
        # the cited revision is not stored: the stored article with that number may be another rule
        found = _successor_index(store, law.law_id).best(c.quoted) if c.quoted else None
        if found and containment(c.quoted, found[0].text) >= SAME_TEXT_MIN_SCORE:
            art = found[0]
            message = (f"表中引用的是{c.year or '旧'}年版本{base['article_no']}，"
                       f"库中{law.version_date or law.in_force_from}版本对应{art.article_no}；")
        else:
            return CitationCheck(**base, status="version_mismatch", article_id=art.id if art else None,
                                 message=f"库中《{law.name}》只有{law.version_date or law.in_force_from}版本，"
                                         f"与表中引用的{c.year or '旧'}年版本{base['article_no']}不一致，无法确认对应条文")
    if art is None:
        return CitationCheck(**base, status="article_missing",
                             message=f"库中《{law.name}》没有{base['article_no']}")
    repealed = law.status == REPEALED or bool(law.in_force_until)
    if not repealed:
        return CitationCheck(**base, status=status, article_id=art.id, message=message + f"{art.citation}现行有效")
    successors = store.successors_of(art.id)
    if successors:
        new, score, method = successors[0]
        return CitationCheck(**base, status="repealed_mapped", article_id=art.id, successor_citation=new.citation,
                             successor_article_id=new.id, successor_score=score, successor_method=method,
                             message=message + f"《{law.name}》已废止，对应{new.citation}（{method}）")
    successor_law = store.current_version(store.resolve_lineage(law.replaced_by) or "") if law.replaced_by else None
    if successor_law is not None:
        found = _successor_index(store, successor_law.law_id).best(art.text, liability_only=art.is_liability)
        if found and found[1] >= FALLBACK_MIN_SCORE:
            new, score = found
            return CitationCheck(**base, status="repealed_mapped", article_id=art.id, successor_citation=new.citation,
                                 successor_article_id=new.id, successor_score=round(score, 3),
                                 successor_method="fallback-bigram-tfidf",
                                 message=message + f"《{law.name}》已废止，按文本相似度对应{new.citation}（相似度{score:.2f}，需人工确认）")
    return CitationCheck(**base, status="repealed_unmapped", article_id=art.id,
                         message=message + f"《{law.name}》已废止{('，由《' + law.replaced_by + '》取代') if law.replaced_by else ''}，"
                                 f"未找到{base['article_no']}的对应新条文，请人工核对")


# --- benchmark tables -------------------------------------------------------------------------------
def _level_label(raw: str) -> str:
    raw = raw.strip()
    m = re.fullmatch(r"(\d+)(?:\.0+)?", raw)
    return m.group(1) if m else raw


def _norm_level(label: str) -> str:
    for lv in ("不予处罚", "轻微", "一般", "较重", "严重"):
        if lv in label:
            return lv
    return label


def _split_alternatives(text: str) -> list[str]:
    parts = re.split(r"[，；,;]\s*或者?|\n", text)
    return [p.strip(" ，；,;") for p in parts if p.strip(" ，；,;")]


def _band_from(rows: list[tuple[int, dict[str, str]]], *, sheet: str, source: str, branch: str, order: int,
               report: ImportReport) -> BenchmarkBand | None:
    first_row, first = rows[0]
    standard = "；".join(r["standard"] for _, r in rows if r.get("standard"))
    circ = [r["circumstances"] for _, r in rows if r.get("circumstances")]
    conditions = tuple(parse_conditions(alt) for c in circ for alt in _split_alternatives(c))
    branch_cond = parse_conditions(branch) if branch else None
    if branch_cond and branch_cond.flags:
        conditions = tuple(Condition(c.text, c.ranges, tuple(dict.fromkeys(c.flags + branch_cond.flags)))
                           for c in conditions)
    types = penalty_types_of(standard)
    if not standard:
        report.unparsed.append(ImportIssue(sheet, first_row, "裁量标准", "裁量标准为空，无法确定处罚幅度"))
        return None
    try:
        fine = parse_fine(standard)
    except FineParseError as exc:
        report.unparsed.append(ImportIssue(sheet, first_row, "裁量标准", str(exc)))
        return None
    if fine is None and not types:
        report.unparsed.append(ImportIssue(sheet, first_row, "裁量标准", f"无法识别处罚种类：{standard[:40]}"))
        return None
    level = _norm_level(_level_label(first.get("level", "") or str(order + 1)))
    return BenchmarkBand(
        level=level, conditions_text="\n".join(circ), conditions=conditions,
        min=fine.min if fine else None, max=fine.max if fine else None, unit=fine.unit if fine else CNY,
        penalty_types=types, extra_penalties=extra_penalties_of(standard), measures=measures_of(standard),
        standard_text=standard, branch=branch, source_row=f"{source} {sheet}!第{first_row}行", order=order,
    )


def _statutory_range(basis: str, bands: list[BenchmarkBand]) -> tuple[str, float | None, float | None]:
    main = [b for b in bands if not b.branch and b.min is not None] or [b for b in bands if b.min is not None]
    units = Counter(b.unit for b in main)
    unit = units.most_common(1)[0][0] if units else CNY
    band_lo = min((b.min for b in main if b.unit == unit and b.min is not None), default=None)
    band_hi = max((b.max for b in main if b.unit == unit and b.max is not None), default=None)
    text = basis.split("：", 1)[1] if "：" in basis else basis
    fines = [f for f in parse_all_fines(text) if f.unit == unit]
    if fines:  # the union of the article's ranges (有前款…行为，造成严重后果的，处…)
        lo = min(f.min for f in fines if f.min is not None)
        hi = None if any(f.max is None for f in fines) else max(f.max for f in fines)
        return unit, lo, hi
    return unit, band_lo, band_hi


def parse_benchmark_sheets(sheets: list[Sheet], *, source: str, source_key: str, agency: str, region: str,
                           version: str, published_at: date | None, publish_url: str = "",
                           effective_from: date | None = None, effective_to: date | None = None) -> ImportReport:
    report = ImportReport(source=source, source_key=source_key)
    used_codes: set[str] = set()
    any_sheet = False
    for sheet in sheets:
        if not any(any(c for c in row) for row in sheet.rows):
            continue  # blank sheet (Sheet4, Sheet5)
        found = _find_header(sheet)
        if found is None:
            raise InputError(f"{source} 工作表“{sheet.name}”前8行中找不到表头（需要列：序号、违法行为、法律依据、裁量标准）")
        header_row, cols = found
        missing = [COLUMNS[k][0] for k in REQUIRED if k not in cols]
        if missing:
            raise InputError(f"{source} 工作表“{sheet.name}”第{header_row + 1}行缺少列：{'、'.join(missing)}")
        any_sheet = True
        title = next((c for row in sheet.rows[:header_row] for c in row if c), sheet.name)
        blocks: list[tuple[int, list[tuple[int, dict[str, str]]]]] = []
        for r in range(header_row + 1, len(sheet.rows)):
            row = sheet.rows[r]
            cells = {k: (row[c] if c < len(row) else "") for k, c in cols.items()}
            if not any(cells.values()):
                continue
            if cells.get("level") and not cells.get("standard") and "standard" in cols \
                    and (r, cols["standard"]) in sheet.merged:
                # a 类别 value hidden under a merged 裁量标准 cell: the band shows the merged standard
                cells["standard"] = sheet.value(r, cols["standard"])
                origin = sheet.merged[(r, cols["standard"])][0] + 1
                report.warnings.append(ImportIssue(
                    sheet.name, r + 1, "裁量标准",
                    f"类别“{_level_label(cells['level'])}”的裁量标准与第{origin}行合并，按合并单元格的内容读取"))
            if cells.get("seq") or cells.get("violation") and not blocks:
                blocks.append((r + 1, []))
            if not blocks:
                report.unparsed.append(ImportIssue(sheet.name, r + 1, "序号", "没有序号的行出现在第一条违法行为之前"))
                continue
            blocks[-1][1].append((r + 1, cells))
        for start_row, rows in blocks:
            bm = _benchmark_from_block(rows, sheet=sheet.name, title=title, source=source, source_key=source_key,
                                       agency=agency, region=region, version=version, published_at=published_at,
                                       publish_url=publish_url, effective_from=effective_from,
                                       effective_to=effective_to, report=report, used_codes=used_codes)
            if bm is not None:
                report.benchmarks.append(bm)
    if not any_sheet:
        raise InputError(f"{source} 中没有任何数据（所有工作表都是空的）")
    if not report.benchmarks:
        raise InputError(f"{source} 中没有识别出任何违法行为（请检查“序号”“违法行为”列）")
    return report


def _benchmark_from_block(rows, *, sheet, title, source, source_key, agency, region, version, published_at,
                          publish_url, effective_from, effective_to, report, used_codes) -> DiscretionBenchmark | None:
    start_row, first = rows[0]
    code = first.get("seq") or f"{sheet}-{start_row}"
    if not first.get("violation"):
        report.unparsed.append(ImportIssue(sheet, start_row, "违法行为", f"序号 {code} 没有违法行为名称"))
        return None
    if code in used_codes:
        report.warnings.append(ImportIssue(sheet, start_row, "序号", f"序号 {code} 重复，改记为 {code}@{sheet}"))
        code = f"{code}@{sheet}"
    used_codes.add(code)
    basis_parts = [r["basis"] for _, r in rows if r.get("basis")]
    basis = "\n".join(basis_parts)
    violated_txt = "\n".join(r["violated"] for _, r in rows if r.get("violated"))
    note = "\n".join(r["note"] for _, r in rows if r.get("note"))
    # bands: a row with a 类别 (or, for tables without the column, a 裁量标准) starts a band;
    # a 法律依据 cell below the first row starts a new branch (逾期不改正的…; 对责任人…)
    bands: list[BenchmarkBand] = []
    current: list[tuple[int, dict[str, str]]] = []
    branch = ""
    level_col = any(r.get("level") for _, r in rows)

    def flush() -> None:
        if current:
            band = _band_from(current, sheet=sheet, source=source, branch=branch, order=len(bands), report=report)
            if band is not None:
                bands.append(band)

    for i, (rn, r) in enumerate(rows):
        new_branch = i > 0 and bool(r.get("basis"))
        starts = (r.get("level") if level_col else r.get("standard")) or i == 0 or new_branch
        if starts:
            flush()
            current = []
            if new_branch:
                branch = r["basis"]
        current.append((rn, r))
    flush()
    if not bands:
        report.unparsed.append(ImportIssue(sheet, start_row, "裁量标准", f"{code} 没有可用的裁量档次"))
        return None
    citations = parse_citations(basis) + parse_citations(violated_txt)
    violated = [c.text for c in parse_citations(violated_txt)] + [c.text for c in citations if c.violated]
    penalty = [c.text for c in parse_citations(basis) if not c.violated]
    if basis and not citations:
        report.warnings.append(ImportIssue(sheet, start_row, "法律依据", f"{code} 的法律依据中没有识别出《》条文引用"))
    unit, stat_min, stat_max = _statutory_range(basis_parts[0] if basis_parts else "", bands)
    for b in bands:
        if b.unit == unit and not b.branch and b.min is not None and stat_min is not None and stat_max is not None:
            if b.min < stat_min or (b.max or 0) > stat_max:
                report.warnings.append(ImportIssue(sheet, int(b.source_row.rsplit("第", 1)[1].rstrip("行")), "裁量标准",
                                                   f"{code} 档次 {b.level} 的幅度超出法律依据中的法定幅度"))
    all_text = basis + note + "".join(b.standard_text for b in bands)
    types = tuple(dict.fromkeys(t for b in bands for t in b.penalty_types))
    accessories = tuple(dict.fromkeys(
        [m for b in bands for m in b.measures] + (["没收违法所得"] if "没收违法所得" in all_text else [])))
    return DiscretionBenchmark(
        id=f"{source_key}:{code}", agency=agency, region=region, version=version, violation_code=code,
        violation_name=re.sub(r"\s*\n\s*", "；", first["violation"]).strip("；"),
        effective_from=effective_from, effective_to=effective_to, published_at=published_at,
        publish_url=publish_url, violated_provisions=tuple(dict.fromkeys(violated)),
        penalty_provisions=tuple(dict.fromkeys(penalty)), penalty_types=types, fine_unit=unit,
        stat_min=stat_min, stat_max=stat_max, accessories=accessories, bands=tuple(bands),
        legal_basis_text=basis, note=note, category=title, source=source, source_key=source_key,
    )


def _citations_for(bm: DiscretionBenchmark, store: StatuteStore) -> tuple[CitationCheck, ...]:
    cites = parse_citations(bm.legal_basis_text)
    keys = {(c.law, c.number, c.suffix) for c in cites}
    for text in bm.penalty_provisions + bm.violated_provisions:
        for c in parse_citations(text):
            if (c.law, c.number, c.suffix) not in keys:
                keys.add((c.law, c.number, c.suffix))
                cites.append(c)
    return tuple(map_citation(c, store, on=bm.effective_from) for c in cites)


def attach_citations(report: ImportReport, store: StatuteStore | None) -> None:
    if store is None:
        return
    report.benchmarks = [replace(b, citations=_citations_for(b, store)) for b in report.benchmarks]


def _parse_date(value: str | date | None, what: str) -> date | None:
    if value is None or value == "" or isinstance(value, date):
        return value or None
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise InputError(f"{what}日期格式不正确：{value}（应为 YYYY-MM-DD）") from exc


def import_benchmark_file(path: Path | str, *, store: StatuteStore | None = None, agency: str | None = None,
                          region: str = "", version: str | None = None, published_at: str | date | None = None,
                          publish_url: str = "", effective_from: str | date | None = None,
                          effective_to: str | date | None = None, source_key: str | None = None) -> ImportReport:
    """Parse a benchmark table (.xls/.xlsx/.csv) or a demo/benchmark JSON file into records, with
    every citation mapped onto ``store``. Nothing is written; see
    :func:`assistant.discretion.repository.save_report`."""
    path = Path(path)
    if path.suffix.lower() == ".json":
        report = import_benchmark_json(path, source_key=source_key)
    elif path.suffix.lower() == ".md":
        entries = import_first_offence_md(path, agency=agency, published_at=published_at, source_key=source_key)
        report = ImportReport(source=path.name, source_key=source_key or path.stem, first_offence=entries)
        return report
    else:
        sheets = read_sheets(path)
        report = parse_benchmark_sheets(
            sheets, source=path.name, source_key=source_key or path.stem, agency=agency or "（未注明机关）",
            region=region, version=version or path.stem, published_at=_parse_date(published_at, "公布"),
            publish_url=publish_url, effective_from=_parse_date(effective_from, "施行"),
            effective_to=_parse_date(effective_to, "失效"))
    attach_citations(report, store)
    return report


# --- JSON (demo benchmark and exports) --------------------------------------------------------------
def _band_from_json(d: dict, where: str) -> BenchmarkBand:
    try:
        conds = []
        for c in d.get("conditions", []):
            if isinstance(c, str):
                conds.append(parse_conditions(c))
            else:
                conds.append(Condition(c.get("text", ""), tuple(QuantityRange(**q) for q in c.get("ranges", [])),
                                       tuple(c.get("flags", []))))
        return BenchmarkBand(
            level=d["level"], conditions_text=d.get("conditions_text") or "\n".join(c.text for c in conds),
            conditions=tuple(conds), min=d.get("min"), max=d.get("max"), unit=d.get("unit", CNY),
            penalty_types=tuple(d.get("penalty_types", ["罚款"] if d.get("max") else [])),
            extra_penalties=tuple(d.get("extra_penalties", [])), measures=tuple(d.get("measures", [])),
            standard_text=d.get("standard_text", ""), branch=d.get("branch", ""),
            hearing_trigger=bool(d.get("hearing_trigger", False)), review_trigger=bool(d.get("review_trigger", False)),
            source_row=d.get("source_row", where), order=int(d.get("order", 0)),
        )
    except (KeyError, TypeError) as exc:
        raise InputError(f"{where}：档次数据不完整（{exc}）") from exc


def import_benchmark_json(path: Path | str, *, source_key: str | None = None) -> ImportReport:
    """The JSON format of ``corpus/data/demo_benchmark.json``: {"meta": {...}, "benchmarks": [...]}."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"文件 {path.name} 不是有效的 UTF-8 JSON：{exc}") from exc
    meta = data.get("meta", {})
    key = source_key or meta.get("source_key") or path.stem
    report = ImportReport(source=path.name, source_key=key)
    for i, b in enumerate(data.get("benchmarks", []), 1):
        where = f"{path.name} 第{i}条基准（{b.get('violation_code', '?')}）"
        m = {**meta, **b}
        for req in ("violation_code", "violation_name", "bands"):
            if not m.get(req):
                raise InputError(f"{where}缺少字段 {req}")
        bands = tuple(_band_from_json({"order": j, **bd}, f"{where} 档次{j + 1}") for j, bd in enumerate(m["bands"]))
        factors = tuple(DiscretionFactor(**f) for f in m.get("factors", []))
        report.benchmarks.append(DiscretionBenchmark(
            id=f"{key}:{m['violation_code']}", agency=m.get("agency", ""), region=m.get("region", ""),
            version=m.get("version", ""), violation_code=m["violation_code"], violation_name=m["violation_name"],
            effective_from=_parse_date(m.get("effective_from"), where + "施行"),
            effective_to=_parse_date(m.get("effective_to"), where + "失效"),
            published_at=_parse_date(m.get("published_at"), where + "公布"), publish_url=m.get("publish_url", ""),
            violated_provisions=tuple(m.get("violated_provisions", [])),
            penalty_provisions=tuple(m.get("penalty_provisions", [])),
            penalty_types=tuple(m.get("penalty_types", [])), fine_unit=m.get("fine_unit", CNY),
            stat_min=m.get("stat_min"), stat_max=m.get("stat_max"), accessories=tuple(m.get("accessories", [])),
            bands=bands, factors=factors, legal_basis_text=m.get("legal_basis_text", ""), note=m.get("note", ""),
            category=m.get("category", ""), source=path.name, source_key=key, demo=bool(m.get("demo", False)),
        ))
    if not report.benchmarks:
        raise InputError(f"文件 {path.name} 中没有任何裁量基准")
    return report


def load_demo_benchmarks(store: StatuteStore | None = None) -> ImportReport:
    """The DEMO benchmark shipped with the product (fictional agencies 示范市…)."""
    report = import_benchmark_json(DEMO_FILE)
    attach_citations(report, store)
    return report


# --- 首违不罚 list (Markdown) -----------------------------------------------------------------------
def import_first_offence_md(path: Path | str, *, agency: str | None = None, published_at: str | date | None = None,
                            source_key: str | None = None) -> list[FirstOffenceEntry]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"文件 {path.name} 不是 UTF-8 编码") from exc
    front = {}
    fm = re.match(r"---\n(.*?)\n---\n", text, re.S)
    if fm:
        for line in fm.group(1).splitlines():
            if ":" in line and not line.startswith(" "):
                k, v = line.split(":", 1)
                front[k.strip()] = v.strip()
    m = re.search(r"自(\d{4})年(\d{1,2})月(\d{1,2})日起施行(?:，有效期([一二三四五六七八九十\d]+)年)?", text)
    eff_from = date(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None
    eff_to = None
    if m and m.group(4) and eff_from:
        eff_to = eff_from.replace(year=eff_from.year + cn_to_int(m.group(4)))
    key = source_key or path.stem
    agency = agency or front.get("author", "")
    list_name = front.get("title", path.stem)
    pub = _parse_date(published_at, "公布") or _parse_date(front.get("date"), "公布")
    entries: list[FirstOffenceEntry] = []
    category = ""
    for sec in re.split(r"\n(?=##+ )", text):
        head = sec.split("\n", 1)[0]
        if head.startswith("## "):
            category = re.sub(r"^##\s*[一二三四五六七八九十]+、", "", head).strip()
            continue
        hm = re.match(r"###\s*(\d+)[、.．]\s*(.+)", head)
        if not hm:
            continue
        seq, name = int(hm.group(1)), hm.group(2).strip()
        provisions = re.findall(r"^- (《[^》]+》第[^&\s]+?)(?:&emsp;|\s)", sec, re.M)
        tip = re.search(r"::: tip[^\n]*\n(.*?)\n:::", sec, re.S)
        cond_text = tip.group(1).strip() if tip else ""
        conds = tuple(c.strip("；;。 ") for c in re.findall(r"（\d+）([^\n]+)", cond_text))
        requires = []
        joined = "".join(conds)
        if "首次" in joined or "初次" in joined:
            requires.append("first_offence")
        if "改正" in joined or "整改" in joined or "停止" in joined or "恢复" in joined:
            requires.append("corrected")
        if "轻微" in joined:
            requires.append("harm_slight")
        entries.append(FirstOffenceEntry(
            id=f"{key}:{seq}", agency=agency, list_name=list_name, category=category, seq=seq,
            violation_name=name, violated_provisions=tuple(provisions), conditions_text=cond_text, conditions=conds,
            requires=tuple(requires), effective_from=eff_from, effective_to=eff_to, published_at=pub,
            source=path.name, source_key=key))
    if not entries:
        raise InputError(f"文件 {path.name} 中没有识别出任何清单条目（应为“### 1、违法行为”格式）")
    return entries

"""User-supplied instruments (行政法规, 部门规章, 地方性法规, 地方政府规章, 规范性文件) from .txt, .md
and .docx files, one file per instrument, into the statute store (domain spec §10).

Parsing: title (first line / ``# `` heading / centred .docx paragraphs), an optional date/issuer
line "（2019年3月2日国务院令第709号修订）", an optional 目录, 编/章/节 headings, articles
"第X条　……" (incl. 第X条之一) and their 款/项 (:func:`corpus.structure.split_paragraphs`). A
"第X条" at the start of a line followed by 规定/的/所… is text, not a new article.

Metadata (later wins): the file name "名称.级别.状态.md", a sidecar ``<file>.meta.json`` /
``.meta.toml``, then explicit options. Imported instruments are ``source='user'``, ``verified=0``
until :func:`confirm_instrument`. A second file for the same name becomes a new version (the old
version's ``in_force_until`` = the new ``effective_date``). Every problem raises
:class:`InputError` naming the file and line, before anything is written (one transaction).
"""
from __future__ import annotations

import hashlib
import json
import logging
import re
import tomllib
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, Iterable

from assistant.errors import InputError, NotFoundError
from corpus.links import build_penalty_links
from corpus.numerals import CN_NUMBER, article_label, cn_to_int, int_to_cn
from corpus.statutes import HISTORICAL, IN_FORCE, NOT_YET, REPEALED, StatuteStore, normalise_law_name, short_name_of
from corpus.structure import clean_article_text, is_liability_text, split_paragraphs
from corpus.textfile import decode_text

log = logging.getLogger(__name__)

SOURCE = "user"
LEVELS = ("法律", "行政法规", "部门规章", "地方性法规", "地方政府规章", "规范性文件")
SUPPORTED = (".txt", ".md", ".docx")
USER_ID_BASE = 10_000_000  # user article ids never collide with the national DB's ids
_STATUS = {"有效": IN_FORCE, "现行有效": IN_FORCE, "失效": REPEALED, "废止": REPEALED, "已废止": REPEALED,
           "尚未生效": NOT_YET, "未生效": NOT_YET, "历史版本": HISTORICAL}
_META_KEYS = {"name", "level", "issuer", "publish_date", "effective_date", "status", "domain", "aliases", "doc_number"}

_WS = "[\\s\u3000]"
ARTICLE_LINE_RE = re.compile(rf"^第({CN_NUMBER})条(?:之({CN_NUMBER}))?({_WS}*)(.*)$")
HEADING_LINE_RE = re.compile(rf"^第({CN_NUMBER})(编|分编|章|节){_WS}*(.{{0,40}})$")
SECTION_LINE_RE = re.compile(r"^([一二三四五六七八九十百]+)、(.*)$")
DATE_RE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_TEXT_AFTER_LABEL = tuple("规的所中、，,和或至第及以与项款")
_INLINE_ITEM_RE = re.compile(r"([；;：:。])\s*([（(][一二三四五六七八九十]+[）)])")
_NOTICE_TITLE_RE = re.compile(r"(通知|意见|决定|批复|函|方案|要点|公告)$")


@dataclass(frozen=True)
class InstrumentMeta:
    name: str | None = None
    level: str | None = None
    issuer: str | None = None
    publish_date: str | None = None
    effective_date: str | None = None
    status: str | None = None
    domain: str | None = None
    aliases: tuple[str, ...] = ()
    doc_number: str | None = None

    def merged(self, other: "InstrumentMeta") -> "InstrumentMeta":
        """``other``'s set fields win."""
        changes = {k: v for k, v in other.__dict__.items() if v not in (None, (), "")}
        return replace(self, **changes)


@dataclass(frozen=True)
class ParsedArticle:
    line: int            # 1-based line of "第X条" in the file (for messages)
    part: str | None
    chapter: str | None
    section: str | None
    article_no: str
    number: int
    suffix: int
    text: str


@dataclass(frozen=True)
class ParsedInstrument:
    title: str
    preamble: tuple[str, ...]
    articles: tuple[ParsedArticle, ...]
    source_file: str
    sha256: str
    by_sections: bool = False  # 规范性文件 numbered "一、二、" instead of 第X条


@dataclass(frozen=True)
class ImportResult:
    """``action``: ``created`` | ``new_version`` | ``unchanged`` | ``skipped_national``."""

    action: str
    name: str
    lineage: str
    law_id: str | None
    articles: int
    in_force_from: str | None
    source_file: str
    message: str
    warnings: tuple[str, ...] = field(default=())


# -- reading -----------------------------------------------------------------------------------------
def _err(path: Path, msg: str, line: int | None = None) -> InputError:
    where = f"文件 {path.name}" + (f" 第{line}行" if line else "")
    return InputError(f"{where}：{msg}", file=str(path), line=line)


def read_lines(path: Path) -> list[tuple[str, bool]]:
    """The file's lines as (text, centred); .docx paragraphs are lines."""
    if not path.exists() or not path.is_file():
        raise _err(path, "文件不存在")
    ext = path.suffix.lower()
    if ext not in SUPPORTED:
        raise _err(path, f"不支持的文件类型“{ext or '无扩展名'}”，仅支持 .txt、.md、.docx")
    data = path.read_bytes()
    if not data.strip():
        raise _err(path, "文件为空")
    if ext == ".docx":
        return _docx_lines(path)
    try:
        text = decode_text(data, path.name)
    except InputError as exc:
        raise _err(path, "无法识别文件编码或不是文本文件（支持 UTF-8、GB18030），请另存为 UTF-8 文本") from exc
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if ext == ".md":
        lines = [_strip_markdown(ln) for ln in lines]
    return [(ln, False) for ln in lines]


def _strip_markdown(line: str) -> str:
    line = re.sub(r"^\s{0,3}(#{1,6}|>)\s*", "", line)
    return line.replace("**", "").replace("__", "")


def _docx_lines(path: Path) -> list[tuple[str, bool]]:
    try:
        import docx  # python-docx
        from docx.enum.text import WD_ALIGN_PARAGRAPH
    except ImportError as exc:  # pragma: no cover - declared dependency
        raise InputError("读取 .docx 需要 python-docx：pip install python-docx") from exc
    try:
        document = docx.Document(str(path))
    except Exception as exc:  # zipfile.BadZipFile, KeyError, lxml errors
        raise _err(path, f"无法打开 .docx 文件（文件损坏或不是 Word 文档）：{type(exc).__name__}") from exc
    out = []
    for p in document.paragraphs:
        align = p.alignment if p.alignment is not None else (p.style.paragraph_format.alignment if p.style else None)
        out.append((p.text, align == WD_ALIGN_PARAGRAPH.CENTER))
    return out


# -- parsing -----------------------------------------------------------------------------------------
def _is_article_start(m: re.Match) -> bool:
    space, rest = m.group(3), m.group(4)
    return bool(space) or not rest or not rest.startswith(_TEXT_AFTER_LABEL)


def parse_instrument(path: Path | str, *, level: str | None = None) -> ParsedInstrument:
    path = Path(path)
    raw = read_lines(path)
    lines = [(i + 1, t.strip().strip("\u3000").strip(), c) for i, (t, c) in enumerate(raw)]
    lines = [(n, t, c) for n, t, c in lines if t]
    if not lines:
        raise _err(path, "文件没有任何内容")
    # title: centred paragraphs at the top (.docx), else the first line
    title_parts, pos = [], 0
    while pos < len(lines) and lines[pos][2] and not ARTICLE_LINE_RE.match(lines[pos][1]) \
            and not lines[pos][1].startswith(("（", "(")) and len(title_parts) < 3:
        title_parts.append(lines[pos][1])
        pos += 1
    if not title_parts:
        title_parts, pos = [lines[0][1]], 1
    title = "".join(title_parts).strip("《》 ")
    first_no, first_text = lines[0][0], lines[0][1]
    if ARTICLE_LINE_RE.match(first_text) or HEADING_LINE_RE.match(first_text) or len(title) > 80 \
            or title.endswith(("。", "；", "：")):
        raise _err(path, f"缺少标题：第一行应为法规名称，实际为“{first_text[:30]}”", first_no)

    preamble: list[str] = []
    articles: list[dict[str, Any]] = []
    part = chapter = section = None
    toc_mode, toc_seen = False, set()
    for n, text, _c in lines[pos:]:
        if text.replace(" ", "").replace("\u3000", "") == "目录" and not articles:
            toc_mode = True
            continue
        hm = HEADING_LINE_RE.match(text)
        am = ARTICLE_LINE_RE.match(text)
        if toc_mode:
            if hm and text not in toc_seen:
                toc_seen.add(text)
                continue
            if not hm and not am:
                continue  # e.g. a TOC line "附　　则"
            toc_mode = False
        if hm and not text.endswith(("。", "；")):
            kind = hm.group(2)
            if kind == "编" or kind == "分编":
                part, chapter, section = text, None, None
            elif kind == "章":
                chapter, section = text, None
            else:
                section = text
            continue
        if am and _is_article_start(am):
            try:
                number = cn_to_int(am.group(1))
                suffix = cn_to_int(am.group(2)) if am.group(2) else 0
            except ValueError:
                raise _err(path, f"无法识别的条号“{text[:12]}”", n) from None
            if articles:
                prev = articles[-1]
                if (number, suffix) <= (prev["number"], prev["suffix"]):
                    what = "重复" if (number, suffix) == (prev["number"], prev["suffix"]) else "倒序"
                    raise _err(path, f"条号{what}：{article_label(number, suffix)}出现在"
                                     f"{article_label(prev['number'], prev['suffix'])}（第{prev['line']}行）之后", n)
            articles.append(dict(line=n, part=part, chapter=chapter, section=section,
                                 article_no=article_label(number, suffix), number=number, suffix=suffix,
                                 lines=[am.group(4).strip()] if am.group(4).strip() else []))
            continue
        if articles:
            articles[-1]["lines"].append(text)
        else:
            preamble.append(text)

    by_sections = False
    if not articles:
        if (level == "规范性文件" or _NOTICE_TITLE_RE.search(title)) and any(SECTION_LINE_RE.match(t) for t in preamble):
            articles, preamble = _sections_as_articles(path, preamble, lines)
            by_sections = True
        else:
            raise _err(path, "没有找到任何条文（应以“第一条”等开头的行）")
    parsed = []
    for a in articles:
        body = "\n".join(a["lines"])
        body = _INLINE_ITEM_RE.sub(lambda m: m.group(1) + "\n" + m.group(2), body)
        body = clean_article_text(body)
        if not body:
            raise _err(path, f"{a['article_no']}没有正文", a["line"])
        parsed.append(ParsedArticle(a["line"], a["part"], a["chapter"], a["section"], a["article_no"],
                                    a["number"], a["suffix"], body))
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    return ParsedInstrument(title, tuple(preamble), tuple(parsed), str(path), sha, by_sections)


def _sections_as_articles(path: Path, preamble: list[str], lines) -> tuple[list[dict], list[str]]:
    """A 规范性文件 numbered "一、…二、…": each section becomes one unit "第一部分"."""
    line_of = {t: n for n, t, _c in lines}
    out: list[dict] = []
    head: list[str] = []
    for text in preamble:
        m = SECTION_LINE_RE.match(text)
        if m:
            number = cn_to_int(m.group(1))
            if out and number <= out[-1]["number"]:
                raise _err(path, f"部分编号倒序或重复：“{m.group(1)}、”", line_of.get(text))
            out.append(dict(line=line_of.get(text, 0), part=None, chapter=None, section=None,
                            article_no=f"第{int_to_cn(number)}部分", number=number, suffix=0, lines=[text]))
        elif out:
            out[-1]["lines"].append(text)
        else:
            head.append(text)
    return out, head


# -- metadata ----------------------------------------------------------------------------------------
def _iso(path: Path, field_name: str, value: Any) -> str | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise _err(path, f"元数据字段 {field_name} 不是 YYYY-MM-DD 格式的日期：“{value}”") from None


def meta_from_dict(path: Path, data: dict[str, Any]) -> InstrumentMeta:
    unknown = set(data) - _META_KEYS
    if unknown:
        raise _err(path, f"元数据中有无法识别的字段：{', '.join(sorted(unknown))}（可用：{', '.join(sorted(_META_KEYS))}）")
    aliases = data.get("aliases") or ()
    if isinstance(aliases, str):
        aliases = [a for a in re.split(r"[,，、\s]+", aliases) if a]
    return InstrumentMeta(
        name=data.get("name"), level=data.get("level"), issuer=data.get("issuer"),
        publish_date=_iso(path, "publish_date", data.get("publish_date")),
        effective_date=_iso(path, "effective_date", data.get("effective_date")),
        status=data.get("status"), domain=data.get("domain"), aliases=tuple(aliases),
        doc_number=data.get("doc_number"),
    )


def sidecar_meta(path: Path) -> InstrumentMeta:
    for candidate in (Path(f"{path}.meta.json"), Path(f"{path}.meta.toml"),
                      path.with_suffix(".meta.json"), path.with_suffix(".meta.toml")):
        if not candidate.exists():
            continue
        try:
            text = candidate.read_text(encoding="utf-8-sig")
            data = json.loads(text) if candidate.suffix == ".json" else tomllib.loads(text)
        except (ValueError, UnicodeDecodeError) as exc:
            raise _err(candidate, f"元数据文件格式错误：{exc}") from exc
        if not isinstance(data, dict):
            raise _err(candidate, "元数据文件应为键值对象")
        return meta_from_dict(candidate, data)
    return InstrumentMeta()


def filename_meta(path: Path) -> InstrumentMeta:
    """zcyclaw-style names: "政府采购法实施条例.行政法规.有效.md"."""
    parts = path.stem.split(".")
    if len(parts) >= 2 and parts[1] in LEVELS:
        return InstrumentMeta(level=parts[1], status=parts[2] if len(parts) > 2 else None)
    return InstrumentMeta()


def preamble_meta(parsed: ParsedInstrument) -> InstrumentMeta:
    """"（2019年3月2日国务院令第709号修订）" → issuer, level, publish date; "财库〔2019〕38号" → doc number."""
    level = issuer = publish = doc = None
    for text in parsed.preamble[:4]:
        if m := re.search(r"(国务院|[\u4e00-\u9fff]{1,12}?(?:部|委员会|总局|局|署|行|人民政府))令第\s*(\d+)\s*号", text):
            issuer = m.group(1)
            doc = m.group(0)
            level = "行政法规" if issuer == "国务院" else ("地方政府规章" if issuer.endswith("人民政府") else "部门规章")
        if m := re.search(r"[\u4e00-\u9fff]{1,8}〔\d{4}〕\d+号", text):
            doc = doc or m.group(0)
        dates = DATE_RE.findall(text)
        if dates and publish is None and text.startswith(("（", "(")):
            y, mo, d = dates[-1]
            publish = date(int(y), int(mo), int(d)).isoformat()
    return InstrumentMeta(level=level, issuer=issuer, publish_date=publish, doc_number=doc)


# -- import ------------------------------------------------------------------------------------------
def _resolve_meta(path: Path, parsed: ParsedInstrument, options: InstrumentMeta) -> InstrumentMeta:
    meta = preamble_meta(parsed).merged(filename_meta(path)).merged(sidecar_meta(path)).merged(options)
    if not meta.level:
        raise _err(path, f"缺少效力级别：请用 --level 或 .meta.json 的 level 指定（{'、'.join(LEVELS)}）")
    if meta.level not in LEVELS:
        raise _err(path, f"无法识别的效力级别“{meta.level}”（可用：{'、'.join(LEVELS)}）")
    if meta.status and meta.status not in _STATUS:
        raise _err(path, f"无法识别的时效性“{meta.status}”（可用：{'、'.join(_STATUS)}）")
    return meta


def import_instrument(store: StatuteStore, path: Path | str, meta: InstrumentMeta | None = None, *,
                      today: date | None = None) -> ImportResult:
    """Parse and import one file; see the module docstring. Raises InputError, writing nothing."""
    return import_instruments(store, [Path(path)], meta, today=today)[0]


def collect_files(target: Path | str) -> list[Path]:
    target = Path(target)
    if target.is_dir():
        files = sorted(p for p in target.iterdir() if p.is_file() and p.suffix.lower() in SUPPORTED
                       and not p.name.startswith((".", "~$")))
        if not files:
            raise InputError(f"目录 {target} 中没有 .txt、.md 或 .docx 文件")
        return files
    return [target]


def import_instruments(store: StatuteStore, paths: Iterable[Path], meta: InstrumentMeta | None = None, *,
                       today: date | None = None) -> list[ImportResult]:
    """Parse every file first (any problem: InputError, nothing written), then write each
    instrument and its penalty links in one transaction of its own."""
    today = today or date.today()
    options = meta or InstrumentMeta()
    prepared = []
    for path in paths:
        path = Path(path)
        level_hint = options.level or filename_meta(path).level or sidecar_meta(path).level
        parsed = parse_instrument(path, level=level_hint)
        prepared.append((path, parsed, _resolve_meta(path, parsed, options)))
    if len(prepared) > 1 and options.name:
        raise InputError("--name 只能用于导入单个文件")
    results = []
    for path, parsed, m in prepared:
        results.append(_write(store, path, parsed, m, today))
    return results


def _write(store: StatuteStore, path: Path, parsed: ParsedInstrument, m: InstrumentMeta, today: date) -> ImportResult:
    name = normalise_law_name(m.name or parsed.title)
    lineage = store.resolve_lineage(name) or name
    versions = store.versions(lineage)
    start = m.effective_date or m.publish_date
    warnings = []
    if parsed.by_sections:
        warnings.append("未发现“第X条”，已按“一、二、”分部分导入（第一部分、第二部分…）")
    base = dict(name=name, lineage=lineage, source_file=str(path), articles=len(parsed.articles))
    if any(v.source_sha256 == parsed.sha256 and v.source == SOURCE for v in versions):
        same = next(v for v in versions if v.source_sha256 == parsed.sha256)
        return ImportResult("unchanged", law_id=same.law_id, in_force_from=same.in_force_from,
                            message=f"《{name}》此文件已导入，未作改动", **base)
    national = [v for v in versions if v.source != SOURCE]
    if national and not (start and all(v.in_force_from and start > v.in_force_from for v in national)):
        return ImportResult("skipped_national", law_id=None, in_force_from=None,
                            message=f"国家法律数据库已收录《{name}》，以国家库文本为准，未导入此文件"
                                    "（如为更新的修订版本，请用 --effective 指定施行日期）", **base)
    previous = versions[-1] if versions else None
    if previous is not None:
        if not start:
            raise _err(path, f"库中已有《{name}》，导入新版本需要施行日期（--effective 或 .meta.json 的 effective_date）")
        if previous.in_force_from and start <= previous.in_force_from:
            raise _err(path, f"新版本施行日期 {start} 不晚于库中已有版本的施行日期 {previous.in_force_from}")
    status = _STATUS.get(m.status or "有效", IN_FORCE)
    if start and start > today.isoformat():
        status = NOT_YET
    law_id = "user-" + hashlib.sha256(f"{lineage}|{start}|{parsed.sha256}".encode()).hexdigest()[:12]
    first_effective = min([d for d in [start, *(v.first_effective for v in versions)] if d], default=None)
    with store.transaction() as con:
        if previous is not None:
            prev_status = previous.status
            if start <= today.isoformat() and prev_status in (IN_FORCE, NOT_YET):
                prev_status = HISTORICAL
            con.execute("UPDATE laws SET in_force_until = ?, status = ? WHERE law_id = ?",
                        (start, prev_status, previous.law_id))
        con.execute(
            f"INSERT INTO laws VALUES ({','.join('?' * 22)})",
            (law_id, name, lineage, short_name_of(name), m.level, m.level, m.issuer, m.publish_date,
             m.effective_date, start, first_effective, start, None, status, m.domain, SOURCE, str(path),
             parsed.sha256, 0, None, None, None),
        )
        next_id = max(con.execute("SELECT COALESCE(MAX(id), 0) FROM articles").fetchone()[0], USER_ID_BASE) + 1
        para_rows = []
        for seq, a in enumerate(parsed.articles, start=1):
            aid = next_id + seq - 1
            con.execute("INSERT INTO articles VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                        (aid, law_id, seq, a.part, a.chapter, a.section, a.article_no, a.number, a.suffix, a.text,
                         int(is_liability_text(a.text, a.chapter, a.section))))
            para_rows.extend((aid, p.kuan, p.xiang, p.text) for p in split_paragraphs(a.text))
        con.executemany("INSERT OR REPLACE INTO paragraphs VALUES (?,?,?,?)", para_rows)
        aliases = {a for a in m.aliases if a} | ({short_name_of(name)} if short_name_of(name) != name else set())
        con.executemany("INSERT OR IGNORE INTO aliases VALUES (?,?,?)", [(a, lineage, SOURCE) for a in aliases])
        build_penalty_links(store, law_ids=[law_id], tx=con)  # the instrument and its links commit together
    action = "new_version" if previous is not None else "created"
    msg = (f"已导入《{name}》（{m.level}，{len(parsed.articles)} 条"
           + (f"，{start}起施行" if start else "") + "），待管理员确认")
    log.info("imported user instrument %s (%s)", law_id, action)
    return ImportResult(action, law_id=law_id, in_force_from=start, message=msg, warnings=tuple(warnings), **base)


def confirm_instrument(store: StatuteStore, law_id: str) -> None:
    """An administrator has checked the imported text against the official one: mark it verified."""
    law = store.law(law_id)  # NotFoundError
    if law.source != SOURCE:
        raise InputError(f"《{law.name}》来自国家法律数据库，无需确认")
    with store.transaction() as con:
        con.execute("UPDATE laws SET verified = 1 WHERE law_id = ?", (law_id,))


__all__ = ["InstrumentMeta", "ImportResult", "ParsedInstrument", "ParsedArticle", "LEVELS", "collect_files",
           "confirm_instrument", "import_instrument", "import_instruments", "parse_instrument", "NotFoundError"]

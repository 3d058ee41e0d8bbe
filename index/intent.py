"""Question intent for retrieval: penalty question, procedural question (and which general
procedure law it is about). The rules are data: ``index/data/intents.txt`` (each rule names its
source there).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from index.tokenize import DATA_DIR


@dataclass(frozen=True)
class Intent:
    penalty: bool                     # 怎么处罚/罚多少 … → 处罚依据 + 违法依据
    procedure: bool                   # 听证/送达/复议 … → general procedure law
    procedure_laws: tuple[str, ...]   # short names of the procedure laws the question is about
    deadline: bool = False            # 多少天内/期限/最长多久 … → articles that set a time limit


KINDS = ("penalty", "procedure", "deadline")
# What a time-limit article says: "十五日内", "六个月内", "不得超过八小时", "最长不超过二十日", "期限".
TIME_LIMIT_RE = re.compile(r"[零一二三四五六七八九十百千两\d]+\s*(?:个)?(?:工作日|日|天|月|年|小时)(?:内|以内|之内)"
                           r"|(?:期限|时限)|不(?:得)?超过[^。；]{0,8}(?:日|天|月|年|小时)")


@lru_cache(maxsize=1)
def rules() -> tuple[tuple[str, re.Pattern, tuple[str, ...]], ...]:
    out = []
    for n, line in enumerate((DATA_DIR / "intents.txt").read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) < 2 or parts[0] not in KINDS:
            raise ValueError(f"index/data/intents.txt 第{n}行格式错误：{line!r}")
        laws = tuple(parts[2].split()) if len(parts) > 2 else ()
        out.append((parts[0], re.compile(parts[1]), laws))
    return tuple(out)


def detect_intent(query: str) -> Intent:
    penalty = procedure = deadline = False
    laws: list[str] = []
    for kind, pattern, names in rules():
        if not pattern.search(query):
            continue
        if kind == "penalty":
            penalty = True
        elif kind == "deadline":
            deadline = True
        else:
            procedure = True
            laws.extend(n for n in names if n not in laws)
    return Intent(penalty=penalty and not procedure and not deadline, procedure=procedure,
                  procedure_laws=tuple(laws), deadline=deadline)

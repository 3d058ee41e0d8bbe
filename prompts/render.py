"""Templates as files with declared variables, rendered strictly.

A template file (``prompts/templates/<name>.tmpl``) starts with a header block::

    ---
    title: 行政处罚决定书
    variables: ctx, facts_text, discretion_text
    ---
    body (Jinja2, StrictUndefined)

Rules (all raise :class:`TemplateError`):
- the body may only use declared variables, and every declared variable must be used;
- ``render`` must receive exactly the declared variables — a missing or an extra one is an error;
- an undefined attribute or key inside a variable is an error (``jinja2.StrictUndefined``).

Filters available in every template: ``yuan`` (50000元), ``daxie`` (伍万元整), ``cndate``
(2025年3月5日), ``cn`` (Chinese numeral, 15 → 十五), ``clause`` (strip trailing punctuation).
"""
from __future__ import annotations

import re

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from assistant.errors import ZhifaError

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"


class TemplateError(ZhifaError):
    code = "template"


def cndate(value: date | str | None) -> str:
    if value is None or value == "":
        return "　　年　　月　　日"
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return f"{value.year}年{value.month}月{value.day}日"


# "在示范路8号…", "在某某市场摊位…" (not "在未取得许可的情况下…")
_PLACE_LEAD = re.compile(r"^[在于][^，。；、]{1,30}?(?:\d+号|场所|门店|店内|摊位|市场|车间|仓库|厂区|工地|路段)")


def states_place(act: str, place: str) -> bool:
    """Does the act already say where it happened ("在其经营场所…", "在示范路8号…")? Then the
    narrative must not put a second "在…" in front of it."""
    act = str(act or "").strip()
    if place and str(place).strip() and str(place).strip() in act:
        return True
    return act.startswith(("在其", "于其")) or bool(_PLACE_LEAD.match(act))


def without_subject(act: str, name: str) -> str:
    """The act without a leading subject the narrative already states ("王小明在其经营场所…" after
    "当事人王小明于…" → "在其经营场所…"); a leading "当事人" too."""
    act = str(act or "").strip()
    for subject in (f"当事人{name}" if name else "", str(name or ""), "当事人"):
        if subject and act.startswith(subject) and len(act) > len(subject):
            return act[len(subject):].lstrip("，, ")
    return act


def mentions(act: str, *words: str) -> bool:
    """Does the act already state this amount (货值金额, 违法所得, a quantity)?"""
    act = str(act or "")
    return any(w and str(w).strip().rstrip("。；;，,") in act for w in words)


def clause(value: str) -> str:
    """A user phrase ready to be followed by punctuation: trailing 。；，, and spaces removed."""
    return str(value).strip().rstrip("。；;，,、 ")


def _cn(value: int) -> str:
    from corpus.numerals import int_to_cn

    return int_to_cn(int(value))


@lru_cache(maxsize=1)
def _environment():
    import jinja2

    from assistant.amounts import daxie, yuan

    env = jinja2.Environment(
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=False,  # block tags leave blank lines; markup ignores them
        lstrip_blocks=True,
    )
    env.filters.update(yuan=yuan, daxie=daxie, cndate=cndate, cn=_cn, clause=clause,
                       without_subject=without_subject)
    env.tests.update(states_place=states_place, mentions=mentions,
                     mentioned_in=lambda phrase, act: mentions(act, phrase))
    return env


@dataclass(frozen=True)
class Template:
    name: str
    title: str
    variables: frozenset[str]
    source: str

    def render(self, **values: object) -> str:
        import jinja2

        given = set(values)
        missing = sorted(self.variables - given)
        extra = sorted(given - self.variables)
        if missing:
            raise TemplateError(f"模板 {self.name} 缺少变量：{'、'.join(missing)}", missing=missing)
        if extra:
            raise TemplateError(f"模板 {self.name} 收到未声明的变量：{'、'.join(extra)}", extra=extra)
        try:
            return _compiled(self.name, self.source).render(**values)
        except jinja2.UndefinedError as exc:
            raise TemplateError(f"模板 {self.name} 渲染失败：{exc.message}") from exc


@lru_cache(maxsize=64)
def _compiled(name: str, source: str):
    return _environment().from_string(source)


def parse_template(name: str, text: str) -> Template:
    """Parse header + body and check the declared variables against what the body uses."""
    import jinja2
    from jinja2 import meta

    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise TemplateError(f"模板 {name} 缺少变量声明头（首行应为 ---）")
    header: dict[str, str] = {}
    for i, line in enumerate(lines[1:], start=1):
        if line.strip() == "---":
            body = "".join(lines[i + 1:])
            break
        key, sep, value = line.partition(":")
        if not sep:
            raise TemplateError(f"模板 {name} 第{i + 1}行声明格式错误：{line.strip()}")
        header[key.strip()] = value.strip()
    else:
        raise TemplateError(f"模板 {name} 的声明头没有结束行 ---")
    if "variables" not in header:
        raise TemplateError(f"模板 {name} 没有声明 variables")
    declared = frozenset(v.strip() for v in header["variables"].split(",") if v.strip())
    try:
        used = meta.find_undeclared_variables(_environment().parse(body))
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"模板 {name} 第{exc.lineno + len(header) + 2}行语法错误：{exc.message}") from exc
    undeclared = sorted(used - declared)
    if undeclared:
        raise TemplateError(f"模板 {name} 使用了未声明的变量：{'、'.join(undeclared)}")
    unused = sorted(declared - used)
    if unused:
        raise TemplateError(f"模板 {name} 声明了但没有使用的变量：{'、'.join(unused)}")
    return Template(name=name, title=header.get("title", name), variables=declared, source=body)


def load_template(name: str, directory: Path | None = None) -> Template:
    path = (directory or TEMPLATE_DIR) / f"{name}.tmpl"
    if not path.exists():
        raise TemplateError(f"找不到模板 {name}（{path}）")
    return parse_template(name, path.read_text(encoding="utf-8"))


def render(name: str, **values: object) -> str:
    """Load ``prompts/templates/<name>.tmpl`` and render it strictly."""
    return load_template(name).render(**values)


def template_names(directory: Path | None = None) -> list[str]:
    return sorted(p.stem for p in (directory or TEMPLATE_DIR).glob("*.tmpl"))

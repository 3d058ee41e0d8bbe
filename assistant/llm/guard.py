"""The only way narrative text from an LLM gets into a document.

1. Facts are screened for instruction-like text; if found, the LLM is not called at all.
2. The prompt (``prompts/templates/llm_polish.tmpl``) puts the facts as JSON in a data block
   delimited by a random nonce, so data cannot close the block or pose as instructions.
3. The answer must pass :func:`check_output`: no number, date, amount, name or citation that is not
   in the facts, every number of the deterministic text kept, the party named, plain Chinese prose.
4. On any failure, exception or timeout the deterministic text is used and the reason recorded.
"""
from __future__ import annotations

import json
import logging
import re
import secrets
import threading
from dataclasses import dataclass, field

from assistant.ports import LLM

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 120.0
_CN_NUM_CHARS = "零〇○一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟"
_CLASSIFIERS = "元角分年月日号时点条款项章节个次件箱吨斤克米升台辆份人家户倍天周批处株头只张块桶瓶袋包盒层栋间亩平方立公千余多"
ARABIC_RE = re.compile(r"\d+(?:[.．]\d+)?")
CN_NUM_RE = re.compile(rf"[{_CN_NUM_CHARS}]+(?=([{_CLASSIFIERS}%％])?)")
BOOK_RE = re.compile(r"《[^》]*》")
ARTICLE_RE = re.compile(rf"第[{_CN_NUM_CHARS}\d]+[条款项]")
ORG_RE = re.compile(r"[\u4e00-\u9fff]{2,20}(?:有限责任公司|股份有限公司|有限公司|公司|工厂|厂|商店|超市|酒店|饭店|餐馆|合作社|研究所|中心|医院|学校)")
INJECTION_RE = re.compile(
    r"(忽略|无视|不要理会|忘记|覆盖)[^。\n]{0,12}(指令|指示|规则|要求|提示|以上|上述|前面)|系统提示|system\s*prompt|"
    r"ignore\s+(all|previous|the|above)|disregard|you\s+are\s+now|你现在是|扮演|新的指令|新指令|<<<|>>>|DATA-",
    re.IGNORECASE,
)
_BANNED_OUTPUT = re.compile(r"指令|提示词|prompt|DATA-|<<<|>>>|```|^\s*@|作为(一个)?(AI|人工智能|语言模型)", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class PolishResult:
    text: str
    used_llm: bool
    reason: str                       # "" when the LLM text was used
    problems: tuple[str, ...] = field(default=())


def injection_hits(text: str) -> list[str]:
    return [m.group(0) for m in INJECTION_RE.finditer(text)]


def number_tokens(text: str) -> set[str]:
    """Arabic numbers, and Chinese numerals that are multi-character or followed by a unit."""
    out = {m.group(0).replace("．", ".") for m in ARABIC_RE.finditer(text)}
    for m in CN_NUM_RE.finditer(text):
        tok = m.group(0)
        if len(tok) >= 2 or m.group(1):
            out.add(tok)
    return out


def _names(text: str) -> set[str]:
    """Person, place and organisation names as tagged by jieba, plus organisation-like phrases."""
    import jieba.posseg as pseg

    out = {w for w, flag in pseg.cut(text) if flag in ("nr", "nrt", "nrfg", "ns", "nt") and len(w) >= 2}
    out |= {m.group(0) for m in ORG_RE.finditer(text)}
    return out


def check_output(output: str, *, source: str, required: tuple[str, ...] = (), max_len: int = 2000) -> list[str]:
    """Problems (Chinese) with an LLM answer; empty list = usable. ``source`` holds every fact the
    answer may use; ``required`` strings must all appear in it."""
    problems: list[str] = []
    text = output.strip()
    if not text:
        return ["大模型输出为空"]
    if len(text) > max_len:
        problems.append(f"大模型输出过长（{len(text)} 字）")
    cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    if cjk < 0.5 * len(re.sub(r"\s", "", text)):
        problems.append("大模型输出不是通顺的中文正文")
    if _BANNED_OUTPUT.search(text):
        problems.append("大模型输出含有指令性或格式性内容")
    src_numbers = number_tokens(source)
    extra_numbers = sorted(number_tokens(text) - src_numbers)
    if extra_numbers:
        problems.append(f"大模型输出含有事实中没有的数字：{'、'.join(extra_numbers[:5])}")
    books = [b for b in BOOK_RE.findall(text) if b not in source]
    arts = [a for a in ARTICLE_RE.findall(text) if a not in source]
    if books or arts:
        problems.append(f"大模型输出含有事实中没有的引用：{'、'.join((books + arts)[:5])}")
    extra_names = sorted(n for n in _names(text) if n not in source)
    if extra_names:
        problems.append(f"大模型输出含有事实中没有的名称：{'、'.join(extra_names[:5])}")
    lost = [r for r in required if r and r not in text]
    if lost:
        problems.append(f"大模型输出遗漏了事实：{'、'.join(lost[:5])}")
    return problems


def build_prompt(task: str, facts: dict[str, object]) -> tuple[str, str]:
    """(prompt, nonce). Facts are JSON-encoded inside a block delimited by a random nonce."""
    from prompts.render import render

    nonce = secrets.token_hex(8)
    data = json.dumps(facts, ensure_ascii=False, indent=1, default=str)
    data = data.replace(nonce, "")  # a fact cannot contain the delimiter
    return render("llm_polish", task=task, nonce=nonce, data=data), nonce


def _call_with_timeout(llm: LLM, prompt: str, max_tokens: int, timeout: float) -> str:
    box: dict[str, object] = {}

    def run():
        try:
            box["out"] = llm.generate(prompt, max_tokens=max_tokens)
        except BaseException as exc:  # noqa: BLE001 - reported to the caller
            box["err"] = exc

    worker = threading.Thread(target=run, name="llm-generate", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise TimeoutError(f"大模型在 {timeout:g} 秒内没有返回")
    if "err" in box:
        raise box["err"]  # type: ignore[misc]
    return str(box.get("out", ""))


def polish(llm: LLM | None, *, task: str, facts: dict[str, object], baseline: str,
           required: tuple[str, ...] = (), max_tokens: int = 512, timeout: float = DEFAULT_TIMEOUT) -> PolishResult:
    """Ask ``llm`` to rewrite ``baseline`` from ``facts``; return the checked text or the baseline."""
    if llm is None:
        return PolishResult(baseline, False, "未配置大模型，使用按结构化事实生成的文字")
    fact_text = "\n".join(str(v) for v in facts.values())
    hits = injection_hits(fact_text)
    if hits:
        return PolishResult(baseline, False, f"事实中含有疑似指令性文字（{'、'.join(hits[:3])}），未调用大模型")
    prompt, _ = build_prompt(task, facts)
    try:
        answer = _call_with_timeout(llm, prompt, max_tokens, timeout)
    except Exception as exc:  # noqa: BLE001 - any backend failure means fallback
        msg = getattr(exc, "message", None) or str(exc) or type(exc).__name__
        log.warning("LLM fallback (%s): %s", getattr(llm, "name", "?"), type(exc).__name__)
        return PolishResult(baseline, False, f"大模型调用失败，已改用确定性文字：{msg}")
    answer = " ".join(line.strip() for line in answer.strip().splitlines() if line.strip())
    source = fact_text + "\n" + baseline
    problems = check_output(answer, source=source, required=required, max_len=3 * len(baseline) + 200)
    if problems:
        return PolishResult(baseline, False, "大模型输出未通过核验，已改用确定性文字：" + "；".join(problems),
                            tuple(problems))
    return PolishResult(answer, True, "")

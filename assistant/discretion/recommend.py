"""Deterministic 裁量 recommender (domain-spec §4 "Recommender"). Pure code: the LLM never
produces an amount; it may only rephrase :attr:`Recommendation.explanation`.

Steps (each recorded in ``explanation`` with its source):
 0. pick the benchmark: by violation code, else by text similarity of the facts to 违法行为名称;
    unpublished benchmarks are unusable (第三十四条, 第五条第三款).
 1. 时效 (第三十六条): 2 years from the end of the act, 5 years for 公民生命健康安全/金融安全 with harm;
    law version by violation date (第三十七条; successor noted when repealed since).
 2. 不予 (第三十条 under 14, 第三十一条 incapable, 第三十三条第一款 轻微+及时改正+无危害后果,
    第三十三条第二款 no fault; 首违不罚 optional) → 不予处罚 + 教育 + 责令改正.
 3. band: the most specific band whose parsed conditions match the quantities / flags / chosen
    circumstances (ties → the lighter band, with a warning).
 4. 从轻 (法定, mandatory under 第三十条/第三十二条): position within the band
    ``p = 0.5 × LIGHTER_STEP ** n_lighter`` (default step 0.5: one factor → lower quarter point,
    recommended range = lower half of the band). 减轻 (only when asked and a 从轻或者减轻 factor
    applies): range ``[stat_min × mitigation_floor, stat_min)``; floor configurable (doctrine).
 5. 从重 only when the factor is listed by the benchmark (or 第四十九条): ``p += (1 − p) × 0.5`` each.
 6. clamp to the statutory range unless 减轻.
 7. unit fines × evidenced base (违法所得/货值/造价…); 没收违法所得 (第二十八条第二款);
    one fine per act, higher rule wins (第二十九条).
 8. hearing (第六十三条; thresholds per party type are configuration) and review flags (rule table).
 9. peers: percentile among peer cases (same code and band), alert outside 10–90th percentile.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Iterable, Mapping, Sequence

from assistant.discretion.model import (
    BASE_OF_UNIT, CNY, FACTORS_BY_CODE, SOURCES, BenchmarkBand, Condition, DiscretionBenchmark,
    DiscretionFactor, FirstOffenceEntry, canonical_quantity,
)
from assistant.errors import InputError

LIGHTER_STEP = 0.5
PL = "《中华人民共和国行政处罚法》"


# --- inputs -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CaseFacts:
    """What the recommender needs from a case. ``quantities`` keys: 违法所得, 货值, 造价, 总投资额,
    广告费用, 分钟, 次数, 超标倍数, 超标dB, 存栏量 … (English aliases accepted, see
    ``QUANTITY_ALIASES``); ``quantity_evidence`` maps a quantity to the evidence ids proving it."""

    violation_code: str | None = None
    violation_text: str = ""
    party_type: str = "legal_person"               # natural_person / legal_person / other_org
    violation_date: date | None = None
    violation_end_date: date | None = None         # end of a continuing act (第三十六条第二款)
    discovered_date: date | None = None            # when the agency found it (default: decision date)
    decision_date: date | None = None              # default: today
    quantities: Mapping[str, float] = field(default_factory=dict)
    quantity_evidence: Mapping[str, Sequence[str]] = field(default_factory=dict)
    circumstances: tuple[str, ...] = ()            # officer-selected 裁量情节 texts
    band: str | None = None                        # officer-selected band level (overrides matching)
    first_offence: bool | None = None
    prior_offences: int | None = None
    corrected: bool | None = None                  # 及时改正
    refused_correction: bool | None = None
    harm: str | None = None                        # none / slight / moderate / serious
    minor_violation: bool | None = None            # 违法行为轻微
    age: int | None = None                         # natural persons
    mental_capacity: str | None = None             # full / limited / none
    no_fault: bool = False                         # 足以证明没有主观过错
    life_health_or_financial: bool = False         # 第三十六条 five-year limit
    factors: tuple[str, ...] = ()                  # factor codes: P32-1 … or benchmark-listed codes
    factor_evidence: Mapping[str, Sequence[str]] = field(default_factory=dict)
    apply_first_offence_exemption: bool = True     # 首违不罚 is 可以: the officer may decline
    prefer_mitigated: bool = False                 # choose 减轻 over 从轻 where the law allows both
    additional_violation_codes: tuple[str, ...] = ()  # same act, other norms (第二十九条)
    agency: str | None = None
    proposed_amount: float | None = None           # the officer's figure, checked by check_proposed

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "CaseFacts":
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(data) - known)
        if unknown:
            raise InputError(f"事实文件中有无法识别的字段：{'、'.join(unknown)}")
        d = dict(data)
        for k in ("violation_date", "violation_end_date", "discovered_date", "decision_date"):
            if d.get(k):
                try:
                    d[k] = date.fromisoformat(str(d[k]))
                except ValueError as exc:
                    raise InputError(f"事实文件字段 {k} 的日期格式不正确：{d[k]}（应为 YYYY-MM-DD）") from exc
        for k in ("circumstances", "factors", "additional_violation_codes"):
            if k in d:
                d[k] = tuple(d[k] or ())
        q = {}
        for k, v in (d.get("quantities") or {}).items():
            try:
                q[canonical_quantity(k)] = float(v)
            except (TypeError, ValueError) as exc:
                raise InputError(f"事实文件 quantities.{k} 不是数字：{v}") from exc
        d["quantities"] = q
        d["quantity_evidence"] = {canonical_quantity(k): tuple(v) for k, v in (d.get("quantity_evidence") or {}).items()}
        if d.get("party_type", "legal_person") not in ("natural_person", "legal_person", "other_org"):
            raise InputError(f"事实文件 party_type 应为 natural_person / legal_person / other_org：{d['party_type']}")
        return cls(**d)

    def quantity(self, name: str) -> float | None:
        name = canonical_quantity(name)
        if name in self.quantities:
            return float(self.quantities[name])
        if name == "次数" and self.prior_offences is not None:
            return float(self.prior_offences + 1)
        return None


@dataclass(frozen=True)
class ReviewRule:
    code: str
    text: str
    source: str
    min_amount: float | None = None
    penalty_types: tuple[str, ...] = ()
    when_hearing: bool = False


DEFAULT_REVIEW_RULES = (
    ReviewRule("R-HEARING", "经过听证程序的重大权益案件", PL + "第五十八条第一款第（二）项", when_hearing=True),
    ReviewRule("R-LICENCE", "吊销许可证件、责令停产停业、责令关闭等较重处罚", PL + "第五十八条第一款第（一）项",
               penalty_types=("吊销许可证件", "责令停产停业", "责令关闭", "限制从业", "降低资质等级")),
)


@dataclass(frozen=True)
class RecommenderConfig:
    hearing_thresholds: Mapping[str, float] | None = None          # party_type → 较大数额罚款 (CNY)
    confiscation_thresholds: Mapping[str, float] | None = None     # party_type → 较大数额没收
    review_rules: tuple[ReviewRule, ...] = DEFAULT_REVIEW_RULES
    mitigation_floor: float = 0.5      # 减轻: lowest share of the statutory minimum (doctrine, configurable)
    lighter_step: float = LIGHTER_STEP
    rounding: float = 100.0            # proposed amounts are rounded to this many yuan
    today: date | None = None          # for reproducible runs
    min_text_match: float = 0.35


# --- outputs ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ExplanationStep:
    step: str
    text: str
    source: str


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str      # error / warning
    message: str
    source: str


@dataclass(frozen=True)
class Recommendation:
    outcome: str       # penalty | no_penalty | time_barred | no_benchmark | needs_band | needs_quantity
    benchmark: DiscretionBenchmark | None = None
    band: BenchmarkBand | None = None
    unit: str = CNY
    base_quantity: str | None = None
    base_value: float | None = None
    stat_min: float | None = None      # CNY, after applying the base quantity
    stat_max: float | None = None
    band_min: float | None = None
    band_max: float | None = None
    range_min: float | None = None     # recommended range after factors
    range_max: float | None = None
    proposed: float | None = None
    penalty_types: tuple[str, ...] = ()
    accessories: tuple[str, ...] = ()
    measures: tuple[str, ...] = ()
    factors: tuple[DiscretionFactor, ...] = ()
    lighter: bool = False
    mitigated: bool = False
    heavier: bool = False
    optional_no_penalty: bool = False  # 首违不罚 available (可以不予)
    hearing_required: bool = False
    hearing_reasons: tuple[str, ...] = ()
    review_required: bool = False
    review_reasons: tuple[str, ...] = ()
    explanation: tuple[ExplanationStep, ...] = ()
    warnings: tuple[str, ...] = ()
    peer_stats: dict | None = None
    confiscation: float | None = None


# --- helpers ----------------------------------------------------------------------------------------
def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 Feb
        return d.replace(year=d.year + years, day=28)


def _yuan(v: float | None) -> str:
    if v is None:
        return "不设上限"
    if v >= 10000 and v % 100 == 0:
        return f"{v / 10000:g}万元"
    return f"{v:,.2f}".rstrip("0").rstrip(".") + "元"


def _flag_value(facts: CaseFacts, flag: str) -> bool | None:
    if flag == "first_offence":
        return facts.first_offence
    if flag == "repeat":
        if facts.prior_offences is not None:
            return facts.prior_offences > 0
        return None if facts.first_offence is None else not facts.first_offence
    if flag == "refused_correction":
        return facts.refused_correction
    if flag == "corrected":
        return facts.corrected
    if flag == "serious_harm":
        return None if facts.harm is None else facts.harm == "serious"
    if flag == "no_harm":
        return None if facts.harm is None else facts.harm == "none"
    return None


def _bigram_sim(a: str, b: str) -> float:
    from collections import Counter
    import math

    def grams(t: str) -> Counter:
        t = re.sub(r"[^\u4e00-\u9fff0-9a-zA-Z]", "", t)
        return Counter(t[i:i + 2] for i in range(len(t) - 1))

    va, vb = grams(a), grams(b)
    if not va or not vb:
        return 0.0
    dot = sum(v * vb.get(k, 0) for k, v in va.items())
    return dot / math.sqrt(sum(v * v for v in va.values()) * sum(v * v for v in vb.values()))


def condition_score(cond: Condition, facts: CaseFacts) -> float | None:
    """None = contradicted by the facts or nothing to evaluate; else the number of matched parts."""
    score = 0.0
    for r in cond.ranges:
        v = facts.quantity(r.quantity)
        if v is None:
            continue
        if not r.contains(v):
            return None
        score += 1
    for flag in cond.flags:
        val = _flag_value(facts, flag)
        if val is None:
            continue
        if not val:
            return None
        score += 1
    for circ in facts.circumstances:
        if circ and (circ in cond.text or (cond.text and cond.text in circ) or _bigram_sim(circ, cond.text) >= 0.6):
            score += 2
    return score or None


def band_score(band: BenchmarkBand, facts: CaseFacts) -> float | None:
    scores = [s for s in (condition_score(c, facts) for c in band.conditions) if s is not None]
    if not scores:
        return None
    return max(scores) - (0.5 if band.branch else 0.0)


def select_benchmark(facts: CaseFacts, benchmarks: Iterable[DiscretionBenchmark], *, min_text_match: float = 0.35,
                     day: date | None = None) -> tuple[DiscretionBenchmark | None, list[str], list[ExplanationStep]]:
    warnings: list[str] = []
    steps: list[ExplanationStep] = []
    pool = []
    for b in benchmarks:
        if facts.agency and b.agency and facts.agency != b.agency:
            continue
        pool.append(b)
    if facts.violation_code:
        cands = [b for b in pool if facts.violation_code in (b.violation_code, b.id)]
        how = f"按违法行为代码 {facts.violation_code} 匹配"
    else:
        scored = []
        for b in pool:
            conds = " ".join(x.conditions_text for x in b.bands)
            s = max(_bigram_sim(facts.violation_text, b.violation_name),
                    0.9 * _bigram_sim(facts.violation_text, b.violation_name + " " + conds),
                    1.0 if b.violation_name and b.violation_name in facts.violation_text else 0.0)
            if s >= min_text_match:
                scored.append((s, b))
        scored.sort(key=lambda x: -x[0])
        cands = [b for s, b in scored if s >= scored[0][0] - 1e-9] if scored else []
        how = f"按案情文字与违法行为名称的相似度匹配（{scored[0][0]:.2f}）" if scored else ""
    published = [b for b in cands if b.usable]
    for b in cands:
        if not b.usable:
            warnings.append(f"裁量基准“{b.violation_name}”（{b.id}）未记录公布日期，未公布的裁量基准不得作为依据")
    if day:
        in_force = [b for b in published if b.in_force_on(day)]
        if published and not in_force:
            warnings.append("匹配的裁量基准在违法行为发生日均不在有效期内，仍列出供参考")
        published = in_force or published
    if not published:
        return None, warnings, steps
    chosen = published[0]
    steps.append(ExplanationStep(
        "选择裁量基准", f"{how}：{chosen.agency}《{chosen.version}》{chosen.violation_code}“{chosen.violation_name}”"
        f"（公布日期 {chosen.published_at}{'，演示数据' if chosen.demo else ''}）",
        f"{chosen.source} {chosen.violation_code}；{SOURCES['公布']}"))
    return chosen, warnings, steps


def _version_steps(facts: CaseFacts, bm: DiscretionBenchmark, store, day: date, decision_day: date) -> tuple[list, list]:
    steps, warnings = [], []
    if store is None:
        warnings.append("未提供法条库，未核验处罚依据在违法行为发生时的版本")
        return steps, warnings
    from corpus.benchmarks import parse_citations  # lazy: corpus imports this package

    for c in parse_citations("\n".join(bm.penalty_provisions) or bm.legal_basis_text):
        lineage = store.resolve_lineage(c.law)
        if lineage is None:
            steps.append(ExplanationStep("适用版本", f"{c.text}不在法条库中，无法核验违法行为发生时的版本", SOURCES["从旧兼从轻"]))
            continue
        lk = store.article_on(lineage, c.number, c.suffix, day)
        text = f"违法行为发生日 {day}：{lk.message}"
        now = store.law_on(lineage, decision_day)
        if lk.reason == "in_force" and now is None:
            succ = next((x.successor_citation for x in bm.citations if x.citation == c.text and x.successor_citation), "")
            text += f"；作出决定时该法已废止{('，对应' + succ) if succ else ''}，如新规定处罚较轻或者不认为违法，适用新规定"
            warnings.append(f"{c.text}在作出决定时已废止，请按第三十七条比较新旧规定的轻重")
        elif lk.reason not in ("in_force",):
            warnings.append(lk.message)
        steps.append(ExplanationStep("适用版本", text, SOURCES["从旧兼从轻"]))
    return steps, warnings


def _first_offence_entry(bm: DiscretionBenchmark | None, facts: CaseFacts,
                         entries: Sequence[FirstOffenceEntry]) -> FirstOffenceEntry | None:
    best, score = None, 0.0
    target = bm.violation_name if bm else facts.violation_text
    for e in entries:
        s = _bigram_sim(target, e.violation_name)
        if s > score:
            best, score = e, s
    return best if score >= 0.5 else None


# --- the recommender --------------------------------------------------------------------------------
def recommend(facts: CaseFacts, benchmarks: Iterable[DiscretionBenchmark], store=None,
              peers: Sequence[float] | None = None, *, config: RecommenderConfig | None = None,
              first_offence_list: Sequence[FirstOffenceEntry] = ()) -> Recommendation:
    cfg = config or RecommenderConfig()
    benchmarks = list(benchmarks)
    decision_day = facts.decision_date or cfg.today or date.today()
    steps: list[ExplanationStep] = []
    warnings: list[str] = []

    bm, w, s = select_benchmark(facts, benchmarks, min_text_match=cfg.min_text_match, day=facts.violation_date)
    warnings += w
    steps += s

    # 1. 时效 and version ------------------------------------------------------------------------------
    end = facts.violation_end_date or facts.violation_date
    if end is None:
        warnings.append("未提供违法行为发生日期，无法核验时效（第三十六条）和适用版本（第三十七条）")
    else:
        harmed = facts.harm in ("slight", "moderate", "serious")
        years = 5 if facts.life_health_or_financial and harmed else 2
        found = facts.discovered_date or decision_day
        limit = _add_years(end, years)
        if found > limit:
            steps.append(ExplanationStep(
                "时效", f"违法行为终了于 {end}，至 {found} 才被发现，已超过{'五' if years == 5 else '二'}年，不再给予行政处罚",
                SOURCES["时效"]))
            return Recommendation("time_barred", benchmark=bm, explanation=tuple(steps), warnings=tuple(warnings),
                                  measures=("责令改正",))
        steps.append(ExplanationStep(
            "时效", f"违法行为{'终了' if facts.violation_end_date else '发生'}于 {end}，{found} 发现，"
            f"未超过{'五' if years == 5 else '二'}年追责期限", SOURCES["时效"]))
        if bm is not None:
            s2, w2 = _version_steps(facts, bm, store, facts.violation_date or end, decision_day)
            steps += s2
            warnings += w2

    # 2. 不予处罚 -------------------------------------------------------------------------------------
    no_penalty = _no_penalty(facts, bm, first_offence_list)
    if no_penalty is not None:
        factor, extra_steps, optional = no_penalty
        steps += extra_steps
        steps.append(ExplanationStep("处理", "不予行政处罚，对当事人进行教育，并责令改正违法行为",
                                     f"{SOURCES['教育']}；{SOURCES['责令改正']}"))
        return Recommendation("no_penalty", benchmark=bm, proposed=0.0, factors=(factor,),
                              measures=("教育", "责令改正"), optional_no_penalty=optional,
                              explanation=tuple(steps), warnings=tuple(warnings))
    if facts.first_offence and facts.harm in ("none", "slight") and facts.corrected and \
            not facts.apply_first_offence_exemption:
        steps.append(ExplanationStep("首违不罚", "符合首违不罚条件，但承办人决定不适用（可以不予处罚属于裁量）",
                                     FACTORS_BY_CODE["P33-FIRST"].legal_source))

    if bm is None:
        warnings.append("没有找到匹配且已公布的裁量基准，请指定违法行为代码或导入裁量基准")
        return Recommendation("no_benchmark", explanation=tuple(steps), warnings=tuple(warnings),
                              measures=("责令改正",))

    rec = _penalty(facts, bm, cfg, steps, warnings)

    # 7b. 第二十九条: one fine per act, the higher rule wins
    if facts.additional_violation_codes:
        alts = [rec]
        for code in facts.additional_violation_codes:
            other = recommend(replace(facts, violation_code=code, additional_violation_codes=()), benchmarks, store,
                              config=cfg, first_offence_list=first_offence_list)
            if other.outcome == "penalty":
                alts.append(other)
        best = max(alts, key=lambda r: ((r.stat_max or r.band_max or 0), r.proposed or 0))
        names = "、".join(f"{r.benchmark.violation_code}（法定上限{_yuan(r.stat_max)}）" for r in alts if r.benchmark)
        step = ExplanationStep("一事不再罚", f"同一违法行为违反多个规定（{names}），只给予一次罚款，"
                               f"按罚款数额高的 {best.benchmark.violation_code} 处罚", SOURCES["一事不再罚"])
        rec = replace(best, explanation=best.explanation + (step,))
    else:
        rec = replace(rec, explanation=rec.explanation + (ExplanationStep(
            "一事不再罚", "对同一违法行为只给予一次罚款", SOURCES["一事不再罚"]),))

    # 8. hearing / review -------------------------------------------------------------------------------
    rec = _flags(rec, facts, cfg)
    # 9. peers ------------------------------------------------------------------------------------------
    if peers and rec.proposed is not None:
        rec = _peers(rec, peers)
    return rec


def _no_penalty(facts: CaseFacts, bm: DiscretionBenchmark | None, entries: Sequence[FirstOffenceEntry]):
    f = FACTORS_BY_CODE
    if facts.party_type == "natural_person" and facts.age is not None and facts.age < 14:
        return f["P30-UNDER14"], [ExplanationStep("不予处罚", f"当事人违法时{facts.age}周岁，不满十四周岁，不予处罚，责令监护人加以管教",
                                                  f["P30-UNDER14"].legal_source)], False
    if facts.mental_capacity == "none":
        return f["P31-INCAPABLE"], [ExplanationStep("不予处罚", "当事人在不能辨认或者不能控制自己行为时实施违法行为，不予处罚，责令监护人严加看管和治疗",
                                                    f["P31-INCAPABLE"].legal_source)], False
    if facts.no_fault:
        return f["P33-NOFAULT"], [ExplanationStep("不予处罚", "当事人有证据足以证明没有主观过错，不予处罚（法律、行政法规另有规定的除外）",
                                                  f["P33-NOFAULT"].legal_source)], False
    if facts.minor_violation and facts.corrected and facts.harm == "none":
        return f["P33-MINOR"], [ExplanationStep("不予处罚", "违法行为轻微并及时改正，没有造成危害后果，应当不予处罚",
                                                f["P33-MINOR"].legal_source)], False
    if facts.first_offence and facts.corrected and facts.harm in ("none", "slight") and facts.apply_first_offence_exemption:
        entry = _first_offence_entry(bm, facts, entries)
        src = f["P33-FIRST"].legal_source
        text = "初次违法且危害后果轻微并及时改正，可以不予处罚（首违不罚，属裁量，承办人可决定不适用）"
        if entry is not None:
            text += f"；该行为列入{entry.agency}《{entry.list_name}》第{entry.seq}项“{entry.violation_name}”"
            src += f"；{entry.list_name} 第{entry.seq}项"
        elif bm is not None:
            nb = next((b for b in bm.bands if b.level == "不予处罚"), None)
            if nb is not None:
                text += f"；裁量基准设有不予处罚档次：{nb.conditions_text}"
                src += f"；{nb.source_row or bm.id}"
        return f["P33-FIRST"], [ExplanationStep("首违不罚", text, src)], True
    return None


def _penalty(facts: CaseFacts, bm: DiscretionBenchmark, cfg: RecommenderConfig, steps: list, warnings: list
             ) -> Recommendation:
    bands = [b for b in bm.bands if b.level != "不予处罚"]
    band: BenchmarkBand | None = None
    if facts.band:
        band = next((b for b in bands if b.level == facts.band), None)
        if band is None:
            warnings.append(f"裁量基准中没有档次“{facts.band}”，改为按情节自动匹配")
        else:
            steps.append(ExplanationStep("选择档次", f"承办人选定档次“{band.level}”：{band.conditions_text}",
                                         band.source_row or bm.id))
    if band is None:
        scored = [(band_score(b, facts), b) for b in bands]
        scored = [(s, b) for s, b in scored if s is not None]
        if scored:
            top = max(s for s, _ in scored)
            best = [b for s, b in scored if s == top]
            band = min(best, key=lambda b: b.order)
            if len(best) > 1:
                warnings.append(f"多个档次同等匹配（{'、'.join(b.level for b in best)}），取较轻的档次“{band.level}”，请承办人核对")
            steps.append(ExplanationStep("选择档次", f"案件情节与档次“{band.level}”的条件最具体地相符：{band.conditions_text}",
                                         band.source_row or bm.id))
        elif len(bands) == 1:
            band = bands[0]
            steps.append(ExplanationStep("选择档次", f"裁量基准只有一个档次：{band.conditions_text}", band.source_row or bm.id))
    if band is None:
        warnings.append("无法根据已知情节确定档次，请承办人补充情节（数量、次数等）或选定档次：" +
                        "；".join(f"{b.level}：{b.conditions_text.splitlines()[0] if b.conditions_text else ''}" for b in bands))
        return Recommendation("needs_band", benchmark=bm, unit=bm.fine_unit, stat_min=bm.stat_min if bm.fine_unit == CNY else None,
                              stat_max=bm.stat_max if bm.fine_unit == CNY else None, explanation=tuple(steps),
                              warnings=tuple(warnings), measures=("责令改正",))

    # amounts in CNY ---------------------------------------------------------------------------------
    unit = band.unit
    base_name = BASE_OF_UNIT.get(unit)
    base = 1.0
    if base_name:
        v = facts.quantity(base_name)
        if v is None:
            warnings.append(f"该档次罚款按{base_name}计算（{unit}），请录入经证据证明的{base_name}金额")
            return Recommendation("needs_quantity", benchmark=bm, band=band, unit=unit, base_quantity=base_name,
                                  explanation=tuple(steps), warnings=tuple(warnings), measures=("责令改正",))
        base = v
        ev = facts.quantity_evidence.get(base_name)
        steps.append(ExplanationStep("计算基数", f"{base_name}为{_yuan(v)}" + (f"（证据：{'、'.join(ev)}）" if ev else "（未关联证据）"),
                                     band.source_row or bm.id))
        if not ev:
            warnings.append(f"{base_name}未关联证据，计算基数须有证据证明")

    def cny(x: float | None) -> float | None:
        return None if x is None else round(x * base, 2)

    if bm.fine_unit == unit:
        stat_min, stat_max = cny(bm.stat_min), cny(bm.stat_max)
    else:  # mixed-unit article (货值不足一万元的…；一万元以上的…倍): the band's own range is the statutory branch
        stat_min, stat_max = cny(band.min), cny(band.max)
    band_min, band_max = cny(band.min), cny(band.max)
    types = band.penalty_types or bm.penalty_types
    measures = tuple(dict.fromkeys(("责令改正",) + band.measures))
    if band_min is None:  # a band without a fine (警告, 责令停业 …)
        steps.append(ExplanationStep("处罚种类", f"该档次处罚：{band.standard_text or '、'.join(types)}", band.source_row or bm.id))
        return Recommendation("penalty", benchmark=bm, band=band, unit=unit, penalty_types=types, measures=measures,
                              explanation=tuple(steps), warnings=tuple(warnings), stat_min=stat_min, stat_max=stat_max)
    if band_max is None:
        band_max = stat_max if stat_max is not None else band_min
    steps.append(ExplanationStep(
        "档次幅度", f"档次“{band.level}”幅度 {_yuan(band_min)}至{_yuan(band_max)}"
        + (f"（{band.min:g}–{band.max:g} × {base_name}）" if base_name and band.max is not None else "")
        + f"；法定幅度 {_yuan(stat_min)}至{_yuan(stat_max)}", band.source_row or bm.id))

    # 4./5. factors -----------------------------------------------------------------------------------
    applied: list[DiscretionFactor] = []
    codes = list(dict.fromkeys(facts.factors))
    if facts.party_type == "natural_person" and facts.age is not None and 14 <= facts.age < 18:
        codes.append("P30-MINOR")
    if facts.mental_capacity == "limited":
        codes.append("P31-LIMITED")
    listed = {f.code: f for f in bm.factors}
    lighter, heavier = [], []
    for code in dict.fromkeys(codes):
        factor = listed.get(code) or FACTORS_BY_CODE.get(code)
        if factor is None:
            warnings.append(f"未知的裁量因素代码：{code}")
            continue
        ev = facts.factor_evidence.get(code)
        evtxt = f"（证据：{'、'.join(ev)}）" if ev else ""
        if factor.effect == "从重":
            if code not in listed and code != "P49-EMERGENCY":
                steps.append(ExplanationStep("从重", f"“{factor.text}”未被本裁量基准列为从重情节，不予从重",
                                             f"{SOURCES['未公布不得作为依据']}；{SOURCES['公布']}"))
                continue
            heavier.append(factor)
        elif factor.effect in ("从轻", "减轻"):
            lighter.append(factor)
        else:
            continue
        applied.append(factor)
        if factor.evidence_required and not ev:
            warnings.append(f"裁量因素“{factor.text}”需要证据：{factor.evidence_required}")
        steps.append(ExplanationStep(factor.effect, f"{factor.text}{evtxt}"
                                     + ("（应当）" if factor.mandatory and factor.kind == "法定" else ""),
                                     factor.legal_source))

    mitigated = bool(lighter) and facts.prefer_mitigated and any(f.allows_mitigation or f.effect == "减轻" for f in lighter)
    p = 0.5
    for _ in lighter:
        p *= cfg.lighter_step
    for _ in heavier:
        p += (1 - p) * 0.5
    lo, hi = band_min, band_max
    if lighter and not heavier:
        range_min, range_max = lo, lo + (hi - lo) * 0.5
    elif heavier and not lighter:
        range_min, range_max = lo + (hi - lo) * 0.5, hi
    else:
        range_min, range_max = lo, hi
    proposed = lo + (hi - lo) * p
    if cfg.rounding and hi - lo >= cfg.rounding:
        proposed = round(proposed / cfg.rounding) * cfg.rounding
    proposed = min(max(proposed, range_min), range_max)
    steps.append(ExplanationStep(
        "计算", f"档次内位置 p = 0.5 × {cfg.lighter_step:g}^{len(lighter)}（从轻）" + ("，每个从重 p += (1−p)×0.5" if heavier else "")
        + f" = {p:.3f}；建议 {_yuan(lo)} + ({_yuan(hi)} − {_yuan(lo)}) × p ≈ {_yuan(proposed)}", SOURCES["过罚相当"]))

    if mitigated:
        if stat_min:
            range_min, range_max = round(stat_min * cfg.mitigation_floor, 2), stat_min
            proposed = round((range_min + range_max) / 2, 2)
            if cfg.rounding and range_max - range_min >= cfg.rounding:
                proposed = round(proposed / cfg.rounding) * cfg.rounding
            proposed = min(max(proposed, range_min), range_max)
            steps.append(ExplanationStep(
                "减轻", f"适用减轻处罚：在法定最低限额{_yuan(stat_min)}以下裁量，下限按法定最低额的{cfg.mitigation_floor:.0%}"
                f"（可配置），建议{_yuan(proposed)}", "、".join(dict.fromkeys(f.legal_source for f in lighter))))
        else:
            types = ("警告",)
            range_min = range_max = proposed = 0.0
            steps.append(ExplanationStep("减轻", "法定罚款没有下限，减轻处罚改处较轻的处罚种类（警告），请核对法律是否规定警告",
                                         "、".join(dict.fromkeys(f.legal_source for f in lighter))))
            warnings.append("减轻处罚改为警告：请确认处罚依据规定了警告")
    else:
        # 6. clamp to the statutory range
        clamped = proposed
        if stat_max is not None:
            clamped = min(clamped, stat_max)
            range_max = min(range_max, stat_max)
        if stat_min is not None:
            clamped = max(clamped, stat_min)
            range_min = max(range_min, stat_min)
        if clamped != proposed:
            steps.append(ExplanationStep("法定幅度", f"建议额{_yuan(proposed)}超出法定幅度，调整为{_yuan(clamped)}",
                                         "、".join(bm.penalty_provisions) or bm.id))
            proposed = clamped

    # 7. confiscation -------------------------------------------------------------------------------------
    accessories = list(a for a in bm.accessories if a not in measures and a != "没收违法所得")
    gains = facts.quantity("违法所得")
    confiscation = None
    if gains and gains > 0:
        confiscation = gains
        accessories.append(f"没收违法所得{_yuan(gains)}")
        steps.append(ExplanationStep("没收违法所得", f"当事人有违法所得{_yuan(gains)}，除依法应当退赔的外予以没收",
                                     SOURCES["没收违法所得"]))
    elif "没收违法所得" in bm.accessories or "没收违法所得" in types:
        warnings.append("处罚依据规定没收违法所得，请查明并录入违法所得金额（无违法所得的应记录）")
    return Recommendation(
        "penalty", benchmark=bm, band=band, unit=unit, base_quantity=base_name, base_value=base if base_name else None,
        stat_min=stat_min, stat_max=stat_max, band_min=band_min, band_max=band_max,
        range_min=round(range_min, 2), range_max=round(range_max, 2), proposed=round(proposed, 2),
        penalty_types=tuple(types), accessories=tuple(accessories), measures=measures, factors=tuple(applied),
        lighter=bool(lighter) and not mitigated, mitigated=mitigated, heavier=bool(heavier),
        explanation=tuple(steps), warnings=tuple(warnings), confiscation=confiscation)


def _flags(rec: Recommendation, facts: CaseFacts, cfg: RecommenderConfig) -> Recommendation:
    hearing: list[str] = []
    src = SOURCES["听证"]
    if rec.outcome == "penalty":
        if rec.proposed:
            if cfg.hearing_thresholds and facts.party_type in cfg.hearing_thresholds:
                t = cfg.hearing_thresholds[facts.party_type]
                if rec.proposed >= t:
                    hearing.append(f"较大数额罚款（{_yuan(rec.proposed)} ≥ 本机关标准{_yuan(t)}），{src}第一款第（一）项")
            else:
                rec = replace(rec, warnings=rec.warnings + ("未配置听证“较大数额罚款”标准，无法判断是否告知听证权利",))
        if rec.confiscation and cfg.confiscation_thresholds and facts.party_type in cfg.confiscation_thresholds:
            t = cfg.confiscation_thresholds[facts.party_type]
            if rec.confiscation >= t:
                hearing.append(f"没收较大数额违法所得（≥{_yuan(t)}），{src}第一款第（二）项")
        for t in rec.penalty_types:
            if t in ("吊销许可证件", "降低资质等级"):
                hearing.append(f"{t}，{src}第一款第（三）项")
            if t in ("责令停产停业", "责令关闭", "限制从业"):
                hearing.append(f"{t}，{src}第一款第（四）项")
        if rec.band and rec.band.hearing_trigger:
            hearing.append(f"裁量基准规定该档次告知听证（{rec.band.source_row}）")
    review: list[str] = []
    if rec.outcome == "penalty":
        for rule in cfg.review_rules:
            hit = (rule.when_hearing and hearing) or (rule.min_amount is not None and (rec.proposed or 0) >= rule.min_amount) \
                or any(t in rule.penalty_types for t in rec.penalty_types)
            if hit:
                review.append(f"{rule.text}（{rule.source}）")
        if rec.band and rec.band.review_trigger:
            review.append(f"裁量基准规定该档次须法制审核（{rec.band.source_row}）")
    steps = rec.explanation
    if hearing:
        steps += (ExplanationStep("听证", "应当告知听证权利：" + "；".join(hearing), src),)
    if review:
        steps += (ExplanationStep("法制审核", "应当进行法制审核：" + "；".join(review), SOURCES["法制审核"]),)
    return replace(rec, hearing_required=bool(hearing), hearing_reasons=tuple(hearing), review_required=bool(review),
                   review_reasons=tuple(review), explanation=steps)


def _percentile(sorted_vals: list[float], q: float) -> float:
    if len(sorted_vals) == 1:
        return sorted_vals[0]
    k = (len(sorted_vals) - 1) * q
    f = int(k)
    c = min(f + 1, len(sorted_vals) - 1)
    return sorted_vals[f] + (sorted_vals[c] - sorted_vals[f]) * (k - f)


def _peers(rec: Recommendation, peers: Sequence[float]) -> Recommendation:
    vals = sorted(float(x) for x in peers)
    p10, p50, p90 = (_percentile(vals, q) for q in (0.1, 0.5, 0.9))
    rank = sum(1 for v in vals if v <= rec.proposed) / len(vals) * 100
    stats = {"n": len(vals), "p10": p10, "p50": p50, "p90": p90, "percentile": round(rank, 1)}
    text = f"同类案件（同一违法行为、同一档次）{len(vals)}件：中位数{_yuan(p50)}，10–90分位 {_yuan(p10)}–{_yuan(p90)}；建议额位于第{rank:.0f}百分位"
    warnings = rec.warnings
    if rec.proposed < p10 or rec.proposed > p90:
        warnings += (f"建议额{_yuan(rec.proposed)}在同类案件10–90分位区间之外，请说明理由（确保执法尺度统一）",)
    return replace(rec, peer_stats=stats, warnings=warnings,
                   explanation=rec.explanation + (ExplanationStep("同类案件", text, "同类案件统计"),))


# --- checks -----------------------------------------------------------------------------------------
def check_proposed(amount: float, rec: Recommendation) -> list[Finding]:
    """Findings on a penalty amount the officer proposes (review item: 裁量适当)."""
    out: list[Finding] = []
    prov = "、".join(rec.benchmark.penalty_provisions) if rec.benchmark else ""
    if rec.outcome == "time_barred" and amount > 0:
        out.append(Finding("time_barred", "error", "违法行为已超过追责时效，不得给予行政处罚", SOURCES["时效"]))
    if rec.outcome == "no_penalty" and amount > 0:
        sev = "warning" if rec.optional_no_penalty else "error"
        src = rec.factors[0].legal_source if rec.factors else SOURCES["教育"]
        out.append(Finding("no_penalty", sev, "案件符合不予处罚的条件" + ("（可以不予处罚，需说明不适用的理由）" if rec.optional_no_penalty
                                                                 else "，不得处以罚款"), src))
    if amount < 0:
        out.append(Finding("negative", "error", "罚款数额不能为负数", ""))
    if rec.stat_max is not None and amount > rec.stat_max + 0.005:
        out.append(Finding("above_statutory_max", "error",
                           f"拟罚款{_yuan(amount)}超过法定最高限额{_yuan(rec.stat_max)}", prov))
    if rec.stat_min is not None and amount < rec.stat_min - 0.005 and rec.outcome == "penalty" and not rec.mitigated:
        out.append(Finding("below_statutory_min", "error",
                           f"拟罚款{_yuan(amount)}低于法定最低限额{_yuan(rec.stat_min)}，且未认定减轻处罚情节", prov))
    if rec.band_min is not None and rec.band_max is not None and rec.outcome == "penalty" and not rec.mitigated:
        if amount < rec.band_min - 0.005 or amount > rec.band_max + 0.005:
            out.append(Finding("outside_band", "warning",
                               f"拟罚款{_yuan(amount)}不在裁量档次“{rec.band.level}”{_yuan(rec.band_min)}至{_yuan(rec.band_max)}之内，需说明理由",
                               rec.band.source_row if rec.band else ""))
        elif rec.range_min is not None and rec.range_max is not None and not (
                rec.range_min - 0.005 <= amount <= rec.range_max + 0.005):
            out.append(Finding("outside_recommended", "warning",
                               f"拟罚款{_yuan(amount)}不在考虑从轻/从重情节后的建议区间{_yuan(rec.range_min)}至{_yuan(rec.range_max)}内",
                               SOURCES["过罚相当"]))
    if rec.peer_stats and rec.outcome == "penalty":
        if amount < rec.peer_stats["p10"] or amount > rec.peer_stats["p90"]:
            out.append(Finding("peer_outlier", "warning", "拟罚款在同类案件10–90分位区间之外", "同类案件统计"))
    return out

"""Defect-detection benchmark of the automatic 法制审核 checklist (assistant/checklist.py).

    .venv/bin/python bench/review_defects.py [--statute-db PATH] [--json] [--show]

Clean 决定书: tests/fixtures/decisions/market_expired_food.txt plus variants derived from it with
party, amounts and dates changed consistently (食品安全法 第三十四条 + 第一百二十四条, goods value
under 1万 → fine 5万–10万; 价格法 第十三条 + 第四十二条 → fine ≤ 5000). Each clean draft is run with
the structured case data a real case would have (:class:`ReviewContext`: two handlers, a separate
reviewer, the notice fine, the selected band, the agency's hearing threshold); then one defect is
injected at a time. A defect is *detected* when its checklist item gets a ``fail``; a *false alarm*
is any ``fail`` on a clean draft. Targets: detection ≥ 95 %, false alarms ≤ 5 %.
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path

from assistant.checklist import FAIL, ReviewContext, run_checklist

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "decisions" / "market_expired_food.txt"
BIG = {2000: "贰仟元整", 3000: "叁仟元整", 5000: "伍仟元整", 8000: "捌仟元整", 50000: "伍万元整",
       60000: "陆万元整", 70000: "柒万元整", 80000: "捌万元整", 90000: "玖万元整", 150000: "壹拾伍万元整",
       200000: "贰拾万元整"}
FOOD = ("《中华人民共和国食品安全法》第三十四条第（十）项", "《中华人民共和国食品安全法》第一百二十四条第一款第（五）项")
PRICE = ("《中华人民共和国价格法》第十三条第一款", "《中华人民共和国价格法》第四十二条")


def _d(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass(frozen=True)
class Base:
    name: str
    text: str
    party: str
    fine: int
    filed_on: date
    statutory_max: int
    band: tuple[int, int]
    law: str  # food | price


@dataclass
class Sample:
    base: str
    defect: str | None
    item: str | None
    text: str
    ctx: ReviewContext


@dataclass
class Derived:
    name: str
    agency: str
    gov: str
    court: str
    code: str
    party: str
    address: str
    rep: str
    filed: date
    law: str
    fine: int
    goods: int = 0
    gains: float = 0.0
    detail: str = ""
    extra: dict = field(default_factory=dict)


def _derived_text(v: Derived) -> str:
    violation = v.filed - timedelta(days=10)
    complaint = v.filed - timedelta(days=2)
    notice = v.filed + timedelta(days=30)
    decided = v.filed + timedelta(days=45)
    if v.law == "food":
        facts = (f"经查，{_d(violation)}，当事人在其经营场所销售超过保质期的{v.detail}，货值金额共计{v.goods}元，"
                 f"违法所得{v.gains:g}元。")
        cause = "销售超过保质期的食品"
        violated, penalty = FOOD
        penalties = f"1.没收违法所得{v.gains:g}元；\n2.罚款人民币{v.fine}元（{BIG[v.fine]}）。"
    else:
        facts = f"经查，{_d(violation)}，当事人在其经营场所销售{v.detail}未按规定明码标价。"
        cause = "未按规定明码标价"
        violated, penalty = PRICE
        penalties = f"罚款人民币{v.fine}元（{BIG[v.fine]}）。"
    return (
        f"{v.agency}\n行政处罚决定书\n{v.code}〔{v.filed.year}〕{v.filed.strftime('%m%d')}号\n\n"
        f"当事人：{v.party}\n主体资格证照名称：营业执照\n统一社会信用代码：91440300MA5******\n住所：{v.address}\n法定代表人：{v.rep}\n\n"
        f"{_d(complaint)}，本局接到投诉，反映当事人{cause}。{_d(v.filed)}，本局依法对当事人立案调查。\n"
        f"{facts}\n"
        "上述事实，主要有以下证据证明：1.现场笔录；2.询问笔录；3.现场照片；4.销售凭证。\n"
        f"本局于{_d(notice)}向当事人送达了行政处罚事先告知书，告知当事人陈述、申辩和要求听证的权利，当事人在法定期限内未提出陈述、申辩，也未要求听证。\n"
        f"本局认为，当事人的上述行为违反了{violated}的规定。当事人系初次违法，属于一般违法情形。\n"
        f"依据{penalty}的规定，本局决定对当事人作出如下行政处罚：\n{penalties}\n"
        f"当事人应当自收到本决定书之日起十五日内，将罚款{v.fine}元缴至指定银行或者通过电子支付系统缴纳。逾期不缴纳罚款的，每日按罚款数额的百分之三加处罚款。\n"
        f"如不服本决定，可以在收到本决定书之日起六十日内向{v.gov}申请行政复议，或者在六个月内向{v.court}提起行政诉讼。行政复议和行政诉讼期间，本决定不停止执行。\n\n"
        f"{v.agency}\n{_d(decided)}\n（印章）\n"
    )


def bases() -> list[Base]:
    out = [Base("fixture", FIXTURE.read_text(encoding="utf-8"), "上海某某食品有限公司", 50000, date(2022, 3, 1),
                100000, (50000, 70000), "food")]
    variants = [
        Derived("food_gz", "广州市某区市场监督管理局", "广州市某区人民政府", "广州市某区人民法院", "穗某市监处罚",
                "广州某某便利店有限公司", "广州市某区某路8号", "陈某", date(2026, 3, 2), "food", 80000, 3200, 410.5,
                "牛奶共计80盒"),
        Derived("food_hz", "杭州市某区市场监督管理局", "杭州市某区人民政府", "杭州市某区人民法院", "杭某市监罚",
                "杭州某某超市有限公司", "杭州市某区某街12号", "刘某", date(2025, 11, 3), "food", 60000, 980, 120.0,
                "速冻水饺共计35袋"),
        Derived("price_cd", "成都市某区市场监督管理局", "成都市某区人民政府", "成都市某区人民法院", "成某市监罚",
                "成都某某百货有限公司", "成都市某区某大道66号", "杨某", date(2026, 4, 7), "price", 3000,
                detail="服装、鞋帽等商品共计46种"),
        Derived("price_wh", "武汉市某区市场监督管理局", "武汉市某区人民政府", "武汉市某区人民法院", "武某市监罚",
                "武汉某某家电销售有限公司", "武汉市某区某路3号", "黄某", date(2026, 5, 11), "price", 5000,
                detail="家用电器共计18种"),
    ]
    for v in variants:
        maxi, band = (100000, (50000, 70000) if v.fine <= 70000 else (70000, 100000)) if v.law == "food" else (5000, (2000, 5000))
        out.append(Base(v.name, _derived_text(v), v.party, v.fine, v.filed, maxi, band, v.law))
    return out


def clean_context(b: Base) -> ReviewContext:
    return ReviewContext(filed_on=b.filed_on, party_name=b.party, party_kind="法人或者其他组织", notice_fine=float(b.fine),
                         statement_window_closed=True, hearing_threshold=50000.0, band_label="一般",
                         band_min=float(b.band[0]), band_max=float(b.band[1]), handlers=["zhang3", "li4"],
                         handler_credentials_valid={"zhang3": True, "li4": True}, reviewer="sun_review",
                         reviewer_qualified=True, evidence_types=["现场笔录", "询问笔录"])


def _cut_line(text: str, start: str) -> str:
    return "\n".join(ln for ln in text.split("\n") if not ln.startswith(start))


def _set_fine(b: Base, new: int) -> str:
    big_old = "伍万元整" if b.name == "fixture" else BIG[b.fine]
    return b.text.replace(f"{b.fine}元（{big_old}）", f"{new}元（{BIG[new]}）").replace(f"罚款{b.fine}元", f"罚款{new}元")


def _decided_date_line(text: str) -> tuple[int, str]:
    lines = text.split("\n")
    import re

    for i in range(len(lines) - 1, -1, -1):
        if re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", lines[i].strip()):
            return i, lines[i]
    raise ValueError("no decision date line")


def inject(b: Base) -> list[Sample]:
    import re

    ctx = clean_context(b)
    violated = FOOD[0] if b.law == "food" else PRICE[0]
    violated_art = re.search(r"第[^条]+条", violated).group(0)
    out: list[Sample] = []

    def add(defect: str, item: str, text: str | None = None, c: ReviewContext | None = None) -> None:
        t = text if text is not None else b.text
        assert t != b.text or c is not None, f"{b.name}/{defect}: injection changed nothing"
        out.append(Sample(b.name, defect, item, t, c or ctx))

    add("缺第五十九条事项：救济途径", "文书规范齐备", _cut_line(b.text, "如不服"))
    add("缺第五十九条事项：履行方式和期限", "文书规范齐备", _cut_line(b.text, "当事人应当自收到本决定书之日起"))
    add("诉讼期限六个月→三个月", "文书规范齐备", b.text.replace("六个月", "三个月"))
    add("复议期限六十日→十五日", "文书规范齐备", b.text.replace("六十日", "十五日"))
    add("引用已被修改的条文（大气污染防治法第九十九条，2026年9月违法）", "适用法律准确",
        b.text.replace(violated, "《中华人民共和国大气污染防治法》第九十九条"),
        replace(ctx, violation_date=date(2026, 9, 15), filed_on=None))
    add("虚构条文（第九百九十九条）", "适用法律准确", b.text.replace(violated, violated.replace(violated_art, "第九百九十九条")))
    over = 150000 if b.law == "food" else 8000
    add("罚款超过法定上限", "裁量基准适当", _set_fine(b, over),
        replace(ctx, notice_fine=float(over), band_min=float(over), band_max=float(over)))
    add("罚款超出所选裁量档次", "裁量基准适当", c=replace(ctx, band_label="从轻", band_min=float(b.band[0]) / 2,
                                                     band_max=float(b.fine) - 1))
    add("决定重于事先告知", "裁量基准适当", c=replace(ctx, notice_fine=float(b.fine) * 0.8))
    i, line = _decided_date_line(b.text)
    late = b.filed_on + timedelta(days=100)
    lines = b.text.split("\n")
    lines[i] = _d(late)
    add("超过九十日办案期限", "程序合法", "\n".join(lines))
    add("承办人即审核人员", "人员资格", c=replace(ctx, reviewer="zhang3"))
    if b.fine >= (ctx.hearing_threshold or 0):
        no_hearing = re.sub(r"[，,]?(?:也)?未要求听证", "", b.text).replace("和要求听证的权利", "的权利")
        add("达到听证标准未告知听证", "程序合法", no_hearing)
    other = b.party.replace("有限公司", "商贸有限公司") if "有限公司" in b.party else b.party + "商店"
    add("当事人名称前后不一致", "事实清楚",
        re.sub(r"(经查，[^，]*，)当事人", rf"\1当事人{other}", b.text, count=1))
    wrong = b.fine + (10000 if b.law == "food" else 1000)
    if f"罚款{b.fine}元" in b.text:
        amt = b.text.replace(f"罚款{b.fine}元", f"罚款{wrong}元")
    else:
        amt = b.text.replace("将罚没款缴至", f"将罚款{wrong}元缴至")
    add("罚款金额前后不一致", "事实清楚", amt)
    return out


def run(store) -> dict:
    clean_rows, defect_rows = [], []
    for b in bases():
        findings = run_checklist(b.text, store, clean_context(b))
        fails = [f"{f.item}：{f.message}" for f in findings if f.status == FAIL]
        clean_rows.append({"base": b.name, "fails": fails})
        for s in inject(b):
            findings = run_checklist(s.text, store, s.ctx)
            hit = [f.message for f in findings if f.status == FAIL and f.item == s.item]
            defect_rows.append({"base": b.name, "defect": s.defect, "item": s.item, "detected": bool(hit),
                                "evidence": hit[:1]})
    by_defect: dict[str, list[bool]] = {}
    for r in defect_rows:
        by_defect.setdefault(r["defect"], []).append(r["detected"])
    detected = sum(r["detected"] for r in defect_rows)
    false = sum(bool(r["fails"]) for r in clean_rows)
    return {"defects": defect_rows, "clean": clean_rows, "by_defect": by_defect,
            "detection_rate": detected / len(defect_rows), "false_alarm_rate": false / len(clean_rows),
            "n_defects": len(defect_rows), "n_clean": len(clean_rows)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--statute-db", help="法条库（默认 settings.statute_db）")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--show", action="store_true", help="列出每个样本")
    args = ap.parse_args(argv)
    from assistant.settings import load_settings
    from corpus.statutes import StatuteStore

    path = Path(args.statute_db) if args.statute_db else load_settings().statute_db
    if not path.exists():
        print(f"错误：法条库不存在：{path}（先运行 zhifa statutes build）", file=sys.stderr)
        return 2
    res = run(StatuteStore(path))
    if args.json:
        json.dump(res, sys.stdout, ensure_ascii=False, indent=2, default=str)
        return 0
    print(f"{'缺陷类别':<44}{'检出':>8}")
    for defect, hits in res["by_defect"].items():
        print(f"{defect:<44}{sum(hits):>4}/{len(hits)}")
    print(f"\n检出率 {res['detection_rate']:.1%}（{sum(r['detected'] for r in res['defects'])}/{res['n_defects']}，目标 ≥95%）")
    print(f"误报率 {res['false_alarm_rate']:.1%}（{sum(bool(r['fails']) for r in res['clean'])}/{res['n_clean']} 份无缺陷文书出现 fail，目标 ≤5%）")
    for r in res["clean"]:
        for f in r["fails"]:
            print(f"  误报 {r['base']}：{f}")
    for r in res["defects"]:
        if args.show or not r["detected"]:
            print(f"  {'检出' if r['detected'] else '漏检'} {r['base']} / {r['defect']} {r['evidence']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

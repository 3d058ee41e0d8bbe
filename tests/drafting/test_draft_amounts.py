"""大写 amounts and amount parsing, as written on 决定书."""
from decimal import Decimal

import pytest

from assistant.amounts import daxie, parse_amount, wan, yuan
from corpus.penalty_ranges import parse_ranges
from assistant.errors import InputError


@pytest.mark.parametrize("value, expected", [
    (50000, "伍万元整"),
    ("1234.56", "壹仟贰佰叁拾肆元伍角陆分"),
    (100000, "壹拾万元整"),
    (150000, "壹拾伍万元整"),
    (1005, "壹仟零伍元整"),
    (10010, "壹万零壹拾元整"),
    (100000001, "壹亿零壹元整"),
    (20000000, "贰仟万元整"),
    (10.05, "壹拾元零伍分"),
    (0.5, "伍角"),
    (0, "零元整"),
])
def test_daxie(value, expected):
    assert daxie(value) == expected


@pytest.mark.parametrize("text, expected", [
    ("50000", 50000), ("50,000元", 50000), ("5万元", 50000), ("人民币伍万元整", 50000),
    ("壹仟贰佰叁拾肆元伍角陆分", Decimal("1234.56")), ("十万", 100000),
])
def test_parse_amount_round_trips(text, expected):
    assert parse_amount(text) == Decimal(expected)


def test_daxie_parses_back():
    for v in (1, 19, 305, 4007, 60000, 1234567, Decimal("88.08")):
        assert parse_amount(daxie(v)) == Decimal(v)


def test_bad_amounts_are_input_errors():
    with pytest.raises(InputError):
        parse_amount("若干元")
    with pytest.raises(InputError):
        daxie(-5)


def test_formats():
    assert yuan(150000) == "150000元" and yuan("12.5") == "12.50元"
    assert wan(80000) == "8 万元" and wan(1500) == "1500 元"


def test_statutory_ranges_read_from_penalty_provision():
    text = "并处十万元以上一百万元以下的罚款；情节严重的，处二万元以上二十万元以下罚款；货值金额十倍以上二十倍以下罚款"
    ranges = parse_ranges(text)
    assert [(r.low, r.high) for r in ranges if r.unit == "元"] == [(100000, 1000000), (20000, 200000)]
    multiple = parse_ranges("并处货值金额十倍以上二十倍以下罚款")
    assert [(r.low, r.high, r.unit, r.base) for r in multiple] == [(10, 20, "倍", "货值金额")]

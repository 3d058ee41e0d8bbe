"""Reading real-world style 决定书 into fields; what cannot be found is reported, not guessed."""
from datetime import date
from pathlib import Path

import docx
import pytest

from assistant.errors import InputError
from corpus.decisions import parse_amount, parse_decision, read_document_text
from corpus.penalty_ranges import statutory_fine_range

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "decisions" / "market_expired_food.txt"


def test_fields_of_a_published_style_decision():
    d = parse_decision(FIXTURE.read_text(encoding="utf-8"))
    assert d.document_no == "沪市监某处〔2022〕3101052022000123号"
    assert d.agency == "上海市某区市场监督管理局"
    assert d.party_kind == "法人或者其他组织"
    assert d.filed_on == date(2022, 3, 1) and d.decided_on == date(2022, 4, 20)
    assert d.violation_date == date(2022, 2, 20)
    assert d.fine == 50000 and d.confiscation == 16.9 and d.goods_value == 156
    assert d.penalty_types == ["罚款", "没收违法所得"]
    assert "第三十四条" in d.violated_text and "第一百二十四条" in d.penalty_text
    assert d.band == "一般"
    assert d.missing == []


def test_missing_fields_are_reported_not_guessed():
    d = parse_decision("某某局\n行政处罚决定书\n当事人：张三\n经查，当事人于2026年1月2日占道经营。\n")
    assert "文号" in d.missing and "处罚依据" in d.missing and "处罚种类" in d.missing
    assert d.fine is None


@pytest.mark.parametrize("text,wan,expected", [("50,000", None, 50000), ("5", "万", 50000), ("五万", None, 50000),
                                               ("伍万元整", None, 50000), ("壹仟贰佰叁拾肆元伍角陆分", None, 1234.56),
                                               ("1.5", "万", 15000)])
def test_amounts_in_every_written_form(text, wan, expected):
    assert parse_amount(text, wan) == pytest.approx(expected)


def test_messy_files(tmp_path):
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes(FIXTURE.read_text(encoding="utf-8").encode("gb18030"))
    assert "行政处罚决定书" in read_document_text(gbk)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="空"):
        read_document_text(empty)
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"PK\x03\x04 not really a docx")
    with pytest.raises(InputError, match="损坏"):
        read_document_text(broken)
    with pytest.raises(InputError, match="不支持"):
        read_document_text(tmp_path / "x.pdf") if (tmp_path / "x.pdf").write_bytes(b"%PDF") else None


def test_docx_decision_is_read_including_tables(tmp_path):
    document = docx.Document()
    for line in FIXTURE.read_text(encoding="utf-8").split("\n"):
        document.add_paragraph(line)
    path = tmp_path / "d.docx"
    document.save(path)
    assert parse_decision(read_document_text(path)).fine == 50000


def test_statutory_range_depends_on_goods_value():
    text = ("违法生产经营的食品、食品添加剂货值金额不足一万元的，并处五万元以上十万元以下罚款；"
            "货值金额一万元以上的，并处货值金额十倍以上二十倍以下罚款")
    assert statutory_fine_range(text, {"货值金额": 156})[:2] == (50000, 100000)
    assert statutory_fine_range(text, {"货值金额": 20000})[:2] == (200000, 400000)
    assert statutory_fine_range("经营者违反明码标价规定的，责令改正，没收违法所得，可以并处五千元以下的罚款。")[:2] == (0, 5000)
    assert statutory_fine_range("处建设工程造价百分之五以上百分之十以下的罚款", {"工程造价": 1_000_000})[:2] == (50000, 100000)
    # 建筑法 第六十五条 gives no amount: nothing is invented
    assert statutory_fine_range("处以罚款") is None

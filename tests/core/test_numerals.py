import pytest

from corpus.numerals import article_label, cn_to_int, int_to_cn, parse_article_no


@pytest.mark.parametrize("n", [1, 9, 10, 11, 19, 20, 21, 99, 100, 101, 105, 110, 124, 999, 1000, 1001, 1010, 1039, 1242, 9999])
def test_round_trip(n):
    assert cn_to_int(int_to_cn(n)) == n


def test_statute_forms():
    assert int_to_cn(124) == "一百二十四"
    assert int_to_cn(105) == "一百零五"
    assert int_to_cn(1242) == "一千二百四十二"
    assert int_to_cn(12) == "十二"
    assert article_label(17, 1) == "第十七条之一"
    assert parse_article_no("第十七条之一") == (17, 1)
    assert parse_article_no("第124条") == (124, 0)
    assert cn_to_int("两百") == 200


def test_malformed_numbers_are_refused():
    with pytest.raises(ValueError):
        cn_to_int("一百X")
    with pytest.raises(ValueError):
        parse_article_no("第一百二十四款")

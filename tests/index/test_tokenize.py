from index.tokenize import LegalTokenizer, expand_query, get_tokenizer, numbers_to_cn


def test_legal_terms_and_aliases_stay_whole():
    tok = get_tokenizer(("食安法", "中华人民共和国食品安全法"))
    toks = tok.tokenize("食安法规定没收违法所得，货值金额十倍以上，并责令改正")
    for term in ("食安法", "违法所得", "货值金额", "责令改正"):
        assert any(term in t for t in toks)  # search mode may also emit the longer compound
    assert "食安法" in toks and "货值金额" in toks


def test_stopwords_and_punctuation_removed():
    toks = get_tokenizer().tokenize("请问，饭店的过期面粉怎么处罚？")
    assert "请问" not in toks and "的" not in toks and "怎么" not in toks
    assert "，" not in toks and "？" not in toks


def test_arabic_numbers_also_give_chinese_numerals():
    assert "十五" in get_tokenizer().tokenize("15日内缴纳")
    assert numbers_to_cn("第124条") == "第一百二十四条"


def test_same_tokens_in_a_fresh_tokenizer():
    text = "销售超过保质期的食品，吊销许可证"
    assert LegalTokenizer(("食安法",)).tokenize(text) == get_tokenizer(("食安法",)).tokenize(text)


def test_colloquial_expansion_is_data_driven():
    expanded, added = expand_query("卖过期面包")
    assert "超过保质期" in added and expanded.startswith("卖过期面包")
    assert expand_query("行政处罚的种类")[1] == []

"""当事人 identifiers: 身份证号 (GB 11643) and 统一社会信用代码 (GB 32100) checksums."""
from __future__ import annotations

from datetime import date

import pytest

from assistant.errors import InputError
from assistant.parties import (PartyInput, credit_code_check_char, id_check_char, id_hash, mask_id_number,
                               validate_credit_code, validate_id_number)


def test_the_standard_example_id_number_is_valid_and_x_is_case_insensitive():
    assert validate_id_number("11010519491231002x") == "11010519491231002X"


def test_a_mistyped_id_number_fails_the_checksum_without_echoing_the_number():
    with pytest.raises(InputError) as err:
        validate_id_number("110105194912310021")
    assert "校验码" in err.value.message and "110105" not in err.value.message


@pytest.mark.parametrize("bad, words", [
    ("1101051949123100", "18位"),
    ("11010519491331002X", "出生日期"),
    ("1101051949123100AX", "格式"),
])
def test_id_number_length_birth_date_and_format(bad, words):
    with pytest.raises(InputError, match=words):
        validate_id_number(bad)


def test_an_id_number_born_in_the_future_is_refused():
    first17 = "11010520300101001"
    with pytest.raises(InputError, match="出生日期"):
        validate_id_number(first17 + id_check_char(first17), today=date(2026, 11, 22))


@pytest.mark.parametrize("code", ["91440300708461136T", "914403001922038216"])
def test_real_credit_codes_pass_the_gb32100_checksum(code):
    assert validate_credit_code(code.lower()) == code


def test_credit_code_checksum_and_forbidden_letters():
    first17 = "91110108MA01C2KX3"
    good = first17 + credit_code_check_char(first17)
    assert validate_credit_code(good) == good
    wrong = first17 + ("0" if good[-1] != "0" else "1")
    with pytest.raises(InputError, match="校验码"):
        validate_credit_code(wrong)
    with pytest.raises(InputError, match="不允许的字符“I”"):
        validate_credit_code("91110108MA01I2KX3" + "0")


def test_party_kind_decides_which_identifier_is_allowed():
    with pytest.raises(InputError, match="不填写身份证号"):
        PartyInput("法人", "某公司", id_number="11010519491231002X").validated()
    with pytest.raises(InputError, match="自然人不填写统一社会信用代码"):
        PartyInput("自然人", "张某", credit_code="91440300708461136T").validated()
    with pytest.raises(InputError, match="当事人类型"):
        PartyInput("个体户", "某店").validated()


def test_id_numbers_never_show_in_reprs_and_are_masked_and_hashed_with_salt():
    p = PartyInput("自然人", "张某", id_number="11010519491231002X")
    assert "11010519491231002X" not in repr(p)
    assert mask_id_number("11010519491231002X") == "110***********002X"
    assert id_hash("11010519491231002X", "a") != id_hash("11010519491231002X", "b")

"""ID numbers, credit codes and mobile numbers follow their standards exactly."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auth.validators import (
    ID_CHECK,
    USCC_CHARS,
    InvalidNumber,
    credit_code_checksum_ok,
    id_check_char,
    sex_of,
    uscc_check_char,
    validate_credit_code,
    validate_id_number,
    validate_mobile,
)

TODAY = dt.date(2026, 11, 25)

id_bodies = st.builds(
    lambda region, born, seq: f"{region}{born:%Y%m%d}{seq:03d}",
    st.sampled_from(["430202", "430203", "430204", "430211", "430221", "110105", "440524", "330106"]),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY),
    st.integers(0, 999),
)
uscc_bodies = st.builds(
    lambda head, region, org: head + region + org,
    st.sampled_from(["91", "92", "93", "11", "12", "51", "52", "Y1"]),
    st.sampled_from(["430200", "430202", "110000", "350100"]),
    st.text(alphabet=USCC_CHARS, min_size=9, max_size=9),
)


# --- resident ID numbers (GB 11643-1999) ---------------------------------------------------


@pytest.mark.parametrize("number", ["11010519491231002X", "440524188001010014"])
def test_the_examples_printed_in_the_standard_are_valid(number):
    assert validate_id_number(number, today=TODAY) == number


@given(id_bodies)
def test_any_body_with_its_computed_check_character_is_valid(body):
    number = body + id_check_char(body)
    assert validate_id_number(number, today=TODAY) == number


@given(id_bodies, st.sampled_from(ID_CHECK))
def test_any_other_check_character_is_refused_as_a_checksum_error(body, wrong):
    if wrong == id_check_char(body):
        wrong = ID_CHECK[(ID_CHECK.index(wrong) + 1) % 11]
    with pytest.raises(InvalidNumber, match="校验码错误"):
        validate_id_number(body + wrong, today=TODAY)


@given(id_bodies, st.integers(0, 16), st.integers(1, 9))
def test_changing_any_one_digit_is_detected(body, position, delta):
    number = body + id_check_char(body)
    digit = (int(number[position]) + delta) % 10
    changed = number[:position] + str(digit) + number[position + 1 :]
    with pytest.raises(InvalidNumber):
        validate_id_number(changed, today=TODAY)


def test_a_lower_case_x_is_accepted_and_returned_upper_case():
    assert validate_id_number("11010519491231002x", today=TODAY) == "11010519491231002X"


@pytest.mark.parametrize("born", ["19990230", "20011301", "19000000"])
def test_an_impossible_birth_date_is_refused(born):
    body = f"430202{born}123"
    with pytest.raises(InvalidNumber, match="出生日期无效"):
        validate_id_number(body + id_check_char(body), today=TODAY)


def test_a_birth_date_in_the_future_is_refused():
    body = "43020220261126123"
    with pytest.raises(InvalidNumber, match="出生日期无效"):
        validate_id_number(body + id_check_char(body), today=TODAY)


def test_an_unknown_province_code_is_refused():
    body = "99010519491231002"
    with pytest.raises(InvalidNumber, match="地区码无效"):
        validate_id_number(body + id_check_char(body), today=TODAY)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "18位"),
        ("4302021990010100", "18位"),
        ("430202199001010012", None),
        ("43020219900101001A", "数字"),
        ("430202900101001", "15位"),
    ],
)
def test_wrong_lengths_and_characters_say_what_is_wrong(value, message):
    with pytest.raises(InvalidNumber, match=message or "校验码"):
        validate_id_number(value, today=TODAY)


def test_the_sequence_code_gives_the_sex():
    assert sex_of("11010519491231002X") == "F"
    assert sex_of("440524188001010014") == "M"


# --- unified social credit codes (GB 32100-2015) ---------------------------------------------


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91110000600037341L"])
def test_published_credit_codes_are_valid(code):
    assert validate_credit_code(code) == code


@given(uscc_bodies)
def test_any_credit_code_body_with_its_check_character_is_valid(body):
    code = body + uscc_check_char(body)
    assert validate_credit_code(code) == code
    assert credit_code_checksum_ok(code)


@given(uscc_bodies, st.integers(0, 16), st.integers(1, 30))
def test_changing_any_one_character_of_a_credit_code_breaks_the_check(body, position, delta):
    code = body + uscc_check_char(body)
    replacement = USCC_CHARS[(USCC_CHARS.index(code[position]) + delta) % 31]
    changed = code[:position] + replacement + code[position + 1 :]
    assert not credit_code_checksum_ok(changed)


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
def test_letters_the_standard_leaves_out_are_refused_by_name(letter):
    with pytest.raises(InvalidNumber, match=f"无效字符：{letter}"):
        validate_credit_code("913501" + "00M00010" + letter + "Y43")


def test_a_wrong_check_character_is_refused_unless_only_the_form_is_asked_for():
    wrong = "91350100M000100Y44"
    with pytest.raises(InvalidNumber, match="校验码错误"):
        validate_credit_code(wrong)
    assert validate_credit_code(wrong, checksum=False) == wrong


def test_a_credit_code_with_letters_in_its_region_code_is_refused():
    body = "91AB0100M000100Y4"
    with pytest.raises(InvalidNumber, match="行政区划码"):
        validate_credit_code(body + uscc_check_char(body))


# --- mobile numbers ------------------------------------------------------------------------


@given(st.sampled_from("3456789"), st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_every_mainland_mobile_number_is_accepted(second, rest):
    number = "1" + second + rest
    assert validate_mobile(number) == number
    assert validate_mobile(f"+86 {number[:3]}-{number[3:7]}-{number[7:]}") == number


@pytest.mark.parametrize("value", ["12345678901", "1381234567", "138123456789", "abc", "", "02812345678"])
def test_other_numbers_are_refused(value):
    with pytest.raises(InvalidNumber):
        validate_mobile(value)

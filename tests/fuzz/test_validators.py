"""Properties of the number validators, checked by hypothesis on generated input: valid numbers made
by construction pass in canonical form; one changed character fails; anything else typed either
passes as a canonical ASCII number or fails with the documented error (InvalidNumber, FieldInvalid),
never with another exception."""

from __future__ import annotations

import datetime as dt
import math
import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from api.applications.fields import FieldInvalid, clean_value
from api.delivery import waybill
from auth.validators import (
    PROVINCES,
    USCC_CHARS,
    InvalidNumber,
    id_check_char,
    uscc_check_char,
    validate_credit_code,
    validate_id_number,
    validate_mobile,
)

TODAY = dt.date(2026, 11, 30)
FAST = settings(max_examples=200, deadline=None)
ASCII_DIGITS = st.sampled_from("0123456789")
# Text a person or a script may send: ASCII, full-width and other Unicode digits, letters, spaces, controls.
TYPED = st.text(alphabet=st.characters(codec="utf-8"), max_size=24) | st.text(alphabet="0123456789Xx+- \n１２３٣²", max_size=22)


@st.composite
def id_numbers(draw) -> str:
    region = draw(st.sampled_from(sorted(PROVINCES))) + "".join(draw(st.lists(ASCII_DIGITS, min_size=4, max_size=4)))
    born = draw(st.dates(min_value=dt.date(1850, 1, 1), max_value=TODAY))
    first17 = region + born.strftime("%Y%m%d") + "".join(draw(st.lists(ASCII_DIGITS, min_size=3, max_size=3)))
    return first17 + id_check_char(first17)


@st.composite
def credit_codes(draw) -> str:
    head = draw(st.text(alphabet=USCC_CHARS, min_size=2, max_size=2))
    region = "".join(draw(st.lists(ASCII_DIGITS, min_size=6, max_size=6)))
    body = draw(st.text(alphabet=USCC_CHARS, min_size=9, max_size=9))
    first17 = head + region + body
    return first17 + uscc_check_char(first17)


@given(id_numbers())
@FAST
def test_an_id_number_made_by_its_standard_passes_and_a_lower_case_x_is_upper_cased(number):
    assert validate_id_number(number, today=TODAY) == number
    assert validate_id_number(f"  {number.lower()} ", today=TODAY) == number


@given(id_numbers(), st.integers(0, 16), st.integers(1, 9))
@FAST
def test_an_id_number_with_one_digit_changed_fails(number, position, shift):
    changed = number[:position] + str((int(number[position]) + shift) % 10) + number[position + 1 :]
    with pytest.raises(InvalidNumber):
        validate_id_number(changed, today=TODAY)


@given(TYPED)
@FAST
@example("430204196607019²1X")  # a superscript digit: str.isdigit() says yes, int() says no
@example("43020419660701９01X")  # a full-width digit
def test_any_typed_id_number_passes_as_18_ascii_characters_or_fails_with_invalid_number(text):
    try:
        number = validate_id_number(text, today=TODAY)
    except InvalidNumber:
        return
    assert re.fullmatch(r"[0-9]{17}[0-9X]", number)


@given(credit_codes())
@FAST
def test_a_credit_code_made_by_its_standard_passes(code):
    assert validate_credit_code(code) == code
    assert validate_credit_code(code.lower()) == code


@given(credit_codes(), st.integers(0, 17), st.integers(1, 30))
@FAST
def test_a_credit_code_with_one_character_changed_fails(code, position, shift):
    changed = code[:position] + USCC_CHARS[(USCC_CHARS.index(code[position]) + shift) % 31] + code[position + 1 :]
    with pytest.raises(InvalidNumber):
        validate_credit_code(changed)


@given(TYPED, st.booleans())
@FAST
def test_any_typed_credit_code_passes_in_canonical_form_or_fails_with_invalid_number(text, checksum):
    try:
        code = validate_credit_code(text, checksum=checksum)
    except InvalidNumber:
        return
    assert len(code) == 18 and set(code) <= set(USCC_CHARS)


@given(st.sampled_from("3456789"), st.lists(ASCII_DIGITS, min_size=9, max_size=9), st.sampled_from(["", "+86", "86", "+86 "]))
@FAST
def test_a_mainland_mobile_number_passes_with_or_without_its_prefix_spaces_and_dashes(second, rest, prefix):
    number = "1" + second + "".join(rest)
    assert validate_mobile(prefix + number) == number
    assert validate_mobile(f"{number[:3]}-{number[3:7]} {number[7:]}") == number


@given(TYPED)
@FAST
@example("13８00000001")  # a full-width digit
def test_any_typed_phone_passes_as_11_ascii_digits_or_fails_with_invalid_number(text):
    try:
        number = validate_mobile(text)
    except InvalidNumber:
        return
    assert re.fullmatch(r"1[3-9][0-9]{9}", number)


@given(st.integers(0, 99_999_999))
@FAST
def test_every_waybill_the_counter_can_make_is_valid(serial):
    assert waybill.is_valid(waybill.format_waybill(serial))


@given(st.integers(0, 99_999_999), st.integers(2, 9), st.integers(1, 9))
@FAST
def test_a_waybill_with_one_serial_digit_changed_fails_unless_s10_maps_both_to_the_same_check_digit(serial, position, shift):
    number = waybill.format_waybill(serial)
    changed = number[:position] + str((int(number[position]) + shift) % 10) + number[position + 1 :]
    remainders = {sum(int(d) * w for d, w in zip(n[2:10], waybill.WEIGHTS, strict=True)) % 11 for n in (number, changed)}
    # S10 turns a remainder of 0 into check 5 and of 6 into check 5 too: the one change it cannot see.
    assert waybill.is_valid(changed) is (remainders == {0, 6})


@given(TYPED)
@FAST
@example("EA000000014CN\n")  # a trailing newline
@example("EA٠٠٠٠٠٠٠14CN")  # Arabic-Indic digits
def test_any_scanned_text_is_a_valid_waybill_only_in_its_exact_ascii_form_and_never_raises(text):
    if waybill.is_valid(text):
        assert re.fullmatch(r"[A-Z]{2}[0-9]{9}[A-Z]{2}", text)


FIELDS = st.sampled_from([
    {"type": "string", "max_length": 10}, {"type": "address"}, {"type": "integer", "min": 0, "max": 1000},
    {"type": "number", "min": 0}, {"type": "number"}, {"type": "date"}, {"type": "boolean"},
    {"type": "choice", "choices": ["是", "否"]}, {"type": "id_number"}, {"type": "phone"}, {"type": "credit_code"},
])  # fmt: skip
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30) | st.integers(10**300, 10**400),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)


@given(FIELDS, JSON_VALUES)
@settings(max_examples=400, deadline=None)
@example({"type": "integer"}, 10**400)  # too large for a float
@example({"type": "number"}, float("nan"))  # json.loads reads NaN and Infinity
@example({"type": "number", "min": 0}, float("inf"))
def test_any_json_value_in_any_form_field_is_cleaned_or_refused_with_field_invalid(field, value):
    try:
        cleaned = clean_value(field, value)
    except FieldInvalid:
        return
    if field["type"] in ("integer", "number"):
        assert math.isfinite(cleaned)
    if field["type"] == "integer":
        assert field["min"] <= cleaned <= field["max"]

"""UPU S10 waybill numbers: check digits, validation and the atomic serial counter."""

from __future__ import annotations

import threading

import pytest

from api.delivery.waybill import check_digit, format_waybill, is_valid, next_waybill


def test_the_published_example_rr123456785cn_has_check_digit_5():
    assert check_digit("12345678") == 5
    assert is_valid("RR123456785CN")


def test_a_check_of_10_becomes_0():
    assert 56 % 11 == 1  # 8 × 7 in the last place: 11 − 1 = 10
    assert check_digit("00000008") == 0
    assert format_waybill(8) == "EA000000080CN"


def test_a_check_of_11_becomes_5():
    assert check_digit("00000000") == 5
    assert check_digit("00100001") == 5  # 1×4 + 1×7 = 11 ≡ 0: 11 − 0 = 11
    assert format_waybill(100001) == "EA001000015CN"


def test_a_wrong_check_digit_or_form_is_not_a_waybill():
    assert not is_valid("RR123456784CN")
    assert not is_valid("RR12345678CN")
    assert not is_valid("rr123456785cn")
    assert not is_valid("")


def test_a_serial_must_be_eight_digits():
    with pytest.raises(ValueError):
        check_digit("1234567")
    with pytest.raises(ValueError):
        format_waybill(100_000_000)


def test_waybills_are_numbered_in_sequence_with_a_valid_check_digit(store):
    first, second = next_waybill(store), next_waybill(store)
    assert first == format_waybill(1) and second == format_waybill(2)
    assert first.startswith("EA") and first.endswith("CN") and is_valid(first) and is_valid(second)


def test_threads_drawing_waybills_at_once_never_get_the_same_number(store):
    drawn: list[str] = []

    def draw():
        for _ in range(10):
            drawn.append(next_waybill(store))

    threads = [threading.Thread(target=draw) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(drawn) == len(set(drawn)) == 80

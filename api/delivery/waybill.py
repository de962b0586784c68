"""EMS waybill numbers in the UPU S10 form (运单号): `E` + a service letter + 8 serial digits + check digit + `CN`.

The check digit weighs the 8 serial digits by 8 6 4 2 3 5 9 7; check = 11 − (sum mod 11), where 10
becomes 0 and 11 becomes 5 (UPU S10 §5.2). Serials come from one atomic counter per prefix, so two
processes never hand out the same number; the unique index on `shipments.waybill_no` backs that up.
"""

from __future__ import annotations

import re

from pymongo import ReturnDocument

COUNTERS = "delivery_counters"
PREFIX = "EA"  # EMS domestic express; the second letter is the carrier's series
COUNTRY = "CN"
WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
_S10 = re.compile(r"[A-Z]{2}([0-9]{8})([0-9])[A-Z]{2}")  # ASCII digits only; matched whole (no trailing newline)


def check_digit(serial: str) -> int:
    """The S10 check digit of 8 serial digits."""
    if not re.fullmatch(r"[0-9]{8}", serial):
        raise ValueError("an S10 serial is 8 digits")
    check = 11 - sum(int(digit) * weight for digit, weight in zip(serial, WEIGHTS, strict=True)) % 11
    return {10: 0, 11: 5}.get(check, check)


def format_waybill(serial: int, prefix: str = PREFIX, country: str = COUNTRY) -> str:
    digits = f"{serial:08d}"
    if len(digits) != 8:
        raise ValueError("the S10 serial range (8 digits) is used up for this prefix")
    return f"{prefix}{digits}{check_digit(digits)}{country}"


def is_valid(waybill_no: str) -> bool:
    """Whether a typed or scanned number is a well-formed S10 number with the right check digit."""
    match = _S10.fullmatch(waybill_no or "")
    return bool(match) and check_digit(match.group(1)) == int(match.group(2))


def next_waybill(store, prefix: str = PREFIX) -> str:
    """The next waybill number of `prefix`: one atomic increment of its counter (created on first use)."""
    counter = store[COUNTERS].find_one_and_update(
        {"_id": f"waybill:{prefix}"}, {"$inc": {"serial": 1}}, upsert=True, return_document=ReturnDocument.AFTER
    )
    return format_waybill(counter["serial"], prefix)

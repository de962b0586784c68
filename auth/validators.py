"""Identity numbers as their standards define them.

- Resident ID number, GB 11643-1999 (公民身份号码): 6-digit address code, 8-digit birth date,
  3-digit sequence (odd for men), check character over ISO 7064 MOD 11-2.
- Unified social credit code, GB 32100-2015 (统一社会信用代码): registration authority, type,
  6-digit region code, 9-character organisation code, check character over MOD 31.
- Mainland mobile numbers: 11 digits, 1[3-9]…, with an optional +86 / 86 prefix.

Each validator returns the number in canonical form or raises InvalidNumber whose message (Chinese)
says what is wrong.
"""

from __future__ import annotations

import datetime as dt
import re

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
# Province-level codes of GB/T 2260 (first two digits), plus 71 Taiwan, 81 Hong Kong, 82 Macau
# and 83 (residence permits of Taiwan residents).
PROVINCES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82 83".split()
)
EARLIEST_BIRTH = dt.date(1850, 1, 1)

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_VALUES = {c: i for i, c in enumerate(USCC_CHARS)}
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

MOBILE = re.compile(r"1[3-9][0-9]{9}")  # ASCII digits: str.isdigit() and \d also take ９, ٣ and ²
ID_FORM = re.compile(r"[0-9]{17}[0-9X]")


class InvalidNumber(ValueError):
    """The message is for the person who typed the number."""


def id_check_char(first17: str) -> str:
    return ID_CHECK[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def birth_date_of(id_number: str) -> dt.date:
    return dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def validate_id_number(value: str, today: dt.date | None = None) -> str:
    """A GB 11643-1999 citizen ID number, upper-cased; raises InvalidNumber."""
    number = (value or "").strip().upper()
    if len(number) == 15 and number.isdigit():
        raise InvalidNumber("15位身份证已停止使用，请填写18位身份证号码")
    if len(number) != 18:
        raise InvalidNumber("身份证号码应为18位")
    if not ID_FORM.fullmatch(number):
        raise InvalidNumber("身份证号码只能由数字和末位的X组成")
    if number[:2] not in PROVINCES:
        raise InvalidNumber("身份证号码的地区码无效")
    try:
        born = birth_date_of(number)
    except ValueError:
        raise InvalidNumber("身份证号码中的出生日期无效") from None
    if born > (today or dt.date.today()) or born < EARLIEST_BIRTH:
        raise InvalidNumber("身份证号码中的出生日期无效")
    if id_check_char(number[:17]) != number[17]:
        raise InvalidNumber("身份证号码校验码错误，请核对")
    return number


def sex_of(id_number: str) -> str:
    """'M' or 'F' from the sequence code (odd for men)."""
    return "M" if int(id_number[16]) % 2 else "F"


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_VALUES[c] * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARS[(31 - total % 31) % 31]


def validate_credit_code(value: str, *, checksum: bool = True) -> str:
    """A GB 32100-2015 unified social credit code, upper-cased; raises InvalidNumber.

    `checksum=False` checks only the form: some codes issued early by a few provinces are
    registered with a wrong check character, and the caller accepts those when the legal-person
    registry (法人库) holds them (DESIGN.md, "Identity and sessions").
    """
    code = (value or "").strip().upper()
    if len(code) != 18:
        raise InvalidNumber("统一社会信用代码应为18位")
    bad = sorted({c for c in code if c not in USCC_VALUES})
    if bad:
        raise InvalidNumber(f"统一社会信用代码含有无效字符：{''.join(bad)}（不使用 I、O、Z、S、V）")
    if not re.fullmatch(r"[0-9]{6}", code[2:8]):
        raise InvalidNumber("统一社会信用代码第3至8位应为行政区划码（数字）")
    if checksum and uscc_check_char(code[:17]) != code[17]:
        raise InvalidNumber("统一社会信用代码校验码错误，请核对")
    return code


def credit_code_checksum_ok(code: str) -> bool:
    return len(code) == 18 and all(c in USCC_VALUES for c in code) and uscc_check_char(code[:17]) == code[17]


def validate_mobile(value: str) -> str:
    """A mainland mobile number as 11 digits; accepts +86 / 86 prefixes, spaces and dashes."""
    number = re.sub(r"[\s-]", "", value or "")
    if number.startswith("+86"):
        number = number[3:]
    elif number.startswith("86") and len(number) == 13:
        number = number[2:]
    if not re.fullmatch(r"[0-9]{11}", number):
        raise InvalidNumber("手机号码应为11位数字")
    if not MOBILE.fullmatch(number):
        raise InvalidNumber("手机号码格式不正确")
    return number

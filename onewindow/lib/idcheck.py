"""Check and mask the identifiers applicants type: credit codes, resident ID numbers and mobile numbers."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.lib.errors import CodedError

# GB 32100-2015: I, O, S, V and Z are left out so they cannot be mistaken for 1, 0, 5, U and 2.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
EARLIEST_BIRTH_DATE = date(1900, 1, 1)

_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_MOBILE_SEPARATORS = re.compile(r"[\s\-]")

_USCC_WHERE = gettext_lazy("请核对营业执照上的代码。")
_ID_WHERE = gettext_lazy("请核对居民身份证上的号码。")


class IdentifierError(CodedError):
    """An identifier that is malformed or fails its check character."""


def _compact(value: str) -> str:
    # NFKC turns full-width digits and letters typed with a Chinese input method into ASCII.
    return "".join(unicodedata.normalize("NFKC", value).split()).upper()


# ---------------------------------------------------------------- 统一社会信用代码


def normalize_uscc(value: str) -> str:
    """The code without spaces, in ASCII upper case; not validated."""
    return _compact(value)


def _uscc_charset_error(text: str) -> IdentifierError | None:
    for position, char in enumerate(text, start=1):
        if char not in USCC_ALPHABET:
            return IdentifierError(
                "uscc_charset",
                _(
                    "统一社会信用代码第%(position)s位“%(char)s”不是有效字符（代码只含数字和大写字母，"
                    "且不使用I、O、S、V、Z），%(where)s"
                )
                % {"position": position, "char": char, "where": _USCC_WHERE},
            )
    return None


def uscc_check_char(first17: str) -> str:
    """The 18th character of a unified social credit code whose first 17 characters are given."""
    if len(first17) != 17:
        raise IdentifierError(
            "uscc_length",
            _("计算校验位需要统一社会信用代码的前17位，当前为%(length)s位。") % {"length": len(first17)},
        )
    error = _uscc_charset_error(first17)
    if error is not None:
        raise error
    total = sum(
        USCC_ALPHABET.index(char) * weight for char, weight in zip(first17, USCC_WEIGHTS, strict=True)
    )
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(value: str) -> None:
    """Raise IdentifierError unless the value is a well-formed code with a correct check character.

    A few early pilot codes fail the check although they were really issued: callers that accept
    them must record an explicit override with a reason when the error code is "uscc_check".
    """
    text = normalize_uscc(value)
    if len(text) != 18:
        raise IdentifierError(
            "uscc_length",
            _("统一社会信用代码应为18位，当前为%(length)s位，%(where)s")
            % {"length": len(text), "where": _USCC_WHERE},
        )
    error = _uscc_charset_error(text)
    if error is not None:
        raise error
    if uscc_check_char(text[:17]) != text[17]:
        raise IdentifierError(
            "uscc_check",
            _("统一社会信用代码的校验位（第18位）与前17位不符，可能有字符输错，请逐位核对营业执照上的代码。"),
        )


def is_valid_uscc(value: str) -> bool:
    try:
        validate_uscc(value)
    except IdentifierError:
        return False
    return True


# ---------------------------------------------------------------- 居民身份证号码


def normalize_id_number(value: str) -> str:
    """The number without spaces and with a capital X; not validated."""
    return _compact(value)


def id_check_char(first17: str) -> str:
    """The 18th character of a resident ID number whose first 17 digits are given."""
    if len(first17) != 17 or not (first17.isascii() and first17.isdigit()):
        raise IdentifierError("id_charset", _("计算校验位需要身份证号码的前17位数字。"))
    total = sum(int(char) * weight for char, weight in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def _birth_date(digits: str) -> date | None:
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


def validate_id_number(value: str, *, today: date | None = None) -> None:
    """Raise IdentifierError unless the value is an 18-character resident ID number that checks.

    The birth date (digits 7–14) must be a real date from 1900-01-01 up to `today` (default: now).
    """
    text = normalize_id_number(value)
    if len(text) != 18:
        raise IdentifierError(
            "id_length",
            _("身份证号码应为18位，当前为%(length)s位，%(where)s")
            % {"length": len(text), "where": _ID_WHERE},
        )
    body, check = text[:17], text[17]
    if not (body.isascii() and body.isdigit()) or check not in "0123456789X":
        raise IdentifierError(
            "id_charset",
            _("身份证号码前17位应为数字，最后一位为数字或字母X，%(where)s") % {"where": _ID_WHERE},
        )
    birth = _birth_date(body[6:14])
    if birth is None:
        raise IdentifierError(
            "id_birthdate",
            _("身份证号码第7至14位的出生日期“%(digits)s”不是有效日期，%(where)s")
            % {"digits": body[6:14], "where": _ID_WHERE},
        )
    if birth > (today or date.today()) or birth < EARLIEST_BIRTH_DATE:
        raise IdentifierError(
            "id_birthdate",
            _("身份证号码中的出生日期%(year)s年%(month)s月%(day)s日不在合理范围内，%(where)s")
            % {"year": birth.year, "month": birth.month, "day": birth.day, "where": _ID_WHERE},
        )
    if id_check_char(body) != check:
        raise IdentifierError(
            "id_check",
            _("身份证号码的校验位（最后一位）与前17位不符，可能有数字输错，请逐位核对居民身份证上的号码。"),
        )


def is_valid_id_number(value: str, *, today: date | None = None) -> bool:
    try:
        validate_id_number(value, today=today)
    except IdentifierError:
        return False
    return True


def _mask(text: str, head: int, tail: int) -> str:
    if len(text) <= head + tail:
        return "*" * len(text)
    return text[:head] + "*" * (len(text) - head - tail) + text[-tail:]


def mask_id_number(value: str) -> str:
    """The number for display: first 6 and last 4 characters kept (340524********001X)."""
    return _mask(normalize_id_number(value), 6, 4)


# ---------------------------------------------------------------- 手机号码


def _strip_mobile(value: str) -> str:
    text = _MOBILE_SEPARATORS.sub("", unicodedata.normalize("NFKC", value))
    if text.startswith("+86"):
        return text[3:]
    if text.startswith("86") and len(text) == 13:
        return text[2:]
    return text


def normalize_mobile(value: str) -> str:
    """The 11 digits of a mainland mobile number typed with +86/86, spaces or hyphens."""
    text = _strip_mobile(value)
    if not _MOBILE.fullmatch(text):
        raise IdentifierError(
            "mobile_format", _("手机号码应为11位数字，以13至19开头（可带+86），请核对后重新填写。")
        )
    return text


def validate_mobile(value: str) -> None:
    """Raise IdentifierError unless the value is a mainland mobile number."""
    normalize_mobile(value)


def mask_mobile(value: str) -> str:
    """The number for display: first 3 and last 4 digits kept (138****5678)."""
    return _mask(_strip_mobile(value), 3, 4)

"""Build, parse and check GB/T 36904 electronic licence identifiers (电子证照标识)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from onewindow.lib.errors import CodedError

PREFIX = "1.2.156.3005.2"
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_VALUES = {char: value for value, char in enumerate(ALPHABET)}

_SHAPE = "1.2.156.3005.2.证照类型代码.颁发机构代码.流水号.版本号.校验位"
_WHAT_TO_DO = "请核对证照上的标识，或重新扫描证照二维码。"


class ElicenceIdentifierError(CodedError):
    """An identifier that is malformed or fails its check character."""


@dataclass(frozen=True)
class ElicenceIdentifier:
    type_code: str
    issuer_code: str
    serial: str
    version: int
    check: str

    def __str__(self) -> str:
        return f"{PREFIX}.{self.type_code}.{self.issuer_code}.{self.serial}.{self.version:03d}.{self.check}"


def mod37_36_check_char(data: str) -> str:
    """ISO 7064 MOD 37,36 check character of `data` (characters 0-9 and A-Z)."""
    product = 36
    for char in data:
        value = _VALUES.get(char)
        if value is None:
            raise ElicenceIdentifierError(
                "elicence_charset", f"“{char}”不能出现在电子证照标识中：标识只含数字和大写字母。"
            )
        remainder = (product + value) % 36 or 36
        product = remainder * 2 % 37
    return ALPHABET[(37 - product) % 36]


def _check_data(type_code: str, issuer_code: str, serial: str, version: int) -> str:
    return f"{type_code}{issuer_code}{serial}{version:03d}"


def _check_part(text: str, label: str) -> None:
    if not text:
        raise ElicenceIdentifierError(
            "elicence_format", f"电子证照标识缺少{label}，应为“{_SHAPE}”，{_WHAT_TO_DO}"
        )
    bad = [char for char in text if char not in _VALUES]
    if bad:
        raise ElicenceIdentifierError(
            "elicence_charset",
            f"电子证照标识的{label}含有无效字符“{bad[0]}”（只能是数字和大写字母），{_WHAT_TO_DO}",
        )


def build_identifier(*, type_code: str, issuer_code: str, serial: str, version: int) -> str:
    """The full identifier with its check character appended."""
    _check_part(type_code, "证照类型代码")
    _check_part(issuer_code, "颁发机构代码")
    _check_part(serial, "流水号")
    if not 0 <= version <= 999:
        raise ElicenceIdentifierError(
            "elicence_version", f"电子证照标识的版本号应在0到999之间，当前为{version}。"
        )
    check = mod37_36_check_char(_check_data(type_code, issuer_code, serial, version))
    return str(ElicenceIdentifier(type_code, issuer_code, serial, version, check))


def parse_identifier(value: str) -> ElicenceIdentifier:
    """Split an identifier into its parts; raise ElicenceIdentifierError if malformed or mistyped."""
    text = value.strip().upper()
    if not text.startswith(PREFIX + "."):
        raise ElicenceIdentifierError(
            "elicence_prefix", f"电子证照标识应以“{PREFIX}”开头，格式为“{_SHAPE}”，{_WHAT_TO_DO}"
        )
    parts = text[len(PREFIX) + 1 :].split(".")
    if len(parts) != 5:
        raise ElicenceIdentifierError(
            "elicence_format", f"电子证照标识的格式不正确，应为“{_SHAPE}”，{_WHAT_TO_DO}"
        )
    type_code, issuer_code, serial, version_text, check = parts
    _check_part(type_code, "证照类型代码")
    _check_part(issuer_code, "颁发机构代码")
    _check_part(serial, "流水号")
    if len(version_text) != 3 or not (version_text.isascii() and version_text.isdigit()):
        raise ElicenceIdentifierError(
            "elicence_version",
            f"电子证照标识的版本号应为3位数字（如001），当前为“{version_text}”，{_WHAT_TO_DO}",
        )
    if len(check) != 1 or check not in _VALUES:
        raise ElicenceIdentifierError(
            "elicence_format", f"电子证照标识的最后一段应为1位校验字符，当前为“{check}”，{_WHAT_TO_DO}"
        )
    version = int(version_text)
    if mod37_36_check_char(_check_data(type_code, issuer_code, serial, version)) != check:
        raise ElicenceIdentifierError(
            "elicence_check", f"电子证照标识的校验位与前面的内容不符，可能有字符输错，{_WHAT_TO_DO}"
        )
    return ElicenceIdentifier(type_code, issuer_code, serial, version, check)


def random_serial(length: int = 20) -> str:
    """A serial of random upper-case letters and digits, as one Hubei draft specifies."""
    if length < 1:
        raise ValueError("length must be at least 1")
    return "".join(secrets.choice(ALPHABET) for _ in range(length))

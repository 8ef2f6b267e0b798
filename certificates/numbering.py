"""Certificate numbers: ``TY-XLF-2022-XM-0001``.

Pure functions, no database. The serial is per competition and per award
category (XM project, ZZ organisation, ZYZ volunteer, SQ community); it is
allocated by ``services`` under a row lock and a unique constraint, and
written with at least four digits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_PREFIX = "TY-XLF"
# A category code is what the competition API accepts (``^[A-Z][A-Z0-9]{0,7}$``): a letter,
# then letters or digits; the hyphens keep it apart from the year and the serial.
CODE = r"[A-Z][A-Z0-9]{0,7}"
NUMBER_RE = re.compile(rf"^(?P<prefix>[A-Z]+(?:-[A-Z]+)*)-(?P<year>\d{{4}})-(?P<code>{CODE})-(?P<serial>\d{{4,}})$")


@dataclass(frozen=True)
class Number:
    prefix: str
    year: int
    code: str
    serial: int

    def __str__(self) -> str:
        return format_number(year=self.year, code=self.code, serial=self.serial, prefix=self.prefix)


def format_number(*, year: int, code: str, serial: int, prefix: str = DEFAULT_PREFIX) -> str:
    """``format_number(year=2022, code="XM", serial=1)`` → ``TY-XLF-2022-XM-0001``."""
    if serial < 1:
        raise ValueError("serials start at 1")
    if not 1000 <= year <= 9999:
        raise ValueError("the year has four digits")
    code = code.strip().upper()
    if not re.fullmatch(CODE, code):
        raise ValueError(f"category code {code!r} must be a Latin letter and up to 7 letters or digits")
    return f"{prefix}-{year}-{code}-{serial:04d}"


def parse_number(number: str) -> Number:
    match = NUMBER_RE.match(number.strip())
    if match is None:
        raise ValueError(f"not a certificate number: {number!r}")
    return Number(
        prefix=match["prefix"], year=int(match["year"]), code=match["code"], serial=int(match["serial"])
    )

"""Normalizers for the text values of input files: one function per kind of value.

Each normalizer takes the raw text of a cell (already stripped; never empty) and returns a
Normalized(value, note): `value` is the canonical value, or None when the text cannot be used;
`note` is a reason code whenever the value was not taken as written (a Census special value, a
censored median, a restored leading zero, an invalid spelling). Identifiers are parsed as text,
never through floating point, so no digit is ever invented or lost silently.

The loader applies them to the distinct values of a column, so they stay cheap at any size.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation


@dataclass(frozen=True)
class Normalized:
    value: object | None
    note: str | None = None
    detail: str | None = None


# ACS annotation values of the Census Bureau's API and data.census.gov tables.
ACS_SPECIAL_VALUES = {
    "-666666666": ("acs_estimate_not_computed", "too few sample observations to compute an estimate"),
    "-999999999": ("acs_not_displayable", "estimate or margin of error cannot be displayed"),
    "-222222222": ("acs_margin_not_computed", "margin of error not computed"),
    "-333333333": ("acs_median_open_interval", "median falls in an open-ended interval"),
    "-555555555": ("acs_controlled_estimate", "estimate is controlled; no sampling error"),
    "-888888888": ("acs_not_applicable", "not applicable or not available"),
}
# Symbols that data.census.gov prints instead of a number: missing, never zero.
ACS_MISSING_SYMBOLS = {"-", "N", "(X)", "**", "***", "*****", "NA", "N/A", "X"}

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$", re.ASCII)
_CENSORED = re.compile(r"^(?P<number>[\d,]*\.?\d+)\s*(?P<sign>[+-])$", re.ASCII)


# A comma is a thousands separator only where it groups three digits ("1,234.5"); "1,5" or
# "12,34" (decimal commas, typos) are not numbers rather than silently 15 or 1234.
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$", re.ASCII)


def _plain_number(text: str) -> Decimal | None:
    cleaned = text.strip().removeprefix("$").strip()  # "$139,432": a currency sign in front only
    if _GROUPED.match(cleaned):
        cleaned = cleaned.replace(",", "")
    if not _NUMBER.match(cleaned):
        return None
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        return None
    # A finite Decimal can still overflow a float (1e999): not a usable number either.
    return number if number.is_finite() and math.isfinite(float(number)) else None


def acs_number(text: str, top_code: float | None = None, bottom_code: float | None = None) -> Normalized:
    """A Census estimate: special values and symbols become None with a reason; "250,000+" and
    "2,500-" keep their number and note the censoring; so does a value at the file's top code."""
    if text in ACS_SPECIAL_VALUES:
        note, detail = ACS_SPECIAL_VALUES[text]
        return Normalized(None, note, detail)
    if text.upper() in ACS_MISSING_SYMBOLS:
        return Normalized(None, "acs_missing_symbol", f"{text!r} marks a missing estimate")
    censored = _CENSORED.match(text.strip().removeprefix("$").strip())
    if censored:
        number = _plain_number(censored.group("number"))
        if number is not None:
            note = "top_coded" if censored.group("sign") == "+" else "bottom_coded"
            return Normalized(float(number), note, f"{text!r} is censored at {number}")
    number = _plain_number(text)
    if number is None:
        return Normalized(None, "invalid_number", f"{text!r} is not a number")
    if top_code is not None and number >= Decimal(str(top_code)):
        return Normalized(float(number), "top_coded", f"{text} is the file's top code")
    if bottom_code is not None and number <= Decimal(str(bottom_code)):
        return Normalized(float(number), "bottom_coded", f"{text} is the file's bottom code")
    return Normalized(float(number))


STATE_POSTAL_CODES = {
    "ALABAMA": "AL", "ALASKA": "AK", "ARIZONA": "AZ", "ARKANSAS": "AR", "CALIFORNIA": "CA",
    "COLORADO": "CO", "CONNECTICUT": "CT", "DELAWARE": "DE", "DISTRICT OF COLUMBIA": "DC",
    "FLORIDA": "FL", "GEORGIA": "GA", "HAWAII": "HI", "IDAHO": "ID", "ILLINOIS": "IL", "INDIANA": "IN",
    "IOWA": "IA", "KANSAS": "KS", "KENTUCKY": "KY", "LOUISIANA": "LA", "MAINE": "ME", "MARYLAND": "MD",
    "MASSACHUSETTS": "MA", "MICHIGAN": "MI", "MINNESOTA": "MN", "MISSISSIPPI": "MS", "MISSOURI": "MO",
    "MONTANA": "MT", "NEBRASKA": "NE", "NEVADA": "NV", "NEW HAMPSHIRE": "NH", "NEW JERSEY": "NJ",
    "NEW MEXICO": "NM", "NEW YORK": "NY", "NORTH CAROLINA": "NC", "NORTH DAKOTA": "ND", "OHIO": "OH",
    "OKLAHOMA": "OK", "OREGON": "OR", "PENNSYLVANIA": "PA", "PUERTO RICO": "PR", "RHODE ISLAND": "RI",
    "SOUTH CAROLINA": "SC", "SOUTH DAKOTA": "SD", "TENNESSEE": "TN", "TEXAS": "TX", "UTAH": "UT",
    "VERMONT": "VT", "VIRGINIA": "VA", "WASHINGTON": "WA", "WEST VIRGINIA": "WV", "WISCONSIN": "WI",
    "WYOMING": "WY",
}  # fmt: skip

# re.ASCII: \d is [0-9] only (Unicode digits such as "²" or "١" are not GEOID digits).
_TRACT_LABEL = re.compile(r"TRACT\s+(?P<tract>\d{1,4}(?:\.\d{1,2})?)\b(?P<rest>.*)$", re.ASCII)
_TRACT_NUMBER = re.compile(r"^(?P<whole>\d{1,4})(?:\.(?P<part>\d{1,2}))?$", re.ASCII)
_SCIENTIFIC = re.compile(r"^(?P<lead>\d)(?:\.(?P<fraction>\d+))?E\+?(?P<exponent>\d{1,3})$", re.ASCII)
# data.census.gov's GEO_ID of a tract: summary level 140, then the 11-digit GEOID.
_CENSUS_TRACT_ID_PREFIX = "1400000US"
_FLOAT_OF_INTEGER = re.compile(r"^(?P<digits>\d+)\.0*$", re.ASCII)


def _is_digits(text: str) -> bool:
    """Only the ASCII digits 0-9 (str.isdigit() also accepts "²", "①", "١", ...)."""
    return text.isascii() and text.isdigit()


def _tract_code(whole: str, part: str | None) -> str:
    """Census tract number (e.g. 101.03) as its 6-digit code (010103)."""
    return whole.zfill(4) + (part or "").ljust(2, "0")


def tract_geoid(text: str, county_fips: str, county_label: str | None = None) -> Normalized:
    """A 2010 census tract identifier as 11-digit text (state + county + tract).

    Accepts the 11-digit GEOID; a number that lost its leading zero (10 digits); a float or
    scientific-notation rendering when every digit survived; a 6-digit tract code or a tract
    number ("101.03", "0101.03", "101") within `county_fips`; and a label such as
    "Census Tract 101.03, Suffolk County, Massachusetts" (the county must be `county_label`)."""
    upper = text.upper().strip().strip('"').strip()
    if upper.startswith(_CENSUS_TRACT_ID_PREFIX) and _is_digits(upper.removeprefix(_CENSUS_TRACT_ID_PREFIX)):
        digits = upper.removeprefix(_CENSUS_TRACT_ID_PREFIX)
        if len(digits) == 11:
            return Normalized(digits, "geoid_from_census_id", f"from {text!r}")
    label = _TRACT_LABEL.search(upper)
    if label:
        rest = label.group("rest").strip(" ,.")
        if rest and county_label and not _same_county(rest, county_label):
            return Normalized(None, "tract_in_other_county", f"{text!r} is not in {county_label}")
        whole, _, part = label.group("tract").partition(".")
        return Normalized(
            county_fips + _tract_code(whole, part or None), "tract_from_label", f"from {text!r}"
        )
    scientific = _SCIENTIFIC.match(upper)
    if scientific:
        digits = scientific.group("lead") + (scientific.group("fraction") or "")
        exponent = int(scientific.group("exponent"))
        if len(digits) - 1 != exponent:
            return Normalized(None, "geoid_digits_lost", f"{text!r} does not keep every digit of the GEOID")
        return _geoid_from_digits(digits, text, county_fips, "geoid_from_scientific_notation")
    float_of_integer = _FLOAT_OF_INTEGER.match(upper)
    if float_of_integer and len(float_of_integer.group("digits")) >= 6:
        return _geoid_from_digits(float_of_integer.group("digits"), text, county_fips, "geoid_from_float")
    number = _TRACT_NUMBER.match(upper)
    if number and int(number.group("whole")) == 0 and not int(number.group("part") or 0):
        return Normalized(None, "invalid_tract_geoid", f"{text!r} is not a census tract number")
    if number and (number.group("part") is not None or len(number.group("whole")) <= 4):
        return Normalized(
            county_fips + _tract_code(number.group("whole"), number.group("part")),
            "tract_number_in_default_county",
            f"tract {text!r} in county {county_fips}",
        )
    if _is_digits(upper):
        return _geoid_from_digits(upper, text, county_fips, None)
    return Normalized(None, "invalid_tract_geoid", f"{text!r} is not a census tract identifier")


def _same_county(rest: str, county_label: str) -> bool:
    """Whether a label's "<county>[, <state>]" names `county_label` ("Suffolk County,
    Massachusetts"); the state may be left out or written as its postal code ("MA", "Mass.")."""
    words = re.split(r"[,\s]+", rest.strip(" ,."))
    expected_county, _, expected_state = (part.strip() for part in county_label.upper().partition(","))
    county_words = expected_county.split()
    if words[: len(county_words)] != county_words:
        return False
    state = " ".join(words[len(county_words) :]).strip(" .")
    if not state or state == expected_state:
        return True
    return state == STATE_POSTAL_CODES.get(expected_state) or expected_state.startswith(state)


def _geoid_from_digits(digits: str, text: str, county_fips: str, note: str | None) -> Normalized:
    if len(digits) == 11:
        return Normalized(digits, note, f"from {text!r}" if note else None)
    if len(digits) == 10 and county_fips[0] != "0" and digits.startswith(county_fips[:2]):
        # "2502508130": the state code is whole, so a digit was lost elsewhere, not a leading zero.
        return Normalized(
            None, "geoid_digits_lost", f"{text!r} has 10 digits and starts with state code {county_fips[:2]}"
        )
    if len(digits) == 10:
        return Normalized("0" + digits, "leading_zero_restored", f"{text!r} lost its leading zero")
    if len(digits) == 6:
        return Normalized(county_fips + digits, "tract_code_in_default_county", f"{text!r} in {county_fips}")
    return Normalized(None, "geoid_digits_lost", f"{text!r} has {len(digits)} digits; a GEOID has 11")


def block_group_geoid(text: str) -> Normalized:
    """A 2010 block group identifier as 12-digit text."""
    digits = text.strip().strip('"')
    float_of_integer = _FLOAT_OF_INTEGER.match(digits)
    if float_of_integer:
        digits = float_of_integer.group("digits")
    if not _is_digits(digits):
        return Normalized(None, "invalid_block_group_geoid", f"{text!r} is not a block group identifier")
    if len(digits) == 12:
        return Normalized(digits)
    if len(digits) == 13 and digits.startswith("0"):
        return Normalized(digits[1:], "spurious_leading_zero_removed", f"{text!r} had 13 digits")
    if len(digits) == 11:
        return Normalized("0" + digits, "leading_zero_restored", f"{text!r} lost its leading zero")
    return Normalized(None, "geoid_digits_lost", f"{text!r} has {len(digits)} digits; a block group has 12")


def padded_code(text: str, width: int, kind: str) -> Normalized:
    """A numeric code with leading zeros (DESE school code: 8 digits; ZIP code: 5)."""
    value = text.strip().strip('"')
    float_of_integer = _FLOAT_OF_INTEGER.match(value)
    if float_of_integer:
        value = float_of_integer.group("digits")
    if kind == "zip_code" and re.match(r"^\d{5}-\d{4}$", value, re.ASCII):
        return Normalized(value[:5], "zip_plus_four_shortened", f"{text!r}")
    if not _is_digits(value) or len(value) > width:
        return Normalized(None, f"invalid_{kind}", f"{text!r} is not a {width}-digit code")
    if len(value) < width:
        return Normalized(value.zfill(width), "leading_zeros_restored", f"{text!r} lost leading zeros")
    return Normalized(value)


FLAG_TRUE = {"Y", "YES", "TRUE", "T", "1"}
FLAG_FALSE = {"N", "NO", "FALSE", "F", "0"}


def flag(text: str) -> Normalized:
    upper = text.upper()
    if upper in FLAG_TRUE:
        return Normalized(True)
    if upper in FLAG_FALSE:
        return Normalized(False)
    return Normalized(None, "invalid_flag", f"{text!r} is not Y or N")


def code(text: str, allowed: dict[str, str], kind: str) -> Normalized:
    """One of a list of codes; `allowed` maps every accepted spelling (upper case) to its code."""
    # Case, spacing and dots do not matter: "P.O. Box" is "PO BOX" is "P O BOX".
    spellings = (" ".join(text.upper().split()), " ".join(text.upper().replace(".", " ").split()))
    canonical = next((allowed[s] for s in spellings if s in allowed), None)
    if canonical is None:
        return Normalized(None, f"invalid_{kind}", f"{text!r} is not one of {sorted(set(allowed.values()))}")
    return Normalized(canonical)


_GRADE_SYNONYMS = {
    "PK": "PK", "PREK": "PK", "PRE-K": "PK", "K0": "PK", "K1": "PK", "PK3": "PK", "PK4": "PK",
    "K": "K", "KG": "K", "K2": "K", "KF": "K",
    "SP": "SP", "UG": "SP", "UNGRADED": "SP",
}  # fmt: skip


def grade(text: str) -> Normalized:
    """PK, K, 01-12 or SP. Boston's K0/K1 are pre-kindergarten and K2 is kindergarten."""
    upper = text.upper().strip()
    if upper not in _GRADE_SYNONYMS:  # "UNGRADED" contains "GRADE"
        upper = upper.replace("GRADE", "").strip()
    if upper in _GRADE_SYNONYMS:
        canonical = _GRADE_SYNONYMS[upper]
        return Normalized(canonical, None if canonical == upper else "grade_spelling_normalized", text)
    if _is_digits(upper) and len(upper) <= 3 and 1 <= int(upper) <= 12:
        canonical = f"{int(upper):02d}"
        return Normalized(canonical, None if canonical == upper else "grade_spelling_normalized", text)
    return Normalized(None, "invalid_grade", f"{text!r} is not PK, K, 01-12 or SP")


_SCHOOL_YEAR = re.compile(r"^(?P<start>\d{4})\s*[-/]\s*(?P<end>\d{2}|\d{4})$", re.ASCII)


def school_year(text: str) -> Normalized:
    """A school year as YYYY-YY; 2024-2025 and 2024/25 are accepted and rewritten."""
    match = _SCHOOL_YEAR.match(text.strip())
    if match:
        start, end = int(match.group("start")), match.group("end")
        if int(end) == (start + 1 if len(end) == 4 else (start + 1) % 100):
            canonical = f"{start}-{(start + 1) % 100:02d}"
            return Normalized(
                canonical, None if canonical == text else "school_year_spelling_normalized", text
            )
    return Normalized(None, "invalid_school_year", f"{text!r} is not a school year such as 2024-25")


_USA = {"USA", "US", "U.S.", "U.S.A.", "UNITED STATES", "UNITED STATES OF AMERICA"}


def country(text: str) -> Normalized:
    """ISO 3166 alpha-3 country code; common spellings of the United States become USA."""
    upper = " ".join(text.upper().split())
    if upper in _USA:
        return Normalized("USA", None if upper == "USA" else "country_spelling_normalized", text)
    if re.match(r"^[A-Z]{3}$", upper):
        return Normalized(upper)
    return Normalized(None, "invalid_country", f"{text!r} is not a 3-letter ISO country code")

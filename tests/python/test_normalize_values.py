"""Unit and property tests of the value normalizers (scripts/normalize_values.py).

Every case states the exact (value, note) the normalizer must return for a raw cell text.
"""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import normalize_values as nv
from input_contract import FILES_BY_NAME

COUNTY = "25025"
SUFFOLK = "Suffolk County, Massachusetts"


def outcome(result: nv.Normalized) -> tuple[object, str | None]:
    return result.value, result.note


# ---------------------------------------------------------------------------------------------
# acs_number: Census annotation values, symbols, censored medians.


@pytest.mark.parametrize(
    ("text", "note", "detail"),
    [
        ("-666666666", "acs_estimate_not_computed", "too few sample observations to compute an estimate"),
        ("-999999999", "acs_not_displayable", "estimate or margin of error cannot be displayed"),
        ("-222222222", "acs_margin_not_computed", "margin of error not computed"),
        ("-333333333", "acs_median_open_interval", "median falls in an open-ended interval"),
        ("-555555555", "acs_controlled_estimate", "estimate is controlled; no sampling error"),
        ("-888888888", "acs_not_applicable", "not applicable or not available"),
    ],
)
def test_acs_annotation_values_are_missing_with_their_reason(text: str, note: str, detail: str) -> None:
    assert nv.acs_number(text) == nv.Normalized(None, note, detail)
    # The top code of the income column does not change that.
    assert nv.acs_number(text, top_code=250001) == nv.Normalized(None, note, detail)


def test_every_acs_annotation_value_is_covered_above() -> None:
    assert set(nv.ACS_SPECIAL_VALUES) == {
        "-666666666", "-999999999", "-222222222", "-333333333", "-555555555", "-888888888",
    }  # fmt: skip


@pytest.mark.parametrize("text", ["-", "N", "(X)", "n", "(x)", "**", "***", "*****", "NA", "N/A", "X"])
def test_acs_symbols_are_missing_never_zero(text: str) -> None:
    result = nv.acs_number(text)
    assert outcome(result) == (None, "acs_missing_symbol")
    assert result.detail == f"{text!r} marks a missing estimate"


@pytest.mark.parametrize(
    ("text", "top_code", "expected"),
    [
        ("250,000+", None, (250000.0, "top_coded")),
        ("250000+", None, (250000.0, "top_coded")),
        ("250,000 +", None, (250000.0, "top_coded")),
        ("2,500-", None, (2500.0, "bottom_coded")),
        ("2500-", None, (2500.0, "bottom_coded")),
        ("250001", 250001, (250001.0, "top_coded")),
        ("250,001", 250001, (250001.0, "top_coded")),
        ("260000", 250001, (260000.0, "top_coded")),
        ("250000", 250001, (250000.0, None)),
        ("72478", 250001, (72478.0, None)),
        ("72,478", None, (72478.0, None)),
        ("-1,234.5", None, (-1234.5, None)),
        ("1,5", None, (None, "invalid_number")),  # a decimal comma is not read as 15
        ("12,34", None, (None, "invalid_number")),
        ("1.234,5", None, (None, "invalid_number")),
        ("1,8,0", None, (None, "invalid_number")),
        ("4,99.5", None, (None, "invalid_number")),
        ("72$", None, (None, "invalid_number")),
        ("$250,000+", None, (250000.0, "top_coded")),
        ("45_000", None, (None, "invalid_number")),
        ("$72,478", None, (72478.0, None)),
        ("0", None, (0.0, None)),
        ("0.178", None, (0.178, None)),
        (".5", None, (0.5, None)),
        ("-5", None, (-5.0, None)),
        ("1e3", None, (1000.0, None)),
        ("abc", None, (None, "invalid_number")),
        ("1.2.3", None, (None, "invalid_number")),
        ("NaN", None, (None, "invalid_number")),
        ("inf", None, (None, "invalid_number")),
        ("1e999", None, (None, "invalid_number")),  # a finite Decimal, but an infinite float
        ("\u0661\u0660", None, (None, "invalid_number")),  # Arabic-Indic digits are not ASCII digits
    ],
)
def test_acs_numbers_and_censoring(text: str, top_code: float | None, expected: tuple) -> None:
    assert outcome(nv.acs_number(text, top_code=top_code)) == expected


def test_acs_censoring_details() -> None:
    assert nv.acs_number("250,000+").detail == "'250,000+' is censored at 250000"
    assert nv.acs_number("2,500-").detail == "'2,500-' is censored at 2500"
    assert nv.acs_number("250001", top_code=250001).detail == "250001 is the file's top code"
    assert nv.acs_number("2500", bottom_code=2500) == nv.Normalized(
        2500.0, "bottom_coded", "2500 is the file's bottom code"
    )
    assert nv.acs_number("abc").detail == "'abc' is not a number"


def test_the_income_column_declares_the_top_code_the_tests_use() -> None:
    income = FILES_BY_NAME["census_tracts_2010"].column("acs_median_household_income")
    assert income.top_code == 250001


# ---------------------------------------------------------------------------------------------
# tract_geoid: 11-digit text in every form a spreadsheet or a Census table writes it.


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("25025010405", ("25025010405", None)),
        ('"25025010405"', ("25025010405", None)),
        (" 25025010405 ", ("25025010405", None)),
        ("1073010100", ("01073010100", "leading_zero_restored")),
        ("25025010405.0", ("25025010405", "geoid_from_float")),
        ("25025010405.", ("25025010405", "geoid_from_float")),
        ("1073010100.0", ("01073010100", "leading_zero_restored")),
        ("2.5025010405E+10", ("25025010405", "geoid_from_scientific_notation")),
        ("2.5025010405e+10", ("25025010405", "geoid_from_scientific_notation")),
        ("2.5025010405E10", ("25025010405", "geoid_from_scientific_notation")),
        ("2.5025E+10", (None, "geoid_digits_lost")),
        ("2.50250104E+10", (None, "geoid_digits_lost")),
        ("250250104", (None, "geoid_digits_lost")),
        ("250250104050", (None, "geoid_digits_lost")),
        ("101.03", ("25025010103", "tract_number_in_default_county")),
        ("0101.03", ("25025010103", "tract_number_in_default_county")),
        ("101", ("25025010100", "tract_number_in_default_county")),
        ("1", ("25025000100", "tract_number_in_default_county")),
        ("9815.02", ("25025981502", "tract_number_in_default_county")),
        ("101.3", ("25025010130", "tract_number_in_default_county")),  # 101.30 that lost its zero
        ("010103", ("25025010103", "tract_code_in_default_county")),
        ("981502", ("25025981502", "tract_code_in_default_county")),
        ("Census Tract 101.03, Suffolk County, Massachusetts", ("25025010103", "tract_from_label")),
        ("census tract 101.03, suffolk county, massachusetts", ("25025010103", "tract_from_label")),
        ("Census Tract 101.03", ("25025010103", "tract_from_label")),
        ("Census Tract 1", ("25025000100", "tract_from_label")),
        ("Census Tract 9815.02", ("25025981502", "tract_from_label")),
        ("Census Tract 101.03, Middlesex County, Massachusetts", (None, "tract_in_other_county")),
        ("Census Tract 101.03, Suffolk County, MA", ("25025010103", "tract_from_label")),
        ("Census Tract 101.03, Suffolk County, Mass.", ("25025010103", "tract_from_label")),
        ("Census Tract 101.03, Suffolk County", ("25025010103", "tract_from_label")),
        ("Census Tract 101.03, Suffolk County, New York", (None, "tract_in_other_county")),
        ("Census Tract 101.03, Suffolk County, NY", (None, "tract_in_other_county")),
        ("Census Tract 101.03 Suffolk County MA", ("25025010103", "tract_from_label")),  # no commas
        ("1400000US25025010103", ("25025010103", "geoid_from_census_id")),  # data.census.gov GEO_ID
        ("0", (None, "invalid_tract_geoid")),  # there is no tract 0
        ("2502501040", (None, "geoid_digits_lost")),  # state code 25 intact: a digit lost at the end
        ("2502501040.0", (None, "geoid_digits_lost")),
        ("Tract twelve", (None, "invalid_tract_geoid")),
        ("Census Tract 12345", (None, "invalid_tract_geoid")),
        ("25025-010405", (None, "invalid_tract_geoid")),
        ("abc", (None, "invalid_tract_geoid")),
        ("\u00b2" * 11, (None, "invalid_tract_geoid")),  # superscript digits are not digits of a GEOID
        ("Census Tract \u0661\u0660\u0661", (None, "invalid_tract_geoid")),  # nor Arabic-Indic ones
    ],
)
def test_tract_geoid(text: str, expected: tuple) -> None:
    assert outcome(nv.tract_geoid(text, COUNTY, SUFFOLK)) == expected


def test_tract_geoid_details_say_where_the_value_came_from() -> None:
    assert nv.tract_geoid("25025010405", COUNTY, SUFFOLK).detail is None
    assert nv.tract_geoid("2.5025E+10", COUNTY, SUFFOLK).detail == (
        "'2.5025E+10' does not keep every digit of the GEOID"
    )
    assert nv.tract_geoid("250250104", COUNTY, SUFFOLK).detail == "'250250104' has 9 digits; a GEOID has 11"
    assert nv.tract_geoid("Census Tract 1, Middlesex County, Massachusetts", COUNTY, SUFFOLK).detail == (
        "'Census Tract 1, Middlesex County, Massachusetts' is not in Suffolk County, Massachusetts"
    )
    assert nv.tract_geoid("101.03", COUNTY, SUFFOLK).detail == "tract '101.03' in county 25025"


def test_tract_labels_and_numbers_use_the_given_county() -> None:
    assert outcome(nv.tract_geoid("101.03", "25017")) == ("25017010103", "tract_number_in_default_county")
    # Without a county label, any county named in a label is accepted.
    assert outcome(nv.tract_geoid("Census Tract 101.03, Middlesex County, Massachusetts", COUNTY)) == (
        "25025010103",
        "tract_from_label",
    )


# ---------------------------------------------------------------------------------------------
# block_group_geoid, school codes and ZIP codes.


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("250250001001", ("250250001001", None)),
        ("250250001001.0", ("250250001001", None)),
        ("10730101001", ("010730101001", "leading_zero_restored")),
        ("0250250001001", ("250250001001", "spurious_leading_zero_removed")),
        ("25025000100", ("025025000100", "leading_zero_restored")),
        ("2502500010", (None, "geoid_digits_lost")),
        ("2.50250001001E+11", (None, "invalid_block_group_geoid")),
        ("Block Group 1", (None, "invalid_block_group_geoid")),
    ],
)
def test_block_group_geoid(text: str, expected: tuple) -> None:
    assert outcome(nv.block_group_geoid(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("00350302", ("00350302", None)),
        ('"00350302"', ("00350302", None)),
        ("350302", ("00350302", "leading_zeros_restored")),
        ("0350302", ("00350302", "leading_zeros_restored")),
        ("350302.0", ("00350302", "leading_zeros_restored")),
        ("1", ("00000001", "leading_zeros_restored")),
        ("003503020", (None, "invalid_school_code")),
        ("123456789", (None, "invalid_school_code")),
        ("0035O302", (None, "invalid_school_code")),
        ("00350302X", (None, "invalid_school_code")),
        ("3.50302E+5", (None, "invalid_school_code")),
        ("-350302", (None, "invalid_school_code")),
        ("\u00b2", (None, "invalid_school_code")),
    ],
)
def test_school_code(text: str, expected: tuple) -> None:
    assert outcome(nv.padded_code(text, 8, "school_code")) == expected


def test_school_code_details() -> None:
    assert nv.padded_code("350302", 8, "school_code").detail == "'350302' lost leading zeros"
    assert nv.padded_code("123456789", 8, "school_code").detail == "'123456789' is not a 8-digit code"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("02128", ("02128", None)),
        ("2128", ("02128", "leading_zeros_restored")),
        ("2128.0", ("02128", "leading_zeros_restored")),
        ("02128-1234", ("02128", "zip_plus_four_shortened")),
        ("021281234", (None, "invalid_zip_code")),
        ("0212", ("00212", "leading_zeros_restored")),
        ("Boston", (None, "invalid_zip_code")),
        ("02128-12", (None, "invalid_zip_code")),
    ],
)
def test_zip_code(text: str, expected: tuple) -> None:
    assert outcome(nv.padded_code(text, 5, "zip_code")) == expected


# ---------------------------------------------------------------------------------------------
# flags, codes, grades, school years, countries.


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Y", (True, None)),
        ("y", (True, None)),
        ("YES", (True, None)),
        ("Yes", (True, None)),
        ("TRUE", (True, None)),
        ("True", (True, None)),
        ("T", (True, None)),
        ("1", (True, None)),
        ("N", (False, None)),
        ("n", (False, None)),
        ("NO", (False, None)),
        ("FALSE", (False, None)),
        ("false", (False, None)),
        ("F", (False, None)),
        ("0", (False, None)),
        ("maybe", (None, "invalid_flag")),
        ("2", (None, "invalid_flag")),
        ("Y/N", (None, "invalid_flag")),
    ],
)
def test_flag(text: str, expected: tuple) -> None:
    assert outcome(nv.flag(text)) == expected


def test_flag_detail() -> None:
    assert nv.flag("maybe").detail == "'maybe' is not Y or N"


def test_code_accepts_every_listed_spelling_in_any_case_and_spacing() -> None:
    action = FILES_BY_NAME["discipline_incidents"].column("action_code")
    assert outcome(nv.code("OSS", action.codes, "action_code")) == ("OSS", None)
    assert outcome(nv.code("oss", action.codes, "action_code")) == ("OSS", None)
    assert outcome(nv.code("Out of  school suspension", action.codes, "action_code")) == ("OSS", None)
    assert outcome(nv.code("suspended", action.codes, "action_code")) == (None, "invalid_action_code")
    assert nv.code("suspended", action.codes, "action_code").detail == (
        "'suspended' is not one of ['EXP', 'ISS', 'OSS', 'OTH']"
    )
    address_type = FILES_BY_NAME["addresses"].column("address_type")
    assert outcome(nv.code("P.O. Box", address_type.codes, "address_type")) == (
        "po_box",
        None,
    )  # dots ignored
    assert outcome(nv.code("Post Office Box", address_type.codes, "address_type")) == ("po_box", None)
    assert outcome(nv.code("Motel", address_type.codes, "address_type")) == (None, "invalid_address_type")
    assert outcome(nv.code("PO Box", address_type.codes, "address_type")) == ("po_box", None)
    assert outcome(nv.code("homeless shelter", address_type.codes, "address_type")) == ("shelter", None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("05", ("05", None)),
        ("5", ("05", "grade_spelling_normalized")),
        ("12", ("12", None)),
        ("Grade 5", ("05", "grade_spelling_normalized")),
        # The note compares with the text once "GRADE" is removed and the case ignored (not a problem).
        ("grade 10", ("10", None)),
        ("K", ("K", None)),
        ("KG", ("K", "grade_spelling_normalized")),
        ("K2", ("K", "grade_spelling_normalized")),
        ("KF", ("K", "grade_spelling_normalized")),
        ("K0", ("PK", "grade_spelling_normalized")),
        ("K1", ("PK", "grade_spelling_normalized")),
        ("k1", ("PK", "grade_spelling_normalized")),
        ("PK", ("PK", None)),
        ("PreK", ("PK", "grade_spelling_normalized")),
        ("Pre-K", ("PK", "grade_spelling_normalized")),
        ("PK4", ("PK", "grade_spelling_normalized")),
        ("SP", ("SP", None)),
        ("UG", ("SP", "grade_spelling_normalized")),
        ("Ungraded", ("SP", "grade_spelling_normalized")),  # contains "GRADE": must not become "UND"
        ("0", (None, "invalid_grade")),
        ("00", (None, "invalid_grade")),
        ("13", (None, "invalid_grade")),
        ("K3", (None, "invalid_grade")),
        ("5th", (None, "invalid_grade")),
        ("\u00b2", (None, "invalid_grade")),  # str.isdigit() is true, int() fails: must not raise
        ("\u2460", (None, "invalid_grade")),  # circled digit one
    ],
)
def test_grade(text: str, expected: tuple) -> None:
    assert outcome(nv.grade(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-25", ("2024-25", None)),
        ("2024-2025", ("2024-25", "school_year_spelling_normalized")),
        ("2024/25", ("2024-25", "school_year_spelling_normalized")),
        ("2024/2025", ("2024-25", "school_year_spelling_normalized")),
        ("2024 - 25", ("2024-25", "school_year_spelling_normalized")),
        ("1999-00", ("1999-00", None)),
        ("1999-2000", ("1999-00", "school_year_spelling_normalized")),
        ("2024-26", (None, "invalid_school_year")),
        ("2024-2026", (None, "invalid_school_year")),
        ("2025-24", (None, "invalid_school_year")),
        ("2024", (None, "invalid_school_year")),
        ("24-25", (None, "invalid_school_year")),
        ("SY2024-25", (None, "invalid_school_year")),
        ("2024-5", (None, "invalid_school_year")),
    ],
)
def test_school_year(text: str, expected: tuple) -> None:
    assert outcome(nv.school_year(text)) == expected


def test_school_year_detail() -> None:
    assert nv.school_year("2024-26").detail == "'2024-26' is not a school year such as 2024-25"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("USA", ("USA", None)),
        ("usa", ("USA", None)),  # only the case differs
        ("US", ("USA", "country_spelling_normalized")),
        ("U.S.", ("USA", "country_spelling_normalized")),
        ("U.S.A.", ("USA", "country_spelling_normalized")),
        ("United States", ("USA", "country_spelling_normalized")),
        ("united  states of america", ("USA", "country_spelling_normalized")),
        ("DOM", ("DOM", None)),
        ("dom", ("DOM", None)),
        ("Dominican Republic", (None, "invalid_country")),
        ("DO", (None, "invalid_country")),
        ("D0M", (None, "invalid_country")),
    ],
)
def test_country(text: str, expected: tuple) -> None:
    assert outcome(nv.country(text)) == expected


# ---------------------------------------------------------------------------------------------
# Properties.

ELEVEN_DIGITS = st.from_regex(r"\A[0-9]{11}\Z")
# Text that looks like identifiers: digits, dots, exponents, signs, labels and county names.
GEOID_LIKE = st.lists(
    st.sampled_from(
        ["0", "1", "2", "5", "9", ".", "E", "e", "+", "-", ",", " ", '"', "Census Tract ", "tract ",
         ", Suffolk County, Massachusetts", ", Norfolk County", "\u00b2", "\u0661", "\n"]
    ),
    max_size=20,
).map("".join)  # fmt: skip
ANY_TEXT = st.one_of(st.text(), GEOID_LIKE)


@settings(max_examples=300, derandomize=True)
@given(ANY_TEXT, st.sampled_from([None, SUFFOLK]))
@example("\u00b2" * 11, None)
@example("2.5025010405E+10", None)
def test_tract_geoid_never_raises_and_returns_eleven_digits(text: str, county_label: str | None) -> None:
    result = nv.tract_geoid(text, COUNTY, county_label)
    if result.value is None:
        assert result.note is not None
    else:
        assert isinstance(result.value, str)
        assert len(result.value) == 11
        assert result.value.isascii() and result.value.isdigit()


@settings(max_examples=200, derandomize=True)
@given(ELEVEN_DIGITS)
def test_an_eleven_digit_geoid_is_kept_exactly(geoid: str) -> None:
    assert nv.tract_geoid(geoid, COUNTY, SUFFOLK) == nv.Normalized(geoid)


@settings(max_examples=200, derandomize=True)
@given(ELEVEN_DIGITS.filter(lambda g: g[0] != "0"))
def test_float_and_scientific_renderings_of_a_geoid_recover_it(geoid: str) -> None:
    # An 11-digit integer is exact in a double, so these are the strings a spreadsheet writes.
    scientific = f"{int(geoid):.10E}"
    assert nv.tract_geoid(scientific, COUNTY).value == geoid
    assert nv.tract_geoid(f"{geoid}.0", COUNTY).value == geoid


@settings(max_examples=300, derandomize=True)
@given(
    st.integers(min_value=1, max_value=9999),
    st.one_of(st.none(), st.integers(min_value=0, max_value=99)),
    st.sampled_from(["", ", Suffolk County, Massachusetts"]),
)
@example(9815, 2, "")
@example(1, 1, "")
@example(9999, 99, ", Suffolk County, Massachusetts")
def test_tract_labels_are_parsed_as_text_never_through_floating_point(
    whole: int, part: int | None, county: str
) -> None:
    label = f"Census Tract {whole}" + ("" if part is None else f".{part:02d}") + county
    expected = f"{COUNTY}{whole:04d}{part or 0:02d}"
    assert outcome(nv.tract_geoid(label, COUNTY, SUFFOLK)) == (expected, "tract_from_label")
    number = f"{whole}" + ("" if part is None else f".{part:02d}")
    assert nv.tract_geoid(number, COUNTY, SUFFOLK).value == expected


def test_the_label_example_of_the_brief() -> None:
    assert nv.tract_geoid("Census Tract 9815.02", COUNTY, SUFFOLK).value == "25025981502"


@settings(max_examples=300, derandomize=True)
@given(ANY_TEXT)
@example("\u00b2")
@example("\u2460")
def test_no_normalizer_raises_on_any_text(text: str) -> None:
    action = FILES_BY_NAME["discipline_incidents"].column("action_code")
    results = [
        nv.acs_number(text),
        nv.acs_number(text, top_code=250001),
        nv.tract_geoid(text, COUNTY, SUFFOLK),
        nv.block_group_geoid(text),
        nv.padded_code(text, 8, "school_code"),
        nv.padded_code(text, 5, "zip_code"),
        nv.flag(text),
        nv.code(text, action.codes, "action_code"),
        nv.grade(text),
        nv.school_year(text),
        nv.country(text),
    ]
    for result in results:
        assert isinstance(result, nv.Normalized)
        if result.value is None:
            assert result.note is not None  # an unusable value always says why
    school, zip_code, block_group = results[4].value, results[5].value, results[3].value
    for value, width in ((school, 8), (zip_code, 5), (block_group, 12)):
        if value is not None:
            assert len(value) == width and value.isascii() and value.isdigit()


@settings(max_examples=100, derandomize=True)
@given(st.from_regex(r"\A[0-9]{1,8}\Z"))
def test_a_school_code_of_up_to_eight_digits_gets_its_zeros_back(digits: str) -> None:
    assert nv.padded_code(digits, 8, "school_code").value == digits.zfill(8)

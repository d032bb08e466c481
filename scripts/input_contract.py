"""The input contract: every file a district provides, its columns, kinds of value, codes and keys.

This module is the single definition that the loader (scripts/load_inputs.py) enforces and that
docs/input_contract.md documents (a test checks that they agree). Two folders:
- the district folder (OI_DISTRICT_DIR): the student information system exports;
- the reference folder (OI_REFERENCE_DIR, default seeds/reference): census tracts, 311 disorder,
  crime, public housing, and the schools with their enrollment by grade.

How a bad value is treated depends on the column:
- required: the value must be present and valid, or the whole record is quarantined;
- strict: may be empty, but a value that is present must be valid, or the record is quarantined;
- lenient (neither): an invalid value becomes NULL, with a note, and the record is kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Kinds of value. The loader parses each kind the same way in every file.
KINDS = {
    "id": "text identifier, trimmed",
    "text": "free text, trimmed",
    "date": "date YYYY-MM-DD",
    "integer": "whole number (thousands separators allowed)",
    "number": "decimal number (thousands separators allowed)",
    "flag": "Y or N (also YES/NO, TRUE/FALSE, 1/0); empty = unknown",
    "code": "one of the listed codes (case-insensitive)",
    "school_code": "8-digit DESE school code; leading zeros restored when lost",
    "zip_code": "5-digit ZIP code; leading zeros restored; ZIP+4 shortened",
    "tract_geoid": "11-digit 2010 census tract GEOID; numbers, floats, scientific notation, tract "
    "numbers and labels are normalized, or rejected when digits are lost",
    "block_group_geoid": "12-digit 2010 census block group GEOID",
    "school_year": "school year YYYY-YY (2024-2025 and 2024/25 are rewritten)",
    "grade": "PK, K, 01-12 or SP (5 -> 05, KG/K2 -> K, K0/K1/PREK -> PK)",
    "country": "ISO 3166 alpha-3 code; USA for the United States (US, United States accepted)",
    "acs_number": "Census estimate: annotation values (-666666666 ...) and symbols (-, N, (X)) are "
    "missing with a reason; 250,000+ and 2,500- keep their number with a censoring note",
}

# Columns that every loaded table gets in addition to its contract columns.
SOURCE_ROW = "source_row"


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    description: str
    example: str = ""
    required: bool = False
    strict: bool = False
    codes: dict[str, str] = field(default_factory=dict)  # accepted spelling (upper) -> code
    minimum: float | None = None
    maximum: float | None = None
    top_code: float | None = None  # acs_number: a value at or above it is censored
    default: str | None = None  # used when an optional column is absent from the file

    @property
    def treatment(self) -> str:
        return "required" if self.required else "strict" if self.strict else "lenient"


@dataclass(frozen=True)
class RowRule:
    reason: str
    failing_when: str  # SQL over the normalized columns; true means the record is quarantined
    description: str


@dataclass(frozen=True)
class Reference:
    column: str
    file: str
    file_column: str
    reason: str


@dataclass(frozen=True)
class InputFile:
    name: str
    folder: str  # "district" or "reference"
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    row_rules: tuple[RowRule, ...] = ()
    references: tuple[Reference, ...] = ()

    @property
    def file_name(self) -> str:
        return f"{self.name}.csv"

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def codes(*values: str, **synonyms: str) -> dict[str, str]:
    """Accepted spellings: each code itself plus synonyms (spelling=CODE)."""
    accepted = {v.upper(): v for v in values}
    accepted.update({k.replace("_", " ").upper(): v for k, v in synonyms.items()})
    return accepted


def _id(name: str, description: str, example: str) -> Column:
    return Column(name, "id", description, example, required=True)


STUDENT_ID = _id("student_id", "the district's student id", "S00000001")
SCHOOL_YEAR = Column("school_year", "school_year", "school year", "2023-24", required=True)
SUBJECTS = codes("ELA", "MATH", ENGLISH="ELA", MATHEMATICS="MATH", MATH_="MATH")

DISTRICT_FILES = (
    InputFile(
        "students",
        "district",
        "One row per student.",
        (
            STUDENT_ID,
            Column("date_of_birth", "date", "date of birth", "2016-03-14"),
            Column("gender", "code", "gender", "F", codes=codes("F", "M", "N", FEMALE="F", MALE="M", X="N")),
            Column(
                "race_ethnicity", "text", "DESE race/ethnicity; never an index input", "Hispanic or Latino"
            ),
            Column("economically_disadvantaged", "flag", "economically disadvantaged", "Y"),
            Column("english_learner", "flag", "English learner", "Y"),
            Column("students_with_disabilities", "flag", "has an IEP", "N"),
            Column("country_of_birth", "country", "country of birth", "DOM"),
            Column("us_school_entry_date", "date", "first day in any US school", "2022-09-06"),
            Column("district_entry_date", "date", "first day in this district", "2022-09-06"),
        ),
        key=("student_id",),
    ),
    InputFile(
        "enrollments",
        "district",
        "One row per enrollment spell.",
        (
            STUDENT_ID,
            SCHOOL_YEAR,
            Column("school_code", "school_code", "8-digit DESE school code", "00350302", required=True),
            Column("grade", "grade", "grade", "03", required=True),
            Column("entry_date", "date", "first day of the spell", "2024-09-05", required=True),
            Column("exit_date", "date", "last day of the spell; empty while enrolled", "", strict=True),
        ),
        key=("student_id", "school_year", "school_code", "entry_date"),
        row_rules=(
            RowRule("exit_before_entry", "exit_date < entry_date", "the exit date is before the entry date"),
        ),
        references=(Reference("school_code", "dese_schools", "school_code", "unknown_school_code"),),
    ),
    InputFile(
        "addresses",
        "district",
        "One row per residential address spell.",
        (
            STUDENT_ID,
            Column("address_start_date", "date", "first day at the address", "2023-07-01", required=True),
            Column("address_end_date", "date", "last day; empty for the current address", "", strict=True),
            Column(
                "census_tract_geoid",
                "tract_geoid",
                "geocoded 2010 tract; empty when not geocoded",
                "25025092000",
            ),
            Column("is_public_housing", "flag", "in a Boston Housing Authority development", "N"),
            Column(
                "address_type",
                "code",
                "home, shelter or po_box (optional column; home when absent)",
                "home",
                codes=codes(
                    "home",
                    "shelter",
                    "po_box",
                    HOMELESS_SHELTER="shelter",
                    PO_BOX="po_box",
                    P_O_BOX="po_box",
                    POBOX="po_box",
                    POST_OFFICE_BOX="po_box",
                    RESIDENCE="home",
                    RESIDENTIAL="home",
                ),  # fmt: skip
                default="home",
            ),
        ),
        key=("student_id", "address_start_date"),
        row_rules=(
            RowRule(
                "address_end_before_start",
                "address_end_date < address_start_date",
                "the address end date is before its start date",
            ),
        ),
    ),
    InputFile(
        "attendance",
        "district",
        "One row per student, school year and school.",
        (
            STUDENT_ID,
            SCHOOL_YEAR,
            Column("school_code", "school_code", "8-digit DESE school code", "00350302", required=True),
            Column(
                "days_in_membership", "integer", "days enrolled", "180", required=True, minimum=0, maximum=366
            ),
            Column("days_present", "integer", "days present", "171", required=True, minimum=0, maximum=366),
        ),
        key=("student_id", "school_year", "school_code"),
        row_rules=(
            RowRule(
                "present_more_than_membership",
                "days_present > days_in_membership",
                "more days present than days in membership",
            ),
        ),
    ),
    InputFile(
        "discipline_incidents",
        "district",
        "One row per disciplinary action.",
        (
            _id("incident_id", "the district's incident id", "D0000001"),
            STUDENT_ID,
            SCHOOL_YEAR,
            Column("incident_date", "date", "date of the action", "2024-01-18"),
            Column(
                "action_code",
                "code",
                "ISS, OSS, EXP or OTH",
                "OSS",
                required=True,
                codes=codes(
                    "ISS",
                    "OSS",
                    "EXP",
                    "OTH",
                    IN_SCHOOL_SUSPENSION="ISS",
                    OUT_OF_SCHOOL_SUSPENSION="OSS",
                    EXPULSION="EXP",
                    OTHER="OTH",
                ),  # fmt: skip
            ),
            Column("days_removed", "number", "days removed from class", "2", minimum=0),
        ),
        key=("incident_id",),
    ),
    InputFile(
        "course_marks",
        "district",
        "One row per student, school year and course.",
        (
            STUDENT_ID,
            SCHOOL_YEAR,
            Column("course_subject", "code", "ELA or MATH", "MATH", required=True, codes=SUBJECTS),
            Column("course_code", "text", "the district's course code", "MTH-03"),
            Column(
                "final_mark",
                "code",
                "A, B, C, D or F (F = failed)",
                "B",
                required=True,
                codes=codes("A", "B", "C", "D", "F", FAIL="F", FAILED="F"),
            ),  # fmt: skip
        ),
        key=("student_id", "school_year", "course_subject", "course_code"),
    ),
    InputFile(
        "assessments",
        "district",
        "One row per student, school year and subject tested.",
        (
            STUDENT_ID,
            SCHOOL_YEAR,
            Column("test_grade", "grade", "grade tested (03-08, 10)", "03"),
            Column("subject", "code", "ELA or MATH", "ELA", required=True, codes=SUBJECTS),
            Column("scaled_score", "integer", "scaled score 440-560", "487", minimum=440, maximum=560),
            Column(
                "performance_level",
                "code",
                "E, M, PM or NM (not meeting expectations = a test failure)",
                "PM",
                required=True,
                codes=codes(
                    "E",
                    "M",
                    "PM",
                    "NM",
                    EXCEEDING_EXPECTATIONS="E",
                    MEETING_EXPECTATIONS="M",
                    PARTIALLY_MEETING_EXPECTATIONS="PM",
                    NOT_MEETING_EXPECTATIONS="NM",
                ),  # fmt: skip
            ),
        ),
        key=("student_id", "school_year", "subject"),
    ),
    InputFile(
        "academic_outcomes",
        "district",
        "One row per student with an end-of-year outcome (read only by the weight fit).",
        (
            STUDENT_ID,
            SCHOOL_YEAR,
            Column(
                "outcome_score",
                "number",
                "outcome on a common scale, higher is better",
                "493.7",
                required=True,
            ),
        ),
        key=("student_id", "school_year"),
    ),
)

ACS_SHARE = {"minimum": 0.0, "maximum": 1.0}

REFERENCE_FILES = (
    InputFile(
        "census_tracts_2010",
        "reference",
        "One row per 2010 census tract of the city, with ACS 5-year estimates (shares are 0-1).",
        (
            Column("tract_geoid", "tract_geoid", "2010 tract GEOID or label", "25025000100", required=True),
            Column("tract_name", "text", "tract name", "Census Tract 1"),
            Column("planning_district", "text", "planning district", "Allston/Brighton"),
            Column(
                "tract_type",
                "code",
                "R residential, I institutional, P park, D downtown",
                "R",
                codes=codes("R", "I", "P", "D"),
            ),  # fmt: skip
            Column("is_residential", "flag", "residential tract", "Y"),
            Column("land_area_sq_m", "number", "land area, square meters", "1794942", minimum=0),
            Column("census_2010_population", "integer", "2010 census population", "4254", minimum=0),
            Column("acs_total_population", "acs_number", "ACS total population", "4668", minimum=0),
            Column("acs_share_under_18", "acs_number", "share under 18", "0.178", **ACS_SHARE),
            Column("acs_share_foreign_born", "acs_number", "share foreign born", "0.308", **ACS_SHARE),
            Column(
                "acs_median_household_income",
                "acs_number",
                "median household income ($); 250001 or 250,000+ = $250,000 or more",
                "72478",
                minimum=0,
                top_code=250001,
            ),  # fmt: skip
            Column(
                "acs_share_families_in_poverty",
                "acs_number",
                "share of families in poverty",
                "0.097",
                **ACS_SHARE,
            ),  # fmt: skip
            Column(
                "acs_share_adults_less_than_high_school",
                "acs_number",
                "share of adults 25+ without a diploma",
                "0.141",
                **ACS_SHARE,
            ),  # fmt: skip
            Column(
                "acs_share_adults_bachelors",
                "acs_number",
                "share of adults 25+ with a bachelor's",
                "0.324",
                **ACS_SHARE,
            ),  # fmt: skip
            Column("acs_share_adults_masters", "acs_number", "share with a master's", "0.131", **ACS_SHARE),
            Column(
                "acs_share_adults_professional",
                "acs_number",
                "share with a professional degree",
                "0.019",
                **ACS_SHARE,
            ),  # fmt: skip
            Column(
                "acs_share_adults_doctorate", "acs_number", "share with a doctorate", "0.031", **ACS_SHARE
            ),
            Column("acs_median_year_moved_in", "acs_number", "median year householders moved in", "2012"),
            Column(
                "centroid_longitude",
                "number",
                "tract centroid longitude",
                "-71.138588",
                minimum=-180,
                maximum=180,
            ),  # fmt: skip
            Column(
                "centroid_latitude", "number", "tract centroid latitude", "42.361484", minimum=-90, maximum=90
            ),
        ),
        key=("tract_geoid",),
    ),
    InputFile(
        "bari_block_group_disorder",
        "reference",
        "One row per 2010 block group with 311 physical-disorder measures (standardized, mean 0).",
        (
            Column(
                "block_group_geoid",
                "block_group_geoid",
                "2010 block group GEOID",
                "250250001001",
                required=True,
            ),  # fmt: skip
            Column("private_neglect", "number", "private-neglect ecometric", "0.38"),
            Column("public_denigration", "number", "public-denigration ecometric", "-0.35"),
        ),
        key=("block_group_geoid",),
    ),
    InputFile(
        "bpd_offense_codes",
        "reference",
        "One row per police offense code with its group (groups: seeds/config/crime_offense_groups.csv).",
        (
            Column("offense_code", "id", "offense code", "301", required=True),
            Column("offense_name", "text", "offense description", "ROBBERY"),
            Column("offense_group", "id", "offense group", "robbery", required=True),
        ),
        key=("offense_code",),
    ),
    InputFile(
        "bpd_offense_records_by_tract",
        "reference",
        "Crime offense records counted per placement status, tract and offense code.",
        (
            Column(
                "placement_status",
                "code",
                "whether the incident could be placed in a tract",
                "placed_in_tract",
                required=True,
                codes=codes("placed_in_tract", "no_coordinates", "outside_boston_tracts"),
            ),  # fmt: skip
            Column("tract_geoid", "tract_geoid", "tract; empty when not placed", "25025000100"),
            Column("offense_code", "id", "offense code", "301", required=True),
            Column("offense_records", "integer", "offense records", "3", required=True, minimum=0),
        ),
        key=("placement_status", "tract_geoid", "offense_code"),
    ),
    InputFile(
        "subsidized_housing_by_tract",
        "reference",
        "Subsidized-housing addresses and developments per owner type, placement status and tract.",
        (
            Column(
                "owner_type",
                "code",
                "public_housing_authority or other_subsidized",
                "public_housing_authority",
                required=True,
                codes=codes("public_housing_authority", "other_subsidized"),
            ),  # fmt: skip
            Column(
                "placement_status",
                "code",
                "whether the address could be placed",
                "placed_in_tract",
                required=True,
                codes=codes("placed_in_tract", "no_coordinates", "outside_boston_tracts"),
            ),  # fmt: skip
            Column("tract_geoid", "tract_geoid", "tract; empty when not placed", "25025000100"),
            Column("addresses", "integer", "addresses", "12", required=True, minimum=0),
            Column("developments", "integer", "distinct developments", "2", minimum=0),
        ),
        key=("owner_type", "placement_status", "tract_geoid"),
    ),
    InputFile(
        "dese_schools",
        "reference",
        "One row per school of the district in the current school year.",
        (
            Column("school_code", "school_code", "8-digit DESE code", "00350302", required=True),
            Column("school_name", "text", "school name", "Adams Elementary School", required=True),
            Column("street_address", "text", "street address", "165 Webster Street"),
            Column("neighborhood", "text", "neighborhood", "East Boston"),
            Column("zip_code", "zip_code", "ZIP code", "02128"),
            Column("latitude", "number", "latitude", "42.365", minimum=-90, maximum=90),
            Column("longitude", "number", "longitude", "-71.035", minimum=-180, maximum=180),
            Column("location_source", "text", "where the location comes from", "dese_profiles_geocoded"),
        ),
        key=("school_code",),
    ),
    InputFile(
        "dese_enrollment_by_grade",
        "reference",
        "Enrollment per school and grade (the grade span and peer level of each school).",
        (
            SCHOOL_YEAR,
            Column("school_code", "school_code", "8-digit DESE code", "00350302", required=True),
            Column("grade", "grade", "grade", "03", required=True),
            Column("students", "integer", "students enrolled", "37", required=True, minimum=0),
        ),
        key=("school_year", "school_code", "grade"),
        references=(Reference("school_code", "dese_schools", "school_code", "unknown_school_code"),),
    ),
)

ALL_FILES = REFERENCE_FILES + DISTRICT_FILES  # reference first: district files refer to it
FILES_BY_NAME = {f.name: f for f in ALL_FILES}

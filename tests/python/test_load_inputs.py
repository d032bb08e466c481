"""Tests of the loader (scripts/load_inputs.py) on small input files written by the tests.

Each scenario copies the example folders (examples/district, examples/reference) into a temporary
folder, changes some files and loads everything into an in-memory DuckDB once; the tests of the
scenario then read the outcome: raw.<file>, quarantine.<file>, raw.value_notes, raw.load_log and
the problems of the report. "row N" is the N-th data record of a file (the header is not a row).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
from pathlib import Path

import duckdb
import pytest

import load_inputs as li
from input_contract import ALL_FILES, DISTRICT_FILES, FILES_BY_NAME
from load_helpers import (
    EXAMPLE_DISTRICT,
    EXAMPLE_REFERENCE,
    append_lines,
    copy_examples,
    data_records,
    load,
    load_log,
)

Loaded = tuple[duckdb.DuckDBPyConnection, li.LoadReport]


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def quarantined(con: duckdb.DuckDBPyConnection, file: str) -> dict[int, tuple[str, str]]:
    """source_row -> (reason_codes, reason_detail) of a file's quarantined records."""
    return {
        row: (codes, detail)
        for row, codes, detail in rows(
            con, f"select source_row, reason_codes, reason_detail from quarantine.{file} order by source_row"
        )
    }


def notes(con: duckdb.DuckDBPyConnection, file: str) -> list[tuple]:
    """(source_row, column, raw value, note, detail) of a file's value notes."""
    return rows(
        con,
        "select source_row, column_name, raw_value, note, detail from raw.value_notes "
        f"where file_name = '{file}' order by source_row, column_name",
    )


def loaded_rows(con: duckdb.DuckDBPyConnection, file: str) -> list[int]:
    return [r[0] for r in rows(con, f"select source_row from raw.{file} order by source_row")]


def report_text(report: li.LoadReport) -> str:
    stream = io.StringIO()
    li.print_report(report, True, stream)
    return stream.getvalue()


def assert_every_record_accounted_for(con: duckdb.DuckDBPyConnection, report: li.LoadReport) -> None:
    log = load_log(con)
    assert log == report.counts
    for file, (read, kept, held) in log.items():
        assert read == kept + held, file
        assert kept == rows(con, f"select count(*) from raw.{file}")[0][0], file
        assert held == rows(con, f"select count(*) from quarantine.{file}")[0][0], file


# ---------------------------------------------------------------------------------------------
# The example folders: the baseline every scenario changes.


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Loaded:
    return load(copy_examples(tmp_path_factory.mktemp("baseline")))


def test_the_example_folders_load_without_any_problem(baseline: Loaded) -> None:
    con, report = baseline
    assert report.problems == []
    assert_every_record_accounted_for(con, report)
    for spec in ALL_FILES:
        folder = EXAMPLE_DISTRICT if spec.folder == "district" else EXAMPLE_REFERENCE
        assert report.counts[spec.name] == (data_records(folder / spec.file_name),) * 2 + (0,), spec.name


def test_raw_tables_have_the_contract_columns_typed_plus_source_row(baseline: Loaded) -> None:
    con, _ = baseline
    for spec in ALL_FILES:
        described = rows(con, f"describe raw.{spec.name}")
        expected = [(li.SOURCE_ROW, "BIGINT")]
        for column in spec.columns:
            expected.append((column.name, li.SQL_TYPES[column.kind]))
            if column.kind == "acs_number":
                expected.append((f"{column.name}_censoring", "VARCHAR"))
        assert [(name, kind) for name, kind, *_ in described] == expected, spec.name
    assert rows(con, "select * from raw.students where source_row = 1") == [
        (1, "S00000001", dt.date(2020, 3, 14), "F", "Hispanic or Latino", True, True, False, "DOM",
         dt.date(2024, 9, 5), dt.date(2024, 9, 5)),
    ]  # fmt: skip
    assert rows(
        con, "select source_row, race_ethnicity from raw.students where student_id = 'S00000007'"
    ) == [(7, "Multi-Race, Not Hispanic or Latino")]


# ---------------------------------------------------------------------------------------------
# Encodings and layouts that must not change anything.


def rewrite(path: Path, *, bom: bool = False, crlf: bool = False) -> None:
    data = path.read_bytes()
    if crlf:
        data = data.replace(b"\n", b"\r\n")
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)


def table_contents(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    tables = {f"raw.{s.name}": f"select * from raw.{s.name} order by source_row" for s in ALL_FILES}
    tables |= {f"quarantine.{s.name}": f"select * from quarantine.{s.name}" for s in ALL_FILES}
    tables["raw.value_notes"] = "select * from raw.value_notes order by all"
    tables["raw.load_log"] = (
        "select file_name, folder, records_read, records_loaded, records_quarantined from raw.load_log"
    )
    return {name: rows(con, sql) for name, sql in tables.items()}


@pytest.mark.parametrize(("bom", "crlf"), [(True, False), (False, True), (True, True)])
def test_bom_and_windows_line_endings_load_identically(
    tmp_path: Path, baseline: Loaded, bom: bool, crlf: bool
) -> None:
    settings = copy_examples(tmp_path)
    for spec in ALL_FILES:
        rewrite(settings.folder(spec) / spec.file_name, bom=bom, crlf=crlf)
    con, report = load(settings)
    assert report.problems == []
    assert table_contents(con) == table_contents(baseline[0])


def test_columns_in_another_order_and_extra_columns_load_identically(
    tmp_path: Path, baseline: Loaded
) -> None:
    settings = copy_examples(tmp_path)
    for spec in DISTRICT_FILES:
        path = settings.district_dir / spec.file_name
        with path.open(newline="") as handle:
            records = list(csv.reader(handle))
        with path.open("w", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            for number, record in enumerate(records):
                # Columns reversed, a column the contract does not know, header in capitals.
                extra = "Comment" if number == 0 else f"note {number}"
                writer.writerow([extra, *reversed([v.upper() if number == 0 else v for v in record])])
    con, report = load(settings)
    assert report.problems == [
        li.Problem(spec.name, None, "comment", "extra_column", "not in the contract; ignored", "normalized")
        for spec in DISTRICT_FILES
    ]
    assert table_contents(con) == table_contents(baseline[0])
    assert "NORMALIZED: students.csv [comment] extra_column" in report_text(report)


# ---------------------------------------------------------------------------------------------
# Problems that stop the build: the file cannot be read at all.


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> tuple[li.Settings, Loaded]:
    settings = copy_examples(tmp_path_factory.mktemp("broken"))
    district = settings.district_dir

    def edit(name: str, old: bytes, new: bytes) -> None:
        path = district / name
        path.write_bytes(path.read_bytes().replace(old, new))

    edit("students.csv", b"student_id,date_of_birth", b"pupil,date_of_birth")  # required column missing
    edit("enrollments.csv", b",exit_date", b",leaving_date")  # strict column missing
    (district / "attendance.csv").unlink()
    edit("course_marks.csv", b",", b";")
    (district / "assessments.csv").write_bytes(b"")
    edit("academic_outcomes.csv", b"outcome_score", b"outcome_sc\xf6re")
    # Not fatal: an optional column with a default, and a lenient column, are absent.
    edit("addresses.csv", b",address_type", b"")
    edit("addresses.csv", b",home", b"")
    edit("addresses.csv", b",shelter", b"")
    edit("addresses.csv", b",po_box", b"")
    incidents = district / "discipline_incidents.csv"
    incidents.write_bytes(
        b"".join(line.rsplit(b",", 1)[0] + b"\n" for line in incidents.read_bytes().splitlines())
    )
    return settings, load(settings)


def fatal_problems(report: li.LoadReport) -> dict[str, li.Problem]:
    return {p.file: p for p in report.problems if p.outcome == "fatal"}


def test_fatal_problems_name_the_file_the_column_and_the_reason(broken) -> None:
    settings, (_, report) = broken
    district = settings.district_dir
    fatal = fatal_problems(report)
    assert report.fatal
    assert sorted(fatal) == [
        "academic_outcomes", "assessments", "attendance", "course_marks", "enrollments", "students",
    ]  # fmt: skip
    students_header = (
        "pupil, date_of_birth, gender, race_ethnicity, economically_disadvantaged, english_learner, "
        "students_with_disabilities, country_of_birth, us_school_entry_date, district_entry_date"
    )
    assert fatal["students"] == li.Problem(
        "students",
        None,
        "student_id",
        "missing_column",
        f"{district / 'students.csv'} lacks required column(s) student_id (has: {students_header})",
        "fatal",
    )
    assert fatal["enrollments"].reason == "missing_column"
    assert fatal["enrollments"].column == "exit_date"
    assert "lacks required column(s) exit_date" in fatal["enrollments"].detail
    assert fatal["attendance"] == li.Problem(
        "attendance", None, None, "file_missing", f"{district / 'attendance.csv'} does not exist", "fatal"
    )
    assert fatal["course_marks"] == li.Problem(
        "course_marks",
        None,
        None,
        "wrong_delimiter",
        f"{district / 'course_marks.csv'}: columns are separated by semicolons; use commas",
        "fatal",
    )
    assert fatal["assessments"] == li.Problem(
        "assessments",
        None,
        None,
        "no_header",
        f"{district / 'assessments.csv'} is empty or starts with a blank line;"
        " the first line must be the header",
        "fatal",
    )
    assert fatal["academic_outcomes"].reason == "invalid_encoding"
    assert fatal["academic_outcomes"].detail.startswith(
        f"{district / 'academic_outcomes.csv'}: the header is not UTF-8"
    )


def test_a_fatal_file_is_not_loaded_but_the_others_are(broken) -> None:
    _, (con, report) = broken
    log = load_log(con)
    assert sorted(log) == sorted(
        {s.name for s in ALL_FILES} - {"academic_outcomes", "assessments", "attendance", "course_marks",
                                       "enrollments", "students"}
    )  # fmt: skip
    assert_every_record_accounted_for(con, report)
    with pytest.raises(duckdb.CatalogException):
        con.execute("select * from raw.attendance")


def test_absent_optional_columns(broken) -> None:
    _, (con, report) = broken
    # address_type has a default: every address is a home, silently.
    assert rows(con, "select address_type, count(*) from raw.addresses group by all") == [("home", 16)]
    assert [p for p in report.problems if p.file == "addresses"] == []
    # A lenient column without a default: every value is empty, reported once for the file.
    assert [p for p in report.problems if p.file == "discipline_incidents"] == [
        li.Problem(
            "discipline_incidents",
            None,
            "days_removed",
            "missing_optional_column",
            "the column is absent: every value is empty",
            "value emptied",
        )
    ]
    assert rows(con, "select count(*), count(days_removed) from raw.discipline_incidents") == [(4, 0)]


def test_check_exits_1_on_a_fatal_problem_and_prints_every_fatal_problem(broken) -> None:
    settings, _ = broken
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        code = li.main(
            ["--check", "--district", str(settings.district_dir), "--reference", str(settings.reference_dir)]
        )
    assert code == 1
    text = output.getvalue()
    assert "FATAL: attendance.csv file_missing\n" in text
    assert "FATAL: students.csv [student_id] missing_column\n" in text
    assert "FATAL: course_marks.csv wrong_delimiter\n" in text
    assert "FATAL: assessments.csv no_header\n" in text
    assert (
        "VALUE EMPTIED: discipline_incidents.csv [days_removed] missing_optional_column: 1 record(s)" in text
    )
    assert text.rstrip().endswith("Cannot build: fix the fatal problems above.")


@pytest.mark.parametrize(
    ("content", "reason", "detail"),
    [
        (b"", "no_header", "is empty or starts with a blank line; the first line must be the header"),
        (b"\n" + b"a,b\n", "no_header", "is empty or starts with a blank line"),
        (b"a;b;c\n1;2;3\n", "wrong_delimiter", "columns are separated by semicolons; use commas"),
        (b"a\tb\tc\n1\t2\t3\n", "wrong_delimiter", "columns are separated by tabs; use commas"),
        (b"a|b|c\n1|2|3\n", "wrong_delimiter", "columns are separated by pipes; use commas"),
        (b"a,b,A\n1,2,3\n", "duplicate_column", "column(s) a appear twice"),
        (b"a,\xff\n", "invalid_encoding", "the header is not UTF-8"),
    ],
)
def test_unreadable_headers(tmp_path: Path, content: bytes, reason: str, detail: str) -> None:
    path = tmp_path / "file.csv"
    path.write_bytes(content)
    with pytest.raises(li.FileUnreadable) as raised:
        li.read_header(path)
    assert raised.value.reason == reason
    assert detail in raised.value.detail


def test_header_names_are_trimmed_and_lower_cased(tmp_path: Path) -> None:
    path = tmp_path / "file.csv"
    path.write_bytes(b"\xef\xbb\xbf Student_ID ,SCHOOL_YEAR\r\nS1,2024-25\r\n")
    assert li.read_header(path) == ["student_id", "school_year"]


# ---------------------------------------------------------------------------------------------
# Records and values with problems: one messy copy of every file, loaded once.

# Records appended to the example files; the comment gives the row number of the first one.
MESSY_ROWS: dict[str, list[str | bytes]] = {
    "students": [  # rows 13-22
        "S00000013,2015-01-01,F,White,N,N,N,USA,2020-09-08,2020-09-08,surplus",
        b"S00000014,2015-01-01,F,Hisp\xe1nico,N,N,N,USA,2020-09-08,2020-09-08",
        "S00000001,2020-03-14,F,Hispanic or Latino,Y,Y,N,DOM,2024-09-05,2024-09-05",  # = row 1
        "S00000016,2015-02-02,F,White,N,N,N,USA,2020-09-08,2020-09-08",
        "S00000016,2015-02-02,M,White,N,N,N,USA,2020-09-08,2020-09-08",
        "S00000018,14/03/2016,Q,White,maybe,N,N,Dominican Republic,2020-09-08,2020-09-08",
        ",2015-01-01,F,White,N,N,N,USA,2020-09-08,2020-09-08",
        "S00000020,2015-01-01,female,White,yes,No,0,United States,2020-09-08,2020-09-08",
        "S00000021,2015-01-01,F,White,N,N,N,USA,2020-09-08",
        'S00000022,2015-01-01,F,"Quoted, with a comma and ""quotes""",N,N,N,USA,2020-09-08,2020-09-08',
    ],
    "enrollments": [  # rows 14-21
        "S00000001,2024-25,00350009,PK,2024-10-01,2024-09-30",
        "S00000002,2024-25,00359999,K,2024-10-01,",
        "S00000004,2024-2025,350257,3,2025-01-06,",
        "S00000005,2024-25,00350257,04,next monday,",
        "S00000006,2024-25,00350257,05,2025-01-06,2025-13-01",
        "S00000007,2024-25,00350257,13,2025-01-06,",
        "S00000012,2024-25,00350530,Ungraded,2025-01-06,",
        "S00000003,2024-25,00359999,01,2024-10-01,2024-09-01",
    ],
    "addresses": [  # rows 17-23
        "S00000001,2024-09-01,,25025050101.0,N,home",
        'S00000002,2024-09-01,,"Census Tract 813, Suffolk County, Massachusetts",N,home',
        "S00000004,2024-09-01,,2.5025E+10,N,home",
        "S00000005,2024-09-01,2024-08-31,25025090400,N,home",
        "S00000006,2024-09-01,,813,Y,Homeless Shelter",
        'S00000007,2024-09-01,,"Census Tract 813, Middlesex County, Massachusetts",N,home',
        "S00000009,2024-09-01,,2.5025090400E+10,N,home",
    ],
    "attendance": [  # rows 12-15
        "S00000001,2023-24,00350009,180,171.5",
        "S00000013,2023-24,00350009,400,170",
        "S00000014,2023-24,00350009,170,175",
        "S00000016,2023-24,00350009,,170",
    ],
    "discipline_incidents": [  # rows 5-11
        "D0000005,S00000008,2023-24,yesterday,OSS,two",
        "D0000006,S00000008,2023-24,2024-02-02,suspended,1",
        "D0000007,S00000010,2023-24,2024-02-02,Out of school suspension,-1",
        'D0000008,S00000010,2023-24,2024-02-03,OSS,"1,5"',  # a decimal comma: not 15
        'D0000009,S00000010,2023-24,2024-02-04,OSS,"1,000"',  # a thousands separator
        "D0000010,S00000010,2023-24,2024-02-05,OSS,1_5",  # a database cast would read 15
        "D0000011,S00000010,2023-24,2024-02-06,OSS,$2",  # a leading currency sign
    ],
    "course_marks": [  # rows 11-13
        "S00000009,2023-24,Mathematics,MTH-08,Failed",
        "S00000009,2023-24,ELA,ELA-08,E",
        "S00000004,2023-24,ELA,ELA-02,B",  # = row 1
    ],
    "assessments": [  # rows 13-15
        "S00000010,2023-24,09,ELA,600,Not Meeting Expectations",
        "S00000010,2023-24,09,MATH,abc,NM",
        "S00000012,2023-24,10,Science,470,PM",
    ],
    "academic_outcomes": [  # rows 11-13
        "S00000001,2024-25,n/a",
        'S00000002,2024-25,"1,234.5"',
        "S00000003,2024-25,500.0",  # row 1 has another score for the same key
    ],
}

# The census file: Census special values, symbols and censored medians in place of estimates.
MESSY_CENSUS = {
    "25025050101": {"acs_median_household_income": "-666666666"},
    "25025050200": {"acs_median_household_income": "250,000+", "acs_share_under_18": "(X)"},
    "25025081300": {
        "acs_median_household_income": "250001",
        "acs_total_population": "2,500-",
        "acs_share_foreign_born": "-",
    },
    "25025090400": {
        "tract_geoid": "Census Tract 904, Suffolk County, Massachusetts",
        "acs_median_household_income": "-999999999",
        "acs_share_families_in_poverty": "N",
        "acs_median_year_moved_in": "-888888888",
    },
}


@pytest.fixture(scope="module")
def messy(tmp_path_factory: pytest.TempPathFactory) -> Loaded:
    settings = copy_examples(tmp_path_factory.mktemp("messy"))
    for name, lines in MESSY_ROWS.items():
        append_lines(settings.district_dir / f"{name}.csv", *lines)
    census = settings.reference_dir / "census_tracts_2010.csv"
    with census.open(newline="") as handle:
        records = list(csv.DictReader(handle))
    for record in records:
        record.update(MESSY_CENSUS[record["tract_geoid"]])
    with census.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(records[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
    return load(settings)


def test_messy_files_are_not_fatal_and_every_record_is_accounted_for(messy: Loaded) -> None:
    con, report = messy
    assert not report.fatal
    assert_every_record_accounted_for(con, report)
    for name, lines in MESSY_ROWS.items():
        read, _, _ = report.counts[name]
        assert read == data_records(EXAMPLE_DISTRICT / f"{name}.csv") + len(lines), name
    assert load_log(con) == {
        "census_tracts_2010": (4, 4, 0),
        "bari_block_group_disorder": (14, 14, 0),
        "bpd_offense_codes": (5, 5, 0),
        "bpd_offense_records_by_tract": (18, 18, 0),
        "subsidized_housing_by_tract": (6, 6, 0),
        "dese_schools": (3, 3, 0),
        "dese_enrollment_by_grade": (20, 20, 0),
        "students": (22, 15, 7),
        "enrollments": (21, 15, 6),
        "addresses": (23, 22, 1),
        "attendance": (15, 11, 4),
        "discipline_incidents": (11, 10, 1),
        "course_marks": (13, 11, 2),
        "assessments": (15, 14, 1),
        "academic_outcomes": (13, 10, 3),
    }


def test_malformed_records_are_quarantined_with_their_row_numbers(messy: Loaded) -> None:
    con, _ = messy
    held = quarantined(con, "students")
    # Row n is line n + 1 of the file (the header is line 1).
    assert held[13] == ("wrong_number_of_fields", "11 fields where the header has 10 (line 14)")
    assert held[14] == ("invalid_encoding", "the record (line 15) is not valid UTF-8")
    assert held[21] == ("wrong_number_of_fields", "9 fields where the header has 10 (line 22)")
    # A record that could not be split keeps no values (it has no columns to put them in).
    assert rows(con, "select student_id, gender from quarantine.students where source_row = 13") == [
        (None, None)
    ]


def test_exact_duplicates_keep_the_first_copy_and_conflicting_duplicates_keep_none(messy: Loaded) -> None:
    con, _ = messy
    held = quarantined(con, "students")
    assert held[15] == ("duplicate_row", "same values as row 1; that row is used")
    assert 1 in loaded_rows(con, "students")
    for row in (16, 17):
        codes, detail = held[row]
        assert codes == "conflicting_duplicate_key"
        assert detail.startswith("(student_id) = (S00000016) appears with different values in rows ")
        assert sorted(detail.rsplit("rows ", 1)[1].split(", ")) == ["16", "17"]
    assert rows(con, "select count(*) from raw.students where student_id = 'S00000016'") == [(0,)]
    assert quarantined(con, "course_marks")[13] == ("duplicate_row", "same values as row 1; that row is used")
    outcomes = quarantined(con, "academic_outcomes")
    assert outcomes[1][0] == outcomes[13][0] == "conflicting_duplicate_key"
    assert outcomes[1][1].startswith(
        "(student_id, school_year) = (S00000003, 2024-25) appears with different"
    )


def test_a_missing_required_value_quarantines_the_record(messy: Loaded) -> None:
    con, _ = messy
    assert quarantined(con, "students")[19] == ("missing_student_id", "student_id is empty")
    assert quarantined(con, "attendance")[15] == ("missing_days_in_membership", "days_in_membership is empty")


def test_the_quarantined_student_records_are_exactly_these(messy: Loaded) -> None:
    con, _ = messy
    assert sorted(quarantined(con, "students")) == [13, 14, 15, 16, 17, 19, 21]
    assert loaded_rows(con, "students") == [*range(1, 13), 18, 20, 22]


def test_lenient_values_are_emptied_with_a_note_and_the_record_kept(messy: Loaded) -> None:
    con, _ = messy
    assert rows(
        con,
        "select date_of_birth, gender, economically_disadvantaged, country_of_birth, english_learner "
        "from raw.students where source_row = 18",
    ) == [(None, None, None, None, False)]
    assert [n for n in notes(con, "students") if n[0] == 18] == [
        (18, "country_of_birth", "Dominican Republic", "invalid_country",
         "'Dominican Republic' is not a 3-letter ISO country code"),
        (18, "date_of_birth", "14/03/2016", "invalid_date", "'14/03/2016' is not a valid date"),
        (18, "economically_disadvantaged", "maybe", "invalid_flag", "'maybe' is not Y or N"),
        (18, "gender", "Q", "invalid_gender", "'Q' is not one of ['F', 'M', 'N']"),
    ]  # fmt: skip
    assert rows(con, "select incident_date, action_code, days_removed from raw.discipline_incidents "
                     "where source_row in (5, 7, 8, 9, 10, 11) order by source_row") == [
        (None, "OSS", None), (dt.date(2024, 2, 2), "OSS", None), (dt.date(2024, 2, 3), "OSS", None),
        (dt.date(2024, 2, 4), "OSS", 1000.0), (dt.date(2024, 2, 5), "OSS", None),
        (dt.date(2024, 2, 6), "OSS", 2.0),
    ]  # fmt: skip
    assert notes(con, "discipline_incidents") == [
        (5, "days_removed", "two", "invalid_number", "'two' is not a valid number"),
        (5, "incident_date", "yesterday", "invalid_date", "'yesterday' is not a valid date"),
        (7, "days_removed", "-1", "out_of_range", "-1.0 is outside [0, inf]"),
        (8, "days_removed", "1,5", "invalid_number", "'1,5' is not a valid number"),
        (10, "days_removed", "1_5", "invalid_number", "'1_5' is not a valid number"),
    ]
    assert rows(
        con, "select scaled_score, performance_level from raw.assessments where source_row >= 13"
    ) == [
        (None, "NM"),
        (None, "NM"),
    ]
    # A listed synonym of a code ("Not Meeting Expectations" = NM) is not a problem: no note.
    assert notes(con, "assessments") == [
        (13, "scaled_score", "600", "out_of_range", "600 is outside [440, 560]"),
        (14, "scaled_score", "abc", "invalid_integer", "'abc' is not a valid integer"),
    ]


def test_required_and_strict_values_of_the_wrong_type_quarantine_the_record(messy: Loaded) -> None:
    con, _ = messy
    enrollments = quarantined(con, "enrollments")
    assert enrollments[17] == ("invalid_date", "entry_date: 'next monday' is not a valid date")
    assert enrollments[18] == ("invalid_date", "exit_date: '2025-13-01' is not a valid date")
    assert enrollments[19] == ("invalid_grade", "grade: '13' is not PK, K, 01-12 or SP")
    attendance = quarantined(con, "attendance")
    assert attendance[12] == ("invalid_integer", "days_present: '171.5' is not a valid integer")
    assert attendance[13] == ("out_of_range", "days_in_membership: 400 is outside [0, 366]")
    assert quarantined(con, "discipline_incidents") == {
        6: ("invalid_action_code", "action_code: 'suspended' is not one of ['EXP', 'ISS', 'OSS', 'OTH']")
    }
    assert quarantined(con, "course_marks")[12] == (
        "invalid_final_mark",
        "final_mark: 'E' is not one of ['A', 'B', 'C', 'D', 'F']",
    )
    assert quarantined(con, "assessments") == {
        15: ("invalid_subject", "subject: 'Science' is not one of ['ELA', 'MATH']")
    }
    assert quarantined(con, "academic_outcomes")[11] == (
        "invalid_number",
        "outcome_score: 'n/a' is not a valid number",
    )
    # Quarantined records keep their values as written.
    assert rows(con, "select entry_date, grade from quarantine.enrollments where source_row = 17") == [
        ("next monday", "04")
    ]


def test_row_rules_and_references(messy: Loaded) -> None:
    con, _ = messy
    enrollments = quarantined(con, "enrollments")
    assert enrollments[14] == ("exit_before_entry", "the exit date is before the entry date")
    assert enrollments[15] == ("unknown_school_code", "school_code 00359999 is not in dese_schools.csv")
    assert enrollments[21] == (
        "exit_before_entry; unknown_school_code",
        "the exit date is before the entry date; school_code 00359999 is not in dese_schools.csv",
    )
    assert sorted(enrollments) == [14, 15, 17, 18, 19, 21]
    assert quarantined(con, "addresses") == {
        20: ("address_end_before_start", "the address end date is before its start date")
    }
    assert quarantined(con, "attendance")[14] == (
        "present_more_than_membership",
        "more days present than days in membership",
    )


def test_normalized_values_are_kept_with_a_note(messy: Loaded) -> None:
    con, _ = messy
    assert rows(
        con,
        "select school_year, school_code, grade from raw.enrollments"
        " where source_row in (16, 20) order by 1, 2",
    ) == [("2024-25", "00350257", "03"), ("2024-25", "00350530", "SP")]
    assert [n[1:4] for n in notes(con, "enrollments")] == [
        ("grade", "3", "grade_spelling_normalized"),
        ("school_code", "350257", "leading_zeros_restored"),
        ("school_year", "2024-2025", "school_year_spelling_normalized"),
        ("grade", "Ungraded", "grade_spelling_normalized"),
    ]
    assert rows(
        con,
        "select gender, economically_disadvantaged, english_learner, students_with_disabilities, "
        "country_of_birth from raw.students where source_row = 20",
    ) == [("F", True, False, False, "USA")]
    assert [n for n in notes(con, "students") if n[0] == 20] == [
        (20, "country_of_birth", "United States", "country_spelling_normalized", "United States")
    ]
    assert rows(con, "select race_ethnicity from raw.students where source_row = 22") == [
        ('Quoted, with a comma and "quotes"',)
    ]
    assert rows(con, "select course_subject, final_mark from raw.course_marks where source_row = 11") == [
        ("MATH", "F")
    ]
    assert rows(con, "select outcome_score from raw.academic_outcomes where source_row = 12") == [(1234.5,)]


def test_tract_geoids_in_addresses(messy: Loaded) -> None:
    con, _ = messy
    assert rows(
        con,
        "select source_row, census_tract_geoid, address_type from raw.addresses "
        "where source_row >= 17 order by source_row",
    ) == [
        (17, "25025050101", "home"),
        (18, "25025081300", "home"),
        (19, None, "home"),
        (21, "25025081300", "shelter"),
        (22, None, "home"),
        (23, "25025090400", "home"),
    ]
    assert [n[:4] for n in notes(con, "addresses")] == [
        (17, "census_tract_geoid", "25025050101.0", "geoid_from_float"),
        (18, "census_tract_geoid", "Census Tract 813, Suffolk County, Massachusetts", "tract_from_label"),
        (19, "census_tract_geoid", "2.5025E+10", "geoid_digits_lost"),
        (21, "census_tract_geoid", "813", "tract_number_in_default_county"),
        (
            22,
            "census_tract_geoid",
            "Census Tract 813, Middlesex County, Massachusetts",
            "tract_in_other_county",
        ),
        (23, "census_tract_geoid", "2.5025090400E+10", "geoid_from_scientific_notation"),
    ]


def test_census_special_values_and_censoring(messy: Loaded) -> None:
    con, report = messy
    assert rows(
        con,
        "select tract_geoid, acs_median_household_income, acs_median_household_income_censoring, "
        "acs_total_population, acs_total_population_censoring, acs_share_under_18, acs_share_foreign_born, "
        "acs_share_families_in_poverty, acs_median_year_moved_in from raw.census_tracts_2010 order by 1",
    ) == [
        ("25025050101", None, None, 5359.0, None, 0.240716551595447, 0.462586303414816, 0.218588640275387,
         2011.0),
        ("25025050200", 250000.0, "top", 6125.0, None, None, 0.616979591836735, 0.114848236259229, 2011.0),
        ("25025081300", 250001.0, "top", 2500.0, "bottom", 0.179257132603625, None, 0.380645161290323,
         2010.0),
        ("25025090400", None, None, 4310.0, None, 0.259860788863109, 0.423201856148492, None, None),
    ]  # fmt: skip
    assert notes(con, "census_tracts_2010") == [
        (1, "acs_median_household_income", "-666666666", "acs_estimate_not_computed",
         "too few sample observations to compute an estimate"),
        (2, "acs_median_household_income", "250,000+", "top_coded", "'250,000+' is censored at 250000"),
        (2, "acs_share_under_18", "(X)", "acs_missing_symbol", "'(X)' marks a missing estimate"),
        (3, "acs_median_household_income", "250001", "top_coded", "250001 is the file's top code"),
        (3, "acs_share_foreign_born", "-", "acs_missing_symbol", "'-' marks a missing estimate"),
        (3, "acs_total_population", "2,500-", "bottom_coded", "'2,500-' is censored at 2500"),
        (4, "acs_median_household_income", "-999999999", "acs_not_displayable",
         "estimate or margin of error cannot be displayed"),
        (4, "acs_median_year_moved_in", "-888888888", "acs_not_applicable",
         "not applicable or not available"),
        (4, "acs_share_families_in_poverty", "N", "acs_missing_symbol", "'N' marks a missing estimate"),
        (4, "tract_geoid", "Census Tract 904, Suffolk County, Massachusetts", "tract_from_label",
         "from 'Census Tract 904, Suffolk County, Massachusetts'"),
    ]  # fmt: skip
    outcomes = {(p.row, p.column): p.outcome for p in report.problems if p.file == "census_tracts_2010"}
    assert outcomes[(1, "acs_median_household_income")] == "value emptied"
    assert outcomes[(2, "acs_median_household_income")] == "normalized"


def test_the_report_groups_problems_by_file_column_and_reason(messy: Loaded) -> None:
    _, report = messy
    text = report_text(report)
    assert "QUARANTINED: enrollments.csv exit_before_entry: 2 record(s)\n    row 14: " in text
    assert "QUARANTINED: students.csv wrong_number_of_fields: 2 record(s)\n    row 13: " in text
    assert "VALUE EMPTIED: students.csv [gender] invalid_gender: 1 record(s)\n    row 18: " in text
    assert "NORMALIZED: census_tracts_2010.csv [acs_median_household_income] top_coded: 2 record(s)" in text
    assert "Cannot build" not in text
    # Quarantined problems come before emptied values, which come before normalized ones.
    assert text.index("QUARANTINED") < text.index("VALUE EMPTIED") < text.index("NORMALIZED")


def test_every_problem_has_a_known_outcome_and_a_file_of_the_contract(messy: Loaded) -> None:
    _, report = messy
    for problem in report.problems:
        assert problem.outcome in {"fatal", "quarantined", "value emptied", "normalized"}
        assert problem.file in FILES_BY_NAME

"""Property-based tests of the loader: malformed records appended to copies of the example files
never crash load_all and never lose a record.

Each example copies the example folders into a fresh temporary folder (hypothesis runs many
examples per test, so pytest's per-test tmp_path cannot be used), rewrites one or every file with
generated records, and loads. Runs are deterministic (derandomize) and kept small.
"""

from __future__ import annotations

import contextlib
import csv
import io
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import load_inputs as li
import normalize_values as nv
from input_contract import ALL_FILES, FILES_BY_NAME, InputFile
from load_helpers import EXAMPLES, copy_examples, data_records

PROPERTY_SETTINGS = settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Values that parsers of CSV files, numbers and identifiers are known to trip on.
TRICKY_VALUES = (
    "", " ", "  \t ", '"', '""', "'", ",", ",,", "a,b", 'say "hi"', "\r", "\n", "\r\n", "line\nbreak",
    "\ufeff", "\ufeffS00000001", "\x00", "\u2028", "\x85", "é", "日本", "٣", "²", "Ⅻ", "🙂",
    "NULL", "null", "\\N", "NA", "N/A", "(X)", "-", "N", "X", "**", "*****",
    *nv.ACS_SPECIAL_VALUES, "250,000+", "2,500-", "250001", "-1", "-0", "0", "1,234", "1,234.5",
    "1e3", "1E+10", "1e999", "-1e999", "NaN", "inf", "-Infinity", "0x1F", "1_000", "+5", ".5", "5.",
    "2.5025090400E+10", "2.5025E+10", "25025050101.0", "2502505010", "025025050101", "813", "101.03",
    "Census Tract 813, Suffolk County, Massachusetts", "Census Tract 813, Middlesex County, Massachusetts",
    "350302", "00350302", "0035030200", "02128-1234", "2024-25", "2024-2025", "2024/25", "2024-26",
    "2024-02-30", "2024-13-01", "14/03/2016", "K2", "Grade 3", "Ungraded", "13", "yes", "maybe",
    "United States", "US", "HOME", "P.O. Box", "Not Meeting Expectations", "x" * 5000, "9" * 400,
)  # fmt: skip


def example_values(spec: InputFile) -> dict[str, list[str]]:
    """column -> the values of the example file (valid values make duplicates and loaded records)."""
    with (EXAMPLES / spec.folder / spec.file_name).open(encoding="utf-8", newline="") as handle:
        records = list(csv.DictReader(handle))
    return {c.name: sorted({r[c.name] for r in records}) for c in spec.columns}


EXAMPLE_VALUES = {spec.name: example_values(spec) for spec in ALL_FILES}


def field_values(spec: InputFile, column: str) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(EXAMPLE_VALUES[spec.name][column]),
        st.sampled_from(TRICKY_VALUES),
        st.text(max_size=30),
    )


@dataclass(frozen=True)
class Line:
    """One line appended to a file: fields written as CSV, or bytes written as they are."""

    fields: tuple[str, ...] | None = None
    raw: bytes = b""

    @property
    def blank(self) -> bool:
        return self.fields is None and self.raw == b""

    def encode(self) -> bytes:
        if self.fields is None:
            return self.raw
        # With "\r\n" as terminator the writer quotes every field holding a \r or a \n.
        text = io.StringIO()
        csv.writer(text, lineterminator="\r\n").writerow(self.fields)
        return text.getvalue().removesuffix("\r\n").encode("utf-8")


# Bytes that are not UTF-8 (or barely are), separators, quotes and escapes, to glue into records.
RAW_PARTS = (
    b"\xff", b"\xc3", b"\xe9t\xe9", b"\xef\xbb\xbf", b"\xed\xa0\x80", b"\x00",
    b"abc", b",", b"1", b'"', b"\\",
)  # fmt: skip


def one_record(raw: bytes) -> bytes:
    """`raw` without line breaks or quotes opening a field (a quote inside a field is kept as written):
    exactly one record, or a blank line."""
    fields = raw.replace(b"\r", b"").replace(b"\n", b"").split(b",")
    return b",".join(f.lstrip(b'"') for f in fields)


def lines(spec: InputFile) -> st.SearchStrategy[Line]:
    width = len(spec.columns)
    whole_records = st.tuples(*(field_values(spec, c.name) for c in spec.columns))
    wrong_field_counts = (
        st.integers(1, width + 3)
        .filter(lambda n: n != width)
        .flatmap(lambda n: st.lists(st.sampled_from(TRICKY_VALUES), min_size=n, max_size=n).map(tuple))
    )
    raw_bytes = st.binary(max_size=60).map(one_record)
    raw_from_parts = st.lists(st.sampled_from(RAW_PARTS), max_size=width + 4).map(b"".join).map(one_record)
    return st.one_of(
        whole_records.map(lambda f: Line(fields=f)),
        wrong_field_counts.map(lambda f: Line(fields=f)),
        raw_bytes.map(lambda b: Line(raw=b)),
        raw_from_parts.map(lambda b: Line(raw=b)),
        st.just(Line()),
    )


@dataclass(frozen=True)
class Layout:
    bom: bool
    crlf: bool
    final_line_break: bool
    example_records_kept: bool


layouts = st.builds(
    Layout,
    bom=st.booleans(),
    crlf=st.booleans(),
    final_line_break=st.booleans(),
    example_records_kept=st.booleans(),
)


def rewrite(path: Path, appended: list[Line], layout: Layout) -> None:
    """The example file in `layout` (its header, and its records or none), then `appended`."""
    terminator = "\r\n" if layout.crlf else "\n"
    example = path.read_bytes().splitlines()
    if not layout.example_records_kept:
        example = example[:1]
    data = terminator.encode().join(example + [line.encode() for line in appended])
    if layout.final_line_break:
        data += terminator.encode()
    path.write_bytes((b"\xef\xbb\xbf" if layout.bom else b"") + data)


@contextlib.contextmanager
def example_copies() -> Iterator[li.Settings]:
    with tempfile.TemporaryDirectory(prefix="oi_properties_") as root:
        yield copy_examples(Path(root))


def load_files(
    settings: li.Settings, files: tuple[InputFile, ...]
) -> tuple[duckdb.DuckDBPyConnection, li.LoadReport]:
    """load_all over `files` only (the contract order kept), so that each example stays fast."""
    con = duckdb.connect(":memory:")
    with mock.patch.object(li, "ALL_FILES", files):
        return con, li.load_all(con, settings)


def files_for(spec: InputFile) -> tuple[InputFile, ...]:
    """The file and the files it refers to, in the contract's order."""
    needed = {spec.name} | {r.file for r in spec.references}
    return tuple(f for f in ALL_FILES if f.name in needed)


def records_written(spec: InputFile, appended: list[Line], layout: Layout) -> int:
    example = EXAMPLES / spec.folder / spec.file_name
    kept = data_records(example) if layout.example_records_kept else 0
    return kept + sum(1 for line in appended if not line.blank)


def assert_every_record_accounted_for(
    con: duckdb.DuckDBPyConnection,
    report: li.LoadReport,
    spec: InputFile,
    appended: list[Line],
    layout: Layout,
) -> None:
    assert not [p for p in report.problems if p.outcome == "fatal"], report.problems
    ((read, loaded, held),) = con.execute(
        "select records_read, records_loaded, records_quarantined from raw.load_log where file_name = ?",
        [spec.name],
    ).fetchall()
    assert report.counts[spec.name] == (read, loaded, held)
    assert read == loaded + held
    assert read == records_written(spec, appended, layout)
    assert loaded == con.execute(f"select count(*) from raw.{spec.name}").fetchone()[0]
    assert held == con.execute(f"select count(*) from quarantine.{spec.name}").fetchone()[0]
    assert con.execute(
        f"select count(*) from quarantine.{spec.name} where coalesce(trim(reason_codes), '') = ''"
    ).fetchone() == (0,)
    source_rows = [
        r[0]
        for r in con.execute(
            f"select source_row from raw.{spec.name} union all select source_row from quarantine.{spec.name}"
        ).fetchall()
    ]
    assert len(set(source_rows)) == len(source_rows), "a record is in two places"
    if not any(line.blank for line in appended):
        assert sorted(source_rows) == list(range(1, read + 1))


@st.composite
def one_file_with_malformed_records(draw: st.DrawFn) -> tuple[InputFile, list[Line], Layout]:
    spec = draw(st.sampled_from(ALL_FILES))
    return spec, draw(st.lists(lines(spec), min_size=1, max_size=12)), draw(layouts)


@settings(PROPERTY_SETTINGS, max_examples=35)
@given(case=one_file_with_malformed_records())
def test_malformed_records_are_never_lost(case: tuple[InputFile, list[Line], Layout]) -> None:
    spec, appended, layout = case
    with example_copies() as copies:
        rewrite(copies.folder(spec) / spec.file_name, appended, layout)
        con, report = load_files(copies, files_for(spec))
        assert_every_record_accounted_for(con, report, spec, appended, layout)


@settings(PROPERTY_SETTINGS, max_examples=2)
@given(data=st.data())
def test_every_file_malformed_at_once_loads_and_loses_nothing(data: st.DataObject) -> None:
    appended = {s.name: data.draw(st.lists(lines(s), max_size=6), label=s.name) for s in ALL_FILES}
    layout = data.draw(layouts, label="layout")
    with example_copies() as copies:
        for spec in ALL_FILES:
            rewrite(copies.folder(spec) / spec.file_name, appended[spec.name], layout)
        con, report = load_files(copies, ALL_FILES)
        for spec in ALL_FILES:
            assert_every_record_accounted_for(con, report, spec, appended[spec.name], layout)


@pytest.mark.parametrize("name", ["students", "census_tracts_2010", "addresses"])
def test_the_line_encoder_writes_one_record_per_line(name: str) -> None:
    spec = FILES_BY_NAME[name]
    fields = tuple(TRICKY_VALUES[: len(spec.columns)])
    encoded = Line(fields=fields).encode()
    assert list(csv.reader(io.StringIO(encoded.decode("utf-8"), newline=""))) == [list(fields)]


# ---------------------------------------------------------------------------------------------
# Inputs these properties once found to crash the loader or to be read two ways, pinned.


def load_with_lines(file: str, *appended: bytes) -> tuple[duckdb.DuckDBPyConnection, li.LoadReport]:
    spec = FILES_BY_NAME[file]
    with example_copies() as copies:
        path = copies.folder(spec) / spec.file_name
        path.write_bytes(path.read_bytes() + b"".join(line + b"\n" for line in appended))
        return load_files(copies, files_for(spec))


def last_problem(report: li.LoadReport, file: str) -> li.Problem:
    return [p for p in report.problems if p.file == file][-1]


def test_a_value_of_over_4300_digits_is_a_bad_value_not_a_crash() -> None:
    # int() refuses more than 4,300 digits; grade and tract parsing never reach it now.
    _, report = load_with_lines("enrollments", b"S00000001,2024-25,00350009," + b"1" * 4301 + b",2024-09-05,")
    assert (last_problem(report, "enrollments").reason, last_problem(report, "enrollments").outcome) == (
        "invalid_grade",
        "quarantined",
    )
    _, report = load_with_lines(
        "addresses", b"S00000001,2020-01-01,2020-02-01,1E+" + b"1" * 4301 + b",N,home"
    )
    assert last_problem(report, "addresses").outcome == "value emptied"


@pytest.mark.parametrize(
    "lines",
    [
        [b"S1,2024-25," + b"1" * 131_073, b"x"],  # csv's default field size limit is 131,072
        [b"S1,2024-25," + b"1" * 2_100_000],  # over DuckDB's maximum line size (2 MB)
    ],
    ids=["long_field_and_a_malformed_record", "line_over_2_mb"],
)
def test_a_field_over_131072_characters_is_a_bad_value_not_a_crash(lines: list[bytes]) -> None:
    con, _ = load_with_lines("academic_outcomes", *lines)
    read, loaded_records, quarantined = con.execute(
        "select records_read, records_loaded, records_quarantined from raw.load_log"
        " where file_name = 'academic_outcomes'"
    ).fetchone()
    assert read == 10 + len(lines) and read == loaded_records + quarantined


def test_a_file_with_cr_line_endings_loads_like_one_with_lf() -> None:
    def academic_outcomes(line_end: bytes) -> list[tuple]:
        with example_copies() as copies:
            path = copies.district_dir / "academic_outcomes.csv"
            path.write_bytes(path.read_bytes().replace(b"\n", line_end))
            con, report = load_files(copies, files_for(FILES_BY_NAME["academic_outcomes"]))
            assert report.problems == []
            return con.execute("select * from raw.academic_outcomes order by source_row").fetchall()

    assert academic_outcomes(b"\r") == academic_outcomes(b"\n")
    assert len(academic_outcomes(b"\r")) == 10


def loaded(*appended: bytes) -> list[tuple]:
    """(source_row, school_year) of student S00000099 in raw.academic_outcomes after `appended`."""
    con, _ = load_with_lines("academic_outcomes", *appended)
    return con.execute(
        "select source_row, school_year from raw.academic_outcomes where student_id = 'S00000099'"
    ).fetchall()


def test_blank_lines_are_not_numbered_whichever_reader_reads_the_file() -> None:
    # A malformed record ("x") sends the file to the record-by-record reader.
    assert loaded(b"", b"S00000099,2024-25,497.3") == [(11, "2024-25")]
    assert loaded(b"", b"S00000099,2024-25,497.3", b"x") == [(11, "2024-25")]


@pytest.mark.parametrize(
    "line",
    [b'S00000099, "2024-25",497.3', b"S00000099,2024-25,497.3,", b"S00000099,2024-25,497.3,,"],
    ids=["space_before_quote", "trailing_comma", "two_trailing_commas"],
)
def test_a_record_is_read_the_same_whichever_reader_reads_the_file(line: bytes) -> None:
    assert loaded(line) == loaded(line, b"x") == [(11, "2024-25")]


@pytest.mark.parametrize("malformed", [b"", b"x"], ids=["otherwise_clean", "with_a_malformed_record"])
def test_an_unclosed_quote_quarantines_the_lines_it_swallows_with_their_line_numbers(
    malformed: bytes,
) -> None:
    con, report = load_with_lines(
        "academic_outcomes", b'S00000099,2024-25,"497', b"S00000098,2024-25,500", malformed
    )
    quarantined = [p for p in report.problems if p.file == "academic_outcomes" and p.row == 11]
    # The quote runs to the end of the file: line 12 onwards (the last line ends the file).
    assert [(p.reason, p.detail) for p in quarantined] == [
        ("line_break_in_value", "a quoted value runs over lines 12-14 of the file: an unclosed quote?")
    ]
    assert con.execute("select count(*) from raw.academic_outcomes where source_row >= 11").fetchone() == (0,)

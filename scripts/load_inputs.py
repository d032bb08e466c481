"""Validate the input files against the contract and load them into the warehouse.

    python scripts/load_inputs.py --check            # validate only: print every problem
    python scripts/load_inputs.py --duckdb PATH      # validate and load (what `make run` does)

Folders: OI_DISTRICT_DIR (default data/district) and OI_REFERENCE_DIR (default seeds/reference).
Every record of every file ends in exactly one place:
- raw.<file>: the records used, with normalized, typed values and their `source_row`;
- quarantine.<file>: the records that cannot be used, as written, with reason codes.
raw.value_notes lists the values that were not taken as written (set empty with a reason, or
normalized: restored zeros, Census special values, censored medians), and raw.load_log counts
records read, loaded and quarantined per file. A file that cannot be read at all (missing, a
required column absent, not CSV) is a fatal problem: nothing is loaded and the exit code is 1.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import re
import sys
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

import normalize_values as nv
from input_contract import ALL_FILES, SOURCE_ROW, Column, InputFile

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DISTRICT_DIR = PROJECT_ROOT / "data" / "district"
DEFAULT_REFERENCE_DIR = PROJECT_ROOT / "seeds" / "reference"
# Tract labels and bare tract numbers are read as tracts of this county.
DEFAULT_COUNTY_FIPS = "25025"
DEFAULT_COUNTY_LABEL = "Suffolk County, Massachusetts"
PROBLEMS_SHOWN_PER_KIND = 5
# Records that could not be split into the header's columns.
STRUCTURAL_REASONS = ("invalid_encoding", "wrong_number_of_fields", "line_break_in_value")

SQL_TYPES = {
    "id": "VARCHAR", "text": "VARCHAR", "date": "DATE", "integer": "BIGINT", "number": "DOUBLE",
    "flag": "BOOLEAN", "code": "VARCHAR", "school_code": "VARCHAR", "zip_code": "VARCHAR",
    "tract_geoid": "VARCHAR", "block_group_geoid": "VARCHAR", "school_year": "VARCHAR",
    "grade": "VARCHAR", "country": "VARCHAR", "acs_number": "DOUBLE",
}  # fmt: skip
# Notes that only say how a valid value was normalized (not a problem with the record).
NORMALIZATION_NOTES = {
    "leading_zero_restored", "leading_zeros_restored", "tract_from_label", "geoid_from_float",
    "geoid_from_scientific_notation", "geoid_from_census_id", "tract_number_in_default_county",
    "tract_code_in_default_county",
    "spurious_leading_zero_removed", "zip_plus_four_shortened",
    "grade_spelling_normalized", "school_year_spelling_normalized", "country_spelling_normalized",
    "top_coded", "bottom_coded",
}  # fmt: skip


@dataclass(frozen=True)
class Settings:
    district_dir: Path
    reference_dir: Path
    county_fips: str = DEFAULT_COUNTY_FIPS
    county_label: str = DEFAULT_COUNTY_LABEL

    def folder(self, spec: InputFile) -> Path:
        return self.district_dir if spec.folder == "district" else self.reference_dir


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None
    column: str | None
    reason: str
    detail: str
    outcome: str  # "fatal", "quarantined", "value emptied", "normalized"

    def line(self) -> str:
        where = f"row {self.row}" if self.row is not None else "file"
        column = f" [{self.column}]" if self.column else ""
        return f"{self.file}.csv {where}{column}: {self.reason}: {self.detail} ({self.outcome})"


@dataclass
class LoadReport:
    problems: list[Problem]
    counts: dict[str, tuple[int, int, int]]  # file -> (read, loaded, quarantined)

    @property
    def fatal(self) -> bool:
        return any(p.outcome == "fatal" for p in self.problems)


class FileUnreadable(Exception):
    def __init__(self, reason: str, detail: str, column: str | None = None):
        super().__init__(detail)
        self.reason, self.detail, self.column = reason, detail, column


# ---------------------------------------------------------------------------------------------
# Reading: header check, then every record as text with its position in the file.


def read_header(path: Path) -> list[str]:
    if not path.is_file():
        raise FileUnreadable("file_missing", f"{path} does not exist")
    with path.open("rb") as raw:
        first_line = raw.readline()
    first_line = first_line.split(b"\r")[0] if b"\r" in first_line.rstrip(b"\r\n") else first_line
    if not first_line.strip():
        raise FileUnreadable(
            "no_header", f"{path} is empty or starts with a blank line; the first line must be the header"
        )
    try:
        text = first_line.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileUnreadable(
            "invalid_encoding", f"{path}: the header is not UTF-8 ({error.reason})"
        ) from error
    header = [h.strip().lower() for h in next(csv.reader([text.rstrip("\r\n")]))]
    if len(header) == 1:
        for delimiter, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "pipes")):
            if delimiter in header[0]:
                raise FileUnreadable(
                    "wrong_delimiter", f"{path}: columns are separated by {name}; use commas"
                )
    duplicates = sorted({h for h in header if header.count(h) > 1})
    if duplicates:
        raise FileUnreadable("duplicate_column", f"{path}: column(s) {', '.join(duplicates)} appear twice")
    return header


def lines_end_with_cr_only(path: Path) -> bool:
    """Old Mac exports end lines with a bare CR, which only the record-by-record reader follows."""
    with path.open("rb") as raw:
        start = raw.read(65536)
    return b"\r" in start and b"\n" not in start


def read_records(con: duckdb.DuckDBPyConnection, path: Path, header: list[str], table: str) -> list[Problem]:
    """Create `table` (source_row, c0..cN as text) with every well-formed record; return the
    records that are not well formed (wrong number of fields, bad encoding, broken quotes, a line
    break inside a value). Blank lines are not records and are not numbered."""
    if lines_end_with_cr_only(path):
        return read_records_slowly(con, path, header, table)
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(header)))
    escaped = str(path).replace("'", "''")
    any_line_break = " or ".join(f"regexp_matches(c{i}, '[\r\n]')" for i in range(len(header)))
    try:
        con.execute(
            f"""
            create or replace temp table {table} as
            select row_number() over () as {SOURCE_ROW}, *
            from read_csv('{escaped}', header = true, auto_detect = false, columns = {{{columns}}},
                delim = ',', quote = '"', escape = '"', store_rejects = true,
                rejects_table = 'rejects_{table}', rejects_scan = 'rejects_scan_{table}')
            """
        )
        rejected = con.execute(f"select count(*) from rejects_{table}").fetchone()[0]
        if rejected == 0:
            rejected = con.execute(f"select count(*) from {table} where {any_line_break}").fetchone()[0]
    except duckdb.Error:
        rejected = -1
    if rejected == 0:
        return []
    # Some record is not well formed: read the file record by record to number them exactly.
    return read_records_slowly(con, path, header, table)


def read_records_slowly(
    con: duckdb.DuckDBPyConnection, path: Path, header: list[str], table: str
) -> list[Problem]:
    """Python's csv reader, following DuckDB's reading of well-formed files: blank lines skipped,
    a space before a quote ignored, trailing empty fields dropped."""
    csv.field_size_limit(sys.maxsize)  # a huge value is a bad value, not a crash
    rows, rejects = [], []
    number = 0
    with path.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as handle:
        reader = csv.reader(handle, strict=False, skipinitialspace=True)
        next(reader, None)
        last_line = reader.line_num
        for record in reader:
            first_line, last_line = last_line + 1, reader.line_num
            if not record:  # a blank line is not a record
                continue
            number += 1
            while len(record) > len(header) and record[-1] == "":
                record.pop()
            text = ",".join(record)
            lines = f"line {first_line}" if first_line == last_line else f"lines {first_line}-{last_line}"
            if any("\udc80" <= ch <= "\udcff" for ch in text):
                rejects.append((number, "invalid_encoding", f"the record ({lines}) is not valid UTF-8"))
            elif first_line != last_line or "\r" in text or "\n" in text:
                rejects.append(
                    (
                        number,
                        "line_break_in_value",
                        f"a quoted value runs over {lines} of the file: an unclosed quote?",
                    )
                )
            elif len(record) != len(header):
                rejects.append(
                    (
                        number,
                        "wrong_number_of_fields",
                        f"{len(record)} fields where the header has {len(header)} ({lines})",
                    )
                )
            else:
                rows.append([number, *record])
    frame = pd.DataFrame(rows, columns=[SOURCE_ROW] + [f"c{i}" for i in range(len(header))], dtype=object)
    frame[SOURCE_ROW] = frame[SOURCE_ROW].astype("int64")
    con.register(f"{table}_frame", frame)
    # Cast explicitly: a file whose every record was rejected gives an empty frame of unknown type.
    text_columns = ", ".join(f"cast(c{i} as varchar) as c{i}" for i in range(len(header)))
    con.execute(
        f"create or replace temp table {table} as "
        f"select cast({SOURCE_ROW} as bigint) as {SOURCE_ROW}, {text_columns} from {table}_frame"
    )
    con.unregister(f"{table}_frame")
    name = path.stem
    return [Problem(name, row, None, reason, detail, "quarantined") for row, reason, detail in rejects]


# ---------------------------------------------------------------------------------------------
# Normalizing: one SQL expression per column, or a mapping of its distinct values in Python.


def python_normalizer(column: Column, settings: Settings) -> Callable[[str], nv.Normalized] | None:
    kind = column.kind
    if kind == "tract_geoid":
        return lambda t: nv.tract_geoid(t, settings.county_fips, settings.county_label)
    if kind == "acs_number":
        return lambda t: nv.acs_number(t, top_code=column.top_code)
    if kind == "code":
        return lambda t: nv.code(t, column.codes, column.name)
    if kind in ("school_code", "zip_code"):
        width = 8 if kind == "school_code" else 5
        return lambda t: nv.padded_code(t, width, kind)
    simple = {"block_group_geoid": nv.block_group_geoid, "flag": nv.flag, "grade": nv.grade,
              "school_year": nv.school_year, "country": nv.country}  # fmt: skip
    return simple.get(kind)


def number_text_as_double(column: str) -> str:
    """A number as double, by the same rules as normalize_values: an optional leading `$`, commas
    only as thousands separators ("1,234.5"), then a plain decimal or scientific number. "1,5",
    "12,34" or "1_80" (which a database cast would read as 180) are invalid."""
    text = f"trim(case when starts_with({column}, '$') then substr({column}, 2) else {column} end)"
    grouped = f"regexp_full_match({text}, '[+-]?[0-9]{{1,3}}(,[0-9]{{3}})+([.][0-9]+)?')"
    plain = f"case when {grouped} then replace({text}, ',', '') else {text} end"
    number = r"'[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?'"
    return f"case when regexp_full_match({plain}, {number}) then try_cast({plain} as double) end"


def sql_normalized(column: str, kind: str) -> tuple[str, str]:
    """(value expression, invalid condition) for kinds parsed in SQL; `column` holds trimmed text."""
    if kind == "date":
        value = f"cast(try_strptime({column}, '%Y-%m-%d') as date)"
    elif kind == "integer":
        number = number_text_as_double(column)
        value = (
            f"case when {number} = floor({number}) and abs({number}) < 1e15 then cast({number} as bigint) end"
        )
    elif kind == "number":
        number = number_text_as_double(column)
        value = f"case when isfinite({number}) then {number} end"
    else:
        return column, "false"
    return value, f"{column} is not null and {value} is null"


def normalize(con: duckdb.DuckDBPyConnection, spec: InputFile, text_table: str, settings: Settings) -> str:
    """Create n_<file>: per column the raw text, the value, a note code and its detail."""
    selects = [f"t.{SOURCE_ROW}"]
    joins = []
    for column in spec.columns:
        raw = f"t.{column.name}"
        selects.append(f"{raw} as {column.name}__raw")
        normalizer = python_normalizer(column, settings)
        if normalizer is not None:
            mapping = distinct_value_mapping(con, text_table, column, normalizer)
            alias = f"m_{column.name}"
            joins.append(f"left join {mapping} as {alias} on {raw} = {alias}.raw")
            value, note, detail = f"{alias}.value", f"{alias}.note", f"{alias}.detail"
        else:
            value, invalid = sql_normalized(raw, column.kind)
            note = f"case when {invalid} then 'invalid_{column.kind}' end"
            detail = f"case when {invalid} then '''' || {raw} || ''' is not a valid {column.kind}' end"
        value, note, detail = bounded(column, value, note, detail)
        selects += [
            f"{value} as {column.name}",
            f"{note} as {column.name}__note",
            f"{detail} as {column.name}__detail",
        ]
    con.execute(
        f"create or replace temp table n_{spec.name} as select {', '.join(selects)} "
        f"from {text_table} as t {' '.join(joins)}"
    )
    return f"n_{spec.name}"


def bounded(column: Column, value: str, note: str, detail: str) -> tuple[str, str, str]:
    """Values outside the column's range become NULL with the note out_of_range."""
    if column.minimum is None and column.maximum is None:
        return value, note, detail
    checks = []
    if column.minimum is not None:
        checks.append(f"{value} < {column.minimum}")
    if column.maximum is not None:
        checks.append(f"{value} > {column.maximum}")
    outside = " or ".join(checks)
    low = column.minimum if column.minimum is not None else "-inf"
    high = column.maximum if column.maximum is not None else "inf"
    bounds = f"[{low}, {high}]"
    return (
        f"case when {outside} then null else {value} end",
        f"case when {outside} then 'out_of_range' else {note} end",
        f"case when {outside} then cast({value} as varchar) || ' is outside {bounds}' else {detail} end",
    )


def distinct_value_mapping(
    con: duckdb.DuckDBPyConnection,
    text_table: str,
    column: Column,
    normalizer: Callable[[str], nv.Normalized],
) -> str:
    distinct = [
        r[0]
        for r in con.execute(
            f"select distinct {column.name} from {text_table} where {column.name} is not null"
        ).fetchall()
    ]
    results = [normalizer(text) for text in distinct]
    frame = pd.DataFrame(
        {
            "raw": pd.Series(distinct, dtype=object),
            "value": pd.Series([r.value for r in results], dtype=object),
            "note": pd.Series([r.note for r in results], dtype=object),
            "detail": pd.Series([r.detail for r in results], dtype=object),
        }
    )
    name = f"map_{text_table}_{column.name}"
    con.register(f"{name}_frame", frame)
    sql_type = SQL_TYPES[column.kind]
    con.execute(
        f"create or replace temp table {name} as select cast(raw as varchar) as raw, "
        f"cast(value as {sql_type}) as value, cast(note as varchar) as note, "
        "cast(detail as varchar) as detail "
        f"from {name}_frame"
    )
    con.unregister(f"{name}_frame")
    return name


# ---------------------------------------------------------------------------------------------
# Judging records: required and strict columns, row rules, references, duplicate keys.


def record_reasons(spec: InputFile, normalized: str, loaded: set[str]) -> str:
    """SQL creating r_<file>: per record the reasons it cannot be used, each with a detail
    (empty lists: the record is used)."""
    checks = []  # (condition, reason, detail) as SQL expressions
    for column in spec.columns:
        raw, value, note, detail = (f"{column.name}__{part}" for part in ("raw", "value", "note", "detail"))
        value = column.name
        if column.required:
            checks.append((f"{raw} is null", f"'missing_{column.name}'", f"'{column.name} is empty'"))
        if column.required or column.strict:
            checks.append(
                (
                    f"{raw} is not null and {value} is null",
                    f"coalesce({note}, 'invalid_{column.name}')",
                    f"'{column.name}: ' || coalesce({detail}, {raw})",
                )
            )
    for rule in spec.row_rules:
        checks.append((f"coalesce({rule.failing_when}, false)", f"'{rule.reason}'", f"'{rule.description}'"))
    for reference in spec.references:
        if reference.file in loaded:
            checks.append(
                (
                    f"{reference.column} is not null and {reference.column} not in "
                    f"(select {reference.file_column} from raw.{reference.file})",
                    f"'{reference.reason}'",
                    f"'{reference.column} ' || {reference.column} || ' is not in {reference.file}.csv'",
                )
            )
    reasons = " || ".join(f"case when {c} then [{r}] else [] end" for c, r, _ in checks) or "[]::varchar[]"
    details = " || ".join(f"case when {c} then [{d}] else [] end" for c, _, d in checks) or "[]::varchar[]"
    key = ", ".join(spec.key)
    key_text = " || ', ' || ".join(f"coalesce(cast({k} as varchar), '')" for k in spec.key)
    values = ", ".join(c.name for c in spec.columns)
    return f"""
        create or replace temp table r_{spec.name} as
        with checked as (
            select *, {reasons} as reasons, {details} as details from {normalized}
        ),
        keyed as (
            select
                *,
                count(*) over (partition by {key}) as key_records,
                count(*) over (partition by {values}) as identical_records,
                min({SOURCE_ROW}) over (partition by {values}) as first_identical_row,
                string_agg(cast({SOURCE_ROW} as varchar), ', ') over (partition by {key}) as key_rows
            from checked
            where len(reasons) = 0
        )
        select {SOURCE_ROW}, reasons, details from checked where len(reasons) > 0
        union all
        select
            {SOURCE_ROW},
            case
                when key_records = 1 or {SOURCE_ROW} = first_identical_row and key_records = identical_records
                    then []
                when key_records = identical_records then ['duplicate_row']
                else ['conflicting_duplicate_key']
            end,
            case
                when key_records = 1 or {SOURCE_ROW} = first_identical_row and key_records = identical_records
                    then []
                when key_records = identical_records
                    then ['same values as row ' || first_identical_row || '; that row is used']
                else ['({key}) = (' || {key_text} || ') appears with different values in rows ' || key_rows]
            end
        from keyed
    """


def load_file(
    con: duckdb.DuckDBPyConnection, spec: InputFile, settings: Settings, loaded: set[str]
) -> tuple[list[Problem], tuple[int, int, int]]:
    temporary_before = temporary_tables(con)
    try:
        return load_file_tables(con, spec, settings, loaded)
    finally:
        # Each file's working tables go once its raw and quarantine tables are written: at
        # 5,000,000 students they held most of the loader's 18 GB peak.
        for name in temporary_tables(con) - temporary_before:
            con.execute(f'drop table if exists temp."{name}"')


def temporary_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {
        row[0] for row in con.execute("select table_name from duckdb_tables() where temporary").fetchall()
    }


def load_file_tables(
    con: duckdb.DuckDBPyConnection, spec: InputFile, settings: Settings, loaded: set[str]
) -> tuple[list[Problem], tuple[int, int, int]]:
    path = settings.folder(spec) / spec.file_name
    header = read_header(path)
    missing = [c.name for c in spec.columns if c.name not in header and c.default is None]
    required_missing = [c for c in missing if spec.column(c).required or spec.column(c).strict]
    if required_missing:
        raise FileUnreadable(
            "missing_column",
            f"{path} lacks required column(s) {', '.join(required_missing)} (has: {', '.join(header)})",
            required_missing[0],
        )
    problems = [
        Problem(
            spec.name,
            None,
            name,
            "missing_optional_column",
            "the column is absent: every value is empty",
            "value emptied",
        )  # fmt: skip
        for name in missing
    ]
    known = {c.name for c in spec.columns}
    problems += [
        Problem(spec.name, None, h, "extra_column", "not in the contract; ignored", "normalized")
        for h in header
        if h not in known
    ]
    text_table = f"text_{spec.name}"
    problems += read_records(con, path, header, f"file_{spec.name}")
    positions = {h: i for i, h in enumerate(header)}
    columns = [
        f"nullif(trim(c{positions[c.name]}), '') as {c.name}"
        if c.name in positions
        else f"cast({repr(c.default) if c.default is not None else 'null'} as varchar) as {c.name}"
        for c in spec.columns
    ]
    con.execute(
        f"create or replace temp table {text_table} as "
        f"select {SOURCE_ROW}, {', '.join(columns)} from file_{spec.name}"
    )
    normalized = normalize(con, spec, text_table, settings)
    con.execute(record_reasons(spec, normalized, loaded))
    write_outputs(con, spec, normalized, text_table, problems)
    problems += record_problems(con, spec)
    structural = sum(1 for p in problems if p.outcome == "quarantined" and p.reason in STRUCTURAL_REASONS)
    read = con.execute(f"select count(*) from {text_table}").fetchone()[0] + structural
    kept = con.execute(f"select count(*) from raw.{spec.name}").fetchone()[0]
    quarantined = con.execute(f"select count(*) from quarantine.{spec.name}").fetchone()[0]
    return problems, (read, kept, quarantined)


def write_outputs(
    con: duckdb.DuckDBPyConnection,
    spec: InputFile,
    normalized: str,
    text_table: str,
    structural: list[Problem],
) -> None:
    typed = []
    for column in spec.columns:
        typed.append(f"cast(n.{column.name} as {SQL_TYPES[column.kind]}) as {column.name}")
        if column.kind == "acs_number":
            typed.append(
                f"case n.{column.name}__note when 'top_coded' then 'top' "
                "when 'bottom_coded' then 'bottom' end"
                f" as {column.name}_censoring"
            )
    con.execute(
        f"""
        create or replace table raw.{spec.name} as
        select n.{SOURCE_ROW}, {", ".join(typed)}
        from {normalized} as n
        inner join r_{spec.name} as r on n.{SOURCE_ROW} = r.{SOURCE_ROW}
        where len(r.reasons) = 0
        order by n.{SOURCE_ROW}
        """
    )
    text_columns = ", ".join(f"t.{c.name}" for c in spec.columns)
    rejected = pd.DataFrame(
        [(p.row, p.reason, p.detail) for p in structural if p.row is not None and p.outcome == "quarantined"],
        columns=[SOURCE_ROW, "reason", "detail"],
    ).astype({SOURCE_ROW: "int64", "reason": object, "detail": object})
    con.register("structural_rejects", rejected)
    nulls = ", ".join(f"cast(null as varchar) as {c.name}" for c in spec.columns)
    con.execute(
        f"""
        create or replace table quarantine.{spec.name} as
        select * from (
            select t.{SOURCE_ROW}, {text_columns}, array_to_string(r.reasons, '; ') as reason_codes,
                array_to_string(r.details, '; ') as reason_detail
            from {text_table} as t
            inner join r_{spec.name} as r on t.{SOURCE_ROW} = r.{SOURCE_ROW}
            where len(r.reasons) > 0
            union all
            select {SOURCE_ROW}, {nulls}, reason, detail from structural_rejects
        )
        order by {SOURCE_ROW}
        """
    )
    con.unregister("structural_rejects")
    # One filtered scan per column: much faster than unnesting a list of notes for every record.
    kept = ", ".join(repr(n) for n in sorted(NORMALIZATION_NOTES))
    per_column = " union all ".join(
        f"""
        select '{spec.name}', n.{SOURCE_ROW}, '{c.name}', n.{c.name}__raw, n.{c.name}__note,
            n.{c.name}__detail, n.{c.name}__note in ({kept})
        from {normalized} as n
        inner join r_{spec.name} as r on n.{SOURCE_ROW} = r.{SOURCE_ROW}
        where len(r.reasons) = 0 and n.{c.name}__note is not null
        """
        for c in spec.columns
    )
    con.execute(f"insert into raw.value_notes select * from ({per_column}) order by 2, 3")


def record_problems(con: duckdb.DuckDBPyConnection, spec: InputFile) -> list[Problem]:
    """One problem per quarantined record and per emptied or normalized value."""
    problems = []
    rows = con.execute(
        f"select {SOURCE_ROW}, reasons, details from r_{spec.name} "
        f"where len(reasons) > 0 order by {SOURCE_ROW}"
    ).fetchall()
    for row, reasons, details in rows:
        for reason, detail in zip(reasons, details, strict=True):
            problems.append(Problem(spec.name, row, None, reason, detail, "quarantined"))
    notes = con.execute(
        f"select source_row, column_name, raw_value, note, detail from raw.value_notes "
        f"where file_name = '{spec.name}' order by source_row, column_name"
    ).fetchall()
    for row, column, raw, note, detail in notes:
        outcome = "normalized" if note in NORMALIZATION_NOTES else "value emptied"
        problems.append(Problem(spec.name, row, column, note, detail or repr(raw), outcome))
    return problems


# ---------------------------------------------------------------------------------------------
# Loading every file, reporting, and the command line.


def prepare_schemas(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists raw")
    con.execute("create schema if not exists quarantine")
    con.execute(
        "create or replace table raw.value_notes (file_name varchar, source_row bigint, column_name varchar, "
        "raw_value varchar, note varchar, detail varchar, value_kept boolean)"
    )


def load_all(con: duckdb.DuckDBPyConnection, settings: Settings) -> LoadReport:
    prepare_schemas(con)
    problems: list[Problem] = []
    counts: dict[str, tuple[int, int, int]] = {}
    loaded: set[str] = set()
    log_rows = []
    for spec in ALL_FILES:
        path = settings.folder(spec) / spec.file_name
        try:
            file_problems, file_counts = load_file(con, spec, settings, loaded)
        except FileUnreadable as error:
            problems.append(Problem(spec.name, None, error.column, error.reason, error.detail, "fatal"))
            continue
        loaded.add(spec.name)
        problems += file_problems
        counts[spec.name] = file_counts
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        log_rows.append((spec.name, spec.folder, str(path), digest, *file_counts))
    log = pd.DataFrame(
        log_rows,
        columns=[
            "file_name",
            "folder",
            "path",
            "sha256",
            "records_read",
            "records_loaded",
            "records_quarantined",
        ],  # fmt: skip
    )
    con.register("load_log_frame", log)
    con.execute("create or replace table raw.load_log as select * from load_log_frame order by file_name")
    con.unregister("load_log_frame")
    return LoadReport(problems, counts)


def print_report(report: LoadReport, show_all: bool, stream=None) -> None:
    stream = stream or sys.stdout  # looked up per call, so redirected output is honoured
    groups: dict[tuple[str, str | None, str, str], list[Problem]] = defaultdict(list)
    for problem in report.problems:
        groups[(problem.file, problem.column, problem.reason, problem.outcome)].append(problem)
    order = {"fatal": 0, "quarantined": 1, "value emptied": 2, "normalized": 3}
    for (file, column, reason, outcome), problems in sorted(
        groups.items(), key=lambda g: (order[g[0][3]], g[0][0], g[0][2])
    ):
        shown = problems if show_all or outcome == "fatal" else problems[:PROBLEMS_SHOWN_PER_KIND]
        column_text = f" [{column}]" if column else ""
        count = "" if outcome == "fatal" else f": {len(problems)} record(s)"
        print(f"{outcome.upper()}: {file}.csv{column_text} {reason}{count}", file=stream)
        for problem in shown:
            where = f"row {problem.row}" if problem.row is not None else "file"
            print(f"    {where}: {problem.detail}", file=stream)
        if len(shown) < len(problems):
            print(
                f"    ... {len(problems) - len(shown)} more (use --all, or query the quarantine tables)",
                file=stream,
            )
    for file, (read, kept, quarantined) in report.counts.items():
        print(
            f"  {file + '.csv':<36} {read:>10,} read {kept:>10,} loaded {quarantined:>8,} quarantined",
            file=stream,
        )
    if report.fatal:
        print("Cannot build: fix the fatal problems above.", file=stream)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--district", type=Path, default=Path(os.environ.get("OI_DISTRICT_DIR", DEFAULT_DISTRICT_DIR))
    )
    parser.add_argument(
        "--reference", type=Path, default=Path(os.environ.get("OI_REFERENCE_DIR", DEFAULT_REFERENCE_DIR))
    )
    parser.add_argument("--duckdb", type=Path, help="warehouse file to load into (omit with --check)")
    parser.add_argument("--check", action="store_true", help="validate only; load nothing")
    parser.add_argument(
        "--all", action="store_true", help="print every problem, not the first few of each kind"
    )
    parser.add_argument(
        "--county-fips",
        default=os.environ.get("OI_COUNTY_FIPS", DEFAULT_COUNTY_FIPS),
        help="5-digit county of bare tract numbers (env OI_COUNTY_FIPS; default Suffolk, 25025)",
    )
    parser.add_argument(
        "--county-label",
        default=os.environ.get("OI_COUNTY_LABEL"),
        help='county as tract labels name it, e.g. "Cook County, Illinois" (env OI_COUNTY_LABEL)',
    )
    args = parser.parse_args(argv)
    if not args.check and args.duckdb is None:
        parser.error("give --duckdb PATH to load, or --check to validate only")
    if not re.fullmatch(r"[0-9]{5}", args.county_fips):
        parser.error(f"--county-fips (OI_COUNTY_FIPS) must be 5 digits, not {args.county_fips!r}")
    if args.county_label is None and args.county_fips != DEFAULT_COUNTY_FIPS:
        parser.error("another county needs its label too: --county-label (OI_COUNTY_LABEL)")
    county_label = args.county_label or DEFAULT_COUNTY_LABEL
    settings = Settings(args.district.resolve(), args.reference.resolve(), args.county_fips, county_label)
    target = ":memory:" if args.check else str(args.duckdb)
    try:
        with duckdb.connect(target) as con:
            report = load_all(con, settings)
    except duckdb.IOException as error:
        print(f"error: cannot open {target}: {str(error).splitlines()[0]}", file=sys.stderr)
        return 2
    print_report(report, args.all)
    return 1 if report.fatal else 0


if __name__ == "__main__":
    sys.exit(main())

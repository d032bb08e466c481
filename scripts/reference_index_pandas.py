"""An independent pandas + numpy implementation of the Opportunity Index: a test oracle.

From the raw input files to the school OI, every step of docs/methodology.md and of the SQL models
(models/intermediate, models/marts) is re-implemented here with vectorized pandas/numpy, without
the warehouse, the loader or any of the project's SQL. The tests compare its result with the marts
(tests/python/test_pandas_oracle.py): the SQL must give the same students, the same component
scores, the same need percentiles and the same school OI.

    python scripts/reference_index_pandas.py [--district DIR] [--reference DIR] [--config DIR]
        [--project-file dbt_project.yml] [--output schools.csv] [--students-output students.csv]

Inputs:
- the district folder (--district, else $OI_DISTRICT_DIR, else data/district): students,
  enrollments, addresses, attendance, discipline_incidents, course_marks and assessments.csv
  (docs/input_contract.md). academic_outcomes.csv is never read: only the weight fit reads the
  outcome, the index does not;
- the reference folder (--reference, else $OI_REFERENCE_DIR, else seeds/reference), as for the
  loader: census_tracts_2010, bari_block_group_disorder, bpd_offense_codes,
  bpd_offense_records_by_tract, dese_schools and dese_enrollment_by_grade.csv;
- the configuration seeds (--config, default seeds/config): component_definitions, components,
  component_weights, grade_levels and crime_offense_groups.csv;
- the dbt vars of dbt_project.yml (snapshot_date, school_year, prior_school_year, components,
  winsorize quantiles, min_tract_population, residential_mobility_window_days,
  recent_immigrant_window_years); `project_vars` overrides them.

Scope: files that follow the input contract as the synthetic generator writes them. Normalizing
messy values (tract numbers or labels, GEOIDs written as floats, lost leading zeros, `2024-2025`,
`KG`, `United States`, census annotation values, censored medians such as `250,000+`) and
quarantining unusable records (duplicates, conflicting keys, exits before entries, unknown
schools) is the loader's job (scripts/load_inputs.py), not the oracle's. The oracle accepts only
contract-clean values (surrounding spaces, a code in any letter case or as one of the contract's
listed synonyms, the contract's flag spellings, thousands separators and a leading `$` in numbers
are accepted) and stops with `OracleInputError`
naming the file, the row (records numbered from 1 after the header, as `source_row`), the column,
the value and the reason for anything else, rather than guessing or dropping it silently.

Arithmetic. The SQL sums fixed-point decimal(38, 12) values so that its aggregates do not depend
on row order (methodology, section 8). The oracle does the same, exactly: each value is rounded
half away from zero after multiplying by 1e12 in double precision (as DuckDB casts a double to
decimal), the integers are summed exactly (split into 24-bit limbs where a double could lose
bits), and the sum is converted back to double as DuckDB does. Quantiles interpolate linearly as
DuckDB's quantile_cont does (lo * (ceil - pos) + hi * (pos - floor)). With these, the oracle's
numbers equal the warehouse's bit for bit on the test districts, which is what makes ties in
ranks (and hence percentiles) agree exactly. The result is deterministic.

Public API: `compute_index(district_dir, reference_dir, config_dir, project_vars=None)` returns a
dict of DataFrames: `students` (the columns of marts.fct_student_opportunity except
race/ethnicity, which is never an input, plus need_rank), `schools` (those of
marts.fct_school_opportunity), `tracts` (those of marts.fct_tract_neighborhood_components, with
the exclusion reason), `indicator_statistics` and `component_statistics`. `project_vars`
overrides the vars of dbt_project.yml (`load_project_vars(path)` reads another project's).
`OracleInputError` is raised on input the oracle cannot use. Timing: about 1 s for the default
46,094-student district and 12 s for 500,000 students on a 2-core machine (roughly linear).
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from pandas.api.types import union_categoricals

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DISTRICT_DIR = PROJECT_ROOT / "data" / "district"
DEFAULT_REFERENCE_DIR = PROJECT_ROOT / "seeds" / "reference"
DEFAULT_CONFIG_DIR = PROJECT_ROOT / "seeds" / "config"
DEFAULT_PROJECT_FILE = PROJECT_ROOT / "dbt_project.yml"

DECIMAL_SCALE = 1e12  # decimal(38, 12): the fixed point of the SQL's exact sums
TWO_53 = float(2**53)


class OracleInputError(ValueError):
    """An input value the oracle cannot use: the message names the file, row, column and reason."""


# =============================================================================================
# Reading contract-clean files: one parser per kind of value, applied to each distinct value.


def _fail(text: str, reason: str) -> None:
    raise ValueError(reason)


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_PLAIN_NUMBER = re.compile(r"[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?", re.ASCII)
_GROUPED_NUMBER = re.compile(r"[+-]?[0-9]{1,3}(,[0-9]{3})+([.][0-9]+)?", re.ASCII)
_SCHOOL_YEAR = re.compile(r"\d{4}-\d{2}", re.ASCII)
_GRADES = {"PK", "K", "SP", *(f"{g:02d}" for g in range(1, 13))}
_FLAGS = {"Y": 1.0, "YES": 1.0, "TRUE": 1.0, "T": 1.0, "1": 1.0, "N": 0.0, "NO": 0.0, "FALSE": 0.0}
_FLAGS.update({"F": 0.0, "0": 0.0})


def parse_date(text: str) -> np.datetime64:
    if not _DATE.fullmatch(text):
        _fail(text, "is not a date YYYY-MM-DD")
    try:
        return np.datetime64(dt.date.fromisoformat(text), "D")
    except ValueError:
        _fail(text, "is not a valid calendar date")
        raise  # unreachable


def parse_number(text: str) -> float:
    plain = text[1:].strip() if text.startswith("$") else text
    if _GROUPED_NUMBER.fullmatch(plain):
        plain = plain.replace(",", "")
    if not _PLAIN_NUMBER.fullmatch(plain):
        _fail(text, "is not a number")
    value = float(plain)
    if not math.isfinite(value):
        _fail(text, "is not a finite number")
    return value


def parse_integer(text: str) -> float:
    value = parse_number(text)
    if value != math.floor(value) or abs(value) >= 1e15:
        _fail(text, "is not a whole number")
    return value


def parse_flag(text: str) -> float:
    value = _FLAGS.get(text.upper())
    if value is None:
        _fail(text, "is not a flag (Y or N)")
    return value


def parse_school_year(text: str) -> str:
    if not _SCHOOL_YEAR.fullmatch(text) or (int(text[:4]) + 1) % 100 != int(text[5:]):
        _fail(text, "is not a school year YYYY-YY (normalize it with the loader)")
    return text


def parse_grade(text: str) -> str:
    if text.upper() not in _GRADES:
        _fail(text, "is not a grade PK, K, 01-12 or SP (normalize it with the loader)")
    return text.upper()


def parse_country(text: str) -> str:
    if not re.fullmatch(r"[A-Za-z]{3}", text):
        _fail(text, "is not a 3-letter ISO country code (normalize it with the loader)")
    return text.upper()


def digits_parser(width: int, what: str) -> Callable[[str], str]:
    pattern = re.compile(rf"[0-9]{{{width}}}", re.ASCII)

    def parse(text: str) -> str:
        if not pattern.fullmatch(text):
            _fail(text, f"is not a {width}-digit {what} (normalize it with the loader)")
        return text

    return parse


def code_parser(*codes: str, **synonyms: str) -> Callable[[str], str]:
    """One of `codes`, in any case; synonyms (SPELLING=code, underscores for spaces) as listed in
    the contract."""
    accepted = {c.upper(): c for c in codes}
    accepted.update({k.replace("_", " ").upper(): v for k, v in synonyms.items()})

    def parse(text: str) -> str:
        value = accepted.get(" ".join(text.upper().split()))
        if value is None:
            _fail(text, f"is not one of {', '.join(codes)}")
        return value

    return parse


@dataclass(frozen=True)
class Col:
    name: str
    kind: str  # id, text, date, integer, number, flag, or a parser's name below
    required: bool = False  # an empty value is an error
    minimum: float | None = None
    maximum: float | None = None
    default: str | None = None  # value of every record when the (optional) column is absent
    parser: Callable[[str], object] | None = field(default=None, compare=False)


PARSERS: dict[str, tuple[Callable[[str], object], str]] = {
    # kind: (parser, numpy dtype of the result)
    "date": (parse_date, "datetime64[D]"),
    "integer": (parse_integer, "float64"),
    "number": (parse_number, "float64"),
    "flag": (parse_flag, "float64"),
    "school_year": (parse_school_year, "object"),
    "grade": (parse_grade, "object"),
    "country": (parse_country, "object"),
    "school_code": (digits_parser(8, "school code"), "object"),
    "tract_geoid": (digits_parser(11, "2010 tract GEOID"), "object"),
    "block_group_geoid": (digits_parser(12, "2010 block group GEOID"), "object"),
}

# The columns the index uses (other columns are not read, hence not checked), with the key of
# each file as the contract gives it.
DISTRICT_FILES: dict[str, tuple[list[Col], list[str]]] = {
    "students": (
        [
            Col("student_id", "id", required=True),
            Col("economically_disadvantaged", "flag"),
            Col("country_of_birth", "country"),
            Col("us_school_entry_date", "date"),
        ],
        ["student_id"],
    ),
    "enrollments": (
        [
            Col("student_id", "id", required=True),
            Col("school_year", "school_year", required=True),
            Col("school_code", "school_code", required=True),
            Col("grade", "grade", required=True),
            Col("entry_date", "date", required=True),
            Col("exit_date", "date"),
        ],
        ["student_id", "school_year", "school_code", "entry_date"],
    ),
    "addresses": (
        [
            Col("student_id", "id", required=True),
            Col("address_start_date", "date", required=True),
            Col("address_end_date", "date"),
            Col("census_tract_geoid", "tract_geoid"),
            Col("is_public_housing", "flag"),
            Col(
                "address_type",
                "code",
                default="home",
                parser=code_parser(
                    "home",
                    "shelter",
                    "po_box",
                    HOMELESS_SHELTER="shelter",
                    PO_BOX="po_box",
                    RESIDENCE="home",
                    RESIDENTIAL="home",
                ),
            ),
        ],
        ["student_id", "address_start_date"],
    ),
    "attendance": (
        [
            Col("student_id", "id", required=True),
            Col("school_year", "school_year", required=True),
            Col("school_code", "school_code", required=True),
            Col("days_in_membership", "integer", required=True, minimum=0, maximum=366),
            Col("days_present", "integer", required=True, minimum=0, maximum=366),
        ],
        ["student_id", "school_year", "school_code"],
    ),
    "discipline_incidents": (
        [
            Col("incident_id", "id", required=True),
            Col("student_id", "id", required=True),
            Col("school_year", "school_year", required=True),
            Col(
                "action_code",
                "code",
                required=True,
                parser=code_parser(
                    "ISS",
                    "OSS",
                    "EXP",
                    "OTH",
                    IN_SCHOOL_SUSPENSION="ISS",
                    OUT_OF_SCHOOL_SUSPENSION="OSS",
                    EXPULSION="EXP",
                    OTHER="OTH",
                ),
            ),
        ],
        ["incident_id"],
    ),
    "course_marks": (
        [
            Col("student_id", "id", required=True),
            Col("school_year", "school_year", required=True),
            Col(
                "course_subject",
                "code",
                required=True,
                parser=code_parser("ELA", "MATH", ENGLISH="ELA", MATHEMATICS="MATH"),
            ),
            Col("course_code", "text"),
            Col(
                "final_mark",
                "code",
                required=True,
                parser=code_parser("A", "B", "C", "D", "F", FAIL="F", FAILED="F"),
            ),
        ],
        ["student_id", "school_year", "course_subject", "course_code"],
    ),
    "assessments": (
        [
            Col("student_id", "id", required=True),
            Col("school_year", "school_year", required=True),
            Col(
                "subject",
                "code",
                required=True,
                parser=code_parser("ELA", "MATH", ENGLISH="ELA", MATHEMATICS="MATH"),
            ),
            Col(
                "performance_level",
                "code",
                required=True,
                parser=code_parser(
                    "E",
                    "M",
                    "PM",
                    "NM",
                    EXCEEDING_EXPECTATIONS="E",
                    MEETING_EXPECTATIONS="M",
                    PARTIALLY_MEETING_EXPECTATIONS="PM",
                    NOT_MEETING_EXPECTATIONS="NM",
                ),
            ),
        ],
        ["student_id", "school_year", "subject"],
    ),
}

_SHARE = {"kind": "number", "minimum": 0, "maximum": 1}
_PLACEMENT = code_parser("placed_in_tract", "no_coordinates", "outside_boston_tracts")
REFERENCE_FILES: dict[str, tuple[list[Col], list[str]]] = {
    "census_tracts_2010": (
        [
            Col("tract_geoid", "tract_geoid", required=True),
            # ACS estimates; annotation values (-666666666 ...) fail the minimum: the loader's job.
            Col("acs_total_population", "number", minimum=0),
            Col("acs_median_household_income", "number", minimum=0),
            Col("acs_share_families_in_poverty", **_SHARE),
            Col("acs_share_foreign_born", **_SHARE),
            Col("acs_share_adults_less_than_high_school", **_SHARE),
            Col("acs_share_adults_bachelors", **_SHARE),
            Col("acs_share_adults_masters", **_SHARE),
            Col("acs_share_adults_professional", **_SHARE),
            Col("acs_share_adults_doctorate", **_SHARE),
        ],
        ["tract_geoid"],
    ),
    "bari_block_group_disorder": (
        [
            Col("block_group_geoid", "block_group_geoid", required=True),
            Col("private_neglect", "number"),
            Col("public_denigration", "number"),
        ],
        ["block_group_geoid"],
    ),
    "bpd_offense_codes": (
        [Col("offense_code", "id", required=True), Col("offense_group", "id", required=True)],
        ["offense_code"],
    ),
    "bpd_offense_records_by_tract": (
        [
            Col("placement_status", "code", required=True, parser=_PLACEMENT),
            Col("tract_geoid", "tract_geoid"),
            Col("offense_code", "id", required=True),
            Col("offense_records", "integer", required=True, minimum=0),
        ],
        ["placement_status", "tract_geoid", "offense_code"],
    ),
    "dese_schools": (
        [Col("school_code", "school_code", required=True), Col("school_name", "text", required=True)],
        ["school_code"],
    ),
    "dese_enrollment_by_grade": (
        [
            Col("school_year", "school_year", required=True),
            Col("school_code", "school_code", required=True),
            Col("grade", "grade", required=True),
            Col("students", "integer", required=True, minimum=0),
        ],
        ["school_year", "school_code", "grade"],
    ),
}


def _first_row_error(path: Path, column: str, rows: np.ndarray, texts: pd.Series, reason: str) -> None:
    position = int(np.flatnonzero(rows)[0])
    others = int(rows.sum()) - 1
    more = f" ({others} more row(s) like it)" if others else ""
    raise OracleInputError(
        f"{path}: row {position + 1}, column {column}: {texts.iloc[position]!r} {reason}{more}; "
        "the oracle reads contract-clean files only (scripts/load_inputs.py normalizes and "
        "quarantines the others)"
    )


def _parse_column(path: Path, col: Col, texts: pd.Series) -> pd.Series:
    """Typed values of one column: each distinct text is parsed once; an empty value is missing."""
    # Read as categorical: each distinct text is held (and parsed) once, rows are codes.
    codes = texts.cat.codes.to_numpy()
    uniques = texts.cat.categories.to_numpy(dtype=object)
    stripped = [u.strip() for u in uniques]
    empty = np.array([s == "" for s in stripped], dtype=bool)
    if col.required and empty.any():
        _first_row_error(path, col.name, empty[codes], texts, "is empty, but the column is required")
    parser, dtype = (col.parser, "object") if col.parser is not None else PARSERS.get(col.kind, (None, None))
    if parser is None:  # id, text: kept as written, trimmed
        parsed = np.array([s if s != "" else None for s in stripped], dtype=object)
        return pd.Series(parsed[codes], index=texts.index, dtype=object)
    missing = np.datetime64("NaT") if dtype == "datetime64[D]" else (np.nan if dtype == "float64" else None)
    values = []
    for i, text in enumerate(stripped):
        if empty[i]:
            values.append(missing)
            continue
        try:
            value = parser(text)
        except ValueError as error:
            _first_row_error(path, col.name, codes == i, texts, str(error))
        if col.minimum is not None and value < col.minimum or col.maximum is not None and value > col.maximum:
            bounds = f"[{col.minimum}, {col.maximum}]"
            _first_row_error(path, col.name, codes == i, texts, f"is outside {bounds}")
        values.append(value)
    parsed = np.array(values, dtype=dtype)
    return pd.Series(parsed[codes], index=texts.index)


def _read_categorical(path: Path, wanted: set[str]) -> pd.DataFrame:
    """The columns of a CSV file named in `wanted` (names trimmed, any case) as categorical text,
    read in chunks so that each distinct text is held once."""
    options = {"dtype": str, "keep_default_na": False, "na_filter": False, "encoding": "utf-8-sig"}
    try:
        header = [h.strip().lower() for h in pd.read_csv(path, nrows=0, **options).columns]
        if len(set(header)) != len(header):
            raise OracleInputError(f"{path}: a column name appears twice in the header")
        used = [i for i, h in enumerate(header) if h in wanted]
        parts: dict[int, list[pd.Categorical]] = {i: [] for i in used}
        for chunk in pd.read_csv(path, usecols=used, chunksize=1_000_000, **options):
            for k, i in enumerate(used):  # usecols keeps the file's column order
                parts[i].append(pd.Categorical(chunk.iloc[:, k]))
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise OracleInputError(f"{path}: not a contract-clean CSV file: {error}") from error
    columns = {
        header[i]: union_categoricals(parts[i]) if parts[i] else pd.Categorical([], categories=[""])
        for i in used
    }
    return pd.DataFrame(columns)


def read_input(folder: Path, name: str, spec: tuple[list[Col], list[str]]) -> pd.DataFrame:
    """The used columns of `<folder>/<name>.csv`, typed, with `source_row`; unique on its key."""
    columns, key = spec
    path = Path(folder) / f"{name}.csv"
    if not path.is_file():
        raise OracleInputError(f"{path}: file missing")
    wanted = {c.name for c in columns}
    raw = _read_categorical(path, wanted)
    rows = len(raw.index)
    frame = pd.DataFrame({"source_row": np.arange(1, rows + 1)})
    for col in columns:
        if col.name in raw.columns:
            frame[col.name] = _parse_column(path, col, raw[col.name]).to_numpy()
        elif col.required or col.name in key:
            raise OracleInputError(f"{path}: required column {col.name} is absent from the header")
        elif col.default is not None:
            frame[col.name] = col.default
        else:
            frame[col.name] = _parse_column(path, col, pd.Series(pd.Categorical([""] * rows))).to_numpy()
    duplicated = frame.duplicated(subset=key, keep=False).to_numpy()
    if duplicated.any():
        rows = frame.loc[duplicated].groupby(key, dropna=False, sort=False)["source_row"].agg(list).iloc[0]
        raise OracleInputError(
            f"{path}: row {rows[0]}: the key ({', '.join(key)}) appears in rows {', '.join(map(str, rows))}; "
            "duplicates are quarantined by the loader, the oracle reads contract-clean files only"
        )
    return frame


def _row_rule(frame: pd.DataFrame, failing: pd.Series, path: Path, reason: str) -> None:
    failing = failing.fillna(False).to_numpy(dtype=bool)
    if failing.any():
        row = int(frame["source_row"].to_numpy()[failing][0])
        raise OracleInputError(f"{path}: row {row}: {reason} (the loader quarantines such records)")


# =============================================================================================
# Exact, order-independent sums of decimal(38, 12) values, converted to double as DuckDB does.


def fixed_point(values: np.ndarray) -> np.ndarray:
    """round(value * 1e12) half away from zero, as integer-valued doubles (DuckDB's double ->
    decimal(38, 12) cast multiplies by 1e12 in double precision, then rounds)."""
    scaled = values * DECIMAL_SCALE
    rounded = np.trunc(scaled)
    rounded += np.copysign((np.abs(scaled - rounded) >= 0.5).astype(np.float64), scaled)
    if np.any(np.abs(rounded[~np.isnan(rounded)]) >= 2.0**120):
        raise OverflowError("a value is too large for the exact sums (|value| >= 2^120 / 1e12)")
    return rounded


def decimal_to_double(total: int) -> float:
    """A decimal(38, 12) given as its integer, as double: DuckDB divides by 1e12 when the integer
    is exact in a double, else adds the integer part and the fraction as two doubles."""
    if abs(total) <= 2**53:
        return float(total) / DECIMAL_SCALE
    sign = -1 if total < 0 else 1
    whole, fraction = divmod(abs(total), 10**12)
    return sign * (float(whole) + float(fraction) / DECIMAL_SCALE)


def exact_sums(values: np.ndarray, groups: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Per group: cast(sum(cast(value as decimal(38, 12))) as double) and the count of non-NULL
    (non-NaN) values; NaN for a group without values."""
    values = np.asarray(values, dtype=np.float64)
    present = ~np.isnan(values)
    rounded = fixed_point(values[present])
    where = np.asarray(groups)[present]
    counts = np.bincount(where, minlength=n_groups)
    # While every partial sum of a group stays below 2^51 in magnitude, a double sum is exact.
    bound = np.bincount(where, np.abs(rounded), minlength=n_groups)
    totals = np.bincount(where, rounded, minlength=n_groups) / DECIMAL_SCALE
    big = np.flatnonzero(bound >= 2.0**51)
    if big.size:
        selected = np.isin(where, big)
        local = np.searchsorted(big, where[selected])
        sign = np.sign(rounded[selected])
        rest = np.abs(rounded[selected])
        exact = [0] * big.size
        # 24-bit limbs: a limb's sum over up to 2^29 rows is exact in a double.
        for shift in (96, 72, 48, 24, 0):
            limb = np.floor(rest / 2.0**shift)
            rest = rest - limb * 2.0**shift
            limb_sums = np.bincount(local, limb * sign, minlength=big.size)
            for i, limb_sum in enumerate(limb_sums):
                exact[i] += int(limb_sum) << shift
        totals[big] = [decimal_to_double(t) for t in exact]
    totals[counts == 0] = np.nan
    return totals, counts


def exact_mean(values: np.ndarray, groups: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """(exact_mean macro: cast(exact sum as double) / count, count) per group."""
    sums, counts = exact_sums(values, groups, n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        return sums / counts, counts


def exact_row_sums(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """exact_sums over the non-NaN cells of each row of a 2-D array."""
    rows, columns = matrix.shape
    return exact_sums(matrix.ravel(), np.repeat(np.arange(rows), columns), rows)


def exact_mean_and_stddev(values: np.ndarray) -> tuple[int, float, float]:
    """Count, exact mean and sample standard deviation (two passes) of the non-NaN values."""
    values = values[~np.isnan(values)]
    if values.size == 0:
        return 0, np.nan, np.nan
    zeros = np.zeros(values.size, dtype=np.int64)
    mean = exact_mean(values, zeros, 1)[0][0]
    squares = exact_sums((values - mean) * (values - mean), zeros, 1)[0][0]
    stddev = math.sqrt(squares / (values.size - 1)) if values.size > 1 else np.nan
    return values.size, mean, stddev


def quantile_cont(values: np.ndarray, quantile: float) -> float:
    """Linearly interpolated quantile, as DuckDB's quantile_cont computes it."""
    ordered = np.sort(values[~np.isnan(values)])
    position = (ordered.size - 1) * quantile
    low, high = math.floor(position), math.ceil(position)
    if low == high:
        return float(ordered[low])
    return float(ordered[low] * (high - position) + ordered[high] * (position - low))


def standardize(values: np.ndarray, mean: float, stddev: float) -> np.ndarray:
    """(value - mean) / stddev; 0 for a constant (stddev 0 or NULL); NaN stays NaN."""
    if not (stddev > 0):
        return np.where(np.isnan(values), np.nan, 0.0)
    return (values - mean) / stddev


def cume_dist(values: np.ndarray) -> np.ndarray:
    """Share of the non-NaN values at most each value (ties equal); NaN for NaN."""
    present = ~np.isnan(values)
    ordered = np.sort(values[present])
    result = np.full(values.shape, np.nan)
    result[present] = np.searchsorted(ordered, values[present], side="right") / ordered.size
    return result


def min_rank(values: np.ndarray) -> np.ndarray:
    """rank(): 1 + the number of smaller non-NaN values; NaN for NaN."""
    present = ~np.isnan(values)
    ordered = np.sort(values[present])
    result = np.full(values.shape, np.nan)
    result[present] = np.searchsorted(ordered, values[present], side="left") + 1
    return result


# =============================================================================================
# Configuration.


def load_project_vars(project_file: Path = DEFAULT_PROJECT_FILE) -> dict:
    with open(project_file, encoding="utf-8") as handle:
        return dict(yaml.safe_load(handle).get("vars", {}))


def _boolean(series: pd.Series, path: Path) -> np.ndarray:
    text = series.astype(str).str.strip().str.lower()
    bad = ~text.isin(["true", "false"])
    if bad.any():
        raise OracleInputError(f"{path}: row {int(np.flatnonzero(bad)[0]) + 1}: not true/false")
    return (text == "true").to_numpy()


@dataclass
class Config:
    definitions: pd.DataFrame  # active rows: indicator_name, component_name, need_sign
    components: pd.DataFrame  # component_name, display_order
    weights: pd.DataFrame  # school_level, component_name, weight
    grade_levels: dict[str, str | None]  # grade -> level (None: ungraded)
    grade_orders: dict[str, int]
    counted_offense_groups: set[str]


def load_config(config_dir: Path) -> Config:
    config_dir = Path(config_dir)

    def read(name: str) -> tuple[pd.DataFrame, Path]:
        path = config_dir / f"{name}.csv"
        return pd.read_csv(path, dtype=str, keep_default_na=False), path

    definitions, path = read("component_definitions")
    active = definitions[_boolean(definitions["is_active"], path)].copy()
    signs = {"higher_is_more_need": 1.0, "higher_is_less_need": -1.0}
    unknown = ~active["need_direction"].isin(list(signs))
    if unknown.any():
        raise OracleInputError(
            f"{path}: unknown need_direction {active['need_direction'][unknown].iloc[0]!r}"
        )
    active["need_sign"] = active["need_direction"].map(signs).astype(float)
    components, _ = read("components")
    components["display_order"] = components["display_order"].astype(int)
    weights, _ = read("component_weights")
    weights["weight"] = weights["weight"].map(parse_number)
    grades, _ = read("grade_levels")
    levels = {
        g: (lv if lv != "" else None) for g, lv in zip(grades["grade"], grades["school_level"], strict=True)
    }
    groups, path = read("crime_offense_groups")
    counted = set(groups["offense_group"][_boolean(groups["counts_toward_safety"], path)])
    return Config(
        active[["indicator_name", "component_name", "need_sign"]].reset_index(drop=True),
        components[["component_name", "display_order"]],
        weights[["school_level", "component_name", "weight"]],
        levels,
        dict(zip(grades["grade"], grades["grade_order"].astype(int), strict=True)),
        counted,
    )


# =============================================================================================
# The index.


def _index_of(keys: pd.Index, values) -> np.ndarray:
    return keys.get_indexer(pd.Index(np.asarray(values, dtype=object)))


def schools_grade_spans(enrollment: pd.DataFrame, config: Config, school_year: str) -> pd.DataFrame:
    """Peer level (level holding most students; ties to the lower grades) and grade-span
    category of each school, from the DESE enrollment by grade (int_schools_grade_spans)."""
    levels, order = config.grade_levels, config.grade_orders
    rows = enrollment[(enrollment["school_year"] == school_year) & (enrollment["students"] > 0)].copy()
    rows = rows[rows["grade"].isin(list(levels))]
    rows["school_level"] = rows["grade"].map(levels)
    rows["grade_order"] = rows["grade"].map(order)
    leveled = rows[rows["school_level"].notna()]
    by_level = (
        leveled.groupby(["school_code", "school_level"], as_index=False)
        .agg(students=("students", "sum"), first_grade_order=("grade_order", "min"))
        .sort_values(["school_code", "students", "first_grade_order"], ascending=[True, False, True])
    )
    peer = by_level.drop_duplicates("school_code").set_index("school_code")["school_level"]
    has = leveled.assign(one=1).pivot_table(
        index="school_code", columns="school_level", values="one", aggfunc="max", fill_value=0
    )
    has = has.reindex(columns=["elementary", "middle", "high"], fill_value=0).reindex(
        rows["school_code"].unique(), fill_value=0
    )
    e, m, h = (has[c].to_numpy() == 1 for c in ("elementary", "middle", "high"))
    category = np.select(
        [e & m & h, e & m, m & h, e & ~h, m, h & ~e],
        ["k_12", "k_8", "middle_high", "elementary", "middle", "high"],
        "other",
    )
    spans = pd.DataFrame({"school_code": has.index, "grade_span_category": category})
    spans["peer_level"] = spans["school_code"].map(peer)
    return spans[spans["peer_level"].notna()].set_index("school_code")


def tract_indicators(reference: dict[str, pd.DataFrame], counted_groups: set[str], min_population: int):
    """Census tracts with exclusion reasons and their neighborhood indicators
    (stg_census__tracts, int_tract_exclusions, int_tract_crime_rates, int_tract_disorder_measures,
    int_tracts_neighborhood_indicators)."""
    tracts = reference["census_tracts_2010"].set_index("tract_geoid")
    # cast(double as integer) rounds half to even.
    population = np.rint(tracts["acs_total_population"].to_numpy())
    reason = np.where(
        np.isnan(population),
        "population_unknown",
        np.where(population == 0, "no_population", "population_below_minimum"),
    )
    excluded = np.isnan(population) | (population < min_population)
    codes = reference["bpd_offense_codes"]
    counted_codes = set(codes["offense_code"][codes["offense_group"].isin(list(counted_groups))])
    records = reference["bpd_offense_records_by_tract"]
    records = records[
        (records["placement_status"] == "placed_in_tract") & records["offense_code"].isin(list(counted_codes))
    ]
    counted = records.groupby("tract_geoid")["offense_records"].sum()
    offenses = counted.reindex(tracts.index).fillna(0).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        crime_rate = np.where(excluded, np.nan, (1000.0 * offenses) / population)
    disorder = reference["bari_block_group_disorder"]
    tract_of_group = disorder["block_group_geoid"].str.slice(0, 11)
    tract_keys = pd.Index(sorted(tract_of_group.unique()))
    group_index = _index_of(tract_keys, tract_of_group)
    measures = {}
    for measure in ("private_neglect", "public_denigration"):
        means, _ = exact_mean(disorder[measure].to_numpy(dtype=float), group_index, len(tract_keys))
        measures[measure] = pd.Series(means, index=tract_keys).reindex(tracts.index).to_numpy()
    indicators = pd.DataFrame(
        {
            "tract_median_household_income": tracts["acs_median_household_income"].to_numpy(dtype=float),
            "tract_share_adults_without_high_school": tracts[
                "acs_share_adults_less_than_high_school"
            ].to_numpy(dtype=float),
            "tract_share_adults_with_bachelors_or_more": tracts["acs_share_adults_bachelors"].to_numpy(
                dtype=float
            )
            + tracts["acs_share_adults_masters"].to_numpy(dtype=float)
            + tracts["acs_share_adults_professional"].to_numpy(dtype=float)
            + tracts["acs_share_adults_doctorate"].to_numpy(dtype=float),
            "tract_share_families_in_poverty": tracts["acs_share_families_in_poverty"].to_numpy(dtype=float),
            "tract_share_foreign_born": tracts["acs_share_foreign_born"].to_numpy(dtype=float),
            "tract_crime_rate_per_1000": crime_rate,
            "tract_private_neglect": measures["private_neglect"],
            "tract_public_denigration": measures["public_denigration"],
        },
        index=tracts.index,
    )
    summary = pd.DataFrame(
        {
            "acs_total_population": population,
            "is_excluded_from_statistics": excluded,
            "exclusion_reason": np.where(excluded, reason, None),
        },
        index=tracts.index,
    )
    return summary, indicators[~excluded]


def enrolled_students(enrollments: pd.DataFrame, spans: pd.DataFrame, levels: dict, vars_: dict):
    """One row per student enrolled on the snapshot date: the spell with the later entry date,
    ties to the lower school code (int_enrollment_spells_on_snapshot, int_students_enrolled)."""
    snapshot = np.datetime64(vars_["snapshot_date"], "D")
    spells = enrollments[
        (enrollments["school_year"] == vars_["school_year"])
        & (enrollments["entry_date"] <= snapshot)
        & (enrollments["exit_date"].isna() | (enrollments["exit_date"] > snapshot))
    ]
    if spells.empty:
        raise OracleInputError(f"nobody is enrolled on the snapshot date {vars_['snapshot_date']}")
    spells_per_student = spells.groupby("student_id").size()
    chosen = spells.sort_values(
        ["student_id", "entry_date", "school_code"], ascending=[True, False, True], kind="stable"
    ).drop_duplicates("student_id")
    students = chosen[["student_id", "school_code", "grade", "entry_date"]].reset_index(drop=True)
    level = students["grade"].map(levels)
    peer = students["school_code"].map(spans["peer_level"])
    students["school_level"] = level.where(level.notna(), peer)
    students["enrollment_spells_on_snapshot"] = students["student_id"].map(spells_per_student).to_numpy()
    return students


def home_addresses(addresses: pd.DataFrame, ids: pd.Index, tract_summary: pd.DataFrame, vars_: dict):
    """Current address on the snapshot date, moves in the past year and the neighborhood status
    of each enrolled student (int_student_home_addresses)."""
    n = len(ids)
    snapshot = np.datetime64(vars_["snapshot_date"], "D")
    window_start = snapshot - np.timedelta64(int(vars_["residential_mobility_window_days"]), "D")
    rows = addresses.assign(student=_index_of(ids, addresses["student_id"]))
    rows = rows[rows["student"] >= 0].sort_values(
        ["student", "address_start_date", "source_row"], kind="stable"
    )
    spell_number = rows.groupby("student").cumcount().to_numpy() + 1
    start = rows["address_start_date"].to_numpy()
    student = rows["student"].to_numpy()
    has_record = np.zeros(n, dtype=bool)
    has_record[student] = True
    move = (spell_number > 1) & (start > window_start) & (start <= snapshot)
    moves = np.bincount(student, move, minlength=n).astype(float)
    moves[~has_record] = np.nan
    end = rows["address_end_date"].to_numpy()
    current = rows[(start <= snapshot) & (np.isnat(end) | (end >= snapshot))]
    current = current.assign(
        spell_number=spell_number[(start <= snapshot) & (np.isnat(end) | (end >= snapshot))]
    )
    current = current.sort_values(
        ["student", "address_start_date", "spell_number"], ascending=[True, False, False], kind="stable"
    ).drop_duplicates("student")
    has_current = np.zeros(n, dtype=bool)
    has_current[current["student"].to_numpy()] = True
    tract = np.full(n, None, dtype=object)
    tract[current["student"].to_numpy()] = current["census_tract_geoid"].to_numpy()
    address_type = np.full(n, None, dtype=object)
    address_type[current["student"].to_numpy()] = current["address_type"].to_numpy()
    public_housing = np.full(n, np.nan)
    public_housing[current["student"].to_numpy()] = current["is_public_housing"].to_numpy(dtype=float)

    in_table = tract_summary.index.get_indexer(pd.Index(tract)) >= 0
    city_counties = set(tract_summary.index.str.slice(0, 5))
    county = pd.Series(tract, dtype=object).str.slice(0, 5)
    in_city_county = county.isin(list(city_counties)).to_numpy()
    excluded = (
        tract_summary["is_excluded_from_statistics"].reindex(pd.Index(tract)).fillna(False).to_numpy(bool)
    )
    geocoded = pd.notna(tract)
    status = np.select(
        [
            ~has_record,
            ~has_current,
            address_type == "shelter",
            address_type == "po_box",
            ~geocoded,
            ~in_table & in_city_county,
            ~in_table,
            excluded,
        ],
        [
            "no_address_record",
            "no_current_address",
            "shelter",
            "po_box",
            "ungeocoded",
            "tract_not_in_reference",
            "outside_city",
            "tract_excluded",
        ],
        "observed",
    )
    home_tract = np.where(status == "observed", tract, None)
    return pd.DataFrame(
        {
            "home_tract_geoid": home_tract,
            "neighborhood_status": status,
            "is_public_housing": public_housing,
            "residential_moves_past_year": moves,
        }
    )


def _per_student(ids: pd.Index, frame: pd.DataFrame, value: np.ndarray, how: str) -> np.ndarray:
    """Sum or max of `value` per enrolled student over the rows of `frame`; NaN without rows."""
    student = _index_of(ids, frame["student_id"])
    keep = student >= 0
    student, value = student[keep], np.asarray(value, dtype=float)[keep]
    n = len(ids)
    if how == "sum":
        result = np.bincount(student, value, minlength=n)
    else:
        result = np.full(n, -np.inf)
        np.maximum.at(result, student, value)
    result[np.bincount(student, minlength=n) == 0] = np.nan
    return result


def student_indicators(district, ids, homes, tract_values, vars_) -> dict[str, np.ndarray]:
    """One array per indicator, aligned with the enrolled students; NaN when unknown
    (int_student_prior_performance, int_student_indicators_wide)."""
    snapshot = pd.Timestamp(vars_["snapshot_date"])
    prior, current_year = vars_["prior_school_year"], vars_["school_year"]
    # A student without a students.csv row is scored without the indicators it carries.
    details = district["students"].set_index("student_id").reindex(ids)

    indicators: dict[str, np.ndarray] = {}
    home = _index_of(tract_values.index, homes["home_tract_geoid"])
    for column in tract_values.columns:
        values = np.full(len(ids), np.nan)
        values[home >= 0] = tract_values[column].to_numpy(dtype=float)[home[home >= 0]]
        indicators[column] = values
    indicators["economically_disadvantaged"] = details["economically_disadvantaged"].to_numpy(dtype=float)
    indicators["lives_in_public_housing"] = homes["is_public_housing"].to_numpy(dtype=float)
    indicators["residential_moves_past_year"] = homes["residential_moves_past_year"].to_numpy(dtype=float)
    country = details["country_of_birth"].to_numpy(dtype=object)
    entry = details["us_school_entry_date"].to_numpy()
    usa = country == "USA"
    has_country = pd.notna(country)
    indicators["foreign_born"] = np.where(usa, 0.0, np.where(has_country, 1.0, np.nan))
    cutoff = np.datetime64(
        (snapshot - pd.DateOffset(years=int(vars_["recent_immigrant_window_years"]))).date()
    )
    indicators["recent_immigrant"] = np.where(
        usa, 0.0, np.where(~has_country | np.isnat(entry), np.nan, (entry > cutoff).astype(float))
    )
    attendance = district["attendance"]
    attendance = attendance[attendance["school_year"] == prior]
    membership = _per_student(ids, attendance, attendance["days_in_membership"], "sum")
    present = _per_student(ids, attendance, attendance["days_present"], "sum")
    with np.errstate(divide="ignore", invalid="ignore"):
        indicators["prior_year_attendance_rate"] = np.where(membership == 0, np.nan, present / membership)
    discipline = district["discipline_incidents"]
    discipline = discipline[discipline["school_year"] == prior]
    suspensions = _per_student(ids, discipline, discipline["action_code"].isin(["ISS", "OSS"]), "sum")
    indicators["prior_year_suspensions"] = np.where(
        np.isnan(membership), np.nan, np.nan_to_num(suspensions, nan=0.0)
    )
    marks = district["course_marks"]
    marks = marks[marks["school_year"] == prior]
    for subject, name in (("ELA", "prior_year_ela_course_failed"), ("MATH", "prior_year_math_course_failed")):
        rows = marks[marks["course_subject"] == subject]
        indicators[name] = _per_student(ids, rows, rows["final_mark"] == "F", "max")
    tests = district["assessments"]
    tests = tests[tests["school_year"] < current_year]
    latest = tests.sort_values(["student_id", "subject", "school_year"], ascending=[True, True, False])
    latest = latest.drop_duplicates(["student_id", "subject"])
    for subject, name in (("ELA", "recent_ela_test_not_meeting"), ("MATH", "recent_math_test_not_meeting")):
        rows = latest[latest["subject"] == subject]
        indicators[name] = _per_student(ids, rows, rows["performance_level"] == "NM", "max")
    return indicators


def _component_raw_scores(standardized: dict[str, np.ndarray], members: list[str], n: int):
    """Mean of the standardized indicators the unit has (component_raw_scores), exact sum."""
    if not members:
        return np.full(n, np.nan), np.zeros(n, dtype=np.int64)
    matrix = np.column_stack([standardized[m] for m in members])
    sums, counts = exact_row_sums(matrix)
    with np.errstate(invalid="ignore", divide="ignore"):
        return sums / counts, counts


def _read_folder(folder: Path, specs: dict) -> dict[str, pd.DataFrame]:
    return {name: read_input(folder, name, spec) for name, spec in specs.items()}


def compute_index(
    district_dir: Path | str,
    reference_dir: Path | str = DEFAULT_REFERENCE_DIR,
    config_dir: Path | str = DEFAULT_CONFIG_DIR,
    project_vars: dict | None = None,
) -> dict[str, pd.DataFrame]:
    """The Opportunity Index from the input files (see the module docstring).

    `project_vars` overrides the vars of the project's dbt_project.yml (a partial dict is merged).
    Returns DataFrames `students`, `schools`, `tracts`, `indicator_statistics`,
    `component_statistics`."""
    vars_ = {**load_project_vars(), **(project_vars or {})}
    config = load_config(Path(config_dir))
    district = _read_folder(Path(district_dir), DISTRICT_FILES)
    reference = _read_folder(Path(reference_dir), REFERENCE_FILES)
    _check_rows(district, reference, Path(district_dir), Path(reference_dir))

    levels = config.grade_levels
    spans = schools_grade_spans(reference["dese_enrollment_by_grade"], config, vars_["school_year"])
    tract_summary, tract_values = tract_indicators(
        reference, config.counted_offense_groups, int(vars_["min_tract_population"])
    )
    students = enrolled_students(district["enrollments"], spans, levels, vars_)
    ids = pd.Index(students["student_id"])
    n = len(ids)
    homes = home_addresses(district["addresses"], ids, tract_summary, vars_)
    indicators = student_indicators(district, ids, homes, tract_values, vars_)
    district.clear()  # the district files are no longer needed: free them before scoring

    definitions = config.definitions
    unknown = sorted(set(definitions["indicator_name"]) - set(indicators))
    if unknown:
        raise OracleInputError(f"component_definitions.csv: unknown active indicator(s) {', '.join(unknown)}")

    # Indicator statistics over the enrolled students with a value (int_indicator_statistics).
    statistics = []
    standardized: dict[str, np.ndarray] = {}
    tract_standardized: dict[str, np.ndarray] = {}
    for row in definitions.itertuples(index=False):
        oriented = indicators[row.indicator_name] * row.need_sign
        present = oriented[~np.isnan(oriented)]
        if present.size == 0:
            continue
        lower = quantile_cont(present, float(vars_["winsorize_lower_quantile"]))
        upper = quantile_cont(present, float(vars_["winsorize_upper_quantile"]))
        count, mean, stddev = exact_mean_and_stddev(np.minimum(np.maximum(present, lower), upper))
        statistics.append(
            (row.indicator_name, row.component_name, row.need_sign, count, lower, upper, mean, stddev)
        )
        winsorized = np.minimum(np.maximum(oriented, lower), upper)
        standardized[row.indicator_name] = standardize(winsorized, mean, stddev)
        if row.indicator_name in tract_values.columns:
            tract_oriented = tract_values[row.indicator_name].to_numpy(dtype=float) * row.need_sign
            tract_standardized[row.indicator_name] = standardize(
                np.minimum(np.maximum(tract_oriented, lower), upper), mean, stddev
            )
    indicator_statistics = pd.DataFrame(
        statistics,
        columns=[
            "indicator_name",
            "component_name",
            "need_sign",
            "students_with_value",
            "lower_bound",
            "upper_bound",
            "mean_value",
            "stddev_value",
        ],
    )

    # Components: the five of var `components` in their order, then any other of the definitions.
    component_names = list(vars_["components"])
    component_names += [c for c in dict.fromkeys(definitions["component_name"]) if c not in component_names]
    scored = indicator_statistics.groupby("component_name", sort=False)["indicator_name"].agg(list).to_dict()
    neighborhood = [
        c
        for c, names in definitions.groupby("component_name", sort=False)["indicator_name"]
        if all(name.startswith("tract_") for name in names)
    ]
    school_index = pd.Index(sorted(students["school_code"].unique()))
    school_of = _index_of(school_index, students["school_code"])
    k = len(component_names)
    scores = np.full((n, k), np.nan)
    imputed = np.zeros((n, k), dtype=bool)
    component_statistics = []
    tract_scores = {}
    for j, component in enumerate(component_names):
        raw, _ = _component_raw_scores(standardized, scored.get(component, []), n)
        count, mean, stddev = exact_mean_and_stddev(raw)
        if count:
            component_statistics.append((component, count, mean, stddev))
            scores[:, j] = standardize(raw, mean, stddev)
            tract_members = [m for m in scored.get(component, []) if m in tract_standardized]
            if tract_members:
                tract_raw, _ = _component_raw_scores(tract_standardized, tract_members, len(tract_values))
                tract_scores[component] = standardize(tract_raw, mean, stddev)
        if component in neighborhood:
            # Imputed from the school's students with an observed score, else the district mean 0.
            means, _ = exact_mean(scores[:, j], school_of, len(school_index))
            missing = np.isnan(scores[:, j])
            scores[missing, j] = np.nan_to_num(means[school_of[missing]], nan=0.0)
            imputed[missing, j] = True
    component_statistics = pd.DataFrame(
        component_statistics,
        columns=["component_name", "students_with_component", "mean_raw_score", "stddev_raw_score"],
    )

    # Weights of the student's level, renormalized over the components present
    # (int_student_component_weights) and the need score (int_student_need_scores).
    need_rank_by_component = np.column_stack([cume_dist(scores[:, j]) for j in range(k)])
    weights = config.weights.pivot_table(
        index="school_level", columns="component_name", values="weight", aggfunc="first"
    ).reindex(columns=component_names)
    level_row = weights.index.get_indexer(pd.Index(students["school_level"].to_numpy(dtype=object)))
    level_weight = np.full((n, k), np.nan)
    level_weight[level_row >= 0] = weights.to_numpy(dtype=float)[level_row[level_row >= 0]]
    level_weight[np.isnan(scores)] = np.nan
    weight_present, _ = exact_row_sums(level_weight)
    with np.errstate(invalid="ignore", divide="ignore"):
        applied = level_weight / np.where(weight_present == 0, np.nan, weight_present)[:, None]
    need_score, components_present = exact_row_sums(applied * scores)
    need_rank = min_rank(need_score)
    scored_students = int(np.count_nonzero(~np.isnan(need_score)))
    need_percentile = (
        (need_rank - 1) / (scored_students - 1)
        if scored_students > 1
        else np.where(np.isnan(need_rank), np.nan, 0.0)
    )

    # Missing components: those the district has (component statistics) that the student lacks.
    display = config.components.sort_values("display_order")["component_name"]
    district_components = [c for c in display if c in set(component_statistics["component_name"])]
    pattern = np.zeros(n, dtype=np.int64)
    for bit, component in enumerate(district_components):
        lacking = (
            np.isnan(applied[:, component_names.index(component)])
            if component in component_names
            else np.ones(n, dtype=bool)
        )
        pattern |= lacking.astype(np.int64) << bit
    labels = np.array(
        [
            ", ".join(c for bit, c in enumerate(district_components) if p >> bit & 1) or None
            for p in range(2 ** len(district_components))
        ],
        dtype=object,
    )
    missing_components = labels[pattern]

    # Contributions: the percentile shared in proportion to applied weight x need rank
    # (int_student_component_contributions).
    share_terms = applied * need_rank_by_component
    share_denominator, _ = exact_row_sums(share_terms)
    rounded_terms = fixed_point(share_terms.ravel()).reshape(n, k)
    if np.any(np.abs(rounded_terms[~np.isnan(rounded_terms)]) > TWO_53):
        raise OverflowError("unexpectedly large contribution term")
    with np.errstate(invalid="ignore", divide="ignore"):
        contributions = (
            need_percentile[:, None]
            * (rounded_terms / DECIMAL_SCALE)
            / np.where(share_denominator == 0, np.nan, share_denominator)[:, None]
        )
    contributions[np.isnan(need_percentile)] = np.nan

    student_frame = pd.DataFrame(
        {
            "student_id": students["student_id"].to_numpy(dtype=object),
            "school_code": students["school_code"].to_numpy(dtype=object),
            "grade": students["grade"].to_numpy(dtype=object),
            "school_level": students["school_level"].to_numpy(dtype=object),
            "home_tract_geoid": homes["home_tract_geoid"].to_numpy(dtype=object),
            "neighborhood_status": homes["neighborhood_status"].to_numpy(dtype=object),
            "neighborhood_imputed": imputed.any(axis=1),
            "components_present": components_present,
            "is_partially_scored": pd.notna(missing_components),
            "missing_components": missing_components,
        }
    )
    for j, component in enumerate(vars_["components"]):
        student_frame[f"{component}_score"] = scores[:, j]
    student_frame["need_score"] = need_score
    student_frame["need_rank"] = need_rank
    student_frame["need_percentile"] = need_percentile
    scored_mask = ~np.isnan(need_percentile)
    for j, component in enumerate(vars_["components"]):
        student_frame[f"{component}_contribution"] = np.where(
            scored_mask, np.nan_to_num(contributions[:, j], nan=0.0), np.nan
        )

    schools = _schools(
        student_frame,
        school_index,
        school_of,
        contributions,
        ~np.isnan(applied) & scored_mask[:, None],
        imputed,
        component_names,
        config,
        spans,
        reference["dese_schools"],
        list(vars_["components"]),
    )

    residents = homes["home_tract_geoid"].dropna().value_counts()
    tracts = tract_summary.reset_index()
    tracts["enrolled_students"] = tracts["tract_geoid"].map(residents).fillna(0).astype(int).to_numpy()
    for component in vars_["components"]:
        if component in tract_scores:
            series = pd.Series(tract_scores[component], index=tract_values.index)
            tracts[f"{component}_score"] = tracts["tract_geoid"].map(series).to_numpy(dtype=float)
    return {
        "students": student_frame,
        "schools": schools,
        "tracts": tracts,
        "indicator_statistics": indicator_statistics,
        "component_statistics": component_statistics,
    }


def _schools(
    student_frame, school_index, school_of, contributions, has_row, imputed, component_names, config, spans,
    dese_schools, pivot_components,
) -> pd.DataFrame:  # fmt: skip
    """The school OI and its components (fct_school_opportunity)."""
    m = len(school_index)
    percentile = student_frame["need_percentile"].to_numpy()
    rank = student_frame["need_rank"].to_numpy()
    scored = ~np.isnan(percentile)
    enrolled = np.bincount(school_of, minlength=m)
    scored_count = np.bincount(school_of, scored, minlength=m).astype(np.int64)
    partially = np.bincount(school_of, student_frame["is_partially_scored"].to_numpy(), minlength=m).astype(
        int
    )
    imputed_students = np.bincount(school_of, imputed.any(axis=1), minlength=m).astype(int)
    rank_sum = np.zeros(m, dtype=np.int64)
    np.add.at(rank_sum, school_of[scored], (rank[scored] - 1).astype(np.int64))
    district_scored = int(scored.sum())
    unrounded, _ = exact_mean(percentile, school_of, m)
    # Half-up rounding to 2 decimals in integer arithmetic: floor((200 S + D) / (2 D)).
    denominator = (district_scored - 1) * scored_count
    valid = (district_scored > 1) & (scored_count > 0)
    safe = np.where(valid, denominator, 1)
    hundredths = (200 * rank_sum + safe) // (2 * safe)
    clamped = np.clip(hundredths, 1, 99)
    frame = pd.DataFrame({"school_code": school_index.to_numpy(dtype=object)})
    frame["school_name"] = frame["school_code"].map(dese_schools.set_index("school_code")["school_name"])
    frame["school_level"] = frame["school_code"].map(spans["peer_level"])
    frame["grade_span_category"] = frame["school_code"].map(spans["grade_span_category"])
    frame["enrolled_students"] = enrolled
    frame["scored_students"] = scored_count
    frame["partially_scored_students"] = partially
    frame["neighborhood_imputed_students"] = imputed_students
    frame["opportunity_index"] = np.where(valid, clamped / 100, np.nan)
    frame["opportunity_index_unrounded"] = unrounded
    # percent_rank of the clamped index within the peer level (NULL levels form one partition).
    level_key = frame["school_level"].fillna("\x00null")
    ordered_key = np.where(valid, clamped, np.iinfo(np.int64).max)  # NULLs sort last in DuckDB
    group_rank = (
        pd.DataFrame({"level": level_key, "key": ordered_key})
        .groupby("level")["key"]
        .rank(method="min")
        .to_numpy()
    )
    group_size = level_key.map(level_key.value_counts()).to_numpy()
    frame["percentile_within_level"] = np.where(
        group_size > 1, (group_rank - 1) / np.maximum(group_size - 1, 1), 0.0
    )
    # Component contributions: exact sum per school and component over the contribution rows.
    display = dict(zip(config.components["component_name"], config.components["display_order"], strict=True))
    sums = {}
    for j, component in enumerate(component_names):
        rows = has_row[:, j]
        totals, _ = exact_sums(contributions[rows, j], school_of[rows], m)
        exists = np.bincount(school_of[rows], minlength=m) > 0
        sums[component] = (totals, exists)
        if component in pivot_components:
            with np.errstate(invalid="ignore", divide="ignore"):
                value = np.where(exists, totals / scored_count, np.nan)
            frame[f"{component}_contribution"] = np.where(
                scored_count > 0, np.nan_to_num(value, nan=0.0), np.nan
            )
    ranked = [c for c in component_names if c in display]
    ranked.sort(key=lambda c: display[c])
    best = np.full(m, None, dtype=object)
    best_value = np.full(m, -np.inf)
    for component in ranked:  # display order: a later component wins only with a larger sum
        totals, exists = sums[component]
        value = np.where(np.isnan(totals), -np.inf, totals)
        better = exists & ((value > best_value) | (best == None))  # noqa: E711
        best = np.where(better, component, best)
        best_value = np.where(better, value, best_value)
    frame["largest_component"] = best
    return frame


def _check_rows(district, reference, district_dir: Path, reference_dir: Path) -> None:
    """The contract's row rules and references; the loader quarantines records that break them."""
    enrollments = district["enrollments"]
    _row_rule(
        enrollments,
        enrollments["exit_date"] < enrollments["entry_date"],
        district_dir / "enrollments.csv",
        "the exit date is before the entry date",
    )
    addresses = district["addresses"]
    _row_rule(
        addresses,
        addresses["address_end_date"] < addresses["address_start_date"],
        district_dir / "addresses.csv",
        "the address end date is before its start date",
    )
    attendance = district["attendance"]
    _row_rule(
        attendance,
        attendance["days_present"] > attendance["days_in_membership"],
        district_dir / "attendance.csv",
        "more days present than days in membership",
    )
    known = set(reference["dese_schools"]["school_code"])
    for frame, path in (
        (enrollments, district_dir / "enrollments.csv"),
        (reference["dese_enrollment_by_grade"], reference_dir / "dese_enrollment_by_grade.csv"),
    ):
        _row_rule(
            frame, ~frame["school_code"].isin(list(known)), path, "school_code is not in dese_schools.csv"
        )


# =============================================================================================
# Command line.


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--district", type=Path, default=Path(os.environ.get("OI_DISTRICT_DIR", DEFAULT_DISTRICT_DIR))
    )
    parser.add_argument(
        "--reference", type=Path, default=Path(os.environ.get("OI_REFERENCE_DIR", DEFAULT_REFERENCE_DIR))
    )
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG_DIR)
    parser.add_argument(
        "--project-file", type=Path, default=DEFAULT_PROJECT_FILE, help="dbt_project.yml (vars)"
    )
    parser.add_argument("--output", type=Path, help="write the schools to this CSV file")
    parser.add_argument("--students-output", type=Path, help="write the students to this CSV file")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        result = compute_index(
            args.district, args.reference, args.config, load_project_vars(args.project_file)
        )
    except OracleInputError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    elapsed = time.perf_counter() - started
    students, schools = result["students"], result["schools"]
    index = schools["opportunity_index"]
    levels = schools["school_level"].value_counts().sort_index()
    print("Opportunity Index (pandas reference implementation)")
    print(f"  district: {args.district}")
    print(f"  students: {len(students):,} ({int(students['is_partially_scored'].sum()):,} partially scored)")
    print(f"  neighborhood imputed: {int(students['neighborhood_imputed'].sum()):,}")
    print(f"  schools: {len(schools)} ({', '.join(f'{lv} {c}' for lv, c in levels.items())})")
    print(f"  OI range: {index.min():.2f} to {index.max():.2f}, median {index.median():.2f}")
    print(f"  computed in {elapsed:.1f}s")
    if args.output:
        schools.to_csv(args.output, index=False)
        print(f"  schools written to {args.output}")
    if args.students_output:
        students.to_csv(args.students_output, index=False)
        print(f"  students written to {args.students_output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

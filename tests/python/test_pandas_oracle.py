"""The SQL index against an independent pandas implementation (scripts/reference_index_pandas.py).

The oracle re-derives everything from the same input files as the warehouse built by the session
fixture `built_warehouse` (with the weights that build fitted), without reading the warehouse. The
marts must hold the same students and schools, and the same component scores, need scores,
percentiles and school OI. The tolerance is 1e-9, but the oracle reproduces the SQL's fixed-point
sums and DuckDB's quantile interpolation, so in practice the numbers are equal bit for bit; that
is also why ties in the need ranks (hence the percentiles, integer ratios) agree exactly.
"""

from __future__ import annotations

import math
import shutil
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import reference_index_pandas as oracle
from warehouse_helpers import PROJECT_ROOT, Warehouse

TOLERANCE = 1e-9
COMPONENTS = oracle.load_project_vars(PROJECT_ROOT / "dbt_project.yml")["components"]
SCORES = [f"{c}_score" for c in COMPONENTS]
CONTRIBUTIONS = [f"{c}_contribution" for c in COMPONENTS]


@pytest.fixture(scope="module")
def oracle_result(built_warehouse: Warehouse) -> dict[str, pd.DataFrame]:
    project = built_warehouse.project
    return oracle.compute_index(
        built_warehouse.district,
        built_warehouse.reference or project / "seeds" / "reference",
        project / "seeds" / "config",  # the weights this build fitted
        oracle.load_project_vars(project / "dbt_project.yml"),
    )


def _by_key(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    return frame.sort_values(key).reset_index(drop=True)


@pytest.fixture(scope="module")
def students(built_warehouse: Warehouse, oracle_result) -> tuple[pd.DataFrame, pd.DataFrame]:
    sql = built_warehouse.query("select * from marts.fct_student_opportunity")
    return _by_key(sql, "student_id"), _by_key(oracle_result["students"], "student_id")


@pytest.fixture(scope="module")
def schools(built_warehouse: Warehouse, oracle_result) -> tuple[pd.DataFrame, pd.DataFrame]:
    sql = built_warehouse.query("select * from marts.fct_school_opportunity")
    return _by_key(sql, "school_code"), _by_key(oracle_result["schools"], "school_code")


def assert_numbers_equal(sql: pd.DataFrame, reference: pd.DataFrame, columns: list[str], key: str) -> None:
    """Equal within TOLERANCE, NULL exactly where the oracle has NaN; names the first rows that differ."""
    for column in columns:
        a = sql[column].to_numpy(dtype=float)
        b = reference[column].to_numpy(dtype=float)
        differs = (np.isnan(a) != np.isnan(b)) | (np.abs(np.nan_to_num(a) - np.nan_to_num(b)) > TOLERANCE)
        assert not differs.any(), (
            f"{column}: {int(differs.sum())} row(s) differ, e.g.\n"
            + pd.DataFrame({key: sql[key], "sql": a, "oracle": b})[differs].head(5).to_string()
        )


def assert_values_equal(sql: pd.DataFrame, reference: pd.DataFrame, columns: list[str], key: str) -> None:
    for column in columns:
        a = sql[column].astype(object).where(sql[column].notna(), "<NULL>").astype(str).to_numpy()
        b = reference[column].astype(object).where(reference[column].notna(), "<NULL>").astype(str).to_numpy()
        differs = a != b
        assert not differs.any(), (
            f"{column}: {int(differs.sum())} row(s) differ, e.g.\n"
            + pd.DataFrame({key: sql[key], "sql": a, "oracle": b})[differs].head(5).to_string()
        )


@pytest.mark.dbt
def test_same_students_and_schools(students, schools) -> None:
    sql, reference = students
    assert len(sql) > 10_000
    assert sql["student_id"].tolist() == reference["student_id"].tolist()
    assert_values_equal(sql, reference, ["school_code", "grade", "school_level"], "student_id")
    sql, reference = schools
    assert len(sql) > 50
    assert sql["school_code"].tolist() == reference["school_code"].tolist()


@pytest.mark.dbt
def test_student_component_scores(students) -> None:
    sql, reference = students
    assert_numbers_equal(sql, reference, SCORES, "student_id")
    # Every student has the neighborhood components (observed or imputed); some lack others.
    assert sql[SCORES[:2]].notna().all().all()
    assert sql[SCORES].isna().any().any()


@pytest.mark.dbt
def test_student_missing_components_and_imputation(students) -> None:
    sql, reference = students
    assert_values_equal(
        sql,
        reference,
        [
            "home_tract_geoid",
            "neighborhood_status",
            "neighborhood_imputed",
            "components_present",
            "is_partially_scored",
            "missing_components",
        ],
        "student_id",
    )
    assert sql["neighborhood_imputed"].any() and sql["is_partially_scored"].any()


@pytest.mark.dbt
def test_student_need_score_and_percentile(students) -> None:
    sql, reference = students
    assert_numbers_equal(sql, reference, ["need_score", "need_percentile", *CONTRIBUTIONS], "student_id")
    # Ties share a percentile: the oracle found the same ties (the percentiles are equal).
    assert sql["need_percentile"].duplicated().any()


@pytest.mark.dbt
def test_school_opportunity_index(schools) -> None:
    sql, reference = schools
    assert_numbers_equal(
        sql,
        reference,
        ["opportunity_index", "opportunity_index_unrounded", "percentile_within_level", *CONTRIBUTIONS],
        "school_code",
    )
    assert_values_equal(
        sql,
        reference,
        [
            "school_name",
            "school_level",
            "grade_span_category",
            "enrolled_students",
            "scored_students",
            "partially_scored_students",
            "neighborhood_imputed_students",
            "largest_component",
        ],
        "school_code",
    )


@pytest.mark.dbt
def test_tract_neighborhood_components(built_warehouse: Warehouse, oracle_result) -> None:
    sql = built_warehouse.query("select * from marts.fct_tract_neighborhood_components")
    sql = _by_key(sql, "tract_geoid")
    reference = _by_key(oracle_result["tracts"], "tract_geoid")
    assert sql["tract_geoid"].tolist() == reference["tract_geoid"].tolist()
    assert_values_equal(sql, reference, ["enrolled_students"], "tract_geoid")
    assert_numbers_equal(sql, reference, ["acs_total_population", *SCORES[:2]], "tract_geoid")


# ---------------------------------------------------------------------------------------------
# The oracle on its own: clear errors on values it cannot read, exact fixed-point sums.


@pytest.fixture
def example_folders(tmp_path: Path) -> tuple[Path, Path]:
    district, reference = tmp_path / "district", tmp_path / "reference"
    shutil.copytree(PROJECT_ROOT / "examples" / "district", district)
    shutil.copytree(PROJECT_ROOT / "examples" / "reference", reference)
    return district, reference


def test_the_examples_are_scored(example_folders) -> None:
    district, reference = example_folders
    result = oracle.compute_index(district, reference)
    assert len(result["students"]) == 12
    assert result["schools"]["opportunity_index"].between(0.01, 0.99).all()


@pytest.mark.parametrize(
    ("folder", "file", "row", "column", "value", "reason"),
    [
        ("district", "enrollments", 3, "entry_date", "2024-02-30", "not a valid calendar date"),
        ("district", "students", 5, "economically_disadvantaged", "maybe", "not a flag"),
        ("district", "addresses", 2, "census_tract_geoid", "2.5025E+10", "11-digit"),
        ("district", "attendance", 1, "days_present", "1,5", "not a number"),
        ("reference", "census_tracts_2010", 2, "acs_total_population", "-666666666", "outside"),
    ],
)
def test_an_unreadable_value_names_file_row_and_column(
    example_folders, folder: str, file: str, row: int, column: str, value: str, reason: str
) -> None:
    district, reference = example_folders
    path = (district if folder == "district" else reference) / f"{file}.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[row - 1, column] = value
    frame.to_csv(path, index=False)
    with pytest.raises(oracle.OracleInputError) as error:
        oracle.compute_index(district, reference)
    message = str(error.value)
    assert f"{file}.csv: row {row}, column {column}: {value!r}" in message
    assert reason in message


def test_a_duplicate_key_names_its_rows(example_folders) -> None:
    district, reference = example_folders
    path = district / "students.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    pd.concat([frame, frame.iloc[[3]]]).to_csv(path, index=False)
    with pytest.raises(oracle.OracleInputError, match=rf"students.csv: row 4: .* rows 4, {len(frame) + 1}"):
        oracle.compute_index(district, reference)


def _decimal_sum_as_double(values: np.ndarray) -> float:
    """The reference: Python integers, rounding x * 1e12 half away from zero, DuckDB's cast back."""
    total = 0
    for value in values:
        scaled = Fraction(value * 1e12)  # the double product, exactly
        total += int(math.copysign(math.floor(abs(scaled) + Fraction(1, 2)), scaled))
    return oracle.decimal_to_double(total)


def test_exact_sums_are_exact_and_order_independent() -> None:
    rng = np.random.default_rng(0)
    values = np.concatenate([rng.normal(0, 1, 3000), rng.normal(5e4, 3e4, 3000) ** 2, [np.nan, 0.5e-12]])
    groups = rng.integers(0, 4, values.size)
    sums, counts = oracle.exact_sums(values, groups, 5)
    order = rng.permutation(values.size)
    assert np.array_equal(oracle.exact_sums(values[order], groups[order], 5)[0], sums, equal_nan=True)
    for group in range(4):
        members = values[(groups == group) & ~np.isnan(values)]
        assert counts[group] == members.size
        assert sums[group] == _decimal_sum_as_double(members)
    assert counts[4] == 0 and np.isnan(sums[4])
    # Sums far above 2^53 (as integers) take the limb path; they agree with a float sum to ~1e-15.
    assert sums[0] == pytest.approx(np.nansum(values[groups == 0]), rel=1e-12)

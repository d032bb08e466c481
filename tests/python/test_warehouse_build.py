"""End-to-end properties of a built warehouse (generate, build, fit, rebuild on a test district)."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from warehouse_helpers import Warehouse, copy_project, dbt_build, mart_snapshot

pytestmark = pytest.mark.dbt
SNAPSHOT_DATE = pd.Timestamp("2024-10-01")


def enrolled_on_snapshot(district: Path) -> pd.DataFrame:
    """The students enrolled on the snapshot date, computed from the raw file, not by the warehouse."""
    spells = pd.read_csv(district / "enrollments.csv", dtype=str, keep_default_na=False)
    entry = pd.to_datetime(spells["entry_date"])
    exit_ = pd.to_datetime(spells["exit_date"].replace("", None))
    current = (
        (spells["school_year"] == "2024-25")
        & (entry <= SNAPSHOT_DATE)
        & (exit_.isna() | (exit_ > SNAPSHOT_DATE))
    )
    return spells[current]


def test_every_enrolled_student_appears_exactly_once(built_warehouse: Warehouse) -> None:
    expected = enrolled_on_snapshot(built_warehouse.district)
    assert expected["student_id"].is_unique, "the generated district enrolls a student twice"
    students = built_warehouse.query("select student_id, school_code from marts.fct_student_opportunity")
    assert students["student_id"].is_unique
    assert set(students["student_id"]) == set(expected["student_id"])
    merged = students.merge(expected, on="student_id", suffixes=("_mart", "_file"))
    assert (merged["school_code_mart"] == merged["school_code_file"]).all()


def test_every_school_with_students_appears_once(built_warehouse: Warehouse) -> None:
    expected = enrolled_on_snapshot(built_warehouse.district).groupby("school_code").size()
    schools = built_warehouse.query("select school_code, enrolled_students from marts.fct_school_opportunity")
    assert schools["school_code"].is_unique
    assert dict(zip(schools["school_code"], schools["enrolled_students"], strict=True)) == expected.to_dict()
    assert len(schools) >= 100


def test_index_is_within_bounds_and_contributions_add_up(built_warehouse: Warehouse) -> None:
    schools = built_warehouse.query("select * from marts.fct_school_opportunity")
    index = schools["opportunity_index"].astype(float)
    assert index.between(0.01, 0.99).all()
    contributions = schools[[c for c in schools.columns if c.endswith("_contribution")]].sum(axis=1)
    assert (contributions - schools["opportunity_index_unrounded"]).abs().max() < 1e-9
    assert (contributions - index).abs().max() <= 0.005 + 1e-9
    assert schools["opportunity_index"].notna().all()


def test_fitted_weights_are_non_negative_and_sum_to_one(built_warehouse: Warehouse) -> None:
    weights = pd.read_csv(built_warehouse.project / "seeds" / "config" / "component_weights.csv", dtype=str)
    assert sorted(weights["school_level"].unique()) == ["elementary", "high", "middle"]
    for level, rows in weights.groupby("school_level"):
        values = [Decimal(w) for w in rows["weight"]]
        assert len(values) == 5, level
        assert all(v >= 0 for v in values), level
        assert sum(values) == 1, level
    fits = pd.read_csv(built_warehouse.project / "seeds" / "config" / "component_weight_fits.csv")
    assert (fits["fit_method"] == "nnls_within_school").all()


# Stated tolerance: at 20,000 students each fitted weight is within 0.05 of the generator's truth.
RECOVERY_TOLERANCE = 0.05


def test_fit_recovers_the_generators_true_weights(built_warehouse: Warehouse) -> None:
    manifest = json.loads((built_warehouse.district / "generator_manifest.json").read_text())
    truth = manifest["true_need_weights"]
    fitted = built_warehouse.query(
        "select school_level, component_name, weight from marts.dim_component_weights"
    )
    errors = []
    for row in fitted.itertuples():
        error = abs(row.weight - truth[row.school_level][row.component_name])
        errors.append(error)
        assert error <= RECOVERY_TOLERANCE, (row.school_level, row.component_name, row.weight, error)
    assert len(errors) == 15


def test_rebuilding_gives_identical_marts(built_warehouse: Warehouse, tmp_path: Path) -> None:
    again = Warehouse(built_warehouse.project, built_warehouse.district, tmp_path / "again.duckdb")
    dbt_build(again)
    first, second = mart_snapshot(built_warehouse), mart_snapshot(again)
    for table in first:
        pd.testing.assert_frame_equal(first[table], second[table], check_exact=True, obj=table)


def test_deactivating_an_indicator_changes_the_index_in_the_expected_direction(
    built_warehouse: Warehouse, tmp_path: Path
) -> None:
    """Dropping prior-year attendance from the index lowers the OI of schools whose students
    miss the most school, relative to the others; no code changes, only the seed."""
    edited = Warehouse(copy_project(tmp_path / "project", built_warehouse.project), built_warehouse.district,
                       tmp_path / "edited.duckdb")  # fmt: skip
    definitions_path = edited.project / "seeds" / "config" / "component_definitions.csv"
    definitions = pd.read_csv(definitions_path, dtype=str, keep_default_na=False)
    row = definitions["indicator_name"] == "prior_year_attendance_rate"
    assert definitions.loc[row, "is_active"].item() == "true"
    definitions.loc[row, "is_active"] = "false"
    definitions.to_csv(definitions_path, index=False, lineterminator="\n")
    dbt_build(edited)

    before = built_warehouse.query(
        "select school_code, opportunity_index_unrounded from marts.fct_school_opportunity"
    )
    after = edited.query("select school_code, opportunity_index_unrounded from marts.fct_school_opportunity")
    absence = built_warehouse.query(
        """
        select enrolled.school_code, avg(scores.standardized_value) as attendance_need
        from intermediate.int_student_indicator_scores as scores
        inner join intermediate.int_students_enrolled as enrolled using (student_id)
        where scores.indicator_name = 'prior_year_attendance_rate'
        group by enrolled.school_code
        """
    )
    change = before.merge(after, on="school_code", suffixes=("_before", "_after")).merge(
        absence, on="school_code"
    )
    change["delta"] = (
        change["opportunity_index_unrounded_after"] - change["opportunity_index_unrounded_before"]
    )
    assert change["delta"].abs().max() > 0.001, "deactivating an indicator did not change the index"
    assert change["delta"].corr(change["attendance_need"], method="spearman") < -0.3
    worst = change.sort_values("attendance_need").iloc[-1]
    assert worst["delta"] < 0, "the school with the worst attendance should lose need"
    indicators = edited.query("select indicator_name from intermediate.int_indicator_statistics")
    assert "prior_year_attendance_rate" not in set(indicators["indicator_name"])


def test_a_typo_in_component_definitions_fails_the_build(built_warehouse: Warehouse, tmp_path: Path) -> None:
    edited = Warehouse(copy_project(tmp_path / "project", built_warehouse.project), built_warehouse.district,
                       tmp_path / "typo.duckdb")  # fmt: skip
    definitions_path = edited.project / "seeds" / "config" / "component_definitions.csv"
    text = definitions_path.read_text().replace("prior_year_suspensions,", "prior_year_suspension,", 1)
    definitions_path.write_text(text)
    with pytest.raises(AssertionError) as failure:
        dbt_build(edited)
    assert "assert_component_definitions_valid" in str(failure.value)


def test_no_nan_or_infinity_in_any_numeric_mart_column(built_warehouse: Warehouse) -> None:
    checked = 0
    for table, frame in mart_snapshot(built_warehouse).items():
        for column in frame.select_dtypes("number").columns:
            values = frame[column].dropna().astype(float)
            assert values.map(lambda v: v == v and abs(v) != float("inf")).all(), (table, column)
            checked += 1
    assert checked > 20


def test_partially_scored_and_imputed_students_keep_a_percentile(built_warehouse: Warehouse) -> None:
    students = built_warehouse.query(
        """
        select grade, home_tract_geoid, neighborhood_imputed, missing_components, need_percentile
        from marts.fct_student_opportunity
        """
    )
    assert students["need_percentile"].notna().all()
    kindergarten = students[students["grade"].isin(["PK", "K"])]
    assert kindergarten["missing_components"].str.contains("prior_performance").all()
    # Without a usable home tract the neighborhood components are imputed, not missing.
    without_tract = students[students["home_tract_geoid"].isna()]
    assert len(without_tract) > 0 and without_tract["neighborhood_imputed"].all()
    assert not without_tract["missing_components"].fillna("").str.contains("neighborhood").any()


def rewrite_district_file(source: Path, destination: Path, file_name: str, edit) -> None:
    shutil.copytree(source, destination)
    frame = pd.read_csv(destination / file_name, dtype=str, keep_default_na=False)
    edit(frame)
    frame.to_csv(destination / file_name, index=False, lineterminator="\n")


def test_files_from_another_school_year_fail_the_build_with_the_reason(
    built_warehouse: Warehouse, tmp_path: Path
) -> None:
    def other_year(frame: pd.DataFrame) -> None:
        frame["school_year"] = "2025-26"  # well formed, but not the year the vars ask for

    rewrite_district_file(built_warehouse.district, tmp_path / "district", "enrollments.csv", other_year)
    wrong_year = Warehouse(built_warehouse.project, tmp_path / "district", tmp_path / "year.duckdb")
    with pytest.raises(AssertionError) as failure:
        dbt_build(wrong_year)
    assert "assert_students_enrolled_on_snapshot_date" in str(failure.value)


def test_spelling_variants_in_the_files_give_identical_marts(
    built_warehouse: Warehouse, tmp_path: Path
) -> None:
    """Flags written Yes/No, school years 2024-2025, school codes without leading zeros, grades
    without them, and tract GEOIDs as floats are normalized: the index is the same."""
    district = tmp_path / "district"
    shutil.copytree(built_warehouse.district, district)

    def rewrite(file_name: str, edit) -> None:
        frame = pd.read_csv(district / file_name, dtype=str, keep_default_na=False)
        edit(frame)
        frame.to_csv(district / file_name, index=False, lineterminator="\n")

    def students(frame: pd.DataFrame) -> None:
        frame["economically_disadvantaged"] = frame["economically_disadvantaged"].map({"Y": "Yes", "N": "No"})

    def enrollments(frame: pd.DataFrame) -> None:
        frame["school_year"] = frame["school_year"].str.replace(r"^(\d{4})-(\d{2})$", r"\1-20\2", regex=True)
        frame["school_code"] = frame["school_code"].str.lstrip("0")
        frame["grade"] = frame["grade"].str.lstrip("0")

    def addresses(frame: pd.DataFrame) -> None:
        frame["census_tract_geoid"] = frame["census_tract_geoid"].where(
            frame["census_tract_geoid"] == "", frame["census_tract_geoid"] + ".0"
        )

    rewrite("students.csv", students)
    rewrite("enrollments.csv", enrollments)
    rewrite("addresses.csv", addresses)
    respelled = Warehouse(built_warehouse.project, district, tmp_path / "respelled.duckdb")
    dbt_build(respelled)
    original, changed = mart_snapshot(built_warehouse), mart_snapshot(respelled)
    for table in original:
        pd.testing.assert_frame_equal(original[table], changed[table], check_exact=True, obj=table)
    notes = respelled.query("select note, count(*) as n from audit.audit_value_notes group by note")
    counts = dict(zip(notes["note"], notes["n"], strict=True))
    assert counts["school_year_spelling_normalized"] > 0 and counts["leading_zeros_restored"] > 0
    assert counts["geoid_from_float"] > 0 and counts["grade_spelling_normalized"] > 0

"""Tests of scripts/generate_district.py: determinism, the file contract, calibration to the real
school figures, consistency of the files with the true model, and the error path."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import nnls

import generate_district as gd
from input_contract import DISTRICT_FILES

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = PROJECT_ROOT / "scripts" / "generate_district.py"
MODEL_DOC = PROJECT_ROOT / "docs" / "synthetic_district.md"
SMALL_N = 3000
SNAPSHOT = "2024-10-01"
ALL_FILES = [*gd.FILE_COLUMNS, gd.MANIFEST_NAME]


def read(folder: Path, name: str) -> pd.DataFrame:
    """A district file as text, empty cells kept as ''."""
    return pd.read_csv(folder / name, dtype=str, keep_default_na=False)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, gd.GeneratedDistrict]:
    folder = tmp_path_factory.mktemp("small") / "district"
    assert gd.main(["--students", str(SMALL_N), "--output", str(folder)]) == 0
    return folder, gd.generate(SMALL_N, gd.DEFAULT_SEED)


@pytest.fixture(scope="module")
def default(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, gd.GeneratedDistrict]:
    folder = tmp_path_factory.mktemp("default") / "district"
    district = gd.generate()
    gd.write_district(district, folder)
    return folder, district


@pytest.fixture(scope="module")
def real_profiles() -> pd.DataFrame:
    profiles = pd.read_csv(PROJECT_ROOT / "seeds/reference/dese_school_profiles.csv", dtype=str)
    return profiles.set_index("school_code")


def current_enrollments(folder: Path) -> pd.DataFrame:
    enrollments = read(folder, "enrollments.csv")
    enrolled = (enrollments["entry_date"] <= SNAPSHOT) & (
        (enrollments["exit_date"] == "") | (enrollments["exit_date"] > SNAPSHOT)
    )
    return enrollments[enrolled]


# ---------------------------------------------------------------------------------------------
# Determinism and scaling
# ---------------------------------------------------------------------------------------------
def test_same_seed_gives_byte_identical_files(small, tmp_path):
    folder, _ = small
    again = tmp_path / "again"
    assert gd.main(["--students", str(SMALL_N), "--output", str(again)]) == 0
    for name in ALL_FILES:
        assert digest(folder / name) == digest(again / name), name


def test_different_seed_gives_different_files(small, tmp_path):
    folder, _ = small
    other = tmp_path / "other"
    assert gd.main(["--students", str(SMALL_N), "--seed", "7", "--output", str(other)]) == 0
    for name in ["students.csv", "addresses.csv", "academic_outcomes.csv"]:
        assert digest(folder / name) != digest(other / name), name


@pytest.mark.parametrize("n_students", [1, 7, 999, SMALL_N, 46_094, 123_457])
def test_scale_counts_is_exact_largest_remainder(n_students):
    counts = pd.read_csv(PROJECT_ROOT / "seeds/reference/dese_enrollment_by_grade.csv")["students"].to_numpy()
    scaled = gd.scale_counts(counts, n_students)
    exact = counts * n_students / counts.sum()
    assert scaled.sum() == n_students
    assert np.all((scaled == np.floor(exact)) | (scaled == np.ceil(exact)))
    if n_students == counts.sum():
        assert np.array_equal(scaled, counts)


def test_scale_counts_breaks_ties_by_row_order():
    assert gd.scale_counts(np.array([1, 1, 1, 1]), 2).tolist() == [1, 1, 0, 0]
    assert gd.scale_counts(np.array([2, 1, 1]), 2).tolist() == [1, 1, 0]


def test_current_enrollment_per_school_and_grade_is_the_scaled_seed(small):
    folder, _ = small
    seed = pd.read_csv(PROJECT_ROOT / "seeds/reference/dese_enrollment_by_grade.csv", dtype=str)
    seed["grade_index"] = seed["grade"].map(gd.GRADES.index)
    seed = seed.sort_values(["school_code", "grade_index"]).reset_index(drop=True)
    seed["expected"] = gd.scale_counts(seed["students"].astype(int).to_numpy(), SMALL_N)
    observed = current_enrollments(folder).groupby(["school_code", "grade"]).size()
    expected = seed.set_index(["school_code", "grade"])["expected"]
    assert observed.reindex(expected.index, fill_value=0).tolist() == expected.tolist()


# ---------------------------------------------------------------------------------------------
# The input contract (scripts/input_contract.py, documented in docs/input_contract.md)
# ---------------------------------------------------------------------------------------------
def test_written_headers_and_generator_constant_match_the_input_contract(small):
    folder, _ = small
    # Optional columns with a default (address_type, "home" when absent) may be left out.
    contract = {
        spec.file_name: [c.name for c in spec.columns if c.default is None] for spec in DISTRICT_FILES
    }
    assert set(contract) == set(gd.FILE_COLUMNS) and len(contract) == 8
    for name, columns in contract.items():
        assert list(gd.FILE_COLUMNS[name]) == columns, name
        assert (folder / name).read_text(encoding="utf-8").split("\n", 1)[0] == ",".join(columns), name


def test_files_use_unix_line_endings_and_plain_number_formats(small):
    folder, _ = small
    for name in gd.FILE_COLUMNS:
        raw = (folder / name).read_bytes()
        assert b"\r" not in raw and raw.endswith(b"\n"), name
    outcomes = read(folder, "academic_outcomes.csv")["outcome_score"]
    assert outcomes.str.fullmatch(r"\d{3}\.\d").all()
    for name, column in [("attendance.csv", "days_present"), ("assessments.csv", "scaled_score")]:
        assert read(folder, name)[column].str.fullmatch(r"\d+").all()


def test_every_student_has_exactly_one_current_enrollment(small):
    folder, _ = small
    students = read(folder, "students.csv")
    assert students["student_id"].str.fullmatch(r"S\d{8}").all()
    assert students["student_id"].is_unique and len(students) == SMALL_N
    current = current_enrollments(folder)
    assert current["student_id"].is_unique
    assert set(current["student_id"]) == set(students["student_id"])
    assert (current["exit_date"] == "").all()
    earlier = read(folder, "enrollments.csv").query("exit_date != ''")
    assert (earlier["exit_date"] < SNAPSHOT).all()
    moved_from = earlier.merge(current, on="student_id", suffixes=("_earlier", "_current"))
    assert (moved_from["school_code_earlier"] != moved_from["school_code_current"]).all()


def test_codes_keep_their_leading_zeros(small):
    folder, _ = small
    for name in ["enrollments.csv", "attendance.csv"]:
        assert read(folder, name)["school_code"].str.fullmatch(r"\d{8}").all(), name
    tracts = read(folder, "addresses.csv")["census_tract_geoid"]
    assert tracts.str.fullmatch(r"(\d{11})?").all()
    assert tracts.str.startswith("25025").sum() == (tracts != "").sum()


def test_values_use_the_documented_codes(small):
    folder, _ = small
    students = read(folder, "students.csv")
    for flag in ["economically_disadvantaged", "english_learner", "students_with_disabilities"]:
        assert set(students[flag]) == {"Y", "N"}, flag
    assert set(students["gender"]) <= {"F", "M", "N"}
    assert students["country_of_birth"].str.fullmatch(r"[A-Z]{3}").all()
    assert set(read(folder, "enrollments.csv")["grade"]) <= set(gd.GRADES)
    assert set(read(folder, "addresses.csv")["is_public_housing"]) == {"Y", "N"}
    assert set(read(folder, "discipline_incidents.csv")["action_code"]) <= {"ISS", "OSS", "EXP", "OTH"}
    marks = read(folder, "course_marks.csv")
    assert set(marks["final_mark"]) <= set("ABCDF") and set(marks["course_subject"]) == {"ELA", "MATH"}
    tests = read(folder, "assessments.csv")
    assert set(tests["test_grade"]) <= {"03", "04", "05", "06", "07", "08", "10"}
    score = tests["scaled_score"].astype(int)
    assert score.between(440, 560).all()
    expected_level = pd.cut(score, [0, 469, 499, 529, 999], labels=["NM", "PM", "M", "E"]).astype(str)
    assert (tests["performance_level"] == expected_level).all()
    for name, column in [("students.csv", "date_of_birth"), ("addresses.csv", "address_start_date")]:
        assert read(folder, name)[column].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()


def test_dates_are_consistent(small):
    folder, _ = small
    students = read(folder, "students.csv")
    assert (students["us_school_entry_date"] <= students["district_entry_date"]).all()
    assert (students["district_entry_date"] <= SNAPSHOT).all()
    grades = current_enrollments(folder).set_index("student_id")["grade"]
    graded = students.set_index("student_id").join(grades).query("grade != 'SP'")
    grade_number = graded["grade"].map(gd.GRADE_NUMBER)
    birth = pd.to_datetime(graded["date_of_birth"])
    age_sept_1 = 2024 - birth.dt.year - ((birth.dt.month > 9) | ((birth.dt.month == 9) & (birth.dt.day > 1)))
    over_age = age_sept_1 - (5 + grade_number)  # K: age 5 on September 1
    assert over_age.isin([0, 1]).all()
    assert (over_age == 0).mean() > 0.85


def test_address_spells_follow_the_rules(small):
    folder, _ = small
    addresses = read(folder, "addresses.csv")
    open_spells = addresses[addresses["address_end_date"] == ""]
    assert open_spells["student_id"].is_unique
    assert set(open_spells["student_id"]) == set(addresses["student_id"])
    closed = addresses[addresses["address_end_date"] != ""]
    assert (closed["address_end_date"] < SNAPSHOT).all()
    assert (closed["address_start_date"] <= closed["address_end_date"]).all()
    latest = addresses.groupby("student_id")["address_start_date"].max()
    assert (
        open_spells.set_index("student_id")["address_start_date"] == latest.loc[open_spells["student_id"]]
    ).all()
    without_address = SMALL_N - addresses["student_id"].nunique()
    assert 0.003 * SMALL_N <= without_address <= 0.02 * SMALL_N
    assert 0 < (open_spells["census_tract_geoid"] == "").sum() <= 0.015 * SMALL_N
    assert (closed["is_public_housing"] == "N").all()


# ---------------------------------------------------------------------------------------------
# The files carry the true model: indicators derived independently from the files
# ---------------------------------------------------------------------------------------------
def tract_indicators_from_seeds() -> pd.DataFrame:
    seeds = PROJECT_ROOT / "seeds"
    tracts = pd.read_csv(seeds / "reference/census_tracts_2010.csv", dtype={"tract_geoid": str}).set_index(
        "tract_geoid"
    )
    offenses = pd.read_csv(seeds / "reference/bpd_offense_records_by_tract.csv", dtype=str)
    codes = pd.read_csv(seeds / "reference/bpd_offense_codes.csv", dtype=str)
    groups = pd.read_csv(seeds / "config/crime_offense_groups.csv", dtype=str)
    counted_groups = groups.loc[groups["counts_toward_safety"].str.lower() == "true", "offense_group"]
    counted = offenses.merge(codes, on="offense_code").query("placement_status == 'placed_in_tract'")
    counted = counted[counted["offense_group"].isin(counted_groups)]
    records = counted.assign(n=counted["offense_records"].astype(int)).groupby("tract_geoid")["n"].sum()
    population = tracts["acs_total_population"]
    disorder = pd.read_csv(
        seeds / "reference/bari_block_group_disorder.csv", dtype={"block_group_geoid": str}
    )
    disorder["tract_geoid"] = disorder["block_group_geoid"].str[:11]
    means = disorder.groupby("tract_geoid")[["private_neglect", "public_denigration"]].mean()
    degrees = ["bachelors", "masters", "professional", "doctorate"]
    return pd.DataFrame(
        {
            "tract_median_household_income": tracts["acs_median_household_income"],
            "tract_share_adults_without_high_school": tracts["acs_share_adults_less_than_high_school"],
            "tract_share_adults_with_bachelors_or_more": sum(
                tracts[f"acs_share_adults_{d}"] for d in degrees
            ),
            "tract_crime_rate_per_1000": (1000 * records.reindex(tracts.index).fillna(0) / population).where(
                population >= 100
            ),
            "tract_private_neglect": means["private_neglect"],
            "tract_public_denigration": means["public_denigration"],
        }
    )


def indicators_from_files(folder: Path) -> pd.DataFrame:
    """The 16 indicators by the rules of docs/methodology.md, from the written files only."""
    students = read(folder, "students.csv").set_index("student_id")
    frame = pd.DataFrame(index=students.index)
    addresses = read(folder, "addresses.csv")
    covering = (addresses["address_start_date"] <= SNAPSHOT) & (
        (addresses["address_end_date"] == "") | (addresses["address_end_date"] >= SNAPSHOT)
    )
    current = addresses[covering].set_index("student_id")
    home = current["census_tract_geoid"].replace("", np.nan).reindex(frame.index)
    tract_values = tract_indicators_from_seeds().reindex(home.to_numpy())
    for column in tract_values.columns:
        frame[column] = tract_values[column].to_numpy()
    has_address = frame.index.isin(addresses["student_id"])
    frame["economically_disadvantaged"] = (students["economically_disadvantaged"] == "Y") * 1.0
    housing = (current["is_public_housing"] == "Y").reindex(frame.index) * 1.0
    frame["lives_in_public_housing"] = housing.where(has_address)
    window_start = str((pd.Timestamp(SNAPSHOT) - pd.Timedelta(days=365)).date())
    first_start = addresses.groupby("student_id")["address_start_date"].transform("min")
    moves = (
        addresses[
            (addresses["address_start_date"] > window_start)
            & (addresses["address_start_date"] <= SNAPSHOT)
            & (addresses["address_start_date"] > first_start)
        ]
        .groupby("student_id")
        .size()
    )
    frame["residential_moves_past_year"] = moves.reindex(frame.index, fill_value=0).where(has_address) * 1.0
    foreign_born = students["country_of_birth"] != "USA"
    frame["foreign_born"] = foreign_born * 1.0
    frame["recent_immigrant"] = (foreign_born & (students["us_school_entry_date"] > "2021-10-01")) * 1.0
    prior = prior_performance_from_files(folder)
    for column in prior.columns:
        frame[column] = prior[column].reindex(frame.index)
    return frame[list(gd.INDICATORS)]


def prior_performance_from_files(folder: Path) -> pd.DataFrame:
    attendance = read(folder, "attendance.csv").query("school_year == '2023-24'")
    sums = (
        attendance[["days_present", "days_in_membership"]].astype(int).groupby(attendance["student_id"]).sum()
    )
    frame = pd.DataFrame({"prior_year_attendance_rate": sums["days_present"] / sums["days_in_membership"]})
    incidents = read(folder, "discipline_incidents.csv").query("school_year == '2023-24'")
    suspensions = incidents[incidents["action_code"].isin(["ISS", "OSS"])].groupby("student_id").size()
    frame["prior_year_suspensions"] = suspensions.reindex(frame.index, fill_value=0) * 1.0
    marks = read(folder, "course_marks.csv").query("school_year == '2023-24'")
    tests = read(folder, "assessments.csv").query("school_year < '2024-25'")
    tests = tests.sort_values(["student_id", "subject", "school_year"])
    latest = tests.groupby(["student_id", "subject"]).tail(1)
    result = {}
    for subject in ["ELA", "MATH"]:
        subject_marks = marks[marks["course_subject"] == subject]
        failed = (subject_marks["final_mark"] == "F").groupby(subject_marks["student_id"]).any() * 1.0
        result[f"prior_year_{subject.lower()}_course_failed"] = failed
        subject_latest = latest[latest["subject"] == subject].set_index("student_id")
        result[f"recent_{subject.lower()}_test_not_meeting"] = (
            subject_latest["performance_level"] == "NM"
        ) * 1.0
    return frame.join(pd.DataFrame(result), how="outer")


def test_indicators_in_the_true_model_are_those_the_files_imply(small):
    folder, district = small
    from_files = indicators_from_files(folder)
    internal = district.indicators.copy()
    internal.index = [f"S{number:08d}" for number in internal.index]
    internal = internal.loc[from_files.index]
    for column in gd.INDICATORS:
        expected, actual = from_files[column].to_numpy(float), internal[column].to_numpy(float)
        assert np.array_equal(np.isnan(expected), np.isnan(actual)), column
        assert np.allclose(expected[~np.isnan(expected)], actual[~np.isnan(actual)], rtol=1e-12), column


def test_files_carry_the_latent_traits_exactly(small):
    """The rules of the docs, applied to the files, give back the generator's own draws."""
    folder, district = small
    from_files = indicators_from_files(folder)
    latent = district.students
    has_address = ~latent["no_address"]
    moves = from_files["residential_moves_past_year"].to_numpy()
    assert np.array_equal(moves[has_address], latent["moves"][has_address])
    assert np.isnan(moves[~has_address]).all() and latent["moves"].max() >= 2
    housing = from_files["lives_in_public_housing"].to_numpy()
    assert np.array_equal(housing[has_address] == 1, latent["public_housing"][has_address])
    assert np.array_equal(from_files["recent_immigrant"].to_numpy() == 1, latent["recent_immigrant"])
    with_tract = has_address & ~latent["not_geocoded"]
    income = from_files["tract_median_household_income"].to_numpy()
    expected = district.reference.tracts["tract_median_household_income"].to_numpy()[latent["tract"]]
    assert np.allclose(income[with_tract], expected[with_tract], equal_nan=True)
    assert np.isnan(income[~with_tract]).all()


def test_written_outcome_is_the_true_model_outcome_rounded(small):
    folder, district = small
    written = read(folder, "academic_outcomes.csv")["outcome_score"].astype(float).to_numpy()
    assert np.abs(written - district.outcome).max() <= 0.05 + 1e-9
    assert (read(folder, "academic_outcomes.csv")["school_year"] == "2024-25").all()


def test_true_model_does_not_read_the_component_definitions_seed(small, tmp_path):
    folder, _ = small
    seeds = tmp_path / "seeds"
    shutil.copytree(PROJECT_ROOT / "seeds", seeds)
    definitions = pd.read_csv(seeds / "config/component_definitions.csv", dtype=str)
    definitions["is_active"] = "false"  # an analyst switching every indicator off
    definitions.to_csv(seeds / "config/component_definitions.csv", index=False)
    output = tmp_path / "district"
    assert gd.main(["--students", str(SMALL_N), "--output", str(output), "--seeds-dir", str(seeds)]) == 0
    assert digest(output / "academic_outcomes.csv") == digest(folder / "academic_outcomes.csv")


def test_race_does_not_enter_the_outcome(small, tmp_path, monkeypatch):
    folder, _ = small
    original = gd.assign_race

    def rotated_race(rng, school, race_shares):
        return (original(rng, school, race_shares) + 1) % race_shares.shape[1]

    monkeypatch.setattr(gd, "assign_race", rotated_race)
    output = tmp_path / "rotated"
    assert gd.main(["--students", str(SMALL_N), "--output", str(output)]) == 0
    before, after = read(folder, "students.csv"), read(output, "students.csv")
    assert (before["race_ethnicity"] != after["race_ethnicity"]).all()  # the patch did take effect
    assert before.drop(columns="race_ethnicity").equals(after.drop(columns="race_ethnicity"))
    for name in set(gd.FILE_COLUMNS) - {"students.csv"}:
        assert digest(output / name) == digest(folder / name), name


# ---------------------------------------------------------------------------------------------
# Components and the outcome model
# ---------------------------------------------------------------------------------------------
def test_compute_true_components_follows_the_warehouse_rules():
    rng = np.random.default_rng(0)
    n = 200
    x = rng.normal(size=n)
    indicators = pd.DataFrame(
        {"more": x, "less": -x, "flat": np.ones(n), "gappy": np.where(x > 1, np.nan, x)}
    )
    definitions = [
        ("more", "a", gd.MORE_NEED),
        ("less", "b", gd.LESS_NEED),
        ("flat", "c", gd.MORE_NEED),
        ("gappy", "d", gd.MORE_NEED),
    ]
    components = gd.compute_true_components(indicators, definitions)
    assert np.allclose(components["a"], components["b"])  # orientation
    assert np.allclose(components["c"], 0.0)  # sd 0: z = 0, component present
    assert components["d"].isna().sum() == np.isnan(indicators["gappy"]).sum()
    for column in ["a", "d"]:
        assert abs(components[column].mean()) < 1e-12 and abs(components[column].std(ddof=1) - 1) < 1e-12
    lo, hi = np.quantile(x, [0.01, 0.99])
    clipped = np.clip(x, lo, hi)
    assert np.allclose(components["a"], (clipped - clipped.mean()) / clipped.std(ddof=1))
    outlier = indicators.assign(more=np.r_[x[:-1], 1e9])
    bigger = indicators.assign(more=np.r_[x[:-1], 1e12])
    assert np.allclose(
        gd.compute_true_components(outlier, definitions[:1]),
        gd.compute_true_components(bigger, definitions[:1]),
    )


def test_compute_true_components_accepts_the_seed_table_and_keeps_active_rows_only():
    definitions = pd.read_csv(PROJECT_ROOT / "seeds/config/component_definitions.csv", dtype=str)
    definitions.loc[definitions["indicator_name"] == "foreign_born", "is_active"] = "false"
    frame = gd.definitions_frame(definitions)
    active = definitions[definitions["is_active"] == "true"]
    assert frame["indicator_name"].tolist() == active["indicator_name"].tolist()
    assert "foreign_born" not in set(frame["indicator_name"])
    indicators = pd.DataFrame({name: np.arange(10.0) for name in frame["indicator_name"]})
    components = gd.compute_true_components(indicators, definitions)
    assert list(components.columns) == list(dict.fromkeys(active["component_name"]))


def test_true_weights_are_valid_and_documented():
    text = MODEL_DOC.read_text(encoding="utf-8")
    for level, weights in gd.TRUE_NEED_WEIGHTS.items():
        assert list(weights) == list(gd.COMPONENTS)
        assert min(weights.values()) >= 0 and abs(sum(weights.values()) - 1) < 1e-12
        row = re.search(rf"^\| {level} \|(.+)\|\s*$", text, flags=re.MULTILINE)
        assert row, f"no weight row for {level} in {MODEL_DOC.name}"
        documented = [float(cell) for cell in row.group(1).split("|")]
        assert documented == [*weights.values(), gd.OUTCOME_BETA[level]], level
    assert len({tuple(w.values()) for w in gd.TRUE_NEED_WEIGHTS.values()}) == 3


def test_nnls_on_the_files_recovers_the_true_weights(default):
    folder, district = default
    outcome = read(folder, "academic_outcomes.csv")["outcome_score"].astype(float).to_numpy()
    components = district.components[list(gd.COMPONENTS)].to_numpy()
    complete = ~np.isnan(components).any(axis=1)
    for level_index, level in enumerate(gd.LEVELS):
        rows = complete & (district.students["level"] == level_index)
        x = components[rows] - components[rows].mean(axis=0)
        y = -(outcome[rows] - outcome[rows].mean())
        coefficients, _ = nnls(x, y)
        recovered = coefficients / coefficients.sum()
        true = np.array(list(gd.TRUE_NEED_WEIGHTS[level].values()))
        assert np.abs(recovered - true).max() <= 0.05, (level, recovered.round(3))
        r_squared = 1 - ((y - x @ coefficients) ** 2).sum() / (y**2).sum()
        assert 0.3 < r_squared < 0.8, (level, r_squared)


# ---------------------------------------------------------------------------------------------
# Calibration at the default size
# ---------------------------------------------------------------------------------------------
def test_default_size_is_the_real_enrollment(default):
    folder, _ = default
    assert len(read(folder, "students.csv")) == 46_094


def test_school_shares_of_flags_equal_the_real_shares(default, real_profiles):
    folder, _ = default
    students = read(folder, "students.csv").merge(current_enrollments(folder), on="student_id")
    for flag in ["economically_disadvantaged", "english_learner", "students_with_disabilities"]:
        by_school = (students[flag] == "Y").groupby(students["school_code"]).agg(["mean", "size"])
        real = real_profiles[f"pct_{flag}"].astype(float).reindex(by_school.index) / 100
        assert (abs(by_school["mean"] - real) <= 0.5 / by_school["size"] + 1e-12).all(), flag


def test_school_attendance_is_within_1_5_points_of_the_real_rate(default, real_profiles):
    folder, _ = default
    attendance = read(folder, "attendance.csv")
    days = attendance[["days_present", "days_in_membership"]].astype(int)
    sums = days.groupby(attendance["school_code"]).sum()
    rate = 100 * sums["days_present"] / sums["days_in_membership"]
    real = real_profiles["attendance_rate"].astype(float).reindex(rate.index)
    assert (abs(rate - real) <= 1.5).all()
    student_mean = (
        (100 * days["days_present"] / days["days_in_membership"]).groupby(attendance["school_code"]).mean()
    )
    assert (abs(student_mean - real) <= 1.5).all()


def test_no_prior_performance_for_pk_and_k(default):
    folder, _ = default
    grades = current_enrollments(folder).set_index("student_id")["grade"]
    early = set(grades[grades.isin(["PK", "K"])].index)
    assert len(early) > 1000
    for name in ["attendance.csv", "discipline_incidents.csv", "course_marks.csv", "assessments.csv"]:
        assert early.isdisjoint(read(folder, name)["student_id"]), name


def test_tests_start_in_grade_3_and_follow_the_grade(default):
    folder, _ = default
    tests = read(folder, "assessments.csv").merge(current_enrollments(folder)[["student_id", "grade"]])
    assert tests["test_grade"].isin(["03", "04", "05", "06", "07", "08", "10"]).all()
    graded = tests[tests["grade"] != "SP"]
    assert not graded["grade"].isin(["PK", "K", "01", "02", "03"]).any()  # nobody below grade 4
    years_back = 2024 - graded["school_year"].str[:4].astype(int)
    assert (graded["grade"].astype(int) - graded["test_grade"].astype(int) == years_back).all()
    grade_05 = graded[graded["grade"] == "05"]
    assert set(zip(grade_05["school_year"], grade_05["test_grade"], strict=True)) == {
        ("2022-23", "03"),
        ("2023-24", "04"),
    }


def test_prior_year_records_have_realistic_rates(default):
    folder, district = default
    marks = read(folder, "course_marks.csv")
    fail = (marks["final_mark"] == "F").groupby(marks["course_subject"]).mean()
    assert 0.08 <= fail["ELA"] <= 0.12 and 0.10 <= fail["MATH"] <= 0.14
    tests = read(folder, "assessments.csv")
    assert 0.25 <= (tests["performance_level"] == "NM").mean() <= 0.40
    indicators = district.indicators
    assert 0.08 <= indicators["lives_in_public_housing"].mean() <= 0.12
    foreign = indicators["foreign_born"] == 1
    assert 0.40 <= indicators.loc[foreign, "recent_immigrant"].mean() <= 0.50


def test_school_suspension_shares_equal_the_real_shares(default, real_profiles):
    folder, _ = default
    attendance = read(folder, "attendance.csv")
    incidents = read(folder, "discipline_incidents.csv")
    suspended = set(incidents.loc[incidents["action_code"].isin(["ISS", "OSS"]), "student_id"])
    by_school = (
        attendance["student_id"].isin(suspended).groupby(attendance["school_code"]).agg(["sum", "size"])
    )
    real = real_profiles.reindex(by_school.index)
    share = real["students_disciplined"].astype(float) / real["discipline_report_students"].astype(float)
    expected = gd.round_half_up(share.to_numpy() * by_school["size"].to_numpy())
    assert by_school["sum"].tolist() == expected.tolist()


# ---------------------------------------------------------------------------------------------
# Sorting: schools differ in need as in a choice district (default size)
# ---------------------------------------------------------------------------------------------
def school_frame(folder: Path, district: gd.GeneratedDistrict) -> pd.DataFrame:
    """Per student (in file order): current school and the need of the current address's tract."""
    students = read(folder, "students.csv")[["student_id"]]
    students = students.merge(current_enrollments(folder)[["student_id", "school_code"]], how="left")
    addresses = read(folder, "addresses.csv").query("address_end_date == '' and census_tract_geoid != ''")
    need = district.reference.tracts["need_score"]
    tract_need = addresses.set_index("student_id")["census_tract_geoid"].map(need)
    return students.assign(tract_need=students["student_id"].map(tract_need).to_numpy())


def lowest_fifth(values: pd.Series, codes: Sequence[str]) -> list[bool]:
    """Whether each school code is among the fifth of schools with the lowest value."""
    return [values.rank().loc[code] <= len(values) / 5 for code in codes]


def test_home_tract_weights_follow_the_documented_formula(monkeypatch):
    reference = gd.build_reference(gd.load_seeds(gd.DEFAULT_SEEDS_DIR), gd.DEFAULT_SEEDS_DIR)
    schools, tracts = reference.schools, reference.tracts
    with_sorting = gd.home_tract_weights(reference)
    monkeypatch.setitem(
        gd.PARAMETERS, "tract_sorting", {"economically_disadvantaged": 0.0, "english_learner": 0.0}
    )
    monkeypatch.setitem(gd.PARAMETERS, "exam_school_tract_tilt", 0.0)
    plain = gd.home_tract_weights(reference)
    children = tracts["child_population"].to_numpy() > 0
    distance = gd.distance_km(
        schools["latitude"].to_numpy()[:, None],
        schools["longitude"].to_numpy()[:, None],
        tracts["latitude"].to_numpy()[None, :],
        tracts["longitude"].to_numpy()[None, :],
    )
    scale = np.array([[2.5, 3.5, 6.0]] * len(schools))
    scale[schools.index.isin(["00350545", "00350560", "00350575"])] = 8.0
    expected_plain = tracts["child_population"].to_numpy() * np.exp(-distance[:, None, :] / scale[:, :, None])
    log_ratio = np.log(plain[..., children]) - np.log(expected_plain[..., children])
    assert np.ptp(log_ratio, axis=2).max() < 1e-9  # equal up to a constant per school and level
    need, foreign_born = tracts["need_score"].to_numpy(), tracts["foreign_born_z"].to_numpy()
    exam = schools["exam_school"].to_numpy()
    match = (
        0.2 * schools["need_z"].to_numpy()[:, None] * need[None, :]
        + 0.1 * schools["english_learner_z"].to_numpy()[:, None] * foreign_born[None, :]
        - 0.5 * exam[:, None] * need[None, :]
    )
    log_ratio = np.log(with_sorting[..., children]) - np.log(plain[..., children]) - match[:, None, children]
    assert np.ptp(log_ratio, axis=2).max() < 1e-9
    assert (with_sorting[..., ~children] == 0).all()


def test_school_scores_come_from_the_real_figures(real_profiles):
    reference = gd.build_reference(gd.load_seeds(gd.DEFAULT_SEEDS_DIR), gd.DEFAULT_SEEDS_DIR)
    schools = reference.schools
    assert sorted(schools.index[schools["exam_school"]]) == ["00350545", "00350560", "00350575"]
    real = real_profiles.reindex(schools.index)
    for column, score in [
        ("pct_economically_disadvantaged", "need_z"),
        ("pct_english_learner", "english_learner_z"),
    ]:
        values = real[column].astype(float)
        mean = np.average(values, weights=schools["students"])
        sd = np.sqrt(np.average((values - mean) ** 2, weights=schools["students"]))
        assert np.allclose(schools[score], (values - mean) / sd), score
    risk = schools["risk_z"]
    assert risk.between(-2.5 - 1.5, 2.5).all()
    assert np.corrcoef(risk, real["pct_economically_disadvantaged"].astype(float))[0, 1] > 0.7
    assert np.corrcoef(risk, real["attendance_rate"].astype(float))[0, 1] < -0.5
    assert (risk[schools["exam_school"]] < risk.quantile(0.1)).all()


def test_families_sort_into_schools_by_socioeconomic_need(default, real_profiles):
    folder, district = default
    frame = school_frame(folder, district)
    assert frame["tract_need"].notna().mean() > 0.98
    mean_need = frame.groupby("school_code")["tract_need"].mean()
    real_ed = real_profiles["pct_economically_disadvantaged"].astype(float).reindex(mean_need.index)
    assert np.corrcoef(real_ed, mean_need)[0, 1] >= 0.6
    assert all(lowest_fifth(mean_need, gd.EXAM_SCHOOLS))
    # Most of the variation is still within schools: catchments overlap.
    known = frame.dropna(subset=["tract_need"])
    school_mean = known.groupby("school_code")["tract_need"].transform("mean")
    total = ((known["tract_need"] - known["tract_need"].mean()) ** 2).sum()
    between = ((school_mean - known["tract_need"].mean()) ** 2).sum() / total
    assert 0.08 <= between <= 0.35, between


def test_need_percentiles_vary_between_schools_but_mostly_within(default):
    """The warehouse's index: need = sum of weight x component over the components present
    (weights rescaled), percentile over the district, school index = mean percentile."""
    folder, district = default
    components = district.components[list(gd.COMPONENTS)].to_numpy()
    weights = np.array([[gd.TRUE_NEED_WEIGHTS[level][c] for c in gd.COMPONENTS] for level in gd.LEVELS])
    weights = weights[district.students["level"]]
    present = ~np.isnan(components)
    need = np.nansum(components * weights, axis=1) / np.where(present, weights, 0).sum(axis=1)
    percentile = (pd.Series(need).rank(method="min").to_numpy() - 1) / (len(need) - 1)
    school = read(folder, "students.csv")[["student_id"]].merge(current_enrollments(folder))["school_code"]
    by_school = pd.Series(percentile).groupby(school.to_numpy()).agg(["mean", "size"])
    between = (by_school["size"] * (by_school["mean"] - 0.5) ** 2).sum() / ((percentile - 0.5) ** 2).sum()
    assert 0.15 <= between <= 0.30, between
    assert by_school["mean"].max() - by_school["mean"].min() >= 0.4
    assert all(lowest_fifth(by_school["mean"], gd.EXAM_SCHOOLS))


def test_prior_performance_differs_between_schools_with_their_real_figures(default, real_profiles):
    folder, _ = default
    school = current_enrollments(folder).set_index("student_id")["school_code"]
    tests = read(folder, "assessments.csv")
    not_meeting = (tests["performance_level"] == "NM").groupby(tests["student_id"].map(school)).mean()
    marks = read(folder, "course_marks.csv")
    failing = (marks["final_mark"] == "F").groupby(marks["student_id"].map(school)).mean()
    real = real_profiles.reindex(not_meeting.index)
    real_ed = real["pct_economically_disadvantaged"].astype(float)
    assert np.corrcoef(real_ed, not_meeting)[0, 1] >= 0.75
    absence = 100 - real_profiles["attendance_rate"].astype(float).reindex(failing.index)
    assert np.corrcoef(absence, failing)[0, 1] >= 0.4
    assert not_meeting.quantile(0.9) - not_meeting.quantile(0.1) >= 0.2
    district_share = (tests["performance_level"] == "NM").mean()
    assert (not_meeting.loc[list(gd.EXAM_SCHOOLS)] < district_share / 2).all()


def test_sorting_and_immigration_parameters_are_documented():
    text = MODEL_DOC.read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([\w.]+)` \| ([\d.]+) \|", text, flags=re.MULTILINE))
    names = [
        "tract_sorting.economically_disadvantaged",
        "tract_sorting.english_learner",
        "exam_school_tract_tilt",
        "exam_school_distance_scale_km",
        "risk_weights.school",
        "school_risk_key.economically_disadvantaged",
        "school_risk_key.absence",
        "school_risk_clip",
        "exam_school_risk_shift",
        "foreign_born_share",
        "foreign_born_grade_factor.PK",
        "foreign_born_grade_factor.12",
        "foreign_born_logit.tract_foreign_born_z",
        "foreign_born_logit.school_english_learner_z",
        "foreign_born_logit.family",
        "recent_immigrant_share_of_foreign_born",
        "recent_immigrant_logit.school_english_learner_z",
    ]
    for name in names:
        value = gd.PARAMETERS
        for part in name.split("."):
            value = value[part]
        assert name in rows and float(rows[name]) == value, name
    for code in gd.EXAM_SCHOOLS:
        assert code in text, code


# ---------------------------------------------------------------------------------------------
# Immigration follows the school's real English-learner share (default size)
# ---------------------------------------------------------------------------------------------
NEWCOMER_SCHOOL = "00350507"  # Boston International High School & Newcomers Academy, 86% EL


def immigration_frame(folder: Path) -> pd.DataFrame:
    """Per student (file order): current school, EL flag, foreign born and recent immigrant."""
    students = read(folder, "students.csv")
    school = current_enrollments(folder).set_index("student_id")["school_code"]
    foreign_born = students["country_of_birth"] != "USA"
    return pd.DataFrame(
        {
            "school_code": students["student_id"].map(school).to_numpy(),
            "english_learner": (students["english_learner"] == "Y").to_numpy(),
            "foreign_born": foreign_born.to_numpy(),
            "recent_immigrant": (foreign_born & (students["us_school_entry_date"] > "2021-10-01")).to_numpy(),
        }
    )


def test_foreign_birth_follows_the_real_english_learner_share_across_schools(default, real_profiles):
    folder, _ = default
    by_school = immigration_frame(folder).groupby("school_code")[["foreign_born", "recent_immigrant"]].mean()
    real_el = real_profiles["pct_english_learner"].astype(float).reindex(by_school.index)
    assert np.corrcoef(real_el, by_school["foreign_born"])[0, 1] >= 0.6
    assert np.corrcoef(real_el, by_school["recent_immigrant"])[0, 1] >= 0.6
    assert (by_school.loc[list(gd.EXAM_SCHOOLS), "foreign_born"] < by_school["foreign_born"].median()).all()


def test_newcomer_school_is_mostly_recent_immigrants(default):
    folder, _ = default
    frame = immigration_frame(folder)
    newcomers = frame[frame["school_code"] == NEWCOMER_SCHOOL]
    assert len(newcomers) > 300
    assert newcomers["foreign_born"].mean() >= 0.65
    assert newcomers["recent_immigrant"].mean() >= 0.5
    assert newcomers.loc[newcomers["english_learner"], "foreign_born"].mean() >= 0.8


def test_english_learners_in_high_el_schools_are_mostly_foreign_born(default, real_profiles):
    folder, _ = default
    frame = immigration_frame(folder)
    real_el = frame["school_code"].map(real_profiles["pct_english_learner"].astype(float))
    learners = frame[frame["english_learner"]]
    assert learners.loc[real_el[learners.index] >= 70, "foreign_born"].mean() >= 0.75
    assert learners.loc[real_el[learners.index] >= 50, "foreign_born"].mean() >= 0.5
    assert frame.loc[frame["foreign_born"], "english_learner"].mean() >= 0.8  # the key favors them


def test_immigration_district_shares_stay_calibrated(default):
    folder, _ = default
    frame = immigration_frame(folder)
    assert 0.15 <= frame["foreign_born"].mean() <= 0.17
    assert 0.42 <= frame.loc[frame["foreign_born"], "recent_immigrant"].mean() <= 0.48


def test_immigration_component_varies_between_schools(default):
    """The immigration component (from the files' flags, by the warehouse rules): a real part of
    its variance lies between schools (1.4% when it followed the home tract only)."""
    folder, _ = default
    frame = immigration_frame(folder)
    flags = frame[["foreign_born", "recent_immigrant"]].astype(float)
    definitions = [(name, "immigration", gd.MORE_NEED) for name in flags.columns]
    component = gd.compute_true_components(flags, definitions)["immigration"]
    school_mean = component.groupby(frame["school_code"]).transform("mean")
    between = ((school_mean - component.mean()) ** 2).sum() / ((component - component.mean()) ** 2).sum()
    assert 0.08 <= between <= 0.35, between


def test_recent_immigrant_intercept_gives_the_target_share_of_the_foreign_born():
    rng = np.random.default_rng(3)
    n = 20_000
    foreign_born = rng.random(n) < 0.2
    forced = rng.random(n) < 0.15
    school_el_z = rng.normal(size=n)
    probability = gd.recent_immigrant_probability(forced, foreign_born, school_el_z)
    expected = (foreign_born & forced).sum() + probability[foreign_born & ~forced].sum()
    target = gd.PARAMETERS["recent_immigrant_share_of_foreign_born"]
    assert abs(expected / foreign_born.sum() - target) < 1e-3
    free = foreign_born & ~forced
    slope = np.polyfit(school_el_z[free], np.log(probability[free] / (1 - probability[free])), 1)[0]
    assert abs(slope - gd.PARAMETERS["recent_immigrant_logit"]["school_english_learner_z"]) < 1e-9


# ---------------------------------------------------------------------------------------------
# Command line: existing output, manifest, data errors
# ---------------------------------------------------------------------------------------------
def test_existing_output_is_kept_unless_forced(small, tmp_path, capsys):
    folder, _ = small
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    with open(copy / "students.csv", "a", encoding="utf-8") as handle:
        handle.write("marker\n")
    assert gd.main(["--students", str(SMALL_N), "--output", str(copy)]) == 0
    assert "already" in capsys.readouterr().out
    assert (copy / "students.csv").read_text(encoding="utf-8").endswith("marker\n")
    assert gd.main(["--students", str(SMALL_N), "--output", str(copy), "--force"]) == 0
    assert digest(copy / "students.csv") == digest(folder / "students.csv")


def test_manifest_is_deterministic_and_describes_the_truth(small):
    folder, _ = small
    text = (folder / gd.MANIFEST_NAME).read_text(encoding="utf-8")
    manifest = json.loads(text)
    assert manifest["seed"] == gd.DEFAULT_SEED and manifest["n_students"] == SMALL_N
    assert manifest["true_need_weights"] == gd.TRUE_NEED_WEIGHTS
    assert manifest["outcome_model"]["sigma_school"] == gd.SIGMA_SCHOOL
    for name, rows in manifest["row_counts"].items():
        assert (folder / name).read_text(encoding="utf-8").count("\n") == rows + 1, name
    keys = re.findall(r'^  "(\w+)":', text, flags=re.MULTILINE)
    assert keys == sorted(keys) and not re.search(r"\d{2}:\d{2}:\d{2}", text)


def test_missing_seed_file_exits_2_naming_the_file(tmp_path):
    seeds = tmp_path / "seeds"
    shutil.copytree(PROJECT_ROOT / "seeds", seeds)
    (seeds / "reference/dese_schools.csv").unlink()
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--output", str(tmp_path / "out"), "--seeds-dir", str(seeds)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "dese_schools.csv" in result.stderr and "not found" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_missing_seed_column_exits_2_naming_file_and_column(tmp_path, capsys):
    seeds = tmp_path / "seeds"
    shutil.copytree(PROJECT_ROOT / "seeds", seeds)
    path = seeds / "reference/dese_school_profiles.csv"
    pd.read_csv(path, dtype=str).drop(columns="attendance_rate").to_csv(path, index=False)
    assert gd.main(["--output", str(tmp_path / "out"), "--seeds-dir", str(seeds)]) == 2
    error = capsys.readouterr().err
    assert "dese_school_profiles.csv" in error and "attendance_rate" in error

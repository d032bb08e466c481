"""Generate a synthetic school district in the format of docs/input_contract.md.

Student records are private, so the project runs on a synthetic district calibrated to public
Boston figures (the committed seeds under seeds/). The generative model, the "true model", is
described in docs/synthetic_district.md; every number it uses is a constant in this file.

    python scripts/generate_district.py                      # 46,094 students into data/district/
    python scripts/generate_district.py --students 500000 --seed 7 --output /tmp/d --force

The same seed and the same number of students give byte-identical files. Everything is
vectorized numpy/pandas: there is no loop over students.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT = PROJECT_ROOT / "data" / "district"
DEFAULT_SEEDS_DIR = PROJECT_ROOT / "seeds"
DEFAULT_SEED = 20241001

# ---------------------------------------------------------------------------------------------
# Calendar. Dates are held as int day numbers (days since 1970-01-01) until they are written.
# ---------------------------------------------------------------------------------------------
SCHOOL_YEAR = "2024-25"
PRIOR_SCHOOL_YEAR = "2023-24"
CURRENT_YEAR = 2024  # calendar year in which the current school year starts
SNAPSHOT_DATE = "2024-10-01"
RECENT_IMMIGRANT_CUTOFF = "2021-10-01"  # snapshot - 3 years: later US-school entry = recent
PRIOR_YEAR_LAST_DAY = "2024-06-20"
SPRING_TEST_MONTH_DAY = "05-01"  # a student is tested in a year when in the district by then
TRANSFER_WINDOW = ("2024-09-09", "2024-09-27")  # September transfers between schools


def day_number(iso_date: str) -> int:
    return int(np.datetime64(iso_date, "D").astype(np.int64))


SNAPSHOT = day_number(SNAPSHOT_DATE)
CUTOFF = day_number(RECENT_IMMIGRANT_CUTOFF)
PRIOR_LAST = day_number(PRIOR_YEAR_LAST_DAY)


def september_first(years: np.ndarray | int) -> np.ndarray:
    months = (np.asarray(years, dtype=np.int64) - 1970) * 12 + 8
    return months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def first_school_day(years: np.ndarray | int) -> np.ndarray:
    """First day of the school year starting in `years`: the Thursday after Labor Day (BPS)."""
    day = september_first(years)
    weekday = (day + 3) % 7  # Monday = 0; 1970-01-01 was a Thursday
    labor_day = day + (7 - weekday) % 7
    return labor_day + 3


PRIOR_FIRST = int(first_school_day(CURRENT_YEAR - 1))
CURRENT_FIRST = int(first_school_day(CURRENT_YEAR))

# ---------------------------------------------------------------------------------------------
# Grades, levels and the file contract (docs/input_contract.md).
# ---------------------------------------------------------------------------------------------
GRADES = ("PK", "K", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "SP")
GRADE_NUMBER = {"PK": -1, "K": 0, **{f"{g:02d}": g for g in range(1, 13)}}
LEVELS = ("elementary", "middle", "high")
LEVEL_GRADE_RANGE = {"elementary": (-1, 5), "middle": (6, 8), "high": (9, 12)}
SP_EQUIVALENT_GRADES = {"elementary": (1, 5), "middle": (6, 8), "high": (9, 12)}
TESTED_GRADES = (3, 4, 5, 6, 7, 8, 10)
SUBJECTS = ("ELA", "MATH")

FILE_COLUMNS: dict[str, tuple[str, ...]] = {
    "students.csv": (
        "student_id",
        "date_of_birth",
        "gender",
        "race_ethnicity",
        "economically_disadvantaged",
        "english_learner",
        "students_with_disabilities",
        "country_of_birth",
        "us_school_entry_date",
        "district_entry_date",
    ),
    "enrollments.csv": ("student_id", "school_year", "school_code", "grade", "entry_date", "exit_date"),
    "addresses.csv": (
        "student_id",
        "address_start_date",
        "address_end_date",
        "census_tract_geoid",
        "is_public_housing",
    ),
    "attendance.csv": ("student_id", "school_year", "school_code", "days_in_membership", "days_present"),
    "discipline_incidents.csv": (
        "incident_id",
        "student_id",
        "school_year",
        "incident_date",
        "action_code",
        "days_removed",
    ),
    "course_marks.csv": ("student_id", "school_year", "course_subject", "course_code", "final_mark"),
    "assessments.csv": (
        "student_id",
        "school_year",
        "test_grade",
        "subject",
        "scaled_score",
        "performance_level",
    ),
    "academic_outcomes.csv": ("student_id", "school_year", "outcome_score"),
}
MANIFEST_NAME = "generator_manifest.json"

# ---------------------------------------------------------------------------------------------
# The true model. A fixed copy of the default (active) component definitions: analysts editing
# seeds/config/component_definitions.csv must never change the truth.
# ---------------------------------------------------------------------------------------------
MORE_NEED, LESS_NEED = "higher_is_more_need", "higher_is_less_need"
TRUE_COMPONENT_DEFINITIONS: tuple[tuple[str, str, str], ...] = (
    ("tract_median_household_income", "neighborhood_socioeconomic", LESS_NEED),
    ("tract_share_adults_without_high_school", "neighborhood_socioeconomic", MORE_NEED),
    ("tract_share_adults_with_bachelors_or_more", "neighborhood_socioeconomic", LESS_NEED),
    ("tract_crime_rate_per_1000", "neighborhood_safety_disorder", MORE_NEED),
    ("tract_private_neglect", "neighborhood_safety_disorder", MORE_NEED),
    ("tract_public_denigration", "neighborhood_safety_disorder", MORE_NEED),
    ("economically_disadvantaged", "family_economic", MORE_NEED),
    ("lives_in_public_housing", "family_economic", MORE_NEED),
    ("residential_moves_past_year", "family_economic", MORE_NEED),
    ("foreign_born", "immigration", MORE_NEED),
    ("recent_immigrant", "immigration", MORE_NEED),
    ("prior_year_attendance_rate", "prior_performance", LESS_NEED),
    ("prior_year_suspensions", "prior_performance", MORE_NEED),
    ("prior_year_ela_course_failed", "prior_performance", MORE_NEED),
    ("prior_year_math_course_failed", "prior_performance", MORE_NEED),
    ("recent_ela_test_not_meeting", "prior_performance", MORE_NEED),
    ("recent_math_test_not_meeting", "prior_performance", MORE_NEED),
)
COMPONENTS = (
    "neighborhood_socioeconomic",
    "neighborhood_safety_disorder",
    "family_economic",
    "immigration",
    "prior_performance",
)
INDICATORS = tuple(row[0] for row in TRUE_COMPONENT_DEFINITIONS)
# Need weights per level (non-negative, sum to 1): prior performance matters more as students age.
TRUE_NEED_WEIGHTS: dict[str, dict[str, float]] = {
    "elementary": dict(zip(COMPONENTS, (0.25, 0.15, 0.30, 0.15, 0.15), strict=True)),
    "middle": dict(zip(COMPONENTS, (0.20, 0.15, 0.25, 0.10, 0.30), strict=True)),
    "high": dict(zip(COMPONENTS, (0.15, 0.10, 0.20, 0.10, 0.45), strict=True)),
}
OUTCOME_BETA = {"elementary": 1.0, "middle": 1.1, "high": 1.2}  # strength of need per level
OUTCOME_CENTER, OUTCOME_SCALE = 500.0, 20.0
SIGMA_SCHOOL = 0.25  # school effect u_school, independent of everything else
SIGMA_NOISE = 0.6  # student noise epsilon

# ---------------------------------------------------------------------------------------------
# Parameters of the latent student model (documented in docs/synthetic_district.md).
# ---------------------------------------------------------------------------------------------
# Exam schools admit by prior grades and test scores, citywide (Boston Latin Academy, Boston Latin
# School, O'Bryant School of Math & Science). Their students are higher achievers and come
# disproportionately from higher-income tracts: they get a wider catchment, a tilt toward
# lower-need tracts and a lower school component of academic risk.
EXAM_SCHOOLS = ("00350545", "00350560", "00350575")
PARAMETERS: dict[str, object] = {
    "distance_scale_km": {"elementary": 2.5, "middle": 3.5, "high": 6.0},
    "exam_school_distance_scale_km": 8.0,
    "tract_sorting": {"economically_disadvantaged": 0.2, "english_learner": 0.1},
    "exam_school_tract_tilt": 0.5,
    "family_tract_correlation": 0.6,
    "share_without_address": 0.01,
    "no_address_disadvantage_slope": 0.5,
    "share_not_geocoded": 0.005,
    "gender_shares": {"F": 0.49, "M": 0.507, "N": 0.003},
    "over_age_base": 0.03,
    "over_age_per_grade": 0.01,
    "started_in_prekindergarten": 0.4,
    "first_year_late_start": 0.3,
    "new_arrival_on_first_day": 0.6,
    "recent_arrival_on_first_day": 0.5,
    "moved_in_days_after_first_day": 180,
    # Foreign born: logit P = a + log(grade factor) + slopes x (tract foreign-born z, school EL z,
    # family); a is solved so that the expected district share is foreign_born_share.
    "foreign_born_share": 0.16,
    "foreign_born_grade_factor": {"PK": 0.4, "12": 1.6},  # odds factor, linear in the grade
    "foreign_born_logit": {"tract_foreign_born_z": 0.4, "school_english_learner_z": 1.0, "family": 0.3},
    # Recent arrival among the foreign born: logit P = b + slope x school EL z; b is solved so that
    # recent immigrants are this share of the foreign born (including the forced young ones).
    "recent_immigrant_share_of_foreign_born": 0.45,
    "recent_immigrant_logit": {"school_english_learner_z": 1.0},
    "recent_arrived_this_year": 0.55,
    "foreign_born_later_district_entry": 0.15,
    "us_born_new_arrival": 0.05,
    "us_born_moved_in_earlier": 0.15,
    "economic_rank_noise": 0.5,
    "english_learner_key": {
        "foreign_born": 2.5,
        "recent_immigrant": 1.5,
        "tract_foreign_born_z": 1.0,
        "family": 0.2,
        "noise": 1.0,
    },
    "disability_key": {"family": 0.3, "noise": 1.0},
    "public_housing_share": 0.10,
    "public_housing_log_bha_slope": 0.8,
    "public_housing_disadvantage_slope": 1.5,
    "mean_moves": 0.15,
    "moves_family_slope": 0.4,
    "moves_tract_recency_slope": 0.06,
    "max_moves": 4,
    "earlier_spell_same_tract": 0.5,
    "transfer_share": 0.01,
    "special_education_key_boost": 10.0,
    "special_education_over_age": 0.5,
    "risk_weights": {
        "family": 0.5,
        "economically_disadvantaged": 0.5,
        "recent_immigrant": 0.6,
        "students_with_disabilities": 0.5,
        "school": 0.25,
        "noise": 0.8,
    },
    "school_risk_key": {"economically_disadvantaged": 0.6, "absence": 0.4},
    "school_risk_clip": 2.5,
    "exam_school_risk_shift": 1.5,
    "absence_risk_slope": 1.0,
    "full_year_membership": [175, 180],
    "discipline_rank_noise": 0.7,
    "extra_suspensions_mean": 0.4,
    "days_removed_base_and_poisson_mean": {
        "ISS": [1, 0.3],
        "OSS": [1, 1.2],
        "EXP": [10, 20.0],
        "OTH": [1, 0.0],
    },
    "other_action_probability": 0.06,
    "expulsion_probability": 0.005,
    "course_fail_share": {"ELA": 0.10, "MATH": 0.12},
    "course_fail_risk_slope": 1.4,
    "mark_risk_slope": 0.8,
    "non_failing_mark_shares": {"A": 0.30, "B": 0.35, "C": 0.23, "D": 0.12},
    "test_score_mean": {"ELA": 479.0, "MATH": 476.0},
    "test_score_risk_slope": 14.0,
    "test_score_noise": 10.0,
}
COUNTRIES_OF_BIRTH = (
    ("DOM", 0.18),
    ("HTI", 0.14),
    ("CPV", 0.09),
    ("SLV", 0.09),
    ("GTM", 0.07),
    ("HND", 0.07),
    ("BRA", 0.07),
    ("CHN", 0.05),
    ("VNM", 0.04),
    ("COL", 0.04),
    ("VEN", 0.04),
    ("ECU", 0.03),
    ("JAM", 0.03),
    ("SOM", 0.02),
    ("NGA", 0.02),
    ("MEX", 0.02),
)
PERFORMANCE_BANDS = ((470, "NM"), (500, "PM"), (530, "M"), (10_000, "E"))  # upper bounds (exclusive)

# One independent random stream per stage, so changing one stage (e.g. race) leaves the others.
STREAMS = (
    "placement", "tracts", "family", "addresses", "race", "demographics", "immigration", "flags", "housing",
    "moves", "enrollments", "risk", "attendance", "discipline", "marks", "assessments", "outcome",
)  # fmt: skip
STREAM_KEYS = {name: key for key, name in enumerate(STREAMS, start=1)}  # append new stages at the end


def stream(seed: int, name: str) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(STREAM_KEYS[name],)))


class DistrictDataError(Exception):
    """A problem with the seed data: reported in one line, exit code 2."""


# =============================================================================================
# Seeds
# =============================================================================================
SEED_FILES: dict[str, tuple[str, tuple[str, ...]]] = {
    "enrollment": (
        "reference/dese_enrollment_by_grade.csv",
        ("school_year", "school_code", "grade", "students"),
    ),
    "schools": ("reference/dese_schools.csv", ("school_code", "latitude", "longitude")),
    "profiles": (
        "reference/dese_school_profiles.csv",
        (
            "school_code",
            "pct_economically_disadvantaged",
            "pct_english_learner",
            "pct_students_with_disabilities",
            "attendance_rate",
            "students_disciplined",
            "discipline_report_students",
            "pct_in_school_suspension",
            "pct_out_of_school_suspension",
        ),
    ),
    "race": (
        "reference/dese_school_race_ethnicity.csv",
        ("school_code", "race_ethnicity", "pct_of_enrollment"),
    ),
    "tracts": (
        "reference/census_tracts_2010.csv",
        (
            "tract_geoid",
            "acs_total_population",
            "acs_share_under_18",
            "acs_share_foreign_born",
            "acs_median_household_income",
            "acs_share_families_in_poverty",
            "acs_share_adults_less_than_high_school",
            "acs_share_adults_bachelors",
            "acs_share_adults_masters",
            "acs_share_adults_professional",
            "acs_share_adults_doctorate",
            "acs_median_year_moved_in",
            "centroid_longitude",
            "centroid_latitude",
        ),
    ),
    "disorder": (
        "reference/bari_block_group_disorder.csv",
        ("block_group_geoid", "private_neglect", "public_denigration"),
    ),
    "offenses": (
        "reference/bpd_offense_records_by_tract.csv",
        ("placement_status", "tract_geoid", "offense_code", "offense_records"),
    ),
    "offense_codes": ("reference/bpd_offense_codes.csv", ("offense_code", "offense_group")),
    "offense_groups": ("config/crime_offense_groups.csv", ("offense_group", "counts_toward_safety")),
    "housing": (
        "reference/subsidized_housing_by_tract.csv",
        ("owner_type", "placement_status", "tract_geoid", "addresses"),
    ),
}
NUMERIC_SEED_COLUMNS = {
    "enrollment": ("students",),
    "schools": ("latitude", "longitude"),
    "profiles": SEED_FILES["profiles"][1][1:],
    "race": ("pct_of_enrollment",),
    "tracts": SEED_FILES["tracts"][1][1:],
    "disorder": ("private_neglect", "public_denigration"),
    "offenses": ("offense_records",),
    "housing": ("addresses",),
}


def read_seed(seeds_dir: Path, name: str) -> pd.DataFrame:
    relative, required = SEED_FILES[name]
    path = seeds_dir / relative
    if not path.is_file():
        raise DistrictDataError(f"{path}: seed file not found")
    try:
        frame = pd.read_csv(path, dtype=str)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise DistrictDataError(f"{path}: cannot be read as CSV ({error})") from None
    missing = [column for column in required if column not in frame.columns]
    if missing:
        raise DistrictDataError(f"{path}: missing column(s) {', '.join(missing)}")
    for column in NUMERIC_SEED_COLUMNS.get(name, ()):
        values = pd.to_numeric(frame[column], errors="coerce")
        if (values.isna() & frame[column].notna()).any():
            raise DistrictDataError(f"{path}: column {column} has non-numeric values")
        frame[column] = values.astype(float)
    return frame


def load_seeds(seeds_dir: Path) -> dict[str, pd.DataFrame]:
    seeds = {name: read_seed(seeds_dir, name) for name in SEED_FILES}
    enrollment = seeds["enrollment"]
    path = seeds_dir / SEED_FILES["enrollment"][0]
    enrollment = enrollment[enrollment["school_year"] == SCHOOL_YEAR]
    if enrollment.empty or enrollment["students"].sum() <= 0:
        raise DistrictDataError(f"{path}: no {SCHOOL_YEAR} enrollment")
    unknown = sorted(set(enrollment["grade"]) - set(GRADES))
    if unknown:
        raise DistrictDataError(f"{path}: unknown grade(s) {', '.join(unknown)}")
    grade_order = enrollment["grade"].map({grade: i for i, grade in enumerate(GRADES)})
    seeds["enrollment"] = (
        enrollment.assign(grade_index=grade_order)
        .sort_values(["school_code", "grade_index"], kind="stable")
        .reset_index(drop=True)
    )
    return seeds


def weighted_fill(values: pd.Series, weights: pd.Series) -> tuple[pd.Series, list[str]]:
    """Fill empty cells with the weighted average of the others; return the filled labels."""
    known = values.notna() & (weights > 0)
    average = float(np.average(values[known], weights=weights[known])) if known.any() else np.nan
    return values.fillna(average), sorted(values.index[values.isna()].astype(str))


# =============================================================================================
# Reference tables: schools, tracts and the enrollment to reproduce
# =============================================================================================
@dataclass
class Reference:
    enrollment: pd.DataFrame  # school_code, grade, grade_index, students (sorted)
    schools: pd.DataFrame  # one row per school_code (sorted), calibration targets
    race_categories: list[str]
    race_shares: np.ndarray  # schools x race categories, rows sum to 1
    tracts: pd.DataFrame  # one row per tract_geoid (sorted), indicators and latent inputs
    fallbacks: dict[str, list[str]] = field(default_factory=dict)


def build_reference(seeds: dict[str, pd.DataFrame], seeds_dir: Path) -> Reference:
    schools, fallbacks = build_school_table(seeds, seeds_dir)
    categories, shares = build_race_shares(seeds["race"], schools.index, schools["students"], seeds_dir)
    tracts = build_tract_table(seeds, seeds_dir)
    return Reference(seeds["enrollment"], schools, categories, shares, tracts, fallbacks)


def build_school_table(seeds: dict[str, pd.DataFrame], seeds_dir: Path) -> tuple[pd.DataFrame, dict]:
    enrollment = seeds["enrollment"]
    codes = pd.Index(sorted(enrollment["school_code"].unique()), name="school_code")
    size = enrollment.groupby("school_code")["students"].sum().reindex(codes)
    schools = seeds["schools"].drop_duplicates("school_code").set_index("school_code").reindex(codes)
    no_location = codes[schools["latitude"].isna() | schools["longitude"].isna()]
    if len(no_location):
        path = seeds_dir / SEED_FILES["schools"][0]
        raise DistrictDataError(f"{path}: no location for school_code {no_location[0]}")
    profiles = seeds["profiles"].drop_duplicates("school_code").set_index("school_code").reindex(codes)
    table = pd.DataFrame(
        {"latitude": schools["latitude"], "longitude": schools["longitude"], "students": size}
    )
    report = profiles["discipline_report_students"]
    iss, oss = profiles["pct_in_school_suspension"], profiles["pct_out_of_school_suspension"]
    targets = {
        "pct_economically_disadvantaged": profiles["pct_economically_disadvantaged"],
        "pct_english_learner": profiles["pct_english_learner"],
        "pct_students_with_disabilities": profiles["pct_students_with_disabilities"],
        "attendance_rate": profiles["attendance_rate"],
        "discipline_share": profiles["students_disciplined"] / report.where(report > 0),
        "in_school_suspension_share": iss / (iss + oss).where((iss + oss) > 0),
    }
    fallbacks = {}
    for column, values in targets.items():
        table[column], filled = weighted_fill(values, size)
        if filled:
            fallbacks[column] = filled
    # Only reached when no school at all has the figure.
    defaults = {"in_school_suspension_share": 0.5, "discipline_share": 0.0, "attendance_rate": 90.0}
    table = table.fillna(defaults).fillna(0.0)
    return add_school_sorting_scores(table), fallbacks


def add_school_sorting_scores(schools: pd.DataFrame) -> pd.DataFrame:
    """School-level scores (enrollment-weighted z, so the average student has 0) from the real
    figures: socioeconomic need (ED share), EL share, and the school part of academic risk."""
    size = schools["students"]
    schools["exam_school"] = schools.index.isin(EXAM_SCHOOLS)
    schools["need_z"] = weighted_z(schools["pct_economically_disadvantaged"], size).fillna(0.0)
    schools["english_learner_z"] = weighted_z(schools["pct_english_learner"], size).fillna(0.0)
    absence = np.log(np.clip(100.0 - schools["attendance_rate"], 1.0, 99.0))  # log absence rate in %
    absence_z = weighted_z(absence, size).fillna(0.0)
    key = PARAMETERS["school_risk_key"]
    raw = key["economically_disadvantaged"] * schools["need_z"] + key["absence"] * absence_z
    clip = PARAMETERS["school_risk_clip"]
    risk = weighted_z(raw, size).fillna(0.0).clip(-clip, clip)
    schools["risk_z"] = risk - PARAMETERS["exam_school_risk_shift"] * schools["exam_school"]
    return schools


def build_race_shares(
    race: pd.DataFrame, codes: pd.Index, size: pd.Series, seeds_dir: Path
) -> tuple[list[str], np.ndarray]:
    categories = list(dict.fromkeys(race["race_ethnicity"].dropna()))
    shares = race.pivot_table(
        index="school_code", columns="race_ethnicity", values="pct_of_enrollment", aggfunc="sum"
    )
    shares = shares.reindex(index=codes, columns=categories).fillna(0.0)
    valid = (shares.sum(axis=1) > 0).to_numpy()
    if not valid.any():
        raise DistrictDataError(
            f"{seeds_dir / SEED_FILES['race'][0]}: no race/ethnicity shares for any school"
        )
    matrix = shares.to_numpy(dtype=float, copy=True)
    matrix[~valid] = np.average(matrix[valid], axis=0, weights=size.to_numpy()[valid])
    return categories, matrix / matrix.sum(axis=1, keepdims=True)


def build_tract_table(seeds: dict[str, pd.DataFrame], seeds_dir: Path) -> pd.DataFrame:
    tracts = seeds["tracts"].drop_duplicates("tract_geoid").set_index("tract_geoid").sort_index()
    table = pd.DataFrame({"latitude": tracts["centroid_latitude"], "longitude": tracts["centroid_longitude"]})
    table["child_population"] = (tracts["acs_total_population"] * tracts["acs_share_under_18"]).fillna(0.0)
    table["tract_median_household_income"] = tracts["acs_median_household_income"]
    table["tract_share_adults_without_high_school"] = tracts["acs_share_adults_less_than_high_school"]
    degrees = ["bachelors", "masters", "professional", "doctorate"]
    table["tract_share_adults_with_bachelors_or_more"] = sum(tracts[f"acs_share_adults_{d}"] for d in degrees)
    table["tract_crime_rate_per_1000"] = crime_rate(seeds, tracts["acs_total_population"])
    disorder = seeds["disorder"].assign(tract_geoid=seeds["disorder"]["block_group_geoid"].str[:11])
    means = disorder.groupby("tract_geoid")[["private_neglect", "public_denigration"]].mean()
    table["tract_private_neglect"] = means["private_neglect"].reindex(table.index)
    table["tract_public_denigration"] = means["public_denigration"].reindex(table.index)
    housing = seeds["housing"]
    bha = housing[(housing["owner_type"] == "public_housing_authority") & housing["tract_geoid"].notna()]
    table["bha_addresses"] = bha.groupby("tract_geoid")["addresses"].sum().reindex(table.index).fillna(0.0)
    weights = table["child_population"]
    if not (weights > 0).any():
        raise DistrictDataError(f"{seeds_dir / SEED_FILES['tracts'][0]}: no tract with a child population")
    table["need_score"] = tract_need_score(tracts, weights)
    share_foreign_born, _ = weighted_fill(tracts["acs_share_foreign_born"], weights)
    table["share_foreign_born"] = share_foreign_born.fillna(0.0)
    table["foreign_born_z"] = weighted_z(table["share_foreign_born"], weights).fillna(0.0)
    moved_in = tracts["acs_median_year_moved_in"]
    city_median = weighted_median(moved_in, weights) if moved_in.notna().any() else 2010.0
    table["moved_in_recency"] = moved_in.fillna(city_median) - city_median  # empty: city median
    return table


def crime_rate(seeds: dict[str, pd.DataFrame], population: pd.Series) -> pd.Series:
    groups = seeds["offense_groups"]
    is_counted = groups["counts_toward_safety"].str.strip().str.lower() == "true"
    counted = set(groups.loc[is_counted, "offense_group"])
    group_of_code = seeds["offense_codes"].drop_duplicates("offense_code").set_index("offense_code")
    offenses = seeds["offenses"]
    placed = offenses[(offenses["placement_status"] == "placed_in_tract") & offenses["tract_geoid"].notna()]
    placed = placed[placed["offense_code"].map(group_of_code["offense_group"]).isin(counted)]
    records = placed.groupby("tract_geoid")["offense_records"].sum().reindex(population.index).fillna(0.0)
    return (1000.0 * records / population).where(population >= 100)


def tract_need_score(tracts: pd.DataFrame, weights: pd.Series) -> pd.Series:
    """Socioeconomic need of a tract: mean z of poverty, -log income, adults without high school."""
    parts = [
        tracts["acs_share_families_in_poverty"],
        -np.log(tracts["acs_median_household_income"]),
        tracts["acs_share_adults_less_than_high_school"],
    ]
    score = pd.concat([weighted_z(part, weights) for part in parts], axis=1).mean(axis=1)
    return weighted_z(score.fillna(0.0), weights).fillna(0.0)


def weighted_z(values: pd.Series, weights: pd.Series) -> pd.Series:
    """z-score with child-population weights, so that the average student has 0 and sd 1."""
    known = values.notna() & (weights > 0)
    if not known.any():
        return values * 0.0
    mean = np.average(values[known], weights=weights[known])
    sd = np.sqrt(np.average((values[known] - mean) ** 2, weights=weights[known]))
    return (values - mean) / sd if sd > 0 else values * 0.0


def distance_km(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    """Equirectangular distance; accurate to well under 1% at city scale."""
    mean_lat = np.radians((lat1 + lat2) / 2)
    return np.hypot((lon2 - lon1) * 111.32 * np.cos(mean_lat), (lat2 - lat1) * 110.57)


# =============================================================================================
# Vectorized sampling helpers
# =============================================================================================
def scale_counts(counts: np.ndarray, n_students: int) -> np.ndarray:
    """Scale counts to sum exactly to n_students by largest remainders; ties go to earlier rows."""
    counts = np.asarray(counts, dtype=np.int64)
    total = int(counts.sum())
    scaled, remainder = np.divmod(counts * n_students, total)  # exact integer arithmetic
    short = n_students - int(scaled.sum())
    order = np.lexsort((np.arange(len(counts)), -remainder))
    scaled[order[:short]] += 1
    return scaled


def draw_categorical(rng: np.random.Generator, probabilities: np.ndarray, group: np.ndarray) -> np.ndarray:
    """One draw per row from the categorical distribution of its group (a row of probabilities)."""
    probabilities = np.asarray(probabilities, dtype=float)
    totals = probabilities.sum(axis=1, keepdims=True)
    cdf = np.cumsum(
        np.divide(probabilities, totals, where=totals > 0, out=np.ones_like(probabilities)), axis=1
    )
    cdf /= cdf[:, -1:]
    cdf[:, -1] = 1.0
    n_categories = cdf.shape[1]
    # Row g of the flattened table runs from g to g + 1, so one searchsorted serves every group.
    flat = (cdf + np.arange(len(cdf))[:, None]).ravel()
    position = np.searchsorted(flat, group + rng.random(len(group)), side="right")
    return np.minimum(position - group * n_categories, n_categories - 1)


def uniform_days(rng: np.random.Generator, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Uniform integer day in [low, high] (both inclusive; high < low gives low)."""
    span = np.maximum(np.asarray(high) - np.asarray(low), 0) + 1
    return np.asarray(low) + np.floor(rng.random(np.shape(span)) * span).astype(np.int64)


def round_half_up(values: np.ndarray) -> np.ndarray:
    return np.floor(np.asarray(values) + 0.5).astype(np.int64)


def sigmoid(values: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-values))


def top_share_within_groups(
    rng: np.random.Generator, group: np.ndarray, key: np.ndarray, share: np.ndarray, noise_sd: float
) -> np.ndarray:
    """Flag exactly round(share_g x n_g) rows of each group: those with the highest key + noise."""
    n_groups = len(share)
    size = np.bincount(group, minlength=n_groups)
    quota = round_half_up(np.asarray(share) * size)
    noisy = np.clip(key + noise_sd * rng.standard_normal(len(key)), -499.0, 499.0)
    order = np.argsort(group * 1000.0 - noisy, kind="stable")  # by group, then key descending
    start = np.cumsum(size) - size
    rank = np.arange(len(group)) - start[group[order]]
    flags = np.zeros(len(group), dtype=bool)
    flags[order] = rank < quota[group[order]]
    return flags


def solve_logit_intercept(x: np.ndarray, target_mean: float) -> float:
    """Intercept a with mean of sigmoid(a + x) equal to target_mean (bisection)."""
    values, inverse = np.unique(np.round(x, 3), return_inverse=True)  # compress: few distinct values
    counts = np.bincount(inverse, minlength=len(values))
    low, high = -30.0, 30.0
    for _ in range(60):
        middle = (low + high) / 2
        if np.dot(counts, sigmoid(middle + values)) / counts.sum() < target_mean:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def solve_group_intercepts(
    group: np.ndarray, x: np.ndarray, weights: np.ndarray, targets: np.ndarray, iterations: int = 40
) -> np.ndarray:
    """Per-group intercepts a_g with weighted mean of sigmoid(a_g + x) equal to targets[g]."""
    n_groups = len(targets)
    totals = np.bincount(group, weights=weights, minlength=n_groups)
    low, high = np.full(n_groups, -30.0), np.full(n_groups, 30.0)
    for _ in range(iterations):
        middle = (low + high) / 2
        mean = np.bincount(group, weights=weights * sigmoid(middle[group] + x), minlength=n_groups)
        below = mean < targets * totals
        low, high = np.where(below, middle, low), np.where(below, high, middle)
    return (low + high) / 2


def weighted_median(values: pd.Series, weights: pd.Series) -> float:
    known = values.notna() & (weights > 0)
    order = np.argsort(values[known].to_numpy(), kind="stable")
    sorted_values = values[known].to_numpy()[order]
    cumulative = np.cumsum(weights[known].to_numpy()[order])
    return float(sorted_values[np.searchsorted(cumulative, cumulative[-1] / 2)])


# =============================================================================================
# The students: placement, home, family and demographics
# =============================================================================================
Students = dict[str, np.ndarray]


def place_students(reference: Reference, n_students: int, rng: np.random.Generator) -> Students:
    """School and grade from the (scaled) real enrollment; ids follow school_code, grade order."""
    enrollment = reference.enrollment
    counts = scale_counts(enrollment["students"].to_numpy(), n_students)
    school_of_row = reference.schools.index.get_indexer(enrollment["school_code"])
    grade_of_row = enrollment["grade_index"].to_numpy()
    level_of_grade = np.array([grade_level(grade) for grade in GRADES])
    majority = np.zeros((len(reference.schools), len(LEVELS)))
    graded = level_of_grade[grade_of_row] >= 0
    np.add.at(
        majority,
        (school_of_row[graded], level_of_grade[grade_of_row][graded]),
        enrollment["students"][graded],
    )
    school, grade = np.repeat(school_of_row, counts), np.repeat(grade_of_row, counts)
    is_special = grade == GRADES.index("SP")
    level = np.where(is_special, majority.argmax(axis=1)[school], level_of_grade[grade])
    number_of_grade = np.array([GRADE_NUMBER.get(grade, 0) for grade in GRADES])
    sp_low, sp_high = np.array([SP_EQUIVALENT_GRADES[name] for name in LEVELS]).T
    equivalent = sp_low[level] + np.floor(rng.random(len(level)) * (sp_high - sp_low + 1)[level]).astype(int)
    grade_number = np.where(is_special, equivalent, number_of_grade[grade])
    return {
        "school": school,
        "grade": grade,
        "level": level,
        "grade_number": grade_number,
        "is_sp": is_special,
    }


def grade_level(grade: str) -> int:
    if grade == "SP":
        return -1
    number = GRADE_NUMBER[grade]
    return next(i for i, name in enumerate(LEVELS) if number <= LEVEL_GRADE_RANGE[name][1])


def home_tract_weights(reference: Reference) -> np.ndarray:
    """(schools x levels x tracts) unnormalized P(tract | school, level): child population x
    distance decay x socioeconomic sorting (families sort into schools that match their need)."""
    schools, tracts = reference.schools, reference.tracts
    distance = distance_km(
        schools["latitude"].to_numpy()[:, None],
        schools["longitude"].to_numpy()[:, None],
        tracts["latitude"].to_numpy()[None, :],
        tracts["longitude"].to_numpy()[None, :],
    )
    exam = schools["exam_school"].to_numpy()
    scale = np.array([PARAMETERS["distance_scale_km"][name] for name in LEVELS])
    scale = np.where(exam[:, None], PARAMETERS["exam_school_distance_scale_km"], scale[None, :])
    sorting = PARAMETERS["tract_sorting"]
    school_need, school_el = schools["need_z"].to_numpy(), schools["english_learner_z"].to_numpy()
    need, foreign_born = tracts["need_score"].to_numpy(), tracts["foreign_born_z"].to_numpy()
    match = (
        sorting["economically_disadvantaged"] * school_need[:, None] * need[None, :]
        + sorting["english_learner"] * school_el[:, None] * foreign_born[None, :]
        - PARAMETERS["exam_school_tract_tilt"] * exam[:, None] * need[None, :]
    )
    log_weight = match[:, None, :] - distance[:, None, :] / scale[:, :, None]
    log_weight -= log_weight.max(axis=2, keepdims=True)  # no overflow; the scale does not matter
    return tracts["child_population"].to_numpy() * np.exp(log_weight)


def draw_home_tracts(students: Students, reference: Reference, rng: np.random.Generator) -> np.ndarray:
    """Home tract: child population x exp(-distance / scale) x exp(sorting), wider catchment for
    older students and exam schools."""
    weight = home_tract_weights(reference)
    group = students["school"] * len(LEVELS) + students["level"]
    return draw_categorical(rng, weight.reshape(-1, len(reference.tracts)), group)


def draw_family(students: Students, reference: Reference, seed: int) -> None:
    """Latent family disadvantage f (sd 1), partly the tract's need; who has no usable address."""
    n = len(students["school"])
    rho = PARAMETERS["family_tract_correlation"]
    need = reference.tracts["need_score"].to_numpy()[students["tract"]]
    family = rho * need + np.sqrt(1 - rho**2) * stream(seed, "family").standard_normal(n)
    rng = stream(seed, "addresses")
    propensity = np.exp(PARAMETERS["no_address_disadvantage_slope"] * family)  # homelessness
    no_address = rng.random(n) < PARAMETERS["share_without_address"] * propensity / propensity.mean()
    not_geocoded = ~no_address & (rng.random(n) < PARAMETERS["share_not_geocoded"])
    students.update(family=family, no_address=no_address, not_geocoded=not_geocoded)


def assign_race(rng: np.random.Generator, school: np.ndarray, race_shares: np.ndarray) -> np.ndarray:
    """Race/ethnicity from the school's real shares. Nothing downstream reads it."""
    return draw_categorical(rng, race_shares, school)


def draw_demographics(students: Students, rng: np.random.Generator) -> None:
    """Gender, and a date of birth consistent with the grade (age 5 on September 1 in K)."""
    n = len(students["school"])
    shares = PARAMETERS["gender_shares"]
    gender = draw_categorical(rng, np.array([list(shares.values())]), np.zeros(n, dtype=np.int64))
    number = students["grade_number"]
    over_age_p = PARAMETERS["over_age_base"] + PARAMETERS["over_age_per_grade"] * np.maximum(number, 0)
    over_age_p = np.where(students["is_sp"], PARAMETERS["special_education_over_age"], over_age_p)
    over_age = rng.random(n) < over_age_p
    birth_season_year = CURRENT_YEAR - 6 - number - over_age  # born Sept 2 of it .. Sept 1 after
    september_second = september_first(birth_season_year) + 1
    students["gender"] = gender
    students["date_of_birth"] = september_second + rng.integers(0, 365, size=n)


# =============================================================================================
# Immigration and school history
# =============================================================================================
def draw_foreign_born(students: Students, reference: Reference, rng: np.random.Generator) -> None:
    """Born abroad, by a logit in the tract's foreign-born share, the school's real EL share
    (newcomer schools are mostly immigrants), the grade (older students more) and the family."""
    n = len(students["school"])
    school_el_z = reference.schools["english_learner_z"].to_numpy()[students["school"]]
    students["school_english_learner_z"] = school_el_z  # also drives recent arrival
    low, high = PARAMETERS["foreign_born_grade_factor"].values()
    grade_factor = low + (high - low) * (students["grade_number"] + 1) / 13
    slopes = PARAMETERS["foreign_born_logit"]
    x = (
        np.log(grade_factor)
        + slopes["tract_foreign_born_z"] * reference.tracts["foreign_born_z"].to_numpy()[students["tract"]]
        + slopes["school_english_learner_z"] * school_el_z
        + slopes["family"] * students["family"]
    )
    intercept = solve_logit_intercept(x, PARAMETERS["foreign_born_share"])
    foreign_born = rng.random(n) < sigmoid(intercept + x)
    country_shares = np.array([[share for _, share in COUNTRIES_OF_BIRTH]])
    abroad = 1 + draw_categorical(rng, country_shares, np.zeros(n, dtype=np.int64))
    students["country"] = np.where(foreign_born, abroad, 0)  # 0 = USA
    students["foreign_born"] = foreign_born


def draw_school_history(students: Students, rng: np.random.Generator) -> None:
    """First day in a US school and in this district (see docs/synthetic_district.md)."""
    n = len(students["school"])
    number = students["grade_number"]
    started_in_pk = (number == -1) | (
        (number >= 0) & (rng.random(n) < PARAMETERS["started_in_prekindergarten"])
    )
    first_year = CURRENT_YEAR - number - started_in_pk.astype(np.int64)
    earliest = first_school_day(first_year)
    late_start = (first_year == CURRENT_YEAR) & (rng.random(n) < PARAMETERS["first_year_late_start"])
    us_born_entry = earliest + np.where(late_start, uniform_days(rng, np.ones(n), 26), 0)
    district_us_born = us_born_district_entry(rng, number, first_year, us_born_entry)
    foreign_born = students["foreign_born"]
    us_entry, district_foreign = foreign_born_entries(
        rng, earliest, foreign_born, students["school_english_learner_z"]
    )
    students["us_school_entry"] = np.where(foreign_born, us_entry, us_born_entry)
    students["district_entry"] = np.where(foreign_born, district_foreign, district_us_born)


def start_of_this_year(rng: np.random.Generator, n: int, share_first_day: float) -> np.ndarray:
    """A day from the first school day of the current year up to the snapshot date."""
    later = uniform_days(rng, np.full(n, CURRENT_FIRST + 1), SNAPSHOT)
    return np.where(rng.random(n) < share_first_day, CURRENT_FIRST, later)


def us_born_district_entry(
    rng: np.random.Generator, number: np.ndarray, first_year: np.ndarray, us_entry: np.ndarray
) -> np.ndarray:
    n = len(number)
    new_arrival = (number >= 1) & (rng.random(n) < PARAMETERS["us_born_new_arrival"])
    can_move_earlier = first_year + 1 <= CURRENT_YEAR - 1
    moved_earlier = ~new_arrival & can_move_earlier & (rng.random(n) < PARAMETERS["us_born_moved_in_earlier"])
    move_year = first_year + 1 + np.floor(rng.random(n) * np.maximum(CURRENT_YEAR - 1 - first_year, 1))
    days_after = uniform_days(rng, np.zeros(n), PARAMETERS["moved_in_days_after_first_day"])
    moved_in = first_school_day(move_year.astype(np.int64)) + days_after
    this_year = start_of_this_year(rng, n, PARAMETERS["new_arrival_on_first_day"])
    return np.where(new_arrival, this_year, np.where(moved_earlier, moved_in, us_entry))


def foreign_born_entries(
    rng: np.random.Generator, earliest: np.ndarray, foreign_born: np.ndarray, school_el_z: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """US-school and district entry of foreign-born students (drawn for all, used for those)."""
    n = len(earliest)
    forced_recent = earliest > CUTOFF  # too young to have entered a US school before the cutoff
    recent = forced_recent | (
        rng.random(n) < recent_immigrant_probability(forced_recent, foreign_born, school_el_z)
    )
    this_year = recent & ((earliest > PRIOR_LAST) | (rng.random(n) < PARAMETERS["recent_arrived_this_year"]))
    recent_before = uniform_days(rng, np.maximum(CUTOFF + 1, earliest), np.full(n, PRIOR_LAST))
    long_ago = uniform_days(rng, earliest, np.full(n, CUTOFF))
    us_entry = np.where(
        this_year,
        start_of_this_year(rng, n, PARAMETERS["recent_arrival_on_first_day"]),
        np.where(recent, recent_before, long_ago),
    )
    later = rng.random(n) < PARAMETERS["foreign_born_later_district_entry"]
    district = np.where(later, uniform_days(rng, us_entry, np.full(n, SNAPSHOT)), us_entry)
    return us_entry, district


def recent_immigrant_probability(
    forced_recent: np.ndarray, foreign_born: np.ndarray, school_el_z: np.ndarray
) -> np.ndarray:
    """P(recent arrival) of the foreign born who could have arrived before the cutoff: a logit in
    the school's EL z, its intercept solved so that recent immigrants (these and the forced young
    ones) are the target share of the foreign born."""
    x = PARAMETERS["recent_immigrant_logit"]["school_english_learner_z"] * school_el_z
    free = foreign_born & ~forced_recent
    if not free.any():
        return sigmoid(x)
    target = PARAMETERS["recent_immigrant_share_of_foreign_born"] * foreign_born.sum()
    share_of_free = np.clip((target - (foreign_born & forced_recent).sum()) / free.sum(), 1e-6, 1 - 1e-6)
    return sigmoid(solve_logit_intercept(x[free], share_of_free) + x)


def draw_program_flags(students: Students, reference: Reference, rng: np.random.Generator) -> None:
    """Economic disadvantage, English learner, disability: exactly the school's real share, given
    to the students ranked highest on a latent key plus noise."""
    schools, school = reference.schools, students["school"]
    tract_fb_z = reference.tracts["foreign_born_z"].to_numpy()[students["tract"]]
    recent = students["foreign_born"] & (students["us_school_entry"] > CUTOFF)
    el = PARAMETERS["english_learner_key"]
    swd = PARAMETERS["disability_key"]
    keys = {
        "economically_disadvantaged": (students["family"], PARAMETERS["economic_rank_noise"]),
        "english_learner": (
            el["foreign_born"] * students["foreign_born"]
            + el["recent_immigrant"] * recent
            + el["tract_foreign_born_z"] * tract_fb_z
            + el["family"] * students["family"],
            el["noise"],
        ),
        "students_with_disabilities": (
            swd["family"] * students["family"]
            + PARAMETERS["special_education_key_boost"] * students["is_sp"],
            swd["noise"],
        ),
    }
    for flag, (key, noise_sd) in keys.items():
        share = schools[f"pct_{flag}"].to_numpy() / 100
        students[flag] = top_share_within_groups(rng, school, key, share, noise_sd)
    students["recent_immigrant"] = recent


def draw_public_housing(students: Students, reference: Reference, rng: np.random.Generator) -> None:
    """Public housing only in tracts with BHA addresses; more likely with more BHA addresses and
    for disadvantaged families; the intercept gives the target share of all students."""
    n = len(students["school"])
    bha = reference.tracts["bha_addresses"].to_numpy()[students["tract"]]
    eligible = ~students["no_address"] & ~students["not_geocoded"] & (bha > 0)
    x = (
        PARAMETERS["public_housing_log_bha_slope"] * np.log(np.maximum(bha, 1))
        + PARAMETERS["public_housing_disadvantage_slope"] * students["economically_disadvantaged"]
    )
    draw = rng.random(n)
    if not eligible.any():
        students["public_housing"] = np.zeros(n, dtype=bool)
        return
    target = min(PARAMETERS["public_housing_share"] * n / eligible.sum(), 0.95)
    intercept = solve_logit_intercept(x[eligible], target)
    students["public_housing"] = eligible & (draw < sigmoid(intercept + x))


def draw_moves(students: Students, reference: Reference, rng: np.random.Generator) -> None:
    """Residential moves in the past year: Poisson, rate up with f and with tract turnover."""
    recency = reference.tracts["moved_in_recency"].to_numpy()[students["tract"]]
    propensity = np.exp(
        PARAMETERS["moves_family_slope"] * students["family"]
        + PARAMETERS["moves_tract_recency_slope"] * recency
    )
    rate = PARAMETERS["mean_moves"] * propensity / propensity.mean()
    students["moves"] = np.minimum(rng.poisson(rate), PARAMETERS["max_moves"])


# =============================================================================================
# District files as arrays (students are 0-based row numbers; dates are day numbers, -1 = empty)
# =============================================================================================
Table = dict[str, np.ndarray]
EMPTY = -1


def spell_positions(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For rows repeated `counts` times: the owner's index and the row's position 0..count-1."""
    owner = np.repeat(np.arange(len(counts)), counts)
    position = np.arange(len(owner)) - np.repeat(np.cumsum(counts) - counts, counts)
    return owner, position


def build_addresses(students: Students, reference: Reference, rng: np.random.Generator) -> Table:
    """Address spells: k moves in the past year give k + 1 spells; only the last one is open."""
    who = np.flatnonzero(~students["no_address"])
    moves = students["moves"][who]
    owner, spell = spell_positions(moves + 1)
    student = who[owner]
    is_current = spell == moves[owner]
    # Move dates: sorted within the student, strictly increasing, 2..360 days before the snapshot.
    offset = rng.integers(0, 356, size=len(student))
    moving = spell >= 1
    ordered = np.sort(student[moving].astype(np.int64) * 1000 + offset[moving]) % 1000
    start = np.full(len(student), EMPTY, dtype=np.int64)
    start[moving] = SNAPSHOT - 360 + ordered + spell[moving] - 1
    first = np.flatnonzero(spell == 0)
    opening = students["district_entry"][student[first]] - rng.integers(0, 61, size=len(first))
    has_move = ~is_current[first]
    next_start = start[np.minimum(first + 1, len(start) - 1)]
    before_move = next_start - 1 - rng.integers(0, 201, size=len(first))
    opening = np.where(has_move, np.minimum(opening, before_move), opening)
    start[first] = np.maximum(opening, students["date_of_birth"][student[first]])
    end = np.full(len(student), EMPTY, dtype=np.int64)
    end[~is_current] = start[np.flatnonzero(~is_current) + 1] - 1
    home = np.where(students["not_geocoded"][student], EMPTY, students["tract"][student])
    child_population = reference.tracts["child_population"].to_numpy()[None, :]
    elsewhere = draw_categorical(rng, child_population, np.zeros(len(student), dtype=np.int64))
    same = rng.random(len(student)) < PARAMETERS["earlier_spell_same_tract"]
    earlier_tract = np.where(same, students["tract"][student], elsewhere)
    return {
        "student": student,
        "start": start,
        "end": end,
        "tract": np.where(is_current, home, earlier_tract),
        "public_housing": is_current & students["public_housing"][student],
    }


def build_enrollments(students: Students, reference: Reference, rng: np.random.Generator) -> Table:
    """One open spell per student; about 1% transferred in September from another school."""
    n = len(students["school"])
    school, grade = students["school"], students["grade"]
    offered = enrollment_offer_table(reference)
    n_offering = (offered >= 0).sum(axis=1)
    position_in_list = np.zeros((len(GRADES), len(reference.schools)), dtype=np.int64)
    rows, columns = np.nonzero(offered >= 0)
    position_in_list[rows, offered[rows, columns]] = columns
    own_position = position_in_list[grade, school]
    draw, pick = rng.random(n), rng.random(n)
    transfer = (
        (students["district_entry"] <= CURRENT_FIRST)
        & (n_offering[grade] >= 2)
        & (draw < PARAMETERS["transfer_share"])
    )
    index = np.floor(pick * np.maximum(n_offering[grade] - 1, 1)).astype(np.int64)
    index = index + (index >= own_position)
    other_school = offered[grade, np.minimum(index, offered.shape[1] - 1)]
    transfer_day = uniform_days(
        rng, np.full(n, day_number(TRANSFER_WINDOW[0])), day_number(TRANSFER_WINDOW[1])
    )
    current_entry = np.where(transfer, transfer_day, np.maximum(CURRENT_FIRST, students["district_entry"]))
    student, spell = spell_positions(1 + transfer.astype(np.int64))
    is_current = spell == transfer[student]
    return {
        "student": student,
        "school": np.where(is_current, school[student], other_school[student]),
        "grade": grade[student],
        "entry": np.where(is_current, current_entry[student], CURRENT_FIRST),
        "exit": np.where(is_current, EMPTY, transfer_day[student] - 1),
    }


def enrollment_offer_table(reference: Reference) -> np.ndarray:
    """grades x schools: the schools (sorted) that enroll each grade in the seed, padded with -1."""
    enrollment = reference.enrollment[reference.enrollment["students"] > 0]
    school = reference.schools.index.get_indexer(enrollment["school_code"])
    table = np.full((len(GRADES), len(reference.schools)), -1, dtype=np.int64)
    for grade_index in range(len(GRADES)):
        offering = np.unique(school[enrollment["grade_index"].to_numpy() == grade_index])
        table[grade_index, : len(offering)] = offering
    return table


def draw_risk(students: Students, reference: Reference, rng: np.random.Generator) -> None:
    """Latent academic risk r (standardized): drives every prior-performance record. Its school
    part follows the school's real ED share and absence rate (exam schools lower)."""
    weights = PARAMETERS["risk_weights"]
    school_risk = reference.schools["risk_z"].to_numpy()[students["school"]]
    raw = (
        weights["school"] * school_risk
        + weights["family"] * students["family"]
        + weights["economically_disadvantaged"] * students["economically_disadvantaged"]
        + weights["recent_immigrant"] * students["recent_immigrant"]
        + weights["students_with_disabilities"] * students["students_with_disabilities"]
        + weights["noise"] * rng.standard_normal(len(students["family"]))
    )
    students["risk"] = (raw - raw.mean()) / (raw.std() or 1.0)  # sd 0 only with a single student


def build_attendance(students: Students, reference: Reference, rng: np.random.Generator) -> Table:
    """Prior-year attendance for students in the district last year (not PK/K, not newcomers);
    absence rises with risk, calibrated per school to the real attendance rate."""
    in_prior = (students["grade_number"] >= 1) & (students["district_entry"] <= PRIOR_LAST)
    who = np.flatnonzero(in_prior)
    entry = students["district_entry"][who]
    low, high = PARAMETERS["full_year_membership"]
    full_year = rng.integers(low, high + 1, size=len(who))
    part_year = round_half_up(high * (PRIOR_LAST - entry) / (PRIOR_LAST - PRIOR_FIRST))
    membership = np.clip(np.where(entry <= PRIOR_FIRST, full_year, part_year), 1, high)
    school = students["school"][who]
    x = PARAMETERS["absence_risk_slope"] * students["risk"][who]
    target_absence = 1 - reference.schools["attendance_rate"].to_numpy() / 100
    intercept = solve_group_intercepts(school, x, membership.astype(float), target_absence)
    absence = sigmoid(intercept[school] + x)
    present = rng.binomial(membership, 1 - absence)
    return {"student": who, "school": school, "membership": membership, "present": present}


ACTION_CODES = ("ISS", "OSS", "EXP", "OTH")


def build_discipline(
    students: Students, reference: Reference, attendance: Table, rng: np.random.Generator
) -> Table:
    """Prior-year suspensions: the school's real share of students with a prior-year attendance
    row, those highest on risk + noise, get 1 + Poisson suspensions (ISS/OSS by the school's mix)."""
    schools = reference.schools
    who = attendance["student"]
    school = attendance["school"]
    share = schools["discipline_share"].to_numpy()
    disciplined = top_share_within_groups(
        rng, school, students["risk"][who], share, PARAMETERS["discipline_rank_noise"]
    )
    chosen = who[disciplined]
    n_chosen = len(chosen)
    suspensions = 1 + rng.poisson(PARAMETERS["extra_suspensions_mean"], size=n_chosen)
    other = (rng.random(n_chosen) < PARAMETERS["other_action_probability"]).astype(np.int64)
    expelled = (rng.random(n_chosen) < PARAMETERS["expulsion_probability"]).astype(np.int64)
    owner, position = spell_positions(suspensions + other + expelled)
    student = chosen[owner]
    in_school = (
        rng.random(len(student))
        < schools["in_school_suspension_share"].to_numpy()[students["school"][student]]
    )
    action = np.where(in_school, 0, 1)
    action = np.where(position >= suspensions[owner], 3, action)
    action = np.where(position >= suspensions[owner] + other[owner], 2, action)
    first_day = np.maximum(PRIOR_FIRST, students["district_entry"][student])
    date = uniform_days(rng, first_day, np.full(len(student), PRIOR_LAST))
    base, mean = np.array([PARAMETERS["days_removed_base_and_poisson_mean"][code] for code in ACTION_CODES]).T
    days_removed = base[action].astype(np.int64) + rng.poisson(mean[action])
    order = np.lexsort((action, date, student))
    return {
        "student": student[order],
        "date": date[order],
        "action": action[order],
        "days": days_removed[order],
    }


MARKS = ("A", "B", "C", "D", "F")


def build_course_marks(students: Students, attendance: Table, rng: np.random.Generator) -> Table:
    """One ELA and one MATH final mark for last year's grades 01-11; failing rises with risk."""
    who = attendance["student"][students["grade_number"][attendance["student"]] >= 2]
    risk = students["risk"][who]
    columns: dict[str, list[np.ndarray]] = {"student": [], "subject": [], "prior_grade": [], "mark": []}
    for subject_index, subject in enumerate(SUBJECTS):
        x = PARAMETERS["course_fail_risk_slope"] * risk
        intercept = solve_logit_intercept(x, PARAMETERS["course_fail_share"][subject])
        failed = rng.random(len(who)) < sigmoid(intercept + x)
        latent = -PARAMETERS["mark_risk_slope"] * risk + rng.standard_normal(len(who))
        mark = np.full(len(who), MARKS.index("F"))
        if (~failed).any():
            shares = np.array(list(PARAMETERS["non_failing_mark_shares"].values()))
            cuts = np.quantile(latent[~failed], 1 - np.cumsum(shares)[:-1])  # A above the 1st cut
            mark[~failed] = np.searchsorted(-cuts, -latent[~failed], side="right")
        for name, values in (
            ("student", who),
            ("subject", np.full(len(who), subject_index)),
            ("prior_grade", students["grade_number"][who] - 1),
            ("mark", mark),
        ):
            columns[name].append(values)
    table = {name: np.concatenate(parts) for name, parts in columns.items()}
    order = np.lexsort((table["subject"], table["student"]))
    return {name: values[order] for name, values in table.items()}


def build_assessments(students: Students, rng: np.random.Generator) -> Table:
    """State tests (grades 03-08 and 10, spring) of the last three school years in the district."""
    number, risk = students["grade_number"], students["risk"]
    parts: dict[str, list[np.ndarray]] = {"student": [], "year": [], "grade": [], "subject": [], "score": []}
    for years_back in (3, 2, 1):
        spring = spring_test_day(CURRENT_YEAR - years_back + 1)
        tested_grade = number - years_back
        took = np.isin(tested_grade, TESTED_GRADES) & (students["district_entry"] <= spring)
        who = np.flatnonzero(took)
        for subject_index, subject in enumerate(SUBJECTS):
            noise = PARAMETERS["test_score_noise"] * rng.standard_normal(len(who))
            mean = PARAMETERS["test_score_mean"][subject]
            score = np.clip(np.rint(mean - PARAMETERS["test_score_risk_slope"] * risk[who] + noise), 440, 560)
            for name, values in (
                ("student", who),
                ("year", np.full(len(who), CURRENT_YEAR - years_back)),
                ("grade", tested_grade[who]),
                ("subject", np.full(len(who), subject_index)),
                ("score", score.astype(np.int64)),
            ):
                parts[name].append(values)
    table = {name: np.concatenate(values) for name, values in parts.items()}
    bounds = np.array([bound for bound, _ in PERFORMANCE_BANDS])
    table["level"] = np.searchsorted(bounds, table["score"], side="right")  # index into PERFORMANCE_BANDS
    order = np.lexsort((table["subject"], table["year"], table["student"]))
    return {name: values[order] for name, values in table.items()}


def spring_test_day(calendar_year: int) -> int:
    return day_number(f"{calendar_year}-{SPRING_TEST_MONTH_DAY}")


# =============================================================================================
# Indicators (as the warehouse computes them from the files), components and the outcome
# =============================================================================================
TRACT_INDICATORS = INDICATORS[:6]


def compute_indicators(students: Students, reference: Reference, tables: dict[str, Table]) -> pd.DataFrame:
    """The 16 indicators per student, derived from the file tables by the docs' rules."""
    n = len(students["school"])
    addresses = tables["addresses"]
    current = addresses["end"] == EMPTY
    home = np.full(n, EMPTY, dtype=np.int64)
    home[addresses["student"][current]] = addresses["tract"][current]
    has_address = np.bincount(addresses["student"], minlength=n) > 0
    values: dict[str, np.ndarray] = {}
    for name in TRACT_INDICATORS:
        by_tract = np.append(reference.tracts[name].to_numpy(dtype=float), np.nan)  # last = no tract
        values[name] = by_tract[np.where(home >= 0, home, len(by_tract) - 1)]
    values["economically_disadvantaged"] = students["economically_disadvantaged"].astype(float)
    public_housing = np.zeros(n)
    public_housing[addresses["student"][current]] = addresses["public_housing"][current]
    values["lives_in_public_housing"] = np.where(has_address, public_housing, np.nan)
    in_window = (addresses["start"] > SNAPSHOT - 365) & (addresses["start"] <= SNAPSHOT)
    follows = np.r_[False, addresses["student"][1:] == addresses["student"][:-1]]  # rows sorted by date
    moves = np.bincount(addresses["student"][in_window & follows], minlength=n).astype(float)
    values["residential_moves_past_year"] = np.where(has_address, moves, np.nan)
    foreign_born = students["country"] != 0
    values["foreign_born"] = foreign_born.astype(float)
    values["recent_immigrant"] = (foreign_born & (students["us_school_entry"] > CUTOFF)).astype(float)
    values.update(prior_performance_indicators(n, tables))
    frame = pd.DataFrame({name: values[name] for name in INDICATORS})
    frame.index = pd.RangeIndex(1, n + 1, name="student_number")
    return frame


def prior_performance_indicators(n: int, tables: dict[str, Table]) -> dict[str, np.ndarray]:
    attendance, discipline = tables["attendance"], tables["discipline_incidents"]
    membership = np.bincount(attendance["student"], weights=attendance["membership"], minlength=n)
    present = np.bincount(attendance["student"], weights=attendance["present"], minlength=n)
    has_row = np.bincount(attendance["student"], minlength=n) > 0
    values = {"prior_year_attendance_rate": np.where(has_row, present / np.maximum(membership, 1), np.nan)}
    suspension = discipline["action"] <= ACTION_CODES.index("OSS")
    suspensions = np.bincount(discipline["student"][suspension], minlength=n).astype(float)
    values["prior_year_suspensions"] = np.where(has_row, suspensions, np.nan)
    marks = tables["course_marks"]
    for subject_index, subject in enumerate(SUBJECTS):
        rows = marks["subject"] == subject_index
        failed = np.bincount(
            marks["student"][rows], weights=marks["mark"][rows] == MARKS.index("F"), minlength=n
        )
        has_mark = np.bincount(marks["student"][rows], minlength=n) > 0
        values[f"prior_year_{subject.lower()}_course_failed"] = np.where(has_mark, (failed > 0) * 1.0, np.nan)
    values.update(recent_test_indicators(n, tables["assessments"]))
    return values


def recent_test_indicators(n: int, tests: Table) -> dict[str, np.ndarray]:
    """Per subject: 1 if the student's most recent test before this year was NM, NaN if none."""
    not_meeting = tests["level"] == [band for _, band in PERFORMANCE_BANDS].index("NM")
    order = np.lexsort((tests["year"], tests["subject"], tests["student"]))
    student, subject, not_meeting = tests["student"][order], tests["subject"][order], not_meeting[order]
    latest = np.r_[(student[1:] != student[:-1]) | (subject[1:] != subject[:-1]), True]
    values = {}
    for subject_index, subject_name in enumerate(SUBJECTS):
        last = latest & (subject == subject_index)
        result = np.full(n, np.nan)
        result[student[last]] = not_meeting[last]
        values[f"recent_{subject_name.lower()}_test_not_meeting"] = result
    return values


def definitions_frame(definitions: pd.DataFrame | Sequence[tuple[str, str, str]] | None) -> pd.DataFrame:
    """Accept the seed's component_definitions (active rows are kept) or (indicator, component,
    direction) tuples; default = the generator's fixed true definitions."""
    if definitions is None:
        definitions = TRUE_COMPONENT_DEFINITIONS
    if isinstance(definitions, pd.DataFrame):
        frame = definitions
        if "is_active" in frame.columns:
            frame = frame[frame["is_active"].astype(str).str.strip().str.lower() == "true"]
        return frame[["indicator_name", "component_name", "need_direction"]].reset_index(drop=True)
    return pd.DataFrame(list(definitions), columns=["indicator_name", "component_name", "need_direction"])


def standardize(values: np.ndarray) -> np.ndarray:
    """(x - mean) / sd (ddof=1) over the non-missing values; 0 when the sd is 0 or undefined."""
    known = ~np.isnan(values)
    result = np.full(len(values), np.nan)
    if known.sum() == 0:
        return result
    sd = values[known].std(ddof=1) if known.sum() > 1 else 0.0
    result[known] = (values[known] - values[known].mean()) / sd if sd > 0 else 0.0
    return result


def compute_true_components(
    indicators: pd.DataFrame, definitions: pd.DataFrame | Sequence[tuple[str, str, str]] | None = None
) -> pd.DataFrame:
    """Component scores exactly as the warehouse computes them.

    Per indicator (over the students with a value): orient so higher = more need, winsorize at
    the 1% and 99% quantiles (linear interpolation), z-score (ddof=1; 0 if the sd is 0). A
    component's raw score is the mean of the student's available z; the component score is the
    raw score standardized (ddof=1) over the students having it. Missing stays NaN.
    """
    frame = definitions_frame(definitions)
    sums: dict[str, np.ndarray] = {}
    counts: dict[str, np.ndarray] = {}
    for indicator, component, direction in frame.itertuples(index=False):
        oriented = indicators[indicator].to_numpy(dtype=float)
        if direction == LESS_NEED:
            oriented = -oriented
        known = ~np.isnan(oriented)
        if known.any():
            low, high = np.quantile(oriented[known], [0.01, 0.99])
            oriented = np.clip(oriented, low, high)
        z = standardize(oriented)
        sums[component] = sums.get(component, 0.0) + np.nan_to_num(z)
        counts[component] = counts.get(component, 0) + (~np.isnan(z))
    result = {}
    for component in sums:
        raw = np.where(counts[component] > 0, sums[component] / np.maximum(counts[component], 1), np.nan)
        result[component] = standardize(raw)
    return pd.DataFrame(result, index=indicators.index)


def outcome_scores(
    components: pd.DataFrame, level: np.ndarray, school: np.ndarray, n_schools: int, rng: np.random.Generator
) -> np.ndarray:
    """outcome = 500 + 20 (-beta_L sum_c w_Lc C_c + u_school + e); missing components count 0.
    Inputs are the components, the level and the school only (never race)."""
    weights = np.array([[TRUE_NEED_WEIGHTS[name][c] for c in COMPONENTS] for name in LEVELS])
    beta = np.array([OUTCOME_BETA[name] for name in LEVELS])
    scores = np.nan_to_num(components[list(COMPONENTS)].to_numpy())
    need = (scores * weights[level]).sum(axis=1)
    school_effect = rng.normal(0.0, SIGMA_SCHOOL, size=n_schools)
    noise = rng.normal(0.0, SIGMA_NOISE, size=len(level))
    return OUTCOME_CENTER + OUTCOME_SCALE * (-beta[level] * need + school_effect[school] + noise)


# =============================================================================================
# Writing: a small numpy CSV encoder (pandas.to_csv is too slow for millions of rows)
# =============================================================================================
@dataclass(frozen=True)
class CsvColumn:
    codes: np.ndarray  # per row: index into table
    table: np.ndarray  # (values, width) uint8, the encoded text of each distinct value
    lengths: np.ndarray  # (values,) bytes used in each table row


def csv_field(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\n\r') else text


def vocabulary_column(codes: np.ndarray, vocabulary: Sequence[str]) -> CsvColumn:
    encoded = [csv_field(value).encode("utf-8") for value in vocabulary]
    width = max(1, max(len(value) for value in encoded))
    table = np.zeros((len(encoded), width), dtype=np.uint8)
    for row, value in enumerate(encoded):
        table[row, : len(value)] = np.frombuffer(value, dtype=np.uint8)
    return CsvColumn(np.asarray(codes, dtype=np.int64), table, np.array([len(v) for v in encoded]))


def constant_column(n_rows: int, value: str) -> CsvColumn:
    return vocabulary_column(np.zeros(n_rows, dtype=np.int64), [value])


def integer_column(values: np.ndarray, missing: np.ndarray | None = None, tenths: bool = False) -> CsvColumn:
    """Integers (or tenths written with one decimal) through a vocabulary of their range."""
    values = np.asarray(values, dtype=np.int64)
    present = values if missing is None else values[~missing]
    low = int(present.min()) if len(present) else 0
    high = int(present.max()) if len(present) else 0
    numbers = range(low, high + 1)
    vocabulary = [
        f"{'-' if v < 0 else ''}{abs(v) // 10}.{abs(v) % 10}" if tenths else str(v) for v in numbers
    ]
    codes = values - low
    if missing is not None:
        codes = np.where(missing, len(vocabulary), codes)
    return vocabulary_column(codes, [*vocabulary, ""])


def date_column(days: np.ndarray) -> CsvColumn:
    """Day numbers as ISO dates; EMPTY gives an empty cell."""
    days = np.asarray(days, dtype=np.int64)
    missing = days == EMPTY
    present = days[~missing]
    low = int(present.min()) if len(present) else 0
    high = int(present.max()) if len(present) else 0
    vocabulary = list(np.datetime_as_string(np.arange(low, high + 1).astype("datetime64[D]")))
    return vocabulary_column(np.where(missing, len(vocabulary), days - low), [*vocabulary, ""])


def identifier_column(numbers: np.ndarray, prefix: str, width: int) -> CsvColumn:
    """prefix + zero-padded number, e.g. S00000001; the table is built with integer arithmetic."""
    numbers = np.asarray(numbers, dtype=np.int64)
    distinct, codes = np.unique(numbers, return_inverse=True)
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    digits = (distinct[:, None] // powers[None, :]) % 10 + ord("0")
    prefix_bytes = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    table = np.hstack([np.broadcast_to(prefix_bytes, (len(distinct), len(prefix_bytes))), digits]).astype(
        np.uint8
    )
    return CsvColumn(codes.ravel(), table, np.full(len(distinct), table.shape[1]))


def write_csv(
    path: Path, header: Sequence[str], columns: Sequence[CsvColumn], chunk_rows: int = 500_000
) -> int:
    """Write rows as bytes: each chunk is a (rows x width) byte matrix plus a mask of used bytes."""
    n_rows = len(columns[0].codes)
    width = sum(column.table.shape[1] + 1 for column in columns)
    separators = [ord(",")] * (len(columns) - 1) + [ord("\n")]
    used_bytes = [np.arange(column.table.shape[1]) < column.lengths[:, None] for column in columns]
    fixed_width = [bool(used.all()) for used in used_bytes]
    with open(path, "wb") as handle:
        handle.write((",".join(header) + "\n").encode("utf-8"))
        for start in range(0, n_rows, chunk_rows):
            stop = min(start + chunk_rows, n_rows)
            text = np.empty((stop - start, width), dtype=np.uint8)
            used = np.ones((stop - start, width), dtype=bool)
            position = 0
            for column, separator, used_table, fixed in zip(
                columns, separators, used_bytes, fixed_width, strict=True
            ):
                codes = column.codes[start:stop]
                end = position + column.table.shape[1]
                text[:, position:end] = np.take(column.table, codes, axis=0)  # take: faster than [codes]
                if not fixed:
                    used[:, position:end] = np.take(used_table, codes, axis=0)
                text[:, end] = separator
                position = end + 1
            handle.write((text if all(fixed_width) else text[used]).tobytes())
    return n_rows


def flag_column(flags: np.ndarray) -> CsvColumn:
    return vocabulary_column(np.asarray(flags, dtype=np.int64), ["N", "Y"])


def encode_files(district: GeneratedDistrict) -> dict[str, list[CsvColumn]]:
    """The eight district files as encoded columns, in the order of FILE_COLUMNS."""
    n = len(district.students["school"])
    ids = identifier_column(np.arange(1, n + 1), "S", 8)  # built once, shared by every file

    def student_id(rows: np.ndarray) -> CsvColumn:
        return CsvColumn(rows, ids.table, ids.lengths)

    return {
        "students.csv": encode_students(district, student_id),
        "enrollments.csv": encode_enrollments(district, student_id),
        "addresses.csv": encode_addresses(district, student_id),
        **encode_prior_year(district, student_id),
        "academic_outcomes.csv": [
            student_id(np.arange(n)),
            constant_column(n, SCHOOL_YEAR),
            integer_column(round_half_up(district.outcome * 10), tenths=True),
        ],
    }


def encode_students(district: GeneratedDistrict, student_id: Callable) -> list[CsvColumn]:
    students = district.students
    return [
        student_id(np.arange(len(students["school"]))),
        date_column(students["date_of_birth"]),
        vocabulary_column(students["gender"], list(PARAMETERS["gender_shares"])),
        vocabulary_column(students["race"], district.reference.race_categories),
        flag_column(students["economically_disadvantaged"]),
        flag_column(students["english_learner"]),
        flag_column(students["students_with_disabilities"]),
        vocabulary_column(students["country"], ["USA", *(code for code, _ in COUNTRIES_OF_BIRTH)]),
        date_column(students["us_school_entry"]),
        date_column(students["district_entry"]),
    ]


def encode_enrollments(district: GeneratedDistrict, student_id: Callable) -> list[CsvColumn]:
    enrollments = district.tables["enrollments"]
    return [
        student_id(enrollments["student"]),
        constant_column(len(enrollments["student"]), SCHOOL_YEAR),
        vocabulary_column(enrollments["school"], list(district.reference.schools.index)),
        vocabulary_column(enrollments["grade"], GRADES),
        date_column(enrollments["entry"]),
        date_column(enrollments["exit"]),
    ]


def encode_addresses(district: GeneratedDistrict, student_id: Callable) -> list[CsvColumn]:
    addresses, tracts = district.tables["addresses"], district.reference.tracts
    return [
        student_id(addresses["student"]),
        date_column(addresses["start"]),
        date_column(addresses["end"]),
        vocabulary_column(
            np.where(addresses["tract"] == EMPTY, len(tracts), addresses["tract"]), [*tracts.index, ""]
        ),
        flag_column(addresses["public_housing"]),
    ]


def encode_prior_year(district: GeneratedDistrict, student_id: Callable) -> dict[str, list[CsvColumn]]:
    tables = district.tables
    attendance, discipline = tables["attendance"], tables["discipline_incidents"]
    marks, tests = tables["course_marks"], tables["assessments"]
    n_incidents = len(discipline["student"])
    course_codes = [f"{'MTH' if s == 'MATH' else s}-{g:02d}" for s in SUBJECTS for g in range(13)]
    first_test_year = CURRENT_YEAR - 3
    test_years = [school_year_label(year) for year in range(first_test_year, CURRENT_YEAR)]
    return {
        "attendance.csv": [
            student_id(attendance["student"]),
            constant_column(len(attendance["student"]), PRIOR_SCHOOL_YEAR),
            vocabulary_column(attendance["school"], list(district.reference.schools.index)),
            integer_column(attendance["membership"]),
            integer_column(attendance["present"]),
        ],
        "discipline_incidents.csv": [
            identifier_column(np.arange(1, n_incidents + 1), "D", max(7, len(str(n_incidents)))),
            student_id(discipline["student"]),
            constant_column(n_incidents, PRIOR_SCHOOL_YEAR),
            date_column(discipline["date"]),
            vocabulary_column(discipline["action"], ACTION_CODES),
            integer_column(discipline["days"]),
        ],
        "course_marks.csv": [
            student_id(marks["student"]),
            constant_column(len(marks["student"]), PRIOR_SCHOOL_YEAR),
            vocabulary_column(marks["subject"], SUBJECTS),
            vocabulary_column(marks["subject"] * 13 + marks["prior_grade"], course_codes),
            vocabulary_column(marks["mark"], MARKS),
        ],
        "assessments.csv": [
            student_id(tests["student"]),
            vocabulary_column(tests["year"] - first_test_year, test_years),
            vocabulary_column(tests["grade"], [f"{g:02d}" for g in range(13)]),
            vocabulary_column(tests["subject"], SUBJECTS),
            integer_column(tests["score"]),
            vocabulary_column(tests["level"], [band for _, band in PERFORMANCE_BANDS]),
        ],
    }


def school_year_label(start_year: int) -> str:
    return f"{start_year}-{(start_year + 1) % 100:02d}"


# =============================================================================================
# Pipeline
# =============================================================================================
@dataclass
class GeneratedDistrict:
    seed: int
    reference: Reference
    students: Students
    tables: dict[str, Table]
    indicators: pd.DataFrame  # index student_number 1..N (student_id = S + 8 digits)
    components: pd.DataFrame
    outcome: np.ndarray


def generate(
    n_students: int | None = None,
    seed: int = DEFAULT_SEED,
    seeds_dir: Path = DEFAULT_SEEDS_DIR,
    progress: Callable[[str], None] = lambda step: None,
) -> GeneratedDistrict:
    """Build the whole district in memory (nothing is written); `progress` hears each step."""
    reference = build_reference(load_seeds(seeds_dir), seeds_dir)
    n = n_students or int(reference.enrollment["students"].sum())
    progress(f"placing {n:,} students in schools")
    students = place_students(reference, n, stream(seed, "placement"))
    progress("drawing home tracts, families and demographics")
    students["tract"] = draw_home_tracts(students, reference, stream(seed, "tracts"))
    draw_family(students, reference, seed)
    students["race"] = assign_race(stream(seed, "race"), students["school"], reference.race_shares)
    draw_demographics(students, stream(seed, "demographics"))
    immigration = stream(seed, "immigration")
    progress("drawing immigration, programs, housing and moves")
    draw_foreign_born(students, reference, immigration)
    draw_school_history(students, immigration)
    draw_program_flags(students, reference, stream(seed, "flags"))
    draw_public_housing(students, reference, stream(seed, "housing"))
    moves = stream(seed, "moves")
    draw_moves(students, reference, moves)
    progress("building addresses and enrollments")
    tables = {"addresses": build_addresses(students, reference, moves)}
    tables["enrollments"] = build_enrollments(students, reference, stream(seed, "enrollments"))
    progress("drawing attendance, discipline, course marks and tests")
    draw_risk(students, reference, stream(seed, "risk"))
    tables["attendance"] = build_attendance(students, reference, stream(seed, "attendance"))
    tables["discipline_incidents"] = build_discipline(
        students, reference, tables["attendance"], stream(seed, "discipline")
    )
    tables["course_marks"] = build_course_marks(students, tables["attendance"], stream(seed, "marks"))
    tables["assessments"] = build_assessments(students, stream(seed, "assessments"))
    progress("computing the true indicators and the outcome")
    indicators = compute_indicators(students, reference, tables)
    components = compute_true_components(indicators)
    outcome = outcome_scores(
        components, students["level"], students["school"], len(reference.schools), stream(seed, "outcome")
    )
    return GeneratedDistrict(seed, reference, students, tables, indicators, components, outcome)


def build_manifest(district: GeneratedDistrict, row_counts: dict[str, int]) -> dict:
    return {
        "generator": "scripts/generate_district.py",
        "seed": district.seed,
        "n_students": len(district.students["school"]),
        "snapshot_date": SNAPSHOT_DATE,
        "school_year": SCHOOL_YEAR,
        "prior_school_year": PRIOR_SCHOOL_YEAR,
        "true_component_definitions": [
            {"indicator_name": i, "component_name": c, "need_direction": d}
            for i, c, d in TRUE_COMPONENT_DEFINITIONS
        ],
        "true_need_weights": TRUE_NEED_WEIGHTS,
        "outcome_model": {
            "formula": "center + scale * (-beta[level] * sum_c weight[level][c] * C_c + u_school + e)",
            "center": OUTCOME_CENTER,
            "scale": OUTCOME_SCALE,
            "beta": OUTCOME_BETA,
            "sigma_school": SIGMA_SCHOOL,
            "sigma_noise": SIGMA_NOISE,
            "missing_component_contributes": 0,
        },
        "parameters": PARAMETERS,
        "exam_schools": list(EXAM_SCHOOLS),
        "countries_of_birth": dict(COUNTRIES_OF_BIRTH),
        "profile_fallbacks": district.reference.fallbacks,
        "row_counts": row_counts,
    }


def write_district(
    district: GeneratedDistrict, output: Path, progress: Callable[[str], None] = lambda step: None
) -> dict[str, int]:
    output.mkdir(parents=True, exist_ok=True)
    row_counts = {}
    for file_name, columns in encode_files(district).items():
        progress(f"writing {file_name}")
        row_counts[file_name] = write_csv(output / file_name, FILE_COLUMNS[file_name], columns)
    manifest = json.dumps(build_manifest(district, row_counts), sort_keys=True, indent=2) + "\n"
    (output / MANIFEST_NAME).write_text(manifest, encoding="utf-8")  # last: marks a complete folder
    return row_counts


def district_exists(output: Path) -> bool:
    return all((output / name).is_file() for name in [*FILE_COLUMNS, MANIFEST_NAME])


def holds_foreign_district_files(output: Path) -> bool:
    """District files that this generator did not write (no manifest): a real district's data."""
    has_files = any((output / name).is_file() for name in FILE_COLUMNS)
    return has_files and not (output / MANIFEST_NAME).is_file()


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Generate the synthetic district files (docs/input_contract.md)."
    )
    parser.add_argument("--students", type=int, default=None, help="number of students (default: real total)")
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})"
    )
    parser.add_argument(
        "--output", type=Path, default=DEFAULT_OUTPUT, help="output folder (default data/district)"
    )
    parser.add_argument("--force", action="store_true", help="regenerate even if the files exist")
    parser.add_argument(
        "--seeds-dir", type=Path, default=DEFAULT_SEEDS_DIR, help="folder with reference/ and config/"
    )
    args = parser.parse_args(argv)
    if args.students is not None and not 1 <= args.students <= 99_999_999:
        parser.error("--students must be between 1 and 99,999,999 (ids have 8 digits)")
    if args.seed < 0:
        parser.error("--seed must be non-negative")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if holds_foreign_district_files(args.output):
        print(
            f"generate_district: {args.output} holds district files that were not generated here "
            "(no generator_manifest.json); refusing to overwrite them. Choose another --output.",
            file=sys.stderr,
        )
        return 2
    if not args.force and district_exists(args.output):
        print(f"{args.output} already holds a generated district; not rewriting it (use --force).")
        return 0
    started = time.perf_counter()

    def progress(step: str) -> None:
        print(f"  [{time.perf_counter() - started:6.1f} s] {step}", flush=True)

    try:
        district = generate(args.students, args.seed, args.seeds_dir, progress)
        n_students = len(district.students["school"])
        print(f"generated {n_students:,} students (seed {args.seed}); writing {args.output}")
        row_counts = write_district(district, args.output, progress)
    except DistrictDataError as error:
        print(f"generate_district: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"generate_district: cannot write {args.output}: {error}", file=sys.stderr)
        return 1
    for file_name, rows in row_counts.items():
        print(f"  {file_name:<26} {rows:>12,} rows")
    print(f"done in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

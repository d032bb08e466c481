"""Derive the project's compact reference seeds from the raw public files in ../shared/data.

The raw files are never copied into the project. This script reads them, keeps only what the
index needs (Boston's 2010 tracts, BPS schools of 2024-25), places points (crime incidents,
housing addresses) into 2010 tract polygons, and writes small CSV seeds under seeds/reference/,
with the simplified tract boundaries for the report's map (GeoJSON).
Every raw record is accounted for: point files keep a placement status for the records that
could not be placed, so counts in the seeds add up to the raw row counts.

    python scripts/derive_reference_tables.py            # write seeds/reference/*.csv
    python scripts/derive_reference_tables.py --check    # compare with the committed seeds
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from shapely import STRtree, points
from shapely.geometry import mapping, shape

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"
DEFAULT_OUTPUT = PROJECT_ROOT / "seeds" / "reference"

SCHOOL_YEAR = "2024-25"
GRADE_COLUMNS = ["PK", "K", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "SP"]

# Three 2024-25 schools are missing from the geocoded DESE list; their buildings are in the
# Analyze Boston layer under BPS's internal school id (matched by name and address by hand).
ANALYZE_BOSTON_LOCATION_OVERRIDES = {
    "00350548": 1215,  # Boston Adult Tech Academy, 20 Church Street
    "00350184": 4311,  # Manning Elementary, 130 Louders Lane
    "00350255": 4592,  # Perry (K-8 in the layer; elementary in 2024-25), 745 E. Seventh Street
}

# Boston Police offense codes follow the old UCR numbering; groups by code range.
# Which groups count toward the safety indicator is configuration (seeds/config), not here.
OFFENSE_GROUP_RANGES = [
    (100, 199, "homicide"),
    (200, 299, "sexual_assault"),
    (300, 399, "robbery"),
    (400, 499, "aggravated_assault"),
    (500, 599, "burglary"),
    (600, 699, "larceny"),
    (700, 734, "motor_vehicle_theft"),
    (735, 799, "recovered_property"),
    (800, 899, "simple_assault"),
    (900, 999, "arson"),
    (1000, 1299, "fraud_and_financial"),
    (1300, 1399, "stolen_property"),
    (1400, 1499, "vandalism"),
    (1500, 1599, "weapons"),
    (1600, 1799, "sex_offenses_other"),
    (1800, 1830, "drugs"),
    (1831, 1832, "medical_assist"),
    (1833, 1899, "drugs"),
    (1900, 2099, "gambling_and_family"),
    (2100, 2299, "alcohol_and_driving_under_influence"),
    (2300, 2599, "public_order"),
    (2600, 2699, "other_offenses"),
    (2900, 2999, "motor_vehicle_violations"),
    (3000, 3099, "medical_and_death"),
    (3100, 3199, "police_service"),
    (3200, 3299, "lost_and_found_property"),
    (3300, 3399, "disputes_and_noise"),
    (3400, 3499, "towing_and_animals"),
    (3500, 3599, "missing_persons"),
    (3600, 3799, "hazards"),
    (3800, 3899, "motor_vehicle_accidents"),
]


class DerivationError(Exception):
    """A raw file is missing or does not look as SOURCES.md describes."""


@dataclass(frozen=True)
class TractPolygons:
    geoids: list[str]
    tree: STRtree

    def place(self, longitudes: pd.Series, latitudes: pd.Series) -> pd.Series:
        """Tract GEOID containing each point; NA where the point lies in no tract."""
        result = pd.Series(pd.NA, index=longitudes.index, dtype="string")
        located = longitudes.notna() & latitudes.notna()
        if not located.any():
            return result
        geoms = points(longitudes[located].to_numpy(), latitudes[located].to_numpy())
        point_idx, tract_idx = self.tree.query(geoms, predicate="intersects")
        matches = pd.DataFrame(
            {"row": longitudes[located].index[point_idx], "geoid": [self.geoids[i] for i in tract_idx]}
        )
        # A point on a shared boundary touches two tracts: take the lowest GEOID, deterministically.
        first = matches.sort_values(["row", "geoid"]).drop_duplicates("row")
        result.loc[first["row"].to_numpy()] = first["geoid"].to_numpy()
        return result


def _require(path: Path) -> Path:
    if not path.is_file():
        raise DerivationError(f"{path}: file not found (see shared/data/SOURCES.md)")
    return path


def _require_columns(frame: pd.DataFrame, columns: list[str], path: Path) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DerivationError(f"{path}: missing column(s) {', '.join(missing)}")


def _number(text: pd.Series) -> pd.Series:
    """DESE numbers: leading spaces and thousands separators; empty means suppressed."""
    cleaned = text.fillna("").astype(str).str.replace(",", "", regex=False).str.strip()
    return pd.to_numeric(cleaned.replace("", pd.NA), errors="raise")


def _school_name(dese_name: pd.Series) -> pd.Series:
    return dese_name.str.replace(r"^Boston\s*-\s*", "", regex=True).str.strip()


def load_tract_polygons(shared: Path) -> TractPolygons:
    path = _require(shared / "boundaries" / "boston_tracts_2010.geojson")
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    features = sorted(features, key=lambda f: f["properties"]["GEOID10"])
    geoids = [str(f["properties"]["GEOID10"]) for f in features]
    return TractPolygons(geoids=geoids, tree=STRtree([shape(f["geometry"]) for f in features]))


def derive_census_tracts(shared: Path) -> pd.DataFrame:
    """One row per Boston 2010 tract (BARI list) with ACS 2013-17 estimates and centroid."""
    bari_path = _require(shared / "acs_tract" / "Tracts_Boston_2010_BARI.csv")
    acs_path = _require(shared / "acs_tract" / "ACS_1317_TRACT.csv")
    bari = pd.read_csv(bari_path, dtype=str, encoding="utf-8-sig")
    acs = pd.read_csv(acs_path, dtype=str, encoding="utf-8-sig")
    _require_columns(bari, ["CT_ID_10", "Type", "Res", "BRA_PD", "ALAND10", "POP100"], bari_path)
    acs_columns = [
        "ct_id_10", "name", "total_pop", "age_u18", "for_born", "med_house_income", "fam_pov_per",
        "less_than_hs", "bach", "master", "prof", "doc", "med_yr_moved_inraw",
    ]  # fmt: skip
    _require_columns(acs, acs_columns, acs_path)

    tracts = bari.assign(
        tract_geoid=bari["CT_ID_10"].str.strip(),
        planning_district=bari["BRA_PD"].str.strip(),
        tract_type=bari["Type"].str.strip(),
        is_residential=pd.to_numeric(bari["Res"]).astype(int).astype(bool),
        land_area_sq_m=pd.to_numeric(bari["ALAND10"]).astype("int64"),
        census_2010_population=pd.to_numeric(bari["POP100"]).round().astype("int64"),
    )[["tract_geoid", "planning_district", "tract_type", "is_residential", "land_area_sq_m",
       "census_2010_population"]]  # fmt: skip
    if tracts["tract_geoid"].str.fullmatch(r"25025\d{6}").all() is False:
        raise DerivationError(f"{bari_path}: CT_ID_10 is not an 11-digit Suffolk GEOID")

    acs = acs[acs_columns].rename(
        columns={
            "ct_id_10": "tract_geoid",
            "name": "tract_name",
            "total_pop": "acs_total_population",
            "age_u18": "acs_share_under_18",
            "for_born": "acs_share_foreign_born",
            "med_house_income": "acs_median_household_income",
            "fam_pov_per": "acs_share_families_in_poverty",
            "less_than_hs": "acs_share_adults_less_than_high_school",
            "bach": "acs_share_adults_bachelors",
            "master": "acs_share_adults_masters",
            "prof": "acs_share_adults_professional",
            "doc": "acs_share_adults_doctorate",
            "med_yr_moved_inraw": "acs_median_year_moved_in",
        }
    )
    merged = tracts.merge(acs, on="tract_geoid", how="left", validate="one_to_one")
    if merged["tract_name"].isna().any():
        missing = ", ".join(merged.loc[merged["tract_name"].isna(), "tract_geoid"])
        raise DerivationError(f"{acs_path}: no ACS row for Boston tract(s) {missing}")
    merged["tract_name"] = merged["tract_name"].str.replace(
        r", Suffolk County, Massachusetts$", "", regex=True
    )
    numeric = [c for c in merged.columns if c.startswith("acs_")]
    for column in numeric:
        merged[column] = pd.to_numeric(merged[column])
    merged["acs_total_population"] = merged["acs_total_population"].astype("Int64")
    merged["acs_median_household_income"] = merged["acs_median_household_income"].astype("Int64")
    merged["acs_median_year_moved_in"] = merged["acs_median_year_moved_in"].astype("Int64")

    polygons = load_tract_polygons(shared)
    by_geoid = dict(zip(polygons.geoids, polygons.tree.geometries, strict=True))
    missing_polygons = sorted(set(merged["tract_geoid"]) - set(by_geoid))
    if missing_polygons:
        raise DerivationError(f"boundaries: no 2010 polygon for tract(s) {', '.join(missing_polygons)}")
    centroids = [by_geoid[g].centroid for g in merged["tract_geoid"]]
    merged["centroid_longitude"] = [round(c.x, 6) for c in centroids]
    merged["centroid_latitude"] = [round(c.y, 6) for c in centroids]
    return merged.sort_values("tract_geoid").reset_index(drop=True)


def derive_block_group_disorder(shared: Path) -> pd.DataFrame:
    """BARI 311 physical-disorder ecometrics per 2010 block group, pooled 2010-2014."""
    path = _require(shared / "ecometrics" / "CBG_Annual_and_Longitudinal_Measures.tsv")
    raw = pd.read_csv(path, sep="\t", dtype=str)
    _require_columns(raw, ["BG_ID_10", "PrivateNeglect_long", "PublicDenigration_long"], path)
    geoid = raw["BG_ID_10"].str.strip()
    # One row carries a spurious leading zero (13 characters): strip it (SOURCES.md).
    geoid = geoid.where(geoid.str.len() != 13, geoid.str.removeprefix("0"))
    if not geoid.str.fullmatch(r"\d{12}").all():
        bad = raw.loc[~geoid.str.fullmatch(r"\d{12}"), "BG_ID_10"].tolist()
        raise DerivationError(f"{path}: BG_ID_10 not a 12-digit block group id: {bad}")
    out = pd.DataFrame(
        {
            "block_group_geoid": geoid,
            "private_neglect": pd.to_numeric(raw["PrivateNeglect_long"]),
            "public_denigration": pd.to_numeric(raw["PublicDenigration_long"]),
        }
    )
    return out.sort_values("block_group_geoid").reset_index(drop=True)


def offense_group(code: int) -> str:
    for low, high, group in OFFENSE_GROUP_RANGES:
        if low <= code <= high:
            return group
    return "unclassified"


def derive_offense_codes(shared: Path, incidents: pd.DataFrame) -> pd.DataFrame:
    """Boston Police offense codes with their group; codes seen only in incidents included."""
    path = _require(shared / "crime" / "rmsoffensecodes.xlsx")
    lookup = pd.read_excel(path, dtype=str)
    _require_columns(lookup, ["CODE", "NAME"], path)
    lookup = pd.DataFrame(
        {"offense_code": lookup["CODE"].str.strip().astype(int), "offense_name": lookup["NAME"].str.strip()}
    )
    # The lookup repeats a few codes; keep the first name in code order.
    lookup = lookup.sort_values(["offense_code", "offense_name"]).drop_duplicates("offense_code")
    seen = incidents[["offense_code", "offense_name"]].drop_duplicates("offense_code")
    extra = seen[~seen["offense_code"].isin(lookup["offense_code"])]
    codes = pd.concat([lookup, extra], ignore_index=True)
    codes["offense_group"] = codes["offense_code"].map(offense_group)
    codes["offense_code"] = codes["offense_code"].astype(str)
    return codes.sort_values("offense_code", key=lambda s: s.astype(int)).reset_index(drop=True)


def load_crime_incidents(shared: Path) -> tuple[pd.DataFrame, Path]:
    path = _require(shared / "crime" / "crime_incident_reports_2023_q1_sample.csv")
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    _require_columns(raw, ["OFFENSE_CODE", "OFFENSE_DESCRIPTION", "Lat", "Long"], path)
    incidents = pd.DataFrame(
        {
            "offense_code": raw["OFFENSE_CODE"].str.strip().astype(int),
            "offense_name": raw["OFFENSE_DESCRIPTION"].str.strip(),
            "latitude": pd.to_numeric(raw["Lat"].replace("", pd.NA)),
            "longitude": pd.to_numeric(raw["Long"].replace("", pd.NA)),
        }
    )
    return incidents, path


def derive_crime_by_tract(incidents: pd.DataFrame, polygons: TractPolygons) -> pd.DataFrame:
    """Offense records per tract and code; unplaceable records kept with their status."""
    tract = polygons.place(incidents["longitude"], incidents["latitude"])
    has_coordinates = incidents["latitude"].notna() & incidents["longitude"].notna()
    status = pd.Series("placed_in_tract", index=incidents.index)
    status[~has_coordinates] = "no_coordinates"
    status[has_coordinates & tract.isna()] = "outside_boston_tracts"
    counted = pd.DataFrame(
        {
            "placement_status": status,
            "tract_geoid": tract.astype(object).where(tract.notna(), ""),
            "offense_code": incidents["offense_code"],
        }
    )
    out = counted.groupby(["placement_status", "tract_geoid", "offense_code"]).size()
    out = out.rename("offense_records").reset_index()
    out = out.sort_values(["placement_status", "tract_geoid", "offense_code"]).reset_index(drop=True)
    out["offense_code"] = out["offense_code"].astype(str)
    return out


def derive_subsidized_housing(shared: Path, polygons: TractPolygons) -> pd.DataFrame:
    """Subsidized housing addresses and developments per tract and owner type."""
    path = _require(shared / "housing" / "subsidized_housing_boston.geojson")
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    rows = []
    for feature in features:
        props = feature["properties"]
        coords = (feature.get("geometry") or {}).get("coordinates") or [None, None]
        rows.append(
            {
                "owner": (props.get("OWNER") or "").strip(),
                "development": (props.get("SUBSIDIZED") or "").strip(),
                "longitude": coords[0],
                "latitude": coords[1],
            }
        )
    frame = pd.DataFrame(rows)
    frame["longitude"] = pd.to_numeric(frame["longitude"])
    frame["latitude"] = pd.to_numeric(frame["latitude"])
    # BHA and BHA/Privt are Boston Housing Authority developments (public housing).
    frame["owner_type"] = frame["owner"].map(
        lambda o: "public_housing_authority" if o.startswith("BHA") else "other_subsidized"
    )
    tract = polygons.place(frame["longitude"], frame["latitude"])
    has_coordinates = frame["latitude"].notna() & frame["longitude"].notna()
    frame["placement_status"] = "placed_in_tract"
    frame.loc[~has_coordinates, "placement_status"] = "no_coordinates"
    frame.loc[has_coordinates & tract.isna(), "placement_status"] = "outside_boston_tracts"
    frame["tract_geoid"] = tract.astype(object).where(tract.notna(), "")
    out = (
        frame.groupby(["owner_type", "placement_status", "tract_geoid"])
        .agg(addresses=("owner", "size"), developments=("development", "nunique"))
        .reset_index()
        .sort_values(["owner_type", "placement_status", "tract_geoid"])
        .reset_index(drop=True)
    )
    return out


def _dese_year(path: Path, id_column: str) -> pd.DataFrame:
    raw = pd.read_csv(_require(path), dtype=str, keep_default_na=False)
    _require_columns(raw, ["Academic Year", id_column, "School Name"], path)
    year = raw[raw["Academic Year"] == SCHOOL_YEAR].copy()
    year["school_code"] = year[id_column].str.strip()
    if not year["school_code"].str.fullmatch(r"0035\d{4}").all():
        raise DerivationError(f"{path}: {id_column} is not an 8-digit Boston DESE code")
    if year["school_code"].duplicated().any():
        raise DerivationError(f"{path}: duplicate school codes in {SCHOOL_YEAR}")
    return year


def derive_enrollment_by_grade(shared: Path) -> pd.DataFrame:
    path = shared / "dese" / "dese_enrollment_by_grade_boston.csv"
    year = _dese_year(path, "School Code")
    _require_columns(year, GRADE_COLUMNS, path)
    long = year.melt(
        id_vars=["school_code"], value_vars=GRADE_COLUMNS, var_name="grade", value_name="students"
    )
    long["students"] = _number(long["students"]).astype("int64")
    long = long[long["students"] > 0]
    long["grade"] = long["grade"].map(lambda g: g.zfill(2) if g.isdigit() else g)
    order = {g.zfill(2) if g.isdigit() else g: i for i, g in enumerate(GRADE_COLUMNS)}
    long["school_year"] = SCHOOL_YEAR
    long = long.sort_values(["school_code", "grade"], key=lambda s: s.map(order) if s.name == "grade" else s)
    return long[["school_year", "school_code", "grade", "students"]].reset_index(drop=True)


def derive_schools(shared: Path) -> pd.DataFrame:
    """The 2024-25 BPS schools with name, address and location."""
    enrollment_path = shared / "dese" / "dese_enrollment_by_grade_boston.csv"
    year = _dese_year(enrollment_path, "School Code")
    schools = pd.DataFrame(
        {"school_code": year["school_code"], "school_name": _school_name(year["School Name"])}
    )

    geocoded_path = _require(shared / "schools" / "dese_schools_boston_geocoded.csv")
    geocoded = pd.read_csv(geocoded_path, dtype=str, keep_default_na=False)
    _require_columns(geocoded, ["Org Code", "Address 1", "Town", "Zip", "lat", "lon"], geocoded_path)
    geocoded = pd.DataFrame(
        {
            "school_code": geocoded["Org Code"].str.strip().str.zfill(8),
            "street_address": geocoded["Address 1"].str.strip(),
            "neighborhood": geocoded["Town"].str.strip(),
            "zip_code": geocoded["Zip"].str.strip().str.zfill(5),
            "latitude": pd.to_numeric(geocoded["lat"]),
            "longitude": pd.to_numeric(geocoded["lon"]),
            "location_source": "dese_profiles_geocoded",
        }
    ).drop_duplicates("school_code")

    layer_path = _require(shared / "schools" / "bps_public_schools_analyzeboston.geojson")
    layer = {}
    for feature in json.loads(layer_path.read_text(encoding="utf-8"))["features"]:
        props = feature["properties"]
        layer.setdefault(
            props["SCH_ID"],
            {
                "street_address": props["ADDRESS"].strip(),
                "neighborhood": props["CITY"].strip(),
                "zip_code": str(props["ZIPCODE"]).strip().zfill(5),
                "longitude": feature["geometry"]["coordinates"][0],
                "latitude": feature["geometry"]["coordinates"][1],
                "location_source": "analyze_boston_public_schools",
            },
        )
    overrides = pd.DataFrame(
        [{"school_code": code, **layer[sch_id]} for code, sch_id in ANALYZE_BOSTON_LOCATION_OVERRIDES.items()]
    )
    located = pd.concat([geocoded[~geocoded["school_code"].isin(overrides["school_code"])], overrides])
    out = schools.merge(located, on="school_code", how="left", validate="one_to_one")
    if out["latitude"].isna().any():
        missing = ", ".join(out.loc[out["latitude"].isna(), "school_code"])
        raise DerivationError(f"no location for 2024-25 school(s) {missing}")
    out["latitude"] = out["latitude"].round(6)
    out["longitude"] = out["longitude"].round(6)
    return out.sort_values("school_code").reset_index(drop=True)


def derive_school_profiles(shared: Path) -> pd.DataFrame:
    """2024-25 school-level calibration targets: selected populations, attendance, discipline."""
    dese = shared / "dese"
    size = _dese_year(dese / "dese_class_size_selected_populations_boston.csv", "DESE ID")
    attendance = _dese_year(dese / "dese_attendance_boston.csv", "DESE ID")
    suspended = _dese_year(dese / "dese_students_suspended_boston.csv", "DESE ID")
    profiles = pd.DataFrame(
        {
            "school_code": size["school_code"],
            "students_in_counted_classes": _number(size["Number of Students"]).astype("Int64"),
            "pct_economically_disadvantaged": _number(size["Economically Disadvantaged %"]),
            "pct_english_learner": _number(size["English Language Learner %"]),
            "pct_students_with_disabilities": _number(size["Students with Disabilities %"]),
        }
    )
    attendance = pd.DataFrame(
        {
            "school_code": attendance["school_code"],
            "attendance_rate": _number(attendance["Attendance Rate"]),
            "average_absences": _number(attendance["Average # of Absences"]),
            "pct_chronically_absent": _number(attendance["Chronically Absent (10% or more)"]),
        }
    )
    suspended = pd.DataFrame(
        {
            "school_code": suspended["school_code"],
            "discipline_report_students": _number(suspended["Students"]).astype("Int64"),
            "students_disciplined": _number(suspended["Students Disciplined"]).astype("Int64"),
            "pct_in_school_suspension": _number(suspended["% In-School Suspension"]),
            "pct_out_of_school_suspension": _number(suspended["% Out-of-School Suspension"]),
        }
    )
    out = profiles.merge(attendance, on="school_code", how="outer").merge(
        suspended, on="school_code", how="outer"
    )
    out.insert(1, "school_year", SCHOOL_YEAR)
    return out.sort_values("school_code").reset_index(drop=True)


def derive_school_race_ethnicity(shared: Path) -> pd.DataFrame:
    """2024-25 enrollment shares by race/ethnicity: generator input only, never an index input."""
    year = _dese_year(shared / "dese" / "dese_enrollment_by_race_gender_boston.csv", "DESE ID")
    groups = [
        "American Indian or Alaska Native", "Asian", "Black or African American", "Hispanic or Latino",
        "Multi-Race, Not Hispanic or Latino", "Native Hawaiian or Other Pacific Islander", "White",
    ]  # fmt: skip
    long = year.melt(id_vars=["school_code"], value_vars=groups, var_name="race_ethnicity", value_name="pct")
    long["pct_of_enrollment"] = _number(long["pct"])
    long.insert(1, "school_year", SCHOOL_YEAR)
    long = long.drop(columns="pct").sort_values(["school_code", "race_ethnicity"])
    return long.reset_index(drop=True)


def derive_validation_outcomes(shared: Path) -> pd.DataFrame:
    """Real school outcomes kept out of calibration, for validating the index later."""
    dese = shared / "dese"
    frames = []
    for file, column, measure in [
        ("dese_four_year_grad_boston.csv", "% Graduated", "pct_four_year_graduation"),
        ("dese_grade9_course_pass_boston.csv", "% Passing All Courses", "pct_grade9_passing_all_courses"),
        ("dese_retention_boston.csv", "% Retained", "pct_retained"),
    ]:
        year = _dese_year(dese / file, "DESE ID")
        frames.append(
            pd.DataFrame(
                {
                    "school_code": year["school_code"],
                    "school_year": SCHOOL_YEAR,
                    "measure": measure,
                    "value": _number(year[column]),
                }  # fmt: skip
            )
        )
    mcas_path = _require(dese / "dese_mcas_2017_gr3to8_boston.csv")
    mcas = pd.read_csv(mcas_path, dtype=str, keep_default_na=False)
    _require_columns(mcas, ["School Code", "Subject", "NM %", "Student Group"], mcas_path)
    mcas = mcas[mcas["Student Group"] == "ALL"]
    frames.append(
        pd.DataFrame(
            {
                "school_code": mcas["School Code"].str.strip().str.zfill(8),
                "school_year": "2016-17",
                "measure": "pct_mcas_not_meeting_" + mcas["Subject"].str.strip().str.lower(),
                "value": _number(mcas["NM %"]),
            }
        )
    )
    out = pd.concat(frames, ignore_index=True).dropna(subset=["value"])
    return out.sort_values(["school_code", "measure"]).reset_index(drop=True)


def derive_all(shared: Path) -> dict[str, pd.DataFrame]:
    polygons = load_tract_polygons(shared)
    incidents, _ = load_crime_incidents(shared)
    return {
        "census_tracts_2010": derive_census_tracts(shared),
        "bari_block_group_disorder": derive_block_group_disorder(shared),
        "bpd_offense_codes": derive_offense_codes(shared, incidents),
        "bpd_offense_records_by_tract": derive_crime_by_tract(incidents, polygons),
        "subsidized_housing_by_tract": derive_subsidized_housing(shared, polygons),
        "dese_schools": derive_schools(shared),
        "dese_enrollment_by_grade": derive_enrollment_by_grade(shared),
        "dese_school_profiles": derive_school_profiles(shared),
        "dese_school_race_ethnicity": derive_school_race_ethnicity(shared),
        "dese_school_validation_outcomes": derive_validation_outcomes(shared),
    }


def to_csv_text(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False, lineterminator="\n")


# About 5 m: invisible at the report's map scale, and a fifth of the raw file's size.
BOUNDARY_TOLERANCE_DEGREES = 0.00005
BOUNDARY_DECIMALS = 5


def _rounded(coordinates: object) -> object:
    if isinstance(coordinates, float | int):
        return round(float(coordinates), BOUNDARY_DECIMALS)
    return [_rounded(part) for part in coordinates]  # type: ignore[union-attr]


def derive_tract_boundaries(shared: Path) -> str:
    """The 2010 tract polygons for the report's map as GeoJSON (WGS84), simplified and rounded;
    one feature per line, sorted by GEOID, so a re-derivation gives the same bytes."""
    polygons = load_tract_polygons(shared)
    lines = []
    for geoid, geometry in zip(polygons.geoids, polygons.tree.geometries, strict=True):
        simple = mapping(geometry.simplify(BOUNDARY_TOLERANCE_DEGREES, preserve_topology=True))
        feature = {
            "type": "Feature",
            "properties": {"tract_geoid": geoid},
            "geometry": {"type": simple["type"], "coordinates": _rounded(simple["coordinates"])},
        }
        lines.append(json.dumps(feature, separators=(",", ":")))
    return '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"


def derived_files(shared: Path) -> dict[str, tuple[str, int]]:
    """File name -> (text, records) for every derived reference file."""
    files = {f"{name}.csv": (to_csv_text(frame), len(frame)) for name, frame in derive_all(shared).items()}
    boundaries = derive_tract_boundaries(shared)
    files["census_tract_boundaries_2010.geojson"] = (boundaries, boundaries.count('"Feature"'))
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--shared-data", type=Path, default=DEFAULT_SHARED_DATA, help="raw public data folder"
    )
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="folder for the derived seeds")
    parser.add_argument("--check", action="store_true", help="compare with the seeds on disk; write nothing")
    args = parser.parse_args(argv)

    try:
        files = derived_files(args.shared_data)
    except DerivationError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2

    differences = []
    args.output.mkdir(parents=True, exist_ok=True)
    for name, (text, records) in files.items():
        path = args.output / name
        if args.check:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                differences.append(path)
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(PROJECT_ROOT) if path.is_relative_to(PROJECT_ROOT) else path}"
                  f" ({records} records)")  # fmt: skip
    if differences:
        for path in differences:
            print(f"differs from a fresh derivation: {path}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

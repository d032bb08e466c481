"""The derived reference seeds: re-derivation matches the committed files; every record counted."""

from pathlib import Path

import pandas as pd
import pytest

import derive_reference_tables as derive

SHARED = derive.DEFAULT_SHARED_DATA
SEEDS = derive.DEFAULT_OUTPUT
needs_shared_data = pytest.mark.skipif(not SHARED.is_dir(), reason=f"{SHARED} not present")


@needs_shared_data
def test_committed_seeds_equal_a_fresh_derivation(tmp_path: Path) -> None:
    assert derive.main(["--shared-data", str(SHARED), "--output", str(tmp_path)]) == 0
    for fresh in sorted(tmp_path.iterdir()):
        committed = SEEDS / fresh.name
        assert committed.is_file(), f"{fresh.name} is derived but not committed"
        assert committed.read_bytes() == fresh.read_bytes(), f"{fresh.name} differs from a fresh derivation"


@needs_shared_data
def test_every_crime_record_is_placed_or_has_a_status() -> None:
    raw_rows = len(pd.read_csv(SHARED / "crime" / "crime_incident_reports_2023_q1_sample.csv", dtype=str))
    seed = pd.read_csv(SEEDS / "bpd_offense_records_by_tract.csv", dtype=str, keep_default_na=False)
    assert seed["offense_records"].astype(int).sum() == raw_rows
    unplaced = seed[seed["placement_status"] != "placed_in_tract"]
    assert (unplaced["tract_geoid"] == "").all()
    assert set(seed["placement_status"]) <= {"placed_in_tract", "no_coordinates", "outside_boston_tracts"}


@needs_shared_data
def test_every_housing_address_is_counted() -> None:
    import json

    features = json.loads((SHARED / "housing" / "subsidized_housing_boston.geojson").read_text())["features"]
    seed = pd.read_csv(SEEDS / "subsidized_housing_by_tract.csv", dtype=str, keep_default_na=False)
    assert seed["addresses"].astype(int).sum() == len(features)


def test_seed_identifiers_keep_their_width() -> None:
    tracts = pd.read_csv(SEEDS / "census_tracts_2010.csv", dtype=str)
    schools = pd.read_csv(SEEDS / "dese_schools.csv", dtype=str)
    block_groups = pd.read_csv(SEEDS / "bari_block_group_disorder.csv", dtype=str)
    assert len(tracts) == 178 and tracts["tract_geoid"].str.fullmatch(r"25025\d{6}").all()
    assert len(schools) == 108 and schools["school_code"].str.fullmatch(r"0035\d{4}").all()
    assert schools["zip_code"].str.fullmatch(r"0\d{4}").all()
    assert block_groups["block_group_geoid"].str.fullmatch(r"\d{12}").all()


def test_no_personal_contact_columns_in_seeds() -> None:
    for path in SEEDS.glob("*.csv"):
        header = path.read_text(encoding="utf-8").splitlines()[0].lower()
        for forbidden in ("contact", "phone", "fax", "email"):
            assert forbidden not in header, f"{path.name} has a {forbidden} column"


@pytest.mark.parametrize(
    ("code", "group"),
    [
        (111, "homicide"),
        (301, "robbery"),
        (423, "aggravated_assault"),
        (801, "simple_assault"),
        (613, "larceny"),
        (724, "motor_vehicle_theft"),
        (735, "recovered_property"),
        (1831, "medical_assist"),
        (1810, "drugs"),
        (3115, "police_service"),
        (9999, "unclassified"),
    ],  # fmt: skip
)
def test_offense_groups_by_code_range(code: int, group: str) -> None:
    assert derive.offense_group(code) == group


def test_missing_raw_file_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert derive.main(["--shared-data", str(tmp_path), "--output", str(tmp_path / "out")]) == 2
    error = capsys.readouterr().err
    assert "boston_tracts_2010.geojson: file not found" in error
    assert "Traceback" not in error


def test_points_on_no_polygon_are_left_unplaced() -> None:
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} not present")
    polygons = derive.load_tract_polygons(SHARED)
    # Boston City Hall, a point in the harbour, and a missing coordinate.
    placed = derive.TractPolygons.place(
        polygons, pd.Series([-71.0589, -70.80, None]), pd.Series([42.3603, 42.30, None])
    )
    assert placed.iloc[0] == "25025030300"
    assert pd.isna(placed.iloc[1]) and pd.isna(placed.iloc[2])

"""The whole job on a small messy district: the example files with the defects in tests/fixtures
appended (messy_district/ adds students, messy_reference/ adds two census tracts). Each planted
defect has an exact, documented outcome in the marts and the audit schema."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pandas as pd
import pytest

from load_helpers import EXAMPLE_DISTRICT, EXAMPLE_REFERENCE
from warehouse_helpers import PROJECT_ROOT, Warehouse, copy_project, run_pipeline

pytestmark = pytest.mark.dbt
FIXTURES = PROJECT_ROOT / "tests" / "fixtures"
SHELTERED_SCHOOL = "00350257"

# The planted students and why they have no usable home tract (S00000107-9, 111 and 112 have one).
NEIGHBORHOOD_STATUS = {
    "S00000101": "no_address_record",
    "S00000102": "shelter",  # written "Homeless Shelter"
    "S00000103": "po_box",  # written "PO Box"
    "S00000104": "outside_city",  # "Census Tract 3531, Middlesex County, Massachusetts"
    "S00000105": "tract_excluded",  # tract 9813: no residents
    "S00000106": "ungeocoded",  # empty tract
    "S00000107": "observed",  # "25025050101.0"
    "S00000108": "observed",
    "S00000109": "observed",
    "S00000110": "ungeocoded",  # "2.5025E+10": the digits are lost
    "S00000111": "observed",  # "101.03": tract 101.03 of the default county
    "S00000112": "observed",  # "Census Tract 813, Suffolk County, MA"
    "S00000113": "tract_not_in_reference",  # 25025160100: Chelsea, in Suffolk but not in the tract table
    "S00000114": "ungeocoded",  # "2502508130": a digit lost, not the leading zero
}


def overlay(source: Path, additions: Path, destination: Path) -> None:
    """Copy `source`, then append the records of each file in `additions` (same header) to it."""
    shutil.copytree(source, destination)
    for addition in sorted(additions.glob("*.csv")):
        header, *records = addition.read_text(encoding="utf-8").splitlines()
        target = destination / addition.name
        assert target.read_text(encoding="utf-8").splitlines()[0] == header, addition
        with target.open("a", encoding="utf-8") as handle:
            handle.write("".join(f"{record}\n" for record in records))


@pytest.fixture(scope="module")
def messy_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    root = tmp_path_factory.mktemp("messy_build")
    overlay(EXAMPLE_DISTRICT, FIXTURES / "messy_district", root / "district")
    overlay(EXAMPLE_REFERENCE, FIXTURES / "messy_reference", root / "reference")
    warehouse = Warehouse(
        copy_project(root / "project"), root / "district", root / "oi.duckdb", root / "reference"
    )
    output = run_pipeline(warehouse, "--skip-fit")
    assert "Opportunity Index summary" in output
    return warehouse


def test_every_enrolled_student_is_scored_and_neighborhood_imputations_are_flagged(
    messy_warehouse: Warehouse,
) -> None:
    students = messy_warehouse.query(
        """
        select student_id, school_code, neighborhood_status, neighborhood_imputed, home_tract_geoid,
            need_score, need_percentile
        from marts.fct_student_opportunity order by student_id
        """
    )
    assert len(students) == 26  # 12 example students + the 14 planted ones
    assert students["need_score"].notna().all() and students["need_percentile"].notna().all()
    planted = students[students["student_id"] >= "S00000101"].set_index("student_id")
    assert planted["neighborhood_status"].to_dict() == NEIGHBORHOOD_STATUS
    assert (planted["neighborhood_imputed"] == (planted["neighborhood_status"] != "observed")).all()
    tracts = planted["home_tract_geoid"]
    assert tracts.astype(object).where(tracts.notna(), None).to_dict() == {
        **{student: None for student, status in NEIGHBORHOOD_STATUS.items() if status != "observed"},
        "S00000107": "25025050101",
        "S00000108": "25025050200",
        "S00000109": "25025090400",
        "S00000111": "25025010103",
        "S00000112": "25025081300",
    }


def test_imputed_neighborhood_components_are_the_school_mean_of_observed_students(
    messy_warehouse: Warehouse,
) -> None:
    imputed = messy_warehouse.query(
        """
        select student_id, component_name, component_score, imputation_method, imputation_reason
        from intermediate.int_student_neighborhood_imputations
        where student_id >= 'S00000101' order by student_id, component_name
        """
    )
    expected_students = sorted(s for s, status in NEIGHBORHOOD_STATUS.items() if status != "observed")
    assert sorted(set(imputed["student_id"])) == expected_students
    assert set(imputed["component_name"]) == {"neighborhood_socioeconomic", "neighborhood_safety_disorder"}
    assert set(imputed["imputation_method"]) == {"school_mean"}
    reasons = dict(zip(imputed["student_id"], imputed["imputation_reason"], strict=False))
    assert reasons == {s: NEIGHBORHOOD_STATUS[s] for s in expected_students}
    observed_means = messy_warehouse.query(
        f"""
        select
            avg(neighborhood_socioeconomic_score) as neighborhood_socioeconomic,
            avg(neighborhood_safety_disorder_score) as neighborhood_safety_disorder
        from marts.fct_student_opportunity
        where school_code = '{SHELTERED_SCHOOL}' and not neighborhood_imputed
        """
    ).iloc[0]
    for row in imputed.itertuples():
        assert row.component_score == pytest.approx(observed_means[row.component_name], abs=1e-9)
    schools = messy_warehouse.query(
        "select school_code, neighborhood_imputed_students from marts.fct_school_opportunity"
    )
    counts = dict(zip(schools["school_code"], schools["neighborhood_imputed_students"], strict=True))
    # The nine planted ones and the example's ungeocoded S00000008; S00000011 (PO box) is at 00350530.
    assert counts == {"00350009": 0, SHELTERED_SCHOOL: 10, "00350530": 1}


def test_a_student_in_two_schools_counts_once_and_the_conflict_is_listed(messy_warehouse: Warehouse) -> None:
    conflicts = messy_warehouse.query(
        "select student_id, school_code, entry_date, is_counted from audit.audit_enrollment_conflicts"
        " order by school_code"
    )
    assert conflicts.astype(str).values.tolist() == [
        ["S00000107", "00350009", "2024-09-20", "True"],
        ["S00000107", "00350257", "2024-09-05", "False"],
    ]
    school = messy_warehouse.query(
        "select school_code from marts.fct_student_opportunity where student_id = 'S00000107'"
    )
    assert school["school_code"].tolist() == ["00350009"]


def test_duplicate_student_rows_are_quarantined_and_the_student_is_still_scored(
    messy_warehouse: Warehouse,
) -> None:
    quarantined = messy_warehouse.query(
        "select file_name, source_row, reason_codes from audit.audit_quarantined_records order by 1, 2"
    )
    assert quarantined.values.tolist() == [
        ["enrollments", 29, "invalid_date"],  # S00000115 entered on 2024-09-31
        ["students", 21, "duplicate_row"],  # S00000108 written twice, identically: the first is used
        ["students", 22, "conflicting_duplicate_key"],  # S00000109 written twice, differently
        ["students", 23, "conflicting_duplicate_key"],
    ]
    without_record = messy_warehouse.query("select * from audit.audit_students_without_student_record")
    assert without_record.drop(columns="quarantined_source_row").values.tolist() == [
        ["S00000109", SHELTERED_SCHOOL, "student_record_quarantined", "conflicting_duplicate_key"]
    ]
    scored = messy_warehouse.query(
        "select student_id, missing_components from marts.fct_student_opportunity"
        " where student_id in ('S00000108', 'S00000109') order by 1"
    )
    assert scored.values.tolist() == [
        ["S00000108", "prior_performance"],
        ["S00000109", "immigration, prior_performance"],  # country of birth unknown
    ]


def test_every_record_is_accounted_for(messy_warehouse: Warehouse) -> None:
    reconciliation = messy_warehouse.query(
        "select * from audit.audit_input_reconciliation order by file_name"
    )
    assert len(reconciliation) == 15
    assert (
        reconciliation["records_read"]
        == reconciliation["records_loaded"] + reconciliation["records_quarantined"]
    ).all()
    assert (reconciliation["records_loaded"] == reconciliation["records_in_staging"]).all()
    by_file = reconciliation.set_index("file_name")
    assert by_file.loc["students", ["records_read", "records_loaded", "records_quarantined"]].tolist() == [
        29,
        26,
        3,
    ]
    for folder, name in [
        (messy_warehouse.district, "enrollments"),
        (messy_warehouse.reference, "census_tracts_2010"),
    ]:
        lines = (folder / f"{name}.csv").read_text(encoding="utf-8").splitlines()
        assert by_file.loc[name, "records_read"] == len(lines) - 1


def test_records_of_students_not_enrolled_are_listed(messy_warehouse: Warehouse) -> None:
    listed = messy_warehouse.query(
        "select file_name, student_id, records, reason from audit.audit_records_of_students_not_enrolled"
        " order by file_name, student_id"
    )
    assert listed.values.tolist() == [
        # An address of an id that no enrollment carries: loaded, valid, unused, and listed.
        ["addresses", "S00000199", 1, "no_enrollment_record"],
        # A student whose only enrollment has an impossible entry date (2024-09-31, quarantined).
        ["students", "S00000115", 1, "enrollment_quarantined"],
    ]


def test_tracts_without_residents_are_excluded_and_census_values_keep_their_meaning(
    messy_warehouse: Warehouse,
) -> None:
    tracts = messy_warehouse.query(
        """
        select tract_geoid, is_excluded_from_statistics, exclusion_reason, median_household_income,
            median_household_income_censoring
        from marts.dim_tracts where tract_geoid in ('25025981300', '25025010103', '25025090300') order by 1
        """
    )
    assert tracts.astype(object).where(tracts.notna(), None).values.tolist() == [
        ["25025010103", False, None, 250000.0, "top"],  # written "250,000+", tract id as a label
        ["25025090300", True, "population_unknown", 41000.0, None],  # population -555555555
        ["25025981300", True, "no_population", None, None],  # -666666666: not computed
    ]
    components = messy_warehouse.query(
        "select neighborhood_socioeconomic_score, neighborhood_safety_disorder_score"
        " from marts.fct_tract_neighborhood_components where tract_geoid = '25025981300'"
    )
    assert components.isna().values.tolist() == [[True, True]]
    notes = messy_warehouse.query(
        "select column_name, raw_value, note, value_kept from audit.audit_value_notes"
        " where file_name = 'census_tracts_2010' and source_row = 6 order by column_name"
    )
    assert notes.values.tolist() == [
        ["acs_median_household_income", "250,000+", "top_coded", True],
        ["acs_median_year_moved_in", "-888888888", "acs_not_applicable", False],
        ["acs_share_families_in_poverty", "-", "acs_missing_symbol", False],
        ["tract_geoid", "Census Tract 101.03, Suffolk County, Massachusetts", "tract_from_label", True],
    ]


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_invalid_configuration_fails_naming_level_and_component_and_keeps_the_warehouse(
    messy_warehouse: Warehouse, tmp_path: Path
) -> None:
    project = copy_project(tmp_path / "project", messy_warehouse.project)
    weights_path = project / "seeds" / "config" / "component_weights.csv"
    weights = pd.read_csv(weights_path, dtype=str)
    weights.loc[
        (weights["school_level"] == "elementary") & (weights["component_name"] == "immigration"), "weight"
    ] = "0.040225"  # elementary now sums to 0.9
    weights.loc[
        (weights["school_level"] == "middle") & (weights["component_name"] == "immigration"), "weight"
    ] = "-0.081666"
    weights = weights[~((weights["school_level"] == "high") & (weights["component_name"] == "immigration"))]
    unknown = pd.DataFrame([["high", "neighbourhood_safety", "0.093311", "1"]], columns=weights.columns)
    weights = pd.concat([weights, unknown])
    weights.to_csv(weights_path, index=False, lineterminator="\n")  # fmt: skip
    definitions_path = project / "seeds" / "config" / "component_definitions.csv"
    definitions_path.write_text(
        definitions_path.read_text().replace("prior_year_suspensions,", "prior_year_suspension,", 1)
    )
    final = tmp_path / "oi.duckdb"
    shutil.copyfile(messy_warehouse.duckdb_path, final)
    before = file_digest(final)
    broken = Warehouse(project, messy_warehouse.district, final, messy_warehouse.reference)
    with pytest.raises(AssertionError) as failure:
        run_pipeline(broken, "--skip-fit")
    output = str(failure.value)
    assert "FAIL assert_component_weights_valid: 5 row(s)" in output
    for finding in [
        "school_level=elementary, component_name=(all components), reason=weights sum to 0.900000, not 1",
        "school_level=middle, component_name=immigration, reason=negative weight -0.081666",
        "school_level=middle, component_name=(all components), reason=weights sum to 0.836668, not 1",
        "school_level=high, component_name=immigration, reason=missing weight",
        "school_level=high, component_name=neighbourhood_safety, reason=unknown component",
        "FAIL assert_component_definitions_valid",
        "indicator_name=prior_year_suspension, component_name=prior_performance, reason=unknown indicator",
    ]:
        assert finding in output
    assert f"the warehouse {final} is unchanged" in output
    assert file_digest(final) == before
    assert (tmp_path / "oi.failed.duckdb").is_file()


def test_the_report_lists_the_tract_of_unknown_population_with_a_dash(messy_warehouse: Warehouse) -> None:
    html = (messy_warehouse.duckdb_path.parent / "report" / "map.html").read_text(encoding="utf-8")
    row = html[html.index("<td>25025090300</td>") :].split("</tr>")[0]
    assert ">–</span>" in row and "<td>population_unknown</td>" in row

"""Fund allocation marts: awards checked against exact fractions computed here from the school
OI, exact sums to the budget, eligibility at the threshold, and clear errors for bad parameters."""

from __future__ import annotations

import json
import shutil
import subprocess
from fractions import Fraction
from pathlib import Path

import pytest

from warehouse_helpers import BIN, Warehouse

pytestmark = pytest.mark.dbt


def dbt(warehouse: Warehouse, *arguments: str) -> subprocess.CompletedProcess[str]:
    command = [str(BIN / "dbt"), *arguments, "--project-dir", str(warehouse.project)]
    return subprocess.run(command, env=warehouse.env(), cwd=warehouse.project, capture_output=True, text=True)


def copy_of(warehouse: Warehouse, tmp_path: Path) -> Warehouse:
    """The same project and district on a copy of the built warehouse file."""
    copy = tmp_path / "copy.duckdb"
    shutil.copyfile(warehouse.duckdb_path, copy)
    return Warehouse(warehouse.project, warehouse.district, copy, warehouse.reference)


def rebuild_funds(warehouse: Warehouse, funds: list[dict]) -> subprocess.CompletedProcess[str]:
    return dbt(warehouse, "build", "--select", "int_fund_parameters+", "--vars", json.dumps({"funds": funds}))


def check_awards(warehouse: Warehouse) -> int:
    """Every fund's awards against exact shares computed here; returns the funds checked."""
    funds = warehouse.query("select * from marts.fct_funds order by fund_name")
    schools = warehouse.query(
        "select school_code, opportunity_index, enrolled_students from marts.fct_school_opportunity"
    )
    awards = warehouse.query("select * from marts.fct_school_fund_allocations")
    for fund in funds.itertuples():
        threshold = (
            None if fund.min_opportunity_index != fund.min_opportunity_index else fund.min_opportunity_index
        )
        fund_awards = awards[awards["fund_name"] == fund.fund_name].set_index("school_code")
        assert len(fund_awards) == len(schools)
        eligible = {
            school.school_code: school
            for school in schools.itertuples()
            if threshold is None or Fraction(str(school.opportunity_index)) >= Fraction(str(threshold))
        }
        weight = {
            code: Fraction(str(s.opportunity_index)) * s.enrolled_students for code, s in eligible.items()
        }
        need_budget = fund.budget_dollars - fund.base_dollars_per_pupil * sum(
            s.enrolled_students for s in eligible.values()
        )
        for code, award in fund_awards.iterrows():
            if code not in eligible:
                assert award["allocated_dollars"] == 0 and not award["is_eligible"], code
                continue
            exact = fund.base_dollars_per_pupil * eligible[code].enrolled_students + need_budget * weight[
                code
            ] / sum(weight.values())
            assert abs(award["allocated_dollars"] - exact) < 1, (fund.fund_name, code, exact)
        assert int(fund_awards["allocated_dollars"].sum()) == fund.budget_dollars
        assert fund.allocated_dollars == fund.budget_dollars and fund.unallocated_dollars == 0
        assert fund.eligible_schools == len(eligible)
        eligible_awards = fund_awards[fund_awards["is_eligible"]].sort_values("allocation_rank")
        assert list(eligible_awards["allocation_rank"]) == list(range(1, len(eligible) + 1))
        assert eligible_awards["allocated_dollars"].is_monotonic_decreasing
        assert fund.smallest_award == eligible_awards["allocated_dollars"].min()
        assert fund.largest_award == eligible_awards["allocated_dollars"].max()
    return len(funds)


def test_default_funds_sum_exactly_to_their_budgets(built_warehouse: Warehouse) -> None:
    funds = built_warehouse.query("select * from marts.fct_funds order by display_order")
    assert list(funds["fund_name"]) == ["partnership_fund", "need_weighted_fund"]
    partnership = funds.iloc[0]
    assert partnership["budget_dollars"] == 6_000_000 and float(partnership["min_opportunity_index"]) == 0.56
    assert check_awards(built_warehouse) == 2


def test_schools_just_under_the_threshold_are_flagged(built_warehouse: Warehouse) -> None:
    awards = built_warehouse.query(
        "select * from marts.fct_school_fund_allocations where fund_name = 'partnership_fund'"
    )
    distance = awards["opportunity_index"].astype(float) - 0.56
    expected = [
        "eligible" if d >= -1e-9 else ("just_below" if d >= -0.02 - 1e-9 else "not_eligible")
        for d in distance
    ]
    assert list(awards["eligibility_status"]) == expected
    assert (awards["distance_to_threshold"].astype(float).round(2) == distance.round(2)).all()


def test_other_parameters_still_sum_exactly_and_stay_deterministic(
    built_warehouse: Warehouse, tmp_path: Path
) -> None:
    edited = copy_of(built_warehouse, tmp_path)
    funds = [
        {"fund_name": "odd_budget", "budget_dollars": 1_000_003, "min_opportunity_index": 0.6},
        {"fund_name": "with_base", "budget_dollars": 7_777_777, "base_dollars_per_pupil": 37},
    ]
    result = rebuild_funds(edited, funds)
    assert result.returncode == 0, result.stdout[-3000:]
    assert check_awards(edited) == 2
    first = edited.query("select * from marts.fct_school_fund_allocations order by fund_name, school_code")
    assert rebuild_funds(edited, funds).returncode == 0
    second = edited.query("select * from marts.fct_school_fund_allocations order by fund_name, school_code")
    assert first.equals(second)


def test_a_base_larger_than_the_budget_fails_naming_the_fund(
    built_warehouse: Warehouse, tmp_path: Path
) -> None:
    edited = copy_of(built_warehouse, tmp_path)
    result = rebuild_funds(
        edited, [{"fund_name": "too_generous", "budget_dollars": 1000, "base_dollars_per_pupil": 5}]
    )
    assert result.returncode != 0
    assert "assert_fund_bases_fit_in_budget" in result.stdout
    failures = edited.query("select * from test_failures.assert_fund_bases_fit_in_budget")
    assert failures["fund_name"].tolist() == ["too_generous"]
    assert failures["reason"].iloc[0].startswith("base 5 dollars per pupil x ")
    assert failures["reason"].iloc[0].endswith("exceeds the budget of 1000")


def test_a_threshold_nobody_reaches_warns_and_allocates_nothing(
    built_warehouse: Warehouse, tmp_path: Path
) -> None:
    edited = copy_of(built_warehouse, tmp_path)
    result = rebuild_funds(
        edited, [{"fund_name": "unreachable", "budget_dollars": 500, "min_opportunity_index": 0.99}]
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert "assert_every_fund_has_an_eligible_school" in result.stdout and "WARN" in result.stdout
    fund = edited.query("select * from marts.fct_funds").iloc[0]
    assert (
        fund["eligible_schools"] == 0
        and fund["allocated_dollars"] == 0
        and fund["unallocated_dollars"] == 500
    )
    reason = edited.query("select reason from test_failures.assert_every_fund_has_an_eligible_school")[
        "reason"
    ]
    assert reason.iloc[0].startswith("no school has an OI of at least 0.99; the highest is 0.")


@pytest.mark.parametrize(
    ("funds", "message"),
    [
        ([{"fund_name": "f", "budget_dollars": "6M"}], "fund 1 (f): budget_dollars must be a whole number"),
        (
            [{"fund_name": "f", "budget_dollars": 10, "min_opportunity_index": 1.5}],
            "min_opportunity_index must be",
        ),
        (
            [{"fund_name": "f", "budget_dollars": 10, "base_dollars_per_pupil": -1}],
            "base_dollars_per_pupil must be",
        ),
        ([{"fund_name": "Bad Name", "budget_dollars": 10}], "fund_name must be lower-case"),
    ],
)
def test_malformed_fund_parameters_stop_the_build_naming_the_parameter(
    built_warehouse: Warehouse, funds: list[dict], message: str
) -> None:
    result = dbt(
        built_warehouse, "compile", "--select", "int_fund_parameters", "--vars", json.dumps({"funds": funds})
    )
    assert result.returncode != 0
    assert message in result.stdout, result.stdout[-2000:]

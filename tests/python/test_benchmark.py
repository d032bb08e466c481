"""The benchmark's floor query (benchmarks/floor_opportunity_index.sql) computes the same school OI
as the dbt models: checked on the session's built warehouse. A correctness test, not a timing one.
"""

from __future__ import annotations

import duckdb
import pytest

import benchmark
from warehouse_helpers import Warehouse

pytestmark = pytest.mark.dbt


def test_the_floor_query_gives_the_marts_school_index(built_warehouse: Warehouse) -> None:
    variables = benchmark.project_vars(built_warehouse.project)
    comparison, _ = benchmark.floor_check(built_warehouse.duckdb_path, variables)
    assert comparison["schools_compared"] == len(
        built_warehouse.query("select * from marts.fct_school_opportunity")
    )
    assert comparison["schools_only_here"] == [] and comparison["schools_only_in_mart"] == []
    assert comparison["max_abs_difference"] == {"opportunity_index": 0.0, "opportunity_index_unrounded": 0.0}
    assert benchmark.comparison_agrees(comparison)


def test_the_comparison_sees_a_school_that_differs(built_warehouse: Warehouse) -> None:
    variables = benchmark.project_vars(built_warehouse.project)
    with duckdb.connect(str(built_warehouse.duckdb_path), read_only=True) as connection:
        schools, _ = benchmark.run_floor(connection, variables)
        schools.loc[schools.index[0], "opportunity_index_unrounded"] += 1e-9
        comparison = benchmark.compare_with_mart(connection, schools.iloc[1:].copy())
        shifted = benchmark.compare_with_mart(connection, schools)
    assert comparison["schools_only_in_mart"] == [str(schools["school_code"].iloc[0])]
    assert not benchmark.comparison_agrees(comparison)
    assert shifted["schools_differing"]["opportunity_index_unrounded"] == 1
    assert shifted["max_abs_difference"]["opportunity_index_unrounded"] == pytest.approx(1e-9, rel=1e-3)
    assert not benchmark.comparison_agrees(shifted)

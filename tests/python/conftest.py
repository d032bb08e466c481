"""Shared fixtures: one district generated and built (build, fit, rebuild) per test session."""

from __future__ import annotations

import pytest

from warehouse_helpers import Warehouse, copy_project, run_pipeline

# Big enough for the weight fit to recover the generator's weights, small enough to build fast.
TEST_DISTRICT_STUDENTS = 20_000
TEST_DISTRICT_SEED = 7


@pytest.fixture(scope="session")
def built_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    root = tmp_path_factory.mktemp("built")
    warehouse = Warehouse(
        project=copy_project(root / "project"),
        district=root / "district",
        duckdb_path=root / "warehouse.duckdb",
    )
    output = run_pipeline(
        warehouse, "--students", str(TEST_DISTRICT_STUDENTS), "--seed", str(TEST_DISTRICT_SEED)
    )
    assert "Opportunity Index summary" in output
    return warehouse

"""Helpers for the tests that build a warehouse: project copies, dbt calls, mart snapshots.

Every build happens in a copy of the project under a temporary folder, so the fitted weights
written by a test never touch the committed seeds.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

PROJECT_ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
COPY_IGNORE = shutil.ignore_patterns(
    ".venv*", ".git", "data", "warehouse", "target", "logs", "__pycache__", ".pytest_cache", ".ruff_cache"
)
MART_KEYS = {
    "fct_student_opportunity": ["student_id"],
    "fct_school_opportunity": ["school_code"],
    "fct_school_component_profile": ["school_code", "component_name"],
    "fct_tract_neighborhood_components": ["tract_geoid"],
    "dim_schools": ["school_code"],
    "dim_tracts": ["tract_geoid"],
    "dim_component_weights": ["school_level", "component_name"],
    "fct_school_fund_allocations": ["fund_name", "school_code"],
    "fct_funds": ["fund_name"],
}


@dataclass(frozen=True)
class Warehouse:
    project: Path
    district: Path
    duckdb_path: Path
    reference: Path | None = None  # None: the project's own seeds/reference

    def env(self) -> dict[str, str]:
        environment = {key: value for key, value in os.environ.items() if key != "OI_REFERENCE_DIR"}
        if self.reference is not None:
            environment["OI_REFERENCE_DIR"] = str(self.reference)
        return {
            **environment,
            "OI_DISTRICT_DIR": str(self.district),
            "OI_DUCKDB_PATH": str(self.duckdb_path),
            "DBT_PROFILES_DIR": str(self.project),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
            "DBT_VERSION_CHECK": "False",
        }

    def query(self, sql: str) -> pd.DataFrame:
        with duckdb.connect(str(self.duckdb_path), read_only=True) as connection:
            return connection.sql(sql).df()


def copy_project(destination: Path, source: Path = PROJECT_ROOT) -> Path:
    shutil.copytree(source, destination, ignore=COPY_IGNORE)
    return destination


def run(command: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        raise AssertionError(
            f"{' '.join(command)} failed ({result.returncode})\n"
            f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
        )
    return result


def dbt_build(warehouse: Warehouse) -> None:
    """Validate and load the inputs into the warehouse file, then `dbt build` it."""
    loader = warehouse.project / "scripts" / "load_inputs.py"
    load = [
        sys.executable,
        str(loader),
        "--duckdb",
        str(warehouse.duckdb_path),
        "--district",
        str(warehouse.district),
    ]
    run(load, warehouse.env(), warehouse.project)
    command = [str(BIN / "dbt"), "build", "--project-dir", str(warehouse.project)]
    run(command, warehouse.env(), warehouse.project)


def run_pipeline(warehouse: Warehouse, *arguments: str) -> str:
    script = warehouse.project / "scripts" / "run_pipeline.py"
    return run([sys.executable, str(script), *arguments], warehouse.env(), warehouse.project).stdout


def mart_snapshot(warehouse: Warehouse) -> dict[str, pd.DataFrame]:
    """Every mart, sorted by its key, for exact comparison between builds."""
    snapshot = {}
    for table, keys in MART_KEYS.items():
        frame = warehouse.query(f"select * from marts.{table} order by {', '.join(keys)}")
        snapshot[table] = frame.reset_index(drop=True)
    return snapshot

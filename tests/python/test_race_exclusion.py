"""Race/ethnicity never reaches the index: checked on the dbt DAG and by changing the data.

1. From target/manifest.json: the models that carry a column tagged `protected_attribute` are
   found by following the DAG from the tagged source column (a model is a carrier when it reads a
   carrier and its compiled SQL uses the column or selects *). No carrier may be an ancestor of
   the composite or of the weight-fit inputs.
2. Behaviour: rotating every student's race in the raw file and rebuilding leaves every index
   value bit for bit unchanged.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from warehouse_helpers import BIN, Warehouse, dbt_build, mart_snapshot, run

pytestmark = pytest.mark.dbt
COMPOSITE_NODES = ["int_student_need_scores", "int_weight_fit_inputs"]


def protected_columns(manifest: dict) -> dict[str, set[str]]:
    """Source unique_id -> names of its columns tagged meta.protected_attribute."""
    found: dict[str, set[str]] = {}
    for unique_id, source in manifest["sources"].items():
        for name, column in source["columns"].items():
            if column.get("meta", {}).get("protected_attribute"):
                found.setdefault(unique_id, set()).add(name.lower())
    return found


def uses_column(compiled_sql: str, column: str) -> bool:
    return re.search(rf"\b{re.escape(column)}\b", compiled_sql, re.IGNORECASE) is not None or bool(
        re.search(r"select\s+(\w+\.)?\*", compiled_sql, re.IGNORECASE)
    )


def carriers(manifest: dict) -> set[str]:
    """Models whose output can hold a protected column, following the DAG from the sources."""
    protected = protected_columns(manifest)
    tainted: dict[str, set[str]] = dict(protected)
    changed = True
    while changed:
        changed = False
        for unique_id, node in manifest["nodes"].items():
            if node["resource_type"] != "model" or unique_id in tainted:
                continue
            inherited = set().union(*(tainted.get(p, set()) for p in node["depends_on"]["nodes"]))
            used = {c for c in inherited if uses_column(node.get("compiled_code") or "", c)}
            if used:
                tainted[unique_id] = used
                changed = True
    return {u for u in tainted if u.startswith("model.")}


def ancestors(manifest: dict, unique_ids: list[str]) -> set[str]:
    seen: set[str] = set()
    stack = list(unique_ids)
    while stack:
        current = stack.pop()
        for parent in manifest["parent_map"].get(current, []):
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return seen


def model_id(manifest: dict, name: str) -> str:
    return next(
        u for u, n in manifest["nodes"].items() if n["resource_type"] == "model" and n["name"] == name
    )


@pytest.fixture(scope="module")
def compiled_manifest(built_warehouse: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A manifest with every model compiled (a partial `dbt build` compiles only what it selects)."""
    target = tmp_path_factory.mktemp("compiled")
    command = [
        str(BIN / "dbt"),
        "compile",
        "--project-dir",
        str(built_warehouse.project),
        "--target-path",
        str(target),
    ]
    run(command, built_warehouse.env(), built_warehouse.project)
    return json.loads((target / "manifest.json").read_text())


def test_race_is_tagged_and_carried_only_where_expected(compiled_manifest: dict) -> None:
    manifest = compiled_manifest
    assert protected_columns(manifest) == {"source.opportunity_index.sis.students": {"race_ethnicity"}}
    carrier_names = {manifest["nodes"][u]["name"] for u in carriers(manifest)}
    # The check is live: it does find the models that carry race.
    assert "stg_sis__student_race_ethnicity" in carrier_names
    assert "fct_student_opportunity" in carrier_names
    assert "stg_sis__students" not in carrier_names


def test_no_race_carrier_is_upstream_of_the_composite(compiled_manifest: dict) -> None:
    manifest = compiled_manifest
    upstream = ancestors(manifest, [model_id(manifest, n) for n in COMPOSITE_NODES])
    assert model_id(manifest, "int_student_indicators_wide") in upstream
    leaks = sorted(manifest["nodes"][u]["name"] for u in carriers(manifest) & upstream)
    assert leaks == [], f"race reaches the index through {leaks}"


def test_the_check_catches_a_model_that_would_leak_race(compiled_manifest: dict) -> None:
    """Wire the race model into an indicator model of a copied manifest: the check must flag it."""
    manifest = copy.deepcopy(compiled_manifest)
    wide = model_id(manifest, "int_student_indicators_wide")
    race = model_id(manifest, "stg_sis__student_race_ethnicity")
    manifest["nodes"][wide]["depends_on"]["nodes"].append(race)
    manifest["nodes"][wide]["compiled_code"] += "\n-- join race.race_ethnicity"
    manifest["parent_map"][wide].append(race)
    upstream = ancestors(manifest, [model_id(manifest, n) for n in COMPOSITE_NODES])
    assert wide in carriers(manifest) & upstream


def test_rotating_race_leaves_the_index_unchanged(built_warehouse: Warehouse, tmp_path: Path) -> None:
    district = tmp_path / "district"
    shutil.copytree(built_warehouse.district, district)
    students = pd.read_csv(district / "students.csv", dtype=str, keep_default_na=False)
    rotated = students["race_ethnicity"].to_numpy()
    students["race_ethnicity"] = list(rotated[1:]) + list(rotated[:1])
    original_race = pd.read_csv(built_warehouse.district / "students.csv", dtype=str, keep_default_na=False)
    assert (students["race_ethnicity"] != original_race["race_ethnicity"]).any()
    students.to_csv(district / "students.csv", index=False, lineterminator="\n")

    permuted = Warehouse(built_warehouse.project, district, tmp_path / "permuted.duckdb")
    dbt_build(permuted)
    original, changed = mart_snapshot(built_warehouse), mart_snapshot(permuted)
    for table in original:
        left = original[table].drop(columns=["race_ethnicity"], errors="ignore")
        right = changed[table].drop(columns=["race_ethnicity"], errors="ignore")
        pd.testing.assert_frame_equal(left, right, check_exact=True, obj=table)
    assert not original["fct_student_opportunity"]["race_ethnicity"].equals(
        changed["fct_student_opportunity"]["race_ethnicity"]
    )

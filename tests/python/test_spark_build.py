"""The build on Spark (scripts/build_on_spark.py, `make spark`): every dbt node passes, the weights
are fitted from the Spark table, and the Spark marts equal the pandas oracle.

The Spark build needs pyspark (requirements-spark.txt) and Java: it runs with this interpreter
when it has pyspark, else with .venv-spark/bin/python (`make spark` creates it), and is skipped
when neither has it, unless OI_RUN_SPARK=1 (`make test-spark`), which makes that a failure. It
takes a few minutes: Spark spends about half a second on every dbt node.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

import build_on_spark
import fit_weights
import reference_index_pandas as oracle
from test_pandas_oracle import assert_numbers_equal, assert_values_equal
from warehouse_helpers import PROJECT_ROOT, copy_project

SPARK_DISTRICT_STUDENTS = 3_000
SPARK_DISTRICT_SEED = 11


def spark_python() -> Path | None:
    if importlib.util.find_spec("pyspark") is not None:
        return Path(sys.executable)
    candidate = PROJECT_ROOT / ".venv-spark" / "bin" / "python"
    return candidate if candidate.is_file() else None


@pytest.fixture(scope="module")
def spark_build(tmp_path_factory: pytest.TempPathFactory) -> dict:
    python = spark_python()
    if python is None:
        if os.environ.get("OI_RUN_SPARK") == "1":
            pytest.fail("OI_RUN_SPARK=1 but no interpreter has pyspark: run `make spark-setup`")
        pytest.skip("pyspark is not installed (make spark-setup, or OI_RUN_SPARK=1 to require it)")
    root = tmp_path_factory.mktemp("spark")
    project = copy_project(root / "project")
    environment = {key: value for key, value in os.environ.items() if key != "OI_REFERENCE_DIR"}
    environment.update(
        OI_DISTRICT_DIR=str(root / "district"),
        OI_SPARK_DIR=str(root / "spark"),
        SPARK_LOCAL_IP="127.0.0.1",
        OI_SPARK_DRIVER_MEMORY="2g",
    )
    command = [str(python), str(project / "scripts" / "build_on_spark.py")]
    command += ["--students", str(SPARK_DISTRICT_STUDENTS), "--seed", str(SPARK_DISTRICT_SEED)]
    result = subprocess.run(command, env=environment, cwd=project, capture_output=True, text=True)
    assert result.returncode == 0, f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    return {
        "project": project,
        "district": root / "district",
        "spark_dir": root / "spark",
        "output": result.stdout,
    }


def spark_table(spark_dir: Path, relation: str) -> pd.DataFrame:
    """A table dbt built on Spark, read from its Parquet files (no JVM)."""
    schema, table = relation.split(".")
    files = spark_dir / "tables" / f"{schema}.db" / table / "*.parquet"
    with duckdb.connect() as connection:
        return connection.sql(f"select * from read_parquet('{files}')").df()


def run_results(spark_build: dict, phase: str) -> dict[str, str]:
    path = spark_build["project"] / "target" / "spark" / f"run_results_{phase}.json"
    return {result["unique_id"]: result["status"] for result in json.loads(path.read_text())["results"]}


@pytest.mark.dbt
def test_every_node_passes_on_spark(spark_build: dict) -> None:
    """Every seed, model, unit test and data test of the project ran and passed, in the build and
    in the rebuild after the fit."""
    manifest = json.loads((spark_build["project"] / "target" / "spark" / "manifest.json").read_text())
    expected = {
        unique_id
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] in ("seed", "model", "test")
    } | set(manifest["unit_tests"])
    build = run_results(spark_build, "build")
    assert set(build) - {u for u in build if u.startswith("exposure.")} == expected
    assert {status for unique_id, status in build.items() if unique_id in expected} <= {"pass", "success"}
    assert len([u for u in expected if u.startswith("unit_test.")]) >= 5
    rebuild = run_results(spark_build, "rebuild")
    assert "model.opportunity_index.fct_school_opportunity" in rebuild
    assert set(rebuild.values()) <= {"pass", "success", "no-op"}


@pytest.mark.dbt
def test_weights_are_fitted_from_the_spark_table(spark_build: dict) -> None:
    fits = pd.read_csv(spark_build["project"] / "seeds" / "config" / "component_weight_fits.csv")
    assert set(fits["fit_method"]) == {fit_weights.METHOD}
    inputs = spark_table(spark_build["spark_dir"], fit_weights.FIT_INPUTS_RELATION)
    counted = inputs.groupby("school_level").size()
    assert dict(zip(fits["school_level"], fits["students_fitted"], strict=True)) == counted.to_dict()
    # The rebuilt weights mart holds the fitted weights.
    weights = pd.read_csv(spark_build["project"] / "seeds" / "config" / "component_weights.csv")
    mart = spark_table(spark_build["spark_dir"], "marts.dim_component_weights")
    merged = weights.merge(mart, on=["school_level", "component_name"], suffixes=("", "_mart"))
    assert len(merged) == len(weights) == 15
    assert np.allclose(merged["weight"], merged["weight_mart"], rtol=0, atol=1e-12)


@pytest.mark.dbt
def test_the_fit_reads_the_same_inputs_without_a_jvm(
    spark_build: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """fit_weights --target spark (Parquet files) sees what the in-process session saw."""
    project = spark_build["project"]
    (tmp_path / "component_weights.csv").write_bytes(
        (project / "seeds" / "config" / "component_weights.csv").read_bytes()
    )
    monkeypatch.setenv("OI_SPARK_DIR", str(spark_build["spark_dir"]))
    assert fit_weights.main(["--target", "spark", "--output-dir", str(tmp_path)]) == 0
    in_process = pd.read_csv(project / "seeds" / "config" / "component_weight_fits.csv")
    from_files = pd.read_csv(tmp_path / "component_weight_fits.csv")
    assert list(from_files["input_hash"]) == list(in_process["input_hash"])


@pytest.mark.dbt
def test_spark_marts_equal_the_pandas_oracle(spark_build: dict) -> None:
    """The same students, schools and tracts with the same numbers (within 1e-9) as the oracle,
    which test_pandas_oracle.py holds the DuckDB marts to."""
    project = spark_build["project"]
    project_vars = oracle.load_project_vars(project / "dbt_project.yml")
    reference = oracle.compute_index(
        spark_build["district"], project / "seeds" / "reference", project / "seeds" / "config", project_vars
    )
    scores = [f"{c}_score" for c in project_vars["components"]]
    contributions = [f"{c}_contribution" for c in project_vars["components"]]
    checks = [
        (
            "marts.fct_student_opportunity", "students", "student_id",
            [*scores, "need_score", "need_percentile", *contributions],
            ["school_code", "school_level", "neighborhood_status", "missing_components"],
        ),
        (
            "marts.fct_school_opportunity", "schools", "school_code",
            ["opportunity_index", "opportunity_index_unrounded", "percentile_within_level", *contributions],
            ["school_level", "enrolled_students", "partially_scored_students", "largest_component"],
        ),
        (
            "marts.fct_tract_neighborhood_components", "tracts", "tract_geoid",
            scores[:2], ["enrolled_students"],
        ),
    ]  # fmt: skip
    for relation, name, key, numbers, values in checks:
        spark = spark_table(spark_build["spark_dir"], relation).sort_values(key).reset_index(drop=True)
        expected = reference[name].sort_values(key).reset_index(drop=True)
        assert spark[key].tolist() == expected[key].tolist(), relation
        assert_numbers_equal(spark, expected, numbers, key)
        assert_values_equal(spark, expected, values, key)


def test_the_session_gets_the_profiles_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """build_on_spark starts its session with the profile's settings, rendered like dbt does."""
    monkeypatch.setenv("OI_SPARK_DIR", str(tmp_path))
    monkeypatch.delenv("OI_SPARK_DRIVER_MEMORY", raising=False)
    settings = build_on_spark.spark_settings()
    assert settings["spark.master"] == "local[2]"
    assert settings["spark.driver.memory"] == "4g"
    assert settings["spark.sql.warehouse.dir"] == f"{tmp_path}/tables"
    assert f"databaseName={tmp_path}/metastore_db;" in settings["spark.hadoop.javax.jdo.option.ConnectionURL"]
    assert settings["spark.sql.ansi.enabled"] == "false"  # as dbt-spark forces it


def test_a_second_build_on_the_same_folder_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("OI_SPARK_DIR", str(tmp_path))
    first = build_on_spark.hold_build_lock()
    try:
        with pytest.raises(build_on_spark.PipelineError, match="another Spark build"):
            build_on_spark.hold_build_lock()
    finally:
        first.close()
    build_on_spark.hold_build_lock().close()  # free again once the first has finished

"""The same models give the same index on PostgreSQL as on the embedded DuckDB.

The session's DuckDB warehouse (fitted weights included) is rebuilt on PostgreSQL from the same
district and project copy with `scripts/run_on_engine.py --target postgres --skip-fit`, which runs
every dbt model and test there. Then every mart is compared: school OI equal at 2 decimals, every
other number within 1e-9, text and flags equal; and the weight fit read from PostgreSQL writes the
same bytes as the fit read from DuckDB.

Needs a PostgreSQL server (scripts/postgres_server.sh start; OI_PG_HOST/OI_PG_PORT/OI_PG_USER).
Without one the tests skip, unless OI_REQUIRE_POSTGRES=1 (as in CI), where its absence fails them.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from warehouse_helpers import MART_KEYS, Warehouse, copy_project, run, run_pipeline

pytestmark = pytest.mark.dbt

COMPONENT_TOLERANCE = 1e-9


def postgres_settings() -> dict[str, str]:
    return {
        "host": os.environ.get("OI_PG_HOST", "127.0.0.1"),
        "port": os.environ.get("OI_PG_PORT", "54329"),
        "user": os.environ.get("OI_PG_USER", "postgres"),
        "password": os.environ.get("OI_PG_PASSWORD", ""),
    }


def connect(database: str):
    import psycopg2

    settings = postgres_settings()
    return psycopg2.connect(
        host=settings["host"],
        port=int(settings["port"]),
        user=settings["user"],
        password=settings["password"] or None,
        dbname=database,
        connect_timeout=5,
    )


def postgres_frame(database: str, sql: str) -> pd.DataFrame:
    connection = connect(database)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return pd.DataFrame(cursor.fetchall(), columns=[column.name for column in cursor.description])
    finally:
        connection.close()


@pytest.fixture(scope="module")
def postgres_database():
    """A fresh database on the server for this session, dropped afterwards."""
    try:
        admin = connect("postgres")
    except Exception as error:  # psycopg2.OperationalError, or psycopg2 missing
        message = (
            f"no PostgreSQL server at {postgres_settings()['host']}:{postgres_settings()['port']} ({error})"
        )
        if os.environ.get("OI_REQUIRE_POSTGRES") == "1":
            pytest.fail(
                f"OI_REQUIRE_POSTGRES=1 but {message}; start one with scripts/postgres_server.sh start"
            )
        pytest.skip(f"{message}; start one with scripts/postgres_server.sh start")
    database = f"oi_engine_test_{os.getpid()}"
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f"drop database if exists {database}")
        cursor.execute(f"create database {database}")
    yield database
    with admin.cursor() as cursor:
        cursor.execute(f"drop database if exists {database} with (force)")
    admin.close()


@pytest.fixture(scope="module")
def postgres_build(built_warehouse: Warehouse, postgres_database: str) -> dict[str, str]:
    """The session's district and fitted weights built on PostgreSQL: every model and dbt test."""
    environment = {**built_warehouse.env(), "OI_PG_DATABASE": postgres_database, "DBT_USE_COLORS": "False"}
    script = built_warehouse.project / "scripts" / "run_on_engine.py"
    result = run(
        [sys.executable, str(script), "--target", "postgres", "--skip-fit"],
        environment,
        built_warehouse.project,
    )
    assert "dbt build --target postgres" in result.stdout
    return environment


def as_comparable(frame: pd.DataFrame) -> pd.DataFrame:
    """Decimals (PostgreSQL numeric) as floats and dates as timestamps, so only values differ."""
    converted = frame.copy()
    for column in converted.columns:
        values = converted[column].dropna()
        if len(values) and isinstance(values.iloc[0], Decimal):
            converted[column] = converted[column].astype("float64")
        elif (
            pd.api.types.is_object_dtype(converted[column])
            and len(values)
            and hasattr(values.iloc[0], "isoformat")
        ):
            converted[column] = pd.to_datetime(converted[column])
    return converted


def assert_same_values(table: str, duckdb_frame: pd.DataFrame, postgres_frame_: pd.DataFrame) -> None:
    assert list(duckdb_frame.columns) == list(postgres_frame_.columns), f"{table}: columns differ"
    assert len(duckdb_frame) == len(postgres_frame_), f"{table}: row counts differ"
    left, right = as_comparable(duckdb_frame), as_comparable(postgres_frame_)
    for column in left.columns:
        a, b = left[column], right[column]
        assert (a.isna() == b.isna()).all(), f"{table}.{column}: NULLs differ"
        present = a.notna()
        if (
            pd.api.types.is_numeric_dtype(a)
            and pd.api.types.is_numeric_dtype(b)
            and not pd.api.types.is_bool_dtype(a)
        ):
            difference = np.abs(
                a[present].astype("float64").to_numpy() - b[present].astype("float64").to_numpy()
            )
            worst = float(difference.max()) if len(difference) else 0.0
            assert worst <= COMPONENT_TOLERANCE, f"{table}.{column}: largest difference {worst:g}"
        else:
            mismatched = (a[present].astype(str) != b[present].astype(str)).sum()
            assert mismatched == 0, f"{table}.{column}: {mismatched} values differ"


@pytest.mark.parametrize("table", sorted(MART_KEYS))
def test_every_mart_is_the_same_on_postgres(
    built_warehouse: Warehouse, postgres_build: dict[str, str], table: str
) -> None:
    order = ", ".join(MART_KEYS[table])
    sql = f"select * from marts.{table} order by {order}"
    duckdb_frame = built_warehouse.query(sql)
    postgres_frame_ = postgres_frame(postgres_build["OI_PG_DATABASE"], sql)
    assert len(duckdb_frame) > 0, f"{table} is empty: nothing would be compared"
    assert_same_values(table, duckdb_frame, postgres_frame_)


def test_school_opportunity_index_equal_at_two_decimals(
    built_warehouse: Warehouse, postgres_build: dict[str, str]
) -> None:
    sql = "select school_code, opportunity_index from marts.fct_school_opportunity order by school_code"
    on_duckdb = built_warehouse.query(sql)
    on_postgres = postgres_frame(postgres_build["OI_PG_DATABASE"], sql)
    assert len(on_duckdb) >= 100
    assert list(on_duckdb["school_code"]) == list(on_postgres["school_code"])
    duckdb_text = [f"{value:.2f}" for value in on_duckdb["opportunity_index"].astype(float)]
    postgres_text = [str(value) for value in on_postgres["opportunity_index"]]  # numeric(3,2): exact
    assert duckdb_text == postgres_text


def test_weight_fit_reads_postgres_and_writes_the_same_weights(
    built_warehouse: Warehouse, postgres_build: dict[str, str], tmp_path
) -> None:
    fit = built_warehouse.project / "scripts" / "fit_weights.py"
    outputs = {}
    for target in ("duckdb", "postgres"):
        folder = tmp_path / target
        command = [sys.executable, str(fit), "--target", target, "--output-dir", str(folder)]
        if target == "duckdb":
            command += ["--duckdb", str(built_warehouse.duckdb_path)]
        subprocess.run(
            command, env=postgres_build, cwd=built_warehouse.project, check=True, capture_output=True
        )
        outputs[target] = {
            name: (folder / name).read_bytes()
            for name in ("component_weights.csv", "component_weight_fits.csv")
        }
    # The weights are the same bytes. The fit statistics are too, except input_hash: it hashes
    # the scores' exact bits, and the engines' floating-point sums may differ in the last bit.
    assert outputs["duckdb"]["component_weights.csv"] == outputs["postgres"]["component_weights.csv"]
    fits = {
        target: pd.read_csv(io.BytesIO(output["component_weight_fits.csv"]), dtype=str)
        for target, output in outputs.items()
    }
    assert (fits["postgres"]["fit_method"] == "nnls_within_school").all()
    pd.testing.assert_frame_equal(
        fits["duckdb"].drop(columns="input_hash"), fits["postgres"].drop(columns="input_hash")
    )


def test_a_postgres_target_that_cannot_be_reached_is_named(built_warehouse: Warehouse, tmp_path) -> None:
    environment = {**built_warehouse.env(), "OI_PG_PORT": "1", "OI_PG_HOST": "127.0.0.1"}
    fit = built_warehouse.project / "scripts" / "fit_weights.py"
    result = subprocess.run(
        [sys.executable, str(fit), "--target", "postgres", "--output-dir", str(tmp_path)],
        env=environment,
        cwd=built_warehouse.project,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "cannot connect to PostgreSQL postgres@127.0.0.1:1" in result.stderr
    assert "Traceback" not in result.stderr


AUDIT_TABLES = [
    "audit_input_reconciliation",
    "audit_quarantined_records",
    "audit_value_notes",
    "audit_enrollment_conflicts",
    "audit_students_without_student_record",
    "audit_records_of_students_not_enrolled",
]


@pytest.fixture(scope="module")
def messy_builds(tmp_path_factory: pytest.TempPathFactory, postgres_database: str):
    """The messy example district (quarantines, imputations, conflicts) on both engines."""
    from test_messy_district_build import EXAMPLE_DISTRICT, EXAMPLE_REFERENCE, FIXTURES, overlay

    root = tmp_path_factory.mktemp("messy_engines")
    overlay(EXAMPLE_DISTRICT, FIXTURES / "messy_district", root / "district")
    overlay(EXAMPLE_REFERENCE, FIXTURES / "messy_reference", root / "reference")
    warehouse = Warehouse(
        copy_project(root / "project"), root / "district", root / "oi.duckdb", root / "reference"
    )
    run_pipeline(warehouse, "--skip-fit")
    database = f"{postgres_database}_messy"
    admin = connect("postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f"drop database if exists {database}")
        cursor.execute(f"create database {database}")
    environment = {**warehouse.env(), "OI_PG_DATABASE": database, "DBT_USE_COLORS": "False"}
    script = warehouse.project / "scripts" / "run_on_engine.py"
    run([sys.executable, str(script), "--target", "postgres", "--skip-fit"], environment, warehouse.project)
    yield warehouse, database
    with admin.cursor() as cursor:
        cursor.execute(f"drop database if exists {database} with (force)")
    admin.close()


def sorted_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows in one order whatever the engine returned (audit tables have no single key)."""
    keys = frame.astype(str)
    return frame.loc[keys.sort_values(list(keys.columns)).index].reset_index(drop=True)


@pytest.mark.parametrize(
    "table", [f"audit.{name}" for name in AUDIT_TABLES] + ["marts.fct_student_opportunity"]
)
def test_messy_district_quarantine_and_audit_agree_on_postgres(messy_builds, table: str) -> None:
    warehouse, database = messy_builds
    on_duckdb = warehouse.query(f"select * from {table}")
    on_postgres = postgres_frame(database, f"select * from {table}")
    assert_same_values(table, sorted_rows(as_comparable(on_duckdb)), sorted_rows(as_comparable(on_postgres)))


def test_messy_district_has_quarantined_records_on_postgres(messy_builds) -> None:
    warehouse, database = messy_builds
    quarantined = postgres_frame(database, "select count(*) as n from audit.audit_quarantined_records")
    assert int(quarantined["n"].iloc[0]) >= 4  # 3 students and 1 enrollment are unusable

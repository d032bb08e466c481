"""Connections to the engine a dbt profile target names, for the scripts around dbt.

The loader validates the input files into DuckDB (schemas raw and quarantine). On another engine
those tables are copied there before dbt runs (`copy_sources`), and the weight-fitting script reads
its input from the same engine dbt built (`read_frame`).

    target_settings("postgres")  -> the rendered profiles.yml output (env_var() resolved)
    read_frame("postgres", "select ...")  -> pandas DataFrame

Spark (scripts/build_on_spark.py) registers the sources itself in its one in-process session;
read_frame reads a Spark target's tables from their Parquet files, without a JVM.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import duckdb
import jinja2
import pandas as pd
import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[1]
PROFILE_NAME = "opportunity_index"
SOURCE_SCHEMAS = ("raw", "quarantine")


class EngineError(Exception):
    """The engine cannot be reached or read; the message says which target and why."""


def profiles_path() -> Path:
    return Path(os.environ.get("DBT_PROFILES_DIR", PROJECT_ROOT)) / "profiles.yml"


def default_target() -> str:
    return os.environ.get("OI_TARGET", "duckdb")


def target_settings(target: str | None = None) -> dict:
    """The profile's output for `target`, rendered as dbt renders it (env_var with defaults)."""
    target = target or default_target()

    def env_var(name: str, default: str | None = None) -> str:
        if name in os.environ:
            return os.environ[name]
        if default is None:
            raise EngineError(f"{profiles_path()}: environment variable {name} is not set")
        return default

    environment = jinja2.Environment(undefined=jinja2.StrictUndefined)
    environment.globals["env_var"] = env_var
    environment.filters["as_number"] = lambda value: value
    text = environment.from_string(profiles_path().read_text(encoding="utf-8")).render()
    outputs = yaml.safe_load(text)[PROFILE_NAME]["outputs"]
    if target not in outputs:
        raise EngineError(f"{profiles_path()}: no target {target!r} (targets: {', '.join(outputs)})")
    return outputs[target]


def connect_postgres(settings: dict):
    import psycopg2  # installed with dbt-postgres

    try:
        return psycopg2.connect(
            host=settings["host"],
            port=int(settings["port"]),
            user=settings["user"],
            password=settings.get("password") or None,
            dbname=settings["dbname"],
            connect_timeout=10,
        )
    except psycopg2.Error as error:
        where = f"{settings['user']}@{settings['host']}:{settings['port']}/{settings['dbname']}"
        raise EngineError(f"cannot connect to PostgreSQL {where}: {str(error).strip()}") from error


def check_reachable(target: str | None = None) -> None:
    """Fail now, naming the target, when its settings are missing or its server cannot be reached."""
    settings = target_settings(target)
    if settings["type"] == "postgres":
        connect_postgres(settings).close()


def read_frame(target: str | None, sql: str, duckdb_path: Path | None = None) -> pd.DataFrame:
    """Run `sql` on the target's engine and return the result; `duckdb_path` overrides the file."""
    target = target or default_target()
    settings = target_settings(target)
    kind = settings["type"]
    if kind == "duckdb":
        path = Path(duckdb_path or settings["path"])
        if not path.is_file():
            raise EngineError(f"{path}: warehouse not found; run `dbt build` first")
        try:
            with duckdb.connect(str(path), read_only=True) as connection:
                return connection.sql(sql).df()
        except duckdb.Error as error:
            raise EngineError(f"{path}: {error}") from error
    if kind == "postgres":
        import psycopg2

        connection = connect_postgres(settings)
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql)
                columns = [column.name for column in cursor.description]
                return pd.DataFrame(cursor.fetchall(), columns=columns)
        except psycopg2.Error as error:
            raise EngineError(f"PostgreSQL target {target}: {str(error).strip()}") from error
        finally:
            connection.close()
    if kind == "spark":
        return read_spark_tables(settings, sql)
    raise EngineError(f"target {target}: reading from a {kind} engine is not supported by this script")


def read_spark_tables(settings: dict, sql: str) -> pd.DataFrame:
    """Run `sql` in DuckDB over the Parquet files of the tables dbt built on Spark: each folder
    <spark.sql.warehouse.dir>/<schema>.db/<table>/ becomes the view <schema>.<table>."""
    warehouse = Path(settings["server_side_parameters"]["spark.sql.warehouse.dir"])
    if not warehouse.is_dir():
        raise EngineError(f"{warehouse}: no Spark tables; build on Spark first (make spark)")
    try:
        with duckdb.connect() as connection:
            for schema_folder in sorted(warehouse.glob("*.db")):
                schema = schema_folder.name.removesuffix(".db")
                connection.execute(f'create schema if not exists "{schema}"')
                for table_folder in sorted(schema_folder.iterdir()):
                    if not any(table_folder.glob("*.parquet")):
                        continue
                    files = str(table_folder / "*.parquet").replace("'", "''")
                    connection.execute(
                        f'create view "{schema}"."{table_folder.name}" as '
                        f"select * from read_parquet('{files}')"
                    )
            return connection.sql(sql).df()
    except duckdb.Error as error:
        raise EngineError(f"Spark tables in {warehouse}: {error}") from error


# DuckDB column types and their PostgreSQL spelling (the loader writes only these).
POSTGRES_TYPES = {
    "VARCHAR": "text",
    "BIGINT": "bigint",
    "INTEGER": "integer",
    "DOUBLE": "double precision",
    "DATE": "date",
    "BOOLEAN": "boolean",
    "TIMESTAMP": "timestamp",
}


def postgres_type(duckdb_type: str) -> str:
    if duckdb_type.startswith("DECIMAL"):
        return duckdb_type.replace("DECIMAL", "numeric")
    if duckdb_type not in POSTGRES_TYPES:
        raise EngineError(f"no PostgreSQL type for DuckDB type {duckdb_type}")
    return POSTGRES_TYPES[duckdb_type]


def source_tables(source: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    schemas = ", ".join(f"'{schema}'" for schema in SOURCE_SCHEMAS)
    return source.execute(
        f"select table_schema, table_name from information_schema.tables "
        f"where table_schema in ({schemas}) order by table_schema, table_name"
    ).fetchall()


def copy_sources_to_postgres(source_path: Path, settings: dict) -> dict[str, int]:
    """Replace schemas raw and quarantine in PostgreSQL by the loader's tables (rows in order);
    returns rows copied per table. One transaction: a failed copy leaves the old sources."""
    copied: dict[str, int] = {}
    connection = connect_postgres(settings)
    try:
        with (
            tempfile.TemporaryDirectory() as scratch,
            duckdb.connect(str(source_path), read_only=True) as source,
            connection.cursor() as cursor,
        ):
            for schema in SOURCE_SCHEMAS:
                cursor.execute(f"drop schema if exists {schema} cascade")
                cursor.execute(f"create schema {schema}")
            for schema, table in source_tables(source):
                described = source.execute(f"describe {schema}.{table}").fetchall()
                columns = ", ".join(f'"{name}" {postgres_type(kind)}' for name, kind, *_ in described)
                cursor.execute(f"create table {schema}.{table} ({columns})")
                # DuckDB writes the text (shortest round-trip doubles, ISO dates, NULL as \\N).
                csv_path = Path(scratch) / f"{schema}.{table}.csv"
                source.execute(
                    f"copy (select * from {schema}.{table}) to '{csv_path}' (header false, nullstr '\\N')"
                )
                with open(csv_path, encoding="utf-8") as stream:
                    cursor.copy_expert(
                        f"copy {schema}.{table} from stdin with (format csv, null '\\N')", stream
                    )
                rows = source.execute(f"select count(*) from {schema}.{table}").fetchone()[0]
                copied[f"{schema}.{table}"] = rows
        connection.commit()
    finally:
        connection.close()
    return copied


def copy_sources(target: str, source_path: Path) -> dict[str, int]:
    """Copy the loader's raw and quarantine tables from `source_path` to the target's engine."""
    settings = target_settings(target)
    if settings["type"] == "duckdb":
        return {}  # the loader writes straight into the DuckDB warehouse
    if settings["type"] == "postgres":
        return copy_sources_to_postgres(source_path, settings)
    raise EngineError(f"target {target}: copying sources to a {settings['type']} engine is not supported")

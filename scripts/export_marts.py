"""Publish the marts for BI tools: one Parquet and one CSV file per mart, and a read-only DuckDB
copy of schema marts that a BI tool can keep open while the next build runs.

    python scripts/export_marts.py --duckdb WAREHOUSE --output DIR

DIR receives parquet/<mart>.parquet, csv/<mart>.csv and opportunity_index_marts.duckdb. Rows
are sorted by all columns in order (the key comes first in every mart), so the same marts give
the same files. The DuckDB copy keeps each table's types, NOT NULL constraints and the
documentation that dbt persisted as comments.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import duckdb

BI_COPY_NAME = "opportunity_index_marts.duckdb"
MARTS_SCHEMA = "marts"


def mart_tables(connection: duckdb.DuckDBPyConnection, database: str) -> list[str]:
    rows = connection.execute(
        "select table_name from duckdb_tables() where database_name = ? and schema_name = ? order by 1",
        [database, MARTS_SCHEMA],
    ).fetchall()
    return [name for (name,) in rows]


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def export_files(warehouse: Path, output: Path) -> list[str]:
    """Write parquet/<mart>.parquet and csv/<mart>.csv for every mart; returns the marts."""
    (output / "parquet").mkdir(parents=True, exist_ok=True)
    (output / "csv").mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        database = connection.execute("select current_database()").fetchone()[0]
        tables = mart_tables(connection, database)
        for table in tables:
            query = f"select * from {MARTS_SCHEMA}.{table} order by all"
            parquet = output / "parquet" / f"{table}.parquet"
            csv = output / "csv" / f"{table}.csv"
            connection.execute(f"copy ({query}) to {_literal(str(parquet))} (format parquet)")
            connection.execute(f"copy ({query}) to {_literal(str(csv))} (format csv, header true)")
    return tables


def write_bi_copy(warehouse: Path, destination: Path) -> None:
    """Write schema marts, with its constraints and comments, into a new file, then move it over
    `destination` in one rename: a reader holding the old file keeps reading it undisturbed."""
    partial = destination.with_name(destination.name + ".partial")
    for stale in (partial, partial.with_name(partial.name + ".wal")):
        stale.unlink(missing_ok=True)
    with duckdb.connect(str(partial)) as connection:
        connection.execute(f"attach {_literal(str(warehouse))} as source (read_only)")
        connection.execute(f"create schema {MARTS_SCHEMA}")
        for table in mart_tables(connection, "source"):
            ddl, comment = connection.execute(
                "select sql, comment from duckdb_tables() "
                "where database_name = 'source' and schema_name = ? and table_name = ?",
                [MARTS_SCHEMA, table],
            ).fetchone()
            connection.execute(ddl)  # CREATE TABLE marts.<table>(...): types and NOT NULL kept
            connection.execute(
                f"insert into {MARTS_SCHEMA}.{table} select * from source.{MARTS_SCHEMA}.{table} order by all"
            )
            if comment:
                connection.execute(f"comment on table {MARTS_SCHEMA}.{table} is {_literal(comment)}")
            columns = connection.execute(
                "select column_name, comment from duckdb_columns() where database_name = 'source'"
                " and schema_name = ? and table_name = ? and comment is not null",
                [MARTS_SCHEMA, table],
            ).fetchall()
            for column, column_comment in columns:
                connection.execute(
                    f'comment on column {MARTS_SCHEMA}.{table}."{column}" is {_literal(column_comment)}'
                )
        connection.execute("detach source")
        connection.execute("checkpoint")
    partial.with_name(partial.name + ".wal").unlink(missing_ok=True)
    os.chmod(partial, 0o444)
    os.replace(partial, destination)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duckdb", type=Path, required=True, help="the built warehouse")
    parser.add_argument("--output", type=Path, required=True, help="folder for the exports")
    args = parser.parse_args(argv)
    if not args.duckdb.is_file():
        print(f"error: {args.duckdb}: warehouse not found", file=sys.stderr)
        return 1
    tables = export_files(args.duckdb, args.output)
    write_bi_copy(args.duckdb, args.output / BI_COPY_NAME)
    print(f"exported {len(tables)} marts to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

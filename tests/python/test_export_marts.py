"""BI outputs: Parquet and CSV files equal to the marts, and a read-only DuckDB copy with the
marts' constraints and documentation that a reader can hold open while it is replaced."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

import export_marts
from warehouse_helpers import Warehouse


def make_warehouse(path: Path, answer: int) -> None:
    with duckdb.connect(str(path)) as connection:
        connection.execute("create schema marts")
        connection.execute("create table marts.fct_answer (answer_id varchar not null, answer integer)")
        connection.execute(f"insert into marts.fct_answer values ('b', {answer}), ('a', {answer + 1})")
        connection.execute("comment on table marts.fct_answer is 'One row per answer.'")
        connection.execute("comment on column marts.fct_answer.answer is 'The answer''s value.'")
        connection.execute("create schema intermediate")
        connection.execute("create table intermediate.int_hidden as select 1 as x")


def test_files_hold_every_mart_sorted_and_the_same_bytes_twice(tmp_path: Path) -> None:
    make_warehouse(tmp_path / "oi.duckdb", 41)
    for run in ("first", "second"):
        assert (
            export_marts.main(["--duckdb", str(tmp_path / "oi.duckdb"), "--output", str(tmp_path / run)]) == 0
        )
    assert sorted(p.name for p in (tmp_path / "first" / "parquet").iterdir()) == ["fct_answer.parquet"]
    csv = (tmp_path / "first" / "csv" / "fct_answer.csv").read_text()
    assert csv == "answer_id,answer\na,42\nb,41\n"
    for kind in ("parquet/fct_answer.parquet", "csv/fct_answer.csv"):
        assert (tmp_path / "first" / kind).read_bytes() == (tmp_path / "second" / kind).read_bytes()


def test_the_bi_copy_keeps_constraints_and_comments_and_is_read_only(tmp_path: Path) -> None:
    make_warehouse(tmp_path / "oi.duckdb", 41)
    copy = tmp_path / "bi.duckdb"
    export_marts.write_bi_copy(tmp_path / "oi.duckdb", copy)
    assert not copy.stat().st_mode & 0o222  # no write bits
    with duckdb.connect(str(copy), read_only=True) as connection:
        tables = connection.execute("select schema_name, table_name, comment from duckdb_tables()").fetchall()
        assert tables == [("marts", "fct_answer", "One row per answer.")]
        columns = connection.execute(
            "select column_name, is_nullable, comment from duckdb_columns()"
            " where schema_name = 'marts' order by column_index"
        ).fetchall()
        assert columns == [("answer_id", False, None), ("answer", True, "The answer's value.")]


def test_a_reader_holding_the_bi_copy_does_not_stop_its_replacement(tmp_path: Path) -> None:
    make_warehouse(tmp_path / "old.duckdb", 1)
    make_warehouse(tmp_path / "new.duckdb", 100)
    copy = tmp_path / "bi.duckdb"
    export_marts.write_bi_copy(tmp_path / "old.duckdb", copy)
    reader = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, sys; c = duckdb.connect({str(copy)!r}, read_only=True); "
            "q = 'select sum(answer) from marts.fct_answer'; print(c.execute(q).fetchone()[0], flush=True); "
            "sys.stdin.readline(); print(c.execute(q).fetchone()[0], flush=True)",
        ],  # fmt: skip
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout is not None and reader.stdin is not None
        assert reader.stdout.readline().strip() == "3"
        export_marts.write_bi_copy(tmp_path / "new.duckdb", copy)  # while the reader holds it
        reader.stdin.write("\n")
        reader.stdin.flush()
        assert reader.stdout.readline().strip() == "3"  # the reader's file is unchanged
    finally:
        reader.kill()
        reader.wait()
    with duckdb.connect(str(copy), read_only=True) as connection:
        assert connection.execute("select sum(answer) from marts.fct_answer").fetchone() == (201,)


@pytest.mark.dbt
def test_the_main_job_publishes_exports_equal_to_the_marts(built_warehouse: Warehouse) -> None:
    exports = built_warehouse.duckdb_path.parent / "exports"
    with duckdb.connect(str(built_warehouse.duckdb_path), read_only=True) as connection:
        marts = export_marts.mart_tables(
            connection, connection.execute("select current_database()").fetchone()[0]
        )
    assert {"fct_school_opportunity", "fct_funds", "fct_school_fund_allocations"} <= set(marts)
    bi_copy = exports / export_marts.BI_COPY_NAME
    for table in marts:
        mart = built_warehouse.query(f"select * from marts.{table} order by all")
        parquet = duckdb.sql(f"select * from '{exports / 'parquet' / f'{table}.parquet'}'").df()
        pd.testing.assert_frame_equal(parquet, mart, check_dtype=False)
        csv = pd.read_csv(exports / "csv" / f"{table}.csv", dtype=str, keep_default_na=False)
        assert list(csv.columns) == list(mart.columns) and len(csv) == len(mart), table
        with duckdb.connect(str(bi_copy), read_only=True) as connection:
            copied = connection.execute(f"select * from marts.{table} order by all").df()
            undocumented = connection.execute(
                "select column_name from duckdb_columns() where table_name = ? and comment is null", [table]
            ).fetchall()
        pd.testing.assert_frame_equal(copied, mart)
        assert undocumented == [], (table, undocumented)
    docs = built_warehouse.duckdb_path.parent / "docs" / "index.html"
    assert docs.is_file() and "fct_school_fund_allocations" in docs.read_text(encoding="utf-8")

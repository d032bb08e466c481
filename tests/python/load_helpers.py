"""Helpers of the loader tests: copies of the example district and reference folders to modify,
and a load into an in-memory DuckDB."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

import load_inputs as li

PROJECT_ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = PROJECT_ROOT / "examples"
EXAMPLE_DISTRICT = EXAMPLES / "district"
EXAMPLE_REFERENCE = EXAMPLES / "reference"


def copy_examples(root: Path) -> li.Settings:
    """Copy the example district and reference folders into `root`; settings that read the copies."""
    shutil.copytree(EXAMPLE_DISTRICT, root / "district")
    shutil.copytree(EXAMPLE_REFERENCE, root / "reference")
    return li.Settings(root / "district", root / "reference")


def append_lines(path: Path, *lines: str | bytes) -> None:
    """Append records to a CSV file, one per line (bytes are written as they are)."""
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        data += b"\n"
    for line in lines:
        data += (line.encode("utf-8") if isinstance(line, str) else line) + b"\n"
    path.write_bytes(data)


def load(settings: li.Settings) -> tuple[duckdb.DuckDBPyConnection, li.LoadReport]:
    con = duckdb.connect(":memory:")
    return con, li.load_all(con, settings)


def load_log(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, int, int]]:
    rows = con.execute(
        "select file_name, records_read, records_loaded, records_quarantined from raw.load_log"
    ).fetchall()
    return {file: (read, loaded, quarantined) for file, read, loaded, quarantined in rows}


def data_records(path: Path) -> int:
    """Data records of a well-formed example file (one per non-empty line after the header)."""
    return sum(1 for line in path.read_bytes().splitlines()[1:] if line.strip())

"""The main job's guards: it never generates over real files and fails fast on a locked warehouse."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

import generate_district
import run_pipeline


def test_a_partial_district_folder_is_an_error_not_overwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "district"
    folder.mkdir()
    real = folder / "students.csv"
    real.write_text("student_id\nREAL1\n")
    monkeypatch.setenv("OI_DISTRICT_DIR", str(folder))
    with pytest.raises(run_pipeline.PipelineError, match="lacks enrollments.csv, addresses.csv"):
        run_pipeline.generate_if_absent(students=100, seed=1)
    assert real.read_text() == "student_id\nREAL1\n"
    assert sorted(p.name for p in folder.iterdir()) == ["students.csv"]


def test_a_non_empty_folder_without_district_files_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "notes.txt").write_text("keep me")
    monkeypatch.setenv("OI_DISTRICT_DIR", str(tmp_path))
    with pytest.raises(run_pipeline.PipelineError, match="not empty"):
        run_pipeline.generate_if_absent(students=100, seed=1)


def test_the_generator_refuses_to_overwrite_files_it_did_not_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "enrollments.csv").write_text("real district data\n")
    assert generate_district.main(["--output", str(tmp_path), "--students", "50", "--force"]) == 2
    assert "refusing to overwrite" in capsys.readouterr().err
    assert (tmp_path / "enrollments.csv").read_text() == "real district data\n"


def test_relative_paths_are_relative_to_the_callers_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OI_DISTRICT_DIR", "exports/district")
    assert run_pipeline.district_dir() == tmp_path / "exports" / "district"
    monkeypatch.chdir(run_pipeline.PROJECT_ROOT)
    assert run_pipeline.district_dir() == tmp_path / "exports" / "district"


@contextlib.contextmanager
def held_by_another_process(path: Path):
    """A second Python process holding a write connection to the DuckDB file `path`."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; c = duckdb.connect({str(path)!r}); "
            "print('held', flush=True); time.sleep(120)",
        ],  # fmt: skip
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        yield
    finally:
        holder.kill()
        holder.wait()


def test_a_warehouse_held_by_another_process_stops_the_job_before_any_phase(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("create table marts_marker as select 42 as answer")
    before = warehouse.read_bytes()
    monkeypatch.setenv("OI_DUCKDB_PATH", str(warehouse))
    monkeypatch.setenv("OI_DISTRICT_DIR", str(tmp_path / "district"))
    monkeypatch.chdir(tmp_path)  # main() moves to the project root; this restores the directory
    with held_by_another_process(warehouse):
        assert run_pipeline.main(["--skip-fit"]) == 1
    captured = capsys.readouterr()
    assert "is in use by another process" in captured.err and str(warehouse) in captured.err
    assert "[generate]" not in captured.out and "[load]" not in captured.out  # no phase started
    assert warehouse.read_bytes() == before
    assert not (tmp_path / "district").exists() and not (tmp_path / "warehouse.building.duckdb").exists()
    run_pipeline.check_warehouse_is_free()  # free again once the other process is gone


def test_a_warehouse_opened_during_the_build_is_not_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse, build = tmp_path / "warehouse.duckdb", tmp_path / "warehouse.building.duckdb"
    for path, answer in ((warehouse, 1), (build, 2)):
        with duckdb.connect(str(path)) as connection:
            connection.execute(f"create table answer as select {answer} as answer")
    monkeypatch.setenv("OI_DUCKDB_PATH", str(warehouse))
    opened_meanwhile = pytest.raises(run_pipeline.PipelineError, match="another process opened the warehouse")
    with held_by_another_process(warehouse), opened_meanwhile:
        run_pipeline.publish_build()
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        assert connection.execute("select answer from answer").fetchone() == (1,)
    run_pipeline.publish_build()
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        assert connection.execute("select answer from answer").fetchone() == (2,)
    assert not build.exists()


def test_a_named_folder_without_files_is_an_error_unless_generation_is_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A mistyped OI_DISTRICT_DIR must not quietly become a synthetic index."""
    monkeypatch.setenv("OI_DISTRICT_DIR", str(tmp_path / "typo"))
    with pytest.raises(run_pipeline.PipelineError, match="no district files"):
        run_pipeline.generate_if_absent(students=None, seed=None)
    assert not (tmp_path / "typo").exists()
    run_pipeline.generate_if_absent(students=200, seed=5)
    assert (tmp_path / "typo" / "generator_manifest.json").is_file()

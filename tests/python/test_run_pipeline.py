"""The main job's guards: it never generates over real files and fails fast on a locked warehouse."""

from __future__ import annotations

import subprocess
import sys
import time
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


def test_a_warehouse_held_by_another_process_stops_the_job_with_a_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    duckdb.connect(str(warehouse)).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; c = duckdb.connect({str(warehouse)!r}); "
            "print('held', flush=True); time.sleep(60)",
        ],  # fmt: skip
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        monkeypatch.setenv("OI_DUCKDB_PATH", str(warehouse))
        started = time.perf_counter()
        with pytest.raises(run_pipeline.PipelineError, match="in use by another process"):
            run_pipeline.check_warehouse_is_free()
        assert time.perf_counter() - started < 10
    finally:
        holder.kill()
        holder.wait()
    run_pipeline.check_warehouse_is_free()  # free again once the other process is gone


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

"""The main job: generate the district if absent, validate and load the inputs, build, fit the
weights, rebuild, and only then replace the warehouse; print a summary.

    python scripts/run_pipeline.py [--students N] [--seed S] [--skip-fit]

Everything is built in a separate file next to the warehouse (<name>.building.duckdb) which
replaces the warehouse only when every step succeeded, so BI tools never see half-built marts.
A failed build is kept as <name>.failed.duckdb for inspection. Environment variables
OI_DISTRICT_DIR, OI_REFERENCE_DIR and OI_DUCKDB_PATH choose the inputs and the warehouse file.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DISTRICT_DIR = PROJECT_ROOT / "data" / "district"
sys.path.insert(0, str(PROJECT_ROOT / "scripts"))

import duckdb  # noqa: E402

import build_report  # noqa: E402
import config_seeds  # noqa: E402
import export_marts  # noqa: E402
import fit_weights  # noqa: E402
import generate_district  # noqa: E402
import load_inputs  # noqa: E402
import summarize  # noqa: E402

# The eight files of docs/input_contract.md, by name without ".csv".
DISTRICT_FILES = [name.removesuffix(".csv") for name in generate_district.FILE_COLUMNS]


FINDING_ROWS_SHOWN = 10


class PipelineError(Exception):
    """A phase failed; the message says which and why."""


def absolute_env_path(name: str, default: Path) -> Path:
    """The path in environment variable `name` (relative to the caller's directory), made absolute
    and written back so that dbt, run from the project root, reads the same path."""
    path = Path(os.environ.get(name, default)).resolve()
    os.environ[name] = str(path)
    return path


def district_dir() -> Path:
    return absolute_env_path("OI_DISTRICT_DIR", DEFAULT_DISTRICT_DIR)


def duckdb_path() -> Path:
    return absolute_env_path("OI_DUCKDB_PATH", PROJECT_ROOT / "warehouse" / "opportunity_index.duckdb")


def generate_if_absent(students: int | None, seed: int | None) -> None:
    """Generate the synthetic district only into a missing or empty folder: never over real files,
    and into a folder named by OI_DISTRICT_DIR only when asked to (--students or --seed), so a
    mistyped path to real exports is an error rather than a synthetic index."""
    folder = district_dir()
    present = [name for name in DISTRICT_FILES if (folder / f"{name}.csv").is_file()]
    if len(present) == len(DISTRICT_FILES):
        kind = (
            "synthetic district" if (folder / generate_district.MANIFEST_NAME).is_file() else "district files"
        )
        print(f"{kind} found in {folder}; not regenerating")
        return
    asked = students is not None or seed is not None
    if folder != DEFAULT_DISTRICT_DIR and not present and not asked:
        raise PipelineError(
            f"no district files in {folder} (OI_DISTRICT_DIR); point it at your exports, "
            "or pass --students/--seed to generate a synthetic district there"
        )
    if present:
        missing = ", ".join(f"{name}.csv" for name in DISTRICT_FILES if name not in present)
        raise PipelineError(
            f"{folder} holds district files but lacks {missing} (see docs/input_contract.md); "
            "refusing to generate synthetic data into it"
        )
    if folder.is_dir() and any(folder.iterdir()):
        raise PipelineError(f"{folder} is not empty but holds no district files; not generating into it")
    command = [
        sys.executable,
        str(PROJECT_ROOT / "scripts" / "generate_district.py"),
        "--output",
        str(folder),
    ]
    if students is not None:
        command += ["--students", str(students)]
    if seed is not None:
        command += ["--seed", str(seed)]
    if subprocess.run(command, cwd=PROJECT_ROOT).returncode != 0:
        raise PipelineError("generating the synthetic district failed (see the message above)")


def build_path() -> Path:
    final = duckdb_path()
    return final.with_name(final.stem + ".building.duckdb")


def failed_path() -> Path:
    final = duckdb_path()
    return final.with_name(final.stem + ".failed.duckdb")


# Published beside the warehouse file, each replaced whole by its new build at publish.
OUTPUT_FOLDERS = ("exports", "docs", "report")


def output_path(name: str) -> Path:
    return duckdb_path().parent / name


def staged_output_path(name: str) -> Path:
    final = duckdb_path()
    return final.with_name(f"{final.stem}.building.{name}")


def remove_staged_outputs() -> None:
    for name in OUTPUT_FOLDERS:
        shutil.rmtree(staged_output_path(name), ignore_errors=True)


def remove_database(path: Path) -> None:
    for file in (path, path.with_name(path.name + ".wal")):
        file.unlink(missing_ok=True)


def check_warehouse_is_free() -> None:
    """Fail fast, before building anything, when another process holds the warehouse file or the
    build file (a second run)."""
    for path in (duckdb_path(), build_path()):
        if not path.is_file():
            continue
        try:
            duckdb.connect(str(path)).close()
        except duckdb.IOException as error:
            detail = str(error).splitlines()[0]
            raise PipelineError(
                f"the warehouse {path} is in use by another process (a BI tool, notebook or second "
                f"run); close it and run again. DuckDB said: {detail}"
            ) from error


def check_config_seeds() -> None:
    problems = config_seeds.config_problems()
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)
    if problems:
        raise PipelineError("a configuration seed holds a value of the wrong type (above); nothing was built")


def load_inputs_into_build() -> None:
    remove_database(build_path())
    arguments = ["--duckdb", str(build_path()), "--district", str(district_dir())]
    arguments += ["--reference", str(reference_dir())]
    if load_inputs.main(arguments) != 0:
        remove_database(build_path())  # nothing of it is worth keeping
        raise PipelineError("the input files cannot be loaded (fatal problems above); nothing was built")


def run_dbt(arguments: list[str]) -> None:
    """Run dbt on the build file (warnings and errors only on screen); report how nodes ended."""
    dbt = Path(sys.executable).with_name("dbt")
    command = [str(dbt), *arguments, "--quiet", "--project-dir", str(PROJECT_ROOT)]
    results_path = PROJECT_ROOT / "target" / "run_results.json"
    results_path.unlink(missing_ok=True)  # never report a previous run's outcomes
    # Colour codes only where a terminal shows them, never in a log or a captured output.
    colors = {} if sys.stdout.isatty() else {"DBT_USE_COLORS": "False"}
    environment = {**os.environ, **colors, "OI_DUCKDB_PATH": str(build_path())}
    returncode = subprocess.run(command, cwd=PROJECT_ROOT, env=environment).returncode
    results = (
        json.loads(results_path.read_text(encoding="utf-8"))["results"] if results_path.is_file() else []
    )
    outcomes: dict[str, int] = {}
    for node_result in results:
        outcomes[node_result["status"]] = outcomes.get(node_result["status"], 0) + 1
    shown = ", ".join(f"{count} {status}" for status, count in sorted(outcomes.items()))
    print(f"  dbt {' '.join(arguments)}: {shown or 'no nodes'}")
    report_test_findings(results)
    if returncode != 0:
        raise PipelineError(f"dbt {' '.join(arguments)} failed (errors above)")


def report_test_findings(results: list[dict]) -> None:
    """For each failing or warning dbt test: its name, how many rows, and the first few of them
    (dbt keeps them in schema test_failures), so the cause is on screen, not only in the log."""
    for result in results:
        if not result["unique_id"].startswith("test.") or result["status"] not in ("fail", "warn"):
            continue
        test_name = result["unique_id"].split(".")[2]  # test.<project>.<name>[.<hash>]
        relation = result.get("relation_name")
        table = relation.split(".", 1)[1] if relation else None  # without the database name
        where = f"; all rows: select * from {table}" if table else ""
        print(f"  {result['status'].upper()} {test_name}: {result.get('failures')} row(s){where}")
        if not relation:
            continue
        try:
            with duckdb.connect(str(build_path()), read_only=True) as connection:
                cursor = connection.execute(f"select * from {table} limit {FINDING_ROWS_SHOWN}")
                columns = [column[0] for column in cursor.description]
                for row in cursor.fetchall():
                    print("      " + ", ".join(f"{c}={v}" for c, v in zip(columns, row, strict=True))[:300])
        except duckdb.Error:
            pass  # the rows stay queryable; the test name and count are already shown


def generate_docs() -> None:
    """dbt's documentation site as one self-contained page (works offline, from file://)."""
    run_dbt(["docs", "generate", "--static"])
    folder = staged_output_path("docs")
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(PROJECT_ROOT / "target" / "static_index.html", folder / "index.html")


def export_outputs() -> None:
    folder = staged_output_path("exports")
    tables = export_marts.export_files(build_path(), folder)
    export_marts.write_bi_copy(build_path(), folder / export_marts.BI_COPY_NAME)
    print(f"  {len(tables)} marts as Parquet, CSV and a read-only DuckDB copy")


def reference_dir() -> Path:
    return absolute_env_path("OI_REFERENCE_DIR", load_inputs.DEFAULT_REFERENCE_DIR)


def write_report() -> None:
    """The static HTML report; the map needs the reference folder's tract boundaries."""
    boundaries = reference_dir() / build_report.DEFAULT_BOUNDARIES.name
    try:
        build_report.build_report(build_path(), staged_output_path("report"), boundaries)
    except build_report.ReportError as error:
        raise PipelineError(f"the report could not be written: {error}") from error


def swap_in(staged: Path, final: Path) -> None:
    """Replace folder `final` by `staged`; a reader's open file keeps its old contents."""
    old = final.with_name(final.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        os.replace(final, old)
    os.replace(staged, final)
    shutil.rmtree(old, ignore_errors=True)


def publish_build() -> None:
    """Replace the warehouse with the finished build in one rename (readers never see a mix)."""
    final = duckdb_path()
    if final.is_file():
        try:
            duckdb.connect(str(final)).close()
        except duckdb.IOException as error:
            raise PipelineError(
                f"the build finished, but another process opened the warehouse {final} meanwhile; "
                "it is left as it was: close that process and run again"
            ) from error
    with duckdb.connect(str(build_path())) as connection:
        connection.execute("checkpoint")  # everything in the file itself, no write-ahead log
    build_path().with_name(build_path().name + ".wal").unlink(missing_ok=True)
    final.with_name(final.name + ".wal").unlink(missing_ok=True)
    os.replace(build_path(), final)
    remove_database(failed_path())  # an older failure no longer describes the warehouse
    for name in OUTPUT_FOLDERS:
        if staged_output_path(name).is_dir():
            swap_in(staged_output_path(name), output_path(name))


def keep_failed_build() -> None:
    remove_staged_outputs()
    if build_path().is_file():
        remove_database(failed_path())
        os.replace(build_path(), failed_path())
        build_path().with_name(build_path().name + ".wal").unlink(missing_ok=True)
        print(f"the warehouse {duckdb_path()} is unchanged; the failed build is kept as {failed_path()}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--students", type=int, help="district size when generating (default: real enrollment)"
    )
    parser.add_argument("--seed", type=int, help="generator seed when generating")
    parser.add_argument("--skip-fit", action="store_true", help="build with the committed weights only")
    args = parser.parse_args(argv)

    os.environ.setdefault("DBT_PROFILES_DIR", str(PROJECT_ROOT))
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")
    os.environ.setdefault("DBT_VERSION_CHECK", "False")
    district_dir(), reference_dir()  # resolve the paths against the caller's directory before moving
    duckdb_path().parent.mkdir(parents=True, exist_ok=True)
    os.chdir(PROJECT_ROOT)

    timings: dict[str, float] = {}
    phases = [
        ("generate", lambda: generate_if_absent(args.students, args.seed)),
        ("config", check_config_seeds),
        ("load", load_inputs_into_build),
        ("build", lambda: run_dbt(["build"])),
    ]
    if not args.skip_fit:
        phases += [
            ("fit", fit_or_fail),
            (
                "rebuild",
                lambda: run_dbt(["build", "--select", "component_weights+", "component_weight_fits+"]),
            ),
        ]
    phases += [
        ("docs", generate_docs),
        ("export", export_outputs),
        ("report", write_report),
        ("publish", publish_build),
    ]
    try:
        check_warehouse_is_free()
        remove_staged_outputs()
        for name, phase in phases:
            print(f"[{name}]")
            started = time.perf_counter()
            phase()
            timings[name] = time.perf_counter() - started
    except PipelineError as error:
        print(f"error: {error}", file=sys.stderr)
        keep_failed_build()
        return 1
    outputs = {name: output_path(name) for name in OUTPUT_FOLDERS}
    summarize.print_summary(duckdb_path(), timings, district_dir(), outputs)
    return 0


def fit_or_fail() -> None:
    if fit_weights.main(["--target", "duckdb", "--duckdb", str(build_path())]) != 0:
        raise PipelineError("fitting the component weights failed (see the message above)")


if __name__ == "__main__":
    sys.exit(main())

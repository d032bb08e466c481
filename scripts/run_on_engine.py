"""The main job on another engine than the embedded DuckDB: the same models, the same index.

    python scripts/run_on_engine.py --target postgres [--skip-fit] [--students N] [--seed S]

Phases: generate the district if absent, check the configuration seeds, validate and load the
input files into a local DuckDB staging file (the loader's quarantine and reconciliation work the
same everywhere), copy its raw and quarantine tables to the engine, `dbt build --target T`, fit the
weights from the engine's `int_weight_fit_inputs`, and rebuild what the weights feed. dbt replaces
each relation on the engine; there is no whole-warehouse swap as on DuckDB.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT / "scripts"))

import fit_weights  # noqa: E402
import load_inputs  # noqa: E402
import run_pipeline  # noqa: E402
import warehouse_engines  # noqa: E402


class EngineJobError(Exception):
    """A phase failed; the message says which and why."""


def staging_path(target: str) -> Path:
    """The DuckDB file the loader validates into before the copy to the engine."""
    return PROJECT_ROOT / "warehouse" / f"{target}_sources.duckdb"


def load_inputs_for(target: str) -> None:
    path = staging_path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    run_pipeline.remove_database(path)
    arguments = ["--duckdb", str(path), "--district", str(run_pipeline.district_dir())]
    arguments += ["--reference", str(run_pipeline.reference_dir())]
    if load_inputs.main(arguments) != 0:
        raise EngineJobError("the input files cannot be loaded (fatal problems above); nothing was built")


def copy_sources(target: str) -> None:
    try:
        copied = warehouse_engines.copy_sources(target, staging_path(target))
    except warehouse_engines.EngineError as error:
        raise EngineJobError(str(error)) from error
    print(f"  {len(copied)} tables, {sum(copied.values())} rows copied to target {target}")


def run_dbt(target: str, arguments: list[str]) -> None:
    dbt = Path(sys.executable).with_name("dbt")
    command = [str(dbt), *arguments, "--target", target, "--quiet", "--project-dir", str(PROJECT_ROOT)]
    results_path = PROJECT_ROOT / "target" / "run_results.json"
    results_path.unlink(missing_ok=True)
    colors = {} if sys.stdout.isatty() else {"DBT_USE_COLORS": "False"}
    returncode = subprocess.run(command, cwd=PROJECT_ROOT, env={**os.environ, **colors}).returncode
    results = (
        json.loads(results_path.read_text(encoding="utf-8"))["results"] if results_path.is_file() else []
    )
    outcomes: dict[str, int] = {}
    for node_result in results:
        outcomes[node_result["status"]] = outcomes.get(node_result["status"], 0) + 1
        if node_result["status"] in ("fail", "warn", "error"):
            print(
                f"  {node_result['status'].upper()} {node_result['unique_id']}: {node_result.get('message')}"
            )
    shown = ", ".join(f"{count} {status}" for status, count in sorted(outcomes.items()))
    print(f"  dbt {' '.join(arguments)} --target {target}: {shown or 'no nodes'}")
    if returncode != 0:
        raise EngineJobError(f"dbt {' '.join(arguments)} --target {target} failed (errors above)")


def fit(target: str) -> None:
    if fit_weights.main(["--target", target]) != 0:
        raise EngineJobError("fitting the component weights failed (see the message above)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--target", required=True, help="a target of profiles.yml, e.g. postgres")
    parser.add_argument("--students", type=int, help="district size when generating")
    parser.add_argument("--seed", type=int, help="generator seed when generating")
    parser.add_argument("--skip-fit", action="store_true", help="build with the committed weights only")
    args = parser.parse_args(argv)

    os.environ.setdefault("DBT_PROFILES_DIR", str(PROJECT_ROOT))
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")
    os.environ.setdefault("DBT_VERSION_CHECK", "False")
    os.environ["OI_TARGET"] = args.target
    run_pipeline.district_dir(), run_pipeline.reference_dir()
    os.chdir(PROJECT_ROOT)

    phases = [
        ("generate", lambda: run_pipeline.generate_if_absent(args.students, args.seed)),
        ("config", run_pipeline.check_config_seeds),
        ("load", lambda: load_inputs_for(args.target)),
        ("copy", lambda: copy_sources(args.target)),
        ("build", lambda: run_dbt(args.target, ["build"])),
    ]
    if not args.skip_fit:
        phases += [
            ("fit", lambda: fit(args.target)),
            (
                "rebuild",
                lambda: run_dbt(
                    args.target, ["build", "--select", "component_weights+", "component_weight_fits+"]
                ),
            ),
        ]
    timings: dict[str, float] = {}
    try:
        warehouse_engines.check_reachable(args.target)  # before minutes of loading, not after
        for name, phase in phases:
            print(f"[{name}]")
            started = time.perf_counter()
            phase()
            timings[name] = time.perf_counter() - started
    except (EngineJobError, run_pipeline.PipelineError, warehouse_engines.EngineError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print("phases: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in timings.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())

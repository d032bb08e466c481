"""Benchmark the pipeline at several district sizes; prints figures, asserts nothing.

    python scripts/benchmark.py [--students 50000 500000 5000000] [--workdir /tmp/oi-bench]
                                [--seed N] [--json out.json]

For each size, each phase runs in its own process, timed (wall and CPU seconds) with the peak
memory of its process tree (the kernel's high-water mark of each process, and the sum of the
tree's resident memory sampled every 50 ms; DuckDB works inside the process that uses it, so
the dbt process's memory includes the database's):
- generate: scripts/generate_district.py writes the synthetic district (CSV files);
- load: scripts/load_inputs.py validates and loads them into a fresh DuckDB file (schema raw);
- dbt parse: the first dbt command parses the project in full (later ones reuse it);
- dbt start-up: `dbt show --inline "select 1"`, a command that does no real work: Python
  start-up and imports, project and profile, partial parse (nothing changed), the DuckDB
  connection to the warehouse and one trivial query. Every dbt command pays it once;
- dbt build: seeds, every model and every dbt test; "SQL work" is the build minus start-up;
- floor: benchmarks/floor_opportunity_index.sql, one hand-written DuckDB query computing the same
  school OI from the same inputs (schema raw and the config seeds), run with the duckdb package
  (only the query is timed); its result is checked against marts.fct_school_opportunity;
- pandas: scripts/reference_index_pandas.py compute_index() on the CSV files, when present;
- fit: scripts/fit_weights.py on the built warehouse (weights written under the work folder).

Everything runs in a copy of the project (work folder /project), so the committed seeds, target/
and the warehouse are never touched and edits made meanwhile do not change a run. A district
generated earlier with the same size and seed can be reused with --reuse-district. Funds whose
per-pupil base would exceed the budget at a size above the real enrollment get their budgets
scaled with the district (dbt var funds), so the build has no failing test for that reason.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import re
import shutil
import string
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = PROJECT_ROOT / "scripts"
FLOOR_SQL = PROJECT_ROOT / "benchmarks" / "floor_opportunity_index.sql"
DEFAULT_SIZES = (50_000, 500_000, 5_000_000)
DEFAULT_SEED = 20241001
DEFAULT_WORKDIR = Path("/tmp/oi-bench")
RESULT_PREFIX = "BENCHMARK_RESULT "
COPY_IGNORE = shutil.ignore_patterns(
    ".venv", ".git", "data", "warehouse", "target", "logs", "__pycache__", ".pytest_cache", ".ruff_cache"
)
# The dbt vars the floor query reads (placeholders of benchmarks/floor_opportunity_index.sql).
FLOOR_VARS = (
    "snapshot_date",
    "school_year",
    "prior_school_year",
    "min_tract_population",
    "residential_mobility_window_days",
    "recent_immigrant_window_years",
    "winsorize_lower_quantile",
    "winsorize_upper_quantile",
)
SCHOOL_COLUMNS = ("opportunity_index", "opportunity_index_unrounded")
# Targets of the issue, on a 2-core machine, at TARGET_SIZE students.
TARGET_SIZE = 5_000_000
TARGET_BUILD_SECONDS = 30.0
TARGET_BUILD_PEAK_MB = 4096.0
TARGET_BUILD_OVER_FLOOR = 2.0
TARGET_PANDAS_OVER_SQL = 2.0
TARGET_FIT_SECONDS = 5.0
POLL_SECONDS = 0.05


# =============================================================================================
# Measuring a process tree
# =============================================================================================
@dataclass
class Phase:
    name: str
    wall_s: float | None = None
    cpu_s: float | None = None
    peak_mb: float | None = None
    returncode: int | None = None
    log: str | None = None
    note: str = ""
    load_average: float | None = None  # 1-minute load average when the phase ended
    extra: dict = field(default_factory=dict)


def _status_kib(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of a live process in KiB; (0, 0) when it is gone."""
    rss = hwm = 0
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
                elif line.startswith("VmHWM:"):
                    hwm = int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return rss, hwm


def _tree(pid: int) -> list[int]:
    """pid and its live descendants (through /proc/<pid>/task/<tid>/children)."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        with contextlib.suppress(OSError):
            for task in os.listdir(f"/proc/{current}/task"):
                with contextlib.suppress(OSError), open(f"/proc/{current}/task/{task}/children") as handle:
                    pending.extend(int(child) for child in handle.read().split())
    return found


class TreeSampler(threading.Thread):
    """Samples the resident memory of a process tree until stopped."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_sum_kib = 0
        self.peak_single_kib = 0
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            total = 0
            for pid in _tree(self.pid):
                rss, hwm = _status_kib(pid)
                total += rss
                self.peak_single_kib = max(self.peak_single_kib, hwm)
            self.peak_sum_kib = max(self.peak_sum_kib, total)
            self.stopped.wait(POLL_SECONDS)


def measure(name: str, command: list[str], env: dict[str, str], cwd: Path, log: Path) -> Phase:
    """Run `command` to completion with its output in `log`; wall, CPU and peak memory."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as output:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, cwd=cwd, stdout=output, stderr=subprocess.STDOUT)
        sampler = TreeSampler(process.pid)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        sampler.stopped.set()
        sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    # ru_maxrss (KiB on Linux) of the child covers it and the descendants it waited for.
    peak_kib = max(usage.ru_maxrss, sampler.peak_single_kib, sampler.peak_sum_kib)
    return Phase(
        name=name,
        wall_s=wall,
        cpu_s=usage.ru_utime + usage.ru_stime,
        peak_mb=peak_kib / 1024,
        returncode=process.returncode,
        log=str(log),
        load_average=os.getloadavg()[0],
    )


def child_result(phase: Phase) -> dict | None:
    """The JSON a child phase (--child) printed on its last result line."""
    if not phase.log or not Path(phase.log).is_file():
        return None
    result = None
    for line in Path(phase.log).read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith(RESULT_PREFIX):
            result = json.loads(line[len(RESULT_PREFIX) :])
    return result


def log_tail(phase: Phase, lines: int = 15) -> str:
    if not phase.log or not Path(phase.log).is_file():
        return ""
    text = Path(phase.log).read_text(encoding="utf-8", errors="replace").splitlines()
    return "\n".join("      " + line for line in text[-lines:])


# =============================================================================================
# The floor query and its check against the mart (also used by tests/python/test_benchmark.py)
# =============================================================================================
def project_vars(project: Path = PROJECT_ROOT, overrides: dict | None = None) -> dict:
    """The vars of dbt_project.yml with `overrides` applied (as dbt's --vars does)."""
    import yaml

    config = yaml.safe_load((project / "dbt_project.yml").read_text(encoding="utf-8"))
    return {**(config.get("vars") or {}), **(overrides or {})}


def floor_sql(variables: dict, path: Path = FLOOR_SQL) -> str:
    return string.Template(path.read_text(encoding="utf-8")).substitute(
        {name: variables[name] for name in FLOOR_VARS}
    )


def run_floor(connection, variables: dict, path: Path = FLOOR_SQL):
    """(school OI frame, seconds of the query alone)."""
    sql = floor_sql(variables, path)
    started = time.perf_counter()
    frame = connection.execute(sql).df()
    return frame, time.perf_counter() - started


def compare_with_mart(connection, schools, columns=SCHOOL_COLUMNS) -> dict:
    """Compare a frame of school OIs (school_code and some of `columns`) with the mart
    marts.fct_school_opportunity: schools on one side only, the largest absolute difference and
    the number of schools that differ, per column."""
    mart = connection.execute(
        f"select school_code, {', '.join(columns)} from marts.fct_school_opportunity"
    ).df()
    ours = schools.set_index(schools["school_code"].astype(str))
    theirs = mart.set_index(mart["school_code"].astype(str))
    common = ours.index.intersection(theirs.index)
    result = {
        "schools_compared": len(common),
        "schools_only_here": sorted(set(ours.index) - set(theirs.index)),
        "schools_only_in_mart": sorted(set(theirs.index) - set(ours.index)),
        "max_abs_difference": {},
        "schools_differing": {},
    }
    for column in columns:
        if column not in ours.columns:
            continue
        here = ours.loc[common, column].astype(float)
        there = theirs.loc[common, column].astype(float)
        difference = (here - there).abs()
        both_missing = here.isna() & there.isna()
        one_missing = here.isna() != there.isna()
        result["max_abs_difference"][column] = float(difference[~both_missing].max()) if len(common) else 0.0
        result["schools_differing"][column] = int(((difference > 0) | one_missing).sum())
    return result


def comparison_agrees(comparison: dict, tolerance: float = 0.0) -> bool:
    compared = comparison["max_abs_difference"]
    return (
        comparison["schools_compared"] > 0
        and not comparison["schools_only_here"]
        and not comparison["schools_only_in_mart"]
        and bool(compared)
        and all(value <= tolerance for value in compared.values())
    )


def floor_check(duckdb_path: Path, variables: dict) -> tuple[dict, float]:
    """Run the floor on a built warehouse and compare it with the mart: (comparison, seconds)."""
    import duckdb

    with duckdb.connect(str(duckdb_path), read_only=True) as connection:
        frame, seconds = run_floor(connection, variables)
        return compare_with_mart(connection, frame), seconds


# =============================================================================================
# Child phases (run in their own process so that their memory is measured alone)
# =============================================================================================
def child_floor(args: argparse.Namespace) -> int:
    variables = json.loads(args.vars_json)
    comparison, seconds = floor_check(args.duckdb, variables)
    print(RESULT_PREFIX + json.dumps({"seconds": seconds, "comparison": comparison}), flush=True)
    return 0


def child_pandas(args: argparse.Namespace) -> int:
    # CALL SITE of the pandas implementation (scripts/reference_index_pandas.py, another helper's
    # work): compute_index(district_dir, reference_dir, config_dir, project_vars=None) returning
    # a dict of DataFrames with the keys 'students' and 'schools'.
    try:
        import reference_index_pandas
    except ModuleNotFoundError as error:
        if error.name != "reference_index_pandas":
            raise
        print(RESULT_PREFIX + json.dumps({"skipped": "scripts/reference_index_pandas.py does not exist"}))
        return 0
    import duckdb

    variables = json.loads(args.vars_json)
    started = time.perf_counter()
    frames = reference_index_pandas.compute_index(
        args.district, args.reference, args.config, project_vars=variables
    )
    seconds = time.perf_counter() - started
    schools = frames["schools"]
    if "school_code" not in schools.columns:
        schools = schools.reset_index()
    with duckdb.connect(str(args.duckdb), read_only=True) as connection:
        comparison = compare_with_mart(connection, schools)
    print(RESULT_PREFIX + json.dumps({"seconds": seconds, "comparison": comparison}), flush=True)
    return 0


# =============================================================================================
# One size
# =============================================================================================
def real_enrollment(project: Path) -> int:
    """Students of the real district (the generator's default size)."""
    path = project / "seeds" / "reference" / "dese_enrollment_by_grade.csv"
    school_year = project_vars(project)["school_year"]
    with open(path, encoding="utf-8", newline="") as handle:
        return int(
            sum(float(row["students"]) for row in csv.DictReader(handle) if row["school_year"] == school_year)
        )


def scaled_funds(project: Path, students: int) -> list[dict] | None:
    """The funds of dbt_project.yml with their budgets scaled from the real enrollment to
    `students` when a fund's per-pupil base would exceed its budget (a base of $100 for 500,000
    students is more than a $10M budget, which assert_fund_bases_fit_in_budget fails); else None."""
    funds = project_vars(project)["funds"]
    if all((fund.get("base_dollars_per_pupil") or 0) * students <= fund["budget_dollars"] for fund in funds):
        return None
    factor = max(1.0, students / real_enrollment(project))
    return [{**fund, "budget_dollars": int(round(fund["budget_dollars"] * factor))} for fund in funds]


def python_env(project: Path, district: Path, duckdb_path: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in ("OI_TARGET", "PYTHONPATH")}
    env.update(
        OI_DISTRICT_DIR=str(district),
        OI_REFERENCE_DIR=str(project / "seeds" / "reference"),
        OI_DUCKDB_PATH=str(duckdb_path),
        DBT_PROFILES_DIR=str(project),
        DBT_SEND_ANONYMOUS_USAGE_STATS="False",
        DBT_VERSION_CHECK="False",
        DBT_USE_COLORS="False",
        PYTHONUNBUFFERED="1",
    )
    return env


def generator_matches(district: Path, students: int, seed: int) -> bool:
    manifest = district / "generator_manifest.json"
    if not manifest.is_file():
        return False
    content = json.loads(manifest.read_text(encoding="utf-8"))
    return content.get("n_students") == students and content.get("seed") == seed


def generator_steps(phase: Phase) -> list[tuple[str, float]]:
    """Seconds per step of the generator, from its progress lines ("[  12.3 s] step")."""
    if not phase.log or not Path(phase.log).is_file():
        return []
    marks = []
    for line in Path(phase.log).read_text(encoding="utf-8", errors="replace").splitlines():
        match = re.match(r"\s*\[\s*([0-9.]+) s\] (.*)", line)
        if match:
            marks.append((float(match.group(1)), match.group(2)))
        elif line.startswith("done in "):
            marks.append((float(line.split()[2]), "done"))
    return [(step, later - now) for (now, step), (later, _) in zip(marks, marks[1:], strict=False)]


def busy_seconds(intervals: list[tuple[float, float]]) -> float:
    """Length of the union of time intervals."""
    total, end = 0.0, None
    for start, stop in sorted(intervals):
        if end is None or start > end:
            total += stop - start
            end = stop
        elif stop > end:
            total += stop - end
            end = stop
    return total


def _timestamp(text: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def summarize_run_results(path: Path, duckdb_path: Path) -> dict:
    """Per resource type: nodes, summed and busy (union) execution seconds; the costliest models
    and tests with their rows; failing nodes."""
    results = json.loads(path.read_text(encoding="utf-8"))["results"]
    by_type: dict[str, dict] = {}
    intervals: dict[str, list[tuple[float, float]]] = {}
    everything = []
    for node in results:
        kind = node["unique_id"].split(".")[0]
        entry = by_type.setdefault(kind, {"nodes": 0, "summed_s": 0.0})
        entry["nodes"] += 1
        entry["summed_s"] += node.get("execution_time") or 0.0
        for timing in node.get("timing") or []:
            if timing.get("name") == "execute" and timing.get("started_at") and timing.get("completed_at"):
                interval = (_timestamp(timing["started_at"]), _timestamp(timing["completed_at"]))
                intervals.setdefault(kind, []).append(interval)
                everything.append(interval)
    for kind, entry in by_type.items():
        entry["busy_s"] = busy_seconds(intervals.get(kind, []))

    def costliest(kind: str, count: int) -> list[dict]:
        nodes = [n for n in results if n["unique_id"].startswith(kind + ".")]
        nodes.sort(key=lambda n: -(n.get("execution_time") or 0.0))
        return [
            {
                "name": n["unique_id"].split(".")[2],
                "seconds": n.get("execution_time") or 0.0,
                "relation": n.get("relation_name"),
            }
            for n in nodes[:count]
        ]

    models = costliest("model", 5)
    add_row_counts(models, duckdb_path)
    failing = [
        f"{n['status']} {n['unique_id'].split('.')[2]}"
        for n in results
        if n["status"] not in ("success", "pass", "skipped", "no-op")
    ]
    return {
        "by_type": by_type,
        "nodes_busy_s": busy_seconds(everything),
        "top_models": models,
        "top_tests": costliest("test", 3),
        "failing": failing,
    }


def add_row_counts(models: list[dict], duckdb_path: Path) -> None:
    import duckdb

    try:
        with duckdb.connect(str(duckdb_path), read_only=True) as connection:
            for model in models:
                relation = model.get("relation")
                if relation:
                    table = relation.split(".", 1)[1]  # without the database name
                    model["rows"] = connection.execute(f"select count(*) from {table}").fetchone()[0]
    except duckdb.Error as error:
        print(f"  (row counts unavailable: {str(error).splitlines()[0]})")


def benchmark_size(students: int, args: argparse.Namespace, project: Path) -> dict:
    folder = args.workdir / f"students_{students}"
    district, duckdb_path = folder / "district", folder / "warehouse.duckdb"
    logs, target = folder / "logs", folder / "target"
    folder.mkdir(parents=True, exist_ok=True)
    env = python_env(project, district, duckdb_path)
    python = sys.executable
    scripts = project / "scripts"
    funds = scaled_funds(project, students)
    overrides = {"funds": funds} if funds else {}
    variables = project_vars(project, overrides)
    dbt = [str(Path(python).with_name("dbt"))]
    dbt_options = ["--project-dir", str(project), "--target-path", str(target), "--log-path", str(logs)]
    if overrides:
        dbt_options += ["--vars", json.dumps(overrides)]
    phases: dict[str, Phase] = {}
    print(f"\n== {students:,} students (seed {args.seed}) in {folder} ==", flush=True)

    def step(key: str, label: str, command: list[str]) -> Phase:
        print(f"  {label} ...", end=" ", flush=True)
        phase = measure(label, command, env, project, logs / f"{key}.log")
        phases[key] = phase
        print(f"{phase.wall_s:.1f} s, {phase.peak_mb:,.0f} MB", flush=True)
        if phase.returncode != 0:
            print(f"    exit code {phase.returncode}; end of {phase.log}:\n{log_tail(phase)}", flush=True)
        return phase

    # generate
    if args.reuse_district and generator_matches(district, students, args.seed):
        phases["generate"] = Phase("generate", note=f"reused {district}")
        print(f"  generate: reusing {district}")
    else:
        shutil.rmtree(district, ignore_errors=True)
        generate = [python, str(scripts / "generate_district.py"), "--students", str(students)]
        generate += ["--seed", str(args.seed), "--output", str(district), "--force"]
        if step("generate", "generate", generate).returncode != 0:
            return {"students": students, "phases": {k: asdict(v) for k, v in phases.items()}}
        phases["generate"].extra["steps"] = generator_steps(phases["generate"])

    # load, into a fresh file
    for stale in (duckdb_path, duckdb_path.with_name(duckdb_path.name + ".wal")):
        stale.unlink(missing_ok=True)
    load = [python, str(scripts / "load_inputs.py"), "--duckdb", str(duckdb_path)]
    load += ["--district", str(district), "--reference", str(project / "seeds" / "reference")]
    if step("load", "load", load).returncode != 0:
        return {"students": students, "phases": {k: asdict(v) for k, v in phases.items()}}

    # dbt: full parse, start-up (no work), build
    shutil.rmtree(target, ignore_errors=True)
    step("dbt_parse", "dbt parse (first, full)", [*dbt, "parse", *dbt_options])
    step("dbt_startup", "dbt start-up", [*dbt, "show", "--inline", "select 1", "--limit", "1", *dbt_options])
    build = step("dbt_build", "dbt build", [*dbt, "build", *dbt_options])
    results_path = target / "run_results.json"
    if results_path.is_file():
        shutil.copyfile(results_path, folder / "run_results_build.json")
        build.extra = summarize_run_results(results_path, duckdb_path)
    if args.run_and_test:
        step("dbt_run", "dbt run (models only)", [*dbt, "run", *dbt_options])
        step("dbt_test", "dbt test (tests only)", [*dbt, "test", *dbt_options])

    # floor and pandas in their own processes; only their computation is timed inside
    child = [python, str(scripts / "benchmark.py"), "--duckdb", str(duckdb_path)]
    child += ["--vars-json", json.dumps(variables)]
    floor = step("floor", "floor (1 DuckDB query)", [*child, "--child", "floor"])
    floor.extra = child_result(floor) or {}
    pandas_command = [*child, "--child", "pandas", "--district", str(district)]
    pandas_command += ["--reference", str(project / "seeds" / "reference")]
    pandas_command += ["--config", str(project / "seeds" / "config")]
    pandas = step("pandas", "pandas", pandas_command)
    pandas.extra = child_result(pandas) or {}
    if "skipped" in pandas.extra:
        print(f"    pandas skipped: {pandas.extra['skipped']}")

    # fit, writing the weights under the work folder
    fit_output = folder / "fitted_weights"
    fit = [python, str(scripts / "fit_weights.py"), "--duckdb", str(duckdb_path)]
    fit += ["--output-dir", str(fit_output)]
    fitted = step("fit", "fit", fit)
    if args.explain and fitted.returncode == 0 and fitted.wall_s > TARGET_FIT_SECONDS:
        fitted.extra["profile"] = profile_fit(fit, env, project, folder)
    return {
        "students": students,
        "seed": args.seed,
        "folder": str(folder),
        "dbt_vars": overrides,
        "phases": {key: asdict(phase) for key, phase in phases.items()},
    }


def profile_fit(command: list[str], env: dict[str, str], project: Path, folder: Path) -> list[dict]:
    """The fit again under cProfile (not timed): cumulative seconds of the fit script's functions
    (and of the whole run), to say where its time goes."""
    import pstats

    output = folder / "fit.prof"
    profiled = [command[0], "-m", "cProfile", "-o", str(output), *command[1:]]
    subprocess.run(profiled, env=env, cwd=project, capture_output=True)
    if not output.is_file():
        return []
    stats = pstats.Stats(str(output))
    rows = [{"function": "whole run (imports included)", "calls": 1, "cum_s": stats.total_tt}]
    for (file, line, function), (_, calls, _, cumulative, _) in stats.stats.items():
        if Path(file).parent == project / "scripts" and function not in ("<module>", "main"):
            rows.append(
                {"function": f"{Path(file).name}:{line}:{function}", "calls": calls, "cum_s": cumulative}
            )
    rows.sort(key=lambda row: -row["cum_s"])
    return rows[:9]


# =============================================================================================
# Report
# =============================================================================================
def seconds(phase: dict | None) -> float | None:
    return None if not phase else phase.get("wall_s")


def computed_seconds(phase: dict | None) -> float | None:
    """Seconds of the computation alone, as the child measured it (floor, pandas)."""
    if not phase:
        return None
    return (phase.get("extra") or {}).get("seconds")


def verdict(ok: bool | None, students: int) -> str:
    if ok is None:
        return "n/a"
    word = "PASS" if ok else "MISS"
    return (
        word if students == TARGET_SIZE else f"{word.lower()} (indicative; the target is at {TARGET_SIZE:,})"
    )


def report(size: dict) -> list[str]:
    students, phases = size["students"], size["phases"]
    lines = [f"\n{students:,} students, seed {size.get('seed')}"]
    if size.get("dbt_vars"):
        budgets = ", ".join(f"{f['fund_name']} ${f['budget_dollars']:,}" for f in size["dbt_vars"]["funds"])
        lines[0] += f" (fund budgets scaled to the district: {budgets})"
    lines.append(f"  {'phase':<34}{'wall s':>9}{'cpu s':>9}{'peak MB':>10}  {'load':>5}  note")
    labels = {
        "generate": "generate",
        "load": "load",
        "dbt_parse": "dbt parse (first, full)",
        "dbt_startup": "dbt start-up (show 'select 1')",
        "dbt_build": "dbt build",
        "dbt_run": "dbt run (models only)",
        "dbt_test": "dbt test (tests only)",
        "floor": "floor: 1 DuckDB query",
        "pandas": "pandas compute_index",
        "fit": "fit",
    }
    for key, label in labels.items():
        phase = phases.get(key)
        if not phase:
            continue
        note = phase.get("note") or ""
        if phase.get("returncode") not in (0, None):
            note = f"exit code {phase['returncode']} ({phase['log']}) {note}"
        wall = phase.get("wall_s")
        if key in ("floor", "pandas"):
            extra = phase.get("extra") or {}
            if "skipped" in extra:
                note, wall = f"skipped: {extra['skipped']}", None
            elif "seconds" in extra:
                note = f"process {wall:.1f} s; query/compute only: {extra['seconds']:.2f} s " + note
                wall = extra["seconds"]
        cells = [
            f"{wall:9.2f}" if wall is not None else f"{'-':>9}",
            f"{phase['cpu_s']:9.1f}" if phase.get("cpu_s") is not None else f"{'-':>9}",
            f"{phase['peak_mb']:10,.0f}" if phase.get("peak_mb") is not None else f"{'-':>10}",
            f"{phase['load_average']:5.1f}" if phase.get("load_average") is not None else f"{'':>5}",
        ]
        lines.append(f"  {label:<34}{cells[0]}{cells[1]}{cells[2]}  {cells[3]}  {note}".rstrip())
        if key == "dbt_build" and phases.get("dbt_startup"):
            sql_work = wall - phases["dbt_startup"]["wall_s"]
            lines.append(f"  {'  SQL work (build - start-up)':<34}{sql_work:9.2f}")
    lines += detail_lines(size)
    lines += ratio_lines(size)
    return lines


def detail_lines(size: dict) -> list[str]:
    phases, lines = size["phases"], []
    steps = (phases.get("generate") or {}).get("extra", {}).get("steps")
    if steps:
        slowest = sorted(steps, key=lambda s: -s[1])[:4]
        lines.append("  generate, slowest steps: " + "; ".join(f"{name} {s:.1f} s" for name, s in slowest))
    build = (phases.get("dbt_build") or {}).get("extra") or {}
    if build:
        parts = [
            f"{kind} {entry['nodes']} nodes busy {entry['busy_s']:.1f} s (summed {entry['summed_s']:.1f} s)"
            for kind, entry in sorted(build["by_type"].items())
            if kind != "exposure"
        ]
        outside = phases["dbt_build"]["wall_s"] - build["nodes_busy_s"]
        lines.append("  dbt build by node type (busy = wall time with at least one such node running):")
        lines.append("    " + "; ".join(parts))
        lines.append(f"    outside any node (start-up, parse, compile, cache, artifacts): {outside:.1f} s")
        lines.append("  costliest models (run_results.json execute time, rows in the table):")
        for model in build["top_models"]:
            rows = f"{model['rows']:>12,} rows" if "rows" in model else ""
            lines.append(f"    {model['seconds']:8.2f} s  {model['name']:<48}{rows}")
        lines.append(
            "  costliest tests: "
            + "; ".join(f"{t['name'][:60]} {t['seconds']:.2f} s" for t in build["top_tests"])
        )
        if build["failing"]:
            lines.append("  dbt nodes that did not pass: " + "; ".join(build["failing"]))
    floor = (phases.get("floor") or {}).get("extra") or {}
    if "comparison" in floor:
        comparison = floor["comparison"]
        agrees = comparison_agrees(comparison)
        differences = ", ".join(f"{c} {v:.3g}" for c, v in comparison["max_abs_difference"].items())
        lines.append(
            f"  floor vs marts.fct_school_opportunity: {comparison['schools_compared']} schools, "
            f"max abs difference {differences}: "
            + ("equal" if agrees else "DIFFERENT " + json.dumps(comparison))
        )
    pandas = (phases.get("pandas") or {}).get("extra") or {}
    if "comparison" in pandas:
        comparison = pandas["comparison"]
        differences = ", ".join(f"{c} {v:.3g}" for c, v in comparison["max_abs_difference"].items())
        lines.append(
            f"  pandas vs marts.fct_school_opportunity: {comparison['schools_compared']} schools, "
            f"max abs difference {differences or 'no comparable column'}; schools differing "
            f"{comparison['schools_differing']}"
        )
    profile = (phases.get("fit") or {}).get("extra", {}).get("profile")
    if profile:
        lines.append("  fit under cProfile (cumulative seconds, calls), where its time goes:")
        for row in profile:
            lines.append(f"    {row['cum_s']:8.2f} s {row['calls']:>10,}  {row['function']}")
    return lines


def ratio_lines(size: dict) -> list[str]:
    students, phases = size["students"], size["phases"]
    build, startup = seconds(phases.get("dbt_build")), seconds(phases.get("dbt_startup"))
    floor, pandas = computed_seconds(phases.get("floor")), computed_seconds(phases.get("pandas"))
    fit = seconds(phases.get("fit"))
    sql_work = build - startup if build is not None and startup is not None else None
    lines = ["  ratios:"]
    if build is not None and floor:
        lines.append(f"    dbt build / floor                    {build / floor:8.1f}x")
        if sql_work is not None:
            lines.append(f"    (dbt build - start-up) / floor       {sql_work / floor:8.1f}x")
    if sql_work and pandas:
        lines.append(f"    (dbt build - start-up) / pandas      {sql_work / pandas:8.2f}x")
        load = seconds(phases.get("load"))
        if load is not None:
            lines.append(f"    (load + dbt build - start-up) / pandas {(load + sql_work) / pandas:6.2f}x")
        lines.append(f"    pandas / floor                       {pandas / floor:8.1f}x" if floor else "")
    elif pandas is None:
        lines.append("    (dbt build - start-up) / pandas      n/a (no pandas implementation)")
    peak = (phases.get("dbt_build") or {}).get("peak_mb")
    build_ok = None if build is None else build < TARGET_BUILD_SECONDS
    lines.append("  targets:")
    lines.append(
        f"    dbt build < {TARGET_BUILD_SECONDS:.0f} s: " + f"{fmt(build)} s -> {verdict(build_ok, students)}"
    )
    peak_ok = None if peak is None else peak < TARGET_BUILD_PEAK_MB
    lines.append(
        f"    dbt build peak < {TARGET_BUILD_PEAK_MB:,.0f} MB: {fmt(peak, 0)} MB"
        f" -> {verdict(peak_ok, students)}"
    )
    floor_ok = None if build is None or not floor else build / floor <= TARGET_BUILD_OVER_FLOOR
    ratio = fmt(build / floor if build is not None and floor else None, 1)
    lines.append(
        f"    dbt build <= {TARGET_BUILD_OVER_FLOOR:.0f}x floor: {ratio}x -> {verdict(floor_ok, students)}"
    )
    pandas_ok = None if not sql_work or not pandas else pandas / sql_work >= TARGET_PANDAS_OVER_SQL
    speedup = fmt(pandas / sql_work if sql_work and pandas else None, 2)
    lines.append(
        f"    SQL work >= {TARGET_PANDAS_OVER_SQL:.0f}x faster than pandas: {speedup}x"
        f" -> {verdict(pandas_ok, students)}"
    )
    fit_ok = None if fit is None else fit < TARGET_FIT_SECONDS
    lines.append(f"    fit < {TARGET_FIT_SECONDS:.0f} s: {fmt(fit)} s -> {verdict(fit_ok, students)}")
    return [line for line in lines if line]


def fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


# =============================================================================================
# Main
# =============================================================================================
def working_tree_state() -> str:
    """HEAD and the uncommitted files of the benchmarked code, for the record."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_ROOT, capture_output=True, text=True
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain", "--", "models", "macros", "seeds", "tests/dbt", "scripts",
             "dbt_project.yml", "profiles.yml", "benchmarks"],
            cwd=PROJECT_ROOT, capture_output=True, text=True,
        ).stdout.split("\n")  # fmt: skip
    except OSError:
        return "unknown (no git)"
    changed = [line[3:] for line in status if line.strip()]
    return f"HEAD {head}" + (f" + uncommitted: {', '.join(changed)}" if changed else "")


def copy_project(destination: Path) -> Path:
    shutil.rmtree(destination, ignore_errors=True)
    shutil.copytree(PROJECT_ROOT, destination, ignore=COPY_IGNORE)
    return destination


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--students", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    parser.add_argument(
        "--reuse-district", action="store_true", help="keep a district generated earlier (same size and seed)"
    )
    parser.add_argument(
        "--run-and-test", action="store_true", help="also time `dbt run` and `dbt test` as separate commands"
    )
    parser.add_argument(
        "--no-explain",
        dest="explain",
        action="store_false",
        help="do not profile a fit that misses its target",
    )
    # Internal: one phase in a child process.
    parser.add_argument("--child", choices=["floor", "pandas"], help=argparse.SUPPRESS)
    parser.add_argument("--duckdb", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--vars-json", help=argparse.SUPPRESS)
    parser.add_argument("--district", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--reference", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--config", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        sys.path.insert(0, str(SCRIPTS))
        return child_floor(args) if args.child == "floor" else child_pandas(args)
    args.workdir = args.workdir.resolve()
    args.workdir.mkdir(parents=True, exist_ok=True)
    project = copy_project(args.workdir / "project")
    print(f"benchmarking {working_tree_state()} (copied to {project})")
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start")
    sizes = []
    for students in args.students:
        size = benchmark_size(students, args, project)
        sizes.append(size)
        print("\n".join(report(size)), flush=True)
        if args.json:
            write_json(args.json, sizes)
    if len(sizes) > 1:
        print("\n==== summary ====")
        for size in sizes:
            print("\n".join(report(size)))
    return 0


def write_json(path: Path, sizes: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"sizes": sizes}, indent=2, default=str) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())

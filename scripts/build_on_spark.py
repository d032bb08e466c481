"""Build the Opportunity Index on Spark (dbt-spark's session method, standing in for a cluster).

    python scripts/build_on_spark.py [--students N] [--seed S] [--skip-fit]     (make spark)

The same models, seeds and tests as `make run`, on a local Spark in this process:
1. generate the synthetic district if absent, check the configuration seeds, and validate and
   load the inputs into a DuckDB staging file with scripts/load_inputs.py, exactly as make run;
2. export the staging file's schemas raw and quarantine (nothing else) as Parquet;
3. start one SparkSession with the settings of profiles.yml (output spark) and register those
   files as the Spark databases raw and quarantine;
4. `dbt build --target spark` in this process, so dbt-spark reuses the session and its single
   Derby metastore (only one process may open it);
5. fit the weights from intermediate.int_weight_fit_inputs read through the session, and write
   seeds/config as make run does; 6. rebuild everything downstream of the weights, with tests.

Everything is kept under OI_SPARK_DIR (default warehouse/spark): inputs/ (the loaded inputs; the
staging file is removed once they are exported), tables/ (the Spark warehouse), metastore_db/ and
derby.log. OI_DISTRICT_DIR and
OI_REFERENCE_DIR choose the inputs as for make run; dbt's log is logs/dbt.log and its artifacts
go to target/spark. Needs the packages of requirements-spark.txt and Java 17 or later.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import shutil
import sys
import time
import warnings
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT / "scripts"))

import duckdb  # noqa: E402

import fit_weights  # noqa: E402
import load_inputs  # noqa: E402
import run_pipeline  # noqa: E402
import warehouse_engines  # noqa: E402
from run_pipeline import PipelineError  # noqa: E402

SPARK_OUTPUT = "spark"
# The loader's schemas that the dbt sources read (models/**/_*__sources.yml).
INPUT_SCHEMAS = ("raw", "quarantine")
DBT_TARGET_PATH = PROJECT_ROOT / "target" / "spark"
FINDING_ROWS_SHOWN = 10


def spark_dir() -> Path:
    return run_pipeline.absolute_env_path("OI_SPARK_DIR", PROJECT_ROOT / "warehouse" / "spark")


def staging_path() -> Path:
    return spark_dir() / "inputs.duckdb"


def inputs_path() -> Path:
    return spark_dir() / "inputs"


def hold_build_lock():
    """An exclusive lock on <spark dir>/build.lock for the whole run: the Derby metastore admits one
    process, and a second build would otherwise fail deep inside Spark."""
    spark_dir().mkdir(parents=True, exist_ok=True)
    handle = (spark_dir() / "build.lock").open("w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as error:
        handle.close()
        raise PipelineError(
            f"another Spark build is using {spark_dir()} (OI_SPARK_DIR); wait for it or choose another folder"
        ) from error
    return handle


def check_java() -> None:
    java_home = os.environ.get("JAVA_HOME")
    if not (java_home and Path(java_home, "bin", "java").is_file()) and not shutil.which("java"):
        raise PipelineError(
            "Spark needs Java 17 or later: install it (apt-get install openjdk-17-jre-headless)"
        )


def spark_settings() -> dict[str, str]:
    """The profile's Spark settings (server_side_parameters of output spark), rendered as dbt
    renders profiles.yml, so that this process starts the very session dbt-spark then reuses."""
    try:
        output = warehouse_engines.target_settings(SPARK_OUTPUT)
    except warehouse_engines.EngineError as error:
        raise PipelineError(str(error)) from error
    settings = {str(key): str(value) for key, value in output["server_side_parameters"].items()}
    # dbt-spark 1.11 sets this on every statement whatever the profile says; start the same way.
    settings["spark.sql.ansi.enabled"] = "false"
    return settings


def load_into_staging() -> None:
    """Validate and load the inputs into the DuckDB staging file, as make run's load phase."""
    staging = staging_path()
    staging.parent.mkdir(parents=True, exist_ok=True)
    run_pipeline.remove_database(staging)
    arguments = ["--duckdb", str(staging), "--district", str(run_pipeline.district_dir())]
    arguments += ["--reference", str(run_pipeline.reference_dir())]
    if load_inputs.main(arguments) != 0:
        run_pipeline.remove_database(staging)
        raise PipelineError("the input files cannot be loaded (fatal problems above); nothing was built")


def export_inputs() -> dict[str, list[str]]:
    """Each table of the staging file's schemas raw and quarantine as one Parquet file in its own
    folder, inputs/<schema>/<table>/; returns the tables by schema."""
    shutil.rmtree(inputs_path(), ignore_errors=True)
    tables: dict[str, list[str]] = {schema: [] for schema in INPUT_SCHEMAS}
    with duckdb.connect(str(staging_path()), read_only=True) as connection:
        listed = connection.execute(
            "select table_schema, table_name from information_schema.tables "
            f"where table_schema in ({', '.join(repr(s) for s in INPUT_SCHEMAS)}) "
            "order by table_schema, table_name"
        ).fetchall()
        for schema, table in listed:
            folder = inputs_path() / schema / table
            folder.mkdir(parents=True)
            target = str(folder / "part-0.parquet").replace("'", "''")
            connection.execute(f"copy (select * from {schema}.\"{table}\") to '{target}' (format parquet)")
            tables[schema].append(table)
    run_pipeline.remove_database(staging_path())  # the Parquet files hold it all; one copy is enough
    print(f"  {sum(len(t) for t in tables.values())} tables as Parquet in {inputs_path()}")
    return tables


def start_spark():
    """The one SparkSession of this process, with the profile's settings."""
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    warnings.filterwarnings("ignore", message=".*pandas >= 3.0.0.*", category=FutureWarning)
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.enableHiveSupport()
    for key, value in spark_settings().items():
        builder = builder.config(key, value)
    # toPandas() through Arrow needs pyarrow, which the project does not install.
    builder = builder.config("spark.sql.execution.arrow.pyspark.enabled", "false")
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def register_inputs(spark, tables: dict[str, list[str]]) -> None:
    """The exported files as Spark tables raw.<table> and quarantine.<table> (external: dropping
    them leaves the files). A previous run's tables of these databases are dropped first."""
    for schema, names in tables.items():
        spark.sql(f"drop database if exists {schema} cascade")
        spark.sql(f"create database {schema}")
        for table in names:
            location = str(inputs_path() / schema / table).replace("\\", "\\\\").replace("'", "\\'")
            spark.sql(f"create table {schema}.{table} using parquet location '{location}'")
    print(f"  registered {', '.join(f'{len(names)} tables in {schema}' for schema, names in tables.items())}")


def run_dbt(spark, arguments: list[str], phase: str) -> None:
    """dbt in this process against the running session; report how nodes ended and the first
    rows of each failing or warning test (kept in the Spark database test_failures). The run's
    results are also kept as target/spark/run_results_<phase>.json."""
    from dbt.cli.main import dbtRunner

    command = [
        *arguments,
        "--target",
        SPARK_OUTPUT,
        "--quiet",
        "--project-dir",
        str(PROJECT_ROOT),
        "--profiles-dir",
        str(PROJECT_ROOT),
        "--target-path",
        str(DBT_TARGET_PATH),
    ]
    if not sys.stdout.isatty():
        command.append("--no-use-colors")
    results_path = DBT_TARGET_PATH / "run_results.json"
    results_path.unlink(missing_ok=True)  # never report a previous run's outcomes
    result = dbtRunner().invoke(command)
    if results_path.is_file():
        shutil.copyfile(results_path, DBT_TARGET_PATH / f"run_results_{phase}.json")
    node_results = list(getattr(result.result, "results", None) or [])
    outcomes: dict[str, int] = {}
    for node_result in node_results:
        status = str(node_result.status)
        outcomes[status] = outcomes.get(status, 0) + 1
    shown = ", ".join(f"{count} {status}" for status, count in sorted(outcomes.items()))
    print(f"  dbt {' '.join(arguments)} (spark): {shown or 'no nodes'}")
    report_test_findings(spark, node_results)
    if not result.success:
        detail = f": {result.exception}" if result.exception else " (errors above)"
        raise PipelineError(f"dbt {' '.join(arguments)} on Spark failed{detail}")


def report_test_findings(spark, node_results) -> None:
    for node_result in node_results:
        node = node_result.node
        if not node.unique_id.startswith("test.") or str(node_result.status) not in ("fail", "warn"):
            continue
        relation = getattr(node, "relation_name", None)
        where = f"; all rows: select * from {relation}" if relation else ""
        print(f"  {str(node_result.status).upper()} {node.name}: {node_result.failures} row(s){where}")
        if not relation:
            continue
        try:
            for row in spark.sql(f"select * from {relation} limit {FINDING_ROWS_SHOWN}").collect():
                print("      " + ", ".join(f"{c}={v}" for c, v in row.asDict().items())[:300])
        except Exception:  # noqa: BLE001 - the rows stay queryable; name and count are shown
            pass


def fit(spark) -> None:
    """The weight fit of make run, on the fit inputs read through the Spark session."""
    print(f"  reading the fit inputs ({fit_weights.FIT_INPUTS_RELATION}, spark)", flush=True)
    frame = (
        spark.table(fit_weights.FIT_INPUTS_RELATION)
        .select(*fit_weights.FIT_INPUT_COLUMNS)
        .orderBy("student_id")
        .toPandas()
    )
    if fit_weights.fit_and_write(frame, PROJECT_ROOT / "seeds" / "config") != 0:
        raise PipelineError("fitting the component weights failed (see the message above)")


def print_summary(spark, timings: dict[str, float]) -> None:
    print("Opportunity Index on Spark")
    levels = spark.sql(
        "select school_level, count(*) as schools, sum(enrolled_students) as students, "
        "min(opportunity_index) as lowest, max(opportunity_index) as highest "
        "from marts.fct_school_opportunity group by school_level order by school_level"
    ).collect()
    for row in levels:
        print(
            f"  {row.school_level:<11} {row.schools:>4} schools {row.students:>8,} students, "
            f"OI {row.lowest} to {row.highest}"
        )
    weights = spark.sql(
        "select school_level, component_name, weight from marts.dim_component_weights "
        "order by school_level, display_order"
    ).collect()
    for level in sorted({row.school_level for row in weights}):
        shown = ", ".join(f"{r.component_name}={r.weight:.3f}" for r in weights if r.school_level == level)
        print(f"  weights {level}: {shown}")
    print(f"  tables: {spark_dir() / 'tables'} (Parquet; Derby metastore {spark_dir() / 'metastore_db'})")
    print("  wall time: " + ", ".join(f"{name} {seconds:.1f}s" for name, seconds in timings.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--students", type=int, help="district size when generating")
    parser.add_argument("--seed", type=int, help="generator seed when generating")
    parser.add_argument("--skip-fit", action="store_true", help="build with the committed weights only")
    args = parser.parse_args(argv)

    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")
    os.environ.setdefault("DBT_VERSION_CHECK", "False")
    # Resolve every path against the caller's directory before moving to the project root.
    run_pipeline.district_dir(), run_pipeline.reference_dir(), spark_dir()
    os.chdir(PROJECT_ROOT)

    timings: dict[str, float] = {}
    state: dict[str, object] = {}

    def phase(name: str, action) -> None:
        print(f"[{name}]", flush=True)
        started = time.perf_counter()
        action()
        timings[name] = time.perf_counter() - started

    spark = None
    lock = None
    try:
        lock = hold_build_lock()
        check_java()
        phase("generate", lambda: run_pipeline.generate_if_absent(args.students, args.seed))
        phase("config", run_pipeline.check_config_seeds)
        phase("load", load_into_staging)
        phase("export", lambda: state.update(tables=export_inputs()))
        phase("spark", lambda: state.update(spark=start_spark()))
        spark = state["spark"]
        phase("register", lambda: register_inputs(spark, state["tables"]))
        phase("build", lambda: run_dbt(spark, ["build"], "build"))
        if not args.skip_fit:
            phase("fit", lambda: fit(spark))
            phase(
                "rebuild",
                lambda: run_dbt(
                    spark, ["build", "--select", "component_weights+", "component_weight_fits+"], "rebuild"
                ),
            )
        print_summary(spark, timings)
    except PipelineError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        if spark is not None:
            spark.stop()
        if lock is not None:
            lock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

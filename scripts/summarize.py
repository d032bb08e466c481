"""Print the main job's summary from the marts of a built warehouse.

python scripts/summarize.py [--duckdb PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import duckdb

PROJECT_ROOT = Path(__file__).resolve().parents[1]
HISTOGRAM_WIDTH = 40


def _rows(connection: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return connection.execute(sql).fetchall()


def histogram_lines(values: list[float]) -> list[str]:
    """One line per OI band of 0.1 with a bar proportional to the number of schools."""
    counts = [0] * 10
    for value in values:
        counts[min(int(value * 10), 9)] += 1
    peak = max(counts) or 1
    return [
        f"  {band / 10:.1f}-{(band + 1) / 10:.1f} {count:4d} {'#' * round(count / peak * HISTOGRAM_WIDTH)}"
        for band, count in enumerate(counts)
    ]


def _r2(value: float | None) -> str:
    return f"{value:>12.3f}" if value is not None else f"{'n/a':>12}"


def describe_district(folder: Path) -> str:
    """Whether the files are the project's synthetic district (it leaves a manifest) or not."""
    manifest_path = folder / "generator_manifest.json"
    if not manifest_path.is_file():
        return f"district files in {folder}"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    students = manifest.get("n_students", 0)
    return f"SYNTHETIC district in {folder} (seed {manifest.get('seed')}, {students:,} students)"


OUTPUT_DESCRIPTIONS = {
    "exports": "BI exports (parquet/, csv/, read-only opportunity_index_marts.duckdb):",
    "docs": "dbt documentation (offline):",
    "report": "report (open in a browser):",
}
OUTPUT_ENTRY_FILES = {"docs": "index.html", "report": "index.html"}


def print_summary(
    duckdb_path: Path,
    timings: dict[str, float] | None = None,
    district: Path | None = None,
    outputs: dict[str, Path] | None = None,
) -> None:
    with duckdb.connect(str(duckdb_path), read_only=True) as connection:
        schools, students, partial, low, high, median = _rows(
            connection,
            """
            select count(*), sum(enrolled_students), sum(partially_scored_students),
                min(opportunity_index), max(opportunity_index), median(opportunity_index)
            from marts.fct_school_opportunity
            """,
        )[0]
        by_level = _rows(
            connection,
            "select school_level, count(*) from marts.fct_school_opportunity group by 1 order by 1",
        )
        values = [
            float(v)
            for (v,) in _rows(connection, "select opportunity_index from marts.fct_school_opportunity")
        ]
        top = _rows(
            connection,
            """
            select school_code, school_name, school_level, opportunity_index, largest_component,
                greatest(
                    neighborhood_socioeconomic_contribution, neighborhood_safety_disorder_contribution,
                    family_economic_contribution, immigration_contribution, prior_performance_contribution
                ) / nullif(opportunity_index_unrounded, 0) as largest_share
            from marts.fct_school_opportunity
            order by opportunity_index desc, opportunity_index_unrounded desc, school_code
            limit 10
            """,
        )
        imputed_by_status = _rows(
            connection,
            """
            select neighborhood_status, count(*) from marts.fct_student_opportunity
            where neighborhood_imputed group by 1 order by 2 desc, 1
            """,
        )
        records = _rows(
            connection,
            "select sum(records_read), sum(records_loaded), sum(records_quarantined)"
            " from audit.audit_input_reconciliation",
        )[0]
        conflicts = _rows(
            connection, "select count(distinct student_id) from audit.audit_enrollment_conflicts"
        )[0][0]
        funds = _rows(
            connection,
            """
            select fund_label, budget_dollars, min_opportunity_index, base_dollars_per_pupil,
                eligible_schools, allocated_dollars, smallest_award, largest_award, schools_just_below
            from marts.fct_funds order by display_order
            """,
        )
        weights = _rows(
            connection,
            """
            select school_level, component_name, weight, students_fitted, r2_cross_validated
            from marts.dim_component_weights
            order by case school_level when 'elementary' then 1 when 'middle' then 2 else 3 end, display_order
            """,
        )

    levels = ", ".join(f"{level} {count}" for level, count in by_level)
    print()
    print("Opportunity Index summary")
    if district is not None:
        print(f"  input: {describe_district(district)}")
    if not schools:
        print("  no school has enrolled students: nothing to summarize")
        return
    print(f"  schools scored: {schools} ({levels})")
    print(f"  students: {students:,} ({partial:,} partially scored: a component missing, others reweighted)")
    imputed = sum(count for _, count in imputed_by_status)
    reasons = ", ".join(f"{status} {count:,}" for status, count in imputed_by_status)
    print(
        f"  neighborhood imputed (no usable home tract): {imputed:,}" + (f" ({reasons})" if reasons else "")
    )
    read, loaded, quarantined = records
    print(
        f"  input records: {read:,} read = {loaded:,} used + {quarantined:,} quarantined"
        " (audit.audit_quarantined_records)"
    )
    print(
        f"  students enrolled in two schools on the snapshot date: {conflicts:,}"
        " (audit.audit_enrollment_conflicts)"
    )
    print(f"  OI range: {low} to {high}, median {median:.2f}")
    print("  OI distribution (schools per band):")
    print("\n".join(histogram_lines(values)))
    print("  ten highest-need schools:")
    for rank, (code, name, level, index, component, share) in enumerate(top, start=1):
        share_text = f" ({share:.0%} of its score)" if share is not None else ""
        print(f"  {rank:2d}. {index}  {code}  {name[:44]:<44} {level:<10} largest: {component}{share_text}")
    print("  funds (marts.fct_funds, fct_school_fund_allocations):")
    for label, budget, threshold, base, eligible, allocated, smallest, largest, near in funds:
        rule = f"OI >= {threshold}" if threshold is not None else "every school"
        rule += f", ${base:,} per pupil + need-weighted" if base else ", enrollment x OI"
        awards = (
            f"awards ${smallest:,} to ${largest:,}"
            if eligible
            else f"WARNING: no school is eligible, ${budget - allocated:,} of the budget is not allocated"
        )
        print(f"    {label}: budget ${budget:,} ({rule})")
        print(
            f"      {eligible} schools eligible, ${allocated:,} allocated, {awards}"
            + (f"; {near} just below the line" if threshold is not None else "")
        )
    print("  component weights by level:")
    levels = list(dict.fromkeys(level for level, *_ in weights))
    print("    " + " " * 30 + "".join(f"{level:>12}" for level in levels))
    by_key = {(level, component): weight for level, component, weight, _, _ in weights}
    for component in dict.fromkeys(component for _, component, *_ in weights):
        print(f"    {component:<30}" + "".join(f"{by_key[(level, component)]:>12.3f}" for level in levels))
    fitted = {level: (n, r2) for level, _, _, n, r2 in weights}
    print("    " + f"{'students fitted':<30}" + "".join(f"{fitted[level][0] or 0:>12,}" for level in levels))
    print("    " + f"{'cross-validated R2':<30}" + "".join(_r2(fitted[level][1]) for level in levels))
    print(f"  results: {duckdb_path} (schema marts: fct_school_opportunity, fct_student_opportunity, ...)")
    for name, folder in (outputs or {}).items():
        entry = folder / OUTPUT_ENTRY_FILES.get(name, "")
        print(f"  {OUTPUT_DESCRIPTIONS.get(name, name)} {entry}")
    if timings:
        print("  wall time: " + ", ".join(f"{name} {seconds:.1f}s" for name, seconds in timings.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    default = os.environ.get("OI_DUCKDB_PATH", PROJECT_ROOT / "warehouse" / "opportunity_index.duckdb")
    parser.add_argument("--duckdb", type=Path, default=Path(default))
    args = parser.parse_args(argv)
    if not args.duckdb.is_file():
        print(f"error: {args.duckdb}: warehouse not found; run `make run` first", file=sys.stderr)
        return 2
    print_summary(args.duckdb)
    return 0


if __name__ == "__main__":
    sys.exit(main())

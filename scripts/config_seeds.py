"""Check the configuration seeds' values against the column types that dbt_project.yml gives them,
before dbt loads them: an edited seed with a value that is not a number (`0.09x`) or not a boolean
gets one line naming the file, row, column and value, instead of a database cast error.

    python scripts/config_seeds.py     # exit 1 and one line per problem, or exit 0

What the values mean (weights summing to 1, known components, ...) is checked by dbt tests.
"""

from __future__ import annotations

import csv
import math
import sys
from pathlib import Path

import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CONFIG_SEEDS = PROJECT_ROOT / "seeds" / "config"
BOOLEAN_TEXT = {"true", "false", "t", "f", "1", "0"}


def declared_column_types(project_root: Path = PROJECT_ROOT) -> dict[str, dict[str, str]]:
    """seed name -> column -> type, from `seeds: <project>: config: <seed>: +column_types`."""
    project = yaml.safe_load((project_root / "dbt_project.yml").read_text(encoding="utf-8"))
    config = project["seeds"][project["name"]].get("config", {})
    return {
        name: {column: str(kind).lower() for column, kind in settings.get("+column_types", {}).items()}
        for name, settings in config.items()
        if isinstance(settings, dict)
    }


def value_problem(text: str, kind: str) -> str | None:
    value = text.strip()
    if value == "":
        return None  # missing values are the dbt tests' business (they name level and component)
    if kind in ("integer", "bigint"):
        return None if value.lstrip("+-").isdigit() else "is not a whole number"
    if kind in ("double precision", "double", "float", "numeric", "decimal"):
        try:
            number = float(value)
        except ValueError:
            return "is not a number"
        return None if math.isfinite(number) else "is not a finite number"
    if kind == "boolean":
        return None if value.lower() in BOOLEAN_TEXT else "is not true or false"
    return None


def seed_problems(path: Path, column_types: dict[str, str]) -> list[str]:
    shown = path.relative_to(PROJECT_ROOT) if path.is_relative_to(PROJECT_ROOT) else path
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        return [f"{shown}: cannot be read ({error})"]
    if not rows:
        return [f"{shown}: the file is empty"]
    header = [name.strip() for name in rows[0]]
    problems = [f"{shown}: column {column} is missing" for column in column_types if column not in header]
    for number, row in enumerate(rows[1:], start=1):  # row 1 = the first after the header, as the loader
        if not any(field.strip() for field in row):
            continue
        if len(row) != len(header):
            problems.append(f"{shown} row {number}: {len(row)} fields, the header has {len(header)}")
            continue
        for column, text in zip(header, row, strict=True):
            problem = value_problem(text, column_types.get(column, "varchar"))
            if problem:
                problems.append(f"{shown} row {number}, column {column}: {text!r} {problem}")
    return problems


def config_problems(seed_dir: Path = CONFIG_SEEDS, project_root: Path = PROJECT_ROOT) -> list[str]:
    problems = []
    for name, column_types in sorted(declared_column_types(project_root).items()):
        path = seed_dir / f"{name}.csv"
        if not path.is_file():
            problems.append(f"{path}: file not found")
            continue
        problems += seed_problems(path, column_types)
    return problems


def main(argv: list[str] | None = None) -> int:
    problems = config_problems()
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

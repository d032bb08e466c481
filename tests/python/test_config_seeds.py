"""The configuration seeds' value types are checked before dbt loads them, with file, row and column."""

from __future__ import annotations

import shutil
from pathlib import Path

import config_seeds
from warehouse_helpers import PROJECT_ROOT


def config_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "config"
    shutil.copytree(PROJECT_ROOT / "seeds" / "config", folder)
    return folder


def test_the_committed_seeds_have_no_problem() -> None:
    assert config_seeds.config_problems() == []


def test_every_typed_config_seed_is_checked() -> None:
    types = config_seeds.declared_column_types()
    assert types["component_weights"]["weight"] == "double precision"
    assert types["component_definitions"]["is_active"] == "boolean"
    assert sorted(types) == sorted(p.stem for p in (PROJECT_ROOT / "seeds" / "config").glob("*.csv"))


def test_values_of_the_wrong_type_are_named_by_file_row_and_column(tmp_path: Path) -> None:
    folder = config_copy(tmp_path)
    weights = folder / "component_weights.csv"
    lines = weights.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace(lines[3].split(",")[2], "0.09x", 1)
    lines.append("high,immigration")
    weights.write_text("\n".join(lines) + "\n", encoding="utf-8")
    definitions = folder / "component_definitions.csv"
    definitions.write_text(definitions.read_text().replace(",true,", ",yes please,", 1), encoding="utf-8")
    problems = config_seeds.config_problems(folder)
    assert problems == [
        f"{definitions} row 1, column is_active: 'yes please' is not true or false",
        f"{weights} row 3, column weight: '0.09x' is not a number",
        f"{weights} row {len(lines) - 1}: 2 fields, the header has 4",
    ]


def test_empty_values_are_left_to_the_dbt_tests(tmp_path: Path) -> None:
    folder = config_copy(tmp_path)
    weights = folder / "component_weights.csv"
    lines = weights.read_text(encoding="utf-8").splitlines()
    lines[1] = ",".join(lines[1].split(",")[:2] + ["", ""])
    weights.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert config_seeds.config_problems(folder) == []

"""The contract page (docs/input_contract.md) and the example folders (examples/) agree with the
contract (scripts/input_contract.py)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

import document_contract
from input_contract import ALL_FILES, InputFile
from load_helpers import EXAMPLES, copy_examples, data_records, load, load_log


def example_path(spec: InputFile) -> Path:
    return EXAMPLES / spec.folder / spec.file_name


def test_the_committed_contract_page_is_what_the_generator_writes() -> None:
    committed = document_contract.OUTPUT.read_text(encoding="utf-8")
    assert committed == document_contract.render(), (
        f"docs/input_contract.md is out of date: run `{document_contract.REGENERATE}`"
    )


def test_the_check_option_passes_on_the_committed_page(capsys: pytest.CaptureFixture[str]) -> None:
    assert document_contract.main(["--check"]) == 0
    assert "is up to date" in capsys.readouterr().out


def test_the_check_option_fails_with_a_clear_message_when_the_page_differs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stale = tmp_path / "input_contract.md"
    stale.write_text("# An old page\n", encoding="utf-8")
    monkeypatch.setattr(document_contract, "OUTPUT", stale)
    assert document_contract.main(["--check"]) == 1
    assert "run `python scripts/document_contract.py`" in capsys.readouterr().err
    assert stale.read_text(encoding="utf-8") == "# An old page\n"


def test_the_page_documents_every_file_and_column() -> None:
    page = document_contract.OUTPUT.read_text(encoding="utf-8")
    for spec in ALL_FILES:
        assert f"### {spec.file_name}\n" in page
        for column in spec.columns:
            assert f"| `{column.name}` | {column.kind} | {column.treatment} |" in page, column.name


def test_the_examples_folder_has_exactly_the_contract_files() -> None:
    for folder in ("district", "reference"):
        expected = sorted(s.file_name for s in ALL_FILES if s.folder == folder)
        assert sorted(p.name for p in (EXAMPLES / folder).glob("*.csv")) == expected


@pytest.mark.parametrize("spec", ALL_FILES, ids=lambda s: s.name)
def test_every_example_file_has_exactly_the_contract_header(spec: InputFile) -> None:
    data = example_path(spec).read_bytes()
    header = next(csv.reader(io.StringIO(data.decode("utf-8"))))
    assert header == [c.name for c in spec.columns]
    assert not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data


def test_the_examples_load_with_zero_problems(tmp_path: Path) -> None:
    con, report = load(copy_examples(tmp_path))
    assert report.problems == []
    expected = {s.name: (data_records(example_path(s)),) * 2 + (0,) for s in ALL_FILES}
    assert load_log(con) == expected
    assert con.execute("select count(*) from raw.value_notes").fetchone() == (0,)

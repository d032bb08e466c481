"""Write docs/input_contract.md from the input contract (scripts/input_contract.py) and the loader.

    python scripts/document_contract.py           # (re)write docs/input_contract.md
    python scripts/document_contract.py --check   # exit 1 when the committed page is out of date

Everything on the page comes from the code: the files, columns, keys, row rules and references of
the contract; the kinds of value; the command-line options of scripts/load_inputs.py; the codes
the loader and the normalizers write. The only text written here is the meaning of the fixed
codes, and rendering stops with an error when a code of the code base has no meaning here (or a
meaning here names a code the code base no longer has), so the page cannot silently fall behind.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import dataclasses
import functools
import inspect
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import duckdb

import input_contract as ic
import load_inputs as li
import normalize_values as nv
from input_contract import Column, InputFile

PROJECT_ROOT = Path(__file__).resolve().parents[1]
OUTPUT = PROJECT_ROOT / "docs" / "input_contract.md"
EXAMPLES = PROJECT_ROOT / "examples"
MAKEFILE = PROJECT_ROOT / "Makefile"
REGENERATE = "python scripts/document_contract.py"
# Values normalized in every column to learn, from the loader itself, the codes each kind writes.
# The first is accepted by no kind but text: its note is a column's code for an unusable value.
PROBES = (
    "?", "-1", "1e999", "2024-13-01", "3", "Grade 3", "KG", "2024-2025", "United States", "yes", "02128-1234",
    "350302", "25025050101.0", "2.5025090400E+10", "2.5025E+10", "2502505010", "813", "101.03", "0101.03",
    "025025050101", "25025050101", "0250250501011", "12345678901234", "1400000US25025050101", "1073010100",
    "Census Tract 813, Suffolk County, Massachusetts", "Census Tract 813, Middlesex County, Massachusetts",
    "250,000+", "2,500-", "250001", "(X)", *nv.ACS_SPECIAL_VALUES,
)  # fmt: skip

OUTCOME_MEANINGS = {
    "fatal": "the file cannot be read at all: nothing of it is loaded and the check exits 1",
    "quarantined": "the record is not used: it goes to `quarantine.<file>` as written, with its reason codes",
    "value emptied": "the value cannot be used and the column is lenient: it becomes empty (NULL), the "
    "record is kept, and `raw.value_notes` says why",
    "normalized": "the value was usable but not written as the contract asks: it was rewritten, and "
    "`raw.value_notes` keeps what was written",
}
FATAL_MEANINGS = {
    "file_missing": "the file is not in its folder (the name must be exactly `<file>.csv`)",
    "no_header": "the file is empty or its first line is blank; the first line must be the header",
    "invalid_encoding": "the header line is not UTF-8",
    "wrong_delimiter": "the header is one column holding semicolons, tabs or pipes: the file is not "
    "comma-separated",
    "duplicate_column": "a column name appears twice in the header (names are compared case-insensitively)",
    "missing_column": "a required or strict column is absent from the header",
}
FILE_NOTICE_MEANINGS = {
    "missing_optional_column": "a lenient column without a default is absent: all its values are empty",
    "extra_column": "a column the contract does not know: it is ignored",
}
RECORD_REASON_MEANINGS = {
    "invalid_encoding": "the record is not valid UTF-8; it is kept in quarantine without its values",
    "wrong_number_of_fields": "the record has more or fewer fields than the header (an unquoted comma, a "
    "missing field); it is kept in quarantine without its values",
    "line_break_in_value": "a quoted value runs over more than one line (usually an unclosed quote); no "
    "column accepts a line break, so the record, with the lines it spans, is kept in quarantine without "
    "its values and the detail names those lines",
    "duplicate_row": "the record repeats an earlier record value for value: the first copy is used, the "
    "later ones are quarantined",
    "conflicting_duplicate_key": "two or more records have the same key but different values: none of "
    "them is used",
}
NOTE_MEANINGS = {
    "out_of_range": "the number is outside the column's range",
    "acs_missing_symbol": "a symbol that Census tables print instead of an estimate ({symbols}): the "
    "estimate is missing, never zero",
    "top_coded": "a censored estimate such as `250,000+`, or a value at or above the column's top code: "
    "the number is kept and `<column>_censoring` is `top`",
    "bottom_coded": "a censored estimate such as `2,500-`: the number is kept and `<column>_censoring` "
    "is `bottom`",
    "tract_in_other_county": "a tract label of another county than {county_label}",
    "tract_from_label": "the GEOID was read from a label such as `Census Tract 101.03, {county_label}` "
    "(the state may be a postal code or left out: `..., Suffolk County, MA`, `..., Suffolk County`)",
    "geoid_digits_lost": "the identifier has too few or too many digits, or a scientific-notation "
    "rendering lost digits: it cannot be rebuilt",
    "geoid_from_census_id": "a data.census.gov tract GEO_ID (`1400000US25025010802`): the 11 digits after "
    "`1400000US`",
    "geoid_from_scientific_notation": "the GEOID was written in scientific notation (`2.5025090400E+10`) "
    "with every digit kept",
    "geoid_from_float": "the GEOID was written as a decimal number (`25025050101.0`)",
    "tract_number_in_default_county": "a tract number (`813`, `101.03`) read as a tract of county "
    "{county_fips} (option `--county-fips`)",
    "tract_code_in_default_county": "a 6-digit tract code read as a tract of county {county_fips}",
    "leading_zero_restored": "a GEOID that lost its leading zero (10-digit tract, 11-digit block group); "
    "a 10-digit value that starts with the county's own state code (`2502508130`) lost another digit "
    "instead (`geoid_digits_lost`)",
    "leading_zeros_restored": "a school or ZIP code that lost leading zeros (`350302` -> `00350302`)",
    "spurious_leading_zero_removed": "a 13-digit block group GEOID starting with 0: the zero is removed",
    "zip_plus_four_shortened": "a ZIP+4 code (`02128-1234`) shortened to its 5 digits",
    "grade_spelling_normalized": "a grade written another way (`3`, `KG`, `K2`, `Grade 3`, `Ungraded`)",
    "school_year_spelling_normalized": "a school year written `2024-2025` or `2024/25`, rewritten `2024-25`",
    "country_spelling_normalized": "a spelling of the United States (`US`, `United States`) rewritten `USA`",
}
CLI_OPTION_MEANINGS = {
    "--district": "the district folder (default: `$OI_DISTRICT_DIR`, else `{district}`)",
    "--reference": "the reference folder (default: `$OI_REFERENCE_DIR`, else `{reference}`)",
}


class ContractDocError(Exception):
    """The code base and the meanings written here disagree."""


# ---------------------------------------------------------------------------------------------
# Codes, read from the code base.


def _string_constants(node: ast.AST | None) -> set[str]:
    """The strings a note expression can take: a constant, or either branch of `a if c else b`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _string_constants(node.body) | _string_constants(node.orelse)
    return set()


def _call_argument(call: ast.Call, position: int, name: str) -> ast.AST | None:
    if len(call.args) > position:
        return call.args[position]
    return next((k.value for k in call.keywords if k.arg == name), None)


def literal_note_codes() -> set[str]:
    """Note codes written literally in normalize_values.py: the `note` of Normalized(...), an
    argument passed to a function's `note` parameter, or a value assigned to a variable `note`."""
    tree = ast.parse(inspect.getsource(nv))
    note_positions = {"Normalized": [f.name for f in dataclasses.fields(nv.Normalized)].index("note")}
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef):
            parameters = [a.arg for a in function.args.args]
            if "note" in parameters:
                note_positions[function.name] = parameters.index("note")
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in note_positions:
            found |= _string_constants(_call_argument(node, note_positions[node.func.id], "note"))
        elif isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "note" for t in node.targets
        ):
            found |= _string_constants(node.value)
    return found


def loader_calls(function: str, position: int, name: str) -> list[str]:
    """The literal strings passed at `position` (or as `name`) to `function` in load_inputs.py."""
    tree = ast.parse(inspect.getsource(li))
    calls = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == function
    ]
    found = []
    for call in sorted(calls, key=lambda c: (c.lineno, c.col_offset)):
        found += sorted(_string_constants(_call_argument(call, position, name)))
    return list(dict.fromkeys(found))


def fatal_reasons() -> list[str]:
    return loader_calls("FileUnreadable", 0, "reason")


def file_notices() -> dict[str, str]:
    """Non-fatal problems about a whole file: reason -> outcome, from Problem(file, None, ...) calls."""
    tree = ast.parse(inspect.getsource(li))
    notices = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Problem":
            row, reason, outcome = (
                _call_argument(node, i, n) for i, n in ((1, "row"), (3, "reason"), (5, "outcome"))
            )
            if isinstance(row, ast.Constant) and row.value is None:
                for code in sorted(_string_constants(reason)):
                    notices[code] = next(iter(_string_constants(outcome)), "")
    return notices


def outcomes() -> set[str]:
    tree = ast.parse(inspect.getsource(li))
    found = set(loader_calls("Problem", 5, "outcome"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "outcome" for t in node.targets
        ):
            found |= _string_constants(node.value)
    return found


def record_reasons() -> list[str]:
    """Reasons the loader gives whole records: the structural ones and the duplicate ones."""
    duplicates = re.findall(r"\['([a-z_]+)'\]", inspect.getsource(li.record_reasons))
    return list(dict.fromkeys([*li.STRUCTURAL_REASONS, *duplicates]))


@functools.cache
def probe_notes() -> dict[tuple[str, str], tuple[str | None, ...]]:
    """(file, column) -> the note of each of PROBES, normalized with the loader's own code."""
    settings = li.Settings(PROJECT_ROOT, PROJECT_ROOT)
    found = {}
    with duckdb.connect(":memory:") as con:
        for spec in ic.ALL_FILES:
            con.execute(
                f"create temp table probe_{spec.name} ({li.SOURCE_ROW} bigint, "
                + ", ".join(f"{c.name} varchar" for c in spec.columns)
                + ")"
            )
            con.executemany(
                f"insert into probe_{spec.name} values (?{', ?' * len(spec.columns)})",
                [[row, *[probe] * len(spec.columns)] for row, probe in enumerate(PROBES)],
            )
            normalized = li.normalize(con, spec, f"probe_{spec.name}", settings)
            notes = con.execute(
                f"select {', '.join(f'{c.name}__note' for c in spec.columns)} from {normalized} "
                f"order by {li.SOURCE_ROW}"
            ).fetchall()
            for position, column in enumerate(spec.columns):
                found[(spec.name, column.name)] = tuple(row[position] for row in notes)
    return found


def unusable_note(spec: InputFile, column: Column) -> str | None:
    """The code of a value the column's kind does not accept (None: any text is valid)."""
    return probe_notes()[(spec.name, column.name)][0]


def kind_notes() -> dict[str, tuple[list[str], list[str]]]:
    """kind -> (codes of unusable values, codes of normalized values), as the probes found them."""
    found: dict[str, set[str]] = {kind: set() for kind in ic.KINDS}
    for spec in ic.ALL_FILES:
        for column in spec.columns:
            for note in probe_notes()[(spec.name, column.name)]:
                if note and note != "out_of_range":
                    found[column.kind].add("invalid_<column>" if column.kind == "code" else note)
    return {
        kind: (sorted(n - li.NORMALIZATION_NOTES), sorted(n & li.NORMALIZATION_NOTES))
        for kind, n in found.items()
    }


def probed_codes() -> set[str]:
    return {note for notes in probe_notes().values() for note in notes if note}


def _check_meanings(kind: str, derived: Iterable[str], meanings: dict[str, str]) -> None:
    derived = set(derived)
    undocumented, stale = sorted(derived - set(meanings)), sorted(set(meanings) - derived)
    if undocumented or stale:
        raise ContractDocError(
            f"{kind}: no meaning in scripts/document_contract.py for {undocumented or 'none'}; "
            f"meanings of codes the code base no longer has: {stale or 'none'}"
        )


def _code_columns() -> dict[str, list[str]]:
    """Column name -> files, for every column of kind code."""
    columns: dict[str, list[str]] = {}
    for spec in ic.ALL_FILES:
        for column in spec.columns:
            if column.kind == "code":
                columns.setdefault(column.name, []).append(spec.name)
    return columns


def derived_note_meaning(code: str) -> str | None:
    """Meanings of codes built from a kind or a column name (invalid_<kind>, invalid_<column>)."""
    if code in nv_special_notes():
        return nv_special_notes()[code]
    suffix = code.removeprefix("invalid_")
    if suffix != code and suffix in ic.KINDS:
        return f"not a valid {suffix}: {ic.KINDS[suffix]}"
    if suffix != code and suffix in _code_columns():
        return f"not one of the codes of column `{suffix}` ({', '.join(_code_columns()[suffix])})"
    return None


def nv_special_notes() -> dict[str, str]:
    return {
        note: f"Census annotation value `{value}`: {detail}"
        for value, (note, detail) in nv.ACS_SPECIAL_VALUES.items()
    }


def note_codes() -> dict[str, str]:
    """Every note code with its meaning, in a stable order."""
    codes = probed_codes() | set(li.NORMALIZATION_NOTES)
    unprobed = sorted(literal_note_codes() - probed_codes())
    if unprobed:
        raise ContractDocError(
            f"no value of PROBES in scripts/document_contract.py gives note code(s) {unprobed}"
        )
    derived = {c: m for c in codes if (m := derived_note_meaning(c)) is not None}
    _check_meanings("note codes", codes - set(derived), NOTE_MEANINGS)
    fill = {
        "symbols": ", ".join(f"`{s}`" for s in sorted(nv.ACS_MISSING_SYMBOLS)),
        "county_label": li.DEFAULT_COUNTY_LABEL,
        "county_fips": li.DEFAULT_COUNTY_FIPS,
    }
    meanings = {c: m.format(**fill) for c, m in NOTE_MEANINGS.items()} | derived
    for code in codes - probed_codes():
        meanings[code] += " (listed by the loader, but no normalizer writes it at present)"
    return dict(sorted(meanings.items()))


# ---------------------------------------------------------------------------------------------
# The command line of the loader.


class _ParserCaptured(Exception):
    pass


def loader_options() -> list[tuple[str, str]]:
    """(option, meaning) of every option of `load_inputs.py`, read from its argument parser."""
    captured = []

    def capture(parser: argparse.ArgumentParser, *args, **kwargs):
        captured.append(parser)
        raise _ParserCaptured

    with (
        mock.patch.object(argparse.ArgumentParser, "parse_args", capture),
        mock.patch.object(sys, "argv", ["x"]),
        contextlib.suppress(_ParserCaptured),
    ):
        li.main([])
    defaults = {
        "district": _relative(li.DEFAULT_DISTRICT_DIR),
        "reference": _relative(li.DEFAULT_REFERENCE_DIR),
    }
    options = []
    for action in captured[0]._actions:
        if not action.option_strings or action.dest == "help":
            continue
        name = max(action.option_strings, key=len)
        meaning = CLI_OPTION_MEANINGS.get(name, "").format(**defaults) or action.help
        if not meaning:
            raise ContractDocError(f"load_inputs.py option {name} has no help; add it to CLI_OPTION_MEANINGS")
        metavar = f" {action.metavar or action.dest.upper()}" if action.nargs != 0 else ""
        options.append((f"{name}{metavar}", meaning))
    unknown = set(CLI_OPTION_MEANINGS) - {o.split()[0] for o, _ in options}
    if unknown:
        raise ContractDocError(f"load_inputs.py has no option(s) {sorted(unknown)} any more")
    return options


@dataclass(frozen=True)
class MakeTarget:
    comment: str  # the comment lines just above the target
    recipe: list[str]  # with the Makefile's own variables expanded


def make_target(name: str) -> MakeTarget | None:
    """A target of the Makefile, or None when it has no such target."""
    if not MAKEFILE.is_file():
        return None
    lines = MAKEFILE.read_text(encoding="utf-8").splitlines()
    variables = dict(re.findall(r"^(?:export\s+)?(\w+)\s*[:?]?=\s*(.*?)\s*$", "\n".join(lines), re.MULTILINE))

    def expand(text: str) -> str:
        for _ in range(10):
            text = re.sub(r"\$\((\w+)\)", lambda m: variables.get(m.group(1), m.group(0)), text)
        return text

    for number, line in enumerate(lines):
        if re.match(rf"^{re.escape(name)}\s*:(?!=)", line):
            comment = []
            for above in reversed(lines[:number]):
                if not above.startswith("#"):
                    break
                comment.insert(0, above.lstrip("# ").strip())
            recipe = []
            for below in lines[number + 1 :]:
                if not below.startswith("\t"):
                    break
                recipe.append(expand(below.strip()))
            return MakeTarget(" ".join(comment), recipe)
    return None


def _relative(path: Path) -> str:
    return str(path.relative_to(PROJECT_ROOT)) if path.is_relative_to(PROJECT_ROOT) else str(path)


# ---------------------------------------------------------------------------------------------
# Rendering.


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: Iterable[Iterable[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines + [""]


def _codes(codes: Iterable[str]) -> str:
    return ", ".join(f"`{c}`" for c in codes)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def allowed_values(column: Column) -> str:
    if column.kind != "code":
        return ""
    canonical = list(dict.fromkeys(column.codes.values()))
    synonyms = [
        f"{spelling.strip()} = {code}"
        for spelling, code in column.codes.items()
        if spelling.strip() != code.upper()
    ]
    text = _codes(canonical)
    return text + (f" (also accepted: {', '.join(synonyms)})" if synonyms else "")


def value_range(column: Column) -> str:
    parts = []
    if column.minimum is not None and column.maximum is not None:
        parts.append(f"{_number(column.minimum)} to {_number(column.maximum)}")
    elif column.minimum is not None:
        parts.append(f">= {_number(column.minimum)}")
    elif column.maximum is not None:
        parts.append(f"<= {_number(column.maximum)}")
    if column.top_code is not None:
        parts.append(f"top code {_number(column.top_code)}")
    return "; ".join(parts)


def when_absent(column: Column) -> str:
    if column.default is not None:
        return f"`{column.default}`"
    if column.required or column.strict:
        return "fatal (`missing_column`)"
    return "empty (`missing_optional_column`)"


def when_unusable(spec: InputFile, column: Column) -> str:
    note = unusable_note(spec, column)
    if note is None:
        return "(any text)"
    codes = [note] + (["out_of_range"] if column.minimum is not None or column.maximum is not None else [])
    outcome = "value emptied" if column.treatment == "lenient" else "quarantined"
    return f"{_codes(codes)}: {outcome}"


def example_rows(spec: InputFile) -> list[str]:
    """The header and first data record of the example file, as written."""
    path = EXAMPLES / spec.folder / spec.file_name
    with path.open(encoding="utf-8-sig", newline="") as handle:
        lines = handle.read().splitlines()
    return [line for line in lines if line.strip()][:2]


FILE_TABLE_LEGEND = [
    "For each column: its kind, its treatment, the codes it accepts (any case; listed synonyms are "
    "rewritten to their code), its range, what happens when the column is absent from the header, and "
    "the code and outcome of an unusable value (the kind's other codes are under "
    "[kinds of value](#kinds-of-value)).",
]


def render_file(spec: InputFile) -> list[str]:
    lines = [f"### {spec.file_name}", ""]
    lines += [f"Folder: {spec.folder}. {spec.description}", ""]
    lines += [
        f"Key: {_codes(spec.key)} (unique per file; see `duplicate_row`, `conflicting_duplicate_key`).",
        "",
    ]
    lines += _table(
        [
            "Column",
            "Kind",
            "Treatment",
            "Allowed codes",
            "Range",
            "When the column is absent",
            "Unusable value",
            "Meaning",
        ],
        (
            [
                f"`{c.name}`",
                c.kind,
                c.treatment,
                allowed_values(c),
                value_range(c),
                when_absent(c),
                when_unusable(spec, c),
                c.description,
            ]
            for c in spec.columns
        ),
    )
    if spec.row_rules:
        lines += ["Row rules (a record that breaks one is quarantined):", ""]
        lines += [f"- `{r.reason}`: {r.description} (`{r.failing_when}`)." for r in spec.row_rules]
        lines += [""]
    if spec.references:
        lines += [
            "References to other files (loaded first; a value not found there quarantines the record):",
            "",
        ]
        lines += [
            f"- `{r.column}` must be a `{r.file_column}` of [{r.file}.csv](#{r.file}csv), else `{r.reason}`."
            for r in spec.references
        ]
        lines += [""]
    example = EXAMPLES.name + "/" + spec.folder + "/" + spec.file_name
    lines += [f"Example (the header and first record of [{example}](../{example})):", "", "```csv"]
    lines += example_rows(spec) + ["```", ""]
    return lines


def render_validation() -> list[str]:
    district, reference = _relative(li.DEFAULT_DISTRICT_DIR), _relative(li.DEFAULT_REFERENCE_DIR)
    lines = ["## Validating a folder", ""]
    target = make_target("validate")
    if target is not None:
        lines += [f"`make validate`: {target.comment}".rstrip(": "), "", "```sh", "make validate"]
        lines += [f"# runs: {command}" for command in target.recipe] + ["```", ""]
        if not any("--district" in command for command in target.recipe):
            lines += [
                "Point it at other folders with the environment:",
                "",
                "```sh",
                "OI_DISTRICT_DIR=DIR OI_REFERENCE_DIR=DIR make validate",
                "```",
                "",
            ]
        lines += ["or run the loader itself, with options:", ""]
    else:
        lines += ["Run, from the project folder:", ""]
    lines += [
        "```sh",
        ".venv/bin/python scripts/load_inputs.py --check --district DIR --reference DIR",
        "```",
        "",
        "It reads every file of both folders, prints every problem grouped by file, column and code "
        "(the first few records of each; `--all` prints them all), then the records read, loaded and "
        "quarantined per file, and loads nothing. It exits with 1 when a problem is fatal, else 0.",
        "",
    ]
    lines += _table(["Option", "Meaning"], ([f"`{o}`", m] for o, m in loader_options()))
    lines += [
        f"Without options the folders are `$OI_DISTRICT_DIR` (default `{district}`) and `$OI_REFERENCE_DIR` "
        f"(default `{reference}`). Examples in exactly this format: [examples/](../examples/README.md).",
        "",
    ]
    return lines


def render_conventions() -> list[str]:
    return [
        "## Format of every file",
        "",
        "- One CSV file per table, named exactly `<file>.csv`, in its folder (district or reference).",
        "- Encoding UTF-8, with or without a byte order mark (BOM). A header that is not UTF-8 is fatal "
        "(`invalid_encoding`); a record that is not UTF-8 is quarantined (`invalid_encoding`).",
        "- Line endings LF, CRLF (Windows) or CR (old Mac exports). Blank lines are skipped, not numbered.",
        "- Comma-separated. A value holding a comma or a double quote is quoted with double quotes, and a "
        'double quote inside it is doubled (`"a ""quoted"", value"`). No value may hold a line break '
        "(`line_break_in_value`). A file separated by semicolons, tabs or pipes is fatal "
        "(`wrong_delimiter`).",
        "- The first line is the header. Column names are case-insensitive and trimmed; columns may "
        "come in any order; a column the contract does not know is ignored (`extra_column`); a name "
        "twice is fatal (`duplicate_column`).",
        "- A required or strict column absent from the header is fatal (`missing_column`). An absent "
        "lenient column is empty in every record (`missing_optional_column`), or takes its default.",
        "- Every record has as many fields as the header (trailing empty fields are ignored), else it is "
        "quarantined (`wrong_number_of_fields`).",
        "- Values are trimmed; an empty value (or only spaces) is missing. Numbers use a decimal point "
        "and may have thousands separators where they group three digits (`1,234.5`), a leading `$` and "
        "scientific notation (`5e2`); `1,5`, `12,34` or `1_80` are not numbers (never 15, 1234 or 180); "
        "dates are `YYYY-MM-DD`. Identifiers are compared exactly (`r0905` is not `R0905`).",
        "- An `address_type` that cannot be read is emptied with a note, and the address counts as a home "
        "(its tract is used).",
        f"- Records are numbered from 1, the first record after the header: `{ic.SOURCE_ROW}` in every "
        "table and `row N` in the report.",
        "",
    ]


QUARANTINED_VALUE = "record quarantined (the value's note code)"
FATAL_COLUMN = "fatal (`missing_column`)"


def render_treatments() -> list[str]:
    lines = ["## Required, strict and lenient columns", ""]
    lines += _table(
        ["Treatment", "Empty value", "Unusable value", "Column absent from the header"],
        [
            ["required", "record quarantined (`missing_<column>`)", QUARANTINED_VALUE, FATAL_COLUMN],
            ["strict", "allowed (unknown)", QUARANTINED_VALUE, FATAL_COLUMN],
            ["lenient", "allowed (unknown)", "value emptied, record kept (note in `raw.value_notes`)",
             "every value empty (`missing_optional_column`), or the column's default"],
        ],
    )  # fmt: skip
    return lines


def render_kinds() -> list[str]:
    notes = kind_notes()
    lines = ["## Kinds of value", ""]
    lines += [
        "The codes of unusable and of normalized values are explained under "
        "[value note codes](#value-note-codes); a column with a range also gives `out_of_range`.",
        "",
    ]
    lines += _table(
        ["Kind", "What is accepted", "Loaded as", "Codes of unusable values", "Codes of normalized values"],
        (
            [
                f"`{kind}`",
                meaning,
                li.SQL_TYPES[kind],
                _codes(notes[kind][0]) or "(any text is valid)",
                _codes(notes[kind][1]),
            ]
            for kind, meaning in ic.KINDS.items()
        ),
    )
    grades: dict[str, list[str]] = {}
    for spelling, grade in nv._GRADE_SYNONYMS.items():
        grades.setdefault(grade, []).append(spelling)
    lines += [
        "Accepted spellings (case-insensitive):",
        "",
        f"- `flag`: true {_codes(sorted(nv.FLAG_TRUE))}; false {_codes(sorted(nv.FLAG_FALSE))}.",
        "- `grade`: 1-12 with or without a leading zero or the word Grade; "
        + "; ".join(f"{_codes(s)} = `{g}`" for g, s in grades.items())
        + ".",
        f"- `country`: {_codes(sorted(nv._USA))} = `USA`; any other 3 letters are taken as an ISO code.",
        f"- `acs_number`: the Census annotation values {_codes(nv.ACS_SPECIAL_VALUES)} and the symbols "
        f"{_codes(sorted(nv.ACS_MISSING_SYMBOLS))} are missing estimates, each with its note code (below).",
        "",
    ]
    return lines


def render_codes() -> list[str]:
    _check_meanings("fatal reasons", fatal_reasons(), FATAL_MEANINGS)
    notices = file_notices()
    _check_meanings("file notices", notices, FILE_NOTICE_MEANINGS)
    _check_meanings("record reasons", record_reasons(), RECORD_REASON_MEANINGS)
    _check_meanings("outcomes", outcomes(), OUTCOME_MEANINGS)
    lines = ["## Outcomes and codes", ""]
    lines += [
        "Every record of a file ends in exactly one place: `raw.<file>` (used, with typed and normalized "
        f"values and its `{ic.SOURCE_ROW}`) or `quarantine.<file>` (not used, as written, with "
        "`reason_codes` and `reason_detail`, several joined by `; `). `raw.value_notes` lists every value "
        "that was not taken as written, and `raw.load_log` counts the records read, loaded and "
        "quarantined per file. Each problem has one of these outcomes:",
        "",
    ]
    lines += _table(["Outcome", "Meaning"], ([f"`{o}`", OUTCOME_MEANINGS[o]] for o in OUTCOME_MEANINGS))
    lines += ["### Fatal problems", ""]
    lines += _table(["Code", "Meaning"], ([f"`{c}`", FATAL_MEANINGS[c]] for c in fatal_reasons()))
    lines += ["### Notices about a whole file (not fatal)", ""]
    lines += _table(
        ["Code", "Outcome", "Meaning"], ([f"`{c}`", o, FILE_NOTICE_MEANINGS[c]] for c, o in notices.items())
    )
    lines += ["### Quarantine reason codes", ""]
    lines += [
        "A required or strict value that cannot be used quarantines its record with the value's note code "
        "(next section), such as `invalid_date` or `out_of_range`. The other reasons:",
        "",
    ]
    reasons: dict[tuple[str, str], list[str]] = {
        (c, RECORD_REASON_MEANINGS[c]): ["every file"] for c in record_reasons()
    }
    for spec in ic.ALL_FILES:
        found = [
            (f"missing_{c.name}", f"the required `{c.name}` is empty") for c in spec.columns if c.required
        ]
        found += [(r.reason, r.description) for r in spec.row_rules]
        found += [
            (r.reason, f"`{r.column}` is not a `{r.file_column}` of {r.file}.csv") for r in spec.references
        ]
        for reason in found:
            reasons.setdefault(reason, []).append(spec.name)
    lines += _table(
        ["Code", "Meaning", "Files"], ([f"`{c}`", m, ", ".join(f)] for (c, m), f in reasons.items())
    )
    lines += ["### Value note codes", ""]
    lines += [
        "Written in `raw.value_notes` for a value of a used record that was not taken as written. A note "
        "that keeps the value is a normalization; any other leaves the value unusable: emptied in a "
        "lenient column, or the record quarantined with it as reason code in a required or strict column.",
        "",
    ]
    lines += _table(
        ["Code", "Value", "Meaning"],
        (
            [f"`{c}`", "kept (normalized)" if c in li.NORMALIZATION_NOTES else "unusable", m]
            for c, m in note_codes().items()
        ),
    )
    return lines


def render() -> str:
    lines = [
        "# Input contract: the files a district provides",
        "",
        "<!-- Generated by scripts/document_contract.py from scripts/input_contract.py; do not edit. "
        f"Regenerate with `{REGENERATE}`. -->",
        "",
        "The warehouse reads two folders of CSV files: the **district** folder, exported from the "
        "student information system, and the **reference** folder (census tracts, 311 disorder, crime, "
        "subsidized housing, the schools and their enrollment by grade). "
        "This page lists every file, every column and every code the loader "
        "(`scripts/load_inputs.py`) writes; it is generated from the contract "
        "(`scripts/input_contract.py`), which the loader enforces.",
        "",
        "Files: "
        + "; ".join(
            f"{folder}: "
            + ", ".join(f"[{s.file_name}](#{s.name}csv)" for s in ic.ALL_FILES if s.folder == folder)
            for folder in ("district", "reference")
        )
        + ".",
        "",
    ]
    lines += render_validation()
    lines += render_conventions()
    lines += render_treatments()
    lines += render_kinds()
    lines += render_codes()
    for title, files in (("District folder", ic.DISTRICT_FILES), ("Reference folder", ic.REFERENCE_FILES)):
        lines += [f"## {title}", "", *FILE_TABLE_LEGEND, ""]
        for spec in files:
            lines += render_file(spec)
    return "\n".join(lines).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if the committed page is out of date")
    args = parser.parse_args(argv)
    try:
        page = render()
    except ContractDocError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    target = _relative(OUTPUT)
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.is_file() else None
        if current != page:
            state = "is missing" if current is None else "differs from what the contract generates"
            print(f"{target} {state}: run `{REGENERATE}` and commit the result.", file=sys.stderr)
            return 1
        print(f"{target} is up to date.")
        return 0
    OUTPUT.write_text(page, encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

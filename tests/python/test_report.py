"""The static HTML report: every page loads in a real headless Chromium with no console error and no
request beyond its own files, the numbers shown equal the marts, screenshots are written, and the
same marts give the same bytes.

Chromium is Debian's (`apt-get install chromium`); without it the browser tests are skipped, unless
OI_REQUIRE_BROWSER=1 (as in CI), where its absence fails them. Screenshots go to
OI_SCREENSHOT_DIR when set, else to the test's temporary folder.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest

import build_report
from warehouse_helpers import PROJECT_ROOT, Warehouse

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Flags that keep Chromium from reaching for the network at start-up (the machine has none).
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def report_dir(warehouse: Warehouse) -> Path:
    return warehouse.duckdb_path.parent / "report"


# ---------------------------------------------------------------------------------------------
# Reading a shown number back: the check does not reuse the report's formatter.


def shown_value(text: str, kind: str) -> Decimal | None:
    text = text.strip()
    if text == "–":
        return None
    if kind == "percent":
        assert re.fullmatch(r"-?\d+%", text), text
        return Decimal(text[:-1]) / 100
    if kind == "dollars":
        assert re.fullmatch(r"\$\d{1,3}(,\d{3})*", text), text
        return Decimal(text[1:].replace(",", ""))
    if kind == "count":
        assert re.fullmatch(r"\d{1,3}(,\d{3})*", text), text
        return Decimal(text.replace(",", ""))
    assert re.fullmatch(r"[+-]?\d+\.\d+", text), text
    return Decimal(text)


def display_tolerance(text: str, kind: str) -> Decimal:
    """Half a unit of the last digit shown."""
    if kind == "count":
        return Decimal(0)
    if kind == "dollars":
        return Decimal("0.5")  # whole dollars (awards are whole in the mart; per-pupil amounts are not)
    if kind == "percent":
        return Decimal("0.005")
    decimals = len(text.strip().split(".")[1])
    return Decimal(5) / Decimal(10) ** (decimals + 1)


def assert_number_equals_mart(
    connection: duckdb.DuckDBPyConnection, query: str, kind: str, text: str
) -> None:
    rows = connection.execute(query).fetchall()
    assert len(rows) == 1 and len(rows[0]) == 1, f"{query} returned {rows}"
    value = rows[0][0]
    shown = shown_value(text, kind)
    if value is None:
        assert shown is None, f"{query}: the page shows {text!r}, the mart holds NULL"
        return
    assert shown is not None, f"{query}: the page shows no value, the mart holds {value}"
    difference = abs(shown - Decimal(repr(value) if isinstance(value, float) else str(value)))
    assert difference <= display_tolerance(text, kind) + Decimal("1e-12"), (
        f"{query}: the page shows {text!r}, the mart holds {value}"
    )


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("0.56", "oi", Decimal("0.56")),
        ("+0.210", "score", Decimal("0.210")),
        ("-1.342", "score", Decimal("-1.342")),
        ("73%", "percent", Decimal("0.73")),
        ("$6,000,000", "dollars", Decimal(6_000_000)),
        ("46,094", "count", Decimal(46_094)),
        ("–", "count", None),
    ],
)
def test_shown_numbers_read_back(text: str, kind: str, expected: Decimal | None) -> None:
    assert shown_value(text, kind) == expected


@pytest.mark.parametrize(
    ("value", "kind", "text"),
    [
        (0.555, "oi", "0.56"),  # half-up, not to even
        (0.125, "oi", "0.13"),
        (0.7333, "percent", "73%"),
        (1.0, "percent", "100%"),
        (-0.0004, "score", "-0.000"),
        (0.2105, "score", "+0.211"),
        (6_000_000, "dollars", "$6,000,000"),
        (634.5, "dollars", "$635"),
        (None, "count", "–"),
        (pd.NA, "count", "–"),
        (float("nan"), "score", "–"),
    ],
)
def test_report_formats_numbers_half_up(value: object, kind: str, text: str) -> None:
    assert build_report.format_value(value, kind) == text


# ---------------------------------------------------------------------------------------------
# Files.


def test_report_has_every_page(built_warehouse: Warehouse) -> None:
    folder = report_dir(built_warehouse)
    codes = built_warehouse.query("select school_code from marts.fct_school_opportunity")["school_code"]
    for name in ("index.html", "map.html", "weights.html", "allocation.html"):
        assert (folder / name).is_file(), name
    assert sorted(p.stem for p in (folder / "schools").glob("*.html")) == sorted(codes)


def test_report_is_self_contained(built_warehouse: Warehouse) -> None:
    """No script, stylesheet, font or image from anywhere: every link is to another page of the report."""
    for page in sorted(report_dir(built_warehouse).rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        assert "<script" not in html, page
        for target in re.findall(r'(?:href|src)="([^"]+)"', html):
            assert not re.match(r"[a-z]+:", target), f"{page.name} links outside the report: {target}"
            assert (page.parent / target).resolve().is_file(), f"{page.name}: broken link {target}"


def test_same_marts_give_the_same_report_bytes(built_warehouse: Warehouse, tmp_path: Path) -> None:
    for run in ("first", "second"):
        assert (
            build_report.main(["--duckdb", str(built_warehouse.duckdb_path), "--output", str(tmp_path / run)])
            == 0
        )
    first = sorted(p.relative_to(tmp_path / "first") for p in (tmp_path / "first").rglob("*.html"))
    assert first == sorted(p.relative_to(tmp_path / "second") for p in (tmp_path / "second").rglob("*.html"))
    for relative in first:
        assert (tmp_path / "first" / relative).read_bytes() == (tmp_path / "second" / relative).read_bytes()


def test_map_draws_every_tract_and_lists_the_excluded(built_warehouse: Warehouse) -> None:
    html = (report_dir(built_warehouse) / "map.html").read_text(encoding="utf-8")
    boundaries = build_report.load_boundaries(build_report.DEFAULT_BOUNDARIES)
    for geoid, _ in boundaries:
        assert html.count(f'data-tract="{geoid}"') == len(build_report.NEIGHBORHOOD_COMPONENTS), geoid
    excluded = built_warehouse.query(
        "select tract_geoid, exclusion_reason from marts.dim_tracts where is_excluded_from_statistics"
    )
    assert len(excluded) > 0
    assert f"Tracts excluded from the tract statistics ({len(excluded)})" in html
    for row in excluded.itertuples():
        assert f"<td>{row.tract_geoid}</td>" in html and row.exclusion_reason in html


def test_missing_boundaries_leave_the_map_out_with_a_note(built_warehouse: Warehouse, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.geojson"
    arguments = ["--duckdb", str(built_warehouse.duckdb_path), "--output", str(tmp_path / "r")]
    assert build_report.main([*arguments, "--boundaries", str(missing)]) == 0
    html = (tmp_path / "r" / "map.html").read_text(encoding="utf-8")
    assert f"No tract boundary file ({missing})" in html and "data-tract" not in html


def test_missing_warehouse_is_a_clear_error(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "scripts" / "build_report.py"),
         "--duckdb", str(tmp_path / "no.duckdb"), "--output", str(tmp_path / "r")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 1
    assert (
        result.stderr.strip()
        == f"error: {tmp_path / 'no.duckdb'}: warehouse file not found; run `make run` first"
    )


def test_warehouse_without_marts_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    duckdb.connect(str(tmp_path / "empty.duckdb")).close()
    assert (
        build_report.main(["--duckdb", str(tmp_path / "empty.duckdb"), "--output", str(tmp_path / "r")]) == 1
    )
    error = capsys.readouterr().err
    assert (
        error.startswith(f"error: {tmp_path / 'empty.duckdb'}: a mart is missing")
        and "Traceback" not in error
    )


# ---------------------------------------------------------------------------------------------
# In the browser.


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        if os.environ.get("OI_REQUIRE_BROWSER") == "1":
            pytest.fail("OI_REQUIRE_BROWSER=1 but no chromium on PATH (apt-get install chromium)")
        pytest.skip("no chromium on PATH (apt-get install chromium); set OI_REQUIRE_BROWSER=1 to require it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def screenshot_dir(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("OI_SCREENSHOT_DIR", tmp_path / "screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_every_page_loads_cleanly_and_shows_the_marts(
    built_warehouse: Warehouse, browser, tmp_path: Path
) -> None:
    folder = report_dir(built_warehouse)
    pages = sorted(folder.rglob("*.html"))
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems: list[str] = []
    page.on("console", lambda message: problems.append(f"console {message.type}: {message.text}")
            if message.type in ("error", "warning") else None)  # fmt: skip
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("request", lambda request: problems.append(f"request {request.url}")
            if not request.url.startswith("file://") else None)  # fmt: skip
    checked = 0
    with duckdb.connect(str(built_warehouse.duckdb_path), read_only=True) as connection:
        for path in pages:
            page.goto(path.as_uri())
            assert page.title().endswith("· Opportunity Index"), path
            numbers = page.eval_on_selector_all(
                "span.num", "spans => spans.map(s => [s.dataset.query, s.dataset.kind, s.innerText])"
            )
            assert numbers, f"{path.name} shows no number from the marts"
            for query, kind, text in numbers:
                assert_number_equals_mart(connection, query, kind, text)
            checked += len(numbers)
    page.close()
    assert problems == []
    schools = len(built_warehouse.query("select school_code from marts.fct_school_opportunity"))
    assert checked > 20 * schools  # every profile shows its OI, components and funds


def test_screenshots_of_overview_map_and_a_profile(
    built_warehouse: Warehouse, browser, tmp_path: Path
) -> None:
    folder = report_dir(built_warehouse)
    top = built_warehouse.query(
        "select school_code from marts.fct_school_opportunity "
        "order by opportunity_index_unrounded desc, school_code limit 1"
    )["school_code"][0]
    shots = screenshot_dir(tmp_path)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    for name, path in (
        ("overview", folder / "index.html"),
        ("map", folder / "map.html"),
        ("school_profile", folder / "schools" / f"{top}.html"),
        ("funds", folder / "allocation.html"),
    ):
        page.goto(path.as_uri())
        page.screenshot(path=str(shots / f"report_{name}.png"), full_page=True)
        image = (shots / f"report_{name}.png").read_bytes()
        assert image.startswith(PNG_SIGNATURE) and len(image) > 20_000, name
    # The map holds two drawn choropleths, one path per tract each.
    page.goto((folder / "map.html").as_uri())
    assert page.locator("svg path[data-tract]").count() == 2 * len(
        build_report.load_boundaries(build_report.DEFAULT_BOUNDARIES)
    )
    page.close()


def test_the_histogram_counts_every_school_once(built_warehouse: Warehouse) -> None:
    html = (report_dir(built_warehouse) / "index.html").read_text(encoding="utf-8")
    bars = re.findall(r"<title>(\d+) (\w+) school\(s\) with OI (\d\.\d\d) to", html)
    counted = built_warehouse.query(
        "select school_level, count(*) as schools from marts.fct_school_opportunity group by 1"
    )
    by_level: dict[str, int] = {}
    for count, level, _ in bars:
        by_level[level] = by_level.get(level, 0) + int(count)
    assert by_level == dict(zip(counted["school_level"], counted["schools"], strict=True))
    # A school at exactly 0.60 is in the 0.60-0.65 band (bands are whole hundredths, not floats).
    at_060 = built_warehouse.query(
        "select count(*) from marts.fct_school_opportunity where opportunity_index = 0.60"
    )
    shown = sum(int(count) for count, _, low in bars if low == "0.60")
    assert shown >= int(at_060.iloc[0, 0])


def test_a_need_is_said_to_stand_out_only_when_it_is_above_average_and_above_the_middle(
    built_warehouse: Warehouse,
) -> None:
    sentences = 0
    for page in sorted((report_dir(built_warehouse) / "schools").glob("*.html")):
        html = page.read_text(encoding="utf-8")
        found = re.search(r"stands out most on <b>[^<]+</b> \(mean score <span[^>]*>([^<]+)</span>\): "
                          r"higher than at <span[^>]*>(\d+)%</span>", html)  # fmt: skip
        if found:
            sentences += 1
            assert found.group(1).startswith("+") and int(found.group(2)) >= 50, page.name
        else:
            assert "On no component is its students' need both above" in html, page.name
    assert sentences > 0

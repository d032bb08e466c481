"""Write the static HTML report from the warehouse marts: viewable offline, no scripts, no fonts
or images from elsewhere (styles and SVG charts are inline).

    python scripts/build_report.py --duckdb WAREHOUSE --output DIR [--boundaries GEOJSON]

DIR receives index.html (district overview), map.html (tract choropleths of the neighborhood
components), weights.html (fitted weights and fit statistics), allocation.html (the funds) and
schools/<school_code>.html (one profile per school). Every number shown from the marts carries, in
its data-query attribute, the SQL that reads it from the warehouse, so a test can check that the
page equals the marts. The same marts give the same bytes.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from html import escape
from pathlib import Path

import duckdb
import pandas as pd

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_BOUNDARIES = PROJECT_ROOT / "seeds" / "reference" / "census_tract_boundaries_2010.geojson"
LEVELS = ("elementary", "middle", "high")
LEVEL_COLORS = {"elementary": "#1b9e77", "middle": "#d95f02", "high": "#7570b3"}
# Five classes, light (less need) to dark (more need); colour-blind safe (ColorBrewer OrRd).
CLASS_COLORS = ("#fef0d9", "#fdcc8a", "#fc8d59", "#e34a33", "#b30000")
NEIGHBORHOOD_COMPONENTS = ("neighborhood_socioeconomic", "neighborhood_safety_disorder")
PROGRESS_EVERY = 25


class ReportError(Exception):
    """A problem with the report's inputs, told to the user without a stack trace."""


# ---------------------------------------------------------------------------------------------
# Numbers: formatted text plus the query that reads the value from the warehouse.


def sql_literal(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def mart_query(column: str, table: str, **key: str) -> str:
    where = " and ".join(f"{name} = {sql_literal(value)}" for name, value in key.items())
    return f"select {column} from marts.{table}" + (f" where {where}" if where else "")


def half_up(value: float, places: int) -> Decimal:
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def format_value(value: object, kind: str) -> str:
    """kinds: oi (2 decimals), score (3 decimals, signed), percent (0-1 shown as a whole %),
    dollars, count, r2 (3 decimals), weight (3 decimals)."""
    if value is None or pd.isna(value):  # None, NaN, pandas' NA and NaT
        return "–"
    if kind == "oi":
        return f"{half_up(float(value), 2):.2f}"
    if kind == "score":
        return f"{half_up(float(value), 3):+.3f}"
    if kind in ("weight", "r2", "contribution"):
        return f"{half_up(float(value), 3):.3f}"
    if kind == "percent":
        return f"{half_up(float(value) * 100, 0):.0f}%"
    if kind == "dollars":
        return f"${int(half_up(float(value), 0)):,}"
    if kind == "count":
        return f"{int(value):,}"
    raise ValueError(f"unknown number kind {kind}")


def number(value: object, kind: str, query: str) -> str:
    return (
        f'<span class="num" data-kind="{kind}" data-query="{escape(query)}">'
        f"{escape(format_value(value, kind))}</span>"
    )


def cell(row: pd.Series, column: str, kind: str, table: str, **key: str) -> str:
    return number(row[column], kind, mart_query(column, table, **key))


def tr(*cells: str) -> str:
    """A table row; a cell starting with '#' is a number, right-aligned (the '#' is dropped)."""
    parts = [f'<td class="r">{c[1:]}</td>' if c.startswith("#") else f"<td>{c}</td>" for c in cells]
    return "<tr>" + "".join(parts) + "</tr>"


def th(*headings: str) -> str:
    parts = [f'<th class="r">{h[1:]}</th>' if h.startswith("#") else f"<th>{h}</th>" for h in headings]
    return "<tr>" + "".join(parts) + "</tr>"


# ---------------------------------------------------------------------------------------------
# Reading the marts.


@dataclass
class Marts:
    schools: pd.DataFrame
    profiles: pd.DataFrame
    weights: pd.DataFrame
    funds: pd.DataFrame
    allocations: pd.DataFrame
    tracts: pd.DataFrame
    students: dict[str, int]


def read_marts(warehouse: Path) -> Marts:
    if not warehouse.is_file():
        raise ReportError(f"{warehouse}: warehouse file not found; run `make run` first")
    try:
        connection = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error as error:
        raise ReportError(f"{warehouse}: cannot open the warehouse ({str(error).splitlines()[0]})") from error
    with connection:
        try:
            schools = connection.sql(
                """
                select opportunity.*, schools.neighborhood, schools.street_address, schools.grades_offered,
                    schools.latitude, schools.longitude
                from marts.fct_school_opportunity as opportunity
                left join marts.dim_schools as schools using (school_code)
                order by opportunity.school_code
                """
            ).df()
            profiles = connection.sql(
                "select * from marts.fct_school_component_profile order by school_code, display_order"
            ).df()
            weights = connection.sql(
                "select * from marts.dim_component_weights order by school_level, display_order"
            ).df()
            funds = connection.sql("select * from marts.fct_funds order by display_order, fund_name").df()
            allocations = connection.sql(
                "select * from marts.fct_school_fund_allocations order by fund_name, school_code"
            ).df()
            tracts = connection.sql(
                """
                select components.*, tracts.tract_name, tracts.planning_district,
                    tracts.is_excluded_from_statistics, tracts.exclusion_reason
                from marts.fct_tract_neighborhood_components as components
                left join marts.dim_tracts as tracts using (tract_geoid)
                order by components.tract_geoid
                """
            ).df()
            students = connection.sql(
                """
                select count(*) as enrolled,
                    count(need_percentile) as scored,
                    count(case when neighborhood_imputed then 1 end) as imputed,
                    count(case when is_partially_scored then 1 end) as partial
                from marts.fct_student_opportunity
                """
            ).df()
        except duckdb.CatalogException as error:
            raise ReportError(
                f"{warehouse}: a mart is missing ({str(error).splitlines()[0]}); run `make run` first"
            ) from error
    if schools.empty:
        raise ReportError(f"{warehouse}: marts.fct_school_opportunity has no schools")
    return Marts(
        schools=schools,
        profiles=profiles,
        weights=weights,
        funds=funds,
        allocations=allocations,
        tracts=tracts,
        students={name: int(value) for name, value in students.iloc[0].items()},
    )


SCHOOLS = "marts.fct_school_opportunity"
STUDENT_COUNT_QUERIES = {
    "enrolled": "select count(*) from marts.fct_student_opportunity",
    "scored": "select count(need_percentile) from marts.fct_student_opportunity",
    "imputed": "select count(*) from marts.fct_student_opportunity where neighborhood_imputed",
    "partial": "select count(*) from marts.fct_student_opportunity where is_partially_scored",
}


# ---------------------------------------------------------------------------------------------
# Page frame.

STYLE = """
body{font-family:"DejaVu Sans",Arial,sans-serif;margin:0;color:#222;background:#fafafa}
header{background:#17324d;color:#fff;padding:12px 24px}
header h1{margin:0;font-size:20px}
nav a{color:#cfe3ff;margin-right:18px;text-decoration:none}
nav a:hover{text-decoration:underline}
main{padding:16px 24px;max-width:1180px}
h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ccc;padding-bottom:4px}
table{border-collapse:collapse;font-size:13px;margin:8px 0}
th,td{padding:3px 8px;border-bottom:1px solid #e3e3e3;text-align:left;vertical-align:top}
th{background:#eef2f6}
td.r,th.r{text-align:right}
.num{font-variant-numeric:tabular-nums}
.cards{display:flex;flex-wrap:wrap;gap:12px}
.card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:10px 14px;min-width:150px}
.card .big{font-size:26px;font-weight:bold}
.card .label{font-size:12px;color:#555}
.note{font-size:12px;color:#555;max-width:900px}
.levels{display:flex;flex-wrap:wrap;gap:24px}
svg text{font-family:"DejaVu Sans",Arial,sans-serif}
.maps{display:flex;flex-wrap:wrap;gap:16px}
.maps>div{max-width:560px}
.legend .swatch{display:inline-block;width:18px;height:12px;margin-right:4px;border:1px solid #999;
vertical-align:middle}
.eligible{color:#0a6b2d;font-weight:bold}
.warning{background:#fff3cd;border:1px solid #d39e00;padding:6px 10px;max-width:900px}
.legend .item{white-space:nowrap;margin-right:12px;display:inline-block}
.hatched{background:repeating-linear-gradient(45deg,#e6e6e6 0 3px,#999 3px 4px)}
svg.fluid{max-width:100%;height:auto}
.below{color:#9a5b00}
"""


def page(title: str, body: str, depth: int = 0) -> str:
    up = "../" * depth
    links = [
        ("index.html", "Overview"),
        ("map.html", "Neighborhood map"),
        ("weights.html", "Weights"),
        ("allocation.html", "Funds"),
    ]
    nav = "".join(f'<a href="{up}{href}">{label}</a>' for href, label in links)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)} · Opportunity Index</title>\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<style>{STYLE}</style>\n</head>\n<body>\n"
        f"<header><h1>Opportunity Index · {escape(title)}</h1><nav>{nav}</nav></header>\n"
        f"<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def school_link(code: str, name: str, depth: int = 0) -> str:
    return f'<a href="{"../" * depth}schools/{escape(code)}.html">{escape(name or code)}</a>'


def card(value_html: str, label: str) -> str:
    return (
        f'<div class="card"><div class="big">{value_html}</div><div class="label">{escape(label)}</div></div>'
    )


# ---------------------------------------------------------------------------------------------
# Overview.


def histogram_svg(schools: pd.DataFrame) -> str:
    """Schools per OI band of 0.05, stacked by level."""
    bands = [i / 20 for i in range(20)]
    # Band by whole hundredths (the OI has two decimals): 0.60 is in 0.60-0.65, never also below.
    band_of = (
        (schools["opportunity_index"].astype(float) * 100).round().astype(int).floordiv(5).clip(upper=19)
    )
    counts = {
        level: [
            int(((schools["school_level"] == level) & (band_of == band)).sum())
            for band in range(len(bands))
        ]
        for level in LEVELS
    }  # fmt: skip
    totals = [sum(counts[level][i] for level in LEVELS) for i in range(len(bands))]
    height, bar, left, bottom = 200, 30, 36, 30
    top = max(max(totals), 1)
    width, full_height = left + bar * len(bands) + 140, height + bottom + 10
    parts = [f'<svg class="fluid" width="{width}" height="{full_height}" viewBox="0 0 {width} {full_height}" '
             'role="img" aria-label="Schools per OI band">']  # fmt: skip
    for step in range(0, top + 1, max(1, math.ceil(top / 5))):
        y = 10 + height - height * step / top
        parts.append(
            f'<line x1="{left}" x2="{left + bar * len(bands)}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
        )
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end">{step}</text>')
    for i, low in enumerate(bands):
        base = 10 + height
        for level in LEVELS:
            n = counts[level][i]
            if not n:
                continue
            h = height * n / top
            base -= h
            parts.append(
                f'<rect x="{left + i * bar + 2}" y="{base:.1f}" width="{bar - 4}" height="{h:.1f}" '
                f'fill="{LEVEL_COLORS[level]}"><title>{n} {level} school(s) with OI {low:.2f} to '
                f"{low + 0.05:.2f}</title></rect>"
            )
        if i % 2 == 0:
            parts.append(f'<text x="{left + i * bar}" y="{height + 25}" font-size="11">{low:.1f}</text>')
    parts.append(f'<text x="{left + bar * len(bands) - 8}" y="{height + 25}" font-size="11">1.0</text>')
    for j, level in enumerate(LEVELS):
        y = 20 + j * 18
        x = left + bar * len(bands) + 16
        parts.append(f'<rect x="{x}" y="{y - 10}" width="12" height="12" fill="{LEVEL_COLORS[level]}"/>')
        parts.append(f'<text x="{x + 18}" y="{y}" font-size="12">{level}</text>')
    parts.append("</svg>")
    return "".join(parts)


def oi_bar(value: float, threshold: float | None) -> str:
    width = 160
    mark = ""
    if threshold is not None:
        x = width * threshold
        mark = f'<line x1="{x:.1f}" x2="{x:.1f}" y1="0" y2="14" stroke="#000" stroke-dasharray="2,2"/>'
    return (
        f'<svg width="{width}" height="14" aria-hidden="true"><rect x="0" y="2" width="{width}" height="10" '
        f'fill="#eee"/><rect x="0" y="2" width="{width * value:.1f}" height="10" fill="#c0392b"/>{mark}</svg>'
    )


def first_fund(marts: Marts) -> pd.Series | None:
    with_threshold = marts.funds[marts.funds["min_opportunity_index"].notna()]
    return with_threshold.iloc[0] if not with_threshold.empty else None


def overview_page(marts: Marts) -> str:
    schools = marts.schools
    fund = first_fund(marts)
    threshold = float(fund["min_opportunity_index"]) if fund is not None else None
    s = marts.students
    cards = [
        card(number(len(schools), "count", f"select count(*) from {SCHOOLS}"), "schools scored"),
        card(number(s["enrolled"], "count", STUDENT_COUNT_QUERIES["enrolled"]), "students enrolled"),
        card(
            number(schools["opportunity_index"].astype(float).min(), "oi",
                   "select min(opportunity_index) from marts.fct_school_opportunity")
            + " – "
            + number(schools["opportunity_index"].astype(float).max(), "oi",
                     "select max(opportunity_index) from marts.fct_school_opportunity"),
            "lowest and highest school OI",
        ),
    ]  # fmt: skip
    if fund is not None:
        cards.append(
            card(
                cell(fund, "eligible_schools", "count", "fct_funds", fund_name=fund["fund_name"]),
                f"schools with OI ≥ {float(fund['min_opportunity_index']):.2f} ({fund['fund_label']})",
            )
        )
    cards.append(card(number(s["imputed"], "count", STUDENT_COUNT_QUERIES["imputed"]),
                      "students with imputed neighborhood"))  # fmt: skip
    body = [
        '<p class="note">The Opportunity Index (OI) measures the need a school\'s students bring with them, '
        "from factors outside the school's control: their neighborhoods, family circumstances, immigration "
        "and prior performance. It runs from 0.01 to 0.99; higher means more need. "
        "Race is never an input.</p>",
        f'<div class="cards">{"".join(cards)}</div>',
        "<h2>How the schools' OI is distributed</h2>",
        histogram_svg(schools),
        "<h2>Schools ranked by OI, by level</h2>",
    ]
    if threshold is not None:
        label = escape(fund["fund_label"])
        body.append(f'<p class="note">The dashed line marks OI {threshold:.2f}, the {label} line.</p>')
    body.append('<div class="levels">')
    for level in LEVELS:
        level_schools = schools[schools["school_level"] == level].sort_values(
            ["opportunity_index_unrounded", "school_code"], ascending=[False, True]
        )
        if level_schools.empty:
            continue
        rows = []
        for rank, (_, row) in enumerate(level_schools.iterrows(), start=1):
            key = {"school_code": row["school_code"]}
            t = "fct_school_opportunity"
            rows.append(
                tr(
                    f"#{rank}",
                    school_link(row["school_code"], row["school_name"]),
                    "#" + cell(row, "opportunity_index", "oi", t, **key),
                    oi_bar(float(row["opportunity_index"]), threshold),
                    "#" + cell(row, "enrolled_students", "count", t, **key),
                    escape(component_label(marts, row["largest_component"])),
                )
            )
        heading = th("##", "school", "#OI", "", "#students", "largest component")
        body.append(
            f"<div><h3>{level.capitalize()} ({len(level_schools)} schools)</h3><table>{heading}"
            + "".join(rows)
            + "</table></div>"
        )
    body.append("</div>")
    return page("District overview", "\n".join(body))


def component_label(marts: Marts, name: object) -> str:
    if not isinstance(name, str):
        return "–"
    labels = marts.weights.drop_duplicates("component_name").set_index("component_name")["component_label"]
    return str(labels.get(name, name))


# ---------------------------------------------------------------------------------------------
# Map.


def load_boundaries(path: Path) -> list[tuple[str, list]]:
    """(tract GEOID, list of polygons as rings of (lon, lat)) per feature."""
    try:
        features = json.loads(path.read_text(encoding="utf-8"))["features"]
        shapes = []
        for feature in features:
            geometry = feature["geometry"]
            polygons = (
                geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
            )
            shapes.append((str(feature["properties"]["tract_geoid"]), polygons))
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ReportError(f"{path}: not a readable tract boundary GeoJSON ({error})") from error
    return shapes


@dataclass
class Projection:
    west: float
    north: float
    scale_x: float
    scale_y: float

    @classmethod
    def fit(cls, shapes: list[tuple[str, list]], width: float) -> tuple[Projection, float]:
        points = [pt for _, polygons in shapes for polygon in polygons for ring in polygon for pt in ring]
        west, east = min(p[0] for p in points), max(p[0] for p in points)
        south, north = min(p[1] for p in points), max(p[1] for p in points)
        # Equirectangular at the city's latitude: true enough for one city.
        aspect = math.cos(math.radians((south + north) / 2))
        scale = width / ((east - west) * aspect)
        return cls(west, north, scale * aspect, scale), (north - south) * scale

    def path(self, polygons: list) -> str:
        parts = []
        for polygon in polygons:
            for ring in polygon:
                coords = [f"{(lon - self.west) * self.scale_x:.1f},{(self.north - lat) * self.scale_y:.1f}"
                          for lon, lat in ring]  # fmt: skip
                parts.append("M" + "L".join(coords) + "Z")
        return "".join(parts)


def quantile_breaks(values: pd.Series, classes: int = 5) -> list[float]:
    """Upper bounds of the first classes-1 classes (equal-count classes)."""
    ordered = sorted(float(v) for v in values)
    return [
        ordered[min(len(ordered) - 1, math.ceil(len(ordered) * k / classes) - 1)] for k in range(1, classes)
    ]


def class_of(value: float, breaks: list[float]) -> int:
    return next((i for i, bound in enumerate(breaks) if value <= bound), len(breaks))


def choropleth_svg(
    marts: Marts, shapes: list[tuple[str, list]], component: str, projection: Projection, height: float
) -> tuple[str, str]:
    column = f"{component}_score"
    tracts = marts.tracts.set_index("tract_geoid")
    observed = tracts[column].dropna()
    breaks = quantile_breaks(observed) if len(observed) >= 5 else []
    map_width = projection_width(projection, shapes)
    parts = [
        f'<svg class="fluid" width="{map_width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {map_width:.0f} {height:.0f}" role="img" '
        f'aria-label="{escape(component_label(marts, component))} by tract">',
        '<defs><pattern id="hatch-' + component + '" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="#e6e6e6"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#999" stroke-width="2"/></pattern></defs>',
    ]
    for geoid, polygons in shapes:
        row = tracts.loc[geoid] if geoid in tracts.index else None
        if row is None:
            fill, label = "#ffffff", "not in the tract table"
        elif bool(row["is_excluded_from_statistics"]):
            fill, label = f"url(#hatch-{component})", f"excluded: {row['exclusion_reason']}"
        elif pd.isna(row[column]):
            fill, label = "#ffffff", "no score"
        else:
            value = float(row[column])
            fill = CLASS_COLORS[class_of(value, breaks)] if breaks else CLASS_COLORS[2]
            students = format_value(row["enrolled_students"], "count")
            label = f"score {format_value(value, 'score')}; {students} students live here"
        name = "" if row is None else f" ({row['tract_name']}, {row['planning_district']})"
        parts.append(
            f'<path d="{projection.path(polygons)}" fill="{fill}" stroke="#555" stroke-width="0.4" '
            f'data-tract="{geoid}"><title>{escape(geoid + name)}: {escape(label)}</title></path>'
        )
    for _, school in marts.schools.dropna(subset=["latitude", "longitude"]).iterrows():
        x = (float(school["longitude"]) - projection.west) * projection.scale_x
        y = (projection.north - float(school["latitude"])) * projection.scale_y
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2" fill="#17324d"><title>'
                     f"{escape(str(school['school_name']))}</title></circle>")  # fmt: skip
    parts.append("</svg>")
    bounds = [observed.min(), *breaks, observed.max()] if breaks else []
    legend = "".join(
        f'<span class="item"><span class="swatch" style="background:{CLASS_COLORS[i]}"></span>'
        f"{format_value(bounds[i], 'score')} to {format_value(bounds[i + 1], 'score')}</span>"
        for i in range(len(bounds) - 1)
    )
    legend += '<span class="item"><span class="swatch hatched"></span>excluded (too few residents)</span>'
    legend += '<span class="item"><span class="swatch" style="background:#fff"></span>no data</span>'
    legend += '<span class="item">● school</span>'
    return "".join(parts), f'<div class="legend note">{legend}</div>'


def projection_width(projection: Projection, shapes: list[tuple[str, list]]) -> float:
    east = max(pt[0] for _, polygons in shapes for polygon in polygons for ring in polygon for pt in ring)
    return (east - projection.west) * projection.scale_x


def map_page(marts: Marts, boundaries: Path | None) -> str:
    body = [
        '<p class="note">Each student receives the neighborhood component scores of their home census tract '
        "(standardized: 0 is the average student's tract, higher means more need). Darker tracts carry more "
        "need; classes hold equal numbers of tracts. Hover a tract for its score; dots are schools. Tracts "
        "with fewer residents than the minimum are excluded from the tract statistics (hatched).</p>"
    ]
    if boundaries is None or not boundaries.is_file():
        body.append(
            f'<p class="note">No tract boundary file ({escape(str(boundaries))}); the map is not drawn.</p>'
        )
    else:
        shapes = load_boundaries(boundaries)
        projection, height = Projection.fit(shapes, 540)
        body.append('<div class="maps">')
        for component in NEIGHBORHOOD_COMPONENTS:
            if f"{component}_score" not in marts.tracts.columns:
                continue
            svg, legend = choropleth_svg(marts, shapes, component, projection, height)
            body.append(f"<div><h2>{escape(component_label(marts, component))}</h2>{svg}{legend}</div>")
        body.append("</div>")
    excluded = marts.tracts[marts.tracts["is_excluded_from_statistics"].fillna(False).astype(bool)]
    body.append(f"<h2>Tracts excluded from the tract statistics ({len(excluded)})</h2>")
    t = "fct_tract_neighborhood_components"
    rows = "".join(
        tr(
            escape(row["tract_geoid"]),
            escape(str(row["tract_name"])),
            escape(str(row["planning_district"])),
            "#" + cell(row, "acs_total_population", "count", t, tract_geoid=row["tract_geoid"]),
            escape(str(row["exclusion_reason"])),
        )
        for _, row in excluded.iterrows()
    )
    heading = th("tract", "name", "planning district", "#residents (ACS)", "reason")
    body.append(f"<table>{heading}{rows}</table>")
    return page("Neighborhood map", "\n".join(body))


# ---------------------------------------------------------------------------------------------
# Weights.


def weights_page(marts: Marts) -> str:
    weights = marts.weights
    levels = [level for level in LEVELS if level in set(weights["school_level"])]
    components = weights.drop_duplicates("component_name").sort_values("display_order")
    header = "".join(f'<th class="r">{level}</th>' for level in levels)
    rows = []
    for _, component in components.iterrows():
        cells = []
        for level in levels:
            match = weights[
                (weights["school_level"] == level)
                & (weights["component_name"] == component["component_name"])
            ]
            if match.empty:
                cells.append('<td class="r">–</td>')
                continue
            row = match.iloc[0]
            key = {"school_level": level, "component_name": component["component_name"]}
            share = float(row["weight"])
            cells.append(
                f'<td class="r">{cell(row, "weight", "weight", "dim_component_weights", **key)} '
                f'<svg width="80" height="10" aria-hidden="true"><rect width="{80 * share:.1f}" height="10" '
                f'fill="{LEVEL_COLORS[level]}"/></svg></td>'
            )
        rows.append(f"<tr><td>{escape(component['component_label'])}</td>{''.join(cells)}</tr>")
    fit_rows = []
    for label, column, kind in (
        ("method", "fit_method", None),
        ("students fitted", "students_fitted", "count"),
        ("R² in sample (within schools)", "r2_in_sample", "r2"),
        ("R² cross-validated (5 folds)", "r2_cross_validated", "r2"),
    ):
        cells = []
        for level in levels:
            row = weights[weights["school_level"] == level].iloc[0]
            key = {"school_level": level, "component_name": row["component_name"]}
            if kind is None:
                cells.append(f'<td class="r">{escape(str(row[column]))}</td>')
            else:
                cells.append(f'<td class="r">{cell(row, column, kind, "dim_component_weights", **key)}</td>')
        fit_rows.append(f"<tr><td>{escape(label)}</td>{''.join(cells)}</tr>")
    body = [
        '<p class="note">Each level\'s weights come from a non-negative least-squares fit of the academic '
        "outcome on the five component scores, within schools (a school's own effect is removed), scaled to "
        "sum to 1. Only the fit reads the outcome; the index never does.</p>",
        "<h2>Need weight of each component</h2>",
        f"<table><tr><th>component</th>{header}</tr>{''.join(rows)}</table>",
        f"<h2>The fit</h2><table><tr><th></th>{header}</tr>{''.join(fit_rows)}</table>",
    ]
    return page("Weights", "\n".join(body))


# ---------------------------------------------------------------------------------------------
# Funds.


def fund_summary(fund: pd.Series) -> str:
    key = {"fund_name": fund["fund_name"]}
    rule = []
    if pd.notna(fund["min_opportunity_index"]):
        rule.append(f"schools with OI ≥ {cell(fund, 'min_opportunity_index', 'oi', 'fct_funds', **key)}")
    else:
        rule.append("every school")
    if pd.notna(fund["base_dollars_per_pupil"]) and float(fund["base_dollars_per_pupil"]) > 0:
        rule.append(
            f"{cell(fund, 'base_dollars_per_pupil', 'dollars', 'fct_funds', **key)} per pupil, the rest"
        )
    rule.append("in proportion to enrollment × OI")
    return (
        f"<h2>{escape(fund['fund_label'])}</h2>"
        f"<p>Budget {cell(fund, 'budget_dollars', 'dollars', 'fct_funds', **key)}: {', '.join(rule)}.</p>"
        '<div class="cards">'
        + card(cell(fund, "eligible_schools", "count", "fct_funds", **key), "eligible schools")
        + card(cell(fund, "allocated_dollars", "dollars", "fct_funds", **key), "allocated")
        + card(cell(fund, "smallest_award", "dollars", "fct_funds", **key), "smallest award")
        + card(cell(fund, "largest_award", "dollars", "fct_funds", **key), "largest award")
        + card(cell(fund, "schools_just_below", "count", "fct_funds", **key), "schools just below the line")
        + "</div>"
        + unallocated_warning(fund)
    )


def unallocated_warning(fund: pd.Series) -> str:
    if pd.isna(fund["unallocated_dollars"]) or int(fund["unallocated_dollars"]) == 0:
        return ""
    amount = cell(fund, "unallocated_dollars", "dollars", "fct_funds", fund_name=fund["fund_name"])
    return (
        f'<p class="warning">No school is eligible under this rule: {amount} of the budget is not allocated. '
        "Check the fund's threshold.</p>"
    )


def allocation_page(marts: Marts) -> str:
    body = [
        '<p class="note">Awards are whole dollars that sum exactly to each budget whenever a school is '
        "eligible (largest-remainder rounding). Distance is the school's OI minus the fund's threshold: "
        "a school just below the line shows how close it came. A large school's large award can still be "
        "little per pupil.</p>"
    ]
    for _, fund in marts.funds.iterrows():
        body.append(fund_summary(fund))
        rows_of_fund = marts.allocations[marts.allocations["fund_name"] == fund["fund_name"]]
        ordered = rows_of_fund.sort_values(["allocated_dollars", "opportunity_index", "school_code"],
                                           ascending=[False, False, True])  # fmt: skip
        rows = []
        for _, row in ordered.iterrows():
            key = {"fund_name": row["fund_name"], "school_code": row["school_code"]}
            status = str(row["eligibility_status"])
            css = "eligible" if bool(row["is_eligible"]) else ("below" if "below" in status else "")
            t = "fct_school_fund_allocations"
            rows.append(
                tr(
                    school_link(row["school_code"], row["school_name"]),
                    escape(row["school_level"]),
                    "#" + cell(row, "opportunity_index", "oi", t, **key),
                    "#" + cell(row, "enrolled_students", "count", t, **key),
                    f'<span class="{css}">{escape(status_words(status))}</span>',
                    "#" + signed_distance(row, key),
                    "#" + cell(row, "allocated_dollars", "dollars", t, **key),
                    "#" + cell(row, "dollars_per_pupil", "dollars", t, **key),
                )
            )
        body.append(
            '<table><tr><th>school</th><th>level</th><th class="r">OI</th><th class="r">students</th>'
            '<th>status</th><th class="r">distance to the line</th><th class="r">award</th>'
            '<th class="r">per pupil</th></tr>' + "".join(rows) + "</table>"
        )
    return page("Funds", "\n".join(body))


def signed_distance(row: pd.Series, key: dict[str, str]) -> str:
    if pd.isna(row["distance_to_threshold"]):
        return "–"
    return number(float(row["distance_to_threshold"]), "score",
                  mart_query("distance_to_threshold", "fct_school_fund_allocations", **key))  # fmt: skip


# ---------------------------------------------------------------------------------------------
# School profiles.


def contribution_svg(profile: pd.DataFrame, level: str) -> str:
    """Per component: this school, the average school of its level, the average school."""
    top = max(
        [float(v) for col in ("contribution", "level_mean_contribution", "district_mean_contribution")
         for v in profile[col].dropna()] + [0.01]
    )  # fmt: skip
    label_width, bar_width, row_height = 20, 480, 66
    width, height = label_width + bar_width + 60, row_height * len(profile) + 30
    parts = [f'<svg width="{width}" height="{height}" role="img" aria-label="Component contributions">']
    series = (
        ("contribution", "#c0392b", "this school"),
        ("level_mean_contribution", LEVEL_COLORS.get(level, "#888"), f"average {level} school"),
        ("district_mean_contribution", "#999", "average school"),
    )
    for i, (_, row) in enumerate(profile.iterrows()):
        y0 = 10 + i * row_height
        parts.append(f'<text x="0" y="{y0 + 10}" font-size="12">{escape(row["component_label"])}</text>')
        for j, (column, color, name) in enumerate(series):
            value = row[column]
            width = 0.0 if pd.isna(value) else bar_width * float(value) / top
            y = y0 + 16 + j * 14
            parts.append(
                f'<rect x="{label_width}" y="{y}" width="{width:.1f}" height="12" fill="{color}">'
                f"<title>{escape(name)}: {format_value(value, 'contribution')}</title></rect>"
                f'<text x="{label_width + width + 4:.1f}" y="{y + 10}" font-size="10">'
                f"{format_value(value, 'contribution')}</text>"
            )
    y = 10 + len(profile) * row_height
    for j, (_, color, name) in enumerate(series):
        x = label_width + j * 220
        parts.append(f'<rect x="{x}" y="{y}" width="12" height="12" fill="{color}"/>'
                     f'<text x="{x + 16}" y="{y + 10}" font-size="11">{escape(name)}</text>')  # fmt: skip
    parts.append("</svg>")
    return "".join(parts)


def largest_sentence(school: pd.Series, profile: pd.DataFrame) -> str:
    largest = profile[profile["component_name"] == school["largest_component"]]
    if largest.empty:
        return ""
    row = largest.iloc[0]
    share = cell(row, "share_of_index", "percent", "fct_school_component_profile",
                 school_code=row["school_code"], component_name=row["component_name"])  # fmt: skip
    return f"<p><b>{escape(row['component_label'])}</b> contributes most: {share} of the school's OI.</p>"


STATUS_WORDS = {"eligible": "eligible", "just_below": "just below the line", "not_eligible": "not eligible"}


def status_words(status: object) -> str:
    return STATUS_WORDS.get(str(status), str(status))


def distinctive_sentence(profile: pd.DataFrame, others: str) -> str:
    """The component on which the school's students stand out most among its level's schools."""
    ranked = profile.dropna(subset=["score_percentile_within_level", "mean_component_score"])
    if ranked.empty:
        return ""
    # Highest peer rank first; among equal ranks, the higher need.
    ranked = ranked.sort_values(
        ["score_percentile_within_level", "mean_component_score", "display_order"],
        ascending=[False, False, True],
    )
    row = ranked.iloc[0]
    key = {"school_code": row["school_code"], "component_name": row["component_name"]}
    share = cell(row, "score_percentile_within_level", "percent", "fct_school_component_profile", **key)
    score = cell(row, "mean_component_score", "score", "fct_school_component_profile", **key)
    label = escape(row["component_label"])
    if row["score_percentile_within_level"] >= 0.5 and row["mean_component_score"] > 0:
        return (
            f"<p>Its students' need stands out most on <b>{label}</b> (mean score {score}): higher than at "
            f"{share} of {others}.</p>"
        )
    return (
        f"<p>On no component is its students' need both above the district average and above the middle of "
        f"{others}; the closest is <b>{label}</b> (mean score {score}, higher than at {share} of them).</p>"
    )


def school_page(marts: Marts, school: pd.Series) -> str:
    code = school["school_code"]
    level = str(school["school_level"])
    key = {"school_code": code}
    table = "fct_school_opportunity"
    profile = marts.profiles[marts.profiles["school_code"] == code].sort_values("display_order")
    level_count = int((marts.schools["school_level"] == level).sum())
    cards = [
        card(cell(school, "opportunity_index", "oi", table, **key), "Opportunity Index (0.01-0.99)"),
        card(cell(school, "percentile_within_level", "percent", table, **key),
             f"OI higher than this share of the other {level_count - 1} {level} schools"),
        card(cell(school, "enrolled_students", "count", table, **key), "students enrolled"),
        card(cell(school, "partially_scored_students", "count", table, **key), "scored without a component"),
        card(cell(school, "neighborhood_imputed_students", "count", table, **key),
             "neighborhood imputed (no usable home tract)"),
    ]  # fmt: skip
    t = "fct_school_component_profile"
    others = f"the other {level_count - 1} {level} schools"
    drivers, needs = [], []
    for _, row in profile.iterrows():
        pkey = {"school_code": code, "component_name": row["component_name"]}
        drivers.append(
            tr(
                escape(row["component_label"]),
                "#" + cell(row, "contribution", "contribution", t, **pkey),
                "#" + cell(row, "share_of_index", "percent", t, **pkey),
                "#" + cell(row, "level_mean_contribution", "contribution", t, **pkey),
                "#" + cell(row, "district_mean_contribution", "contribution", t, **pkey),
            )
        )
        rank = cell(row, "score_percentile_within_level", "percent", t, **pkey)
        needs.append(
            tr(
                escape(row["component_label"]),
                "#" + cell(row, "mean_component_score", "score", t, **pkey),
                f"#higher than at {rank} of {others}",
                "#" + cell(row, "students_with_component", "count", t, **pkey),
            )
        )
    funds = marts.funds.set_index("fund_name")
    allocations = marts.allocations[marts.allocations["school_code"] == code]
    allocations = allocations.assign(order=allocations["fund_name"].map(funds["display_order"]))
    allocations = allocations.sort_values(["order", "fund_name"])
    fund_rows = []
    for _, row in allocations.iterrows():
        akey = {"fund_name": row["fund_name"], "school_code": code}
        t = "fct_school_fund_allocations"
        label = (
            funds.loc[row["fund_name"], "fund_label"] if row["fund_name"] in funds.index else row["fund_name"]
        )
        fund_rows.append(
            f"<tr><td>{escape(str(label))}</td><td>{escape(status_words(row['eligibility_status']))}</td>"
            f'<td class="r">{signed_distance(row, akey)}</td>'
            f'<td class="r">{cell(row, "allocated_dollars", "dollars", t, **akey)}</td></tr>'
        )
    where = ", ".join(
        str(part) for part in (school["street_address"], school["neighborhood"]) if pd.notna(part)
    )
    body = [
        f"<p>{escape(level)} school · grades {escape(str(school['grades_offered']))} · {escape(where)} · "
        f"school code {escape(code)}</p>",
        f'<div class="cards">{"".join(cards)}</div>',
        "<h2>What drives this school's OI</h2>",
        largest_sentence(school, profile),
        "<p class=\"note\">A component's contribution is its part of the school's OI: the five add up to the "
        "unrounded OI. It grows with the component's weight for the students' levels (high schools weigh "
        "prior performance most, elementary schools family economic circumstances) and with the school's "
        f"overall need, so compare it with the average {escape(level)} school; the average school mixes "
        "levels with different weights.</p>",
        contribution_svg(profile, level),
        "<table>"
        + th(
            "component",
            "#contribution",
            "#share of OI",
            f"#average {escape(level)} school",
            "#average school",
        )
        + "".join(drivers)
        + "</table>",
        f"<h2>How its students' needs compare with other {escape(level)} schools</h2>",
        distinctive_sentence(profile, others),
        '<p class="note">The mean student score is the students\' standardized component score (0 = the '
        "district's average student, higher = more need); the percentage is the share of the other schools "
        "of the same level whose students have a lower mean score. This compares needs, whatever the "
        "weights.</p>",
        "<table>"
        + th("component", "#mean student score", "#among peers", "#students with it")
        + "".join(needs)
        + "</table>",
        "<h2>Funds</h2>",
        '<table><tr><th>fund</th><th>status</th><th class="r">distance to the line</th>'
        '<th class="r">award</th></tr>' + "".join(fund_rows) + "</table>",
    ]
    return page(str(school["school_name"]), "\n".join(body), depth=1)


# ---------------------------------------------------------------------------------------------


def build_report(warehouse: Path, output: Path, boundaries: Path | None) -> list[Path]:
    marts = read_marts(warehouse)
    output.mkdir(parents=True, exist_ok=True)
    (output / "schools").mkdir(exist_ok=True)
    pages = {
        "index.html": overview_page(marts),
        "map.html": map_page(marts, boundaries),
        "weights.html": weights_page(marts),
        "allocation.html": allocation_page(marts),
    }
    written = []
    for name, html in pages.items():
        (output / name).write_text(html, encoding="utf-8")
        written.append(output / name)
    print(
        f"  report: overview, map, weights and funds written; {len(marts.schools)} school profiles",
        flush=True,
    )
    for done, (_, school) in enumerate(marts.schools.iterrows(), start=1):
        path = output / "schools" / f"{school['school_code']}.html"
        path.write_text(school_page(marts, school), encoding="utf-8")
        written.append(path)
        if done % PROGRESS_EVERY == 0 or done == len(marts.schools):
            print(f"  report: {done}/{len(marts.schools)} school profiles", flush=True)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duckdb", type=Path, required=True, help="the warehouse file")
    parser.add_argument("--output", type=Path, required=True, help="folder for the report")
    parser.add_argument("--boundaries", type=Path, default=DEFAULT_BOUNDARIES, help="tract boundary GeoJSON")
    args = parser.parse_args(argv)
    try:
        build_report(args.duckdb, args.output, args.boundaries)
    except ReportError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Fit the component weights per school level and write them back as dbt seeds.

Reads intermediate.int_weight_fit_inputs (students with all five components and an outcome),
regresses the outcome on the five component scores separately for elementary, middle and high
school, and turns the fit into need weights: non-negative and summing to 1 per level.

Method: non-negative least squares of the negated outcome on the component scores, both
centered within each school (school fixed effects). Components are oriented so that higher =
more need, so a need coefficient is how much lower the outcome is per standard deviation of the
component. Fitting within schools keeps differences in school quality, which are in the schools'
control, out of the need weights. Normalizing the coefficients to sum to 1 gives the weights.
R2 is within schools; the cross-validated R2 uses K folds fixed by a hash of the student id.

Writes seeds/config/component_weights.csv and seeds/config/component_weight_fits.csv
deterministically: the same inputs give the same bytes.

    python scripts/fit_weights.py [--target duckdb|postgres|...] [--duckdb PATH] [--output-dir seeds/config]

The input is read from the engine of the dbt profile target (OI_TARGET; DuckDB by default); on
Spark from the table's Parquet files, without a JVM. scripts/build_on_spark.py reads it through its
Spark session instead and calls fit_and_write().
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import nnls

import warehouse_engines

PROJECT_ROOT = Path(__file__).resolve().parents[1]
COMPONENTS = [
    "neighborhood_socioeconomic",
    "neighborhood_safety_disorder",
    "family_economic",
    "immigration",
    "prior_performance",
]
LEVELS = ["elementary", "middle", "high"]
FIT_INPUTS_RELATION = "intermediate.int_weight_fit_inputs"
SCORE_COLUMNS = ["outcome_score"] + [f"{c}_score" for c in COMPONENTS]
FIT_INPUT_COLUMNS = ["student_id", "school_code", "school_level", *SCORE_COLUMNS]
METHOD = "nnls_within_school"
WEIGHT_DECIMALS = 6
# Fewer complete cases than this and a level keeps its previous weights.
MIN_STUDENTS_PER_LEVEL = 50
# An outcome this many robust standard deviations from the median is a data error, not a score:
# one such value can swing least squares on its own.
MAX_ROBUST_Z = 10.0


class FitError(Exception):
    """The fit cannot produce valid weights; the message says why."""


@dataclass(frozen=True)
class LevelFit:
    school_level: str
    method: str
    students_fitted: int
    coefficients: np.ndarray  # need coefficient per component, >= 0
    weights: list[Decimal]  # rounded, sum exactly 1
    r2_in_sample: float | None
    r2_cross_validated: float | None
    cv_folds: int
    input_hash: str


def default_duckdb_path() -> Path:
    return Path(os.environ.get("OI_DUCKDB_PATH", PROJECT_ROOT / "warehouse" / "opportunity_index.duckdb"))


def read_fit_inputs(duckdb_path: Path | None, target: str | None = None) -> pd.DataFrame:
    """The fit inputs from the engine of profile target `target` (default: OI_TARGET, else the
    DuckDB file `duckdb_path`), with the scores as float64 whatever the engine returns."""
    sql = f"select {', '.join(FIT_INPUT_COLUMNS)} from {FIT_INPUTS_RELATION} order by student_id"
    try:
        frame = warehouse_engines.read_frame(target, sql, duckdb_path)
    except warehouse_engines.EngineError as error:
        raise FitError(f"cannot read {FIT_INPUTS_RELATION}: {error}") from error
    return frame.astype({column: "float64" for column in SCORE_COLUMNS})


def input_hash(frame: pd.DataFrame) -> str:
    """SHA-256 of the fit inputs in a canonical binary form: rows sorted by student id; per column
    its name, then text as UTF-8 separated by a unit separator, numbers as little-endian float64
    (every NaN written as the same NaN). Vectorized: 5,000,000 rows hash in about a second."""
    ordered = frame.sort_values("student_id", kind="stable")
    digest = hashlib.sha256()
    for column in ordered.columns:
        digest.update(f"\x1e{column}\x1e".encode())
        values = ordered[column]
        if pd.api.types.is_numeric_dtype(values):
            numbers = values.to_numpy(dtype="<f8", na_value=np.nan).copy()
            numbers[np.isnan(numbers)] = np.nan
            digest.update(numbers.tobytes())
        else:
            digest.update("\x1f".join(values.fillna("\x00").astype(str)).encode("utf-8"))
    return digest.hexdigest()


FNV_OFFSET = np.uint64(0xCBF29CE484222325)
FNV_PRIME = np.uint64(0x100000001B3)


def fold_of(student_ids: pd.Series, folds: int) -> np.ndarray:
    """Fold number per student from a hash of the id (64-bit FNV-1a of its UTF-8 bytes, then the
    splitmix64 finalizer to mix the bits): stable across runs, machines and row orders, and
    vectorized over the ids' byte positions."""
    encoded = np.array(pd.Series(student_ids, dtype=object).str.encode("utf-8").tolist(), dtype=bytes)
    width = max(encoded.dtype.itemsize, 1)
    matrix = np.frombuffer(encoded.tobytes(), dtype=np.uint8).reshape(len(encoded), width)
    lengths = np.char.str_len(encoded) if len(encoded) else np.zeros(0, dtype=np.int64)
    hashes = np.full(len(encoded), FNV_OFFSET, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for position in range(width):
            inside = lengths > position
            updated = (hashes ^ matrix[:, position].astype(np.uint64)) * FNV_PRIME
            hashes = np.where(inside, updated, hashes)
        hashes ^= hashes >> np.uint64(30)
        hashes *= np.uint64(0xBF58476D1CE4E5B9)
        hashes ^= hashes >> np.uint64(27)
        hashes *= np.uint64(0x94D049BB133111EB)
        hashes ^= hashes >> np.uint64(31)
    return (hashes % np.uint64(folds)).astype(np.int64)


def nnls_need_coefficients(components: np.ndarray, outcome: np.ndarray) -> np.ndarray:
    """Non-negative coefficients b minimizing |X b - (-y)| for centered X and y."""
    coefficients, _ = nnls(components, -outcome)
    return coefficients


def center_within_groups(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Subtract each group's mean (rows of `values` grouped by `groups`)."""
    codes, inverse = np.unique(groups, return_inverse=True)
    sums = np.zeros((len(codes),) + values.shape[1:])
    np.add.at(sums, inverse, values)
    counts = np.bincount(inverse, minlength=len(codes)).reshape((-1,) + (1,) * (values.ndim - 1))
    return values - (sums / counts)[inverse]


def r_squared(actual: np.ndarray, predicted: np.ndarray) -> float:
    """R2 of centered values (their mean is 0 by construction)."""
    total = float((actual**2).sum())
    if total == 0:
        return float("nan")
    return 1.0 - float(((actual - predicted) ** 2).sum()) / total


def cross_validated_r2(components: np.ndarray, outcome: np.ndarray, folds: np.ndarray) -> float:
    """Pooled out-of-fold R2: each student predicted by a model fitted without their fold."""
    predicted = np.empty_like(outcome)
    for fold in np.unique(folds):
        train, test = folds != fold, folds == fold
        coefficients = nnls_need_coefficients(components[train], outcome[train])
        predicted[test] = -(components[test] @ coefficients)
    return r_squared(outcome, predicted)


def round_weights(coefficients: np.ndarray) -> list[Decimal]:
    """Weights = coefficients / sum, rounded to WEIGHT_DECIMALS with largest-remainder rounding
    so that the written weights sum to exactly 1."""
    total = float(coefficients.sum())
    if not total > 0:
        raise FitError("no component is associated with a lower outcome (all coefficients are 0)")
    unit = Decimal(1).scaleb(-WEIGHT_DECIMALS)
    exact = [Decimal(repr(float(c) / total)) for c in coefficients]
    floored = [value.quantize(unit, rounding=ROUND_FLOOR) for value in exact]
    shortfall = int((Decimal(1) - sum(floored)) / unit)
    # Hand the missing units to the largest remainders (ties to the earlier component).
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floored[i]), i))
    for i in order[:shortfall]:
        floored[i] += unit
    return floored


def check_outcome_outliers(level: pd.DataFrame, school_level: str) -> None:
    """Refuse outcomes far outside the rest (robust z-score from the median and MAD)."""
    outcome = level["outcome_score"].to_numpy(dtype=float)
    median = float(np.median(outcome))
    spread = 1.4826 * float(np.median(np.abs(outcome - median)))
    if spread == 0:
        return
    extreme = level[np.abs(outcome - median) / spread > MAX_ROBUST_Z]
    if len(extreme):
        shown = ", ".join(f"{r.student_id}={r.outcome_score:g}" for r in extreme.head(5).itertuples())
        raise FitError(
            f"{school_level}: {len(extreme)} outcome_score value(s) more than {MAX_ROBUST_Z:g} robust "
            f"standard deviations from the median {median:g} (academic_outcomes.csv): {shown}"
        )


def fit_level(frame: pd.DataFrame, school_level: str, folds: int) -> LevelFit:
    """Fit one level. A component no student has (all its indicators deactivated) gets weight 0."""
    level = frame[frame["school_level"] == school_level].sort_values("student_id")
    columns = [f"{c}_score" for c in COMPONENTS]
    present = [i for i, column in enumerate(columns) if level[column].notna().any()]
    if not present:
        raise FitError(f"{school_level}: no component has any value")
    raw_components = level[[columns[i] for i in present]].to_numpy(dtype=float)
    raw_outcome = level["outcome_score"].to_numpy(dtype=float)
    if not np.isfinite(raw_components).all() or not np.isfinite(raw_outcome).all():
        raise FitError(f"{school_level}: fit inputs hold NaN or infinite values")
    check_outcome_outliers(level, school_level)
    schools = level["school_code"].to_numpy()
    components = center_within_groups(raw_components, schools)
    outcome = center_within_groups(raw_outcome, schools)
    fitted = nnls_need_coefficients(components, outcome)
    coefficients = np.zeros(len(COMPONENTS))
    coefficients[present] = fitted
    try:
        weights = round_weights(coefficients)
    except FitError as error:
        raise FitError(f"{school_level}: {error}") from error
    return LevelFit(
        school_level=school_level,
        method=METHOD,
        students_fitted=len(level),
        coefficients=coefficients,
        weights=weights,
        r2_in_sample=r_squared(outcome, -(components @ fitted)),
        r2_cross_validated=cross_validated_r2(components, outcome, fold_of(level["student_id"], folds)),
        cv_folds=folds,
        input_hash=input_hash(level),
    )


def kept_previous_weights(
    previous_weights: pd.DataFrame, school_level: str, reason: str
) -> list[dict] | None:
    """The level's previous weights, with a warning that says why; None when there are none."""
    kept = previous_weights[previous_weights["school_level"] == school_level]
    if len(kept) != len(COMPONENTS):
        return None
    print(f"warning: {school_level}: {reason}; previous weights kept", flush=True)
    return kept.to_dict("records")


def fit_all(
    frame: pd.DataFrame, folds: int, previous_weights: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    weight_rows, fit_rows = [], []
    for school_level in LEVELS:
        students = int((frame["school_level"] == school_level).sum())
        if students < MIN_STUDENTS_PER_LEVEL:
            fit_row = {"school_level": school_level, "fit_method": "kept_previous_too_few_students",
                       "students_fitted": students, "r2_in_sample": None, "r2_cross_validated": None,
                       "cv_folds": 0, "input_hash": ""}  # fmt: skip
            kept = kept_previous_weights(previous_weights, school_level, f"only {students} complete students")
            if kept is None:
                raise FitError(
                    f"{school_level}: only {students} students with all components and an outcome "
                    f"(need {MIN_STUDENTS_PER_LEVEL}) and no previous weights to keep"
                )
            weight_rows.extend(kept)
            fit_rows.append(fit_row)
            continue
        print(f"fitting {school_level}: {students:,} students, {folds}-fold cross-validation", flush=True)
        fit = fit_level(frame, school_level, folds)
        fit_row = {
            "school_level": school_level,
            "fit_method": fit.method,
            "students_fitted": fit.students_fitted,
            "r2_in_sample": f"{fit.r2_in_sample:.4f}",
            "r2_cross_validated": f"{fit.r2_cross_validated:.4f}",
            "cv_folds": fit.cv_folds,
            "input_hash": fit.input_hash,
        }
        # Weights that predict held-out students no better than their school mean are noise.
        if not fit.r2_cross_validated > 0:
            fit_row["fit_method"] = "kept_previous_no_predictive_fit"
            r2 = f"{fit.r2_cross_validated:.4f}"
            reason = f"the fit does not predict held-out students (cross-validated R2 {r2})"
            kept = kept_previous_weights(previous_weights, school_level, reason)
            if kept is not None:
                weight_rows.extend(kept)
                fit_rows.append(fit_row)
                continue
            fit_row["fit_method"] = fit.method
            print(
                f"warning: {school_level}: {reason} and there are no previous weights; using it", flush=True
            )
        for component, weight, coefficient in zip(COMPONENTS, fit.weights, fit.coefficients, strict=True):
            weight_rows.append(
                {
                    "school_level": school_level,
                    "component_name": component,
                    "weight": str(weight),
                    "need_coefficient": f"{coefficient:.6f}",
                }  # fmt: skip
            )
        fit_rows.append(fit_row)
    return pd.DataFrame(weight_rows), pd.DataFrame(fit_rows)


def read_previous_weights(path: Path) -> pd.DataFrame:
    if not path.is_file():
        return pd.DataFrame(columns=["school_level", "component_name", "weight", "need_coefficient"])
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duckdb", type=Path, default=default_duckdb_path(), help="warehouse file (DuckDB)")
    parser.add_argument(
        "--target", default=os.environ.get("OI_TARGET"), help="profile target to read from (default: duckdb)"
    )
    parser.add_argument("--output-dir", type=Path, default=PROJECT_ROOT / "seeds" / "config")
    parser.add_argument("--folds", type=int, default=5, help="cross-validation folds")
    args = parser.parse_args(argv)

    try:
        print("reading the fit inputs (intermediate.int_weight_fit_inputs)", flush=True)
        frame = read_fit_inputs(args.duckdb, args.target)
    except FitError as error:
        print(f"error: weight fit failed: {error}", file=sys.stderr)
        return 2
    return fit_and_write(frame, args.output_dir, args.folds)


def fit_and_write(frame: pd.DataFrame, output_dir: Path, folds: int = 5) -> int:
    """Fit the weights from the fit inputs (FIT_INPUT_COLUMNS, read from any engine) and write the
    two seeds into output_dir; 0 on success, 2 (with the reason on stderr) when the fit fails."""
    weights_path = output_dir / "component_weights.csv"
    fits_path = output_dir / "component_weight_fits.csv"
    try:
        missing = [column for column in FIT_INPUT_COLUMNS if column not in frame.columns]
        if missing:
            raise FitError(f"the fit inputs lack the column(s) {', '.join(missing)}")
        inputs = frame[FIT_INPUT_COLUMNS].astype({column: "float64" for column in SCORE_COLUMNS})
        weights, fits = fit_all(inputs, folds, read_previous_weights(weights_path))
    except FitError as error:
        print(f"error: weight fit failed: {error}", file=sys.stderr)
        return 2
    output_dir.mkdir(parents=True, exist_ok=True)
    weights.to_csv(weights_path, index=False, lineterminator="\n")
    fits.to_csv(fits_path, index=False, lineterminator="\n")
    for row in fits.itertuples():
        level_weights = weights[weights["school_level"] == row.school_level]
        shown = ", ".join(f"{r.component_name}={r.weight}" for r in level_weights.itertuples())
        cv_r2 = row.r2_cross_validated if isinstance(row.r2_cross_validated, str) else "none"
        print(f"{row.school_level}: n={row.students_fitted} cv_r2={cv_r2} ({row.fit_method}) | {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

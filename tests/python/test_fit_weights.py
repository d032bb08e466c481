"""The weight fit: non-negative need weights that sum to 1, recovered from known data."""

from decimal import Decimal
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

import fit_weights as fw


def synthetic_fit_inputs(
    need_weights: dict[str, list[float]], students: int, seed: int, school_quality_bias: float = 0.0
) -> pd.DataFrame:
    """Students in 40 schools per level with correlated component scores, school effects, and an
    outcome from known need weights. With school_quality_bias, schools whose students have more
    need also teach worse, which a pooled fit would wrongly read as need."""
    rng = np.random.default_rng(seed)
    frames = []
    for level, weights in need_weights.items():
        schools = rng.integers(0, 40, students)
        school_need = rng.standard_normal((40, 5))
        mixing = np.eye(5) + 0.4  # components correlated, as in a real district
        components = (rng.standard_normal((students, 5)) + school_need[schools]) @ mixing
        components = (components - components.mean(axis=0)) / components.std(axis=0)
        school_effect = rng.normal(0, 5, 40) - school_quality_bias * school_need[:, 0]
        outcome = (
            500 - 20 * (components @ np.array(weights)) + school_effect[schools] + rng.normal(0, 8, students)
        )
        frame = pd.DataFrame(components, columns=[f"{c}_score" for c in fw.COMPONENTS])
        frame.insert(0, "outcome_score", outcome)
        frame.insert(0, "school_level", level)
        frame.insert(0, "school_code", [f"{level[0]}{s:07d}" for s in schools])
        frame.insert(0, "student_id", [f"{level[0]}{i:07d}" for i in range(students)])
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


TRUE_WEIGHTS = {
    "elementary": [0.25, 0.10, 0.30, 0.15, 0.20],
    "middle": [0.15, 0.05, 0.25, 0.10, 0.45],
    "high": [0.10, 0.00, 0.20, 0.10, 0.60],
}


def test_fit_recovers_known_weights() -> None:
    frame = synthetic_fit_inputs(TRUE_WEIGHTS, students=20_000, seed=3)
    weights, fits = fw.fit_all(frame, folds=5, previous_weights=pd.DataFrame())
    for level, expected in TRUE_WEIGHTS.items():
        fitted = weights[weights["school_level"] == level]["weight"].astype(float).to_numpy()
        assert np.abs(fitted - np.array(expected)).max() < 0.02, (level, fitted)
    assert (fits["r2_cross_validated"].astype(float) > 0.5).all()


def test_school_quality_does_not_leak_into_need_weights() -> None:
    """Schools serving needier students also teaching worse must not inflate a need weight."""
    frame = synthetic_fit_inputs({"middle": TRUE_WEIGHTS["middle"]}, students=20_000, seed=9,
                                 school_quality_bias=15.0)  # fmt: skip
    fit = fw.fit_level(frame, "middle", folds=5)
    assert np.abs(np.array([float(w) for w in fit.weights]) - TRUE_WEIGHTS["middle"]).max() < 0.02
    # A pooled fit on the same data is visibly biased toward the first component.
    pooled = fw.nnls_need_coefficients(
        frame[[f"{c}_score" for c in fw.COMPONENTS]].to_numpy()
        - frame[[f"{c}_score" for c in fw.COMPONENTS]].mean().to_numpy(),
        frame["outcome_score"].to_numpy() - frame["outcome_score"].mean(),
    )
    assert pooled[0] / pooled.sum() - TRUE_WEIGHTS["middle"][0] > 0.05


def test_weights_are_non_negative_and_sum_exactly_to_one() -> None:
    frame = synthetic_fit_inputs(TRUE_WEIGHTS, students=3_000, seed=5)
    weights, _ = fw.fit_all(frame, folds=5, previous_weights=pd.DataFrame())
    for _, level in weights.groupby("school_level"):
        values = [Decimal(w) for w in level["weight"]]
        assert all(v >= 0 for v in values)
        assert sum(values) == Decimal(1)


def test_a_component_that_predicts_higher_outcomes_gets_weight_zero() -> None:
    # High-school true weight for safety/disorder is 0; flip it to a protective effect.
    flipped = {"high": [0.3, -0.3, 0.3, 0.2, 0.5]}
    frame = synthetic_fit_inputs(flipped, students=5_000, seed=7)
    fit = fw.fit_level(frame, "high", folds=5)
    assert fit.weights[1] == 0
    assert fit.coefficients[1] == 0


def test_rounding_hands_leftover_units_to_largest_remainders() -> None:
    weights = fw.round_weights(np.array([1.0, 1.0, 1.0]))
    assert weights == [Decimal("0.333334"), Decimal("0.333333"), Decimal("0.333333")]
    assert sum(weights) == 1


def test_all_zero_coefficients_is_an_error() -> None:
    with pytest.raises(fw.FitError, match="all coefficients are 0"):
        fw.round_weights(np.zeros(5))


def test_folds_depend_on_the_id_not_the_row_order() -> None:
    ids = pd.Series([f"S{i:08d}" for i in range(1000)])
    forward = dict(zip(ids, fw.fold_of(ids, 5), strict=True))
    backward = dict(zip(ids[::-1], fw.fold_of(ids[::-1], 5), strict=True))
    assert forward == backward
    assert set(forward.values()) == {0, 1, 2, 3, 4}


def write_fit_inputs(path: Path, frame: pd.DataFrame) -> None:
    with duckdb.connect(str(path)) as connection:
        connection.execute("create schema intermediate")
        connection.register("frame", frame)
        connection.execute("create table intermediate.int_weight_fit_inputs as select * from frame")


def test_written_seeds_are_deterministic_and_valid(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    write_fit_inputs(warehouse, synthetic_fit_inputs(TRUE_WEIGHTS, students=2_000, seed=11))
    outputs = []
    for run in ("first", "second"):
        out = tmp_path / run
        assert fw.main(["--duckdb", str(warehouse), "--output-dir", str(out)]) == 0
        outputs.append({p.name: p.read_bytes() for p in out.glob("*.csv")})
    assert outputs[0] == outputs[1]
    fits = pd.read_csv(tmp_path / "first" / "component_weight_fits.csv")
    assert list(fits["school_level"]) == fw.LEVELS
    assert (fits["students_fitted"] == 2_000).all()
    assert fits["input_hash"].str.fullmatch(r"[0-9a-f]{64}").all()


def test_the_same_inputs_from_duckdb_or_spark_files_give_the_same_seeds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--target spark reads the Parquet files of the Spark table (<OI_SPARK_DIR>/tables/<schema>.db/
    <table>/part-*.parquet, as Spark writes them); fit_and_write fits a frame from anywhere."""
    frame = synthetic_fit_inputs(TRUE_WEIGHTS, students=2_000, seed=11)
    warehouse = tmp_path / "warehouse.duckdb"
    write_fit_inputs(warehouse, frame)
    monkeypatch.setenv("OI_SPARK_DIR", str(tmp_path / "spark"))
    spark_table = tmp_path / "spark" / "tables" / "intermediate.db" / "int_weight_fit_inputs"
    spark_table.mkdir(parents=True)
    with duckdb.connect() as connection:
        connection.register("frame", frame.sample(frac=1, random_state=1))  # row order must not matter
        connection.execute(f"copy frame to '{spark_table / 'part-00000.parquet'}' (format parquet)")
    outputs = {}
    for target in ("duckdb", "spark"):
        out = tmp_path / target
        assert fw.main(["--target", target, "--duckdb", str(warehouse), "--output-dir", str(out)]) == 0
        outputs[target] = {p.name: p.read_bytes() for p in out.glob("*.csv")}
    assert fw.fit_and_write(frame.sample(frac=1, random_state=2), tmp_path / "frame") == 0
    outputs["frame"] = {p.name: p.read_bytes() for p in (tmp_path / "frame").glob("*.csv")}
    assert outputs["duckdb"] == outputs["spark"] == outputs["frame"]
    monkeypatch.setenv("OI_SPARK_DIR", str(tmp_path / "absent"))
    assert fw.main(["--target", "spark", "--output-dir", str(tmp_path / "none")]) == 2


def equal_previous_weights(school_level: str) -> pd.DataFrame:
    """A committed weights seed holding 0.2 for every component of one level."""
    return pd.DataFrame(
        {
            "school_level": school_level,
            "component_name": fw.COMPONENTS,
            "weight": ["0.2"] * 5,
            "need_coefficient": "",
        }
    )


def test_too_few_students_keeps_previous_weights(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    frame = synthetic_fit_inputs(
        {"elementary": TRUE_WEIGHTS["elementary"], "middle": TRUE_WEIGHTS["middle"]}, 500, 1
    )
    frame = pd.concat([frame, synthetic_fit_inputs({"high": TRUE_WEIGHTS["high"]}, 20, 2)])
    previous = equal_previous_weights("high")
    weights, fits = fw.fit_all(frame, folds=5, previous_weights=previous)
    assert list(weights[weights["school_level"] == "high"]["weight"]) == ["0.2"] * 5
    assert fits.set_index("school_level").loc["high", "fit_method"] == "kept_previous_too_few_students"
    assert "previous weights kept" in capsys.readouterr().out


def test_a_fit_that_predicts_nothing_keeps_previous_weights(capsys: pytest.CaptureFixture[str]) -> None:
    frame = synthetic_fit_inputs({"elementary": TRUE_WEIGHTS["elementary"]}, 500, 1)
    noise = synthetic_fit_inputs({"middle": TRUE_WEIGHTS["middle"]}, 300, 2)
    noise["outcome_score"] = np.random.default_rng(3).permutation(noise["outcome_score"].to_numpy())
    frame = pd.concat([frame, noise, synthetic_fit_inputs({"high": TRUE_WEIGHTS["high"]}, 500, 4)])
    previous = equal_previous_weights("middle")
    weights, fits = fw.fit_all(frame, folds=5, previous_weights=previous)
    assert list(weights[weights["school_level"] == "middle"]["weight"]) == ["0.2"] * 5
    middle = fits.set_index("school_level").loc["middle"]
    assert middle["fit_method"] == "kept_previous_no_predictive_fit"
    assert float(middle["r2_cross_validated"]) <= 0  # the fit statistics say why
    assert "warning: middle: the fit does not predict held-out students" in capsys.readouterr().out
    assert set(fits.set_index("school_level").loc[["elementary", "high"], "fit_method"]) == {fw.METHOD}


def test_missing_warehouse_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert fw.main(["--duckdb", str(tmp_path / "absent.duckdb"), "--output-dir", str(tmp_path)]) == 2
    assert "warehouse not found" in capsys.readouterr().err


def test_a_component_nobody_has_gets_weight_zero() -> None:
    """All indicators of a component deactivated: the fit uses the others and gives it 0."""
    frame = synthetic_fit_inputs({"high": TRUE_WEIGHTS["high"]}, students=5_000, seed=13)
    frame["immigration_score"] = np.nan
    fit = fw.fit_level(frame, "high", folds=5)
    assert fit.weights[fw.COMPONENTS.index("immigration")] == 0
    assert sum(fit.weights) == 1
    assert fit.r2_cross_validated > 0.3


def test_an_absurd_outcome_is_refused_with_the_student_named() -> None:
    frame = synthetic_fit_inputs({"high": TRUE_WEIGHTS["high"]}, students=2_000, seed=17)
    frame.loc[frame.index[7], "outcome_score"] = 1e12
    with pytest.raises(fw.FitError, match=r"high: 1 outcome_score value.*h0000007=1e\+12"):
        fw.fit_level(frame, "high", folds=5)

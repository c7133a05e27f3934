"""Key-driver decompositions against hand arithmetic and brute-force regressions.

The implementation derives every subset R² from one correlation matrix. The references
here refit each subset regression from the raw rows with statsmodels OLS/WLS, and
rebuild Johnson's relative weights from an SVD of the data, a different code path.
"""

import itertools
import json
import math
from functools import cache
from pathlib import Path

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st

from ganzhi.stats.drivers import importance_performance, key_drivers
from ganzhi.stats.errors import StatsError

DATA = Path(__file__).parent / "data"
SWISS_PREDICTORS = ["Agriculture", "Examination", "Education", "Catholic", "Infant.Mortality"]


def load_swiss() -> tuple[np.ndarray, np.ndarray]:
    lines = [
        line for line in (DATA / "swiss.csv").read_text().splitlines() if not line.startswith("#")
    ]
    assert lines[0].split(",")[1:] == ["Fertility", *SWISS_PREDICTORS]
    values = np.array([[float(cell) for cell in line.split(",")[1:]] for line in lines[1:]])
    return values[:, 1:], values[:, 0]


def correlated_data(seed: int, n: int, p: int) -> tuple[np.ndarray, np.ndarray]:
    """Predictors sharing a common factor (correlations up to about 0.8), on mixed scales."""
    rng = np.random.default_rng(seed)
    common = rng.uniform(0.0, 2.0) * rng.normal(size=(n, 1))
    X = (rng.normal(size=(n, p)) + common) * rng.uniform(0.5, 3.0, size=p) + rng.normal(size=p)
    y = X @ rng.normal(size=p) + 2.0 * rng.normal(size=n)
    return X, y


def brute_force_subset_r2(X: np.ndarray, y: np.ndarray, weights: np.ndarray | None = None):
    """R² of every subset regression, each refitted from the raw rows by statsmodels."""
    p = X.shape[1]

    @cache
    def r2(subset: frozenset[int]) -> float:
        if not subset:
            return 0.0
        design = sm.add_constant(X[:, sorted(subset)])
        if weights is None:
            return float(sm.OLS(y, design).fit().rsquared)
        return float(sm.WLS(y, design, weights=weights).fit().rsquared)

    return r2, p


def brute_force_shapley(X, y, weights=None) -> np.ndarray:
    """φⱼ = Σ_S |S|!(p−|S|−1)!/p! · (R²(S∪{j}) − R²(S)) over all S ⊆ P∖{j}."""
    r2, p = brute_force_subset_r2(X, y, weights)
    shares = np.zeros(p)
    for j in range(p):
        others = [i for i in range(p) if i != j]
        for size in range(p):
            weight = math.factorial(size) * math.factorial(p - size - 1) / math.factorial(p)
            for subset in itertools.combinations(others, size):
                shares[j] += weight * (r2(frozenset(subset) | {j}) - r2(frozenset(subset)))
    return shares


def johnson_relative_weights_from_data(X, y, weights=None) -> np.ndarray:
    """Johnson (2000), step by step on the data: standardize, find the orthogonal Z closest
    to X (Z = U Vᵀ from the SVD X = U S Vᵀ), regress y on Z (β) and X on Z (Λ), then
    εⱼ = Σₖ Λₖⱼ² βₖ²."""
    w = np.ones(len(y)) if weights is None else weights / weights.sum() * len(y)
    root_w = np.sqrt(w / w.sum())[:, None]

    def standardized(columns):
        centred = columns - np.average(columns, axis=0, weights=w)
        scaled = centred * root_w
        return scaled / np.linalg.norm(scaled, axis=0)

    Xs, ys = standardized(X), standardized(y[:, None])[:, 0]
    U, _, Vt = np.linalg.svd(Xs, full_matrices=False)
    Z = U @ Vt
    beta = np.linalg.lstsq(Z, ys, rcond=None)[0]
    loadings = np.linalg.lstsq(Z, Xs, rcond=None)[0]
    return (loadings**2).T @ beta**2


# ─── hand-computed case ──────────────────────────────────────────────────────

# Orthogonal, centred predictors: x1·x2 = 0, so R² is the sum of the squared correlations.
ORTHOGONAL_X = np.array([[1.0, 1.0], [-1.0, 1.0], [1.0, -1.0], [-1.0, -1.0]])
ORTHOGONAL_Y = np.array([2.0, 0.0, 1.0, -3.0])  # mean 0


@pytest.mark.parametrize("method", ["shapley", "relative-weights", "dominance"])
def test_hand_computed_orthogonal_case(method):
    # Σx1y = 2 − 0 + 1 + 3 = 6, Σx2y = 2 + 0 − 1 + 3 = 4, Σx² = 4, Σy² = 4 + 0 + 1 + 9 = 14.
    # r1² = 36/(4·14) = 9/14, r2² = 16/56 = 4/14, R² = 13/14; every method gives rⱼ².
    result = key_drivers(ORTHOGONAL_X, ORTHOGONAL_Y, names=["x1", "x2"], method=method)
    assert result.n == 4
    assert result.r2 == pytest.approx(13 / 14, abs=1e-12)
    assert result.importance == pytest.approx((9 / 14, 4 / 14), abs=1e-12)
    assert result.rescaled == pytest.approx((900 / 13, 400 / 13), abs=1e-10)


def test_hand_computed_orthogonal_dominance():
    # With p = 2 the only subset of the other predictors is ∅: r1² = 9/14 > r2² = 4/14, so
    # x1 completely dominates x2; C^(0) = (9/14, 4/14), C^(1) = (13/14 − 4/14, 13/14 − 9/14).
    result = key_drivers(ORTHOGONAL_X, ORTHOGONAL_Y, names=["x1", "x2"], method="dominance")
    detail = result.to_dict()
    assert detail["conditional_contributions"]["x1"] == pytest.approx([9 / 14, 9 / 14])
    assert detail["conditional_contributions"]["x2"] == pytest.approx([4 / 14, 4 / 14])
    assert detail["complete_dominance"] == {"x1": {"x2": 1.0}, "x2": {"x1": 0.0}}
    assert detail["conditional_dominance"] == {"x1": {"x2": 1.0}, "x2": {"x1": 0.0}}


def test_two_correlated_predictors_match_textbook_formula():
    # For p = 2: R² = (r1² + r2² − 2·r1·r2·r12) / (1 − r12²), and
    # LMG φ1 = ½·r1² + ½·(R² − r2²), φ2 = ½·r2² + ½·(R² − r1²).
    X, y = correlated_data(20, n=200, p=2)
    r = np.corrcoef(np.column_stack([X, y]), rowvar=False)
    r1, r2, r12 = r[0, 2], r[1, 2], r[0, 1]
    full = (r1**2 + r2**2 - 2 * r1 * r2 * r12) / (1 - r12**2)
    result = key_drivers(X, y, names=["a", "b"])
    assert result.r2 == pytest.approx(full, abs=1e-12)
    assert result.importance == pytest.approx(
        ((r1**2 + full - r2**2) / 2, (r2**2 + full - r1**2) / 2), abs=1e-12
    )


# ─── swiss ───────────────────────────────────────────────────────────────────


def test_swiss_fixture_reproduces_published_regression():
    # R: summary(lm(Fertility ~ ., data = swiss)) — coefficients −0.1721, −0.2580, −0.8709,
    # 0.1041, 1.0770 and Multiple R-squared 0.7067 (printed in ?swiss's example output, e.g.
    # Caffo, Leek & Peng, Regression Models course, "Multivariable regression examples").
    X, y = load_swiss()
    fit = sm.OLS(y, sm.add_constant(X)).fit()
    assert fit.params[1:] == pytest.approx([-0.1721, -0.2580, -0.8709, 0.1041, 1.0770], abs=5e-5)
    assert fit.rsquared == pytest.approx(0.7067, abs=5e-5)
    result = key_drivers(X, y, names=SWISS_PREDICTORS)
    assert result.n == 47
    assert result.r2 == pytest.approx(fit.rsquared, abs=1e-12)


def test_swiss_lmg_matches_brute_force_subset_regressions():
    # relaimpo::calc.relimp(swiss, type = "lmg") is the same quantity (Grömping 2006); the
    # reference here is the LMG definition evaluated over all 32 refitted OLS models.
    X, y = load_swiss()
    result = key_drivers(X, y, names=SWISS_PREDICTORS, method="shapley")
    assert result.importance == pytest.approx(tuple(brute_force_shapley(X, y)), abs=1e-12)
    # Education carries the largest share, Agriculture the smallest.
    ranking = sorted(SWISS_PREDICTORS, key=result.to_dict()["importance"].get)
    assert ranking[0] == "Agriculture" and ranking[-1] == "Education"


def test_swiss_relative_weights_match_johnson_procedure():
    X, y = load_swiss()
    result = key_drivers(X, y, names=SWISS_PREDICTORS, method="relative-weights")
    expected = johnson_relative_weights_from_data(X, y)
    assert result.importance == pytest.approx(tuple(expected), abs=1e-12)
    assert sum(result.importance) == pytest.approx(result.r2, abs=1e-12)


# ─── synthetic data, weighted and unweighted ─────────────────────────────────


@pytest.mark.parametrize("seed", [1, 2])
def test_shapley_matches_brute_force_ols(seed):
    X, y = correlated_data(seed, n=150, p=5)
    result = key_drivers(X, y, names=list("abcde"))
    assert result.importance == pytest.approx(tuple(brute_force_shapley(X, y)), abs=1e-12)


def test_weighted_shapley_matches_brute_force_wls():
    X, y = correlated_data(3, n=150, p=4)
    weights = np.random.default_rng(3).uniform(0.2, 3.0, size=150)
    result = key_drivers(X, y, names=list("abcd"), weights=weights)
    expected = brute_force_shapley(X, y, weights)
    assert result.r2 == pytest.approx(expected.sum(), abs=1e-12)
    assert result.importance == pytest.approx(tuple(expected), abs=1e-12)


def test_weighted_relative_weights_match_johnson_procedure():
    X, y = correlated_data(4, n=120, p=4)
    weights = np.random.default_rng(4).uniform(0.2, 3.0, size=120)
    result = key_drivers(X, y, names=list("abcd"), method="relative-weights", weights=weights)
    expected = johnson_relative_weights_from_data(X, y, weights)
    assert result.importance == pytest.approx(tuple(expected), abs=1e-12)


@pytest.mark.parametrize("method", ["shapley", "relative-weights", "dominance"])
def test_integer_weights_equal_repeated_rows(method):
    X, y = correlated_data(5, n=60, p=3)
    counts = np.random.default_rng(5).integers(1, 4, size=60)
    weighted = key_drivers(X, y, names=list("abc"), method=method, weights=counts)
    repeated = key_drivers(
        np.repeat(X, counts, axis=0), np.repeat(y, counts), names=list("abc"), method=method
    )
    assert weighted.importance == pytest.approx(repeated.importance, abs=1e-12)
    assert weighted.n == 60 and repeated.n == counts.sum()


def test_zero_weight_rows_are_not_used():
    X, y = correlated_data(6, n=50, p=3)
    weights = np.ones(50)
    weights[:10] = 0.0
    weighted = key_drivers(X, y, names=list("abc"), weights=weights)
    dropped = key_drivers(X[10:], y[10:], names=list("abc"))
    assert weighted.n == 40
    assert weighted.importance == pytest.approx(dropped.importance, abs=1e-12)


# ─── dominance ───────────────────────────────────────────────────────────────


def assert_dominance_matches_brute_force(X, y, names):
    detail = key_drivers(X, y, names=names, method="dominance").to_dict()
    r2, p = brute_force_subset_r2(X, y)
    for j, name in enumerate(names):
        # C_j^(s): mean gain from adding j to each model of s other predictors.
        others = [i for i in range(p) if i != j]
        expected = [
            np.mean(
                [
                    r2(frozenset(s) | {j}) - r2(frozenset(s))
                    for s in itertools.combinations(others, size)
                ]
            )
            for size in range(p)
        ]
        assert detail["conditional_contributions"][name] == pytest.approx(expected, abs=1e-12)
    for i, j in itertools.permutations(range(p), 2):
        # Complete dominance: i adds more than j to every model of the other predictors.
        rest = [k for k in range(p) if k not in (i, j)]
        gaps = [
            r2(frozenset(s) | {i}) - r2(frozenset(s) | {j})
            for size in range(p - 1)
            for s in itertools.combinations(rest, size)
        ]
        expected = 1.0 if min(gaps) > 0 else 0.0 if max(gaps) < 0 else 0.5
        assert detail["complete_dominance"][names[i]][names[j]] == expected
        # Conditional dominance: i's mean gain is larger at every model size.
        gains = np.subtract(
            detail["conditional_contributions"][names[i]],
            detail["conditional_contributions"][names[j]],
        )
        expected = 1.0 if gains.min() > 0 else 0.0 if gains.max() < 0 else 0.5
        assert detail["conditional_dominance"][names[i]][names[j]] == expected


def test_dominance_matches_brute_force_on_synthetic_data():
    X, y = correlated_data(7, n=120, p=4)
    assert_dominance_matches_brute_force(X, y, list("abcd"))


def test_dominance_matches_brute_force_on_swiss():
    X, y = load_swiss()
    assert_dominance_matches_brute_force(X, y, SWISS_PREDICTORS)


# ─── to_dict contract ────────────────────────────────────────────────────────


@pytest.mark.parametrize("method", ["shapley", "relative-weights", "dominance"])
def test_to_dict_contract(method):
    X, y = correlated_data(8, n=80, p=3)
    result = key_drivers(X, y, names=list("abc"), method=method).to_dict()
    assert {"n", "r2", "importance", "rescaled"} <= set(result)
    assert type(result["n"]) is int and type(result["r2"]) is float
    assert list(result["importance"]) == list(result["rescaled"]) == list("abc")
    assert all(type(value) is float for value in result["importance"].values())
    assert sum(result["importance"].values()) == pytest.approx(result["r2"], abs=1e-12)
    assert sum(result["rescaled"].values()) == pytest.approx(100.0, abs=1e-9)
    assert ("complete_dominance" in result) == (method == "dominance")
    assert json.loads(json.dumps(result)) == result


# ─── degenerate input ────────────────────────────────────────────────────────


def base_data():
    return correlated_data(9, n=30, p=3)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda X, y: (np.column_stack([X[:, :2], np.full(30, 4.0)]), y), "predictor 'c'"),
        (lambda X, y: (X, np.full(30, 2.0)), "target is constant"),
        (lambda X, y: (X[:4], y[:4]), "at least 5 rows"),
        (lambda X, y: (np.column_stack([X[:, :2], X[:, 0] - 2 * X[:, 1]]), y), "collinear"),
        (lambda X, y: (np.where(np.arange(30)[:, None] == 3, np.nan, X), y), "NaN"),
        (lambda X, y: (X, np.r_[y[:-1], np.nan]), "target has NaN"),
        (lambda X, y: (X, y[:-1]), "30 rows but y has 29"),
        (lambda X, y: (X[:, 0], y), "2-D"),
    ],
)
def test_degenerate_data_raises_stats_error(change, message):
    X, y = change(*base_data())
    with pytest.raises(StatsError, match=message):
        key_drivers(X, y, names=list("abc"))


def test_collinear_message_names_the_involved_predictors():
    X, y = correlated_data(10, n=40, p=4)
    X[:, 2] = X[:, 0] + X[:, 1]
    with pytest.raises(StatsError, match=r"collinear.*: a, b, c$"):
        key_drivers(X, y, names=list("abcd"))


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        (-np.ones(30), "negative"),
        (np.zeros(30), "sum to zero"),
        (np.ones(29), "30 values"),
        (np.r_[np.ones(29), np.nan], "NaN"),
    ],
)
def test_bad_weights_raise_stats_error(weights, message):
    X, y = base_data()
    with pytest.raises(StatsError, match=message):
        key_drivers(X, y, names=list("abc"), weights=weights)


def test_other_bad_arguments_raise_stats_error():
    X, y = base_data()
    with pytest.raises(StatsError, match="3 columns but 2 names"):
        key_drivers(X, y, names=["a", "b"])
    with pytest.raises(StatsError, match="unique"):
        key_drivers(X, y, names=["a", "a", "b"])
    with pytest.raises(StatsError, match="method must be"):
        key_drivers(X, y, names=list("abc"), method="pratt")
    with pytest.raises(StatsError, match="X must be numeric"):
        key_drivers(np.array([["a", "b", "c"]] * 30), y, names=list("abc"))
    # y = x1·x2 is uncorrelated with both orthogonal predictors: R² = 0.
    with pytest.raises(StatsError, match="R² is zero"):
        key_drivers(ORTHOGONAL_X, ORTHOGONAL_X[:, 0] * ORTHOGONAL_X[:, 1], names=["a", "b"])


@pytest.mark.parametrize("method", ["shapley", "dominance"])
def test_more_than_15_predictors_rejected_for_subset_methods(method):
    X, y = correlated_data(11, n=100, p=16)
    with pytest.raises(StatsError, match="at most 15 predictors"):
        key_drivers(X, y, names=[f"x{i}" for i in range(16)], method=method)
    result = key_drivers(X, y, names=[f"x{i}" for i in range(16)], method="relative-weights")
    assert sum(result.importance) == pytest.approx(result.r2, abs=1e-12)


def test_fifteen_predictors_allowed():
    X, y = correlated_data(12, n=100, p=15)
    result = key_drivers(X, y, names=[f"x{i}" for i in range(15)])
    assert sum(result.importance) == pytest.approx(result.r2, abs=1e-12)


# ─── properties ──────────────────────────────────────────────────────────────

drivers_data = st.builds(
    lambda seed, n, p, weighted: (
        *correlated_data(seed, n, p),
        np.random.default_rng(seed).uniform(0.1, 5.0, size=n) if weighted else None,
    ),
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(20, 80),
    p=st.integers(1, 6),
    weighted=st.booleans(),
)


@settings(max_examples=40, deadline=None)
@given(drivers_data)
def test_decompositions_sum_to_r2_and_are_non_negative(case):
    X, y, weights = case
    names = [f"x{i}" for i in range(X.shape[1])]
    shapley = key_drivers(X, y, names=names, weights=weights)
    weights_result = key_drivers(X, y, names=names, method="relative-weights", weights=weights)
    for result in (shapley, weights_result):
        assert sum(result.importance) == pytest.approx(result.r2, abs=1e-10)
        assert min(result.importance) >= -1e-12
        assert sum(result.rescaled) == pytest.approx(100.0, abs=1e-8)
    assert weights_result.r2 == pytest.approx(shapley.r2, abs=1e-12)


@settings(max_examples=30, deadline=None)
@given(drivers_data)
def test_dominance_general_weights_equal_shapley_and_respect_hierarchy(case):
    X, y, weights = case
    names = [f"x{i}" for i in range(X.shape[1])]
    shapley = key_drivers(X, y, names=names, weights=weights)
    dominance = key_drivers(X, y, names=names, method="dominance", weights=weights)
    assert dominance.importance == pytest.approx(shapley.importance, abs=1e-12)
    detail = dominance.to_dict()
    general = detail["importance"]
    # Complete dominance implies conditional dominance, which implies general dominance.
    for a, b in itertools.permutations(names, 2):
        if detail["complete_dominance"][a][b] == 1.0:
            assert detail["conditional_dominance"][a][b] == 1.0
        if detail["conditional_dominance"][a][b] == 1.0:
            assert general[a] > general[b]


# ─── importance × performance ────────────────────────────────────────────────


def test_quadrants_with_mean_cuts():
    # Mean importance 0.25, mean performance 3.5.
    importance = {"repairs": 0.4, "cleaning": 0.3, "parking": 0.2, "greening": 0.1}
    performance = {"repairs": 3.0, "cleaning": 4.0, "parking": 2.5, "greening": 4.5}
    assert importance_performance(importance, performance) == {
        "repairs": "fix_first",
        "cleaning": "keep_up",
        "parking": "low_priority",
        "greening": "possible_overkill",
    }


def test_quadrants_with_explicit_cuts_and_ties_counting_as_high():
    importance = {"a": 0.5, "b": 0.2}
    performance = {"a": 3.0, "b": 4.0}
    quadrants = importance_performance(
        importance, performance, importance_cut=0.2, performance_cut=4.0
    )
    assert quadrants == {"a": "fix_first", "b": "keep_up"}  # b ties on both cuts


@pytest.mark.parametrize(
    ("importance", "performance", "options", "message"),
    [
        ({"a": 0.1}, {"b": 3.0}, {}, "same items"),
        ({}, {}, {}, "no items"),
        ({"a": float("nan")}, {"a": 3.0}, {}, "importance values"),
        ({"a": 0.1}, {"a": 3.0}, {"performance_cut": float("inf")}, "performance_cut"),
    ],
)
def test_importance_performance_rejects_bad_input(importance, performance, options, message):
    with pytest.raises(StatsError, match=message):
        importance_performance(importance, performance, **options)

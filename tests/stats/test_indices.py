import math
import re

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.weightstats import DescrStatsW

from ganzhi.stats.errors import StatsError
from ganzhi.stats.indices import (
    kish_effective_n,
    poststratification_weights,
    respondent_weights,
    to_100,
    weighted_index,
    weighted_mean,
)

TREE = {
    "总体满意度": {"服务": 0.6, "环境": 0.4},
    "服务": {"q1": 0.5, "q2": 0.5},
    "环境": {"q3": 1.0},
}


# --- rescaling ----------------------------------------------------------------------------


def test_to_100_by_hand():
    # (x − 1)/(5 − 1)·100 on a 1–5 scale: 1 → 0, 2 → 25, 3 → 50, 5 → 100; NaN stays missing.
    result = to_100([1, 2, 3, 5, float("nan")], 1, 5)
    np.testing.assert_allclose(result[:4], [0, 25, 50, 100])
    assert math.isnan(result[4])
    # 0–10 scale: 7 → 70.
    assert to_100([7], 0, 10)[0] == pytest.approx(70.0)


def test_to_100_rejects_bad_scales_and_values():
    with pytest.raises(StatsError, match="lo < hi"):
        to_100([3], 5, 1)
    with pytest.raises(StatsError, match="score 6 lies outside the scale"):
        to_100([3, 6], 1, 5)
    with pytest.raises(StatsError, match="must be numbers"):
        to_100(["good"], 1, 5)


# --- hierarchical index -------------------------------------------------------------------


def test_weighted_index_by_hand():
    # 服务 = 0.5·80 + 0.5·60 = 70; 环境 = 90; 总体 = 0.6·70 + 0.4·90 = 42 + 36 = 78.
    result = weighted_index({"q1": 80, "q2": 60, "q3": 90}, TREE)
    assert result.root == "总体满意度"
    assert result.value == pytest.approx(78.0)
    assert result.nodes["服务"] == pytest.approx(70.0)
    assert result.to_dict()["nodes"]["环境"] == 90.0


def test_missing_leaf_rescales_its_siblings():
    # q2 missing: 服务 = 80 (q1 alone); 总体 = 0.6·80 + 0.4·90 = 84.
    result = weighted_index({"q1": 80, "q2": float("nan"), "q3": 90}, TREE)
    assert result.nodes["q2"] is None
    assert result.value == pytest.approx(84.0)
    # the whole 环境 branch missing: 总体 = 服务 = 70.
    result = weighted_index({"q1": 80, "q2": 60, "q3": float("nan")}, TREE)
    assert result.nodes["环境"] is None
    assert result.value == pytest.approx(70.0)


@pytest.mark.parametrize(
    ("tree", "scores", "message"),
    [
        ({"root": {"a": 0.5, "b": 0.4}}, {"a": 1, "b": 1}, "weights under 'root' sum to 0.9"),
        ({"root": {"a": 1.2, "b": -0.2}}, {"a": 1, "b": 1}, "weight of 'b' under 'root'"),
        ({"root": {}}, {}, "'root' has no children"),
        ({"r1": {"a": 1.0}, "r2": {"b": 1.0}}, {"a": 1, "b": 1}, "exactly one root"),
        ({"a": {"b": 1.0}, "b": {"a": 1.0}}, {}, "the tree has a cycle"),
        (
            {"r": {"a": 1.0}, "a": {"b": 1.0}, "b": {"c": 0.5, "a2": 0.5}, "a2": {"b": 1.0}},
            {"c": 1},
            "appears under both",
        ),
        ({"r": {"a": 1.0}, "x": {"y": 1.0}, "y": {"x": 1.0}}, {"a": 1}, "cycle through"),
        ({"r": {"a": 1.0}}, {"b": 50}, "no score for leaf 'a'"),
        ({"r": {"a": 1.0}}, {"a": 101}, "0–100 scale; got 101"),
        ({"r": {"a": 1.0}}, {"a": float("nan")}, "every score under 'r' is missing"),
    ],
)
def test_weighted_index_errors(tree, scores, message):
    with pytest.raises(StatsError, match=message):
        weighted_index(scores, tree)


def test_weights_naming_the_parent_at_depth():
    tree = {"总体": {"服务": 1.0}, "服务": {"q1": 0.7, "q2": 0.2}}
    with pytest.raises(StatsError, match=re.escape("weights under '服务' sum to 0.9, not 1")):
        weighted_index({"q1": 50, "q2": 50}, tree)


@st.composite
def weight_trees(draw):
    """A root with 1–4 branches of 1–4 leaves each; weights normalised to sum to 1."""
    tree = {}
    branches = draw(st.integers(min_value=1, max_value=4))
    raw = draw(st.lists(st.floats(0.01, 10), min_size=branches, max_size=branches))
    tree["root"] = {f"b{i}": w / sum(raw) for i, w in enumerate(raw)}
    for i in range(branches):
        leaves = draw(st.integers(min_value=1, max_value=4))
        raw = draw(st.lists(st.floats(0.01, 10), min_size=leaves, max_size=leaves))
        tree[f"b{i}"] = {f"b{i}q{j}": w / sum(raw) for j, w in enumerate(raw)}
    return tree


@settings(max_examples=100, deadline=None)
@given(tree=weight_trees(), constant=st.floats(min_value=0, max_value=100))
def test_constant_answers_give_that_constant(tree, constant):
    leaves = {leaf for children in tree.values() for leaf in children if leaf not in tree}
    result = weighted_index(dict.fromkeys(leaves, constant), tree)
    assert result.value == pytest.approx(constant, abs=1e-9)


# --- respondent weights -------------------------------------------------------------------


def test_kish_by_hand():
    # w = 1, 1, 2, 2: (Σw)²/Σw² = 6²/(1 + 1 + 4 + 4) = 36/10 = 3.6
    assert kish_effective_n([1, 1, 2, 2]) == pytest.approx(3.6)
    assert kish_effective_n([3, 3, 3]) == pytest.approx(3.0)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(min_value=1e-3, max_value=1e3), min_size=1, max_size=200))
def test_kish_effective_n_at_most_n(weights):
    n_eff = kish_effective_n(weights)
    assert 1.0 - 1e-9 <= n_eff <= len(weights) * (1 + 1e-12)


def test_weighted_mean_by_hand():
    # y = 1, 2, 3, 4; w = 1, 1, 2, 2: Σw = 6, Σwy = 17, ȳ_w = 2.833333.
    # w·(y − ȳ_w) = −1.833333, −0.833333, 0.333333, 2.333333; squares sum to 9.611111.
    # Var = 4/3 · 9.611111 / 36 = 0.355967, se = 0.596630; t_{0.975, 3} = 3.182446,
    # interval 2.833333 ∓ 1.898742.
    result = weighted_mean([1, 2, 3, 4], [1, 1, 2, 2])
    assert result.mean == pytest.approx(2.833333, abs=1e-6)
    assert result.se == pytest.approx(0.596630, abs=1e-6)
    assert (result.ci_low, result.ci_high) == pytest.approx((0.934591, 4.732075), abs=1e-6)
    assert result.n_eff == pytest.approx(3.6)
    assert result.sum_weights == 6.0


def test_weighted_mean_matches_statsmodels():
    # The linearisation variance of Σwy/Σw equals the HC1 sandwich variance of the intercept
    # of a WLS regression of y on a constant (HC0 · n/(n − 1)); the mean is DescrStatsW's.
    rng = np.random.default_rng(7)
    y = rng.normal(70, 12, size=40)
    w = rng.uniform(0.3, 3.0, size=40)
    result = weighted_mean(y, w)
    wls = sm.WLS(y, np.ones_like(y), weights=w).fit(cov_type="HC1")
    assert result.mean == pytest.approx(DescrStatsW(y, weights=w).mean)
    assert result.mean == pytest.approx(wls.params[0])
    assert result.se == pytest.approx(wls.bse[0])


def test_equal_weights_reduce_to_the_t_interval():
    y = np.array([55.0, 60, 72, 81, 90, 64])
    result = weighted_mean(y, np.full(6, 2.5))
    assert result.se == pytest.approx(stats.sem(y))
    assert (result.ci_low, result.ci_high) == pytest.approx(DescrStatsW(y).tconfint_mean())
    assert result.n_eff == pytest.approx(6.0)


def test_weighted_mean_drops_missing_values():
    result = weighted_mean([1, float("nan"), 3], [1, 5, 1])
    assert (result.n, result.n_missing, result.mean) == (2, 1, 2.0)


@pytest.mark.parametrize(
    ("values", "weights", "message"),
    [
        ([1, 2], [1], "differ in length"),
        ([1, 2], [1, 0], "weights must be positive"),
        ([1, 2], [1, float("nan")], "weights must be positive"),
        ([], [], "weights are empty"),
        ([5], [1], "at least 2 values; got 1"),
        ([5, float("nan")], [1, 1], "at least 2 values; got 1"),
        ([5, float("inf")], [1, 1], "finite"),
    ],
)
def test_weighted_mean_errors(values, weights, message):
    with pytest.raises(StatsError, match=message):
        weighted_mean(values, weights)


def test_constant_values_have_zero_se():
    result = weighted_mean([4, 4, 4], [1, 2, 3])
    assert (result.mean, result.se, result.ci_low, result.ci_high) == (4.0, 0.0, 4.0, 4.0)


def test_poststratification_by_hand():
    # Population 600/400 (60 % / 40 %), sample 20/30 (40 % / 60 %):
    # w_A = 0.6/0.4 = 1.5, w_B = 0.4/0.6 = 0.666667; Σ over respondents = 30 + 20 = 50 = n.
    weights = poststratification_weights({"A": 600, "B": 400}, {"A": 20, "B": 30})
    assert weights == pytest.approx({"A": 1.5, "B": 2 / 3})
    per_respondent = respondent_weights(["A"] * 20 + ["B"] * 30, {"A": 600, "B": 400})
    assert per_respondent.sum() == pytest.approx(50.0)
    # The weighted share of stratum A reproduces its population share.
    in_a = np.array([1.0] * 20 + [0.0] * 30)
    assert DescrStatsW(in_a, weights=per_respondent).mean == pytest.approx(0.6)


@pytest.mark.parametrize(
    ("population", "sample", "message"),
    [
        ({"A": 10, "B": 5}, {"A": 3}, "stratum 'B' has no respondents"),
        ({"A": 10}, {"A": 3, "C": 1}, "stratum 'C' has respondents but no population"),
        ({"A": 0, "B": 5}, {"A": 1, "B": 1}, "population of stratum 'A' must be positive"),
        ({"A": 10}, {"A": 2.5}, "whole number"),
    ],
)
def test_poststratification_errors(population, sample, message):
    with pytest.raises(StatsError, match=message):
        poststratification_weights(population, sample)

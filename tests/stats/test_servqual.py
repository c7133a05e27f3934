import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import stats

from ganzhi.stats.errors import StatsError
from ganzhi.stats.servqual import item_gaps, servqual

ITEMS = ["q1", "q2", "q3"]
# Three respondents, items q1–q3 on a 1–7 scale.
PERCEPTIONS = np.array([[5, 4, 6], [6, 5, 6], [7, 3, 5]], dtype=float)
EXPECTATIONS = np.array([[6, 6, 7], [6, 6, 7], [6, 5, 7]], dtype=float)
DIMENSIONS = {"可靠性": ["q1", "q2"], "响应性": ["q3"]}


def test_item_gaps_by_hand():
    # q1: d = −1, 0, 1 → mean 0, s = 1, se = 1/√3 = 0.577350; t_{0.975, 2} = 4.302653,
    #     interval 0 ∓ 2.484138.
    # q2: d = −2, −1, −2 → mean −1.666667, s = √((1/9 + 4/9 + 1/9)/2) = 0.577350,
    #     se = 0.333333, interval −1.666667 ∓ 1.434218 = [−3.100884, −0.232449].
    # q3: d = −1, −1, −2 → mean −1.333333, se = 0.333333.
    q1, q2, q3 = item_gaps(PERCEPTIONS, EXPECTATIONS, ITEMS)
    assert (q1.item, q1.n, q1.mean_gap) == ("q1", 3, 0.0)
    assert q1.se == pytest.approx(0.577350, abs=1e-6)
    assert (q1.ci_low, q1.ci_high) == pytest.approx((-2.484138, 2.484138), abs=1e-6)
    assert q2.mean_gap == pytest.approx(-1.666667, abs=1e-6)
    assert (q2.ci_low, q2.ci_high) == pytest.approx((-3.100884, -0.232449), abs=1e-6)
    assert q3.mean_gap == pytest.approx(-1.333333, abs=1e-6)


def test_item_gaps_match_paired_t_references():
    rng = np.random.default_rng(3)
    p = rng.integers(1, 8, size=(25, 4)).astype(float)
    e = rng.integers(1, 8, size=(25, 4)).astype(float)
    p[3, 1] = np.nan  # pairwise: only item 2 loses respondent 4
    gaps = item_gaps(p, e, ["a", "b", "c", "d"])
    for j, gap in enumerate(gaps):
        keep = ~np.isnan(p[:, j])
        reference = stats.ttest_rel(p[keep, j], e[keep, j]).confidence_interval()
        assert (gap.ci_low, gap.ci_high) == pytest.approx(tuple(reference))
        assert gap.se == pytest.approx(stats.sem(p[keep, j] - e[keep, j]))
    assert [gap.n for gap in gaps] == [25, 24, 25, 25]


def test_servqual_scores_by_hand():
    # Dimension gaps: 可靠性 = (0 + (−1.666667))/2 = −0.833333; 响应性 = −1.333333.
    # Unweighted score = (−0.833333 − 1.333333)/2 = −1.083333.
    # Weighted 0.3/0.7: 0.3·(−0.833333) + 0.7·(−1.333333) = −0.25 − 0.933333 = −1.183333.
    result = servqual(
        PERCEPTIONS, EXPECTATIONS, ITEMS, DIMENSIONS, importance={"可靠性": 0.3, "响应性": 0.7}
    )
    assert result.dimensions["可靠性"] == pytest.approx(-0.833333, abs=1e-6)
    assert result.dimensions["响应性"] == pytest.approx(-1.333333, abs=1e-6)
    assert result.score == pytest.approx(-1.083333, abs=1e-6)
    assert result.weighted_score == pytest.approx(-1.183333, abs=1e-6)
    data = result.to_dict()
    assert data["items"]["q2"]["mean_gap"] == pytest.approx(-1.666667, abs=1e-6)
    assert servqual(PERCEPTIONS, EXPECTATIONS, ITEMS, DIMENSIONS).weighted_score is None


def test_constant_gap_has_a_zero_width_interval():
    p = np.array([[5.0], [6.0], [7.0]])
    (gap,) = item_gaps(p, p - 2, ["q"])
    assert (gap.mean_gap, gap.se, gap.ci_low, gap.ci_high) == (2.0, 0.0, 2.0, 2.0)


@pytest.mark.parametrize(
    ("importance", "message"),
    [
        ({"可靠性": 0.5, "响应性": 0.6}, "importance weights sum to 1.1, not 1"),
        ({"可靠性": 1.0}, "must name exactly the dimensions"),
        ({"可靠性": 1.5, "响应性": -0.5}, "importance weight of '响应性' must be >= 0"),
    ],
)
def test_importance_weights_are_validated(importance, message):
    with pytest.raises(StatsError, match=message):
        servqual(PERCEPTIONS, EXPECTATIONS, ITEMS, DIMENSIONS, importance=importance)


@pytest.mark.parametrize(
    ("dimensions", "message"),
    [
        ({"A": ["q1", "q9"]}, "unknown item 'q9'"),
        ({"A": ["q1"], "B": ["q1"]}, "item 'q1' is in both 'A' and 'B'"),
        ({"A": []}, "dimension 'A' has no items"),
        ({}, "at least one dimension"),
    ],
)
def test_dimensions_are_validated(dimensions, message):
    with pytest.raises(StatsError, match=message):
        servqual(PERCEPTIONS, EXPECTATIONS, ITEMS, dimensions)


def test_shape_and_pair_errors():
    with pytest.raises(StatsError, match="one shape"):
        item_gaps(PERCEPTIONS, EXPECTATIONS[:2], ITEMS)
    with pytest.raises(StatsError, match="3 item columns but 2 item names"):
        item_gaps(PERCEPTIONS, EXPECTATIONS, ["q1", "q2"])
    with pytest.raises(StatsError, match="unique"):
        item_gaps(PERCEPTIONS, EXPECTATIONS, ["q1", "q1", "q2"])
    with pytest.raises(StatsError, match="item 'q' has 1 complete P/E pair"):
        item_gaps([[5.0], [np.nan]], [[4.0], [4.0]], ["q"])
    with pytest.raises(StatsError, match="item 'q' has 0 complete P/E pair"):
        item_gaps(np.empty((0, 1)), np.empty((0, 1)), ["q"])
    with pytest.raises(StatsError, match="finite"):
        item_gaps([[np.inf], [1.0]], [[4.0], [4.0]], ["q"])


@settings(max_examples=60, deadline=None)
@given(
    p=arrays(float, (8, 3), elements=st.integers(1, 7).map(float)),
    e=arrays(float, (8, 3), elements=st.integers(1, 7).map(float)),
)
def test_intervals_contain_gaps_and_equal_weights_give_the_plain_score(p, e):
    result = servqual(p, e, ITEMS, DIMENSIONS, importance={"可靠性": 0.5, "响应性": 0.5})
    for gap in result.items:
        assert gap.ci_low <= gap.mean_gap <= gap.ci_high
        assert -6.0 <= gap.mean_gap <= 6.0
    assert result.weighted_score == pytest.approx(result.score)

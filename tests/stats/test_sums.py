"""Statistics from sums, so groups can be combined by adding: each checked against an
independent computation on the rows (hand formula, numpy, scipy)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from ganzhi.stats.drivers import correlation_from_moments, drivers_from_correlation, key_drivers
from ganzhi.stats.errors import StatsError
from ganzhi.stats.indices import weighted_mean_from_sums
from ganzhi.stats.servqual import item_gap_from_sums


def sums(y, w):
    y, w = np.asarray(y, float), np.asarray(w, float)
    return {
        "n": y.size,
        "sum_w": w.sum(),
        "sum_wy": (w * y).sum(),
        "sum_w2": (w * w).sum(),
        "sum_w2y": (w * w * y).sum(),
        "sum_w2y2": (w * w * y * y).sum(),
    }


def test_weighted_mean_from_sums_by_hand():
    # y = 60, 80, 100 with weights 1, 1, 2: mean = 340/4 = 85
    # Σw²(y − m)² = 625 + 25 + 4·225 = 1550; Var = 3/2 · 1550 / 16 = 145.3125
    result = weighted_mean_from_sums(**sums([60, 80, 100], [1, 1, 2]))
    assert result.mean == pytest.approx(85.0)
    assert result.se == pytest.approx(math.sqrt(145.3125))
    half = stats.t.ppf(0.975, 2) * math.sqrt(145.3125)
    assert (result.ci_low, result.ci_high) == pytest.approx((85 - half, 85 + half))
    assert result.n_eff == pytest.approx(16 / 6)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.floats(0, 100), st.floats(0.1, 5)), min_size=4, max_size=60),
    st.integers(1, 3),
)
def test_sums_of_groups_equal_the_rows(rows, cut):
    """Adding the sums of two groups gives the mean and SE of the rows pooled, computed
    directly with the linearisation formula. Expanding the squares into sums cancels
    about half the digits when the values barely vary, so the SE is checked to within
    √ε of the values' size (hypothesis found all-equal values giving 7e-7 for 0)."""
    y = np.array([r[0] for r in rows])
    w = np.array([r[1] for r in rows])
    first, second = sums(y[:cut], w[:cut]), sums(y[cut:], w[cut:])
    pooled = weighted_mean_from_sums(**{k: first[k] + second[k] for k in first})
    mean = np.dot(w, y) / w.sum()
    se = math.sqrt(y.size / (y.size - 1) * np.sum((w * (y - mean)) ** 2) / w.sum() ** 2)
    assert pooled.mean == pytest.approx(mean, rel=1e-9, abs=1e-9)
    assert pooled.se == pytest.approx(se, rel=1e-6, abs=1e-7 * max(1.0, float(y.max())))


def test_weighted_mean_from_sums_refuses_degenerate_input():
    with pytest.raises(StatsError):
        weighted_mean_from_sums(**sums([50], [1]))
    with pytest.raises(StatsError):
        weighted_mean_from_sums(n=3, sum_w=0, sum_wy=0, sum_w2=0, sum_w2y=0, sum_w2y2=0)


def test_item_gap_from_sums_is_the_one_sample_t_interval():
    d = np.array([-1.0, 0.0, -2.0, 1.0, -1.0, -0.5])
    gap = item_gap_from_sums("q1", d.size, d.sum(), (d * d).sum())
    low, high = stats.t.interval(0.95, d.size - 1, loc=d.mean(), scale=stats.sem(d))
    assert gap.mean_gap == pytest.approx(d.mean())
    assert (gap.ci_low, gap.ci_high) == pytest.approx((low, high))
    with pytest.raises(StatsError):
        item_gap_from_sums("q1", 1, -1.0, 1.0)


def test_correlation_from_moments_equals_numpy_weighted_correlation():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(200, 4))
    x[:, 3] += x[:, 0]
    w = rng.uniform(0.5, 2.0, size=200)
    matrix = correlation_from_moments(
        w.sum(),
        (w[:, None] * x).sum(axis=0),
        (w[:, None, None] * x[:, :, None] * x[:, None, :]).sum(axis=0),
    )
    reference = np.cov(x, rowvar=False, aweights=w)
    sd = np.sqrt(np.diag(reference))
    assert matrix == pytest.approx(reference / np.outer(sd, sd), abs=1e-10)
    with pytest.raises(StatsError, match="constant"):
        constant = np.column_stack([x[:, 0], np.ones(200)])
        correlation_from_moments(200.0, constant.sum(axis=0), constant.T @ constant)


def test_drivers_from_moments_equal_drivers_from_rows():
    rng = np.random.default_rng(9)
    x = rng.normal(size=(300, 3))
    y = 2 * x[:, 0] + x[:, 1] + rng.normal(size=300)
    rows = np.column_stack([x, y])
    from_rows = key_drivers(x, y, names=["a", "b", "c"])
    correlation = correlation_from_moments(300.0, rows.sum(axis=0), rows.T @ rows)
    from_sums = drivers_from_correlation(correlation, n=300, names=["a", "b", "c"])
    assert from_sums.importance == pytest.approx(from_rows.importance, abs=1e-10)
    assert from_sums.r2 == pytest.approx(from_rows.r2, abs=1e-10)

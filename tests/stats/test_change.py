import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

from ganzhi.stats.change import mean_change, nps_change, p_chart, proportion_change
from ganzhi.stats.errors import StatsError
from ganzhi.stats.nps import nps_difference, nps_from_counts

# --- Welch --------------------------------------------------------------------------------


def test_welch_by_hand():
    # previous n 10, mean 70, sd 10; current n 12, mean 76, sd 8:
    # v = 100/10 = 10 and 64/12 = 5.333333; se = √15.333333 = 3.915780; t = 6/3.915780 = 1.532262
    # df = 15.333333² / (10²/9 + 5.333333²/11) = 235.111111 / 13.696970 = 17.165192
    result = mean_change(
        previous_n=10, previous_mean=70, previous_sd=10, current_n=12, current_mean=76, current_sd=8
    )
    assert result.change == 6.0
    assert result.se == pytest.approx(3.915780, abs=1e-6)
    assert result.statistic == pytest.approx(1.532262, abs=1e-6)
    assert result.df == pytest.approx(17.165192, abs=1e-6)
    assert result.method == "welch-t"


def test_welch_matches_scipy():
    rng = np.random.default_rng(11)
    previous = rng.normal(72, 9, size=30)
    current = rng.normal(76, 14, size=45)
    result = mean_change(
        previous_n=30,
        previous_mean=previous.mean(),
        previous_sd=previous.std(ddof=1),
        current_n=45,
        current_mean=current.mean(),
        current_sd=current.std(ddof=1),
    )
    reference = stats.ttest_ind(current, previous, equal_var=False)
    assert result.statistic == pytest.approx(reference.statistic)
    assert result.p_value == pytest.approx(reference.pvalue)
    assert result.df == pytest.approx(reference.df)
    assert (result.ci_low, result.ci_high) == pytest.approx(tuple(reference.confidence_interval()))
    assert result.significant == (reference.pvalue < 0.05)
    from_stats = stats.ttest_ind_from_stats(
        current.mean(), current.std(ddof=1), 45, previous.mean(), previous.std(ddof=1), 30,
        equal_var=False,
    )  # fmt: skip
    assert result.p_value == pytest.approx(from_stats.pvalue)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"previous_n": 1}, "previous period needs at least 2 answers"),
        ({"current_sd": -1}, "current standard deviation must be >= 0"),
        ({"previous_mean": float("nan")}, "previous mean must be a finite number"),
        ({"previous_sd": 0, "current_sd": 0}, "both standard deviations are 0"),
        ({"current_n": 2.5}, "whole number"),
    ],
)
def test_welch_errors(kwargs, message):
    base = dict(
        previous_n=10, previous_mean=70, previous_sd=10, current_n=12, current_mean=76, current_sd=8
    )
    with pytest.raises(StatsError, match=message):
        mean_change(**{**base, **kwargs})


# --- two proportions ----------------------------------------------------------------------


def test_two_proportions_by_hand():
    # 30/100 → 45/100: pooled p̄ = 75/200 = 0.375; se = √(0.375·0.625·(2/100)) = 0.0684653
    # z = 0.15/0.0684653 = 2.190890, p = 2·(1 − Φ(2.190890)) = 0.028460
    result = proportion_change(previous_events=30, previous_n=100, current_events=45, current_n=100)
    assert result.change == pytest.approx(0.15)
    assert result.se == pytest.approx(0.0684653, abs=1e-7)
    assert result.statistic == pytest.approx(2.190890, abs=1e-6)
    assert result.p_value == pytest.approx(0.028460, abs=1e-6)
    assert result.significant


@pytest.mark.parametrize(
    ("previous", "current", "published"),
    [
        # Newcombe (1998), "Interval estimation for the difference between independent
        # proportions", Statistics in Medicine 17:873–890, Table II, method 10 (hybrid score).
        ((48, 80), (56, 70), (0.0524, 0.3339)),
        ((3, 10), (9, 10), (0.1705, 0.8090)),
        ((2, 7), (6, 7), (0.0582, 0.8062)),
        ((0, 29), (5, 56), (-0.0381, 0.1926)),
        ((0, 20), (0, 10), (-0.1611, 0.2775)),
        ((0, 20), (10, 10), (0.6791, 1.0000)),
    ],
)
def test_newcombe_published_intervals(previous, current, published):
    result = proportion_change(
        previous_events=previous[0],
        previous_n=previous[1],
        current_events=current[0],
        current_n=current[1],
    )
    assert (result.ci_low, result.ci_high) == pytest.approx(published, abs=5e-5)


@pytest.mark.parametrize(
    ("k1", "n1", "k2", "n2"), [(30, 100, 45, 100), (12, 40, 3, 55), (1, 9, 8, 9)]
)
def test_two_proportions_match_statsmodels(k1, n1, k2, n2):
    result = proportion_change(previous_events=k1, previous_n=n1, current_events=k2, current_n=n2)
    z, p = proportions_ztest([k2, k1], [n2, n1])
    low, high = confint_proportions_2indep(k2, n2, k1, n1, method="newcomb")
    assert result.statistic == pytest.approx(z)
    assert result.p_value == pytest.approx(p)
    assert (result.ci_low, result.ci_high) == pytest.approx((low, high))


def test_no_events_in_either_period_is_a_documented_result():
    result = proportion_change(previous_events=0, previous_n=40, current_events=0, current_n=50)
    assert (result.change, result.statistic, result.p_value) == (0.0, 0.0, 1.0)
    assert not result.significant


def test_two_proportion_errors():
    with pytest.raises(StatsError, match="current_events must be between 0 and current_n = 5"):
        proportion_change(previous_events=1, previous_n=5, current_events=6, current_n=5)
    with pytest.raises(StatsError, match="previous_n must be at least 1"):
        proportion_change(previous_events=0, previous_n=0, current_events=1, current_n=5)


@settings(max_examples=100, deadline=None)
@given(
    n1=st.integers(1, 500),
    n2=st.integers(1, 500),
    f1=st.floats(0, 1),
    f2=st.floats(0, 1),
)
def test_proportion_change_interval_contains_change(n1, n2, f1, f2):
    k1, k2 = round(f1 * n1), round(f2 * n2)
    result = proportion_change(previous_events=k1, previous_n=n1, current_events=k2, current_n=n2)
    assert -1.0 <= result.ci_low <= result.change + 1e-12
    assert result.change - 1e-12 <= result.ci_high <= 1.0
    assert 0.0 <= result.p_value <= 1.0


# --- NPS ----------------------------------------------------------------------------------


def test_nps_change_reuses_the_nps_difference():
    previous, current = nps_from_counts(30, 40, 30), nps_from_counts(45, 35, 20)
    result = nps_change(previous, current)
    reference = nps_difference(current, previous)
    # current − previous = 25 − 0 = 25 points
    assert result.change == pytest.approx(25.0)
    assert (result.previous, result.current) == (0.0, pytest.approx(25.0))
    assert (result.ci_low, result.ci_high, result.p_value) == (
        reference.ci_low,
        reference.ci_high,
        reference.p_value,
    )
    assert result.significant == (reference.p_value < 0.05)
    assert result.df is None


# --- p-chart ------------------------------------------------------------------------------


def test_p_chart_published_limits():
    # Montgomery, Introduction to Statistical Quality Control, Exercise 6-1 (solutions):
    # m = 20 samples of n = 100, ΣD = 117 → p̄ = 0.0585, UCL = 0.1289, LCL = 0, and sample
    # 12 out of control. Only the total and sample 12's excess come from the source: the
    # other counts here are made up to give the same ΣD (sample 12 set to 15 > 12.89).
    events = [5, 4, 6, 5, 6, 4, 5, 6, 5, 6, 5, 15, 6, 5, 6, 5, 6, 5, 6, 6]
    assert sum(events) == 117
    chart = p_chart(events, [100] * 20)
    assert chart.centre == pytest.approx(0.0585)
    assert chart.points[0].ucl == pytest.approx(0.1289, abs=5e-5)
    assert chart.points[0].lcl == 0.0
    assert chart.out_of_control == ("12",)


def test_p_chart_variable_sizes_by_hand():
    # Σx = 95, Σn = 400 → p̄ = 0.2375.
    # n = 100: 3·√(0.2375·0.7625/100) = 3·0.0425552 = 0.127665 → [0.109835, 0.365165]
    # n = 50:  3·√(0.2375·0.7625/50)  = 3·0.0601821 = 0.180546 → [0.056954, 0.418046]
    # Shares 0.30, 0.30, 0.40, 0.05, 0.25: only month 4 (0.05 < 0.109835) is outside;
    # month 3 (0.40 ≤ 0.418046) is inside.
    chart = p_chart(
        [30, 15, 20, 5, 25], [100, 50, 50, 100, 100], ["1月", "2月", "3月", "4月", "5月"]
    )
    assert chart.centre == pytest.approx(0.2375)
    first, second = chart.points[0], chart.points[1]
    assert (first.lcl, first.ucl) == pytest.approx((0.109835, 0.365165), abs=1e-6)
    assert (second.lcl, second.ucl) == pytest.approx((0.056954, 0.418046), abs=1e-6)
    assert chart.out_of_control == ("4月",)
    data = chart.to_dict()
    assert data["out_of_control"] == ["4月"]
    assert data["points"][3]["proportion"] == 0.05


def test_p_chart_with_no_events_has_collapsed_limits():
    chart = p_chart([0, 0, 0], [10, 20, 30])
    assert chart.centre == 0.0
    assert all(point.lcl == point.ucl == 0.0 for point in chart.points)
    assert chart.out_of_control == ()


@pytest.mark.parametrize(
    ("events", "sizes", "labels", "message"),
    [
        ([1], [10], None, "at least 2 periods"),
        ([], [], None, "at least 2 periods"),
        ([1, 2], [10], None, "differ in length"),
        ([1, 2], [10, 10], ["a"], "1 labels for 2 periods"),
        ([1, 12], [10, 10], ["a", "b"], "events of 'b' must be between 0 and size of 'b' = 10"),
        ([1, 0], [10, 0], None, "size of '2' must be at least 1"),
    ],
)
def test_p_chart_errors(events, sizes, labels, message):
    with pytest.raises(StatsError, match=message):
        p_chart(events, sizes, labels)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 500), st.floats(0, 1)), min_size=2, max_size=24))
def test_p_chart_limits_bracket_the_centre(months):
    sizes = [n for n, _ in months]
    events = [round(f * n) for n, f in months]
    chart = p_chart(events, sizes)
    for point in chart.points:
        assert 0.0 <= point.lcl <= chart.centre <= point.ucl <= 1.0
        assert point.out_of_control == (not point.lcl <= point.proportion <= point.ucl)

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint

from ganzhi.stats.errors import StatsError
from ganzhi.stats.rates import RATE_METHODS, rate

# Our method name → statsmodels' name for the same interval.
STATSMODELS_METHOD = {
    "wilson": "wilson",
    "agresti-coull": "agresti_coull",
    "clopper-pearson": "beta",
}


def test_wilson_by_hand():
    # k = 3, n = 10, z = 1.959964, z² = 3.841459:
    # centre = (3 + 1.920729)/(10 + 3.841459) = 4.920729/13.841459 = 0.355507
    # half   = 1.959964/13.841459 · √(3·7/10 + 0.960365) = 0.141601 · 1.749390 = 0.247715
    # interval = 0.355507 ∓ 0.247715 = [0.107792, 0.603222]
    result = rate(3, 10)
    assert result.rate == 0.3
    assert result.ci_low == pytest.approx(0.107792, abs=1e-6)
    assert result.ci_high == pytest.approx(0.603222, abs=1e-6)
    assert result.method == "wilson"


@pytest.mark.parametrize(
    ("k", "n", "wilson", "exact"),
    [
        # Newcombe (1998), "Two-sided confidence intervals for the single proportion",
        # Statistics in Medicine 17:857–872, Table II: methods 3 (Wilson score) and 5 (exact).
        (81, 263, (0.2553, 0.3662), (0.2527, 0.3676)),
        (15, 148, (0.0624, 0.1605), (0.0578, 0.1617)),
        (0, 20, (0.0, 0.1611), (0.0, 0.1684)),
        (1, 29, (0.0061, 0.1718), (0.0009, 0.1776)),
    ],
)
def test_published_newcombe_examples(k, n, wilson, exact):
    w = rate(k, n, method="wilson")
    cp = rate(k, n, method="clopper-pearson")
    assert (w.ci_low, w.ci_high) == pytest.approx(wilson, abs=5e-5)
    assert (cp.ci_low, cp.ci_high) == pytest.approx(exact, abs=5e-5)


@pytest.mark.parametrize("method", RATE_METHODS)
@pytest.mark.parametrize(("k", "n"), [(0, 1), (1, 1), (0, 7), (3, 7), (7, 7), (1, 50), (49, 50)])
@pytest.mark.parametrize("confidence", [0.90, 0.95, 0.99])
def test_matches_statsmodels(method, k, n, confidence):
    expected = proportion_confint(k, n, alpha=1 - confidence, method=STATSMODELS_METHOD[method])
    result = rate(k, n, method=method, confidence=confidence)
    assert (result.ci_low, result.ci_high) == pytest.approx(expected, abs=1e-10)


@pytest.mark.parametrize("method", RATE_METHODS)
def test_extremes_hit_the_bounds_exactly(method):
    assert rate(0, 12, method=method).ci_low == 0.0
    assert rate(12, 12, method=method).ci_high == 1.0


@settings(max_examples=200, deadline=None)
@given(
    n=st.integers(min_value=1, max_value=100_000),
    fraction=st.floats(min_value=0, max_value=1),
    method=st.sampled_from(RATE_METHODS),
    confidence=st.sampled_from([0.8, 0.9, 0.95, 0.99, 0.999]),
)
def test_interval_contains_the_rate_within_unit_range(n, fraction, method, confidence):
    k = round(fraction * n)
    result = rate(k, n, method=method, confidence=confidence)
    assert 0.0 <= result.ci_low <= result.rate <= result.ci_high <= 1.0


def test_to_dict_is_plain():
    assert rate(2, 4).to_dict() == {
        "k": 2,
        "n": 4,
        "rate": 0.5,
        # Wilson 2/4: centre (2 + 1.920729)/7.841459 = 0.5,
        # half 1.959964/7.841459 · √(2·2/4 + 0.960365) = 0.249949 · 1.400130 = 0.349961
        "ci_low": pytest.approx(0.150039, abs=1e-6),
        "ci_high": pytest.approx(0.849961, abs=1e-6),
        "method": "wilson",
        "confidence": 0.95,
    }


@pytest.mark.parametrize(
    ("k", "n", "message"),
    [
        (5, 4, "k must be between 0 and n = 4"),
        (-1, 4, "k must be between 0 and n = 4"),
        (0, 0, "n must be at least 1"),
        (2.5, 4, "k must be a whole number"),
        ("x", 4, "k must be a whole number"),
        (True, 4, "k must be a whole number"),
    ],
)
def test_invalid_counts(k, n, message):
    with pytest.raises(StatsError, match=message):
        rate(k, n)


def test_whole_float_counts_are_accepted():
    assert rate(3.0, 10.0).k == 3


def test_unknown_method_and_bad_confidence():
    with pytest.raises(StatsError, match="unknown rate interval method"):
        rate(1, 2, method="exact")  # type: ignore[arg-type]
    with pytest.raises(StatsError, match="confidence must be between 0 and 1"):
        rate(1, 2, confidence=95)

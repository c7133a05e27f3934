import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ganzhi.stats.errors import StatsError
from ganzhi.stats.sampling import margin_of_error, proportional_allocation, sample_size


def test_infinite_population_textbook_value():
    # Cochran (1977), Sampling Techniques, eq. 4.1 with p = 0.5, e = 0.05, 95 %:
    # n0 = 1.959964² · 0.25 / 0.05² = 3.841459 · 0.25 / 0.0025 = 384.15 → 385.
    assert sample_size(0.05) == 385
    # e = 3 %: 3.841459 · 0.25 / 0.0009 = 1067.07 → 1068; e = 10 %: 96.04 → 97.
    assert sample_size(0.03) == 1068
    assert sample_size(0.10) == 97


@pytest.mark.parametrize(
    ("population", "expected"),
    [
        # Krejcie & Morgan (1970), "Determining sample size for research activities",
        # Educational and Psychological Measurement 30:607–610, Table 1 (e = .05, P = .5, 95 %).
        # Their formula s = χ²NP(1−P)/(d²(N−1) + χ²P(1−P)) is algebraically the FPC formula;
        # they round to nearest where we round up, so only rows where both agree are used
        # (e.g. N = 500 is 217.49: 217 in the table, 218 here).
        (10, 10),
        (100, 80),
        (1000, 278),
        (5000, 357),
        (10000, 370),
        (1000000, 384),
    ],
)
def test_finite_population_matches_krejcie_morgan(population, expected):
    assert sample_size(0.05, population=population) == expected


def test_fpc_by_hand():
    # N = 1000: n = 384.146/(1 + 383.146/1000) = 384.146/1.383146 = 277.73 → 278.
    assert sample_size(0.05, population=1000) == 278
    # p = 0.2, e = 0.05: n0 = 3.841459·0.16/0.0025 = 245.85 → 246; N = 400: 245.85/1.612134
    # = 152.50 → 153.
    assert sample_size(0.05, p=0.2) == 246
    assert sample_size(0.05, p=0.2, population=400) == 153
    assert sample_size(0.05, population=1) == 1


def test_margin_of_error_is_the_inverse():
    # n = 400, unlimited: 1.959964·√(0.25/400) = 1.959964·0.025 = 0.0489991.
    assert margin_of_error(400) == pytest.approx(0.0489991, abs=1e-7)
    assert margin_of_error(385) <= 0.05 < margin_of_error(384)
    assert margin_of_error(278, population=1000) <= 0.05 < margin_of_error(277, population=1000)
    assert margin_of_error(50, population=50) == 0.0  # a census


def test_proportional_allocation_by_hand():
    # N = 1000 → n = 278 (above). Shares 0.6 / 0.3 / 0.1:
    # n_A = ⌈166.8⌉ = 167, n_B = ⌈83.4⌉ = 84, n_C = ⌈27.8⌉ = 28 → 279 in total.
    # Stratum C alone: e_C = 1.959964·√(0.25/28 · 72/99) = 1.959964·0.080582 = 0.157938;
    # it would need 384.146/(1 + 383.146/100) = 79.51 → 80 for ±5 % on its own.
    plan = proportional_allocation({"A": 600, "B": 300, "C": 100}, 0.05)
    assert plan.overall_sample == 278
    assert [s.sample for s in plan.strata] == [167, 84, 28]
    assert plan.total_sample == 279
    c = plan.strata[2]
    assert c.margin == pytest.approx(0.157938, abs=1e-6)
    assert c.required_for_margin == 80
    data = plan.to_dict()
    assert data["strata"][0]["stratum"] == "A"
    assert data["population"] == 1000


def test_tiny_strata_are_censused():
    plan = proportional_allocation({"big": 10000, "tiny": 1}, 0.05)
    tiny = plan.strata[1]
    assert (tiny.sample, tiny.margin, tiny.required_for_margin) == (1, 0.0, 1)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: sample_size(0), "margin of error must be between 0 and 1"),
        (lambda: sample_size(5), "margin of error must be between 0 and 1"),
        (lambda: sample_size(0.05, p=0), "p must be strictly between 0 and 1"),
        (lambda: sample_size(0.05, population=0), "population must be at least 1"),
        (lambda: sample_size(0.05, population=10.5), "whole number"),
        (lambda: sample_size(0.05, confidence=1), "confidence"),
        (lambda: margin_of_error(0), "n must be at least 1"),
        (lambda: proportional_allocation({}, 0.05), "at least one stratum"),
        (lambda: proportional_allocation({"A": 0}, 0.05), "population of 'A' must be at least 1"),
    ],
)
def test_errors(call, message):
    with pytest.raises(StatsError, match=message):
        call()


@settings(max_examples=150, deadline=None)
@given(
    margin=st.floats(min_value=0.005, max_value=0.5),
    population=st.integers(min_value=1, max_value=10**7),
    p=st.floats(min_value=0.01, max_value=0.99),
)
def test_size_within_population_and_meets_the_margin(margin, population, p):
    n = sample_size(margin, population=population, p=p)
    assert 1 <= n <= population
    assert n <= sample_size(margin, p=p)
    assert margin_of_error(n, population=population, p=p) <= margin * (1 + 1e-9)


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(st.text(min_size=1, max_size=4), st.integers(1, 50000), min_size=1, max_size=8)
)
def test_allocation_covers_the_overall_sample(population):
    plan = proportional_allocation(population, 0.05)
    assert plan.overall_sample <= plan.total_sample <= plan.overall_sample + len(population)
    for stratum in plan.strata:
        assert 1 <= stratum.sample <= stratum.population

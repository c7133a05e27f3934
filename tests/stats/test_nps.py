import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.weightstats import DescrStatsW

from ganzhi.stats.errors import StatsError
from ganzhi.stats.nps import NPS_METHODS, nps, nps_difference, nps_from_counts

Z95 = 1.959963984540054  # Φ⁻¹(0.975)


def coded(promoters, passives, detractors):
    """Answers coded +1 / 0 / −1, the trinomial form of the NPS (Rocks 2016, §2)."""
    return np.array([1.0] * promoters + [0.0] * passives + [-1.0] * detractors)


def test_categories_follow_the_0_6_7_8_9_10_split():
    # 0–6 detractors, 7–8 passives, 9–10 promoters (Reichheld 2003).
    result = nps(list(range(11)))
    assert (result.detractors, result.passives, result.promoters) == (7, 2, 2)
    assert result.nps == pytest.approx(100 * (2 - 7) / 11)


def test_balanced_sample_by_hand():
    # 2 promoters, 2 passives, 2 detractors: NPS = 100·(2/6 − 2/6) = 0.
    # Var = (1/3 + 1/3 − 0²)/6 = 0.111111, se = 100·√0.111111 = 33.3333 points.
    # Adjusted: 2.75 / 3.5 / 2.75 of 9: p̃ = 0.305556 each, Var = 0.611111/9 = 0.0679012,
    # se_adj = 0.260578, half-width 1.959964·0.260578 = 0.510724 → ±51.0724 points.
    result = nps([10, 9, 8, 7, 6, 0])
    assert result.nps == 0.0
    assert result.se == pytest.approx(33.3333, abs=1e-4)
    assert (result.ci_low, result.ci_high) == pytest.approx((-51.0724, 51.0724), abs=1e-4)
    assert result.ci_method == "adjusted-wald"
    wald = nps([10, 9, 8, 7, 6, 0], ci_method="wald")
    # Wald: 0 ± 1.959964·33.3333 = ±65.3321
    assert (wald.ci_low, wald.ci_high) == pytest.approx((-65.3321, 65.3321), abs=1e-4)


def test_skewed_sample_by_hand():
    # 7 promoters, 2 passives, 1 detractor (n = 10): NPS = 100·(0.7 − 0.1) = 60.
    # Var = (0.7 + 0.1 − 0.6²)/10 = 0.044, se = 100·0.209762 = 20.9762.
    # Wald: 60 ± 1.959964·20.9762 = [18.8874, 101.1126] → upper clipped to 100.
    # Adjusted: 7.75 / 3.5 / 1.75 of 13: p̃_pro = 0.596154, p̃_det = 0.134615,
    # centre 0.461538, Var = (0.730769 − 0.213018)/13 = 0.0398270, se = 0.199567,
    # interval 0.461538 ∓ 0.391144 = [7.0394, 85.2683].
    result = nps_from_counts(7, 2, 1)
    assert result.nps == pytest.approx(60.0)
    assert result.se == pytest.approx(20.9762, abs=1e-4)
    assert (result.ci_low, result.ci_high) == pytest.approx((7.0394, 85.2683), abs=1e-4)
    wald = nps_from_counts(7, 2, 1, ci_method="wald")
    assert (wald.ci_low, wald.ci_high) == pytest.approx((18.8874, 100.0), abs=1e-4)


@pytest.mark.parametrize(
    ("promoters", "passives", "detractors"), [(7, 2, 1), (40, 35, 25), (3, 0, 9)]
)
def test_se_and_intervals_match_statsmodels_descriptives(promoters, passives, detractors):
    # Independent route: the NPS is the mean of the answers coded +1/0/−1 and its trinomial
    # variance is their population variance (ddof = 0); the adjusted-Wald version is the same
    # with weights count + (0.75, 1.5, 0.75) on the codes (Rocks 2016).
    n = promoters + passives + detractors
    plain = DescrStatsW(coded(promoters, passives, detractors), ddof=0)
    result = nps_from_counts(promoters, passives, detractors, ci_method="wald")
    assert result.nps == pytest.approx(100 * plain.mean)
    assert result.se == pytest.approx(100 * plain.std / math.sqrt(n))
    assert result.ci_low == pytest.approx(max(-100, 100 * (plain.mean - Z95 * result.se / 100)))
    adjusted = DescrStatsW(
        [1.0, 0.0, -1.0], weights=[promoters + 0.75, passives + 1.5, detractors + 0.75], ddof=0
    )
    adjusted_se = adjusted.std / math.sqrt(n + 3)
    result = nps_from_counts(promoters, passives, detractors)
    assert result.ci_low == pytest.approx(max(-100, 100 * (adjusted.mean - Z95 * adjusted_se)))
    assert result.ci_high == pytest.approx(min(100, 100 * (adjusted.mean + Z95 * adjusted_se)))


def test_missing_answers_are_dropped_and_counted():
    result = nps([10, float("nan"), 0, None, 9])
    assert (result.n, result.n_missing) == (3, 2)
    assert result.nps == pytest.approx(100 * (2 - 1) / 3)


def test_shares_and_to_dict_are_plain():
    data = nps([9, 9, 7, 3]).to_dict()
    assert data["share_promoters"] == 0.5
    assert data["share_passives"] == 0.25
    assert data["share_detractors"] == 0.25
    assert all(isinstance(value, int | float | str) for value in data.values())


def test_single_answer_is_a_documented_result():
    # n = 1: the Wald interval has zero width; the adjusted one is centred on the shrunken
    # estimate (1.75 − 0.75)/4 = 0.25 and leaves out the raw 100 (documented).
    wald = nps([10], ci_method="wald")
    assert (wald.nps, wald.se, wald.ci_low, wald.ci_high) == (100.0, 0.0, 100.0, 100.0)
    adjusted = nps([10])
    assert adjusted.ci_high < 100.0
    assert adjusted.ci_low > -100.0


@pytest.mark.parametrize(
    ("scores", "message"),
    [
        ([], "no NPS answers"),
        ([float("nan"), None], "no NPS answers"),
        ([3, 11], "whole numbers 0–10; got 11"),
        ([-1], "whole numbers 0–10; got -1"),
        ([7.5], "whole numbers 0–10; got 7.5"),
        ([float("inf")], "whole numbers 0–10; got inf"),
        (["high"], "must be numbers 0–10"),
        ([[1, 2], [3, 4]], "1-D"),
    ],
)
def test_invalid_answers(scores, message):
    with pytest.raises(StatsError, match=message):
        nps(scores)


def test_invalid_counts_and_options():
    with pytest.raises(StatsError, match="promoters must not be negative"):
        nps_from_counts(-1, 2, 3)
    with pytest.raises(StatsError, match="no NPS answers"):
        nps_from_counts(0, 0, 0)
    with pytest.raises(StatsError, match="unknown NPS interval method"):
        nps([9], ci_method="bootstrap")  # type: ignore[arg-type]
    with pytest.raises(StatsError, match="confidence"):
        nps([9], confidence=0)


answers = st.lists(st.integers(min_value=0, max_value=10), min_size=1, max_size=300)


@settings(max_examples=150, deadline=None)
@given(scores=answers, method=st.sampled_from(NPS_METHODS))
def test_nps_and_interval_stay_in_range(scores, method):
    result = nps(scores, ci_method=method)
    assert -100.0 <= result.ci_low <= result.ci_high <= 100.0
    assert -100.0 <= result.nps <= 100.0
    assert result.se >= 0.0
    assert result.share_promoters + result.share_passives + result.share_detractors == (
        pytest.approx(1.0)
    )
    if method == "wald" or result.n >= 2:  # n = 1 adjusted: see test_single_answer_...
        assert result.ci_low <= result.nps <= result.ci_high


def test_difference_by_hand():
    # a = 7/2/1 (n 10), b = 2/2/2 (n 6), adjusted-Wald:
    # a: centre 0.461538, Var 0.0398270 (see test_skewed_sample_by_hand)
    # b: 2.75/3.5/2.75 of 9: centre 0, Var 0.0679012
    # se = √(0.0398270 + 0.0679012) = 0.328220 → 32.8220 points; z = 0.461538/0.328220 = 1.40619
    # p = 2·(1 − Φ(1.40619)) = 0.15966; interval 0.461538 ∓ 0.643298 = [−18.1761, 110.4838]
    result = nps_difference(nps_from_counts(7, 2, 1), nps_from_counts(2, 2, 2))
    assert result.difference == pytest.approx(60.0)
    assert result.se == pytest.approx(32.8220, abs=1e-4)
    assert result.z == pytest.approx(1.40619, abs=1e-5)
    assert result.p_value == pytest.approx(0.15966, abs=1e-5)
    assert (result.ci_low, result.ci_high) == pytest.approx((-18.1761, 110.4838), abs=1e-4)


def test_wald_difference_matches_statsmodels_variances():
    # Wald z test on the coded answers: z = (m_a − m_b)/√(v_a/n_a + v_b/n_b), ddof-0 variances.
    a, b = (40, 35, 25), (30, 30, 40)
    da, db = DescrStatsW(coded(*a), ddof=0), DescrStatsW(coded(*b), ddof=0)
    se = math.sqrt(da.var / 100 + db.var / 100)
    z = (da.mean - db.mean) / se
    result = nps_difference(nps_from_counts(*a), nps_from_counts(*b), ci_method="wald")
    assert result.difference == pytest.approx(100 * (da.mean - db.mean))
    assert result.se == pytest.approx(100 * se)
    assert result.z == pytest.approx(z)
    assert result.p_value == pytest.approx(2 * stats.norm.sf(abs(z)))


def test_wald_difference_with_zero_se_is_an_error():
    with pytest.raises(StatsError, match="use the adjusted-wald method"):
        nps_difference(nps([10, 10]), nps([0, 0]), ci_method="wald")
    # Adjusted-Wald is defined: a = 2.75/1.5/0.75 of 5 → centre 0.4, Var (0.7 − 0.16)/5 = 0.108;
    # b mirrors it (centre −0.4); se = √0.216 = 0.464758, z = 0.8/0.464758 = 1.72133.
    adjusted = nps_difference(nps([10, 10]), nps([0, 0]))
    assert adjusted.se == pytest.approx(46.4758, abs=1e-4)
    assert adjusted.z == pytest.approx(1.72133, abs=1e-5)


@settings(max_examples=100, deadline=None)
@given(a=answers, b=answers, method=st.sampled_from(NPS_METHODS))
def test_difference_interval_in_range(a, b, method):
    first, second = nps(a), nps(b)
    if method == "wald" and first.se == second.se == 0.0:
        return  # zero Wald standard error: tested above
    result = nps_difference(first, second, ci_method=method)
    assert -200.0 <= result.ci_low <= result.ci_high <= 200.0
    assert 0.0 <= result.p_value <= 1.0
    assert result.difference == pytest.approx(first.nps - second.nps)
    if method == "wald":
        assert result.ci_low <= result.difference + 1e-9
        assert result.difference <= result.ci_high + 1e-9

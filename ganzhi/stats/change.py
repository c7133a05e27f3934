"""Did a score move beyond noise? Two-period tests and a p-chart over months."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from scipy import stats

from ganzhi.stats._checks import (
    check_confidence,
    check_counts,
    clip,
    student_quantile,
    two_sided_normal_p,
    whole_number,
)
from ganzhi.stats.errors import StatsError
from ganzhi.stats.nps import NPSMethod, NPSResult, nps_difference
from ganzhi.stats.rates import rate


@dataclass(frozen=True)
class ChangeTest:
    """Change current − previous, its interval and a two-sided test.

    ``significant`` is p_value < 1 − confidence. ``df`` is None for z tests.
    """

    method: str
    previous: float
    current: float
    change: float
    se: float
    ci_low: float
    ci_high: float
    statistic: float
    df: float | None
    p_value: float
    significant: bool
    confidence: float

    def to_dict(self) -> dict[str, str | float | bool | None]:
        return asdict(self)


@dataclass(frozen=True)
class PChartPoint:
    """One period of a p-chart."""

    label: str
    events: int
    n: int
    proportion: float
    lcl: float
    ucl: float
    out_of_control: bool

    def to_dict(self) -> dict[str, str | int | float | bool]:
        return asdict(self)


@dataclass(frozen=True)
class PChart:
    """Centre line p̄, the periods with their limits, and the labels of out-of-control ones."""

    centre: float
    points: tuple[PChartPoint, ...]

    @property
    def out_of_control(self) -> tuple[str, ...]:
        return tuple(point.label for point in self.points if point.out_of_control)

    def to_dict(self) -> dict[str, object]:
        return {
            "centre": self.centre,
            "points": [point.to_dict() for point in self.points],
            "out_of_control": list(self.out_of_control),
        }


def mean_change(
    *,
    previous_n: int,
    previous_mean: float,
    previous_sd: float,
    current_n: int,
    current_mean: float,
    current_sd: float,
    confidence: float = 0.95,
) -> ChangeTest:
    """Welch's t test for the change of a mean score, from n, mean and sd of each period.

    With v_i = s_i²/n_i (Welch 1947, Biometrika 34:28–35; Satterthwaite 1946)::

        change = x̄_current − x̄_previous,  se = √(v_prev + v_cur)
        t      = change / se
        df     = (v_prev + v_cur)² / (v_prev²/(n_prev − 1) + v_cur²/(n_cur − 1))
        p      = 2·P(T_df > |t|),  CI = change ± t_{1−α/2, df}·se

    Raises StatsError when a period has fewer than 2 answers, an sd is negative or not
    finite, a mean is not finite, or both sds are 0 (the test is undefined).
    """
    confidence = check_confidence(confidence)
    n_prev, v_prev = _period(previous_n, previous_mean, previous_sd, "previous")
    n_cur, v_cur = _period(current_n, current_mean, current_sd, "current")
    se = math.sqrt(v_prev + v_cur)
    if se == 0.0:
        raise StatsError("both standard deviations are 0; the t test is undefined")
    df = (v_prev + v_cur) ** 2 / (v_prev**2 / (n_prev - 1) + v_cur**2 / (n_cur - 1))
    change = float(current_mean) - float(previous_mean)
    t = change / se
    half = student_quantile(confidence, df) * se
    p_value = float(2.0 * stats.t.sf(abs(t), df))
    return ChangeTest(
        method="welch-t",
        previous=float(previous_mean),
        current=float(current_mean),
        change=change,
        se=se,
        ci_low=change - half,
        ci_high=change + half,
        statistic=t,
        df=df,
        p_value=p_value,
        significant=p_value < 1.0 - confidence,
        confidence=confidence,
    )


def proportion_change(
    *,
    previous_events: int,
    previous_n: int,
    current_events: int,
    current_n: int,
    confidence: float = 0.95,
) -> ChangeTest:
    """Two-proportion z test and Newcombe interval for the change of a share (0–1 units).

    With p_1 = previous share, p_2 = current share, p̄ = (k_1 + k_2)/(n_1 + n_2)::

        change = p_2 − p_1
        se     = √(p̄(1 − p̄)(1/n_1 + 1/n_2))      (pooled, under H0: p_1 = p_2)
        z      = change / se,  p = 2·(1 − Φ(|z|))

    The interval is Newcombe's hybrid score interval (Newcombe 1998, Statistics in Medicine
    17:873–890, method 10) from the Wilson intervals (l_i, u_i) of each period::

        low  = change − √((p_2 − l_2)² + (u_1 − p_1)²)
        high = change + √((u_2 − p_2)² + (p_1 − l_1)²)

    When both periods have no events or only events (p̄ ∈ {0, 1}) the change is 0 and the
    result is z = 0, p = 1. Raises StatsError for invalid counts.
    """
    confidence = check_confidence(confidence)
    k1, n1 = check_counts(
        previous_events, previous_n, k_name="previous_events", n_name="previous_n"
    )
    k2, n2 = check_counts(current_events, current_n, k_name="current_events", n_name="current_n")
    previous = rate(k1, n1, method="wilson", confidence=confidence)
    current = rate(k2, n2, method="wilson", confidence=confidence)
    change = current.rate - previous.rate
    pooled = (k1 + k2) / (n1 + n2)
    se = math.sqrt(pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2))
    z = change / se if se > 0.0 else 0.0
    p_value = two_sided_normal_p(z)
    low = change - math.hypot(current.rate - current.ci_low, previous.ci_high - previous.rate)
    high = change + math.hypot(current.ci_high - current.rate, previous.rate - previous.ci_low)
    return ChangeTest(
        method="two-proportion-z",
        previous=previous.rate,
        current=current.rate,
        change=change,
        se=se,
        ci_low=clip(low, -1.0, 1.0),
        ci_high=clip(high, -1.0, 1.0),
        statistic=z,
        df=None,
        p_value=p_value,
        significant=p_value < 1.0 - confidence,
        confidence=confidence,
    )


def nps_change(
    previous: NPSResult,
    current: NPSResult,
    *,
    ci_method: NPSMethod = "adjusted-wald",
    confidence: float = 0.95,
) -> ChangeTest:
    """Change of NPS between two periods (points): :func:`ganzhi.stats.nps.nps_difference`
    of current vs previous (adjusted-Wald z test by default; Rocks 2016, Sauro & Lewis 2021).
    """
    difference = nps_difference(current, previous, ci_method=ci_method, confidence=confidence)
    return ChangeTest(
        method=f"nps-z ({ci_method})",
        previous=previous.nps,
        current=current.nps,
        change=difference.difference,
        se=difference.se,
        ci_low=difference.ci_low,
        ci_high=difference.ci_high,
        statistic=difference.z,
        df=None,
        p_value=difference.p_value,
        significant=difference.p_value < 1.0 - difference.confidence,
        confidence=difference.confidence,
    )


def p_chart(
    events: Sequence[int], sizes: Sequence[int], labels: Sequence[str] | None = None
) -> PChart:
    """Shewhart p-chart with variable sample sizes (Montgomery, Introduction to Statistical
    Quality Control, 7th ed., §7.2.2)::

        p̄      = Σ x_i / Σ n_i
        limits = p̄ ± 3·√(p̄(1 − p̄)/n_i), clipped to [0, 1]

    A period is out of control when its share x_i/n_i lies strictly beyond its limits. When
    p̄ is 0 or 1 the limits collapse onto p̄ and no period is out of control. ``labels``
    default to "1", "2", ... Raises StatsError for fewer than 2 periods, lengths that differ,
    or invalid counts (n_i ≥ 1, 0 ≤ x_i ≤ n_i).
    """
    if len(events) != len(sizes):
        raise StatsError(f"events and sizes differ in length: {len(events)} vs {len(sizes)}")
    names = [str(i + 1) for i in range(len(events))] if labels is None else list(labels)
    if len(names) != len(events):
        raise StatsError(f"{len(names)} labels for {len(events)} periods")
    if len(events) < 2:
        raise StatsError(f"a p-chart needs at least 2 periods; got {len(events)}")
    counts = [
        check_counts(x, n, k_name=f"events of '{name}'", n_name=f"size of '{name}'")
        for x, n, name in zip(events, sizes, names, strict=True)
    ]
    centre = sum(x for x, _ in counts) / sum(n for _, n in counts)
    points = []
    for name, (x, n) in zip(names, counts, strict=True):
        half = 3.0 * math.sqrt(centre * (1.0 - centre) / n)
        lcl, ucl = clip(centre - half, 0.0, 1.0), clip(centre + half, 0.0, 1.0)
        share = x / n
        points.append(
            PChartPoint(
                label=name,
                events=x,
                n=n,
                proportion=share,
                lcl=lcl,
                ucl=ucl,
                out_of_control=share < lcl or share > ucl,
            )
        )
    return PChart(centre=centre, points=tuple(points))


def _period(n: int, mean: float, sd: float, period: str) -> tuple[int, float]:
    """Validated count and variance of the mean s²/n of one period."""
    count = whole_number(n, f"{period}_n")
    if count < 2:
        raise StatsError(f"the {period} period needs at least 2 answers; got {count}")
    if not math.isfinite(float(mean)):
        raise StatsError(f"the {period} mean must be a finite number; got {mean!r}")
    sd = float(sd)
    if not (math.isfinite(sd) and sd >= 0):
        raise StatsError(f"the {period} standard deviation must be >= 0; got {sd!r}")
    return count, sd * sd / count

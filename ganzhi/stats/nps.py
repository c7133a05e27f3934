"""Net Promoter Score (NPS) from 0–10 likelihood-to-recommend answers.

Promoters answer 9–10, passives 7–8, detractors 0–6 (Reichheld 2003, "The one number you
need to grow", Harvard Business Review 81(12):46–54). All scores are in points, −100…100.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from ganzhi.stats._checks import (
    check_confidence,
    clip,
    normal_quantile,
    two_sided_normal_p,
    whole_number,
)
from ganzhi.stats.errors import StatsError

NPSMethod = Literal["adjusted-wald", "wald"]
NPS_METHODS: tuple[str, ...] = ("adjusted-wald", "wald")

# Rocks (2016): pseudo-answers added before the Wald interval (3 in total).
_ADDED_PROMOTERS = 0.75
_ADDED_PASSIVES = 1.5
_ADDED_DETRACTORS = 0.75


@dataclass(frozen=True)
class NPSResult:
    """Counts, shares (0–1), NPS, its standard error and interval (points, −100…100)."""

    n: int
    n_missing: int
    promoters: int
    passives: int
    detractors: int
    share_promoters: float
    share_passives: float
    share_detractors: float
    nps: float
    se: float
    ci_low: float
    ci_high: float
    ci_method: str
    confidence: float

    def to_dict(self) -> dict[str, int | float | str]:
        return asdict(self)


@dataclass(frozen=True)
class NPSDifference:
    """NPS of group a minus NPS of group b (points), its interval and two-sided z test."""

    nps_a: float
    nps_b: float
    difference: float
    se: float
    ci_low: float
    ci_high: float
    z: float
    p_value: float
    ci_method: str
    confidence: float

    def to_dict(self) -> dict[str, float | str]:
        return asdict(self)


def nps(
    scores: ArrayLike, *, ci_method: NPSMethod = "adjusted-wald", confidence: float = 0.95
) -> NPSResult:
    """NPS of 0–10 answers; NaN (or None) answers are missing and dropped (``n_missing``).

    NPS = 100·(p_pro − p_det) with p_pro = promoters/n, p_det = detractors/n.
    See :func:`nps_from_counts` for the standard error and the interval.
    Raises StatsError when an answer is not a whole number 0–10 or no answer is left.
    """
    promoters, passives, detractors, n_missing = _categorise(scores)
    return nps_from_counts(
        promoters,
        passives,
        detractors,
        n_missing=n_missing,
        ci_method=ci_method,
        confidence=confidence,
    )


def nps_from_counts(
    promoters: int,
    passives: int,
    detractors: int,
    *,
    n_missing: int = 0,
    ci_method: NPSMethod = "adjusted-wald",
    confidence: float = 0.95,
) -> NPSResult:
    """NPS from category counts, with standard error and interval in points.

    n = promoters + passives + detractors, p_pro = promoters/n, p_det = detractors/n::

        NPS     = 100·(p_pro − p_det)
        Var     = [p_pro + p_det − (p_pro − p_det)²] / n         (trinomial variance)
        se      = 100·√Var

    Interval, z = Φ⁻¹(1 − α/2), bounds clipped to [−100, 100]:

    * ``adjusted-wald`` (default; Rocks 2016, "Interval estimation for the 'net promoter
      score'", The American Statistician 70(4):365–372; MeasuringU, Sauro & Lewis 2021,
      "Confidence intervals for Net Promoter Scores"): add 0.75 promoters, 1.5 passives and
      0.75 detractors (n + 3 answers), then the Wald interval on the adjusted proportions
      NPS_adj ± z·√Var_adj with Var_adj = [p̃_pro + p̃_det − (p̃_pro − p̃_det)²]/(n + 3).
    * ``wald``: NPS ± z·se. It has zero width when every answer is in one category.

    ``se`` is always the unadjusted standard error above. With n = 1 the adjusted interval is
    centred on the shrunken estimate and can exclude the single answer's ±100.
    Raises StatsError for negative or non-whole counts or when there is no answer.
    """
    promoters = _count(promoters, "promoters")
    passives = _count(passives, "passives")
    detractors = _count(detractors, "detractors")
    n = promoters + passives + detractors
    if n == 0:
        raise StatsError("no NPS answers: the input is empty or all missing")
    confidence = check_confidence(confidence)
    z = normal_quantile(confidence)
    _, se = _centre_and_se(promoters, passives, detractors)
    centre, interval_se = _centre_and_se(
        *_interval_counts(promoters, passives, detractors, ci_method)
    )
    return NPSResult(
        n=n,
        n_missing=_count(n_missing, "n_missing"),
        promoters=promoters,
        passives=passives,
        detractors=detractors,
        share_promoters=promoters / n,
        share_passives=passives / n,
        share_detractors=detractors / n,
        nps=100.0 * (promoters - detractors) / n,
        se=100.0 * se,
        ci_low=100.0 * clip(centre - z * interval_se, -1.0, 1.0),
        ci_high=100.0 * clip(centre + z * interval_se, -1.0, 1.0),
        ci_method=ci_method,
        confidence=confidence,
    )


def nps_difference(
    a: NPSResult,
    b: NPSResult,
    *,
    ci_method: NPSMethod = "adjusted-wald",
    confidence: float = 0.95,
) -> NPSDifference:
    """Difference NPS_a − NPS_b of two independent samples with interval and z test.

    Each group's NPS and variance are computed as in :func:`nps_from_counts` — on the
    adjusted counts (+0.75/+1.5/+0.75, n + 3) for ``adjusted-wald`` (Sauro & Lewis 2021,
    MeasuringU, "How to statistically compare two Net Promoter Scores", after Rocks 2016) or
    on the raw counts for ``wald``::

        D  = NPS_a − NPS_b                       (on the adjusted or raw proportions)
        se = √(Var_a + Var_b)
        z  = D / se,  p = 2·(1 − Φ(|z|)),  interval D ± z_{1−α/2}·se clipped to [−200, 200]

    ``difference`` reports the raw NPS_a − NPS_b; ``se``, ``z`` and the interval use the
    chosen method, all in points. Raises StatsError when the Wald standard error is zero
    (each group answered in a single category); the adjusted-Wald one never is.
    """
    confidence = check_confidence(confidence)
    centre_a, se_a = _centre_and_se(*_interval_counts(*_counts(a), ci_method))
    centre_b, se_b = _centre_and_se(*_interval_counts(*_counts(b), ci_method))
    centre = centre_a - centre_b
    se = math.hypot(se_a, se_b)
    if se == 0.0:
        raise StatsError(
            "the Wald standard error of the NPS difference is zero (each group answered in a "
            "single category); use the adjusted-wald method"
        )
    z_critical = normal_quantile(confidence)
    z = centre / se
    return NPSDifference(
        nps_a=a.nps,
        nps_b=b.nps,
        difference=a.nps - b.nps,
        se=100.0 * se,
        ci_low=100.0 * clip(centre - z_critical * se, -2.0, 2.0),
        ci_high=100.0 * clip(centre + z_critical * se, -2.0, 2.0),
        z=z,
        p_value=two_sided_normal_p(z),
        ci_method=ci_method,
        confidence=confidence,
    )


def _count(value: int, name: str) -> int:
    count = whole_number(value, name)
    if count < 0:
        raise StatsError(f"{name} must not be negative; got {count}")
    return count


def _counts(result: NPSResult) -> tuple[int, int, int]:
    return result.promoters, result.passives, result.detractors


def _categorise(scores: ArrayLike) -> tuple[int, int, int, int]:
    """Promoter, passive and detractor counts and the number of missing answers."""
    try:
        values = np.asarray(scores, dtype=float)
    except (TypeError, ValueError):
        raise StatsError("NPS answers must be numbers 0–10 (NaN for missing)") from None
    if values.ndim != 1:
        raise StatsError(f"NPS answers must be a 1-D sequence; got shape {values.shape}")
    missing = np.isnan(values)
    answered = values[~missing]
    if answered.size == 0:
        raise StatsError("no NPS answers: the input is empty or all missing")
    invalid = answered[(answered < 0) | (answered > 10) | (answered != np.round(answered))]
    if invalid.size:
        raise StatsError(f"NPS answers must be whole numbers 0–10; got {invalid[0]:g}")
    promoters = int(np.count_nonzero(answered >= 9))
    detractors = int(np.count_nonzero(answered <= 6))
    passives = int(answered.size) - promoters - detractors
    return promoters, passives, detractors, int(np.count_nonzero(missing))


def _interval_counts(
    promoters: int, passives: int, detractors: int, ci_method: str
) -> tuple[float, float, float]:
    """The counts the interval is computed on: raw for Wald, Rocks-adjusted otherwise."""
    if ci_method == "wald":
        return promoters, passives, detractors
    if ci_method == "adjusted-wald":
        return (
            promoters + _ADDED_PROMOTERS,
            passives + _ADDED_PASSIVES,
            detractors + _ADDED_DETRACTORS,
        )
    raise StatsError(f"unknown NPS interval method {ci_method!r}; use one of {NPS_METHODS}")


def _centre_and_se(promoters: float, passives: float, detractors: float) -> tuple[float, float]:
    """p_pro − p_det and √([p_pro + p_det − (p_pro − p_det)²]/n), as proportions."""
    n = promoters + passives + detractors
    p_pro = promoters / n
    p_det = detractors / n
    centre = p_pro - p_det
    variance = max(p_pro + p_det - centre * centre, 0.0) / n
    return centre, math.sqrt(variance)

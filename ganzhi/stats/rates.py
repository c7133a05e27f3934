"""A share k/n (complaint rate, response rate, ...) with a confidence interval."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Literal

from scipy import stats

from ganzhi.stats._checks import check_confidence, check_counts, clip, normal_quantile
from ganzhi.stats.errors import StatsError

RateMethod = Literal["wilson", "agresti-coull", "clopper-pearson"]
RATE_METHODS: tuple[str, ...] = ("wilson", "agresti-coull", "clopper-pearson")


@dataclass(frozen=True)
class Rate:
    """k successes out of n, the share k/n and its interval (all shares in [0, 1])."""

    k: int
    n: int
    rate: float
    ci_low: float
    ci_high: float
    method: str
    confidence: float

    def to_dict(self) -> dict[str, int | float | str]:
        return asdict(self)


def rate(k: int, n: int, *, method: RateMethod = "wilson", confidence: float = 0.95) -> Rate:
    """Share p̂ = k/n with a two-sided confidence interval; bounds always lie in [0, 1].

    With z = Φ⁻¹(1 − α/2):

    * ``wilson`` (default; Wilson 1927, JASA 22:209–212)::

          centre = (k + z²/2) / (n + z²)
          half   = z / (n + z²) · √(k(n − k)/n + z²/4)

    * ``agresti-coull`` (Agresti & Coull 1998, Am. Stat. 52:119–126)::

          ñ = n + z²,  p̃ = (k + z²/2)/ñ,  p̃ ± z·√(p̃(1 − p̃)/ñ)   (clipped to [0, 1])

    * ``clopper-pearson`` exact (Clopper & Pearson 1934, Biometrika 26:404–413)::

          low  = Beta⁻¹(α/2; k, n − k + 1)        (0 when k = 0)
          high = Beta⁻¹(1 − α/2; k + 1, n − k)    (1 when k = n)

    For every method the lower bound is exactly 0 when k = 0 and the upper bound exactly 1
    when k = n (the formulas give these values up to rounding).
    Raises StatsError when n < 1, k is outside 0..n, or the counts are not whole numbers.
    """
    k, n = check_counts(k, n)
    confidence = check_confidence(confidence)
    z = normal_quantile(confidence)
    if method == "wilson":
        low, high = _wilson(k, n, z)
    elif method == "agresti-coull":
        low, high = _agresti_coull(k, n, z)
    elif method == "clopper-pearson":
        low, high = _clopper_pearson(k, n, confidence)
    else:
        raise StatsError(f"unknown rate interval method {method!r}; use one of {RATE_METHODS}")
    low = 0.0 if k == 0 else clip(low, 0.0, 1.0)
    high = 1.0 if k == n else clip(high, 0.0, 1.0)
    return Rate(
        k=k, n=n, rate=k / n, ci_low=low, ci_high=high, method=method, confidence=confidence
    )


def _wilson(k: int, n: int, z: float) -> tuple[float, float]:
    z2 = z * z
    centre = (k + z2 / 2.0) / (n + z2)
    half = z / (n + z2) * math.sqrt(k * (n - k) / n + z2 / 4.0)
    return centre - half, centre + half


def _agresti_coull(k: int, n: int, z: float) -> tuple[float, float]:
    n_tilde = n + z * z
    p_tilde = (k + z * z / 2.0) / n_tilde
    half = z * math.sqrt(p_tilde * (1.0 - p_tilde) / n_tilde)
    return p_tilde - half, p_tilde + half


def _clopper_pearson(k: int, n: int, confidence: float) -> tuple[float, float]:
    alpha = 1.0 - confidence
    low = float(stats.beta.ppf(alpha / 2.0, k, n - k + 1)) if k > 0 else 0.0
    high = float(stats.beta.ppf(1.0 - alpha / 2.0, k + 1, n - k)) if k < n else 1.0
    return low, high

"""Input checks and critical values shared by the stats modules (private helper)."""

from __future__ import annotations

import math

from scipy import stats

from ganzhi.stats.errors import StatsError


def check_confidence(confidence: float) -> float:
    """Return ``confidence`` as a float after checking 0 < confidence < 1."""
    value = float(confidence)
    if not 0.0 < value < 1.0:
        raise StatsError(f"confidence must be between 0 and 1 (exclusive); got {confidence!r}")
    return value


def normal_quantile(confidence: float) -> float:
    """Two-sided standard normal critical value z = Φ⁻¹(1 − α/2), α = 1 − confidence."""
    return float(stats.norm.ppf(0.5 + check_confidence(confidence) / 2.0))


def student_quantile(confidence: float, df: float) -> float:
    """Two-sided Student t critical value t_{1 − α/2, df}, α = 1 − confidence."""
    return float(stats.t.ppf(0.5 + check_confidence(confidence) / 2.0, df))


def two_sided_normal_p(z: float) -> float:
    """Two-sided p value 2·(1 − Φ(|z|))."""
    return float(2.0 * stats.norm.sf(abs(z)))


def clip(value: float, low: float, high: float) -> float:
    """``value`` limited to the closed range [low, high]."""
    return min(max(value, low), high)


def whole_number(value: object, name: str) -> int:
    """``value`` as an int if it is a whole number (``3`` or ``3.0``), else StatsError."""
    if isinstance(value, bool):
        raise StatsError(f"{name} must be a whole number; got {value!r}")
    try:
        as_float = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise StatsError(f"{name} must be a whole number; got {value!r}") from None
    if not (math.isfinite(as_float) and as_float.is_integer()):
        raise StatsError(f"{name} must be a whole number; got {value!r}")
    return int(as_float)


def check_counts(k: object, n: object, *, k_name: str = "k", n_name: str = "n") -> tuple[int, int]:
    """Validate a count pair: whole numbers with n ≥ 1 and 0 ≤ k ≤ n."""
    k_int = whole_number(k, k_name)
    n_int = whole_number(n, n_name)
    if n_int < 1:
        raise StatsError(f"{n_name} must be at least 1; got {n_int}")
    if not 0 <= k_int <= n_int:
        raise StatsError(f"{k_name} must be between 0 and {n_name} = {n_int}; got {k_int}")
    return k_int, n_int

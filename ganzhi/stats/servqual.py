"""SERVQUAL gap scores: perception minus expectation, per item, dimension and overall."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ganzhi.stats._checks import check_confidence, student_quantile, whole_number
from ganzhi.stats.errors import StatsError

WEIGHT_SUM_TOLERANCE = 1e-6


@dataclass(frozen=True)
class ItemGap:
    """Mean gap P − E of one item over the respondents who answered both, with paired-t CI."""

    item: str
    n: int
    mean_gap: float
    se: float
    ci_low: float
    ci_high: float

    def to_dict(self) -> dict[str, str | int | float]:
        return asdict(self)


@dataclass(frozen=True)
class ServqualResult:
    """Item gaps, dimension gaps, the unweighted score and the importance-weighted score."""

    items: tuple[ItemGap, ...]
    dimensions: dict[str, float]
    score: float
    weighted_score: float | None
    confidence: float

    def to_dict(self) -> dict[str, object]:
        return {
            "items": {gap.item: gap.to_dict() for gap in self.items},
            "dimensions": dict(self.dimensions),
            "score": self.score,
            "weighted_score": self.weighted_score,
            "confidence": self.confidence,
        }


def item_gaps(
    perceptions: ArrayLike,
    expectations: ArrayLike,
    items: Sequence[str],
    *,
    confidence: float = 0.95,
) -> tuple[ItemGap, ...]:
    """Per-item gap d_i = P_i − E_i with its mean, standard error and paired-t interval.

    ``perceptions`` and ``expectations`` are (respondents × items) arrays on the same scale;
    NaN is missing and a respondent enters an item's gap only when both P and E are present.
    With the n_j pairs of item j (Student 1908; the paired t interval)::

        d̄_j = mean(P − E),  se_j = s_d / √n_j,  CI = d̄_j ± t_{1−α/2, n_j−1} · se_j

    A negative gap means perceptions fall short of expectations (Parasuraman, Zeithaml &
    Berry 1988, "SERVQUAL", Journal of Retailing 64(1):12–40). When every pair has the same
    difference se is 0 and the interval is the single point d̄_j.
    Raises StatsError for mismatched shapes or an item with fewer than 2 complete pairs.
    """
    confidence = check_confidence(confidence)
    gaps = _gap_matrix(perceptions, expectations, items)
    return tuple(_item_gap(name, gaps[:, j], confidence) for j, name in enumerate(items))


def servqual(
    perceptions: ArrayLike,
    expectations: ArrayLike,
    items: Sequence[str],
    dimensions: Mapping[str, Sequence[str]],
    *,
    importance: Mapping[str, float] | None = None,
    confidence: float = 0.95,
) -> ServqualResult:
    """SERVQUAL gap analysis (Parasuraman, Zeithaml & Berry 1988).

    Item gaps as in :func:`item_gaps`; then, for each dimension D (e.g. tangibles,
    reliability, responsiveness, assurance, empathy)::

        G_D       = mean of the item mean gaps d̄_j, j ∈ D
        score     = mean of the dimension gaps G_D                 (unweighted SERVQUAL)
        weighted  = Σ_D w_D · G_D,  Σ w_D = 1                      (importance-weighted)

    The importance weights are those of Zeithaml, Parasuraman & Berry (1990, Delivering
    Quality Service, ch. 2), e.g. a 100-point allocation divided by 100; ``weighted_score``
    is None when no weights are given. Raises StatsError for an unknown or repeated item in
    ``dimensions``, an empty dimension, or weights that do not name exactly the dimensions,
    are negative, or do not sum to 1 (±1e-6).
    """
    confidence = check_confidence(confidence)
    _check_dimensions(dimensions, items)
    weights = _check_importance(importance, dimensions) if importance is not None else None
    gaps = item_gaps(perceptions, expectations, items, confidence=confidence)
    mean_gap = {gap.item: gap.mean_gap for gap in gaps}
    dimension_gaps = {
        dimension: float(np.mean([mean_gap[item] for item in members]))
        for dimension, members in dimensions.items()
    }
    weighted_score = (
        math.fsum(weights[d] * gap for d, gap in dimension_gaps.items())
        if weights is not None
        else None
    )
    return ServqualResult(
        items=gaps,
        dimensions=dimension_gaps,
        score=float(np.mean(list(dimension_gaps.values()))),
        weighted_score=weighted_score,
        confidence=confidence,
    )


def item_gap_from_sums(
    item: str, n: int, sum_gap: float, sum_gap2: float, *, confidence: float = 0.95
) -> ItemGap:
    """An item's gap as :func:`item_gaps` computes it, from the number of complete pairs,
    Σd and Σd² (d = P − E), so that groups of respondents can be combined by adding.

    s² = (Σd² − n·d̄²)/(n − 1). Raises StatsError for fewer than 2 pairs."""
    confidence = check_confidence(confidence)
    n = whole_number(n, "n")
    if n < 2:
        raise StatsError(f"item '{item}' has {n} complete P/E pair(s); at least 2 are needed")
    mean = float(sum_gap) / n
    variance = max((float(sum_gap2) - n * mean * mean) / (n - 1), 0.0)
    se = math.sqrt(variance / n)
    half = student_quantile(confidence, n - 1) * se
    return ItemGap(item=item, n=n, mean_gap=mean, se=se, ci_low=mean - half, ci_high=mean + half)


def _gap_matrix(
    perceptions: ArrayLike, expectations: ArrayLike, items: Sequence[str]
) -> NDArray[np.float64]:
    try:
        p = np.asarray(perceptions, dtype=float)
        e = np.asarray(expectations, dtype=float)
    except (TypeError, ValueError):
        raise StatsError("perceptions and expectations must be numbers (NaN for missing)") from None
    if p.ndim != 2 or p.shape != e.shape:
        raise StatsError(
            "perceptions and expectations must be (respondents × items) arrays of one shape; "
            f"got {p.shape} and {e.shape}"
        )
    if p.shape[1] != len(items):
        raise StatsError(f"{p.shape[1]} item columns but {len(items)} item names")
    if len(set(items)) != len(items):
        raise StatsError("item names must be unique")
    if np.isinf(p).any() or np.isinf(e).any():
        raise StatsError("perceptions and expectations must be finite (NaN for missing)")
    return p - e


def _item_gap(item: str, gaps: NDArray[np.float64], confidence: float) -> ItemGap:
    paired = gaps[~np.isnan(gaps)]
    n = int(paired.size)
    if n < 2:
        raise StatsError(f"item '{item}' has {n} complete P/E pair(s); at least 2 are needed")
    mean = float(paired.mean())
    se = float(paired.std(ddof=1)) / math.sqrt(n)
    half = student_quantile(confidence, n - 1) * se
    return ItemGap(item=item, n=n, mean_gap=mean, se=se, ci_low=mean - half, ci_high=mean + half)


def _check_dimensions(dimensions: Mapping[str, Sequence[str]], items: Sequence[str]) -> None:
    if not dimensions:
        raise StatsError("at least one dimension is needed")
    known = set(items)
    seen: dict[str, str] = {}
    for dimension, members in dimensions.items():
        if not members:
            raise StatsError(f"dimension '{dimension}' has no items")
        for item in members:
            if item not in known:
                raise StatsError(f"dimension '{dimension}' names unknown item '{item}'")
            if item in seen:
                raise StatsError(f"item '{item}' is in both '{seen[item]}' and '{dimension}'")
            seen[item] = dimension


def _check_importance(
    importance: Mapping[str, float], dimensions: Mapping[str, Sequence[str]]
) -> dict[str, float]:
    if set(importance) != set(dimensions):
        missing = sorted(set(dimensions) - set(importance))
        extra = sorted(set(importance) - set(dimensions))
        raise StatsError(
            f"importance weights must name exactly the dimensions; missing {missing}, extra {extra}"
        )
    weights = {dimension: float(weight) for dimension, weight in importance.items()}
    negative = [d for d, w in weights.items() if not (math.isfinite(w) and w >= 0)]
    if negative:
        raise StatsError(f"importance weight of '{negative[0]}' must be >= 0")
    total = math.fsum(weights.values())
    if abs(total - 1.0) > WEIGHT_SUM_TOLERANCE:
        raise StatsError(f"importance weights sum to {total:.6g}, not 1")
    return weights

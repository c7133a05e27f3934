"""Internal-consistency reliability of a multi-item scale: Cronbach's alpha.

References
----------
Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
    Psychometrika, 16(3), 297–334.
Feldt, L. S. (1965). The approximate sampling distribution of Kuder-Richardson
    reliability coefficient twenty. Psychometrika, 30(3), 357–370.
Feldt, L. S., Woodruff, D. J., & Salih, F. A. (1987). Statistical inference for
    coefficient alpha. Applied Psychological Measurement, 11(1), 93–103.
Revelle, W. psych::alpha (R package) — alpha, std.alpha, alpha if dropped, r.drop.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Literal

import numpy as np
from scipy import stats

from ganzhi.stats._checks import check_confidence
from ganzhi.stats.errors import StatsError

MissingPolicy = Literal["listwise", "pairwise"]

# A total-score variance at or below this fraction of the summed item variances
# is treated as zero (the items cancel out exactly, up to rounding).
_ZERO_VARIANCE_RATIO = 1e-12


@dataclass(frozen=True)
class ItemStatistics:
    """Per-item diagnostics; ``None`` marks a statistic that is undefined for the item."""

    name: str
    alpha_if_dropped: float | None
    r_drop: float | None


@dataclass(frozen=True)
class AlphaResult:
    """Cronbach's alpha, standardized alpha, Feldt interval and per-item statistics."""

    n: int
    alpha: float
    std_alpha: float
    ci_low: float
    ci_high: float
    items: tuple[ItemStatistics, ...]

    def to_dict(self) -> dict[str, object]:
        """Plain-Python form: ``{n, alpha, std_alpha, ci_low, ci_high, items}``."""
        return {
            "n": self.n,
            "alpha": self.alpha,
            "std_alpha": self.std_alpha,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "items": {
                item.name: {"alpha_if_dropped": item.alpha_if_dropped, "r_drop": item.r_drop}
                for item in self.items
            },
        }


def cronbach_alpha(
    data: np.ndarray,
    *,
    items: list[str],
    missing: MissingPolicy = "listwise",
    confidence: float = 0.95,
) -> AlphaResult:
    """Cronbach's alpha of an (n × k) answer matrix, NaN marking a missing answer.

    Formulas, with C the k × k item covariance matrix (ddof = 1) and R the item
    correlation matrix:

    * raw alpha (Cronbach 1951): α = k/(k−1) · (1 − Σᵢ Cᵢᵢ / Σᵢⱼ Cᵢⱼ), where Σᵢⱼ Cᵢⱼ is the
      variance of the total score;
    * standardized alpha: α_std = k·r̄ / (1 + (k−1)·r̄), r̄ the mean off-diagonal element of R;
    * alpha if dropped: raw alpha of the k−1 remaining items (C without row/column i);
    * r_drop (corrected item–total correlation, psych's ``r.drop``):
      r_drop,i = Σ_{j≠i} Cᵢⱼ / √(Cᵢᵢ · Σ_{j,l≠i} Cⱼₗ), the correlation of item i with the sum
      of the other items;
    * Feldt (1965) interval at confidence 1 − a, df₁ = n − 1, df₂ = (n − 1)(k − 1):
      low = 1 − (1 − α)·F⁻¹(1 − a/2; df₁, df₂), high = 1 − (1 − α)·F⁻¹(a/2; df₁, df₂)
      (as pingouin.cronbach_alpha, following Feldt, Woodruff & Salih 1987).

    Missing answers:

    * ``"listwise"``: only rows answering every item are used; ``n`` is their number, and
      the Feldt interval uses it (pingouin's listwise interval counts the dropped rows too).
    * ``"pairwise"``: each Cᵢⱼ uses the rows answering both items i and j (Cᵢᵢ: the rows
      answering item i), as pandas ``DataFrame.cov`` and pingouin's ``nan_policy="pairwise"``
      do; each Rᵢⱼ is the Pearson correlation over the rows answering both items.
      ``n`` is the number of rows answering at least one item (completely blank rows
      carry no information and are not counted); the Feldt interval uses this ``n``.
      pingouin counts every row, blank ones included, so the two agree whenever no row
      is blank. A pairwise C need not be positive semi-definite.

    Undefined item statistics are ``None``: ``alpha_if_dropped`` when k = 2 (one item
    would remain, and alpha needs two) or when the remaining items' total has zero
    variance; ``r_drop`` when the sum of the other items has zero variance.

    Raises StatsError for: fewer than two items, an ``items`` list that does not match
    the columns, all answers missing, fewer than two usable rows, an item with a single
    distinct answer (named), a total score with zero variance, a standardized total
    with zero variance, or a confidence outside (0, 1).
    """
    answers = _answer_matrix(data, items)
    confidence = check_confidence(confidence)
    if missing == "listwise":
        n, covariance, correlation = _listwise_moments(answers, items)
    elif missing == "pairwise":
        n, covariance, correlation = _pairwise_moments(answers, items)
    else:
        raise StatsError(f"missing must be 'listwise' or 'pairwise', got {missing!r}")

    alpha = _raw_alpha(covariance)
    if alpha is None:
        raise StatsError("the total score has zero variance: the items cancel each other out")
    ci_low, ci_high = _feldt_interval(alpha, n=n, k=len(items), confidence=confidence)
    return AlphaResult(
        n=n,
        alpha=alpha,
        std_alpha=_standardized_alpha(correlation),
        ci_low=ci_low,
        ci_high=ci_high,
        items=tuple(
            ItemStatistics(
                name=name,
                alpha_if_dropped=_raw_alpha(_without(covariance, index)),
                r_drop=_corrected_item_total(covariance, index),
            )
            for index, name in enumerate(items)
        ),
    )


def _answer_matrix(data: np.ndarray, items: list[str]) -> np.ndarray:
    try:
        answers = np.asarray(data, dtype=float)
    except (TypeError, ValueError) as error:
        raise StatsError("data must be a numeric matrix") from error
    if answers.ndim != 2:
        raise StatsError(f"data must be a 2-D (rows × items) matrix, got {answers.ndim}-D")
    if answers.shape[1] != len(items):
        raise StatsError(f"data has {answers.shape[1]} columns but {len(items)} item names")
    if len(set(items)) != len(items):
        raise StatsError("item names must be unique")
    if answers.shape[1] < 2:
        raise StatsError("Cronbach's alpha needs at least 2 items")
    if np.isinf(answers).any():
        raise StatsError("data contains infinite values")
    if np.isnan(answers).all():
        raise StatsError("all answers are missing")
    return answers


def _listwise_moments(answers: np.ndarray, items: list[str]) -> tuple[int, np.ndarray, np.ndarray]:
    complete = answers[~np.isnan(answers).any(axis=1)]
    if complete.shape[0] < 2:
        raise StatsError(f"need at least 2 rows answering every item, found {complete.shape[0]}")
    for name, column in zip(items, complete.T, strict=True):
        if np.ptp(column) == 0:
            raise StatsError(f"item {name!r} has the same answer in every complete row")
    covariance = np.cov(complete, rowvar=False)
    correlation = np.corrcoef(complete, rowvar=False)
    return complete.shape[0], covariance, correlation


def _pairwise_moments(answers: np.ndarray, items: list[str]) -> tuple[int, np.ndarray, np.ndarray]:
    answered = ~np.isnan(answers)
    k = len(items)
    covariance = np.empty((k, k))
    correlation = np.eye(k)
    for i, name in enumerate(items):
        column = answers[answered[:, i], i]
        if column.size < 2:
            raise StatsError(f"item {name!r} has fewer than 2 answers")
        if np.ptp(column) == 0:
            raise StatsError(f"item {name!r} has the same answer in every row")
        covariance[i, i] = np.var(column, ddof=1)
    for i, j in combinations(range(k), 2):
        both = answered[:, i] & answered[:, j]
        if both.sum() < 2:
            raise StatsError(
                f"items {items[i]!r} and {items[j]!r} are answered together in fewer than 2 rows"
            )
        x, y = answers[both, i], answers[both, j]
        if np.ptp(x) == 0 or np.ptp(y) == 0:
            raise StatsError(
                f"items {items[i]!r} and {items[j]!r} do not vary over the rows "
                f"answering both, so their correlation is undefined"
            )
        covariance[i, j] = covariance[j, i] = np.cov(x, y)[0, 1]
        correlation[i, j] = correlation[j, i] = np.corrcoef(x, y)[0, 1]
    n = int(answered.any(axis=1).sum())
    return n, covariance, correlation


def _raw_alpha(covariance: np.ndarray) -> float | None:
    """k/(k−1)·(1 − trace(C)/ΣC); None for fewer than 2 items or a zero-variance total."""
    k = covariance.shape[0]
    item_variance = float(np.trace(covariance))
    total_variance = float(covariance.sum())
    if k < 2 or total_variance <= _ZERO_VARIANCE_RATIO * item_variance:
        return None
    return k / (k - 1) * (1.0 - item_variance / total_variance)


def _standardized_alpha(correlation: np.ndarray) -> float:
    k = correlation.shape[0]
    mean_correlation = float(correlation[~np.eye(k, dtype=bool)].mean())
    denominator = 1.0 + (k - 1) * mean_correlation
    if denominator <= _ZERO_VARIANCE_RATIO:
        raise StatsError(
            "the standardized items sum to a constant, so standardized alpha is undefined"
        )
    return k * mean_correlation / denominator


def _without(covariance: np.ndarray, index: int) -> np.ndarray:
    keep = np.arange(covariance.shape[0]) != index
    return covariance[np.ix_(keep, keep)]


def _corrected_item_total(covariance: np.ndarray, index: int) -> float | None:
    rest = _without(covariance, index)
    rest_variance = float(rest.sum())
    if rest_variance <= _ZERO_VARIANCE_RATIO * float(np.trace(rest)):
        return None
    covariance_with_rest = float(covariance[index].sum() - covariance[index, index])
    return covariance_with_rest / float(np.sqrt(covariance[index, index] * rest_variance))


def _feldt_interval(alpha: float, *, n: int, k: int, confidence: float) -> tuple[float, float]:
    tail = (1.0 - confidence) / 2.0
    df_rows = n - 1
    df_error = df_rows * (k - 1)
    low = 1.0 - (1.0 - alpha) * float(stats.f.ppf(1.0 - tail, df_rows, df_error))
    high = 1.0 - (1.0 - alpha) * float(stats.f.ppf(tail, df_rows, df_error))
    return low, high

"""Satisfaction indices on a 0–100 scale: rescaling, weight trees, respondent weights."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ganzhi.stats._checks import check_confidence, student_quantile, whole_number
from ganzhi.stats.errors import StatsError

WeightTree = Mapping[str, Mapping[str, float]]
"""Parent name → {child name: weight}; a child that is not itself a parent is a leaf."""

WEIGHT_SUM_TOLERANCE = 1e-6


@dataclass(frozen=True)
class HierarchicalIndex:
    """Index value at the root and at every node (None where every score below is missing)."""

    root: str
    value: float
    nodes: dict[str, float | None]

    def to_dict(self) -> dict[str, object]:
        return {"root": self.root, "value": self.value, "nodes": dict(self.nodes)}


@dataclass(frozen=True)
class WeightedMean:
    """Weighted mean with Kish effective sample size and linearisation standard error."""

    n: int
    n_missing: int
    sum_weights: float
    n_eff: float
    mean: float
    se: float
    ci_low: float
    ci_high: float
    confidence: float

    def to_dict(self) -> dict[str, int | float]:
        return asdict(self)


def to_100(values: ArrayLike, lo: float, hi: float) -> NDArray[np.float64]:
    """Rescale scores on the scale [lo, hi] to 0–100: y = (x − lo)/(hi − lo)·100.

    Linear min–max transformation, as used for the ACSI 0–100 indices (Fornell et al. 1996,
    "The American Customer Satisfaction Index", Journal of Marketing 60(4):7–18).
    NaN stays NaN (missing). Raises StatsError when lo ≥ hi or a value lies outside [lo, hi].
    """
    lo, hi = float(lo), float(hi)
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise StatsError(f"scale bounds must satisfy lo < hi; got lo={lo:g}, hi={hi:g}")
    array = _float_array(values, "scores")
    outside = array[~np.isnan(array) & ((array < lo) | (array > hi))]
    if outside.size:
        raise StatsError(f"score {outside[0]:g} lies outside the scale [{lo:g}, {hi:g}]")
    return (array - lo) / (hi - lo) * 100.0


def weighted_index(scores: Mapping[str, float], tree: WeightTree) -> HierarchicalIndex:
    """Hierarchical weighted mean of 0–100 leaf scores over a tree of weights.

    Each internal node's value is I_parent = Σ_c w_c·I_c over its children c, with the
    children's weights non-negative and summing to 1 (checked to ±1e-6, naming the parent),
    the usual weighted-additive composite index (OECD/JRC 2008, "Handbook on Constructing
    Composite Indicators", §6). A leaf whose score is NaN is missing: its siblings' weights
    are rescaled to sum to 1 (I_parent = Σ w_c·I_c / Σ w_c over scored children); a node with
    no scored child (or only zero-weight ones) is missing in turn.

    Raises StatsError for a malformed tree (no single root, a cycle, a child under two
    parents, weights not summing to 1), a leaf absent from ``scores``, a score outside 0–100,
    or when every score is missing.
    """
    root = _check_tree(tree)
    nodes: dict[str, float | None] = {}
    _evaluate(root, scores, tree, nodes)
    value = nodes[root]
    if value is None:
        raise StatsError(f"every score under '{root}' is missing")
    return HierarchicalIndex(root=root, value=value, nodes=nodes)


def kish_effective_n(weights: ArrayLike) -> float:
    """Kish effective sample size n_eff = (Σw)² / Σw² (Kish 1965, Survey Sampling, §11.7).

    n_eff ≤ n, with equality when all weights are equal. Raises StatsError when the weights
    are empty, not finite or not positive.
    """
    w = _positive_weights(_float_array(weights, "weights"))
    return float(w.sum() ** 2 / np.square(w).sum())


def weighted_mean(
    values: ArrayLike, weights: ArrayLike, *, confidence: float = 0.95
) -> WeightedMean:
    """Weighted mean ȳ_w = Σ w_i y_i / Σ w_i with a linearisation (ratio-estimator) SE.

    Rows whose value is NaN are dropped together with their weight (``n_missing``). With the
    remaining n rows::

        Var(ȳ_w) = n/(n − 1) · Σ w_i² (y_i − ȳ_w)² / (Σ w_i)²
        CI       = ȳ_w ± t_{1−α/2, n−1} · √Var

    This is the Taylor-linearisation variance of a ratio estimator under with-replacement
    sampling (Wolter 2007, Introduction to Variance Estimation, §6.11; the ``svymean``
    variance of R's survey package for a weights-only design). With equal weights it reduces
    to s²/n and the interval to the ordinary t interval. ``n_eff`` is Kish's
    (Σw)²/Σw², reported as a design-effect summary; the SE does not use it.

    Raises StatsError for mismatched lengths, non-positive or non-finite weights, or fewer
    than 2 answered rows.
    """
    confidence = check_confidence(confidence)
    y = _float_array(values, "values")
    w = _float_array(weights, "weights")
    if y.shape != w.shape:
        raise StatsError(f"values and weights differ in length: {y.size} vs {w.size}")
    _positive_weights(w)
    answered = ~np.isnan(y)
    y, w = y[answered], w[answered]
    if np.isinf(y).any():
        raise StatsError("values must be finite numbers (NaN for missing)")
    n = int(y.size)
    if n < 2:
        raise StatsError(f"a weighted mean with a standard error needs at least 2 values; got {n}")
    total = float(w.sum())
    mean = float(np.dot(w, y) / total)
    variance = n / (n - 1) * float(np.sum(np.square(w * (y - mean)))) / total**2
    se = math.sqrt(variance)
    half = student_quantile(confidence, n - 1) * se
    return WeightedMean(
        n=n,
        n_missing=int(answered.size - n),
        sum_weights=total,
        n_eff=total**2 / float(np.square(w).sum()),
        mean=mean,
        se=se,
        ci_low=mean - half,
        ci_high=mean + half,
        confidence=confidence,
    )


def weighted_mean_from_sums(
    *,
    n: int,
    sum_w: float,
    sum_wy: float,
    sum_w2: float,
    sum_w2y: float,
    sum_w2y2: float,
    confidence: float = 0.95,
) -> WeightedMean:
    """:func:`weighted_mean` from running sums over the n answered rows, so that means
    over any union of groups can be had by adding the groups' sums.

    With m = Σwy/Σw, the variance numerator Σw²(y − m)² expands to
    Σw²y² − 2m·Σw²y + m²·Σw²; everything else is as in :func:`weighted_mean`.
    Raises StatsError for n < 2, a non-positive Σw or negative Σw².
    """
    confidence = check_confidence(confidence)
    n = whole_number(n, "n")
    if n < 2:
        raise StatsError(f"a weighted mean with a standard error needs at least 2 values; got {n}")
    sums = [float(v) for v in (sum_w, sum_wy, sum_w2, sum_w2y, sum_w2y2)]
    if not all(math.isfinite(v) for v in sums):
        raise StatsError("the sums must be finite numbers")
    total, weighted, total_w2, w2y, w2y2 = sums
    if total <= 0 or total_w2 <= 0:
        raise StatsError("the sums of weights must be positive")
    mean = weighted / total
    spread = max(w2y2 - 2.0 * mean * w2y + mean * mean * total_w2, 0.0)
    se = math.sqrt(n / (n - 1) * spread / total**2)
    half = student_quantile(confidence, n - 1) * se
    return WeightedMean(
        n=n,
        n_missing=0,
        sum_weights=total,
        n_eff=total**2 / total_w2,
        mean=mean,
        se=se,
        ci_low=mean - half,
        ci_high=mean + half,
        confidence=confidence,
    )


def poststratification_weights(
    population: Mapping[str, float], sample: Mapping[str, int]
) -> dict[str, float]:
    """Post-stratification weight per stratum h: w_h = (N_h / N) / (n_h / n).

    N_h are population sizes (or shares) and n_h respondent counts; N = Σ N_h, n = Σ n_h
    (Kalton & Flores-Cervantes 2003, "Weighting methods", J. Official Statistics
    19(2):81–97, §2.1). The weights are scaled so that they sum to n over respondents; the
    scale does not change a weighted mean or Kish's n_eff.

    Raises StatsError when a stratum has respondents but no population entry, a population
    stratum has no respondents (merge it with a neighbour), or a size is not positive.
    """
    for stratum, size in population.items():
        if not (math.isfinite(float(size)) and float(size) > 0):
            raise StatsError(f"population of stratum '{stratum}' must be positive; got {size!r}")
    unknown = [stratum for stratum in sample if stratum not in population]
    if unknown:
        raise StatsError(f"stratum '{unknown[0]}' has respondents but no population size")
    counts = {
        stratum: whole_number(sample.get(stratum, 0), "sample count") for stratum in population
    }
    empty = [stratum for stratum, count in counts.items() if count <= 0]
    if empty:
        raise StatsError(f"stratum '{empty[0]}' has no respondents; merge it with a neighbour")
    population_total = float(sum(population.values()))
    sample_total = sum(counts.values())
    return {
        stratum: (float(population[stratum]) / population_total) / (counts[stratum] / sample_total)
        for stratum in population
    }


def respondent_weights(
    strata: Sequence[str], population: Mapping[str, float]
) -> NDArray[np.float64]:
    """Each respondent's post-stratification weight w_i = w_h(i) = (N_h/N)/(n_h/n).

    n_h is counted from the respondents' stratum labels, then :func:`poststratification_weights`
    (Kalton & Flores-Cervantes 2003, §2.1) gives each stratum's weight.
    """
    weights = poststratification_weights(population, Counter(strata))
    return np.array([weights[stratum] for stratum in strata], dtype=float)


def _float_array(values: ArrayLike, name: str) -> NDArray[np.float64]:
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise StatsError(f"{name} must be numbers") from None
    if array.ndim != 1:
        raise StatsError(f"{name} must be a 1-D sequence; got shape {array.shape}")
    return array


def _positive_weights(w: NDArray[np.float64]) -> NDArray[np.float64]:
    if w.size == 0:
        raise StatsError("weights are empty")
    if not (np.isfinite(w).all() and (w > 0).all()):
        raise StatsError("weights must be positive finite numbers")
    return w


def _check_tree(tree: WeightTree) -> str:
    """Validate the weight tree and return its root."""
    parent_of: dict[str, str] = {}
    for parent, children in tree.items():
        if not children:
            raise StatsError(f"'{parent}' has no children")
        for child, weight in children.items():
            if child in parent_of:
                raise StatsError(
                    f"'{child}' appears under both '{parent_of[child]}' and '{parent}'"
                )
            parent_of[child] = parent
            if not (math.isfinite(float(weight)) and float(weight) >= 0):
                raise StatsError(
                    f"weight of '{child}' under '{parent}' must be >= 0; got {weight!r}"
                )
        total = math.fsum(float(weight) for weight in children.values())
        if abs(total - 1.0) > WEIGHT_SUM_TOLERANCE:
            raise StatsError(f"weights under '{parent}' sum to {total:.6g}, not 1")
    roots = [node for node in tree if node not in parent_of]
    if len(roots) != 1:
        found = ", ".join(f"'{root}'" for root in roots) or "none (the tree has a cycle)"
        raise StatsError(f"the weight tree needs exactly one root; found {found}")
    _check_acyclic(roots[0], tree)
    return roots[0]


def _check_acyclic(root: str, tree: WeightTree) -> None:
    """Every parent must be reachable from the root; one that is not sits on a cycle."""
    reachable = {root}
    stack = [root]
    while stack:
        for child in tree.get(stack.pop(), {}):
            reachable.add(child)
            if child in tree:
                stack.append(child)
    unreachable = [node for node in tree if node not in reachable]
    if unreachable:
        raise StatsError(f"the weight tree has a cycle through '{unreachable[0]}'")


def _evaluate(
    node: str, scores: Mapping[str, float], tree: WeightTree, nodes: dict[str, float | None]
) -> float | None:
    if node not in tree:
        nodes[node] = _leaf_score(node, scores)
        return nodes[node]
    weighted_sum = 0.0
    weight_total = 0.0
    for child, weight in tree[node].items():
        child_value = _evaluate(child, scores, tree, nodes)
        if child_value is not None:
            weighted_sum += float(weight) * child_value
            weight_total += float(weight)
    nodes[node] = weighted_sum / weight_total if weight_total > 0 else None
    return nodes[node]


def _leaf_score(leaf: str, scores: Mapping[str, float]) -> float | None:
    if leaf not in scores:
        raise StatsError(f"no score for leaf '{leaf}'")
    value = float(scores[leaf])
    if math.isnan(value):
        return None
    if not 0.0 <= value <= 100.0:
        raise StatsError(f"score of '{leaf}' must be on the 0–100 scale; got {value:g}")
    return value

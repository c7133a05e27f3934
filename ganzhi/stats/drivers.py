"""Key-driver analysis: how much of a target's explained variance each predictor carries.

Three decompositions of the linear-regression R², all computed from the (optionally
survey-weighted) correlation matrix of the predictors and the target:

* Shapley / LMG — R² averaged over all orderings of the predictors.
* Johnson's relative weights — R² split through an orthogonal approximation of the
  predictors.
* Dominance analysis — LMG plus conditional and complete dominance between pairs.

References
----------
Lindeman, R. H., Merenda, P. F., & Gold, R. Z. (1980). Introduction to Bivariate and
    Multivariate Analysis, p. 119ff. Scott, Foresman.
Lipovetsky, S., & Conklin, M. (2001). Analysis of regression in game theory approach.
    Applied Stochastic Models in Business and Industry, 17(4), 319–330.
Grömping, U. (2006). Relative importance for linear regression in R: the package
    relaimpo. Journal of Statistical Software, 17(1).
Johnson, J. W. (2000). A heuristic method for estimating the relative weight of predictor
    variables in multiple regression. Multivariate Behavioral Research, 35(1), 1–19.
Budescu, D. V. (1993). Dominance analysis: a new approach to the problem of relative
    importance of predictors in multiple regression. Psychological Bulletin, 114(3), 542–551.
Azen, R., & Budescu, D. V. (2003). The dominance analysis approach for comparing
    predictors in multiple regression. Psychological Methods, 8(2), 129–148.
Martilla, J. A., & James, J. C. (1977). Importance-performance analysis. Journal of
    Marketing, 41(1), 77–79; GB/T 19038-2009 顾客满意测评模型和方法指南 (importance–
    performance matrix).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Literal

import numpy as np

from ganzhi.stats.errors import StatsError

Method = Literal["shapley", "relative-weights", "dominance"]
METHODS: tuple[Method, ...] = ("shapley", "relative-weights", "dominance")

MAX_SUBSET_PREDICTORS = 15
"""Shapley and dominance visit all 2^p predictor subsets; beyond 15 that is too slow."""

# Eigenvalues of the predictor correlation matrix below this count as zero (collinear).
_SINGULAR_EIGENVALUE = 1e-10
# R² below this counts as zero: nothing is explained, so shares cannot be rescaled.
_ZERO_R2 = 1e-12
# R² differences within this count as ties when judging dominance.
_DOMINANCE_TOLERANCE = 1e-12

DOMINATES = 1.0
DOMINATED = 0.0
UNDETERMINED = 0.5


@dataclass(frozen=True)
class Dominance:
    """Dominance-analysis detail (Azen & Budescu 2003).

    ``conditional_contributions[i][s]`` is C_i^(s), the mean R² gain from adding
    predictor i to every model of s other predictors. ``conditional[i][j]`` and
    ``complete[i][j]`` are 1.0 when predictor i dominates j, 0.0 when j dominates i and
    0.5 when neither does (the diagonal is 0.5 too).
    """

    conditional_contributions: tuple[tuple[float, ...], ...]
    conditional: tuple[tuple[float, ...], ...]
    complete: tuple[tuple[float, ...], ...]


@dataclass(frozen=True)
class DriverResult:
    """Importance shares of each predictor; they sum to ``r2``."""

    method: str
    n: int
    r2: float
    names: tuple[str, ...]
    importance: tuple[float, ...]
    dominance: Dominance | None = None

    @property
    def rescaled(self) -> tuple[float, ...]:
        """Importance as a percentage of R²: importanceⱼ / R² × 100 (sums to 100)."""
        return tuple(share / self.r2 * 100.0 for share in self.importance)

    def to_dict(self) -> dict[str, object]:
        """``{method, n, r2, importance, rescaled}``, plus dominance detail for that method."""
        result: dict[str, object] = {
            "method": self.method,
            "n": self.n,
            "r2": self.r2,
            "importance": dict(zip(self.names, self.importance, strict=True)),
            "rescaled": dict(zip(self.names, self.rescaled, strict=True)),
        }
        if self.dominance is not None:
            result["conditional_contributions"] = {
                name: list(row)
                for name, row in zip(
                    self.names, self.dominance.conditional_contributions, strict=True
                )
            }
            result["conditional_dominance"] = self._pairs(self.dominance.conditional)
            result["complete_dominance"] = self._pairs(self.dominance.complete)
        return result

    def _pairs(self, matrix: tuple[tuple[float, ...], ...]) -> dict[str, dict[str, float]]:
        return {
            row_name: {
                column_name: value
                for column_name, value in zip(self.names, row, strict=True)
                if column_name != row_name
            }
            for row_name, row in zip(self.names, matrix, strict=True)
        }


def key_drivers(
    X: np.ndarray,
    y: np.ndarray,
    *,
    names: list[str],
    method: Method = "shapley",
    weights: np.ndarray | None = None,
) -> DriverResult:
    """Split the R² of the linear regression of ``y`` on the columns of ``X``.

    Everything is computed from the weighted correlation matrix (weights wₜ, default 1):
    mean m = Σwₜxₜ/Σwₜ, covariance Σwₜ(xₜ−m)(xₜ−m)ᵀ/Σwₜ, scaled to correlations. With
    R the predictor correlation matrix and r the predictor–target correlations, the R² of
    the model on predictor subset S is R²(S) = r_Sᵀ R_SS⁻¹ r_S (no per-subset refit).

    * ``"shapley"`` (LMG; Lindeman, Merenda & Gold 1980; Lipovetsky & Conklin 2001):
      φⱼ = Σ_{S ⊆ P∖{j}} |S|!(p−|S|−1)!/p! · (R²(S ∪ {j}) − R²(S)), exact over all 2^p
      subsets; Σφⱼ = R², φⱼ ≥ 0. Identical to relaimpo's ``lmg``.
    * ``"relative-weights"`` (Johnson 2000): R = QΛQᵀ, R^{1/2} = QΛ^{1/2}Qᵀ,
      β* = R^{-1/2} r, εⱼ = Σₖ (R^{1/2})ⱼₖ² β*ₖ²; Σεⱼ = R².
    * ``"dominance"`` (Budescu 1993; Azen & Budescu 2003): general dominance weights
      (the mean over s of C_j^(s), equal to the Shapley values) as ``importance``, plus
      C_j^(s) = mean over S ⊆ P∖{j}, |S| = s of R²(S ∪ {j}) − R²(S), conditional
      dominance (i over j when C_i^(s) > C_j^(s) for every s) and complete dominance
      (i over j when R²(S ∪ {i}) > R²(S ∪ {j}) for every S ⊆ P∖{i, j}). Differences within
      1e-12 count as ties, and a tie at any s or S leaves the pair undetermined.

    ``n`` is the number of rows used: rows with a positive weight (all rows unweighted).
    Weights are scale-free; integer weights give the same answer as repeating rows.

    Raises StatsError for: NaN or infinite values (drop incomplete rows first),
    mismatched lengths, duplicate names, negative or zero-sum weights, fewer rows than
    predictors + 2, a constant predictor or target (named), perfectly collinear
    predictors (named), R² of zero, an unknown method, and more than 15 predictors for
    ``"shapley"`` or ``"dominance"``.
    """
    if method not in METHODS:
        raise StatsError(
            f"method must be 'shapley', 'relative-weights' or 'dominance', got {method!r}"
        )
    predictors, target, row_weights = _validated_inputs(X, y, names, weights)
    used = row_weights > 0
    predictors, target, row_weights = predictors[used], target[used], row_weights[used]
    n, p = predictors.shape
    if n < p + 2:
        raise StatsError(f"need at least {p + 2} rows for {p} predictors, got {n}")
    _reject_constant_columns(predictors, target, names)
    if method in ("shapley", "dominance") and p > MAX_SUBSET_PREDICTORS:
        raise StatsError(
            f"{method} visits all 2^p subsets and allows at most "
            f"{MAX_SUBSET_PREDICTORS} predictors, got {p}"
        )

    correlation = _weighted_correlation(np.column_stack([predictors, target]), row_weights)
    return drivers_from_correlation(correlation, n=n, names=names, method=method)


def correlation_from_moments(sum_w: float, sum_wx: np.ndarray, sum_wxx: np.ndarray) -> np.ndarray:
    """The weighted correlation matrix of k variables from the sums Σwₜ, Σwₜxₜ (k) and
    Σwₜxₜxₜᵀ (k × k) over complete rows: the same matrix :func:`key_drivers` builds from
    the rows, so rows kept in groups can be analysed by adding the groups' sums.

    covariance = Σwxxᵀ/Σw − m mᵀ with m = Σwx/Σw. Raises StatsError for a non-positive
    Σw, mismatched shapes, or a constant variable (zero variance; named by position).
    """
    sum_wx = np.asarray(sum_wx, dtype=float)
    sum_wxx = np.asarray(sum_wxx, dtype=float)
    if not sum_w > 0:
        raise StatsError("the sum of weights must be positive")
    k = sum_wx.size
    if sum_wx.ndim != 1 or sum_wxx.shape != (k, k):
        raise StatsError(f"need k sums and a k × k matrix of cross sums; got {sum_wxx.shape}")
    mean = sum_wx / sum_w
    covariance = sum_wxx / sum_w - np.outer(mean, mean)
    variance = np.diag(covariance)
    scale = np.maximum(np.abs(sum_wxx.diagonal()) / sum_w, 1.0)
    constant = variance <= 1e-12 * scale
    if constant.any():
        raise StatsError(f"variable {int(np.argmax(constant))} is constant")
    sd = np.sqrt(variance)
    return covariance / np.outer(sd, sd)


def drivers_from_correlation(
    correlation: np.ndarray, *, n: int, names: list[str], method: Method = "shapley"
) -> DriverResult:
    """:func:`key_drivers` on a correlation matrix of the predictors followed by the target
    (last row and column), from ``n`` rows. Same methods and errors."""
    if method not in METHODS:
        raise StatsError(
            f"method must be 'shapley', 'relative-weights' or 'dominance', got {method!r}"
        )
    correlation = np.asarray(correlation, dtype=float)
    p = len(names)
    if correlation.shape != (p + 1, p + 1):
        raise StatsError(f"{p} names need a {p + 1} × {p + 1} correlation matrix")
    if len(set(names)) != p:
        raise StatsError("predictor names must be unique")
    if n < p + 2:
        raise StatsError(f"need at least {p + 2} rows for {p} predictors, got {n}")
    if method in ("shapley", "dominance") and p > MAX_SUBSET_PREDICTORS:
        raise StatsError(
            f"{method} visits all 2^p subsets and allows at most "
            f"{MAX_SUBSET_PREDICTORS} predictors, got {p}"
        )
    predictor_correlation, target_correlation = correlation[:p, :p], correlation[:p, p]
    _reject_collinear(predictor_correlation, names)
    r2 = float(target_correlation @ np.linalg.solve(predictor_correlation, target_correlation))
    if r2 <= _ZERO_R2:
        raise StatsError("R² is zero: the predictors explain none of the target's variance")

    if method == "relative-weights":
        importance = _relative_weights(predictor_correlation, target_correlation)
        dominance = None
    else:
        subset_r2 = _subset_r2(predictor_correlation, target_correlation)
        contributions = _conditional_contributions(subset_r2, p)
        importance = contributions.mean(axis=1)
        dominance = _dominance(subset_r2, contributions) if method == "dominance" else None
    return DriverResult(
        method=method,
        n=n,
        r2=r2,
        names=tuple(names),
        importance=tuple(float(value) for value in importance),
        dominance=dominance,
    )


def importance_performance(
    importance: dict[str, float],
    performance: dict[str, float],
    *,
    importance_cut: float | None = None,
    performance_cut: float | None = None,
) -> dict[str, str]:
    """Place each item in a quadrant of the importance–performance matrix.

    Martilla & James (1977); GB/T 19038-2009 uses the same matrix. An item is "high" on
    an axis when its value ≥ the cut (tie rule: a value equal to the cut counts as high).
    Cuts default to the mean of the items' values on that axis.

    * high importance, low performance → ``"fix_first"``
    * high importance, high performance → ``"keep_up"``
    * low importance, low performance → ``"low_priority"``
    * low importance, high performance → ``"possible_overkill"``

    Raises StatsError when the two dicts name different items, are empty, or hold a
    non-finite value or cut.
    """
    if set(importance) != set(performance):
        raise StatsError("importance and performance must name the same items")
    if not importance:
        raise StatsError("no items to place")
    importance_cut = _cut(importance, importance_cut, "importance")
    performance_cut = _cut(performance, performance_cut, "performance")
    quadrants = {
        (True, False): "fix_first",
        (True, True): "keep_up",
        (False, False): "low_priority",
        (False, True): "possible_overkill",
    }
    return {
        name: quadrants[(importance[name] >= importance_cut, performance[name] >= performance_cut)]
        for name in importance
    }


def _cut(values: dict[str, float], cut: float | None, axis: str) -> float:
    if not all(np.isfinite(value) for value in values.values()):
        raise StatsError(f"{axis} values must be finite numbers")
    if cut is None:
        return float(np.mean(list(values.values())))
    if not np.isfinite(cut):
        raise StatsError(f"{axis}_cut must be a finite number")
    return cut


def _validated_inputs(
    X: np.ndarray, y: np.ndarray, names: list[str], weights: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    predictors = _numeric(X, "X")
    target = _numeric(y, "y")
    if predictors.ndim != 2:
        raise StatsError(f"X must be a 2-D (rows × predictors) matrix, got {predictors.ndim}-D")
    if target.ndim != 1:
        raise StatsError(f"y must be 1-D, got {target.ndim}-D")
    rows, p = predictors.shape
    if p == 0:
        raise StatsError("need at least one predictor")
    if target.shape[0] != rows:
        raise StatsError(f"X has {rows} rows but y has {target.shape[0]}")
    if len(names) != p:
        raise StatsError(f"X has {p} columns but {len(names)} names")
    if len(set(names)) != p:
        raise StatsError("predictor names must be unique")
    for name, column in zip(names, predictors.T, strict=True):
        if not np.isfinite(column).all():
            raise StatsError(f"predictor {name!r} has NaN or infinite values; drop those rows")
    if not np.isfinite(target).all():
        raise StatsError("the target has NaN or infinite values; drop those rows")
    return predictors, target, _validated_weights(weights, rows)


def _numeric(values: np.ndarray, label: str) -> np.ndarray:
    try:
        return np.asarray(values, dtype=float)
    except (TypeError, ValueError) as error:
        raise StatsError(f"{label} must be numeric") from error


def _validated_weights(weights: np.ndarray | None, rows: int) -> np.ndarray:
    if weights is None:
        return np.ones(rows)
    row_weights = _numeric(weights, "weights")
    if row_weights.shape != (rows,):
        raise StatsError(f"weights must be 1-D with {rows} values, got shape {row_weights.shape}")
    if not np.isfinite(row_weights).all():
        raise StatsError("weights have NaN or infinite values")
    if (row_weights < 0).any():
        raise StatsError("weights must not be negative")
    if row_weights.sum() <= 0:
        raise StatsError("weights sum to zero")
    return row_weights


def _reject_constant_columns(predictors: np.ndarray, target: np.ndarray, names: list[str]) -> None:
    for name, column in zip(names, predictors.T, strict=True):
        if np.ptp(column) == 0:
            raise StatsError(f"predictor {name!r} is constant")
    if np.ptp(target) == 0:
        raise StatsError("the target is constant")


def _weighted_correlation(columns: np.ndarray, weights: np.ndarray) -> np.ndarray:
    shares = weights / weights.sum()
    centred = columns - shares @ columns
    covariance = (centred * shares[:, None]).T @ centred
    scale = np.sqrt(np.diag(covariance))
    return covariance / np.outer(scale, scale)


def _reject_collinear(predictor_correlation: np.ndarray, names: list[str]) -> None:
    eigenvalues, eigenvectors = np.linalg.eigh(predictor_correlation)
    null_directions = eigenvectors[:, eigenvalues < _SINGULAR_EIGENVALUE]
    if null_directions.size:
        involved = np.abs(null_directions).max(axis=1) > 1e-4
        listed = ", ".join(name for name, hit in zip(names, involved, strict=True) if hit)
        raise StatsError(
            f"predictors are perfectly collinear (singular correlation matrix): {listed}"
        )


def _subset_r2(predictor_correlation: np.ndarray, target_correlation: np.ndarray) -> np.ndarray:
    """R²(S) = r_Sᵀ R_SS⁻¹ r_S for every subset S, indexed by bitmask (bit j = predictor j)."""
    p = target_correlation.size
    subset_r2 = np.zeros(1 << p)
    for size in range(1, p + 1):
        members = np.array(list(combinations(range(p), size)))
        blocks = predictor_correlation[members[:, :, None], members[:, None, :]]
        right_sides = target_correlation[members]
        coefficients = np.linalg.solve(blocks, right_sides[..., None])[..., 0]
        masks = (1 << members).sum(axis=1)
        subset_r2[masks] = np.einsum("ij,ij->i", right_sides, coefficients)
    return subset_r2


def _subset_sizes(p: int) -> np.ndarray:
    masks = np.arange(1 << p)
    return sum((masks >> bit) & 1 for bit in range(p))


def _conditional_contributions(subset_r2: np.ndarray, p: int) -> np.ndarray:
    """(p × p) matrix: row j, column s holds C_j^(s), the mean gain over subsets of size s."""
    masks = np.arange(1 << p)
    sizes = _subset_sizes(p)
    contributions = np.empty((p, p))
    for j in range(p):
        bit = 1 << j
        without = masks[(masks & bit) == 0]
        gains = subset_r2[without | bit] - subset_r2[without]
        totals = np.bincount(sizes[without], weights=gains, minlength=p)
        counts = np.bincount(sizes[without], minlength=p)
        contributions[j] = totals / counts
    return contributions


def _dominance(subset_r2: np.ndarray, contributions: np.ndarray) -> Dominance:
    p = contributions.shape[0]
    masks = np.arange(1 << p)
    conditional = np.full((p, p), UNDETERMINED)
    complete = np.full((p, p), UNDETERMINED)
    for i, j in combinations(range(p), 2):
        conditional[i, j] = _compare(contributions[i] - contributions[j])
        bit_i, bit_j = 1 << i, 1 << j
        others = masks[(masks & (bit_i | bit_j)) == 0]
        complete[i, j] = _compare(subset_r2[others | bit_i] - subset_r2[others | bit_j])
        conditional[j, i] = 1.0 - conditional[i, j]
        complete[j, i] = 1.0 - complete[i, j]
    return Dominance(
        conditional_contributions=_as_tuples(contributions),
        conditional=_as_tuples(conditional),
        complete=_as_tuples(complete),
    )


def _compare(differences: np.ndarray) -> float:
    if (differences > _DOMINANCE_TOLERANCE).all():
        return DOMINATES
    if (differences < -_DOMINANCE_TOLERANCE).all():
        return DOMINATED
    return UNDETERMINED


def _as_tuples(matrix: np.ndarray) -> tuple[tuple[float, ...], ...]:
    return tuple(tuple(float(value) for value in row) for row in matrix)


def _relative_weights(
    predictor_correlation: np.ndarray, target_correlation: np.ndarray
) -> np.ndarray:
    eigenvalues, eigenvectors = np.linalg.eigh(predictor_correlation)
    root = eigenvectors @ np.diag(np.sqrt(eigenvalues)) @ eigenvectors.T
    orthogonal_coefficients = np.linalg.solve(root, target_correlation)
    return (root**2) @ orthogonal_coefficients**2

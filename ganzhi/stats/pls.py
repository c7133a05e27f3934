"""PLS path modelling (PLS-PM) of latent-variable models such as the ECSI/ACSI.

The algorithm is Wold's (1982) iterative PLS as formalised by Lohmöller (1989) and
described in Tenenhaus, Esposito Vinzi, Chatelin & Lauro (2005), "PLS path modeling",
CSDA 48:159-205, and Sanchez (2013), "PLS Path Modeling with R" (the R package plspm).

Notation used in the docstrings: ``X`` is the n×p matrix of indicators (manifest
variables), ``X_q`` the columns of block q, ``Y_q = X_q w_q`` the latent-variable (LV)
score of block q with unit variance, ``Z_q`` its inner proxy, ``C`` the correlation
matrix of the LV scores and ``β`` the path coefficients.

Conventions (all documented where they matter):

* indicators are z-scored with the n−1 standard deviation (``scaled=True``, plspm's
  ``scaled = TRUE``) or only centred (``scaled=False``, plspm's ``scaled = FALSE``);
  LV scores have unit n−1 variance. Loadings, path coefficients, R², AVE, rho and GoF are
  correlations and do not depend on the n or n−1 choice; standardized outer weights equal
  plspm's, unstandardized ones (``scaled=False``) are plspm's times sqrt((n−1)/n).
* each LV is oriented so that most of its indicators correlate positively with it (ties
  broken by the sign of the sum of its loadings), as plspm does; every bootstrap
  resample is oriented by the same rule, which keeps its signs comparable.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Literal, cast

import numpy as np
from numpy.typing import NDArray

from ganzhi.stats.errors import StatsError

Mode = Literal["A", "B"]
Scheme = Literal["centroid", "factorial", "path"]
Matrix = NDArray[np.float64]

_MODES = ("A", "B")
_SCHEMES = ("centroid", "factorial", "path")
_MIN_BOOTSTRAP = 10
_CONDITION_LIMIT = 1e12


# ---------------------------------------------------------------------------
# Model specification
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """One latent variable's measurement block: its indicators and outer mode.

    Mode "A" (reflective) estimates outer weights as covariances of the indicators with
    the inner proxy; Mode "B" (formative) as multiple-regression coefficients of the
    inner proxy on the indicators (Lohmöller 1989, ch. 2; Tenenhaus et al. 2005, §2.3).
    """

    indicators: tuple[str, ...]
    mode: Mode = "A"


@dataclass(frozen=True)
class PLSModel:
    """A PLS path model: measurement blocks and a recursive (acyclic) inner model.

    ``blocks`` maps each latent variable's name to its :class:`Block`; ``paths`` lists
    the directed inner-model arrows ``(from, to)``. The constructor validates the model
    and raises :class:`StatsError` on an unknown block in a path, an indicator in two
    blocks, a cycle, an empty block, a duplicate path or a block in no path.
    """

    blocks: Mapping[str, Block]
    paths: tuple[tuple[str, str], ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "blocks", MappingProxyType(dict(self.blocks)))
        object.__setattr__(self, "paths", tuple((str(a), str(b)) for a, b in self.paths))
        _check_blocks(self.blocks)
        _check_paths(self.blocks, self.paths)
        _check_acyclic(list(self.blocks), self.paths)

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any]) -> PLSModel:
        """Build a model from ``{"blocks": {NAME: {"indicators": [...], "mode": "A"|"B"}},
        "paths": [[FROM, TO], ...]}``; ``mode`` defaults to "A" (plspm's default).

        Raises :class:`StatsError` with a one-line message on any malformed or invalid
        specification (see the class docstring for the checks).
        """
        if not isinstance(spec, Mapping) or "blocks" not in spec or "paths" not in spec:
            raise StatsError('PLS model needs a mapping with "blocks" and "paths"')
        raw_blocks = spec["blocks"]
        if not isinstance(raw_blocks, Mapping):
            raise StatsError('PLS model "blocks" must map block names to blocks')
        blocks = {str(name): _block_from_dict(str(name), raw) for name, raw in raw_blocks.items()}
        return cls(blocks=blocks, paths=_paths_from_list(spec["paths"]))

    @property
    def names(self) -> tuple[str, ...]:
        """Latent-variable names in model order."""
        return tuple(self.blocks)


def _block_from_dict(name: str, raw: Any) -> Block:
    if not isinstance(raw, Mapping) or "indicators" not in raw:
        raise StatsError(f'PLS block {name} needs an "indicators" list')
    indicators = raw["indicators"]
    if isinstance(indicators, str) or not isinstance(indicators, Sequence):
        raise StatsError(f'PLS block {name}: "indicators" must be a list of column names')
    mode = raw.get("mode", "A")
    if mode not in _MODES:
        raise StatsError(f'PLS block {name}: mode must be "A" or "B", not {mode!r}')
    return Block(indicators=tuple(str(item) for item in indicators), mode=mode)


def _paths_from_list(raw: Any) -> tuple[tuple[str, str], ...]:
    if isinstance(raw, str) or not isinstance(raw, Sequence):
        raise StatsError('PLS model "paths" must be a list of [FROM, TO] pairs')
    paths = []
    for pair in raw:
        if isinstance(pair, str) or not isinstance(pair, Sequence) or len(pair) != 2:
            raise StatsError(f"PLS path {pair!r} is not a [FROM, TO] pair")
        paths.append((str(pair[0]), str(pair[1])))
    return tuple(paths)


def _check_blocks(blocks: Mapping[str, Block]) -> None:
    if not blocks:
        raise StatsError("PLS model has no blocks")
    owner: dict[str, str] = {}
    for name, block in blocks.items():
        if block.mode not in _MODES:
            raise StatsError(f'PLS block {name}: mode must be "A" or "B", not {block.mode!r}')
        if not block.indicators:
            raise StatsError(f"PLS block {name} has no indicators")
        for indicator in block.indicators:
            if indicator in owner:
                first = owner[indicator]
                where = f"block {name} twice" if first == name else f"blocks {first} and {name}"
                raise StatsError(f"PLS indicator {indicator} is in {where}")
            owner[indicator] = name


def _check_paths(blocks: Mapping[str, Block], paths: tuple[tuple[str, str], ...]) -> None:
    seen: set[tuple[str, str]] = set()
    for source, target in paths:
        for end in (source, target):
            if end not in blocks:
                raise StatsError(f"PLS path {source}->{target} names unknown block {end}")
        if (source, target) in seen:
            raise StatsError(f"PLS path {source}->{target} is listed twice")
        seen.add((source, target))
    linked = {end for pair in paths for end in pair}
    unlinked = [name for name in blocks if name not in linked]
    if unlinked:
        raise StatsError(f"PLS block(s) in no path: {', '.join(unlinked)}")


def _check_acyclic(names: list[str], paths: tuple[tuple[str, str], ...]) -> None:
    """Kahn's topological sort: whatever cannot be ordered lies on a cycle."""
    indegree = dict.fromkeys(names, 0)
    for _, target in paths:
        indegree[target] += 1
    ready = [name for name in names if indegree[name] == 0]
    while ready:
        source = ready.pop()
        for start, target in paths:
            if start == source:
                indegree[target] -= 1
                if indegree[target] == 0:
                    ready.append(target)
    cyclic = [name for name in names if indegree[name] > 0]
    if cyclic:
        raise StatsError(
            f"PLS inner model must be acyclic; blocks on or after a cycle: {', '.join(cyclic)}"
        )


# ---------------------------------------------------------------------------
# Standard models
# ---------------------------------------------------------------------------


def _numbered(prefix: str, count: int) -> tuple[str, ...]:
    return tuple(f"{prefix}{i}" for i in range(1, count + 1))


ECSI_MODEL = PLSModel(
    blocks={
        "IMAG": Block(_numbered("imag", 5)),
        "EXPE": Block(_numbered("expe", 5)),
        "QUAL": Block(_numbered("qual", 5)),
        "VAL": Block(_numbered("val", 4)),
        "SAT": Block(_numbered("sat", 4)),
        "COMP": Block(("comp1",)),
        "LOY": Block(_numbered("loy", 4)),
    },
    paths=(
        ("IMAG", "EXPE"),
        ("IMAG", "SAT"),
        ("IMAG", "LOY"),
        ("EXPE", "QUAL"),
        ("EXPE", "VAL"),
        ("EXPE", "SAT"),
        ("QUAL", "VAL"),
        ("QUAL", "SAT"),
        ("VAL", "SAT"),
        ("SAT", "COMP"),
        ("SAT", "LOY"),
        ("COMP", "LOY"),
    ),
)
"""The full ECSI model (Tenenhaus et al. 2005, fig. 1): Image, Expectation, perceived
Quality, perceived Value, Satisfaction, Complaints, Loyalty, all Mode A, with the twelve
standard paths. Indicator names follow plspm's ``satisfaction`` data (imag1–imag5,
expe1–expe5, qual1–qual5, val1–val4, sat1–sat4, loy1–loy4) plus ``comp1`` for the
single complaints item; callers map their own columns onto these names."""


def satisfaction_example_model() -> PLSModel:
    """plspm's documented satisfaction example (``?plspm``; Sanchez 2013, the
    satisfaction model): IMAG, EXPE, QUAL, VAL, SAT, LOY, all Mode A, i.e.
    :data:`ECSI_MODEL` without the Complaints block, on the columns of plspm's
    ``satisfaction`` data."""
    return PLSModel(
        blocks={name: b for name, b in ECSI_MODEL.blocks.items() if name != "COMP"},
        paths=tuple(pair for pair in ECSI_MODEL.paths if "COMP" not in pair),
    )


# ---------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BootstrapInterval:
    """Bootstrap summary of one estimate: mean and standard deviation (n−1) over the
    resamples, and the 2.5 % / 97.5 % percentiles (linear interpolation, R's quantile
    type 7, as plspm reports)."""

    mean: float
    se: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class PLSBootstrap:
    """Percentile bootstrap of a PLS fit over ``B`` resamples of the rows; ``failed``
    resamples could not be fitted (e.g. an indicator constant in the resample) and were
    left out of the summaries."""

    B: int
    failed: int
    path_coefficients: dict[tuple[str, str], BootstrapInterval]
    outer_weights: dict[str, BootstrapInterval]
    loadings: dict[str, BootstrapInterval]
    r2: dict[str, BootstrapInterval]
    total_effects: dict[tuple[str, str], BootstrapInterval]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form with "FROM->TO" keys for paths and effects."""
        return {
            "B": self.B,
            "failed": self.failed,
            "path_coefficients": _interval_dict(self.path_coefficients),
            "outer_weights": _interval_dict(self.outer_weights),
            "loadings": _interval_dict(self.loadings),
            "r2": _interval_dict(self.r2),
            "total_effects": _interval_dict(self.total_effects),
        }


@dataclass(frozen=True)
class PLSResult:
    """Estimates of a PLS path model (see :func:`fit_pls` for every formula).

    ``r2`` covers the endogenous LVs only. ``gof`` is None when every block has a single
    indicator (mean communality undefined). ``scores`` holds the standardized LV scores.
    """

    path_coefficients: dict[tuple[str, str], float]
    r2: dict[str, float]
    outer_weights: dict[str, float]
    loadings: dict[str, float]
    cross_loadings: dict[str, dict[str, float]]
    total_effects: dict[tuple[str, str], float]
    ave: dict[str, float]
    composite_reliability: dict[str, float]
    gof: float | None
    iterations: int
    n: int
    scores: dict[str, Matrix] = field(repr=False, compare=False)
    bootstrap: PLSBootstrap | None = None
    indices: dict[str, float] | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict of plain floats; "bootstrap" and "indices" appear when computed."""
        result: dict[str, Any] = {
            "path_coefficients": _arrow_keys(self.path_coefficients),
            "r2": dict(self.r2),
            "outer_weights": dict(self.outer_weights),
            "loadings": dict(self.loadings),
            "cross_loadings": {k: dict(v) for k, v in self.cross_loadings.items()},
            "total_effects": _arrow_keys(self.total_effects),
            "ave": dict(self.ave),
            "composite_reliability": dict(self.composite_reliability),
            "gof": self.gof,
            "iterations": self.iterations,
            "n": self.n,
        }
        if self.bootstrap is not None:
            result["bootstrap"] = self.bootstrap.to_dict()
        if self.indices is not None:
            result["indices"] = dict(self.indices)
        return result


def _arrow(key: tuple[str, str]) -> str:
    return f"{key[0]}->{key[1]}"


def _arrow_keys(values: Mapping[tuple[str, str], float]) -> dict[str, float]:
    return {_arrow(key): value for key, value in values.items()}


def _interval_dict(values: Mapping[Any, BootstrapInterval]) -> dict[str, dict[str, float]]:
    return {
        _arrow(key) if isinstance(key, tuple) else key: {
            "mean": iv.mean,
            "se": iv.se,
            "ci_low": iv.ci_low,
            "ci_high": iv.ci_high,
        }
        for key, iv in values.items()
    }


# ---------------------------------------------------------------------------
# Model resolved against the data
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Layout:
    """The model in index form: indicators in block order, LV index of each, adjacency."""

    names: tuple[str, ...]
    indicators: tuple[str, ...]
    block_of: NDArray[np.intp]
    modes: tuple[Mode, ...]
    adjacency: NDArray[np.bool_]  # adjacency[i, j]: path names[i] -> names[j]
    paths: tuple[tuple[int, int], ...]
    reachable: tuple[tuple[int, int], ...]

    @classmethod
    def of(cls, model: PLSModel) -> _Layout:
        names = model.names
        index = {name: i for i, name in enumerate(names)}
        size = len(names)
        adjacency = np.zeros((size, size), dtype=bool)
        paths = tuple((index[a], index[b]) for a, b in model.paths)
        for source, target in paths:
            adjacency[source, target] = True
        return cls(
            names=names,
            indicators=tuple(i for block in model.blocks.values() for i in block.indicators),
            block_of=np.array(
                [index[n] for n, b in model.blocks.items() for _ in b.indicators], dtype=np.intp
            ),
            modes=tuple(block.mode for block in model.blocks.values()),
            adjacency=adjacency,
            paths=paths,
            reachable=_reachable_pairs(adjacency),
        )

    def members(self, lv: int) -> NDArray[np.intp]:
        return np.flatnonzero(self.block_of == lv)

    def predecessors(self, lv: int) -> NDArray[np.intp]:
        return np.flatnonzero(self.adjacency[:, lv])

    @property
    def endogenous(self) -> NDArray[np.intp]:
        return np.flatnonzero(self.adjacency.any(axis=0))


def _reachable_pairs(adjacency: NDArray[np.bool_]) -> tuple[tuple[int, int], ...]:
    """Pairs (i, j) joined by at least one directed route i -> ... -> j."""
    reach = adjacency.copy()
    for _ in range(len(adjacency)):
        reach = reach | ((reach.astype(int) @ adjacency.astype(int)) > 0)
    return tuple((int(i), int(j)) for i, j in zip(*np.nonzero(reach), strict=True))


# ---------------------------------------------------------------------------
# Estimation
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Fit:
    """Array form of one fit; ``paths[i, j]`` is the coefficient of path i -> j."""

    weights: Matrix
    scores: Matrix
    cross_loadings: Matrix
    paths: Matrix
    r2: Matrix
    iterations: int

    def loadings(self, layout: _Layout) -> Matrix:
        return self.cross_loadings[np.arange(len(layout.block_of)), layout.block_of]

    def total_effects(self) -> Matrix:
        """Σ_{k≥1} B^k = (I − B)^{-1} − I: sums over every route of the products of its
        path coefficients (finite since B is nilpotent for a recursive model)."""
        identity = np.eye(len(self.paths))
        return np.linalg.inv(identity - self.paths) - identity


@dataclass(frozen=True)
class _Options:
    scheme: Scheme
    scaled: bool
    max_iter: int
    tol: float


def fit_pls(
    data: NDArray[Any],
    *,
    columns: Sequence[str],
    model: PLSModel,
    scheme: Scheme = "path",
    bootstrap: int = 0,
    seed: int | None = None,
    max_iter: int = 300,
    tol: float = 1e-7,
    scale: tuple[float, float] | None = None,
    scaled: bool = True,
) -> PLSResult:
    """Fit a PLS path model by Lohmöller's (1989) iterative algorithm.

    ``data`` is n×k with column names ``columns``; only the model's indicators are used.

    Outer–inner iteration (Tenenhaus et al. 2005, §2; Sanchez 2013, ch. 2), starting from
    unit weights, each step normalising every ``w_q`` so that ``Y_q = X_q w_q`` has unit
    variance:

    * inner weights e_qr for the neighbours r of q: centroid ``sign(cor(Y_q, Y_r))``;
      factorial ``cor(Y_q, Y_r)``; path weighting, for a predecessor r the coefficient of
      Y_r in the OLS regression of Y_q on all its predecessors, for a successor
      ``cor(Y_q, Y_r)``; inner proxy ``Z_q = Σ_r e_qr Y_r``;
    * outer weights: Mode A ``w_q = X_q'Z_q/(n−1)`` (covariances); Mode B
      ``w_q = (X_q'X_q)^{-1} X_q'Z_q`` (regression of Z_q on the block);
    * stop when ``Σ_i (|w_i^new| − |w_i^old|)² < tol`` (plspm's criterion).

    Then: path coefficients β by OLS of each endogenous Y on its predecessors
    (``β = C_PP^{-1} C_Pq``), ``R² = β'C_Pq``; loadings ``cor(x_i, Y_own)`` and
    cross-loadings ``cor(x_i, Y_r)``; total effects ``(I − B)^{-1} − I`` (direct plus the
    products of the coefficients along every indirect route); AVE = mean squared loading
    of the block (Fornell & Larcker 1981; reported for Mode B blocks too, as plspm does,
    though it is not a validity measure for formative blocks); composite reliability =
    Dillon–Goldstein's rho of the PLS loadings (:func:`dillon_goldstein_rho`); GoF =
    sqrt(mean communality × mean R²) (Tenenhaus et al. 2004, 2005 §4), the mean
    communality being the mean squared loading over all indicators of blocks with more
    than one indicator (plspm's indicator-weighted mean of block communalities) and the
    mean R² over endogenous LVs. A one-indicator block gets weight 1, loading 1, AVE 1,
    rho 1.

    ``scaled=True`` z-scores indicators (n−1 sd); ``scaled=False`` only centres them
    (plspm's ``scaled = FALSE``, used by its satisfaction example), so Mode A weights
    become raw-unit covariances.

    ``bootstrap=B`` (0 or ≥ 10) refits on B row resamples drawn with
    ``numpy.random.default_rng(seed)`` and reports mean, se and percentile 95 % intervals
    of paths, outer weights, loadings, R² and total effects (each resample's LVs oriented
    as above). ``scale=(lo, hi)`` adds the 0–100 index of every LV (ACSI convention,
    Fornell et al. 1996): raw weights ``w_i/s_i`` (``w_i`` if ``scaled=False``) normalised
    to sum to 1, index = ``(Σ w̃_i x̄_i − lo)/(hi − lo)·100``.

    Raises :class:`StatsError` on NaN, a constant indicator, too few rows (fewer than 3,
    or than the largest Mode B block + 2), collinear Mode B indicators or predecessors,
    non-convergence within ``max_iter``, or a block whose raw weights do not sum to a
    positive number when an index is asked for.
    """
    _check_options(scheme, bootstrap, max_iter, tol, scale)
    options = _Options(scheme=scheme, scaled=scaled, max_iter=max_iter, tol=tol)
    layout = _Layout.of(model)
    raw = _select_indicators(data, columns, layout)
    _check_data(raw, layout)
    fit = _fit(raw, layout, options)
    return replace(
        _result(fit, layout, raw.shape[0]),
        bootstrap=_bootstrap(raw, layout, options, bootstrap, seed) if bootstrap else None,
        indices=None if scale is None else _indices(raw, fit.weights, layout, scale, scaled),
    )


def _check_options(
    scheme: str, bootstrap: int, max_iter: int, tol: float, scale: tuple[float, float] | None
) -> None:
    if scheme not in _SCHEMES:
        raise StatsError(f"PLS scheme must be one of {', '.join(_SCHEMES)}, not {scheme!r}")
    if bootstrap != 0 and bootstrap < _MIN_BOOTSTRAP:
        raise StatsError(f"PLS bootstrap needs 0 or at least {_MIN_BOOTSTRAP} resamples")
    if max_iter < 1:
        raise StatsError("PLS max_iter must be at least 1")
    if not tol > 0:
        raise StatsError("PLS tol must be positive")
    if scale is not None and not (
        len(scale) == 2 and np.all(np.isfinite(scale)) and scale[0] < scale[1]
    ):
        raise StatsError(f"PLS index scale must be (min, max) with min < max, not {scale!r}")


def _select_indicators(data: NDArray[Any], columns: Sequence[str], layout: _Layout) -> Matrix:
    try:
        matrix = np.asarray(data, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise StatsError("PLS data must be numeric") from exc
    if matrix.ndim != 2 or matrix.shape[1] != len(columns):
        raise StatsError(f"PLS data must be 2-D with {len(columns)} columns as named")
    position = {name: i for i, name in enumerate(columns)}
    if len(position) != len(columns):
        raise StatsError("PLS column names must be unique")
    missing = [name for name in layout.indicators if name not in position]
    if missing:
        raise StatsError(f"PLS indicator(s) not in the data: {', '.join(missing)}")
    return matrix[:, [position[name] for name in layout.indicators]]


def _check_data(raw: Matrix, layout: _Layout) -> None:
    mode_b_sizes = [len(layout.members(q)) for q, m in enumerate(layout.modes) if m == "B"]
    needed = max(3, max(mode_b_sizes, default=0) + 2)
    if raw.shape[0] < needed:
        raise StatsError(f"PLS needs at least {needed} rows, got {raw.shape[0]}")
    bad = ~np.isfinite(raw).all(axis=0)
    if bad.any():
        name = layout.indicators[int(np.argmax(bad))]
        raise StatsError(f"PLS indicator {name} has NaN or infinite values")


def _fit(raw: Matrix, layout: _Layout, options: _Options) -> _Fit:
    """Full estimation on one data set (the sample or a bootstrap resample)."""
    x = _prepare(raw, layout, options.scaled)
    weights, iterations = _outer_weights(x, layout, options)
    scores = x @ _weight_matrix(weights, layout)
    cross = _correlations(x, scores)
    weights, scores, cross = _orient(weights, scores, cross, layout)
    paths, r2 = _inner_model(_correlations(scores, scores), layout)
    return _Fit(weights, scores, cross, paths, r2, iterations)


def _prepare(raw: Matrix, layout: _Layout, scaled: bool) -> Matrix:
    """Centre (and, if scaled, z-score with the n−1 sd); name a constant indicator."""
    sd = raw.std(axis=0, ddof=1)
    constant = sd <= 1e-12 * np.maximum(1.0, np.abs(raw).max(axis=0))
    if constant.any():
        raise StatsError(f"PLS indicator {layout.indicators[int(np.argmax(constant))]} is constant")
    centred: Matrix = raw - raw.mean(axis=0)
    return cast(Matrix, centred / sd) if scaled else centred


def _weight_matrix(weights: Matrix, layout: _Layout) -> Matrix:
    """p×L matrix with each indicator's weight in its own block's column."""
    matrix = np.zeros((len(weights), len(layout.names)))
    matrix[np.arange(len(weights)), layout.block_of] = weights
    return matrix


def _correlations(a: Matrix, b: Matrix) -> Matrix:
    """cor(a_i, b_j) for centred columns."""
    norms_a = np.sqrt((a * a).sum(axis=0))
    norms_b = np.sqrt((b * b).sum(axis=0))
    return (a.T @ b) / np.outer(norms_a, norms_b)


def _outer_weights(x: Matrix, layout: _Layout, options: _Options) -> tuple[Matrix, int]:
    """Iterate inner and outer estimation until the weights settle."""
    mode_b = {q: _mode_b_solver(x, layout, q) for q, m in enumerate(layout.modes) if m == "B"}
    weights = _normalise(x, np.ones(x.shape[1]), layout)
    for iteration in range(1, options.max_iter + 1):
        scores = x @ _weight_matrix(weights, layout)
        proxies = scores @ _inner_weights(scores, layout, options.scheme)
        new = _normalise(x, _update(x, proxies, layout, mode_b), layout)
        if np.sum((np.abs(new) - np.abs(weights)) ** 2) < options.tol:
            return new, iteration
        weights = new
    raise StatsError(
        f"PLS did not converge within {options.max_iter} iterations (tol {options.tol:g})"
    )


def _mode_b_solver(x: Matrix, layout: _Layout, lv: int) -> Matrix:
    """Pseudo-inverse of a Mode B block, after checking it has full column rank."""
    block = x[:, layout.members(lv)]
    if np.linalg.cond(block) > _CONDITION_LIMIT:
        raise StatsError(
            f"PLS Mode B block {layout.names[lv]}: indicators are collinear (singular matrix)"
        )
    return cast(Matrix, np.linalg.pinv(block))


def _update(x: Matrix, proxies: Matrix, layout: _Layout, mode_b: dict[int, Matrix]) -> Matrix:
    """New outer weights: Mode A covariances with the proxy, Mode B regressions on it."""
    n = x.shape[0]
    weights = (x * proxies[:, layout.block_of]).sum(axis=0) / (n - 1)
    for lv, solver in mode_b.items():
        weights[layout.members(lv)] = solver @ proxies[:, lv]
    return cast(Matrix, weights)


def _normalise(x: Matrix, weights: Matrix, layout: _Layout) -> Matrix:
    """Rescale each block's weights so that its LV score has unit (n−1) variance."""
    scores = x @ _weight_matrix(weights, layout)
    sd = scores.std(axis=0, ddof=1)
    if np.any(sd <= 1e-12):
        raise StatsError(
            f"PLS block {layout.names[int(np.argmin(sd))]}: latent score has no variance"
        )
    return cast(Matrix, weights / sd[layout.block_of])


def _inner_weights(scores: Matrix, layout: _Layout, scheme: Scheme) -> Matrix:
    """e[r, q]: weight of Y_r in the inner proxy of LV q."""
    corr = _correlations(scores, scores)
    adjacency = layout.adjacency.astype(np.float64)
    neighbours = np.maximum(adjacency, adjacency.T)
    if scheme == "centroid":
        return np.sign(corr) * neighbours
    if scheme == "factorial":
        return corr * neighbours
    inner = corr * adjacency.T  # successors r of q: cor(Y_q, Y_r)
    for lv in layout.endogenous:
        predecessors = layout.predecessors(lv)
        inner[predecessors, lv] = _regression(corr, predecessors, lv, layout)
    return inner


def _regression(corr: Matrix, predictors: NDArray[np.intp], target: int, layout: _Layout) -> Matrix:
    """Standardized OLS coefficients of LV ``target`` on ``predictors``: C_PP^{-1} C_Pq."""
    system = corr[np.ix_(predictors, predictors)]
    if np.linalg.cond(system) > _CONDITION_LIMIT:
        raise StatsError(
            f"PLS block {layout.names[target]}: its predecessors' scores are collinear"
            " (singular path regression)"
        )
    return cast(Matrix, np.linalg.solve(system, corr[predictors, target]))


def _orient(
    weights: Matrix, scores: Matrix, cross: Matrix, layout: _Layout
) -> tuple[Matrix, Matrix, Matrix]:
    """Flip each LV whose indicators mostly correlate negatively with it."""
    own = cross[np.arange(len(weights)), layout.block_of]
    signs = np.ones(len(layout.names))
    for lv in range(len(layout.names)):
        loadings = own[layout.members(lv)]
        votes = np.sign(loadings).sum()
        if votes < 0 or (votes == 0 and loadings.sum() < 0):
            signs[lv] = -1.0
    return weights * signs[layout.block_of], scores * signs, cross * signs


def _inner_model(corr: Matrix, layout: _Layout) -> tuple[Matrix, Matrix]:
    """Path matrix B[i, j] for i -> j and R² of every LV (0 for exogenous ones)."""
    size = len(layout.names)
    paths = np.zeros((size, size))
    r2 = np.zeros(size)
    for lv in layout.endogenous:
        predecessors = layout.predecessors(lv)
        beta = _regression(corr, predecessors, lv, layout)
        paths[predecessors, lv] = beta
        r2[lv] = float(beta @ corr[predecessors, lv])
    return paths, r2


def dillon_goldstein_rho(loadings: Sequence[float] | NDArray[np.float64]) -> float:
    """Dillon–Goldstein's rho (composite reliability, Werts, Linn & Jöreskog 1974):
    ``(Σλ_i)² / ((Σλ_i)² + Σ(1 − λ_i²))`` for standardized loadings λ_i.

    :func:`fit_pls` applies it to the PLS outer loadings (as seminr and SmartPLS do);
    plspm's ``unidim`` applies the same formula to first-principal-component loadings.
    """
    values = np.asarray(loadings, dtype=np.float64)
    if values.size == 0:
        raise StatsError("Dillon-Goldstein rho needs at least one loading")
    explained = values.sum() ** 2
    return float(explained / (explained + np.sum(1.0 - values**2)))


def _result(fit: _Fit, layout: _Layout, n: int) -> PLSResult:
    names, indicators = layout.names, layout.indicators
    loadings = fit.loadings(layout)
    totals = fit.total_effects()
    blocks = [layout.members(lv) for lv in range(len(names))]
    return PLSResult(
        path_coefficients={(names[i], names[j]): float(fit.paths[i, j]) for i, j in layout.paths},
        r2={names[lv]: float(fit.r2[lv]) for lv in layout.endogenous},
        outer_weights=dict(zip(indicators, map(float, fit.weights), strict=True)),
        loadings=dict(zip(indicators, map(float, loadings), strict=True)),
        cross_loadings={
            indicator: dict(zip(names, map(float, fit.cross_loadings[i]), strict=True))
            for i, indicator in enumerate(indicators)
        },
        total_effects={(names[i], names[j]): float(totals[i, j]) for i, j in layout.reachable},
        ave={names[lv]: float(np.mean(loadings[m] ** 2)) for lv, m in enumerate(blocks)},
        composite_reliability={
            names[lv]: dillon_goldstein_rho(loadings[m]) for lv, m in enumerate(blocks)
        },
        gof=_gof(loadings, fit.r2, layout),
        iterations=fit.iterations,
        n=n,
        scores={name: fit.scores[:, lv].copy() for lv, name in enumerate(names)},
    )


def _gof(loadings: Matrix, r2: Matrix, layout: _Layout) -> float | None:
    """sqrt(mean communality over multi-indicator blocks × mean R² of endogenous LVs)."""
    sizes = np.bincount(layout.block_of, minlength=len(layout.names))
    in_multi_blocks = sizes[layout.block_of] > 1
    if not in_multi_blocks.any():
        return None
    communality = float(np.mean(loadings[in_multi_blocks] ** 2))
    return float(np.sqrt(communality * np.mean(r2[layout.endogenous])))


def _indices(
    raw: Matrix, weights: Matrix, layout: _Layout, scale: tuple[float, float], scaled: bool
) -> dict[str, float]:
    """ACSI 0–100 index of every LV from its unstandardized, sum-to-one weights."""
    low, high = scale
    raw_weights = weights / raw.std(axis=0, ddof=1) if scaled else weights
    means = raw.mean(axis=0)
    indices = {}
    for lv, name in enumerate(layout.names):
        members = layout.members(lv)
        total = raw_weights[members].sum()
        if not total > 0:
            raise StatsError(f"PLS index of block {name}: unstandardized weights sum to ≤ 0")
        level = float(raw_weights[members] @ means[members] / total)
        indices[name] = (level - low) / (high - low) * 100.0
    return indices


# ---------------------------------------------------------------------------
# Bootstrap
# ---------------------------------------------------------------------------


def _bootstrap(
    raw: Matrix, layout: _Layout, options: _Options, resamples: int, seed: int | None
) -> PLSBootstrap:
    """Refit on row resamples; skip (and count) resamples that cannot be fitted."""
    rng = np.random.default_rng(seed)
    n = raw.shape[0]
    draws: dict[str, list[Matrix]] = {key: [] for key in _BOOTSTRAP_KEYS}
    failed = 0
    for _ in range(resamples):
        try:
            fit = _fit(raw[rng.integers(0, n, size=n)], layout, options)
        except StatsError:
            failed += 1
            continue
        for key, values in _bootstrap_values(fit, layout).items():
            draws[key].append(values)
    if failed * 2 > resamples:
        raise StatsError(f"PLS bootstrap: {failed} of {resamples} resamples could not be fitted")
    summaries = {key: _summarise(np.array(rows)) for key, rows in draws.items()}
    names = layout.names
    path_keys = [(names[i], names[j]) for i, j in layout.paths]
    effect_keys = [(names[i], names[j]) for i, j in layout.reachable]
    return PLSBootstrap(
        B=resamples,
        failed=failed,
        path_coefficients=dict(zip(path_keys, summaries["paths"], strict=True)),
        outer_weights=dict(zip(layout.indicators, summaries["weights"], strict=True)),
        loadings=dict(zip(layout.indicators, summaries["loadings"], strict=True)),
        r2=dict(zip([names[q] for q in layout.endogenous], summaries["r2"], strict=True)),
        total_effects=dict(zip(effect_keys, summaries["effects"], strict=True)),
    )


_BOOTSTRAP_KEYS = ("paths", "weights", "loadings", "r2", "effects")


def _bootstrap_values(fit: _Fit, layout: _Layout) -> dict[str, Matrix]:
    sources, targets = np.array(layout.paths).T
    effect_sources, effect_targets = np.array(layout.reachable).T
    return {
        "paths": fit.paths[sources, targets],
        "weights": fit.weights,
        "loadings": fit.loadings(layout),
        "r2": fit.r2[layout.endogenous],
        "effects": fit.total_effects()[effect_sources, effect_targets],
    }


def _summarise(draws: Matrix) -> list[BootstrapInterval]:
    """Per column: mean, n−1 sd and 2.5/97.5 percentiles (linear interpolation)."""
    low, high = np.percentile(draws, [2.5, 97.5], axis=0)
    return [
        BootstrapInterval(float(m), float(s), float(lo), float(hi))
        for m, s, lo, hi in zip(
            draws.mean(axis=0), draws.std(axis=0, ddof=1), low, high, strict=True
        )
    ]

"""Survey sample sizes for a proportion, with finite-population correction and strata."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass

from ganzhi.stats._checks import check_confidence, normal_quantile, whole_number
from ganzhi.stats.errors import StatsError

# Slack for float noise before rounding up, so that an exact 278.0 does not become 279.
_ROUNDING_SLACK = 1e-9


@dataclass(frozen=True)
class StratumPlan:
    """One stratum: its population, allocated sample, and what that sample achieves."""

    stratum: str
    population: int
    sample: int
    margin: float
    required_for_margin: int

    def to_dict(self) -> dict[str, str | int | float]:
        return asdict(self)


@dataclass(frozen=True)
class StratifiedPlan:
    """Proportional allocation of a survey across strata."""

    population: int
    overall_sample: int
    total_sample: int
    margin: float
    p: float
    confidence: float
    strata: tuple[StratumPlan, ...]

    def to_dict(self) -> dict[str, object]:
        summary = asdict(self)
        summary["strata"] = [plan.to_dict() for plan in self.strata]
        return summary


def sample_size(
    margin: float, *, population: int | None = None, p: float = 0.5, confidence: float = 0.95
) -> int:
    """Respondents needed to estimate a proportion within ±margin (Cochran 1977, Sampling
    Techniques, 3rd ed., §4.4, eqs. 4.1–4.2)::

        n0 = z² · p(1 − p) / e²,            z = Φ⁻¹(1 − α/2)  (1.96 at 95%)
        n  = n0 / (1 + (n0 − 1)/N)          finite-population correction, when N is given

    rounded up. p = 0.5 is the conservative default. E.g. e = 0.05 at 95 %: n0 = 384.15 → 385
    for an unlimited population, 278 for N = 1000 (Krejcie & Morgan 1970's table).
    Raises StatsError unless 0 < margin < 1, 0 < p < 1 and N ≥ 1.
    """
    margin, p = _check_margin_and_p(margin, p)
    z = normal_quantile(confidence)
    n0 = z * z * p * (1.0 - p) / (margin * margin)
    if population is not None:
        size = _check_population(population, "population")
        n0 = n0 / (1.0 + (n0 - 1.0) / size)
    return math.ceil(n0 - _ROUNDING_SLACK)


def margin_of_error(
    n: int, *, population: int | None = None, p: float = 0.5, confidence: float = 0.95
) -> float:
    """Margin of error ±e of a proportion from n respondents (the inverse of
    :func:`sample_size`; Cochran 1977, §3.4)::

        e = z · √(p(1 − p)/n · (N − n)/(N − 1))     (the FPC factor only when N is given)

    A census (n ≥ N) has e = 0. Raises StatsError unless n ≥ 1, 0 ≤ p ≤ 1 and N ≥ 1.
    """
    count = whole_number(n, "n")
    if count < 1:
        raise StatsError(f"n must be at least 1; got {count}")
    p = float(p)
    if not 0.0 <= p <= 1.0:
        raise StatsError(f"p must be between 0 and 1; got {p!r}")
    z = normal_quantile(confidence)
    fpc = 1.0
    if population is not None:
        size = _check_population(population, "population")
        if count >= size:
            return 0.0
        fpc = (size - count) / (size - 1)
    return z * math.sqrt(p * (1.0 - p) / count * fpc)


def proportional_allocation(
    population: Mapping[str, int],
    margin: float,
    *,
    p: float = 0.5,
    confidence: float = 0.95,
) -> StratifiedPlan:
    """Stratified survey plan with proportional allocation (Cochran 1977, §5.5)::

        n    = sample_size(e, N = Σ N_h)                 overall size, FPC on the total
        n_h  = ⌈n · N_h / N⌉, at most N_h                 proportional allocation, rounded up
        e_h  = margin_of_error(n_h, N = N_h)              each stratum's own margin (its FPC)
        r_h  = sample_size(e, N = N_h)                    sample stratum h alone would need

    Rounding each stratum up keeps every stratum represented and makes Σ n_h ≥ n
    (``total_sample``), so the overall margin is met. ``required_for_margin`` (r_h) shows
    what a per-stratum estimate with the same ±e would need, with that stratum's FPC.
    Raises StatsError for an empty mapping or a stratum population below 1.
    """
    if not population:
        raise StatsError("at least one stratum is needed")
    sizes = {
        name: _check_population(size, f"population of '{name}'")
        for name, size in population.items()
    }
    margin, p = _check_margin_and_p(margin, p)
    confidence = check_confidence(confidence)
    total_population = sum(sizes.values())
    overall = sample_size(margin, population=total_population, p=p, confidence=confidence)
    plans = []
    for name, size in sizes.items():
        allocated = min(size, math.ceil(overall * size / total_population - _ROUNDING_SLACK))
        plans.append(
            StratumPlan(
                stratum=name,
                population=size,
                sample=allocated,
                margin=margin_of_error(allocated, population=size, p=p, confidence=confidence),
                required_for_margin=sample_size(
                    margin, population=size, p=p, confidence=confidence
                ),
            )
        )
    return StratifiedPlan(
        population=total_population,
        overall_sample=overall,
        total_sample=sum(plan.sample for plan in plans),
        margin=margin,
        p=p,
        confidence=confidence,
        strata=tuple(plans),
    )


def _check_margin_and_p(margin: float, p: float) -> tuple[float, float]:
    margin, p = float(margin), float(p)
    if not 0.0 < margin < 1.0:
        raise StatsError(f"margin of error must be between 0 and 1 (e.g. 0.05); got {margin!r}")
    if not 0.0 < p < 1.0:
        raise StatsError(f"p must be strictly between 0 and 1; got {p!r}")
    return margin, p


def _check_population(population: object, name: str) -> int:
    size = whole_number(population, name)
    if size < 1:
        raise StatsError(f"{name} must be at least 1; got {size}")
    return size

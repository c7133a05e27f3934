"""Figures from the rollups: the same ``Scores`` as ``ganzhi.surveys.scoring`` computes
from the raw answers, and the work-order and call-back counts, for any org unit, period,
post and dimension, grouped by month, project or post as a dashboard needs.

Every function here runs a fixed number of queries over rollup rows only.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from django.db.models import Q, Sum

from ganzhi.org.models import Post
from ganzhi.rollups.models import (
    CALLBACK_SUMS,
    SURVEY_SUMS,
    WORKORDER_SUMS,
    CallbackRollup,
    RollupState,
    Scope,
    SurveyItemRollup,
    SurveyRollup,
    WorkOrderRollup,
)
from ganzhi.stats import drivers, indices, nps, rates, servqual
from ganzhi.stats.errors import StatsError
from ganzhi.surveys.models import Dimension, IndicatorNode
from ganzhi.surveys.scoring import (
    BreakdownRow,
    Figure,
    Gap,
    GapItem,
    OrgUnit,
    Period,
    Scores,
    min_sample,
)

Level = SurveyRollup.Level
DIMENSIONS = [d.value for d in Dimension]


def as_of(kind: str) -> dt.datetime | None:
    return RollupState.objects.filter(kind=kind).values_list("as_of", flat=True).first()


def as_of_all() -> dt.datetime | None:
    """The oldest of the kinds' as-of times: every figure is at least this fresh."""
    stamps = list(RollupState.objects.values_list("as_of", flat=True))
    return min((s for s in stamps if s), default=None)


# --- filtering ---------------------------------------------------------------------------


def in_unit(queryset, unit: OrgUnit, period: Period | None = None, *, children: bool = False):
    """The unit's own rows (its company, region or project sums), or with ``children`` the
    rows one level down (a company's regions, a region's projects)."""
    queryset = queryset.filter(company_id=unit.company_id)
    if children and unit.kind == "company":
        queryset = queryset.filter(scope=Scope.REGION)
    elif children and unit.kind == "region":
        queryset = queryset.filter(scope=Scope.PROJECT, region_id=unit.obj.pk)
    elif unit.kind == "company":
        queryset = queryset.filter(scope=Scope.COMPANY)
    elif unit.kind == "region":
        queryset = queryset.filter(scope=Scope.REGION, region_id=unit.obj.pk)
    else:
        queryset = queryset.filter(scope=Scope.PROJECT, project_id=unit.obj.pk)
    if period is not None:
        queryset = queryset.filter(month__gte=period.start.date(), month__lt=period.end.date())
    return queryset


def _level(post: Post | None, dimension: str) -> Q:
    if post is not None and dimension:
        return Q(level=Level.POST_DIMENSION, post_id=post.pk, dimension=dimension)
    if post is not None:
        return Q(level=Level.POST, post_id=post.pk)
    if dimension:
        return Q(level=Level.DIMENSION, dimension=dimension)
    return Q(level=Level.ALL)


def _sums(queryset, fields: tuple[str, ...], by: tuple[str, ...] = ()) -> list[dict]:
    """SUM of ``fields`` over the rows, grouped by ``by`` (one row when empty); zeros when
    there is nothing."""
    aggregates = {f: Sum(f) for f in fields}  # no default=0: a COALESCE each costs time
    if not by:
        rows = [queryset.aggregate(**aggregates)]
    else:
        rows = list(queryset.values(*by).annotate(**aggregates).order_by(*by))
    for row in rows:
        for f in fields:
            if row[f] is None:
                row[f] = 0
    return rows


# --- survey figures ------------------------------------------------------------------------


def index_figure(sums: dict, minimum: int) -> Figure:
    """The weighted mean satisfaction index with its t interval, as in scoring."""
    n = int(sums["index_n"])
    if n == 0 or n < minimum:
        return Figure(n=n)
    if n == 1:
        return Figure(n=1, value=sums["index_swy"] / sums["index_sw"], suppressed=False)
    try:
        mean = indices.weighted_mean_from_sums(
            n=n,
            sum_w=sums["index_sw"],
            sum_wy=sums["index_swy"],
            sum_w2=sums["index_sw2"],
            sum_w2y=sums["index_sw2y"],
            sum_w2y2=sums["index_sw2y2"],
        )
    except StatsError:
        return Figure(n=n)
    return Figure(n=n, value=mean.mean, ci_low=mean.ci_low, ci_high=mean.ci_high, suppressed=False)


def nps_figure(sums: dict, minimum: int) -> Figure:
    counts = (int(sums["promoters"]), int(sums["passives"]), int(sums["detractors"]))
    n = sum(counts)
    if n == 0 or n < minimum:
        return Figure(n=n)
    result = nps.nps_from_counts(*counts)
    return Figure(
        n=n, value=result.nps, ci_low=result.ci_low, ci_high=result.ci_high, suppressed=False
    )


def satisfied_figure(sums: dict, minimum: int) -> Figure:
    n, k = int(sums["satisfied_n"]), int(sums["satisfied_k"])
    if n == 0 or n < minimum:
        return Figure(n=n)
    result = rates.rate(k, n)
    return Figure(
        n=n, value=result.rate, ci_low=result.ci_low, ci_high=result.ci_high, suppressed=False
    )


def survey_scores(
    unit: OrgUnit, period: Period, *, post: Post | None = None, dimension: str = ""
) -> Scores:
    """``scoring.compute_scores`` from the rollups: the same figures, four queries."""
    minimum = min_sample()
    rows = in_unit(SurveyRollup.objects.all(), unit, period)
    total = _sums(rows.filter(_level(post, dimension)), SURVEY_SUMS)[0]
    n = int(total["responses"])
    if post is not None and dimension:
        post_rows = rows.filter(_level(post, dimension))
        dimension_rows = post_rows
    elif post is not None:
        post_rows = rows.filter(_level(post, ""))
        dimension_rows = rows.filter(level=Level.POST_DIMENSION, post_id=post.pk)
    elif dimension:
        post_rows = rows.filter(level=Level.POST_DIMENSION, dimension=dimension)
        dimension_rows = rows.filter(_level(None, dimension))
    else:
        post_rows = rows.filter(level=Level.POST)
        dimension_rows = rows.filter(level=Level.DIMENSION)
    by_post = [
        BreakdownRow(
            key=row["post__code"], label=row["post__name"], index=index_figure(row, minimum)
        )
        for row in _sums(post_rows, SURVEY_SUMS, ("post__sort_order", "post__name", "post__code"))
        if row["index_n"]
    ]
    dimension_sums = {
        row["dimension"]: row for row in _sums(dimension_rows, SURVEY_SUMS, ("dimension",))
    }
    by_dimension = [
        BreakdownRow(
            key=d.value, label=str(d.label), index=index_figure(dimension_sums[d.value], minimum)
        )
        for d in Dimension
        if d.value in dimension_sums and dimension_sums[d.value]["index_n"]
    ]
    return Scores(
        unit=unit,
        period=period,
        post=post,
        dimension=dimension,
        min_sample=minimum,
        n=n,
        suppressed=n < minimum,
        index=index_figure(total, minimum),
        nps=nps_figure(total, minimum),
        satisfied_share=satisfied_figure(total, minimum),
        gap=gap_from_rollups(unit, period, post, dimension, int(total["gap_n"]), minimum),
        by_post=by_post,
        by_dimension=by_dimension,
    )


def gap_from_rollups(
    unit: OrgUnit, period: Period, post: Post | None, dimension: str, n: int, minimum: int
) -> Gap | None:
    """SERVQUAL P − E as in scoring: per item (t interval), per dimension (mean of its
    items) and overall (mean of the dimensions)."""
    items = in_unit(SurveyItemRollup.objects.all(), unit, period)
    if post is not None:
        items = items.filter(post_id=post.pk)
    if dimension:
        items = items.filter(dimension=dimension)
    rows = _sums(
        items,
        ("n", "sum_gap", "sum_gap2", "sum_gap100", "sum_gap100_2"),
        ("code", "dimension", "scale_min", "scale_max"),
    )
    if not rows:
        return None
    points_100 = len({(r["scale_min"], r["scale_max"]) for r in rows}) > 1
    if n < minimum:
        return Gap(n=n, suppressed=True, points_100=points_100)
    per_code: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(3))
    dimension_of: dict[str, str] = {}
    suffix = "100" if points_100 else ""
    for r in rows:
        square = r[f"sum_gap{suffix}_2"] if points_100 else r["sum_gap2"]
        per_code[r["code"]] += (r["n"], r[f"sum_gap{suffix}"], square)
        dimension_of[r["code"]] = r["dimension"]
    texts = _item_texts(list(per_code))
    gap_items: list[GapItem] = []
    means: dict[str, float] = {}
    for code in sorted(
        per_code,
        key=lambda c: (
            DIMENSIONS.index(dimension_of[c]) if dimension_of[c] in DIMENSIONS else 99,
            c,
        ),
    ):
        count, total, square = per_code[code]
        count = int(count)
        gap = None
        if count >= max(2, minimum):
            gap = servqual.item_gap_from_sums(code, count, total, square)
            means[code] = gap.mean_gap
        gap_items.append(
            GapItem(
                code=code,
                text=texts.get(code, code),
                dimension=dimension_of[code],
                n=count,
                mean_gap=gap.mean_gap if gap else None,
                ci_low=gap.ci_low if gap else None,
                ci_high=gap.ci_high if gap else None,
                suppressed=gap is None,
            )
        )
    groups: dict[str, list[float]] = defaultdict(list)
    for code, mean in means.items():
        groups[dimension_of[code]].append(mean)
    dims = {d: float(np.mean(groups[d])) for d in DIMENSIONS if d in groups}
    score = float(np.mean(list(dims.values()))) if dims else None
    return Gap(
        n=n, suppressed=False, points_100=points_100, score=score, dimensions=dims, items=gap_items
    )


def _item_texts(codes: list[str]) -> dict[str, str]:
    texts: dict[str, str] = {}
    for code, text in (
        IndicatorNode.objects.filter(level=IndicatorNode.Level.ITEM, code__in=codes)
        .order_by("library_id")
        .values_list("code", "text")
    ):
        texts[code] = text  # the latest version's wording
    return texts


# --- series for the dashboards ------------------------------------------------------------


def survey_by(
    unit: OrgUnit,
    period: Period,
    by: tuple[str, ...],
    *,
    post: Post | None = None,
    dimension: str = "",
    level: Q | None = None,
    children: bool = False,
) -> list[dict]:
    """Summed survey rows grouped by ``by`` (e.g. ("month",), ("post_id",)); with
    ``children``, the rows of the unit's regions or projects (group by region_id or
    project_id)."""
    rows = in_unit(SurveyRollup.objects.all(), unit, period, children=children)
    return _sums(
        rows.filter(level if level is not None else _level(post, dimension)), SURVEY_SUMS, by
    )


def workorders_by(
    unit: OrgUnit,
    period: Period,
    by: tuple[str, ...],
    *,
    post: Post | None = None,
    children: bool = False,
) -> list[dict]:
    rows = in_unit(WorkOrderRollup.objects.all(), unit, period, children=children)
    if post is not None:
        rows = rows.filter(post_id=post.pk)
    return _sums(rows, WORKORDER_SUMS, by)


def callbacks_by(unit: OrgUnit, period: Period, by: tuple[str, ...]) -> list[dict]:
    return _sums(in_unit(CallbackRollup.objects.all(), unit, period), CALLBACK_SUMS, by)


@dataclass(frozen=True)
class DriverRow:
    dimension: str
    label: str
    importance: float  # share of R², 0–1
    performance: float | None  # dimension index, 0–100


@dataclass(frozen=True)
class Drivers:
    n: int
    r2: float | None
    rows: list[DriverRow]
    suppressed: bool
    reason: str = ""


def key_drivers(unit: OrgUnit, period: Period, *, post: Post | None = None) -> Drivers:
    """Shapley shares of the overall-satisfaction R² carried by the five dimensions, from
    the summed cross products of the respondents with all five and an overall answer."""
    minimum = min_sample()
    rows = in_unit(SurveyRollup.objects.all(), unit, period).filter(_level(post, ""))
    n, sw = 0, 0.0
    k = len(DIMENSIONS) + 1
    swx, swxx = np.zeros(k), np.zeros((k, k))
    for moments in rows.exclude(drivers=None).values_list("drivers", flat=True):
        n += moments["n"]
        sw += moments["sw"]
        swx += moments["swx"]
        swxx += np.asarray(moments["swxx"])
    if n < max(minimum, k + 1):
        return Drivers(n=n, r2=None, rows=[], suppressed=True)
    labels = dict(Dimension.choices)
    try:
        correlation = drivers.correlation_from_moments(sw, swx, swxx)
        result = drivers.drivers_from_correlation(correlation, n=n, names=DIMENSIONS)
    except StatsError as error:
        return Drivers(n=n, r2=None, rows=[], suppressed=True, reason=str(error))
    means = swx[:-1] / sw
    return Drivers(
        n=n,
        r2=result.r2,
        rows=[
            DriverRow(
                dimension=d,
                label=str(labels[d]),
                importance=share / result.r2,
                performance=float(mean),
            )
            for d, share, mean in zip(DIMENSIONS, result.importance, means, strict=True)
        ],
        suppressed=False,
    )

"""Keeping the rollups up to date: mark changed project-months, recompute them, rebuild.

``mark_dirty`` is called for every change (signals for ``save``/``delete``; bulk writers
call it themselves). ``refresh`` (the worker, every ``GANZHI_ROLLUP_SECONDS``) recomputes
the marked project-months from the raw data, one month at a time in a transaction, and
then removes exactly the marks it saw: a mark renewed meanwhile stays for the next run.
``rebuild`` (``ganzhi rollups rebuild``) recomputes everything.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
from django.db import transaction
from django.db.models import Count, F, Max, Min, Q, Sum
from django.utils import timezone

from ganzhi.org.models import Project
from ganzhi.rollups.models import (
    CALLBACK_SUMS,
    SURVEY_SUMS,
    WORKORDER_SUMS,
    CallbackRollup,
    Kind,
    RollupDirty,
    RollupState,
    Scope,
    SurveyItemRollup,
    SurveyRollup,
    WorkOrderRollup,
)
from ganzhi.stats import indices
from ganzhi.surveys.models import CallbackTask, Dimension, Response
from ganzhi.surveys.scoring import RespondentScores, respondent_scores
from ganzhi.workorders.models import OPEN_STATES, State, WorkOrder

__all__ = ["Kind", "mark_dirty", "mark_responses", "month_of", "rebuild", "refresh"]

DIMENSIONS = [d.value for d in Dimension]
RESPONSE_CHUNK = 5000
INSERT_BATCH = 2000


# --- months ----------------------------------------------------------------------------


def month_of(moment: dt.datetime | dt.date) -> dt.date:
    """The first day of the local calendar month of a time (or of a date)."""
    if isinstance(moment, dt.datetime):
        moment = timezone.localtime(moment).date()
    return moment.replace(day=1)


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_default_timezone()
    start = dt.datetime(month.year, month.month, 1, tzinfo=zone)
    following = dt.datetime(month.year + month.month // 12, month.month % 12 + 1, 1, tzinfo=zone)
    return start, following


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    months, month = [], first
    while month <= last:
        months.append(month)
        month = month_of(month + dt.timedelta(days=32))
    return months


# --- marking ---------------------------------------------------------------------------


def mark_dirty(kind: str, changes: Iterable[tuple[int, dt.datetime | dt.date]]) -> int:
    """Mark the (project id, month of the time) slices of ``kind`` for recomputing."""
    slices = {(project_id, month_of(moment)) for project_id, moment in changes if moment}
    RollupDirty.objects.bulk_create(
        [
            RollupDirty(kind=kind, project_id=project_id, month=month, token=uuid.uuid4())
            for project_id, month in slices
        ],
        update_conflicts=True,
        unique_fields=["kind", "project", "month"],
        update_fields=["token"],
        batch_size=INSERT_BATCH,
    )
    return len(slices)


def mark_responses(responses) -> int:
    """Mark the slices of the given responses (a queryset) after a bulk write to them."""
    changes = {
        (project_id, month_of(submitted_at))
        for project_id, submitted_at in responses.filter(submitted_at__isnull=False)
        .values_list("project_id", "submitted_at")
        .iterator(chunk_size=RESPONSE_CHUNK)
    }
    return mark_dirty(Kind.SURVEYS, changes)


def mark_workorders(orders) -> int:
    """Mark the slices of the given work orders (a queryset) after a bulk write to them."""
    changes = set(orders.values_list("project_id", "created_at").iterator(chunk_size=10000))
    return mark_dirty(Kind.WORKORDERS, changes)


# --- refresh and rebuild -----------------------------------------------------------------


@dataclass
class RefreshResult:
    slices: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def refresh(kinds: Iterable[str] | None = None) -> RefreshResult:
    """Recompute every marked project-month; returns how many slices per kind."""
    started = time.perf_counter()
    result = RefreshResult()
    for kind in kinds or Kind.values:
        as_of = timezone.now()
        seen = list(
            RollupDirty.objects.filter(kind=kind).values_list("id", "project_id", "month", "token")
        )
        company_of = dict(
            Project.objects.filter(pk__in={s[1] for s in seen}).values_list("pk", "company_id")
        )
        groups: dict[tuple[dt.date, int], list[int]] = defaultdict(list)
        for _id, project_id, month, _token in seen:
            if project_id in company_of:
                groups[(month, company_of[project_id])].append(project_id)
        for (month, company_id), project_ids in sorted(groups.items()):
            with transaction.atomic():
                RECOMPUTE[kind](month, company_id, project_ids)
                _sum_up(kind, month, company_id)
        for start in range(0, len(seen), 200):
            unchanged = Q(pk__in=[])
            for pk, _project, _month, token in seen[start : start + 200]:
                unchanged |= Q(pk=pk, token=token)
            RollupDirty.objects.filter(unchanged).delete()
        _stamp(kind, as_of=as_of)
        result.slices[kind] = len(seen)
    result.seconds = time.perf_counter() - started
    return result


def rebuild(
    kinds: Iterable[str] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> RefreshResult:
    """Recompute every rollup from the raw data. ``progress(kind, done, total)`` per month."""
    started = time.perf_counter()
    result = RefreshResult()
    for kind in kinds or Kind.values:
        as_of = timezone.now()
        RollupDirty.objects.filter(kind=kind).delete()
        for model in ROLLUP_MODELS[kind]:
            model.objects.all().delete()
        work = _raw_months(kind)
        for done, (month, company_id) in enumerate(work, start=1):
            with transaction.atomic():
                RECOMPUTE[kind](month, company_id, None)
                _sum_up(kind, month, company_id)
            if progress:
                progress(kind, done, len(work))
        _stamp(kind, as_of=as_of, rebuilt=True)
        result.slices[kind] = len(work)
    result.seconds = time.perf_counter() - started
    return result


def _raw_months(kind: str) -> list[tuple[dt.date, int]]:
    model, moment, extra = {
        Kind.SURVEYS: (Response, "submitted_at", Q(submitted_at__isnull=False)),
        Kind.WORKORDERS: (WorkOrder, "created_at", Q()),
        Kind.CALLBACKS: (CallbackTask, "created_at", Q()),
    }[kind]
    spans = (
        model.objects.filter(extra)
        .values("company_id")
        .annotate(first=Min(moment), last=Max(moment))
    )
    return sorted(
        (month, span["company_id"])
        for span in spans
        for month in _months(month_of(span["first"]), month_of(span["last"]))
    )


def _stamp(kind: str, *, as_of: dt.datetime, rebuilt: bool = False) -> None:
    values = {"as_of": as_of}
    if rebuilt:
        values["rebuilt_at"] = as_of
    RollupState.objects.update_or_create(kind=kind, defaults=values)


def _slice(queryset, moment: str, month: dt.date, company_id: int, project_ids):
    start, end = month_bounds(month)
    queryset = queryset.filter(
        company_id=company_id, **{f"{moment}__gte": start, f"{moment}__lt": end}
    )
    return queryset if project_ids is None else queryset.filter(project_id__in=project_ids)


def _replace(model, month: dt.date, company_id: int, project_ids, rows: list) -> None:
    stale = model.objects.filter(company_id=company_id, month=month, scope=Scope.PROJECT)
    if project_ids is not None:
        stale = stale.filter(project_id__in=project_ids)
    stale.delete()
    model.objects.bulk_create(rows, batch_size=INSERT_BATCH)


# --- work orders and call-backs ------------------------------------------------------------


def _recompute_workorders(month: dt.date, company_id: int, project_ids) -> None:
    orders = _slice(WorkOrder.objects.all(), "created_at", month, company_id, project_ids)
    responded = Q(responded_at__isnull=False)
    resolved = Q(resolved_at__isnull=False)
    groups = (
        orders.values("project_id", "category_id", "post_id", "kind")
        .annotate(
            created=Count("id"),
            open=Count("id", filter=Q(state__in=OPEN_STATES)),
            closed=Count("id", filter=Q(state=State.CLOSED)),
            cancelled=Count("id", filter=Q(state=State.CANCELLED)),
            response_measured=Count("id", filter=responded | Q(response_breached=True)),
            response_kept=Count("id", filter=responded & Q(response_breached=False)),
            resolve_measured=Count("id", filter=resolved | Q(resolve_breached=True)),
            resolve_kept=Count("id", filter=resolved & Q(resolve_breached=False)),
            breached=Count("id", filter=Q(response_breached=True) | Q(resolve_breached=True)),
            reopened=Count("id", filter=Q(reopen_count__gt=0)),
            repeats=Count("id", filter=Q(is_repeat=True)),
            rated=Count("owner_rating"),
            rating_sum=Sum("owner_rating", default=0),
        )
        .order_by()
    )
    rows = [WorkOrderRollup(company_id=company_id, month=month, **group) for group in groups]
    _replace(WorkOrderRollup, month, company_id, project_ids, rows)


def _recompute_callbacks(month: dt.date, company_id: int, project_ids) -> None:
    tasks = _slice(CallbackTask.objects.all(), "created_at", month, company_id, project_ids)
    done = Q(done_at__isnull=False)
    groups = (
        tasks.values("project_id", "reason")
        .annotate(
            created=Count("id"),
            done=Count("id", filter=done),
            done_on_time=Count("id", filter=done & Q(done_at__lte=F("due_at"))),
            reached=Count("id", filter=Q(outcome=CallbackTask.Outcome.REACHED)),
            recovered=Count("id", filter=Q(recovered=True)),
            workorders=Count("workorder_id"),
        )
        .order_by()
    )
    rows = [CallbackRollup(company_id=company_id, month=month, **group) for group in groups]
    _replace(CallbackRollup, month, company_id, project_ids, rows)


# --- surveys -------------------------------------------------------------------------------


class _Sums:
    """The running sums of one SurveyRollup row."""

    def __init__(self) -> None:
        self.responses = 0
        self.index = np.zeros(6)  # n, Σw, Σwy, Σw², Σw²y, Σw²y²
        self.nps = [0, 0, 0]  # promoters, passives, detractors
        self.satisfied = [0, 0]  # n, k
        self.gap_n = 0
        self.drivers_n = 0
        self.drivers_sw = 0.0
        self.drivers_swx = np.zeros(len(DIMENSIONS) + 1)
        self.drivers_swxx = np.zeros((len(DIMENSIONS) + 1, len(DIMENSIONS) + 1))

    def add(self, r: RespondentScores, value: float | None, has_gap: bool, drivers) -> None:
        self.responses += 1
        if value is not None:
            w = r.weight
            self.index += (1, w, w * value, w * w, w * w * value, w * w * value * value)
        if r.recommend is not None:
            self.nps[0 if r.recommend >= 9 else 2 if r.recommend <= 6 else 1] += 1
        if r.satisfied is not None:
            self.satisfied[0] += 1
            self.satisfied[1] += int(r.satisfied)
        self.gap_n += int(has_gap)
        if drivers is not None and r.overall_100 is not None and None not in drivers:
            x = np.array([*drivers, r.overall_100])
            self.drivers_n += 1
            self.drivers_sw += r.weight
            self.drivers_swx += r.weight * x
            self.drivers_swxx += r.weight * np.outer(x, x)

    def fields(self) -> dict:
        drivers = None
        if self.drivers_n:
            drivers = {
                "n": self.drivers_n,
                "sw": self.drivers_sw,
                "swx": self.drivers_swx.tolist(),
                "swxx": self.drivers_swxx.tolist(),
            }
        return {
            "responses": self.responses,
            "index_n": int(self.index[0]),
            "index_sw": float(self.index[1]),
            "index_swy": float(self.index[2]),
            "index_sw2": float(self.index[3]),
            "index_sw2y": float(self.index[4]),
            "index_sw2y2": float(self.index[5]),
            "promoters": self.nps[0],
            "passives": self.nps[1],
            "detractors": self.nps[2],
            "satisfied_n": self.satisfied[0],
            "satisfied_k": self.satisfied[1],
            "gap_n": self.gap_n,
            "drivers": drivers,
        }


def _filters_of(r: RespondentScores):
    """(level, post id, dimension, index value, has a gap pair, driver values) for every
    filter the respondent belongs to."""
    Level = SurveyRollup.Level
    pair_posts = {pair[1] for pair in r.pairs}
    pair_dims = {pair[2] for pair in r.pairs}
    pair_both = {(pair[1], pair[2]) for pair in r.pairs}
    yield Level.ALL, None, "", r.index, bool(r.pairs), [r.dimensions.get(d) for d in DIMENSIONS]
    attributed = {r.attributed_post} if r.attributed_post else set()
    for post_id in (r.rated_posts - {None}) | attributed:
        drivers = [r.post_dimensions.get((post_id, d)) for d in DIMENSIONS]
        yield Level.POST, post_id, "", r.posts.get(post_id), post_id in pair_posts, drivers
    for dim in r.rated_dimensions - {""}:
        yield Level.DIMENSION, None, dim, r.dimensions.get(dim), dim in pair_dims, None
    both = {(p, d) for p, d in r.rated_post_dimensions if p is not None and d}
    both |= {(post_id, d) for post_id in attributed for d in DIMENSIONS}
    for post_id, dim in both:
        value = r.post_dimensions.get((post_id, dim))
        yield Level.POST_DIMENSION, post_id, dim, value, (post_id, dim) in pair_both, None


def _recompute_surveys(month: dt.date, company_id: int, project_ids) -> None:
    responses = _slice(
        Response.objects.filter(excluded=False), "submitted_at", month, company_id, project_ids
    )
    ids = list(responses.order_by("pk").values_list("pk", flat=True))
    sums: dict[tuple, _Sums] = defaultdict(_Sums)
    items: dict[tuple, np.ndarray] = defaultdict(lambda: np.zeros(5))
    for start in range(0, len(ids), RESPONSE_CHUNK):
        chunk = Response.objects.filter(pk__in=ids[start : start + RESPONSE_CHUNK])
        for r in respondent_scores(chunk):
            for level, post_id, dim, value, has_gap, drivers in _filters_of(r):
                sums[(r.project_id, level, post_id, dim)].add(r, value, has_gap, drivers)
            for code, post_id, dim, lo, hi, p, e in r.pairs:
                p100, e100 = (float(v) for v in indices.to_100([p, e], lo, hi))
                gap, gap100 = p - e, p100 - e100
                items[(r.project_id, code, post_id, dim, lo, hi)] += (
                    1,
                    gap,
                    gap * gap,
                    gap100,
                    gap100 * gap100,
                )
    rows = [
        SurveyRollup(
            company_id=company_id,
            project_id=project_id,
            month=month,
            level=level,
            post_id=post_id,
            dimension=dim,
            **acc.fields(),
        )
        for (project_id, level, post_id, dim), acc in sums.items()
    ]
    item_rows = [
        SurveyItemRollup(
            company_id=company_id,
            project_id=project_id,
            month=month,
            code=code,
            post_id=post_id,
            dimension=dim,
            scale_min=lo,
            scale_max=hi,
            n=int(v[0]),
            sum_gap=float(v[1]),
            sum_gap2=float(v[2]),
            sum_gap100=float(v[3]),
            sum_gap100_2=float(v[4]),
        )
        for (project_id, code, post_id, dim, lo, hi), v in items.items()
    ]
    _replace(SurveyRollup, month, company_id, project_ids, rows)
    _replace(SurveyItemRollup, month, company_id, project_ids, item_rows)


# per model: the fields that identify a row within a unit-month, and the fields summed
SUM_UP = {
    SurveyRollup: (("level", "post_id", "dimension"), SURVEY_SUMS),
    SurveyItemRollup: (
        ("code", "post_id", "dimension", "scale_min", "scale_max"),
        ("n", "sum_gap", "sum_gap2", "sum_gap100", "sum_gap100_2"),
    ),
    WorkOrderRollup: (("category_id", "post_id", "kind"), WORKORDER_SUMS),
    CallbackRollup: (
        ("reason",),
        CALLBACK_SUMS,
    ),
}


def _sum_up(kind: str, month: dt.date, company_id: int) -> None:
    """Rebuild the month's region and company rows from its project rows (all of them,
    so a project that moved region is counted where it is now)."""
    for model in ROLLUP_MODELS[kind]:
        keys, fields = SUM_UP[model]
        extra = ("drivers",) if model is SurveyRollup else ()
        model.objects.filter(company_id=company_id, month=month).exclude(
            scope=Scope.PROJECT
        ).delete()
        totals: dict[tuple, dict] = {}
        rows = model.objects.filter(company_id=company_id, month=month, scope=Scope.PROJECT)
        for row in rows.values(*keys, *fields, *extra, "project__region_id").iterator(
            chunk_size=10000
        ):
            key = tuple(row[k] for k in keys)
            for unit in ((Scope.REGION, row["project__region_id"]), (Scope.COMPANY, None)):
                total = totals.get((unit, key))
                if total is None:
                    total = totals[(unit, key)] = dict.fromkeys(fields, 0)
                    total["drivers"] = None
                for field_name in fields:
                    total[field_name] += row[field_name]
                if extra and row["drivers"]:
                    total["drivers"] = _add_moments(total["drivers"], row["drivers"])
        made = []
        for ((scope, region_id), key), total in totals.items():
            values = {k: v for k, v in zip(keys, key, strict=True)}
            values.update({f: total[f] for f in fields})
            if extra:
                values["drivers"] = total["drivers"]
            made.append(
                model(
                    company_id=company_id, month=month, scope=scope, region_id=region_id, **values
                )
            )
        model.objects.bulk_create(made, batch_size=INSERT_BATCH)


def _add_moments(total: dict | None, more: dict) -> dict:
    if total is None:
        return {
            k: (list(map(list, v)) if k == "swxx" else list(v) if k == "swx" else v)
            for k, v in more.items()
        }
    return {
        "n": total["n"] + more["n"],
        "sw": total["sw"] + more["sw"],
        "swx": (np.asarray(total["swx"]) + np.asarray(more["swx"])).tolist(),
        "swxx": (np.asarray(total["swxx"]) + np.asarray(more["swxx"])).tolist(),
    }


RECOMPUTE = {
    Kind.SURVEYS: _recompute_surveys,
    Kind.WORKORDERS: _recompute_workorders,
    Kind.CALLBACKS: _recompute_callbacks,
}
ROLLUP_MODELS = {
    Kind.SURVEYS: (SurveyRollup, SurveyItemRollup),
    Kind.WORKORDERS: (WorkOrderRollup,),
    Kind.CALLBACKS: (CallbackRollup,),
}

"""Keeping the rollups up to date: mark changed project-months, recompute them, rebuild.

``mark_dirty`` is called for every change (signals for ``save``/``delete``; bulk writers
call it themselves). ``refresh`` (the worker, every ``GANZHI_ROLLUP_SECONDS``) recomputes
the marked project-months from the raw data, one month at a time in a transaction, and
then removes exactly the marks it saw: a mark renewed meanwhile stays for the next run.
``rebuild`` (``ganzhi rollups rebuild``) recomputes everything.

Scoring a response is the costly step, so each response's score is kept
(``ResponseScore``) and a refresh scores only the responses it has not seen; the sums
themselves are vectorised, and region and company rows are summed by the database.
"""

from __future__ import annotations

import datetime as dt
import math
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
from django.db import connection, models, transaction
from django.db.models import Count, F, Max, Min, Q, Sum
from django.utils import timezone

from ganzhi.org.models import Project
from ganzhi.rollups.models import (
    CALLBACK_SUMS,
    SURVEY_SUMS,
    WORKORDER_SUMS,
    CallbackRollup,
    Kind,
    ResponseScore,
    RollupDirty,
    RollupState,
    Scope,
    SurveyItemRollup,
    SurveyRollup,
    WorkOrderRollup,
)
from ganzhi.surveys.models import CallbackTask, Dimension, IndicatorNode, Response
from ganzhi.surveys.scoring import RespondentScores, respondent_scores
from ganzhi.workorders.models import OPEN_STATES, State, WorkOrder

__all__ = [
    "Kind",
    "mark_dirty",
    "mark_project",
    "mark_responses",
    "month_of",
    "rebuild",
    "refresh",
]

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


def mark_project(project_id: int) -> int:
    """Mark every month of a project that has rollup rows (it moved to another region)."""
    marked = 0
    for kind, models_of_kind in ROLLUP_MODELS.items():
        months = models_of_kind[0].objects.filter(project_id=project_id, scope=Scope.PROJECT)
        months = months.values_list("month", flat=True).distinct()
        marked += mark_dirty(kind, [(project_id, month) for month in months])
    return marked


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
        if kind == Kind.SURVEYS:
            ResponseScore.objects.all().delete()  # from scratch: every response scored again
        work = _raw_months(kind)
        for done, (month, company_id) in enumerate(work, start=1):
            with transaction.atomic():
                RECOMPUTE[kind](month, company_id, None)
                _sum_up(kind, month, company_id)
            if progress:
                progress(kind, done, len(work))
        _stamp(kind, as_of=as_of, rebuilt=True)
        result.slices[kind] = len(work)
        _analyze(*ROLLUP_MODELS[kind], *([ResponseScore] if kind == Kind.SURVEYS else []))
    result.seconds = time.perf_counter() - started
    return result


def _analyze(*tables) -> None:
    """Fresh planner statistics after rewriting whole tables: until autovacuum got to
    them, PostgreSQL picked the company-wide index for one project's rows (30 ms a query
    at tier M instead of 3)."""
    with connection.cursor() as cursor:
        for model in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


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


def _replace(where: dict, project_ids, rows_by_model: dict) -> None:
    """Swap the company-month's project rows of each model (of ``project_ids``, or all)
    for its new rows (dicts of field values with ``project_id``). Each row also gets its
    project's region, so a region's projects are read by the region index."""
    region_of = dict(
        Project.objects.filter(company_id=where["company_id"]).values_list("pk", "region_id")
    )
    for model, rows in rows_by_model.items():
        stale = model.objects.filter(scope=Scope.PROJECT, **where)
        if project_ids is not None:
            stale = stale.filter(project_id__in=project_ids)
        stale.delete()
        project = {**where, "scope": Scope.PROJECT}
        _insert(model, [{**project, "region_id": region_of[r["project_id"]], **r} for r in rows])


def _insert(model, rows: list[dict]) -> None:
    """INSERT rows given as {field name or attname: value}: with COPY on PostgreSQL, in
    ``executemany`` batches on SQLite. Rollup rows are only numbers, and building model
    instances for ``bulk_create`` took longer than computing the numbers."""
    if not rows:
        return
    names = list(rows[0])
    fields = [model._meta.get_field(name) for name in names]
    adapted = [
        (i, f) for i, f in enumerate(fields) if isinstance(f, (models.DateField, models.JSONField))
    ]

    def values(row: dict) -> list:
        out = [row[name] for name in names]
        for i, model_field in adapted:
            out[i] = model_field.get_db_prep_save(out[i], connection)
        return out

    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(values(row))
            return
        sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
        for start in range(0, len(rows), INSERT_BATCH):
            cursor.executemany(sql, [values(row) for row in rows[start : start + INSERT_BATCH]])


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
    where = {"company_id": company_id, "month": month}
    _replace(where, project_ids, {WorkOrderRollup: list(groups)})


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
    where = {"company_id": company_id, "month": month}
    _replace(where, project_ids, {CallbackRollup: list(groups)})


# --- surveys -------------------------------------------------------------------------------


def _filters_of(r: RespondentScores) -> list[list]:
    """``[level, post id, dimension, index value, has a gap pair, drivers]`` for every
    filter the respondent belongs to; drivers (the five dimension values) only at the
    levels the key-driver analysis reads, and only when all five are there."""
    Level = SurveyRollup.Level
    pair_posts = {pair[1] for pair in r.pairs}
    pair_dims = {pair[2] for pair in r.pairs}
    pair_both = {(pair[1], pair[2]) for pair in r.pairs}

    def complete(values: list) -> list | None:
        return None if None in values else values

    everything = complete([r.dimensions.get(d) for d in DIMENSIONS])
    filters = [[Level.ALL, None, "", r.index, bool(r.pairs), everything]]
    attributed = {r.attributed_post} if r.attributed_post else set()
    for post_id in sorted((r.rated_posts - {None}) | attributed):
        drivers = complete([r.post_dimensions.get((post_id, d)) for d in DIMENSIONS])
        filters.append(
            [Level.POST, post_id, "", r.posts.get(post_id), post_id in pair_posts, drivers]
        )
    for dim in sorted(r.rated_dimensions - {""}):
        filters.append([Level.DIMENSION, None, dim, r.dimensions.get(dim), dim in pair_dims, None])
    both = {(p, d) for p, d in r.rated_post_dimensions if p is not None and d}
    both |= {(post_id, d) for post_id in attributed for d in DIMENSIONS}
    for post_id, dim in sorted(both):
        value = r.post_dimensions.get((post_id, dim))
        filters.append(
            [Level.POST_DIMENSION, post_id, dim, value, (post_id, dim) in pair_both, None]
        )
    return filters


def _score(r: RespondentScores) -> dict:
    """The ``ResponseScore`` fields of one respondent."""
    return {
        "response_id": r.response_id,
        "submitted_at": r.submitted_at,
        "post_id": r.attributed_post,
        "recommend": r.recommend,
        "satisfied": r.satisfied,
        "overall": r.overall_100,
        "filters": _filters_of(r),
        "gaps": [[item, lo, hi, p - e] for item, _post, _dim, lo, hi, p, e in r.pairs],
    }


SCORE_FIELDS = ("recommend", "satisfied", "overall", "filters", "gaps")


def _scores_of(responses) -> list[tuple]:
    """``(project id, weight, recommend, satisfied, overall, filters, gaps)`` of each of the
    responses (a queryset), in id order; responses never scored, or scored before their
    submission time or post changed, are scored now and their scores stored."""
    stored = "rollup_score__"
    rows = list(
        responses.order_by("pk").values_list(
            "pk",
            "project_id",
            "weight",
            "submitted_at",
            "post_id",
            f"{stored}submitted_at",
            f"{stored}post",
            *(stored + name for name in SCORE_FIELDS),
        )
    )
    stale = [row[0] for row in rows if (row[5], row[6]) != (row[3], row[4])]
    fresh: dict[int, tuple] = {}
    for start in range(0, len(stale), RESPONSE_CHUNK):
        chunk = stale[start : start + RESPONSE_CHUNK]
        scores = [_score(r) for r in respondent_scores(Response.objects.filter(pk__in=chunk))]
        ResponseScore.objects.filter(response_id__in=chunk).delete()
        _insert(ResponseScore, scores)
        fresh.update({s["response_id"]: tuple(s[f] for f in SCORE_FIELDS) for s in scores})
    return [(row[1], row[2], *fresh.get(row[0], row[7:])) for row in rows]


def _recompute_surveys(month: dt.date, company_id: int, project_ids) -> None:
    responses = _slice(
        Response.objects.filter(excluded=False), "submitted_at", month, company_id, project_ids
    )
    rows, item_rows = _survey_sums(_scores_of(responses))
    where = {"company_id": company_id, "month": month}
    _replace(where, project_ids, {SurveyRollup: rows, SurveyItemRollup: item_rows})


def _survey_sums(scored: list[tuple]) -> tuple[list[dict], list[dict]]:
    """The SurveyRollup and SurveyItemRollup project rows of the scored responses: every
    sum is one ``bincount`` over all (response, filter) entries, added in response order."""
    filter_keys: dict[tuple, int] = {}
    entries: list[tuple] = []  # (filter, response, value, has a gap pair)
    driver_entries: list[tuple] = []  # (filter, response, five dimensions + overall)
    gap_entries: list[tuple] = []  # (project, item node, scale min, scale max, P − E)
    weight, nps, satisfied = [], [], []
    for i, (project_id, w, recommend, is_satisfied, overall, filters, gaps) in enumerate(scored):
        weight.append(w)
        nps.append(-1 if recommend is None else 0 if recommend >= 9 else 2 if recommend <= 6 else 1)
        satisfied.append(-1 if is_satisfied is None else int(is_satisfied))
        for level, post_id, dim, value, has_gap, drivers in filters:
            key = filter_keys.setdefault((project_id, level, post_id, dim), len(filter_keys))
            entries.append((key, i, math.nan if value is None else value, has_gap))
            if drivers is not None and overall is not None:
                driver_entries.append((key, i, *drivers, overall))
        gap_entries.extend((project_id, *gap) for gap in gaps)
    return _filter_rows(filter_keys, entries, driver_entries, weight, nps, satisfied), _item_rows(
        gap_entries
    )


def _filter_rows(filter_keys, entries, driver_entries, weight, nps, satisfied) -> list[dict]:
    if not filter_keys:
        return []
    size = len(filter_keys)
    table = np.array(entries, dtype=float)
    key, of = table[:, 0].astype(np.intp), table[:, 1].astype(np.intp)

    def total(values=None) -> list:
        return np.bincount(key, weights=values, minlength=size).tolist()

    def count(values=None) -> list:
        return np.rint(np.bincount(key, weights=values, minlength=size)).astype(int).tolist()

    w, y = np.asarray(weight)[of], table[:, 2]
    rated = ~np.isnan(y)
    wr, y = np.where(rated, w, 0.0), np.where(rated, y, 0.0)
    nps_of, satisfied_of = np.asarray(nps)[of], np.asarray(satisfied)[of]
    sums = {
        "responses": count(),
        "index_n": count(rated.astype(float)),
        "index_sw": total(wr),
        "index_swy": total(wr * y),
        "index_sw2": total(wr * wr),
        "index_sw2y": total(wr * wr * y),
        "index_sw2y2": total(wr * wr * y * y),
        "promoters": count((nps_of == 0).astype(float)),
        "passives": count((nps_of == 1).astype(float)),
        "detractors": count((nps_of == 2).astype(float)),
        "satisfied_n": count((satisfied_of >= 0).astype(float)),
        "satisfied_k": count((satisfied_of == 1).astype(float)),
        "gap_n": count(table[:, 3]),
    }
    drivers = _driver_moments(driver_entries, weight, size)
    rows = []
    for (project_id, level, post_id, dim), k in filter_keys.items():
        row = {name: values[k] for name, values in sums.items()}
        row.update(project_id=project_id, level=level, post_id=post_id, dimension=dim)
        row["drivers"] = drivers.get(k)
        rows.append(row)
    return rows


def _driver_moments(driver_entries, weight, size) -> dict[int, dict]:
    """Per filter with drivers: n, Σw, Σw·x and Σw·x·xᵀ over x = (five dimensions, overall)."""
    if not driver_entries:
        return {}
    table = np.array(driver_entries, dtype=float)
    key = table[:, 0].astype(np.intp)
    w, x = np.asarray(weight)[table[:, 1].astype(np.intp)], table[:, 2:]
    width = x.shape[1]

    def total(values=None) -> np.ndarray:
        return np.bincount(key, weights=values, minlength=size)

    n, sw = total(), total(w)
    swx = np.stack([total(w * x[:, j]) for j in range(width)], axis=1)
    swxx = np.empty((size, width, width))
    for i in range(width):
        for j in range(width):
            swxx[:, i, j] = total(w * (x[:, i] * x[:, j]))
    return {
        k: {"n": int(n[k]), "sw": float(sw[k]), "swx": swx[k].tolist(), "swxx": swxx[k].tolist()}
        for k in np.flatnonzero(n).tolist()
    }


def _item_rows(gap_entries: list[tuple]) -> list[dict]:
    """SurveyItemRollup rows: gap sums per project, item code, post, dimension and scale
    (items of two library versions with one code add up, as in ``compute_scores``); the
    0–100 gap is the scale gap × 100 / (max − min), ``stats.indices.to_100`` being linear."""
    if not gap_entries:
        return []
    nodes = IndicatorNode.objects.filter(pk__in={entry[1] for entry in gap_entries})
    item_of = {pk: meta for pk, *meta in nodes.values_list("pk", "code", "post_id", "dimension")}
    item_keys: dict[tuple, int] = {}
    keys = [
        item_keys.setdefault((project_id, *item_of[item], lo, hi), len(item_keys))
        for project_id, item, lo, hi, _gap in gap_entries
    ]
    key = np.asarray(keys, dtype=np.intp)
    table = np.array([entry[2:] for entry in gap_entries], dtype=float)
    gap = table[:, 2]
    gap100 = gap * 100.0 / (table[:, 1] - table[:, 0])

    def total(values=None) -> list:
        return np.bincount(key, weights=values, minlength=len(item_keys)).tolist()

    sums = {
        "n": np.bincount(key, minlength=len(item_keys)).tolist(),
        "sum_gap": total(gap),
        "sum_gap2": total(gap * gap),
        "sum_gap100": total(gap100),
        "sum_gap100_2": total(gap100 * gap100),
    }
    rows = []
    for (project_id, code, post_id, dim, lo, hi), k in item_keys.items():
        row = {name: values[k] for name, values in sums.items()}
        row.update(
            project_id=project_id,
            code=code,
            post_id=post_id,
            dimension=dim,
            scale_min=lo,
            scale_max=hi,
        )
        rows.append(row)
    return rows


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
    """Rebuild the month's region and company rows from its project rows (all of them;
    a project that moved region had all its months recomputed, see ``mark_project``):
    the database sums the numbers; the key-driver moments (JSON) are added here."""
    for model in ROLLUP_MODELS[kind]:
        keys, fields = SUM_UP[model]
        where = {"company_id": company_id, "month": month}
        model.objects.filter(**where).exclude(scope=Scope.PROJECT).delete()
        project_rows = model.objects.filter(scope=Scope.PROJECT, **where)
        totals = {f"total_{name}": Sum(name) for name in fields}
        made: dict[tuple, dict] = {}
        for scope, unit in ((Scope.REGION, "region_id"), (Scope.COMPANY, None)):
            grouped = project_rows.values(*keys, *([unit] if unit else [])).annotate(**totals)
            for row in grouped.order_by():
                region_id = row[unit] if unit else None
                made[(scope, region_id, *(row[k] for k in keys))] = {
                    **where,
                    "scope": scope,
                    "region_id": region_id,
                    **{k: row[k] for k in keys},
                    **{name: row[f"total_{name}"] for name in fields},
                }
        if model is SurveyRollup:
            moments = project_rows.filter(drivers__isnull=False).values_list(
                *keys, "region_id", "drivers"
            )
            for *key, region_id, drivers in moments.iterator(chunk_size=10000):
                for unit in ((Scope.REGION, region_id), (Scope.COMPANY, None)):
                    row = made[(*unit, *key)]
                    row["drivers"] = _add_moments(row.get("drivers"), drivers)
            for row in made.values():
                drivers = row.get("drivers")
                if drivers is not None:
                    drivers = {
                        **drivers,
                        "swx": drivers["swx"].tolist(),
                        "swxx": drivers["swxx"].tolist(),
                    }
                row["drivers"] = drivers
        _insert(model, list(made.values()))


def _add_moments(total: dict | None, more: dict) -> dict:
    if total is None:
        return {**more, "swx": np.asarray(more["swx"]), "swxx": np.asarray(more["swxx"])}
    return {
        "n": total["n"] + more["n"],
        "sw": total["sw"] + more["sw"],
        "swx": total["swx"] + np.asarray(more["swx"]),
        "swxx": total["swxx"] + np.asarray(more["swxx"]),
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

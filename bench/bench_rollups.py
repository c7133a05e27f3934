"""Rollup figures of a loaded tier database (see bench/tiers.py), merged into
bench/results/<tier>-<database>.json:

* ``rollup_rebuild_s`` — ``ganzhi rollups rebuild`` from scratch;
* ``rollup_day_s`` — the incremental refresh after a day's changes: every project-month
  touched by the work orders, responses and call-backs of the latest day in the data is
  marked (as the writers mark them), the day's responses lose their stored scores (they
  are new to the rollups), and the marks are refreshed;
* ``raw_vs_rollup`` — the same figures computed by a raw GROUP BY on the database and
  from the rollups, side by side (the numbers are checked equal first):
  NPS by month (company, latest year) and work orders by project and month (latest year).

    [DATABASE_URL=...] .venv/bin/python bench/bench_rollups.py --tier M [--skip-rebuild]
"""

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
REPEATS = 7


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tier", required=True)
    parser.add_argument("--skip-rebuild", action="store_true", help="keep the rollups as they are")
    args = parser.parse_args()
    default = Path(tempfile.gettempdir()) / f"ganzhi-tier-{args.tier.lower()}.sqlite3"
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{default}")  # as bench/tiers.py
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ganzhi.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnop")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    database = "postgresql" if connection.vendor == "postgresql" else "sqlite"
    figures: dict = {}
    if not args.skip_rebuild:
        figures["rollup_rebuild_s"] = round(rebuild(), 2)
        print(f"rebuild: {figures['rollup_rebuild_s']} s", flush=True)
    day_seconds, slices = day_refresh()
    figures["rollup_day_s"] = round(day_seconds, 2)
    figures["rollup_day_slices"] = slices
    print(f"a day's refresh: {day_seconds:.2f} s for {slices} project-months", flush=True)
    figures["raw_vs_rollup"] = raw_vs_rollup()
    for name, pair in figures["raw_vs_rollup"].items():
        print(f"{name}: raw {pair['raw_ms']} ms, rollup {pair['rollup_ms']} ms", flush=True)
    path = RESULTS / f"{args.tier}-{database}.json"
    data = (
        json.loads(path.read_text()) if path.exists() else {"tier": args.tier, "database": database}
    )
    data.update(figures)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    print(f"written to {path.relative_to(ROOT)}")
    return 0


def rebuild() -> float:
    from ganzhi.rollups.services import rebuild as run

    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def day_refresh() -> tuple[float, int]:
    from django.db.models import Max

    from ganzhi.rollups import services
    from ganzhi.rollups.models import Kind, ResponseScore
    from ganzhi.surveys.models import CallbackTask, Response
    from ganzhi.workorders.models import WorkOrder

    last = WorkOrder.objects.aggregate(last=Max("created_at"))["last"]
    since = last - dt.timedelta(days=1)
    slices = services.mark_workorders(WorkOrder.objects.filter(created_at__gt=since))
    new_responses = Response.objects.filter(submitted_at__gt=since)
    slices += services.mark_responses(new_responses)
    # the day's responses are new to the rollups: none has a stored score yet
    ResponseScore.objects.filter(response__in=new_responses).delete()
    callbacks = CallbackTask.objects.filter(created_at__gt=since).values_list(
        "project_id", "created_at"
    )
    slices += services.mark_dirty(Kind.CALLBACKS, callbacks)
    started = time.perf_counter()
    services.refresh()
    return time.perf_counter() - started, slices


def _timed(function) -> tuple[float, object]:
    function()  # warm
    runs, result = [], None
    for _run in range(REPEATS):
        started = time.perf_counter()
        result = function()
        runs.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(runs), 2), result


def raw_vs_rollup() -> dict:
    from django.db.models import Count, Max, Q, Sum
    from django.db.models.functions import TruncMonth

    from ganzhi.core.periods import parse_period
    from ganzhi.org.models import Company
    from ganzhi.rollups import selectors
    from ganzhi.rollups.models import Scope, WorkOrderRollup
    from ganzhi.surveys.models import Answer, Question
    from ganzhi.surveys.scoring import OrgUnit
    from ganzhi.workorders.models import WorkOrder

    company = Company.objects.order_by("pk").first()
    unit = OrgUnit("company", company, company.pk)
    year = WorkOrder.objects.filter(company=company).aggregate(last=Max("created_at"))["last"].year
    period = parse_period(str(year))

    def nps_raw():
        rows = (
            Answer.objects.filter(
                question__role=Question.Role.RECOMMEND,
                number__isnull=False,
                response__company=company,
                response__excluded=False,
                response__submitted_at__gte=period.start,
                response__submitted_at__lt=period.end,
            )
            .annotate(month=TruncMonth("response__submitted_at"))
            .values("month")
            .annotate(
                promoters=Count("id", filter=Q(number__gte=9)),
                detractors=Count("id", filter=Q(number__lte=6)),
                n=Count("id"),
            )
            .order_by("month")
        )
        return {r["month"].date(): (r["promoters"], r["detractors"], r["n"]) for r in rows}

    def nps_rollup():
        rows = selectors.survey_by(unit, period, ("month",))
        return {
            r["month"]: (
                r["promoters"],
                r["detractors"],
                r["promoters"] + r["passives"] + r["detractors"],
            )
            for r in rows
            if r["promoters"] + r["passives"] + r["detractors"]
        }

    def orders_raw():
        rows = (
            WorkOrder.objects.filter(
                company=company, created_at__gte=period.start, created_at__lt=period.end
            )
            .annotate(month=TruncMonth("created_at"))
            .values("project_id", "month")
            .annotate(n=Count("id"))
            .order_by()
        )
        return {(r["project_id"], r["month"].date()): r["n"] for r in rows}

    def orders_rollup():
        rows = (
            WorkOrderRollup.objects.filter(
                company=company,
                scope=Scope.PROJECT,
                month__gte=period.start.date(),
                month__lt=period.end.date(),
            )
            .values("project_id", "month")
            .annotate(n=Sum("created"))
            .order_by()
        )
        return {(r["project_id"], r["month"]): r["n"] for r in rows if r["n"]}

    out = {}
    for name, raw, rolled in (
        ("nps_by_month", nps_raw, nps_rollup),
        ("workorders_by_project_month", orders_raw, orders_rollup),
    ):
        raw_ms, raw_result = _timed(raw)
        rollup_ms, rollup_result = _timed(rolled)
        if raw_result != rollup_result:
            raise SystemExit(f"{name}: the rollups disagree with the raw data")
        out[name] = {
            "raw_ms": raw_ms,
            "rollup_ms": rollup_ms,
            "ratio": round(raw_ms / rollup_ms, 1) if rollup_ms else None,
            "groups": len(rollup_result),
        }
    return out


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark tiers: load a company of a tier's size, then time pages over real HTTP.

    .venv/bin/python bench/tiers.py load --tier S        # fresh database, migrate, generate
    .venv/bin/python bench/tiers.py measure --tier S     # gunicorn + logins + p50/p95 per page
    .venv/bin/python bench/tiers.py drop --tier S        # remove the tier database

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ganzhi_bench_s ... (same commands)

| tier | projects | households | work orders | survey responses | answers |
|---|---|---|---|---|---|
| S | 50 | 60,000 | 120,000 | 10,000 | (≈ 233,000, as M's ratio) |
| M | 750 | 900,000 | 2,000,000 | 150,000 | ≈ 3,500,000 |

The database is chosen by DATABASE_URL as in bench/bench_demo.py, whose safety rules
apply (``fresh_database``): a SQLite file must be under the temp directory or new, a
PostgreSQL database name must start with ``ganzhi_bench``. Without DATABASE_URL the
tier's SQLite file is ``<temp dir>/ganzhi-tier-<tier>.sqlite3``. ``load`` keeps the
database (``measure`` needs it); ``drop`` removes it.

The tier is the demo company (``ganzhi.demo.generator.generate_demo``) at the tier's
shape: its number of projects, and the work-order volume and survey answering scaled
by the factors in ``TIERS`` (measured: each factor is target ÷ what the demo draws at
factor 1 for projects of ~1,200 households). The counts come out within a few per
cent of the targets; the files record the actual ones. The issue's 5 million
contacts are left out: there is no contact-log model yet (``rows.contacts`` is 0).

``load`` writes bench/results/<tier>-<sqlite|postgresql>-load.json (row counts, load
seconds by stage). ``measure`` starts gunicorn (2 workers, DEBUG off) on a free port
against the tier database, logs in as three users — company (HQ), region and project
scope — warms each URL of ``pages(scope)`` once, times it ``--n`` times and merges
p50/p95 into bench/results/<tier>-<database>.json (``rollup_*`` and ``raw_vs_rollup``
are bench/bench_rollups.py's). A page that does not answer 200 is reported with its
status and not timed. The region is the largest project's, the project the largest
(most households); the period the latest calendar year with work orders in all of it.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import platform
import resource
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DASHBOARDS = ("overview", "servqual", "posts", "drivers", "workorders", "callbacks")


@dataclass(frozen=True)
class Scope:
    name: str  # "company", "region" or "project": whose view
    org: str  # public id of the unit the dashboards show (the company, the region, the project)
    project: str  # public id of the largest project (the work-order queue's filter)
    period: str  # "2025": the latest full year with data


def pages(scope: Scope) -> dict[str, str]:
    """The URLs timed for one scope, by page name (extend here). ``partial_*`` are the
    htmx requests a filter change or a drill-down click makes (the page body only)."""
    query = urllib.parse.urlencode({"org": scope.org, "period": scope.period})
    urls = {"workorder_queue": "/workorders/?" + urllib.parse.urlencode({"project": scope.project})}
    for page in DASHBOARDS:
        urls[f"dashboard_{page}"] = f"/dashboards/{page}/?{query}"
    for page in DASHBOARDS:
        urls[f"partial_{page}"] = f"/dashboards/{page}/?{query}"
    return urls


def headers_for(name: str) -> dict[str, str]:
    return {"HX-Request": "true"} if name.startswith("partial_") else {}


@dataclass(frozen=True)
class Tier:
    households: int
    projects: int
    workorders: int  # targets, for the report
    responses: int
    answers: int | None
    workorder_scale: float  # generate_demo's factors that reach the targets
    survey_scale: float
    after_service_scale: float


# The factors, measured on tier S at factor 1 (seed 1): 186,769 work orders (3.1 per
# household for projects of ~1,200 households); 42,899 relationship-wave responses
# (58.3 answers each) and, per 120,000 orders, ~10,600 after-service ones (2.25
# answers). M's ≈ 23 answers per response asks for ~38 % wave answers: solving for
# 1/6 response and 3.9 answers per household gives the survey factors (S likewise).
# At M the same work-order factor gave 1,784,524 orders (M's projects differ in size),
# so M's is scaled by 2,000,000 / 1,784,524.
TIERS = {
    "S": Tier(60_000, 50, 120_000, 10_000, 233_000, 0.643, 0.088, 0.59),
    "M": Tier(900_000, 750, 2_000_000, 150_000, 3_500_000, 0.721, 0.088, 0.59),
}
ROW_TABLES = {
    "projects": "org_project",
    "households": "owners_household",
    "work_orders": "workorders_workorder",
    "work_order_events": "workorders_workorderevent",
    "survey_invitations": "surveys_invitation",
    "survey_responses": "surveys_response",
    "answers": "surveys_answer",
}
NOTES = ["contacts: 0 — Ganzhi has no contact-log model yet; the tier leaves them out"]
BENCH_PASSWORD = "ganzhi-demo"  # the demo logins' (ganzhi.demo.logins.DEMO_PASSWORD)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    load = commands.add_parser("load", help="a fresh database with the tier's company")
    load.add_argument("--seed", type=int, default=1)
    load.add_argument("--workorder-scale", type=float, help="override the tier's factor")
    load.add_argument("--survey-scale", type=float, help="override the tier's factor")
    load.add_argument("--after-service-scale", type=float, help="override the tier's factor")
    measure = commands.add_parser("measure", help="time the pages over HTTP")
    measure.add_argument("--n", type=int, default=30, help="timed requests per URL")
    commands.add_parser("drop", help="remove the tier database")
    for sub in (load, measure, commands.choices["drop"]):
        sub.add_argument("--tier", required=True, choices=sorted(TIERS))
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ganzhi.settings")
    os.environ.setdefault("GANZHI_DEMO", "1")
    default = Path(tempfile.gettempdir()) / f"ganzhi-tier-{args.tier.lower()}.sqlite3"
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{default}")
    sys.path.insert(0, str(ROOT))
    if args.command == "load":
        return load_tier(args)
    if args.command == "measure":
        return measure_tier(args)
    from bench.bench_demo import fresh_database

    fresh_database(os.environ["DATABASE_URL"])()  # the same safety checks as a load
    print(f"dropped {_redacted(os.environ['DATABASE_URL'])}")
    return 0


# --- load ----------------------------------------------------------------------------


def load_tier(args) -> int:
    from bench.bench_demo import database_bytes, database_version, fresh_database

    tier = TIERS[args.tier]
    fresh_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from ganzhi.demo.generator import generate_demo

    scales = {
        "workorder_scale": args.workorder_scale or tier.workorder_scale,
        "survey_scale": args.survey_scale or tier.survey_scale,
        "after_service_scale": args.after_service_scale or tier.after_service_scale,
    }
    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    migrate_seconds = time.perf_counter() - started
    database = _database_name(connection)
    print(
        f"tier {args.tier} on {database}: migrated in {migrate_seconds:.1f} s; generating "
        f"{tier.households:,} households in {tier.projects} projects ({scales}) …",
        flush=True,
    )
    last = [0.0]
    finished: dict[str, float] = {}

    def progress(stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        if done == total:
            finished[stage] = now
        if stage == "company" or done == total or now - last[0] >= 30:
            last[0] = now
            print(f"  {stage} {done}/{total}  {now - started:7.1f} s", flush=True)

    started = time.perf_counter()
    generate_demo(
        households=tier.households,
        projects=tier.projects,
        seed=args.seed,
        progress=progress,
        **scales,
    )
    ended = time.perf_counter()
    registry_end = finished.get("projects", ended)
    workorders_end = finished.get("workorders", registry_end)
    print(f"  surveys and checks done  {ended - started:7.1f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # planner statistics, as after any bulk load
    ended = time.perf_counter()
    rows = row_counts(connection)
    result = {
        "tier": args.tier,
        "database": database,
        "database_version": database_version(connection),
        "rows": rows,
        "targets": {
            "projects": tier.projects,
            "households": tier.households,
            "work_orders": tier.workorders,
            "survey_responses": tier.responses,
            "answers": tier.answers,
        },
        "notes": NOTES,
        "seed": args.seed,
        **scales,
        "load_s": round(migrate_seconds + ended - started, 1),
        "migrate_s": round(migrate_seconds, 1),
        "generate_s": round(ended - started, 1),
        "registry_s": round(registry_end - started, 1),
        "workorders_s": round(workorders_end - registry_end, 1),
        "surveys_s": round(ended - workorders_end, 1),  # surveys, quality checks, call-backs
        "database_bytes": database_bytes(connection),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        **_machine(),
    }
    connection.close()
    print(json.dumps(result, ensure_ascii=False, indent=2))
    path = RESULTS / f"{args.tier}-{database}-load.json"
    _write(path, result)
    print(f"written to {path.relative_to(ROOT)}; the database is kept (drop: tiers.py drop)")
    return 0


def row_counts(connection) -> dict[str, int]:
    rows = {}
    with connection.cursor() as cursor:
        for name, table in ROW_TABLES.items():
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
            rows[name] = cursor.fetchone()[0]
    rows["contacts"] = 0  # no contact-log model yet (see NOTES)
    return rows


# --- measure -------------------------------------------------------------------------


def measure_tier(args) -> int:
    data_dir = Path(tempfile.gettempdir()) / f"ganzhi-tiers-{os.getuid()}"
    os.environ["GANZHI_DATA_DIR"] = str(data_dir)  # static files of the DEBUG-off server
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(48))
    os.environ["DEBUG"] = "0"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    database = _database_name(connection)
    call_command("createcachetable", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    rows = row_counts(connection)
    scopes = _scopes_and_users()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM rollups_workorderrollup"
            if "rollups_workorderrollup" in connection.introspection.table_names()
            else "SELECT 0"
        )
        rollup_rows = cursor.fetchone()[0]
    connection.close()
    if not rollup_rows:
        print("note: the rollups are empty (bench/bench_rollups.py builds them)", flush=True)

    load_before = round(os.getloadavg()[0], 2)
    port = _free_port()
    log = data_dir / f"gunicorn-{args.tier}-{database}.log"
    server = _start_server(port, log)
    base = f"http://127.0.0.1:{port}"
    figures: dict[str, dict] = {}
    try:
        _wait_until_up(base, server, log)
        print(f"server up on {base} (log {log}); {args.n} requests per URL", flush=True)
        for scope, username in scopes:
            client = _Client(base)
            client.login(username, BENCH_PASSWORD)
            for name, url in pages(scope).items():
                key = f"{scope.name}/{name}"
                figures[key] = _time_url(client, url, args.n, headers_for(name))
                _print_figure(key, figures[key], url)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    path = RESULTS / f"{args.tier}-{database}.json"
    current = json.loads(path.read_text()) if path.exists() else {}
    result = {
        "tier": args.tier,
        "database": database,
        "rows": rows,
        "pages": figures,
        "rollup_day_s": current.get("rollup_day_s"),
        "rollup_rebuild_s": current.get("rollup_rebuild_s"),
        "raw_vs_rollup": current.get("raw_vs_rollup") or {},
    }
    extra = {k: v for k, v in current.items() if k not in result}
    extra["notes"] = NOTES
    extra["measured"] = {
        "n": args.n,
        "server": "gunicorn ganzhi.wsgi:application, 2 workers × 4 threads, DEBUG off",
        "client": "urllib, one request at a time, new connection each",
        "rollup_rows_at_measure": rollup_rows,
        "load_average_before": load_before,
        "scopes": {scope.name: {"user": user, **vars(scope)} for scope, user in scopes},
        **_machine(),
    }
    _write(path, {**result, **extra}, merge=False)
    print(f"written to {path.relative_to(ROOT)}")
    return 0


def _scopes_and_users() -> list[tuple[Scope, str]]:
    """The three views (company, the largest project's region, the largest project) and
    a login for each: the demo logins where they fit, otherwise a bench user linked to
    that region's or project's manager (created once, password BENCH_PASSWORD)."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.db.models import Count

    from ganzhi.core.roles import Role
    from ganzhi.demo.logins import DEMO_PASSWORD, ensure_demo_logins
    from ganzhi.org.models import Company, Project, Staff, User

    assert DEMO_PASSWORD == BENCH_PASSWORD
    company = Company.objects.get(code="demo")
    ensure_demo_logins(company)
    largest = (
        Project.objects.filter(company=company)
        .annotate(size=Count("households"))
        .select_related("region")
        .order_by("-size", "code")
        .first()
    )
    region = largest.region

    def login_for(username: str, role: str, staff: Staff) -> str:
        if staff.user_id is not None:
            return staff.user.username  # a demo login (same password)
        with transaction.atomic():
            user, _created = User.objects.get_or_create(
                username=username,
                defaults={
                    "company": company,
                    "role": role,
                    "is_staff": True,
                    "password": make_password(BENCH_PASSWORD),
                },
            )
            Staff.objects.filter(pk=staff.pk).update(user=user)
        return user.username

    region_staff = (
        Staff.objects.filter(company=company, regions=region, post__isnull=True)
        .order_by("employee_no")
        .first()
    )
    project_staff = (
        Staff.objects.filter(company=company, projects=largest, post__isnull=True)
        .order_by("employee_no")
        .first()
    )
    period = str(latest_full_year(company))
    project = str(largest.public_id)
    return [
        (Scope("company", str(company.public_id), project, period), "hq"),
        (
            Scope("region", str(region.public_id), project, period),
            login_for("bench_region", Role.REGION_MANAGER, region_staff),
        ),
        (
            Scope("project", project, project, period),
            login_for("bench_project", Role.PROJECT_MANAGER, project_staff),
        ),
    ]


def latest_full_year(company) -> int:
    """The latest calendar year with work orders from its January to its December."""
    import datetime as dt

    from django.db.models import Max, Min
    from django.utils import timezone

    from ganzhi.workorders.models import WorkOrder

    orders = WorkOrder.objects.filter(company=company)
    span = orders.aggregate(first=Min("created_at"), last=Max("created_at"))
    zone = timezone.get_current_timezone()
    first = span["first"].astimezone(zone)
    for year in range(span["last"].astimezone(zone).year, first.year - 1, -1):
        december = dt.datetime(year, 12, 1, tzinfo=zone)
        january_end = dt.datetime(year, 2, 1, tzinfo=zone)
        in_december = orders.filter(
            created_at__gte=december, created_at__lt=dt.datetime(year + 1, 1, 1, tzinfo=zone)
        ).exists()
        if first < january_end and in_december:
            return year
    return first.year


def _start_server(port: int, log: Path) -> subprocess.Popen:
    log.parent.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DEBUG": "0",
        "GANZHI_DEMO": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "GANZHI_SECURE_COOKIES": "0",  # plain HTTP on the loopback
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "ganzhi.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "2",
        "--threads",
        "4",  # as ganzhi.core.launcher starts it
        "--timeout",
        "600",  # a slow page is timed, not killed
        "--graceful-timeout",
        "10",
    ]
    with log.open("w") as out:
        return subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)


def _wait_until_up(base: str, server: subprocess.Popen, log: Path, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited with {server.returncode}; see {log}")
        try:
            with urllib.request.urlopen(base + "/accounts/login/", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    sys.exit(f"gunicorn did not answer within {seconds:.0f} s; see {log}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # a redirect is an answer of its own (e.g. to the login page)


class _Client:
    """A browser-like client: cookies (session, CSRF), no redirects followed."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect()
        )

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, int]:
        """Status and body length."""
        request = urllib.request.Request(self.base + path, headers=headers or {})
        try:
            with self.opener.open(request, timeout=900) as response:
                return response.status, len(response.read())
        except urllib.error.HTTPError as error:
            body = error.read()
            return error.code, len(body)

    def login(self, username: str, password: str) -> None:
        status, _ = self.get("/accounts/login/")
        token = next((c.value for c in self.cookies if c.name == "csrftoken"), "")
        data = urllib.parse.urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": token}
        ).encode()
        request = urllib.request.Request(
            self.base + "/accounts/login/", data=data, headers={"Referer": self.base + "/"}
        )
        try:
            with self.opener.open(request, timeout=60) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        if status != 302 or not any(c.name == "sessionid" for c in self.cookies):
            sys.exit(f"login as {username} failed (HTTP {status})")


def _time_url(client: _Client, url: str, n: int, headers: dict[str, str]) -> dict:
    status, size = client.get(url, headers)  # warm-up
    if status != 200:
        return {"p50_ms": None, "p95_ms": None, "n": 0, "status": status}
    times = []
    for _ in range(n):
        started = time.perf_counter()
        status, size = client.get(url, headers)
        elapsed = (time.perf_counter() - started) * 1000
        if status != 200:
            return {"p50_ms": None, "p95_ms": None, "n": len(times), "status": status}
        times.append(elapsed)
    return {
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(_percentile(times, 95), 1),
        "n": n,
        "status": 200,
        "bytes": size,
    }


def _percentile(values: list[float], p: float) -> float:
    """Linear interpolation between the closest ranks (numpy's default)."""
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def _print_figure(key: str, figure: dict, url: str) -> None:
    if figure["status"] != 200:
        print(f"  {key:<34} HTTP {figure['status']} — not timed   {url}", flush=True)
    else:
        print(
            f"  {key:<34} p50 {figure['p50_ms']:8.1f} ms  p95 {figure['p95_ms']:8.1f} ms"
            f"  ({figure['bytes']:,} bytes)",
            flush=True,
        )


# --- helpers -------------------------------------------------------------------------


def _database_name(connection) -> str:
    return "postgresql" if connection.vendor == "postgresql" else "sqlite"


def _redacted(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.password:
        parts = parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@"))
    return parts.geturl()


def _machine() -> dict:
    return {
        "cpus": os.cpu_count(),
        "load_average": round(os.getloadavg()[0], 2),
        "python": platform.python_version(),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _write(path: Path, data: dict, merge: bool = False) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    if merge and path.exists():
        data = {**json.loads(path.read_text()), **data}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


if __name__ == "__main__":
    raise SystemExit(main())

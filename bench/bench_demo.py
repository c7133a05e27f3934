"""Time the demo generator on a fresh database and record the figures.

    DJANGO_SETTINGS_MODULE=ganzhi.settings GANZHI_DEMO=1 \\
    DATABASE_URL=sqlite:////tmp/ganzhi-bench.sqlite3 \\
    .venv/bin/python bench/bench_demo.py --households 1000000

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ganzhi_bench ... (same)

The database named by DATABASE_URL is created fresh and dropped afterwards
(``--keep`` keeps it): for SQLite the file (and its -wal/-shm) is deleted first;
for PostgreSQL the database is dropped and created through the server's
``postgres`` database. To protect real data, the file must be under the temp
directory or not exist yet, and a PostgreSQL database name must start with
``ganzhi_bench``. Without DATABASE_URL a temp SQLite file is used.

Results are printed and merged into bench/results/demo-<sqlite|postgresql>.json,
one entry per household count (``<count>-no-workorders`` or ``<count>-<n>y`` for
runs with ``--no-workorders`` or ``--workorder-years n`` other than 2). The
registry (up to the last "projects" progress call), the work orders (up to the
last "workorders" call) and whatever follows them are timed separately.
"""

import argparse
import json
import os
import platform
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PG_PREFIX = "ganzhi_bench"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--no-workorders", action="store_true", help="the registry only")
    parser.add_argument("--workorder-years", type=int, default=2, help="years of work orders")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ganzhi.settings")
    os.environ.setdefault("GANZHI_DEMO", "1")
    url = os.environ.setdefault(
        "DATABASE_URL", f"sqlite:///{Path(tempfile.gettempdir()) / 'ganzhi-bench.sqlite3'}"
    )
    sys.path.insert(0, str(ROOT))
    drop = fresh_database(url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from ganzhi.demo.generator import generate_demo

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    migrate_seconds = time.perf_counter() - started
    vendor = connection.vendor
    print(f"{vendor}: migrated in {migrate_seconds:.1f} s; generating {args.households:,} …")

    last = [0.0]
    finished: dict[str, float] = {}  # stage → when its last step was reported

    def progress(stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        if done == total:
            finished[stage] = now
        if stage == "company" or done == total or now - last[0] >= 10:
            last[0] = now
            print(f"  {stage} {done}/{total}  {now - started:7.1f} s", flush=True)

    started = time.perf_counter()
    summary = generate_demo(
        households=args.households,
        seed=args.seed,
        progress=progress,
        workorders=not args.no_workorders,
        workorder_years=args.workorder_years,
    )
    ended = time.perf_counter()
    seconds = ended - started
    registry_end = finished.get("projects", ended)
    workorders_end = finished.get("workorders", registry_end)
    registry_seconds = registry_end - started
    workorder_seconds = workorders_end - registry_end
    counts = {}
    with connection.cursor() as cursor:
        for table in (
            "owners_householdmember",
            "workorders_workorder",
            "workorders_workorderevent",
            "workorders_followup",
            "workorders_escalation",
            "workorders_servicerecovery",
            "workorders_qrplace",
        ):
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[table.split("_", 1)[1]] = cursor.fetchone()[0]
    members = counts.pop("householdmember")
    registry_rows = summary.units + summary.households + summary.owners + summary.buildings
    registry_rows += members + summary.staff + summary.projects + summary.regions
    workorder_rows = sum(counts.values())
    rows = registry_rows + workorder_rows
    key = str(args.households)
    if args.no_workorders:
        key += "-no-workorders"
    elif args.workorder_years != 2:
        key += f"-{args.workorder_years}y"
    result = {
        "households": args.households,
        "workorders": not args.no_workorders,
        "workorder_years": args.workorder_years,
        "seed": args.seed,
        "database": vendor,
        "database_version": database_version(connection),
        "seconds": round(seconds, 1),
        "registry_seconds": round(registry_seconds, 1),
        "workorder_seconds": round(workorder_seconds, 1),
        "later_seconds": round(ended - workorders_end, 1),  # what follows the work orders
        "rows": rows,
        "registry_rows": registry_rows,
        "workorder_rows": workorder_rows,
        "rows_per_second": round(rows / seconds),
        "summary": {**vars(summary), "household_members": members, "workorder_tables": counts},
        "database_bytes": database_bytes(connection),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "cpus": os.cpu_count(),
        "load_average_before": load_before,
        "python": platform.python_version(),
        "machine": platform.platform(),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    connection.close()
    if drop is not None and not args.keep:
        drop()
    print(json.dumps(result, ensure_ascii=False, indent=2))
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"demo-{vendor}.json"
    runs = json.loads(path.read_text()) if path.exists() else {}
    runs[key] = result
    path.write_text(json.dumps(runs, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    print(f"written to {path.relative_to(ROOT)}")
    return 0


def fresh_database(url: str):
    """Create a fresh, empty database for ``url``; return a function that drops it."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = Path(parts.path[1:] if parts.path.startswith("//") else parts.path)
        if path.exists() and not path.resolve().is_relative_to(Path(tempfile.gettempdir())):
            sys.exit(f"refusing to overwrite {path}: use a new file or one in the temp directory")
        files = [path, Path(f"{path}-wal"), Path(f"{path}-shm")]
        for file in files:
            file.unlink(missing_ok=True)
        return lambda: [file.unlink(missing_ok=True) for file in files]
    if parts.scheme in {"postgres", "postgresql", "pgsql"}:
        import psycopg
        from psycopg import sql

        name = parts.path.lstrip("/")
        if not name.startswith(PG_PREFIX):
            sys.exit(f"refusing to drop database {name!r}: its name must start with {PG_PREFIX}")
        admin = parts._replace(path="/postgres").geturl()

        def run(statement):
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(statement)

        run(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        run(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return lambda: run(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
    sys.exit(f"unsupported DATABASE_URL scheme {parts.scheme!r}")


def database_version(connection) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sqlite_version()")
        else:
            cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]


def database_bytes(connection) -> int:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.execute("SELECT page_count * page_size FROM pragma_page_count, pragma_page_size")
        else:
            cursor.execute("SELECT pg_database_size(current_database())")
        return cursor.fetchone()[0]


if __name__ == "__main__":
    raise SystemExit(main())

"""Time the household-registry import: 100,000 rows from CSV and from .xlsx, and a re-import.

    DATABASE_URL=sqlite:////tmp/ganzhi-bench.sqlite3 .venv/bin/python bench/bench_import.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ganzhi_bench \
        .venv/bin/python bench/bench_import.py

The database is created fresh as in bench_demo.py (same safety rules). Results are
printed and written to bench/results/import-<sqlite|postgresql>.json.
"""

import argparse
import csv
import json
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.bench_demo import fresh_database  # noqa: E402

HEADER = ["项目", "楼栋", "单元", "房号", "建筑面积", "业主姓名", "手机号", "入住日期"]


def rows(n: int, project_name: str) -> list[list[str]]:
    """n rows, one unit and one owner each: buildings of 2 entrances × 33 floors × 4 rooms."""
    out = []
    for i in range(n):
        building, rest = divmod(i, 2 * 33 * 4)
        entrance, rest = divmod(rest, 33 * 4)
        floor, room = divmod(rest, 4)
        out.append(
            [
                project_name,
                f"{building + 1}栋",
                str(entrance + 1),
                f"{floor + 1}{room + 1:02d}",
                f"{60 + (i % 120)}.5",
                f"业主{i}",
                f"13{i:09d}",
                f"20{10 + i % 15}-0{1 + i % 9}-15",
            ]
        )
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ganzhi.settings")
    os.environ.setdefault("GANZHI_DEMO", "1")
    url = os.environ.setdefault(
        "DATABASE_URL", f"sqlite:///{Path(tempfile.gettempdir()) / 'ganzhi-bench.sqlite3'}"
    )
    drop = fresh_database(url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from openpyxl import Workbook

    from ganzhi.core.spreadsheets import read_sheet
    from ganzhi.org.models import Company, Project, Region
    from ganzhi.owners.importing import import_households

    call_command("migrate", verbosity=0)
    company = Company.objects.create(code="bench", name="基准物业")
    region = Region.objects.create(company=company, code="r", name="区域")
    results = {
        "rows": args.rows,
        "database": connection.vendor,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    work = Path(tempfile.mkdtemp())
    for kind in ("csv", "xlsx"):
        project = Project.objects.create(
            company=company, region=region, code=kind, name=f"基准{kind}"
        )
        data = rows(args.rows, project.name)
        path = work / f"registry.{kind}"
        if kind == "csv":
            with open(path, "w", newline="", encoding="utf-8-sig") as handle:
                writer = csv.writer(handle)
                writer.writerow(HEADER)
                writer.writerows(data)
        else:
            book = Workbook(write_only=True)
            sheet = book.create_sheet()
            sheet.append(HEADER)
            for row in data:
                sheet.append(row)
            book.save(path)
        started = time.perf_counter()
        result = import_households(project=project, sheet=read_sheet(path))
        first = time.perf_counter() - started
        started = time.perf_counter()
        again = import_households(project=project, sheet=read_sheet(path))
        second = time.perf_counter() - started
        results[kind] = {
            "first_import_s": round(first, 2),
            "reimport_s": round(second, 2),
            "created": result.created,
            "reimport_changed": again.changed,
            "reimport_result": again.as_dict(),
        }
        print(
            f"{kind}: {args.rows} rows imported in {first:.1f} s; re-import {second:.1f} s "
            f"(changed: {again.changed})"
        )
    connection.close()
    if drop:
        drop()
    out = ROOT / "bench" / "results" / f"import-{results['database']}.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    print(f"written {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`make bench`: run every benchmark with its default size and print where the figures went.

Benchmarks that build a database use a fresh temporary SQLite file unless DATABASE_URL
names a PostgreSQL database whose name starts with ``ganzhi_bench`` (see bench_demo.py).
The demo benchmark runs at 100,000 households here; run bench_demo.py with
``--households 1000000`` for the full-size figure recorded in docs/demo-data.md.
The dashboards run at tier S; tier M (``--tier M``) takes 13 minutes (SQLite) to 17
minutes (PostgreSQL) to load and 2–3 more for the rollups (see bench/README.md).
"""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
RUNS = [
    ["bench_stats_pls.py"],
    ["bench_stats_drivers.py"],
    ["bench_import.py", "--rows", "100000"],
    ["bench_demo.py", "--households", "100000"],
    # dashboards at tier S: load, rollups (rebuild, a day's refresh, raw vs rollup), pages
    ["tiers.py", "load", "--tier", "S"],
    ["bench_rollups.py", "--tier", "S"],
    ["tiers.py", "measure", "--tier", "S"],
]


def main() -> int:
    failed = []
    for script, *args in RUNS:
        print(f"\n== {script} {' '.join(args)}", flush=True)
        if subprocess.call([sys.executable, str(HERE / script), *args]) != 0:
            failed.append(script)
    print(f"\nresults in {HERE / 'results'}")
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

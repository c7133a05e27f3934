"""Time the exact Shapley (LMG) key-driver decomposition on 12 predictors × 100,000 rows.

Run from the repository root:  .venv/bin/python bench/bench_stats_drivers.py
Prints the best of five timings and writes it to bench/results/stats-drivers.json.
"""

import json
import platform
import time
from pathlib import Path

import numpy as np

from ganzhi.stats.drivers import key_drivers

ROWS = 100_000
PREDICTORS = 12
REPEATS = 5
SEED = 20240601
RESULT_PATH = Path(__file__).parent / "results" / "stats-drivers.json"


def synthetic_survey(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Correlated 1–5 ratings, an overall score driven by them, and survey weights."""
    mixing = np.eye(PREDICTORS) + 0.4 * rng.random((PREDICTORS, PREDICTORS))
    latent = rng.normal(size=(ROWS, PREDICTORS)) @ mixing
    ratings = np.clip(np.round(3 + latent / latent.std(axis=0)), 1, 5)
    overall = ratings @ rng.uniform(0.1, 1.0, PREDICTORS) + rng.normal(scale=2.0, size=ROWS)
    weights = rng.uniform(0.5, 2.0, ROWS)
    return ratings, overall, weights


def main() -> None:
    X, y, weights = synthetic_survey(np.random.default_rng(SEED))
    names = [f"q{i + 1}" for i in range(PREDICTORS)]
    timings = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        result = key_drivers(X, y, names=names, method="shapley", weights=weights)
        timings.append(time.perf_counter() - start)
    report = {
        "benchmark": "ganzhi.stats.drivers.key_drivers(method='shapley', weighted)",
        "rows": ROWS,
        "predictors": PREDICTORS,
        "subsets": 2**PREDICTORS,
        "repeats": REPEATS,
        "best_seconds": round(min(timings), 4),
        "median_seconds": round(float(np.median(timings)), 4),
        "r2": round(result.r2, 6),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "machine": platform.machine(),
    }
    print(
        f"Shapley, {PREDICTORS} predictors × {ROWS:,} rows: "
        f"best {report['best_seconds']:.3f} s, median {report['median_seconds']:.3f} s"
    )
    RESULT_PATH.parent.mkdir(parents=True, exist_ok=True)
    RESULT_PATH.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()

"""Time ganzhi.stats.pls.fit_pls on synthetic ECSI-sized data (250 rows × 24 indicators).

Six blocks of four Mode A indicators on plspm's satisfaction-example paths; path
weighting scheme. Prints the figures and writes them to bench/results/stats-pls.json.
Run: .venv/bin/python bench/bench_stats_pls.py
"""

from __future__ import annotations

import json
import platform
import time
from pathlib import Path

import numpy as np

from ganzhi.stats.pls import Block, PLSModel, fit_pls

ROWS = 250
ITEMS_PER_BLOCK = 4
NAMES = ("IMAG", "EXPE", "QUAL", "VAL", "SAT", "LOY")
PATHS = (
    ("IMAG", "EXPE"),
    ("IMAG", "SAT"),
    ("IMAG", "LOY"),
    ("EXPE", "QUAL"),
    ("EXPE", "VAL"),
    ("EXPE", "SAT"),
    ("QUAL", "VAL"),
    ("QUAL", "SAT"),
    ("VAL", "SAT"),
    ("SAT", "LOY"),
)
REPEATS = {"no_bootstrap": 50, "bootstrap_200": 3}
RESULTS = Path(__file__).parent / "results" / "stats-pls.json"


def synthetic_data(seed: int = 0) -> tuple[np.ndarray, list[str], PLSModel]:
    """Latent scores generated along PATHS, four noisy 0–10 items per latent."""
    rng = np.random.default_rng(seed)
    latent: dict[str, np.ndarray] = {}
    for name in NAMES:
        causes = [source for source, target in PATHS if target == name]
        signal = sum((0.5 * latent[c] for c in causes), np.zeros(ROWS))
        latent[name] = signal + rng.normal(size=ROWS)
    columns, items = [], []
    for name in NAMES:
        for i in range(1, ITEMS_PER_BLOCK + 1):
            columns.append(f"{name.lower()}{i}")
            items.append(np.clip(np.round(7 + latent[name] + rng.normal(size=ROWS)), 0, 10))
    model = PLSModel(
        blocks={n: Block(tuple(c for c in columns if c.startswith(n.lower()))) for n in NAMES},
        paths=PATHS,
    )
    return np.column_stack(items), columns, model


def best_time(repeats: int, **kwargs: object) -> float:
    data, columns, model = synthetic_data()
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        fit_pls(data, columns=columns, model=model, scale=(0, 10), **kwargs)
        timings.append(time.perf_counter() - start)
    return min(timings)


def main() -> None:
    figures = {
        "rows": ROWS,
        "indicators": len(NAMES) * ITEMS_PER_BLOCK,
        "fit_seconds": best_time(REPEATS["no_bootstrap"]),
        "fit_bootstrap_200_seconds": best_time(REPEATS["bootstrap_200"], bootstrap=200, seed=1),
        "repeats": REPEATS,
        "python": platform.python_version(),
        "numpy": np.__version__,
    }
    print(
        f"fit_pls {ROWS}x{figures['indicators']}: {figures['fit_seconds'] * 1000:.2f} ms; "
        f"with B=200 bootstrap: {figures['fit_bootstrap_200_seconds']:.3f} s (best of repeats)"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()

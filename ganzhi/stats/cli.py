"""Analysts' command line over ganzhi.stats: ``ganzhi stats METHOD --csv FILE [--json]``.

Standard library (argparse, csv, json) and numpy only. Reads a CSV file with a header row
(UTF-8, UTF-8 with BOM, or GBK), converts the chosen columns to floats (an empty cell is
missing, NaN) and prints an aligned table, or one JSON object with ``--json``. Any problem
with the input exits with status 2 and a one-line message on stderr.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import sys
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np

from ganzhi.stats.errors import StatsError

PROG = "ganzhi stats"
NPS_KEYS = (
    "n",
    "promoters",
    "passives",
    "detractors",
    "nps",
    "se",
    "ci_low",
    "ci_high",
    "ci_method",
)
RATE_KEYS = ("k", "n", "rate", "ci_low", "ci_high", "method")

Result = Mapping[str, object]


class CliError(Exception):
    """A problem with the command's input (file, column, cell); printed as one line."""


def main(argv: list[str] | None = None) -> int:
    """Run one ``ganzhi stats`` command; return the exit status (0 ok, 2 on any error)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_request:  # argparse has printed usage and its message
        return exit_request.code if isinstance(exit_request.code, int) else 2
    try:
        result = args.handler(args)
        output = (
            json.dumps(result, ensure_ascii=False, allow_nan=False, default=_plain)
            if args.json
            else format_table(result)
        )
    except (CliError, StatsError, ValueError, OSError, csv.Error, np.linalg.LinAlgError) as error:
        message = " ".join(str(error).split()) or type(error).__name__
        print(f"{PROG} {args.command}: error: {message}", file=sys.stderr)
        return 2
    print(output)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description="Ganzhi survey statistics.")
    methods = parser.add_subparsers(dest="command", required=True, metavar="METHOD")

    nps = _command(methods, "nps", "Net Promoter Score of a 0–10 column", _run_nps)
    nps.add_argument("--column", required=True, help="column of 0–10 answers")
    nps.add_argument("--ci-method", choices=("adjusted-wald", "wald"), default="adjusted-wald")

    rate = _command(methods, "rate", "a share k/n with its interval", _run_rate, csv_file=False)
    rate.add_argument("--successes", type=int, required=True, help="k")
    rate.add_argument("--n", type=int, required=True, help="n")
    rate.add_argument(
        "--method", choices=("wilson", "agresti-coull", "clopper-pearson"), default="wilson"
    )

    alpha = _command(methods, "alpha", "Cronbach's alpha of item columns", _run_alpha)
    alpha.add_argument("--columns", required=True, help="comma-separated item columns")
    alpha.add_argument("--missing", choices=("listwise", "pairwise"), default="listwise")

    drivers = _command(methods, "drivers", "key-driver importance of predictors", _run_drivers)
    drivers.add_argument("--target", required=True, help="target column")
    drivers.add_argument("--predictors", required=True, help="comma-separated predictor columns")
    drivers.add_argument(
        "--method", choices=("shapley", "relative-weights", "dominance"), default="shapley"
    )
    drivers.add_argument("--weights", help="column of respondent weights")

    pls = _command(methods, "pls", "PLS path model", _run_pls)
    pls.add_argument("--model", required=True, help="model JSON file (blocks and paths)")
    pls.add_argument("--scheme", choices=("centroid", "factorial", "path"), default="path")
    pls.add_argument("--bootstrap", type=int, default=0, help="bootstrap resamples (0: none)")
    pls.add_argument("--seed", type=int, default=None, help="random seed for the bootstrap")
    return parser


def _command(
    methods: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    description: str,
    handler: Callable[[argparse.Namespace], Result],
    *,
    csv_file: bool = True,
) -> argparse.ArgumentParser:
    command = methods.add_parser(name, help=description, description=description)
    if csv_file:
        command.add_argument("--csv", required=True, metavar="FILE", help="CSV with a header row")
    command.add_argument("--json", action="store_true", help="print one JSON object")
    command.set_defaults(handler=handler)
    return command


# --- handlers -------------------------------------------------------------------------------


def _run_nps(args: argparse.Namespace) -> Result:
    from ganzhi.stats.nps import nps

    table = CsvTable.read(args.csv)
    result = nps(table.columns([args.column])[:, 0], ci_method=args.ci_method).to_dict()
    return {key: result[key] for key in NPS_KEYS}


def _run_rate(args: argparse.Namespace) -> Result:
    from ganzhi.stats.rates import rate

    result = rate(args.successes, args.n, method=args.method).to_dict()
    return {key: result[key] for key in RATE_KEYS}


def _run_alpha(args: argparse.Namespace) -> Result:
    from ganzhi.stats.reliability import cronbach_alpha

    items = _names(args.columns, "--columns")
    data = CsvTable.read(args.csv).columns(items)
    return cronbach_alpha(data, items=items, missing=args.missing, confidence=0.95).to_dict()


def _run_drivers(args: argparse.Namespace) -> Result:
    from ganzhi.stats.drivers import key_drivers

    predictors = _names(args.predictors, "--predictors")
    extra = [args.weights] if args.weights else []
    data = complete_rows(CsvTable.read(args.csv).columns([args.target, *predictors, *extra]))
    x = data[:, 1 : 1 + len(predictors)]
    weights = data[:, -1] if args.weights else None
    return key_drivers(
        x, data[:, 0], names=predictors, method=args.method, weights=weights
    ).to_dict()


def _run_pls(args: argparse.Namespace) -> Result:
    from ganzhi.stats.pls import PLSModel, fit_pls

    try:
        model_json = json.loads(Path(args.model).read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as error:
        raise CliError(f"{args.model} is not valid JSON: {error}") from None
    indicators = _indicator_names(model_json, args.model)
    model = PLSModel.from_dict(model_json)
    data = complete_rows(CsvTable.read(args.csv).columns(indicators))
    fit = fit_pls(
        data,
        columns=indicators,
        model=model,
        scheme=args.scheme,
        bootstrap=args.bootstrap,
        seed=args.seed,
    )
    return fit.to_dict()


def _names(option_value: str, option: str) -> list[str]:
    names = [name.strip() for name in option_value.split(",") if name.strip()]
    if not names:
        raise CliError(f"{option} names no columns")
    return names


def _indicator_names(model_json: object, path: str) -> list[str]:
    """Indicator columns of a PLS model JSON, in block order, each once."""
    blocks = model_json.get("blocks") if isinstance(model_json, dict) else None
    if not isinstance(blocks, dict) or not blocks:
        raise CliError(f"{path} needs a non-empty 'blocks' object")
    names: list[str] = []
    for block, spec in blocks.items():
        indicators = spec.get("indicators") if isinstance(spec, dict) else None
        if not isinstance(indicators, list) or not indicators:
            raise CliError(f"block '{block}' in {path} needs a non-empty 'indicators' list")
        names.extend(str(name) for name in indicators if str(name) not in names)
    return names


# --- CSV input ------------------------------------------------------------------------------


class CsvTable:
    """A CSV file's header and data rows (blank lines skipped)."""

    def __init__(self, path: str, header: list[str], rows: list[list[str]]) -> None:
        self.path = path
        self.header = header
        self.rows = rows

    @classmethod
    def read(cls, path: str) -> CsvTable:
        text = _decode(Path(path).read_bytes(), path)
        rows = [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
        if not rows:
            raise CliError(f"{path} is empty; a header row is required")
        return cls(path, [name.strip() for name in rows[0]], rows[1:])

    def columns(self, names: Sequence[str]) -> np.ndarray:
        """The named columns as an (n × k) float array; an empty cell is NaN."""
        positions = [self._position(name) for name in names]
        if not self.rows:
            raise CliError(f"{self.path} has a header row but no data rows")
        data = np.full((len(self.rows), len(names)), np.nan)
        for i, row in enumerate(self.rows):
            for j, position in enumerate(positions):
                cell = row[position].strip() if position < len(row) else ""
                if cell:
                    data[i, j] = self._number(cell, names[j], i)
        return data

    def _position(self, name: str) -> int:
        if name not in self.header:
            raise CliError(
                f"column '{name}' not found in {self.path} (columns: {', '.join(self.header)})"
            )
        if self.header.count(name) > 1:
            raise CliError(f"column '{name}' appears more than once in {self.path}")
        return self.header.index(name)

    def _number(self, cell: str, column: str, row_index: int) -> float:
        try:
            value = float(cell)
        except ValueError:
            value = None
        if value is None or math.isinf(value):
            raise CliError(f"column '{column}', data row {row_index + 1}: {cell!r} is not a number")
        return value


def _decode(raw: bytes, path: str) -> str:
    for encoding in ("utf-8-sig", "gbk"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CliError(f"{path} is neither UTF-8 nor GBK text")


def complete_rows(data: np.ndarray) -> np.ndarray:
    """Rows without any NaN (listwise deletion); CliError when none is left."""
    complete = data[~np.isnan(data).any(axis=1)]
    if complete.shape[0] == 0:
        raise CliError("no row has all the needed columns filled in")
    return complete


# --- table output ---------------------------------------------------------------------------


def format_table(result: Result) -> str:
    """Scalars as aligned ``name  value`` lines, then one indented block per nested value:
    a table when every entry is a flat mapping (rows × keys), else the same layout again."""
    return "\n".join(_block_lines(result))


def _block_lines(mapping: Mapping[object, object]) -> list[str]:
    lines = _aligned([[str(k), _cell(v)] for k, v in mapping.items() if not _is_nested(v)])
    for key, value in mapping.items():
        if isinstance(value, dict | list | tuple) and _is_nested(value):
            records = dict(value) if isinstance(value, dict) else dict(enumerate(value))
            lines += ([""] if lines else []) + [f"{key}:"]
            lines += [f"  {line}" if line else "" for line in _records_lines(records)]
    return lines


def _records_lines(records: dict[object, object]) -> list[str]:
    """A table with one row per record when every record is a flat mapping."""
    rows = {name: row for name, row in records.items() if isinstance(row, dict)}
    flat = all(not any(map(_is_nested, row.values())) for row in rows.values())
    if rows and len(rows) == len(records) and flat:
        columns = list(dict.fromkeys(column for row in rows.values() for column in row))
        table = [[str(name), *(_cell(row.get(c)) for c in columns)] for name, row in rows.items()]
        return _aligned([["", *map(str, columns)], *table])
    return _block_lines(records)


def _is_nested(value: object) -> bool:
    """Whether ``value`` needs its own block: a mapping, or a list holding containers."""
    if isinstance(value, dict):
        return True
    if isinstance(value, list | tuple):
        return any(isinstance(item, dict | list | tuple) for item in value)
    return False


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool | int | str):
        return str(value)
    if isinstance(value, float):
        return f"{value:.4f}" if value == 0 or abs(value) >= 1e-3 else f"{value:.3e}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_cell(item) for item in value) + "]"
    return json.dumps(value, ensure_ascii=False, default=_plain)


def _plain(value: object) -> object:
    """JSON fallback for numpy scalars and arrays a result may carry."""
    if isinstance(value, np.generic | np.ndarray):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _aligned(rows: list[list[str]]) -> list[str]:
    """Left-align the first column and right-align the others, by display width."""
    if not rows:
        return []
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [_pad(row[0], widths[0], left=True)]
        cells += [
            _pad(cell, width, left=False) for cell, width in zip(row[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
    return lines


def _width(text: str) -> int:
    """Terminal columns of ``text``: CJK wide and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int, *, left: bool) -> str:
    padding = " " * (width - _width(text))
    return text + padding if left else padding + text


if __name__ == "__main__":
    sys.exit(main())

"""The ``ganzhi stats`` command line, driven through ``main(argv)`` with files in tmp_path."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pingouin
import pytest
import statsmodels.api as sm
from statsmodels.stats.proportion import proportion_confint

from ganzhi.stats.cli import NPS_KEYS, RATE_KEYS, main

DATA = Path(__file__).parent / "data"
# 2 promoters, 2 passives, 2 detractors and one empty cell (see test_nps.py for the arithmetic:
# NPS 0, se 33.3333, adjusted-Wald ±51.0724, Wald ±65.3321).
BALANCED_CSV = "id,ltr,comment\n1,10,好\n2,9,\n3,8,\n4,7,\n5,6,\n6,0,差\n7,,\n"


def write(tmp_path: Path, text: str, name: str = "answers.csv", encoding: str = "utf-8") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def run(capsys, argv):
    """Exit code, stdout and stderr of one ``ganzhi stats`` call."""
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def run_json(capsys, argv):
    code, out, err = run(capsys, [*argv, "--json"])
    assert (code, err) == (0, "")
    return json.loads(out)


def assert_fails(capsys, argv, message):
    code, out, err = run(capsys, argv)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1, err  # one line, no traceback
    assert message in err


# --- nps ----------------------------------------------------------------------------------


def test_nps_json(tmp_path, capsys):
    result = run_json(capsys, ["nps", "--csv", write(tmp_path, BALANCED_CSV), "--column", "ltr"])
    assert tuple(result) == NPS_KEYS
    assert (result["n"], result["promoters"], result["passives"], result["detractors"]) == (
        6,
        2,
        2,
        2,
    )
    assert result["nps"] == 0.0
    assert result["se"] == pytest.approx(33.3333, abs=1e-4)
    assert (result["ci_low"], result["ci_high"]) == pytest.approx((-51.0724, 51.0724), abs=1e-4)
    assert result["ci_method"] == "adjusted-wald"


def test_nps_wald_option(tmp_path, capsys):
    csv_file = write(tmp_path, BALANCED_CSV)
    result = run_json(capsys, ["nps", "--csv", csv_file, "--column", "ltr", "--ci-method", "wald"])
    assert (result["ci_low"], result["ci_high"]) == pytest.approx((-65.3321, 65.3321), abs=1e-4)
    assert result["ci_method"] == "wald"


def test_nps_table(tmp_path, capsys):
    code, out, err = run(capsys, ["nps", "--csv", write(tmp_path, BALANCED_CSV), "--column", "ltr"])
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert [line.split()[0] for line in lines] == list(NPS_KEYS)
    assert lines[0].split() == ["n", "6"]
    assert lines[5].split() == ["se", "33.3333"]
    assert lines[6].split() == ["ci_low", "-51.0725"]  # −51.07248 at 4 decimals
    assert len({len(line) for line in lines}) == 1  # values right-aligned in one column


def test_nps_reads_utf8_bom_and_gbk(tmp_path, capsys):
    text = "小区,推荐意愿\n翠湖花园,10\n翠湖花园,3\n锦绣华庭,9\n"
    for encoding in ("utf-8-sig", "gbk"):
        csv_file = write(tmp_path, text, f"{encoding}.csv", encoding)
        result = run_json(capsys, ["nps", "--csv", csv_file, "--column", "推荐意愿"])
        # 2 promoters, 1 detractor of 3: 100·(2 − 1)/3 = 33.33
        assert result["nps"] == pytest.approx(33.3333, abs=1e-4)


@pytest.mark.parametrize(
    ("text", "column", "message"),
    [
        (BALANCED_CSV, "推荐", "column '推荐' not found in"),
        ("id,ltr\n1,9\n2,abc\n", "ltr", "column 'ltr', data row 2: 'abc' is not a number"),
        ("id,ltr\n1,9\n2,inf\n", "ltr", "'inf' is not a number"),
        ("", "ltr", "is empty; a header row is required"),
        ("\n\n", "ltr", "is empty; a header row is required"),
        ("id,ltr\n", "ltr", "has a header row but no data rows"),
        ("id,ltr\n1,\n2,\n", "ltr", "no NPS answers"),
        ("id,ltr\n1,9\n2,11\n", "ltr", "whole numbers 0–10; got 11"),
        ("ltr,ltr\n1,9\n", "ltr", "column 'ltr' appears more than once"),
    ],
)
def test_nps_input_errors(tmp_path, capsys, text, column, message):
    argv = ["nps", "--csv", write(tmp_path, text), "--column", column]
    assert_fails(capsys, argv, message)
    assert_fails(capsys, [*argv, "--json"], message)


def test_missing_file(tmp_path, capsys):
    assert_fails(capsys, ["nps", "--csv", str(tmp_path / "nope.csv"), "--column", "x"], "nope.csv")


def test_argument_errors_exit_2(tmp_path, capsys):
    assert main(["nps", "--column", "ltr"]) == 2  # --csv missing
    assert main(["nps", "--csv", write(tmp_path, BALANCED_CSV)]) == 2  # --column missing
    assert main(["median", "--csv", "x.csv"]) == 2
    assert main([]) == 2
    assert "usage:" in capsys.readouterr().err


def test_module_entry_point(tmp_path):
    csv_file = write(tmp_path, BALANCED_CSV)
    command = [sys.executable, "-m", "ganzhi.stats.cli", "nps", "--csv", csv_file, "--column", "x"]
    failed = subprocess.run(command, capture_output=True, text=True, check=False)
    assert failed.returncode == 2
    assert "Traceback" not in failed.stderr
    assert "column 'x' not found" in failed.stderr


# --- rate ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "statsmodels_method"),
    [("wilson", "wilson"), ("agresti-coull", "agresti_coull"), ("clopper-pearson", "beta")],
)
def test_rate_json(capsys, method, statsmodels_method):
    result = run_json(capsys, ["rate", "--successes", "12", "--n", "80", "--method", method])
    assert tuple(result) == RATE_KEYS
    assert (result["k"], result["n"], result["rate"], result["method"]) == (12, 80, 0.15, method)
    expected = proportion_confint(12, 80, method=statsmodels_method)
    assert (result["ci_low"], result["ci_high"]) == pytest.approx(expected)


def test_rate_table_and_errors(capsys):
    code, out, _ = run(capsys, ["rate", "--successes", "3", "--n", "10"])
    assert code == 0
    # Wilson 3/10 = [0.107792, 0.603222] (test_rates.py)
    assert [line.split() for line in out.splitlines()] == [
        ["k", "3"],
        ["n", "10"],
        ["rate", "0.3000"],
        ["ci_low", "0.1078"],
        ["ci_high", "0.6032"],
        ["method", "wilson"],
    ]
    assert_fails(capsys, ["rate", "--successes", "11", "--n", "10"], "k must be between 0 and n")
    assert_fails(capsys, ["rate", "--successes", "0", "--n", "0"], "n must be at least 1")
    assert main(["rate", "--successes", "x", "--n", "10"]) == 2
    assert main(["rate", "--successes", "1", "--n", "10", "--method", "exact"]) == 2


# --- alpha, drivers, pls (modules written alongside) --------------------------------------


def items_csv(tmp_path: Path) -> tuple[str, np.ndarray]:
    rng = np.random.default_rng(5)
    trait = rng.normal(size=(40, 1))
    items = np.round(np.clip(3 + trait + rng.normal(scale=0.8, size=(40, 4)), 1, 5))
    rows = [",".join(f"{v:g}" for v in row) for row in items]
    rows[7] = "," + rows[7].split(",", 1)[1]  # one missing answer (q1, row 8)
    return write(tmp_path, "q1,q2,q3,q4\n" + "\n".join(rows) + "\n"), items


def test_alpha(tmp_path, capsys):
    csv_file, items = items_csv(tmp_path)
    result = run_json(capsys, ["alpha", "--csv", csv_file, "--columns", "q1,q2,q3,q4"])
    complete = np.delete(items, 7, axis=0)  # listwise: row 8 dropped
    expected, _ = pingouin.cronbach_alpha(data=pd.DataFrame(complete))
    assert result["n"] == 39
    assert result["alpha"] == pytest.approx(expected)
    assert set(result["items"]) == {"q1", "q2", "q3", "q4"}
    assert set(result["items"]["q1"]) == {"alpha_if_dropped", "r_drop"}
    code, out, _ = run(capsys, ["alpha", "--csv", csv_file, "--columns", "q1, q2,q3,q4"])
    assert code == 0
    assert "items:" in out and "alpha_if_dropped" in out
    assert_fails(capsys, ["alpha", "--csv", csv_file, "--columns", "q1,q9"], "column 'q9'")
    assert_fails(capsys, ["alpha", "--csv", csv_file, "--columns", " , "], "--columns names no")


def test_drivers(tmp_path, capsys):
    rng = np.random.default_rng(9)
    x = rng.normal(size=(50, 3))
    y = x @ np.array([1.0, 0.5, 0.2]) + rng.normal(size=50)
    w = rng.uniform(0.5, 2.0, size=50)
    lines = [",".join(f"{v:.6f}" for v in (y[i], *x[i], w[i])) for i in range(50)]
    lines[3] = lines[3].replace(lines[3].split(",")[2], "", 1)  # b missing in row 4
    csv_file = write(tmp_path, "y,a,b,c,w\n" + "\n".join(lines) + "\n")
    keep = np.arange(50) != 3
    argv = ["drivers", "--csv", csv_file, "--target", "y", "--predictors", "a,b,c"]

    result = run_json(capsys, argv)
    ols = sm.OLS(y[keep], sm.add_constant(x[keep])).fit()
    assert result["n"] == 49
    assert result["r2"] == pytest.approx(ols.rsquared, abs=1e-5)
    assert sum(result["importance"].values()) == pytest.approx(result["r2"], abs=1e-5)
    assert sum(result["rescaled"].values()) == pytest.approx(100.0)

    weighted = run_json(capsys, [*argv, "--weights", "w", "--method", "relative-weights"])
    wls = sm.WLS(y[keep], sm.add_constant(x[keep]), weights=w[keep]).fit()
    assert weighted["r2"] == pytest.approx(wls.rsquared, abs=1e-5)

    code, out, _ = run(capsys, [*argv, "--method", "dominance"])
    assert code == 0 and "importance:" in out
    assert_fails(capsys, [*argv[:-1], "a,zz"], "column 'zz' not found")
    assert main([*argv, "--method", "lasso"]) == 2


def test_drivers_with_no_complete_row(tmp_path, capsys):
    csv_file = write(tmp_path, "y,a\n1,\n,2\n")
    argv = ["drivers", "--csv", csv_file, "--target", "y", "--predictors", "a"]
    assert_fails(capsys, argv, "no row has all the needed columns filled in")


PLS_MODEL = {
    "blocks": {
        "IMAG": {"indicators": ["imag1", "imag2", "imag3"], "mode": "A"},
        "SAT": {"indicators": ["sat1", "sat2", "sat3"], "mode": "A"},
        "LOY": {"indicators": ["loy1", "loy2"], "mode": "A"},
    },
    "paths": [["IMAG", "SAT"], ["SAT", "LOY"], ["IMAG", "LOY"]],
}


def test_pls(tmp_path, capsys):
    # plspm's satisfaction data (250 rows; a text "gender" column the command ignores).
    model = write(tmp_path, json.dumps(PLS_MODEL), "model.json")
    argv = ["pls", "--csv", str(DATA / "satisfaction.csv"), "--model", model]
    result = run_json(capsys, argv)
    assert result["n"] == 250
    assert set(result["path_coefficients"]) == {"IMAG->SAT", "SAT->LOY", "IMAG->LOY"}
    boot = run_json(capsys, [*argv, "--bootstrap", "30", "--seed", "1", "--scheme", "centroid"])
    assert boot["bootstrap"]["B"] == 30
    code, out, _ = run(capsys, argv)
    assert code == 0 and "path_coefficients:" in out


def test_pls_model_errors(tmp_path, capsys):
    csv_file = str(DATA / "satisfaction.csv")
    broken = write(tmp_path, "{not json", "broken.json")
    assert_fails(capsys, ["pls", "--csv", csv_file, "--model", broken], "is not valid JSON")
    no_blocks = write(tmp_path, json.dumps({"paths": []}), "empty.json")
    assert_fails(capsys, ["pls", "--csv", csv_file, "--model", no_blocks], "'blocks'")
    unknown = dict(PLS_MODEL, paths=[["IMAG", "NOPE"]])
    bad_path = write(tmp_path, json.dumps(unknown), "unknown.json")
    assert_fails(capsys, ["pls", "--csv", csv_file, "--model", bad_path], "NOPE")
    missing_column = json.loads(json.dumps(PLS_MODEL))
    missing_column["blocks"]["LOY"]["indicators"] = ["loy1", "nope1"]
    model = write(tmp_path, json.dumps(missing_column), "missing.json")
    assert_fails(capsys, ["pls", "--csv", csv_file, "--model", model], "column 'nope1' not found")

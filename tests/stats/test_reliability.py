"""Cronbach's alpha against hand arithmetic, pingouin, pandas and published psych values."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ganzhi.stats.errors import StatsError
from ganzhi.stats.reliability import cronbach_alpha

DATA = Path(__file__).parent / "data"

# Four respondents × three items, worked by hand below.
HAND = np.array(
    [
        [1.0, 2.0, 2.0],
        [2.0, 2.0, 3.0],
        [3.0, 4.0, 3.0],
        [4.0, 4.0, 5.0],
    ]
)
HAND_ITEMS = ["a", "b", "c"]


def synthetic_answers(seed: int, n: int, k: int, missing_share: float = 0.0) -> np.ndarray:
    """Five-point answers driven by one common factor, with answers blanked at random."""
    rng = np.random.default_rng(seed)
    factor = rng.normal(size=(n, 1))
    answers = np.clip(np.round(3 + factor + rng.normal(scale=0.8, size=(n, k))), 1, 5)
    answers[rng.random((n, k)) < missing_share] = np.nan
    return answers


def pingouin_alpha(answers: np.ndarray, policy: str) -> tuple[float, np.ndarray]:
    frame = pd.DataFrame(answers, columns=[f"q{i}" for i in range(answers.shape[1])])
    return pg.cronbach_alpha(data=frame, nan_policy=policy, ci=0.95)


# ─── hand-computed case ──────────────────────────────────────────────────────


def test_hand_computed_alpha_and_item_statistics():
    # Deviations from the means (2.5, 3, 3.25):
    #   a: −1.5 −0.5 0.5 1.5      SS 5     → var 5/3
    #   b: −1   −1   1   1        SS 4     → var 4/3
    #   c: −1.25 −0.25 −0.25 1.75 SS 4.75  → var 4.75/3
    # Cross products: ab 4, ac 4.5, bc 3 (each /3 for the covariance).
    # Total score 5, 7, 10, 13: SS 36.75 = 5 + 4 + 4.75 + 2·(4 + 4.5 + 3).
    # α = 3/2 · (1 − 13.75/36.75) = 3/2 · 23/36.75 = 46/49.
    result = cronbach_alpha(HAND, items=HAND_ITEMS)
    assert result.n == 4
    assert result.alpha == pytest.approx(46 / 49, abs=1e-12)

    # r_ab = 4/√(5·4), r_ac = 4.5/√(5·4.75), r_bc = 3/√(4·4.75);
    # α_std = 3·r̄ / (1 + 2·r̄).
    mean_r = (4 / np.sqrt(20) + 4.5 / np.sqrt(23.75) + 3 / np.sqrt(19)) / 3
    assert result.std_alpha == pytest.approx(3 * mean_r / (1 + 2 * mean_r), abs=1e-12)

    items = result.to_dict()["items"]
    # Drop a: items b, c → item SS 8.75, total SS 8.75 + 2·3 = 14.75 → α = 2·(6/14.75).
    # Drop b: items a, c → item SS 9.75, total SS 9.75 + 2·4.5 = 18.75 → α = 2·(9/18.75).
    # Drop c: items a, b → item SS 9, total SS 9 + 2·4 = 17 → α = 2·(8/17).
    assert items["a"]["alpha_if_dropped"] == pytest.approx(12 / 14.75, abs=1e-12)
    assert items["b"]["alpha_if_dropped"] == pytest.approx(18 / 18.75, abs=1e-12)
    assert items["c"]["alpha_if_dropped"] == pytest.approx(16 / 17, abs=1e-12)
    # r_drop(a) = cov(a, b + c) / √(var a · var(b + c)) = (4 + 4.5) / √(5 · 14.75).
    # r_drop(b) = (4 + 3) / √(4 · 18.75);  r_drop(c) = (4.5 + 3) / √(4.75 · 17).
    assert items["a"]["r_drop"] == pytest.approx(8.5 / np.sqrt(5 * 14.75), abs=1e-12)
    assert items["b"]["r_drop"] == pytest.approx(7 / np.sqrt(4 * 18.75), abs=1e-12)
    assert items["c"]["r_drop"] == pytest.approx(7.5 / np.sqrt(4.75 * 17), abs=1e-12)


def test_hand_case_feldt_interval_matches_pingouin():
    result = cronbach_alpha(HAND, items=HAND_ITEMS)
    _, (low, high) = pingouin_alpha(HAND, "listwise")  # pingouin rounds to 3 decimals
    assert result.ci_low == pytest.approx(low, abs=5e-4)
    assert result.ci_high == pytest.approx(high, abs=5e-4)


# ─── pingouin on synthetic data ──────────────────────────────────────────────


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_listwise_matches_pingouin(seed):
    answers = synthetic_answers(seed, n=80, k=6, missing_share=0.05)
    complete = answers[~np.isnan(answers).any(axis=1)]
    result = cronbach_alpha(answers, items=[f"q{i}" for i in range(6)], missing="listwise")
    # pingouin counts incomplete rows in n for its listwise interval; give it only the
    # complete rows so both use the rows the estimate actually rests on.
    alpha, (low, high) = pingouin_alpha(complete, "listwise")
    assert result.n == complete.shape[0]
    assert result.alpha == pytest.approx(alpha, abs=1e-12)
    assert result.ci_low == pytest.approx(low, abs=5e-4)
    assert result.ci_high == pytest.approx(high, abs=5e-4)


@pytest.mark.parametrize("seed", [4, 5, 6])
def test_pairwise_matches_pingouin(seed):
    answers = synthetic_answers(seed, n=80, k=5, missing_share=0.15)
    answers = answers[~np.isnan(answers).all(axis=1)]  # pingouin counts blank rows in n
    result = cronbach_alpha(answers, items=[f"q{i}" for i in range(5)], missing="pairwise")
    alpha, (low, high) = pingouin_alpha(answers, "pairwise")
    assert result.n == answers.shape[0]
    assert result.alpha == pytest.approx(alpha, abs=1e-12)
    assert result.ci_low == pytest.approx(low, abs=5e-4)
    assert result.ci_high == pytest.approx(high, abs=5e-4)


def test_pairwise_standardized_alpha_uses_pandas_pairwise_correlations():
    answers = synthetic_answers(7, n=60, k=4, missing_share=0.2)
    result = cronbach_alpha(answers, items=list("abcd"), missing="pairwise")
    correlation = pd.DataFrame(answers).corr().to_numpy()
    mean_r = correlation[~np.eye(4, dtype=bool)].mean()
    assert result.std_alpha == pytest.approx(4 * mean_r / (1 + 3 * mean_r), abs=1e-12)


def test_alpha_if_dropped_matches_pingouin_without_the_item():
    answers = synthetic_answers(8, n=50, k=5)
    result = cronbach_alpha(answers, items=list("abcde")).to_dict()
    for index, name in enumerate("abcde"):
        alpha, _ = pingouin_alpha(np.delete(answers, index, axis=1), "listwise")
        assert result["items"][name]["alpha_if_dropped"] == pytest.approx(alpha, abs=1e-12)


def test_r_drop_is_correlation_with_sum_of_other_items():
    answers = synthetic_answers(9, n=50, k=4)
    result = cronbach_alpha(answers, items=list("abcd")).to_dict()
    for index, name in enumerate("abcd"):
        rest = np.delete(answers, index, axis=1).sum(axis=1)
        expected = np.corrcoef(answers[:, index], rest)[0, 1]
        assert result["items"][name]["r_drop"] == pytest.approx(expected, abs=1e-12)


# ─── published values ────────────────────────────────────────────────────────


def load_wide_missing() -> tuple[np.ndarray, list[str]]:
    lines = [
        line
        for line in (DATA / "cronbach_wide_missing.csv").read_text().splitlines()
        if not line.startswith("#")
    ]
    return np.genfromtxt(lines[1:], delimiter=","), lines[0].split(",")


def test_published_pairwise_alpha_on_cronbach_wide_missing():
    # pingouin.cronbach_alpha docstring (pingouin 0.5–0.7), "In R: psych::alpha(data,
    # use='pairwise')": alpha 0.732660835214447, 95% CI [0.435, 0.909] (n = 12, no blank row).
    answers, items = load_wide_missing()
    result = cronbach_alpha(answers, items=items, missing="pairwise")
    assert result.n == 12
    assert result.alpha == pytest.approx(0.732660835214447, abs=1e-12)
    assert result.ci_low == pytest.approx(0.435, abs=5e-4)
    assert result.ci_high == pytest.approx(0.909, abs=5e-4)


def test_published_listwise_alpha_on_cronbach_wide_missing():
    # Same docstring, "In R: psych::alpha(data, use='complete.obs')": alpha 0.8016949152542373.
    # Its CI [0.581, 0.933] uses n = 12 including the 3 incomplete rows; ours uses the 9
    # complete rows, so only alpha is compared.
    answers, items = load_wide_missing()
    result = cronbach_alpha(answers, items=items, missing="listwise")
    assert result.n == 9
    assert result.alpha == pytest.approx(0.8016949152542373, abs=1e-12)


# ─── n, k = 2 and undefined item statistics ──────────────────────────────────


def test_pairwise_n_ignores_blank_rows():
    answers = synthetic_answers(10, n=30, k=3, missing_share=0.1)
    answers = answers[~np.isnan(answers).all(axis=1)]
    with_blanks = np.vstack([answers, np.full((2, 3), np.nan)])
    without = cronbach_alpha(answers, items=list("abc"), missing="pairwise")
    result = cronbach_alpha(with_blanks, items=list("abc"), missing="pairwise")
    assert result.n == without.n == answers.shape[0]
    assert result == without


def test_two_items_alpha_if_dropped_is_none_and_r_drop_is_their_correlation():
    answers = synthetic_answers(11, n=40, k=2)
    result = cronbach_alpha(answers, items=["x", "y"]).to_dict()
    correlation = np.corrcoef(answers, rowvar=False)[0, 1]
    for name in ("x", "y"):
        assert result["items"][name]["alpha_if_dropped"] is None
        assert result["items"][name]["r_drop"] == pytest.approx(correlation, abs=1e-12)


def test_item_statistics_are_none_when_the_other_items_cancel_out():
    rng = np.random.default_rng(12)
    a = rng.integers(1, 6, size=30).astype(float)
    c = a + rng.integers(0, 3, size=30)
    answers = np.column_stack([a, 10.0 - a, c])  # a + b is constant
    result = cronbach_alpha(answers, items=["a", "b", "c"]).to_dict()
    assert result["items"]["c"]["alpha_if_dropped"] is None
    assert result["items"]["c"]["r_drop"] is None
    assert result["items"]["a"]["alpha_if_dropped"] is not None


# ─── to_dict contract ────────────────────────────────────────────────────────


def test_to_dict_has_exact_keys_and_plain_types():
    result = cronbach_alpha(HAND, items=HAND_ITEMS).to_dict()
    assert set(result) == {"n", "alpha", "std_alpha", "ci_low", "ci_high", "items"}
    assert type(result["n"]) is int
    for key in ("alpha", "std_alpha", "ci_low", "ci_high"):
        assert type(result[key]) is float
    assert list(result["items"]) == HAND_ITEMS
    for statistics in result["items"].values():
        assert set(statistics) == {"alpha_if_dropped", "r_drop"}
        assert all(type(value) is float for value in statistics.values())
    assert json.loads(json.dumps(result)) == result


# ─── degenerate input ────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("answers", "items", "options", "message"),
    [
        (HAND[:, :1], ["a"], {}, "at least 2 items"),
        (HAND, ["a", "b"], {}, "3 columns but 2 item names"),
        (HAND, ["a", "a", "c"], {}, "unique"),
        (np.full((4, 3), np.nan), HAND_ITEMS, {}, "all answers are missing"),
        (np.vstack([HAND[:1], [[1.0, np.nan, 2.0]]]), HAND_ITEMS, {}, "at least 2 rows"),
        (np.column_stack([HAND[:, :2], [3.0] * 4]), HAND_ITEMS, {}, "item 'c'"),
        (np.column_stack([HAND[:, 0], 10 - HAND[:, 0]]), ["a", "b"], {}, "total score"),
        (HAND, HAND_ITEMS, {"confidence": 1.0}, "confidence"),
        (HAND, HAND_ITEMS, {"missing": "mean"}, "missing must be"),
        (np.array([[1.0, np.inf], [2.0, 3.0]]), ["a", "b"], {}, "infinite"),
        (np.array([1.0, 2.0, 3.0]), ["a"], {}, "2-D"),
        (np.array([["x", "y"], ["z", "w"]]), ["a", "b"], {}, "numeric"),
    ],
)
def test_degenerate_input_raises_stats_error(answers, items, options, message):
    with pytest.raises(StatsError, match=message):
        cronbach_alpha(answers, items=items, **options)


def test_pairwise_rejects_items_never_answered_together():
    answers = np.array(
        [[1.0, np.nan, 2.0], [2.0, np.nan, 3.0], [np.nan, 3.0, 4.0], [np.nan, 5.0, 4.0]]
    )
    with pytest.raises(StatsError, match="'a' and 'b'"):
        cronbach_alpha(answers, items=HAND_ITEMS, missing="pairwise")


def test_pairwise_rejects_constant_item():
    answers = np.array([[1.0, 2.0], [2.0, 2.0], [3.0, np.nan]])
    with pytest.raises(StatsError, match="item 'b'"):
        cronbach_alpha(answers, items=["a", "b"], missing="pairwise")


# ─── properties ──────────────────────────────────────────────────────────────


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    k=st.integers(2, 6),
    policy=st.sampled_from(["listwise", "pairwise"]),
    data=st.data(),
)
def test_alpha_unchanged_by_reordering_items(seed, k, policy, data):
    rng = np.random.default_rng(seed)
    factor = rng.normal(size=(40, 1))
    answers = factor + rng.normal(size=(40, k))
    if policy == "pairwise":
        answers[rng.random((40, k)) < 0.1] = np.nan
    names = [f"q{i}" for i in range(k)]
    order = data.draw(st.permutations(range(k)))
    original = cronbach_alpha(answers, items=names, missing=policy).to_dict()
    reordered = cronbach_alpha(
        answers[:, order], items=[names[i] for i in order], missing=policy
    ).to_dict()
    for key in ("n", "alpha", "std_alpha", "ci_low", "ci_high"):
        assert reordered[key] == pytest.approx(original[key], abs=1e-10)
    for name in names:
        for key, value in original["items"][name].items():
            assert reordered["items"][name][key] == pytest.approx(value, abs=1e-10)

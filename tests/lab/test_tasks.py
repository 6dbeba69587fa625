"""The four tasks generate what the 1997 paper describes and judge by its rules."""

import numpy as np
import pytest

from studydeck.lab import reber
from studydeck.lab.batch import IGNORE
from studydeck.lab.catalog import TASK_NAMES
from studydeck.lab.tasks import TaskError, make_task, task_names


def test_the_catalog_names_every_registered_task():
    assert tuple(task_names()) == TASK_NAMES


def test_lengths_are_checked_with_a_clear_message():
    with pytest.raises(TaskError, match=r"--length for adding \(T\) must be 20"):
        make_task("adding", 5)
    with pytest.raises(TaskError, match="has no length"):
        make_task("reber", 10)
    with pytest.raises(TaskError, match="unknown task"):
        make_task("parity")
    assert make_task("adding").length == 100 and make_task("temporal-order").length == 100
    assert make_task("long-lag").length == 20


def test_adding_sequences_follow_section_5_4():
    task = make_task("adding", 40)
    x, lengths, target, marks = task.generate(np.random.default_rng(3), 400)
    assert lengths.min() >= 40 and lengths.max() <= 44 and len(set(lengths)) > 1
    for k, L in enumerate(lengths):
        values, markers = x[:L, k, 0], x[:L, k, 1]
        first, second = marks[k]
        assert first < 10 and second < 20 and first != second
        assert sorted(np.flatnonzero(markers == 1.0)) == sorted([first, second])
        ends = [i for i in (0, L - 1) if i not in (first, second)]
        assert all(markers[i] == -1.0 for i in ends)
        assert np.count_nonzero(markers) == 2 + len(ends)
        assert np.all(np.abs(values) <= 1.0) and not x[L:, k].any()
        if 0 in (first, second):
            assert values[0] == 0.0
        assert target[k, 0] == pytest.approx(0.5 + (values[first] + values[second]) / 4)
    assert np.any(marks[:, 1] > 10)  # the second mark reaches past the first ten pairs


def test_adding_is_seeded_and_judged_by_the_004_rule():
    task = make_task("adding", 20)
    a, b = task.sample(np.random.default_rng(1), 5), task.sample(np.random.default_rng(1), 5)
    assert np.array_equal(a.x, b.x) and np.array_equal(a.target, b.target)
    out = a.target + np.array([[0.0], [0.039], [-0.039], [0.041], [-0.5]])
    assert task.correct(out, a).tolist() == [True, True, True, False, False]


def test_temporal_order_classes_follow_the_order_of_x_and_y():
    task = make_task("temporal-order")
    batch = task.sample(np.random.default_rng(0), 300)
    symbols = "abcdXYEB"
    seen = set()
    for k, L in enumerate(batch.lengths):
        assert 100 <= L <= 110
        seq = "".join(symbols[i] for i in np.argmax(batch.x[:L, k], axis=1))
        assert batch.x[:L, k].sum() == L and not batch.x[L:, k].any()
        assert seq[0] == "E" and seq[-1] == "B" and set(seq[1:-1]) <= set("abcdXY")
        relevant = [(t, c) for t, c in enumerate(seq) if c in "XY"]
        assert len(relevant) == 2
        (t1, c1), (t2, c2) = relevant
        assert 10 <= t1 <= 20 and 50 <= t2 <= 60
        assert "QRSU"[batch.target[k]] == {"XX": "Q", "XY": "R", "YX": "S", "YY": "U"}[c1 + c2]
        seen.add(batch.target[k])
    assert seen == {0, 1, 2, 3}


def test_temporal_order_correct_means_every_output_within_0_3():
    task = make_task("temporal-order", 30)
    batch = task.sample(np.random.default_rng(2), 3)
    probs = np.full((3, 4), 0.0)
    probs[np.arange(3), batch.target] = [0.71, 0.69, 0.9]
    probs[np.arange(3), (batch.target + 1) % 4] = [0.29, 0.31, 0.1]
    assert task.correct(probs, batch).tolist() == [True, False, True]


def test_long_lag_has_the_two_sequences_and_predicts_every_next_symbol():
    task = make_task("long-lag", 6)
    batch = task.test_set(None)
    assert task.input_size == task.output_size == 7
    inputs = np.argmax(batch.x, axis=2).T.tolist()
    assert inputs == [[6, 0, 1, 2, 3, 4], [5, 0, 1, 2, 3, 4]]  # (y, a1..a5), (x, a1..a5)
    assert batch.target.T.tolist() == [[0, 1, 2, 3, 4, 6], [0, 1, 2, 3, 4, 5]]
    perfect = np.eye(7)[batch.target]
    assert task.correct(perfect, batch).all()
    blurred = perfect.copy()
    blurred[-1, 0] = 0.7 * perfect[-1, 0] + 0.3 / 7
    assert task.correct(blurred, batch).tolist() == [False, True]
    drawn = task.sample(np.random.default_rng(0), 200)
    assert 60 < np.count_nonzero(drawn.x[0, :, 6]) < 140  # each sequence with probability 0.5


def _walk(string):
    """Check a string against the embedded grammar; returns the outer letter."""
    assert string[0] == "B" and string[-1] == "E" and string[2] == "B"
    assert string[1] in "TP" and string[-2] == string[1]
    inner, state = string[3:-2], 0
    for symbol in inner[:-1]:
        state = dict(reber.REBER[state])[symbol]
    assert inner[-1] == "E" and state == 5
    return string[1]


def test_reber_strings_are_grammatical_with_their_allowed_next_symbols():
    rng = np.random.default_rng(0)
    outers = set()
    for _ in range(300):
        string, allowed = reber.embedded_reber(rng)
        outers.add(_walk(string))
        assert len(allowed) == len(string) - 1
        assert all(string[t + 1] in allowed[t] for t in range(len(allowed)))
        assert allowed[-2] == {string[1]} and allowed[0] == {"T", "P"}
    assert outers == {"T", "P"}


def test_reber_sets_follow_section_5_1():
    task = make_task("reber")
    task.prepare(np.random.default_rng(1))
    test = task.test_set(np.random.default_rng(2))
    training = {s for s, _ in task.training}
    assert len(task.training) == 256 and test.size == 256
    lengths = test.lengths
    assert lengths.min() >= 8  # B T B T X S E T E has 9 symbols, 8 inputs
    test_strings = ["".join(reber.SYMBOLS[i] for i in np.argmax(test.x[:L, k], axis=1))
                    for k, L in enumerate(lengths)]
    full = [s + reber.SYMBOLS[test.target[L - 1, k]] for k, (s, L) in
            enumerate(zip(test_strings, lengths))]
    assert not training & set(full)
    assert np.all(test.target[lengths.max():] == IGNORE)


def test_reber_correct_needs_the_allowed_symbols_on_top():
    task = make_task("reber")
    batch = reber.to_batch(reber.generate(np.random.default_rng(0), 1))
    legal = batch.legal.astype(float)
    probs = legal / legal.sum(axis=-1, keepdims=True)
    assert task.correct(probs, batch).all()
    t = int(np.flatnonzero(batch.legal[:, 0].sum(axis=-1) == 2)[0])
    wrong = probs.copy()
    wrong[t, 0] = 0.0
    wrong[t, 0, np.flatnonzero(batch.legal[t, 0])[0]] = 0.6
    wrong[t, 0, np.flatnonzero(~batch.legal[t, 0])[0]] = 0.4  # above the second allowed one
    assert not task.correct(wrong, batch).any()

"""Properties every kind must have: determinism, JSON, names, tolerance, solutions."""

from __future__ import annotations

import json
import re

import pytest

from studydeck.drills import (KINDS, PARAMS, ParamError, Question, UnknownKindError, generate,
                              grade)
from studydeck.drills.fmt import round_half_up, tolerance_for_decimals

SIZE_PREFIXES = ("params.", "shapes.", "macs.")
STEP_NAMES = {"x", "h0", "c0", "weight_ih", "weight_hh", "bias_ih", "bias_hh"}
SIZE_NAMES = {"input_size", "hidden_size", "num_layers", "bias", "batch_first", "bidirectional",
              "proj_size"}
CELL_NAMES = {"x", "h_prev", "c_prev", "i", "f", "g", "o", "c", "h", "r", "z", "n",
              "h_forward", "h_backward"}
SEEDS = range(12)


def _flat(value):
    if isinstance(value, list):
        return [x for v in value for x in _flat(v)]
    return [value]


@pytest.mark.parametrize("kind", list(KINDS))
def test_same_seed_same_question_and_json_round_trip(kind):
    a, b = generate(kind, 12345), generate(kind, 12345)
    assert a.to_json() == b.to_json()
    data = json.loads(json.dumps(a.to_json()))
    assert Question.from_json(data) == a
    for key in ("kind", "seed", "prompt", "given", "answer", "tolerance", "solution"):
        assert key in data
    assert data["kind"] == kind and data["seed"] == 12345
    questions = {json.dumps(generate(kind, s).to_json(), sort_keys=True) for s in range(8)}
    assert len(questions) >= 4, "different seeds should give different questions"


@pytest.mark.parametrize("kind", list(KINDS))
def test_given_names_and_cell(kind):
    for seed in SEEDS:
        q = generate(kind, seed)
        assert isinstance(q.given, dict) and q.given
        json.dumps(q.given)  # plain lists and numbers only
        if kind.startswith(SIZE_PREFIXES):
            assert SIZE_NAMES <= set(q.given), kind
            assert q.cell is None
            assert q.answer_format in ("integer", "shapes")
        if kind.startswith(("lstm.", "gru.", "variant.")) and not kind.endswith(("cell_update", "hidden_update")):
            assert {"x", "h0", "weight_ih", "weight_hh", "bias_ih", "bias_hh"} <= {
                k.removesuffix("_l0") for k in q.given}, kind
            assert q.given["gate_order"] in ("ifgo", "igo", "rzn")
        if kind.startswith(("lstm.", "gru.", "variant.", "bidir.")):
            assert isinstance(q.cell, dict) and set(q.cell) <= CELL_NAMES, (kind, q.cell)
            assert all(isinstance(v, list) for v in q.cell.values())


def _variants(value: float, decimals: int) -> list[str]:
    return [f"{value:.{decimals}f}", f"{round_half_up(value, decimals):.{decimals}f}"]


@pytest.mark.parametrize("kind", [k for k in KINDS if not k.startswith(SIZE_PREFIXES)])
def test_rounded_answers_accepted_and_near_misses_rejected(kind):
    for seed in SEEDS:
        q = generate(kind, seed)
        if q.answer_format == "integer":
            assert grade(q, str(q.answer)).correct
            assert not grade(q, str(q.answer + 1)).correct
            continue
        assert grade(q, q.answer_text).correct, (kind, seed, q.answer_text)
        flat = _flat(q.answer)
        m = re.search(r"to (\d) decimals", q.prompt)
        if m:
            d = int(m.group(1))
            if "decimals in intermediate values" in q.prompt:
                # derived from the prescribed rounding, and still below one unit
                assert 0.5 * 10.0 ** -d < q.tolerance < 10.0 ** -d, (kind, seed, q.tolerance)
            else:
                assert q.tolerance == pytest.approx(tolerance_for_decimals(d))
            for k in range(2):
                text = " ".join(_variants(v, d)[k] for v in flat)
                assert grade(q, text).correct, (kind, seed, text)
        wrong = list(flat)
        wrong[-1] += 3 * q.tolerance
        assert not grade(q, " ".join(repr(v) for v in wrong)).correct


@pytest.mark.parametrize("kind", [k for k in KINDS if k.startswith(SIZE_PREFIXES)])
def test_size_answers_exact(kind):
    for seed in SEEDS:
        q = generate(kind, seed)
        assert q.tolerance == 0
        assert grade(q, q.answer_text).correct
        if q.answer_format == "integer":
            assert not grade(q, str(q.answer + 1)).correct
        else:
            wrong = [list(s) for s in q.answer]
            wrong[0][-1] += 1
            assert not grade(q, " ".join(str(tuple(s)) for s in wrong)).correct


_SUM_LINE = re.compile(r"^\s+= ((?:\(?-?\d+\.\d{4}\)? \+ )+\(?-?\d+\.\d{4}\)?) = (-?\d+\.\d{4})$")


@pytest.mark.parametrize("kind", list(KINDS))
def test_worked_solution_is_consistent(kind):
    for seed in SEEDS:
        q = generate(kind, seed)
        lines = q.solution.splitlines()
        assert len(lines) >= 2 and lines[-1] == f"Answer: {q.answer_text}"
        for line in lines:
            m = _SUM_LINE.match(line)
            if m:
                terms = [float(t.strip("()")) for t in m.group(1).split(" + ")]
                assert abs(sum(terms) - float(m.group(2))) <= 6e-5 * len(terms) + 1e-9, line


def test_gate_solution_names_every_step():
    q = generate("lstm.forget_gate", 3, {"hidden_size": 1, "input_size": 2})
    text = q.solution
    assert "a_f[0] = W_if[0]·x + b_if[0] + W_hf[0]·h_prev + b_hf[0]" in text
    assert re.search(r"f\[0\] = σ\(-?\d\.\d{4}\) = \d\.\d{4}", text)
    step = generate("lstm.step", 3).solution
    for piece in ("a_i[0]", "a_f[0]", "a_g[0]", "a_o[0]", "c[0] = f[0]·c0[0] + i[0]·g[0]",
                  "tanh(c[0])", "h[0] = o[0]·tanh(c[0])"):
        assert piece in step


def test_params_are_respected():
    q = generate("lstm.forget_gate", 1, {"hidden_size": 3, "input_size": 3, "decimals": 4})
    assert len(q.answer) == 3 and len(q.given["x"]) == 3 and "to 4 decimals" in q.prompt
    assert len(q.given["weight_ih"]) == 12
    q = generate("params.stacked", 1, {"cell": "gru", "num_layers": 3, "input_size": 7,
                                       "hidden_size": 9})
    assert q.given["num_layers"] == 3 and "nn.GRU(input_size=7, hidden_size=9" in q.prompt
    q = generate("sigmoid.value", 1, {"x": 0.0})
    assert q.answer == 0.5


@pytest.mark.parametrize("kind, params, message", [
    ("lstm.forget_gate", {"hiden_size": 2}, "did you mean 'hidden_size'"),
    ("lstm.forget_gate", {"hidden_size": 9}, "from 1 to 3"),
    ("params.stacked", {"cell": "rnn"}, "one of lstm, gru"),
    ("params.proj_size", {"hidden_size": 8, "proj_size": 8}, "smaller than hidden_size"),
    ("bidir.output_concat", {"seq_len": 2, "t": 3}, "at most seq_len"),
    ("shapes.lstm", {"bidirectional": "yes"}, "true or false"),
])
def test_bad_params_raise_param_error(kind, params, message):
    with pytest.raises(ParamError, match=message):
        generate(kind, 0, params)


def test_unknown_kind_names_the_closest():
    with pytest.raises(UnknownKindError, match="lstm.forget_gate"):
        generate("lstm.forgetgate", 0)


def test_every_kind_declares_its_params():
    assert set(PARAMS) == set(KINDS)


def test_negative_and_huge_seeds_work():
    assert generate("lstm.step", -5).seed == -5
    assert generate("tanh.value", 2**70).answer == generate("tanh.value", 2**70).answer


def _final_value(lines: list[str], label: str, j: int) -> float:
    """The number that ends the last derivation of ``label[j]`` (h: one line, c: three)."""
    k = max(n for n, line in enumerate(lines) if line.startswith(f"{label}[{j}] = "))
    last = lines[k] if label == "h" else lines[k + 2]
    return float(last.rsplit(" = ", 1)[1].split()[0])


@pytest.mark.parametrize("kind", ["lstm.step", "lstm.two_steps", "variant.peephole_step"])
def test_solution_ends_within_the_rounding_bound_of_the_engine_answer(kind):
    # The worked solution rounds as the prompt prescribes, so it may end a little off the
    # engine's exact answer, but never farther than the bound the tolerance adds.
    for seed in SEEDS:
        q = generate(kind, seed, {"hidden_size": 2})
        reach = q.tolerance - 0.5e-3
        lines = q.solution.splitlines()
        for label, vec in (("h", q.answer[0]), ("c", q.answer[1])):
            for j, value in enumerate(vec):
                assert abs(_final_value(lines, label, j) - value) <= reach, (kind, seed, label, j)


def test_registry_matches_catalog():
    from studydeck.drills.registry import REGISTRY

    assert list(REGISTRY) == list(KINDS)
    for name, entry in REGISTRY.items():
        assert entry.name == name and entry.description == KINDS[name]
        assert entry.generate(3).kind == name

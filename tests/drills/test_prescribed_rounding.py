"""A student who rounds exactly as the prompt prescribes is always marked right."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studydeck.drills import KINDS, generate, grade
from studydeck.drills import PARAMS as CATALOG_PARAMS
from studydeck.drills.selection import plan

from .drill_student import KEEP, Student, decimals_asked, places_kept, typed_answer
from tests.helpers import examples

# every kind whose prompt prescribes the rounding of intermediate values
KEEPERS = [k for k in KINDS if KEEP in generate(k, 0).prompt]
PARAMS = {
    "bidir.output_concat": [{}, {"cell": "gru", "hidden_size": 2, "input_size": 2},
                            {"cell": "lstm", "hidden_size": 2, "input_size": 2, "seq_len": 3}],
}


def _largest(kind, name, size):
    """``size``, or the largest the kind allows for param ``name``."""
    return min(size, int(CATALOG_PARAMS[kind][name].high))


def _param_sets(kind):
    if kind in PARAMS:
        return PARAMS[kind]
    if "input_size" in CATALOG_PARAMS[kind]:
        return [{}, {"input_size": _largest(kind, "input_size", 3),
                     "hidden_size": _largest(kind, "hidden_size", 3)}]
    return [{}, {"hidden_size": _largest(kind, "hidden_size", 3)}]


def test_the_prescribing_kinds_are_the_expected_ones():
    for kind in ("lstm.step", "lstm.two_steps", "variant.peephole_step", "gru.reset_before",
                 "gru.reset_convention_difference", "greff.fgr", "backprop.lstm_two_steps",
                 "backprop.gru_weight"):
        assert kind in KEEPERS


def test_reported_case_lstm_two_steps_seed_24_question_5():
    kind, seed = plan("lstm.two_steps", 5, 24)[4]
    q = generate(kind, seed)
    for half_up in (True, False):
        text = typed_answer(kind, q, Student("exact", places_kept(q.prompt), half_up=half_up), 3)
        assert grade(q, text).correct, (text, q.answer_text, q.tolerance)


@pytest.mark.parametrize("kind", KEEPERS)
def test_student_rounding_exactly_as_told_accepted_over_many_seeds(kind):
    for params in _param_sets(kind):
        for seed in range(150):
            q = generate(kind, seed, params)
            d = decimals_asked(q.prompt)
            for half_up in (True, False):
                text = typed_answer(kind, q, Student("exact", places_kept(q.prompt), half_up=half_up), d)
                verdict = grade(q, text)
                assert verdict.correct, (kind, params, seed, text, q.answer_text, verdict.message)


@settings(max_examples=examples(400), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(KEEPERS), st.integers(0, 2**31 - 1), st.integers(0, 2**16),
       st.sampled_from([1, 2, 3]), st.integers(1, 6))
def test_any_student_following_the_rule_is_accepted(kind, seed, habit_seed, size, decimals):
    params = {"decimals": decimals}
    if kind == "bidir.output_concat":
        params.update(hidden_size=min(size, 2), cell=["rnn", "gru", "lstm"][habit_seed % 3])
    elif kind != "gru.reset_convention_difference" or size > 1:
        params.update(hidden_size=_largest(kind, "hidden_size", size))
        if "input_size" in CATALOG_PARAMS[kind]:
            params.update(input_size=_largest(kind, "input_size", size))
    q = generate(kind, seed, params)
    text = typed_answer(kind, q, Student("mixed", places_kept(q.prompt), seed=habit_seed), decimals)
    verdict = grade(q, text)
    assert verdict.correct, (kind, params, seed, text, q.answer_text, verdict.message)

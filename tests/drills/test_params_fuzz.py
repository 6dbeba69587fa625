"""Any params a deck may declare either give a gradable question or a ParamError."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studydeck.drills import KINDS, PARAMS, ParamError, generate, grade


def _value(spec):
    if spec.type == "bool":
        return st.booleans()
    if spec.type == "choice":
        return st.sampled_from(spec.choices)
    high = min(spec.high, 48)  # big layers are legal but slow; the rules are the same
    if spec.type == "int":
        return st.integers(int(spec.low), int(high))
    return st.floats(spec.low, high, allow_nan=False)


@st.composite
def kind_and_params(draw):
    kind = draw(st.sampled_from(list(KINDS)))
    specs = PARAMS[kind]
    names = draw(st.sets(st.sampled_from(sorted(specs)))) if specs else set()
    return kind, {name: draw(_value(specs[name])) for name in sorted(names)}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind_and_params(), st.integers(0, 2**32))
def test_declared_params_give_a_question_or_param_error(case, seed):
    kind, params = case
    try:
        q = generate(kind, seed, params)
    except ParamError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert q.params == params
    assert grade(q, q.answer_text).correct

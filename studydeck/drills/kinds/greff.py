"""The eight LSTM variants of Greff et al. as one-step drills, answered by the engine's LSTMCell.

Greff, Srivastava, Koutník, Steunebrink & Schmidhuber, "LSTM: A Search Space
Odyssey" (arXiv 2015; IEEE TNNLS 28(10), 2017) compare eight variants, each one
change to their *vanilla* LSTM, which has peephole connections:

    a_i = W_ii x + b_ii + W_hi h0 + b_hi + w_ci ⊙ c0      i = σ(a_i)
    a_f = W_if x + b_if + W_hf h0 + b_hf + w_cf ⊙ c0      f = σ(a_f)
    a_g = W_ig x + b_ig + W_hg h0 + b_hg                   g = tanh(a_g)
    c_1 = f ⊙ c0 + i ⊙ g
    a_o = W_io x + b_io + W_ho h0 + b_ho + w_co ⊙ c_1     o = σ(a_o)
    h_1 = o ⊙ tanh(c_1)

    NIG  i = 1          NFG  f = 1           NOG  o = 1          NIAF  g = a_g
    NOAF h = o ⊙ c      NP   no peepholes    CIFG f = 1 − i      FGR   a_q += R_q [i; f; o]_prev

PyTorch's nn.LSTMCell has no peepholes (it is NP).  Each drill states its
baseline: ``vanilla`` (the paper's, with peepholes) or ``pytorch`` (the same
change made to nn.LSTMCell); NP has one baseline.  Weights use PyTorch's
names and two bias vectors (the paper has one bias per gate: their sum).
"""

from __future__ import annotations

from dataclasses import replace

from studydeck.engine import LSTMCell, lstm_variant

from .. import fmt, rounding, written
from ..common import (
    as_lists,
    decimals_of,
    grid,
    keep_digits,
    pylist,
    question,
    rng_for,
    scratch,
    sizes,
    step_places,
)
from .lstm_case import LSTMCase, gate_parts
from ..solution import SIGMOID, TANH, Part, activation, dot, gate_lines, preactivation

VARIANTS = {
    "nig": ("NIG", "no input gate", "i = 1: the whole candidate enters the cell, c_1 = f ⊙ c0 + g"),
    "nfg": ("NFG", "no forget gate", "f = 1: the old cell state is kept whole, c_1 = c0 + i ⊙ g"),
    "nog": ("NOG", "no output gate", "o = 1: h_1 = tanh(c_1)"),
    "niaf": ("NIAF", "no input activation function", "the candidate is not squashed: g = a_g (no tanh)"),
    "noaf": ("NOAF", "no output activation function", "the cell state is not squashed: h_1 = o ⊙ c_1"),
    "np": ("NP", "no peepholes", "the gates do not read the cell state"),
    "cifg": ("CIFG", "coupled input and forget gate", "f = 1 − i: the forget gate has no weights of its own"),
    "fgr": ("FGR", "full gate recurrence", ("the gates i, f, o also read the previous step's i, f, o "
            "through weight_fgr")),
}
BASELINES = ("vanilla", "pytorch")
SOURCE = "Greff et al., LSTM: A Search Space Odyssey (arXiv 2015; IEEE TNNLS 2017)"


def baseline_of(variant: str, seed: int, params: dict) -> str:
    """The baseline asked for, else alternating with the seed; NP is PyTorch's cell."""
    if variant == "np":
        return "pytorch"
    return params.get("baseline") or BASELINES[seed % 2]


def draw(variant: str, seed: int, params: dict) -> tuple[LSTMCase, list | None]:
    """A hand-sized case of ``variant`` and (FGR) the previous step's gates [i; f; o]."""
    spec = lstm_variant(variant, peephole=baseline_of(variant, seed, params) == "vanilla")
    rng = rng_for(seed)
    I, H = sizes(rng, {"hidden_size": 1, **params} if spec.fgr else params)
    cell = LSTMCell(I, H, variant=spec, rng=scratch())
    cell.load_state_dict({name: grid(rng, shape, -0.5, 0.5) if name.startswith("bias")
                          else grid(rng, shape) for name, shape in cell.parameter_shapes().items()})
    x, h0, c0 = grid(rng, (I,)), grid(rng, (H,), -0.9, 0.9), grid(rng, (H,), -1.5, 1.5)
    q_prev = grid(rng, (3 * H,), 0.05, 0.95, 0.05) if spec.fgr else None
    trace = as_lists(cell.trace(x, (h0, c0), q_prev))
    return LSTMCase(I, H, cell, x, h0, c0, trace), None if q_prev is None else pylist(q_prev)


def given(case: LSTMCase, q_prev) -> dict:
    """PyTorch's names; peephole vectors as w_ci, w_cf, w_co; FGR's i_prev, f_prev, o_prev."""
    out = {}
    for name, value in case.given().items():
        out["w_" + name[len("weight_"):] if name.startswith("weight_c") else name] = value
    if q_prev is not None:
        H = case.hidden_size
        for k, q in enumerate("ifo"):
            out[q + "_prev"] = q_prev[k * H:(k + 1) * H]
    return out


def _pre_text(spec, q: str, c_sym: str) -> str:
    text = f"a_{q} = W_i{q}·x + b_i{q} + W_h{q}·h0 + b_h{q}"
    if "c" + q in spec.peepholes:
        text += f" + w_c{q} ⊙ {c_sym}"
    if spec.fgr and q in "ifo":
        text += f" + R_{q}·[i_prev; f_prev; o_prev]"
    return text


def equations(spec) -> list[str]:
    """The variant's equations, one line per quantity, in the order they are computed."""
    lines = [f"  {_pre_text(spec, 'i', 'c0')},  i = σ(a_i)" if "i" in spec.blocks else "  i = 1"]
    if "f" in spec.blocks:
        lines.append(f"  {_pre_text(spec, 'f', 'c0')},  f = σ(a_f)")
    else:
        lines.append("  f = 1 − i" if spec.cifg else "  f = 1")
    lines.append(f"  {_pre_text(spec, 'g', '')},  g = " + ("tanh(a_g)" if spec.input_activation else "a_g"))
    o_line = f"  {_pre_text(spec, 'o', 'c_1')},  o = σ(a_o)" if "o" in spec.blocks else "  o = 1"
    c_line = "  c_1 = f ⊙ c0 + i ⊙ g"
    lines += [c_line, o_line] if "co" in spec.peepholes else [o_line, c_line]
    lines.append("  h_1 = o ⊙ " + ("tanh(c_1)" if spec.output_activation else "c_1"))
    return lines


def _gate(case: LSTMCase, q: str, q_prev) -> list[str]:
    spec, tr, H = case.cell.variant, case.trace, case.hidden_size
    lines = []
    for j in range(H):
        parts = gate_parts(case, q, j, "h0", "c0")
        if spec.fgr and q in "ifo":  # before a peephole term, as written.lstm adds them
            row = case.cell.weight_fgr["ifo".index(q) * H + j]
            at = len(parts) - ("c" + q in spec.peepholes)
            parts.insert(at, dot(f"R_{q}[{j}]·[i;f;o]_prev", row, q_prev))
        pre, out = float(tr["a_" + q][j]), float(tr[q][j])
        if q == "g" and not spec.input_activation:
            lines += preactivation(f"a_g[{j}]", parts, pre)
            lines.append(f"g[{j}] = a_g[{j}] = {fmt.num(out)}   (no input activation)")
        else:
            lines += gate_lines(q, j, TANH if q == "g" else SIGMOID, parts, pre, out)
    return lines


def _cell(case: LSTMCase) -> list[str]:
    spec, tr = case.cell.variant, case.trace
    lines = []
    for j in range(case.hidden_size):
        f, c0, i, g = (float(tr[k][j]) for k in ("f", "c_prev", "i", "g"))
        keep = (Part(f"c0[{j}]", fmt.term(fmt.auto(c0)), c0) if "f" not in spec.blocks and not spec.cifg
                else Part(f"f[{j}]·c0[{j}]", f"{fmt.num(f)}·{fmt.term(fmt.auto(c0))}", f * c0))
        new = (Part(f"g[{j}]", fmt.term(fmt.num(g)), g) if "i" not in spec.blocks
               else Part(f"i[{j}]·g[{j}]", f"{fmt.num(i)}·{fmt.term(fmt.num(g))}", i * g))
        lines += preactivation(f"c[{j}]", [keep, new], float(tr["c"][j]))
    return lines


def _hidden(case: LSTMCase) -> list[str]:
    spec, tr = case.cell.variant, case.trace
    lines = []
    for j in range(case.hidden_size):
        c, o, h = float(tr["c"][j]), float(tr["o"][j]), float(tr["h"][j])
        if not spec.output_activation:
            lines.append(f"h[{j}] = o[{j}]·c[{j}] = {fmt.num(o)}·{fmt.term(fmt.num(c))} = {fmt.num(h)}")
            continue
        lines.append(activation(f"tanh(c[{j}])", TANH, c, float(tr["tanh_c"][j])))
        if "o" in spec.blocks:
            lines.append(f"h[{j}] = o[{j}]·tanh(c[{j}]) = {fmt.num(o)}·"
                         f"{fmt.term(fmt.num(tr['tanh_c'][j]))} = {fmt.num(h)}")
        else:
            lines.append(f"h[{j}] = tanh(c[{j}]) = {fmt.num(h)}   (no output gate)")
    return lines


def sections(case: LSTMCase, q_prev, intro: str) -> list[list[str]]:
    """The worked solution in steps (each a hint): equations, gates, c, o, h."""
    spec, tr, H = case.cell.variant, case.trace, case.hidden_size
    steps = [[intro] + equations(spec)]
    if "i" in spec.blocks:
        steps.append(_gate(case, "i", q_prev))
    if "f" in spec.blocks:
        steps.append(_gate(case, "f", q_prev))
    elif spec.cifg:
        steps.append([f"f[{j}] = 1 − i[{j}] = 1 − {fmt.num(tr['i'][j])} = {fmt.num(tr['f'][j])}"
                      for j in range(H)])
    steps.append(_gate(case, "g", q_prev))
    late_o = "co" in spec.peepholes
    if "o" in spec.blocks and not late_o:
        steps.append(_gate(case, "o", q_prev))
    steps.append(_cell(case))
    if late_o:
        steps.append(["o reads the new cell state c_1 through w_co, so it comes after c."]
                     + _gate(case, "o", q_prev))
    steps.append(_hidden(case))
    return steps


def _count(n: int) -> str:
    return "1 number" if n == 1 else f"a vector of {n} numbers"


def _baseline_text(variant: str, baseline: str) -> str:
    if variant == "np":
        return ("NP is their vanilla LSTM without the peephole connections: it computes what "
                "PyTorch's nn.LSTMCell computes, with no peepholes (PyTorch's two bias vectors add "
                "up to the paper's one bias per gate)")
    if baseline == "vanilla":
        return ("Baseline: Greff et al.'s vanilla LSTM, which has peephole connections (vectors "
                "w_ci, w_cf, w_co: the input and forget gates read c0, the output gate reads the "
                "new c_1); PyTorch's nn.LSTMCell has none")
    return ("Baseline here: PyTorch's nn.LSTMCell, which has no peephole connections (the paper's "
            "vanilla LSTM has them); the change is made to that cell")


def step_kind(variant: str):
    short, long_name, change = VARIANTS[variant]

    def generate(kind: str, seed: int, params: dict):
        case, q_prev = draw(variant, seed, params)
        d, H, spec = decimals_of(params), case.hidden_size, case.cell.variant
        # the worked solution writes every value rounded as the prompt prescribes
        ar = rounding.Arithmetic(step_places(d))
        nums = written.lstm(case.cell, case.x, rounding.exacts(case.h0), rounding.exacts(case.c0),
                            ar, None if q_prev is None else rounding.exacts(q_prev), write_ig=True)
        shown = replace(case, trace=written.shown_trace(nums))
        exact, bounds = [case.trace["h"], case.trace["c"]], [nums["h"], nums["c"]]
        tol = rounding.tolerance(d, exact, bounds)
        baseline = baseline_of(variant, seed, params)
        blocks = ", ".join(spec.blocks)
        fgr = (" weight_fgr is (3·hidden_size, 3·hidden_size): its row blocks R_i, R_f, R_o add to "
               "a_i, a_f, a_o, its columns read i_prev, f_prev, o_prev, the gates of the step before."
               if spec.fgr else "")
        prompt = (f"{short} ({long_name}) is one of the eight LSTM variants compared by {SOURCE}; "
                  f"each changes one thing in their vanilla LSTM. {_baseline_text(variant, baseline)}. "
                  f"{short}: {change}. The cell has input_size {case.input_size} and hidden_size {H}; "
                  f"weight_ih and weight_hh stack the blocks {blocks} (labelled below), and both bias "
                  f"vectors bias_ih and bias_hh are added as in PyTorch.{fgr} It takes one step from "
                  f"(h0, c0) on input x. Compute h_1 and c_1 (each {_count(H)}), "
                  f"{fmt.decimals_phrase(d)}. {keep_digits(d)}")
        base = "no peepholes" if not spec.peepholes else "peepholes " + ", ".join(
            "w_" + p for p in spec.peepholes)
        intro = f"{short} on {'PyTorch' if baseline == 'pytorch' else 'vanilla'} ({base}); the step:"
        with fmt.step_decimals(ar.places):
            steps = sections(shown, q_prev, intro)
        steps[-1] += rounding.note(["h_1", "c_1"], exact, bounds, d, tol)
        lines = [line for step in steps for line in step]
        values = given(case, q_prev)
        if variant != "np":
            values["baseline"] = baseline
        return question(kind, seed, params, prompt=prompt, given=values,
                        answer=exact, answer_format="vectors", solution=lines, decimals=d,
                        tolerance=tol, cell=case.cell_values(), labels=["h_1", "c_1"],
                        hints=["\n".join(step) for step in steps], variant=variant)
    return generate


GENERATORS = {f"greff.{name}": step_kind(name) for name in VARIANTS}

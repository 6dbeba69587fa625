"""bidir.output_concat: one time step of a bidirectional layer's output.

    output[t] = [h→_t ; h←_t]
    h→_t: the forward direction (weights *_l0) after reading x_1 … x_t
    h←_t: the reverse direction (weights *_l0_reverse) after reading x_T … x_t

The answer is the engine layer's output row; the worked solution replays each
direction with the engine's cells (RNN by default, GRU or LSTM on request).
"""

from __future__ import annotations

from studydeck.engine import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell

from .. import fmt, rounding, written
from ..common import decimals_of, grid, keep_digits, pylist, question, rng_for, scratch, step_places
from .gru import GRUCase, step_lines as gru_step_lines
from .lstm_case import LSTMCase, step_lines as lstm_step_lines
from ..solution import activation, dot, preactivation, value

LAYERS = {"rnn": (RNN, RNNCell, ""), "gru": (GRU, GRUCell, "rzn"), "lstm": (LSTM, LSTMCell, "ifgo")}
TORCH = {"rnn": "nn.RNN", "gru": "nn.GRU", "lstm": "nn.LSTM"}

LONG = 2  # extra decimals kept in this long chain (see common.step_places)


def _rnn_lines(cell, tr, h_name: str) -> list[str]:
    lines = []
    for j in range(cell.hidden_size):
        parts = [dot(f"W_ih[{j}]·x", cell.weight_ih[j], tr["x"]), value(f"b_ih[{j}]", cell.bias_ih[j]),
                 dot(f"W_hh[{j}]·{h_name}", cell.weight_hh[j], tr["h_prev"]),
                 value(f"b_hh[{j}]", cell.bias_hh[j])]
        lines += preactivation(f"a[{j}]", parts, float(tr["a"][j]))
        lines.append(activation(f"h[{j}]", "tanh", float(tr["a"][j]), float(tr["h"][j])))
    return lines


def _direction(kind_name: str, layer, direction: int, xs, steps, ar) -> tuple[list[str], list]:
    """Replay one direction with a cell over ``steps`` (0-based times), each value written as
    the prompt's rounding allows; its lines and the last h (as rounding.Num)."""
    _, Cell, _ = LAYERS[kind_name]
    I, H = layer.input_size, layer.hidden_size
    cell = Cell(I, H, rng=scratch())
    cell.load_state_dict(layer.direction_params(0, direction))
    h = c = rounding.exacts([0.0] * H)
    arrow = "→" if direction == 0 else "←"
    lines = []
    for t in steps:
        h_name = f"h{arrow}_prev"
        lines.append(f"Step t = {t + 1} ({'forward' if direction == 0 else 'reverse'}): "
                     f"x_{t + 1} = {fmt.given_vec(xs[t])}, previous h{arrow} = "
                     f"{fmt.vec(rounding.shown(h))}")
        if kind_name == "rnn":
            nums = written.rnn(cell, xs[t], h, ar)
            lines += _rnn_lines(cell, written.shown_trace(nums), h_name)
        elif kind_name == "gru":
            nums = written.gru(cell, xs[t], h, ar)
            case = GRUCase(I, H, cell, xs[t], None, written.shown_trace(nums))
            lines += gru_step_lines(case)
        else:
            nums = written.lstm(cell, xs[t], h, c, ar)
            case = LSTMCase(I, H, cell, xs[t], None, None, written.shown_trace(nums))
            lines += lstm_step_lines(case, h_name, f"c{arrow}_prev")
            c = nums["c"]
        h = nums["h"]
    return lines, h


def _span(a: int, b: int) -> str:
    return f"x_{a}" if a == b else f"x_{a} … x_{b}"


def output_concat(kind: str, seed: int, params: dict):
    rng, d = rng_for(seed), decimals_of(params)
    cell_kind = params.get("cell", "rnn")
    I = int(params.get("input_size", 1))
    H = int(params.get("hidden_size", 1))
    T = int(params.get("seq_len", rng.integers(2, 4)))
    t_drawn = int(rng.integers(1, T + 1))
    t = int(params.get("t", t_drawn))
    if t > T:
        from ..errors import ParamError
        raise ParamError(f"t ({t}) must be at most seq_len ({T})")
    Layer, _, order = LAYERS[cell_kind]
    layer = Layer(I, H, bidirectional=True, rng=scratch())
    state = {name: grid(rng, shape, -0.5, 0.5) if name.startswith("bias") else grid(rng, shape)
             for name, shape in layer.parameter_shapes().items()}
    layer.load_state_dict(state)
    xs = grid(rng, (T, I))
    output, _ = layer(xs)
    answer = output[t - 1]
    ar = rounding.Arithmetic(step_places(d, LONG))
    with fmt.step_decimals(ar.places):
        fwd_lines, h_fwd = _direction(cell_kind, layer, 0, xs, range(t), ar)
        bwd_lines, h_bwd = _direction(cell_kind, layer, 1, xs, range(T - 1, t - 2, -1), ar)
        lines = [f"Forward direction (weights *_l0) reads {_span(1, t)} from h→ = 0:"] + fwd_lines
        lines += [f"h→_{t} = {fmt.vec(rounding.shown(h_fwd))}",
                  f"Reverse direction (weights *_l0_reverse) reads {_span(T, t)} from h← = 0:"]
        lines += bwd_lines + [f"h←_{t} = {fmt.vec(rounding.shown(h_bwd))}",
                              f"output[t={t}] = [h→_{t} ; h←_{t}] = "
                              f"{fmt.vec(rounding.shown(h_fwd + h_bwd))}   (forward half first)"]
    label = f"output[{t - 1}]"
    tol = rounding.tolerance(d, answer, h_fwd + h_bwd)
    lines += rounding.note([label], [answer], [h_fwd + h_bwd], d, tol)
    desc = {"rnn": "tanh", "gru": "gate order r, z, n", "lstm": "gate order i, f, g, o"}[cell_kind]
    prompt = (f"A bidirectional {TORCH[cell_kind]}(input_size={I}, hidden_size={H}, "
              f"bidirectional=True) ({desc}) reads the unbatched sequence x below (T = {T} steps, "
              f"one row per step) from zero initial states. Compute output at time step t = {t} "
              f"(1-based; output[{t - 1}] in Python): the forward direction's h after reading "
              f"{_span(1, t)} followed by the reverse direction's h after reading {_span(T, t)}. Answer as "
              f"{2 * H} numbers, {fmt.decimals_phrase(d)}. {keep_digits(d, LONG)}")
    given = {"gate_order": order, "x": pylist(xs)} if order else {"x": pylist(xs)}
    given.update({k: pylist(v) for k, v in layer.state_dict().items()})
    cell = {"x": pylist(xs[t - 1]), "h_forward": pylist(answer[:H]), "h_backward": pylist(answer[H:]),
            "h": pylist(answer)}
    return question(kind, seed, params, prompt=prompt, given=given, answer=answer,
                    answer_format="vector", solution=lines, decimals=d, tolerance=tol, cell=cell,
                    labels=[label])


GENERATORS = {"bidir.output_concat": output_concat}

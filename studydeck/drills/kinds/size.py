"""Size kinds: parameter counts, tensor shapes and multiply-accumulates.

Every answer comes from the engine's formulas, without building a layer:
counts from ``count_parameters_for``, the tensors listed in the solution from
``layer_shapes`` (the table a layer builds), MACs from the sizes of the weight
matrices (a test checks the formulas against built layers).  Per direction of
layer l (G blocks: LSTM 4, GRU 3, RNN 1; D_l = input_size, or Dn·H_out above):

    G·H·D_l + G·H·H_out + 2·G·H (two biases)  [+ P·H for weight_hr]

MAC convention (stated in every macs prompt): one multiply-accumulate per
weight of W_ih and W_hh per sample and time step, i.e. the two matrix–vector
products; bias additions, nonlinearities and the elementwise gate products
are not counted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

from studydeck.engine import count_parameters_for
from studydeck.engine.shapes import layer_shapes

from .. import fmt
from ..common import question, rng_for
from ..errors import ParamError

TORCH = {"lstm": "nn.LSTM", "gru": "nn.GRU", "rnn": "nn.RNN"}
GATES = {"lstm": "4 blocks i, f, g, o", "gru": "3 blocks r, z, n", "rnn": "1 block"}
INPUT_SIZES = (1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 24, 32, 50, 64)
HIDDEN_SIZES = (2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 24, 32, 40, 50, 64)
COUNT_RULE = "Count every weight and bias entry, as sum(p.numel() for p in m.parameters()) does."


def _pick(rng, params: dict, name: str, choices) -> int:
    drawn = int(rng.choice(choices))
    return int(params.get(name, drawn))


@dataclass(frozen=True)
class Layer:
    """A layer's configuration and its parameter table, from the formulas (no weights)."""

    cell: str
    input_size: int
    hidden_size: int
    num_layers: int = 1
    bias: bool = True
    bidirectional: bool = False
    proj_size: int = 0

    @property
    def num_directions(self) -> int:
        return 2 if self.bidirectional else 1

    @staticmethod
    def suffix(layer: int, direction: int) -> str:
        return f"_l{layer}" + ("_reverse" if direction else "")

    @cached_property
    def shapes(self) -> dict:
        return layer_shapes(self.cell, self.input_size, self.hidden_size, self.num_layers,
                            self.bias, self.bidirectional, self.proj_size)

    def count(self) -> int:
        return count_parameters_for(self.cell, self.input_size, self.hidden_size, self.num_layers,
                                    self.bias, self.bidirectional, self.proj_size)


def _build(cell: str, I: int, H: int, **kw) -> Layer:
    return Layer(cell, I, H, **kw)


def _config(cell: str, I: int, H: int, **kw) -> str:
    args = [f"input_size={I}", f"hidden_size={H}"]
    args += [f"{k}={v}" for k, v in kw.items()]
    return f"{TORCH[cell]}({', '.join(args)})"


def count_lines(layer) -> list[str]:
    """One line per layer and direction: each tensor's shape and size, then the total."""
    shapes = layer.shapes
    lines, totals = [], []
    for l in range(layer.num_layers):
        for direction in range(layer.num_directions):
            sfx = layer.suffix(l, direction)
            names = [n for n in shapes if n.endswith(sfx) and not (direction == 0 and n.endswith("_reverse"))]
            sizes = [math.prod(shapes[n]) for n in names]
            totals.append(sum(sizes))
            terms = " + ".join(f"{n.removesuffix(sfx)} {fmt.shape(shapes[n])} {s}" for n, s in zip(names, sizes))
            where = f"layer {l}" + (" reverse" if direction else (" forward" if layer.num_directions > 1 else ""))
            lines.append(f"{where}: {terms} = {sum(sizes)}")
    total = layer.count()
    if len(totals) > 1:
        lines.append(f"Total = {' + '.join(map(str, totals))} = {total}")
    else:
        lines.append(f"Total = {total}")
    return lines


def _count_question(kind, seed, params, cell, extra_lines, hidden_size=None, **kw):
    rng = rng_for(seed)
    I, H = _pick(rng, params, "input_size", INPUT_SIZES), _pick(rng, params, "hidden_size", HIDDEN_SIZES)
    H = hidden_size or H
    kw = {k: v for k, v in kw.items() if v is not None}
    layer = _build(cell, I, H, **kw)
    defaults = {"bias": True, "num_layers": 1, "bidirectional": False, "proj_size": 0}
    shown = {k: v for k, v in kw.items() if defaults.get(k, object()) != v}
    prompt = f"How many parameters does {_config(cell, I, H, **shown)} have? {COUNT_RULE}"
    given = {"input_size": I, "hidden_size": H, "num_layers": layer.num_layers, "bias": layer.bias,
             "batch_first": False, "bidirectional": layer.bidirectional,
             "proj_size": layer.proj_size}
    lines = [f"{TORCH[cell]} stacks {GATES[cell]} in weight_ih and weight_hh."] + extra_lines(I, H, layer)
    lines += count_lines(layer)
    return question(kind, seed, params, prompt=prompt, given=given, answer=layer.count(),
                    answer_format="integer", solution=lines)


def _simple(cell: str):
    G = {"lstm": 4, "gru": 3, "rnn": 1}[cell]

    def generate(kind, seed, params):
        bias = params.get("bias", True)

        def formula(I, H, layer):
            b = f" + 2·{G}·H" if layer.bias else ""
            return [f"Per layer: {G}·H·I + {G}·H·H{b} with I = {I}, H = {H}."]
        return _count_question(kind, seed, params, cell, formula, bias=bias)
    return generate


def _cell_choice(rng, params) -> str:
    drawn = "lstm" if rng.integers(2) == 0 else "gru"
    return params.get("cell", drawn)


def stacked(kind, seed, params):
    rng = rng_for(seed + 7)
    cell, L = _cell_choice(rng, params), int(params.get("num_layers", rng.integers(2, 4)))
    def note(I, H, layer):
        return [f"Layer 0 reads x (size {I}); layers above read the hidden state of the layer below (size {H})."]

    return _count_question(kind, seed, params, cell, note, num_layers=L)


def bidirectional(kind, seed, params):
    rng = rng_for(seed + 7)
    cell, L = _cell_choice(rng, params), int(params.get("num_layers", rng.integers(1, 3)))
    def note(I, H, layer):
        return ["Each direction has its own weights (suffix _reverse); a layer "
                f"above the first reads both directions' outputs (size 2·{H})."]

    return _count_question(kind, seed, params, cell, note, num_layers=L, bidirectional=True)


def proj_size(kind, seed, params):
    rng = rng_for(seed + 7)
    H = _pick(rng, params, "hidden_size", HIDDEN_SIZES[2:])
    P = int(params.get("proj_size", rng.integers(1, H) if H > 1 else 1))
    if P >= H:
        raise ParamError(f"proj_size ({P}) must be smaller than hidden_size ({H})")
    L = int(params.get("num_layers", 1))
    bi = bool(params.get("bidirectional", False))
    def note(I, H, layer):
        lines = [f"With proj_size P = {P}: h has size P, so weight_hh is (4H, P), "
                 f"and weight_hr (P, H) projects o ⊙ tanh(c) down to P."]
        if L > 1:
            width = f"2·P = {2 * P}" if bi else f"P = {P}"
            both = "both directions' projected h" if bi else "the projected h"
            lines.append(f"Layer 0 reads x (size {I}); layers above read {both} of the layer "
                         f"below (size {width}).")
        return lines

    return _count_question(kind, seed, params, "lstm", note, hidden_size=H, proj_size=P,
                           num_layers=L, bidirectional=bi)


KERAS_BIAS = {
    ("lstm", False): "keeps one bias vector of shape (4H,)",
    ("gru", False): "keeps one bias vector of shape (3H,)",
    ("gru", True): "keeps a bias of shape (2, 3H): one row added to the input part, one to the "
                   "recurrent part",
}
WHY = {
    ("lstm", False): "In an LSTM the two vectors only ever appear as the sum b_ih + b_hh, so "
                     "PyTorch's second vector adds parameters but nothing the model can express.",
    ("gru", False): "Not all of PyTorch's extra vector is redundant: b_ir + b_hr and b_iz + b_hz act "
                    "only as sums, but b_hn sits inside r ⊙ (W_hn·h + b_hn) and cannot be merged "
                    "into b_in. Keras' reset_after=False cell is the reset-before GRU of Cho et al., "
                    "n = tanh(W_in·x + W_hn·(r ⊙ h) + b_n): a different model with weights of the "
                    "same sizes.",
    ("gru", True): "Keras' reset_after=True GRU computes what PyTorch's does and needs both biases: "
                   "b_hn sits inside r ⊙ (W_hn·h + b_hn), so it cannot be merged into b_in.",
}


def bias_convention(kind, seed, params):
    rng = rng_for(seed + 7)
    cell = _cell_choice(rng, params)
    reset_after = bool(rng.integers(2)) if cell == "gru" else False
    r2 = rng_for(seed)
    I, H = _pick(r2, params, "input_size", INPUT_SIZES), _pick(r2, params, "hidden_size", HIDDEN_SIZES)
    G = 4 if cell == "lstm" else 3
    torch_count = count_parameters_for(cell, I, H)
    no_bias = count_parameters_for(cell, I, H, bias=False)
    one_vector = G * H
    keras_vectors = 2 if reset_after else 1
    keras = no_bias + keras_vectors * one_vector
    keras_call = (f"keras.layers.LSTM({H})" if cell == "lstm" else
                  f"keras.layers.GRU({H}, reset_after={reset_after})")
    prompt = (f"Compare {_config(cell, I, H)} with {keras_call} on inputs with {I} features. Their "
              f"weight matrices have the same sizes (Keras stores them transposed, as kernel and "
              f"recurrent_kernel). PyTorch keeps two bias vectors of shape ({G}H,), bias_ih and "
              f"bias_hh; this Keras layer {KERAS_BIAS[cell, reset_after]}. How many more parameters "
              f"does the PyTorch layer have than the Keras one?")
    lines = [f"Weights only (bias=False): {no_bias}",
             f"PyTorch: {no_bias} + bias_ih ({one_vector}) + bias_hh ({one_vector}) = {torch_count}",
             f"Keras: {no_bias} + {' + '.join([str(one_vector)] * keras_vectors)} = {keras}",
             f"Difference = {torch_count} − {keras} = {torch_count - keras}",
             WHY[cell, reset_after]]
    given = {"input_size": I, "hidden_size": H, "num_layers": 1, "bias": True, "batch_first": False,
             "bidirectional": False, "proj_size": 0, "keras_reset_after": reset_after}
    return question(kind, seed, params, prompt=prompt, given=given, answer=torch_count - keras,
                    answer_format="integer", solution=lines)


def macs(cell: str):
    def generate(kind, seed, params):
        rng = rng_for(seed)
        I, H = _pick(rng, params, "input_size", INPUT_SIZES), _pick(rng, params, "hidden_size", HIDDEN_SIZES)
        N = int(params.get("batch", 1))
        shapes = layer_shapes(cell, I, H)
        w_ih, w_hh = shapes["weight_ih_l0"], shapes["weight_hh_l0"]
        per_sample = math.prod(w_ih) + math.prod(w_hh)
        G = w_ih[0] // H
        answer = per_sample * N
        batch = f" for a batch of {N}" if N > 1 else " for one sample"
        prompt = (f"How many multiply-accumulates (MACs) does one time step of "
                  f"{_config(cell, I, H)} take{batch}? Convention: count one MAC per weight in "
                  f"the matrix–vector products W_ih·x and W_hh·h (per sample); do not count bias "
                  f"additions, nonlinearities or elementwise gate products.")
        lines = [f"W_ih is ({G}·H, I) = {fmt.shape(w_ih)}: {math.prod(w_ih)} MACs for W_ih·x",
                 f"W_hh is ({G}·H, H) = {fmt.shape(w_hh)}: {math.prod(w_hh)} MACs for W_hh·h",
                 f"Per sample: {G}·H·(I + H) = {per_sample}"]
        if N > 1:
            lines.append(f"Batch of {N}: {N}·{per_sample} = {answer}")
        products = ("3H elementwise products for c and h" if cell == "lstm"
                    else "the 3H elementwise products of r ⊙ ·, z ⊙ h and (1 − z) ⊙ n")
        lines.append(f"(Not counted: {products}, biases, nonlinearities.)")
        given = {"input_size": I, "hidden_size": H, "num_layers": 1, "bias": True,
                 "batch_first": False, "bidirectional": False, "proj_size": 0, "batch": N}
        return question(kind, seed, params, prompt=prompt, given=given, answer=answer,
                        answer_format="integer", solution=lines)
    return generate


GENERATORS = {
    "params.lstm": _simple("lstm"),
    "params.gru": _simple("gru"),
    "params.rnn": _simple("rnn"),
    "params.bias_convention": bias_convention,
    "params.stacked": stacked,
    "params.bidirectional": bidirectional,
    "params.proj_size": proj_size,
    "macs.lstm": macs("lstm"),
    "macs.gru": macs("gru"),
}

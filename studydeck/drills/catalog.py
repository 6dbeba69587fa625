"""The names and one-line descriptions of every drill kind.

This module imports nothing heavy, so ``studydeck check`` can validate
``type: drill`` cards without loading numpy.  The generators themselves live
in the registry (``studydeck.drills.registry``); a test checks the two agree.
``PARAMS`` declares the parameters each kind accepts (``params:`` on a drill
card) and ``check_params`` validates them, so a deck is checked without numpy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

KINDS: dict[str, str] = {
    # warm-up: the nonlinearities
    "sigmoid.value": "σ(x) for a given pre-activation x",
    "tanh.value": "tanh(x) for a given pre-activation x",
    "sigmoid.derivative": "σ'(x) = σ(x)(1 − σ(x)), never above 0.25",
    "tanh.derivative": "tanh'(x) = 1 − tanh²(x), never above 1",
    # one LSTM gate at a time
    "lstm.forget_gate": "the forget gate f_t = σ(W_if x + b_if + W_hf h + b_hf)",
    "lstm.input_gate": "the input gate i_t = σ(W_ii x + b_ii + W_hi h + b_hi)",
    "lstm.candidate": "the candidate g_t = tanh(W_ig x + b_ig + W_hg h + b_hg)",
    "lstm.output_gate": "the output gate o_t = σ(W_io x + b_io + W_ho h + b_ho)",
    "lstm.cell_update": "the cell update c_t = f_t ⊙ c_(t-1) + i_t ⊙ g_t",
    "lstm.hidden_update": "the hidden update h_t = o_t ⊙ tanh(c_t)",
    "lstm.step": "a full LSTM step: h_t and c_t as vectors",
    "lstm.two_steps": "two LSTM steps unrolled over a sequence of length 2",
    # GRU
    "gru.reset_gate": "the GRU reset gate r = σ(W_ir x + b_ir + W_hr h + b_hr)",
    "gru.update_gate": "the GRU update gate z = σ(W_iz x + b_iz + W_hz h + b_hz)",
    "gru.candidate": "the GRU candidate n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))",
    "gru.hidden_update": "the GRU output h' = (1 − z) ⊙ n + z ⊙ h",
    "gru.reset_before": "a GRU step with the reset applied before the product (Cho et al. 2014, Keras reset_after=False)",
    "gru.reset_convention_difference": "how much h' differs between reset-after (PyTorch) and reset-before (Cho et al.)",
    # LSTM variants
    "variant.peephole_step": "an LSTM step with peephole connections (Gers & Schmidhuber 2000)",
    "variant.cifg_gate": "the coupled input-forget gate of CIFG: f = 1 − i",
    "variant.noaf_hidden": "the hidden state of NOAF (no output activation): h = o ⊙ c",
    "variant.no_forget_cell": "the cell update without a forget gate (as in 1997): c = c_prev + i ⊙ g",
    # Greff et al.'s eight variants: one full step each, on their vanilla LSTM or PyTorch's
    "greff.nig": "a step of NIG, no input gate: i = 1",
    "greff.nfg": "a step of NFG, no forget gate: f = 1",
    "greff.nog": "a step of NOG, no output gate: o = 1",
    "greff.niaf": "a step of NIAF, no input activation: g = a_g",
    "greff.noaf": "a step of NOAF, no output activation: h = o ⊙ c",
    "greff.np": "a step of NP, no peepholes (PyTorch's LSTMCell)",
    "greff.cifg": "a step of CIFG, coupled input and forget gate: f = 1 − i",
    "greff.fgr": "a step of FGR, full gate recurrence: gates read the previous i, f, o",
    # sizes
    "params.lstm": "number of parameters of a one-layer nn.LSTM",
    "params.gru": "number of parameters of a one-layer nn.GRU",
    "params.rnn": "number of parameters of a one-layer nn.RNN",
    "params.bias_convention": "PyTorch's bias_ih and bias_hh against Keras' bias: the difference in parameter count",
    "params.stacked": "number of parameters of a stacked (multi-layer) LSTM or GRU",
    "params.bidirectional": "number of parameters of a bidirectional LSTM or GRU",
    "params.proj_size": "number of parameters of an nn.LSTM with proj_size",
    "shapes.lstm": "the shapes of output, h_n and c_n of an nn.LSTM call",
    "shapes.gru": "the shapes of output and h_n of an nn.GRU call",
    "bidir.output_concat": "a bidirectional layer's output at time t: forward and backward halves concatenated",
    # gradients
    "grad.cell_state_product": "∂c_t/∂c_(t-k) along the cell path: the product of the forget gates",
    "grad.sigmoid_bound": "the bound 0.25^k on a chain of k sigmoid derivatives",
    "grad.steps_below_threshold": "how many steps until a product of factors falls below a threshold",
    "grad.forget_gate_extremes": "the cell-path gradient with a forget gate near 1 against one near 0",
    "grad.exploding_vanishing": "∂h_k/∂h_0 of a one-unit RNN: a product that explodes or vanishes",
    "grad.clip_norm": "gradient clipping by the total norm, as torch.nn.utils.clip_grad_norm_",
    # backpropagation through a step, and through time
    "backprop.lstm_cell_state": "dL/dc_(t-1) through one LSTM step, given dL/dh_t and dL/dc_t",
    "backprop.lstm_hidden_state": "dL/dh_(t-1) through one LSTM step: all four gates and W_hh",
    "backprop.lstm_gate": "the gradient of one LSTM gate's pre-activation, dL/da_q",
    "backprop.lstm_weight": "the gradient of one entry of an LSTM weight or bias",
    "backprop.lstm_two_steps": "backpropagation through time over two LSTM steps: dL/dh_0 and dL/dc_0",
    "backprop.gru_hidden_state": "dL/dh_(t-1) through one GRU step",
    "backprop.gru_gate": "the gradient of one GRU pre-activation: a_r, a_z or a_n",
    "backprop.gru_weight": "the gradient of one entry of a GRU weight or bias",
    # cost
    "macs.lstm": "multiply-accumulates per time step of an LSTM layer",
    "macs.gru": "multiply-accumulates per time step of a GRU layer",
}


@dataclass(frozen=True)
class Param:
    """One parameter a drill kind accepts (``params:`` on a drill card).

    type is "int", "float", "bool" or "choice"; ints and floats must lie in
    [low, high]; a choice must be one of ``choices``.
    """

    type: str
    doc: str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()

    def range_text(self) -> str:
        """What values it takes: ``int 1 to 3``, ``float -8 to 8``, ``true/false``, ``lstm|gru``."""
        if self.type == "bool":
            return "true/false"
        if self.type == "choice":
            return "|".join(self.choices)
        return f"{self.type} {self.low:g} to {self.high:g}"

    def check(self, value: Any) -> str | None:
        """None if ``value`` is acceptable, else what is wrong with it."""
        if self.type == "bool":
            return None if isinstance(value, bool) else f"expected true or false, got {value!r}"
        if self.type == "choice":
            if value in self.choices:
                return None
            return f"expected one of {', '.join(self.choices)}, got {value!r}"
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"expected a number, got {value!r}"
        if self.type == "int" and not isinstance(value, int):
            return f"expected a whole number, got {value!r}"
        if not (self.low <= value <= self.high):
            return f"expected a value from {self.low:g} to {self.high:g}, got {value!r}"
        return None


_DEC = {"decimals": Param("int", "decimals asked for in the answer", 1, 6)}
_HAND = {"input_size": Param("int", "features of x (default: 1 or 2)", 1, 3),
         "hidden_size": Param("int", "units of h (default: 1 or 2)", 1, 3), **_DEC}
_HID = {"hidden_size": Param("int", "units of h (default: 1 or 2)", 1, 3), **_DEC}
_X = {"x": Param("float", "the pre-activation (default: random, 1 decimal)", -8, 8), **_DEC}
_CELL2 = {"cell": Param("choice", "which layer (default: random)", choices=("lstm", "gru"))}
_SIZES = {"input_size": Param("int", "features of x (default: random)", 1, 512),
          "hidden_size": Param("int", "units of h (default: random)", 1, 512)}
_GREFF = {**_HAND, "baseline": Param("choice", "vanilla: Greff's LSTM with peepholes; pytorch: "
                                      "nn.LSTMCell without (default: alternates with the seed)",
                                      choices=("vanilla", "pytorch"))}
_SIG = {"sig": Param("int", "significant figures asked for", 2, 4)}
_WEIGHTS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
_LAYER = {**_SIZES, "num_layers": Param("int", "stacked layers", 1, 4),
          "bidirectional": Param("bool", "two directions"),
          "batch_first": Param("bool", "input is (batch, seq, feature)"),
          "batch": Param("int", "batch size of the input", 1, 64),
          "seq_len": Param("int", "sequence length of the input", 1, 64)}

PARAMS: dict[str, dict[str, Param]] = {
    "sigmoid.value": _X, "tanh.value": _X, "sigmoid.derivative": _X, "tanh.derivative": _X,
    "lstm.forget_gate": _HAND, "lstm.input_gate": _HAND, "lstm.candidate": _HAND,
    "lstm.output_gate": _HAND, "lstm.cell_update": _HID, "lstm.hidden_update": _HID,
    "lstm.step": _HAND, "lstm.two_steps": _HAND,
    "gru.reset_gate": _HAND, "gru.update_gate": _HAND, "gru.candidate": _HAND,
    "gru.hidden_update": _HID, "gru.reset_before": _HAND, "gru.reset_convention_difference": _HAND,
    "variant.peephole_step": _HAND, "variant.cifg_gate": _HAND, "variant.noaf_hidden": _HAND,
    "variant.no_forget_cell": _HAND,
    **{f"greff.{v}": _GREFF for v in ("nig", "nfg", "nog", "niaf", "noaf", "cifg")},
    "greff.np": _HAND,
    "greff.fgr": {**_GREFF, "hidden_size": Param("int", "units of h (default 1)", 1, 2)},
    "params.lstm": {**_SIZES, "bias": Param("bool", "with bias vectors (default true)")},
    "params.gru": {**_SIZES, "bias": Param("bool", "with bias vectors (default true)")},
    "params.rnn": {**_SIZES, "bias": Param("bool", "with bias vectors (default true)")},
    "params.bias_convention": {**_CELL2, **_SIZES},
    "params.stacked": {**_CELL2, **_SIZES, "num_layers": Param("int", "stacked layers", 2, 4)},
    "params.bidirectional": {**_CELL2, **_SIZES, "num_layers": Param("int", "stacked layers", 1, 3)},
    "params.proj_size": {**_SIZES, "proj_size": Param("int", "size of the projected h (< hidden_size)", 1, 511),
                         "num_layers": Param("int", "stacked layers", 1, 3),
                         "bidirectional": Param("bool", "two directions")},
    "shapes.lstm": {**_LAYER, "proj_size": Param("int", "projected h size, 0 for none", 0, 511)},
    "shapes.gru": _LAYER,
    "bidir.output_concat": {"cell": Param("choice", "which layer (default rnn)", choices=("rnn", "gru", "lstm")),
                            "input_size": Param("int", "features of x", 1, 2),
                            "hidden_size": Param("int", "units per direction", 1, 2),
                            "seq_len": Param("int", "sequence length", 2, 3),
                            "t": Param("int", "the time step asked for, 1-based", 1, 3), **_DEC},
    "grad.cell_state_product": {"k": Param("int", "number of steps", 1, 8), **_DEC},
    "grad.sigmoid_bound": {"k": Param("int", "number of sigmoids in the chain", 1, 30),
                           "sig": Param("int", "significant figures asked for", 2, 4)},
    "grad.steps_below_threshold": {
        "factor": Param("choice", "a forget gate σ(a_f) or the sigmoid bound 0.25",
                        choices=("forget", "sigmoid")),
        "threshold": Param("float", "the threshold (default 0.1, 0.01 or 0.001)", 1e-12, 0.9)},
    "grad.forget_gate_extremes": {"k": Param("int", "number of steps", 1, 8), **_SIG},
    "grad.exploding_vanishing": {
        "nonlinearity": Param("choice", "relu (linear part: factors w) or tanh (w·(1 − h²))",
                              choices=("relu", "tanh")),
        "k": Param("int", "number of steps", 1, 40),
        "w": Param("float", "the recurrent weight (default: drawn below or above 1)", 0.1, 4),
        **_SIG},
    "grad.clip_norm": {"max_norm": Param("float", "max_norm of clip_grad_norm_", 0.1, 10), **_DEC},
    "backprop.lstm_cell_state": _HAND,
    "backprop.lstm_hidden_state": _HAND,
    "backprop.lstm_gate": {**_HAND, "gate": Param("choice", "which gate (default: by seed)",
                                                  choices=("i", "f", "g", "o"))},
    "backprop.lstm_weight": {**_HAND, "weight": Param("choice", "which tensor (default: random)",
                                                      choices=_WEIGHTS)},
    "backprop.lstm_two_steps": {"input_size": Param("int", "features of x (default 1)", 1, 2),
                                "hidden_size": Param("int", "units of h (default 1)", 1, 2), **_DEC},
    "backprop.gru_hidden_state": _HAND,
    "backprop.gru_gate": {**_HAND, "gate": Param("choice", "which block (default: by seed)",
                                                 choices=("r", "z", "n"))},
    "backprop.gru_weight": {**_HAND, "weight": Param("choice", "which tensor (default: random)",
                                                     choices=_WEIGHTS),
                            "gate": Param("choice", "which block (default: random)",
                                          choices=("r", "z", "n"))},
    "macs.lstm": {**_SIZES, "batch": Param("int", "batch size (default 1)", 1, 1024)},
    "macs.gru": {**_SIZES, "batch": Param("int", "batch size (default 1)", 1, 1024)},
}


def check_params(kind: str, params: Mapping[str, Any] | None) -> list[str]:
    """Problems with ``params`` for ``kind``, one message each; empty when all is well."""
    import difflib

    accepted = PARAMS.get(kind, {})
    problems = []
    for name, value in (params or {}).items():
        spec = accepted.get(name)
        if spec is None:
            close = difflib.get_close_matches(str(name), accepted, n=1, cutoff=0.5)
            known = ", ".join(accepted) or "none"
            hint = f"did you mean {close[0]!r}? " if close else ""
            problems.append(f"unknown param {name!r} for {kind}; {hint}accepted: {known}")
            continue
        wrong = spec.check(value)
        if wrong:
            problems.append(f"param {name!r} of {kind}: {wrong}")
    return problems


def closest_kind(name: str) -> str | None:
    """The known kind closest to ``name``, for 'did you mean' hints."""
    import difflib

    matches = difflib.get_close_matches(name, KINDS, n=1, cutoff=0.5)
    return matches[0] if matches else None

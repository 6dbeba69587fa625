"""The LSTM variants of Greff et al. 2015, "LSTM: A Search Space Odyssey".

The standard cell (PyTorch's ``nn.LSTM``, the default here) is, per step,

    i = σ(W_ii x + b_ii + W_hi h_prev + b_hi)          input gate
    f = σ(W_if x + b_if + W_hf h_prev + b_hf)          forget gate
    g = tanh(W_ig x + b_ig + W_hg h_prev + b_hg)       block input (candidate)
    o = σ(W_io x + b_io + W_ho h_prev + b_ho)          output gate
    c = f ⊙ c_prev + i ⊙ g
    h = o ⊙ tanh(c)                                     (then h = W_hr h with proj_size)

Greff's *vanilla* LSTM adds peephole connections (Gers & Schmidhuber 2000):
the input and forget gates read c_prev and the output gate reads the new c,

    i = σ(... + w_ci ⊙ c_prev),  f = σ(... + w_cf ⊙ c_prev),  o = σ(... + w_co ⊙ c)

with vectors ``weight_ci``, ``weight_cf``, ``weight_co`` of shape (H,).  Each of
Greff's variants changes one thing in vanilla (so keeps its peepholes):

    name        change to vanilla                              equations
    ----------  ---------------------------------------------  -------------------------------
    standard    none of the peepholes (PyTorch; Greff's NP)    as above
    vanilla     peepholes (alias "peephole")                   as above + peepholes
    nig         no input gate                                  i = 1: c = f ⊙ c_prev + g
    nfg         no forget gate (the original 1997 cell)        f = 1: c = c_prev + i ⊙ g
    nog         no output gate                                 o = 1: h = tanh(c)
    niaf        no input activation function                   g = a_g (no tanh)
    noaf        no output activation function                  h = o ⊙ c
    np          no peepholes                                   identical to standard
    cifg        coupled input and forget gate                  f = 1 − i
    fgr         full gate recurrence                           a_q += R_q [i; f; o]_(t−1)

FGR: each gate q ∈ {i, f, o} also reads every gate's activation of the step
before through ``weight_fgr`` of shape (3H, 3H) (rows: pre-activations of
i, f, o; columns: i, f, o at t−1; zero before the first step).

A gate that is absent has no rows: ``weight_ih`` is (G·H, D) with G the number
of computed blocks, stacked in PyTorch's order i, f, g, o with absent ones
left out (G = 4 for standard, vanilla, niaf, noaf, np, fgr; G = 3 for nig,
nfg, nog, cifg).  ``peephole=True/False`` on a cell or layer overrides the
variant's peepholes (e.g. CIFG without peepholes).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property


@dataclass(frozen=True)
class LSTMVariant:
    """Which parts of the LSTM cell are present; see the module docstring."""

    name: str
    input_gate: bool = True
    forget_gate: bool = True
    output_gate: bool = True
    cifg: bool = False
    input_activation: bool = True
    output_activation: bool = True
    peephole: bool = True
    fgr: bool = False

    @cached_property
    def blocks(self):
        """The blocks with their own weight rows, in PyTorch's order (subset of 'ifgo')."""
        has = {"i": self.input_gate, "f": self.forget_gate and not self.cifg,
               "g": True, "o": self.output_gate}
        return "".join(name for name in "ifgo" if has[name])

    @cached_property
    def sigmoid_blocks(self):
        """The gates computed by a sigmoid in the engine's internal order (subset of 'ifo')."""
        return "".join(name for name in "ifo" if name in self.blocks)

    @cached_property
    def peepholes(self):
        """The peephole vectors present: subset of ('ci', 'cf', 'co')."""
        if not self.peephole:
            return ()
        return tuple("c" + q for q in "ifo" if q in self.blocks)



_VARIANTS = {
    "standard": LSTMVariant("standard", peephole=False),
    "vanilla": LSTMVariant("vanilla"),
    "nig": LSTMVariant("nig", input_gate=False),
    "nfg": LSTMVariant("nfg", forget_gate=False),
    "nog": LSTMVariant("nog", output_gate=False),
    "niaf": LSTMVariant("niaf", input_activation=False),
    "noaf": LSTMVariant("noaf", output_activation=False),
    "np": LSTMVariant("np", peephole=False),
    "cifg": LSTMVariant("cifg", cifg=True),
    "fgr": LSTMVariant("fgr", fgr=True),
}
_ALIASES = {"peephole": "vanilla", "pytorch": "standard", "v": "vanilla"}

VARIANT_NAMES = tuple(_VARIANTS)


def lstm_variant(name="standard", peephole=None):
    """The :class:`LSTMVariant` called ``name`` (case-insensitive), peepholes overridable."""
    if isinstance(name, LSTMVariant):
        spec = name
    else:
        key = str(name).lower()
        key = _ALIASES.get(key, key)
        if key not in _VARIANTS:
            known = ", ".join(VARIANT_NAMES + tuple(_ALIASES))
            raise ValueError(f"unknown LSTM variant {name!r}; known: {known}")
        spec = _VARIANTS[key]
    if peephole is not None and bool(peephole) != spec.peephole:
        spec = replace(spec, peephole=bool(peephole))
    return spec

"""The names and one-line descriptions of every drill kind.

This module imports nothing heavy, so ``studydeck check`` can validate
``type: drill`` cards without loading numpy.  The generators themselves live
in the registry (``studydeck.drills.registry``); a test checks the two agree.
"""

from __future__ import annotations

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
    "variant.no_forget_cell": "the cell update of the original 1997 LSTM, which has no forget gate",
    # sizes
    "params.lstm": "number of parameters of a one-layer nn.LSTM",
    "params.gru": "number of parameters of a one-layer nn.GRU",
    "params.rnn": "number of parameters of a one-layer nn.RNN",
    "params.bias_convention": "PyTorch's two bias vectors against Keras' one: the difference in parameter count",
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
    # cost
    "macs.lstm": "multiply-accumulates per time step of an LSTM layer",
    "macs.gru": "multiply-accumulates per time step of a GRU layer",
}


def closest_kind(name: str) -> str | None:
    """The known kind closest to ``name``, for 'did you mean' hints."""
    import difflib

    matches = difflib.get_close_matches(name, KINDS, n=1, cutoff=0.5)
    return matches[0] if matches else None

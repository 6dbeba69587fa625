"""The drill kind modules: each holds the generators of one family of kinds in ``GENERATORS``.

activation (σ and tanh warm-ups), lstm and lstm_case (LSTM gates, updates and
steps), gru, variant (peephole, CIFG, NOAF, no forget gate), greff (Greff et
al.'s eight variants), bidir, size (parameter counts, MACs), shape, gradient
and flow (gradients along time), backprop_lstm, backprop_gru and bptt
(backpropagation through a step and through two).  :mod:`studydeck.drills.registry`
collects them.
"""

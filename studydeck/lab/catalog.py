"""The lab's names and shared defaults, importable without numpy (the CLI's parser needs them)."""

TASK_NAMES = ("adding", "temporal-order", "long-lag", "reber")
MODELS = ("lstm", "lstm1997", "gru", "rnn")
MODEL_LABELS = {"lstm": "LSTM", "lstm1997": "LSTM (1997 cell, no forget gate)", "gru": "GRU",
                "rnn": "RNN (tanh)"}
# Added to the LSTM's forget-gate bias at init (PyTorch's init has none): σ(3) ≈ 0.95
# keeps about 9 % of the cell after 50 steps, where σ(0) = 0.5 keeps 0.5^50 ≈ 1e-15.
FORGET_BIAS = 3.0
CLIP = 1.0  # the gradient norm is clipped to this

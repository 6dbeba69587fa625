"""The numeric engine: LSTM, GRU and RNN cells and layers in NumPy, checked against PyTorch.

    from studydeck.engine import LSTM, LSTMCell
    lstm = LSTM(input_size=3, hidden_size=4, num_layers=2, seed=0)
    output, (h_n, c_n) = lstm(x)                 # x: (T, N, 3)
    grads = lstm.backward(dL_doutput)            # {"weight_ih_l0": ..., "input": ..., "h0": ...}

Weights carry PyTorch's names and shapes, so ``load_state_dict(numpy.load(
"model.npz"))`` takes an exported PyTorch state dict; ``from_keras`` converts
Keras weights.  Variants of the LSTM cell: :mod:`studydeck.engine.variants`.

Training: ``Linear``, the losses in ``engine.functional`` (``mse_loss``,
``cross_entropy``, each returning the loss and its gradient), ``engine.optim``
(``SGD``, ``Adam``) and ``clip_grad_norm``, all with PyTorch's rules; ``no_grad()``
runs forward passes that keep nothing for backward, as ``torch.no_grad``.
"""

from studydeck.engine import optim
from studydeck.engine.counting import count_parameters, count_parameters_for
from studydeck.engine.functional import relu, sigmoid, sigmoid_derivative, tanh, tanh_derivative
from studydeck.engine.gradients import hidden_gradient_norms
from studydeck.engine.grad_mode import is_grad_enabled, no_grad
from studydeck.engine.gru_cell import GRUCell, RNNCell
from studydeck.engine.keras import from_keras, keras_state_dict
from studydeck.engine.linear import Linear
from studydeck.engine.lstm_cell import LSTMCell
from studydeck.engine.optim import clip_grad_norm
from studydeck.engine.params import StateDictError
from studydeck.engine.layers import GRU, LSTM, RNN
from studydeck.engine.variants import VARIANT_NAMES, LSTMVariant, lstm_variant

__all__ = [
    "GRU", "GRUCell", "LSTM", "LSTMCell", "LSTMVariant", "Linear", "RNN", "RNNCell",
    "StateDictError", "VARIANT_NAMES", "clip_grad_norm", "count_parameters",
    "count_parameters_for", "from_keras", "hidden_gradient_norms", "is_grad_enabled",
    "keras_state_dict", "lstm_variant", "no_grad", "optim", "relu", "sigmoid",
    "sigmoid_derivative", "tanh", "tanh_derivative",
]

"""Shape and size formulas (no weights built) against layers the engine builds and runs."""

import itertools

import numpy as np
import pytest

from studydeck.engine import GRU, LSTM, RNN, VARIANT_NAMES
from studydeck.engine.shapes import layer_shapes, output_shapes

LAYERS = {"lstm": LSTM, "gru": GRU, "rnn": RNN}
CONFIGS = list(itertools.product((1, 3), (2, 4), (1, 2, 3), (True, False), (False, True)))


@pytest.mark.parametrize("D,H,L,bias,bidir", CONFIGS)
def test_layer_shapes_are_the_built_layers_table(D, H, L, bias, bidir):
    for kind, cls in LAYERS.items():
        built = cls(D, H, L, bias=bias, bidirectional=bidir).parameter_shapes()
        formula = layer_shapes(kind, D, H, L, bias, bidir)
        assert list(formula.items()) == list(built.items())  # same names, order and shapes
    built = LSTM(D, H, L, bias=bias, bidirectional=bidir, proj_size=1).parameter_shapes()
    assert layer_shapes("lstm", D, H, L, bias, bidir, proj_size=1) == built


@pytest.mark.parametrize("variant", VARIANT_NAMES)
def test_layer_shapes_of_every_variant(variant):
    built = LSTM(3, 2, 2, bidirectional=True, variant=variant).parameter_shapes()
    assert layer_shapes("lstm", 3, 2, 2, bidirectional=True, variant=variant) == built


@pytest.mark.parametrize("kind", ["lstm", "gru", "rnn"])
@pytest.mark.parametrize("L,bidir,batch_first,proj", list(itertools.product(
    (1, 2), (False, True), (False, True), (0, 1))))
def test_output_shapes_are_what_a_run_returns(kind, L, bidir, batch_first, proj):
    if proj and kind != "lstm":
        return
    kw = {"num_layers": L, "batch_first": batch_first, "bidirectional": bidir}
    layer = LAYERS[kind](2, 3, proj_size=proj, **kw) if kind == "lstm" else LAYERS[kind](2, 3, **kw)
    for in_shape in ((4, 2), (5, 3, 2)):  # unbatched (T, I); batched (T, N, I) or (N, T, I)
        out, states = layer(np.zeros(in_shape))
        ran = [out.shape] + ([s.shape for s in states] if kind == "lstm" else [states.shape])
        formula = output_shapes("lstm" if kind == "lstm" else "gru", in_shape, 3,
                                proj_size=proj, **kw)
        assert [tuple(s) for s in formula] == ran

"""Facts on the bundled cards that a test can hold: numbers agree with the
engine's parameter counts, every Greff et al. variant has a result card that
names its baseline, and corrected statements stay corrected."""

from __future__ import annotations

import pytest

from studydeck.deckfile.load import load_decks
from studydeck.engine.counting import count_parameters_for
from studydeck.paths import bundled_decks_dir

DECKS = {deck.id: deck for deck in load_decks([bundled_decks_dir()]).decks}


def card(deck_id: str, card_id: str):
    found = DECKS[deck_id].card(card_id)
    assert found is not None, (deck_id, card_id)
    return found


@pytest.mark.parametrize(("deck_id", "card_id", "kind", "sizes", "extra"), [
    ("gru-vs-lstm", "param-example", "lstm", (10, 20), {}),
    ("gru-vs-lstm", "param-example", "gru", (10, 20), {}),
    ("pytorch-rnn-api", "stacked-example", "lstm", (10, 20), {"num_layers": 2}),
    ("pytorch-rnn-api", "bidir-count", "gru", (10, 20), {"bidirectional": True}),
])
def test_parameter_counts_on_cards_match_the_engine(deck_id, card_id, kind, sizes, extra):
    total = count_parameters_for(kind, *sizes, **extra)
    assert f"{total}" in card(deck_id, card_id).back


@pytest.mark.parametrize("variant", ["NIG", "NFG", "NOG", "NIAF", "NOAF", "NP", "CIFG", "FGR"])
def test_every_greff_variant_has_a_result_card_naming_its_baseline(variant):
    results = [c for c in DECKS["lstm-papers"].cards
               if "conclusions" in c.tags and f" {variant}," in c.front]
    assert len(results) == 1, variant
    assert "vanilla LSTM (with peepholes)" in results[0].front


def test_the_baseline_is_not_pytorchs_lstm():
    assert card("lstm-papers", "greff-vs-pytorch").back.startswith("NP")
    assert "peephole" in card("lstm-papers", "greff-vanilla").front


def _all_text():
    for deck in DECKS.values():
        yield deck.id, "description", deck.description
        for c in deck.cards:
            yield deck.id, c.card_id, " ".join((c.front, c.back, c.extra, *c.choices))


@pytest.mark.parametrize("phrase", [
    "can only grow",                      # a cell without a forget gate also drifts down
    "did not help and generally",         # input noise: the paper reports it per data set
    "little fine",                        # 1997: no need for fine tuning, not "little"
    "(the tanh on the cell state)",       # the 1997/2000 cells squashed it with a scaled sigmoid
])
def test_corrected_statements_do_not_come_back(phrase):
    assert [(d, c) for d, c, text in _all_text() if phrase in text] == []


def test_both_years_of_the_greff_paper_are_given():
    paper = card("lstm-papers", "greff-paper#c2")
    assert "arXiv" in paper.back and "2015" in paper.back and "2017" in paper.extra
    assert card("lstm-papers", "greff-journal-year").back.startswith("2017")


def test_bidirectional_factor_is_two_for_one_layer_and_more_for_a_stack():
    bi_params = card("deep-bidirectional", "bi-params")
    assert "single-layer" in bi_params.front
    for kind in ("lstm", "gru"):
        one_way = count_parameters_for(kind, 10, 20)
        assert count_parameters_for(kind, 10, 20, bidirectional=True) == 2 * one_way
    stacked = count_parameters_for("lstm", 10, 20, num_layers=2)
    stacked_bi = count_parameters_for("lstm", 10, 20, num_layers=2, bidirectional=True)
    assert stacked_bi > 2 * stacked and "larger" in bi_params.back
    for number in (count_parameters_for("lstm", 10, 20),
                   count_parameters_for("lstm", 10, 20, bidirectional=True), stacked, stacked_bi):
        assert f"{number}" in bi_params.extra, number
    assert f"about {stacked_bi / stacked:.1f} times" in bi_params.extra


def test_layer_dropout_acts_only_in_training_mode():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    lstm = torch.nn.LSTM(3, 4, num_layers=2, dropout=0.5)
    x = torch.randn(5, 2, 3)
    lstm.eval()
    assert torch.equal(lstm(x)[0], lstm(x)[0])
    lstm.train()
    assert not torch.equal(lstm(x)[0], lstm(x)[0])
    assert "training mode" in card("deep-bidirectional", "stacked-dropout").extra


def _experiment_row(task):
    rows = [line for line in DECKS["experiments"].description.splitlines()
            if line.startswith(f"| {task} |")]
    assert len(rows) == 1, task
    return [cell.strip() for cell in rows[0].strip("|").split("|")]


def _adding_shortest_lag(length):
    import numpy as np

    from studydeck.lab.adding import AddingTask

    x, lengths, _target, marks = AddingTask(length).generate(np.random.default_rng(0), 4000)
    return int(min(n - 1 - max(m) for n, m in zip(lengths, marks)))


def _temporal_order_shortest_lag():
    import numpy as np

    from studydeck.lab.temporal_order import SYMBOLS, TemporalOrderTask

    batch = TemporalOrderTask().sample(np.random.default_rng(0), 3000)
    xy = batch.x[:, :, SYMBOLS.index("X")] + batch.x[:, :, SYMBOLS.index("Y")]
    return int(min(n - 1 - np.flatnonzero(xy[:, k]).max() for k, n in enumerate(batch.lengths)))


def _reber_shortest():
    import numpy as np

    from studydeck.lab.reber import generate

    strings = [s for s, _allowed in generate(np.random.default_rng(0), 500)]
    # the outer symbol, read at step 1, is the answer predicted at step len − 3
    return min(len(s) for s in strings), min(len(s) - 3 - 1 for s in strings)


def test_lags_in_the_experiments_table_are_those_of_the_lab_tasks():
    assert _experiment_row("adding, T = 100")[1] == f"{_adding_shortest_lag(100)} steps"
    assert _experiment_row("adding, T = 50")[1] == f"{_adding_shortest_lag(50)} steps"
    assert _experiment_row("temporal order")[1] == f"{_temporal_order_shortest_lag()} steps"
    shortest_string, reber_lag = _reber_shortest()
    assert _experiment_row("embedded Reber")[1] == f"{reber_lag} steps"
    back = card("experiments", "reber-not-long-lag").back
    assert f"{shortest_string} symbols" in back and f"just {reber_lag} steps" in back


def test_minibatch_sizes_on_the_experiment_cards_are_the_labs():
    from studydeck.lab.tasks import make_task

    sizes = {make_task(name).defaults.batch for name in ("adding", "temporal-order",
                                                          "long-lag", "reber")}
    text = card("experiments", "sequences-versus-updates").back
    for size in sizes:
        assert f"N/{size}" in text and f"{size}" in DECKS["experiments"].description, size


def test_the_lab_adds_its_forget_bias_to_pytorchs_init():
    from studydeck.lab.catalog import FORGET_BIAS
    from studydeck.lab.model import SequenceModel

    H = 4
    plain = SequenceModel("lstm", 2, H, 1, seed=0).layer.bias_ih_l0
    biased = SequenceModel("lstm", 2, H, 1, seed=0, forget_bias=FORGET_BIAS).layer.bias_ih_l0
    assert (biased[H:2 * H] - plain[H:2 * H]).round(12).tolist() == [FORGET_BIAS] * H
    assert plain[H:2 * H].any()  # PyTorch's random init stays underneath
    assert f"add +{FORGET_BIAS:g}" in card("experiments", "forget-bias-long-lags").front


def test_gates_and_tanh_saturate_in_float32_as_the_cards_say():
    import numpy as np

    one = np.float32(1)
    assert one / (one + np.exp(-np.float32(17))) == 1.0
    with np.errstate(over="ignore"):
        assert one / (one + np.exp(np.float32(104))) == 0.0
    assert np.tanh(np.float32(10)) == 1.0
    soft = card("lstm-cell", "gates-are-soft").extra
    assert "σ(17) already gives 1.0" in soft and "σ(−104) gives" in soft
    assert "tanh(10) already gives 1.0" in card("lstm-cell", "tanh-range").extra


@pytest.mark.parametrize(("input_size", "hidden_size"), [(10, 20), (1, 1), (300, 128)])
def test_gru_has_three_quarters_of_the_lstm_parameters_in_pytorch(input_size, hidden_size):
    lstm = count_parameters_for("lstm", input_size, hidden_size)
    gru = count_parameters_for("gru", input_size, hidden_size)
    assert 4 * gru == 3 * lstm
    # Keras: one bias per LSTM gate, two per GRU block (reset_after=True)
    keras_lstm = lstm - 4 * hidden_size
    assert 4 * gru > 3 * keras_lstm
    ratio = card("gru-vs-lstm", "param-ratio")
    assert "PyTorch" in ratio.front and "Exactly three quarters" in ratio.back
    assert "more than three quarters" in ratio.extra


@pytest.mark.filterwarnings("ignore:LSTM with projections is not supported with oneDNN")
def test_pytorch_layouts_on_the_cards_match_torch():
    """Gate order, the bidirectional h_n slices and the proj/batch_first shapes, run in torch."""
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    H, x = 3, torch.randn(6, 2, 4)

    lstm = torch.nn.LSTM(4, H)
    out, (h_n, c_n) = lstm(x)
    h = c = torch.zeros(2, H)
    for x_t in x:
        pre = x_t @ lstm.weight_ih_l0.T + lstm.bias_ih_l0 + h @ lstm.weight_hh_l0.T + lstm.bias_hh_l0
        i, f, g, o = pre.chunk(4, dim=1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        h = torch.sigmoid(o) * torch.tanh(c)
    assert torch.allclose(h, h_n[0], atol=1e-6) and torch.allclose(c, c_n[0], atol=1e-6)
    assert torch.equal(out[-1], h_n[-1])
    assert "**i, f, g, o**" in card("pytorch-rnn-api", "lstm-gate-order#c1").back
    assert card("pytorch-rnn-api", "output-last-is-hn").back.startswith("output[-1]")

    gru = torch.nn.GRU(4, H)
    h = torch.zeros(2, H)
    for x_t in x:
        r_i, z_i, n_i = (x_t @ gru.weight_ih_l0.T + gru.bias_ih_l0).chunk(3, dim=1)
        r_h, z_h, n_h = (h @ gru.weight_hh_l0.T + gru.bias_hh_l0).chunk(3, dim=1)
        r, z = torch.sigmoid(r_i + r_h), torch.sigmoid(z_i + z_h)
        h = (1 - z) * torch.tanh(n_i + r * n_h) + z * h
    assert torch.allclose(h, gru(x)[1][0], atol=1e-6)
    assert "**r, z, n**" in card("pytorch-rnn-api", "gru-gate-order#c1").back

    out, (h_n, _c_n) = torch.nn.LSTM(4, H, bidirectional=True)(x)
    assert torch.equal(h_n[0], out[-1, :, :H]) and torch.equal(h_n[1], out[0, :, H:])
    assert "first H entries of output[-1]" in card("deep-bidirectional", "bi-hn").back
    assert "last H entries of output[0]" in card("deep-bidirectional", "bi-hn-backward").back

    proj = torch.nn.LSTM(4, H, num_layers=2, proj_size=2, batch_first=True)
    out, (h_n, c_n) = proj(x.transpose(0, 1))
    assert out.shape == (2, 6, 2) and h_n.shape == (2, 2, 2) and c_n.shape == (2, 2, H)
    assert card("pytorch-rnn-api", "proj-cn").back == "h_n has proj_size; c_n keeps hidden_size."
    assert card("pytorch-rnn-api", "batch-first").answer == "the input and output only"


def test_the_keras_count_card_names_its_sizes():
    keras = card("pytorch-rnn-api", "keras-lstm-count")
    assert "same sizes" not in keras.front  # a card read alone has no "same" to refer to
    assert "H units" in keras.front and "H_in" in keras.front
    assert count_parameters_for("lstm", 7, 5) - 4 * 5 == 4 * (5 * 7 + 5 * 5 + 5)


def test_greff_cards_name_the_study_they_ask_about():
    for c in DECKS["lstm-papers"].cards:
        if "greff-2015" in c.tags and "study" in c.front and c.type != "cloze":
            assert "Greff" in c.front, c.card_id

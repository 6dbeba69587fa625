"""The LSTM lab: a cell to play with and the vanishing gradient to look at.

1. **Cell**: an engine ``LSTMCell(2, 2)``; the learner picks one of x[0],
   x[1], h_prev[0], h_prev[1], c_prev[0], c_prev[1] and nudges it by ±0.1;
   ``LSTMCell.trace`` recomputes every pre-activation, gate, c' and h' at once:

       i = σ(a_i), f = σ(a_f), g = tanh(a_g), o = σ(a_o)
       c' = f ⊙ c_prev + i ⊙ g,   h' = o ⊙ tanh(c')

2. **Gradients**: one random sequence x (T × 4) through an ``RNN`` and an
   ``LSTM`` (hidden size 8, same seed); with the loss on the last output,
   ``engine.hidden_gradient_norms`` gives ‖dL/dh_t‖ for every t.  In the
   RNN it shrinks by a factor ‖diag(1 − h²) W_hh‖ per step back; in the LSTM
   the cell path multiplies by f instead, so a forget-gate bias near 1-2
   (Jozefowicz et al. 2015) keeps it alive.  ``f`` cycles that bias.

3. **Training** (``x``): LSTM, GRU and RNN trained side by side on a task of
   the 1997 paper; see :mod:`studydeck.tui.widgets.lab_training`.

numpy and the engine are imported when the lab opens, not before.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Header, Static

from studydeck.tui.drawing.cell_diagram import cell_diagram, vector_text
from studydeck.tui.drawing.plot import decade_range
from studydeck.tui.widgets.log_plot import LogPlot
from studydeck.tui.widgets.key_line import KeyLine
from studydeck.tui.widgets.lab_training import TrainingView

CHOOSE = Binding.Group("choose a value", compact=True)
NUDGE = Binding.Group("nudge ±0.1", compact=True)
LENGTH = Binding.Group("T ±5", compact=True)
KNOBS = [("x", 0), ("x", 1), ("h_prev", 0), ("h_prev", 1), ("c_prev", 0), ("c_prev", 1)]
START = {"x": [0.5, -1.0], "h_prev": [0.0, 0.0], "c_prev": [0.0, 0.0]}
STEP = 0.1
CELL_SEED = 7
INPUT_SIZE, HIDDEN_SIZE = 4, 8
FORGET_BIASES = (0.0, 1.0, 2.0, 3.0)
NARROW = 78


class LabScreen(Screen):
    BINDINGS = [
        Binding("t", "switch", "cell/gradients", tooltip="switch between the live cell and the gradient plot"),
        Binding("x", "training", "training", show=False,
                tooltip="training view: LSTM, GRU and RNN learn a task of the 1997 paper side by side"),
        Binding("up,k", "select(-1)", "prev value", show=False, group=CHOOSE,
                tooltip="choose an input or state value (x, h_prev, c_prev)"),
        Binding("down,j", "select(1)", "next value", show=False, group=CHOOSE),
        Binding("right,plus,equals_sign", "nudge(1)", "+0.1", group=NUDGE, tooltip="nudge the chosen value by ±0.1"),
        Binding("left,minus", "nudge(-1)", "-0.1", group=NUDGE),
        Binding("0", "zero", "zero", show=False, tooltip="set the chosen value to 0"),
        Binding("r", "reset", "reset", tooltip="reset the inputs; in the gradient view: a new sequence"),
        Binding("f", "forget_bias", "forget bias",
                tooltip="gradient view: change the LSTM's forget-gate bias (0, 1, 2, 3)"),
        Binding("left_square_bracket", "length(-5)", "shorter", group=LENGTH,
                tooltip="gradient view: a sequence 5 steps shorter or longer"),
        Binding("right_square_bracket", "length(5)", "longer", group=LENGTH),
        Binding("escape,q", "leave", "home", tooltip="back home"),
    ]

    def __init__(self) -> None:
        super().__init__()
        import numpy as np  # deferred: the lab is the first screen that needs numpy

        from studydeck.engine import LSTMCell

        self.np = np
        self.cell = LSTMCell(2, 2, seed=CELL_SEED)
        self.values = {k: list(v) for k, v in START.items()}
        self.selected = 0
        self.length = 30
        self.sequence_seed = 0
        self.forget_bias = 2.0

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with ContentSwitcher(initial="lab-cell", id="lab-switcher"):
            with Horizontal(id="lab-cell"):
                yield Static(id="lab-diagram")
                yield Static(id="lab-controls")
            with Vertical(id="lab-grads"):
                yield Static(id="lab-grads-note")
                with Horizontal():
                    yield LogPlot(id="plot-rnn", classes="lab-plot")
                    yield LogPlot(id="plot-lstm", classes="lab-plot")
            yield TrainingView()
        yield KeyLine()  # a Footer cuts this screen's keys at 60 columns

    def on_mount(self) -> None:
        self.sub_title = "Lab"
        self.redraw_cell()

    # -- the live cell -----------------------------------------------------
    def trace(self) -> dict:
        np = self.np
        v = self.values
        tr = self.cell.trace(np.array(v["x"]), (np.array(v["h_prev"]), np.array(v["c_prev"])))
        return {k: np.asarray(a).tolist() for k, a in tr.items()}

    def redraw_cell(self) -> None:
        tr = self.trace()
        key, index = KNOBS[self.selected]
        self.query_one("#lab-diagram", Static).update(cell_diagram(tr, highlight=key))
        self.query_one("#lab-controls", Static).update(self._controls(tr, key, index))

    def _controls(self, tr: dict, key: str, index: int) -> Text:
        out = Text()
        out.append("Inputs and state\n", style="bold")
        out.append("↑↓ choose · ←→ nudge\n", style="dim")
        for k, (name, i) in enumerate(KNOBS):
            chosen = k == self.selected
            out.append("▶ " if chosen else "  ", style="bold")
            out.append(f"{name}[{i}]".ljust(10), style="reverse bold" if chosen else "bold")
            out.append(f" {self.values[name][i]:+.2f}\n")
        out.append("\nPre-activations\n", style="bold")
        for gate in "ifgo":
            out.append(f"  a_{gate} {vector_text(tr.get('a_' + gate))}\n")
        out.append("\n")
        out.append("LSTMCell(2, 2), PyTorch\ninit, seed 7.\n", style="dim")
        out.append("t: the vanishing gradient", style="dim")
        return out

    def action_select(self, step: int) -> None:
        self.selected = (self.selected + step) % len(KNOBS)
        self.redraw_cell()

    def action_nudge(self, direction: int) -> None:
        name, i = KNOBS[self.selected]
        value = round(self.values[name][i] + direction * STEP, 2)
        self.values[name][i] = max(-5.0, min(5.0, value))
        self.redraw_cell()

    def action_zero(self) -> None:
        name, i = KNOBS[self.selected]
        self.values[name][i] = 0.0
        self.redraw_cell()

    # -- the gradient plot -------------------------------------------------
    def gradient_norms(self):
        """‖dL/dh_t‖ for t = 0..T−1: (rnn, lstm), the loss on the last step's output."""
        np = self.np
        from studydeck.engine import LSTM, RNN, hidden_gradient_norms

        x = np.random.default_rng(self.sequence_seed).standard_normal((self.length, INPUT_SIZE))
        rnn = RNN(INPUT_SIZE, HIDDEN_SIZE, seed=1)
        lstm = LSTM(INPUT_SIZE, HIDDEN_SIZE, seed=1)
        state = lstm.state_dict()
        bias = np.array(state["bias_hh_l0"], dtype=float)
        bias[HIDDEN_SIZE:2 * HIDDEN_SIZE] += self.forget_bias  # gate order i, f, g, o
        state["bias_hh_l0"] = bias
        lstm.load_state_dict(state)
        return hidden_gradient_norms(rnn, x).tolist(), hidden_gradient_norms(lstm, x).tolist()

    def redraw_grads(self) -> None:
        """Both plots on one log axis (so they compare), each as wide and tall as its panel."""
        rnn, lstm = self.gradient_norms()
        T = self.length
        lo, hi = decade_range(rnn, lstm)
        for target, name, norms in (("#plot-rnn", "RNN (tanh)", rnn), ("#plot-lstm", "LSTM", lstm)):
            panel = self.query_one(target, LogPlot)
            panel.border_title = f"{name}: ‖dL/dh_t‖"
            panel.plot(norms, lo, hi)
        note = Text()
        note.append(f"T = {T} random inputs (seed {self.sequence_seed}) · hidden {HIDDEN_SIZE} · loss on the "
                    f"last output · forget bias +{self.forget_bias:g}\n", style="dim")
        note.append(f"{'':14}{'RNN':>10}{'LSTM':>10}", style="bold")
        for t in sorted({0, max(0, T - 10), T - 1}):
            note.append("\n" + f"‖dL/dh_{t}‖".ljust(14) + f"{rnn[t]:>10.1e}{lstm[t]:>10.1e}")
        self.query_one("#lab-grads-note", Static).update(note)

    def on_resize(self, event) -> None:
        self.set_class(event.size.width < NARROW, "-narrow")  # the controls go below the cell

    def showing_grads(self) -> bool:
        return self.query_one(ContentSwitcher).current == "lab-grads"

    def action_switch(self) -> None:
        switcher = self.query_one(ContentSwitcher)
        if self.showing_grads():
            switcher.current = "lab-cell"
            self.redraw_cell()
        else:
            switcher.current = "lab-grads"
            self.redraw_grads()
        self.refresh_bindings()

    def action_training(self) -> None:
        self.query_one(ContentSwitcher).current = "lab-train"
        self.query_one(TrainingView).focus()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        grads = self.is_mounted and self.showing_grads()
        if action in ("select", "nudge", "zero"):
            return not self.is_mounted or self.query_one(ContentSwitcher).current == "lab-cell"
        if action in ("forget_bias", "length"):
            return grads
        return True

    def action_reset(self) -> None:
        if self.showing_grads():
            self.sequence_seed += 1
            self.redraw_grads()
        else:
            self.values = {k: list(v) for k, v in START.items()}
            self.redraw_cell()

    def action_forget_bias(self) -> None:
        k = FORGET_BIASES.index(self.forget_bias) if self.forget_bias in FORGET_BIASES else 0
        self.forget_bias = FORGET_BIASES[(k + 1) % len(FORGET_BIASES)]
        self.redraw_grads()

    def action_length(self, step: int) -> None:
        self.length = max(10, min(40, self.length + step))
        self.redraw_grads()

    def action_leave(self) -> None:
        self.app.pop_screen()

"""The lab's training view: LSTM, GRU and RNN learning a 1997 task side by side.

``x`` in the lab shows it.  ``s`` starts the three runs (seed 0, the task's
defaults from :mod:`studydeck.lab`), each in a worker thread calling
:func:`studydeck.lab.run.train`, which posts every evaluation to the UI;
``s`` again stops them.  ``n`` picks the next task, ``[`` and ``]`` change T.

The plot shows test loss against training sequences on a log10 axis, one
letter per model (L, G, R), and, where the task has one, the loss of a
sequence exactly at the paper's bound as a dashed line: a squared error of
0.04² for the adding problem, −ln 0.7 for temporal order.  Below it, each
model's last evaluation and "solved after N sequences" or "not solved".
"""

from __future__ import annotations

import math
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Static
from textual.worker import get_current_worker

TASKS = (("adding", 50), ("temporal-order", 50), ("reber", None), ("long-lag", 20))
MODELS = ("lstm", "gru", "rnn")
MARKS = {"lstm": ("L", "bold green"), "gru": ("G", "bold cyan"), "rnn": ("R", "bold red")}
NAMES = {"lstm": "LSTM", "gru": "GRU ", "rnn": "RNN "}
BOUND_LOSS = {"adding": (0.04 ** 2, "|error| = 0.04"),
              "temporal-order": (-math.log(0.7), "p(class) = 0.7")}
LENGTHS = (20, 200)


def loss_plot(series, bound=None, width=60, height=12):
    """Text plot of ``{model: [(sequences, loss), ...]}``; ``bound``: a loss drawn dashed."""
    losses = [v for points in series.values() for _, v in points if v > 0]
    if bound is not None:
        losses.append(bound)
    lo = min(math.floor(math.log10(min(losses))), -3) if losses else -3
    hi = max(math.ceil(math.log10(max(losses))), 0) if losses else 0
    xs = [s for points in series.values() for s, _ in points]
    x_max = max(xs + [1])
    grid = [[(" ", "")] * width for _ in range(height)]

    def row(value):
        frac = (math.log10(value) - lo) / (hi - lo)
        return max(0, min(height - 1, round((1 - frac) * (height - 1))))

    if bound is not None:
        r = row(bound)
        grid[r] = [("╌", "yellow")] * width
    for model, points in series.items():
        mark, style = MARKS[model]
        for s, v in points:
            if v > 0:
                grid[row(v)][min(width - 1, round(s / x_max * (width - 1)))] = (mark, style)
    labels = {round((hi - e) / (hi - lo) * (height - 1)): f"1e{e}" for e in range(lo, hi + 1)}
    out = Text()
    for r, cells in enumerate(grid):
        label = labels.get(r, "")
        out.append(f"{label:>5}┤" if label else "     │", style="dim")
        for ch, style in cells:
            out.append(ch, style=style)
        out.append("\n")
    out.append("     └" + "─" * width + "\n", style="dim")
    right = f"{x_max:,}" if xs else ""
    out.append(f"      0{'training sequences':^{width - 10}}{right:>8}", style="dim")
    return out


class LossPlot(Widget):
    """:func:`loss_plot` sized to the widget at every render (so a resize redraws it)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.series = {}
        self.bound = None

    def show(self, series, bound) -> None:
        self.series, self.bound = series, bound
        self.refresh()

    def render(self) -> Text:
        return loss_plot(self.series, self.bound, max(20, self.size.width - 6),
                         max(4, self.size.height - 2))


class TrainingView(Vertical, can_focus=True):
    """Three runs on one task; the plot and the status lines redraw after each evaluation."""

    DEFAULT_CSS = """
    TrainingView { height: 1fr; padding: 0 1; }
    TrainingView #train-title, TrainingView #train-status { height: auto; }
    TrainingView #train-plot { height: 1fr; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "toggle", "start/stop", tooltip="training view: start or stop the three runs"),
        Binding("n", "next_task", "task", tooltip="training view: the next task"),
        Binding("left_square_bracket", "length(-10)", "shorter", show=False,
                tooltip="training view: a sequence 10 steps shorter or longer"),
        Binding("right_square_bracket", "length(10)", "longer", show=False),
    ]

    def __init__(self, **settings) -> None:
        super().__init__(id="lab-train")
        self.overrides = settings  # extra Settings fields (tests pass small steps)
        self.task_index = 0
        self.length = TASKS[0][1]
        self.running = set()
        self.reset()

    def compose(self) -> ComposeResult:
        yield Static(id="train-title")
        yield LossPlot(id="train-plot")
        yield Static(id="train-status")

    def on_mount(self) -> None:
        self.redraw()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.display  # hidden behind another lab view: the keys belong to the screen

    @property
    def task(self) -> str:
        return TASKS[self.task_index][0]

    def reset(self) -> None:
        self.history = {m: [] for m in MODELS}
        self.outcome = {m: "waiting" for m in MODELS}
        self.last = dict.fromkeys(MODELS)

    # -- the runs ------------------------------------------------------------
    def action_toggle(self) -> None:
        if self.running:
            self.workers.cancel_group(self, "lab-train")
            return
        self.reset()
        from studydeck.lab.run import Settings  # deferred: numpy loads with the lab

        for model in MODELS:
            settings = Settings(self.task, model=model, length=self.length, seed=0,
                                **self.overrides)
            self.running.add(model)
            self.outcome[model] = "running"
            self.run_worker(lambda s=settings: self.train(s), thread=True, group="lab-train",
                            name=model)
        self.redraw()

    def train(self, settings) -> None:
        """In a worker thread: one run, evaluations posted to the UI thread."""
        from studydeck.lab.run import train

        worker = get_current_worker()
        model = settings.model
        result = train(settings,
                       on_eval=lambda e: self.app.call_from_thread(self.record, model, e),
                       should_stop=lambda: worker.is_cancelled)
        self.app.call_from_thread(self.finish, model, result)

    def record(self, model, evaluation) -> None:
        self.history[model].append((evaluation.sequences, evaluation.test_loss))
        self.last[model] = evaluation
        self.redraw()

    def finish(self, model, result) -> None:
        self.running.discard(model)
        if result.solved:
            self.outcome[model] = f"solved after {result.solved_after:,} sequences"
        elif result.interrupted:
            self.outcome[model] = "stopped"
        else:
            self.outcome[model] = f"not solved ({result.sequences:,} sequences)"
        self.redraw()

    # -- task and length -----------------------------------------------------
    def action_next_task(self) -> None:
        if self.running:
            return
        self.task_index = (self.task_index + 1) % len(TASKS)
        self.length = TASKS[self.task_index][1]
        self.reset()
        self.redraw()

    def action_length(self, step: int) -> None:
        if self.running or self.length is None:
            return
        self.length = max(LENGTHS[0], min(LENGTHS[1], self.length + step))
        self.reset()
        self.redraw()

    # -- drawing -------------------------------------------------------------
    def redraw(self) -> None:
        from studydeck.lab.tasks import make_task

        task = make_task(self.task, self.length)
        title = Text()
        title.append(task.describe(), style="bold")
        title.append(f"\nTest loss (log scale) of LSTM, GRU and RNN, seed 0; criterion: "
                     f"{task.criterion}", style="dim")
        self.query_one("#train-title", Static).update(title)
        bound = BOUND_LOSS.get(self.task)
        self.query_one(LossPlot).show(dict(self.history), bound and bound[0])
        status = Text(no_wrap=True, overflow="ellipsis")
        for m in MODELS:
            mark, style = MARKS[m]
            status.append(f"{mark} ", style=style)
            status.append(f"{NAMES[m]} ", style="bold")
            e = self.last[m]
            if e is not None:
                status.append(f"test {e.test_loss:8.2g}  correct {e.test_accuracy:6.1%}  ")
            outcome = self.outcome[m]
            if outcome == "running" and e is not None:
                outcome = f"running, {e.sequences:,} sequences"
            status.append(outcome + "\n")
        keys = "s: stop" if self.running else "s: start · n: task · [ ]: T"
        if bound is not None:
            keys += f" · ╌ the loss at {bound[1]}"
        status.append(keys, style="dim")
        self.query_one("#train-status", Static).update(status)

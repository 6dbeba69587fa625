"""``studydeck lab train TASK``: the command-line face of :mod:`studydeck.lab.run`.

stdout carries the results: one line per evaluation (``--json``: one JSON
object per line) and a summary at the end.  stderr carries a progress bar
(steps, loss, sequences/s, ETA) when it is a terminal.  Ctrl-C stops the run
and prints the result so far; the exit code is then 130.

Importing this module loads neither numpy nor the engine (``studydeck --help``
stays fast); the run imports them.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from studydeck.lab.catalog import CLIP, FORGET_BIAS, MODEL_LABELS, MODELS, TASK_NAMES


class LabUsageError(ValueError):
    """A bad option value; the CLI prints it as a usage error (exit 2)."""


def _positive(kind):
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be positive, got {text}")
        return value
    return parse


def add_arguments(parser):
    """The ``lab`` subcommand's arguments (``lab train TASK ...``)."""
    sub = parser.add_subparsers(dest="lab_command", metavar="ACTION", required=True)
    p = sub.add_parser("train", help="train a recurrent net on a task of the 1997 LSTM paper",
                       description="Train LSTM, GRU or RNN with the engine on a long-lag task "
                       "of Hochreiter & Schmidhuber (1997) until the paper's success "
                       "criterion holds or the steps run out.")
    p.add_argument("task", choices=TASK_NAMES, metavar="TASK",
                   help="adding (Exp. 4), temporal-order (Exp. 6a), long-lag (Exp. 2a), "
                   "reber (Exp. 1, the embedded Reber grammar)")
    p.add_argument("--model", choices=MODELS, default="lstm",
                   help="the recurrent layer (default lstm; lstm1997 has no forget gate)")
    p.add_argument("--length", type=_positive(int), metavar="T",
                   help="minimal sequence length T (long-lag: the lag p); default: the paper's "
                   "(long-lag: 20, the paper's 100 is slow here)")
    p.add_argument("--hidden", type=_positive(int), metavar="H", help="hidden size")
    p.add_argument("--steps", type=_positive(int), metavar="N", help="at most N Adam steps")
    p.add_argument("--batch", type=_positive(int), metavar="B", help="sequences per step")
    p.add_argument("--lr", type=_positive(float), metavar="LR", help="Adam's learning rate")
    p.add_argument("--seed", type=int, default=0, metavar="S",
                   help="seeds the weights and the training data (default 0)")
    p.add_argument("--forget-bias", type=float, default=FORGET_BIAS, metavar="F",
                   help="added to the LSTM's forget-gate bias at init (default "
                   f"{FORGET_BIAS:g}; 0 is PyTorch's init)")
    p.add_argument("--clip", type=float, default=CLIP, metavar="C",
                   help=f"clip the gradient norm to C (default {CLIP:g}; 0 turns it off)")
    p.add_argument("--eval-every", type=_positive(int), metavar="K",
                   help="evaluate on the test set every K steps")
    p.add_argument("--dtype", choices=("float64", "float32"), default="float64",
                   help="the engine's float type (default float64)")
    p.add_argument("--json", action="store_true",
                   help="print one JSON object per evaluation and one at the end")


def run(args):
    """Run ``lab train``; returns the exit code (0 done, 130 interrupted)."""
    from studydeck.lab.run import Settings, train
    from studydeck.lab.tasks import TaskError, make_task

    try:
        task = make_task(args.task, args.length)
    except TaskError as exc:
        raise LabUsageError(str(exc)) from None
    settings = Settings(task=args.task, model=args.model, length=args.length,
                        hidden=args.hidden, steps=args.steps, batch=args.batch, lr=args.lr,
                        seed=args.seed, clip=args.clip, eval_every=args.eval_every,
                        dtype=args.dtype,
                        forget_bias=args.forget_bias)
    resolved = settings.resolved(task)
    out = sys.stdout
    bar = ProgressBar(resolved.steps, resolved.batch) if sys.stderr.isatty() else None
    if not args.json:
        print(header(task, resolved), file=out, flush=True)

    def on_eval(evaluation):
        if bar is not None:
            bar.clear()
        if args.json:
            print(json.dumps(evaluation.as_json()), file=out, flush=True)
        else:
            print(eval_line(evaluation), file=out, flush=True)

    result = train(settings, on_eval=on_eval,
                   on_step=None if bar is None else bar.update)
    if bar is not None:
        bar.clear()
    if args.json:
        print(json.dumps(result.as_json()), file=out, flush=True)
    else:
        print(summary(result), file=out, flush=True)
    return 130 if result.interrupted else 0


def header(task, s):
    """The run's first line: task, model and training settings."""
    model = MODEL_LABELS[s.model]
    if s.model == "lstm" and s.forget_bias:
        model += f" (forget-gate bias {s.forget_bias:+g} at init)"
    return (f"{task.describe()}: {model}, H = {s.hidden}, batch {s.batch}, Adam lr {s.lr:g}, "
            f"clip {s.clip:g}, {s.dtype}, seed {s.seed}, at most {s.steps:,} steps")


def eval_line(e):
    line = (f"step {e.step:>6,}  sequences {e.sequences:>9,}  train {e.train_loss:.4g}  "
            f"test {e.test_loss:.4g}  correct {e.test_accuracy:6.1%}")
    return line + ("  solved" if e.solved else "")


def summary(result):
    """The closing lines: solved or not, after how many sequences, the test set."""
    r = result
    where = f"{r.steps:,} steps, {r.sequences:,} sequences, {r.seconds:.1f} s"
    if r.solved:
        first = f"solved after {r.solved_after:,} sequences ({r.steps:,} steps, {r.seconds:.1f} s)"
    elif r.interrupted:
        first = f"interrupted: not solved so far ({where})"
    else:
        first = f"not solved within {r.settings.steps:,} steps ({where})"
    lines = [first, f"criterion (paper): {r.criterion}"]
    if r.test_wrong is not None:
        last = r.evaluations[-1]
        lines.append(f"test set: {r.test_wrong} of {r.test_size} wrong, "
                     f"loss {last.test_loss:.4g} (at step {last.step:,})")
    return "\n".join(lines)


class ProgressBar:
    """One self-rewriting stderr line: steps, bar, loss, sequences/s and ETA."""

    WIDTH = 20

    def __init__(self, steps, batch, stream=None, clock=time.perf_counter):
        self.steps, self.batch = steps, batch
        self.stream = stream or sys.stderr
        self.clock = clock
        self.start = clock()
        self.last_draw = 0.0

    def update(self, run):
        now = self.clock()
        if now - self.last_draw < 0.1 and run.steps < self.steps:
            return
        self.last_draw = now
        self.stream.write("\r" + self.render(run.steps, run.losses[-1] if run.losses else None,
                                            now - self.start) + "\x1b[K")
        self.stream.flush()

    def render(self, step, loss, elapsed):
        done = int(self.WIDTH * step / self.steps)
        rate = step * self.batch / elapsed if elapsed > 0 else 0.0
        left = (self.steps - step) * elapsed / step if step else 0.0
        minutes, seconds = divmod(int(left), 60)
        loss_text = "" if loss is None else f"  loss {loss:.4g}"
        return (f"{step:>6,}/{self.steps:,} [{'#' * done}{'.' * (self.WIDTH - done)}]"
                f"{loss_text}  {rate:,.0f} seq/s  ETA {minutes}:{seconds:02d}")

    def clear(self):
        self.stream.write("\r\x1b[K")
        self.stream.flush()

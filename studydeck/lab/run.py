"""The training loop: Adam on minibatches, evaluations on the test set, the paper's criterion.

One step draws ``batch`` fresh sequences, judges each by the paper's rule
*before* updating (as the paper's on-line learner does), then back-propagates
the loss through the whole sequence, clips the gradient norm and takes an
Adam step.  "Solved after N sequences" counts training sequences up to the
step (``stream`` criterion) or the evaluation (``sets`` criterion) at which
the criterion first held; training stops there, as in the paper.

Randomness: the seed spawns two streams, one for the initial weights and one
for the training data; the test set (and Exp. 1's strings) come from their
own fixed seed, so runs with different seeds are tested on the same set.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field

import numpy as np

from studydeck.engine import clip_grad_norm, no_grad
from studydeck.engine.optim import Adam
from studydeck.lab.catalog import CLIP, FORGET_BIAS
from studydeck.lab.model import SequenceModel
from studydeck.lab.tasks import make_task

TEST_SEED = 1997
EVAL_CHUNK = 256  # test sequences per forward pass


@dataclass
class Settings:
    task: str
    model: str = "lstm"
    length: int | None = None
    hidden: int | None = None
    steps: int | None = None
    batch: int | None = None
    lr: float | None = None
    seed: int = 0
    clip: float = CLIP
    forget_bias: float = FORGET_BIAS  # LSTM only
    eval_every: int | None = None
    dtype: str = "float64"

    def resolved(self, task):
        """A copy with every None replaced by the task's default."""
        values = asdict(self)
        for key, default in asdict(task.defaults).items():
            if values.get(key) is None:
                values[key] = default
        return Settings(**values)


@dataclass
class Evaluation:
    step: int
    sequences: int
    train_loss: float
    test_loss: float
    test_accuracy: float
    solved: bool
    seconds: float

    def as_json(self):
        return {"step": self.step, "sequences": self.sequences,
                "train_loss": self.train_loss, "test_loss": self.test_loss,
                "test_accuracy": self.test_accuracy, "solved": self.solved,
                "seconds": round(self.seconds, 3)}


@dataclass
class Result:
    settings: Settings
    task_line: str
    criterion: str
    evaluations: list = field(default_factory=list)
    solved_after: int | None = None  # training sequences until the criterion first held
    steps: int = 0
    sequences: int = 0
    seconds: float = 0.0
    interrupted: bool = False
    test_wrong: int | None = None
    test_size: int = 0

    @property
    def solved(self):
        return self.solved_after is not None

    def as_json(self):
        last = self.evaluations[-1] if self.evaluations else None
        return {"final": True, "task": self.settings.task, "model": self.settings.model,
                "solved": self.solved, "solved_after_sequences": self.solved_after,
                "steps": self.steps, "sequences": self.sequences,
                "test_wrong": self.test_wrong, "test_size": self.test_size,
                "test_loss": None if last is None else last.test_loss,
                "interrupted": self.interrupted, "seconds": round(self.seconds, 3)}


class Run:
    """One training run; ``step()`` and ``evaluate()`` drive it, ``train`` loops them."""

    def __init__(self, settings):
        self.task = make_task(settings.task, settings.length)
        self.settings = s = settings.resolved(self.task)
        init_seq, data_seq = np.random.SeedSequence(s.seed).spawn(2)
        self.rng = np.random.default_rng(data_seq)
        fixed = np.random.default_rng(TEST_SEED)
        self.task.prepare(fixed)
        self.test = self.task.test_set(fixed)
        self.model = SequenceModel(s.model, self.task.input_size, s.hidden,
                                   self.task.output_size, dtype=s.dtype,
                                   seed=np.random.default_rng(init_seq).integers(2**63),
                                   forget_bias=s.forget_bias)
        self.optimizer = Adam(self.model.modules, lr=s.lr)
        self.steps = self.sequences = 0
        self.streak = 0  # consecutive correct training sequences, most recent last
        self.solved_after = None
        self.losses = []  # training losses since the last evaluation
        self.test_wrong = None
        self.started = time.perf_counter()

    @property
    def solved(self):
        return self.solved_after is not None

    def step(self):
        """One Adam step on a fresh batch; returns its loss."""
        task, model = self.task, self.model
        batch = task.sample(self.rng, self.settings.batch)
        raw = model.forward(batch, task.readout)
        loss, d_raw = task.loss(raw, batch)
        correct = task.correct(task.outputs(raw), batch)
        grads = model.backward(d_raw)
        if self.settings.clip:
            clip_grad_norm(grads, self.settings.clip)
        self.optimizer.step(grads)
        self.steps += 1
        self.sequences += batch.size
        wrong = np.flatnonzero(~correct)
        self.streak = self.streak + batch.size if len(wrong) == 0 else batch.size - 1 - wrong[-1]
        if task.solved_by == "stream" and not self.solved and self.streak >= task.window:
            self.solved_after = self.sequences
        loss = float(loss)
        self.losses.append(loss)
        return loss

    def judge(self, batch):
        """(mean loss, (N,) correct) of the current net on ``batch``, a chunk at a time
        (under ``no_grad``: an evaluation keeps nothing for a backward pass)."""
        losses, correct = [], []
        for start in range(0, batch.size, EVAL_CHUNK):
            part = batch.take(slice(start, start + EVAL_CHUNK))
            with no_grad():
                raw = self.model.forward(part, self.task.readout)
            loss, _ = self.task.loss(raw, part)
            weight = part.size if not part.per_step else int(np.sum(part.lengths))
            losses.append((float(loss) * weight, weight))
            correct.append(self.task.correct(self.task.outputs(raw), part))
        total = sum(w for _, w in losses)
        return sum(v for v, _ in losses) / total, np.concatenate(correct)

    def evaluate(self):
        """Test loss and accuracy now; for a ``sets`` task, also checks the criterion."""
        test_loss, correct = self.judge(self.test)
        if self.task.solved_by == "sets" and not self.solved:
            sets = self.task.criterion_sets(self.test)
            others = [b for b in sets if b is not self.test]
            if correct.all() and all(self.judge(b)[1].all() for b in others):
                self.solved_after = self.sequences
        train_loss = float(np.mean(self.losses)) if self.losses else float("nan")
        self.losses = []
        self.test_wrong = int(np.count_nonzero(~correct))
        return Evaluation(self.steps, self.sequences, train_loss, float(test_loss),
                          float(np.mean(correct)), self.solved,
                          time.perf_counter() - self.started)


def train(settings, on_eval=None, on_step=None, should_stop=None):
    """Train until solved, out of steps, ``should_stop()`` or Ctrl-C; returns a :class:`Result`.

    ``on_step(run)`` after every step, ``on_eval(evaluation)`` after every evaluation.
    Ctrl-C (KeyboardInterrupt) ends the run with ``interrupted`` set and the
    result so far; nothing is re-raised.
    """
    run = Run(settings)
    s = run.settings
    result = Result(s, run.task.describe(), run.task.criterion, test_size=run.test.size)
    try:
        while run.steps < s.steps and not run.solved:
            run.step()
            if on_step is not None:
                on_step(run)
            if run.steps % s.eval_every == 0 or run.solved or run.steps == s.steps:
                evaluation = run.evaluate()
                result.evaluations.append(evaluation)
                if on_eval is not None:
                    on_eval(evaluation)
            if should_stop is not None and should_stop():
                result.interrupted = True
                break
    except KeyboardInterrupt:
        result.interrupted = True
    result.steps, result.sequences = run.steps, run.sequences
    result.solved_after = run.solved_after
    result.test_wrong = run.test_wrong
    result.seconds = time.perf_counter() - run.started
    return result

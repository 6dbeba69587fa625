"""The task registry and what every task shares: losses, per-sequence judgement, defaults.

A task generates batches from a seeded ``numpy.random.Generator``, knows its
test set, turns the model's raw outputs into a loss and its gradient, and
judges each sequence by the paper's rule.  The run is *solved* by one of two
paper criteria:

- ``"stream"`` (Exp. 4, 6a): the most recent ``window`` training sequences
  were all processed correctly, each judged before the update it feeds;
- ``"sets"`` (Exp. 1, 2a): every sequence of the fixed sets (test set, and for
  Exp. 1 the training set too) is processed correctly at an evaluation.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np

from studydeck.engine.functional import cross_entropy, mse_loss, softmax
from studydeck.lab.batch import IGNORE


@dataclass(frozen=True)
class Defaults:
    """A task's training defaults (the CLI's), chosen by measurement (docs/experiments.md)."""

    hidden: int = 16
    batch: int = 32
    lr: float = 1e-2
    steps: int = 2000
    eval_every: int = 100


class TaskError(ValueError):
    """A task argument (the length) is out of range: a usage error with a one-line message."""


class Task(ABC):
    """Base class; subclasses set the class attributes and write ``sample`` and ``test_set``."""

    name = ""
    title = ""
    paper = ""            # where in Hochreiter & Schmidhuber (1997) the task is defined
    criterion = ""        # the paper's success criterion, in words
    input_size = output_size = 0
    loss_kind = "mse"     # or "cross_entropy"
    readout = "last"      # or "every"
    solved_by = "stream"  # or "sets"
    window = 2000         # sequences, for solved_by == "stream"
    length_name = "T"
    default_length: int | None = None
    min_length = 1
    max_length = 100_000
    defaults = Defaults()

    def __init__(self, length=None):
        if length is None:
            length = self.default_length
        elif self.default_length is None:
            raise TaskError(f"the {self.name} task has no length to set")
        elif not self.min_length <= length <= self.max_length:
            raise TaskError(f"--length for {self.name} ({self.length_name}) must be "
                            f"{self.min_length} to {self.max_length}, got {length}")
        self.length = length

    # ------------------------------------------------------------- subclasses
    @abstractmethod
    def sample(self, rng, n):
        """``n`` fresh training sequences as a :class:`~studydeck.lab.batch.Batch`."""

    @abstractmethod
    def test_set(self, rng):
        """The fixed test set, drawn once from ``rng``."""

    def prepare(self, rng):
        """Draw whatever fixed training material the task needs (Exp. 1's 256 strings)."""
        return None  # most tasks need none

    def criterion_sets(self, test):
        """The batches every sequence of which must be correct (``solved_by == "sets"``)."""
        return [test]

    @abstractmethod
    def correct(self, probs_or_values, batch):
        """(N,) bool: which sequences the outputs process correctly by the paper's rule."""

    # ----------------------------------------------------------------- shared
    def outputs(self, raw):
        """What the rule judges: the values themselves (MSE) or softmax probabilities."""
        return raw if self.loss_kind == "mse" else softmax(raw)

    def loss(self, raw, batch):
        """``(loss, dL/draw)``: mean squared error or cross-entropy (mean over counted steps)."""
        if self.loss_kind == "mse":
            return mse_loss(raw, batch.target)
        return cross_entropy(raw, batch.target, ignore_index=IGNORE)

    def describe(self):
        """One line: the task, its size and the paper's section."""
        size = f", {self.length_name} = {self.length}" if self.length is not None else ""
        return f"{self.title}{size} ({self.paper})"


def one_hot_error_below(probs, target, bound):
    """max_k |p_k − onehot(target)_k| < bound, over the last axis; probs (..., C), target (...)."""
    onehot = np.zeros_like(probs)
    np.put_along_axis(onehot, np.maximum(target, 0)[..., None], 1.0, axis=-1)
    return np.max(np.abs(probs - onehot), axis=-1) < bound


def task_names():
    return list(_registry())


def make_task(name, length=None):
    """The task called ``name`` with sequence length ``length`` (None: the paper's)."""
    registry = _registry()
    if name not in registry:
        raise TaskError(f"unknown task {name!r}; choose one of {', '.join(registry)}")
    return registry[name](length)


def _registry():
    from studydeck.lab.adding import AddingTask
    from studydeck.lab.long_lag import LongLagTask
    from studydeck.lab.reber import ReberTask
    from studydeck.lab.temporal_order import TemporalOrderTask

    tasks = (AddingTask, TemporalOrderTask, LongLagTask, ReberTask)
    return {t.name: t for t in tasks}

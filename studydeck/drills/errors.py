"""Errors of the drills package.  Numpy-free: plain mode and the deck checker
import these without paying for numpy.
"""

from __future__ import annotations


class DrillError(ValueError):
    """Base of every error below: a one-line message fit to show the user as is."""


class AnswerError(DrillError):
    """An answer line that cannot be read as the expected kind of value.

    The message is one line, meant to be shown as a hint before asking again.
    Such a line is never counted as an answer.
    """


class ParamError(DrillError):
    """A drill parameter that the kind does not accept, or a value out of range."""


class UnknownKindError(DrillError):
    """A drill kind (or prefix) that names no kind; the message names the closest one."""

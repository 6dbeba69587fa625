"""``no_grad()``: forward passes that keep nothing for a backward pass, as ``torch.no_grad``.

    from studydeck.engine import no_grad
    with no_grad():
        output, _ = lstm(x)          # the same numbers; lstm.backward(...) now raises

Inside the block a layer's forward pass keeps no copy of its input and no
per-step activations (each step's gates and cell state live in a buffer of two
steps), so an evaluation costs less time and memory.  The setting belongs to
the current thread (and asyncio task), like PyTorch's.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_enabled: ContextVar[bool] = ContextVar("studydeck_engine_grad_enabled", default=True)


def is_grad_enabled() -> bool:
    """Whether forward passes keep what ``backward`` needs (True outside :func:`no_grad`)."""
    return _enabled.get()


@contextmanager
def no_grad() -> Iterator[None]:
    """Forward passes in the block keep nothing for ``backward``; the previous mode returns after it."""
    token = _enabled.set(False)
    try:
        yield
    finally:
        _enabled.reset(token)


NO_BACKWARD = "its last forward call ran under no_grad(), which keeps nothing for backward"

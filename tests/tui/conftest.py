"""Fixtures for the TUI tests: small decks written to tmp dirs, a frozen
clock, a seeded app with no cursor blink, UTC as the local zone.

The decks are written here (not the bundled ones, which change) and loaded by
the real loader, as the CLI does with ``--no-bundled --deck-dir DIR``.
"""

from __future__ import annotations

import os
import time
from datetime import datetime, UTC
from pathlib import Path

import pytest

from studydeck.config import Config
from studydeck.deckfile.load import load_decks
from studydeck.tui.app import create_app
from tests.helpers import Clock

FROZEN = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

BASICS = """\
deck: basics
title: LSTM basics
cards:
  - id: forget-gate
    front: What does the **forget gate** decide?
    back: Which parts of the previous cell state are kept.
  - id: input-gate
    front: What does the **input gate** decide?
    back: How much of the candidate g_t is written into the cell.
  - id: output-gate
    front: What does the **output gate** decide?
    back: Which part of tanh(c_t) becomes h_t.
    extra: h_t = o_t ⊙ tanh(c_t)
  - id: gru-gates
    front: How many gates does a GRU have?
    back: Two, reset and update.
  - id: cec
    front: What is the constant error carousel?
    back: The cell state path along which the error flows unchanged.
"""

MIXED = """\
deck: mixed
title: Mixed card types
cards:
  - id: cell-update
    type: cloze
    text: "c_t = {{c1::f_t ⊙ c_(t-1)}} + {{c2::i_t ⊙ g_t}}"
  - id: gru-gate-count
    type: choice
    front: How many gates does a GRU have?
    choices: ["1", "2", "3", "4"]
    answer: "2"
  - id: drill-forget
    type: drill
    drill: lstm.forget_gate
    params: {hidden_size: 2}
"""

DRILLS = """\
deck: drills
title: Two sigmoid drills
cards:
  - id: sig-a
    type: drill
    drill: sigmoid.value
  - id: sig-b
    type: drill
    drill: sigmoid.value
"""

BROKEN = """\
deck: broken
title: Broken deck
cards:
  - id: bad
    fornt: a misspelt key
    back: b
"""


@pytest.fixture(autouse=True)
def utc_zone():
    """Local time is UTC, so day boundaries and the heatmap never depend on the machine."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()


@pytest.fixture
def clock() -> Clock:
    return Clock(FROZEN)


def write_decks(folder: Path, **decks: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in decks.items():
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def make_app(tmp_path, studydeck_home, clock):
    """``make_app(basics=BASICS, ...)`` writes those deck files and builds the app on them."""

    def build(deck_ids=None, editor=None, **decks: str):
        folder = write_decks(tmp_path / "decks", **decks)
        config = Config(bundled_decks=False, deck_folders=(str(folder),), fuzz=False)
        loaded = load_decks(config.deck_paths(), cache_dir=studydeck_home / "cache")
        return create_app(str(studydeck_home), config, loaded, deck_ids, clock=clock, seed=1234,
                          cursor_blink=False, editor=editor)

    return build


def reviews(home: Path) -> list[tuple[str, str, int]]:
    """(deck, card, rating) of every standing review in the collection at ``home``."""
    from studydeck.store import open_collection

    with open_collection(home / "collection.sqlite3") as collection:
        return [(r.deck_id, r.card_id, r.rating) for r in collection.reviews()]


os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")


def plain(widget, width: int = 100) -> str:
    """What a Static shows, as plain text (its content rendered by Rich, no styles)."""
    from rich.console import Console

    console = Console(width=width, color_system=None)
    with console.capture() as capture:
        console.print(widget.content)
    return capture.get()


def screen_text(app) -> str:
    """The whole screen as plain text, one line per terminal row (from Textual's SVG screenshot)."""
    import html
    import re

    rows: dict[float, list[tuple[float, str]]] = {}
    for x, y, content in re.findall(r'<text class="[^"]*" x="([\d.]+)" y="([\d.]+)"[^>]*>(.*?)</text>',
                                    app.export_screenshot()):
        rows.setdefault(float(y), []).append((float(x), html.unescape(content)))
    lines = []
    for y in sorted(rows):
        line = ""
        for x, part in sorted(rows[y]):
            line = line.ljust(round(x / 12.2)) + part
        lines.append(line.replace("\xa0", " ").rstrip())
    return "\n".join(lines)

"""Builders for the interop tests: small decks, and Anki packages made without Anki."""

from __future__ import annotations

import sqlite3
import zipfile
from pathlib import Path

SMALL_DECK = """\
deck: small
title: Small deck
description: A few cards.
cards:
  - id: gate
    front: What does the **forget gate** decide?
    back: Which parts of c_(t-1) are kept.
    tags: [gates, lstm basics]
    extra: See the cell diagram.
  - id: rev
    type: reversed
    front: GRU
    back: Gated recurrent unit
  - id: cell
    type: cloze
    text: "c_t = {{c1::f_t ⊙ c_(t-1)}} + {{c2::i_t ⊙ g_t::a product}}"
  - id: count
    type: choice
    front: How many gates does a GRU have?
    choices: ["1", "2", "3", "4"]
    answer: "2"
  - id: sig
    type: drill
    drill: sigmoid.value
"""


def write_deck(folder: Path, text: str = SMALL_DECK, name: str = "small.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def export(tmp_path: Path, deck_dir: Path, name: str = "out.apkg", variants: int = 3) -> Path:
    from studydeck.cli import main

    target = tmp_path / name
    assert main(["export", "--no-bundled", "--deck-dir", str(deck_dir), "--to", str(target),
                 "--drill-variants", str(variants)]) == 0
    return target


def rewrite_collection(package: Path, target: Path, sql: list[tuple[str, tuple]] = (),
                       media: dict[str, bytes] | None = None) -> Path:
    """A copy of a genanki package with SQL run on its collection (and media added)."""
    work = target.parent / (target.name + ".db")
    with zipfile.ZipFile(package) as z:
        work.write_bytes(z.read("collection.anki2"))
    conn = sqlite3.connect(work)
    for statement, params in sql:
        conn.execute(statement, params)
    conn.commit()
    conn.close()
    with zipfile.ZipFile(target, "w") as z:
        z.write(work, "collection.anki2")
        names = {}
        for i, (name, data) in enumerate((media or {}).items()):
            z.writestr(str(i), data)
            names[str(i)] = name
        import json

        z.writestr("media", json.dumps(names))
    work.unlink()
    return target

"""The home deck table's text lines are drawn exactly as the Rich table they replace."""

from __future__ import annotations

import random
from types import SimpleNamespace

from rich.console import Console

from studydeck.tui.widgets.deck_table import COLUMNS, DeckTable

TITLES = ["Deck", "LSTM basics", "A much longer deck title that goes on and on", "数据 deck 🧠", "x" * 90, ""]


def _segments(renderable, width: int) -> list[list[tuple[str, str]]]:
    """Each line as (text, style) runs, runs of one style merged."""
    console = Console(width=width, color_system="truecolor", force_terminal=True)
    out = []
    for line in console.render_lines(renderable, console.options.update(width=width), pad=False):
        merged: list[tuple[str, str]] = []
        for segment in line:
            style = str(segment.style or "") if str(segment.style or "") != "none" else ""
            if not segment.text:
                continue
            if merged and merged[-1][1] == style:
                merged[-1] = (merged[-1][0] + segment.text, style)
            else:
                merged.append((segment.text, style))
        out.append(merged)
    return out


def test_lines_equal_the_table_they_replace():
    rng = random.Random(7)
    compared = 0
    for _ in range(200):
        n = rng.randint(0, 30)
        rows = [(f"d{i}", (rng.choice(TITLES), rng.choice([0, 5, 120, 99999, "…"]), rng.randint(0, 30),
                           rng.randint(0, 5000), rng.randint(0, 10**6))) for i in range(n)]
        width, fitting = rng.choice([58, 78, 98, 118]), rng.randint(1, 25)
        cursor = rng.randint(0, max(0, n - 1))
        table = SimpleNamespace(rows=rows, cursor=cursor, top=max(0, min(cursor, n - fitting)),
                                has_focus=rng.random() < 0.5)
        numbers = [max([len(name)] + [len(str(cells[k])) for _, cells in rows]) for k, name in enumerate(COLUMNS) if k]
        room = width - sum(w + 3 for w in numbers) - 3
        if room < 8:
            continue
        lines = DeckTable._lines(table, numbers, room, fitting)
        assert _segments(lines, width) == _segments(DeckTable._table(table, numbers, room, fitting), width)
        compared += 1
    assert compared > 100

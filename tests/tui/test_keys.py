"""One source for keys: the bindings drive the help screen, the key lines and the README."""

from __future__ import annotations

from pathlib import Path

from textual.binding import Binding

from studydeck.tui import keys_doc
from studydeck.tui.keys import help_rows, key_name, static_bar
from tests.tui.conftest import BASICS, DRILLS, plain

SIZE = (100, 30)
README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_keys_table_is_generated_from_the_bindings():
    text = README.read_text(encoding="utf-8")
    assert keys_doc.START in text and keys_doc.END in text
    assert keys_doc.rewrite(text) == text, "run: python -m studydeck.tui.keys_doc"


def test_keys_doc_rewrites_only_the_marked_region(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(f"# Title\n\n{keys_doc.START}\nold table\n{keys_doc.END}\n\nAfter.\n", encoding="utf-8")
    assert keys_doc.main([str(page), "--check"]) == 1
    assert "old table" in page.read_text(encoding="utf-8")
    assert keys_doc.main([str(page)]) == 0
    text = page.read_text(encoding="utf-8")
    assert text.startswith("# Title\n\n") and text.endswith(f"{keys_doc.END}\n\nAfter.\n")
    assert "| **Study** | |" in text and "old table" not in text
    assert keys_doc.main([str(page), "--check"]) == 0


def test_rows_merge_keys_and_groups():
    group = Binding.Group("rate")
    rows = help_rows([Binding("u,ctrl+z", "undo", "undo", tooltip="undo the last rating"),
                      *[Binding(str(n), f"rate({n})", str(n), group=group, tooltip="rate it") for n in (1, 2, 3)]])
    assert rows == [("u / ctrl+z", "undo the last rating"), ("1 – 3", "rate it")]
    assert key_name("escape", short=True) == "esc" and key_name("ctrl+z", short=True) == "^z"
    assert plain_text(static_bar([Binding("escape", "leave", "home")])) == " esc  home "


def plain_text(text) -> str:
    return text.plain


async def test_study_key_line_follows_the_phase(make_app):
    from tests.tui.test_study import open_deck

    app = make_app(basics=BASICS)
    async with app.run_test(size=SIZE) as pilot:
        await open_deck(pilot, "basics")
        hint = plain(app.screen.query_one("#hint"))
        assert "space  show answer" in hint and "1-5" not in hint and "?  help" in hint
        await pilot.press("space")
        await pilot.pause()
        hint = plain(app.screen.query_one("#hint"))
        assert "1-5  rate" in hint and "show answer" not in hint


async def test_key_line_offers_f1_for_help_while_typing_an_answer(make_app):
    from tests.tui.test_study import open_deck

    app = make_app(drills=DRILLS)
    async with app.run_test(size=SIZE) as pilot:
        await open_deck(pilot, "drills")
        hint = plain(app.screen.query_one("#hint"))
        assert "F1  help" in hint and " ?  help" not in hint
        assert "enter  check the answer" in hint
        await pilot.press("f1")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"


async def test_free_drill_key_line_wraps_at_60_columns_and_offers_f1_while_typing(make_app):
    """The free drills screen's KeyLine (a Footer cut "? help" to "? hel" at 60 columns)."""
    from studydeck.tui.widgets.key_line import KeyLine

    app = make_app(basics=BASICS)
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.press("d")
        await pilot.pause()
        line = plain(app.screen.query_one(KeyLine))
        assert "F1  help" in line and "?  help" not in line  # the answer box has the cursor
        assert "pick kinds" in line and "esc  home" in line
        await pilot.press("0", "enter")  # a wrong (or right) answer: Enter now asks the next question
        await pilot.pause()
        line = plain(app.screen.query_one(KeyLine))
        assert all(len(row) <= 60 for row in line.splitlines())
        for item in ("next question", "pick kinds", "esc  home", "help", "^p  commands"):
            assert item in line, line

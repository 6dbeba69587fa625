"""The app runs nothing the user did not ask for, and survives bad editors, markup and huge cards."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap

import pytest

from studydeck.tui.widgets.card_text import MAX_CHARS, MAX_LINES, CardText
from tests.tui.conftest import BASICS, reviews

SIZE = (80, 24)


async def study_first_card(pilot) -> None:
    await pilot.press("enter")     # study the deck under the cursor
    await pilot.pause()
    assert type(pilot.app.screen).__name__ == "StudyScreen"


def recording_editor(tmp_path, edit: str = "") -> tuple[str, object]:
    """An editor command that writes its argv to a file (and applies ``edit`` to the deck)."""
    log = tmp_path / "argv.txt"
    script = tmp_path / "editor.py"
    script.write_text(textwrap.dedent(f"""\
        import json, pathlib, sys
        pathlib.Path({str(log)!r}).write_text(json.dumps(sys.argv[1:]))
        path = pathlib.Path(sys.argv[-1])
        {edit or "pass"}
        """))
    return f"{sys.executable} {script}", log


async def test_editor_gets_the_absolute_path_after_double_dash(make_app, tmp_path, monkeypatch):
    import json

    editor, log = recording_editor(tmp_path)
    app = make_app(basics=BASICS, editor=editor)
    async with app.run_test(size=SIZE) as pilot:
        await study_first_card(pilot)
        await pilot.press("e")
        await pilot.pause()
    argv = json.loads(log.read_text())
    assert argv[:2] == ["+4", "--"] and os.path.isabs(argv[2]) and argv[2].endswith("basics.yaml")


@pytest.mark.skipif(shutil.which("vim") is None, reason="vim is not installed")
async def test_a_deck_file_named_like_a_vim_option_runs_nothing(make_app, tmp_path, monkeypatch):
    """Deck folder '.', file '-c!touch X;.yaml': vim must edit it, not run `touch X`."""
    from studydeck.config import Config
    from studydeck.deckfile.load import load_decks
    from studydeck.tui.app import create_app

    folder = tmp_path / "decks"
    folder.mkdir()
    (folder / "-c!touch X;.yaml").write_text(BASICS)
    monkeypatch.chdir(folder)
    config = Config(bundled_decks=False, deck_folders=(".",), fuzz=False)
    loaded = load_decks(config.deck_paths())
    assert loaded.decks[0].path == "-c!touch X;.yaml"
    app = create_app(str(tmp_path / "home"), config, loaded, cursor_blink=False,
                     editor="vim -es -u NONE -i NONE -n")
    async with app.run_test(size=SIZE) as pilot:
        await study_first_card(pilot)
        await pilot.press("e")
        await pilot.pause()
    assert not (folder / "X").exists()


@pytest.mark.parametrize("setting, said", [
    ("/nonexistent", "cannot run the editor '/nonexistent': No such file or directory"),
    ('vim "', "cannot read the editor command 'vim \"' ($VISUAL or $EDITOR): no closing quotation"),
])
async def test_an_editor_that_cannot_run_is_reported_and_the_app_goes_on(make_app, studydeck_home, monkeypatch,
                                                                      setting, said):
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", setting)
    app = make_app(basics=BASICS)
    async with app.run_test(size=SIZE) as pilot:
        await study_first_card(pilot)
        await pilot.press("e")
        await pilot.pause()
        assert [n.message for n in app._notifications if said in n.message]
        await pilot.press("space", "4")       # the session goes on
        await pilot.pause()
    assert app.return_code in (None, 0)
    assert reviews(studydeck_home) == [("basics", "forget-gate", 4)]


async def test_markup_in_a_deck_is_shown_as_text(make_app, tmp_path):
    editor, _log = recording_editor(
        tmp_path, edit="path.write_text(path.read_text().replace('    back: Which', '    \"[/x]\": 1\\n    back: Which'))")
    app = make_app(basics=BASICS, editor=editor)
    async with app.run_test(size=SIZE) as pilot:
        await study_first_card(pilot)
        await pilot.press("e")
        await pilot.pause()
        notifications = list(app._notifications)
    # the message reaches the toast as text: not read as markup (which raised MarkupError)
    shown = [n for n in notifications if "unknown key '[/x]'" in n.message]
    assert shown and all(not n.markup for n in notifications), notifications
    assert app.return_code in (None, 0)


def test_a_huge_card_is_cut_and_says_so():
    table = "| n | n² |\n| --- | --- |\n" + "".join(f"| {i} | {i * i} |\n" for i in range(10_000))
    text = table + "x" * (1_000_000 - len(table))
    widget = CardText()
    widget.show(text)
    assert len(widget.source) < MAX_CHARS + 400 and widget.source.count("\n") < MAX_LINES + 10
    assert "This text is cut here: it has 1,000,000 characters" in widget.source
    widget.show("short")
    assert widget.source == "short"


def test_an_unexpected_error_in_the_app_exits_70_and_is_logged(tmp_path):
    folder = tmp_path / "decks"
    folder.mkdir()
    (folder / "basics.yaml").write_text(BASICS)
    code = textwrap.dedent(f"""\
        import io, sys
        from textual.app import App
        from studydeck.tui import app as tui_app
        from studydeck.tui.screens import home

        def broken(*args):
            raise ZeroDivisionError("a bug in a screen")

        home.home_numbers = broken
        tui_app.StudyDeckApp.run = lambda self, **kw: App.run(self, headless=True, size=(80, 24))

        class Terminal(io.StringIO):
            def isatty(self):
                return True

        sys.stdin = Terminal()
        sys.stdout = Terminal()
        from studydeck.cli import main
        code = main(["--no-bundled", "--deck-dir", {str(folder)!r}])
        sys.__stdout__.write(f"exit {{code}}\\n")
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "STUDYDECK_HOME": str(tmp_path / "home")})
    assert proc.stdout.strip() == "exit 70", proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert "studydeck: unexpected error (ZeroDivisionError: a bug in a screen); the details are in " in proc.stderr
    log = proc.stderr.strip().rsplit(" in ", 1)[1].rstrip(".")
    assert "ZeroDivisionError" in open(log).read()

"""Start-up stays light: the home screen loads neither numpy, the engine,
the drill generators, fsrs nor the Markdown parser; opening the lab does load numpy."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from tests.tui.conftest import BASICS, write_decks

SCRIPT = textwrap.dedent("""\
    import asyncio, json, sys
    from studydeck.config import Config
    from studydeck.deckfile.load import load_decks
    from studydeck.tui.app import create_app

    HEAVY = ("numpy", "studydeck.engine", "studydeck.drills.registry", "fsrs", "markdown_it")

    async def main(folder, home, press):
        config = Config(bundled_decks=False, deck_folders=(folder,))
        app = create_app(home, config, load_decks(config.deck_paths()), cursor_blink=False)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            if press:
                await pilot.press(press)
                await pilot.pause()
            loaded = [m for m in HEAVY if m in sys.modules]
            print(json.dumps({"screen": type(app.screen).__name__, "loaded": loaded}))

    asyncio.run(main(*sys.argv[1:3], sys.argv[3] if len(sys.argv) > 3 else ""))
    """)


def _run(tmp_path, *press: str) -> dict:
    folder = write_decks(tmp_path / "decks", basics=BASICS)
    out = subprocess.run([sys.executable, "-c", SCRIPT, str(folder), str(tmp_path / "home"), *press],
                         capture_output=True, text=True, timeout=120, cwd=str(tmp_path))
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_home_screen_imports_nothing_heavy(tmp_path):
    result = _run(tmp_path)
    assert result == {"screen": "HomeScreen", "loaded": []}


def test_lab_loads_numpy_when_shown(tmp_path):
    result = _run(tmp_path, "l")
    assert result["screen"] == "LabScreen"
    assert "numpy" in result["loaded"] and "studydeck.engine" in result["loaded"]

"""Snapshot tests of every screen at 80×24 (the default terminal), and of the
narrow layouts at 60×20; and tests that no screen's essential text (its key
line included) is cut at 80×24 or at 60×20.

Frozen clock (tests.tui.conftest.FROZEN), UTC local zone, seeded drills, no
animations (TEXTUAL_ANIMATIONS=none from tests/conftest.py), no cursor blink.
Regenerate with ``pytest tests/tui/test_snapshots.py --snapshot-update`` using
the pinned textual and pytest-textual-snapshot, and look at the SVGs.
"""

from __future__ import annotations

import pytest

from tests.tui.conftest import screen_text
from tests.tui.scenes import SCENES, write_history

SIZE = (80, 24)
NARROW = (60, 20)


def _app(make_app, studydeck_home, tmp_path, name):
    scene = SCENES[name]
    app = make_app(**scene.decks)
    if scene.history:
        write_history(studydeck_home, tmp_path / "decks")
    return app, scene


@pytest.mark.parametrize("name", list(SCENES))
def test_screen_at_80x24(name, snap_compare, make_app, studydeck_home, tmp_path):
    app, scene = _app(make_app, studydeck_home, tmp_path, name)
    assert snap_compare(app, press=list(scene.keys), run_before=scene.before, terminal_size=SIZE)


@pytest.mark.parametrize("name", ["home", "study_revealed", "drill_front", "stats", "lab_gradients"])
def test_narrow_screen_at_60x20(name, snap_compare, make_app, studydeck_home, tmp_path):
    app, scene = _app(make_app, studydeck_home, tmp_path, name)
    assert snap_compare(app, press=list(scene.keys), run_before=scene.before, terminal_size=NARROW)


async def _screen_text(app, scene, size) -> str:
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        if scene.before:
            await scene.before(pilot)
        for key in scene.keys:
            await pilot.press(key)
            await pilot.pause()
        await pilot.pause(0.1)
        return screen_text(app)


@pytest.mark.parametrize("name", list(SCENES))
async def test_no_essential_text_is_cut_at_80x24(name, make_app, studydeck_home, tmp_path):
    """Each screen's essential lines are on screen, whole, without scrolling."""
    app, scene = _app(make_app, studydeck_home, tmp_path, name)
    text = await _screen_text(app, scene, SIZE)
    missing = [part for part in scene.essential if part not in text]
    assert not missing, f"{name}: not on screen at 80×24: {missing}\n{text}"


@pytest.mark.parametrize("name", list(SCENES))
async def test_no_essential_text_is_cut_at_60x20(name, make_app, studydeck_home, tmp_path):
    """At 60×20 too: the key line wraps rather than losing keys, no rating label is broken."""
    app, scene = _app(make_app, studydeck_home, tmp_path, name)
    text = await _screen_text(app, scene, NARROW)
    missing = [part for part in (scene.narrow or scene.essential) if part not in text]
    assert not missing, f"{name}: not on screen at 60×20: {missing}\n{text}"

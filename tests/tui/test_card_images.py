"""The app shows an image in card text by its name, as plain mode does."""

from __future__ import annotations

from studydeck.tui.widgets.card_text import CardText
from tests.tui.conftest import plain

PICTURES = """\
deck: pictures
title: Pictures
cards:
  - id: gate
    front: "Which gate is this? ![gate.png](pictures-media/gate.png)"
    back: The forget gate
    extra: "See ![cell diagram.png](<pictures-media/cell diagram.png>)"
"""


async def test_the_study_screen_shows_images_by_name(make_app, studydeck_home):
    app = make_app(pictures=PICTURES)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert type(screen).__name__ == "StudyScreen"
        assert "Which gate is this? [image: gate.png]" in plain(screen.query_one("#front", CardText))
        await pilot.press("space")
        await pilot.pause()
        extra = plain(screen.query_one("#extra", CardText))
        assert "See [image: cell diagram.png]" in extra and "![" not in extra

"""Images in card text are shown as their names, the same in plain mode as in the app."""

from __future__ import annotations

import io

from studydeck.config import Config
from studydeck.model import Card, Deck
from studydeck.plain import PlainStudy
from studydeck.store import open_collection
from studydeck.study.session import Session
from studydeck.study.terminal_text import terminal_text
from tests.helpers import Clock


def test_an_image_becomes_its_name():
    assert terminal_text("Look: ![cell.png](lstm-media/cell.png)") == "Look: [image: cell.png]"
    assert terminal_text("![a b.png](<lstm-media/a b.png>) and ![c.png](m/c.png \"t\")") == (
        "[image: a b.png] and [image: c.png]")
    assert terminal_text("![](lstm-media/diagram.svg)") == "[image: diagram.svg]"
    assert terminal_text("no images, [a link](x) and ! [not] (one)") == "no images, [a link](x) and ! [not] (one)"


def test_code_keeps_its_text():
    code = "Write `![x](y.png)` to show y.png, or\n```\n![x](y.png)\n```\nafter ![z.png](m/z.png)"
    assert terminal_text(code) == (
        "Write `![x](y.png)` to show y.png, or\n```\n![x](y.png)\n```\nafter [image: z.png]")
    assert terminal_text("``a ` ![b](c)`` ![d](e)") == "``a ` ![b](c)`` [image: d]"


def test_what_the_import_writes_is_shown_by_name(tmp_path):
    from studydeck.deckfile.load import load_decks
    from studydeck.interop.importer import run_import

    source = tmp_path / "pics.txt"
    source.write_text('#separator:tab\n#html:true\nWhat is this? <img src="gone.png">\tA cell\n',
                      encoding="utf-8")
    run_import(source, tmp_path / "decks")
    (deck,) = load_decks([tmp_path / "decks"]).decks
    assert terminal_text(deck.cards[0].front) == "What is this? [image: gone.png]"
    assert terminal_text("What is this? ![cell.png](pics-media/cell.png)") == "What is this? [image: cell.png]"


def test_plain_mode_shows_images_by_name(tmp_path):
    card = Card(deck_id="d", card_id="c", note_id="c", type="basic", line=1,
                front="Which gate is this? ![gate.png](d-media/gate.png)",
                back="The forget gate", extra="See ![cell diagram.png](<d-media/cell diagram.png>)")
    deck = Deck(id="d", title="D", description="", path="d.yaml", cards=(card,))
    out = io.StringIO()
    with open_collection(tmp_path / "c.sqlite3") as collection:
        PlainStudy(Session(collection, [deck], Config(fuzz=False), clock=Clock()),
                   io.StringIO("\n5\n"), out).run()
    text = out.getvalue()
    assert "Which gate is this? [image: gate.png]" in text
    assert "See [image: cell diagram.png]" in text
    assert "![" not in text

"""`studydeck cards`, `suspend`/`bury`/`flag`/`forget`, `undo`, `info` and custom study, run in-process."""

from __future__ import annotations

import json
import textwrap
from datetime import UTC, datetime

import pytest

from studydeck import cli
from studydeck.config import Config
from studydeck.store import open_collection
from studydeck.study.queue import build_queue

DECK = textwrap.dedent("""\
    deck: alpha
    title: Alpha
    cards:
      - id: forget
        front: What does the **forget gate** decide?
        back: What to keep of c_(t-1).
        tags: [gates]
      - id: input
        front: What does the input gate decide?
        back: How much of g_t is written.
        tags: [gates]
      - id: cafe
        front: Café au lait
        back: A drink.
      - id: gru
        front: How many gates has a GRU?
        back: Two.
    """)
OTHER = "deck: beta\ntitle: Beta\ncards:\n  - id: one\n    front: One\n    back: Uno\n"


@pytest.fixture
def run(tmp_path, capsys, monkeypatch):
    folder = tmp_path / "decks"
    folder.mkdir()
    (folder / "alpha.yaml").write_text(DECK, encoding="utf-8")
    (folder / "beta.yaml").write_text(OTHER, encoding="utf-8")

    def call(*args: str, stdin: str = ""):
        import io

        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = cli.main([*args[:1], "--no-bundled", "--deck-dir", str(folder), *args[1:]])
        out, err = capsys.readouterr()
        return code, out, err

    call.folder = folder
    return call


def keys(out: str) -> list[str]:
    return [line.split()[0] for line in out.splitlines() if line.strip()]


def test_cards_lists_matches_with_their_numbers(run):
    code, out, err = run("cards", "gate")
    assert code == 0
    assert keys(out) == ["alpha/forget", "alpha/input", "alpha/gru"]
    assert "new  due -  ivl -" in out and "3 cards" in err
    assert keys(run("cards", "CAFE")[1]) == ["alpha/cafe"]          # accents and case
    assert keys(run("cards", "tag:gates", "-input")[1]) == ["alpha/forget"]
    assert keys(run("cards", "-deck:alpha")[1]) == ["beta/one"]      # a query may start with '-'
    rows = [json.loads(line) for line in run("cards", "--json", "deck:beta")[1].splitlines()]
    assert rows[0]["card"] == "one" and rows[0]["state"] == "new" and rows[0]["front"] == "One"


def test_a_bad_query_names_the_column(run):
    code, _out, err = run("cards", "tag:gates )")
    assert code == 2
    assert "unexpected ')' at column 11" in err and "Traceback" not in err


def test_suspend_is_counted_undone_and_survives_a_deck_edit(run, studydeck_home):
    code, out, _ = run("suspend", "tag:gates")
    assert code == 0 and out.strip() == "suspended 2 cards (2 matched)"
    assert run("suspend", "tag:gates")[1].strip() == "suspended 0 cards (2 matched)"
    assert keys(run("cards", "is:suspended")[1]) == ["alpha/forget", "alpha/input"]
    # the deck file is edited: cards reordered and reworded, one added
    path = run.folder / "alpha.yaml"
    edited = DECK.replace("What does the input gate decide?", "Input gate?") + \
        "  - id: extra\n    front: New card\n    back: x\n"
    path.write_text(edited, encoding="utf-8")
    assert keys(run("cards", "is:suspended")[1]) == ["alpha/forget", "alpha/input"]
    assert "suspended" not in path.read_text()
    # the queue and the counts leave them out
    _, out, _ = run("stats", "--json")
    alpha = next(d for d in json.loads(out)["decks"] if d["deck"] == "alpha")
    assert (alpha["new"], alpha["suspended"]) == (3, 2)
    assert run("undo")[1].strip() == "Undid suspend of 2 cards (tag:gates)."
    assert run("cards", "is:suspended")[1] == ""
    assert run("undo")[1].strip() == "Nothing to undo."


def test_bury_flag_and_unbury(run):
    assert run("bury", "cafe")[1].strip() == "buried 1 card (1 matched)"
    assert keys(run("cards", "is:buried")[1]) == ["alpha/cafe"]
    assert run("flag", "3", "deck:beta")[1].strip() == "flagged 1 card (1 matched)"
    assert keys(run("cards", "flag:3")[1]) == ["beta/one"]
    assert run("unbury", "*")[1].strip() == "unburied 1 card (5 matched)"
    assert run("undo")[1].strip() == "Undid unbury of 1 card (*)."
    assert run("undo")[1].strip() == "Undid flag of 1 card (deck:beta)."
    assert run("cards", "flag:3")[1] == ""


def test_a_command_needs_a_query(run):
    code, _out, err = run("suspend")
    assert code == 2 and "needs a query" in err


def test_forget_keeps_the_history_and_undo_restores_the_schedule(run, studydeck_home):
    assert run("study", "--plain", "beta", stdin="\n4\n")[0] == 0
    with open_collection(studydeck_home / "collection.sqlite3") as col:
        studied = col.card_state("beta", "one")
    assert studied is not None and studied.reps == 1
    assert run("forget", "deck:beta")[1].strip() == "forgot 1 card (1 matched)"
    assert keys(run("cards", "is:new", "deck:beta")[1]) == ["beta/one"]
    code, out, _ = run("info", "beta/one")
    assert code == 0
    assert "review" in out and "4 Well" in out and "forget" in out   # the rating stays, the forget is listed
    assert run("undo")[1].strip() == "Undid forget of 1 card (deck:beta)."
    with open_collection(studydeck_home / "collection.sqlite3") as col:
        assert col.card_state("beta", "one") == studied
    assert run("undo")[1].strip() == "Undid the rating of beta/one."
    with open_collection(studydeck_home / "collection.sqlite3") as col:
        assert col.card_state("beta", "one") is None


def test_info_names_an_unknown_card(run):
    code, _out, err = run("info", "alpha/forgt")
    assert code == 2 and "did you mean 'alpha/forget'" in err
    code, out, _ = run("info", "alpha/forget")
    assert code == 0 and "no reviews yet" in out


def test_custom_study_by_query_and_cram(run, studydeck_home):
    code, out, _ = run("study", "--plain", "--query", "tag:gates", stdin="\n4\n\n4\n")
    assert code == 0
    with open_collection(studydeck_home / "collection.sqlite3") as col:
        assert sorted(r.card_id for r in col.reviews()) == ["forget", "input"]
        before = col.card_state("alpha", "forget")
    # cram: the rating 1 brings the card back; nothing is scheduled
    code, out, _ = run("study", "--plain", "--cram", "--query", "deck:alpha forget", stdin="\n1\n\n4\n")
    assert code == 0 and "schedule unchanged" in out
    with open_collection(studydeck_home / "collection.sqlite3") as col:
        assert col.card_state("alpha", "forget") == before
        assert len(list(col.reviews())) == 2
        assert col.conn.execute("SELECT rating FROM cram_reviews ORDER BY id").fetchall() == [(1,), (4,)]
    assert run("undo")[1].strip() == "Undid the cram rating of alpha/forget."
    code, _out, err = run("study", "--plain", "--query", "deck:(")
    assert code == 2 and "--query: " in err
    code, _out, err = run("study", "--plain", "--more-new", "3", "--cram")
    assert code == 2 and "--more-new" in err


def test_more_new_and_per_deck_limits(run, studydeck_home):
    from studydeck.deckfile.load import load_decks

    studydeck_home.mkdir(exist_ok=True)
    (studydeck_home / "config.toml").write_text(
        'new_per_day = 20\n[presets.slow]\nnew_per_day = 1\n[decks.alpha]\npreset = "slow"\n')
    from studydeck.config import load_config

    config = load_config().with_overrides(bundled_decks=False, deck_folders=(str(run.folder),))
    decks = load_decks(config.deck_paths()).decks
    now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    with open_collection(studydeck_home / "collection.sqlite3") as col:
        queue = build_queue(col, decks, config, now)
        assert [c.key for c in queue.new] == [("alpha", "forget"), ("beta", "one")]
        queue = build_queue(col, decks, config, now, extra_new=2)
        assert [c.card_id for c in queue.new] == ["forget", "input", "cafe", "one"]
    assert config.for_deck("alpha").new_per_day == 1 and config.for_deck("beta").new_per_day == 20
    assert Config().for_deck("x").preset == "default"

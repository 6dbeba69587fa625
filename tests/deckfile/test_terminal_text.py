"""Nothing a deck holds reaches the terminal as a control: bidi controls are refused,
file names with control characters are refused, every finding prints on one line."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from studydeck.deckfile.load import check_paths, parse_deck
from studydeck.safetext import DECK_FORBIDDEN_RE, deck_text_ok
from tests.test_cli import studydeck

HEAD = "deck: d\ntitle: T\ncards:\n"


@pytest.mark.parametrize("char", ["\u202a", "\u202e", "\u2066", "\u2069"])
def test_bidi_controls_in_card_text_are_refused(char):
    deck, problems = parse_deck(f"{HEAD}  - id: a\n    front: 'admin{char}nimda'\n    back: b\n".encode(), "x.yaml")
    assert deck is None
    (problem,) = problems
    assert (problem.line, problem.col) == (5, 18)
    assert f"bidi control character U+{ord(char):04X}" in problem.message


def test_bidi_controls_written_as_escapes_are_refused():
    deck, problems = parse_deck(f'{HEAD}  - id: a\n    front: "x\\u202ey"\n    back: b\n'.encode(), "x.yaml")
    assert deck is None and "U+202E (RLO)" in problems[0].message


def test_ordinary_unicode_punctuation_is_fine():
    deck, problems = parse_deck(f"{HEAD}  - id: a\n    front: “quoted” — dash… ‘x’\n    back: b\n".encode(), "x.yaml")
    assert deck is not None and problems == []


def test_a_file_name_with_a_control_character_is_refused_and_shown_escaped(tmp_path):
    folder = tmp_path / "decks"
    folder.mkdir()
    (folder / "evil\x1b[2J.yaml").write_text(f"{HEAD}  - id: a\n    front: q\n    back: b\n")
    result = check_paths([folder])
    assert result.decks == []
    (problem,) = result.problems
    assert str(problem).endswith("evil\\x1b[2J.yaml:0:0: error: the file name contains a control or bidi "
                                 "character; rename the file")
    proc = studydeck("check", str(folder), home=tmp_path / "h")
    assert proc.returncode == 1 and "\x1b" not in proc.stdout + proc.stderr


def test_every_finding_is_one_line(tmp_path):
    path = tmp_path / "d.yaml"
    path.write_text(f'{HEAD}  - id: a\n    front: q\n    back: b\n    "block key\\n": 1\n')
    proc = studydeck("check", str(path), home=tmp_path / "h")
    assert proc.returncode == 1
    (line,) = proc.stdout.splitlines()
    assert line == f"{path}:7:5: error: unknown key 'block key\\n'"


@given(st.text(alphabet=st.sampled_from(list("a\t\n\r\x1b\x7f\x85\x9f\xa0²·—\u202a\u202e\u2066\u2069\u200f σ"))))
def test_the_fast_check_of_cached_text_agrees_with_the_checker(text):
    assert deck_text_ok(text) == (DECK_FORBIDDEN_RE.search(text) is None)

"""The deck loader: card derivation, the schema checks and their positions, folders."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from studydeck.deckfile.load import DeckError, LoadResult, check_paths, load_decks, parse_deck
from studydeck.deckfile.schema import NO_ID_WARNING, derive_id
from studydeck.drills.catalog import KINDS
from studydeck.model import Problem

HEAD = "deck: lstm-gates\ntitle: LSTM gates\ncards:\n"


def parse(text: str, filename: str = "d.yaml"):
    return parse_deck(textwrap.dedent(text).encode("utf-8"), filename)


def notes(body: str, filename: str = "d.yaml"):
    """Parse HEAD followed by ``body`` (notes indented by two spaces)."""
    return parse_deck((HEAD + textwrap.indent(textwrap.dedent(body), "  ")).encode(), filename)


def errors(problems: list[Problem]) -> list[str]:
    return [p.message for p in problems if p.severity == "error"]


def where(problems: list[Problem]) -> list[tuple[int, int, str]]:
    return [(p.line, p.col, p.severity) for p in problems]


# ---- card derivation -------------------------------------------------------

def test_the_contract_example_deck_loads_into_the_promised_cards():
    deck, problems = parse("""\
        deck: lstm-gates
        title: LSTM gates
        description: |
          Notes on gates.
        cards:
          - id: forget-gate
            front: What does the forget gate decide?
            back: Which parts of the previous cell state are kept.
            tags: [gates]
            extra: see the cell diagram
          - id: gate-roles
            type: reversed
            front: Output gate
            back: Decides which part of tanh(c_t) becomes h_t
          - id: cell-update
            type: cloze
            text: "c_t = {{c1::f_t ⊙ c_(t-1)}} + {{c2::i_t ⊙ g_t}}"
          - id: gru-gate-count
            type: choice
            front: How many gates does a GRU have?
            choices: ["1", "2", "3", "4"]
            answer: "2"
          - id: drill-forget
            type: drill
            drill: lstm.forget_gate
            params: {hidden_size: 2, input_size: 1}
        """)
    assert problems == []
    assert deck.id == "lstm-gates" and deck.title == "LSTM gates"
    assert deck.description == "Notes on gates.\n"
    assert deck.path == "d.yaml" and len(deck.content_hash) == 32
    ids = [c.card_id for c in deck.cards]
    assert ids == ["forget-gate", "gate-roles", "gate-roles#reverse", "cell-update#c1",
                   "cell-update#c2", "gru-gate-count", "drill-forget"]
    basic = deck.card("forget-gate")
    assert (basic.type, basic.tags, basic.extra, basic.line) == ("basic", ("gates",),
                                                                  "see the cell diagram", 6)
    rev = deck.card("gate-roles#reverse")
    assert (rev.front, rev.back, rev.note_id) == (
        "Decides which part of tanh(c_t) becomes h_t", "Output gate", "gate-roles")
    c1, c2 = deck.card("cell-update#c1"), deck.card("cell-update#c2")
    assert c1.front == "c_t = [...] + i_t ⊙ g_t"
    assert c1.back == "c_t = **f_t ⊙ c_(t-1)** + i_t ⊙ g_t"
    assert c2.front == "c_t = f_t ⊙ c_(t-1) + [...]"
    assert c2.back == "c_t = f_t ⊙ c_(t-1) + **i_t ⊙ g_t**"
    choice = deck.card("gru-gate-count")
    assert (choice.choices, choice.answer, choice.back) == (("1", "2", "3", "4"), "2", "2")
    drill = deck.card("drill-forget")
    assert drill.front == KINDS["lstm.forget_gate"] and drill.back == ""
    assert drill.params == (("hidden_size", 2), ("input_size", 1))
    assert drill.params_dict == {"hidden_size": 2, "input_size": 1}
    assert all(c.deck_id == "lstm-gates" and not c.id_derived for c in deck.cards)


def test_cloze_hints_repeated_numbers_and_numeric_order():
    deck, problems = notes("""\
          - id: c
            type: cloze
            text: "{{c10::ten}} {{c2::two::a number}} and {{c2::again}}"
        """)
    assert problems == []
    assert [c.card_id for c in deck.cards] == ["c#c2", "c#c10"]
    assert deck.cards[0].front == "ten [a number] and [...]"
    assert deck.cards[0].back == "ten **two** and **again**"


def test_choices_keep_file_order_and_numbers_keep_their_spelling():
    deck, problems = notes("""\
          - id: q
            type: choice
            front: Pick
            choices: [4, 1.50, "x"]
            answer: 1.50
        """)
    assert problems == []
    assert deck.cards[0].choices == ("4", "1.50", "x") and deck.cards[0].answer == "1.50"


def test_a_note_without_id_gets_a_stable_derived_id_and_a_warning():
    body = """\
          - front: What is h_t?
            back: The hidden state.
        """
    deck, problems = notes(body)
    again, _ = notes(body)
    assert [(p.line, p.col, p.severity, p.message) for p in problems] == [
        (4, 5, "warning", NO_ID_WARNING)]
    card = deck.cards[0]
    assert card.id_derived and card.card_id == derive_id("lstm-gates", "What is h_t?")
    assert card.card_id.startswith("auto-") and again.cards[0].card_id == card.card_id
    edited, _ = notes(body.replace("h_t?", "h_t now?"))
    assert edited.cards[0].card_id != card.card_id


def test_two_notes_without_id_and_the_same_front_are_an_error():
    _deck, problems = notes("""\
          - front: Same
            back: one
          - front: Same
            back: two
        """)
    assert "same front as the note on line 4" in errors(problems)[0]


# ---- schema checks ---------------------------------------------------------

def test_unknown_keys_get_a_suggestion_at_their_position():
    deck, problems = parse("""\
        deck: x
        titel: X
        cards:
          - id: a
            fornt: Q
            back: A
        """)
    assert deck is None
    assert (2, 1, "error", "unknown key 'titel'; did you mean 'title'?") in [
        (p.line, p.col, p.severity, p.message) for p in problems]
    assert (5, 5, "error", "unknown key 'fornt'; did you mean 'front'?") in [
        (p.line, p.col, p.severity, p.message) for p in problems]
    assert "missing required key 'title'" in errors(problems)
    assert "basic note is missing 'front'" in errors(problems)


def test_a_key_of_another_type_is_an_error_naming_its_type():
    _deck, problems = notes("""\
          - id: a
            front: Q
            back: A
            choices: [x, y]
        """)
    [message] = errors(problems)
    assert message.startswith("key 'choices' does not apply to basic notes")
    assert "choice" in message and where(problems) == [(7, 5, "error")]


@pytest.mark.parametrize("body, expected", [
    ("deck: Bad_Id\ntitle: T\ncards: []\n", "deck id 'Bad_Id' must use only a-z, 0-9 and '-'"),
    ("deck: x\ntitle: [a]\ncards: []\n", "'title' must be text, got a list"),
    ("deck: x\ntitle: T\ncards: {a: 1}\n", "'cards' must be a list, got a mapping"),
    ("deck: x\ntitle: yes\ncards: []\n", "'title' is the YAML boolean yes"),
    ("deck: x\ntitle: T\n", "missing required key 'cards'"),
    ("- just\n- a list\n", "a deck file must be a mapping"),
    ("deck: x\ntitle: T\ncards:\n  - plain string\n", "each entry under 'cards' must be a mapping"),
    ("deck: x\ntitle: T\ncards:\n  - {id: a, front: [1], back: b}\n", "'front' must be text"),
    ("deck: x\ntitle: T\ncards:\n  - {id: a, front: q, back: ''}\n", "'back' is empty"),
    ("deck: x\ntitle: T\ncards:\n  - {id: a, front: q, back: b, tags: gates}\n",
     "'tags' must be a list"),
    ("deck: x\ntitle: T\ncards:\n  - {id: a, front: q, back: b, tags: [[x]]}\n",
     "'tags entry' must be text"),
    ("deck: x\ntitle: T\ncards:\n  - {id: A_1, front: q, back: b}\n", "id 'A_1' must start with"),
    ("deck: x\ntitle: T\ncards:\n  - {id: a, type: clozee, text: t}\n",
     "unknown card type 'clozee'; did you mean 'cloze'?"),
    ("deck: x\ntitle: T\ncards:\n  - {id: a, type: cloze, text: no deletions}\n",
     "cloze text has no deletions"),
    ("deck: x\ntitle: T\ncards:\n  - {id: a, type: cloze, text: 'x {{c1:oops}}'}\n",
     "malformed cloze deletion"),
    ("deck: x\ntitle: T\ncards:\n  - {id: a, type: cloze, text: 'x {{c0::zero}}'}\n",
     "cloze numbers start at 1"),
    ("deck: x\ntitle: T\ncards:\n  - {id: a, type: choice, front: q, choices: [a, b], answer: c}\n",
     "answer 'c' is not one of the choices"),
    ("deck: x\ntitle: T\ncards:\n  - {id: a, type: choice, front: q, choices: [a], answer: a}\n",
     "a choice note needs 2 to 6 choices, got 1"),
    ("deck: x\ntitle: T\ncards:\n  - {id: a, type: choice, front: q, choices: [a, b, a], answer: a}\n",
     "duplicate choice 'a' (same as choice 1)"),
    ("deck: x\ntitle: T\ncards:\n  - {id: a, type: choice, front: q, answer: a}\n",
     "choice note is missing 'choices'"),
    ("deck: x\ntitle: T\ncards:\n  - {id: a, type: drill}\n", "drill note is missing 'drill'"),
    ("deck: x\ntitle: T\ncards:\n  - {id: a, type: drill, drill: lstm.forget_gat}\n",
     "unknown drill kind 'lstm.forget_gat'; did you mean 'lstm.forget_gate'?"),
    ("deck: x\ntitle: T\ncards:\n  - {id: a, type: drill, drill: lstm.step, params: [1]}\n",
     "'params' must be a mapping, got a list"),
    ("deck: x\ntitle: T\ncards:\n  - {id: a, type: drill, drill: lstm.step, params: {hidden_siz: 2}}\n",
     "unknown param 'hidden_siz' for lstm.step; did you mean 'hidden_size'?"),
    ("deck: x\ntitle: T\ncards:\n  - {id: a, type: drill, drill: lstm.step, params: {hidden_size: 9}}\n",
     "param 'hidden_size' of lstm.step: expected a value from 1 to 3"),
])
def test_each_check_reports_its_error(body, expected):
    deck, problems = parse_deck(body.encode(), "d.yaml")
    assert deck is None
    assert any(m.startswith(expected) for m in errors(problems)), errors(problems)
    assert all(p.line >= 1 and p.col >= 1 and p.file == "d.yaml" for p in problems)


def test_an_empty_cards_list_is_a_warning_and_the_deck_still_loads():
    deck, problems = parse("deck: x\ntitle: T\ncards: []\n")
    assert deck is not None and deck.cards == ()
    assert where(problems) == [(3, 8, "warning")] and "no cards" in problems[0].message


def test_duplicate_card_ids_name_the_first_line():
    _deck, problems = notes("""\
          - id: a
            front: q
            back: b
          - id: a
            front: q2
            back: b2
        """)
    assert errors(problems) == ["duplicate card id 'a' (first on line 4)"]
    assert where(problems) == [(7, 9, "error")]


def test_yaml_syntax_errors_carry_the_parsers_position():
    deck, problems = parse("deck: x\ntitle: T\ncards:\n  - id: a\n   front: [unclosed\n")
    assert deck is None and len(problems) == 1
    assert problems[0].message.startswith("YAML syntax error")
    assert problems[0].line >= 4


@pytest.mark.parametrize("text, opened", [
    ("deck: x\ntitle: T\ncards:\n  - id: a\n    front: [unclosed\n    back: b\n", (5, 12)),
    ("deck: x\ntitle: T\ncards:\n  - id: a\n    front: {a: 1\n", (5, 12)),
    ('deck: x\ntitle: T\ncards:\n  - id: a\n    front: "no end\n    back: b\n', (5, 12)),
])
def test_an_unclosed_bracket_or_quote_names_where_it_was_opened(text, opened):
    """The parser notices at the end of the file; the message also names the opening."""
    deck, problems = parse(text)
    assert deck is None and len(problems) == 1
    assert f"that starts at line {opened[0]}, column {opened[1]}" in problems[0].message


def test_a_tab_that_indents_a_line_is_named_as_a_tab():
    deck, problems = parse("deck: x\ntitle: T\ncards:\n\t- id: a\n")
    assert deck is None and (problems[0].line, problems[0].col) == (4, 1)
    assert "this is a tab: YAML indents with spaces only" in problems[0].message


def test_an_unquoted_colon_in_a_text_gets_the_hint_to_quote_it():
    deck, problems = parse("deck: x\ntitle: T\ncards:\n  - id: a\n    front: Gates?\n"
                           "    back: Three: input, forget, output\n")
    assert deck is None and (problems[0].line, problems[0].col) == (6, 16)
    assert "quote the text" in problems[0].message


def test_cloze_errors_point_inside_the_text():
    _deck, problems = notes("""\
          - id: c
            type: cloze
            text: "ab {{c1:x}}"
        """)
    assert where(problems) == [(6, 15, "error")]


def test_the_schema_knows_exactly_the_models_card_types():
    from studydeck.deckfile.schema import REQUIRED, TYPE_KEYS
    from studydeck.model import CARD_TYPES

    assert tuple(TYPE_KEYS) == CARD_TYPES and tuple(REQUIRED) == CARD_TYPES


def test_problems_print_as_file_line_col():
    _deck, problems = parse_deck(b"deck: x\ntitle: T\ncards: 3\n", "decks/x.yaml")
    assert str(problems[0]) == "decks/x.yaml:3:8: error: 'cards' must be a list, got a single value"


def test_parse_deck_refuses_a_non_bytes_argument_with_deck_error():
    with pytest.raises(DeckError) as info:
        parse_deck(12, "x.yaml")  # type: ignore[arg-type]
    assert info.value.problems and info.value.problems[0].is_error


# ---- files and folders -----------------------------------------------------

def _write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")


def _deck_text(deck_id: str) -> str:
    return f"deck: {deck_id}\ntitle: {deck_id}\ncards:\n  - {{id: a, front: q, back: b}}\n"


def test_folders_are_searched_recursively_in_order_skipping_hidden(tmp_path):
    _write(tmp_path / "b.yaml", _deck_text("b"))
    _write(tmp_path / "a" / "z.yml", _deck_text("z"))
    _write(tmp_path / ".hidden" / "h.yaml", _deck_text("h"))
    _write(tmp_path / ".swap.yaml", _deck_text("s"))
    _write(tmp_path / "notes.txt", "not a deck")
    result = load_decks([tmp_path])
    assert isinstance(result, LoadResult) and not result.has_errors
    assert [d.id for d in result.decks] == ["z", "b"]
    assert result.files == [str(tmp_path / "a" / "z.yml"), str(tmp_path / "b.yaml")]


def test_a_missing_path_is_an_error_and_the_rest_still_loads(tmp_path):
    _write(tmp_path / "ok.yaml", _deck_text("ok"))
    result = check_paths([tmp_path / "nope", str(tmp_path / "ok.yaml")])
    assert result.has_errors and [d.id for d in result.decks] == ["ok"]
    assert result.problems[0].file == str(tmp_path / "nope")
    with pytest.raises(DeckError) as info:
        result.raise_for_errors()
    assert "no such file" in str(info.value)


def test_the_same_deck_id_in_two_files_is_an_error_on_the_second(tmp_path):
    _write(tmp_path / "1.yaml", _deck_text("same"))
    _write(tmp_path / "2.yaml", "title: again\ndeck: same\ncards: []\n")
    result = load_decks([tmp_path])
    assert [d.path for d in result.decks] == [str(tmp_path / "1.yaml")]
    dup = [p for p in result.problems if p.is_error]
    assert len(dup) == 1 and dup[0].file == str(tmp_path / "2.yaml")
    assert (dup[0].line, dup[0].col) == (2, 7)
    assert dup[0].message == f"deck id 'same' is already used by {tmp_path / '1.yaml'}"


def test_a_single_path_may_be_passed_without_a_list(tmp_path):
    _write(tmp_path / "x.yaml", _deck_text("x"))
    assert [d.id for d in load_decks(tmp_path).decks] == ["x"]
    assert [d.id for d in check_paths(str(tmp_path / "x.yaml")).decks] == ["x"]


def test_a_file_named_twice_is_loaded_once(tmp_path):
    _write(tmp_path / "x.yaml", _deck_text("x"))
    result = load_decks([tmp_path, tmp_path / "x.yaml"])
    assert [d.id for d in result.decks] == ["x"] and result.problems == []


def test_importing_the_loader_pulls_in_neither_numpy_nor_textual():
    code = ("import sys, studydeck.deckfile.load as d; d.parse_deck(b'deck: x\\ntitle: T\\ncards: []\\n', 'x');"
            "print(sorted(m for m in ('numpy', 'textual') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_cloze_errors_inside_a_literal_block_point_at_the_file_line_and_column():
    _deck, problems = notes("""\
          - id: c
            type: cloze
            text: |
              first line {{c1::ok}}
              second {{c2:broken}}
        """)
    assert where(problems) == [(8, 14, "error")]
    assert problems[0].message.startswith("malformed cloze deletion")


def test_text_that_merely_looks_like_tags_or_anchors_is_fine():
    deck, problems = notes("""\
          - id: a
            front: Q&A about a != b, R&D and &amp;
            back: yes it is !important
            tags: [q&a]
        """)
    assert problems == [] and deck.cards[0].front == "Q&A about a != b, R&D and &amp;"
    assert deck.cards[0].back == "yes it is !important"


def test_params_values_are_typed_like_yaml_and_sorted():
    deck, problems = notes("""\
          - id: d
            type: drill
            drill: shapes.lstm
            params: {seq_len: 5, bidirectional: true, batch: 0x10, input_size: 3}
        """)
    assert problems == []
    assert deck.cards[0].params == (("batch", 16), ("bidirectional", True), ("input_size", 3),
                                    ("seq_len", 5))


@pytest.mark.parametrize("breaks", ["\n", "\r\n", "\r"])
def test_the_tab_note_counts_lines_as_yaml_does(breaks):
    from studydeck.deckfile.yaml_nodes import _char_at

    text = breaks.join(["deck: x", "title: T\x85note", "cards:", "\t- id: a", ""])
    assert _char_at(text, 5, 1) == "\t" and _char_at(text, 4, 1) == "c" and _char_at(text, 9, 1) == ""

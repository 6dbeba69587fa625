"""Property tests: whatever bytes come in, ``parse_deck`` returns findings (or raises
``DeckError``), never another exception, never a hang, never a half-valid deck."""

from __future__ import annotations

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studydeck.deckfile.load import DeckError, parse_deck
from studydeck.model import CARD_TYPES, Deck, Problem

VALID = """\
deck: lstm-gates
title: LSTM gates
description: |
  Notes on gates.
cards:
  - id: forget-gate
    front: What does the forget gate decide?
    back: Which parts of the previous cell state are kept.
    tags: [gates, lstm]
    extra: See the diagram.
  - id: gate-roles
    type: reversed
    front: Output gate
    back: Decides which part of tanh(c_t) becomes h_t
  - id: cell-update
    type: cloze
    text: "c_t = {{c1::f_t ⊙ c_(t-1)}} + {{c2::i_t ⊙ g_t::product}}"
  - id: gru-gates
    type: choice
    front: How many gates does a GRU have?
    choices: ["1", "2", "3", "4"]
    answer: "2"
  - id: drill-forget
    type: drill
    drill: lstm.forget_gate
    params: {hidden_size: 2}
  - front: A note without id
    back: gets a derived one
"""
LINES = VALID.splitlines(keepends=True)
SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def check_outcome(data: bytes) -> None:
    try:
        deck, problems = parse_deck(data, "p.yaml")
    except DeckError as exc:
        assert exc.problems
        return
    assert isinstance(problems, list)
    for p in problems:
        assert isinstance(p, Problem) and p.file == "p.yaml"
        assert p.severity in ("error", "warning") and p.message
        assert p.line >= 1 and p.col >= 1
        assert "internal checker error" not in p.message, p.message
    has_errors = any(p.severity == "error" for p in problems)
    if deck is None:
        assert has_errors
        return
    assert isinstance(deck, Deck) and not has_errors
    ids = [c.card_id for c in deck.cards]
    assert len(ids) == len(set(ids))
    for card in deck.cards:
        assert card.deck_id == deck.id and card.type in CARD_TYPES
        assert isinstance(card.front, str) and isinstance(card.back, str)
        hash(card)


def test_the_seed_deck_is_valid():
    deck, problems = parse_deck(VALID.encode(), "p.yaml")
    assert deck is not None and [p.severity for p in problems] == ["warning"]


@SETTINGS
@given(st.binary(max_size=2000))
def test_random_bytes(data):
    check_outcome(data)


@SETTINGS
@given(st.text(max_size=1000))
def test_random_text(text):
    check_outcome(text.encode("utf-8", "surrogatepass"))


@SETTINGS
@given(st.text(alphabet=st.sampled_from(list("-:[]{}&*!|>'\"#?,\n \tabc01{}~%@`\\")), max_size=400))
def test_random_yaml_punctuation(text):
    check_outcome(text.encode())


# ---- mutations of a valid deck ---------------------------------------------

def _delete(lines, i, j, _text):
    return lines[:i] + lines[i + 1:]


def _duplicate(lines, i, j, _text):
    return lines[:i] + [lines[i]] + lines[i:]


def _swap(lines, i, j, _text):
    lines = list(lines)
    lines[i], lines[j] = lines[j], lines[i]
    return lines


def _insert(lines, i, j, text):
    line = lines[i]
    at = j % (len(line) + 1)
    return lines[:i] + [line[:at] + text + line[at:]] + lines[i + 1:]


def _change_value(lines, i, j, text):
    line = lines[i]
    if ":" not in line:
        return _insert(lines, i, j, text)
    key = line.split(":", 1)[0]
    return lines[:i] + [f"{key}: {text}\n"] + lines[i + 1:]


def _reindent(lines, i, j, _text):
    return lines[:i] + [" " * (j % 7) + lines[i].lstrip(" ")] + lines[i + 1:]


MUTATIONS = [_delete, _duplicate, _swap, _insert, _change_value, _reindent]
NASTY = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "~", "yes", "[", "]", "{", "}", "*a", "&a", "!!python/object:os.system",
                     "!x", "|", ">", "- ", "::", "{{c1::", "}}", "{{c0::x}}", "\x1b[31m", "\t",
                     "'", '"', "\\e", "1e999", "0x1F", "2024-01-01", "- - -", "? a", "null",
                     "[[[[[[", "lstm.forget_gat", "choice", "cloze", "drill", "reversed"]),
)


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(MUTATIONS), st.integers(0, 10_000),
                          st.integers(0, 10_000), NASTY), min_size=1, max_size=4))
def test_mutated_valid_decks(steps):
    lines = list(LINES)
    for mutate, i, j, text in steps:
        if not lines:
            break
        lines = mutate(lines, i % len(lines), j % len(lines), text)
    check_outcome("".join(lines).encode("utf-8", "surrogatepass"))


# ---- structurally random YAML ----------------------------------------------

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10, 10**6),
                    st.floats(allow_nan=False), st.text(max_size=20),
                    st.sampled_from(list(CARD_TYPES) + ["lstm.step", "params.lstm", "x", "a-b"]))
KEYS = st.sampled_from(["id", "type", "front", "back", "tags", "extra", "text", "choices",
                        "answer", "drill", "params", "fornt", "hidden_size", "deck", "title"])
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=4)), max_leaves=12)


@SETTINGS
@given(st.fixed_dictionaries({"deck": st.one_of(st.just("d"), VALUES),
                              "title": st.one_of(st.just("T"), VALUES)},
                             optional={"cards": st.lists(st.dictionaries(KEYS, VALUES, max_size=6),
                                                         max_size=5),
                                       "description": VALUES}),
       st.booleans())
def test_random_decks_dumped_by_pyyaml(document, flow):
    check_outcome(yaml.safe_dump(document, default_flow_style=flow, allow_unicode=True).encode())

"""The query parser: the documented syntax, and errors that point at a column."""

import pytest
from hypothesis import example, given, settings, strategies as st

from studydeck.study.query import (All, And, DeckIs, FlagIs, Not, Or, Prop, QueryError, Rated, StateIs,
                                   TagIs, Text, describe, normalize, parse)
from tests.helpers import examples


@pytest.mark.parametrize("text,tree", [
    ("", All()),
    ("gate", Text(("gate",))),
    ('"forget gate"', Text(("forget gate",))),
    ("Forgét", Text(("forget",))),
    ("for*gate", Text(("for", "gate"))),
    ("deck:lstm*", DeckIs("lstm*")),
    ('deck:"A B"', DeckIs("a b")),
    ("tag:Gates", TagIs("gates")),
    ("is:due", StateIs("due")),
    ("flag:3", FlagIs(3)),
    ("rated:7", Rated(7)),
    ("rated:7:2", Rated(7, 2)),
    ("prop:ivl>=10", Prop("ivl", ">=", 10)),
    ("prop:due<=-1", Prop("due", "<=", -1)),
    ("prop:r<0.8", Prop("r", "<", 0.8)),
    ("prop:s>2.5", Prop("s", ">", 2.5)),
    ("a b", And((Text(("a",)), Text(("b",))))),
    ("a and b", And((Text(("a",)), Text(("b",))))),
    ("a or b c", Or((Text(("a",)), And((Text(("b",)), Text(("c",))))))),
    ("(a OR b) c", And((Or((Text(("a",)), Text(("b",)))), Text(("c",))))),
    ("-is:suspended", Not(StateIs("suspended"))),
    ("-(a or b)", Not(Or((Text(("a",)), Text(("b",)))))),
    ("--a", Not(Not(Text(("a",))))),
    ('"or"', Text(("or",))),
    ('"a:b"', Text(("a:b",))),
    ("e-mail", Text(("e-mail",))),
])
def test_the_documented_syntax(text, tree):
    assert parse(text) == tree


@pytest.mark.parametrize("text,message,column", [
    ("deck:a tag:b )", "unexpected ')'", 14),
    ("(deck:a", "unclosed '('", 1),
    ("a (b", "unclosed '('", 3),
    ("or a", "'or' needs a search on both sides", 1),
    ("a or or b", "'or' needs a search on both sides", 6),
    ("a or", "the query ends where a search was expected", 5),
    ("- a", "'-' must be followed by a search", 1),
    ('front "gate', "unclosed quote", 7),
    ("()", "empty parentheses", 1),
    ("fornt:x", "unknown search 'fornt:'", 1),
    ("is:nwe", "unknown is:nwe", 4),
    ("flag:5", "flag: takes a number from 0 to 4", 6),
    ("rated:0", "rated: days must be 1", 7),
    ("rated:2:6", "rated:2: the rating must be 1 to 5", 9),
    ("prop:ivl>=x", "prop:ivl needs a whole number", 11),
    ("prop:ivl>=1.5", "prop:ivl needs a whole number", 11),
    ("prop:zz>1", "unknown prop:zz", 6),
    ("prop:r=0.5", "prop:r compares with <", 7),
    ("prop:ivl", "prop: takes NAME OP NUMBER", 6),
    ("deck:", "'deck:' needs a value", 6),
])
def test_errors_point_at_the_column(text, message, column):
    with pytest.raises(QueryError) as info:
        parse(text)
    assert info.value.message.startswith(message)
    assert info.value.column == column
    assert f"at column {column}" in str(info.value)


def test_a_hint_follows_the_column():
    with pytest.raises(QueryError, match=r"unknown is:nwe at column 4; did you mean 'new'\?"):
        parse("is:nwe")


def test_normalize_folds_case_accents_markup_and_spaces():
    assert normalize("  The **Forget**\n  Gate — Ärger ﬁ ") == "the forget gate — arger fi"
    assert normalize("ß") == "ss"


QUERY_CHARS = st.sampled_from(list('abcdeéÉ:-()"\\*<>=!01239 .') + ["or", "and", "deck:", "tag:", "is:",
                                                                     "prop:", "rated:", "flag:", "ivl", "r"])


@settings(max_examples=examples(400), deadline=None)
@given(st.lists(QUERY_CHARS, max_size=25).map("".join))
@example("a(a a)")   # a group inside an and: written back without its brackets, it read as one and
def test_any_text_parses_or_raises_a_query_error(text):
    try:
        tree = parse(text)
    except QueryError as exc:
        assert 0 <= exc.column <= len(text) + 1
        return
    assert parse(describe(tree)) == tree  # the tree written back reads the same

"""deletion_numbers agrees with find_deletions on every text."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from studydeck.deckfile.cloze import deletion_numbers, find_deletions
from tests.helpers import examples

_PIECES = ["{{c1::", "{{c2::", "{{c0::", "{{c12::", "{{ c1:", "{{c:", "{{C1::", "{c1::", "::", "}}", "}",
           "{{", "a", "b", " ", "\n", ":", "c", "1"]


@settings(max_examples=examples(5000), deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=14).map("".join))
@example("c_t = {{c1::f_t ⊙ c_(t-1)}} + {{c2::i_t ⊙ g_t::a product}}")
@example("{{c1::a {{c2:: b}}")
@example("{{c1::x{{c2:y}}")
@example("{{c1:: }}")
def test_deletion_numbers_agree_with_find_deletions(text):
    deletions, problems = find_deletions(text)
    expected = {d.number for d in deletions} if deletions and not problems else None
    assert deletion_numbers(text) == expected, repr(text)

"""The Markdown fast path gives markdown-it's HTML, byte for byte, on every text it accepts."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from studydeck.interop import html, md_subset
from tests.helpers import examples

_PIECES = ["a", "b", "word", "1", "é", "⊙", " ", "  ", "\n", "- ", "* ", "*", "**", "`", "_", "c_t", "(", ")",
           '"', "'", ".", ",", ":", "!", "?", "#", "|", "~", "[", "]", "<", "&", "\\", "\t", "1. ", "=", "+",
           "\xa0", "\u2028", "x_", "`a*b`", "**bold**", "*it*", "`code`", " **b**", "(*i*)", "\x00"]


@settings(max_examples=examples(6000), deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=14).map("".join))
@example("What does the **forget gate** of cell 3 decide?")
@example("Which parts of `c_(t-1)` are kept, entry 3.")
@example("- one\n- two\n")
@example("- **a** b\n- `x` *y*")
@example('a "quoted" (**b**), and *c*.\nsecond line')
@example("` a ` and ` b`")
@example("**a **")
def test_the_fast_path_renders_as_markdown_it_does(text):
    fast = md_subset.render(text)
    if fast is not None:
        assert fast == html._markdown_it().render(text), repr(text)


def test_the_fast_path_takes_the_usual_card_text():
    for text in ("What does the **forget gate** of cell 3 decide?", "Which parts of `c_(t-1)` are kept.",
                 "- one\n- two\n", "a *b* c\nd"):
        assert md_subset.render(text) is not None, text
    for text in ("a**b**", "**a **", "- a\n\n- b", "# h", "a\n- b", "a|b\n--|--", "[x](y)", "a  \nb"):
        assert md_subset.render(text) is None, text

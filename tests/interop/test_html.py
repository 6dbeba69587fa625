"""Markdown <-> HTML for card text, the no-markup fast path, and the HTML bomb guard."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from studydeck.interop import html
from tests.helpers import examples


@settings(max_examples=examples(400), deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab*_\\#-1. \t\n\r>`[]()!x\u00a0é")), max_size=40))
def test_the_plain_text_path_agrees_with_markdownify(text):
    converter = html._converter_class()(**html._OPTIONS)
    assert html._plain_to_markdown(text) == converter.convert(text).strip()


def test_to_markdown_keeps_breaks_lists_and_emphasis():
    assert html.to_markdown("What is <b>ATP</b>?<br>Say it") == "What is **ATP**?\\\nSay it"
    assert html.to_markdown("<ul><li>one</li><li>two</li></ul>") == "- one\n- two"
    assert html.to_markdown("<ol><li>one</li><li>two</li></ol>") == "1. one\n2. two"
    assert html.to_markdown("<script>alert(1)</script>x<style>p{}</style>") == "x"
    assert html.to_markdown("{{c1::a &lt; b::hint}}") == "{{c1::a < b::hint}}"


def test_images_go_where_the_caller_says():
    assert html.to_markdown('<img src="a b.png">', lambda src: "m/" + src) == "![a b.png](<m/a b.png>)"
    assert html.to_markdown('<img src="gone.png">', lambda src: None) == "[image: gone.png]"


def test_to_html_renders_markdown_and_escapes_raw_html():
    assert html.to_html("**x** and `y`") == "<strong>x</strong> and <code>y</code>"
    assert html.to_html("<b>x</b>") == "&lt;b&gt;x&lt;/b&gt;"
    assert html.to_html("a\n\nb") == "<p>a</p>\n<p>b</p>"
    assert html.to_html("c_t = f_t ⊙ c_(t-1)") == "c_t = f_t ⊙ c_(t-1)"
    assert html.to_html("") == ""


def test_check_field_counts_nesting_as_the_parser_builds_it():
    html.check_field("<div>" * 100 + "x" + "</div>" * 100)
    html.check_field("<br>" * 10_000 + "<p>x</p>" * 1000)       # void and closed tags do not nest
    with pytest.raises(html.FieldError, match="nested more than 100"):
        html.check_field("<p>" * 101)                               # unclosed tags do
    with pytest.raises(html.FieldError, match="characters"):
        html.check_field("x" * (html.MAX_FIELD_CHARS + 1))


def test_a_field_at_the_depth_limit_converts():
    assert html.to_markdown("<span>" * html.MAX_HTML_DEPTH + "deep" + "</span>" * html.MAX_HTML_DEPTH) == "deep"


@settings(max_examples=examples(3000), deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab1_ *`\\[]()<>&~#>-+=|.)!\"'{}:⊙é\t\n")), max_size=25))
def test_the_inert_path_agrees_with_markdown_it(text):
    if html._is_inert(text):
        rendered = html._markdown_it().render(text).strip()
        assert rendered == f"<p>{html.to_html(text)}</p>", repr(text)


def test_the_inert_path_covers_this_projects_plain_fields():
    assert html._is_inert("What is h_(t-1) in W_hh h_(t-1)?")
    assert html._is_inert('He said "yes" (twice) {{c1::x}}')
    assert not html._is_inert("_x_ is emphasis")
    assert not html._is_inert("a (_x_) too")
    assert not html._is_inert("1. a list")
    assert not html._is_inert("- a list")

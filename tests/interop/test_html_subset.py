"""The HTML fast path gives markdownify's Markdown, byte for byte, on every field it accepts."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from studydeck.interop import html, html_subset
from tests.helpers import examples

_TEXT = st.text(alphabet=st.sampled_from(list("ab *_`#-1.\\[]!\t\n\r\x0c\xa0 é\u2028>\"'")), max_size=6)
_ENTITY = st.sampled_from(["&amp;", "&lt;", "&gt;", "&quot;", "&nbsp;", "&#39;"])
_VOID = st.sampled_from(["<br>", "<br/>", "<br />", '<img src="a.png">', '<img src="d/b c.png" />',
                         '<img src="">'])
_NAMES = ["b", "strong", "i", "em", "u", "code", "span", "div", "p", "ul", "ol", "li"]


def _element(children):
    return st.builds(lambda name, inner: f"<{name}>{''.join(inner)}</{name}>",
                     st.sampled_from(_NAMES), st.lists(children, max_size=4))


_NODE = st.recursive(st.one_of(_TEXT, _ENTITY, _VOID), _element, max_leaves=12)
_BALANCED = st.lists(_NODE, max_size=5).map("".join)
# token soup: unbalanced, unknown tags, stray < and &, attributes, upper case
_SOUP = st.lists(st.one_of(
    _TEXT, _ENTITY, _VOID, st.sampled_from(
        [f"<{n}>" for n in _NAMES] + [f"</{n}>" for n in _NAMES]
        + ["<B>", "<span class=x>", "<a href='x'>", "</a>", "&", "<", "&foo;", "<!-- c -->", "<hr>",
           "<pre>", "</pre>", "&#x41;", "<img src='q.png'>", "<li/>"])),
    max_size=10).map("".join)


def _reference(field: str, image_target) -> str:
    return html.markdownify(field, image_target).strip()


def _fast(field: str, image_target) -> str | None:
    out = html_subset.convert(field, lambda src: html.image_markdown(src, image_target))
    return None if out is None else out.strip()


@settings(max_examples=examples(2500), deadline=None)
@given(_BALANCED)
@example("What does the <strong>forget gate</strong> of cell 3 decide?")
@example("<ul>\n<li>one</li>\n<li>two</li>\n</ul>")
@example("<div>a</div><div><br></div><div>b <i>c</i>&nbsp;</div>")
@example("<ol><li>x<ul><li>y</li></ul></li><li>z</li></ol>after")
def test_balanced_fields_convert_as_markdownify_does(field):
    fast = _fast(field, lambda src: "media/" + src)
    assert fast is not None, field
    assert fast == _reference(field, lambda src: "media/" + src), repr(field)


@settings(max_examples=examples(2500), deadline=None)
@given(_SOUP, st.booleans())
def test_any_field_the_fast_path_takes_converts_as_markdownify_does(field, keep_images):
    target = (lambda src: "m/" + src) if keep_images else (lambda src: None)
    fast = _fast(field, target)
    if fast is not None:
        assert fast == _reference(field, target), repr(field)


def test_the_fast_path_refuses_what_it_does_not_model():
    for field in ("<b>x</i>", "<b>x", "x</b>", "<span style='c'>x</span>", "a & b", "&foo;",
                  "<script>x</script>", "<pre>x</pre>", "<B>x</B>", "<!-- x -->", "<hr>"):
        assert html_subset.convert(field, str) is None, field


# -- the flat shape: one line, non-nested inline tags -------------------------
_WORD = st.text(alphabet=st.sampled_from(list("ab_#-1.\\[]!>\"'é⊙()")), min_size=1, max_size=5)
_PHRASE = st.lists(_WORD, min_size=1, max_size=3).map(" ".join)
_FLAT_TAG = st.builds(lambda name, inner: f"<{name}>{inner}</{name}>",
                      st.sampled_from(["b", "strong", "i", "em", "code"]), _PHRASE)
_FLAT = st.lists(st.one_of(_PHRASE, _FLAT_TAG, st.sampled_from([" ", "*", " * ", "`", "** "])),
                 min_size=1, max_size=6).map("".join)
# near misses: what the flat shape refuses (spaces inside a tag, nesting, entities, runs of
# white space, line breaks, a star or backtick inside a tag, other tags)
_NEAR_FLAT = st.lists(st.one_of(_FLAT_TAG, _WORD, st.sampled_from(
    [" ", "  ", "\t", "\n", "\xa0", "*", "`", "&amp;", "<b> x</b>", "<i>x </i>", "<b></b>", "<b>*</b>",
     "<code>`</code>", "<code>*x*</code>", "<b><i>x</i></b>", "<u>x</u>", "<br>", "<b>", "</i>", "<"])),
    min_size=1, max_size=6).map("".join)


@settings(max_examples=examples(2500), deadline=None)
@given(_FLAT)
@example("What does the <strong>forget gate</strong> of cell 3 decide?")
@example("Which parts of <code>c_(t-1)</code> are kept, entry 3.")
@example("a*b <i>c</i>*d <code>x*y</code>")
def test_flat_fields_convert_as_markdownify_does(field):
    if "  " in field:
        return                  # a run of spaces: not the flat shape (the other tests cover it)
    fast = html_subset.flat(field)
    assert fast is not None, repr(field)
    assert fast.strip() == _reference(field, None), repr(field)


@settings(max_examples=examples(2500), deadline=None)
@given(_NEAR_FLAT)
def test_any_field_the_flat_path_takes_converts_as_markdownify_does(field):
    fast = html_subset.flat(field)
    if fast is not None:
        assert fast.strip() == _reference(field, None), repr(field)


def test_the_flat_path_refuses_what_it_does_not_model():
    for field in ("<b> x</b>", "<i>x </i>", "<b></b>", "<b>a*b</b>", "<code>`</code>", "a  <b>b</b>",
                  "<b><i>x</i></b>", "a&amp;<b>b</b>", "a\n<b>b</b>", "<u>x</u>", "<b>x", "x\xa0<b>y</b>"):
        assert html_subset.flat(field) is None, repr(field)
    assert html_subset.flat("a*b <strong>c d</strong> <code>e*f</code>") == r"a\*b **c d** `e*f`"

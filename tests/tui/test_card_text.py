"""CardText's Markdown: drawn as Rich's own Markdown draws it, parsed once, drawn once per width."""

from __future__ import annotations

from rich.console import Console
from rich.markdown import Markdown

from studydeck.tui.widgets.card_text import CardMarkdown, CardText, card_markdown

SAMPLE = """\
# The forget gate

It decides **which parts** of `c_(t-1)` are *kept*: f_t = σ(W_f x_t + U_f h_(t-1) + b_f), see
[the paper](https://example.org/lstm) and ~~not this~~.

1. first item, long enough to wrap at a narrow width when drawn
2. second item
   - nested

| gate | squashing |
| --- | --- |
| f | sigmoid |
| g | tanh |

> a quote

```python
c = f * c_prev + i * g
```
"""


def _drawn(renderable, width: int) -> str:
    console = Console(width=width, record=True, color_system="truecolor", force_terminal=True,
                      legacy_windows=False)
    console.print(renderable)
    return console.export_text(styles=True)


def test_card_markdown_draws_what_rich_markdown_draws_at_every_width():
    ours = CardMarkdown(SAMPLE)
    for width in (30, 80, 30, 57):  # back to a width drawn before: not the lines of the last one
        assert _drawn(ours, width) == _drawn(Markdown(SAMPLE, hyperlinks=False), width)


def test_one_drawing_serves_the_height_and_the_lines_of_a_frame():
    ours = CardMarkdown(SAMPLE)
    console = Console(width=60, force_terminal=True)
    first = list(console.render(ours, console.options))
    second = list(console.render(ours, console.options))
    assert first == second and ours._drawn is not None
    drawn = ours._drawn[1]
    list(console.render(ours, console.options))
    assert ours._drawn[1] is drawn  # same width: not drawn again
    list(console.render(ours, console.options.update_width(40)))
    assert ours._drawn[1] is not drawn


def test_parsed_texts_are_shared_and_the_same_text_is_not_drawn_again():
    assert card_markdown("What does the **forget gate** decide?") is card_markdown(
        "What does the **forget gate** decide?")
    widget = CardText()
    widget.show("one")
    visual = widget.visual
    widget.show("one")
    assert widget.visual is visual
    widget.show("two")
    assert widget.source == "two" and widget.visual is not visual

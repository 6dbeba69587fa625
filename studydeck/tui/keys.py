"""Every key of the app, read from the screens' own Textual bindings.

The bindings are the one source.  A binding's ``description`` labels its key
in a screen's key line (and in Textual's Footer); its ``tooltip``, or the
description when there is none, explains the key on the help screen and in
the README's keys table (``python -m studydeck.tui.keys_doc`` writes it).
Bindings that share a ``Binding.Group`` (the five ratings, the option
letters) make one entry, their keys shown as a range (``1-5``).

A key line offers only what works now: the screen's ``check_action`` decides,
a key bound twice shows under the binding Textual would run (the first one
enabled: on a six-option choice card ``e`` picks, so edit shows as ``^e``),
and while a text box has focus the keys that would type into it are left out
(so help shows as ``F1`` there, not ``?``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rich.text import Text
from textual.actions import parse
from textual.binding import Binding

# How a key is written on the help screen and in the README.
LONG_NAMES = {
    "escape": "Esc", "enter": "Enter", "space": "Space", "question_mark": "?", "tab": "Tab",
    "up": "↑", "down": "↓", "left": "←", "right": "→", "home": "Home", "end": "End",
    "pageup": "PgUp", "pagedown": "PgDn", "left_square_bracket": "[", "right_square_bracket": "]",
    "plus": "+", "minus": "-", "equals_sign": "=", "slash": "/",
}
# ... and in a key line, where room is short.
SHORT_NAMES = {**LONG_NAMES, "escape": "esc", "enter": "enter", "space": "space", "pageup": "pgup",
               "pagedown": "pgdn"}

COMMAND_PALETTE = Binding("ctrl+p", "command_palette", "commands",
                          tooltip="command palette: study, drills, stats, lab, theme")


def key_name(key: str, short: bool = False) -> str:
    """``escape`` -> ``Esc`` (``esc`` when ``short``), ``ctrl+z`` -> ``ctrl+z`` (``^z``), ``f1`` -> ``F1``."""
    names = SHORT_NAMES if short else LONG_NAMES
    if key in names:
        return names[key]
    if key.startswith("ctrl+") and short:
        return "^" + key_name(key[5:], short)
    if key.startswith("ctrl+"):
        return "ctrl+" + key_name(key[5:], short)
    if len(key) > 1 and key[0] == "f" and key[1:].isdigit():
        return key.upper()
    return key


def typed_key(key: str) -> bool:
    """Whether the key would type a character into a text box."""
    return len(key) == 1 or key in ("space", "question_mark", "plus", "minus", "equals_sign",
                                    "left_square_bracket", "right_square_bracket")


@dataclass
class Entry:
    """One key line item or help row: keys, what they do, and the help text."""

    keys: list[str]
    label: str
    help: str
    display: str | None = None
    grouped: bool = False
    actions: set[str] = field(default_factory=set)

    def keys_text(self, short: bool) -> str:
        if self.display and short:
            return self.display
        names = [key_name(k, short) for k in self.keys]
        names = list(dict.fromkeys(names))
        if self.grouped and len(names) > 2 and all(len(n) == 1 for n in names) and all(
                ord(b) - ord(a) == 1 for a, b in zip(names, names[1:])):
            return f"{names[0]}-{names[-1]}" if short else f"{names[0]} – {names[-1]}"
        return "/".join(names) if short else " / ".join(names)


def entries(bindings: Iterable[Binding]) -> list[Entry]:
    """The bindings merged into entries, in order: one per group, and one per
    action and description (its keys together)."""
    out: dict[object, Entry] = {}
    for binding in Binding.make_bindings(bindings):
        group = binding.group
        ident = ("group", group.description) if group else ("action", binding.action, binding.description)
        entry = out.get(ident)
        if entry is None:
            label = group.description if group else binding.description
            entry = out[ident] = Entry([], label, binding.tooltip or label, binding.key_display,
                                       grouped=group is not None)
        elif binding.tooltip and entry.help == entry.label:
            entry.help = binding.tooltip
        if binding.key not in entry.keys:
            entry.keys.append(binding.key)
        entry.actions.add(binding.action)
    return list(out.values())


def help_rows(bindings: Iterable[Binding]) -> list[tuple[str, str]]:
    """(keys, what they do) rows for the help screen and the README."""
    return [(e.keys_text(short=False), e.help) for e in entries(bindings)]


def sections() -> list[tuple[str, list[tuple[str, str]]]]:
    """Every screen's keys: (section title, rows), in the order a learner meets them."""
    from studydeck.tui.app import StudyDeckApp
    from studydeck.tui.screens.browse import BrowseScreen
    from studydeck.tui.screens.drill import DrillScreen, KindsScreen
    from studydeck.tui.screens.help import HelpScreen
    from studydeck.tui.screens.home import HomeScreen
    from studydeck.tui.screens.lab import LabScreen
    from studydeck.tui.screens.notes import NotesScreen
    from studydeck.tui.screens.stats import StatsScreen
    from studydeck.tui.screens.study import StudyScreen
    from studydeck.tui.widgets.deck_table import DeckTable
    from studydeck.tui.widgets.drill_view import DrillView
    from studydeck.tui.widgets.lab_training import TrainingView

    return [
        ("Everywhere", help_rows([*StudyDeckApp.BINDINGS, COMMAND_PALETTE])),
        ("Home", help_rows([*DeckTable.BINDINGS, *HomeScreen.BINDINGS])),
        ("Study", help_rows([*StudyScreen.BINDINGS, *DrillView.BINDINGS])),
        ("Browse", help_rows(BrowseScreen.BINDINGS)),
        ("Drills", help_rows([*DrillScreen.BINDINGS, *DrillView.BINDINGS])),
        ("Drill kinds", help_rows(KindsScreen.BINDINGS)),
        ("Stats", help_rows(StatsScreen.BINDINGS)),
        ("Lab", help_rows([*LabScreen.BINDINGS, *TrainingView.BINDINGS])),
        ("Notes", help_rows(NotesScreen.BINDINGS)),
        ("Help", help_rows(HelpScreen.BINDINGS)),
    ]


def key_bar(keys: Sequence[tuple[str, str]], width: int | None = None, lead: Text | None = None) -> Text:
    """A footer-like line of keys, drawn as one Text (cheaper than a Footer).
    Given a ``width``, items that would not fit start a new line, never split."""
    text = lead.copy() if lead is not None else Text()
    column = len(text.plain.rsplit("\n", 1)[-1])
    for key, what in keys:
        size = len(key) + len(what) + 4
        if width and column and column + size > width:
            text.append("\n")
            column = 0
        text.append(f" {key} ", style="bold reverse")
        text.append(f" {what} ")
        column += size
    return text


def static_bar(*binding_lists: Iterable[Binding], width: int | None = None) -> Text:
    """The key line of the shown bindings, all enabled (a screen whose keys never change)."""
    items = []
    for bindings in binding_lists:
        items += [(e.keys_text(short=True), e.label) for e in entries(b for b in bindings if b.show)]
    return key_bar(items, width)


def live_bar(screen, *extra: Iterable[Binding], width: int | None = None, lead: Text | None = None) -> Text:
    """The key line of ``screen``: its shown bindings that work now, then ``extra``
    (the app's), leaving out keys that would type into a focused text box."""
    from textual.widgets import Input

    typing = isinstance(screen.focused, Input)
    owner: dict[str, str] = {}  # key -> the action Textual runs for it now
    layers = ((type(screen).BINDINGS, screen), *((b, screen.app) for b in extra))
    for bindings, node in layers:
        for binding in _prepared(bindings)[1]:
            if binding.key not in owner and _enabled(node, binding.action):
                owner[binding.key] = binding.action
    items = []
    for bindings, _node in layers:
        for entry in _prepared(bindings)[0]:
            usable = [k for k in entry.keys if owner.get(k) in entry.actions and not (typing and typed_key(k))]
            if not usable:
                continue
            if len(usable) != len(entry.keys):
                entry = Entry(usable, entry.label, entry.help, None, entry.grouped, entry.actions)
            items.append((entry.keys_text(short=True), entry.label))
    return key_bar(items, width, lead)


_PREPARED: dict[int, tuple[list, list[Entry], list[Binding]]] = {}


def _prepared(bindings: list) -> tuple[list[Entry], list[Binding]]:
    """A BINDINGS list's shown entries and its bindings one key each, worked out
    once (a key line is redrawn on every card)."""
    hit = _PREPARED.get(id(bindings))
    if hit is None or hit[0] is not bindings:
        hit = _PREPARED[id(bindings)] = (bindings, entries(b for b in bindings if b.show),
                                         list(Binding.make_bindings(bindings)))
    return hit[1], hit[2]


def _enabled(node, action: str) -> bool:
    _, name, params = parse(action)
    return node.check_action(name, params) is not False

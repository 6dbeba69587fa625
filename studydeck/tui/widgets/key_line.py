"""A screen's key line in place of Textual's Footer: the same keys, wrapped.

Textual's Footer is one row: on a narrow terminal (60 columns) its last keys
fall off the edge.  A KeyLine shows the keys the Footer would show (the
shown bindings of the focused widget, the screen and the app, from
``screen.active_bindings``, plus the command palette's), only those that
work now, merged as the help screen merges them (``keys.entries``), and
wraps them onto a second line when they do not fit, never splitting one.
It is redrawn when the screen's bindings change and when its width does.
"""

from __future__ import annotations

from dataclasses import replace

from textual.widgets import Static

from studydeck.tui.keys import COMMAND_PALETTE, entries, key_bar, typed_key


class KeyLine(Static):
    DEFAULT_CSS = """
    KeyLine {
        dock: bottom;
        height: auto;
        background: $footer-background;
    }
    """

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self.redraw()

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen) -> None:
        if self.is_attached and screen is self.screen:
            self.redraw()

    def on_resize(self) -> None:
        self.redraw()

    def redraw(self) -> None:
        from textual.widgets import Input

        active = self.screen.active_bindings
        typing = isinstance(self.screen.focused, Input)
        shown, actions = [], set()
        for item in active.values():  # the first key of each action, as the Footer shows
            binding = item.binding
            if not binding.show or not item.enabled or binding.action in actions or \
                    binding.action in ("command_palette", "app.command_palette"):
                continue
            if typing and typed_key(binding.key):
                continue
            if typing and binding.key_display and typed_key(binding.key_display):
                binding = replace(binding, key_display=None)  # F1, not the "?" it would type
            actions.add(binding.action)
            shown.append(binding)
        if self.app.ENABLE_COMMAND_PALETTE and COMMAND_PALETTE.key in active:
            shown.append(COMMAND_PALETTE)
        items = [(e.keys_text(short=True), e.label) for e in entries(shown)]
        self.update(key_bar(items, self.size.width or self.app.size.width))

"""The user's editor, opened on a deck file at a card's line, running nothing else.

The command is ``$VISUAL`` or ``$EDITOR`` (``vi`` if neither is set), split
as a shell would split it but never run by a shell, then ``+LINE``, ``--``
and the file's absolute path.  ``--`` and the absolute path mean a file named
``-c!touch X;.yaml`` is a file to the editor, never an option or a command.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from collections.abc import Mapping

from studydeck.safetext import shown


class EditorError(Exception):
    """The editor cannot be run; the message says which command and why."""


def editor_command(path: str | os.PathLike[str], line: int, editor: str | None = None,
                   environ: Mapping[str, str] = os.environ) -> list[str]:
    """The argv that opens ``path`` at ``line``; EditorError if the editor setting cannot be read."""
    setting = editor or environ.get("VISUAL") or environ.get("EDITOR") or "vi"
    try:
        words = shlex.split(setting)
    except ValueError as exc:
        raise EditorError(f"cannot read the editor command {shown(setting)!r} ($VISUAL or $EDITOR): "
                          f"{str(exc).lower()}") from None
    if not words:
        raise EditorError("the editor command is empty; set $VISUAL or $EDITOR")
    return [*words, f"+{max(int(line), 1)}", "--", os.path.abspath(path)]


def run_editor(argv: list[str], *, detached: bool = False) -> int:
    """Run ``argv`` and wait; with ``detached``, without a terminal (stdin and output closed)."""
    quiet = {"stdin": subprocess.DEVNULL, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    try:
        return subprocess.call(argv, **(quiet if detached else {}))
    except OSError as exc:
        raise EditorError(f"cannot run the editor {shown(argv[0])!r}: {exc.strerror or exc}; "
                          "set $VISUAL or $EDITOR to an editor that is installed") from None

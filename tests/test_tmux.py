"""The real ``studydeck`` command in a real terminal (tmux): a person opens
the app, reveals a card, rates it and quits; the rating is in the collection.

Each test uses its own tmux server (``-L``) and kills it at the end.  Skipped
when tmux is missing, unless the CI environment variable is set (then it fails).
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid

import pytest

from studydeck.store import open_collection

DECK = """\
deck: basics
title: LSTM basics
cards:
  - id: forget-gate
    front: What does the forget gate decide?
    back: Which parts of the previous cell state are kept.
  - id: input-gate
    front: What does the input gate decide?
    back: How much of the candidate is written into the cell.
"""


@pytest.fixture
def tmux():
    if shutil.which("tmux") is None:
        if os.environ.get("CI"):
            pytest.fail("tmux is required on CI")
        pytest.skip("tmux is not installed")
    socket = f"studydeck-test-{uuid.uuid4().hex[:12]}"

    def run(*args: str) -> str:
        out = subprocess.run(["tmux", "-L", socket, *args], capture_output=True, text=True, timeout=10)
        return out.stdout

    yield run
    subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True, timeout=10)


def wait_for(tmux, text: str, timeout: float = 30.0) -> str:
    """Poll the pane until ``text`` shows (the app paints asynchronously)."""
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = tmux("capture-pane", "-p", "-t", "study")
        if text in screen:
            return screen
        time.sleep(0.1)
    raise AssertionError(f"{text!r} never appeared; the screen was:\n{screen}")


def test_reveal_rate_quit_in_a_real_terminal(tmux, tmp_path):
    home = tmp_path / "home"
    decks = tmp_path / "decks"
    decks.mkdir()
    (decks / "basics.yaml").write_text(DECK, encoding="utf-8")
    done = tmp_path / "exit-code"
    command = (f"{shlex.quote(sys.executable)} -m studydeck --no-bundled --deck-dir {shlex.quote(str(decks))}"
               f"; echo $? > {shlex.quote(str(done))}")
    env = {"STUDYDECK_HOME": str(home), "TERM": "xterm-256color", "TEXTUAL_ANIMATIONS": "none"}
    tmux("new-session", "-d", "-s", "study", "-x", "100", "-y", "30",
         *[a for k, v in env.items() for a in ("-e", f"{k}={v}")], command)

    wait_for(tmux, "LSTM basics")
    tmux("send-keys", "-t", "study", "Enter")
    wait_for(tmux, "What does the forget gate decide?")
    tmux("send-keys", "-t", "study", "Space")
    screen = wait_for(tmux, "Which parts of the previous cell state are kept.")
    assert "Not at all" in screen and "Perfectly" in screen
    tmux("send-keys", "-t", "study", "4")
    wait_for(tmux, "What does the input gate decide?")

    with open_collection(home / "collection.sqlite3") as collection:
        assert [(r.card_id, r.rating) for r in collection.reviews()] == [("forget-gate", 4)]

    tmux("send-keys", "-t", "study", "q")
    wait_for(tmux, "Today: 1 review ")
    tmux("send-keys", "-t", "study", "q")
    deadline = time.monotonic() + 20
    while not done.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert done.read_text().strip() == "0"

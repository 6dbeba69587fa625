"""The `studydeck` command as a user runs it: real processes, real files."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from studydeck.store import open_collection

DECK = textwrap.dedent(
    """\
    deck: {deck_id}
    title: Test deck {deck_id}
    description: A deck for tests.
    cards:
    """
)


def write_deck(folder: Path, deck_id: str = "alpha", n: int = 10) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    text = DECK.format(deck_id=deck_id) + "".join(
        f"  - id: card-{i}\n    front: Question {i}?\n    back: Answer {i}.\n" for i in range(n)
    )
    path = folder / f"{deck_id}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def studydeck(*args: str, home: Path, stdin: str = "", check: bool = False) -> subprocess.CompletedProcess:
    env = {**os.environ, "STUDYDECK_HOME": str(home)}
    proc = subprocess.run(
        [sys.executable, "-m", "studydeck", *args], input=stdin, capture_output=True, text=True,
        env=env, timeout=120,
    )
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def spawn(*args: str, home: Path) -> subprocess.Popen:
    env = {**os.environ, "STUDYDECK_HOME": str(home), "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "studydeck", *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, env=env, bufsize=1,
    )


def read_until(proc: subprocess.Popen, marker: str, timeout: float = 60) -> str:
    """Read stdout until a line containing ``marker``."""
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            raise AssertionError(f"process ended before {marker!r}: {''.join(seen)}{proc.stderr.read()}")
        seen.append(line)
        if marker in line:
            return "".join(seen)
    raise AssertionError(f"timed out waiting for {marker!r}")


def test_help_creates_nothing(tmp_path):
    home = tmp_path / "home"
    proc = studydeck("--help", home=home)
    assert proc.returncode == 0 and "study" in proc.stdout
    for sub in ("study", "check", "stats", "drill"):
        assert studydeck(sub, "--help", home=home).returncode == 0
    assert not home.exists()


def test_usage_error_exits_2(tmp_path):
    proc = studydeck("frobnicate", home=tmp_path / "h")
    assert proc.returncode == 2
    proc = studydeck("study", "--plain", "no-such-deck", "--no-bundled", home=tmp_path / "h")
    assert proc.returncode == 2 and "no deck 'no-such-deck'" in proc.stderr


def test_core_modules_import_neither_numpy_nor_textual():
    code = (
        "import sys\n"
        "import studydeck, studydeck.cli, studydeck.deckfile.load, studydeck.store, studydeck.study.scheduler, "
        "studydeck.study.session, studydeck.study.queue, studydeck.plain, studydeck.study.stats, "
        "studydeck.config, studydeck.drills\n"
        "bad = sorted(m for m in ('numpy', 'textual', 'fsrs') if m in sys.modules)\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_check_does_not_load_numpy(tmp_path):
    folder = tmp_path / "decks"
    write_deck(folder)
    code = (
        "import sys\nfrom studydeck.cli import main\n"
        f"code = main(['check', {str(folder)!r}])\n"
        "print('NUMPY' if 'numpy' in sys.modules else 'CLEAN', code)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "STUDYDECK_HOME": str(tmp_path / "h")})
    assert out.stdout.split()[-2:] == ["CLEAN", "0"], out.stderr


def test_plain_study_through_a_pipe(tmp_path):
    folder, home = tmp_path / "decks", tmp_path / "home"
    write_deck(folder, n=3)
    proc = studydeck("study", "--plain", "--no-bundled", "--deck-dir", str(folder), home=home,
                     stdin="\n4\n\n5\n")
    assert proc.returncode == 0, proc.stderr
    assert "Question 0?" in proc.stdout and "Answer 0." in proc.stdout
    assert "Cards reviewed   2\n" in proc.stdout
    with open_collection(home / "collection.sqlite3") as col:
        rows = list(col.reviews())
    assert [(r.card_id, r.rating) for r in rows] == [("card-0", 4), ("card-1", 5)]
    assert all(r.reviewed_at > 0 and r.answer_ms is not None for r in rows)


def test_sigkill_mid_session_keeps_every_acknowledged_rating(tmp_path):
    folder, home = tmp_path / "decks", tmp_path / "home"
    write_deck(folder, n=20)
    proc = spawn("study", "--plain", "--no-bundled", "--deck-dir", str(folder), home=home)
    acknowledged = 0
    try:
        for i in range(7):
            proc.stdin.write("\n")
            proc.stdin.write(f"{(i % 5) + 1}\n")
            proc.stdin.flush()
            read_until(proc, "Saved:")
            acknowledged += 1
        proc.stdin.write("\n")          # reveal the next card, then die before rating it
        proc.stdin.flush()
        read_until(proc, "1 Not at all")  # the rating line: the card is revealed
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    with open_collection(home / "collection.sqlite3") as col:
        ratings = [r.rating for r in col.reviews()]
    assert ratings == [(i % 5) + 1 for i in range(acknowledged)]


def test_two_processes_on_one_collection(tmp_path):
    home = tmp_path / "home"
    a, b = tmp_path / "a", tmp_path / "b"
    write_deck(a, "alpha", n=40)
    write_deck(b, "beta", n=40)
    script = "\n4\n" * 40
    # the new-card limit is shared by all decks, so raise it for 2 × 40 new cards
    procs = [spawn("study", "--plain", "--no-bundled", "--new-per-day", "100", "--deck-dir", str(d), home=home)
             for d in (a, b)]
    for p in procs:
        p.stdin.write(script)
        p.stdin.close()
    results = [(p.wait(timeout=120), p.stdout.read(), p.stderr.read()) for p in procs]
    for code, out, err in results:
        assert code == 0, err
        assert "locked" not in err and "locked" not in out
        assert "Cards reviewed   40\n" in out
    with open_collection(home / "collection.sqlite3") as col:
        decks = sorted({r.deck_id for r in col.reviews()})
        assert len(list(col.reviews())) == 80 and decks == ["alpha", "beta"]


def test_corrupt_collection_gives_a_clear_error_and_is_kept(tmp_path):
    folder, home = tmp_path / "decks", tmp_path / "home"
    write_deck(folder, n=2)
    home.mkdir()
    bad = home / "collection.sqlite3"
    bad.write_bytes(b"garbage" * 1000)
    proc = studydeck("study", "--plain", "--no-bundled", "--deck-dir", str(folder), home=home, stdin="\n4\n")
    assert proc.returncode == 1
    assert "not a readable studydeck collection" in proc.stderr and "Traceback" not in proc.stderr
    assert bad.read_bytes() == b"garbage" * 1000


def test_stats_json(tmp_path):
    folder, home = tmp_path / "decks", tmp_path / "home"
    write_deck(folder, n=4)
    studydeck("study", "--plain", "--no-bundled", "--deck-dir", str(folder), home=home, stdin="\n5\n\n1\n", check=True)
    proc = studydeck("stats", "--json", "--no-bundled", "--deck-dir", str(folder), home=home, check=True)
    data = json.loads(proc.stdout)
    assert data["reviews_total"] == 2 and data["reviews_today"] == 2
    (deck,) = data["decks"]
    assert deck["deck"] == "alpha" and deck["cards"] == 4 and deck["new"] == 2
    assert data["due_now"] == deck["due"] >= 0
    text = studydeck("stats", "--no-bundled", "--deck-dir", str(folder), home=home, check=True).stdout
    assert "alpha" in text and "reviews today: 2" in text


def test_stats_on_a_fresh_home_creates_nothing(tmp_path):
    home = tmp_path / "home"
    folder = tmp_path / "decks"
    write_deck(folder, n=2)
    proc = studydeck("stats", "--json", "--no-bundled", "--deck-dir", str(folder), home=home, check=True)
    assert json.loads(proc.stdout)["reviews_total"] == 0
    assert not (home / "collection.sqlite3").exists()


def test_bad_config_is_reported(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text("desired_retension = 0.9\n")
    proc = studydeck("stats", home=home)
    assert proc.returncode == 1
    assert "unknown setting 'desired_retension'; did you mean 'desired_retention'?" in proc.stderr


def test_settings_override_on_command_line(tmp_path):
    folder, home = tmp_path / "decks", tmp_path / "home"
    write_deck(folder, n=10)
    proc = studydeck("study", "--plain", "--no-bundled", "--deck-dir", str(folder), "--new-per-day", "2",
                     home=home, stdin="\n5\n" * 5)
    assert "Cards reviewed   2\n" in proc.stdout
    proc = studydeck("study", "--plain", "--retention", "2", home=home)
    assert proc.returncode == 2 and "command line: desired_retention must be between 0.7 and 0.99" in proc.stderr


def test_check_reports_and_exits(tmp_path):
    folder = tmp_path / "decks"
    good = write_deck(folder, n=2)
    proc = studydeck("check", str(good), home=tmp_path / "h")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 deck, 2 cards: 0 errors, 0 warnings" in proc.stderr
    bad = folder / "bad.yaml"
    bad.write_text("deck: beta\ntitle: B\ncards:\n  - id: x\n    fornt: Q\n    back: A\n")
    proc = studydeck("check", str(folder), home=tmp_path / "h")
    assert proc.returncode == 1
    assert f"{bad}:5:5: error: unknown key 'fornt'; did you mean 'front'?" in proc.stdout
    assert "1 deck, 2 cards: 2 errors, 0 warnings" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_drill_command(tmp_path):
    home = tmp_path / "h"
    listing = studydeck("drill", "--list", home=home, check=True).stdout
    assert "lstm.forget_gate" in listing and "macs.gru" in listing
    lines = studydeck("drill", "--kind", "params", "--json", "--count", "3", "--seed", "5", home=home, check=True)
    again = studydeck("drill", "--kind", "params", "--json", "--count", "3", "--seed", "5", home=home, check=True)
    rows = [json.loads(line) for line in lines.stdout.splitlines()]
    assert lines.stdout == again.stdout and len(rows) == 3
    assert all(r["kind"].startswith("params.") and {"prompt", "given", "answer", "tolerance", "solution"} <= set(r) for r in rows)
    bad = studydeck("drill", "--kind", "lstm.forgt", home=home)
    assert bad.returncode == 2 and "did you mean 'lstm.forget_gate'" in bad.stderr
    quiz = studydeck("drill", "--kind", "sigmoid.value", "--count", "1", "--seed", "1", home=home, stdin="q\n")
    assert quiz.returncode == 0 and "σ" in quiz.stdout
    assert not home.exists()


def test_without_a_terminal_the_app_falls_back_to_plain_mode(tmp_path):
    folder, home = tmp_path / "decks", tmp_path / "home"
    write_deck(folder, n=2)
    proc = studydeck("--no-bundled", "--deck-dir", str(folder), home=home, stdin="\n4\n")
    assert proc.returncode == 0
    assert "plain mode" in proc.stderr
    assert "\x1b[" not in proc.stdout and "Saved: 4 Well" in proc.stdout


def test_history_survives_renaming_moving_and_editing_the_file(tmp_path):
    folder, home = tmp_path / "decks", tmp_path / "home"
    path = write_deck(folder, n=3)
    args = ("study", "--plain", "--no-bundled", "--deck-dir", str(folder))
    studydeck(*args, home=home, stdin="\n5\n", check=True)          # card-0 learned
    moved = folder / "sub" / "renamed.yml"
    moved.parent.mkdir()
    text = path.read_text().replace("Answer 0.", "A better answer 0.")   # edit its back
    lines = text.splitlines(keepends=True)
    head, notes = lines[:4], lines[4:]
    moved.write_text("".join(head + notes[3:] + notes[:3]))           # and move it to the end
    path.unlink()
    proc = studydeck(*args, home=home, stdin="\n", check=True)
    assert "Question 1?" in proc.stdout and "Question 0?" not in proc.stdout
    stats = json.loads(studydeck("stats", "--json", "--no-bundled", "--deck-dir", str(folder), home=home).stdout)
    assert stats["decks"][0]["new"] == 2 and stats["reviews_total"] == 1


def test_study_a_deck_file_or_folder_by_its_path(tmp_path):
    folder, home = tmp_path / "decks", tmp_path / "home"
    path = write_deck(folder, deck_id="alpha", n=2)
    write_deck(folder, deck_id="beta", n=2)
    proc = studydeck("study", "--plain", str(path), home=home, stdin="\n5\n\n5\n")
    assert proc.returncode == 0, proc.stderr
    assert "alpha" in proc.stdout and "beta" not in proc.stdout and "Cards reviewed   2\n" in proc.stdout
    proc = studydeck("study", "--plain", str(folder), home=home, stdin="\n5\n\n5\n")
    assert "beta" in proc.stdout
    missing = studydeck("study", "--plain", str(tmp_path / "nope.yaml"), home=home)
    assert missing.returncode == 2 and "no such deck file or folder" in missing.stderr


def test_every_command_gets_its_arguments_when_chosen(capsys):
    """Commands' arguments are added only when the command is chosen: each one's
    --help still shows its own options and the shared settings."""
    from studydeck.cli import build_parser

    names = build_parser()._subparsers._group_actions[0].choices  # noqa: SLF001
    assert {"study", "cards", "lab", "optimize", "reschedule"} <= set(names)
    for name in names:
        with pytest.raises(SystemExit) as stop:
            build_parser().parse_args([name, "--help"])
        shown = capsys.readouterr().out
        assert stop.value.code == 0 and f"usage: studydeck {name}" in shown and "--home DIR" in shown, name
    args = build_parser().parse_args(["flag", "2", "-is:new"])
    assert (args.command, args.flag, args.query, args.home) == ("flag", 2, ["-is:new"], None)


@pytest.mark.parametrize("argv, command, message", [
    (["cards", "(tag:a"], "cards", "query: unclosed '(' at column 1"),
    (["info", "nosuchcard"], "info", "no card 'nosuchcard'"),
    (["drill", "--count", "0"], "drill", "--count must be from 1 to"),
])
def test_a_usage_error_shows_its_commands_usage_and_name(tmp_path, argv, command, message):
    """As argparse does for a missing argument: the chosen command's usage line, then
    `studydeck COMMAND: error: ...`, exit 2; not the top-level usage."""
    done = studydeck(*argv, home=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith(f"usage: studydeck {command} ")
    assert f"studydeck {command}: error: {message}" in done.stderr

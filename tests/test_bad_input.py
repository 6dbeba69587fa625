"""Every bad input gets a one-line error and an exit code, never a traceback or a hang."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import textwrap

import pytest

from tests.test_cli import studydeck, write_deck


def assert_clean_error(proc, code: int, *said: str) -> None:
    assert proc.returncode == code, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr + proc.stdout
    for text in said:
        assert text in proc.stderr, proc.stderr


def test_superscript_digit_is_not_a_rating(tmp_path):
    folder, home = tmp_path / "decks", tmp_path / "home"
    write_deck(folder, n=2)
    proc = studydeck("study", "--plain", "--no-bundled", "--deck-dir", str(folder), home=home, stdin="\n²\n٣\n4\n")
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    assert proc.stdout.count("Type a number from 1 to 5") == 2
    assert "Saved: 4 Well" in proc.stdout


@pytest.mark.parametrize("setting", ["new_per_day", "max_reviews_per_day", "leech_threshold"])
def test_counts_beyond_any_sensible_range_are_refused_in_the_config(tmp_path, setting):
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text(f"{setting} = 9223372036854775807\n")
    assert_clean_error(studydeck("stats", "--no-bundled", home=home), 1, f"{setting} must be a whole number from 0 to")


def test_new_per_day_beyond_sqlite_integers_on_the_command_line(tmp_path):
    folder, home = tmp_path / "decks", tmp_path / "home"
    write_deck(folder, n=2)
    proc = studydeck("study", "--plain", "--no-bundled", "--deck-dir", str(folder), "--new-per-day",
                     str(2**70), home=home, stdin="\n4\n")
    # a bad value on the command line is a usage error, as --retention 2 is
    assert_clean_error(proc, 2, "new_per_day must be a whole number from 0 to")


@pytest.mark.parametrize("step", ["9999999999d", "366d", "99999999999999999999s"])
def test_learning_steps_out_of_range_are_refused(tmp_path, step):
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text(f'learning_steps = ["{step}"]\n')
    assert_clean_error(studydeck("study", "--plain", "--no-bundled", home=home), 1, "learning_steps")


@pytest.mark.parametrize("command", [("stats",), ("study", "--plain"), ("check",), ("doctor",)])
def test_home_that_is_a_regular_file(tmp_path, command):
    home = tmp_path / "home"
    home.write_text("not a folder\n")
    proc = studydeck(*command, "--no-bundled", home=home)
    assert_clean_error(proc, 1, "is a file, expected a folder")


def test_ctrl_c_during_start_up_imports_exits_130_quietly(tmp_path):
    code = textwrap.dedent("""\
        import sys
        class Interrupt:
            def find_spec(self, name, path=None, target=None):
                if name == "studydeck.deckfile.load":
                    raise KeyboardInterrupt
        sys.meta_path.insert(0, Interrupt())
        from studydeck.cli import main
        sys.exit(main(["stats", "--no-bundled"]))
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "STUDYDECK_HOME": str(tmp_path / "h")}, timeout=60)
    assert proc.returncode == 130, proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("command", [("check",), ("stats",), ("study", "--plain")])
def test_fifo_named_like_a_deck_is_skipped_with_a_warning(tmp_path, command):
    folder, home = tmp_path / "decks", tmp_path / "home"
    write_deck(folder, n=2)
    os.mkfifo(folder / "pipe.yaml")
    args = (*command, "--no-bundled", "--deck-dir", str(folder)) if command != ("check",) else ("check", str(folder))
    proc = studydeck(*args, home=home, stdin="\n4\n")       # would hang opening the FIFO
    assert proc.returncode == 0, proc.stderr
    if command[0] == "study":       # plain study lists errors only
        assert "Saved: 4 Well" in proc.stdout
    else:
        assert "pipe.yaml:0:0: warning: not a regular file (a FIFO); skipped" in proc.stdout + proc.stderr


def test_drill_count_is_capped_and_the_plan_streams(tmp_path):
    from studydeck.drills.selection import iter_plan, plan

    proc = studydeck("drill", "--json", "--count", "1000000000", home=tmp_path / "h")
    assert proc.returncode == 2 and "--count must be from 1 to 10000" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert list(itertools.islice(iter_plan(None, 10**12, 3), 40)) == plan(None, 40, 3)


def test_an_unexpected_error_exits_non_zero_and_is_logged_to_a_named_file(tmp_path):
    home = tmp_path / "home"
    code = textwrap.dedent("""\
        import sys
        from studydeck.study import stats
        def broken(*args):
            raise ZeroDivisionError("a bug")
        stats.summary = broken
        from studydeck.cli import main
        sys.exit(main(["stats", "--no-bundled"]))
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "STUDYDECK_HOME": str(home)}, timeout=60)
    assert proc.returncode == 70, proc.stderr
    (line,) = proc.stderr.strip().splitlines()
    assert line.startswith("studydeck: unexpected error (ZeroDivisionError: a bug); the details are in ")
    log = line.rsplit(" in ", 1)[1].rstrip(".")
    assert log.startswith(str(home)) and "ZeroDivisionError: a bug" in open(log).read()
    assert "Traceback" in open(log).read()

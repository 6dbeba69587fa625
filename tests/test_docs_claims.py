"""The documentation's sentences about files (docs/cli.md, linked from the README), checked: "Nothing is created by importing
studydeck, by --help, check, stats or drill; the collection appears the first
time you study."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from tests.test_cli import studydeck, write_deck


def snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for p in sorted(folder.rglob("*"))}


def test_the_docs_say_so():
    """The claim the tests below check is the one docs/cli.md makes (wherever its lines break)."""
    text = " ".join((Path(__file__).parent.parent / "docs" / "cli.md").read_text(encoding="utf-8").split())
    assert "Nothing is created by importing studydeck, by `--help`, `check`, `stats` or `drill`" in text


def test_nothing_is_created_by_help_check_stats_or_drill(tmp_path):
    folder, home = tmp_path / "decks", tmp_path / "home"
    write_deck(folder, n=3)
    for args in (("--help",), ("check", str(folder)), ("stats", "--no-bundled", "--deck-dir", str(folder)),
                 ("stats", "--json"), ("drill", "--list"), ("drill", "--json", "--count", "2", "--kind", "sigmoid")):
        proc = studydeck(*args, home=home)
        assert proc.returncode == 0, proc.stderr
        assert not home.exists(), args
    studydeck("study", "--plain", "--no-bundled", "--deck-dir", str(folder), home=home, stdin="\n4\n", check=True)
    assert (home / "collection.sqlite3").exists()


def test_stats_on_an_existing_collection_writes_nothing(tmp_path):
    folder, home = tmp_path / "decks", tmp_path / "home"
    path = write_deck(folder, n=3)
    studydeck("study", "--plain", "--no-bundled", "--deck-dir", str(folder), home=home, stdin="\n4\n", check=True)
    path.write_text(path.read_text() + "  - id: card-new\n    front: Q?\n    back: A.\n")   # membership changed
    before = snapshot(home)
    proc = studydeck("stats", "--json", "--no-bundled", "--deck-dir", str(folder), home=home, check=True)
    data = json.loads(proc.stdout)
    assert data["decks"][0]["cards"] == 4 and data["decks"][0]["new"] == 3 and data["reviews_total"] == 1
    assert snapshot(home) == before

"""The README's keys table, written from the screens' bindings.

``python -m studydeck.tui.keys_doc`` rewrites the region between
``<!-- keys:start -->`` and ``<!-- keys:end -->`` in README.md (or the file
given); ``--check`` only says whether it is up to date (exit 1 if not).  A
test runs the check, so the README cannot drift from the keys.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

START, END = "<!-- keys:start -->", "<!-- keys:end -->"
README = Path(__file__).resolve().parents[2] / "README.md"


def markdown_table() -> str:
    from studydeck.tui.keys import sections

    lines = ["| key | does |", "| --- | --- |"]
    for title, rows in sections():
        lines.append(f"| **{title}** | |")
        for key, what in rows:
            what = what.replace("|", "\\|")
            lines.append(f"| `{key}` | {what} |")
    return "\n".join(lines)


def rewrite(text: str) -> str:
    """``text`` with the region between the markers replaced by the table."""
    start, end = text.find(START), text.find(END)
    if start < 0 or end < start:
        raise ValueError(f"the markers {START} and {END} are missing")
    return text[: start + len(START)] + "\n" + markdown_table() + "\n" + text[end:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m studydeck.tui.keys_doc", description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default=str(README), help="the Markdown file (default: README.md)")
    parser.add_argument("--check", action="store_true", help="exit 1 if the table is out of date; change nothing")
    args = parser.parse_args(argv)
    path = Path(args.path)
    text = path.read_text(encoding="utf-8")
    try:
        new = rewrite(text)
    except ValueError as exc:
        print(f"{path}: {exc}", file=sys.stderr)
        return 2
    if new == text:
        return 0
    if args.check:
        print(f"{path}: the keys table is out of date; run python -m studydeck.tui.keys_doc", file=sys.stderr)
        return 1
    path.write_text(new, encoding="utf-8")
    print(f"{path}: keys table rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main())

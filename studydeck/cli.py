"""The ``studydeck`` command: argparse subcommands, heavy imports deferred.

Exit codes: 0 success, 1 an error in the input (a deck, the settings, the
collection), 2 a usage error, 70 an unexpected error (logged to a file the
message names), 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from studydeck import __version__, card_commands


EXIT_UNEXPECTED = 70  # sysexits' EX_SOFTWARE


class UsageError(Exception):
    pass


def _common(parser: argparse.ArgumentParser, suppress: bool) -> None:
    from studydeck.config import RANGES, Config

    default = argparse.SUPPRESS if suppress else None
    _kind, lo, hi, _wording = RANGES["desired_retention"]
    defaults = Config()
    group = parser.add_argument_group("settings (override the config file)")
    group.add_argument("--home", metavar="DIR", default=default,
                       help="keep the collection, config and cache in DIR (default: $STUDYDECK_HOME or the platform's dirs)")
    group.add_argument("--retention", type=float, metavar="R", default=default,
                       help=f"desired retention, {lo} to {hi} (default {defaults.desired_retention})")
    group.add_argument("--new-per-day", type=int, metavar="N", default=default,
                       help=f"new cards per day (default {defaults.new_per_day})")
    group.add_argument("--max-reviews", type=int, metavar="N", default=default,
                       help=f"reviews per day (default {defaults.max_reviews_per_day})")
    group.add_argument("--deck-dir", action="append", metavar="DIR", default=default,
                       help="also load decks from DIR (repeatable; adds to the config file's deck_folders)")
    group.add_argument("--no-bundled", action="store_true", default=default, help="leave out the bundled decks")


class _Commands(argparse._SubParsersAction):  # noqa: SLF001 (argparse's subcommand action)
    """Subcommands whose arguments are added only when one is chosen: starting the
    app, or any one command, builds no other command's arguments."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._pending: dict[str, tuple[argparse.ArgumentParser, Callable | None]] = {}

    def add_command(self, name: str, help: str, fill: Callable | None = None, **kwargs) -> None:
        """The ``name`` command: the settings options and ``fill(parser)`` come when it is chosen."""
        self._pending[name] = (self.add_parser(name, help=help, **kwargs), fill)

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        pending = self._pending.pop(values[0], None)
        if pending is not None:
            command, fill = pending
            _common(command, suppress=True)
            if fill is not None:
                fill(command)
        super().__call__(parser, namespace, values, option_string)


def _study(p: argparse.ArgumentParser) -> None:
    p.add_argument("decks", nargs="*", metavar="DECK",
                   help="deck ids, or deck files and folders, to study now (default: all, from the home screen)")
    p.add_argument("--plain", action="store_true", help="line mode on stdin/stdout, for pipes and screen readers")
    card_commands.add_study_options(p)


def _check(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="*", metavar="PATH", help="files or folders (default: the configured and bundled decks)")
    p.add_argument("--drills", action="store_true", help="check every drill kind instead: answers, grading, examples, params")
    p.add_argument("--seeds", type=int, default=20, metavar="N", help="seeds per drill kind with --drills (default 20)")


def _notes(p: argparse.ArgumentParser) -> None:
    p.add_argument("deck", metavar="DECK", help="the deck id")


def _stats(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print one JSON object")


def _doctor(p: argparse.ArgumentParser) -> None:
    p.add_argument("--repair", action="store_true", help="rewrite card states that differ from the log (never the log)")


def _drill(p: argparse.ArgumentParser) -> None:
    p.add_argument("--kind", action="append", metavar="K", help="a kind or a prefix such as 'lstm' (repeatable; default: all)")
    p.add_argument("--count", type=int, default=10, metavar="N", help="number of questions (default 10)")
    p.add_argument("--seed", type=int, default=None, metavar="S", help="the same seed gives the same questions")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--list", action="store_true", help="list the kinds with their descriptions")
    mode.add_argument("--json", action="store_true", help="print the questions as JSON lines, without asking")
    mode.add_argument("--worksheet", action="store_true", help="print a Markdown sheet, answers at the end")


def _export(p: argparse.ArgumentParser) -> None:
    p.add_argument("decks", nargs="*", metavar="DECK", help="deck ids to export (default: all)")
    p.add_argument("--to", required=True, metavar="FILE", help="FILE.apkg, FILE.txt or FILE.tsv")
    p.add_argument("--drill-variants", type=int, default=3, metavar="N",
                   help="frozen copies of each drill card, with fixed seeds (default 3)")


def _import(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", metavar="FILE", help=".apkg, .colpkg, an Anki text export, or a two-column .tsv/.csv")
    p.add_argument("--into", metavar="DIR", help="folder for the deck files (default: the first deck folder, else here)")
    p.add_argument("--force", action="store_true", help="replace deck files that already exist")
    p.add_argument("--history", action="store_true", help="bring Anki's review log into the collection")


def _lab(p: argparse.ArgumentParser) -> None:
    from studydeck.lab.command import add_arguments  # numpy-free

    add_arguments(p)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="studydeck",
        description="Spaced-repetition flashcards and numeric drills on LSTMs and GRUs. "
        "With no command, opens the study app on your decks.",
    )
    parser.add_argument("--version", action="version", version=f"studydeck {__version__}")
    _common(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", action=_Commands)
    sub.add_command("study", "study due cards (the app, or --plain for line mode)", _study)
    sub.add_command("check", "validate deck files or folders", _check)
    sub.add_command("notes", "print a deck's study notes (its description)", _notes)
    sub.add_command("stats", "cards, due counts, reviews and retention", _stats)
    sub.add_command("doctor", "replay the review log and compare it with the stored card states", _doctor)
    sub.add_command("drill", "numeric questions on LSTMs and GRUs, answers computed by the engine", _drill)
    sub.add_command("export", "write decks for Anki: a package (.apkg) or a text file (.txt, .tsv)", _export)
    sub.add_command("import", "read an Anki package (.apkg, .colpkg) or text file into YAML decks", _import)
    sub.add_command("lab", "train LSTM, GRU and RNN on the 1997 LSTM paper's tasks", _lab)
    card_commands.add_parsers(sub)
    return parser


def _config(args: argparse.Namespace):
    from studydeck.config import ConfigError, load_config

    config = load_config(args.home)
    folders = tuple(config.deck_folders) + tuple(args.deck_dir or ())
    try:
        return config.with_overrides(
            desired_retention=args.retention,
            new_per_day=args.new_per_day,
            max_reviews_per_day=args.max_reviews,
            deck_folders=folders if args.deck_dir else None,
            bundled_decks=False if args.no_bundled else None,
        )
    except ConfigError as exc:  # the file was valid: the command line is at fault
        raise UsageError("; ".join(str(exc).splitlines())) from None


def _load(args: argparse.Namespace, config, cache_writes: bool = True):
    from studydeck import paths
    from studydeck.deckfile.load import load_decks

    return load_decks(config.deck_paths(), cache_dir=paths.cache_dir(args.home), cache_writes=cache_writes)


def _select(decks, wanted: Sequence[str]):
    if not wanted:
        return decks
    by_id = {d.id: d for d in decks}
    chosen = []
    for name in wanted:
        if name not in by_id:
            import difflib

            close = difflib.get_close_matches(name, by_id, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else f"; known decks: {', '.join(sorted(by_id))}"
            raise UsageError(f"no deck '{name}'{hint}")
        chosen.append(by_id[name])
    return chosen


def _report_problems(problems, stream) -> None:
    for problem in problems:
        print(problem, file=stream)


def cmd_check(args: argparse.Namespace) -> int:
    if args.drills:
        from studydeck.drills.selfcheck import run

        return run(args.seeds, sys.stdout, sys.stderr)
    from studydeck.deckfile.load import check_paths
    from studydeck.deckfile.similar_fronts import near_duplicate_fronts

    targets = args.paths or [str(p) for p in _config(args).deck_paths()]
    result = check_paths(targets)
    result.problems.extend(near_duplicate_fronts(result.decks))
    _report_problems(result.problems, sys.stdout)
    errors = sum(p.is_error for p in result.problems)
    warnings = len(result.problems) - errors
    cards = sum(len(d.cards) for d in result.decks)
    from studydeck.words import count

    print(f"{count(len(result.decks), 'deck')}, {count(cards, 'card')}: {count(errors, 'error')}, "
          f"{count(warnings, 'warning')}", file=sys.stderr)
    return 1 if errors else 0


def _deck_paths(config, wanted: Sequence[str]):
    """Split DECK arguments into deck ids and deck files or folders; a config
    that also loads the files and folders, and the paths themselves."""
    import os
    from dataclasses import replace

    paths = [w for w in wanted if os.path.exists(w) or os.sep in w or w.endswith((".yaml", ".yml"))]
    for path in paths:
        if not os.path.exists(path):
            raise UsageError(f"no such deck file or folder: {path}")
    ids = [w for w in wanted if w not in paths]
    if paths:  # studied without configuring a deck folder; with no ids, only these decks load
        config = replace(config, deck_folders=(*(config.deck_folders if ids else ()), *paths),
                         bundled_decks=config.bundled_decks and bool(ids))
    return config, ids, [os.path.abspath(p) for p in paths]


def _from_paths(decks, paths):
    import os

    def inside(deck) -> bool:
        where = os.path.abspath(deck.path)
        return any(where == p or where.startswith(p.rstrip(os.sep) + os.sep) for p in paths)

    return [d for d in decks if inside(d)]


def cmd_study(args: argparse.Namespace) -> int:
    config, ids, paths = _deck_paths(_config(args), args.decks)
    loaded = _load(args, config)
    decks = _select(loaded.decks, ids) if ids or not paths else []
    decks += [d for d in _from_paths(loaded.decks, paths) if d not in decks]
    if paths and not decks:
        _report_problems(loaded.problems, sys.stderr)
        raise UsageError(f"no deck loaded from {', '.join(args.decks)}")
    if not args.plain and not (sys.stdin.isatty() and sys.stdout.isatty()):
        # like git's pager: a full-screen app only on a terminal
        print("studydeck: not a terminal, so studying in plain mode (--plain)", file=sys.stderr)
        args.plain = True
    if not args.plain:
        from studydeck.tui.app import run_app  # deferred: textual loads only for the app

        custom = None
        if card_commands.custom_given(args):  # without: no clock read, no query language loaded at start-up
            def custom(collection, now):
                return card_commands.custom_options(args, collection, decks, config, now)
        return run_app(home=args.home, config=config, loaded=loaded,
                       deck_ids=[d.id for d in decks] if args.decks else None, study_now=bool(args.decks),
                       custom=custom)
    from studydeck import paths
    from studydeck.plain import PlainStudy
    from studydeck.study.clock import utcnow
    from studydeck.study.session import Session
    from studydeck.store import open_collection

    _report_problems([p for p in loaded.problems if p.is_error], sys.stderr)
    with open_collection(paths.collection_path(args.home)) as collection:
        options = card_commands.custom_options(args, collection, decks, config, utcnow())
        session = Session(collection, decks, config, **options)
        return PlainStudy(session, sys.stdin, sys.stdout).run()


def cmd_notes(args: argparse.Namespace) -> int:
    from studydeck.plain import print_notes

    config = _config(args)
    print_notes(_select(_load(args, config).decks, [args.deck])[0], sys.stdout)
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    import json

    from studydeck import paths
    from studydeck.words import count
    from studydeck.study import stats
    from studydeck.study.clock import utcnow
    from studydeck.store import read_snapshot

    config = _config(args)
    loaded = _load(args, config, cache_writes=False)  # stats writes nothing: no cache, no deck membership
    data = read_snapshot(paths.collection_path(args.home),
                         lambda collection: stats.summary(collection, loaded.decks, config, utcnow()))
    if args.json:
        print(json.dumps(data, ensure_ascii=False))
        return 0
    rows = [("deck", "cards", "new", "learning", "review", "due", "leeches")]
    rows += [(d["deck"], d["cards"], d["new"], d["learning"], d["review"], d["due"], d["leeches"]) for d in data["decks"]]
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(str(v).ljust(w) if i == 0 else str(v).rjust(w) for i, (v, w) in enumerate(zip(row, widths))))
    retention = data["true_retention_30d"]
    print()
    print(f"reviews today: {data['reviews_today']}   total: {data['reviews_total']}   due now: {data['due_now']}")
    print(f"true retention, last 30 days: {'–' if retention is None else f'{retention:.1%}'} "
          f"({count(data['retention_reviews_30d'], 'review')})   streak: {count(data['streak_days'], 'day')}")
    _report_problems(loaded.problems, sys.stderr)
    return 0


MAX_DRILL_COUNT = 10_000


def cmd_drill(args: argparse.Namespace) -> int:
    from studydeck.drills import quiz

    if args.list:
        print(quiz.list_kinds())
        return 0
    if not 1 <= args.count <= MAX_DRILL_COUNT:
        raise UsageError(f"--count must be from 1 to {MAX_DRILL_COUNT}")
    seed = args.seed
    if seed is None:
        import secrets

        seed = secrets.randbelow(2**31)
    if args.json:
        for line in quiz.questions_json_lines(args.kind, args.count, seed):
            print(line)
        return 0
    if args.worksheet:
        print(quiz.worksheet(args.kind, args.count, seed))
        return 0
    return quiz.run_quiz(args.kind, args.count, seed, sys.stdin, sys.stdout)


def cmd_export(args: argparse.Namespace) -> int:
    # deferred: genanki and markdown-it load only for an export
    from studydeck.interop.commands import export_command

    return export_command(args)


def cmd_import(args: argparse.Namespace) -> int:
    # deferred: zstandard and markdownify load only for an import
    from studydeck.interop.commands import import_command

    return import_command(args)


def cmd_doctor(args: argparse.Namespace) -> int:
    from studydeck import paths
    from studydeck.study import doctor

    return doctor.run(paths.collection_path(args.home), _config(args), args.repair)


def cmd_lab(args: argparse.Namespace) -> int:
    from studydeck.lab.command import LabUsageError, run

    try:
        return run(args)
    except LabUsageError as exc:
        raise UsageError(str(exc)) from None


COMMANDS = {"check": cmd_check, "study": cmd_study, "stats": cmd_stats, "drill": cmd_drill, "doctor": cmd_doctor,
            "export": cmd_export, "import": cmd_import, "lab": cmd_lab,
            "notes": cmd_notes, **card_commands.COMMANDS}


def main(argv: Sequence[str] | None = None) -> int:
    try:  # Ctrl-C can come at any moment, the imports of start-up included
        return _main(argv)
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from studydeck.config import ConfigError
    from studydeck.deckfile.load import DeckError
    from studydeck.interop import InteropError
    from studydeck.safetext import shown
    from studydeck.store import CollectionError

    known_errors = (ConfigError, DeckError, CollectionError, InteropError)
    command = args.command or "study"
    if args.command is None:
        args.decks, args.plain = [], False
    try:
        return COMMANDS[command](args)
    except (UsageError, *_drill_errors("UnknownKindError")) as exc:
        chosen = _chosen(parser, args)  # as argparse words its own usage errors
        chosen.print_usage(sys.stderr)
        print(f"{chosen.prog}: error: {shown(exc)}", file=sys.stderr)
        return 2
    except (*known_errors, *_drill_errors("DrillError")) as exc:
        # one line each (a DeckError's lines are findings, already escaped)
        print(f"studydeck: error: {exc if isinstance(exc, DeckError) else shown(exc)}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0
    except Exception as exc:
        return _unexpected(exc, getattr(args, "home", None))


def _chosen(parser: argparse.ArgumentParser, args: argparse.Namespace) -> argparse.ArgumentParser:
    """The parser of the (sub)command ``args`` chose: ``studydeck lab train``'s for that
    command, the top-level one when no command was given."""
    for action in parser._actions:  # noqa: SLF001 (argparse keeps its subcommands there)
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            name = getattr(args, action.dest, None)
            if name in action.choices:
                return _chosen(action.choices[name], args)
    return parser


def _drill_errors(name: str) -> tuple[type[Exception], ...]:
    """The drills' error class ``name`` if the drills are loaded (a drill error can only
    come from them), else none: the app's start does not import the drills package."""
    errors = sys.modules.get("studydeck.drills.errors")
    return (getattr(errors, name),) if errors is not None else ()


def _unexpected(exc: Exception, home: str | None) -> int:
    """Log an error nobody foresaw to a file, name the file on one line: exit 70."""
    import os
    import traceback
    from datetime import UTC, datetime

    from studydeck import paths
    from studydeck.safetext import shown

    summary = shown(f"{type(exc).__name__}: {exc}")
    details = "".join(traceback.format_exception(exc))
    try:
        folder = paths.ensure_dir(paths.log_dir(home))
        log = folder / f"error-{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{os.getpid()}.log"
        log.write_text(f"studydeck {__version__}: {' '.join(sys.argv)}\n{details}", encoding="utf-8")
    except OSError:
        sys.stderr.write(details)
        print(f"studydeck: unexpected error ({summary}); it could not be logged to a file", file=sys.stderr)
        return EXIT_UNEXPECTED
    print(f"studydeck: unexpected error ({summary}); the details are in {log}.", file=sys.stderr)
    return EXIT_UNEXPECTED

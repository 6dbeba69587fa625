"""The ``studydeck`` command: argparse subcommands, heavy imports deferred.

Exit codes: 0 success, 1 an error in the input (a deck, the settings, the
collection), 2 a usage error, 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from studydeck import __version__, card_commands


class UsageError(Exception):
    pass


def _common(parser: argparse.ArgumentParser, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    group = parser.add_argument_group("settings (override the config file)")
    group.add_argument("--home", metavar="DIR", default=default,
                       help="keep the collection, config and cache in DIR (default: $STUDYDECK_HOME or the platform's dirs)")
    group.add_argument("--retention", type=float, metavar="R", default=default,
                       help="desired retention, 0.7 to 0.99 (default 0.9)")
    group.add_argument("--new-per-day", type=int, metavar="N", default=default, help="new cards per day (default 20)")
    group.add_argument("--max-reviews", type=int, metavar="N", default=default, help="reviews per day (default 200)")
    group.add_argument("--deck-dir", action="append", metavar="DIR", default=default,
                       help="also load decks from DIR (repeatable; adds to the config file's deck_folders)")
    group.add_argument("--no-bundled", action="store_true", default=default, help="leave out the bundled decks")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="studydeck",
        description="Spaced-repetition flashcards and numeric drills on LSTMs and GRUs. "
        "With no command, opens the study app on your decks.",
    )
    parser.add_argument("--version", action="version", version=f"studydeck {__version__}")
    _common(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("study", help="study due cards (the app, or --plain for line mode)")
    _common(p, suppress=True)
    p.add_argument("decks", nargs="*", metavar="DECK", help="deck ids to study (default: all)")
    p.add_argument("--plain", action="store_true", help="line mode on stdin/stdout, for pipes and screen readers")
    card_commands.add_study_options(p)

    p = sub.add_parser("check", help="validate deck files or folders")
    _common(p, suppress=True)
    p.add_argument("paths", nargs="*", metavar="PATH", help="files or folders (default: the configured and bundled decks)")

    p = sub.add_parser("stats", help="cards, due counts, reviews and retention")
    _common(p, suppress=True)
    p.add_argument("--json", action="store_true", help="print one JSON object")

    p = sub.add_parser("drill", help="numeric questions on LSTMs and GRUs, answers computed by the engine")
    _common(p, suppress=True)
    p.add_argument("--kind", action="append", metavar="K", help="a kind or a prefix such as 'lstm' (repeatable; default: all)")
    p.add_argument("--count", type=int, default=10, metavar="N", help="number of questions (default 10)")
    p.add_argument("--seed", type=int, default=None, metavar="S", help="the same seed gives the same questions")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--list", action="store_true", help="list the kinds with their descriptions")
    mode.add_argument("--json", action="store_true", help="print the questions as JSON lines, without asking")
    mode.add_argument("--worksheet", action="store_true", help="print a Markdown sheet, answers at the end")
    card_commands.add_parsers(sub, _common)
    return parser


def _config(args: argparse.Namespace):
    from studydeck.config import load_config

    config = load_config(args.home)
    folders = tuple(config.deck_folders) + tuple(args.deck_dir or ())
    return config.with_overrides(
        desired_retention=args.retention,
        new_per_day=args.new_per_day,
        max_reviews_per_day=args.max_reviews,
        deck_folders=folders if args.deck_dir else None,
        bundled_decks=False if args.no_bundled else None,
    )


def _load(args: argparse.Namespace, config):
    from studydeck import paths
    from studydeck.deckfile.load import load_decks

    return load_decks(config.deck_paths(), cache_dir=paths.cache_dir(args.home))


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
    from studydeck.deckfile.load import check_paths

    targets = args.paths or [str(p) for p in _config(args).deck_paths()]
    result = check_paths(targets)
    _report_problems(result.problems, sys.stdout)
    errors = sum(p.is_error for p in result.problems)
    warnings = len(result.problems) - errors
    cards = sum(len(d.cards) for d in result.decks)
    print(f"{len(result.decks)} decks, {cards} cards: {errors} errors, {warnings} warnings", file=sys.stderr)
    return 1 if errors else 0


def cmd_study(args: argparse.Namespace) -> int:
    config = _config(args)
    loaded = _load(args, config)
    decks = _select(loaded.decks, args.decks)
    if not args.plain and not (sys.stdin.isatty() and sys.stdout.isatty()):
        # like git's pager: a full-screen app only on a terminal
        print("studydeck: not a terminal, so studying in plain mode (--plain)", file=sys.stderr)
        args.plain = True
    if not args.plain:
        from studydeck.tui.app import run_app  # deferred: textual loads only for the app

        return run_app(home=args.home, config=config, loaded=loaded, deck_ids=[d.id for d in decks] if args.decks else None,
                       custom=lambda collection, now: card_commands.custom_options(args, collection, decks, config, now))
    from studydeck import paths
    from studydeck.plain import PlainStudy
    from studydeck.study.queue import utcnow
    from studydeck.study.session import Session
    from studydeck.store import open_collection

    _report_problems([p for p in loaded.problems if p.is_error], sys.stderr)
    with open_collection(paths.collection_path(args.home)) as collection:
        options = card_commands.custom_options(args, collection, decks, config, utcnow())
        session = Session(collection, decks, config, **options)
        return PlainStudy(session, sys.stdin, sys.stdout).run()


def cmd_stats(args: argparse.Namespace) -> int:
    import json

    from studydeck import paths
    from studydeck.study import stats
    from studydeck.study.queue import utcnow
    from studydeck.store import open_collection

    config = _config(args)
    loaded = _load(args, config)
    with open_collection(paths.collection_path(args.home), create=False) as collection:
        data = stats.summary(collection, loaded.decks, config, utcnow())
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
          f"({data['retention_reviews_30d']} reviews)   streak: {data['streak_days']} days")
    _report_problems(loaded.problems, sys.stderr)
    return 0


def cmd_drill(args: argparse.Namespace) -> int:
    from studydeck.drills import quiz

    if args.list:
        print(quiz.list_kinds())
        return 0
    if args.count < 1:
        raise UsageError("--count must be at least 1")
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


COMMANDS = {"check": cmd_check, "study": cmd_study, "stats": cmd_stats, "drill": cmd_drill, **card_commands.COMMANDS}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from studydeck.config import ConfigError
    from studydeck.deckfile.load import DeckError
    from studydeck.drills.errors import DrillError, UnknownKindError
    from studydeck.store import CollectionError

    known_errors = (ConfigError, DeckError, CollectionError, DrillError)
    command = args.command or "study"
    if args.command is None:
        args.decks, args.plain = [], False
    try:
        return COMMANDS[command](args)
    except (UsageError, UnknownKindError) as exc:
        parser.print_usage(sys.stderr)
        print(f"studydeck: error: {exc}", file=sys.stderr)
        return 2
    except known_errors as exc:
        print(f"studydeck: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0

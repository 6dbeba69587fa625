"""The card commands: ``cards``, ``suspend``/``unsuspend``/``bury``/``unbury``, ``flag``,
``forget``, ``undo``, ``info``, ``optimize``, ``reschedule``; and ``study``'s custom-study options.

``cli.py`` adds these parsers with :func:`add_parsers` and dispatches through
:data:`COMMANDS`; imports beyond argparse happen inside each command.
"""

from __future__ import annotations

import argparse
import re
import sys

SORT_CHOICES = ("due", "ivl", "lapses", "added")


def _query_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("query", nargs="*", metavar="QUERY",
                        help="a search such as 'deck:lstm* is:due -tag:easy' (docs/query.md); quote it as one argument")
    # A query may start with '-' (-is:new): take '-' plus anything but a known option as
    # part of the query, the way argparse already takes negative numbers.
    parser._negative_number_matcher = re.compile(r"^-[^-]")  # noqa: SLF001
    parser._has_negative_number_optionals = []  # noqa: SLF001


def add_parsers(sub) -> None:
    """The card commands, on ``cli``'s subcommand action (``add_command(name, help, fill)``:
    the settings options and ``fill``'s arguments are added when the command is chosen)."""
    def cards(p: argparse.ArgumentParser) -> None:
        p.add_argument("--json", action="store_true", help="one JSON object per line")
        p.add_argument("--sort", choices=SORT_CHOICES, default="due", help="order (default: due)")
        _query_argument(p)

    def flag(p: argparse.ArgumentParser) -> None:
        p.add_argument("flag", type=int, choices=range(5), metavar="N", help="flag colour 1-4, or 0 for none")
        _query_argument(p)

    def info(p: argparse.ArgumentParser) -> None:
        p.add_argument("card", metavar="DECK/CARD", help="deck id and card id, e.g. lstm-cell/forget-gate")
        p.add_argument("--json", action="store_true", help="print one JSON object")

    def optimize(p: argparse.ArgumentParser) -> None:
        p.add_argument("--query", metavar="Q", help="fit on the reviews of the cards matching Q only")
        p.add_argument("--preset", metavar="NAME", help="only this preset (default: every preset in use)")
        p.add_argument("--force", action="store_true", help="save the fitted parameters even if they fit no better")
        p.add_argument("--retention", dest="suggest_retention", action="store_true",
                       help="also suggest a desired retention from the fitted model")

    sub.add_command("cards", "list the cards matching a query", cards)
    for name, text in (("suspend", "keep cards out of study until unsuspended"), ("unsuspend", "study cards again"),
                       ("bury", "keep cards out of study until tomorrow"), ("unbury", "study buried cards today"),
                       ("forget", "make cards new again (their history stays)")):
        sub.add_command(name, text, _query_argument)
    sub.add_command("flag", "flag cards 1-4 (0 removes the flag)", flag)
    sub.add_command("undo", "undo the last rating, cram rating, suspend, bury, flag or forget")
    sub.add_command("info", "a card's state and its review history", info)
    # conflict_handler: this command's --retention (suggest one) replaces the common --retention R
    sub.add_command("optimize", "fit FSRS to your reviews, per preset (needs studydeck[optimizer])", optimize,
                    conflict_handler="resolve")
    sub.add_command("reschedule", "recompute every card's due date from its history with the saved parameters")


def add_study_options(parser: argparse.ArgumentParser) -> None:
    """``study``'s custom-study options (docs/custom-study.md)."""
    group = parser.add_argument_group("custom study")
    group.add_argument("--query", metavar="Q", help="study the cards matching Q (suspended and buried left out)")
    group.add_argument("--cram", action="store_true", help="ratings are recorded apart; schedules stay as they were")
    group.add_argument("--ahead", type=int, metavar="N", help="reviews due within the next N days")
    group.add_argument("--forgotten", type=int, metavar="N", help="cards rated 1 or 2 in the last N days")
    group.add_argument("--more-new", type=int, metavar="N", default=0, help="N more new cards than today's limit")
    group.add_argument("--limit", type=int, metavar="N", default=100, help="at most N cards in a filtered session (100)")


def _custom_values(args: argparse.Namespace) -> tuple:
    """The custom-study options in :class:`~studydeck.study.custom.CustomStudy`'s field order."""
    return (getattr(args, "query", None), getattr(args, "ahead", None), getattr(args, "forgotten", None),
            bool(getattr(args, "cram", False)), getattr(args, "more_new", 0) or 0, getattr(args, "limit", 100))


def custom_given(args: argparse.Namespace) -> bool:
    """Whether any custom-study option differs from its default."""
    return _custom_values(args) != (None, None, None, False, 0, 100)


def custom_options(args: argparse.Namespace, collection, decks, config, now) -> dict:
    """Session keyword arguments for ``study``'s custom-study options."""
    if not custom_given(args):  # nothing to check: today's queue
        return {"extra_new": 0}
    from studydeck.cli import UsageError
    from studydeck.study.custom import CustomStudy, session_options
    from studydeck.study.query import QueryError

    custom = CustomStudy(*_custom_values(args))
    try:
        return session_options(collection, decks, config, now, custom)
    except QueryError as exc:
        raise UsageError(f"--query: {exc}") from None
    except ValueError as exc:
        raise UsageError(str(exc)) from None


class _Context:
    """The loaded decks, the config and the collection, for one command."""

    def __init__(self, args: argparse.Namespace, create: bool) -> None:
        from studydeck import paths
        from studydeck.cli import _config, _load
        from studydeck.store import open_collection
        from studydeck.study.clock import utcnow

        self.config = _config(args)
        loaded = _load(args, self.config)
        self.decks = loaded.decks
        self.problems = loaded.problems
        self.now = utcnow()
        self.collection = open_collection(paths.collection_path(args.home), create=create)

    def find(self, text: str, sort: str = "deck"):
        keys, qctx = self.find_keys(text, sort)
        from studydeck.study import browse

        return browse.found_of(self.collection, self.decks, keys), qctx

    def find_keys(self, text: str, sort: str = "deck"):
        from studydeck.cli import UsageError
        from studydeck.study import browse
        from studydeck.study.query import QueryError

        try:
            return browse.find_keys(self.collection, self.decks, self.config, text, self.now, sort)
        except QueryError as exc:
            raise UsageError(f"query: {exc}") from None

    def __enter__(self) -> _Context:
        return self

    def __exit__(self, *exc: object) -> None:
        self.collection.close()


def _query_text(args: argparse.Namespace) -> str:
    return " ".join(args.query)


def _one_line(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def cmd_cards(args: argparse.Namespace) -> int:
    from studydeck.study import browse

    with _Context(args, create=False) as ctx:
        keys, qctx = ctx.find_keys(_query_text(args), args.sort)
        shown = 0
        for start in range(0, len(keys), PAGE):  # printed a page at a time, as it is read
            for f in browse.found_of(ctx.collection, ctx.decks, keys[start:start + PAGE]):
                shown += 1
                _print_card(f, qctx, args.json)
        if not args.json:
            print(f"{shown} card{'s' if shown != 1 else ''}", file=sys.stderr)
    return 0


PAGE = 500


def _print_card(f, qctx, as_json: bool) -> None:
    import json

    from studydeck.store import NEW
    from studydeck.study.browse import local_time
    from studydeck.study.clock import from_ms

    row, card = f.row, f.card
    r = f.retrievability(qctx)
    if as_json:
        print(json.dumps({
            "deck": row.deck_id, "card": row.card_id, "state": f.status(qctx),
            "due": None if row.state == NEW else from_ms(row.due).isoformat(),
            "interval_days": row.interval_days(), "stability": row.stability,
            "difficulty": row.difficulty, "retrievability": r, "reps": row.reps, "lapses": row.lapses,
            "leech": bool(row.leech), "suspended": bool(row.suspended), "buried": row.buried(qctx.now_ms),
            "flag": row.flag, "front": card.front, "tags": list(card.tags),
        }, ensure_ascii=False))
        return
    due = "-" if row.state == NEW else local_time(row.due)[:10]
    ivl = row.interval_days()
    print(f"{row.deck_id}/{row.card_id}  {f.status(qctx)}  due {due}  ivl {'-' if ivl is None else f'{ivl}d'}  "
          f"S {'-' if row.stability is None else f'{row.stability:.1f}'}  "
          f"R {'-' if r is None else f'{r:.0%}'}  lapses {row.lapses}"
          f"{f'  flag {row.flag}' if row.flag else ''}  {_one_line(card.front, 60)}")


def _cmd_mark(args: argparse.Namespace, kind: str, flag: int = 0) -> int:
    from studydeck.study import browse

    text = _query_text(args)
    if not text.strip():
        from studydeck.cli import UsageError

        raise UsageError(f"{kind} needs a query (use '*' to mean every card)")
    with _Context(args, create=True) as ctx:
        found, _ = ctx.find(text)
        changed = browse.mark(ctx.collection, kind, [f.card for f in found], ctx.now, ctx.config,
                              flag=flag, detail=text)
    word = browse.PAST[kind]
    print(f"{word} {changed} card{'s' if changed != 1 else ''} ({len(found)} matched)")
    return 0


def cmd_undo(args: argparse.Namespace) -> int:
    from studydeck import store
    from studydeck.study import browse
    from studydeck.study.clock import to_ms

    with _Context(args, create=False) as ctx:
        print(browse.undo_message(store.undo_last(ctx.collection, to_ms(ctx.now))))
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    import json
    from datetime import timedelta

    from studydeck import store
    from studydeck.cli import UsageError
    from studydeck.study import browse
    from studydeck.study.scheduler import LABELS
    from studydeck.study.clock import format_interval

    deck_id, _, card_id = args.card.partition("/")
    with _Context(args, create=False) as ctx:
        deck = next((d for d in ctx.decks if d.id == deck_id), None)
        card = deck.card(card_id) if deck is not None and card_id else None
        if card is None:
            import difflib

            names = [f"{d.id}/{c.card_id}" for d in ctx.decks for c in d.cards]
            close = difflib.get_close_matches(args.card, names, n=1)
            raise UsageError(f"no card '{args.card}'" + (f"; did you mean '{close[0]}'?" if close else
                                                          " (write DECK/CARD, as `studydeck cards` lists them)"))
        qctx = browse.query_context(ctx.collection, ctx.decks, ctx.config, ctx.now)
        ctx.collection.sync_decks(ctx.decks, qctx.now_ms)
        row = store.card_row(ctx.collection, deck_id, card_id)
        found = browse.Found(card, row)
        lines = browse.history(ctx.collection, card)
        if args.json:
            from dataclasses import asdict

            print(json.dumps({"deck": deck_id, "card": card_id, "state": found.status(qctx),
                              "history": [asdict(line) for line in lines]}))
            return 0
        r = found.retrievability(qctx)
        print(f"{deck_id}/{card_id}  ({card.type}, line {card.line} of {deck.path})")
        print(f"front: {_one_line(card.front, 70)}")
        print(f"state: {found.status(qctx)}   reps {row.reps}   lapses {row.lapses}"
              f"{'   leech' if row.leech else ''}{f'   flag {row.flag}' if row.flag else ''}")
        if row.state != 0:
            print(f"due: {browse.local_time(row.due)}   interval {row.interval_days()}d   "
                  f"stability {row.stability:.2f}d   difficulty {row.difficulty:.2f}   "
                  f"retrievability {'-' if r is None else f'{r:.0%}'}")
        print()
        if not lines:
            print("no reviews yet")
            return 0
        print(f"{'date':16}  {'event':8}  {'rating':15}  {'interval':8}  {'stability':>9}  {'difficulty':>10}")
        for line in lines:
            rating = f"{line.rating} {LABELS[line.rating]}" if line.rating else ""
            ivl = format_interval(timedelta(milliseconds=line.interval_ms)) if line.interval_ms is not None else ""
            s = f"{line.stability:.2f}" if line.stability is not None else ""
            d = f"{line.difficulty:.2f}" if line.difficulty is not None else ""
            what = line.what + (" (undone)" if line.undone else "")
            print(f"{browse.local_time(line.at):16}  {what:8}  {rating:15}  {ivl:8}  {s:>9}  {d:>10}")
    return 0


def cmd_optimize(args: argparse.Namespace) -> int:
    from studydeck import store
    from studydeck.cli import UsageError
    from studydeck.study import optimize
    from studydeck.study.clock import to_ms

    with _Context(args, create=True) as ctx:
        keys = None
        if args.query is not None:
            try:
                found, _ = ctx.find(args.query)
            except UsageError as exc:
                raise UsageError(f"--{exc}") from None
            keys = {f.card.key for f in found}
        presets = sorted({ctx.config.preset_name(d.id) for d in ctx.decks})
        if args.preset is not None:
            if args.preset not in presets:
                raise UsageError(f"no deck uses preset '{args.preset}'; presets in use: {', '.join(presets)}")
            presets = [args.preset]
        failed = False
        for preset in presets:
            try:
                fit = optimize.fit(ctx.collection, ctx.decks, ctx.config, preset, keys)
            except optimize.OptimizerError as exc:
                print(f"studydeck: {exc}", file=sys.stderr)
                failed = True
                continue
            print(f"preset {preset}: {fit.reviews} reviews; on held-out cards log loss {fit.log_loss:.4f} "
                  f"(defaults {fit.default_log_loss:.4f}), RMSE {fit.rmse:.4f} (defaults {fit.default_rmse:.4f})")
            if fit.better or args.force:
                store.save_parameters(ctx.collection, preset, fit.parameters, to_ms(ctx.now), fit.reviews,
                                      fit.log_loss, fit.rmse)
                print("  saved: ratings from now on use them; `studydeck reschedule` moves today's due dates too")
            else:
                print("  not saved: the default parameters fit your held-out reviews at least as well (--force saves)")
            if args.suggest_retention:
                cards = sum(len(d.cards) for d in ctx.decks if ctx.config.preset_name(d.id) == preset)
                limits = next(ctx.config.for_deck(d.id) for d in ctx.decks if ctx.config.preset_name(d.id) == preset)
                value = optimize.suggest_retention(fit.parameters, cards, ctx.config, limits)
                print(f"  suggested desired_retention: {value:.2f} (the least study time per card remembered; "
                      f"now {limits.desired_retention:.2f}); set it under [presets.{preset}] in the config")
    return 1 if failed else 0


def cmd_reschedule(args: argparse.Namespace) -> int:
    from studydeck.study import optimize

    with _Context(args, create=True) as ctx:
        changed = optimize.reschedule(ctx.collection, ctx.decks, ctx.config, ctx.now)
    print(f"rescheduled {changed} card{'s' if changed != 1 else ''}")
    return 0


COMMANDS = {
    "optimize": cmd_optimize,
    "reschedule": cmd_reschedule,
    "cards": cmd_cards,
    "suspend": lambda args: _cmd_mark(args, "suspend"),
    "unsuspend": lambda args: _cmd_mark(args, "unsuspend"),
    "bury": lambda args: _cmd_mark(args, "bury"),
    "unbury": lambda args: _cmd_mark(args, "unbury"),
    "forget": lambda args: _cmd_mark(args, "forget"),
    "flag": lambda args: _cmd_mark(args, "flag", args.flag),
    "undo": cmd_undo,
    "info": cmd_info,
}

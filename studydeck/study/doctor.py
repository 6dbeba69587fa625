"""``studydeck doctor``: replay the review log and compare it with the stored card states.

As Anki's "Check Database": the review log is the record, card states are
derived from it.  For every card, the standing (not undone) reviews are
replayed in order from a new card (from the card's latest standing
``forget``, for a card forgotten since: its history stays, its state restarts):

- a review that starts from the state the replay has reached contributes its
  recorded after-state (exact, fuzz included);
- a review that starts from anything else (a rating another session wrote
  in between, before ratings were atomic) or whose recorded state cannot be
  read is rescheduled by the scheduler from the replayed state, with fuzz off.

The replayed state is then compared with the stored one.  Every difference,
every stored state that is not a valid state, and every review row that
cannot be read is one line; any of them makes the exit code 1.
``--repair`` rewrites the card states that differ with the replayed ones, in
one transaction; the log itself is never changed.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field, replace
from typing import TextIO

from studydeck.config import Config
from studydeck.safetext import shown
from studydeck.store import MAX_TIME_MS, NEW, CardState, Collection, forget_times, row_problem
from studydeck.study.clock import from_ms
from studydeck.study.scheduler import Scheduler


@dataclass
class Report:
    """What a check found: ``lines`` to print, and the states ``repair`` would write."""

    lines: list[str] = field(default_factory=list)
    repairs: dict[tuple[str, str], CardState | None] = field(default_factory=dict)
    damaged_log: int = 0      # review rows that cannot be read (the log is never rewritten)
    cards: int = 0
    reviews: int = 0

    @property
    def disagreements(self) -> int:
        return len(self.lines)


def _name(key: tuple[str, str]) -> str:
    return f"{shown(key[0])}/{shown(key[1])}"


def _describe(state: CardState | None) -> str:
    if state is None:
        return "new"
    return f"state {state.state}, reps {state.reps}, lapses {state.lapses}, due {state.due}"


def _differences(stored: CardState | None, replayed: CardState | None) -> str:
    if stored is None or replayed is None:
        return f"stored {_describe(stored)}, the log gives {_describe(replayed)}"
    parts = [f"{name} {getattr(stored, name)!r} (log: {getattr(replayed, name)!r})"
             for name in CardState.__slots__ if getattr(stored, name) != getattr(replayed, name)]
    return ", ".join(parts)


def _parse(text: str | None) -> CardState | None:
    return None if text is None else CardState.from_json(text)


def _after(damaged: str | None, columns: tuple) -> CardState:
    """A logged after-state from its columns; ValueError (what is wrong) if it is not one."""
    if damaged is not None:
        CardState.from_json(damaged)        # says why the text was not readable
        raise ValueError("not a card state")
    problem = row_problem(columns)
    if problem:
        raise ValueError(problem)
    return CardState(*columns[:8], bool(columns[8]))


_BATCH = 2000   # rows read at a time


def _fine(columns: tuple) -> bool:
    """True only when ``row_problem(columns)`` is None: a quick test of the shape nearly every
    reviewed card's state has (False: ask :func:`row_problem`, which says what is wrong)."""
    state, step, stability, difficulty, due, last_review, reps, lapses, leech = columns
    return (type(state) is int and 1 <= state <= 3 and type(due) is int and 0 <= due <= MAX_TIME_MS
            and type(last_review) is int and 0 <= last_review <= MAX_TIME_MS
            and type(reps) is int and reps >= 0 and type(lapses) is int and lapses >= 0 and leech in (0, 1)
            and type(stability) is float and 0.0 < stability < math.inf
            and type(difficulty) is float and 0.0 < difficulty <= 10.0
            and (step is None or (type(step) is int and step >= 0)))


# A state during the replay is None (new), a CardState, or, as read from the log, the
# after-state's valid columns: a CardState is built only when one is needed.
_State = CardState | tuple | None


def _state(value: _State) -> CardState | None:
    if value is None or isinstance(value, CardState):
        return value
    return CardState(*value[:8], bool(value[8]))


def _same(a: _State, b: _State) -> bool:
    """``_state(a) == _state(b)``, without building states for two column tuples."""
    if a is b:
        return True
    if type(a) is tuple and type(b) is tuple:
        return a[:8] == b[:8] and bool(a[8]) == bool(b[8])
    return _state(a) == _state(b)


def check(collection: Collection, config: Config) -> Report:
    """Replay every card's standing reviews and compare with its stored state.

    The log is read once, in order, as a stream: what is kept is each card's replayed
    state and its previous logged after-state (memory grows with the cards, not with
    the history), and the lines found, which are reported in card order."""
    scheduler = Scheduler(replace(config, fuzz=False))
    report = Report()
    forgotten = forget_times(collection)  # a forgotten card's history replays from that moment
    # per card: [the replayed state, the logged after-state of its previous standing review
    # (if readable)]
    replays: dict[tuple[str, str], list] = {}
    found: dict[tuple[str, str], list[str]] = {}
    repairs: dict[tuple[str, str], CardState | None] = {}

    def say(key: tuple[str, str], line: str) -> None:
        found.setdefault(key, []).append(line)

    log = collection.standing_log()
    while rows := log.fetchmany(_BATCH):
        report.reviews += len(rows)
        for row in rows:
            review_id, deck, card, at, rating, answer_ms, prior, before_text, damaged = row[:9]
            columns = row[9:]
            key = (deck, card)
            entry = replays.get(key)
            if entry is None:
                entry = replays[key] = [None, None]
            replayed, previous = entry
            forgot_at = forgotten.get(key, -1) if forgotten else -1
            logged_after = None
            try:
                after = logged_after = (columns if damaged is None and _fine(columns)
                                        else _after(damaged, columns))
                if before_text is not None:
                    before = _parse(before_text)
                elif prior == NEW:
                    before = None
                elif previous is None:
                    raise ValueError("the state before it is not recorded")
                else:
                    before = previous
            except ValueError as exc:
                if at > forgot_at:
                    say(key, f"{_name(key)}: review {review_id} has an invalid state ({exc}); "
                             "it is replayed by the scheduler")
                    report.damaged_log += 1
                before, after = replayed, None
            entry[1] = logged_after
            if at <= forgot_at:
                continue
            if after is None or not _same(before, replayed):
                try:
                    after = scheduler.review(_state(replayed), rating, from_ms(at), answer_ms).after
                except (ValueError, TypeError, OverflowError) as exc:
                    say(key, f"{_name(key)}: review {review_id} cannot be replayed ({exc})")
                    report.damaged_log += 1
                    continue
            entry[0] = after

    def compare(key: tuple[str, str], row: tuple | None, replayed: _State) -> None:
        if row is None:
            if replayed is not None:
                say(key, f"{_name(key)}: no stored state; the log gives {_describe(_state(replayed))}")
                repairs[key] = _state(replayed)
            return
        problem = None if _fine(row) else row_problem(row)
        if problem:
            say(key, f"{_name(key)}: stored state is invalid ({problem}); "
                     f"the log gives {_describe(_state(replayed))}")
            repairs[key] = _state(replayed)
            return
        stored = None if row[0] == NEW else row
        if not _same(stored, replayed):
            say(key, f"{_name(key)}: stored state differs from the replayed log: "
                     f"{_differences(_state(stored), _state(replayed))}")
            repairs[key] = _state(replayed)

    cards = collection.card_rows()
    while rows := cards.fetchmany(_BATCH):
        report.cards += len(rows)
        for row in rows:
            key = (row[0], row[1])
            entry = replays.pop(key, None)
            compare(key, row[2:], None if entry is None else entry[0])
    for key, (replayed, _previous) in replays.items():   # reviews of cards with no stored state
        compare(key, None, replayed)
    for key in sorted(found):
        report.lines.extend(found[key])
    report.repairs = {key: repairs[key] for key in sorted(repairs)}
    return report


def run(collection_path, config: Config, repair: bool, out: TextIO = sys.stdout) -> int:
    """The ``doctor`` command: print one line per disagreement; exit 1 if any remain."""
    from studydeck.store import open_collection, read_snapshot

    if not collection_path.exists():
        print(f"no collection at {shown(collection_path)}; nothing to check", file=out)
        return 0
    if not repair:  # a read-only view, read again if another process writes meanwhile
        report = read_snapshot(collection_path, lambda collection: check(collection, config))
        _print(report, out, "")
        return 1 if report.disagreements else 0
    with open_collection(collection_path) as collection:
        version = collection.data_version()
        report = check(collection, config)
        done = ""
        if report.repairs:
            if not collection.put_states(report.repairs, unchanged_since=version):
                _print(report, out, "; the collection changed while doctor read it (a rating in another "
                                    "process?), so nothing was repaired: run `studydeck doctor --repair` again")
                return 1
            done = f"; repaired {len(report.repairs)} card state{'s' if len(report.repairs) != 1 else ''}"
        _print(report, out, done)
    return 1 if report.damaged_log else 0


def _print(report: Report, out: TextIO, done: str) -> None:
    """The report's lines, then its summary with ``done`` (what was repaired) and advice."""
    for line in report.lines:
        print(line, file=out)
    summary = (f"{report.cards} cards, {report.reviews} standing reviews: "
               f"{report.disagreements} disagreement{'s' if report.disagreements != 1 else ''}{done}")
    if report.damaged_log:
        summary += f"; {report.damaged_log} review rows are damaged (the log is never rewritten)"
    elif report.repairs and not done:
        summary += "; `studydeck doctor --repair` rewrites the card states from the log"
    print(summary, file=out)

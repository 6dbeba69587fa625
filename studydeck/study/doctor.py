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

import sys
from dataclasses import dataclass, field, replace
from typing import TextIO

from studydeck.config import Config
from studydeck.safetext import shown
from studydeck.store import NEW, CardState, Collection, forget_times, row_problem
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


def check(collection: Collection, config: Config) -> Report:
    """Replay every card's standing reviews and compare with its stored state."""
    scheduler = Scheduler(replace(config, fuzz=False))
    report = Report()
    log: dict[tuple[str, str], list[tuple]] = {}
    for row in collection.standing_log():
        log.setdefault((row[1], row[2]), []).append(row)
        report.reviews += 1
    forgotten = forget_times(collection)  # a forgotten card's history replays from that moment
    stored_rows = {(row[0], row[1]): row[2:] for row in collection.card_rows()}
    report.cards = len(stored_rows)
    for key in sorted(stored_rows.keys() | log.keys()):
        replayed: CardState | None = None
        forgot_at = forgotten.get(key, -1)
        previous = None   # the logged after-state of the card's previous standing review, if readable
        for review_id, _deck, _card, at, rating, answer_ms, prior, before_text, damaged, *columns in log.get(key, ()):
            logged_after = None
            try:
                after = logged_after = _after(damaged, tuple(columns))
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
                    report.lines.append(f"{_name(key)}: review {review_id} has an invalid state ({exc}); "
                                        "it is replayed by the scheduler")
                    report.damaged_log += 1
                before, after = replayed, None
            previous = logged_after
            if at <= forgot_at:
                continue
            if before != replayed or after is None:
                try:
                    after = scheduler.review(replayed, rating, from_ms(at), answer_ms).after
                except (ValueError, TypeError, OverflowError) as exc:
                    report.lines.append(f"{_name(key)}: review {review_id} cannot be replayed ({exc})")
                    report.damaged_log += 1
                    continue
            replayed = after
        row = stored_rows.get(key)
        if row is None:
            if replayed is not None:
                report.lines.append(f"{_name(key)}: no stored state; the log gives {_describe(replayed)}")
                report.repairs[key] = replayed
            continue
        problem = row_problem(row)
        if problem:
            report.lines.append(f"{_name(key)}: stored state is invalid ({problem}); "
                                f"the log gives {_describe(replayed)}")
            report.repairs[key] = replayed
            continue
        stored = None if row[0] == NEW else CardState(*row[:8], bool(row[8]))
        if stored != replayed:
            report.lines.append(f"{_name(key)}: stored state differs from the replayed log: "
                                f"{_differences(stored, replayed)}")
            report.repairs[key] = replayed
    return report


def run(collection_path, config: Config, repair: bool, out: TextIO = sys.stdout) -> int:
    """The ``doctor`` command: print one line per disagreement; exit 1 if any remain."""
    from studydeck.store import open_collection

    if not collection_path.exists():
        print(f"no collection at {shown(collection_path)}; nothing to check", file=out)
        return 0
    with open_collection(collection_path, readonly=not repair) as collection:
        report = check(collection, config)
        for line in report.lines:
            print(line, file=out)
        summary = (f"{report.cards} cards, {report.reviews} standing reviews: "
                   f"{report.disagreements} disagreement{'s' if report.disagreements != 1 else ''}")
        if repair and report.repairs:
            collection.put_states(report.repairs)
            summary += f"; repaired {len(report.repairs)} card state{'s' if len(report.repairs) != 1 else ''}"
        if report.damaged_log:
            summary += f"; {report.damaged_log} review rows are damaged (the log is never rewritten)"
        elif report.repairs and not repair:
            summary += "; `studydeck doctor --repair` rewrites the card states from the log"
        print(summary, file=out)
    remaining = report.damaged_log if repair else report.disagreements
    return 1 if remaining else 0

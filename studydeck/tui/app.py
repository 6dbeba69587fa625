"""The Textual app: one factory for the CLI and for tests.

``create_app(home, config, loaded, deck_ids, clock=None, seed=None)`` builds
the app; ``run_app(...)`` runs it and returns the exit code.  Everything a
test needs to hold still (the clock, the drill seed, cursor blinking, the
editor command) is injected here, never by subclassing.

Start-up stays cheap: the home screen needs the collection and the deck
counts only.  The study screen (Markdown, the scheduler and fsrs), the drill
and lab screens (numpy, the engine, the drills) are imported when first shown.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from collections.abc import Callable, Iterable, Sequence

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from studydeck import paths
from studydeck.config import Config
from studydeck.model import Deck, Problem
from studydeck.store import Collection, open_collection

PAINTED_ENV = "STUDYDECK_PAINTED_FILE"
"""If set, the path of a file to which the app writes ``time.time()`` once the
home screen has been painted (used by benchmarks/bench_startup.py)."""


def _utcnow() -> datetime:
    from studydeck.study.clock import utcnow

    return utcnow()


class StudyDeckApp(App[int]):
    """studydeck's terminal app.  Build it with :func:`create_app`."""

    CSS_PATH = "studydeck.tcss"
    TITLE = "studydeck"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("question_mark,f1", "help", "help", key_display="?",
                tooltip="this help (F1 while an answer box has the cursor)"),
        Binding("ctrl+q", "quit", "quit", show=False, priority=True),
    ]

    def __init__(
        self,
        *,
        home: str | None,
        config: Config,
        decks: Sequence[Deck],
        problems: Sequence[Problem],
        deck_ids: Sequence[str] | None,
        clock: Callable[[], datetime],
        seed: int | None,
        cursor_blink: bool,
        editor: str | None,
        collection: Collection | None = None,
        study_now: bool = False,
    ) -> None:
        super().__init__()
        self.study_now = study_now
        self.home = home
        self.config = config
        self.deck_ids = list(deck_ids) if deck_ids else None
        self.clock = clock
        self.seed = seed
        self.cursor_blink = cursor_blink
        self.editor = editor
        self._collection = collection
        self.crash: Exception | None = None
        self._set_decks(decks, problems)
        self._prefetch: tuple | None = None
        self.last_count_seconds = 0.0  # how long the latest count on a thread took
        # the home screen counts on a thread: after its first paint, and when the learner comes
        # back to it (run_app sets it; tests count on the UI thread unless they set it)
        self.count_after_paint = False
        self.start_study: dict | None = None  # custom-study Session options to open at start
        if config.theme in self.available_themes:
            self.theme = config.theme

    def on_mount(self) -> None:
        self.theme_changed_signal.subscribe(self, self._save_theme)
        if self.start_study is not None:  # `studydeck study --query ...`: straight into the session
            self.open_study(self.decks, self.start_study)
        elif self.study_now and self.decks:  # `studydeck study DECK`: straight into the session
            self.call_after_refresh(self.action_study_all)
        if self.config.theme and self.config.theme not in self.available_themes:
            self.notify(f"Unknown theme '{self.config.theme}' in the settings; using {self.theme}.",
                        severity="warning")

    def _save_theme(self, theme) -> None:
        """The theme picked (command palette → Theme) is kept in the settings file."""
        if theme.name == self.config.theme:
            return
        from dataclasses import replace

        from studydeck.config import save_setting

        try:
            save_setting("theme", theme.name, self.home)
        except OSError as exc:
            self.notify(f"Could not save the theme: {exc.strerror}", severity="warning")
            return
        self.config = replace(self.config, theme=theme.name)

    # -- the home screen's numbers, read while Textual starts --------------
    def prefetch_home_numbers(self, done: Callable[[object], object] | None = None) -> None:
        """Compute the home screen's numbers on a thread with its own connection.

        SQLite releases the GIL, so the queries (tens to hundreds of ms on a
        large collection) do not hold up the UI.  The home screen takes the
        result once.  ``done(token)`` is called on the thread when the numbers
        are ready, ``token`` naming this prefetch (see :meth:`prefetch_is`): it
        must be safe to call from there (post a message).
        """
        import threading
        import time

        from studydeck.tui.screens.home import home_numbers

        result: dict = {}
        finished = threading.Event()
        decks, config, clock, path = self.decks, self.config, self.clock, paths.collection_path(self.home)

        def work() -> None:
            start = time.perf_counter()
            try:
                with open_collection(path, create=False) as collection:
                    result["numbers"] = home_numbers(collection, decks, config, clock())
                self.last_count_seconds = time.perf_counter() - start
            except Exception as exc:  # the UI thread recomputes and reports it
                result["error"] = exc
            finished.set()
            if done is not None:
                done(result)

        thread = threading.Thread(target=work, name="studydeck-prefetch", daemon=True)
        self._prefetch = (thread, result, finished)
        thread.start()

    def prefetch_is(self, token: object) -> bool:
        """``token`` is the prefetch whose numbers are still to be taken (not dropped, not taken)."""
        return self._prefetch is not None and self._prefetch[1] is token

    def wait_prefetch(self, seconds: float) -> bool:
        """Wait up to ``seconds`` for the prefetch to end; True if it has."""
        return self._prefetch is not None and self._prefetch[2].wait(seconds)

    def prefetch_pending(self) -> bool:
        """A prefetch has started and its numbers are not read yet."""
        return self._prefetch is not None and not self._prefetch[2].is_set()

    def take_prefetched_numbers(self):
        """The prefetched numbers (None: none, or they failed), waiting for the thread if it
        still runs: call it once the thread is done (or on a prefetch started before the app)."""
        if self._prefetch is None:
            return None
        thread, result, _finished = self._prefetch
        self._prefetch = None
        thread.join(timeout=10)
        return result.get("numbers")

    def drop_prefetched_numbers(self) -> None:
        """Forget a prefetch without waiting for it: its thread ends on its own, its numbers unread."""
        self._prefetch = None

    # -- shared state ------------------------------------------------------
    @property
    def collection(self) -> Collection:
        if self._collection is None:
            self._collection = open_collection(paths.collection_path(self.home))
        return self._collection

    def _set_decks(self, decks: Iterable[Deck], problems: Iterable[Problem]) -> None:
        decks = list(decks)
        if self.deck_ids is not None:
            by_id = {d.id: d for d in decks}
            decks = [by_id[i] for i in self.deck_ids if i in by_id]
        self.decks = decks
        self.problems = [p for p in problems if p.is_error]

    def deck(self, deck_id: str) -> Deck | None:
        return next((d for d in self.decks if d.id == deck_id), None)

    def reload_decks(self) -> None:
        """Read the deck files again (after an edit); errors are listed, never raised.

        A deck whose file now has errors keeps its last good version, so an
        edit that breaks one file takes no deck away mid-session."""
        from studydeck.deckfile.load import load_decks

        loaded = load_decks(self.config.deck_paths(), cache_dir=paths.cache_dir(self.home))
        broken = {os.path.abspath(p.file) for p in loaded.problems if p.is_error}
        fresh = {d.id for d in loaded.decks}
        kept = [d for d in self.decks if d.id not in fresh and os.path.abspath(d.path) in broken]
        order = {os.path.abspath(name): k for k, name in enumerate(loaded.files)}
        decks = sorted([*loaded.decks, *kept], key=lambda d: order.get(os.path.abspath(d.path), len(order)))
        self._set_decks(decks, loaded.problems)

    def file_problems(self, path: str) -> list[Problem]:
        """The errors found in one deck file at the last load."""
        return [p for p in self.problems if os.path.abspath(p.file) == os.path.abspath(path)]

    # -- navigation --------------------------------------------------------
    def get_default_screen(self) -> Screen:
        from studydeck.tui.screens.home import HomeScreen

        return HomeScreen()

    def open_study(self, decks: Sequence[Deck], session_options: dict | None = None) -> None:
        """Study ``decks``; ``session_options`` (custom study) go to the Session."""
        from studydeck.tui.screens.study import StudyScreen  # deferred: Markdown, scheduler, fsrs

        self.push_screen(StudyScreen(list(decks), session_options))

    def action_browse(self) -> None:
        from studydeck.tui.screens.browse import BrowseScreen

        self.push_screen(BrowseScreen())

    def action_study_all(self) -> None:
        self.open_study(self.decks)

    def action_drills(self) -> None:
        from studydeck.tui.screens.drill import DrillScreen  # deferred: numpy, engine, drills

        self.push_screen(DrillScreen())

    def action_stats(self) -> None:
        from studydeck.tui.screens.stats import StatsScreen

        self.push_screen(StatsScreen())

    def action_lab(self) -> None:
        from studydeck.tui.screens.lab import LabScreen  # deferred: numpy and the engine

        self.push_screen(LabScreen())

    def open_notes(self, deck: Deck) -> None:
        from studydeck.tui.screens.notes import NotesScreen

        self.push_screen(NotesScreen(deck))

    def action_help(self) -> None:
        from studydeck.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_home(self) -> None:
        while len(self.screen_stack) > 1:
            self.pop_screen()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield SystemCommand("Study all due", "Study every due card of every deck", self.action_study_all)
        yield SystemCommand("Drills", "Numeric questions on LSTM and GRU cells", self.action_drills)
        yield SystemCommand("Stats", "Review heatmap, forecast, retention", self.action_stats)
        yield SystemCommand("Lab", "Nudge an LSTM cell; watch gradients vanish", self.action_lab)
        yield SystemCommand("Browse", "Find cards; suspend, bury, flag, forget; study the matches", self.action_browse)
        yield SystemCommand("Home", "Back to the deck list", self.action_home)
        yield SystemCommand("Help", "Every key of every screen", self.action_help)
        yield from super().get_system_commands(screen)

    # -- editing a card ----------------------------------------------------
    def run_editor(self, path: str, line: int) -> int:
        """Open ``path`` at ``line`` in $EDITOR (``+LINE -- /abs/path``), the app suspended
        meanwhile.  An editor that cannot be run is reported in a notification (exit 127)."""
        from studydeck.editor import EditorError, editor_command, run_editor

        try:
            argv = editor_command(path, line, self.editor)
            driver = self._driver
            if driver is not None and driver.can_suspend:
                with self.suspend():
                    return run_editor(argv)
            # No terminal to hand over (headless run): the editor runs detached.
            return run_editor(argv, detached=True)
        except EditorError as exc:
            self.notify(str(exc), severity="error", timeout=8)
            return 127

    def notify(self, message: str, *, title: str = "", severity="information",
               timeout: float | None = None, markup: bool = True) -> None:
        """Textual's notify, never reading markup: studydeck's messages quote deck
        files and errors, where ``[/x]`` is text (as markup it raises MarkupError)."""
        kwargs = {} if timeout is None else {"timeout": timeout}
        super().notify(message, title=title, severity=severity, markup=False, **kwargs)

    def _handle_exception(self, error: Exception) -> None:
        """Keep an unexpected error for :func:`run_app` (which re-raises it, so the CLI
        logs it to a file and exits non-zero) instead of printing a traceback."""
        self.crash = error
        super()._handle_exception(error)
        self._exit_renderables.clear()  # textual 8.2.8 (pinned): the traceback waiting to be printed

    # -- start-up marker ---------------------------------------------------
    def mark_painted(self) -> None:
        target = os.environ.get(PAINTED_ENV)
        if target:
            import time

            # wall clock, then this process's CPU time so far (all threads)
            Path(target).write_text(f"{time.time():.6f} {time.process_time():.6f}\n",
                                    encoding="utf-8")

    def on_unmount(self) -> None:
        if self._collection is not None:
            self._collection.close()
            self._collection = None


def create_app(
    home: str | None = None,
    config: Config | None = None,
    loaded=None,
    deck_ids: Sequence[str] | None = None,
    clock: Callable[[], datetime] | None = None,
    seed: int | None = None,
    *,
    cursor_blink: bool = True,
    editor: str | None = None,
    collection: Collection | None = None,
    study_now: bool = False,
) -> StudyDeckApp:
    """Build the app.

    ``loaded`` is the deck loader's result (``.decks``, ``.problems``); None
    loads the configured folders now.  ``clock`` returns the UTC now (frozen in
    tests), ``seed`` seeds the free drills, ``cursor_blink=False`` stops the
    input cursor blinking (snapshots), ``editor`` replaces $EDITOR, ``study_now``
    opens the study screen on the decks at once (home stays beneath it).
    """
    config = config or Config()
    if loaded is None:
        from studydeck.deckfile.load import load_decks

        loaded = load_decks(config.deck_paths(), cache_dir=paths.cache_dir(home))
    return StudyDeckApp(
        home=home,
        config=config,
        decks=loaded.decks,
        problems=loaded.problems,
        deck_ids=deck_ids,
        clock=clock or _utcnow,
        seed=seed,
        cursor_blink=cursor_blink,
        editor=editor,
        collection=collection,
        study_now=study_now,
    )


def run_app(home: str | None = None, config: Config | None = None, loaded=None,
            deck_ids: Sequence[str] | None = None, study_now: bool = False,
            custom: Callable | None = None) -> int:
    """Run the app in this terminal; the exit code for the CLI.  ``study_now``: open the
    study screen at once; ``custom(collection, now)`` gives custom-study Session options,
    and any but the default open the study screen at once with them."""
    app = create_app(home, config, loaded, deck_ids, study_now=study_now)
    _ = app.collection  # opened (and made) now, so a bad collection file is reported by the CLI
    if custom is not None:
        options = custom(app.collection, app.clock())
        if options != {"extra_new": 0}:
            app.start_study = options
    app.count_after_paint = True  # the home screen is painted first; its numbers follow
    # Decks, cards and Textual's own objects are here for the whole run: leave
    # them out of the cyclic GC's full passes, which otherwise walk every card
    # (tens of ms with 10,000 cards) while the first screen is being built.
    import gc

    gc.freeze()
    result = app.run()
    if app.crash is not None:
        raise app.crash  # the CLI logs it to a file it names, and exits 70
    return 0 if result is None else int(result)

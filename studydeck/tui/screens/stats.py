"""The stats screen: the review heatmap, reviews per day, the due forecast,
true retention and cards by state.  Every number comes from
:mod:`studydeck.study.stats`, the same functions ``studydeck stats`` prints.
"""

from __future__ import annotations

from datetime import timedelta

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Sparkline, Static

from studydeck.study import stats
from studydeck.study.clock import local_date, to_ms
from studydeck.tui.drawing.heatmap import heatmap
from studydeck.words import count

PER_DAY_DAYS = 90
NARROW = 70


class StatsScreen(Screen):
    BINDINGS = [Binding("escape,q", "leave", "home", tooltip="back home")]

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with VerticalScroll(id="stats-body"):
            with Horizontal(id="stats-top"):
                with Vertical(id="heatmap-box"):
                    yield Static("Reviews, last six months", id="heatmap-title", classes="stats-title")
                    yield Static(id="heatmap")
                with Vertical(id="numbers-box"):
                    yield Static("Retention and cards", classes="stats-title")
                    yield Static(id="by-state")
            yield Static(f"Reviews per day, last {PER_DAY_DAYS} days", classes="stats-title")
            yield Sparkline(id="per-day")
            yield Static(id="per-day-note", classes="stats-note")
            yield Static("Cards falling due, next 30 days", classes="stats-title")
            yield Sparkline(id="forecast")
            yield Static(id="forecast-note", classes="stats-note")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Stats"
        app = self.app
        now = app.clock()
        collection = app.collection
        today = local_date(now)
        per_day = stats.reviews_per_day(collection, now - timedelta(days=190), now)
        self._heat = (per_day, today)
        self._draw_heatmap()

        days = [today - timedelta(days=k) for k in range(PER_DAY_DAYS - 1, -1, -1)]
        series = [per_day.get(d, 0) for d in days]
        self.query_one("#per-day", Sparkline).data = series
        active = sum(1 for n in series if n)
        self.query_one("#per-day-note", Static).update(
            f"{days[0]:%d %b} → today · {count(sum(series), 'review')} · {count(active, 'day')} studied · "
            f"{sum(series) / PER_DAY_DAYS:.1f} a day on average · most {max(series)}")

        ahead = stats.forecast(collection, app.decks, now, 30)
        self.query_one("#forecast", Sparkline).data = ahead
        self.query_one("#forecast-note", Static).update(
            f"today {ahead[0]} · tomorrow {ahead[1]} · next 7 days {sum(ahead[:7])} · "
            f"next 30 days {sum(ahead)} · busiest day {max(ahead)}")

        retention, n = stats.true_retention(collection, to_ms(now - timedelta(days=30)))
        counts = stats.deck_counts(collection, app.decks, now)
        self.query_one("#by-state", Static).update(self._numbers(retention, n, counts, per_day, today))

    def _draw_heatmap(self) -> None:
        """As many weeks (up to 26) as the box beside the numbers holds."""
        per_day, today = self._heat
        box = self.query_one("#heatmap-box").size.width or self.app.size.width - 40
        if self.has_class("-narrow"):
            box = self.app.size.width - 2
        weeks = max(8, min(26, (box - 5) // 2))
        title = "Reviews, last six months" if weeks == 26 else f"Reviews, last {weeks} weeks"
        self.query_one("#heatmap-title", Static).update(title)
        self.query_one("#heatmap", Static).update(heatmap(per_day, today, weeks=weeks))

    def on_resize(self, event) -> None:
        self.set_class(event.size.width < NARROW, "-narrow")  # the numbers go below the heatmap
        if hasattr(self, "_heat"):
            self.call_after_refresh(self._draw_heatmap)

    @staticmethod
    def _numbers(retention, n, counts, per_day, today) -> Table:
        table = Table.grid(padding=(0, 1))
        table.add_column(style="bold", no_wrap=True)
        table.add_column(justify="right", no_wrap=True)
        table.add_column(no_wrap=True, overflow="crop")
        ret = "–" if retention is None else f"{retention:.1%}"
        table.add_row("Retention, 30 d", Text(ret, style="bold"))
        table.add_row("  of reviews", str(n))
        table.add_row("Streak", f"{stats.streak(per_day, today)} d")
        total = sum(c.cards for c in counts)
        new = sum(c.new for c in counts)
        learning = sum(c.learning for c in counts)
        review = sum(c.review for c in counts)
        leeches = sum(c.leeches for c in counts)
        due = sum(c.due for c in counts)
        for label, value in (("New", new), ("Learning", learning), ("Review", review),
                             ("Due now", due), ("Leeches", leeches), ("Total cards", total)):
            bar = "█" * (round(10 * value / total) if total else 0)
            table.add_row(label, str(value), Text(bar, style="green"))
        return table

    def action_leave(self) -> None:
        self.app.pop_screen()

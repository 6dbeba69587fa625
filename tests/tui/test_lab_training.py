"""The lab's training view: three runs in worker threads, the plot, stop, task and T keys."""

from __future__ import annotations

from studydeck.tui.widgets.lab_training import TrainingView, loss_plot
from tests.tui.conftest import BASICS, plain

SIZE = (80, 24)


def test_the_plot_draws_each_model_and_the_bound():
    series = {"lstm": [(100, 0.04), (200, 0.001)], "gru": [(150, 0.02)], "rnn": [(200, 0.05)]}
    text = loss_plot(series, bound=0.0016, width=30, height=8).plain
    lines = text.splitlines()
    assert len(lines) == 10
    assert "╌" * 10 in text and "1e-3" in text and "1e-1" in text
    assert text.count("L") == 2 and "G" in text and "R" in text and "training sequences" in text
    rows = {ch: r for r, line in enumerate(lines) for ch in "LR" if ch in line[6:]}
    assert rows["R"] < rows["L"]  # the lower loss sits lower


async def test_x_opens_the_view_and_s_trains_three_models_to_an_outcome(make_app):
    app = make_app(basics=BASICS)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l")
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        view = app.screen.query_one(TrainingView)
        assert app.focused is view
        title = plain(view.query_one("#train-title"), 80)
        assert title.startswith("Adding problem, T = 50 (Exp. 4, §5.4)")
        view.overrides = {"steps": 6, "eval_every": 3, "batch": 4}
        await pilot.press("s")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        status = plain(view.query_one("#train-status"), 80)
        for name in ("LSTM", "GRU", "RNN"):
            assert name in status
        assert status.count("not solved (24 sequences)") == 3
        assert all(len(points) == 2 for points in view.history.values())
        assert "L" in view.query_one("#train-plot").render().plain


async def test_stop_task_and_length_keys(make_app):
    app = make_app(basics=BASICS)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l", "x")
        await pilot.pause()
        view = app.screen.query_one(TrainingView)
        await pilot.press("right_square_bracket")
        assert view.length == 60
        await pilot.press("n")
        await pilot.pause()
        assert view.task == "temporal-order" and view.length == 50
        view.overrides = {"steps": 100_000, "eval_every": 2, "batch": 2}
        await pilot.press("s")
        await pilot.pause(0.5)
        await pilot.press("n")  # ignored while running
        assert view.task == "temporal-order"
        await pilot.press("s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not view.running
        assert set(view.outcome.values()) == {"stopped"}


def test_snapshot_of_the_idle_view_at_80_by_24(snap_compare, make_app):
    assert snap_compare(make_app(basics=BASICS), press=["l", "x"], terminal_size=SIZE)

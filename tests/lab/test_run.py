"""The model's gradients with padding, the training loop, its criterion and its stops."""

import numpy as np
import pytest

from studydeck.lab.batch import Batch
from studydeck.lab.model import SequenceModel
from studydeck.lab.run import Run, Settings, train
from studydeck.lab.tasks import make_task


@pytest.mark.parametrize("kind", ["lstm", "lstm1997", "gru", "rnn"])
@pytest.mark.parametrize("task_name", ["adding", "reber"])
def test_model_gradients_match_finite_differences_with_padding(kind, task_name):
    task = make_task(task_name, 20 if task_name == "adding" else None)
    rng = np.random.default_rng(0)
    task.prepare(rng)
    batch = task.sample(rng, 9)  # N ≥ 8 takes the kernels' concatenated path
    assert len(set(batch.lengths)) > 1
    model = SequenceModel(kind, task.input_size, 3, task.output_size, seed=1, forget_bias=1.0)
    _, d_raw = task.loss(model.forward(batch, task.readout), batch)
    grads = model.backward(d_raw)
    for module, g in zip(model.modules, grads):
        for name in module.parameter_names():
            param = getattr(module, name)
            for idx in [tuple(rng.integers(0, s) for s in param.shape) for _ in range(3)]:
                old = param[idx]
                values = []
                for delta in (1e-6, -1e-6):
                    param[idx] = old + delta
                    values.append(float(task.loss(model.forward(batch, task.readout), batch)[0]))
                param[idx] = old
                numeric = (values[0] - values[1]) / 2e-6
                assert g[name][idx] == pytest.approx(numeric, rel=1e-4, abs=1e-8), (name, idx)


def test_padding_changes_nothing_up_to_each_sequences_end():
    task = make_task("adding", 20)
    batch = task.sample(np.random.default_rng(4), 6)
    model = SequenceModel("lstm", 2, 5, 1, seed=2)
    together = model.forward(batch, "last")
    for k in range(batch.size):
        alone = model.forward(batch.take(np.array([k])), "last")
        np.testing.assert_allclose(alone[0], together[k], rtol=0, atol=1e-13)


def test_the_forget_bias_and_the_1997_cell():
    plain = SequenceModel("lstm", 2, 4, 1, seed=3)
    biased = SequenceModel("lstm", 2, 4, 1, seed=3, forget_bias=3.0)
    delta = biased.layer.bias_ih_l0 - plain.layer.bias_ih_l0
    np.testing.assert_allclose(delta, np.repeat([0.0, 3.0, 0.0, 0.0], 4), atol=1e-15)
    cell = SequenceModel("lstm1997", 2, 4, 1, seed=3, forget_bias=3.0)
    assert cell.layer.weight_ih_l0.shape == (12, 2)  # i, g, o: no forget gate
    assert cell.layer.variant.peepholes == ()


def test_same_seed_same_run_and_other_seed_other_run():
    def losses(seed):
        run = Run(Settings("adding", length=20, batch=4, seed=seed))
        return [run.step() for _ in range(3)]
    assert losses(5) == losses(5)
    assert losses(5) != losses(6)


def test_the_test_set_is_shared_by_all_seeds():
    a, b = Run(Settings("adding", length=20, seed=1)), Run(Settings("adding", length=20, seed=2))
    assert np.array_equal(a.test.x, b.test.x) and a.test.size == 2560


def test_stream_criterion_counts_the_most_recent_correct_sequences(monkeypatch):
    run = Run(Settings("adding", length=20, batch=4, lr=1e-9))
    run.task.window = 10
    patterns = iter([[True, True, False, True], [True] * 4, [True] * 4, [True, True, False, True],
                     [True] * 4, [True] * 4, [True] * 4])
    monkeypatch.setattr(run.task, "correct", lambda outputs, batch: np.array(next(patterns)))
    streaks = []
    for _ in range(7):
        run.step()
        streaks.append(run.streak)
    assert streaks == [1, 5, 9, 1, 5, 9, 13]
    assert run.solved_after == 28  # the step that made the streak reach 10


def test_sets_criterion_needs_every_sequence_of_both_reber_sets(monkeypatch):
    run = Run(Settings("reber", batch=2))
    calls = []

    def judge(batch):
        calls.append(batch.size)
        return 0.5, np.ones(batch.size, bool) if len(calls) > 1 else np.zeros(batch.size, bool)
    monkeypatch.setattr(run, "judge", judge)
    assert not run.evaluate().solved  # the test set fails
    assert run.evaluate().solved and run.solved_after == 0
    assert calls == [256, 256, 256]  # the second time the training set was judged too


def test_train_stops_when_solved_and_reports_it():
    result = train(Settings("long-lag", length=4, steps=400, eval_every=5, seed=0))
    assert result.solved and not result.interrupted
    assert result.solved_after == result.sequences == result.steps * 32
    assert result.evaluations[-1].solved and result.test_wrong == 0
    assert result.evaluations[-1].step == result.steps


def test_should_stop_and_ctrl_c_end_the_run_with_the_result_so_far():
    stopped = train(Settings("adding", length=20, steps=50, batch=2, eval_every=2),
                    should_stop=lambda: True)
    assert stopped.interrupted and stopped.steps == 1 and not stopped.solved

    def interrupt(run):
        if run.steps == 3:
            raise KeyboardInterrupt
    result = train(Settings("adding", length=20, steps=50, batch=2, eval_every=2),
                   on_step=interrupt)
    assert result.interrupted and result.steps == 3 and len(result.evaluations) == 1
    assert result.as_json()["interrupted"] is True


def test_float32_runs_stay_float32():
    run = Run(Settings("temporal-order", length=20, batch=3, dtype="float32"))
    run.step()
    for module in run.model.modules:
        for name in module.parameter_names():
            assert getattr(module, name).dtype == np.float32
    assert all(s["exp_avg"].dtype == np.float32 for s in run.optimizer.state.values())


def test_batch_take_trims_to_the_longest_sequence():
    x = np.zeros((5, 3, 2))
    batch = Batch(x, np.array([5, 2, 3]), np.full((5, 3), -100))
    part = batch.take(np.array([1, 2]))
    assert part.x.shape == (3, 2, 2) and part.target.shape == (3, 2) and part.per_step

"""``studydeck lab train``: JSON lines, the text summary, usage errors, Ctrl-C, imports."""

import json
import subprocess
import sys

from studydeck.cli import main
from studydeck.lab import run as run_module
from studydeck.lab.command import ProgressBar


def test_json_lines_per_evaluation_and_a_final_one(capsys):
    code = main(["lab", "train", "adding", "--length", "20", "--steps", "4", "--eval-every", "2",
                 "--batch", "3", "--json"])
    assert code == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line.get("step") for line in lines[:2]] == [2, 4]
    for line in lines[:2]:
        assert {"step", "train_loss", "test_loss", "test_accuracy", "solved"} <= set(line)
        assert line["solved"] is False and 0 <= line["test_accuracy"] <= 1
    final = lines[2]
    assert final["final"] is True and final["solved"] is False
    assert final["sequences"] == 12 and final["test_size"] == 2560
    assert final["solved_after_sequences"] is None and final["interrupted"] is False


def test_text_output_names_the_task_the_paper_and_the_outcome(capsys):
    code = main(["lab", "train", "long-lag", "--length", "4", "--steps", "400", "--eval-every",
                 "5", "--model", "lstm"])
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("Long time lag without noise, p = 4 (Exp. 2a, §5.2): LSTM")
    assert "solved after" in out and "test set: 0 of 2 wrong" in out
    assert "criterion (paper): on both sequences" in out


def test_a_bad_length_is_a_usage_error(capsys):
    assert main(["lab", "train", "adding", "--length", "5"]) == 2
    err = capsys.readouterr().err
    assert "studydeck lab train: error: --length for adding (T) must be 20 to 100000, got 5" in err
    assert "Traceback" not in err


def test_a_bad_number_is_rejected_by_the_parser(capsys):
    try:
        main(["lab", "train", "adding", "--lr", "-1"])
    except SystemExit as exc:
        assert exc.code == 2
    assert "must be positive" in capsys.readouterr().err


def test_ctrl_c_prints_the_result_so_far_and_exits_130(capsys, monkeypatch):
    original = run_module.Run.step

    def step(self):
        if self.steps == 3:
            raise KeyboardInterrupt
        return original(self)
    monkeypatch.setattr(run_module.Run, "step", step)
    code = main(["lab", "train", "adding", "--length", "20", "--steps", "50", "--eval-every",
                 "2", "--batch", "2"])
    out = capsys.readouterr().out
    assert code == 130
    assert "interrupted: not solved so far (3 steps, 6 sequences" in out
    assert "test set:" in out


def test_the_progress_bar_shows_steps_loss_rate_and_eta():
    bar = ProgressBar(steps=1000, batch=32)
    line = bar.render(250, 0.0123, 10.0)
    assert line.startswith("   250/1,000 [#####...............]")
    assert "loss 0.0123" in line and "800 seq/s" in line and "ETA 0:30" in line
    assert len(line) < 80


def test_the_parser_and_the_lab_command_load_no_numpy():
    code = ("import sys\n"
            "from studydeck.cli import build_parser\n"
            "build_parser().parse_args(['lab', 'train', 'adding'])\n"
            "print('numpy' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"

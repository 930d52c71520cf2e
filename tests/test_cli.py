"""The command line: list, evaluate --json, data, train (runs under --out, resume, refusals, Ctrl-C, threads)."""
import json
import os
import signal
from dataclasses import replace
from functools import partial

import pytest
import torch

from gancourse import pretrained
from gancourse.__main__ import main
from gancourse.training import recipes
from gancourse.training.tasks import JudgeTask


def test_list_shows_recipes_and_shipped(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "judge-digits" in out and "judge-faces" in out


def test_evaluate_json_prints_scores(capsys):
    assert main(["evaluate", "judge-digits", "--json"]) == 0
    scores = json.loads(capsys.readouterr().out)
    assert scores["held_out_accuracy"] >= 0.98


def test_unknown_names_are_clear_errors(capsys):
    assert main(["evaluate", "nope"]) == 2
    assert "No recipe named 'nope'" in capsys.readouterr().err
    assert main(["data", "nope"]) == 2
    assert "Datasets:" in capsys.readouterr().err


def test_data_describes_offline_datasets(capsys):
    assert main(["data", "digits"]) == 0
    assert "nothing to fetch" in capsys.readouterr().out


@pytest.mark.parametrize("command", ["list", "train", "evaluate", "data"])
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as e:
        main([command, "--help"])
    assert e.value.code == 0 and "usage" in capsys.readouterr().out


def test_list_keeps_long_names_in_their_column(capsys):
    main(["list"])
    lines = capsys.readouterr().out.splitlines()
    column = lines[0].index("shipped")
    assert all(line[column - 2:column] == "  " for line in lines[1:])  # every name ends before the next column


def test_train_writes_card_and_weights_and_keeps_its_run_under_out(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["train", "judge-digits", "--steps", "3", "--out", str(tmp_path / "w")]) == 0
    card = json.loads((tmp_path / "w" / "judge-digits.json").read_text())
    assert card["steps"] == 3 and card["command"] == f"python -m gancourse train judge-digits --steps 3 --out {tmp_path / 'w'}"
    assert card["threads"] == recipes.recipe("judge-digits").threads and card["torch"] == torch.__version__
    assert card["cpu"] == torch.backends.cpu.get_cpu_capability()
    assert (tmp_path / "w" / "judge-digits.run" / "checkpoint.pt").exists() and not (tmp_path / "runs").exists()


# ---- a tiny recipe, so runs take a second -----------------------------------------------------------------------

def tiny_scores(judge) -> dict:
    return {"noise": torch.rand(1).item(), "weight_sum": sum(p.sum().item() for p in judge.parameters())}


class ThreadCounting(JudgeTask):
    """JudgeTask that records how many CPU threads torch had in each step, and presses Ctrl-C at step `ctrl_c`."""
    threads_seen: list = []

    def __init__(self, judge, *, steps, ctrl_c=0):
        super().__init__(judge, steps=steps)
        self.calls, self.ctrl_c = 0, ctrl_c

    def step(self, images, targets):
        self.calls += 1
        ThreadCounting.threads_seen.append(torch.get_num_threads())
        if self.calls == self.ctrl_c:
            os.kill(os.getpid(), signal.SIGINT)
        return super().step(images, targets)


@pytest.fixture
def tiny(monkeypatch, tmp_path):
    """Registers recipe "tiny" (a 4-wide digit judge, 12 steps of 16, one thread); returns a runner and the folder."""
    monkeypatch.chdir(tmp_path)
    r = recipes.Recipe(name="tiny", model="DigitJudge", config={"width": 4, "feature_dim": 8}, data="digits",
                       task=partial(ThreadCounting), evaluate=tiny_scores, steps=12, batch_size=16, threads=1)
    monkeypatch.setitem(recipes.RECIPES, "tiny", r)
    ThreadCounting.threads_seen = []

    def use(**changes):
        monkeypatch.setitem(recipes.RECIPES, "tiny", replace(r, **changes))
    return use, tmp_path


def weights(folder):
    return (folder / "tiny.safetensors").read_bytes()


def test_two_outs_are_two_runs(tiny, capsys):
    _, tmp = tiny
    assert main(["train", "tiny", "--out", "a"]) == 0
    first = weights(tmp / "a")
    assert main(["train", "tiny", "--out", "b"]) == 0
    assert weights(tmp / "a") == first  # untouched by the second run
    assert weights(tmp / "b") == first  # which trained all its steps itself, with the same result
    assert len(ThreadCounting.threads_seen) == 24


def test_a_rerun_with_other_steps_is_refused_naming_fresh(tiny, capsys):
    _, tmp = tiny
    assert main(["train", "tiny", "--out", "a"]) == 0
    finished = weights(tmp / "a")
    for steps in ("8", "20"):
        assert main(["train", "tiny", "--out", "a", "--steps", steps]) == 2
        err = capsys.readouterr().err
        assert f"steps: 12 then, {steps} now" in err and "--fresh" in err
    assert weights(tmp / "a") == finished and json.loads((tmp / "a" / "tiny.json").read_text())["steps"] == 12
    assert main(["train", "tiny", "--out", "a", "--steps", "8", "--fresh"]) == 0
    assert json.loads((tmp / "a" / "tiny.json").read_text())["steps"] == 8


def test_a_changed_recipe_is_refused_too(tiny, capsys):
    use, _ = tiny
    assert main(["train", "tiny", "--out", "a", "--steps", "3"]) == 0
    use(config={"width": 6, "feature_dim": 8})
    assert main(["train", "tiny", "--out", "a", "--steps", "3"]) == 2
    assert "'width': 4" in capsys.readouterr().err


@pytest.mark.parametrize("steps", ["0", "-5"])
def test_steps_below_one_are_refused(tiny, capsys, steps):
    _, tmp = tiny
    assert main(["train", "tiny", "--steps", steps, "--out", "a"]) == 2
    assert "steps must be a whole number of at least 1" in capsys.readouterr().err
    assert not (tmp / "a" / "tiny.safetensors").exists()


def test_ctrl_c_saves_says_how_to_resume_and_the_rerun_gives_the_same_weights(tiny, capsys):
    use, tmp = tiny
    assert main(["train", "tiny", "--out", "straight"]) == 0
    use(task=partial(ThreadCounting, ctrl_c=5))
    assert main(["train", "tiny", "--out", "stopped"]) == 130
    err = capsys.readouterr().err
    assert "interrupted at step 5; rerun the same command to resume" in err and "Traceback" not in err
    assert not (tmp / "stopped" / "tiny.safetensors").exists()
    use(task=partial(ThreadCounting))
    assert main(["train", "tiny", "--out", "stopped"]) == 0
    assert weights(tmp / "stopped") == weights(tmp / "straight")


def test_train_uses_the_recipes_threads_unless_told(tiny):
    use, tmp = tiny
    before = torch.get_num_threads()
    assert main(["train", "tiny", "--out", "a", "--steps", "2"]) == 0
    assert main(["train", "tiny", "--out", "b", "--steps", "2", "--threads", "2"]) == 0
    assert ThreadCounting.threads_seen == [1, 1, 2, 2] and torch.get_num_threads() == before
    card = json.loads((tmp / "b" / "tiny.json").read_text())
    assert card["threads"] == 2 and card["command"] == "python -m gancourse train tiny --steps 2 --threads 2 --out b"


def test_the_cards_command_gives_the_cards_weights_and_scores(tiny):
    _, tmp = tiny
    assert main(["train", "tiny", "--out", "a"]) == 0
    card = pretrained.card("tiny", tmp / "a")
    assert card.command == "python -m gancourse train tiny --out a"
    finished = weights(tmp / "a")
    assert main(card.command.split()[3:]) == 0  # the same command again: the run is finished, the weights stay
    assert weights(tmp / "a") == finished
    assert main(["train", "tiny", "--out", "b"]) == 0
    again = pretrained.card("tiny", tmp / "b")
    assert again.sha256 == card.sha256 and again.scores == card.scores  # scores: seeded, though they draw noise



def test_a_run_whose_config_holds_a_tuple_resumes(tmp_path):
    """run.json stores tuples (e.g. PixelCNN's dilations) as lists: the same settings must still match."""
    from gancourse.training.run import RunMismatch, start_or_resume
    settings = {"recipe": "tiny", "config": {"dilations": (1, 2, 1)}, "steps": 12}
    start_or_resume(tmp_path / "tiny.run", settings, "python -m gancourse train tiny")
    start_or_resume(tmp_path / "tiny.run", settings, "python -m gancourse train tiny")  # resumes: no RunMismatch
    with pytest.raises(RunMismatch, match="dilations"):
        start_or_resume(tmp_path / "tiny.run", {**settings, "config": {"dilations": (1, 2)}}, "retry")

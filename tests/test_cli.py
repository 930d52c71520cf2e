"""The command line: list, evaluate --json, data, train, and its errors."""
import json

import pytest

from gancourse.__main__ import main


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


def test_train_writes_card_and_weights(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["train", "judge-digits", "--steps", "3", "--out", str(tmp_path / "w")]) == 0
    card = json.loads((tmp_path / "w" / "judge-digits.json").read_text())
    assert card["steps"] == 3 and card["command"] == f"python -m gancourse train judge-digits --steps 3 --out {tmp_path / 'w'}"
    assert (tmp_path / "runs" / "judge-digits" / "checkpoint.pt").exists()

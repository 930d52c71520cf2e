"""Shipped checkpoints: round trip, verification, and one clear error for each kind of damage."""
import json
import shutil
from dataclasses import asdict

import pytest
import torch

from gancourse import pretrained
from gancourse.models import DigitJudge, FaceJudge, build_model
from gancourse.pretrained import CheckpointError, ModelCard
from gancourse.training.recipes import recipe


def model_config(kind: str, config: dict):
    """The full config a plain dict builds, defaults filled in: compares a card's config with a recipe's."""
    return build_model(kind, config).config


@pytest.fixture
def saved(tmp_path):
    torch.manual_seed(0)
    model = DigitJudge()
    card = ModelCard(name="tiny", model="DigitJudge", config={"in_channels": 1, "n_classes": 10, "width": 16,
                                                               "feature_dim": 128},
                     dataset="none", steps=0, command="python -m gancourse train tiny --out X")
    pretrained.save(model, card, tmp_path)
    return tmp_path, model


def test_round_trip_gives_same_outputs_in_eval_mode(saved):
    folder, model = saved
    loaded = pretrained.load("tiny", directory=folder, device="cpu")
    x = torch.randn(4, 1, 32, 32)
    assert not loaded.training
    assert torch.equal(loaded(x), model.eval()(x))
    assert loaded.card.sha256 == pretrained.card("tiny", folder).sha256


def test_unknown_name_lists_the_available_ones(saved):
    with pytest.raises(KeyError, match="tiny"):
        pretrained.load("nope", directory=saved[0])


def test_html_page_saved_as_weights_is_named_as_such(saved):
    folder, _ = saved
    (folder / "tiny.safetensors").write_text("<!DOCTYPE html><html><body>Google Drive - quota exceeded</body></html>")
    with pytest.raises(CheckpointError, match=r"HTML page.*python -m gancourse train tiny"):
        pretrained.load("tiny", directory=folder)


def test_truncated_file(saved):
    folder, _ = saved
    path = folder / "tiny.safetensors"
    path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(CheckpointError, match=r"truncated.*tiny.safetensors|tiny.safetensors.*truncated"):
        pretrained.load("tiny", directory=folder)


def test_flipped_byte_fails_the_hash_check(saved):
    folder, _ = saved
    path = folder / "tiny.safetensors"
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match="sha256"):
        pretrained.load("tiny", directory=folder)


def test_missing_weights_file_names_the_command(saved):
    folder, _ = saved
    (folder / "tiny.safetensors").unlink()
    with pytest.raises(CheckpointError, match=r"missing.*python -m gancourse train tiny"):
        pretrained.load("tiny", directory=folder)


def test_config_that_does_not_fit_the_weights_gives_the_whole_detail(saved):
    folder, _ = saved
    card = json.loads((folder / "tiny.json").read_text())
    card["config"]["width"] = 8
    (folder / "tiny.json").write_text(json.dumps(card))
    with pytest.raises(CheckpointError, match=r"does not fit.*size mismatch for trunk\.stages\.0\.0\.weight.*"
                                              r"torch.Size\(\[16, 1, 3, 3\]\).*torch.Size\(\[8, 1, 3, 3\]\)"):
        pretrained.load("tiny", directory=folder)


@pytest.mark.parametrize("pickled", [lambda path: torch.save({"x": torch.zeros(1)}, path),
                                     lambda path: torch.save({"x": torch.zeros(1)}, path,
                                                             _use_new_zipfile_serialization=False)],
                         ids=["zip", "legacy"])
def test_pickle_is_never_loaded_and_named_as_such(saved, pickled):
    folder, _ = saved
    pickled(folder / "tiny.safetensors")  # a pickle-based file under the weights' name
    with pytest.raises(CheckpointError, match=r"tiny.safetensors is a pickle file.*not a safetensors file.*"
                                              r"python -m gancourse train tiny"):
        pretrained.load("tiny", directory=folder)


def edit_card(folder, **changes):
    card = json.loads((folder / "tiny.json").read_text())
    for key, value in changes.items():
        if key == "config" and isinstance(value, dict):
            card["config"].update(value)
        else:
            card[key] = value
    (folder / "tiny.json").write_text(json.dumps(card))


@pytest.mark.parametrize("changes, cause", [
    ({"config": {"width": "sixteen"}}, "width"),
    ({"config": {"width": -3}}, "width"),
    ({"config": {"depth": 3}}, "unknown fields"),
    ({"model": "Nope"}, "Unknown model class 'Nope'"),
    ({"colour": "blue"}, r"unknown fields \['colour'\]"),
    ({"config": "width 16"}, "config must be a dict"),
    ({"name": "other"}, "named 'other' but stored as tiny.json"),
])
def test_a_bad_card_is_one_checkpoint_error_naming_the_file_the_cause_and_the_fix(saved, changes, cause):
    folder, _ = saved
    edit_card(folder, **changes)
    with pytest.raises(CheckpointError, match=rf"tiny.json.*{cause}.*python -m gancourse train tiny"):
        pretrained.load("tiny", directory=folder)


def test_a_card_that_is_not_utf8_or_not_json_or_a_directory(saved):
    folder, _ = saved
    (folder / "tiny.json").write_bytes(b"\xff\xfe{ not text")
    with pytest.raises(CheckpointError, match=r"tiny.json.*not UTF-8.*python -m gancourse train tiny"):
        pretrained.load("tiny", directory=folder)
    (folder / "tiny.json").write_text("{ not json")
    with pytest.raises(CheckpointError, match=r"tiny.json.*not JSON"):
        pretrained.load("tiny", directory=folder)
    (folder / "tiny.json").unlink()
    (folder / "tiny.json").mkdir()
    with pytest.raises(CheckpointError, match=r"tiny.json.*a directory"):
        pretrained.load("tiny", directory=folder)


@pytest.mark.parametrize("name", ["../weights/judge-digits", "/etc/passwd", "judge-digits.json", "", None, 3])
def test_only_registered_names_are_loaded(name):
    with pytest.raises(KeyError, match="No shipped checkpoint named.*Available: .*judge-digits"):
        pretrained.load(name)


def test_a_path_outside_the_folder_is_refused_even_when_a_card_is_there(saved, tmp_path):
    folder, _ = saved
    escaped = f"../{folder.name}/tiny"
    (folder / "sub").mkdir()
    with pytest.raises(KeyError, match="No shipped checkpoint named"):
        pretrained.load(escaped, directory=folder / "sub")


class Killed(BaseException):
    """The process died here."""


@pytest.mark.parametrize("renames_before_kill", [0, 1, 2])
def test_a_kill_during_save_leaves_a_loadable_pair(saved, monkeypatch, renames_before_kill):
    """save renames three times (the new weights in, the card: the commit, the weights into place); killed before
    any of them, the old model loads; killed after the card, the new one does."""
    folder, old = saved
    torch.manual_seed(1)
    new = DigitJudge()
    renames = []

    def replace(src, dst):
        if len(renames) == renames_before_kill:
            raise Killed
        renames.append(dst)
        real_replace(src, dst)

    real_replace = pretrained.os.replace
    monkeypatch.setattr(pretrained.os, "replace", replace)
    card = pretrained.card("tiny", folder)
    with pytest.raises(Killed):
        pretrained.save(new, card, folder)
    monkeypatch.setattr(pretrained.os, "replace", real_replace)
    x = torch.randn(4, 1, 32, 32)
    loaded = pretrained.load("tiny", directory=folder, device="cpu")
    expected = new if renames_before_kill == 2 else old
    assert torch.equal(loaded(x), expected.eval()(x))
    if renames_before_kill == 2:  # the load finished the save: the new weights are in place
        assert not (folder / "tiny.safetensors.new").exists()
        assert pretrained.sha256_of((folder / "tiny.safetensors").read_bytes()) == pretrained.card("tiny", folder).sha256


def test_card_records_torch_and_threads_fields_round_trip(saved):
    folder, _ = saved
    card = pretrained.card("tiny", folder)
    card.threads, card.torch = 1, torch.__version__
    pretrained.save(DigitJudge(), card, folder)
    again = pretrained.card("tiny", folder)
    assert again.threads == 1 and again.torch == torch.__version__


def test_build_model_rejects_unknown_fields_and_classes():
    with pytest.raises(ValueError, match="unknown fields"):
        build_model("DigitJudge", {"depth": 3})
    with pytest.raises(KeyError, match="Unknown model class"):
        build_model("Nope", {})


@pytest.mark.parametrize("name", pretrained.available())
def test_every_shipped_checkpoint_loads_and_records_how_it_was_made(name):
    card = pretrained.card(name)
    assert card.command.startswith(f"python -m gancourse train {name}")
    assert card.scores and card.steps > 0 and len(card.sha256) == 64
    model = pretrained.load(name, device="cpu")
    assert not model.training


@pytest.mark.parametrize("name", pretrained.available())
def test_every_shipped_checkpoint_matches_its_recipe(name):
    """Its recipe still builds the model it holds, for as many steps: a changed recipe means a retrain."""
    card, r = pretrained.card(name), recipe(name)
    assert card.model == r.model and card.steps == r.steps
    assert model_config(card.model, card.config) == model_config(r.model, r.config), f"retrain {name}: {card.command}"
    # the command repeats the weights only with the same threads, torch and kernels: the card must say which
    assert card.threads == r.threads and card.torch and card.cpu, f"retrain {name} to record them: {card.command}"


@pytest.mark.parametrize("name", [n for n in pretrained.available() if "judge" not in n])
def test_every_generator_with_a_judge_is_scored_on_sample_quality(name):
    """Digits and faces have a judge, so their generators' cards hold precision, recall, density and coverage next to
    the Fréchet distance (sprites have no judge: their models are scored on disentanglement only)."""
    scores = pretrained.card(name).scores
    if recipe(name).data.endswith(("digits", "faces")):
        assert {"fd_ratio", "precision", "recall", "density", "coverage"} <= set(scores), f"retrain {name}"
    else:
        assert recipe(name).data == "sprites"


def test_judges_ship():
    assert {"judge-digits", "judge-faces"} <= set(pretrained.available())
    assert isinstance(pretrained.load("judge-faces", device="cpu"), FaceJudge)


def test_a_header_length_whose_first_byte_looks_like_pickle_still_loads(tmp_path):
    """The first byte of a safetensors file is its header length's low byte: 0x80 there is not a pickle."""
    from safetensors.torch import save as save_safetensors

    model = DigitJudge()
    state = {k: v.contiguous() for k, v in model.state_dict().items()}
    data = next(d for pad in range(300)
                if (d := save_safetensors(state, metadata={"pad": "x" * pad}))[:1] == b"\x80")
    (tmp_path / "tiny.safetensors").write_bytes(data)
    card = ModelCard(name="tiny", model="DigitJudge", config={}, dataset="none", steps=1, command="c",
                     sha256=pretrained.sha256_of(data))
    (tmp_path / "tiny.json").write_text(json.dumps(asdict(card)))
    assert isinstance(pretrained.load("tiny", directory=tmp_path, device="cpu"), DigitJudge)


def test_seed_runs_read_the_benchmarks_file_wherever_the_notebook_runs(tmp_path, monkeypatch):
    path = tmp_path / "seeds.json"
    path.write_text(json.dumps({"tiny": {"date": "2026-12-06", "runs": {"0": {"precision": 0.5}, "1": {"precision": 0.7}}}}))
    monkeypatch.chdir(tmp_path)  # what the kernel runs in does not matter: the default path is absolute
    assert pretrained.seed_runs("tiny", path) == {"0": {"precision": 0.5}, "1": {"precision": 0.7}}
    assert pretrained.seed_runs("unmeasured", path) == {}
    assert pretrained.seed_runs("tiny", tmp_path / "absent.json") == {}
    assert pretrained.SEEDS_FILE.is_absolute() and pretrained.SEEDS_FILE.name == "seeds.json"

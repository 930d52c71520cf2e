"""Shipped checkpoints: round trip, verification, and one clear error for each kind of damage."""
import json
import shutil

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


def test_config_that_does_not_fit_the_weights(saved):
    folder, _ = saved
    card = json.loads((folder / "tiny.json").read_text())
    card["config"]["width"] = 8
    (folder / "tiny.json").write_text(json.dumps(card))
    with pytest.raises(CheckpointError, match="does not fit"):
        pretrained.load("tiny", directory=folder)


def test_pickle_is_never_loaded(saved, tmp_path):
    folder, _ = saved
    torch.save({"x": torch.zeros(1)}, folder / "tiny.safetensors")  # a pickle-based file under the weights' name
    with pytest.raises(CheckpointError):
        pretrained.load("tiny", directory=folder)


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


def test_judges_ship():
    assert {"judge-digits", "judge-faces"} <= set(pretrained.available())
    assert isinstance(pretrained.load("judge-faces", device="cpu"), FaceJudge)

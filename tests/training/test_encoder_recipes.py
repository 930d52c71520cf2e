"""The recipes that score encoders and code indices on sprites and faces (VAE, InfoGAN)."""
import numpy as np
import pytest
import torch

from gancourse.data import faces, sprites
from gancourse.models import build_model
from gancourse.models.infogan import InfoGAN, InfoGANConfig
from gancourse.training.recipes import RECIPES
from gancourse.training.splits import TRAINING_SETS, training_set
from gancourse.training.scoring import (FACTOR_VAE_BINS, encoder_scores, face_interventions, factor_values,
                                        intervention_start)


def test_factor_values_bins_continuous_face_factors_and_keeps_the_rest():
    data = faces(200, seed=3)
    binned = factor_values(data)
    for j, f in enumerate(data.factors):
        column, raw = binned[:, j], data.targets[:, j].numpy()
        if f.kind == "continuous":
            assert set(np.unique(column)) <= set(range(FACTOR_VAE_BINS))
            assert np.array_equal(column, np.minimum(np.floor(raw * FACTOR_VAE_BINS), FACTOR_VAE_BINS - 1))
        else:
            assert np.array_equal(column, raw)
    shapes = sprites(50, seed=3)
    assert np.array_equal(factor_values(shapes), shapes.targets.numpy())


def test_intervention_start_of_an_infogan_steps_its_continuous_codes_over_their_range():
    model = InfoGAN(InfoGANConfig(z_dim=5, n_categories=3, n_continuous=2, channels=3, width=4)).eval()
    v, indices, steps = intervention_start(model, n=7)
    assert v.shape == (7, 10) and indices == [8, 9] and steps == [2.0, 2.0]
    assert torch.equal(v[:, 8:], torch.full((7, 2), -1.0))  # from -1, one step of 2 reaches +1
    assert torch.equal(v[:, 5:8].sum(1), torch.ones(7))  # a one-hot category each


def test_face_interventions_read_an_infogan_on_its_codes():
    torch.manual_seed(0)
    model = InfoGAN(InfoGANConfig(z_dim=5, n_categories=0, n_continuous=3, channels=3, width=4)).eval()
    report = face_interventions(model)
    assert report["matrix"].shape == (3, 6) and len(report["targets"]) == 3 and np.isfinite(report["score"])


@pytest.mark.parametrize("name", ["vae-faces", "infogan-faces"])
def test_face_encoder_recipes_build_colour_models(name):
    r = RECIPES[name]
    model = build_model(r.model, r.config)
    assert model.config.channels == 3 and r.training_data().images.shape[1:] == (3, 32, 32)
    assert r.task(model, steps=r.steps).modules


def test_an_unknown_dataset_is_named_with_the_choices():
    with pytest.raises(ValueError, match="one of sprites, faces, got 'mnist'"):
        encoder_scores(lambda x: x.flatten(1)[:, :3], "mnist")
    with pytest.raises(ValueError, match="no training set named 'mnist'; the sets are digits, faces"):
        training_set("mnist")


@pytest.mark.parametrize("n", [999, 2.5, True, "2000"])
def test_encoder_scores_needs_a_whole_number_of_images(n):
    with pytest.raises(ValueError, match="n must be an int of at least 1000"):
        encoder_scores(lambda x: x.flatten(1)[:, :3], "sprites", n=n)


def test_every_recipe_trains_on_a_named_set():
    assert all(r.data in TRAINING_SETS for r in RECIPES.values())

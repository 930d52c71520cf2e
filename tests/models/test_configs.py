"""Every model's config: frozen, never shared through a default argument, checked field by field when made."""
import dataclasses
import json

import numpy as np
import pytest
import torch

from gancourse.models import build_model
from gancourse.models.cgan import GAN, Discriminator, GANConfig, Generator
from gancourse.models.infogan import DiscriminatorQ, InfoGAN, InfoGANConfig
from gancourse.models.judges import DigitJudge, DigitJudgeConfig, FaceJudge, FaceJudgeConfig
from gancourse.models.vae import VAE, VAEConfig

# each model, its config class, and a small config (so building stays fast)
MODELS = [
    (DigitJudge, DigitJudgeConfig, dict(width=4, feature_dim=8)),
    (FaceJudge, FaceJudgeConfig, dict(width=4, feature_dim=8)),
    (GAN, GANConfig, dict(z_dim=4, width=4)),
    (Generator, GANConfig, dict(z_dim=4, width=4)),
    (Discriminator, GANConfig, dict(z_dim=4, width=4)),
    (InfoGAN, InfoGANConfig, dict(z_dim=4, width=4, q_hidden=8)),
    (DiscriminatorQ, InfoGANConfig, dict(z_dim=4, width=4, q_hidden=8)),
    (VAE, VAEConfig, dict(latent_dim=3, width=4)),
]
IDS = [model.__name__ for model, _, _ in MODELS]


@pytest.mark.parametrize("model, config_class, small", MODELS, ids=IDS)
def test_configs_are_frozen(model, config_class, small):
    config = config_class(**small)
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.width = 99
    assert dataclasses.replace(config, width=8).width == 8  # the way to change one field: a new config


@pytest.mark.parametrize("model, config_class, small", MODELS, ids=IDS)
def test_a_default_config_is_never_shared(model, config_class, small):
    first = model()
    assert first.config == config_class()
    with pytest.raises(dataclasses.FrozenInstanceError):  # the user's report: a.config.width = 99; DigitJudge()
        first.config.width = 99
    assert model().config.width == config_class().width
    assert model(None).config == config_class()


@pytest.mark.parametrize("model, config_class, small", MODELS, ids=IDS)
def test_a_config_of_the_wrong_kind_is_refused(model, config_class, small):
    with pytest.raises(TypeError, match=f"takes a {config_class.__name__}.*got dict"):
        model(dict(small))


@pytest.mark.parametrize("model, config_class, small", MODELS, ids=IDS)
@pytest.mark.parametrize("width", ["sixteen", -3, 0, 2.5, True, None])
def test_a_bad_width_is_named(model, config_class, small, width):
    with pytest.raises(ValueError, match=f"{config_class.__name__}.width must be a positive int, got {width!r}"):
        config_class(width=width)


@pytest.mark.parametrize("model, config_class, small", MODELS, ids=IDS)
def test_numpy_integers_are_stored_as_ints(model, config_class, small):
    config = config_class(**{name: np.int64(value) for name, value in small.items()})
    assert config == config_class(**small) and all(type(getattr(config, name)) is int for name in small)
    json.dumps(dataclasses.asdict(config))  # a model card can hold it
    model(config)


@pytest.mark.parametrize("config_class, field, value, match", [
    (DigitJudgeConfig, "n_classes", 1, "n_classes must be an int >= 2"),
    (DigitJudgeConfig, "in_channels", "1", "in_channels must be a positive int"),
    (DigitJudgeConfig, "feature_dim", -1, "feature_dim must be a positive int"),
    (FaceJudgeConfig, "factor_names", "smile", "factor_names must be a tuple of factor names"),
    (FaceJudgeConfig, "factor_names", (), "must name at least one factor"),
    (FaceJudgeConfig, "factor_names", ("smile", "smile"), "each once"),
    (FaceJudgeConfig, "binary", ("glasses", "nose"), r"binary names \['nose'\]"),
    (FaceJudgeConfig, "in_channels", 0, "in_channels must be a positive int"),
    (GANConfig, "n_classes", np.int64(-1), "n_classes must be an int >= 0"),
    (GANConfig, "z_dim", True, "z_dim must be a positive int"),
    (GANConfig, "full_res", np.bool_(True), "full_res must be True or False"),
    (InfoGANConfig, "n_continuous", 1.0, "n_continuous must be an int >= 0"),
    (VAEConfig, "beta", float("nan"), "beta must be a finite positive number"),
    (VAEConfig, "beta", "4", "beta must be a finite positive number"),
    (VAEConfig, "latent_dim", np.float64(3), "latent_dim must be a positive int"),
])
def test_bad_fields_are_named(config_class, field, value, match):
    with pytest.raises(ValueError, match=match):
        config_class(**{field: value})


def test_judge_factor_lists_become_tuples_and_numbers_keep_their_type():
    config = FaceJudgeConfig(factor_names=["a", "b"], binary=["b"])
    assert config.factor_names == ("a", "b") and config.binary == ("b",) and hash(config)
    assert FaceJudge(config).factor_names == ("a", "b")
    assert type(VAEConfig(beta=np.float32(4)).beta) is float and type(VAEConfig(beta=4).beta) is int


def test_build_model_from_a_card_gives_a_frozen_config():
    judge = build_model("FaceJudge", json.loads(json.dumps(dataclasses.asdict(FaceJudgeConfig(width=4)))))
    assert judge.config == FaceJudgeConfig(width=4)
    with pytest.raises(dataclasses.FrozenInstanceError):
        judge.config.width = 8


def test_infogan_builds_its_generator_from_its_own_config():
    model = InfoGAN(InfoGANConfig(z_dim=4, n_categories=3, n_continuous=2, width=4, q_hidden=8))
    assert model.generator.config.z_dim == 4 + 3 + 2 and model.generator.config.n_classes == 0
    assert model.sample(2, generator=torch.Generator().manual_seed(0)).shape == (2, 1, 32, 32)


@pytest.mark.parametrize("model", [GAN(GANConfig(z_dim=4, width=4)), InfoGAN(InfoGANConfig(z_dim=4, width=4, q_hidden=8)),
                                   VAE(VAEConfig(latent_dim=3, width=4))], ids=["GAN", "InfoGAN", "VAE"])
def test_sample_counts_are_ints(model):
    model.eval()
    assert model.sample(np.int64(2), generator=torch.Generator().manual_seed(0)).shape == (2, 1, 32, 32)
    for n, error in ((True, TypeError), (2.0, TypeError), (0, ValueError)):
        with pytest.raises(error, match="n must be an int >= 1"):
            model.sample(n)

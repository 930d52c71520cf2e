"""InfoGAN: shapes, the codes' layout in the generator's input, Q's read-back, and clear errors."""
import pytest
import torch

from gancourse.models import InfoGAN, build_model
from gancourse.models.infogan import InfoGANConfig


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    return InfoGAN(InfoGANConfig(z_dim=8, n_categories=10, n_continuous=2, width=8)).eval()


def test_generate_and_infer_shapes(model):
    z, categories, continuous = model.sample_codes(5, torch.Generator().manual_seed(0))
    assert z.shape == (5, 8) and categories.shape == (5,) and continuous.shape == (5, 2)
    assert 0 <= categories.min() and categories.max() < 10 and continuous.abs().max() <= 1
    images = model.generate(z, categories, continuous)
    assert images.shape == (5, 1, 32, 32) and images.abs().max() <= 1
    logits, means = model.infer(images)
    assert logits.shape == (5, 10) and means.shape == (5, 2)
    codes = model.encode(images)
    assert codes.shape == (5, 3) and torch.equal(codes[:, 0], logits.argmax(1).float())


def test_the_whole_input_is_noise_then_one_hot_then_continuous(model):
    z, categories, continuous = model.sample_codes(3, torch.Generator().manual_seed(1))
    v = torch.cat([z, torch.nn.functional.one_hot(categories, 10).float(), continuous], dim=1)
    assert model.input_dim == 20
    assert torch.equal(model.generate_from_codes(v), model.generate(z, categories, continuous))


def test_the_category_changes_the_image(model):
    z, _, continuous = model.sample_codes(1, torch.Generator().manual_seed(2))
    a, b = model.generate(z, torch.tensor([0]), continuous), model.generate(z, torch.tensor([1]), continuous)
    assert not torch.allclose(a, b)


@pytest.mark.parametrize("full_res", [False, True])
def test_continuous_only_model_encodes_its_means(full_res):
    config = {"z_dim": 4, "n_categories": 0, "n_continuous": 3, "width": 4, "full_res": full_res}
    model = build_model("InfoGAN", config).eval()
    images = model.sample(4, generator=torch.Generator().manual_seed(0))
    assert images.shape == (4, 1, 32, 32) and model.encode(images).shape == (4, 3)
    # full_res: the generator draws from 3x3 at 32x32 and the shared trunk looks with one first (nn/dcgan.py)
    assert isinstance(model.discriminator.trunk[0], torch.nn.Conv2d) == full_res
    assert model.generator.config.full_res == full_res


@pytest.mark.parametrize("config, match", [
    ({"n_categories": 1}, "at least 2"), ({"n_categories": 0, "n_continuous": 0}, "at least one code"),
    ({"z_dim": 0}, "z_dim must be a positive int"), ({"n_continuous": -1}, "n_continuous must be an int >= 0"),
    ({"full_res": "yes"}, "full_res must be True or False"),
])
def test_bad_configs_are_explained(config, match):
    with pytest.raises(ValueError, match=match):
        InfoGANConfig(**config)


def test_bad_codes_are_explained(model):
    z, categories, continuous = model.sample_codes(2)
    with pytest.raises(ValueError, match="z must be noise of shape"):
        model.generate(z[:, :3], categories, continuous)
    with pytest.raises(ValueError, match="categories must be 2 class indices"):
        model.generate(z, None, continuous)
    with pytest.raises(ValueError, match="continuous must be codes of shape"):
        model.generate(z, categories, continuous[:, :1])
    with pytest.raises(ValueError, match="labels must lie in"):
        model.generate(z, torch.tensor([0, 10]), continuous)

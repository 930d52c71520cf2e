"""The style-based generator: shapes, where each w and noise map goes, mixing, truncation, and its config."""
import dataclasses
import json

import numpy as np
import pytest
import torch

from gancourse.models import MODELS, build_model
from gancourse.models.stylegan import StyleGAN, StyleGANConfig, mixed_ws
from gancourse.nn.style import EqualizedLinear, PixelNorm

SMALL = dict(z_dim=8, w_dim=8, widths=(8, 8, 4, 4), d_width=4)


def small(**changes) -> StyleGAN:
    torch.manual_seed(0)
    model = StyleGAN(StyleGANConfig(**{**SMALL, **changes})).eval()
    with torch.no_grad():  # trained models have noise: give every layer some, so the noise modes differ
        for block in model.average.synthesis.blocks:
            block.inject_noise.weight.fill_(0.5)
        model.average.w_avg.normal_()
    return model


def test_shapes_and_layout():
    model = small()
    z = torch.randn(3, 8)
    assert model.mapping(z).shape == (3, 8)
    images = model.generate(z)
    assert images.shape == (3, 3, 32, 32) and images.abs().max() <= 1
    assert model.n_ws == 8
    layout = model.layout()
    assert [row["resolution"] for row in layout] == [4, 4, 8, 8, 16, 16, 32, 32]
    assert [row["w_index"] for row in layout] == list(range(8))
    assert [row["channels"] for row in layout] == [8, 8, 8, 8, 4, 4, 4, 4]
    assert all(row["noise_scale"] == pytest.approx(0.5) for row in layout)
    assert model.discriminator(images).shape == (3, 1)


def test_one_w_for_every_layer_is_the_same_as_eight_copies():
    model = small()
    w = model.mapping(torch.randn(2, 8))
    assert torch.equal(model.synthesize(w, "fixed"), model.synthesize(w[:, None].expand(-1, 8, -1), "fixed"))


def test_noise_modes():
    model = small()
    w = model.mapping(torch.randn(2, 8))
    assert torch.equal(model.synthesize(w, "fixed"), model.synthesize(w, "fixed"))
    assert torch.equal(model.synthesize(w, "off"), model.synthesize(w, "off"))
    assert not torch.equal(model.synthesize(w, "fixed"), model.synthesize(w, "off"))
    assert not torch.equal(model.synthesize(w, "random"), model.synthesize(w, "random"))
    g = lambda: torch.Generator().manual_seed(3)
    assert torch.equal(model.synthesize(w, "random", generator=g()), model.synthesize(w, "random", generator=g()))
    # noise only where asked: with every layer left out, "random" is "off"
    assert torch.equal(model.synthesize(w, "random", noise_layers=[]), model.synthesize(w, "off"))
    coarse = model.synthesize(w, "fixed", noise_layers=range(4))
    assert not torch.equal(coarse, model.synthesize(w, "off")) and not torch.equal(coarse, model.synthesize(w, "fixed"))


def test_constant_input_is_shared():
    model = small()
    constant = model.average.synthesis.input(5)
    assert constant.shape == (5, 8, 4, 4) and torch.equal(constant[0], constant[4])


def test_mixing_takes_w1_before_the_crossover_and_w2_after():
    model = small()
    z1, z2 = torch.randn(2, 8), torch.randn(2, 8)
    assert torch.equal(model.mix(z1, z2, 8, noise="fixed"), model.generate(z1, noise="fixed"))
    assert torch.equal(model.mix(z1, z2, 0, noise="fixed"), model.generate(z2, noise="fixed"))
    w1, w2 = torch.zeros(2, 3), torch.ones(2, 3)
    ws = mixed_ws(w1, w2, 3, 8)
    assert ws.shape == (2, 8, 3) and ws[:, :3].sum() == 0 and (ws[:, 3:] == 1).all()
    mixed = model.mix(z1, z2, np.int64(4), noise="fixed")
    assert not torch.equal(mixed, model.generate(z1, noise="fixed"))


@pytest.mark.parametrize("crossover", [-1, 9, 2.0, True])
def test_bad_crossover(crossover):
    with pytest.raises(ValueError, match=r"crossover must be an int in \[0, 8\]"):
        small().mix(torch.randn(1, 8), torch.randn(1, 8), crossover)


def test_truncation_pulls_w_to_the_average():
    model = small()
    z = torch.randn(4, 8)
    w = model.mapping(z)
    assert torch.allclose(model.truncate(w, 0.0), model.w_avg.expand(4, -1))
    assert torch.allclose(model.truncate(w, 0.5), model.w_avg + 0.5 * (w - model.w_avg))
    same = model.generate(z, psi=0.0, noise="fixed")
    assert torch.allclose(same, same[:1].expand(4, -1, -1, -1), atol=1e-6)  # psi 0: the average face, every time


def test_no_mapping_network_gives_the_normalised_z():
    model = small(mapping_layers=0)
    assert not any(isinstance(m, EqualizedLinear) for m in model.average.mapping.modules())
    assert isinstance(model.average.mapping.get_mapping()[0], PixelNorm)
    z = torch.randn(3, 8)
    assert torch.allclose(model.mapping(z), z / z.pow(2).mean(1, keepdim=True).sqrt(), atol=1e-6)


def test_mapping_depth():
    model = small(mapping_layers=2)
    assert sum(isinstance(m, EqualizedLinear) for m in model.average.mapping.modules()) == 2


def test_bad_inputs_are_named():
    model = small()
    with pytest.raises(ValueError, match=r"z must be a batch of shape \(N, 8\)"):
        model.generate(torch.randn(3, 5))
    with pytest.raises(ValueError, match="ws must be"):
        model.synthesize(torch.randn(3, 4, 8))
    with pytest.raises(ValueError, match="noise must be one of"):
        model.synthesize(torch.randn(3, 8), "loud")
    with pytest.raises(ValueError, match="one map"):
        model.synthesize(torch.randn(3, 8), [torch.zeros(3, 1, 4, 4)])


@pytest.mark.parametrize("field, value, match", [
    ("z_dim", True, "StyleGANConfig.z_dim must be a positive int"),
    ("mapping_layers", -1, "StyleGANConfig.mapping_layers must be an int >= 0"),
    ("widths", (8, 8, 8), "StyleGANConfig.widths must be 4 positive ints"),
    ("widths", (8, 8, 0, 8), "StyleGANConfig.widths must be 4 positive ints"),
    ("mapping_lr", 0.0, "StyleGANConfig.mapping_lr must be a finite positive number"),
    ("noise_scale", float("nan"), "StyleGANConfig.noise_scale must be a finite number"),
])
def test_bad_config_fields(field, value, match):
    with pytest.raises(ValueError, match=match):
        StyleGANConfig(**{**SMALL, field: value})


def test_config_is_frozen_checked_and_builds_from_a_card():
    config = StyleGANConfig(**{**SMALL, "z_dim": np.int64(8)})
    assert type(config.z_dim) is int
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.z_dim = 4
    with pytest.raises(ValueError, match="w_dim must equal z_dim"):
        StyleGANConfig(z_dim=8, w_dim=16, mapping_layers=0)
    with pytest.raises(TypeError, match="takes a StyleGANConfig"):
        StyleGAN(dict(SMALL))
    assert MODELS["StyleGAN"] is StyleGAN
    card_config = json.loads(json.dumps(dataclasses.asdict(config)))  # widths come back as a list
    model = build_model("StyleGAN", card_config)
    assert model.config == config
    assert set(model.state_dict()) == set(StyleGAN(config).state_dict())
    assert "average.w_avg" in model.state_dict()


def test_sample_is_repeatable_with_a_generator():
    model = small()
    g = lambda: torch.Generator().manual_seed(1)
    assert torch.equal(model.sample(3, generator=g()), model.sample(3, generator=g()))
    assert model.sample(2, psi=0.7).shape == (2, 3, 32, 32)


def test_minibatch_std_channel():
    from gancourse.models.stylegan import MinibatchStdDev
    x = torch.randn(8, 3, 4, 4)
    out = MinibatchStdDev(4)(x)
    assert out.shape == (8, 4, 4, 4)
    groups = x.view(4, 2, 3, 4, 4)  # images i and i + 2, i + 4, i + 6 form group i
    expected = groups.std(dim=0, unbiased=False).mean(dim=(1, 2, 3))
    assert torch.allclose(out[:, 3, 0, 0], expected.repeat(4), atol=1e-5)
    same = MinibatchStdDev(4)(torch.ones(4, 2, 4, 4).requires_grad_())
    same.sum().backward()  # identical images: std 0, and still a finite gradient
    model = small(minibatch_std=4)
    assert model.discriminator(torch.randn(8, 3, 32, 32)).shape == (8, 1)

"""StyleGAN's components: shapes, exact values (AdaIN against a hand-computed example) and clear errors."""
import math

import numpy as np
import pytest
import torch

from gancourse import AdaIN, InjectNoise, MappingLayers, get_truncated_noise
from gancourse.nn.style import ConstantInput, EqualizedLinear, PixelNorm, StyleBlock


def test_truncated_noise_shape_bounds_and_seed():
    noise = get_truncated_noise(500, 16, 0.7, seed=3)
    assert noise.shape == (500, 16) and noise.dtype == torch.float32
    assert noise.abs().max() <= 0.7
    assert torch.equal(noise, get_truncated_noise(np.int64(500), 16, 0.7, seed=3))
    assert not torch.equal(noise, get_truncated_noise(500, 16, 0.7, seed=4))


def test_truncated_noise_spread_matches_the_truncated_normal():
    # variance of N(0, 1) truncated to [-a, a]: 1 - 2 a phi(a) / (2 Phi(a) - 1); a = 1 gives std 0.5395
    a = 1.0
    phi, Phi = math.exp(-a * a / 2) / math.sqrt(2 * math.pi), 0.5 * (1 + math.erf(a / math.sqrt(2)))
    expected = math.sqrt(1 - 2 * a * phi / (2 * Phi - 1))
    assert abs(get_truncated_noise(4000, 10, a, seed=0).std().item() - expected) < 0.01
    assert abs(get_truncated_noise(4000, 10, 5.0, seed=0).std().item() - 1.0) < 0.02  # wide: plain N(0, 1)


@pytest.mark.parametrize("args, match", [
    ((0, 4, 1.0), "n_samples"), ((True, 4, 1.0), "n_samples"), ((4, 2.0, 1.0), "z_dim"),
    ((4, 4, 0.0), "truncation"), ((4, 4, -1.0), "truncation"), ((4, 4, float("inf")), "truncation"),
    ((4, 4, True), "truncation"),
])
def test_truncated_noise_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        get_truncated_noise(*args)


def test_pixel_norm_puts_every_z_on_the_sphere():
    z = torch.randn(8, 64) * 5
    norms = PixelNorm()(z).norm(dim=1)
    assert torch.allclose(norms, torch.full((8,), 8.0), atol=1e-4)  # radius sqrt(64)


def test_equalized_linear_scales_its_stored_weight():
    layer = EqualizedLinear(16, 4, lr_multiplier=0.01, gain=2 ** 0.5)
    assert abs(layer.weight.std().item() - 100) < 30  # stored as N(0, 1 / 0.01^2)
    x = torch.randn(3, 16)
    expected = x @ (layer.weight * 2 ** 0.5 * 0.01 / 4).T + layer.bias * 0.01
    assert torch.allclose(layer(x), expected)


def test_mapping_layers_depth_and_shapes():
    mapping = MappingLayers(32, 48, 24)  # the paper's 8 layers
    linears = [m for m in mapping.get_mapping() if isinstance(m, EqualizedLinear)]
    assert len(linears) == 8
    assert [(m.weight.shape[1], m.weight.shape[0]) for m in linears] == [(32, 48)] + [(48, 48)] * 6 + [(48, 24)]
    assert isinstance(mapping.get_mapping()[0], PixelNorm)
    assert mapping(torch.randn(5, 32)).shape == (5, 24)
    torch.manual_seed(0)
    w = mapping(torch.randn(2000, 32))
    assert 0.3 < w.std(dim=0).mean() < 3  # He's gain keeps w varying with z through 8 layers
    lab = MappingLayers(10, 20, 30, n_layers=3)  # the lab's micro version
    assert len([m for m in lab.get_mapping() if isinstance(m, EqualizedLinear)]) == 3
    assert lab(torch.randn(2, 10)).shape == (2, 30)


def test_mapping_without_layers_is_the_normalised_z():
    z = torch.tensor([[3.0, 4.0], [1.0, 0.0]])
    w = MappingLayers(2, 8, 2, n_layers=0)(z)
    assert torch.allclose(w, torch.tensor([[3.0, 4.0], [1.0, 0.0]]) / torch.tensor([[12.5 ** 0.5], [0.5 ** 0.5]]))
    with pytest.raises(ValueError, match="w_dim must equal z_dim"):
        MappingLayers(4, 8, 6, n_layers=0)


def test_inject_noise_adds_one_map_scaled_per_channel():
    layer = InjectNoise(3)
    assert layer.get_weight().shape == (1, 3, 1, 1)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor([0.5, 1.0, 2.0]).view(1, 3, 1, 1))
    image = torch.randn(2, 3, 4, 4)
    noise = torch.randn(2, 1, 4, 4)
    assert torch.allclose(layer(image, noise), image + torch.tensor([0.5, 1.0, 2.0]).view(1, 3, 1, 1) * noise)
    added = (layer(image) - image) / layer.weight  # fresh noise: one map, shared by all channels
    assert torch.allclose(added[:, 0], added[:, 1], atol=1e-5) and torch.allclose(added[:, 0], added[:, 2], atol=1e-5)
    assert not torch.allclose(added[0], added[1])  # but different for each image


def test_inject_noise_starting_scale():
    assert torch.equal(InjectNoise(4, scale=0.0).weight, torch.zeros(1, 4, 1, 1))
    image = torch.randn(2, 4, 3, 3)
    assert torch.equal(InjectNoise(4, scale=0.0)(image), image)


def test_adain_hand_computed_example():
    adain = AdaIN(2, 1)
    with torch.no_grad():
        adain.style_scale_transform.weight.copy_(torch.tensor([[1.0], [0.5]]))
        adain.style_scale_transform.bias.copy_(torch.tensor([0.0, 1.0]))
        adain.style_shift_transform.weight.copy_(torch.tensor([[0.5], [0.0]]))
        adain.style_shift_transform.bias.copy_(torch.tensor([0.0, -3.0]))
    image = torch.tensor([[[[1.0, 2.0], [3.0, 4.0]], [[0.0, 0.0], [0.0, 4.0]]]])  # (1, 2, 2, 2)
    w = torch.tensor([[2.0]])  # scale(w) = [2, 2], shift(w) = [1, -3]
    # channel 0: mean 2.5, variance 1.25; channel 1: mean 1, variance 3 (instance norm's eps 1e-5 aside)
    normalized_0 = torch.tensor([-1.5, -0.5, 0.5, 1.5]) / math.sqrt(1.25)
    normalized_1 = torch.tensor([-1.0, -1.0, -1.0, 3.0]) / math.sqrt(3.0)
    expected = torch.stack([2 * normalized_0 + 1, 2 * normalized_1 - 3]).view(1, 2, 2, 2)
    assert torch.allclose(adain(image, w), expected, atol=1e-4)


def test_adain_statistics_follow_the_style():
    adain = AdaIN(4, 8)
    assert adain.get_style_scale_transform() is adain.style_scale_transform
    assert adain.get_style_shift_transform() is adain.style_shift_transform
    image, w = torch.randn(3, 4, 8, 8) * 7 + 2, torch.randn(3, 8)
    out = adain(image, w)
    scale, shift = adain.style_scale_transform(w), adain.style_shift_transform(w)
    assert torch.allclose(out.mean(dim=(2, 3)), shift, atol=1e-4)  # each channel's mean is the shift from w
    assert torch.allclose(out.std(dim=(2, 3), unbiased=False), scale.abs(), atol=1e-3)  # its std the scale


def test_adain_starts_as_plain_instance_norm():
    adain = AdaIN(3, 5)
    with torch.no_grad():
        adain.style_scale_transform.weight.zero_()
        adain.style_shift_transform.weight.zero_()
    image = torch.randn(2, 3, 4, 4)
    assert torch.allclose(adain(image, torch.randn(2, 5)), adain.instance_norm(image))


def test_style_block_shapes_and_noise():
    up = StyleBlock(16, 8, 12, upsample=True)
    same = StyleBlock(8, 8, 12, upsample=False)
    x, w = torch.randn(2, 16, 4, 4), torch.randn(2, 12)
    y = up(x, w)
    assert y.shape == (2, 8, 8, 8) and same(y, w).shape == (2, 8, 8, 8)
    assert torch.equal(up(x, w), up(x, w))  # noise scale 0: the noise changes nothing yet
    noisy = StyleBlock(16, 8, 12, noise_scale=1.0)
    assert not torch.equal(noisy(x, w), noisy(x, w))
    fixed = torch.randn(1, 1, 8, 8)
    assert torch.equal(noisy(x, w, fixed), noisy(x, w, fixed))


def test_constant_input_is_the_same_for_every_image():
    constant = ConstantInput(6)
    out = constant(5)
    assert out.shape == (5, 6, 4, 4) and torch.equal(out[0], out[4])


# ---- a style block step by step, and the per-channel statistics AdaIN works on ---------------------------

from gancourse.nn.style import StyleBlock, channel_stats  # noqa: E402


def test_channel_stats_by_hand():
    x = torch.tensor([[[[1.0, 3.0], [1.0, 3.0]], [[0.0, 0.0], [0.0, 4.0]]]])  # (1, 2, 2, 2)
    mean, std = channel_stats(x)
    assert torch.allclose(mean, torch.tensor([[2.0, 1.0]]))
    assert torch.allclose(std, torch.tensor([[1.0, 3 ** 0.5]]))


def test_style_block_stages_end_in_forward():
    torch.manual_seed(0)
    block = StyleBlock(4, 6, 5, upsample=True, noise_scale=0.3)
    x, w, noise = torch.randn(2, 4, 4, 4), torch.randn(2, 5), torch.randn(2, 1, 8, 8)
    stages = block.stages(x, w, noise)
    assert list(stages) == ["conv", "noise", "activation", "normalized", "styled"]
    assert all(s.shape == (2, 6, 8, 8) for s in stages.values())
    assert torch.allclose(stages["noise"], stages["conv"] + 0.3 * noise)
    with torch.no_grad():
        assert torch.allclose(stages["styled"], block(x, w, noise))
    mean, std = channel_stats(stages["normalized"])
    assert mean.abs().max() < 1e-5 and (std - 1).abs().max() < 1e-3
    # after the style each channel's mean is shift(w) and its std |scale(w)|
    mean, std = channel_stats(stages["styled"])
    with torch.no_grad():
        assert torch.allclose(mean, block.adain.style_shift_transform(w), atol=1e-5)
        assert torch.allclose(std, block.adain.style_scale_transform(w).abs(), atol=1e-3)

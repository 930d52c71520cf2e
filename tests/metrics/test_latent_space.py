"""Path length, linear separability, style inheritance, noise spread and truncation curves, on stand-ins whose
answers are known."""
import math

import numpy as np
import pytest
import torch

from gancourse.latent import slerp
from gancourse.metrics.latent_space import (conditional_entropy, linear_separability, noise_spread, path_lengths,
                                            perceptual_path_length, slerp_rows, style_inheritance, truncation_curve)
from gancourse.models.stylegan import StyleGAN, StyleGANConfig


class PixelJudge(torch.nn.Module):
    """Features: the image's pixels; read-out: each channel's mean brightness in [0, 1]."""
    factor_names = ("red", "green", "blue")

    def __init__(self):
        super().__init__()
        self.dummy = torch.nn.Parameter(torch.zeros(()))

    def features(self, images):
        return images.flatten(1)

    def read(self, images):
        return images.mean(dim=(2, 3)) * 0.5 + 0.5


def small_stylegan(noise: float = 0.5) -> StyleGAN:
    torch.manual_seed(0)
    model = StyleGAN(StyleGANConfig(z_dim=8, w_dim=8, widths=(8, 8, 4, 4), d_width=4)).eval()
    with torch.no_grad():
        for block in model.average.synthesis.blocks:
            block.inject_noise.weight.fill_(noise)
    return model


def test_slerp_rows_matches_slerp():
    a, b = torch.randn(3, 5), torch.randn(3, 5)
    t = torch.tensor([0.0, 0.3, 1.0])
    for i in range(3):
        assert torch.allclose(slerp_rows(a, b, t)[i], slerp(a[i], b[i], [t[i].item()])[0], atol=1e-5)


def test_path_length_of_a_linear_generator_is_exact():
    # generate: x -> A x drawn as an image; features = pixels, so every step is |A (b - a)|^2 eps^2 / eps^2 under lerp
    matrix = torch.randn(12, 4, generator=torch.Generator().manual_seed(0))
    generate = lambda x: (x @ matrix.T).view(len(x), 3, 2, 2)
    a, b = torch.randn(50, 4), torch.randn(50, 4)
    result = perceptual_path_length(generate, PixelJudge(), a, b, interpolation="lerp", epsilon=1e-3)
    expected = ((b - a) @ matrix.T).pow(2).sum(1).double().numpy()
    assert np.allclose(result["lengths"], expected, rtol=1e-2)
    assert result["kept"] == 48  # the 1st and 99th percentiles drop one step at each end
    kept = np.sort(expected)[1:-1]
    assert result["path_length"] == pytest.approx(kept.mean(), rel=1e-2)


def test_path_length_bad_input():
    with pytest.raises(ValueError, match="same shape"):
        perceptual_path_length(lambda x: x, PixelJudge(), torch.randn(3, 4), torch.randn(2, 4))
    with pytest.raises(ValueError, match="interpolation"):
        perceptual_path_length(lambda x: x, PixelJudge(), torch.randn(3, 4), torch.randn(3, 4), interpolation="cubic")


def test_path_lengths_of_a_stylegan_in_both_spaces():
    lengths = path_lengths(small_stylegan(), PixelJudge(), n=8)
    assert set(lengths) == {"z", "w"} and all(v > 0 and math.isfinite(v) for v in lengths.values())


def test_conditional_entropy_by_hand():
    labels = np.array([True, True, False, False])
    # side True holds labels 1, 1, 0 (H = -(2/3 ln 2/3 + 1/3 ln 1/3)), 3/4 of the samples; side False is pure
    expected = 0.75 * -(2 / 3 * math.log(2 / 3) + 1 / 3 * math.log(1 / 3))
    assert conditional_entropy(labels, np.array([True, True, True, False])) == pytest.approx(expected)
    assert conditional_entropy(labels, labels) == 0.0


def test_separability_finds_a_plane_or_none():
    rng = np.random.default_rng(0)
    latents = rng.standard_normal((800, 4))
    readout = np.stack([1 / (1 + np.exp(-4 * latents[:, 0])),   # a plane splits it
                        rng.uniform(size=800)], axis=1)            # no plane can
    result = linear_separability(latents, readout, ["split", "random"])
    assert result["entropy"]["split"] < 0.05
    assert result["entropy"]["random"] > 0.6  # log 2 = 0.69 for a coin
    assert result["separability"] == pytest.approx(math.exp(sum(result["entropy"].values())))
    with pytest.raises(ValueError, match="read-outs"):
        linear_separability(latents, readout, ["only one name"])


def test_inheritance_runs_from_all_w2_to_all_w1():
    share = style_inheritance(small_stylegan(), PixelJudge(), n=16)["share"]
    assert share.shape == (9, 3)
    assert np.allclose(share[0], 1.0, atol=1e-4) and np.allclose(share[-1], 0.0, atol=1e-4)


def test_noise_spread_is_zero_without_noise():
    quiet = noise_spread(small_stylegan(noise=0.0), PixelJudge(), n_w=4, n_draws=3)
    assert np.allclose(quiet["within"], 0.0) and (quiet["across"] > 0).all()
    loud = noise_spread(small_stylegan(noise=2.0), PixelJudge(), n_w=4, n_draws=3)
    assert (loud["ratio"] > 0).all()


def test_truncation_at_zero_collapses_recall():
    model = small_stylegan(noise=0.0)
    with torch.no_grad():
        model.average.w_avg.copy_(model.mapping(torch.randn(256, 8)).mean(0))
    real = model.generate(torch.randn(40, 8, generator=torch.Generator().manual_seed(9)))
    rows = truncation_curve(model, PixelJudge(), real, [1.0, 0.0])
    assert [r["value"] for r in rows] == [1.0, 0.0]
    assert rows[1]["recall"] < rows[0]["recall"]  # every psi = 0 sample is the same face
    z_rows = truncation_curve(model, PixelJudge(), real, [2.0], space="z")
    assert 0 <= z_rows[0]["precision"] <= 1


# ---- directions per factor in Z and W, and their drift -------------------------------------------------------

from gancourse.metrics.latent_space import (direction_drift, latent_generator, sample_latents,  # noqa: E402
                                            style_directions)


@pytest.mark.parametrize("space", ["z", "w"])
def test_style_directions_are_one_spread_long_and_raise_their_factor(space):
    model, judge = small_stylegan(), PixelJudge().eval()
    directions = style_directions(model, judge, space, n=400, seed=0)
    assert list(directions) == list(judge.factor_names)
    latents = sample_latents(model, space, 400, 0)
    generate = latent_generator(model, space)
    with torch.no_grad():
        before = judge.read(generate(latents))
        for k, (name, direction) in enumerate(directions.items()):
            assert direction.shape == (8,)
            unit = direction / direction.norm()
            assert direction.norm().item() == pytest.approx((latents @ unit).std().item(), rel=1e-4)
            after = judge.read(generate(latents + direction))
            assert (after - before)[:, k].mean() > 0, name  # the step raises the factor it is for


def test_direction_drift_is_the_entanglement_of_the_directions():
    model, judge = small_stylegan(), PixelJudge().eval()
    directions = style_directions(model, judge, "w", n=400)
    drift = direction_drift(model, judge, "w", directions, n=100, seed=1)
    matrix = drift["matrix"]
    assert matrix.shape == (3, 3) and (matrix >= 0).all()
    for k, name in enumerate(judge.factor_names):
        others = (matrix[k].sum() - matrix[k, k]) / 2
        assert drift["own"][name] == pytest.approx(matrix[k, k].item())
        assert drift["drift"][name] == pytest.approx((others / matrix[k, k]).item(), rel=1e-5)
    assert drift["score"] == pytest.approx(np.mean(list(drift["drift"].values())), rel=1e-5)

"""Bits per dimension: exact values for models whose likelihood is known by hand, and the VAE's two bounds."""
import math

import pytest
import torch

from gancourse.metrics.likelihood import bits_per_dim, code_bits, elbo_bits_per_dim, importance_weighted_bits_per_dim
from gancourse.models.flow import Flow, FlowConfig
from gancourse.models.pixelcnn import PixelCNN, PixelCNNConfig, to_images
from gancourse.models.vae import VAE, VAEConfig
from gancourse.models.vqvae import VQVAE, VQVAEConfig


def uniform_pixelcnn(levels: int, side: int) -> PixelCNN:
    model = PixelCNN(PixelCNNConfig(levels=levels, side=side, channels=4, dilations=(1,)))
    with torch.no_grad():
        model.head[1].weight.zero_()
        model.head[1].bias.zero_()
    return model.eval()


def test_a_uniform_pixelcnn_needs_8_bits_per_dimension():
    values = torch.randint(0, 256, (5, 1, 32, 32), generator=torch.Generator().manual_seed(0))
    assert bits_per_dim(uniform_pixelcnn(256, 32), values, batch_size=2) == pytest.approx(8.0, abs=1e-5)


def test_an_untrained_flow_is_the_logit_transforms_density():
    """A new flow is the identity after its logit transform (couplings start at zero, ActNorm is unset), so
    log p(v) = log N(y) + log|dy/dx| - D log 256 with y = logit(alpha + (1 - 2 alpha) (v / 256)), by hand."""
    flow = Flow(FlowConfig(side=8, hidden=4, couplings=(1, 1, 1))).eval()
    values = torch.randint(0, 256, (3, 1, 8, 8), generator=torch.Generator().manual_seed(1))
    torch.manual_seed(2)
    got = bits_per_dim(flow, values)
    torch.manual_seed(2)
    alpha = flow.config.alpha
    s = alpha + (1 - 2 * alpha) * (values + torch.rand(values.shape)) / 256
    y = s.log() - (-s).log1p()
    log_p = (-0.5 * (y ** 2 + math.log(2 * math.pi)) + math.log(1 - 2 * alpha) - s.log() - (-s).log1p()
             - math.log(256)).sum(dim=(1, 2, 3))
    assert got == pytest.approx((-log_p.mean() / (64 * math.log(2))).item(), abs=1e-4)


@pytest.fixture(scope="module")
def vae():
    torch.manual_seed(0)
    return VAE(VAEConfig(latent_dim=4, width=8, output="categorical")).eval()


def test_the_importance_weighted_bound_is_tighter_than_the_elbo(vae):
    images = to_images(torch.randint(0, 256, (6, 1, 32, 32), generator=torch.Generator().manual_seed(3)))
    torch.manual_seed(0)
    elbo = elbo_bits_per_dim(vae, images)
    torch.manual_seed(0)
    iwae = importance_weighted_bits_per_dim(vae, images, k=64)
    assert iwae < elbo
    torch.manual_seed(0)
    one = importance_weighted_bits_per_dim(vae, images, k=1)  # k = 1 is a one-draw estimate of the ELBO itself
    assert one == pytest.approx(elbo, rel=0.01)


def test_a_bernoulli_vae_has_no_bits_per_dimension():
    with pytest.raises(ValueError, match="categorical"):
        elbo_bits_per_dim(VAE(VAEConfig(latent_dim=2, width=8)), torch.zeros(1, 1, 32, 32))


def test_a_uniform_prior_needs_log2_k_bits_per_code():
    torch.manual_seed(0)
    model = VQVAE(VQVAEConfig(codes=16, code_dim=4, width=8, prior_channels=4, prior_dilations=(1,))).eval()
    model.prior = uniform_pixelcnn(16, 8)
    bits = code_bits(model, torch.rand(3, 1, 32, 32) * 2 - 1)
    assert bits["bits_per_code"] == pytest.approx(4.0, abs=1e-5)
    assert bits["bits_per_image"] == pytest.approx(4.0 * 64, abs=1e-3) and bits["codes_per_image"] == 64


def test_images_instead_of_values_are_explained():
    with pytest.raises(ValueError, match="to_values"):
        bits_per_dim(uniform_pixelcnn(256, 32), torch.zeros(1, 1, 32, 32))

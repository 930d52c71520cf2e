"""The convolutional VAE: shapes, the loss's two terms, and errors."""
import math

import pytest
import torch

from gancourse.models import VAE
from gancourse.models.vae import VAEConfig


@pytest.fixture(scope="module")
def vae():
    torch.manual_seed(0)
    return VAE(VAEConfig(latent_dim=4, width=8)).eval()


def test_encode_decode_sample_shapes(vae):
    images = torch.rand(3, 1, 32, 32) * 2 - 1
    mean, log_var = vae.encode(images)
    assert mean.shape == log_var.shape == (3, 4)
    decoded = vae.decode(mean)
    assert decoded.shape == (3, 1, 32, 32) and decoded.abs().max() <= 1
    assert vae.sample(2, generator=torch.Generator().manual_seed(0)).shape == (2, 1, 32, 32)


def test_loss_terms_are_finite_and_the_kl_matches_its_formula(vae):
    images = torch.rand(4, 1, 32, 32).round() * 2 - 1
    terms = vae.loss(images)
    assert set(terms) == {"reconstruction", "kl"}
    assert all(math.isfinite(v.item()) for v in terms.values())
    mean, log_var = vae.encode(images)
    kl = torch.distributions.kl_divergence(torch.distributions.Normal(mean, (0.5 * log_var).exp()),
                                           torch.distributions.Normal(0.0, 1.0)).sum(1).mean()
    assert torch.allclose(terms["kl"], kl, atol=1e-5)
    # a Bernoulli likelihood of 1024 pixels: at most 1024 * log 2 nats per image for logits near 0, and positive
    assert 0 < terms["reconstruction"].item() < 1024 * 2


@pytest.mark.parametrize("config, match", [({"beta": 0}, "beta must be a finite positive number"),
                                           ({"beta": True}, "beta must be"), ({"latent_dim": 0}, "latent_dim")])
def test_bad_configs_are_explained(config, match):
    with pytest.raises(ValueError, match=match):
        VAEConfig(**config)


def test_bad_inputs_are_explained(vae):
    with pytest.raises(ValueError, match=r"images must be \(N, 1, 32, 32\)"):
        vae.encode(torch.zeros(2, 3, 32, 32))
    with pytest.raises(ValueError, match=r"z must be latent codes of shape \(N, 4\)"):
        vae.decode(torch.zeros(2, 5))

"""The VQ-VAE: shapes, the straight-through gradient into the encoder, and a prior that trains apart from it."""
import pytest
import torch

from gancourse.models.vqvae import VQVAE, VQVAEConfig


@pytest.fixture()
def model():
    torch.manual_seed(0)
    return VQVAE(VQVAEConfig(codes=8, code_dim=4, width=8, prior_channels=8, prior_dilations=(1,)))


def test_shapes(model):
    model.eval()
    images = torch.rand(3, 1, 32, 32) * 2 - 1
    codes = model.encode(images)
    assert codes.shape == (3, 8, 8) and codes.dtype == torch.int64 and codes.min() >= 0 and codes.max() < 8
    assert model.decode(codes).shape == (3, 1, 32, 32)
    assert torch.allclose(model.reconstruct(images), model.decode(codes))
    sample = model.sample(2, generator=torch.Generator().manual_seed(0))
    assert sample.shape == (2, 1, 32, 32) and sample.abs().max() <= 1


def test_the_reconstruction_loss_reaches_the_encoder_through_the_quantizer(model):
    model.train()
    terms = model.loss(torch.rand(4, 1, 32, 32) * 2 - 1)
    assert set(terms) == {"reconstruction", "commitment", "codes"}
    terms["reconstruction"].backward()  # the commitment term alone would reach the encoder anyway
    assert model.encoder[0].weight.grad.abs().sum() > 0
    assert model.decoder[0].weight.grad.abs().sum() > 0
    assert all(p.grad is None for p in model.prior.parameters())


def test_the_prior_loss_trains_only_the_prior(model):
    model.eval()
    loss = model.prior_loss(torch.rand(4, 1, 32, 32) * 2 - 1)["prior_nll"]
    loss.backward()
    assert all(p.grad is None for p in model.encoder.parameters())
    assert model.prior.head[1].weight.grad.abs().sum() > 0
    assert 0 < loss.item() < 2 * torch.log(torch.tensor(8.0)).item()


def test_training_moves_the_codebook_and_evaluation_does_not(model):
    images = torch.rand(8, 1, 32, 32) * 2 - 1
    before = model.quantizer.codebook.clone()
    model.eval()
    model.loss(images)
    assert torch.equal(model.quantizer.codebook, before)
    model.train()
    model.loss(images)
    assert not torch.equal(model.quantizer.codebook, before)


def test_bad_inputs_are_explained(model):
    with pytest.raises(ValueError, match=r"\(N, 1, 32, 32\)"):
        model.encode(torch.zeros(2, 3, 32, 32))
    with pytest.raises(ValueError, match="decay"):
        VQVAEConfig(decay=1.0)

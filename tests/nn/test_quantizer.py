"""The vector quantizer: nearest codes, the straight-through gradient, EMA updates and dead-code restarts."""
import math

import pytest
import torch

from gancourse.nn.quantizer import VectorQuantizer, nearest_codes, perplexity, straight_through


def test_nearest_codes_match_brute_force():
    g = torch.Generator().manual_seed(0)
    vectors, codebook = torch.randn(50, 3, generator=g), torch.randn(7, 3, generator=g)
    brute = (vectors[:, None] - codebook[None]).norm(dim=2).argmin(dim=1)
    assert torch.equal(nearest_codes(vectors, codebook), brute)


def test_the_output_is_the_codebook_and_the_gradient_reaches_the_encoder():
    torch.manual_seed(0)
    encoder = torch.nn.Conv2d(1, 4, 3, padding=1)
    quantizer = VectorQuantizer(codes=8, dim=4).eval()
    x = torch.randn(2, 1, 5, 5)
    z_e = encoder(x)
    z_q, codes, commitment = quantizer(z_e)
    assert codes.shape == (2, 5, 5) and z_q.shape == z_e.shape
    assert torch.allclose(z_q, quantizer.lookup(codes))
    target = torch.randn_like(z_q)
    ((z_q - target) ** 2).sum().backward()
    assert encoder.weight.grad is not None and encoder.weight.grad.abs().sum() > 0
    # straight through: the encoder's output receives exactly the gradient the quantized vectors got
    z_e2 = z_e.detach().requires_grad_(True)
    z_q2 = straight_through(z_e2, quantizer.lookup(codes))
    ((z_q2 - target) ** 2).sum().backward()
    assert torch.allclose(z_e2.grad, 2 * (quantizer.lookup(codes) - target))
    assert torch.allclose(commitment, 0.25 * ((z_e - quantizer.lookup(codes)) ** 2).mean())


def test_the_codebook_is_not_a_parameter():
    assert list(VectorQuantizer(codes=4, dim=2).parameters()) == []


def test_with_no_memory_the_ema_sets_each_code_to_the_mean_of_its_vectors():
    quantizer = VectorQuantizer(codes=2, dim=2, decay=0.0, dead_below=0.0, eps=0.0).train()
    with torch.no_grad():
        quantizer.codebook.copy_(torch.tensor([[0.0, 0.0], [10.0, 10.0]]))
    z_e = torch.tensor([[1.0, 0.0], [0.0, 1.0], [9.0, 9.0], [11.0, 13.0]]).T.reshape(1, 2, 2, 2)
    quantizer(z_e)
    assert torch.allclose(quantizer.codebook, torch.tensor([[0.5, 0.5], [10.0, 11.0]]))


def test_a_dead_code_restarts_on_an_encoder_output():
    torch.manual_seed(0)
    quantizer = VectorQuantizer(codes=4, dim=2, decay=0.5).train()
    with torch.no_grad():
        quantizer.codebook.copy_(torch.tensor([[0.0, 0.0], [100.0, 100.0], [-100.0, 100.0], [100.0, -100.0]]))
        quantizer.ema_sum.copy_(quantizer.codebook)
    z_e = torch.randn(8, 2, 4, 4) * 0.1  # all near code 0: codes 1-3 are never picked
    for _ in range(2):
        quantizer(z_e)
    vectors = z_e.permute(0, 2, 3, 1).reshape(-1, 2)
    for k in (1, 2, 3):  # each restarted onto one of the batch's vectors
        assert (vectors - quantizer.codebook[k]).norm(dim=1).min() < 1e-6
    assert (quantizer.ema_count >= quantizer.dead_below).all()


def test_perplexity():
    assert perplexity(torch.arange(8).repeat(10), 8) == pytest.approx(8.0)
    assert perplexity(torch.zeros(100, dtype=torch.long), 8) == pytest.approx(1.0)
    assert perplexity(torch.tensor([0, 1, 0, 1]), 8) == pytest.approx(2.0)
    assert math.isclose(perplexity(torch.tensor([0, 0, 0, 1]), 4), math.exp(-(0.75 * math.log(0.75) + 0.25 * math.log(0.25))),
                        rel_tol=1e-5)

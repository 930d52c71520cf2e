"""Interpolation between noise vectors and between conditions."""
import pytest
import torch

from gancourse.latent import lerp, slerp


def test_lerp_end_points_and_mid_point():
    a, b = torch.zeros(3), torch.ones(3)
    path = lerp(a, b, [0.0, 0.5, 1.0])
    assert path.shape == (3, 3)
    assert torch.equal(path[0], a) and torch.equal(path[2], b) and torch.allclose(path[1], torch.full((3,), 0.5))


def test_slerp_keeps_the_norm_between_orthogonal_vectors():
    a, b = torch.tensor([1.0, 0.0]), torch.tensor([0.0, 1.0])
    path = slerp(a, b, torch.linspace(0, 1, 5))
    assert torch.allclose(path.norm(dim=1), torch.ones(5), atol=1e-6)
    assert torch.allclose(path[0], a, atol=1e-6) and torch.allclose(path[-1], b, atol=1e-6)
    assert lerp(a, b, 0.5).norm() < 0.75  # the straight line cuts the corner


def test_slerp_of_parallel_vectors_falls_back_to_lerp():
    a = torch.tensor([1.0, 2.0])
    assert torch.allclose(slerp(a, 2 * a, 0.5), lerp(a, 2 * a, 0.5))


def test_shapes_must_match():
    with pytest.raises(ValueError, match="same shape"):
        lerp(torch.zeros(3), torch.zeros(4), 0.5)

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


# ---- the course's functions for classifier-gradient editing ------------------------------------------

from gancourse.latent import calculate_updated_noise, get_score  # noqa: E402


def test_calculate_updated_noise_steps_along_the_gradient():
    noise = torch.tensor([[1.0, -2.0]], requires_grad=True)
    (3 * noise[0, 0] + noise[0, 1] ** 2).backward()  # gradient (3, 2 * -2)
    assert torch.allclose(calculate_updated_noise(noise, 0.5), torch.tensor([[2.5, -4.0]]))


def test_calculate_updated_noise_needs_a_gradient():
    with pytest.raises(ValueError, match="call score.backward"):
        calculate_updated_noise(torch.zeros(2, 3, requires_grad=True), 0.1)


def test_get_score_is_target_mean_minus_penalised_change():
    original = torch.tensor([[0.0, 0.0, 0.0], [0.5, 0.5, 0.5]])
    current = torch.tensor([[1.0, 3.0, 4.0], [0.7, 0.5, 0.5]])  # other changes: norms 5 and 0
    score = get_score(current, original, [0], [1, 2], 0.1)
    assert score.ndim == 0 and torch.isclose(score, torch.tensor((1.0 + 0.7) / 2 - 0.1 * (5 + 0) / 2))
    assert torch.isclose(get_score(current, original, [1, 2], [0], 0.0), current[:, 1:].mean())


def test_get_score_gradient_is_finite_before_anything_moved():
    current = torch.rand(3, 4, requires_grad=True)
    get_score(current, current.detach(), [0], [1, 2, 3], 1.0).backward()
    assert torch.isfinite(current.grad).all()


def test_get_score_needs_matching_2d_classifications():
    with pytest.raises(ValueError, match="same shape"):
        get_score(torch.zeros(2, 3), torch.zeros(2, 4), [0], [1], 0.1)
    with pytest.raises(ValueError, match=r"\(N, K\)"):
        get_score(torch.zeros(3), torch.zeros(3), [0], [1], 0.1)


def test_traversal_sets_one_coordinate_per_row():
    from gancourse.latent import traversal

    images = traversal(lambda v: v[:, None, None, :], torch.zeros(3), [2, 0], [-1.0, 1.0])
    assert images.shape == (4, 1, 1, 3)
    assert torch.equal(images[:, 0, 0], torch.tensor([[0, 0, -1.0], [0, 0, 1], [-1, 0, 0], [1, 0, 0]]))
    with pytest.raises(ValueError, match=r"coordinates in \[0, 3\)"):
        traversal(lambda v: v, torch.zeros(3), [3], [1.0])
    with pytest.raises(ValueError, match=r"shape \(D,\)"):
        traversal(lambda v: v, torch.zeros(2, 3), [0], [1.0])

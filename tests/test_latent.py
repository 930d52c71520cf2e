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


@pytest.mark.parametrize("weight, error, match", [
    (float("nan"), ValueError, "weight must be a finite number, got nan"),
    (float("inf"), ValueError, "weight must be a finite number, got inf"),
    ("0.1", TypeError, "weight must be a finite number, got str"),
    (True, TypeError, "weight must be a finite number, got bool"),
])
def test_calculate_updated_noise_refuses_a_weight_that_is_not_a_number(weight, error, match):
    noise = torch.zeros(1, 2, requires_grad=True)
    noise.sum().backward()
    with pytest.raises(error, match=match):
        calculate_updated_noise(noise, weight)


def test_calculate_updated_noise_takes_numpy_and_negative_weights():
    import numpy as np

    noise = torch.zeros(1, 2, requires_grad=True)
    noise.sum().backward()
    assert torch.equal(calculate_updated_noise(noise, np.float32(0.5)), torch.full((1, 2), 0.5))
    assert torch.equal(calculate_updated_noise(noise, -1), torch.full((1, 2), -1.0))  # a step downhill


@pytest.mark.parametrize("targets, others, match", [
    ([3], [1], r"target_indices must be column indices in \[0, 3\).*got \[3\]"),
    ([0], [1, 7], r"other_indices must be column indices in \[0, 3\).*got \[1, 7\]"),
    ([-1], [1], r"target_indices must be column indices in \[0, 3\)"),
    ([], [1], "target_indices must name at least one column"),
    ([0.0], [1], "target_indices must be a list of column indices"),
    ("a", [1], "target_indices must be a list of column indices"),
    (torch.tensor([0.0]), [1], "target_indices must be integer column indices"),
])
def test_get_score_names_a_bad_index(targets, others, match):
    with pytest.raises(ValueError, match=match):
        get_score(torch.zeros(2, 3), torch.zeros(2, 3), targets, others, 0.1)


def test_get_score_takes_ints_numpy_ints_and_index_tensors():
    import numpy as np

    current, original = torch.tensor([[1.0, 2.0, 3.0]]), torch.zeros(1, 3)
    expected = get_score(current, original, [0], [1, 2], 0.5)
    assert torch.equal(get_score(current, original, 0, [1, 2], 0.5), expected)
    assert torch.equal(get_score(current, original, [np.int64(0)], torch.tensor([1, 2]), np.float64(0.5)), expected)
    assert torch.equal(get_score(current, original, [0, 1, 2], [], 0.5), current.mean())  # nothing to penalise


def test_get_score_needs_float_classifications():
    with pytest.raises(ValueError, match=r"float classifications.*torch.int64.*\.float\(\)"):
        get_score(torch.zeros(2, 3, dtype=torch.long), torch.zeros(2, 3, dtype=torch.long), [0], [1], 0.1)


@pytest.mark.parametrize("penalty, error, match", [
    (-0.1, ValueError, "penalty_weight must be a finite number >= 0, got -0.1"),
    (float("nan"), ValueError, "penalty_weight must be a finite number >= 0, got nan"),
    ("1", TypeError, "penalty_weight must be a finite number >= 0, got str"),
])
def test_get_score_refuses_a_negative_or_missing_penalty(penalty, error, match):
    with pytest.raises(error, match=match):
        get_score(torch.zeros(2, 3), torch.zeros(2, 3), [0], [1], penalty)


def test_the_course_signatures_are_kept():
    import inspect

    assert list(inspect.signature(get_score).parameters) == [
        "current_classifications", "original_classifications", "target_indices", "other_indices", "penalty_weight"]
    assert list(inspect.signature(calculate_updated_noise).parameters) == ["noise", "weight"]


def test_traversal_sets_one_coordinate_per_row():
    from gancourse.latent import traversal

    images = traversal(lambda v: v[:, None, None, :], torch.zeros(3), [2, 0], [-1.0, 1.0])
    assert images.shape == (4, 1, 1, 3)
    assert torch.equal(images[:, 0, 0], torch.tensor([[0, 0, -1.0], [0, 0, 1], [-1, 0, 0], [1, 0, 0]]))
    with pytest.raises(ValueError, match=r"coordinates in \[0, 3\)"):
        traversal(lambda v: v, torch.zeros(3), [3], [1.0])
    with pytest.raises(ValueError, match=r"coordinates in \[0, 3\)"):
        traversal(lambda v: v, torch.zeros(3), [True], [1.0])
    import numpy as np

    assert torch.equal(traversal(lambda v: v, torch.zeros(3), [np.int64(2)], [1.0]), torch.tensor([[0, 0, 1.0]]))
    with pytest.raises(ValueError, match=r"shape \(D,\)"):
        traversal(lambda v: v, torch.zeros(2, 3), [0], [1.0])

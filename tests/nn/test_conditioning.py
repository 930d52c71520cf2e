"""The course's conditioning functions and their errors."""
import numpy as np
import pytest
import torch

from gancourse import combine_vectors, get_input_dimensions, get_one_hot_labels
from gancourse.nn import one_hot_matrices


def test_one_hot_labels():
    out = get_one_hot_labels(torch.tensor([0, 2, 1]), 3)
    assert out.dtype == torch.float32
    assert torch.equal(out, torch.tensor([[1.0, 0, 0], [0, 0, 1], [0, 1, 0]]))


@pytest.mark.parametrize("labels, n, error, match", [
    (torch.tensor([0, 3]), 3, ValueError, r"\[0, 3\)"),
    (torch.tensor([-1]), 3, ValueError, r"\[0, 3\)"),
    (torch.tensor([0.0, 1.0]), 3, TypeError, "integers"),
    ([0, 1], 3, TypeError, "torch.Tensor"),
    (torch.tensor([0]), 0, ValueError, "positive"),
    (torch.tensor([0]), True, ValueError, "n_classes must be a positive int, got True"),
    (torch.tensor([0]), 3.0, ValueError, "n_classes must be a positive int, got 3.0"),
])
def test_one_hot_labels_bad_input(labels, n, error, match):
    with pytest.raises(error, match=match):
        get_one_hot_labels(labels, n)


def test_numpy_integers_are_ints():
    assert torch.equal(get_one_hot_labels(torch.tensor([1, 9]), np.int64(10)), get_one_hot_labels(torch.tensor([1, 9]), 10))
    sizes = get_input_dimensions(np.int64(64), (np.int64(1), 28, 28), np.int32(10))
    assert sizes == (74, 11) and all(type(size) is int for size in sizes)
    codes = factor_codes(torch.full((1, 6), 0.4), FACE_FACTORS, buckets=np.int64(2))
    assert torch.equal(codes, factor_codes(torch.full((1, 6), 0.4), FACE_FACTORS, buckets=2))


@pytest.mark.parametrize("z_dim, shape, n, name", [(True, (1, 28, 28), 10, "z_dim"), (64, (1, 28, 28), False, "n_classes"),
                                                   (64, (1.0, 28, 28), 10, "channels")])
def test_input_dimensions_refuse_bools_and_floats(z_dim, shape, n, name):
    with pytest.raises(ValueError, match=f"{name} must be a positive int"):
        get_input_dimensions(z_dim, shape, n)


def test_combine_vectors_concatenates_on_dim_1_as_float():
    out = combine_vectors(torch.zeros(2, 3), torch.ones(2, 4, dtype=torch.long))
    assert out.shape == (2, 7) and out.dtype == torch.float32
    images = combine_vectors(torch.zeros(2, 1, 4, 4), torch.ones(2, 10, 4, 4))
    assert images.shape == (2, 11, 4, 4)


def test_combine_vectors_rejects_mismatched_batches():
    with pytest.raises(ValueError, match="match in every dim but dim 1"):
        combine_vectors(torch.zeros(2, 3), torch.zeros(3, 3))


def test_input_dimensions():
    assert get_input_dimensions(64, (1, 28, 28), 10) == (74, 11)
    assert get_input_dimensions(10, (3, 32, 32), 2) == (12, 5)
    with pytest.raises(ValueError, match=r"\(C, H, W\)"):
        get_input_dimensions(64, (28, 28), 10)


def test_one_hot_matrices_are_constant_channels():
    m = one_hot_matrices(get_one_hot_labels(torch.tensor([2]), 4), 5, 6)
    assert m.shape == (1, 4, 5, 6)
    assert m[0, 2].eq(1).all() and m[0, [0, 1, 3]].eq(0).all()


# ---- supervised codes: the labels written into z ------------------------------------------------------

from gancourse.data import FACE_FACTORS, SPRITE_FACTORS  # noqa: E402
from gancourse.nn import factor_codes  # noqa: E402


def test_factor_codes_put_binary_factors_at_plus_minus_one_and_keep_values():
    targets = torch.tensor([[0.3, 0.9, 1.0, 0.0, 0.5, 0.12]])  # hair colour, length, glasses, beard, smile, skin
    assert torch.allclose(factor_codes(targets, FACE_FACTORS), torch.tensor([[0.3, 0.9, 1.0, -1.0, 0.5, 0.12]]))


def test_coarse_codes_are_bucket_centres():
    targets = torch.tensor([[0.0, 0.34, 1.0, 1.0, 0.7, 1.0]])
    codes = factor_codes(targets, FACE_FACTORS, buckets=3)
    assert torch.allclose(codes, torch.tensor([[1 / 6, 0.5, 1.0, 1.0, 5 / 6, 5 / 6]]))


def test_factor_codes_explain_bad_input():
    with pytest.raises(ValueError, match=r"shape \(N, 6\)"):
        factor_codes(torch.zeros(2, 5), FACE_FACTORS)
    with pytest.raises(ValueError, match="categorical"):
        factor_codes(torch.zeros(2, 5), SPRITE_FACTORS)
    with pytest.raises(ValueError, match="buckets must be an int >= 2"):
        factor_codes(torch.zeros(2, 6), FACE_FACTORS, buckets=1)
    with pytest.raises(ValueError, match="buckets must be an int >= 2"):
        factor_codes(torch.zeros(2, 6), FACE_FACTORS, buckets=True)

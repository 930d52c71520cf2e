"""Quality metrics, checked on real-vs-real and real-vs-noise."""
import numpy as np
import pytest
import torch

from gancourse import pretrained
from gancourse.data import digits, faces, split_dataset
from gancourse.metrics import (attribute_agreement, conditional_accuracy, frechet_distance,
                               judge_frechet_distance)


def test_frechet_distance_of_known_gaussians():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(4000, 6)), rng.normal(size=(4000, 6))
    shifted = rng.normal(loc=1.0, scale=2.0, size=(4000, 6))
    assert frechet_distance(a, b) < 0.05
    # |mu|^2 = 6, covariance term 6 * (1 + 4 - 2 * 2) = 6
    assert frechet_distance(a, shifted) == pytest.approx(12, rel=0.1)


def test_frechet_distance_rejects_mismatched_features():
    with pytest.raises(ValueError, match="same D"):
        frechet_distance(np.zeros((10, 3)), np.zeros((10, 4)))


@pytest.fixture(scope="module")
def digit_judge():
    return pretrained.load("judge-digits", device="cpu")


def test_judge_fd_real_vs_real_is_small_and_real_vs_noise_large(digit_judge):
    train, test = split_dataset(digits(), 0.2)
    real = judge_frechet_distance(digit_judge, train.images, test.images)
    noise = judge_frechet_distance(digit_judge, train.images, torch.rand_like(train.images) * 2 - 1)
    assert noise > 20 * real


def test_conditional_accuracy_real_vs_wrong_labels(digit_judge):
    test = split_dataset(digits(), 0.2)[1]
    right = conditional_accuracy(digit_judge, test.images, test.targets, 10)
    wrong = conditional_accuracy(digit_judge, test.images, (test.targets + 1) % 10, 10)
    assert right["accuracy"] > 0.97 and right["worst_class"] > 0.9 and len(right["per_class"]) == 10
    assert wrong["accuracy"] < 0.05


def test_conditional_accuracy_needs_one_label_per_image(digit_judge):
    with pytest.raises(ValueError, match="one label per image"):
        conditional_accuracy(digit_judge, torch.zeros(4, 1, 32, 32), torch.zeros(3, dtype=torch.long))


def test_attribute_agreement_real_vs_flipped():
    judge = pretrained.load("judge-faces", device="cpu")
    ds = faces(300, seed=5)
    columns = [ds.factor_names.index("glasses"), ds.factor_names.index("beard")]
    requested = ds.targets[:, columns]
    assert attribute_agreement(judge, ds.images, requested, ["glasses", "beard"])["all"] > 0.95
    assert attribute_agreement(judge, ds.images, 1 - requested, ["glasses", "beard"])["all"] < 0.05

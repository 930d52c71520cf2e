"""Quality metrics, checked on real-vs-real and real-vs-noise."""
import numpy as np
import pytest
import torch

from gancourse import pretrained
from gancourse.data import digits, faces, split_dataset
from gancourse.metrics import (attribute_agreement, conditional_accuracy, density_coverage, feature_precision_recall,
                               frechet_distance, judge_features, judge_frechet_distance, judge_precision_recall,
                               precision_recall)
from gancourse.training.scoring import sample_quality


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


# ---- precision, recall, density, coverage on constructed sets -------------------------------------------------

def gaussian(n, d=4, seed=0, loc=0.0, scale=1.0):
    return torch.randn(n, d, generator=torch.Generator().manual_seed(seed), dtype=torch.float64) * scale + loc


def test_identical_sets_are_fully_precise_and_recalled():
    real = gaussian(500)
    assert precision_recall(real, real.clone()) == {"precision": 1.0, "recall": 1.0}
    dc = density_coverage(real, real.clone())
    assert dc["coverage"] == 1.0 and dc["density"] >= 1.0  # each point sits in its own ball and its neighbours'


def test_two_samples_of_one_distribution_score_high():
    pr = precision_recall(gaussian(1000, seed=0), gaussian(1000, seed=1))
    dc = density_coverage(gaussian(1000, seed=0), gaussian(1000, seed=1))
    assert pr["precision"] > 0.8 and pr["recall"] > 0.8
    assert 0.8 < dc["density"] < 1.2 and dc["coverage"] > 0.9


def test_disjoint_sets_score_zero():
    pr = precision_recall(gaussian(300), gaussian(300, seed=1, loc=100.0))
    dc = density_coverage(gaussian(300), gaussian(300, seed=1, loc=100.0))
    assert pr == {"precision": 0.0, "recall": 0.0} and dc == {"density": 0.0, "coverage": 0.0}


def test_a_collapsed_set_has_precision_but_no_recall():
    real = gaussian(1000)
    collapsed = gaussian(1000, seed=1, scale=0.05)  # every sample near the real data's centre
    pr = precision_recall(real, collapsed)
    dc = density_coverage(real, collapsed)
    assert pr["precision"] > 0.95 and pr["recall"] < 0.1
    assert dc["coverage"] < 0.1


def test_precision_recall_refuses_bad_input():
    with pytest.raises(ValueError, match="same D"):
        precision_recall(torch.zeros(10, 3), torch.zeros(10, 4))
    with pytest.raises(ValueError, match="more than k"):
        precision_recall(torch.zeros(3, 2), torch.zeros(10, 2))
    with pytest.raises(ValueError, match="k must be a positive integer"):
        precision_recall(gaussian(10), gaussian(10), k=0)
    with pytest.raises(ValueError, match="NaN"):
        precision_recall(gaussian(10), gaussian(10) * float("nan"))


def test_real_digits_against_real_digits_score_high_and_noise_zero(digit_judge):
    train, test = split_dataset(digits(), 0.2)
    reference = train.images[:len(test.images)]  # sets of equal size, as coverage depends on the sizes
    real = judge_precision_recall(digit_judge, test.images, reference)
    noise = judge_precision_recall(digit_judge, torch.rand_like(test.images) * 2 - 1, reference)
    assert real["precision"] > 0.8 and real["recall"] > 0.8 and real["coverage"] > 0.8
    assert noise["precision"] < 0.05 and noise["coverage"] < 0.05


def test_sample_quality_from_features_computed_once_matches_the_image_measures(digit_judge):
    train, test = split_dataset(digits(), 0.2)
    fake = torch.rand(len(train.images), 1, 32, 32, generator=torch.Generator().manual_seed(0)) * 2 - 1
    fake[:200] = train.images[:200]  # part real, so precision is neither 0 nor 1
    scores = sample_quality(digit_judge, fake, train.images, test.images)
    assert scores["fd"] == pytest.approx(judge_frechet_distance(digit_judge, fake, test.images))
    assert scores["fd_real_vs_real"] == pytest.approx(judge_frechet_distance(digit_judge, train.images, test.images))
    measured = judge_precision_recall(digit_judge, fake[:len(test.images)], test.images)
    assert {k: scores[k] for k in measured} == pytest.approx(measured)
    assert 0 < measured["precision"] < 1
    n = len(test.images)
    assert feature_precision_recall(judge_features(digit_judge, test.images),
                                    judge_features(digit_judge, fake[:n])) == pytest.approx(measured)

"""Exercise checkers pass the reference, fail a buggy version with a hint, and survive a crashing one."""
import pytest
import torch

import gancourse
from gancourse.exercises import EXERCISES, check


@pytest.mark.parametrize("name", list(EXERCISES))
def test_reference_passes(name):
    assert check(getattr(gancourse, name)).passed


def test_wrong_axis_fails_with_hint():
    def combine_vectors(x, y):
        return torch.cat([x.float(), y.float()], dim=0)

    report = check(combine_vectors)
    assert not report.passed
    assert "hint: concatenate along dim 1" in str(report)


def test_integer_one_hot_fails_on_dtype():
    def get_one_hot_labels(labels, n_classes):
        return torch.nn.functional.one_hot(labels, n_classes)

    report = check(get_one_hot_labels)
    assert not report.passed and "dtype torch.int64, expected torch.float32" in str(report)


def test_crashing_solution_is_a_failed_case_not_a_crash():
    report = check(lambda z_dim, shape, n: 1 / 0, name="get_input_dimensions")
    assert not report.passed and "ZeroDivisionError" in str(report)


def test_unknown_exercise_lists_the_known_ones():
    with pytest.raises(KeyError, match="get_one_hot_labels"):
        check(lambda: None, name="nope")


def test_subtracting_the_gradient_fails_with_hint():
    def calculate_updated_noise(noise, weight):
        return noise - weight * noise.grad

    report = check(calculate_updated_noise)
    assert not report.passed and "hint: gradient ascent moves uphill" in str(report)


def test_returning_only_the_step_fails():
    assert not check(lambda noise, weight: weight * noise.grad, name="calculate_updated_noise").passed


def test_norm_over_the_whole_batch_fails_get_score_with_hint():
    def get_score(current, original, target_indices, other_indices, penalty_weight):
        change = current[:, other_indices] - original[:, other_indices]
        return current[:, target_indices].mean() - penalty_weight * torch.norm(change)

    report = check(get_score)
    assert not report.passed and "hint: take the L2 norm of each example's change" in str(report)
    assert report.results[0].passed  # no penalty: the target mean alone is right


def test_kl_with_log_var_as_variance_fails_with_hint():
    def kl_divergence(mean, log_var):
        return 0.5 * (mean ** 2 + log_var - 1 - log_var).sum(dim=1)

    report = check(kl_divergence)
    assert not report.passed and "exp(log_var)" in str(report)


def test_info_loss_that_always_adds_the_cross_entropy_fails_on_continuous_only_codes():
    def info_loss(logits, means, categories, continuous, continuous_weight=0.5):
        return torch.nn.functional.cross_entropy(logits, categories) + continuous_weight * ((means - continuous) ** 2).mean()

    report = check(info_loss)
    assert not report.passed and "skip the cross-entropy" in str(report)

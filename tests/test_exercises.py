"""Exercise checkers pass the references and solutions, fail buggy versions with a hint, and never raise."""
import pytest
import torch
from torch import nn

import gancourse
from gancourse import exercises
from gancourse.exercises import EXERCISES, Case, Exercise, check, evaluate, solution


@pytest.mark.parametrize("name", list(EXERCISES))
def test_reference_and_solution_pass(name):
    exercise = EXERCISES[name]
    assert evaluate(exercise.reference, name).passed
    assert evaluate(exercise.solution or exercise.reference, name).passed


@pytest.mark.parametrize("name", ["get_one_hot_labels", "combine_vectors", "get_input_dimensions",
                                  "calculate_updated_noise", "get_score", "kl_divergence", "info_loss"])
def test_course_functions_exported_by_the_package_pass(name):
    assert evaluate(getattr(gancourse, name)).passed


@pytest.mark.parametrize("name", list(EXERCISES))
def test_a_stub_fails_every_case_and_says_where_to_write(name, capsys):
    def stub(*args, **kwargs):
        # your code here
        return None

    report = evaluate(stub, name)
    assert not report.passed and not any(r.passed for r in report.results)
    assert "# your code here" in str(report) and f"solution({name!r})" in str(report)
    assert check(stub, name) is None  # check prints, returns nothing
    assert "0/" in capsys.readouterr().out


def test_check_prints_pass(capsys):
    check(exercises.lerp)
    assert "lerp: 2/2 cases pass (all passed)" in capsys.readouterr().out


def test_wrong_axis_fails_with_hint():
    def combine_vectors(x, y):
        return torch.cat([x.float(), y.float()], dim=0)

    report = evaluate(combine_vectors)
    assert not report.passed and "hint: concatenate along dim 1" in str(report)


def test_integer_one_hot_fails_on_dtype():
    def get_one_hot_labels(labels, n_classes):
        return torch.nn.functional.one_hot(labels, n_classes)

    assert "dtype torch.int64, expected torch.float32" in str(evaluate(get_one_hot_labels))


def test_crash_not_written_and_stub_are_failed_cases_not_crashes():
    def boom(z_dim, shape, n):
        return 1 / 0

    def not_written(z_dim, shape, n):
        raise NotImplementedError

    assert "ZeroDivisionError" in str(evaluate(boom, "get_input_dimensions"))
    assert "not written yet" in str(evaluate(not_written, "get_input_dimensions"))


def test_unknown_name_a_string_or_a_non_callable_is_reported_not_raised(capsys):
    check(lambda: None, name="nope")
    check("lerp")
    check(3, name="lerp")
    out = capsys.readouterr().out
    assert "no exercise named 'nope'" in out and "get_one_hot_labels" in out
    assert "not its name: check(lerp)" in out and "expected a function or class to check, got 3" in out
    assert not evaluate(lambda: None, name="nope").passed


def test_a_checker_bug_is_a_failed_case(monkeypatch):
    def broken(*args):
        raise RuntimeError("bug")

    monkeypatch.setitem(EXERCISES, "broken", Exercise(broken, [Case("one", "none", inputs=lambda: (1,))]))
    report = evaluate(lambda x: x, "broken")
    assert not report.passed and "the checker could not compute the expected result" in str(report)


def test_solution_prints_the_short_solution_or_says_which_exist(capsys):
    solution("get_one_hot_labels")
    out = capsys.readouterr().out
    assert out.startswith("def get_one_hot_labels") and "F.one_hot" in out and "check_labels" not in out
    solution("nope")
    assert "The exercises are" in capsys.readouterr().out


def test_subtracting_the_gradient_fails_with_hint():
    report = evaluate(lambda noise, weight: noise - weight * noise.grad, "calculate_updated_noise")
    assert not report.passed and "hint: gradient ascent moves uphill" in str(report)


def test_returning_only_the_step_fails():
    assert not evaluate(lambda noise, weight: weight * noise.grad, name="calculate_updated_noise").passed


def test_norm_over_the_whole_batch_fails_get_score_with_hint():
    def get_score(current, original, target_indices, other_indices, penalty_weight):
        change = current[:, other_indices] - original[:, other_indices]
        return current[:, target_indices].mean() - penalty_weight * torch.norm(change)

    report = evaluate(get_score)
    assert not report.passed and "hint: take the L2 norm of each example's change" in str(report)
    assert report.results[0].passed  # no penalty: the target mean alone is right


def test_kl_with_log_var_as_variance_fails_with_hint():
    report = evaluate(lambda mean, log_var: 0.5 * (mean ** 2 + log_var - 1 - log_var).sum(dim=1), "kl_divergence")
    assert not report.passed and "exp(log_var)" in str(report)


def test_info_loss_that_always_adds_the_cross_entropy_fails_on_continuous_only_codes():
    def info_loss(logits, means, categories, continuous, continuous_weight=0.5):
        return torch.nn.functional.cross_entropy(logits, categories) + continuous_weight * ((means - continuous) ** 2).mean()

    assert "skip the cross-entropy" in str(evaluate(info_loss))


def test_lerp_without_the_column_shape_fails():
    report = evaluate(lambda a, b, t: (1 - t) * a + t * b, "lerp")  # t (T,) against a (D,): broadcasts wrongly or fails
    assert not report.passed


def test_slerp_that_is_really_lerp_fails_in_the_middle_but_not_at_the_ends():
    report = evaluate(exercises.lerp, "slerp")
    assert report.results[0].passed and not report.results[1].passed


def test_slerp_normalised_by_one_length_fails_on_unequal_lengths():
    def slerp(a, b, t):
        t = torch.as_tensor(t).reshape(-1, 1)
        omega = torch.arccos((a @ b / a.norm() ** 2).clamp(-1, 1))
        return (torch.sin((1 - t) * omega) * a + torch.sin(t * omega) * b) / torch.sin(omega)

    report = evaluate(slerp)
    assert not report.results[2].passed and "both lengths" in str(report)


def test_direction_from_labels_accepts_least_squares_and_refuses_the_ones_mean_or_no_normalising():
    from gancourse.latent import find_direction

    assert evaluate(lambda z, labels: find_direction(z, labels[:, None].float(), 0), "direction_from_labels").passed
    ones_only = evaluate(lambda z, labels: torch.nn.functional.normalize(z[labels == 1].mean(0), dim=0),
                         "direction_from_labels")
    assert not ones_only.passed and "subtract the 0s' mean" in str(ones_only)
    raw = evaluate(lambda z, labels: z[labels == 1].mean(0) - z[labels == 0].mean(0), "direction_from_labels")
    assert "expected a unit vector" in str(raw)
    flipped = evaluate(lambda z, labels: -exercises.direction_from_labels(z, labels), "direction_from_labels")
    assert "points another way" in str(flipped)


def test_combined_direction_without_normalising_fails():
    assert not evaluate(lambda d, names: sum(d[n] for n in names), "combined_direction").passed


def test_generator_loss_with_the_wrong_label_or_a_forgotten_weight_fails():
    bce = torch.nn.functional.binary_cross_entropy_with_logits

    def wrong_label(fake_scores, logits, means, categories, continuous, info_weight=1.0, loss="bce"):
        return bce(fake_scores, torch.zeros_like(fake_scores)) + info_weight * gancourse.info_loss(logits, means, categories, continuous)

    def no_weight(fake_scores, logits, means, categories, continuous, info_weight=1.0, loss="bce"):
        return bce(fake_scores, torch.ones_like(fake_scores)) + gancourse.info_loss(logits, means, categories, continuous)

    assert "label 1" in str(evaluate(wrong_label, "infogan_generator_loss"))
    report = evaluate(no_weight, "infogan_generator_loss")
    assert not report.results[0].passed and not report.results[1].passed


class Scale(nn.Module):
    """A toy class exercise: y = weight * x, with one weight per channel."""

    def __init__(self, channels):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(1, channels, 1, 1))

    def forward(self, x):
        return self.weight * x


def run_scale(cls):
    layer = cls(3)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor([1.0, 2.0, 3.0]).view(1, 3, 1, 1))
    return layer(torch.ones(2, 3, 4, 4))


def test_a_class_exercise_builds_the_class_and_compares_its_output(monkeypatch):
    monkeypatch.setitem(EXERCISES, "Scale", Exercise(Scale, [Case("three channels", "multiply by self.weight", run=run_scale)]))

    class Wrong(Scale):
        def forward(self, x):
            return x + self.weight

    class NoWeight(nn.Module):
        def __init__(self, channels):
            super().__init__()

    assert evaluate(Scale).passed
    assert "values differ" in str(evaluate(Wrong, "Scale"))
    assert "AttributeError" in str(evaluate(NoWeight, "Scale"))

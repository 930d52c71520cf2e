"""Notebook 05's exercise checkers fail the learner's likely mistakes, each with its hint."""
import torch
from scipy.stats import truncnorm
from torch import nn

from gancourse.exercises import evaluate


def test_untruncated_noise_fails_on_the_bounds():
    def get_truncated_noise(n_samples, z_dim, truncation):
        return torch.randn(n_samples, z_dim)

    report = evaluate(get_truncated_noise)
    assert not report.passed and "outside the truncation" in str(report)


def test_float64_noise_fails_on_dtype():
    def get_truncated_noise(n_samples, z_dim, truncation):
        return torch.from_numpy(truncnorm.rvs(-truncation, truncation, size=(n_samples, z_dim)))

    assert "dtype torch.float64, expected torch.float32" in str(evaluate(get_truncated_noise))


def test_noise_per_channel_fails():
    class InjectNoise(nn.Module):
        def __init__(self, channels):
            super().__init__()
            self.weight = nn.Parameter(torch.randn(1, channels, 1, 1))

        def forward(self, image):
            return image + self.weight * torch.randn_like(image)  # a map per channel, not one shared map

    report = evaluate(InjectNoise)
    assert not report.passed and report.results[0].passed and "hint: draw noise of shape (N, 1, H, W)" in str(report)


def test_a_stub_class_asks_for_code():
    class AdaIN(nn.Module):
        def __init__(self, channels, w_dim):
            super().__init__()
            self.instance_norm = None  # your code here

    report = evaluate(AdaIN)
    assert not any(r.passed for r in report.results) and "# your code here" in str(report)


def test_adain_without_the_norm_fails():
    class AdaIN(nn.Module):
        def __init__(self, channels, w_dim):
            super().__init__()
            self.instance_norm = nn.Identity()
            self.style_scale_transform = nn.Linear(w_dim, channels)
            self.style_shift_transform = nn.Linear(w_dim, channels)

        def forward(self, image, w):
            return self.style_scale_transform(w)[:, :, None, None] * image + self.style_shift_transform(w)[:, :, None, None]

    assert "hint: normalise each channel" in str(evaluate(AdaIN))


def test_mixing_the_wrong_way_round_fails():
    def mix_styles(w1, w2, crossover, n_layers):
        return torch.stack([w2 if i < crossover else w1 for i in range(n_layers)], dim=1)

    assert not any(r.passed for r in evaluate(mix_styles).results)

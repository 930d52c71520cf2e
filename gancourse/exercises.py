"""Checkers for the notebooks' "your turn" cells.

Write your own version of a course function, then

    >>> from gancourse.exercises import check
    >>> check(get_one_hot_labels)          # uses the function's name to pick the exercise
    ✓ labels [0, 2, 1], 3 classes
    ✗ a batch of 64 labels, 10 classes -- shape (64, 9), expected (64, 10)
      hint: the vector's length is the number of classes, n_classes

Each case runs your function and the package's reference on the same inputs and compares the
results (shape, dtype, values). `check` returns a Report; `report.passed` is True when every case passes.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch

from . import latent
from .models import infogan, vae
from .nn import conditioning


@dataclass
class Case:
    description: str
    inputs: Callable[[], tuple]  # fresh arguments for each call (so an in-place edit cannot leak)
    hint: str


@dataclass
class Exercise:
    reference: Callable
    cases: list[Case]


@dataclass
class Result:
    case: Case
    passed: bool
    message: str = ""

    def __str__(self) -> str:
        if self.passed:
            return f"✓ {self.case.description}"
        return f"✗ {self.case.description} -- {self.message}\n  hint: {self.case.hint}"


@dataclass
class Report:
    name: str
    results: list[Result]

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.results)

    def __str__(self) -> str:
        n = sum(r.passed for r in self.results)
        verdict = "all passed" if self.passed else "keep going"
        return "\n".join([f"{self.name}: {n}/{len(self.results)} cases pass ({verdict})"] + [str(r) for r in self.results])

    __repr__ = __str__


def compare(got, expected) -> str:
    """'' when got matches expected, else what differs."""
    if isinstance(expected, tuple):
        if not isinstance(got, tuple) or len(got) != len(expected):
            return f"returned {got!r}, expected a tuple like {expected!r}"
        return next((m for m in (compare(g, e) for g, e in zip(got, expected)) if m), "")
    if isinstance(expected, torch.Tensor):
        if not isinstance(got, torch.Tensor):
            return f"returned a {type(got).__name__}, expected a torch.Tensor"
        if got.shape != expected.shape:
            return f"shape {tuple(got.shape)}, expected {tuple(expected.shape)}"
        if got.dtype != expected.dtype:
            return f"dtype {got.dtype}, expected {expected.dtype}"
        if not torch.allclose(got, expected, atol=1e-5, rtol=1e-4):
            return f"values differ (largest difference {(got.float() - expected.float()).abs().max().item():.3g})"
        return ""
    return "" if got == expected else f"returned {got!r}, expected {expected!r}"


def run_case(fn: Callable, reference: Callable, case: Case) -> Result:
    expected = reference(*case.inputs())
    try:
        got = fn(*case.inputs())
    except Exception as e:  # a learner's bug is a failed case, not a crash
        return Result(case, False, f"raised {type(e).__name__}: {e}")
    message = compare(got, expected)
    return Result(case, not message, message)


def seeded(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def noise_with_grad(shape: tuple, seed: int) -> torch.Tensor:
    """Noise that requires grad, with a made-up .grad, as if score.backward() had just run."""
    noise = torch.randn(shape, generator=seeded(seed)).requires_grad_()
    noise.grad = torch.randn(shape, generator=seeded(seed + 1))
    return noise


def classifications(seed: int, n: int = 4, k: int = 6) -> tuple[torch.Tensor, torch.Tensor]:
    """Current and original read-outs (n, k) in [0, 1] of an edit in progress."""
    original = torch.rand(n, k, generator=seeded(seed))
    return (original + 0.2 * torch.randn(n, k, generator=seeded(seed + 1))).clamp(0, 1), original


EXERCISES: dict[str, Exercise] = {
    "get_one_hot_labels": Exercise(conditioning.get_one_hot_labels, [
        Case("labels [0, 2, 1], 3 classes", lambda: (torch.tensor([0, 2, 1]), 3),
             "each row is all zeros except a 1 at the label's index"),
        Case("a batch of 64 labels, 10 classes", lambda: (torch.randint(0, 10, (64,), generator=seeded(0)), 10),
             "the vector's length is the number of classes, n_classes"),
        Case("the result is float, ready to concatenate with noise", lambda: (torch.tensor([3]), 5),
             "F.one_hot returns integers: convert with .float()"),
    ]),
    "combine_vectors": Exercise(conditioning.combine_vectors, [
        Case("noise (4, 8) with one-hot (4, 3)", lambda: (torch.randn(4, 8, generator=seeded(1)), torch.eye(3)[[0, 1, 2, 0]]),
             "concatenate along dim 1 (the feature dimension), not dim 0 (the batch)"),
        Case("integer one-hot input becomes float", lambda: (torch.randn(2, 4, generator=seeded(2)), torch.tensor([[0, 1], [1, 0]])),
             "convert both inputs with .float() before torch.cat"),
        Case("images (2, 1, 4, 4) with one-hot matrices (2, 3, 4, 4)",
             lambda: (torch.randn(2, 1, 4, 4, generator=seeded(3)), torch.ones(2, 3, 4, 4)),
             "dim 1 is the channel dimension for images too"),
    ]),
    "get_input_dimensions": Exercise(conditioning.get_input_dimensions, [
        Case("z_dim 64, MNIST-sized images, 10 classes", lambda: (64, (1, 28, 28), 10),
             "generator: z_dim + n_classes; discriminator: image channels + n_classes"),
        Case("z_dim 10, RGB images, 2 attributes", lambda: (10, (3, 32, 32), 2),
             "the discriminator gets one extra channel per class, on top of the image's channels"),
    ]),
    "calculate_updated_noise": Exercise(latent.calculate_updated_noise, [
        Case("8 noise vectors of size 64, weight 0.1", lambda: (noise_with_grad((8, 64), 4), 0.1),
             "gradient ascent moves uphill: add the step, noise + weight * noise.grad"),
        Case("one noise vector, weight 1/10 as in 10 steps", lambda: (noise_with_grad((1, 10), 6), 1 / 10),
             "return the new noise, not only the step: the step is weight * noise.grad"),
        Case("weight 2.5 scales the step", lambda: (noise_with_grad((4, 16), 8), 2.5),
             "the gradient is in noise.grad (filled in by backward()); multiply it by weight"),
    ]),
    "get_score": Exercise(latent.get_score, [
        Case("6 features, target 2, penalty weight 0 (no penalty)", lambda: (*classifications(10), [2], [0, 1, 3, 4, 5], 0.0),
             "with no penalty the score is the mean of the target columns: current_classifications[:, target_indices].mean()"),
        Case("target 4, penalty weight 0.2", lambda: (*classifications(12), [4], [0, 1, 2, 3, 5], 0.2),
             "subtract penalty_weight times the penalty: the change of the other columns, current - original"),
        Case("two targets, penalty weight 1 on a batch of 16",
             lambda: (*classifications(14, n=16), [0, 3], [1, 2, 4, 5], 1.0),
             "take the L2 norm of each example's change (torch.norm(..., dim=1)), then the mean over examples"),
    ]),
    "kl_divergence": Exercise(vae.kl_divergence, [
        Case("the prior itself (mean 0, log-variance 0) costs nothing", lambda: (torch.zeros(3, 4), torch.zeros(3, 4)),
             "per coordinate 0.5 * (mean**2 + exp(log_var) - 1 - log_var); at the prior every term is 0"),
        Case("8 codes of size 10", lambda: (torch.randn(8, 10, generator=seeded(20)), torch.randn(8, 10, generator=seeded(21))),
             "the variance is exp(log_var), not log_var; sum over the code's coordinates (dim=1), one value per row"),
    ]),
    "info_loss": Exercise(infogan.info_loss, [
        Case("10 categories and 2 continuous codes, batch of 6",
             lambda: (torch.randn(6, 10, generator=seeded(30)), torch.randn(6, 2, generator=seeded(31)),
                      torch.randint(10, (6,), generator=seeded(32)), torch.rand(6, 2, generator=seeded(33)) * 2 - 1),
             "F.cross_entropy(logits, categories) + continuous_weight * F.mse_loss(means, continuous)"),
        Case("continuous_weight 2", lambda: (torch.randn(4, 3, generator=seeded(34)), torch.randn(4, 1, generator=seeded(35)),
                                             torch.tensor([0, 1, 2, 0]), torch.zeros(4, 1), 2.0),
             "multiply only the continuous part by continuous_weight"),
        Case("continuous codes only (no categorical code)",
             lambda: (torch.zeros(5, 0), torch.randn(5, 3, generator=seeded(36)), torch.zeros(5, dtype=torch.long),
                      torch.rand(5, 3, generator=seeded(37))),
             "with K = 0 categories (logits.shape[1] == 0) skip the cross-entropy"),
    ]),
}


def check(fn: Callable, name: str | None = None) -> Report:
    """Run the exercise `name` (default: fn's own name) against your function; returns a Report (a notebook shows it)."""
    name = name or getattr(fn, "__name__", "")
    if name not in EXERCISES:
        raise KeyError(f"No exercise named {name!r}. Exercises: {', '.join(EXERCISES)}. "
                       f"Pass name=... if your function has another name.")
    exercise = EXERCISES[name]
    return Report(name, [run_case(fn, exercise.reference, c) for c in exercise.cases])

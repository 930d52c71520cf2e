"""Checkers for the notebooks' "your turn" cells.

A "your turn" cell is a stub you fill in where it says `# your code here`; then

    >>> from gancourse.exercises import check, solution
    >>> check(get_one_hot_labels)          # the function's (or class's) name picks the exercise
    get_one_hot_labels: 2/3 cases pass (keep going)
    ✓ labels [0, 2, 1], 3 classes
    ✗ a batch of 64 labels, 10 classes -- shape (64, 9), expected (64, 10)
      hint: the vector's length is the number of classes, n_classes
    >>> solution("get_one_hot_labels")     # prints a reference solution

Each case runs your code and the reference on the same fresh inputs and compares the results (shape, dtype,
values). `check` prints and never raises: a crash, a stub that returns None or an unknown name is a failed case
with a hint, so a notebook still runs top to bottom. `evaluate` returns the Report instead (for tests).

An exercise is an entry of EXERCISES: the reference that computes the expected results (usually the package's
own implementation), the solution that `solution()` prints (short, without the package's input checks), and
the cases. A class exercise (e.g. a layer) uses `run`: a function that builds the class it is given, sets its
weights and returns the output to compare.
"""
from __future__ import annotations

import inspect
import math
from dataclasses import dataclass, field
from typing import Any, Callable

import torch
import torch.nn.functional as F
from scipy.stats import truncnorm
from torch import nn

from . import latent
from .models import infogan, stylegan, vae
from .models.infogan import info_loss as package_info_loss
from .nn import conditioning, coupling, masked, quantizer, style


@dataclass
class Case:
    """One check. Give `inputs` (a function exercise: () -> fresh positional arguments, a tuple, or keyword
    arguments, a dict) or `run` (anything else, e.g. a class: candidate -> the result to compare).
    compare: (got, expected) -> '' when they match, else what differs (default: `compare`)."""
    description: str
    hint: str
    inputs: Callable[[], tuple | dict] | None = None
    run: Callable[[Any], Any] | None = None
    compare: Callable[[Any, Any], str] | None = None

    def call(self, candidate):
        if self.run is not None:
            return self.run(candidate)
        arguments = self.inputs()  # fresh for every call, so an in-place edit cannot leak into the reference
        return candidate(**arguments) if isinstance(arguments, dict) else candidate(*arguments)


@dataclass
class Exercise:
    reference: Callable  # computes the expected results
    cases: list[Case]
    solution: Callable | None = None  # what solution() prints; None: the reference's own source
    notebook: str = ""  # where the exercise is, for the listing


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
    results: list[Result] = field(default_factory=list)
    problem: str = ""  # set when no case could run (unknown exercise, nothing to check)

    @property
    def passed(self) -> bool:
        return not self.problem and all(r.passed for r in self.results)

    def __str__(self) -> str:
        if self.problem:
            return f"✗ {self.problem}"
        n = sum(r.passed for r in self.results)
        lines = [f"{self.name}: {n}/{len(self.results)} cases pass ({'all passed' if self.passed else 'keep going'})"]
        lines += [str(r) for r in self.results]
        if not self.passed:
            lines.append(f"stuck? gancourse.exercises.solution({self.name!r}) prints a solution")
        return "\n".join(lines)

    __repr__ = __str__


def compare(got, expected) -> str:
    """'' when got matches expected, else what differs."""
    if got is None and expected is not None:
        return "returned None: write your code where it says `# your code here`, and return the result"
    if isinstance(expected, tuple):
        if not isinstance(got, tuple) or len(got) != len(expected):
            return f"returned {short(got)}, expected a tuple of {len(expected)} like {expected!r}"
        return next((m for m in (compare(g, e) for g, e in zip(got, expected)) if m), "")
    if isinstance(expected, torch.Tensor):
        if not isinstance(got, torch.Tensor):
            return f"returned a {type(got).__name__}, expected a torch.Tensor"
        if got.shape != expected.shape:
            return f"shape {tuple(got.shape)}, expected {tuple(expected.shape)}"
        if got.dtype != expected.dtype:
            return f"dtype {got.dtype}, expected {expected.dtype}"
        if not torch.allclose(got.detach(), expected.detach(), atol=1e-5, rtol=1e-4, equal_nan=True):
            difference = (got.detach().double() - expected.detach().double()).abs().nan_to_num(float("inf")).max()
            return f"values differ (largest difference {difference.item():.3g})"
        return ""
    if isinstance(expected, float) and isinstance(got, (int, float)) and not isinstance(got, bool):
        return "" if math.isclose(got, expected, rel_tol=1e-4, abs_tol=1e-6) else f"returned {got!r}, expected {expected!r}"
    return "" if type(got) is type(expected) and got == expected else f"returned {short(got)}, expected {expected!r}"


def short(value) -> str:
    """A value for a message: tensors by shape, anything else by its repr, cut to one line."""
    if isinstance(value, torch.Tensor):
        return f"a tensor of shape {tuple(value.shape)}"
    text = repr(value).replace("\n", " ")
    return text if len(text) < 60 else text[:57] + "..."


def compare_direction(got, expected, min_cosine: float = 0.98) -> str:
    """A direction matches when it has length 1 and points (nearly) the way the reference does."""
    message = compare(got, expected) if not isinstance(got, torch.Tensor) else ""
    if message:
        return message
    if got.shape != expected.shape:
        return f"shape {tuple(got.shape)}, expected {tuple(expected.shape)}"
    got = got.detach().double()
    if not torch.isfinite(got).all():
        return "the direction holds NaN or inf"
    if abs(got.norm().item() - 1) > 1e-3:
        return f"length {got.norm().item():.3f}, expected a unit vector (length 1)"
    cosine = (got @ expected.double()).item()
    return "" if cosine >= min_cosine else f"points another way: cosine {cosine:.2f} with the expected direction"


def run_case(candidate, reference: Callable, case: Case) -> Result:
    try:
        expected = case.call(reference)
    except Exception as e:  # the checker's own bug: say so, and still do not crash the notebook
        return Result(case, False, f"the checker could not compute the expected result ({type(e).__name__}: {e}); "
                                   f"please report it")
    try:
        got = case.call(candidate)
    except NotImplementedError:
        return Result(case, False, "not written yet: replace the stub with your code")
    except Exception as e:  # a learner's bug is a failed case, not a crash
        return Result(case, False, f"raised {type(e).__name__}: {e}")
    try:
        message = (case.compare or compare)(got, expected)
    except Exception as e:
        message = f"could not be compared with the expected result ({type(e).__name__}: {e})"
    return Result(case, not message, message)


def evaluate(candidate, name: str | None = None) -> Report:
    """Run the exercise `name` (default: the candidate's own __name__) on the candidate; returns the Report."""
    if isinstance(candidate, str) and name is None:
        return Report(candidate, problem=f"pass your function or class itself, not its name: check({candidate}) "
                                         f"(or check(your_function, name={candidate!r}))")
    name = name or getattr(candidate, "__name__", "")
    if name not in EXERCISES:
        return Report(name, problem=f"no exercise named {name!r}. The exercises are: {', '.join(EXERCISES)}. "
                                    f"If yours has another name, pass name='...'.")
    if not callable(candidate):
        return Report(name, problem=f"{name}: expected a function or class to check, got {short(candidate)}")
    exercise = EXERCISES[name]
    return Report(name, [run_case(candidate, exercise.reference, case) for case in exercise.cases])


def check(candidate, name: str | None = None) -> None:
    """Print whether each of the exercise's cases passes, with a hint for each that does not. Never raises."""
    print(evaluate(candidate, name))


def solution(name: str) -> None:
    """Print a reference solution of the exercise `name`."""
    if name not in EXERCISES:
        print(f"no exercise named {name!r}. The exercises are: {', '.join(EXERCISES)}")
        return
    exercise = EXERCISES[name]
    print(inspect.getsource(exercise.solution or exercise.reference))


# ---- solutions: what solution() prints (short, without the package's input checks) --------------------------

def to_unit_range(images):
    return (images + 1) / 2


def get_one_hot_labels(labels, n_classes):
    return F.one_hot(labels, n_classes).float()


def combine_vectors(x, y):
    return torch.cat([x.float(), y.float()], dim=1)


def get_input_dimensions(z_dim, image_shape, n_classes):
    generator_input_dim = z_dim + n_classes  # noise next to the one-hot vector
    discriminator_channels = image_shape[0] + n_classes  # image channels plus one one-hot matrix per class
    return generator_input_dim, discriminator_channels


def lerp(a, b, t):
    t = torch.as_tensor(t, dtype=torch.float32).reshape(-1, 1)  # (T, 1): one row per blend weight
    return (1 - t) * a + t * b


def slerp(a, b, t):
    t = torch.as_tensor(t, dtype=torch.float32).reshape(-1, 1)
    omega = torch.arccos((a @ b / (a.norm() * b.norm())).clamp(-1, 1))  # the angle between a and b
    return (torch.sin((1 - t) * omega) * a + torch.sin(t * omega) * b) / torch.sin(omega)


def direction_from_labels(z, labels):
    difference = z[labels == 1].mean(dim=0) - z[labels == 0].mean(dim=0)  # from the 0s towards the 1s
    return difference / difference.norm()


def combined_direction(directions, names):
    total = sum(directions[name] for name in names)
    return total / total.norm()


def calculate_updated_noise(noise, weight):
    return noise + weight * noise.grad


def get_score(current_classifications, original_classifications, target_indices, other_indices, penalty_weight):
    other_change = current_classifications[:, other_indices] - original_classifications[:, other_indices]
    penalty = penalty_weight * torch.norm(other_change, dim=1).mean()
    return current_classifications[:, target_indices].mean() - penalty


def kl_divergence(mean, log_var):
    return 0.5 * (mean ** 2 + log_var.exp() - 1 - log_var).sum(dim=1)


def info_loss(logits, means, categories, continuous, continuous_weight=0.5):
    loss = logits.new_zeros(())
    if logits.shape[1]:  # a categorical code: cross-entropy
        loss = loss + F.cross_entropy(logits, categories)
    if means.shape[1]:  # continuous codes: squared error
        loss = loss + continuous_weight * F.mse_loss(means, continuous)
    return loss


def infogan_generator_loss(fake_scores, logits, means, categories, continuous, info_weight=1.0, loss="bce"):
    if loss == "bce":  # L_original: the generator wants its images called real (label 1)
        original = F.binary_cross_entropy_with_logits(fake_scores, torch.ones_like(fake_scores))
    else:  # the W-loss: the generator wants the critic's scores high
        original = -fake_scores.mean()
    regulariser = package_info_loss(logits, means, categories, continuous)  # how badly Q reads the codes back
    return original + info_weight * regulariser  # L_new = L_original + lambda * reg


# ---- inputs the cases share ------------------------------------------------------------------------------

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


def labelled_noise(seed: int, n: int = 4000, d: int = 16, share: float = 0.5,
                   offset: float = 0.0) -> tuple[torch.Tensor, torch.Tensor]:
    """Gaussian z (n, d) and 0/1 labels of a feature that grows along a hidden direction; share: about how many
    1s; offset: how far the mean of z sits from 0 (a StyleGAN's w is not centred)."""
    z = torch.randn(n, d, generator=seeded(seed)) + offset * F.normalize(torch.ones(d), dim=0)
    hidden = F.normalize(torch.randn(d, generator=seeded(seed + 1)), dim=0)
    score = z @ hidden + 0.5 * torch.randn(n, generator=seeded(seed + 2))
    return z, (score > score.quantile(1 - share)).long()


def face_directions(seed: int, d: int = 8) -> dict[str, torch.Tensor]:
    names = ["hair_color", "glasses", "beard", "smile"]
    return {name: F.normalize(torch.randn(d, generator=seeded(seed + i)), dim=0) for i, name in enumerate(names)}


def qd_outputs(seed: int, n: int, k: int, m: int) -> tuple:
    """What the discriminator and Q say about n generated images: D's scores (n, 1), Q's logits (n, k) and
    means (n, m), and the codes the images were drawn with."""
    return (torch.randn(n, 1, generator=seeded(seed)), torch.randn(n, k, generator=seeded(seed + 1)),
            torch.randn(n, m, generator=seeded(seed + 2)), torch.randint(max(k, 1), (n,), generator=seeded(seed + 3)),
            torch.rand(n, m, generator=seeded(seed + 4)) * 2 - 1)


# ---- notebook 05, StyleGAN's components: solutions and the cases' runs -----------------------------------

def get_truncated_noise(n_samples, z_dim, truncation):
    truncated_noise = truncnorm.rvs(-truncation, truncation, size=(n_samples, z_dim))
    return torch.Tensor(truncated_noise)


class InjectNoise(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(channels)[None, :, None, None])  # (1, C, 1, 1): one scale per channel

    def forward(self, image):
        noise = torch.randn(image.shape[0], 1, image.shape[2], image.shape[3], device=image.device)  # (N, 1, H, W)
        return image + self.weight * noise

    def get_weight(self):
        return self.weight


class AdaIN(nn.Module):
    def __init__(self, channels, w_dim):
        super().__init__()
        self.instance_norm = nn.InstanceNorm2d(channels)
        self.style_scale_transform = nn.Linear(w_dim, channels)
        self.style_shift_transform = nn.Linear(w_dim, channels)

    def forward(self, image, w):
        normalized_image = self.instance_norm(image)
        style_scale = self.style_scale_transform(w)[:, :, None, None]
        style_shift = self.style_shift_transform(w)[:, :, None, None]
        return style_scale * normalized_image + style_shift


def mix_styles(w1, w2, crossover, n_layers):
    return torch.stack([w1 if i < crossover else w2 for i in range(n_layers)], dim=1)


def compare_truncated(got, expected) -> str:
    """Truncated noise matches when it has the shape and dtype, stays within the bounds and spreads as the
    reference does (it is random, so values are not compared one by one)."""
    message = compare(got, expected) if not isinstance(got, torch.Tensor) or got.shape != expected.shape \
        or got.dtype != expected.dtype else ""
    if message:
        return message
    bound = expected.abs().max().item()
    if got.abs().max().item() > bound * 1.001 + 1e-6:
        return f"a value of {got.abs().max().item():.3g} lies outside the truncation (largest allowed about {bound:.3g})"
    if abs(got.std().item() - expected.std().item()) > 0.05 * expected.std().item() or abs(got.mean().item()) > 0.05:
        return (f"mean {got.mean().item():.3f} and std {got.std().item():.3f}, expected about 0 and "
                f"{expected.std().item():.3f} (a normal distribution cut at +-truncation)")
    return ""


def built(layer, *names):
    """The layer when it has every named attribute set, else None (a stub that is still to be written)."""
    return layer if all(getattr(layer, name, None) is not None for name in names) else None


def run_inject_noise(cls, image_shape=(2, 4, 8, 8)):
    layer = built(cls(image_shape[1]), "weight")
    if layer is None:
        return None
    with torch.no_grad():
        layer.weight.copy_(torch.linspace(0.5, 2.0, image_shape[1]).view(1, -1, 1, 1))
    image = torch.randn(image_shape, generator=seeded(100))
    torch.manual_seed(0)  # the same noise for the reference and the candidate
    return layer(image)


def run_inject_noise_weight(cls):
    layer = built(cls(5), "weight")
    return None if layer is None else (tuple(layer.weight.shape), isinstance(layer.weight, nn.Parameter))


def run_adain(cls, image=None, w=None, scale=None, shift=None):
    channels, w_dim = (4, 6) if image is None else (image.shape[1], w.shape[1])
    layer = built(cls(channels, w_dim), "instance_norm", "style_scale_transform", "style_shift_transform")
    if layer is None:
        return None
    g = seeded(110)
    with torch.no_grad():
        for transform, values in ((layer.style_scale_transform, scale), (layer.style_shift_transform, shift)):
            weight, bias = values or (torch.randn(channels, w_dim, generator=g), torch.randn(channels, generator=g))
            transform.weight.copy_(weight)
            transform.bias.copy_(bias)
    image = torch.randn(2, channels, 8, 8, generator=g) * 3 + 1 if image is None else image
    w = torch.randn(len(image), w_dim, generator=g) if w is None else w
    return layer(image, w)


def run_adain_by_hand(cls):
    """The hand-computed example of tests/nn/test_style.py: scale(w) = [2, 2], shift(w) = [1, -3]."""
    image = torch.tensor([[[[1.0, 2.0], [3.0, 4.0]], [[0.0, 0.0], [0.0, 4.0]]]])
    return run_adain(cls, image, torch.tensor([[2.0]]), scale=(torch.tensor([[1.0], [0.5]]), torch.tensor([0.0, 1.0])),
                     shift=(torch.tensor([[0.5], [0.0]]), torch.tensor([0.0, -3.0])))


# ---- notebook 06, the alternatives to GANs: solutions and the cases' runs ----------------------------------

def causal_mask(kernel_size, mask_type):
    k = kernel_size
    mask = torch.ones(k, k)
    mask[k // 2, k // 2 + (mask_type == "B"):] = 0  # the centre row: the centre itself (mask A only) and its right
    mask[k // 2 + 1:] = 0  # every row below the centre
    return mask


def coupling_inverse(layer, y):
    s, t = layer.scale_shift(y * layer.mask, None)  # the kept part did not move, so it gives the same s and t
    return (y - t) * torch.exp(-s)  # undo y = x * exp(s) + t; where the mask keeps, s = t = 0


def straight_through(z_e, z_q):
    return z_e + (z_q - z_e).detach()  # the value of z_q; the gradient of z_e (detach stops the rest)


def package_coupling_inverse(layer, y):
    return layer(y, y.new_zeros(len(y)), reverse=True)[0]


def random_coupling(seed: int, mask: torch.Tensor, channels: int) -> coupling.AffineCoupling:
    """An affine coupling whose network has random weights (a new one starts as the identity)."""
    layer = coupling.AffineCoupling(mask, channels, hidden=8)
    g = seeded(seed)
    with torch.no_grad():
        for p in layer.parameters():
            p.copy_(torch.randn(p.shape, generator=g) * 0.3)
    return layer


def run_straight_through(candidate, seed: int, part: str):
    """The candidate's output for z_e, z_q (2, 4, 3, 3), and the gradient a weighted sum of it sends to z_e."""
    z_e = torch.randn(2, 4, 3, 3, generator=seeded(seed)).requires_grad_(True)
    z_q = torch.randn(2, 4, 3, 3, generator=seeded(seed + 1))
    out = candidate(z_e, z_q)
    if not isinstance(out, torch.Tensor) or part == "value":
        return out.detach() if isinstance(out, torch.Tensor) else out  # None from a stub: compare says so
    (out * torch.randn(out.shape, generator=seeded(seed + 2))).sum().backward()
    return z_e.grad if z_e.grad is not None else "no gradient reached z_e"


EXERCISES: dict[str, Exercise] = {
    "to_unit_range": Exercise(to_unit_range, notebook="00", cases=[
        Case("-1, 0 and 1 become 0, 0.5 and 1", "add 1, then divide by 2",
             inputs=lambda: (torch.tensor([-1.0, 0.0, 1.0]),)),
        Case("a batch of faces keeps its shape", "work on the whole tensor at once: (images + 1) / 2",
             inputs=lambda: (torch.rand(4, 3, 32, 32, generator=seeded(50)) * 2 - 1,)),
    ]),
    "get_one_hot_labels": Exercise(conditioning.get_one_hot_labels, solution=get_one_hot_labels, notebook="01", cases=[
        Case("labels [0, 2, 1], 3 classes", "each row is all zeros except a 1 at the label's index",
             inputs=lambda: (torch.tensor([0, 2, 1]), 3)),
        Case("a batch of 64 labels, 10 classes", "the vector's length is the number of classes, n_classes",
             inputs=lambda: (torch.randint(0, 10, (64,), generator=seeded(0)), 10)),
        Case("the result is float, ready to concatenate with noise", "F.one_hot returns integers: convert with .float()",
             inputs=lambda: (torch.tensor([3]), 5)),
    ]),
    "combine_vectors": Exercise(conditioning.combine_vectors, solution=combine_vectors, notebook="01", cases=[
        Case("noise (4, 8) with one-hot (4, 3)", "concatenate along dim 1 (the feature dimension), not dim 0 (the batch)",
             inputs=lambda: (torch.randn(4, 8, generator=seeded(1)), torch.eye(3)[[0, 1, 2, 0]])),
        Case("integer one-hot input becomes float", "convert both inputs with .float() before torch.cat",
             inputs=lambda: (torch.randn(2, 4, generator=seeded(2)), torch.tensor([[0, 1], [1, 0]]))),
        Case("images (2, 1, 4, 4) with one-hot matrices (2, 3, 4, 4)", "dim 1 is the channel dimension for images too",
             inputs=lambda: (torch.randn(2, 1, 4, 4, generator=seeded(3)), torch.ones(2, 3, 4, 4))),
    ]),
    "get_input_dimensions": Exercise(conditioning.get_input_dimensions, solution=get_input_dimensions, notebook="01",
                                     cases=[
        Case("z_dim 64, MNIST-sized images, 10 classes", "generator: z_dim + n_classes; discriminator: image channels + n_classes",
             inputs=lambda: (64, (1, 28, 28), 10)),
        Case("z_dim 10, RGB images, 2 attributes",
             "the discriminator gets one extra channel per class, on top of the image's channels (image_shape[0])",
             inputs=lambda: (10, (3, 32, 32), 2)),
    ]),
    "lerp": Exercise(latent.lerp, solution=lerp, notebook="02", cases=[
        Case("t = 0, 0.5, 1 between two vectors of length 4", "(1 - t) * a + t * b, with t as a column of shape (T, 1)",
             inputs=lambda: (torch.randn(4, generator=seeded(60)), torch.randn(4, generator=seeded(61)),
                             torch.tensor([0.0, 0.5, 1.0]))),
        Case("nine steps between two 64-dimensional z", "one row per value of t: the result has shape (len(t), D)",
             inputs=lambda: (torch.randn(64, generator=seeded(62)), torch.randn(64, generator=seeded(63)),
                             torch.linspace(0, 1, 9))),
    ]),
    "slerp": Exercise(latent.slerp, solution=slerp, notebook="02", cases=[
        Case("t = 0 and t = 1 give the end points", "sin((1 - t) ω) a + sin(t ω) b, all divided by sin ω",
             inputs=lambda: (torch.randn(8, generator=seeded(70)), torch.randn(8, generator=seeded(71)),
                             torch.tensor([0.0, 1.0]))),
        Case("nine steps between two 64-dimensional z",
             "ω is the angle between a and b: arccos of a·b / (|a| |b|); t is a column of shape (T, 1)",
             inputs=lambda: (torch.randn(64, generator=seeded(72)), torch.randn(64, generator=seeded(73)),
                             torch.linspace(0, 1, 9))),
        Case("two vectors of different lengths", "normalise by both lengths inside the arccos, not only one",
             inputs=lambda: (3 * torch.randn(16, generator=seeded(74)), torch.randn(16, generator=seeded(75)),
                             torch.tensor([0.25, 0.5, 0.75]))),
    ]),
    "direction_from_labels": Exercise(direction_from_labels, notebook="02", cases=[
        Case("4000 z with half of them labelled 1", "the mean z of the 1s minus the mean z of the 0s, divided by its length",
             inputs=lambda: labelled_noise(80), compare=compare_direction),
        Case("z whose mean is not 0 (like a StyleGAN's w), one in ten labelled 1",
             "subtract the 0s' mean: the 1s' mean alone also points to where all z lie, not only to the feature",
             inputs=lambda: labelled_noise(83, share=0.1, offset=3.0), compare=compare_direction),
        Case("labels given as True / False (as judge.read(images)[:, k] > 0.5 gives them)",
             "pick the rows with a boolean mask: z[labels == 1] works for 0/1 and for True/False labels",
             inputs=lambda: (lambda z, labels: (z, labels.bool()))(*labelled_noise(86)), compare=compare_direction),
    ]),
    "combined_direction": Exercise(combined_direction, notebook="02", cases=[
        Case("glasses + beard", "add the two directions, then divide by the sum's length",
             inputs=lambda: (face_directions(90), ["glasses", "beard"]), compare=compare_direction),
        Case("three directions", "sum over every name in names: sum(directions[n] for n in names)",
             inputs=lambda: (face_directions(95), ["hair_color", "beard", "smile"]), compare=compare_direction),
    ]),
    "calculate_updated_noise": Exercise(latent.calculate_updated_noise, solution=calculate_updated_noise, notebook="03",
                                        cases=[
        Case("8 noise vectors of size 64, weight 0.1", "gradient ascent moves uphill: add the step, noise + weight * noise.grad",
             inputs=lambda: (noise_with_grad((8, 64), 4), 0.1)),
        Case("one noise vector, weight 1/10 as in 10 steps",
             "return the new noise, not only the step: the step is weight * noise.grad",
             inputs=lambda: (noise_with_grad((1, 10), 6), 1 / 10)),
        Case("weight 2.5 scales the step", "the gradient is in noise.grad (filled in by backward()); multiply it by weight",
             inputs=lambda: (noise_with_grad((4, 16), 8), 2.5)),
    ]),
    "get_score": Exercise(latent.get_score, solution=get_score, notebook="03", cases=[
        Case("6 features, target 2, penalty weight 0 (no penalty)",
             "with no penalty the score is the mean of the target columns: current_classifications[:, target_indices].mean()",
             inputs=lambda: (*classifications(10), [2], [0, 1, 3, 4, 5], 0.0)),
        Case("target 4, penalty weight 0.2",
             "subtract penalty_weight times the penalty: the change of the other columns, current - original",
             inputs=lambda: (*classifications(12), [4], [0, 1, 2, 3, 5], 0.2)),
        Case("two targets, penalty weight 1 on a batch of 16",
             "take the L2 norm of each example's change (torch.norm(..., dim=1)), then the mean over examples",
             inputs=lambda: (*classifications(14, n=16), [0, 3], [1, 2, 4, 5], 1.0)),
    ]),
    "kl_divergence": Exercise(vae.kl_divergence, solution=kl_divergence, notebook="04", cases=[
        Case("the prior itself (mean 0, log-variance 0) costs nothing",
             "per coordinate 0.5 * (mean**2 + exp(log_var) - 1 - log_var); at the prior every term is 0",
             inputs=lambda: (torch.zeros(3, 4), torch.zeros(3, 4))),
        Case("8 codes of size 10",
             "the variance is exp(log_var), not log_var; sum over the code's coordinates (dim=1), one value per row",
             inputs=lambda: (torch.randn(8, 10, generator=seeded(20)), torch.randn(8, 10, generator=seeded(21)))),
    ]),
    "info_loss": Exercise(infogan.info_loss, solution=info_loss, notebook="04", cases=[
        Case("10 categories and 2 continuous codes, batch of 6",
             "F.cross_entropy(logits, categories) + continuous_weight * F.mse_loss(means, continuous)",
             inputs=lambda: (torch.randn(6, 10, generator=seeded(30)), torch.randn(6, 2, generator=seeded(31)),
                             torch.randint(10, (6,), generator=seeded(32)), torch.rand(6, 2, generator=seeded(33)) * 2 - 1)),
        Case("continuous_weight 2", "multiply only the continuous part by continuous_weight",
             inputs=lambda: (torch.randn(4, 3, generator=seeded(34)), torch.randn(4, 1, generator=seeded(35)),
                             torch.tensor([0, 1, 2, 0]), torch.zeros(4, 1), 2.0)),
        Case("continuous codes only (no categorical code)", "with K = 0 categories (logits.shape[1] == 0) skip the cross-entropy",
             inputs=lambda: (torch.zeros(5, 0), torch.randn(5, 3, generator=seeded(36)), torch.zeros(5, dtype=torch.long),
                             torch.rand(5, 3, generator=seeded(37)))),
    ]),
    "infogan_generator_loss": Exercise(infogan_generator_loss, notebook="04", cases=[
        Case("info_weight 0: the original loss alone",
             "L_original is BCE of D's scores on the fakes against label 1: "
             "F.binary_cross_entropy_with_logits(fake_scores, torch.ones_like(fake_scores))",
             inputs=lambda: (*qd_outputs(40, 8, 10, 2), 0.0)),
        Case("info_weight 2 adds twice the regulariser", "L_new = L_original + info_weight * info_loss(logits, means, "
             "categories, continuous)", inputs=lambda: (*qd_outputs(45, 8, 10, 2), 2.0)),
        Case("the W-loss as L_original", "with loss='wgan' L_original is -fake_scores.mean(); the regulariser is the same",
             inputs=lambda: {**dict(zip(["fake_scores", "logits", "means", "categories", "continuous"],
                                        qd_outputs(50, 8, 3, 4))), "info_weight": 1.0, "loss": "wgan"}),
    ]),
    "get_truncated_noise": Exercise(style.get_truncated_noise, solution=get_truncated_noise, notebook="05", cases=[
        Case("1000 vectors of 10, truncation 0.7", "scipy.stats.truncnorm.rvs(-truncation, truncation, size=(n_samples, "
             "z_dim)), returned as a float32 tensor (torch.Tensor(...))", inputs=lambda: (1000, 10, 0.7),
             compare=compare_truncated),
        Case("a wide truncation of 2", "the bounds are -truncation and +truncation, in units of the standard deviation",
             inputs=lambda: (4000, 4, 2.0), compare=compare_truncated),
        Case("a tight truncation of 0.05: almost every face the average one", "every value must lie within +-truncation",
             inputs=lambda: (200, 64, 0.05), compare=compare_truncated),
    ]),
    "InjectNoise": Exercise(style.InjectNoise, solution=InjectNoise, notebook="05", cases=[
        Case("the weight: a parameter of shape (1, channels, 1, 1)",
             "nn.Parameter(torch.randn(channels)[None, :, None, None]): one learned scale per channel",
             run=run_inject_noise_weight),
        Case("4 channels, batch of 2: image + weight * noise",
             "draw noise of shape (N, 1, H, W) with torch.randn: one map per image, shared by every channel",
             run=run_inject_noise),
        Case("one image, 3 channels of 16x16", "take N, H and W from image.shape; the channels come from the weight",
             run=lambda cls: run_inject_noise(cls, (1, 3, 16, 16))),
    ]),
    "AdaIN": Exercise(style.AdaIN, solution=AdaIN, notebook="05", cases=[
        Case("the hand-computed example: 2 channels, scale(w) = [2, 2], shift(w) = [1, -3]",
             "normalise each channel of each image (nn.InstanceNorm2d), then style_scale * normalised + style_shift",
             run=run_adain_by_hand),
        Case("4 channels, w of size 6, batch of 2",
             "style_scale_transform(w) is (N, C): reshape to (N, C, 1, 1) with [:, :, None, None] to scale each channel",
             run=run_adain),
    ]),
    "mix_styles": Exercise(lambda w1, w2, crossover, n_layers: stylegan.mixed_ws(w1, w2, crossover, n_layers),
                           solution=mix_styles, notebook="05", cases=[
        Case("crossover 3 of 8 layers", "layers 0, 1, 2 take w1 and layers 3 to 7 take w2: stack one w per layer on dim 1",
             inputs=lambda: (torch.randn(2, 5, generator=seeded(120)), torch.randn(2, 5, generator=seeded(121)), 3, 8)),
        Case("crossover 0: every layer takes w2", "the layers before the crossover (none here) take w1, the rest w2",
             inputs=lambda: (torch.randn(3, 4, generator=seeded(122)), torch.randn(3, 4, generator=seeded(123)), 0, 8)),
        Case("crossover 8 of 8: every layer takes w1", "the result has shape (N, n_layers, w_dim)",
             inputs=lambda: (torch.randn(1, 4, generator=seeded(124)), torch.randn(1, 4, generator=seeded(125)), 8, 8)),
    ]),
    "causal_mask": Exercise(masked.causal_mask, solution=causal_mask, notebook="06", cases=[
        Case("3 x 3, mask A", "ones above the centre row and left of the centre; the centre and everything after "
             "it 0 (a pixel never sees itself)", inputs=lambda: (3, "A")),
        Case("3 x 3, mask B", "mask B is mask A with the centre set to 1", inputs=lambda: (3, "B")),
        Case("5 x 5, mask A", "use k // 2 for the centre: rows below it are all 0, its row keeps only the left",
             inputs=lambda: (5, "A")),
    ]),
    "coupling_inverse": Exercise(package_coupling_inverse, solution=coupling_inverse, notebook="06", cases=[
        Case("a checkerboard coupling, 1 channel of 4 x 4", "s, t = layer.scale_shift(y * layer.mask, None): the kept "
             "values are the same in x and y, so they give the forward pass's s and t",
             inputs=lambda: (random_coupling(60, coupling.checkerboard_mask(4, 4, 0), 1),
                             torch.randn(3, 1, 4, 4, generator=seeded(61)))),
        Case("a channel coupling, 4 channels", "undo the forward pass in reverse order: subtract t, then multiply by "
             "exp(-s)", inputs=lambda: (random_coupling(62, coupling.channel_mask(4, 1), 4),
                                       torch.randn(2, 4, 3, 3, generator=seeded(63)))),
    ]),
    "straight_through": Exercise(quantizer.straight_through, solution=straight_through, notebook="06", cases=[
        Case("the value is the code vector z_q", "return z_e + (z_q - z_e).detach(): its value is z_q",
             run=lambda f: run_straight_through(f, 70, "value")),
        Case("the gradient reaches z_e unchanged", "detach the difference (z_q - z_e), not z_e: d out / d z_e must be 1",
             run=lambda f: run_straight_through(f, 73, "gradient")),
    ]),
}

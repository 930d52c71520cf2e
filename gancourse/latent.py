"""Moving through a generator's inputs: interpolation, and controllable generation by moving the noise z.

lerp   straight line:  (1 - t) a + t b
slerp  along the great circle between a and b, keeping the norm a Gaussian z usually has;
       a straight line between two Gaussian samples passes through vectors that are shorter than
       any the generator saw in training, which can show as washed-out images mid-way.

Controllable generation changes chosen features of the output by moving z, with a judge reading the features:
edit            classifier-gradient editing: ascend the judge's score of one feature, one z at a time
                (built from the course's calculate_updated_noise and get_score); edit_success, edit_drift measure it
find_direction  one direction in z per feature, regressed from many samples; move walks along it
edit_matrix     how much each direction moves each feature; entanglement_score sums that up (0 = disentangled)
invert          the z of a given image, for a GAN, which has no encoder: found by optimisation
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from .checks import check_real, is_int, is_real


def check_pair(a: torch.Tensor, b: torch.Tensor, who: str) -> None:
    if not isinstance(a, torch.Tensor) or not isinstance(b, torch.Tensor) or a.shape != b.shape:
        raise ValueError(f"{who} needs two tensors of the same shape, got "
                         f"{getattr(a, 'shape', type(a).__name__)} and {getattr(b, 'shape', type(b).__name__)}")


def steps_of(t) -> torch.Tensor:
    """t as a 1-D float tensor of blend weights (a float, a list, or a tensor)."""
    return torch.as_tensor(t, dtype=torch.float32).reshape(-1)


def lerp(a: torch.Tensor, b: torch.Tensor, t) -> torch.Tensor:
    """Linear interpolation. a, b: (D,) -> (len(t), D); t = 0 gives a, t = 1 gives b."""
    check_pair(a, b, "lerp")
    t = steps_of(t).to(a.device)[:, None]
    return (1 - t) * a.float()[None] + t * b.float()[None]


def slerp(a: torch.Tensor, b: torch.Tensor, t) -> torch.Tensor:
    """Spherical interpolation. a, b: (D,) -> (len(t), D); falls back to lerp when a and b are parallel."""
    check_pair(a, b, "slerp")
    a, b = a.float(), b.float()
    t = steps_of(t).to(a.device)[:, None]
    cos = (a @ b / (a.norm() * b.norm())).clamp(-1, 1)
    omega = torch.arccos(cos)
    if omega.abs() < 1e-4:
        return lerp(a, b, t.flatten())
    return (torch.sin((1 - t) * omega) * a + torch.sin(t * omega) * b) / torch.sin(omega)


# ---- classifier-gradient editing: push z uphill on what a judge reads in its image ------------------
#
# Controllable generation changes chosen features of an output by moving its noise vector z. With a judge
# that reads the features of an image, differentiable all the way back to z, we can ascend the judge's
# read-out of one feature -- the generator and the judge stay fixed, only z moves.

def check_noise_step(noise: torch.Tensor, weight: float) -> None:
    """The noise must carry a gradient, and the weight be a finite number."""
    if not isinstance(noise, torch.Tensor):
        raise TypeError(f"noise must be a torch.Tensor, got {type(noise).__name__}")
    if noise.grad is None:
        raise ValueError("noise.grad is None: make the noise with requires_grad=True, compute a score from it "
                         "and call score.backward() first")
    check_real(weight, "weight", who="calculate_updated_noise")


def calculate_updated_noise(noise: torch.Tensor, weight: float) -> torch.Tensor:
    """One step of gradient ascent on the noise: noise + weight * noise.grad (any shape).

    noise.grad is what `score.backward()` left on the noise; a positive weight moves the noise uphill.
    """
    check_noise_step(noise, weight)
    return noise + weight * noise.grad


def check_columns(indices, k: int, name: str, *, allow_empty: bool) -> None:
    """indices: an int, a list of ints or a 1-D integer tensor, each a column in [0, k)."""
    if isinstance(indices, torch.Tensor):
        if indices.dtype.is_floating_point or indices.dtype == torch.bool or indices.ndim > 1:
            raise ValueError(f"get_score: {name} must be integer column indices, got a {indices.dtype} tensor "
                             f"of shape {tuple(indices.shape)}")
        indices = indices.reshape(-1).tolist()
    columns = [indices] if is_int(indices) else indices
    if not isinstance(columns, (list, tuple)) or not all(is_int(i) for i in columns):
        raise ValueError(f"get_score: {name} must be a list of column indices (ints), got {indices!r}")
    if not columns and not allow_empty:
        raise ValueError(f"get_score: {name} must name at least one column")
    if any(not 0 <= i < k for i in columns):
        raise ValueError(f"get_score: {name} must be column indices in [0, {k}) (the classifications have {k} "
                         f"columns), got {list(columns)}")


def check_score_inputs(current, original, target_indices, other_indices, penalty_weight) -> None:
    """Same-shape float (N, K) classifications, columns in [0, K), and a finite penalty weight >= 0."""
    check_pair(current, original, "get_score")
    if current.ndim != 2:
        raise ValueError(f"get_score needs classifications of shape (N, K), got {tuple(current.shape)}")
    if not current.is_floating_point() or not original.is_floating_point():
        raise ValueError(f"get_score needs float classifications (probabilities or scores), got {current.dtype} "
                         f"and {original.dtype}; convert with .float()")
    check_columns(target_indices, current.shape[1], "target_indices", allow_empty=False)
    check_columns(other_indices, current.shape[1], "other_indices", allow_empty=True)
    check_real(penalty_weight, "penalty_weight", minimum=0, who="get_score")


def get_score(current_classifications: torch.Tensor, original_classifications: torch.Tensor, target_indices,
              other_indices, penalty_weight: float) -> torch.Tensor:
    """What an edit ascends: the target features' mean, minus a penalty for moving the other features.

    current_classifications, original_classifications: (N, K) read-outs of the edited and the original images.
    score = mean of current[:, target_indices]
            - penalty_weight * mean over the N examples of || current[:, other_indices] - original[:, other_indices] ||_2
    Returns a scalar tensor (differentiable).
    """
    check_score_inputs(current_classifications, original_classifications, target_indices, other_indices, penalty_weight)
    other_change = current_classifications[:, other_indices] - original_classifications[:, other_indices]
    penalty = penalty_weight * other_change.norm(dim=1).mean()
    return current_classifications[:, target_indices].mean() - penalty


def factor_column(factor, k: int, factor_names, who: str) -> int:
    """The column of a factor given by its index in [0, k) or, when factor_names is given, by its name."""
    if isinstance(factor, str):
        if factor_names is None:
            raise ValueError(f"{who}: factor {factor!r} is a name, but no factor_names were given: pass "
                             f"factor_names (e.g. judge.factor_names) or the factor's column index")
        if factor not in factor_names:
            raise ValueError(f"{who}: unknown factor {factor!r}; the factors are {', '.join(factor_names)}")
        return list(factor_names).index(factor)
    if not is_int(factor) or not 0 <= factor < k:
        raise ValueError(f"{who}: a factor must be a name or a column index in [0, {k}), got {factor!r}")
    return int(factor)


def check_noise(z, who: str) -> None:
    if not isinstance(z, torch.Tensor) or z.ndim != 2 or not z.is_floating_point():
        shape = tuple(z.shape) if isinstance(z, torch.Tensor) else type(z).__name__
        raise ValueError(f"{who} needs a float batch of noise vectors of shape (N, D), got {shape}; "
                         f"a single vector z becomes a batch of one with z[None]")


def check_frozen(model, who: str) -> None:
    """A model (or a bound method such as gan.generate) must be in eval mode: in training mode its batch-norm
    layers would normalise with the batch's statistics and overwrite their running averages."""
    module = getattr(model, "__self__", model)
    if isinstance(module, torch.nn.Module) and module.training:
        raise ValueError(f"the {who} is in training mode: call .eval() on it first, so it stays fixed while z moves")


def read_factors(generate, judge, z: torch.Tensor) -> torch.Tensor:
    """The judge's read-out of the images of z: (N, D) -> (N, K)."""
    return judge.read(generate(z))


@dataclass
class EditResult:
    """The path of a classifier-gradient edit; index 0 is the start.

    z:        (steps + 1, N, D) the noise after each step
    readouts: (steps + 1, N, K) the judge's read-out of the image of each z
    target:   the column of the edited factor; increase: whether it was pushed up or down
    """
    z: torch.Tensor
    readouts: torch.Tensor
    target: int
    increase: bool

    @property
    def change(self) -> torch.Tensor:
        """(K,) mean absolute change of every read-out from the start to the end of the edit."""
        return readout_change(self.readouts[0], self.readouts[-1])


def check_edit_settings(steps, weight, penalty_weight) -> None:
    """steps a positive int; weight a finite number > 0 and penalty_weight one >= 0 (push down with increase=False)."""
    if not is_int(steps) or steps < 1:
        raise ValueError(f"steps must be a positive int, got {steps!r}")
    for name, value, bound in (("weight", weight, "> 0"), ("penalty_weight", penalty_weight, ">= 0")):
        if not is_real(value) or not math.isfinite(value) or value < 0 or (name == "weight" and value == 0):
            raise ValueError(f"{name} must be a finite number {bound}, got {value!r}; "
                             f"to push a feature down pass increase=False")


def edit(generate, judge, z: torch.Tensor, target, *, steps: int = 10, weight: float = 1.0,
         penalty_weight: float = 0.0, increase: bool = True, unit_steps: bool = True) -> EditResult:
    """Classifier-gradient editing: move every z uphill on the judge's score of `target`.

    generate: z (N, D) -> images. judge: a module whose forward gives raw scores (N, K) -- logits for yes/no
    factors, values for continuous ones -- with `to_readout(raw)` (probabilities and values in [0, 1]) and
    `factor_names`. target: a factor name or column index. Both networks stay fixed (put them in eval mode);
    only z moves. Each step scores the image with get_score -- the target's score minus penalty_weight
    times how far the other features moved from where they started -- and takes one ascent step
    z <- z + weight * g (calculate_updated_noise), g the gradient dscore/dz scaled to length 1 per sample
    (unit_steps), the gradient cleared before each backward.

    Four choices to know:
    * unit_steps (default): each sample's gradient is divided by its length before the step, so every step
      moves each z exactly `weight` far and the score only chooses the direction. Then a free and a penalised
      edit travel equally far in z and differ only in where they go, and one weight suits every factor (a raw
      logit's gradient is many times a continuous value's). With raw steps the penalty's gradient, a norm's,
      keeps its size however small the change it corrects, and a large penalty_weight throws z back and forth:
      on gan-faces raw steps with penalty 10 doubled the smile edit's drift, where unit steps with penalty 30
      cut it by a third (notebook 03). unit_steps=False takes the course's raw steps, z + weight * dscore/dz.
    * The target is scored raw, as the course's classifier gives it: a logit keeps its gradient where a
      probability has saturated (a face far from wearing glasses has P(glasses) ~ 0, and no slope to climb).
      The other features are penalised on their read-outs, in [0, 1] like the drift that edit_drift measures,
      so a change of hair colour and a change of P(beard) weigh alike.
    * get_score averages over the batch, which would shrink each sample's step by 1/N; we ascend N * score,
      so a sample takes the same path whatever else is in its batch.
    * increase=False negates the scores: the target term flips sign while the penalty, a norm of the change,
      stays a penalty (negating the whole score would reward moving the other features).
    Returns an EditResult: z (steps + 1, N, D) and the read-outs (steps + 1, N, K) of every step.
    """
    check_noise(z, "edit")
    check_frozen(generate, "generator")
    check_frozen(judge, "judge")
    check_edit_settings(steps, weight, penalty_weight)
    k = len(judge.factor_names)
    t = factor_column(target, k, judge.factor_names, "edit")
    others = [i for i in range(k) if i != t]
    sign = 1.0 if increase else -1.0
    z = z.detach().clone().requires_grad_(True)
    is_target = torch.arange(k, device=z.device) == t
    path, readouts, start = [], [], None
    for _ in range(steps):
        raw = judge(generate(z))  # (N, K)
        readout = judge.to_readout(raw)
        scored = torch.where(is_target, raw, readout)  # the target's raw score, the others' read-outs
        start = scored.detach() if start is None else start
        path.append(z.detach().clone())
        readouts.append(readout.detach())
        score = len(z) * get_score(sign * scored, sign * start, [t], others, penalty_weight)
        z.grad = None  # backward adds to .grad: clear it, so each step follows only its own gradient
        score.backward(inputs=[z])  # the gradient of z alone: the networks' parameters get none
        with torch.no_grad():
            if unit_steps:
                z.grad /= z.grad.norm(dim=1, keepdim=True).clamp_min(1e-12)  # (N, D): each row of length 1
            z.copy_(calculate_updated_noise(z, weight))
    with torch.no_grad():
        path.append(z.detach().clone())
        readouts.append(read_factors(generate, judge, z))
    return EditResult(torch.stack(path), torch.stack(readouts), t, increase)


def edit_success(result: EditResult, threshold: float = 0.5) -> float:
    """Share of the samples whose target read-out crossed `threshold` in the edit's direction at some step.

    Crossing means reaching >= threshold when increasing (<= when decreasing). Only samples that start on the
    near side count (below the threshold when increasing, above it when decreasing): one that already reads past
    it tells nothing about the edit. A sample that crosses and comes back still counts -- the edit got it there;
    result.readouts[-1] says where it ended.
    """
    sign = 1.0 if result.increase else -1.0
    past = sign * (result.readouts[:, :, result.target] - threshold)  # (steps + 1, N): >= 0 once past
    eligible = past[0] < 0
    if not eligible.any():
        side = "below" if result.increase else "above"
        raise ValueError(f"no sample starts {side} the threshold {threshold}, so none can cross it: "
                         f"edit other samples or choose another threshold")
    crossed = (past[1:] >= 0).any(dim=0)
    return crossed[eligible].float().mean().item()


def edit_drift(result: EditResult) -> float:
    """Mean absolute change of the non-target read-outs between the start and the end of an edit."""
    change = result.change
    return torch.cat([change[:result.target], change[result.target + 1:]]).mean().item()


# ---- directions in z: one vector per feature, found from many samples ------------------------------------

def find_direction(z: torch.Tensor, readout: torch.Tensor, factor, factor_names=None) -> torch.Tensor:
    """The unit direction in z along which `factor` grows, from samples: z (N, D), readout (N, K) -> (D,).

    Fits readout[:, factor] ~ z @ w + b by least squares and returns w / |w|. For Gaussian noise z ~ N(0, I)
    the slope w estimates E[z y], which equals the average gradient E[dy/dz] (Stein's lemma): the direction
    that classifier-gradient editing follows one sample at a time, averaged over the samples.
    factor: a column index, or a name when factor_names is given. Needs N > D + 1 samples (ten times D is good).
    """
    check_noise(z, "find_direction")
    if not isinstance(readout, torch.Tensor) or readout.ndim != 2 or len(readout) != len(z):
        shape = tuple(readout.shape) if isinstance(readout, torch.Tensor) else type(readout).__name__
        raise ValueError(f"find_direction needs one read-out row per z: readout of shape ({len(z)}, K), got {shape}")
    n, d = z.shape
    if n <= d + 1:
        raise ValueError(f"find_direction fits {d + 1} numbers, so it needs more than {d + 1} samples, got {n}")
    k = factor_column(factor, readout.shape[1], factor_names, "find_direction")
    inputs = torch.cat([z.detach().double(), torch.ones(n, 1, dtype=torch.float64, device=z.device)], dim=1)
    w = torch.linalg.lstsq(inputs.cpu(), readout[:, k:k + 1].detach().double().cpu()).solution[:d, 0]
    if w.norm() == 0:
        raise ValueError(f"factor {factor!r} does not vary with z in these samples: no direction to find")
    return (w / w.norm()).to(z.dtype).to(z.device)


def move(z: torch.Tensor, direction: torch.Tensor, amounts) -> torch.Tensor:
    """z moved by each amount along a direction: path[i] = z + amounts[i] * direction.

    z (D,) or (N, D), direction (D,), amounts a float, list or 1-D tensor of T values -> (T, D) or (T, N, D).
    """
    if not isinstance(z, torch.Tensor) or not isinstance(direction, torch.Tensor) or z.ndim not in (1, 2) \
            or direction.shape != z.shape[-1:]:
        raise ValueError(f"move needs z (D,) or (N, D) and a direction (D,), got "
                         f"{getattr(z, 'shape', type(z).__name__)} and "
                         f"{getattr(direction, 'shape', type(direction).__name__)}")
    amounts = steps_of(amounts).to(z.device).view(-1, *[1] * z.ndim)
    return z[None] + amounts * direction


# ---- entanglement: does moving one feature move the others? ---------------------------------------------

def readout_change(before: torch.Tensor, after: torch.Tensor) -> torch.Tensor:
    """(N, K), (N, K) -> (K,) mean absolute change of each read-out over the samples."""
    return (after - before).abs().mean(dim=0)


def check_directions(directions: dict, d: int | None, who: str) -> int:
    """Check that directions is a non-empty dict name -> (d,) tensor (d=None: any one length D); returns d."""
    if not isinstance(directions, dict) or not directions:
        raise ValueError(f"{who} needs a non-empty dict of directions, name -> (D,) tensor")
    for name, direction in directions.items():
        if not isinstance(direction, torch.Tensor) or direction.ndim != 1 or d is not None and len(direction) != d:
            shape = tuple(direction.shape) if isinstance(direction, torch.Tensor) else type(direction).__name__
            expected = "(D,)" if d is None else f"({d},), the length of z"
            raise ValueError(f"{who}: direction {name!r} must be a tensor of shape {expected}, got {shape}")
        d = len(direction)
    return d


@torch.no_grad()
def edit_matrix(generate, judge, z: torch.Tensor, directions: dict, step: float = 1.0) -> torch.Tensor:
    """How much each direction moves each factor: (n_directions, K), rows in the order of `directions`.

    Every sample z (N, D) moves `step` along each direction (D,); entry [r, k] is the mean absolute change
    of the judge's read-out of factor k. A disentangled direction changes one entry of its row only.
    """
    check_noise(z, "edit_matrix")
    check_directions(directions, z.shape[1], "edit_matrix")
    check_frozen(generate, "generator")
    check_frozen(judge, "judge")
    before = read_factors(generate, judge, z)
    return torch.stack([readout_change(before, read_factors(generate, judge, z + step * direction))
                        for direction in directions.values()])


def entanglement_score(matrix: torch.Tensor, targets, factor_names=None) -> float:
    """How much the edits move the factors they should not, relative to the one they should; 0 = disentangled.

    matrix (R, K): mean absolute read-out changes, one row per edit (from edit_matrix, or rows of
    EditResult.change for classifier-gradient edits). targets: for each row, the factor it means to change
    (a column index, or a name when factor_names, the columns' names, is given).
    For row r with target t:  ratio_r = mean over k != t of matrix[r, k] / matrix[r, t];  score = mean of ratio_r.
    1 means an edit moves every other factor as much as its own. For gradient edits a ratio is the drift per
    unit of target change: edit_drift(result) / result.change[result.target].
    """
    if not isinstance(matrix, torch.Tensor) or matrix.ndim != 2 or matrix.shape[1] < 2:
        shape = tuple(matrix.shape) if isinstance(matrix, torch.Tensor) else type(matrix).__name__
        raise ValueError(f"entanglement_score needs a matrix of shape (n_edits, K) with K >= 2 factors, got {shape}")
    r, k = matrix.shape
    if isinstance(targets, str) or len(targets) != r:
        raise ValueError(f"entanglement_score needs one target per row of the matrix ({r}), got {targets!r}")
    columns = torch.tensor([factor_column(t, k, factor_names, "entanglement_score") for t in targets])
    own = matrix[torch.arange(r), columns]
    if (own <= 0).any():
        row = int((own <= 0).nonzero()[0])
        raise ValueError(f"edit {row} ({targets[row]!r}) does not change its own factor, so its entanglement is "
                         f"undefined: check the direction's sign and size")
    off_target = (matrix.sum(dim=1) - own) / (k - 1)
    return (off_target / own).mean().item()


@torch.no_grad()
def traversal(generate, start: torch.Tensor, indices, values) -> torch.Tensor:
    """A latent traversal: the image of `start` (D,) with one coordinate set to each of `values`, one row per
    index in `indices`. Returns (len(indices) * len(values), C, H, W), rows in the order of indices -- ready
    for plotting.show_sweep. A disentangled code changes one feature along each row."""
    if not isinstance(start, torch.Tensor) or start.ndim != 1:
        shape = tuple(start.shape) if isinstance(start, torch.Tensor) else type(start).__name__
        raise ValueError(f"start must be one latent vector of shape (D,), got {shape}")
    indices, values = list(indices), torch.as_tensor(values, dtype=start.dtype).flatten()
    if not indices or any(not is_int(i) or not 0 <= i < len(start) for i in indices):
        raise ValueError(f"indices must be a non-empty list of coordinates in [0, {len(start)}), got {indices}")
    if len(values) == 0:
        raise ValueError("values must hold at least one value to set the coordinate to")
    rows = start.repeat(len(indices) * len(values), 1)                                   # (R * V, D)
    for r, i in enumerate(indices):
        rows[r * len(values):(r + 1) * len(values), i] = values
    return generate(rows)


# ---- inversion: which z draws this image? -----------------------------------------------------------------
#
# A GAN maps z to an image but has no way back. To edit a real image we first need a z whose image matches
# it: "an engineering problem: find z, by optimisation or with another model". Here by optimisation: gradient
# descent on the pixel error, the generator fixed. A VAE's encoder answers in one pass; a flow's inverse exactly.

def inversion_z_dim(generator, z_dim) -> int:
    """D, the length of z: given, or the config of the generator (or of the module whose method it is)."""
    if z_dim is None:
        config = getattr(getattr(generator, "__self__", generator), "config", None)
        z_dim = getattr(config, "z_dim", None)
        if z_dim is None:
            raise ValueError("invert cannot tell the length of z from this generator: pass z_dim=D")
    if not is_int(z_dim) or z_dim < 1:
        raise ValueError(f"z_dim must be a positive int, got {z_dim!r}")
    return int(z_dim)


def invert(generator, images: torch.Tensor, steps: int = 300, *, z_dim: int | None = None, lr: float = 0.1,
           seed: int = 0) -> torch.Tensor:
    """Find a z for each image by optimisation: minimise |generator(z) - image|^2 over z with Adam.

    generator: z (N, D) -> images (N, C, H, W), in eval mode, e.g. `gan.generate` or `lambda z: gan.generate(z,
    labels)`; images: (N, C, H, W) in the generator's range; z_dim: D (default: the generator's config.z_dim).
    z starts at seeded Gaussian noise; the error is summed over the images, so each z follows its own gradient.
    Returns z (N, D). Approximate: the generator may draw no image exactly like the one given.
    """
    check_frozen(generator, "generator")
    if not isinstance(images, torch.Tensor) or images.ndim != 4:
        shape = tuple(images.shape) if isinstance(images, torch.Tensor) else type(images).__name__
        raise ValueError(f"invert needs images of shape (N, C, H, W), got {shape}")
    if not is_int(steps) or steps < 0:
        raise ValueError(f"steps must be an int >= 0 (optimiser steps), got {steps!r}")
    lr = check_real(lr, "lr", positive=True, who="invert")
    module = getattr(generator, "__self__", generator)
    device = next(module.parameters()).device if isinstance(module, torch.nn.Module) else images.device
    z = torch.randn(len(images), inversion_z_dim(generator, z_dim), generator=torch.Generator().manual_seed(seed))
    z = z.to(device).requires_grad_(True)
    target = images.to(device)
    optimizer = torch.optim.Adam([z], lr=lr)
    for _ in range(steps):
        error = ((generator(z) - target) ** 2).sum()  # summed over images: each z gets its own image's gradient
        optimizer.zero_grad(set_to_none=True)
        error.backward(inputs=[z])  # only z moves: the generator's parameters get no gradient
        optimizer.step()
    return z.detach()

"""Procedural cartoon faces whose features are known exactly: the ground truth for controllable generation.

Every face is drawn from six factors (hair colour and length, glasses, beard, smile, skin tone) plus a little
nuisance (position and size), so a model's latent directions can be checked against the factors that made the
image. Drawing is vectorised: each shape is a signed distance field over the pixel grid of a whole batch, and a
pixel's coverage `clamp(0.5 - distance_in_pixels, 0, 1)` gives anti-aliased edges for free. Layers are composited
back to front with that coverage as alpha.

The factors can be made to co-occur (bearded faces with short hair, say) with a Gaussian copula: draw correlated
standard normals, then map continuous factors through the normal CDF to [0, 1] and binary ones by `g > 0`.
"""
from __future__ import annotations

import numpy as np
import torch
from scipy.special import ndtr

from ..checks import check_int, check_seed, is_int, is_real
from .base import Factor, FactorDataset

FACE_FACTORS = (
    Factor("hair_color", "continuous"),   # 0 black -> brown -> auburn -> 1 blonde
    Factor("hair_length", "continuous"),  # 0 ends at the ears -> 1 falls past the chin
    Factor("glasses", "binary"),
    Factor("beard", "binary"),
    Factor("smile", "continuous"),        # 0 frown, 0.5 neutral, 1 broad smile
    Factor("skin_tone", "continuous"),    # 0 light -> 1 dark brown
)
FACTOR_NAMES = tuple(f.name for f in FACE_FACTORS)
SIZES = (32, 64)

MAX_SHIFT = 0.125        # face shift, in image half-widths: 2 px at 32x32
MAX_SCALE_CHANGE = 0.08  # face size, +-8%
PIXELS_PER_CHUNK = 1 << 19  # faces are drawn a few hundred at a time: the work stays in cache

# colour ramps: (stops, 3) RGB in [0, 1], interpolated piecewise linearly
HAIR_COLORS = torch.tensor([[0.07, 0.06, 0.06], [0.33, 0.19, 0.09], [0.62, 0.25, 0.08], [0.95, 0.82, 0.45]])
SKIN_TONES = torch.tensor([[1.00, 0.87, 0.76], [0.87, 0.64, 0.46], [0.62, 0.40, 0.25], [0.36, 0.22, 0.13]])
BACKGROUND = torch.tensor([0.80, 0.87, 0.93])
SHIRT = torch.tensor([0.25, 0.38, 0.55])
EYE_WHITE = torch.tensor([0.98, 0.98, 0.98])
DARK = torch.tensor([0.05, 0.05, 0.07])
LENS = torch.tensor([0.85, 0.93, 1.00])
LIPS = torch.tensor([0.60, 0.05, 0.10])
BEARD_TINT = torch.tensor([0.5, 0.42, 0.35]).view(1, 3, 1, 1)  # darker and browner than the hair


def faces(n: int, *, seed: int = 0, size: int = 32, correlations: dict | None = None) -> FactorDataset:
    """`n` random faces as a FactorDataset: images (n, 3, size, size) float32 in [-1, 1], targets (n, 6).

    targets columns follow FACE_FACTORS: continuous factors in [0, 1], binary ones 0. or 1.
    The returned dataset also has `nuisance`: (n, 3) float32 (dx, dy, scale), the face's shift in image
    half-widths (+-0.125, i.e. +-2 px at 32x32) and its size relative to the mean (0.92 to 1.08).

    correlations: None for independent factors, or a dict from a pair of factor names to a strength in (-1, 1),
    e.g. {("beard", "hair_length"): -0.8} for bearded faces that tend to have short hair. The strength is the
    correlation of the Gaussians underneath (a Gaussian copula); the correlation measured between the factors
    themselves comes out a little smaller in size.

    Same arguments, same tensors, bit for bit; the first k faces of faces(n, seed=s) are faces(k, seed=s).
    """
    n, seed = check_count(n, seed)
    size = check_size(size)
    chol = correlation_cholesky(correlations)                                  # (6, 6)
    k = len(FACE_FACTORS)
    g = np.random.default_rng(seed).standard_normal((n, k + 3))               # one row per face: prefix-stable
    targets = gaussians_to_factors(g[:, :k] @ chol.T)                          # (n, 6)
    nuisance = gaussians_to_nuisance(g[:, k:])                                 # (n, 3)
    images = render_faces(targets, size=size, nuisance=nuisance)
    data = FactorDataset(images, targets, FACE_FACTORS, name="faces")
    data.nuisance = nuisance
    return data


def render_faces(factors: torch.Tensor, *, size: int = 32, nuisance: torch.Tensor | None = None) -> torch.Tensor:
    """Draw faces with explicit factor values: (n, 6) in FACE_FACTORS order -> (n, 3, size, size) in [-1, 1].

    Values are clamped to [0, 1]; binary factors in between fade their feature in. NaN or infinite values are
    refused. Zero rows give an empty batch (0, 3, size, size), as slicing a batch of faces to nothing would.

    nuisance: (n, 3) (dx, dy, scale) as in faces(); None draws every face centred at unit scale.
    """
    size = check_size(size)
    factors, nuisance = check_render_inputs(factors, nuisance)
    if len(factors) == 0:
        return torch.empty(0, 3, size, size)
    chunk = max(1, PIXELS_PER_CHUNK // (size * size))
    return torch.cat([draw(f.clamp(0, 1), nu, size) for f, nu in zip(factors.split(chunk), nuisance.split(chunk))])


def check_count(n, seed) -> tuple[int, int]:
    """n (a positive int) and seed (an int >= 0) as Python ints."""
    return check_int(n, "n", minimum=1), check_seed(seed)


def check_size(size) -> int:
    if not is_int(size) or size not in SIZES:
        raise ValueError(f"size must be one of {SIZES}, got {size!r}")
    return int(size)


def check_render_inputs(factors, nuisance) -> tuple[torch.Tensor, torch.Tensor]:
    """factors as (n, 6) float32 with every value finite; nuisance as (n, 3) float32, finite, positive scale."""
    factors = torch.as_tensor(factors, dtype=torch.float32)
    if factors.ndim != 2 or factors.shape[1] != len(FACE_FACTORS):
        raise ValueError(f"factors must be (n, {len(FACE_FACTORS)}) in the order {FACTOR_NAMES}, "
                         f"got shape {tuple(factors.shape)}")
    for name, column in zip(FACTOR_NAMES, factors.unbind(1)):
        if not torch.isfinite(column).all():
            row = int((~torch.isfinite(column)).nonzero()[0])
            raise ValueError(f"factor {name!r} must be a finite number in [0, 1], got {column[row].item()} in row {row}")
    if nuisance is None:
        nuisance = torch.tensor([0.0, 0.0, 1.0]).expand(len(factors), 3)
    nuisance = torch.as_tensor(nuisance, dtype=torch.float32)
    if nuisance.shape != (len(factors), 3):
        raise ValueError(f"nuisance must be ({len(factors)}, 3) (dx, dy, scale), got shape {tuple(nuisance.shape)}")
    if not torch.isfinite(nuisance).all():
        raise ValueError("nuisance must hold finite numbers: found NaN or infinity")
    if (nuisance[:, 2] <= 0).any():
        raise ValueError("nuisance scale (column 2) must be positive; 1 is the mean face size")
    return factors, nuisance


def correlation_cholesky(correlations: dict | None) -> np.ndarray:
    """The lower Cholesky factor of the factors' Gaussian correlation matrix: (6, 6)."""
    if correlations is not None and not isinstance(correlations, dict):
        raise TypeError(f"correlations must be None or a dict like {{('beard', 'hair_length'): -0.8}}, "
                        f"got {type(correlations).__name__}")
    corr = np.eye(len(FACE_FACTORS))
    for pair, strength in (correlations or {}).items():
        if not (isinstance(pair, tuple) and len(pair) == 2):
            raise ValueError(f"correlations keys must be pairs of factor names like ('beard', 'hair_length'), "
                             f"got {pair!r}")
        for name in pair:
            if name not in FACTOR_NAMES:
                raise KeyError(f"unknown factor {name!r} in correlations; the factors are {', '.join(FACTOR_NAMES)}")
        i, j = FACTOR_NAMES.index(pair[0]), FACTOR_NAMES.index(pair[1])
        if i == j:
            raise ValueError(f"correlations pair {pair!r} couples {pair[0]!r} with itself; name two different factors")
        if not is_real(strength):
            raise TypeError(f"correlation strength for {pair!r} must be a number strictly between -1 and 1, "
                            f"got {type(strength).__name__} {strength!r}")
        if not -1 < strength < 1:
            raise ValueError(f"correlation strength for {pair!r} must be a number strictly between -1 and 1, "
                             f"got {type(strength).__name__} {strength!r}")
        if corr[i, j] != 0:
            raise ValueError(f"correlations name the pair {pair!r} twice; give each pair once")
        corr[i, j] = corr[j, i] = strength
    try:
        return np.linalg.cholesky(corr)
    except np.linalg.LinAlgError:
        raise ValueError(f"these correlations are not jointly possible (the correlation matrix is not positive "
                         f"definite): {correlations}; weaken some of the strengths") from None


def gaussians_to_factors(z: np.ndarray) -> torch.Tensor:
    """Standard normals (n, 6) -> factor values: continuous by the normal CDF, binary by z > 0."""
    binary = np.array([f.kind == "binary" for f in FACE_FACTORS])
    values = np.where(binary, (z > 0).astype(np.float64), ndtr(z))
    return torch.from_numpy(values.astype(np.float32))


def gaussians_to_nuisance(g: np.ndarray) -> torch.Tensor:
    """Standard normals (n, 3) -> (dx, dy, scale), each uniform in its range."""
    u = 2 * ndtr(g) - 1                                               # uniform in (-1, 1)
    nuisance = u * np.array([MAX_SHIFT, MAX_SHIFT, MAX_SCALE_CHANGE]) + np.array([0.0, 0.0, 1.0])
    return torch.from_numpy(nuisance.astype(np.float32))


def ramp(colors: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Piecewise-linear colour ramp through `colors` (stops, 3) at t in [0, 1]: (B,) -> (B, 3, 1, 1)."""
    pos = t.clamp(0, 1) * (len(colors) - 1)
    lo = pos.floor().long().clamp(max=len(colors) - 2)
    w = (pos - lo)[:, None]
    return torch.lerp(colors[lo], colors[lo + 1], w)[:, :, None, None]


# Signed distances in face coordinates: x (B, 1, W) and y (B, H, 1) broadcast to (B, H, W); shape
# parameters are floats or (B, 1, 1). Negative inside. Keeping x and y separate makes the per-axis work cheap.

def sd_circle(x, y, cx, cy, r):
    return ((x - cx) ** 2 + (y - cy) ** 2).sqrt_().sub_(r)


def sd_ring(x, y, cx, cy, r, half_thickness):
    return sd_circle(x, y, cx, cy, r).abs_().sub_(half_thickness)


def sd_ellipse(x, y, cx, cy, rx, ry):
    """Approximate distance to an ellipse, accurate near the boundary where anti-aliasing needs it."""
    px, py = (x - cx) / rx, (y - cy) / ry
    k0 = (px ** 2 + py ** 2).sqrt_()
    k1 = ((px / rx) ** 2 + (py / ry) ** 2).sqrt_().clamp_min_(1e-6)
    return (k0 - 1).mul_(k0).div_(k1)


def sd_box(x, y, cx, cy, hx, hy, r=0.0):
    """Box centred at (cx, cy) with half sizes (hx, hy) and corners rounded by r."""
    qx = (x - cx).abs_() - hx + r
    qy = (y - cy).abs_() - hy + r
    outside = (qx.clamp_min(0) ** 2 + qy.clamp_min(0) ** 2).sqrt_()
    inside = torch.maximum(qx, qy).clamp_max_(0)
    return outside.add_(inside).sub_(r)


def sd_hbar(x, y, x0, x1, cy):
    """Distance to the horizontal segment from (x0, cy) to (x1, cy)."""
    gap = x - x.clamp(x0, x1)
    return (gap ** 2 + (y - cy) ** 2).sqrt_()


def sd_arc(x, y, cy, half_width, bend):
    """Approximate distance to the parabola y = cy - bend * x^2 for |x| <= half_width (bend > 0 turns the ends up)."""
    xc = x.clamp(-half_width, half_width)                              # (B, 1, W)
    along = x - xc                                                     # beyond the ends: distance to the end point
    across = (y - (cy - bend * xc ** 2)) / (1 + (2 * bend * xc) ** 2).sqrt()  # (B, H, W) slope-corrected gap
    return across.square_().add_(along ** 2).sqrt_()


class Canvas:
    """A batch of images being painted, and the face coordinates of its pixels.

    Face coordinates: the face is centred at (0, 0), the image spans about [-1, 1] (y down); a face's nuisance
    shifts and scales its coordinates. Each layer is painted only over the pixels its bounding box can reach.
    """

    def __init__(self, nuisance: torch.Tensor, size: int):
        self.size = size
        self.shift, self.scale = nuisance[:, :2], nuisance[:, 2]
        dx, dy, scale = (c.view(-1, 1, 1) for c in nuisance.unbind(1))
        grid = (torch.arange(size, dtype=torch.float32) + 0.5) * (2 / size) - 1  # pixel centres in [-1, 1]
        self.x = (grid.view(1, 1, size) - dx) / scale                             # (B, 1, W)
        self.y = (grid.view(1, size, 1) - dy) / scale                             # (B, H, 1)
        self.to_pixels = scale * (size / 2)                                       # face units -> pixels
        self.img = BACKGROUND.view(1, 3, 1, 1).repeat(len(nuisance), 1, size, size)  # (B, 3, H, W)

    def pixels(self, lo: float, hi: float, axis: int) -> slice:
        """The pixel columns (axis 0) or rows (axis 1) that face coordinates [lo, hi] reach, plus a 2 px margin."""
        u_lo = (self.shift[:, axis] + self.scale * lo).min().item()   # image coordinates, over the whole batch
        u_hi = (self.shift[:, axis] + self.scale * hi).max().item()
        first = int(np.floor((u_lo + 1) * self.size / 2)) - 2
        last = int(np.ceil((u_hi + 1) * self.size / 2)) + 2
        return slice(min(max(first, 0), self.size), min(max(last, 0), self.size))

    def paint(self, box, color: torch.Tensor, sdf, opacity=None):
        """Composite `color` (B, 3, 1, 1) or (3,) over the pixels inside `sdf(x, y)`, a face-unit distance.

        box: (x0, x1, y0, y1), face coordinates bounding the shape; opacity: None or (B, 1, 1).
        """
        cols, rows = self.pixels(box[0], box[1], 0), self.pixels(box[2], box[3], 1)
        distance = sdf(self.x[:, :, cols], self.y[:, rows])                       # (B, h, w)
        coverage = distance.mul_(-self.to_pixels).add_(0.5).clamp_(0, 1)          # anti-aliased edge, 1 px wide
        if opacity is not None:
            coverage.mul_(opacity)
        target = self.img[:, :, rows, cols]                                       # (B, 3, h, w) view
        target.lerp_(color.view(-1, 3, 1, 1).expand_as(target), coverage.unsqueeze(1))


def draw(factors: torch.Tensor, nuisance: torch.Tensor, size: int) -> torch.Tensor:
    """One chunk: factors (B, 6), nuisance (B, 3) -> images (B, 3, size, size) in [-1, 1]."""
    hair_color, hair_length, glasses, beard, smile, skin_tone = (c.view(-1, 1, 1) for c in factors.unbind(1))
    hair = ramp(HAIR_COLORS, hair_color.flatten())                               # (B, 3, 1, 1)
    skin = ramp(SKIN_TONES, skin_tone.flatten())
    canvas = Canvas(nuisance, size)
    paint = canvas.paint

    # shoulders, then the hair that hangs behind the head: its lower edge drops from the ears to the shoulders
    paint((-0.9, 0.9, 0.8, 2.0), SHIRT, lambda x, y: sd_ellipse(x, y, 0.0, 1.32, 0.9, 0.5))
    bottom = 0.05 + 0.95 * hair_length
    half_width = 0.62 + 0.1 * hair_length
    paint((-0.72, 0.72, -0.66, 1.0), hair, lambda x, y: torch.minimum(
        sd_ellipse(x, y, 0.0, 0.02, 0.62, 0.68),
        sd_box(x, y, 0.0, (bottom - 0.1) / 2, half_width, (bottom + 0.1) / 2, 0.15)))
    paint((-0.17, 0.17, 0.55, 1.15), skin * 0.85, lambda x, y: sd_box(x, y, 0.0, 0.85, 0.17, 0.3))  # neck

    # head; beard over jaw and chin with a gap for the mouth; hair cap with a fringe
    paint((-0.52, 0.52, -0.56, 0.72), skin, lambda x, y: sd_ellipse(x, y, 0.0, 0.08, 0.52, 0.64))
    paint((-0.53, 0.53, 0.0, 0.74), BEARD_TINT * hair, lambda x, y: torch.maximum(
        torch.maximum(sd_ellipse(x, y, 0.0, 0.08, 0.53, 0.66), 0.3 - 0.2 * x.abs() - y),
        -sd_ellipse(x, y, 0.0, 0.43, 0.25, 0.09)), beard)
    paint((-0.55, 0.55, -0.62, 0.0), hair, lambda x, y: torch.maximum(
        sd_ellipse(x, y, 0.0, 0.06, 0.55, 0.68), y - (0.5 * x ** 2 - 0.22)))

    # eyes; glasses: tinted lenses in thick dark frames joined by a bridge; mouth
    for side in (-0.22, 0.22):
        paint((side - 0.1, side + 0.1, -0.07, 0.13), EYE_WHITE, lambda x, y, s=side: sd_circle(x, y, s, 0.03, 0.1))
        paint((side - 0.06, side + 0.06, -0.03, 0.09), DARK, lambda x, y, s=side: sd_circle(x, y, s, 0.03, 0.055))
        paint((side - 0.19, side + 0.19, -0.16, 0.22), LENS, lambda x, y, s=side: sd_circle(x, y, s, 0.03, 0.19),
              0.35 * glasses)
    paint((-0.47, 0.47, -0.22, 0.28), DARK, lambda x, y: torch.minimum(
        torch.minimum(sd_ring(x, y, -0.22, 0.03, 0.19, 0.055), sd_ring(x, y, 0.22, 0.03, 0.19, 0.055)),
        sd_hbar(x, y, -0.04, 0.04, 0.0) - 0.055), glasses)
    bend = 6.0 * (smile - 0.5)                        # the ends of the mouth rise (smile) or drop (frown) by 0.12
    paint((-0.25, 0.25, 0.25, 0.6), LIPS, lambda x, y: sd_arc(x, y, 0.43 + 0.02 * bend, 0.2, bend) - 0.05)
    return canvas.img * 2 - 1

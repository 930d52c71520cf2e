"""dSprites-style shapes: the standard ground for disentanglement metrics.

Every 32x32 image shows one white shape on black, fixed by five independent factors,
each an index into a grid of values (like dSprites' `latents_classes`):

  shape        3   square, ellipse, heart
  scale        6   relative size 0.5 .. 1.0
  orientation  40  angle 0 .. 2*pi (endpoint excluded)
  x, y         32  position, spread so the largest shape stays (mostly) inside

Drawing is a signed distance: for every pixel, how far (in pixels) it is outside the shape.
Rotating and moving the shape is rotating and moving the sampling grid the other way,
and the coverage clamp(0.5 - distance, 0, 1) gives a one-pixel anti-aliased edge.

The full product (737,280 images, 3 GB as float32) is never held at once: `sprites()` without `n`
returns a dataset that renders the items you index, in the dSprites order (shape slowest, y fastest).
"""
from __future__ import annotations

import math

import torch

from ..checks import check_int, check_seed
from .base import Factor, FactorDataset

SPRITE_SHAPES = ("square", "ellipse", "heart")
SPRITE_FACTORS = (
    Factor("shape", "categorical", 3),
    Factor("scale", "categorical", 6),
    Factor("orientation", "categorical", 40),
    Factor("x", "categorical", 32),
    Factor("y", "categorical", 32),
)
SIZE = 32  # image side, pixels
RADIUS = 0.2 * SIZE  # half-extent of a shape at scale 1.0, pixels
CHUNK = 4096  # sprites rendered per vectorised step: bounds memory to 16 MB per working tensor


def square(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Signed distance to an axis-aligned square of half-side 0.75."""
    qx, qy = x.abs() - 0.75, y.abs() - 0.75  # per-axis distance outside the edges
    return torch.hypot(qx.clamp(min=0), qy.clamp(min=0)) + torch.maximum(qx, qy).clamp(max=0)


def ellipse(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Signed distance (first-order estimate, exact on the edge) to an ellipse with semi-axes 1 and 0.5.

    f = |(x, 2y)| is 1 on the edge; dividing f - 1 by the length of f's gradient, |(x, 4y)| / f, turns it into a distance.
    """
    f = torch.hypot(x, 2 * y)
    return f * (f - 1) / torch.hypot(x, 4 * y).clamp(min=1e-6)


def heart(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Signed distance to a heart: a square turned 45 degrees with a disc on each upper edge.

    A square of side a turned 45 degrees spans y in [-0.707a, 0.707a]; discs of diameter a centred
    on its upper edges reach y = 0.854a and x = +-0.854a. Shifting it down by 0.073a centres it, and
    a = 1.17 makes it fit in the unit disc like the other shapes. The union is a min of distances.
    """
    a = 1.17
    x, y = x.abs(), y + 0.073 * a  # mirror-symmetric; centred vertically
    diamond = (x + y.abs() - a / math.sqrt(2)) / math.sqrt(2)  # distance to the turned square's edges
    centre = a / (2 * math.sqrt(2))  # the discs sit on the middles of the upper edges
    discs = torch.hypot(x - centre, y - centre) - a / 2
    return torch.minimum(diamond, discs)


SDFS = (square, ellipse, heart)


def check_factor_indices(factor_indices: torch.Tensor) -> None:
    """Raise a clear error unless factor_indices is an int64 (n, 5) tensor of valid sprite factor indices."""
    if not isinstance(factor_indices, torch.Tensor):
        raise TypeError(f"factor_indices must be a torch.LongTensor of shape (n, 5), got {type(factor_indices).__name__}")
    if factor_indices.dtype != torch.int64:
        raise TypeError(f"factor_indices must be int64, got {factor_indices.dtype}; convert with .long()")
    if factor_indices.ndim != 2 or factor_indices.shape[1] != len(SPRITE_FACTORS):
        raise ValueError(f"factor_indices must have shape (n, 5) (shape, scale, orientation, x, y), got {tuple(factor_indices.shape)}")
    for column, factor in zip(factor_indices.unbind(1), SPRITE_FACTORS):
        if len(column) and (column.min() < 0 or column.max() >= factor.n_values):
            raise ValueError(f"sprite factor {factor.name!r} takes indices 0..{factor.n_values - 1}, got {column.min()}..{column.max()}")


def draw(sdf, factor_indices: torch.Tensor) -> torch.Tensor:
    """Draw sprites of one shape: (n, 5) -> (n, 32, 32) in [-1, 1]."""
    _, scale, orientation, x, y = factor_indices[:, :, None, None].unbind(1)  # each (n, 1, 1)
    scale = (0.5 + 0.1 * scale) * RADIUS  # half-extent in pixels: 0.5 .. 1.0 of RADIUS
    angle = orientation * (2 * math.pi / 40)
    cos, sin = angle.cos() / scale, angle.sin() / scale  # turn by -angle, then shrink to shape units
    pixels = torch.arange(SIZE) + 0.5  # pixel centres
    dx = pixels - (x * ((SIZE - 2 * RADIUS) / 31) + RADIUS)  # (n, 1, 32) offsets from each sprite's centre
    dy = (pixels - (y * ((SIZE - 2 * RADIUS) / 31) + RADIUS)).transpose(1, 2)  # (n, 32, 1), y pointing down
    u = cos * dx + sin * dy  # (n, 32, 32) sampling grid in shape units, where the shape fits the unit disc
    v = sin * dx - cos * dy  # flipped so that v points up
    distance = sdf(u, v) * scale  # (n, 32, 32) in pixels, negative inside
    return (1 - 2 * distance).clamp_(-1, 1)  # = 2 * coverage - 1, coverage = clamp(0.5 - distance, 0, 1)


def render_chunk(factor_indices: torch.Tensor) -> torch.Tensor:
    """Draw sprites from checked factor indices: (n, 5) int64 -> (n, 1, 32, 32) float32 in [-1, 1]."""
    images = torch.empty(len(factor_indices), SIZE, SIZE)
    for s, sdf in enumerate(SDFS):  # one vectorised pass per shape
        mine = torch.nonzero(factor_indices[:, 0] == s).flatten()
        if len(mine):
            images[mine] = draw(sdf, factor_indices[mine])
    return images[:, None]  # (n, 1, 32, 32)


def render_sprites(factor_indices: torch.Tensor) -> torch.Tensor:
    """Draw sprites from their factor indices: (n, 5) int64 -> (n, 1, 32, 32) float32, background -1, shape +1."""
    check_factor_indices(factor_indices)
    if len(factor_indices) == 0:
        return torch.empty(0, 1, SIZE, SIZE)
    return torch.cat([render_chunk(chunk) for chunk in factor_indices.split(CHUNK)])


def all_factor_indices() -> torch.Tensor:
    """Every factor combination in the dSprites order, shape slowest and y fastest: (737280, 5) int64."""
    return torch.cartesian_prod(*(torch.arange(f.n_values) for f in SPRITE_FACTORS))


def random_factor_indices(n: int, seed: int) -> torch.Tensor:
    """n factor combinations, each factor drawn uniformly and independently: (n, 5) int64."""
    generator = torch.Generator().manual_seed(seed)
    return torch.stack([torch.randint(f.n_values, (n,), generator=generator) for f in SPRITE_FACTORS], dim=1)


class SpriteImages:
    """A tensor-like stand-in for (N, 1, 32, 32) images that renders only the items you index.

    images[i] -> (1, 32, 32); images[a:b], images[index_tensor], images[list] -> (k, 1, 32, 32).
    """

    ndim = 4
    dtype = torch.float32

    def __init__(self, factor_indices: torch.Tensor):
        self.factor_indices = factor_indices  # (N, 5)

    @property
    def shape(self) -> torch.Size:
        return torch.Size((len(self.factor_indices), 1, SIZE, SIZE))

    def __len__(self) -> int:
        return len(self.factor_indices)

    def __getitem__(self, index):
        if isinstance(index, tuple):
            raise IndexError("lazy sprite images index along the first axis only: render the items first, "
                             "e.g. images[a:b][:, 0], instead of images[a:b, 0]")
        chosen = self.factor_indices[index]  # (5,) for an int, else (k, 5)
        images = render_sprites(chosen.reshape(-1, 5))
        return images[0] if chosen.ndim == 1 else images

    def __repr__(self) -> str:
        return f"SpriteImages({len(self)} lazily rendered images of shape (1, {SIZE}, {SIZE}))"


class SpritesDataset(FactorDataset):
    """Sprites with their factor indices as targets: (N, 5) int64 in the column order of SPRITE_FACTORS.

    lazy=False renders every image now (images is a tensor); lazy=True renders items when indexed
    (images is a SpriteImages view), so even the full product costs only its 29 MB of targets.
    """

    def __init__(self, factor_indices: torch.Tensor, *, lazy: bool, name: str = "sprites"):
        check_factor_indices(factor_indices)
        images = SpriteImages(factor_indices) if lazy else render_sprites(factor_indices)
        super().__init__(images, factor_indices, SPRITE_FACTORS, name=name)

    def render(self, indices) -> torch.Tensor:
        """Draw items by dataset index (an int, slice, list or LongTensor) as a batch: (k, 1, 32, 32)."""
        return render_sprites(self.targets[indices].reshape(-1, 5))


def sprites(n: int | None = None, *, seed: int = 0) -> SpritesDataset:
    """dSprites-style 32x32 grayscale shapes with their five factor indices as targets.

    n:    how many random factor combinations to draw and render now (uniform, seeded, repeatable);
          None gives the full product, 3*6*40*32*32 = 737,280 items in the dSprites order, rendered on access.
    seed: seeds the draw when n is given (no global random state is touched).
    """
    seed = check_seed(seed, "sprites")
    if n is None:
        return SpritesDataset(all_factor_indices(), lazy=True)
    n = check_int(n, "n", minimum=1, who="sprites", hint="or None for all 737,280")
    return SpritesDataset(random_factor_indices(n, seed), lazy=False)

"""Gated PixelCNN: an autoregressive model of images, one pixel at a time (lecture: alternatives to GANs).

An autoregressive model (自回归模型) factorises an image's probability over its pixels in raster order,
    p(x) = prod_i p(x_i | x_<i),       log p(x) = sum_i log softmax(logits_i)[x_i]
like a language model over words. A gated PixelCNN (van den Oord et al., 2016, arXiv:1606.05328) computes every
conditional at once with masked convolutions (gancourse.nn.masked), so training is one pass per batch and the
likelihood is exact: no bound, no encoder. Each pixel gets a 256-way softmax over its 8-bit value, so a
background pixel that is exactly 0 can get nearly all the probability. Generation is sequential: pixel i needs
pixels 1 .. i-1, so a 32 x 32 image takes 1024 steps; with some pixels given ("anchor pixels") the same loop
completes the rest.
    values (N, 1, H, W) in [0, L) -> embedding (N, C, H, W) -> gated stacks (N, C, H, W) -> 1x1 conv -> (N, L, H, W)
The same model with L = K models a VQ-VAE's map of discrete codes (models/vqvae.py).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from ..checks import check_config, check_int, config_flags, config_ints
from ..nn.masked import GatedStack


def to_values(images: torch.Tensor, levels: int = 256) -> torch.Tensor:
    """Images in [-1, 1] -> integers in [0, levels), int64: the 8-bit view of an image for levels = 256."""
    return ((images.clamp(-1, 1) + 1) * (levels - 1) / 2).round().long()


def to_images(values: torch.Tensor, levels: int = 256) -> torch.Tensor:
    """Integers in [0, levels) -> images in [-1, 1], float32 (to_values' inverse on its grid)."""
    return values.float() * 2 / (levels - 1) - 1


@dataclass(frozen=True)
class PixelCNNConfig:
    levels: int = 256  # L: the values a pixel takes; 256 for 8-bit images, K for a VQ-VAE's codes
    side: int = 32  # the height and width of what sample draws
    channels: int = 64  # feature maps in each stack
    dilations: tuple = (1, 2, 1, 4, 1, 2, 1)  # one gated layer each: dilation widens the view at no extra cost
    kernel_size: int = 3
    ordinal: bool = False  # read each value as a number in [-1, 1] (pixel intensities) instead of a learned vector
    stored_samples: int = 0  # room for samples drawn when the recipe trained, shipped with the weights (8-bit)

    def __post_init__(self):
        config_flags(self, ("ordinal",))
        config_ints(self, ("levels",), minimum=2, what="an int >= 2 (values a pixel can take)")
        config_ints(self, ("side", "channels", "kernel_size"), minimum=1, what="a positive int")
        config_ints(self, ("stored_samples",), minimum=0, what="an int >= 0")
        if self.stored_samples and self.levels != 256:
            raise ValueError("PixelCNNConfig.stored_samples keeps 8-bit images: it needs levels = 256")
        if self.kernel_size % 2 == 0:
            raise ValueError(f"PixelCNNConfig.kernel_size must be odd (a mask needs a centre), got {self.kernel_size}")
        object.__setattr__(self, "dilations", tuple(self.dilations))
        if not self.dilations or any(not isinstance(d, int) or isinstance(d, bool) or d < 1 for d in self.dilations):
            raise ValueError(f"PixelCNNConfig.dilations must be a non-empty tuple of positive ints, got {self.dilations!r}")


class PixelCNN(nn.Module):
    """A gated PixelCNN with an L-way softmax per pixel. forward(values) -> logits; log_prob(values) -> nats;
    sample(n) -> images; complete(images, known_rows) -> images; fill(values) draws every pixel marked -1."""

    Config = PixelCNNConfig

    def __init__(self, config: PixelCNNConfig | None = None):
        super().__init__()
        self.config = config = check_config(config, PixelCNNConfig, "PixelCNN")
        c = config.channels
        self.embed = None if config.ordinal else nn.Embedding(config.levels, c)  # each value its own input vector
        self.stack = GatedStack(1 if config.ordinal else c, c, config.dilations, config.kernel_size)
        self.head = nn.Sequential(nn.ELU(), nn.Conv2d(c, config.levels, 1))
        if config.stored_samples:  # drawing them takes minutes on a CPU: a notebook shows these instead
            self.register_buffer("samples", torch.zeros(config.stored_samples, 1, config.side, config.side,
                                                        dtype=torch.uint8))

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    def check(self, values: torch.Tensor, *, unknown: bool = False) -> None:
        levels, low = self.config.levels, -1 if unknown else 0
        if not isinstance(values, torch.Tensor) or values.ndim != 4 or values.shape[1] != 1:
            shape = tuple(values.shape) if isinstance(values, torch.Tensor) else type(values).__name__
            raise ValueError(f"PixelCNN reads integer values of shape (N, 1, H, W), got {shape}")
        if values.dtype.is_floating_point or values.dtype == torch.bool:
            raise ValueError(f"PixelCNN reads integer values in [0, {levels}), got {values.dtype}; "
                             f"images in [-1, 1] become values with gancourse.models.pixelcnn.to_values(images)")
        if values.numel() and (values.min() < low or values.max() >= levels):
            raise ValueError(f"PixelCNN values must lie in [{low}, {levels}), got {values.min().item()} to "
                             f"{values.max().item()}" + (" (-1 marks a pixel to draw)" if unknown else ""))

    def embedded(self, values: torch.Tensor) -> torch.Tensor:
        """values (N, 1, H, W) -> input features: (N, C, H, W), or (N, 1, H, W) in [-1, 1] when ordinal."""
        if self.config.ordinal:
            return to_images(values.to(self.device), self.config.levels)
        return self.embed(values[:, 0].to(self.device)).permute(0, 3, 1, 2)

    def forward(self, values: torch.Tensor) -> torch.Tensor:
        """values (N, 1, H, W) in [0, L) -> logits (N, L, H, W); pixel (i, j)'s logits read only the pixels before it."""
        self.check(values)
        return self.head(self.stack(self.embedded(values)))

    def log_prob(self, values: torch.Tensor) -> torch.Tensor:
        """log p(values) of each image, exact: (N, 1, H, W) -> (N,) nats."""
        # log p(x) = sum over pixels of log softmax(logits)[x_i]
        nll = F.cross_entropy(self(values), values[:, 0].to(self.device), reduction="none")  # (N, H, W)
        return -nll.sum(dim=(1, 2))

    def loss(self, values: torch.Tensor) -> dict[str, torch.Tensor]:
        """{"nll": mean negative log-likelihood in nats per dimension}; bits per dimension is nll / ln 2."""
        return {"nll": -self.log_prob(values).mean() / values[0].numel()}

    @torch.no_grad()
    def fill(self, values: torch.Tensor, *, generator: torch.Generator | None = None,
             temperature: float = 1.0) -> torch.Tensor:
        """Draw every pixel marked -1, in raster order, each from p(x_i | x_<i): (N, 1, H, W) -> (N, 1, H, W).

        Pixels already given stay as they are and condition what follows. The vertical stack sees only the rows
        above, so it runs once per row; the horizontal stack runs once per pixel, on that row alone.
        generator: a CPU torch.Generator for repeatable draws."""
        self.check(values, unknown=True)
        values = values.clone().to(self.device)
        _, _, height, width = values.shape
        for i in range(height):
            if not (values[:, :, i] < 0).any():
                continue
            above = self.embedded(values[:, :, :i + 1].clamp_min(0))  # row i itself is never read by the vertical stack
            messages = [m[:, :, i:i + 1] for m in self.stack.messages(above)]
            for j in range(width):
                todo = values[:, 0, i, j] < 0
                if not todo.any():
                    continue
                h = self.stack.rows(self.embedded(values[:, :, i:i + 1].clamp_min(0)), messages)  # (N, C, 1, W)
                logits = self.head(h[:, :, :, j:j + 1])[:, :, 0, 0] / temperature  # (N, L)
                draw = torch.multinomial(F.softmax(logits, dim=1).cpu(), 1, generator=generator)[:, 0]
                values[:, 0, i, j] = torch.where(todo, draw.to(self.device), values[:, 0, i, j])
        return values

    def sample(self, n: int, *, generator: torch.Generator | None = None) -> torch.Tensor:
        """n images drawn pixel by pixel: (n, 1, side, side) in [-1, 1] (the values' levels spread over [-1, 1])."""
        n = check_int(n, "n", minimum=1, who="PixelCNN.sample")
        side = self.config.side
        blank = torch.full((n, 1, side, side), -1, dtype=torch.long)
        return to_images(self.fill(blank, generator=generator), self.config.levels)

    def complete(self, images: torch.Tensor, known_rows: int, *, generator: torch.Generator | None = None) -> torch.Tensor:
        """Keep the top known_rows rows of each image (the anchor pixels) and draw the rest: (N, 1, H, W) in [-1, 1]."""
        known_rows = check_int(known_rows, "known_rows", minimum=0, who="PixelCNN.complete")
        values = to_values(images, self.config.levels)
        values[:, :, known_rows:] = -1
        return to_images(self.fill(values, generator=generator), self.config.levels)

    @torch.no_grad()
    def store_samples(self, images: torch.Tensor) -> None:
        """Keep images (stored_samples, 1, side, side) in [-1, 1] with the weights, as 8-bit values."""
        side = self.config.side
        if not hasattr(self, "samples") or images.shape != self.samples.shape:
            raise ValueError(f"store_samples keeps ({self.config.stored_samples}, 1, {side}, {side}) images "
                             f"(PixelCNNConfig.stored_samples), got {tuple(images.shape)}")
        self.samples.copy_(to_values(images).to(torch.uint8))

    def stored_samples(self) -> torch.Tensor:
        """The samples kept with the weights (drawn when the recipe trained): (n, 1, side, side) in [-1, 1]."""
        if not hasattr(self, "samples"):
            raise ValueError("this PixelCNN keeps no samples (PixelCNNConfig.stored_samples = 0)")
        return to_images(self.samples)

"""Plots for the notebooks: image grids and factor sweeps, each with a title and labelled axes."""
from __future__ import annotations

import matplotlib.pyplot as plt
import torch
from torchvision.utils import make_grid


def to_rgb(images: torch.Tensor, nrow: int, pad: int = 1) -> torch.Tensor:
    """(N, C, H, W) in [-1, 1] -> one (H', W', 3) picture in [0, 1] for imshow."""
    grid = make_grid(images.detach().cpu().float().clamp(-1, 1) * 0.5 + 0.5, nrow=nrow, padding=pad, pad_value=1.0)
    return grid.permute(1, 2, 0)


def show_grid(images: torch.Tensor, *, nrow: int = 8, title: str = "", ax=None, size: float = 0.6):
    """A grid of images, nrow per row. Returns the axes."""
    rows = -(-len(images) // nrow)
    if ax is None:
        _, ax = plt.subplots(figsize=(size * nrow + 0.5, size * rows + 0.6))
    ax.imshow(to_rgb(images, nrow))
    ax.set_title(title)
    ax.set_axis_off()
    return ax


def show_sweep(images: torch.Tensor, row_labels: list[str], values, *, title: str = "", xlabel: str = "value",
               size: float = 0.7):
    """Rows of images, one row per label, columns at the given values: (rows * cols, C, H, W)."""
    cols = len(values)
    _, ax = plt.subplots(figsize=(size * cols + 1.6, size * len(row_labels) + 0.8))
    picture = to_rgb(images, cols)
    ax.imshow(picture)
    h, w = picture.shape[0] / len(row_labels), picture.shape[1] / cols
    ax.set_yticks([h * (i + 0.5) for i in range(len(row_labels))], row_labels)
    ax.set_xticks([w * (j + 0.5) for j in range(cols)], [f"{v:g}" if isinstance(v, float) else str(v) for v in values])
    ax.tick_params(length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    return ax

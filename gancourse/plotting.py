"""Plots for the notebooks: image grids and factor sweeps, each with a title and labelled axes."""
from __future__ import annotations

import matplotlib.pyplot as plt
import torch


def to_rgb(images: torch.Tensor, nrow: int, pad: int = 1) -> torch.Tensor:
    """(N, C, H, W) in [-1, 1] -> one (H', W', 3) picture in [0, 1] for imshow: nrow images per row, `pad` white
    pixels between and around them (torchvision's make_grid layout, without importing torchvision, which takes
    seconds). One image comes back alone, unpadded."""
    images = images.detach().cpu().float().clamp(-1, 1) * 0.5 + 0.5
    if images.shape[1] == 1:
        images = images.expand(-1, 3, -1, -1)  # grey to RGB
    n, _, h, w = images.shape
    if n == 1:
        return images[0].permute(1, 2, 0)
    columns = min(nrow, n)
    rows = -(-n // columns)
    grid = torch.ones(3, rows * (h + pad) + pad, columns * (w + pad) + pad)
    for k, image in enumerate(images):
        top, left = (k // columns) * (h + pad) + pad, (k % columns) * (w + pad) + pad
        grid[:, top:top + h, left:left + w] = image
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


# ---- StyleGAN (notebook 05) ---------------------------------------------------------------------------------

def show_layout(model, *, title: str = "", ax=None):
    """Where each w and noise map goes, drawn from the model itself (model.layout()): the learned constant, then
    one box per style layer with its block, resolution and channels, the w index that feeds its AdaIN from
    above, and its mean learned noise scale as a bar below. Returns the axes."""
    layout = model.layout()
    if ax is None:
        _, ax = plt.subplots(figsize=(1.35 * (len(layout) + 2), 3.2))
    largest = max(max(row["noise_scale"] for row in layout), 1e-12)
    boxes = [("constant", f"{model.average.synthesis.input.constant.shape[1]} x 4x4", None)]
    boxes += [(f"layer {row['layer']}", f"block {row['block']}\n{row['resolution']}x{row['resolution']}, "
               f"{row['channels']} ch", row) for row in layout]
    boxes += [("to RGB", f"{model.config.channels} x {layout[-1]['resolution']}x{layout[-1]['resolution']}", None)]
    for x, (name, text, row) in enumerate(boxes):
        ax.add_patch(plt.Rectangle((x + 0.08, 0.35), 0.84, 0.9, facecolor="#dbe6f7" if row else "#eeeeee",
                                   edgecolor="black"))
        ax.text(x + 0.5, 0.95, name, ha="center", va="center", fontsize=8, weight="bold")
        ax.text(x + 0.5, 0.62, text, ha="center", va="center", fontsize=7)
        if x:
            ax.annotate("", (x + 0.08, 0.8), (x - 0.08, 0.8), arrowprops={"arrowstyle": "->"})
        if row:
            ax.annotate(f"w[{row['w_index']}]", (x + 0.5, 1.25), (x + 0.5, 1.6), ha="center", fontsize=8,
                        arrowprops={"arrowstyle": "->", "color": "#4a7bd0"}, color="#4a7bd0")
            ax.add_patch(plt.Rectangle((x + 0.2, 0.05), 0.6 * row["noise_scale"] / largest, 0.15, color="#d07b4a"))
            ax.text(x + 0.5, -0.1, f"noise {row['noise_scale']:.3f}", ha="center", va="center", fontsize=7)
    ax.set_xlim(0, len(boxes))
    ax.set_ylim(-0.25, 1.75)
    ax.set_axis_off()
    ax.set_title(title or "Which w goes where: w feeds every layer's AdaIN (blue); bars: mean |learned noise scale|")
    return ax


def show_channel_stats(stages: dict, *, image: int = 0, title: str = ""):
    """Each channel's mean and standard deviation over the pixels of one image, at each stage of a feature map:
    stages {name: (N, C, H, W)}, one line per stage. Returns the two axes (mean, std)."""
    from .nn.style import channel_stats

    _, axes = plt.subplots(1, 2, figsize=(11, 2.8))
    for name, x in stages.items():
        mean, std = channel_stats(x.detach().cpu())
        axes[0].plot(mean[image], "o-", ms=3, label=name)
        axes[1].plot(std[image], "o-", ms=3, label=name)
    for ax, what in zip(axes, ("mean", "standard deviation")):
        ax.set_xlabel("channel")
        ax.set_ylabel(f"per-channel {what}")
        ax.set_title(f"{title}: {what}" if title else f"per-channel {what}")
    axes[1].legend(fontsize=8)
    return axes


@torch.no_grad()
def show_mixing_grid(model, z1: torch.Tensor, z2: torch.Tensor, crossovers: dict, *, title: str = "",
                     noise="fixed", size: float = 0.7):
    """The style-mixing figure of the StyleGAN paper: w2's faces across the top (from z2 (B, z_dim)), w1's down
    the side (from z1 (A, z_dim)); one band of A rows per crossover {label: crossover}, each cell the mix that takes
    w1 in the layers before the crossover and w2 from it on. Returns the axes."""
    from .models.stylegan import mixed_ws

    w1, w2 = model.mapping(z1), model.mapping(z2)                                       # (A, w_dim), (B, w_dim)
    first, second = model.synthesize(w1, noise).cpu(), model.synthesize(w2, noise).cpu()
    blank = torch.ones_like(second[:1])
    rows, labels = [torch.cat([blank, second])], ["w2 →"]
    for label, crossover in crossovers.items():
        for a in range(len(z1)):
            mixed = model.synthesize(mixed_ws(w1[a:a + 1].expand(len(w2), -1), w2, crossover, model.n_ws), noise)
            rows.append(torch.cat([first[a:a + 1], mixed.cpu()]))
            labels.append(f"{label} (c={crossover})" if a == 0 else "")
    return show_sweep(torch.cat(rows), labels, ["w1 ↓"] + [f"w2 #{b}" for b in range(len(z2))], title=title,
                      xlabel="source of w2 (top row); each row: w1's face, then the mixes", size=size)

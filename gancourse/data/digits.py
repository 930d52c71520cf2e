"""Real handwriting that needs no download: scikit-learn's 1,797 bundled 8x8 digit scans, made MNIST-sized.

Each scan (ink 0..16) is upsampled to 24x24 and padded with 4 px of background to 32x32, the margin
MNIST digits have, then mapped to [-1, 1] with background -1. The dataset comes in a seeded shuffled
order.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from .base import Factor, FactorDataset, check_seed

DIGIT_FACTORS = (Factor("digit", "categorical", 10),)


def to_mnist_size(scans: torch.Tensor) -> torch.Tensor:
    """(N, 8, 8) ink 0..16 -> (N, 1, 32, 32) in [-1, 1]: a 24x24 digit inside a 4 px margin."""
    ink = scans[:, None] / 16  # (N, 1, 8, 8) in [0, 1]
    ink = F.interpolate(ink, size=(24, 24), mode="bilinear", antialias=True, align_corners=False)
    ink = F.pad(ink.clamp(0, 1), (4, 4, 4, 4))  # (N, 1, 32, 32), margin = no ink
    return 2 * ink - 1


def digits(*, seed: int = 0) -> FactorDataset:
    """scikit-learn's handwritten digits as 32x32 grayscale in [-1, 1]; targets (1797,) int64 class labels.

    seed: the order of the items (a seeded shuffle), so slicing gives a repeatable split.
    """
    seed = check_seed(seed, "digits")
    from sklearn.datasets import load_digits  # here: scikit-learn takes a second or two to import

    scans = load_digits()
    images = to_mnist_size(torch.as_tensor(scans.images, dtype=torch.float32))  # (1797, 1, 32, 32)
    labels = torch.as_tensor(scans.target, dtype=torch.int64)  # (1797,)
    order = torch.randperm(len(labels), generator=torch.Generator().manual_seed(seed))
    return FactorDataset(images[order], labels[order], DIGIT_FACTORS, name="digits")


def digit_bytes(images: torch.Tensor) -> torch.Tensor:
    """The digits as 8-bit images, the view likelihood models score: (N, 1, 32, 32) in [-1, 1] -> uint8 in [0, 255].

    Each pixel is rounded to the nearest of 256 levels (148 of them occur; 64% of pixels are exactly 0). The GANs
    train on the [-1, 1] floats themselves; `images / 127.5 - 1` brings the bytes back to that range."""
    if not isinstance(images, torch.Tensor) or not images.is_floating_point():
        raise ValueError(f"digit_bytes takes float images in [-1, 1], got {type(images).__name__}")
    return ((images.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)

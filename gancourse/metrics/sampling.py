"""What a sample costs and how sharp it is (lecture: alternatives to GANs, notebook 06).

sharpness      the mean absolute difference between neighbouring pixels, across and down: a blurred image has
               small steps everywhere, so a VAE's averaged samples score lower than real digits or a GAN's
ms_per_image   wall-clock milliseconds per image of a sampler on one CPU thread, the best of a few repeats (noise
               on a shared CPU only ever adds time)
"""
from __future__ import annotations

import time

import torch

from ..checks import check_int
from ..runtime import torch_threads


def sharpness(images: torch.Tensor) -> float:
    """Mean |x[i, j+1] - x[i, j]| and |x[i+1, j] - x[i, j]| over images (N, C, H, W) in [-1, 1], in that scale."""
    if not isinstance(images, torch.Tensor) or images.ndim != 4 or images.shape[2] < 2 or images.shape[3] < 2:
        shape = tuple(images.shape) if isinstance(images, torch.Tensor) else type(images).__name__
        raise ValueError(f"sharpness takes images (N, C, H, W) of at least 2 x 2 pixels, got {shape}")
    images = images.detach().float()
    across = (images[..., :, 1:] - images[..., :, :-1]).abs().mean()
    down = (images[..., 1:, :] - images[..., :-1, :]).abs().mean()
    return ((across + down) / 2).item()


@torch.no_grad()
def ms_per_image(sample, n: int, *, repeats: int = 3, threads: int = 1) -> float:
    """Milliseconds per image of sample(n) -> n images: the fastest of `repeats` timed calls, divided by n, on
    `threads` CPU threads (one by default, so that timings compare across machines with any number of cores)."""
    n = check_int(n, "n", minimum=1, who="ms_per_image")
    repeats = check_int(repeats, "repeats", minimum=1, who="ms_per_image")
    best = float("inf")
    with torch_threads(threads):
        for _ in range(repeats):
            start = time.perf_counter()
            sample(n)
            best = min(best, time.perf_counter() - start)
    return 1000 * best / n


__all__ = ["sharpness", "ms_per_image"]

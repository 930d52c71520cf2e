"""Where tensors live and how runs are seeded: shared by training, notebooks and the CLI."""
from __future__ import annotations

import random
from contextlib import contextmanager

import numpy as np
import torch

from .checks import check_int, check_seed


def default_device() -> torch.device:
    """CUDA when a GPU is present, else the CPU."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and torch (CPU and CUDA) so a run repeats. seed: an int in [0, 2**64), numpy's too."""
    seed = check_seed(seed, "seed_everything")
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


@contextmanager
def torch_threads(n: int):
    """torch on n CPU threads inside the block, then as before. A run's result depends on its thread count, and
    work too small to share (one image, one timed sample) runs faster and steadier on one thread."""
    n = check_int(n, "n", minimum=1, who="torch_threads")
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)

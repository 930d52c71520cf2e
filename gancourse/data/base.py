"""The one dataset type every course dataset returns: images plus named ground-truth factors."""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch.utils.data import Dataset

from ..checks import check_seed, is_int, is_real


@dataclass(frozen=True)
class Factor:
    """One named ground-truth factor of a dataset.

    kind:
      "continuous"  -- a float in [0, 1]           (faces: hair color, smile, ...)
      "binary"      -- 0 or 1                      (faces: glasses, beard; CelebA attributes)
      "categorical" -- an integer in [0, n_values) (digit class, sprite shape, sprite x index, ...)
    """

    name: str
    kind: str
    n_values: int | None = None  # categorical only: how many values the factor takes

    def __post_init__(self):
        if self.kind not in ("continuous", "binary", "categorical"):
            raise ValueError(f"Factor {self.name!r}: kind must be continuous, binary or categorical, got {self.kind!r}")
        if self.kind == "categorical" and not (is_int(self.n_values) and self.n_values >= 1):
            raise ValueError(f"Factor {self.name!r}: a categorical factor needs n_values, a positive int, "
                             f"got {self.n_values!r}")
        if self.kind == "categorical":
            object.__setattr__(self, "n_values", int(self.n_values))  # frozen: numpy ints stored as Python ints


class FactorDataset(Dataset):
    """Images in [-1, 1] with their ground-truth factors.

    images:  (N, C, H, W) float32 in [-1, 1]
    targets: (N,) int64 for a single categorical factor (a class label), else (N, K), one column per factor
    factors: the K named factors, in column order

    Item i is (images[i], targets[i]).
    """

    def __init__(self, images: torch.Tensor, targets: torch.Tensor, factors: tuple[Factor, ...], *, name: str):
        if images.ndim != 4:
            raise ValueError(f"{name}: images must be (N, C, H, W), got shape {tuple(images.shape)}")
        if len(images) != len(targets):
            raise ValueError(f"{name}: {len(images)} images but {len(targets)} targets")
        expected = 1 if targets.ndim == 1 else targets.shape[1]
        if expected != len(factors):
            raise ValueError(f"{name}: targets have {expected} columns but {len(factors)} factors are named")
        self.images = images
        self.targets = targets
        self.factors = tuple(factors)
        self.name = name

    @property
    def factor_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.factors)

    @property
    def image_shape(self) -> tuple[int, int, int]:
        return tuple(self.images.shape[1:])

    def factor(self, name: str) -> torch.Tensor:
        """The column of one factor, by name: (N,)."""
        if name not in self.factor_names:
            raise KeyError(f"{self.name} has no factor {name!r}; its factors are {', '.join(self.factor_names)}")
        return self.targets if self.targets.ndim == 1 else self.targets[:, self.factor_names.index(name)]

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, i):
        return self.images[i], self.targets[i]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name}: {len(self)} images of shape {self.image_shape}, factors {self.factor_names})"


def held_out_indices(targets: torch.Tensor, held_out: float, generator: torch.Generator) -> torch.Tensor:
    """Which items to hold out: the same fraction of every class (rows of 1-D class labels), else of all."""
    groups = [torch.nonzero(targets == c).flatten() for c in targets.unique()] if targets.ndim == 1 \
        else [torch.arange(len(targets))]
    chosen = []
    for group in groups:
        shuffled = group[torch.randperm(len(group), generator=generator)]
        chosen.append(shuffled[:round(held_out * len(group))])
    return torch.cat(chosen)


def split_dataset(dataset: FactorDataset, held_out: float = 0.2, *, seed: int = 0) -> tuple[FactorDataset, FactorDataset]:
    """Cut a dataset into (train, held_out), disjoint, each keeping the dataset's order.

    Class-labelled datasets (1-D targets) are split per class, so both parts keep the class balance;
    held_out is the fraction of each class (rounded) that goes to the held-out part.
    """
    if not isinstance(dataset, FactorDataset):
        raise TypeError(f"split_dataset: dataset must be a FactorDataset, got {type(dataset).__name__}")
    if not is_real(held_out) or not 0 < held_out < 1:
        raise ValueError(f"split_dataset: held_out must be a fraction between 0 and 1 (exclusive), got {held_out!r}")
    seed = check_seed(seed, "split_dataset")
    is_held_out = torch.zeros(len(dataset), dtype=torch.bool)
    is_held_out[held_out_indices(dataset.targets, held_out, torch.Generator().manual_seed(seed))] = True
    if is_held_out.all() or not is_held_out.any():
        raise ValueError(f"split_dataset: holding out {held_out} of {len(dataset)} items leaves one part empty; "
                         "use a fraction nearer 0.5 or a bigger dataset")
    train, test = torch.nonzero(~is_held_out).flatten(), torch.nonzero(is_held_out).flatten()
    return (FactorDataset(dataset.images[train], dataset.targets[train], dataset.factors, name=f"{dataset.name} train"),
            FactorDataset(dataset.images[test], dataset.targets[test], dataset.factors, name=f"{dataset.name} held-out"))

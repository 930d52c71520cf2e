"""Conditioning on a class (lecture: conditional generation).

The generator gets the class as a one-hot vector concatenated with the noise vector z:
    z (N, z_dim) ++ one_hot(label) (N, n_classes) -> (N, z_dim + n_classes)
The discriminator gets it as one-hot matrices: one H x W channel per class, all zeros except the
channel of the class, which is all ones, stacked onto the image channels:
    image (N, C, H, W) ++ one_hot_matrices (N, n_classes, H, W) -> (N, C + n_classes, H, W)
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from ..checks import is_int


def check_labels(labels: torch.Tensor, n_classes: int) -> None:
    """Labels must be an integer tensor of class indices in [0, n_classes), n_classes a positive int."""
    if not isinstance(labels, torch.Tensor):
        raise TypeError(f"labels must be a torch.Tensor of class indices, got {type(labels).__name__}")
    if labels.dtype.is_floating_point or labels.dtype == torch.bool:
        raise TypeError(f"labels must be integers (torch.long), got {labels.dtype}; use labels.long() "
                        f"if they are whole numbers stored as floats")
    if not is_int(n_classes) or n_classes < 1:
        raise ValueError(f"n_classes must be a positive int, got {n_classes!r}")
    if labels.numel() and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(f"labels must lie in [0, {n_classes}), got values from {labels.min().item()} "
                         f"to {labels.max().item()}")


def get_one_hot_labels(labels: torch.Tensor, n_classes: int) -> torch.Tensor:
    """One-hot vectors for integer labels: (N,) int64 -> (N, n_classes) float32 (the course's function)."""
    check_labels(labels, n_classes)
    return F.one_hot(labels.long(), int(n_classes)).float()


def check_combinable(x: torch.Tensor, y: torch.Tensor) -> None:
    """Two tensors that match in every dim but dim 1."""
    if not isinstance(x, torch.Tensor) or not isinstance(y, torch.Tensor):
        raise TypeError("combine_vectors takes two torch.Tensors")
    if x.ndim < 2 or x.ndim != y.ndim or x.shape[0] != y.shape[0] or x.shape[2:] != y.shape[2:]:
        raise ValueError(f"combine_vectors needs tensors that match in every dim but dim 1, "
                         f"got {tuple(x.shape)} and {tuple(y.shape)}")


def combine_vectors(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Concatenate along dim 1 as float: (N, a, ...) and (N, b, ...) -> (N, a + b, ...) (the course's function)."""
    check_combinable(x, y)
    return torch.cat([x.float(), y.float()], dim=1)


def check_dimensions(z_dim: int, image_shape: tuple, n_classes: int) -> None:
    """z_dim, n_classes and the image's channels C must be positive ints; image_shape (C, H, W)."""
    if not isinstance(image_shape, (tuple, list, torch.Size)) or len(image_shape) != 3:
        raise ValueError(f"image_shape must be (C, H, W), got {image_shape!r}")
    for name, value in (("z_dim", z_dim), ("n_classes", n_classes), ("channels", image_shape[0])):
        if not is_int(value) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")


def get_input_dimensions(z_dim: int, image_shape: tuple, n_classes: int) -> tuple[int, int]:
    """(generator input size, discriminator image channels) for conditioning on n_classes (the course's function).

    generator_input_dim = z_dim + n_classes     (noise ++ one-hot vector)
    discriminator_im_chan = C + n_classes       (image channels ++ one-hot matrices)
    """
    check_dimensions(z_dim, image_shape, n_classes)
    return int(z_dim + n_classes), int(image_shape[0] + n_classes)


def one_hot_matrices(one_hot: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """Spread one-hot (or multi-hot) vectors into constant channels: (N, K) -> (N, K, height, width)."""
    return one_hot[:, :, None, None].expand(-1, -1, height, width)


def factor_codes(targets: torch.Tensor, factors, *, buckets: int | None = None) -> torch.Tensor:
    """Labelled factor values as codes for the noise vector (lecture: supervised disentanglement).

    targets (N, K) factor values, factors the K `data.Factor`s they belong to -> codes (N, K) float:
    binary factors as -1 / +1, continuous ones as their values in [0, 1]. With `buckets`, each continuous
    value is coarsened to the centre of its bucket among `buckets` equal ones: the cheaper labels a person
    can give by eye ("short, medium, long hair") instead of an exact number.
    """
    if not isinstance(targets, torch.Tensor) or targets.ndim != 2 or targets.shape[1] != len(factors):
        shape = tuple(targets.shape) if isinstance(targets, torch.Tensor) else type(targets).__name__
        raise ValueError(f"targets must be factor values of shape (N, {len(factors)}), one column per factor, got {shape}")
    kinds = [f.kind for f in factors]
    if "categorical" in kinds:
        raise ValueError("factor_codes takes binary and continuous factors; give a categorical one a one-hot vector")
    if buckets is not None and (not is_int(buckets) or buckets < 2):
        raise ValueError(f"buckets must be an int >= 2 (or None for exact values), got {buckets!r}")
    binary = torch.tensor([k == "binary" for k in kinds])
    values = targets.float()
    if buckets:
        values = ((values * buckets).floor().clamp(0, buckets - 1) + 0.5) / buckets
    return torch.where(binary, 2 * targets.float() - 1, values)

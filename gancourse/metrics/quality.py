"""Sample quality, measured with a judge.

conditional accuracy  does the judge see the class we asked for?
Fréchet distance      how far apart are two image sets in the judge's feature space?
                      Fit a Gaussian to each set's features (mean mu, covariance S); then
                      FD = |mu_a - mu_b|^2 + tr(S_a + S_b - 2 (S_a S_b)^(1/2)).
                      FID is this with Inception features; we use our judge's, which know the data.
"""
from __future__ import annotations

import numpy as np
import torch
from scipy import linalg


@torch.no_grad()
def batched(fn, images: torch.Tensor, device: torch.device, batch_size: int = 512) -> torch.Tensor:
    """fn applied to images in batches on `device`; the result comes back on the CPU."""
    return torch.cat([fn(images[i:i + batch_size].to(device)).cpu() for i in range(0, len(images), batch_size)])


def device_of(module: torch.nn.Module) -> torch.device:
    return next(module.parameters()).device


def judge_features(judge, images: torch.Tensor) -> torch.Tensor:
    """The judge's feature vectors (N, D) for images (N, C, H, W)."""
    return batched(judge.features, images, device_of(judge))


def frechet_distance(features_a, features_b) -> float:
    """Fréchet distance between Gaussians fitted to two feature sets (N_a, D) and (N_b, D)."""
    a = np.asarray(features_a, dtype=np.float64)
    b = np.asarray(features_b, dtype=np.float64)
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1]:
        raise ValueError(f"frechet_distance needs two (N, D) feature sets of the same D, got {a.shape} and {b.shape}")
    if min(len(a), len(b)) < 2:
        raise ValueError("frechet_distance needs at least 2 samples in each set")
    mu_a, mu_b = a.mean(0), b.mean(0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    return float(((mu_a - mu_b) ** 2).sum() + np.trace(cov_a) + np.trace(cov_b) - 2 * trace_sqrt_product(cov_a, cov_b))


def trace_sqrt_product(cov_a: np.ndarray, cov_b: np.ndarray) -> float:
    """tr((S_a S_b)^(1/2)) for covariance matrices, computed stably.

    S_a S_b has the eigenvalues of the symmetric S_a^(1/2) S_b S_a^(1/2), so the trace of its square root
    is the sum of the square roots of those eigenvalues (clipped at 0: judges have dead features).
    """
    vals, vecs = linalg.eigh(cov_a)
    root_a = (vecs * np.sqrt(np.clip(vals, 0, None))) @ vecs.T
    return float(np.sqrt(np.clip(linalg.eigvalsh(root_a @ cov_b @ root_a), 0, None)).sum())


def judge_frechet_distance(judge, images_a: torch.Tensor, images_b: torch.Tensor) -> float:
    """Fréchet distance between two image sets in the judge's features."""
    return frechet_distance(judge_features(judge, images_a), judge_features(judge, images_b))


def conditional_accuracy(judge, images: torch.Tensor, labels: torch.Tensor, n_classes: int | None = None) -> dict:
    """Share of images the judge classifies as their requested label: overall and for each class.

    images: (N, C, H, W); labels: (N,) int64 requested classes.
    Returns {"accuracy": float, "per_class": [float per class], "worst_class": float}.
    """
    labels = torch.as_tensor(labels)
    if labels.ndim != 1 or len(labels) != len(images):
        raise ValueError(f"conditional_accuracy needs one label per image, got labels {tuple(labels.shape)} "
                         f"for {len(images)} images")
    predicted = batched(judge, images, device_of(judge)).argmax(dim=1)
    n_classes = n_classes or int(labels.max()) + 1
    hits = (predicted == labels.cpu()).float()
    per_class = [hits[labels == c].mean().item() if (labels == c).any() else float("nan") for c in range(n_classes)]
    return {"accuracy": hits.mean().item(), "per_class": per_class, "worst_class": float(np.nanmin(per_class))}


def attribute_agreement(judge, images: torch.Tensor, requested: torch.Tensor, names: list[str]) -> dict:
    """For binary attributes (e.g. glasses, beard): share of images where the judge sees what was requested.

    requested: (N, len(names)) in {0, 1}. Returns {name: accuracy, ..., "all": share with every attribute right}.
    """
    read = batched(judge.read, images, device_of(judge))
    columns = [judge.factor_names.index(n) for n in names]
    seen = read[:, columns] > 0.5
    right = seen == requested.bool().cpu()
    return {**{n: right[:, i].float().mean().item() for i, n in enumerate(names)}, "all": right.all(1).float().mean().item()}

"""Sample quality, measured with a judge.

conditional accuracy  does the judge see the class we asked for?
Fréchet distance      how far apart are two image sets in the judge's feature space?
                      Fit a Gaussian to each set's features (mean mu, covariance S); then
                      FD = |mu_a - mu_b|^2 + tr(S_a + S_b - 2 (S_a S_b)^(1/2)).
                      FID is this with Inception features; we use our judge's, which know the data.
precision, recall     fidelity and diversity apart: the share of generated samples that fall on the real data's
                      k-NN manifold, and the share of real samples on the generated one (density and coverage:
                      the same question asked of the real samples' balls alone)
"""
from __future__ import annotations

import numbers

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


# ---- precision and recall: fidelity and diversity, separately -------------------------------------------------

def knn_radii(features: torch.Tensor, k: int) -> torch.Tensor:
    """Distance from each row of features (N, D) to its k-th nearest other row: (N,)."""
    distances = torch.cdist(features, features)  # (N, N), 0 on the diagonal
    return distances.kthvalue(k + 1, dim=1).values  # k + 1: the nearest row is the point itself


def inside_balls(points: torch.Tensor, centres: torch.Tensor, radii: torch.Tensor, batch: int = 1024) -> torch.Tensor:
    """For each point (M, D), how many balls (centres (N, D), radii (N,)) hold it: (M,) int64."""
    return torch.cat([(torch.cdist(part, centres) <= radii[None]).sum(1) for part in points.split(batch)])


def check_feature_sets(real, fake, k: int, who: str) -> tuple[torch.Tensor, torch.Tensor]:
    real, fake = (torch.as_tensor(np.asarray(x), dtype=torch.float64) for x in (real, fake))
    if real.ndim != 2 or fake.ndim != 2 or real.shape[1] != fake.shape[1]:
        raise ValueError(f"{who} needs two (N, D) feature sets of the same D, got {tuple(real.shape)} and "
                         f"{tuple(fake.shape)}")
    if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 1:
        raise ValueError(f"{who}: k must be a positive integer (neighbours), got {k!r}")
    if min(len(real), len(fake)) <= k:
        raise ValueError(f"{who}: each set needs more than k = {k} samples, got {len(real)} real and {len(fake)} "
                         f"generated")
    if not (torch.isfinite(real).all() and torch.isfinite(fake).all()):
        raise ValueError(f"{who}: the features hold NaN or infinity")
    return real, fake


def precision_recall(real, fake, k: int = 3) -> dict:
    """Improved precision and recall (Kynkäänniemi et al., 2019) of generated features fake (M, D) against real
    features (N, D). The Fréchet distance mixes two questions; these ask them apart. Around every real sample a ball
    reaches its k-th nearest real neighbour, and their union is the real data's manifold.

    precision  share of fake samples inside some real sample's k-NN ball ("how many samples look real")
    recall     share of real samples inside some fake sample's k-NN ball ("how much of the real variety is covered")
    """
    real, fake = check_feature_sets(real, fake, k, "precision_recall")
    precision = (inside_balls(fake, real, knn_radii(real, k)) > 0).double().mean().item()
    recall = (inside_balls(real, fake, knn_radii(fake, k)) > 0).double().mean().item()
    return {"precision": precision, "recall": recall}


def density_coverage(real, fake, k: int = 5) -> dict:
    """Density and coverage (Naeem et al., 2020) of fake features (M, D) against real features (N, D), from the
    real samples' k-NN balls alone (the paper's k = 5), so a few outlying fakes cannot inflate them.

    density   1/(k M) sum_j #{real balls holding fake j}: about 1 for matching sets, and can exceed 1
    coverage  share of real balls that hold at least one fake sample
    """
    real, fake = check_feature_sets(real, fake, k, "density_coverage")
    radii = knn_radii(real, k)
    density = inside_balls(fake, real, radii).double().sum().item() / (k * len(fake))
    held = torch.zeros(len(real), dtype=torch.bool)
    for part in fake.split(1024):
        held |= (torch.cdist(part, real) <= radii[None]).any(0)
    return {"density": density, "coverage": held.double().mean().item()}


def judge_precision_recall(judge, fake: torch.Tensor, real: torch.Tensor, k: int = 3) -> dict:
    """Precision, recall (k-NN with k), density and coverage (k = 5) of generated images against real ones, in
    the judge's features: {"precision", "recall", "density", "coverage"}."""
    return feature_precision_recall(judge_features(judge, real), judge_features(judge, fake), k)


def feature_precision_recall(real_features, fake_features, k: int = 3) -> dict:
    """judge_precision_recall on feature sets already computed: real (N, D), fake (M, D)."""
    return {**precision_recall(real_features, fake_features, k), **density_coverage(real_features, fake_features)}

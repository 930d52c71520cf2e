"""Latent spaces measured: is W less entangled than Z, and what does each input of a style-based generator control?

path length     perceptual path length (Karras et al., 2019): walk a tiny step eps between two latents and
                measure how far the image moves, as a distance in a network's features (LPIPS in the paper, the
                face judge's features here):  l = E[ d(G(p(t)), G(p(t + eps))) / eps^2 ],  t ~ U(0, 1),
                p = slerp between two z in Z, lerp between two w in W. An entangled space takes sharp turns
                between images, which shows as a long path. Steps outside the 1st-99th percentiles are dropped.
separability    linear separability: label each generated image's factor by the judge (keeping the half it is
                most sure of), fit a linear SVM from the latent to that label, and measure the conditional
                entropy H(Y | X) (nats) of the label given the side of the SVM's plane the latent is on. 0: one
                plane splits the factor perfectly. Score: exp(sum over factors of H).
inheritance     style mixing read by the judge: for each crossover and factor, the share of the factor's change
                from w1's image to w2's that the mixed image takes (0: all from w1, 1: all from w2).
noise spread    how much resampled noise moves each factor, against its spread across different w.
truncation      precision and recall at each truncation: fidelity against diversity.
directions      one direction per factor in Z or in W, and how much stepping along it moves the other factors.
"""
from __future__ import annotations

import numbers

import numpy as np
import torch
from sklearn.svm import LinearSVC

from ..models.stylegan import mixed_ws
from ..nn.style import get_truncated_noise
from .control import direction_entanglement
from .quality import judge_features, judge_precision_recall

SPACES = ("z", "w")


def seeded(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def check_count(value, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}")
    return int(value)


def check_space(space: str) -> None:
    if space not in SPACES:
        raise ValueError(f"space must be 'z' (the noise) or 'w' (the mapped latent), got {space!r}")


# ---- perceptual path length ------------------------------------------------------------------------------

def lerp_rows(a: torch.Tensor, b: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Row-wise linear interpolation: a, b (N, D), t (N,) -> (N, D)."""
    return a + t[:, None] * (b - a)


def slerp_rows(a: torch.Tensor, b: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Row-wise spherical interpolation (latent.slerp for a batch): a, b (N, D), t (N,) -> (N, D)."""
    cos = ((a * b).sum(1) / (a.norm(dim=1) * b.norm(dim=1))).clamp(-1, 1)
    omega = torch.arccos(cos)[:, None]                                                   # (N, 1)
    sin = torch.sin(omega).clamp_min(1e-8)
    return (torch.sin((1 - t[:, None]) * omega) * a + torch.sin(t[:, None] * omega) * b) / sin


def check_endpoints(a, b) -> None:
    if not isinstance(a, torch.Tensor) or not isinstance(b, torch.Tensor) or a.ndim != 2 or a.shape != b.shape:
        raise ValueError(f"the path's ends must be two batches of latents of the same shape (N, D), got "
                         f"{getattr(a, 'shape', type(a).__name__)} and {getattr(b, 'shape', type(b).__name__)}")


@torch.no_grad()
def perceptual_path_length(generate, judge, a: torch.Tensor, b: torch.Tensor, *, interpolation: str = "slerp",
                           epsilon: float = 1e-4, seed: int = 0, batch_size: int = 250, percentiles=(1, 99)) -> dict:
    """Perceptual path length between latents a and b (N, D), one step of length epsilon per row.

    generate(latents (2M, D)) -> images (2M, C, H, W): rows i and M + i are the two ends of one step, so a
    generator with noise inputs must give both the same noise (style_path_generator does). interpolation:
    "slerp" (for Gaussian z) or "lerp" (for w). The distance is the squared Euclidean distance between the
    judge's features. Returns {"path_length": mean of the kept steps, "lengths": every step (N,) as numpy,
    "kept": how many lay within the percentiles}.
    """
    check_endpoints(a, b)
    if interpolation not in ("slerp", "lerp"):
        raise ValueError(f"interpolation must be 'slerp' (in Z) or 'lerp' (in W), got {interpolation!r}")
    if not 0 < epsilon < 1:
        raise ValueError(f"epsilon must be a small positive step in (0, 1), got {epsilon!r}")
    interpolate = slerp_rows if interpolation == "slerp" else lerp_rows
    a, b = a.double(), b.double()  # the step is 1e-4 of the path: interpolate in float64, then generate
    t = torch.rand(len(a), generator=seeded(seed), dtype=torch.float64)
    lengths = []
    for i in range(0, len(a), batch_size):
        part = slice(i, i + batch_size)
        start, end = interpolate(a[part], b[part], t[part]), interpolate(a[part], b[part], t[part] + epsilon)
        features = judge_features(judge, generate(torch.cat([start, end]).float()))
        first, second = features.double().chunk(2)
        lengths.append(((second - first) ** 2).sum(1) / epsilon ** 2)
    lengths = torch.cat(lengths).numpy()
    low, high = np.percentile(lengths, percentiles)
    kept = lengths[(lengths >= low) & (lengths <= high)]
    return {"path_length": float(kept.mean()), "lengths": lengths, "kept": int(len(kept))}


def style_path_generator(model, space: str):
    """generate for perceptual_path_length on a StyleGAN: latents in `space` ("z": mapped first; "w": as they are),
    both ends of each step drawn with the same random noise maps."""
    check_space(space)

    def generate(latents: torch.Tensor) -> torch.Tensor:
        maps = [torch.cat([m, m]) for m in model.noise_maps(len(latents) // 2)]
        ws = model.mapping(latents) if space == "z" else latents.to(model.device)
        return model.synthesize(ws, maps)
    return generate


@torch.no_grad()
def path_lengths(model, judge, n: int = 2000, *, seed: int = 0, epsilon: float = 1e-4) -> dict:
    """Perceptual path length of a generator in Z (slerp between Gaussian z), and for a StyleGAN also in W (lerp
    between their mapped w): {"z": ..., "w": ...} (path lengths only). Any other GAN needs generate(z)."""
    n = check_count(n, "n", 2)
    g = seeded(seed)
    z_a, z_b = torch.randn(n, model.config.z_dim, generator=g), torch.randn(n, model.config.z_dim, generator=g)
    if not hasattr(model, "mapping"):
        return {"z": perceptual_path_length(model.generate, judge, z_a, z_b, epsilon=epsilon, seed=seed)["path_length"]}
    w_a, w_b = model.mapping(z_a).cpu(), model.mapping(z_b).cpu()
    torch.manual_seed(seed)  # the noise maps
    in_z = perceptual_path_length(style_path_generator(model, "z"), judge, z_a, z_b, epsilon=epsilon, seed=seed)
    in_w = perceptual_path_length(style_path_generator(model, "w"), judge, w_a, w_b, interpolation="lerp",
                                  epsilon=epsilon, seed=seed)
    return {"z": in_z["path_length"], "w": in_w["path_length"]}


# ---- linear separability ---------------------------------------------------------------------------------

def conditional_entropy(labels: np.ndarray, predicted: np.ndarray) -> float:
    """H(Y | X) in nats for two binary arrays: Y the labels, X the predicted sides."""
    total = 0.0
    for side in (False, True):
        chosen = predicted == side
        if not chosen.any():
            continue
        p = labels[chosen].mean()
        h = -sum(q * np.log(q) for q in (p, 1 - p) if q > 0)
        total += chosen.mean() * h
    return float(total)


def linear_separability(latents, readout, names, *, keep: float = 0.5, threshold: float = 0.5, seed: int = 0) -> dict:
    """How well one hyperplane in the latent space splits each factor.

    latents (N, D) (z or w); readout (N, K) the judge's factor read-outs in [0, 1] of the images they made.
    Each factor is labelled readout > threshold; the `keep` share of samples farthest from the threshold (the
    judge surest) are kept; a linear SVM fit on them predicts the label from the latent, and H(label | side of
    the plane) is the entropy that remains. Returns {"entropy": {name: H in nats}, "separability": exp(sum H)}.
    """
    x = np.asarray(latents.cpu() if isinstance(latents, torch.Tensor) else latents, dtype=np.float64)
    y = np.asarray(readout.cpu() if isinstance(readout, torch.Tensor) else readout, dtype=np.float64)
    if x.ndim != 2 or y.ndim != 2 or len(x) != len(y) or y.shape[1] != len(names):
        raise ValueError(f"linear_separability needs latents (N, D) and read-outs (N, {len(names)}) for the same N "
                         f"samples, got {x.shape} and {y.shape}")
    if not 0 < keep <= 1:
        raise ValueError(f"keep must be a share in (0, 1], got {keep!r}")
    x = (x - x.mean(0)) / x.std(0).clip(1e-8)  # the SVM's regularisation then treats every coordinate alike
    entropies = {}
    for k, name in enumerate(names):
        sure = np.argsort(-np.abs(y[:, k] - threshold), kind="stable")[:int(round(keep * len(y)))]
        labels = y[sure, k] > threshold
        if labels.all() or not labels.any():
            entropies[name] = 0.0  # one class only: nothing left to know
            continue
        svm = LinearSVC(C=1.0, max_iter=5000, random_state=seed).fit(x[sure], labels)
        entropies[name] = conditional_entropy(labels, svm.predict(x[sure]))
    return {"entropy": entropies, "separability": float(np.exp(sum(entropies.values())))}


@torch.no_grad()
def separability(model, judge, n: int = 5000, *, seed: int = 0, batch_size: int = 500) -> dict:
    """linear_separability of n samples in Z, and for a StyleGAN in W too: {"z": ..., "w": ...}."""
    n = check_count(n, "n", 4)
    z = torch.randn(n, model.config.z_dim, generator=seeded(seed))
    style = hasattr(model, "mapping")
    if style:
        torch.manual_seed(seed)
    w, reads = [], []
    for part in z.split(batch_size):
        if style:
            w.append(model.mapping(part).cpu())
            images = model.synthesize(w[-1], "random")
        else:
            images = model.generate(part.to(model.device))
        reads.append(judge.read(images.to(next(judge.parameters()).device)).cpu())
    readout = torch.cat(reads)
    names = judge.factor_names
    scores = {"z": linear_separability(z, readout, names, seed=seed)}
    if style:
        scores["w"] = linear_separability(torch.cat(w), readout, names, seed=seed)
    return scores


# ---- style mixing and noise, read by the judge -----------------------------------------------------------

def read(judge, images: torch.Tensor) -> torch.Tensor:
    return judge.read(images.to(next(judge.parameters()).device)).cpu()


@torch.no_grad()
def style_inheritance(model, judge, n: int = 500, *, seed: int = 0) -> dict:
    """For every crossover c = 0 .. n_ws and every factor, the share the mixed image takes from w2.

    n pairs (z1, z2); the images of w1 alone, w2 alone and of the mix (w1 for layers < c, w2 from c on) are
    read with the same noise. share[c, k] = sum((mix - f1)(f2 - f1)) / sum((f2 - f1)^2) over the pairs: the
    least-squares fraction of factor k's change from w1's image to w2's that the mix shows. c = 0 is all w2
    (share 1), c = n_ws all w1 (share 0). Returns {"share": (n_ws + 1, K) numpy, "crossovers": list}.
    """
    n = check_count(n, "n", 2)
    g = seeded(seed)
    z1, z2 = torch.randn(n, model.config.z_dim, generator=g), torch.randn(n, model.config.z_dim, generator=g)
    noise = model.noise_maps(n, "random", generator=g)
    w1, w2 = model.mapping(z1), model.mapping(z2)
    f1, f2 = read(judge, model.synthesize(w1, noise)), read(judge, model.synthesize(w2, noise))
    change = f2 - f1
    shares = []
    for crossover in range(model.n_ws + 1):
        mixed = read(judge, model.synthesize(mixed_ws(w1, w2, crossover, model.n_ws), noise))
        shares.append(((mixed - f1) * change).sum(0) / (change ** 2).sum(0).clamp_min(1e-12))
    return {"share": torch.stack(shares).numpy(), "crossovers": list(range(model.n_ws + 1))}


@torch.no_grad()
def noise_spread(model, judge, n_w: int = 64, n_draws: int = 16, *, seed: int = 0, noise_layers=None) -> dict:
    """How much resampled noise moves each factor, against the factor's spread across different w.

    n_w faces (w from Gaussian z), each drawn with n_draws noise draws (only in noise_layers, default all).
    within: each factor's standard deviation over the draws of one w, averaged over the ws; across: the standard
    deviation over the ws of each w's mean read-out. ratio = within / across: below 0.1, the noise changes
    details, not who the face is. Returns numpy arrays (K,) and the judge's names.
    """
    n_w, n_draws = check_count(n_w, "n_w", 2), check_count(n_draws, "n_draws", 2)
    g = seeded(seed)
    w = model.mapping(torch.randn(n_w, model.config.z_dim, generator=g))
    ws = w.repeat_interleave(n_draws, dim=0)                                             # (n_w * n_draws, w_dim)
    noise = model.noise_maps(len(ws), "random", noise_layers, generator=g)
    readout = read(judge, model.synthesize(ws, noise)).view(n_w, n_draws, -1)            # (n_w, n_draws, K)
    within = readout.std(dim=1).mean(dim=0)
    across = readout.mean(dim=1).std(dim=0)
    return {"within": within.numpy(), "across": across.numpy(), "ratio": (within / across.clamp_min(1e-12)).numpy(),
            "names": judge.factor_names}


# ---- truncation: fidelity against diversity --------------------------------------------------------------

@torch.no_grad()
def truncation_curve(model, judge, real: torch.Tensor, values, *, space: str = "w", seed: int = 0,
                     batch_size: int = 500) -> list[dict]:
    """Precision and recall (judge_precision_recall, against `real`) of len(real) samples at each truncation.

    space "w": values are psi, w = w_avg + psi (w - w_avg) (a StyleGAN); space "z": values are the truncation of
    z (get_truncated_noise: every value within +-value), for any generator with generate(z). The same seed at
    every value. Returns one dict per value: {"value", "precision", "recall", "density", "coverage"}.
    """
    check_space(space)
    n = len(real)
    rows = []
    for value in values:
        if space == "w":
            z = torch.randn(n, model.config.z_dim, generator=seeded(seed))
            torch.manual_seed(seed)
            fake = torch.cat([model.generate(part, psi=value).cpu() for part in z.split(batch_size)])
        else:
            z = get_truncated_noise(n, model.config.z_dim, value, seed=seed)
            torch.manual_seed(seed)
            fake = torch.cat([model.generate(part.to(model.device)).cpu() for part in z.split(batch_size)])
        rows.append({"value": value, **judge_precision_recall(judge, fake, real)})
    return rows


# ---- directions per factor in Z and in W, and how much each moves the other factors ----------------------

def latent_generator(model, space: str, noise="fixed"):
    """latents (N, D) in `space` -> images: "z" maps them first, "w" draws them as they are; the same noise for
    every image (default: the model's fixed maps), so only the latent changes what is drawn."""
    check_space(space)

    def generate(latents: torch.Tensor) -> torch.Tensor:
        ws = model.mapping(latents) if space == "z" else latents.to(model.device)
        return model.synthesize(ws, noise)
    return generate


@torch.no_grad()
def sample_latents(model, space: str, n: int, seed: int) -> torch.Tensor:
    """n latents of a StyleGAN in `space`: Gaussian z, or their mapped w (N, D) on the CPU."""
    check_space(space)
    z = torch.randn(check_count(n, "n", 2), model.config.z_dim, generator=seeded(seed))
    return z if space == "z" else model.mapping(z).cpu()


@torch.no_grad()
def style_directions(model, judge, space: str, n: int = 2000, *, seed: int = 0) -> dict[str, torch.Tensor]:
    """One direction per judge factor in Z or W: the covariance of n sampled latents with the judge's read-out
    of the factor, scaled to one standard deviation of the latents along it, so that a step of 1 goes as far,
    relative to where the latents lie, in either space. Returns {factor: (D,)}.

    In Z (covariance I) this is the direction notebook 02 regresses (latent.find_direction). W spreads unevenly:
    there the regression leans on directions in which w barely varies, while a step along the covariance, Cov(w)
    times the average gradient, raises the factor to first order whatever the spread."""
    latents = sample_latents(model, space, n, seed)
    readout = torch.cat([read(judge, latent_generator(model, space)(part)) for part in latents.split(500)])
    centred = (latents - latents.mean(0)).double()                                       # (n, D)
    covariance = centred.T @ (readout - readout.mean(0)).double() / (n - 1)              # (D, K)
    directions = {}
    for k, name in enumerate(judge.factor_names):
        unit = (covariance[:, k] / covariance[:, k].norm()).float()
        directions[name] = unit * (latents @ unit).std()
    return directions


@torch.no_grad()
def direction_drift(model, judge, space: str, directions: dict, n: int = 500, *, seed: int = 1,
                    step: float = 1.0) -> dict:
    """Step n fresh latents in `space` by `step` along each direction (style_directions: in units of the
    latents' spread) and read every factor: {"matrix": (n_directions, K) mean absolute read-out changes,
    "own": each direction's change of its own factor, "drift": the mean change of the other factors per unit of
    its own (one ratio per direction), "score": their mean (control.direction_entanglement; 0 = disentangled)}."""
    latents = sample_latents(model, space, n, seed)
    result = direction_entanglement(latent_generator(model, space), judge, latents, directions, step)
    matrix, names = result["matrix"], list(directions)
    columns = [judge.factor_names.index(name) for name in names]
    own = matrix[torch.arange(len(names)), columns]
    drift = (matrix.sum(dim=1) - own) / (matrix.shape[1] - 1) / own
    return {"matrix": matrix, "own": dict(zip(names, own.tolist())), "drift": dict(zip(names, drift.tolist())),
            "score": result["score"]}

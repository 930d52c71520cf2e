"""Likelihoods of held-out images, in bits per dimension (lecture: alternatives to GANs).

A model with a density scores held-out data directly: the fewer bits it needs to encode a held-out image, the
better it models the data. For 8-bit images of D pixels
    bits/dim = -log2 P(x) / D          (8 bits/dim: a uniform guess over 256 values; lower is better)
PixelCNN       exact: the sum of its per-pixel log-softmax
flow           exact for the dequantized image v = x + u; with uniform u, log P(x) >= E_u[log p(v)] (Jensen),
               the -D log 256 of the bins already inside log p(v); variational u subtracts log q(u | x) too
VAE            a bound: log P(x) >= ELBO = E_q[log p(x | z)] - KL(q(z | x) || p(z)); the importance-weighted
               bound with k samples, log mean_k p(x, z_k) / q(z_k | x), is tighter and reaches log P(x) as k grows
VQ-VAE prior   bits per code of the 8 x 8 code map under the PixelCNN prior: a likelihood of codes, not of
               pixels, since the decoder maps a code map to one image and puts no probability on the pixels
A GAN has none of these: it can draw samples but cannot say how probable an image is.
"""
from __future__ import annotations

import math

import torch

from ..checks import check_int
from ..models.pixelcnn import to_values

LN2 = math.log(2)


def check_values(values, who: str) -> None:
    if not isinstance(values, torch.Tensor) or values.ndim != 4 or values.dtype.is_floating_point \
            or values.dtype == torch.bool:
        what = f"{values.dtype} {tuple(values.shape)}" if isinstance(values, torch.Tensor) else type(values).__name__
        raise ValueError(f"{who} takes 8-bit images as integers (N, C, H, W) in [0, 256), got {what}; images in "
                         f"[-1, 1] become integers with gancourse.models.pixelcnn.to_values(images)")


@torch.no_grad()
def bits_per_dim(model, values: torch.Tensor, *, batch_size: int = 128) -> float:
    """Mean -log2 p(x) / D over 8-bit images (N, C, H, W) of a model with log_prob(values) -> (N,) nats
    (PixelCNN: exact; Flow: the dequantization bound, one draw of u per image)."""
    check_values(values, "bits_per_dim")
    nats = torch.cat([model.log_prob(part).cpu() for part in values.split(batch_size)])
    return (-nats.mean() / (values[0].numel() * LN2)).item()


def check_categorical(vae, who: str) -> None:
    if getattr(vae.config, "output", "bernoulli") != "categorical":
        raise ValueError(f"{who} needs a VAE with a 256-way output per pixel (VAEConfig(output='categorical')): "
                         f"a Bernoulli output is no probability model of 8-bit values")


def importance_weights(vae, images: torch.Tensor, k: int) -> torch.Tensor:
    """log p(x, z_i) - log q(z_i | x) for k draws z_i ~ q(z | x) of each image: (N, ...) -> (N, k) nats."""
    mean, log_var = vae.encode(images)  # (N, D) each
    std = (0.5 * log_var).exp()
    eps = torch.randn(len(images), k, mean.shape[1], device=mean.device)  # (N, k, D)
    z = mean[:, None] + std[:, None] * eps
    log_q = (-0.5 * (eps ** 2 + math.log(2 * math.pi)) - std.log()[:, None]).sum(2)  # (N, k)
    log_prior = (-0.5 * (z ** 2 + math.log(2 * math.pi))).sum(2)
    repeated = images.to(mean.device).repeat_interleave(k, dim=0)  # (N k, C, H, W)
    log_likelihood = -vae.nll(vae.decode_logits(z.flatten(0, 1)), repeated).view(len(images), k)
    return log_likelihood + log_prior - log_q


@torch.no_grad()
def elbo_bits_per_dim(vae, images: torch.Tensor, *, batch_size: int = 128) -> float:
    """The VAE's negative ELBO in bits per dimension, averaged over images (N, C, H, W) in [-1, 1] on the 8-bit
    grid: reconstruction -E_q[log p(x | z)] (one draw of z) plus KL(q(z | x) || N(0, I))."""
    check_categorical(vae, "elbo_bits_per_dim")
    nats = []
    for part in images.split(batch_size):
        terms = vae.loss(part)  # batch means, nats per image
        nats.append((terms["reconstruction"] + terms["kl"]) * len(part))
    return (torch.stack(nats).sum() / (len(images) * images[0].numel() * LN2)).item()


@torch.no_grad()
def importance_weighted_bits_per_dim(vae, images: torch.Tensor, k: int = 100, *, batch_size: int = 2) -> float:
    """The importance-weighted bound (Burda et al., 2016) in bits per dimension:
    -log mean_i p(x, z_i) / q(z_i | x) over k draws, averaged over images; never above the ELBO's, on average."""
    check_categorical(vae, "importance_weighted_bits_per_dim")
    k = check_int(k, "k", minimum=1, who="importance_weighted_bits_per_dim")
    nats = []
    for part in images.split(batch_size):
        log_w = importance_weights(vae, part, k)  # (n, k)
        nats.append(-(torch.logsumexp(log_w, dim=1) - math.log(k)).cpu())
    return (torch.cat(nats).mean() / (images[0].numel() * LN2)).item()


@torch.no_grad()
def code_bits(vqvae, images: torch.Tensor, *, batch_size: int = 256) -> dict[str, float]:
    """How many bits the VQ-VAE's prior needs for the code maps of images (N, 1, 32, 32) in [-1, 1]:
    {"bits_per_code", "bits_per_image", "codes_per_image"}. Not a pixel likelihood: see the module docstring."""
    codes = torch.cat([vqvae.encode(part).cpu() for part in images.split(batch_size)])[:, None]  # (N, 1, 8, 8)
    per_code = bits_per_dim(vqvae.prior, codes, batch_size=batch_size)
    return {"bits_per_code": per_code, "bits_per_image": per_code * codes[0].numel(),
            "codes_per_image": codes[0].numel()}


def image_values(images: torch.Tensor) -> torch.Tensor:
    """Images in [-1, 1] -> their 8-bit values (N, C, H, W) int64, what bits_per_dim takes."""
    return to_values(images)


__all__ = ["bits_per_dim", "elbo_bits_per_dim", "importance_weighted_bits_per_dim", "code_bits", "image_values"]

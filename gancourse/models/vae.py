"""A convolutional VAE, and beta-VAE, the same model with its KL term weighted by beta > 1 (lecture:
disentanglement; the alternatives-to-GANs lessons reuse it).

    encoder   image (N, C, 32, 32) -> DCGAN down stack (N, 4w, 4, 4) -> mean, log-variance (N, D) each
    sample    z = mean + exp(log_var / 2) * eps, eps ~ N(0, I)   (the reparameterisation trick)
    decoder   z (N, D) -> DCGAN up stack -> pixel logits (N, C, 32, 32)
Images in [-1, 1] are read as pixels in [0, 1] under a Bernoulli likelihood (cross-entropy on the logits),
the usual choice for nearly binary images like sprites and digits. The loss, per image, is
    reconstruction + beta * KL(q(z|x) || N(0, I))
beta = 1 is the ELBO; a larger beta presses each coordinate of z towards the prior, so the model spends
its few informative coordinates on the strongest, independent factors: disentanglement bought with blur.
output="categorical" replaces the Bernoulli by a 256-way softmax over each pixel's 8-bit value, a true
likelihood of 8-bit images, so the ELBO bounds log p(x) in bits per dimension (notebook 06).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from ..checks import check_config, check_int, config_ints, is_real
from ..nn.dcgan import down_stack, up_stack
from .cgan import init_weights
from .pixelcnn import to_values

OUTPUTS = ("bernoulli", "categorical")


def kl_divergence(mean: torch.Tensor, log_var: torch.Tensor) -> torch.Tensor:
    """KL(N(mean, exp(log_var)) || N(0, I)) of each row, in nats: (N, D), (N, D) -> (N,).

    Per coordinate 0.5 * (mean^2 + variance - 1 - log variance): zero exactly when the code is the prior."""
    return 0.5 * (mean ** 2 + log_var.exp() - 1 - log_var).sum(dim=1)


@dataclass(frozen=True)
class VAEConfig:
    latent_dim: int = 10  # D: more than sprites' 5 factors, so unused coordinates show as collapsed
    beta: float = 1.0  # weight of the KL term: 1 is the plain VAE, > 1 beta-VAE
    channels: int = 1  # image channels
    width: int = 32  # DCGAN width, as in models/cgan.py
    output: str = "bernoulli"  # p(x | z): "bernoulli" per pixel, or "categorical" over its 256 values

    def __post_init__(self):
        if self.output not in OUTPUTS:
            raise ValueError(f"VAEConfig.output must be one of {OUTPUTS}, got {self.output!r}")
        config_ints(self, ("latent_dim", "channels", "width"), minimum=1, what="a positive int")
        if not is_real(self.beta) or not 0 < self.beta < math.inf:
            raise ValueError(f"VAEConfig.beta must be a finite positive number (1: plain VAE), got {self.beta!r}")
        if type(self.beta) not in (int, float):  # a numpy number: stored as a Python float, so the card is JSON
            object.__setattr__(self, "beta", float(self.beta))  # (the dataclass is frozen)


class VAE(nn.Module):
    """Encoder and decoder. encode(x) -> (mean, log_var); decode(z) -> images; loss(x) -> its terms."""

    Config = VAEConfig

    def __init__(self, config: VAEConfig | None = None):
        super().__init__()
        self.config = config = check_config(config, VAEConfig, "VAE")
        w, d = config.width, config.latent_dim
        self.encoder = nn.Sequential(*down_stack(config.channels, w), nn.Flatten(), nn.Linear(4 * w * 16, 2 * d))
        # categorical: the last step draws w/2 maps and a 1x1 convolution reads 256 logits per pixel from them
        out, head = (config.channels, nn.Identity()) if config.output == "bernoulli" else \
            (w // 2, nn.Sequential(nn.ELU(), nn.Conv2d(w // 2, 256 * config.channels, 1)))
        self.project, self.upsample = up_stack(d, out, w, out=head)
        self.apply(init_weights)

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    def check(self, images: torch.Tensor) -> None:
        c = self.config.channels
        if not isinstance(images, torch.Tensor) or images.ndim != 4 or images.shape[1:] != (c, 32, 32):
            shape = tuple(images.shape) if isinstance(images, torch.Tensor) else type(images).__name__
            raise ValueError(f"images must be (N, {c}, 32, 32) in [-1, 1], got {shape}")

    def encode(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """images (N, C, 32, 32) -> q(z|x) as (mean (N, D), log-variance (N, D)). The mean is the representation
        the disentanglement metrics score."""
        self.check(images)
        mean, log_var = self.encoder(images.to(self.device)).chunk(2, dim=1)
        return mean, log_var

    def decode_logits(self, z: torch.Tensor) -> torch.Tensor:
        """z (N, D) -> per-pixel Bernoulli logits (N, C, 32, 32), or categorical logits (N, 256, C, 32, 32)."""
        if not isinstance(z, torch.Tensor) or z.ndim != 2 or z.shape[1] != self.config.latent_dim:
            shape = tuple(z.shape) if isinstance(z, torch.Tensor) else type(z).__name__
            raise ValueError(f"z must be latent codes of shape (N, {self.config.latent_dim}), got {shape}")
        logits = self.upsample(self.project(z.to(self.device)))
        return logits if self.config.output == "bernoulli" else logits.view(len(z), 256, self.config.channels, 32, 32)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """z (N, D) -> images (N, C, 32, 32) in [-1, 1]: each pixel's probability (its mean value), rescaled."""
        if self.config.output == "bernoulli":
            return torch.sigmoid(self.decode_logits(z)) * 2 - 1
        levels = torch.linspace(-1, 1, 256, device=self.device).view(1, 256, 1, 1, 1)
        return (F.softmax(self.decode_logits(z), dim=1) * levels).sum(dim=1)

    generate = decode

    def sample(self, n: int, *, generator: torch.Generator | None = None) -> torch.Tensor:
        """n images decoded from the prior N(0, I): (n, C, 32, 32)."""
        n = check_int(n, "n", minimum=1, who="VAE.sample")
        return self.decode(torch.randn(n, self.config.latent_dim, generator=generator))

    def loss(self, images: torch.Tensor) -> dict[str, torch.Tensor]:
        """The negative ELBO's two terms per image, averaged over the batch: {"reconstruction", "kl"}
        (nats). The objective is reconstruction + beta * kl."""
        mean, log_var = self.encode(images)
        z = mean + torch.exp(0.5 * log_var) * torch.randn_like(mean)
        reconstruction = self.nll(self.decode_logits(z), images.to(self.device)).mean()
        return {"reconstruction": reconstruction, "kl": kl_divergence(mean, log_var).mean()}

    def nll(self, logits: torch.Tensor, images: torch.Tensor) -> torch.Tensor:
        """-log p(x | z) of each image, nats (N,): cross-entropy of decode_logits' output with the images, read as
        pixels in [0, 1] (Bernoulli) or as their 8-bit values (categorical)."""
        if self.config.output == "bernoulli":
            return F.binary_cross_entropy_with_logits(logits, (images + 1) / 2, reduction="none").flatten(1).sum(1)
        return F.cross_entropy(logits, to_values(images), reduction="none").flatten(1).sum(1)

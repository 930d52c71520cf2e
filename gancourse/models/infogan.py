"""InfoGAN: disentanglement through the loss (lecture: disentanglement, unsupervised).

The generator's input is split into noise z, which carries no named meaning, and latent codes c that the loss
ties to the output:
    categorical code  one of K values, given as a one-hot vector   (digits: which digit)
    continuous codes  each uniform in [-1, 1]                        (digits: slant, stroke width, ...)
    generator      [z, one_hot(c_cat), c_cont] (N, z_dim + K + M)  -> image (N, C, 32, 32)
L_new = L_original + lambda * reg: the regulariser is a lower bound on the mutual information I(c; G(z, c)),
estimated by a Q head that reads the codes back from the image. Q shares the discriminator's trunk, so it
costs one small head:
    trunk          image (N, C, 32, 32) -> features (N, 4w, 4, 4)
    D head         features -> real/fake logit (N, 1)   (a critic's score for the W-loss)
    Q head         features -> categorical logits (N, K) and continuous means (N, M)
Maximising the bound is minimising cross-entropy on c_cat plus squared error on c_cont (a Gaussian with unit
variance) -- see InfoGANTask in training/tasks.py, which adds it to both the generator's and Q's losses.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from ..checks import check_config, check_int, config_flags, config_ints
from ..nn.conditioning import get_one_hot_labels
from ..nn.dcgan import down_stack
from .cgan import GANConfig, Generator, init_weights


def info_loss(logits: torch.Tensor, means: torch.Tensor, categories: torch.Tensor, continuous: torch.Tensor,
              continuous_weight: float = 0.5) -> torch.Tensor:
    """The mutual-information term as a loss: how badly Q reads back the codes the generator was given.

    Cross-entropy of Q's categorical logits (N, K) against the categories (N,), plus continuous_weight times the
    mean squared error of Q's means (N, M) against the continuous codes (N, M) -- a unit-variance Gaussian's
    negative log-likelihood up to a constant. Either part is skipped when its code is absent (K or M = 0)."""
    loss = logits.new_zeros(())
    if logits.shape[1]:
        loss = loss + F.cross_entropy(logits, categories)
    if means.shape[1]:
        loss = loss + continuous_weight * F.mse_loss(means, continuous)
    return loss


@dataclass(frozen=True)
class InfoGANConfig:
    z_dim: int = 32  # noise without meaning: room for what the codes do not describe
    n_categories: int = 10  # K, values of the categorical code (0: none); 10 for digits
    n_continuous: int = 2  # M, continuous codes in [-1, 1]
    channels: int = 1  # image channels: 1 for digits and sprites
    width: int = 32  # DCGAN width, as in models/cgan.py
    q_hidden: int = 128  # the Q head's hidden layer
    norm: bool = True  # batch norm in the shared trunk, as DCGAN; False for the W-loss, whose penalty is per sample
    full_res: bool = False  # a 3x3 layer at 32x32 in G and in the trunk, as the face GANs (models/cgan.py)

    def __post_init__(self):
        config_flags(self, ("norm", "full_res"))
        config_ints(self, ("z_dim", "channels", "width", "q_hidden"), minimum=1, what="a positive int")
        config_ints(self, ("n_categories", "n_continuous"), minimum=0, what="an int >= 0")
        if self.n_categories == 1:
            raise ValueError("n_categories must be 0 (no categorical code) or at least 2: one value carries nothing")
        if self.n_categories + self.n_continuous == 0:
            raise ValueError("an InfoGAN needs at least one code: set n_categories >= 2 or n_continuous >= 1")


class DiscriminatorQ(nn.Module):
    """The shared trunk with its two heads. images (N, C, 32, 32) -> (logit (N, 1), categorical logits (N, K),
    continuous means (N, M)). The trunk has batch norm unless config.norm is False (WGAN-GP: its gradient
    penalty needs each sample's score to depend on that sample alone)."""

    def __init__(self, config: InfoGANConfig | None = None):
        super().__init__()
        self.config = config = check_config(config, InfoGANConfig, "DiscriminatorQ")
        w, k, m = config.width, config.n_categories, config.n_continuous
        self.trunk = nn.Sequential(*down_stack(config.channels, w, norm=config.norm, full_res=config.full_res))
        self.d_head = nn.Sequential(nn.Conv2d(4 * w, 1, 4), nn.Flatten())
        self.q_head = nn.Sequential(nn.Flatten(), nn.Linear(4 * w * 16, config.q_hidden), nn.LeakyReLU(0.2),
                                    nn.Linear(config.q_hidden, k + m))
        self.n_categories = k

    def forward(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        features = self.trunk(images)
        q = self.q_head(features)
        return self.d_head(features), q[:, :self.n_categories], q[:, self.n_categories:]


class InfoGAN(nn.Module):
    """Generator and discriminator-with-Q, shipped as one module.

    generate(z, categories, continuous) and sample(n) make images; infer(images) reads the codes back;
    encode(images) is the representation the disentanglement metrics score (Q's estimate).
    """

    Config = InfoGANConfig

    def __init__(self, config: InfoGANConfig | None = None):
        super().__init__()
        self.config = config = check_config(config, InfoGANConfig, "InfoGAN")
        self.generator = Generator(GANConfig(z_dim=self.input_dim, n_classes=0, channels=config.channels,
                                             width=config.width, full_res=config.full_res))
        self.discriminator = DiscriminatorQ(config)
        self.discriminator.apply(init_weights)

    @property
    def input_dim(self) -> int:
        """z_dim + K + M: the length of the generator's whole input."""
        return self.config.z_dim + self.config.n_categories + self.config.n_continuous

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    def codes_vector(self, z: torch.Tensor, categories: torch.Tensor | None, continuous: torch.Tensor | None):
        """[z, one_hot(categories), continuous] (N, z_dim + K + M), checked."""
        c = self.config
        n = len(z) if isinstance(z, torch.Tensor) else 0
        if not isinstance(z, torch.Tensor) or z.ndim != 2 or z.shape[1] != c.z_dim:
            shape = tuple(z.shape) if isinstance(z, torch.Tensor) else type(z).__name__
            raise ValueError(f"z must be noise of shape (N, {c.z_dim}), got {shape}")
        parts = [z.float()]
        if c.n_categories:
            if not isinstance(categories, torch.Tensor) or tuple(categories.shape) != (n,):
                raise ValueError(f"categories must be {n} class indices in [0, {c.n_categories}), shape ({n},)")
            parts.append(get_one_hot_labels(categories.to(z.device), c.n_categories))
        if c.n_continuous:
            if not isinstance(continuous, torch.Tensor) or tuple(continuous.shape) != (n, c.n_continuous):
                raise ValueError(f"continuous must be codes of shape ({n}, {c.n_continuous}), usually in [-1, 1]")
            parts.append(continuous.to(z.device).float())
        return torch.cat(parts, dim=1)

    def generate(self, z: torch.Tensor, categories: torch.Tensor | None = None,
                 continuous: torch.Tensor | None = None) -> torch.Tensor:
        """Images (N, C, 32, 32) in [-1, 1] for noise z (N, z_dim), categories (N,) and continuous codes (N, M)."""
        return self.generate_from_codes(self.codes_vector(z.to(self.device), categories, continuous))

    forward = generate

    def generate_from_codes(self, v: torch.Tensor) -> torch.Tensor:
        """Images from the generator's whole input v = [z, one-hot, continuous] (N, z_dim + K + M)."""
        if not isinstance(v, torch.Tensor) or v.ndim != 2 or v.shape[1] != self.input_dim:
            shape = tuple(v.shape) if isinstance(v, torch.Tensor) else type(v).__name__
            raise ValueError(f"v must be [z, one-hot, continuous] of shape (N, {self.input_dim}), got {shape}")
        return self.generator(v.to(self.device), v.new_zeros(len(v), 0).to(self.device))

    def sample_codes(self, n: int, generator: torch.Generator | None = None):
        """(z (n, z_dim) Gaussian, categories (n,) uniform, continuous (n, M) uniform in [-1, 1]), on the CPU."""
        c, n = self.config, check_int(n, "n", minimum=1, who="InfoGAN.sample_codes")
        z = torch.randn(n, c.z_dim, generator=generator)
        categories = torch.randint(max(c.n_categories, 1), (n,), generator=generator)
        continuous = torch.rand(n, c.n_continuous, generator=generator) * 2 - 1
        return z, categories, continuous

    def sample(self, n: int, *, generator: torch.Generator | None = None) -> torch.Tensor:
        """n images from freshly drawn noise and codes: (n, C, 32, 32)."""
        return self.generate(*self.sample_codes(n, generator))

    def infer(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Q's reading of the codes: (categorical logits (N, K), continuous means (N, M))."""
        _, logits, means = self.discriminator(images.to(self.device))
        return logits, means

    def encode(self, images: torch.Tensor) -> torch.Tensor:
        """Q's estimate as a representation for MIG, DCI and the FactorVAE score: (N, [1] + M), the most likely
        category (when there is a categorical code) followed by the continuous means."""
        logits, means = self.infer(images)
        if not self.config.n_categories:
            return means
        return torch.cat([logits.argmax(1, keepdim=True).float(), means], dim=1)

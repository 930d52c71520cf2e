"""VQ-VAE with a PixelCNN prior: a hybrid of an autoencoder and an autoregressive model (lecture: alternatives to
GANs, hybrids).

VQ-VAE (van den Oord et al., 2017, arXiv:1711.00937; VQ-VAE-2, Razavi et al., 2019) is VAE-like: an encoder,
a decoder, and a code in between, but the code is a small map of discrete symbols from a learned codebook
(gancourse.nn.quantizer). It is trained in two stages:
    1. autoencoder   loss = |x - decode(z_q)|^2 + beta |z_e - sg[z_q]|^2      (codebook by EMA, beta = 0.25)
    2. prior         a PixelCNN over the code maps of the training images: p(codes) = prod_i p(c_i | c_<i)
Sampling draws a code map from the prior, one code at a time, and decodes it in one pass: 8 x 8 = 64 sequential
steps instead of a pixel PixelCNN's 32 x 32 = 1024. The prior's bits are bits per code, a likelihood of the
codes and not of the pixels: the decoder adds no probability model of its own.
    image (N, 1, 32, 32) -> encoder (N, D, 8, 8) -> quantizer -> codes (N, 8, 8) in [0, K) -> decoder (N, 1, 32, 32)
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from ..checks import check_config, check_int, config_ints
from ..nn.coupling import ResidualBlock
from ..nn.quantizer import VectorQuantizer
from .pixelcnn import PixelCNN, PixelCNNConfig


@dataclass(frozen=True)
class VQVAEConfig:
    codes: int = 32  # K: codebook entries
    code_dim: int = 16  # D: the size of each code vector
    width: int = 64  # feature maps of the encoder and decoder
    commitment: float = 0.25  # beta, the commitment loss's weight (the paper's)
    decay: float = 0.99  # the codebook's EMA memory
    prior_channels: int = 64  # the PixelCNN prior's feature maps
    prior_dilations: tuple = (1, 2, 1, 2, 1)  # its gated layers: an 8 x 8 map needs few

    def __post_init__(self):
        config_ints(self, ("codes", "code_dim", "width", "prior_channels"), minimum=1, what="a positive int")
        object.__setattr__(self, "prior_dilations", tuple(self.prior_dilations))
        if not 0 <= self.decay < 1 or not self.commitment >= 0:
            raise ValueError(f"VQVAEConfig: decay must lie in [0, 1) and commitment be >= 0, got {self.decay!r}, "
                             f"{self.commitment!r}")


class VQVAE(nn.Module):
    """encode(images) -> codes; decode(codes) -> images; loss(images) -> the autoencoder's terms;
    prior_loss(images) -> the prior's; sample(n) -> images decoded from codes the prior draws."""

    Config = VQVAEConfig

    def __init__(self, config: VQVAEConfig | None = None):
        super().__init__()
        self.config = config = check_config(config, VQVAEConfig, "VQVAE")
        w, d = config.width, config.code_dim
        self.encoder = nn.Sequential(
            nn.Conv2d(1, w, 4, 2, 1), nn.ReLU(), nn.Conv2d(w, w, 4, 2, 1),  # (N, w, 8, 8)
            ResidualBlock(w), ResidualBlock(w), nn.ReLU(), nn.Conv2d(w, d, 1))  # (N, D, 8, 8)
        self.quantizer = VectorQuantizer(config.codes, d, config.commitment, config.decay)
        self.decoder = nn.Sequential(
            nn.Conv2d(d, w, 3, padding=1), ResidualBlock(w), ResidualBlock(w), nn.ReLU(),
            nn.ConvTranspose2d(w, w, 4, 2, 1), nn.ReLU(), nn.ConvTranspose2d(w, 1, 4, 2, 1))  # (N, 1, 32, 32)
        self.prior = PixelCNN(PixelCNNConfig(levels=config.codes, side=8, channels=config.prior_channels,
                                             dilations=config.prior_dilations))

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    def check(self, images: torch.Tensor) -> None:
        if not isinstance(images, torch.Tensor) or images.ndim != 4 or images.shape[1:] != (1, 32, 32):
            shape = tuple(images.shape) if isinstance(images, torch.Tensor) else type(images).__name__
            raise ValueError(f"VQVAE reads images of shape (N, 1, 32, 32) in [-1, 1], got {shape}")

    def encode(self, images: torch.Tensor) -> torch.Tensor:
        """images (N, 1, 32, 32) -> codes (N, 8, 8) int64 in [0, K)."""
        self.check(images)
        return self.quantizer.quantize(self.encoder(images.to(self.device)))

    def decode(self, codes: torch.Tensor) -> torch.Tensor:
        """codes (N, 8, 8) -> images (N, 1, 32, 32) in [-1, 1]."""
        # a linear output, clamped only here: a tanh saturates at the background's -1 and stops learning
        return self.decoder(self.quantizer.lookup(codes.to(self.device))).clamp(-1, 1)

    def reconstruct(self, images: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(images))

    def loss(self, images: torch.Tensor) -> dict[str, torch.Tensor]:
        """Stage 1, per batch: {"reconstruction": mean squared error per pixel, "commitment": beta |z_e - sg[z_q]|^2,
        "codes": the batch's codes (N, 8, 8), not a loss}. The objective is reconstruction + commitment."""
        self.check(images)
        images = images.to(self.device)
        z_q, codes, commitment = self.quantizer(self.encoder(images))
        return {"reconstruction": F.mse_loss(self.decoder(z_q), images), "commitment": commitment, "codes": codes}

    def prior_loss(self, images: torch.Tensor) -> dict[str, torch.Tensor]:
        """Stage 2: {"prior_nll": the prior's negative log-likelihood of the images' codes, nats per code}."""
        with torch.no_grad():
            codes = self.encode(images)
        return {"prior_nll": self.prior.loss(codes[:, None])["nll"]}

    @torch.no_grad()
    def sample_codes(self, n: int, *, generator: torch.Generator | None = None) -> torch.Tensor:
        """n code maps drawn from the prior, code by code: (n, 8, 8)."""
        n = check_int(n, "n", minimum=1, who="VQVAE.sample")
        return self.prior.fill(torch.full((n, 1, 8, 8), -1, dtype=torch.long), generator=generator)[:, 0]

    @torch.no_grad()
    def sample(self, n: int, *, generator: torch.Generator | None = None) -> torch.Tensor:
        """n images: code maps from the prior, decoded: (n, 1, 32, 32) in [-1, 1]."""
        return self.decode(self.sample_codes(n, generator=generator))

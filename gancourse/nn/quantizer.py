"""Vector quantization: VQ-VAE's discrete bottleneck (lecture: alternatives to GANs, hybrids).

VQ-VAE (van den Oord et al., 2017, arXiv:1711.00937) replaces the VAE's Gaussian code by a map of discrete codes:
every vector the encoder outputs is snapped to its nearest entry of a codebook of K vectors e_1 ... e_K,
    k = argmin_j |z_e - e_j|,   z_q = e_k
argmin has no gradient, so the straight-through estimator copies the decoder's gradient from z_q to z_e:
    z_q = z_e + sg[e_k - z_e]            (sg: stop-gradient; the value is e_k, the gradient flows to z_e)
The encoder is pulled towards its codes by the commitment loss beta |z_e - sg[e_k]|^2 (beta = 0.25). The codebook
follows its assigned vectors as an exponential moving average (EMA) of their mean, and a code nobody picks any
more (a dead code) restarts at a random encoder output of the batch, so the whole codebook stays in use.
    z_e (N, D, H, W) -> codes (N, H, W) in [0, K) -> z_q (N, D, H, W)
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def nearest_codes(vectors: torch.Tensor, codebook: torch.Tensor) -> torch.Tensor:
    """The index of the nearest codebook row for each vector: (M, D), (K, D) -> (M,) int64."""
    # |v - e|^2 = |v|^2 - 2 v.e + |e|^2, without building the (M, K, D) differences
    distances = vectors.pow(2).sum(1, keepdim=True) - 2 * vectors @ codebook.T + codebook.pow(2).sum(1)[None]
    return distances.argmin(dim=1)


def straight_through(z_e: torch.Tensor, z_q: torch.Tensor) -> torch.Tensor:
    """z_q's value with z_e's gradient: z_e + sg[z_q - z_e]."""
    return z_e + (z_q - z_e).detach()


def perplexity(codes: torch.Tensor, n_codes: int) -> float:
    """exp(entropy) of how often each code is used: K when all are used equally, 1 when one code does everything."""
    p = torch.bincount(codes.flatten(), minlength=n_codes).float() / codes.numel()
    return torch.exp(-(p * p.clamp_min(1e-12).log()).sum()).item()


class VectorQuantizer(nn.Module):
    """A codebook of `codes` vectors of size `dim`, kept up to date by EMA, with dead codes restarted.

    forward(z_e (N, D, H, W)) -> (z_q (N, D, H, W) with the straight-through gradient, codes (N, H, W),
    commitment loss: commitment * mean |z_e - sg[z_q]|^2). In training mode each call also moves the codebook.
    decay: the EMA's memory; dead_below: a code whose EMA count (vectors per batch) falls below it restarts."""

    def __init__(self, codes: int = 32, dim: int = 16, commitment: float = 0.25, decay: float = 0.99,
                 dead_below: float = 0.5, eps: float = 1e-5):
        super().__init__()
        self.codes, self.dim, self.commitment, self.decay = codes, dim, commitment, decay
        self.dead_below, self.eps = dead_below, eps
        codebook = torch.randn(codes, dim)
        self.register_buffer("codebook", codebook)  # (K, D): updated by EMA, not by the optimiser
        self.register_buffer("ema_count", torch.ones(codes))  # (K,) vectors assigned per batch, averaged
        self.register_buffer("ema_sum", codebook.clone())  # (K, D) their sum, averaged

    def lookup(self, codes: torch.Tensor) -> torch.Tensor:
        """codes (N, H, W) -> their vectors (N, D, H, W)."""
        return self.codebook[codes].permute(0, 3, 1, 2)

    def quantize(self, z_e: torch.Tensor) -> torch.Tensor:
        """The nearest code of every vector: z_e (N, D, H, W) -> codes (N, H, W)."""
        n, d, h, w = z_e.shape
        return nearest_codes(z_e.permute(0, 2, 3, 1).reshape(-1, d), self.codebook).view(n, h, w)

    @torch.no_grad()
    def update(self, vectors: torch.Tensor, codes: torch.Tensor) -> None:
        """One EMA step of the codebook towards the mean of its assigned vectors (M, D); then restart dead codes."""
        assigned = F.one_hot(codes, self.codes).type_as(vectors)  # (M, K)
        self.ema_count.mul_(self.decay).add_(assigned.sum(0), alpha=1 - self.decay)
        self.ema_sum.mul_(self.decay).add_(assigned.T @ vectors, alpha=1 - self.decay)
        total = self.ema_count.sum()
        count = (self.ema_count + self.eps) / (total + self.codes * self.eps) * total  # Laplace-smoothed, no 0
        self.codebook.copy_(self.ema_sum / count[:, None])
        self.restart_dead(vectors)

    @torch.no_grad()
    def restart_dead(self, vectors: torch.Tensor) -> None:
        """Move every code whose EMA count is below dead_below onto a random vector of the batch (M, D)."""
        dead = (self.ema_count < self.dead_below).nonzero().flatten()
        if len(dead) == 0:
            return
        picks = vectors[torch.randint(len(vectors), (len(dead),), device=vectors.device)]
        self.codebook[dead] = picks
        self.ema_sum[dead] = picks
        self.ema_count[dead] = 1.0

    def forward(self, z_e: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        assert z_e.ndim == 4 and z_e.shape[1] == self.dim, f"VectorQuantizer wants (N, {self.dim}, H, W), got {tuple(z_e.shape)}"
        codes = self.quantize(z_e)  # (N, H, W)
        if self.training:
            self.update(z_e.detach().permute(0, 2, 3, 1).reshape(-1, self.dim), codes.flatten())
        z_q = self.lookup(codes)  # (N, D, H, W)
        # commitment: beta |z_e - sg[e]|^2 pulls the encoder to its codes (the EMA moves the codes)
        commitment = self.commitment * F.mse_loss(z_e, z_q.detach())
        return straight_through(z_e, z_q), codes, commitment


__all__ = ["VectorQuantizer", "nearest_codes", "straight_through", "perplexity"]

"""Normalizing-flow layers: invertible maps with a cheap log-determinant (lecture: alternatives to GANs, flows).

A flow (流模型) maps an image x to a latent z = f(x) with an invertible f, so by the change of variables
    log p(x) = log p_Z(f(x)) + log |det df/dx|
is the exact log-likelihood. f is a chain of layers, each adding its own log-determinant. RealNVP's affine
coupling (Dinh et al., 2017, arXiv:1605.08803) keeps one part x_a of its input, selected by a 0/1 mask, and moves
the other with a scale and a shift computed from the kept part:
    y_a = x_a,   y_b = x_b * exp(s(x_a)) + t(x_a)        log|det| = sum of s over b
    x_b = (y_b - t(y_a)) * exp(-s(y_a))                   (the inverse: s and t read only what did not move)
Masks alternate (a checkerboard over pixels, or half the channels) so every value moves in turn. Squeeze turns
(N, C, H, W) into (N, 4C, H/2, W/2) so channel masks can mix neighbours; ActNorm (Glow, Kingma & Dhariwal, 2018)
is a per-channel affine map set from the first batch. Dequantization turns 8-bit values into a density: a
continuous density on integers is unbounded, so noise u in [0, 1) fills each bin, v = b + u, and
log P(b) >= E_u[log p(v)] (uniform u), or E_q[log p(v) - log q(u | b)] with a learned q (variational).
Every layer maps (z, logdet, reverse) -> (z, logdet); reverse=True runs it backwards and subtracts its log-det.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


def checkerboard_mask(height: int, width: int, parity: int = 0) -> torch.Tensor:
    """(1, 1, H, W): 1 where (row + col + parity) is even -- the values a checkerboard coupling keeps."""
    rows, cols = torch.arange(height)[:, None], torch.arange(width)[None, :]
    return ((rows + cols + parity) % 2 == 0).float()[None, None]


def channel_mask(channels: int, parity: int = 0) -> torch.Tensor:
    """(1, C, 1, 1): 1 on the first half of the channels (parity 0) or the second (parity 1)."""
    first = torch.arange(channels) < channels // 2
    return (first if parity == 0 else ~first).float()[None, :, None, None]


class ResidualBlock(nn.Module):
    """x + conv(elu(conv(elu(x)))): (N, C, H, W) -> (N, C, H, W)."""

    def __init__(self, channels: int):
        super().__init__()
        self.convs = nn.Sequential(nn.ELU(), nn.Conv2d(channels, channels, 3, padding=1),
                                   nn.ELU(), nn.Conv2d(channels, channels, 3, padding=1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.convs(x)


def coupling_net(c_in: int, c_out: int, hidden: int, blocks: int = 1) -> nn.Sequential:
    """The network inside a coupling: (N, c_in, H, W) -> (N, c_out, H, W). Its last layer starts at zero, so a new
    coupling is the identity and a deep flow starts well-conditioned."""
    last = nn.Conv2d(hidden, c_out, 3, padding=1)
    nn.init.zeros_(last.weight)
    nn.init.zeros_(last.bias)
    return nn.Sequential(nn.Conv2d(c_in, hidden, 3, padding=1), *[ResidualBlock(hidden) for _ in range(blocks)],
                         nn.ELU(), last)


class AffineCoupling(nn.Module):
    """RealNVP's affine coupling: keep the masked part, scale and shift the rest by functions of it.

    mask (1, C, H, W) or broadcastable: 1 = kept. s is bounded, s = b * tanh(s_raw / b) with a learned bound b
    per channel, so one step cannot blow a value up. condition_channels > 0: the net also reads a condition
    (N, c, H, W) (variational dequantization's image). (z, logdet, reverse) -> (z, logdet), z (N, C, H, W)."""

    def __init__(self, mask: torch.Tensor, channels: int, hidden: int, blocks: int = 1, condition_channels: int = 0):
        super().__init__()
        self.register_buffer("mask", mask, persistent=False)
        self.net = coupling_net(channels + condition_channels, 2 * channels, hidden, blocks)
        self.log_bound = nn.Parameter(torch.zeros(1, channels, 1, 1))  # the scale's bound b = exp(log_bound)

    def scale_shift(self, kept: torch.Tensor, condition: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
        """s and t from the kept values (N, C, H, W), both 0 where the mask keeps."""
        s, t = self.net(kept if condition is None else torch.cat([kept, condition], dim=1)).chunk(2, dim=1)
        bound = self.log_bound.exp()
        s = bound * torch.tanh(s / bound)
        return s * (1 - self.mask), t * (1 - self.mask)

    def forward(self, z: torch.Tensor, logdet: torch.Tensor, reverse: bool = False,
                condition: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        s, t = self.scale_shift(z * self.mask, condition)
        if not reverse:
            # y_b = x_b * exp(s) + t, log|det| = sum of s
            return z * s.exp() + t, logdet + s.sum(dim=(1, 2, 3))
        # x_b = (y_b - t) * exp(-s)
        return (z - t) * (-s).exp(), logdet - s.sum(dim=(1, 2, 3))


class Squeeze(nn.Module):
    """(N, C, H, W) <-> (N, 4C, H/2, W/2): each 2 x 2 block of pixels becomes 4 channels. A permutation: log-det 0."""

    def forward(self, z: torch.Tensor, logdet: torch.Tensor, reverse: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
        n, c, h, w = z.shape
        if not reverse:
            assert h % 2 == 0 and w % 2 == 0, f"Squeeze needs an even height and width, got {h} x {w}"
            z = z.view(n, c, h // 2, 2, w // 2, 2).permute(0, 1, 3, 5, 2, 4)  # (N, C, 2, 2, H/2, W/2)
            return z.reshape(n, 4 * c, h // 2, w // 2), logdet
        z = z.view(n, c // 4, 2, 2, h, w).permute(0, 1, 4, 2, 5, 3)  # (N, C/4, H, 2, W, 2)
        return z.reshape(n, c // 4, 2 * h, 2 * w), logdet


class ActNorm(nn.Module):
    """Glow's activation normalisation: y = (x + bias) * exp(log_scale), one bias and scale per channel.

    The first batch seen in training sets them so that each channel's output has mean 0 and variance 1
    (data-dependent initialisation); after that they are ordinary parameters. log|det| = H W sum(log_scale)."""

    def __init__(self, channels: int):
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(1, channels, 1, 1))
        self.log_scale = nn.Parameter(torch.zeros(1, channels, 1, 1))
        self.register_buffer("initialised", torch.zeros(()))

    @torch.no_grad()
    def initialise(self, z: torch.Tensor) -> None:
        self.bias.copy_(-z.mean(dim=(0, 2, 3), keepdim=True))
        self.log_scale.copy_(-z.std(dim=(0, 2, 3), keepdim=True).clamp_min(1e-3).log())
        self.initialised.fill_(1)

    def forward(self, z: torch.Tensor, logdet: torch.Tensor, reverse: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
        if self.training and not reverse and not self.initialised:
            self.initialise(z)
        pixels = z.shape[2] * z.shape[3]
        if not reverse:
            return (z + self.bias) * self.log_scale.exp(), logdet + pixels * self.log_scale.sum()
        return z * (-self.log_scale).exp() - self.bias, logdet - pixels * self.log_scale.sum()


class LogitTransform(nn.Module):
    """[0, 1] <-> the real line: y = logit(alpha + (1 - 2 alpha) x). The squeeze by alpha keeps x = 0 and 1
    finite; a flow then never has to model the hard edges of the unit interval.
    log|det| = sum of log(1 - 2 alpha) - log s - log(1 - s), s = alpha + (1 - 2 alpha) x."""

    def __init__(self, alpha: float = 1e-5):
        super().__init__()
        self.alpha = alpha

    def log_det(self, s: torch.Tensor) -> torch.Tensor:
        return (math.log(1 - 2 * self.alpha) - s.log() - (-s).log1p()).sum(dim=(1, 2, 3))

    def forward(self, z: torch.Tensor, logdet: torch.Tensor, reverse: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
        if not reverse:
            s = self.alpha + (1 - 2 * self.alpha) * z
            return s.log() - (-s).log1p(), logdet + self.log_det(s)
        s = torch.sigmoid(z)
        return (s - self.alpha) / (1 - 2 * self.alpha), logdet - self.log_det(s)


class Dequantization(nn.Module):
    """Uniform dequantization: integers b in [0, levels) -> x = (b + u) / levels in [0, 1), u ~ U[0, 1)^D.

    log|det| of the division is -D log(levels); E_u[log p(x)] - D log(levels) <= log P(b) (Jensen). reverse:
    x -> floor(x * levels), the integers back. (z, logdet, reverse) -> (z, logdet), z (N, C, H, W)."""

    def __init__(self, levels: int = 256):
        super().__init__()
        self.levels = levels

    def noise(self, values: torch.Tensor, logdet: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """u in [0, 1) for each value, and logdet minus log q(u | b) (0 for uniform noise)."""
        return torch.rand_like(values), logdet

    def forward(self, z: torch.Tensor, logdet: torch.Tensor, reverse: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
        dims = z[0].numel()
        if not reverse:
            u, logdet = self.noise(z.float(), logdet)
            return (z.float() + u) / self.levels, logdet - dims * math.log(self.levels)
        values = (z * self.levels).floor().clamp(0, self.levels - 1).long()
        return values, logdet + dims * math.log(self.levels)


class VariationalDequantization(Dequantization):
    """Flow++'s variational dequantization (Ho et al., 2019): u ~ q(u | b), a small flow conditioned on the image.

    eps ~ N(0, I) -> checkerboard couplings that read the image -> sigmoid -> u in (0, 1). The bound
    E_q[log p(b + u) - log q(u | b)] is tight when q matches the model's density inside each bin, where uniform
    noise forces the flow to spread its mass evenly over every bin."""

    def __init__(self, shape=(1, 32, 32), levels: int = 256, hidden: int = 16, couplings: int = 4):
        super().__init__(levels)
        c, h, w = shape
        self.couplings = nn.ModuleList(AffineCoupling(checkerboard_mask(h, w, i % 2), c, hidden, condition_channels=c)
                                       for i in range(couplings))

    def noise(self, values: torch.Tensor, logdet: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        image = values / (self.levels - 1) * 2 - 1  # (N, C, H, W) in [-1, 1], the condition
        eps = torch.randn_like(values)
        log_q = standard_normal_log_prob(eps)
        log_det = torch.zeros_like(log_q)  # of the map eps -> u
        for coupling in self.couplings:
            eps, log_det = coupling(eps, log_det, condition=image)
        u = torch.sigmoid(eps)
        log_det = log_det + (F.logsigmoid(eps) + F.logsigmoid(-eps)).sum(dim=(1, 2, 3))  # sigmoid's log-det
        # change of variables: log q(u | b) = log N(eps) - log|du / deps|
        log_q = log_q - log_det
        return u, logdet - log_q


def squeeze(z: torch.Tensor) -> torch.Tensor:
    """(N, C, H, W) -> (N, 4C, H/2, W/2), outside a flow."""
    return Squeeze()(z, z.new_zeros(len(z)))[0]


def standard_normal_log_prob(z: torch.Tensor) -> torch.Tensor:
    """log N(z; 0, I) of each row: (N, ...) -> (N,) nats."""
    return -0.5 * (z ** 2 + math.log(2 * math.pi)).flatten(1).sum(dim=1)


__all__ = ["AffineCoupling", "ActNorm", "Squeeze", "LogitTransform", "Dequantization", "VariationalDequantization",
           "checkerboard_mask", "channel_mask", "coupling_net", "squeeze", "standard_normal_log_prob"]

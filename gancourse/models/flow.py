"""A small multi-scale RealNVP: a normalizing flow of digits (lecture: alternatives to GANs, flow models).

A flow (流模型) is one invertible map f from an image x to a Gaussian latent z of the same size. The change of
variables gives the exact log-likelihood, and f^-1 turns Gaussian noise into images:
    log p(x) = log N(f(x); 0, I) + log |det df/dx|,      x = f^-1(z),  z ~ N(0, T^2 I) (T: temperature)
f is a chain of layers from gancourse.nn.coupling, each invertible with a cheap log-determinant (RealNVP, Dinh et
al., 2017, arXiv:1605.08803; ActNorm from Glow, Kingma & Dhariwal, 2018). Every layer keeps the dimension, which
is why flows are costly: a 32 x 32 digit is a 1024-dimensional z.
    image (N, 1, 32, 32) -> [0, 1] -> logit -> (ActNorm, checkerboard coupling) x n1
        -> squeeze (N, 4, 16, 16) -> (ActNorm, channel coupling) x n2 -> half the channels leave as z1 (N, 2, 16, 16)
        -> squeeze (N, 8, 8, 8) -> (ActNorm, channel coupling) x n3 -> z2;   z = [z1, z2] (N, 1024)
8-bit values b are dequantized first (v = b + u, u in [0, 1)), so log P(b) >= E[log p(v)] in bits per dimension.
ToyFlow is the same idea on 2-D points, where every layer's output can be plotted.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from ..checks import check_config, check_int, check_real, config_ints
from ..nn.coupling import (ActNorm, AffineCoupling, Dequantization, LogitTransform, Squeeze, VariationalDequantization,
                           channel_mask, checkerboard_mask, standard_normal_log_prob)
from .pixelcnn import to_images

DEQUANTIZATIONS = ("uniform", "variational")


@dataclass(frozen=True)
class FlowConfig:
    side: int = 32  # image height and width, divisible by 4 (two squeezes)
    hidden: int = 32  # feature maps in each coupling's network
    blocks: int = 1  # residual blocks in each coupling's network
    couplings: tuple = (4, 4, 4)  # couplings at 32 x 32 (checkerboard), 16 x 16 and 8 x 8 (channel masks)
    dequantization: str = "uniform"  # "uniform" noise in each bin, or "variational": a learned q(u | b)
    dequantization_hidden: int = 16  # the variational dequantizer's coupling networks
    dequantization_couplings: int = 4
    alpha: float = 1e-5  # the logit transform's margin: [0, 1] is squeezed into [alpha, 1 - alpha]

    def __post_init__(self):
        config_ints(self, ("side", "hidden", "blocks", "dequantization_hidden", "dequantization_couplings"),
                    minimum=1, what="a positive int")
        if self.side % 4:
            raise ValueError(f"FlowConfig.side must be divisible by 4 (the flow squeezes twice), got {self.side}")
        object.__setattr__(self, "couplings", tuple(self.couplings))
        if len(self.couplings) != 3 or any(not isinstance(n, int) or isinstance(n, bool) or n < 0 for n in self.couplings):
            raise ValueError(f"FlowConfig.couplings must be three ints >= 0 (one per scale), got {self.couplings!r}")
        if self.dequantization not in DEQUANTIZATIONS:
            raise ValueError(f"FlowConfig.dequantization must be one of {DEQUANTIZATIONS}, got {self.dequantization!r}")
        if not 0 < self.alpha < 0.5:
            raise ValueError(f"FlowConfig.alpha must lie in (0, 0.5), got {self.alpha!r}")


def coupling_steps(n: int, channels: int, mask, hidden: int, blocks: int) -> nn.ModuleList:
    """n steps of (ActNorm, affine coupling), the coupling's mask mask(i) alternating with i."""
    return nn.ModuleList(layer for i in range(n)
                         for layer in (ActNorm(channels), AffineCoupling(mask(i), channels, hidden, blocks)))


def run(layers, z: torch.Tensor, logdet: torch.Tensor, reverse: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    """Apply flow layers in order (or, reversed, backwards): each maps (z, logdet) -> (z, logdet)."""
    for layer in (reversed(layers) if reverse else layers):
        z, logdet = layer(z, logdet, reverse=reverse)
    return z, logdet


class Flow(nn.Module):
    """forward(images) -> (z, log-det); inverse(z) -> images; log_prob(values) -> nats; sample(n, temperature)."""

    Config = FlowConfig

    def __init__(self, config: FlowConfig | None = None):
        super().__init__()
        self.config = config = check_config(config, FlowConfig, "Flow")
        s, h, b = config.side, config.hidden, config.blocks
        n1, n2, n3 = config.couplings
        self.dequantize = (VariationalDequantization((1, s, s), 256, config.dequantization_hidden,
                                                     config.dequantization_couplings)
                           if config.dequantization == "variational" else Dequantization(256))
        self.logit = LogitTransform(config.alpha)
        self.squeeze = Squeeze()
        self.scale1 = coupling_steps(n1, 1, lambda i: checkerboard_mask(s, s, i % 2), h, b)  # (N, 1, s, s)
        self.scale2 = coupling_steps(n2, 4, lambda i: channel_mask(4, i % 2), h, b)  # (N, 4, s/2, s/2)
        self.scale3 = coupling_steps(n3, 8, lambda i: channel_mask(8, i % 2), h, b)  # (N, 8, s/4, s/4)

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    @property
    def dims(self) -> int:
        return self.config.side ** 2

    def check(self, images: torch.Tensor, who: str) -> None:
        s = self.config.side
        if not isinstance(images, torch.Tensor) or images.ndim != 4 or images.shape[1:] != (1, s, s):
            shape = tuple(images.shape) if isinstance(images, torch.Tensor) else type(images).__name__
            raise ValueError(f"Flow.{who} takes (N, 1, {s}, {s}) tensors, got {shape}")
        if who == "log_prob" and (images.dtype.is_floating_point or images.dtype == torch.bool):
            raise ValueError(f"Flow.log_prob takes 8-bit values (integers in [0, 256)), got {images.dtype}; images in "
                             f"[-1, 1] become values with gancourse.models.pixelcnn.to_values(images)")

    def encode(self, x: torch.Tensor, logdet: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """x (N, 1, s, s) in [0, 1] -> z (N, s*s), adding each layer's log-det to logdet (N,)."""
        z, logdet = self.logit(x, logdet)
        z, logdet = run(self.scale1, z, logdet)
        z, logdet = self.squeeze(z, logdet)  # (N, 4, s/2, s/2)
        z, logdet = run(self.scale2, z, logdet)
        z1, z = z.chunk(2, dim=1)  # half the channels are done: z1 (N, 2, s/2, s/2) goes straight to the prior
        z, logdet = self.squeeze(z, logdet)  # (N, 8, s/4, s/4)
        z, logdet = run(self.scale3, z, logdet)
        return torch.cat([z1.flatten(1), z.flatten(1)], dim=1), logdet  # (N, s*s)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """z (N, s*s) -> x (N, 1, s, s) in [0, 1]: encode run backwards."""
        n, q = len(z), self.config.side // 4
        logdet = z.new_zeros(n)
        z1, z2 = z[:, :2 * 4 * q * q].view(n, 2, 2 * q, 2 * q), z[:, 2 * 4 * q * q:].view(n, 8, q, q)
        y, logdet = run(self.scale3, z2, logdet, reverse=True)
        y, logdet = self.squeeze(y, logdet, reverse=True)  # (N, 2, s/2, s/2)
        y, logdet = run(self.scale2, torch.cat([z1, y], dim=1), logdet, reverse=True)
        y, logdet = self.squeeze(y, logdet, reverse=True)  # (N, 1, s, s)
        y, logdet = run(self.scale1, y, logdet, reverse=True)
        return self.logit(y, logdet, reverse=True)[0]

    def forward(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """images (N, 1, s, s) in [-1, 1] -> (z (N, s*s), log|det dz/dimages| (N,)). Deterministic and exact."""
        self.check(images, "forward")
        x = (images.to(self.device) + 1) / 2  # [-1, 1] -> [0, 1]: log|det| = -D log 2
        return self.encode(x, x.new_full((len(x),), -self.dims * math.log(2)))

    def inverse(self, z: torch.Tensor) -> torch.Tensor:
        """z (N, s*s) -> images (N, 1, s, s) in [-1, 1]: forward's exact inverse."""
        return self.decode(z.to(self.device)) * 2 - 1

    def log_prob_terms(self, values: torch.Tensor) -> dict[str, torch.Tensor]:
        """log_prob's two parts, (N,) nats each: {"log_pz": log N(z), "log_det": the log-dets of the flow, the logit
        and the division by 256, minus log q(u | b) when the dequantization is variational}."""
        self.check(values, "log_prob")
        x, logdet = self.dequantize(values.to(self.device), torch.zeros(len(values), device=self.device))
        z, logdet = self.encode(x, logdet)
        return {"log_pz": standard_normal_log_prob(z), "log_det": logdet}

    def log_prob(self, values: torch.Tensor) -> torch.Tensor:
        """A lower bound on log P(values) of 8-bit images (N, 1, s, s) in [0, 256) -> (N,) nats, for one draw of
        the dequantization noise: log p(b) >= log N(f(v)) + log|det df/dv| - log q(u | b), v = b + u."""
        terms = self.log_prob_terms(values)
        return terms["log_pz"] + terms["log_det"]

    def loss(self, values: torch.Tensor) -> dict[str, torch.Tensor]:
        """{"nll": mean negative log_prob in nats per dimension}."""
        return {"nll": -self.log_prob(values).mean() / self.dims}

    @torch.no_grad()
    def sample(self, n: int, temperature: float = 1.0, *, generator: torch.Generator | None = None) -> torch.Tensor:
        """n images from z ~ N(0, temperature^2 I), each value snapped to its 8-bit bin: (n, 1, s, s) in [-1, 1]."""
        n = check_int(n, "n", minimum=1, who="Flow.sample")
        temperature = check_real(temperature, "temperature", minimum=0, who="Flow.sample")
        z = torch.randn(n, self.dims, generator=generator) * temperature
        values, _ = self.dequantize(self.decode(z.to(self.device)).clamp(0, 1), z.new_zeros(n), reverse=True)
        return to_images(values)


@dataclass(frozen=True)
class ToyFlowConfig:
    couplings: int = 6  # (ActNorm, coupling) steps, the kept coordinate alternating
    hidden: int = 64
    blocks: int = 2

    def __post_init__(self):
        config_ints(self, ("couplings", "hidden", "blocks"), minimum=1, what="a positive int")


class ToyFlow(nn.Module):
    """The same layers on 2-D points (N, 2), held as (N, 2, 1, 1) images of one pixel. forward(points) ->
    (z (N, 2), log-det (N,)); steps(points) -> every layer's output; inverse, log_prob, sample as Flow."""

    Config = ToyFlowConfig

    def __init__(self, config: ToyFlowConfig | None = None):
        super().__init__()
        self.config = config = check_config(config, ToyFlowConfig, "ToyFlow")
        self.layers = coupling_steps(config.couplings, 2, lambda i: channel_mask(2, i % 2), config.hidden, config.blocks)

    def steps(self, points: torch.Tensor) -> list[torch.Tensor]:
        """The points after each coupling (ActNorm folded in): [(N, 2)] * (couplings + 1), the input first."""
        z, logdet, out = points[:, :, None, None], points.new_zeros(len(points)), [points]
        for i, layer in enumerate(self.layers):
            z, logdet = layer(z, logdet)
            if i % 2:
                out.append(z[:, :, 0, 0])
        return out

    def forward(self, points: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        z, logdet = run(self.layers, points[:, :, None, None], points.new_zeros(len(points)))
        return z[:, :, 0, 0], logdet

    def inverse(self, z: torch.Tensor) -> torch.Tensor:
        return run(self.layers, z[:, :, None, None], z.new_zeros(len(z)), reverse=True)[0][:, :, 0, 0]

    def log_prob(self, points: torch.Tensor) -> torch.Tensor:
        """log p(points) (N,) nats: exact."""
        z, logdet = self(points)
        return standard_normal_log_prob(z) + logdet

    @torch.no_grad()
    def sample(self, n: int, *, generator: torch.Generator | None = None) -> torch.Tensor:
        return self.inverse(torch.randn(n, 2, generator=generator))


def two_moons(n: int, *, noise: float = 0.08, seed: int = 0) -> torch.Tensor:
    """n points (n, 2) on two interleaved half circles with Gaussian noise, centred and scaled to unit spread:
    the 2-D toy data a flow learns to map to a Gaussian."""
    n = check_int(n, "n", minimum=2, who="two_moons")
    g = torch.Generator().manual_seed(seed)
    upper = torch.rand(n, generator=g) < 0.5
    angle = torch.rand(n, generator=g) * math.pi
    x = torch.where(upper, torch.cos(angle), 1 - torch.cos(angle))
    y = torch.where(upper, torch.sin(angle), 0.5 - torch.sin(angle))
    points = torch.stack([x, y], dim=1) + noise * torch.randn(n, 2, generator=g)
    return (points - torch.tensor([0.5, 0.25])) / torch.tensor([0.87, 0.5])  # about zero mean, unit spread


def fit_toy_flow(flow: ToyFlow, points: torch.Tensor, *, steps: int = 400, lr: float = 5e-3, batch_size: int = 256,
                 seed: int = 0) -> list[float]:
    """Maximum likelihood on 2-D points (N, 2): Adam on -log p(batch), seeded batches. Returns each step's
    negative log-likelihood, nats per point. The flow is left in eval mode."""
    steps = check_int(steps, "steps", minimum=0, who="fit_toy_flow")
    g = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(flow.parameters(), lr=lr)
    flow.train()
    losses = []
    for _ in range(steps):
        batch = points[torch.randint(len(points), (min(batch_size, len(points)),), generator=g)]
        loss = -flow.log_prob(batch).mean()  # the first batch also sets the ActNorms (data-dependent init)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    flow.eval()
    return losses

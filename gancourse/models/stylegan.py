"""A style-based generator for 32x32 images (lecture: components of StyleGAN; Karras et al., 2019).

The noise z does not enter the generator's start. A mapping network turns it into w, and w sets the style of
every layer through AdaIN; the synthesis network starts from a learned constant, the same for every image:

    z (N, z_dim) -> MappingLayers -> w (N, w_dim) -> one copy per layer: ws (N, 8, w_dim)
    constant (1, c0, 4, 4) -> [StyleBlock(ws[:, 0]), StyleBlock(ws[:, 1])]       (N, c0, 4, 4)
                           -> [StyleBlock(ws[:, 2]) with x2 upsampling, ...(3)]   (N, c1, 8, 8)
                           -> [ws 4, 5]                                          (N, c2, 16, 16)
                           -> [ws 6, 7] -> 1x1 conv to RGB, tanh                 (N, C, 32, 32)
Each StyleBlock adds its own noise before AdaIN (stochastic variation). Style mixing feeds w1 to the layers
before a crossover and w2 to the rest; truncation pulls w towards the average w: w_avg + psi (w - w_avg).
`StyleGAN` holds the generator being trained, its exponential moving average (`average`, what every sampling
method draws with) and the discriminator: gan-faces' DCGAN one (a 3x3 layer at 32x32, batch norm), optionally
with a minibatch-stddev channel. Paper: 1024x1024, 512 channels, z = w = 512; here 32x32, 128 channels at most,
z = w = 64, so that it trains on a CPU.
"""
from __future__ import annotations

import copy
import math
import numbers
from dataclasses import dataclass

import torch
from torch import nn

from ..nn.dcgan import down_stack
from ..nn.style import ConstantInput, MappingLayers, StyleBlock
from .cgan import init_weights

NOISE_MODES = ("random", "fixed", "off")


@dataclass(frozen=True)
class StyleGANConfig:
    z_dim: int = 64  # noise size (paper: 512)
    w_dim: int = 64  # intermediate latent size (paper: 512, the same as z)
    mapping_layers: int = 8  # the mapping network's depth (paper: 8); 0: no network, w = the normalised z
    mapping_lr: float = 0.01  # the mapping's learning-rate multiplier (paper: 0.01)
    widths: tuple = (128, 64, 32, 16)  # synthesis channels at 4x4, 8x8, 16x16, 32x32 (two style layers each)
    noise_scale: float = 0.0  # every InjectNoise's starting scale: training decides how much noise each channel takes
    channels: int = 3  # image channels
    d_width: int = 32  # discriminator channels at 16x16, doubled per halving (gan-faces' DCGAN)
    minibatch_std: int = 0  # group size of the discriminator's minibatch-stddev channel; 0: no such channel

    def __post_init__(self):
        for name, minimum, what in [("z_dim", 1, "a positive int"), ("w_dim", 1, "a positive int"),
                                    ("channels", 1, "a positive int"), ("d_width", 2, "an int >= 2"),
                                    ("mapping_layers", 0, "an int >= 0 (0: w is the normalised z)"),
                                    ("minibatch_std", 0, "an int >= 0 (0: off)")]:
            set_field(self, name, whole(getattr(self, name), minimum), what)
        if self.mapping_layers == 0 and self.z_dim != self.w_dim:
            raise ValueError(f"StyleGANConfig: mapping_layers=0 makes w the normalised z, so w_dim must equal z_dim "
                             f"({self.z_dim}), got {self.w_dim}")
        widths = tuple(whole(c, 1) for c in self.widths) if isinstance(self.widths, (tuple, list)) else ()
        set_field(self, "widths", widths if len(widths) == 4 and None not in widths else None,
                  "4 positive ints (channels at 4, 8, 16 and 32 px)")
        for name in ("mapping_lr", "noise_scale"):
            value = getattr(self, name)
            ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)
            set_field(self, name, float(value) if ok and (value > 0 or name == "noise_scale") else None,
                      "a finite positive number" if name == "mapping_lr" else "a finite number")


def whole(value, minimum: int) -> int | None:
    """value as an int when it is a whole number >= minimum (numpy ints too, bools never), else None."""
    ok = isinstance(value, numbers.Integral) and not isinstance(value, bool) and value >= minimum
    return int(value) if ok else None


def set_field(config, name: str, value, what: str) -> None:
    """Store a checked field on the frozen config, or name it in a ValueError when the check gave None."""
    if value is None:
        raise ValueError(f"{type(config).__name__}.{name} must be {what}, got {getattr(config, name)!r}")
    object.__setattr__(config, name, value)


class Synthesis(nn.Module):
    """The synthesis network: the learned constant, 8 style layers (two per resolution), then a 1x1 conv to RGB.

    ws (N, 8, w_dim), noise: one map (N or 1, 1, R, R) per layer -> images (N, C, 32, 32) in [-1, 1]
    """

    def __init__(self, config: StyleGANConfig):
        super().__init__()
        c = config.widths
        self.input = ConstantInput(c[0])
        blocks = []
        for i, width in enumerate(c):
            blocks += [StyleBlock(c[max(i - 1, 0)], width, config.w_dim, upsample=i > 0, noise_scale=config.noise_scale),
                       StyleBlock(width, width, config.w_dim, upsample=False, noise_scale=config.noise_scale)]
        self.blocks = nn.ModuleList(blocks)
        self.to_rgb = nn.Sequential(nn.Conv2d(c[-1], config.channels, 1), nn.Tanh())
        self.resolutions = [4 * 2 ** (i // 2) for i in range(len(blocks))]     # [4, 4, 8, 8, 16, 16, 32, 32]

    def forward(self, ws: torch.Tensor, noise: list[torch.Tensor]) -> torch.Tensor:
        x = self.input(len(ws))                                                # (N, c0, 4, 4)
        for i, block in enumerate(self.blocks):
            x = block(x, ws[:, i], noise[i])                                   # (N, c, R, R)
        return self.to_rgb(x)                                                  # (N, C, 32, 32)


class StyleGenerator(nn.Module):
    """Mapping network, synthesis network, and w_avg (w_dim,), the average w, tracked in training for truncation."""

    def __init__(self, config: StyleGANConfig):
        super().__init__()
        self.mapping = MappingLayers(config.z_dim, config.w_dim, config.w_dim, config.mapping_layers, config.mapping_lr)
        self.synthesis = Synthesis(config)
        self.register_buffer("w_avg", torch.zeros(config.w_dim))
        fixed = torch.Generator().manual_seed(0)  # "fixed" noise: the same maps for every call and every image
        for i, r in enumerate(self.synthesis.resolutions):
            self.register_buffer(f"fixed_noise_{i}", torch.randn(1, 1, r, r, generator=fixed), persistent=False)


class MinibatchStdDev(nn.Module):
    """Appends one channel: the average standard deviation of the features across groups of `group` images, so the
    discriminator can see a batch with too little variety (Karras et al., 2018)."""

    def __init__(self, group: int = 4):
        super().__init__()
        self.group = group

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, c, h, w = x.shape
        g = min(self.group, n)
        assert n % g == 0, f"batch size {n} must be a multiple of the minibatch-stddev group {g}"
        std = (x.view(g, -1, c, h, w).var(dim=0, unbiased=False) + 1e-8).sqrt().mean(dim=(1, 2, 3))  # (N / g,)
        return torch.cat([x, std.repeat(g)[:, None, None, None].expand(n, 1, h, w)], dim=1)


class Discriminator(nn.Module):
    """gan-faces' DCGAN discriminator: (N, C, 32, 32) -> 3x3 conv (N, w/2, 32, 32) -> (N, w, 16, 16) ->
    (N, 2w, 8, 8) -> (N, 4w, 4, 4) (+ 1 minibatch-stddev channel) -> logit (N, 1)."""

    def __init__(self, config: StyleGANConfig):
        super().__init__()
        w, group = config.d_width, config.minibatch_std
        std = [MinibatchStdDev(group)] if group else []
        self.layers = nn.Sequential(*down_stack(config.channels, w, full_res=True), *std,
                                    nn.Conv2d(4 * w + bool(group), 1, 4), nn.Flatten())
        self.apply(init_weights)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.layers(images)


class StyleGAN(nn.Module):
    """The style-based generator (trained), its moving average (drawn with) and the discriminator, as one module.

    mapping(z) -> w; synthesize(ws, noise=..., noise_layers=...) -> images; generate(z, psi) = both, truncated;
    mix(z1, z2, crossover) -> style mixing; layout() -> which w and noise go where.
    """

    Config = StyleGANConfig

    def __init__(self, config: StyleGANConfig | None = None):
        super().__init__()
        if config is not None and not isinstance(config, StyleGANConfig):
            raise TypeError(f"StyleGAN takes a StyleGANConfig (or None for the defaults), got {type(config).__name__}; "
                            f"build one with StyleGANConfig(**values)")
        self.config = config = config or StyleGANConfig()
        self.generator = StyleGenerator(config)
        self.discriminator = Discriminator(config)
        self.average = copy.deepcopy(self.generator).requires_grad_(False)

    @property
    def device(self) -> torch.device:
        return self.average.w_avg.device

    @property
    def n_ws(self) -> int:
        """How many w the synthesis network takes: one per style layer (8)."""
        return len(self.average.synthesis.blocks)

    @property
    def w_avg(self) -> torch.Tensor:
        return self.average.w_avg

    def mapping(self, z: torch.Tensor) -> torch.Tensor:
        """z (N, z_dim) -> w (N, w_dim)."""
        check_latent(z, self.config.z_dim, "z")
        return self.average.mapping(z.to(self.device))

    def truncate(self, w: torch.Tensor, psi: float) -> torch.Tensor:
        """The truncation trick in W: w_avg + psi (w - w_avg); psi = 1 leaves w alone, psi = 0 gives the average face."""
        return torch.lerp(self.w_avg, w, psi) if psi != 1 else w

    def noise_maps(self, n: int, noise="random", noise_layers=None, generator: torch.Generator | None = None):
        """One noise map per style layer. noise: "random" (fresh N(0, 1) maps (n, 1, R, R), drawn on the CPU from
        `generator` when given), "fixed" (the same maps for every image), "off" (zeros), or a list of maps;
        noise_layers: the layers that get noise (default: all), the others get none."""
        resolutions = self.average.synthesis.resolutions
        if isinstance(noise, str):
            if noise not in NOISE_MODES:
                raise ValueError(f"noise must be one of {NOISE_MODES} or a list of {len(resolutions)} maps, got {noise!r}")
            if noise == "random":
                noise = [torch.randn(n, 1, r, r, generator=generator).to(self.device) for r in resolutions]
            else:
                fixed = [getattr(self.average, f"fixed_noise_{i}") for i in range(len(resolutions))]
                noise = fixed if noise == "fixed" else [torch.zeros_like(m) for m in fixed]
        if len(noise) != len(resolutions) or any(m.shape[1:] != (1, r, r) for m, r in zip(noise, resolutions)):
            raise ValueError(f"noise must hold one map (N, 1, R, R) per layer at R = {resolutions}")
        layers = range(len(resolutions)) if noise_layers is None else set(noise_layers)
        return [m if i in layers else torch.zeros_like(m) for i, m in enumerate(noise)]

    def synthesize(self, ws: torch.Tensor, noise="random", noise_layers=None,
                   generator: torch.Generator | None = None) -> torch.Tensor:
        """ws (N, w_dim), the same w for every layer, or (N, 8, w_dim), one per layer -> images (N, C, 32, 32).
        noise, noise_layers, generator: see noise_maps."""
        ws = broadcast_ws(ws, self.n_ws, self.config.w_dim).to(self.device)
        return self.average.synthesis(ws, self.noise_maps(len(ws), noise, noise_layers, generator))

    def generate(self, z: torch.Tensor, psi: float = 1.0, noise="random", noise_layers=None) -> torch.Tensor:
        """Images for noise z (N, z_dim), truncated in W by psi: (N, C, 32, 32) in [-1, 1]."""
        return self.synthesize(self.truncate(self.mapping(z), psi), noise, noise_layers)

    forward = generate

    def mix(self, z1: torch.Tensor, z2: torch.Tensor, crossover: int, psi: float = 1.0, noise="random") -> torch.Tensor:
        """Style mixing: w1 = mapping(z1) feeds layers 0 .. crossover - 1, w2 the layers from crossover on.

        z1, z2 (N, z_dim); crossover in [0, 8]: 0 is all w2, 8 all w1 -> images (N, C, 32, 32)."""
        crossover = check_crossover(crossover, self.n_ws)
        w1, w2 = (self.truncate(self.mapping(z), psi) for z in (z1, z2))
        return self.synthesize(mixed_ws(w1, w2, crossover, self.n_ws), noise)

    def sample(self, n: int, *, psi: float = 1.0, generator: torch.Generator | None = None) -> torch.Tensor:
        """n images from fresh z and noise, drawn on the CPU from `generator` when given."""
        z = torch.randn(n, self.config.z_dim, generator=generator)
        ws = self.truncate(self.mapping(z), psi)
        return self.synthesize(ws, "random", generator=generator)

    def layout(self) -> list[dict]:
        """Where each w and noise map goes: per style layer its block, resolution, channels, w index and the mean
        absolute learned noise scale."""
        blocks = self.average.synthesis.blocks
        return [{"layer": i, "block": i // 2, "resolution": r, "channels": b.conv.out_channels, "w_index": i,
                 "noise_scale": b.inject_noise.weight.abs().mean().item()}
                for i, (b, r) in enumerate(zip(blocks, self.average.synthesis.resolutions))]


def check_latent(z, d: int, name: str) -> None:
    if not isinstance(z, torch.Tensor) or z.ndim != 2 or z.shape[1] != d:
        shape = tuple(z.shape) if isinstance(z, torch.Tensor) else type(z).__name__
        raise ValueError(f"{name} must be a batch of shape (N, {d}), got {shape}")


def check_crossover(crossover, n_ws: int) -> int:
    if isinstance(crossover, bool) or not isinstance(crossover, numbers.Integral) or not 0 <= crossover <= n_ws:
        raise ValueError(f"crossover must be an int in [0, {n_ws}] (the first layer that takes w2), got {crossover!r}")
    return int(crossover)


def broadcast_ws(ws: torch.Tensor, n_ws: int, w_dim: int) -> torch.Tensor:
    """ws (N, w_dim) -> (N, n_ws, w_dim), one copy per layer; (N, n_ws, w_dim) as it is."""
    if isinstance(ws, torch.Tensor) and ws.ndim == 2 and ws.shape[1] == w_dim:
        return ws[:, None].expand(-1, n_ws, -1)
    if not isinstance(ws, torch.Tensor) or ws.shape[1:] != (n_ws, w_dim):
        shape = tuple(ws.shape) if isinstance(ws, torch.Tensor) else type(ws).__name__
        raise ValueError(f"ws must be (N, {w_dim}) or (N, {n_ws}, {w_dim}), one w per layer, got {shape}")
    return ws


def mixed_ws(w1: torch.Tensor, w2: torch.Tensor, crossover, n_ws: int) -> torch.Tensor:
    """(N, w_dim) twice -> (N, n_ws, w_dim): w1 for the layers before crossover, w2 from it on."""
    first = (torch.arange(n_ws, device=w1.device) < crossover)[None, :, None]  # (1, n_ws, 1)
    return torch.where(first, w1[:, None], w2[:, None])

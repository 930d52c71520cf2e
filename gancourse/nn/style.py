"""StyleGAN's components (lecture: components of StyleGAN), with the course lab's names.

    z (N, z_dim) ~ N(0, I)  --MappingLayers-->  w (N, w_dim)                the noise mapping network (噪声映射网络)
    constant (1, C, 4, 4) --StyleBlock(w)--> ... --StyleBlock(w)--> image   w enters every block, not the start

A style block is upsample, conv, InjectNoise, activation, AdaIN:
    InjectNoise  x + weight * noise          noise (N, 1, H, W) ~ N(0, 1), weight (1, C, 1, 1) learned per channel:
                                             stochastic variation (随机变化), details that are not who the face is
    AdaIN        scale(w) * (x - mu(x)) / sigma(x) + shift(w)
                 mu, sigma per image and channel (instance norm), scale and shift one value per channel from w:
                 adaptive instance normalization (自适应实例归一化), where w sets the style
get_truncated_noise gives z with every value within +-truncation: the truncation trick (截断技巧), fidelity for
diversity. Karras et al., "A Style-Based Generator Architecture for GANs" (2019); Coursera GANs C2W3 lab.
"""
from __future__ import annotations

import math
import numbers

import numpy as np
import torch
import torch.nn.functional as F
from scipy.stats import truncnorm
from torch import nn


def check_count(value, name: str, minimum: int = 1) -> int:
    """value as an int >= minimum (numpy ints accepted, bools refused)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}")
    return int(value)


def check_truncation(truncation) -> float:
    if isinstance(truncation, bool) or not isinstance(truncation, numbers.Real) or not 0 < truncation < math.inf:
        raise ValueError(f"truncation must be a positive finite number (values are kept within +-truncation), "
                         f"got {truncation!r}")
    return float(truncation)


def get_truncated_noise(n_samples: int, z_dim: int, truncation: float, *, seed: int | None = None) -> torch.Tensor:
    """Noise (n_samples, z_dim) from a standard normal truncated to [-truncation, truncation] (the course's function).

    A small truncation keeps z near the centre, where the generator saw the most data: faithful but alike samples;
    a large one (3 and up) is plain N(0, I). seed: a seed for the same noise every time (default: numpy's global RNG).
    """
    n_samples, z_dim = check_count(n_samples, "n_samples"), check_count(z_dim, "z_dim")
    truncation = check_truncation(truncation)
    random_state = None if seed is None else np.random.default_rng(check_count(seed, "seed", 0))
    truncated_noise = truncnorm.rvs(-truncation, truncation, size=(n_samples, z_dim), random_state=random_state)
    return torch.tensor(truncated_noise, dtype=torch.float32)


class PixelNorm(nn.Module):
    """z / sqrt(mean(z^2)): every z onto the sphere of radius sqrt(z_dim), the mapping network's first step."""

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return z * torch.rsqrt(z.pow(2).mean(dim=1, keepdim=True) + 1e-8)


class EqualizedLinear(nn.Module):
    """A linear layer with an equalized learning rate and a learning-rate multiplier.

    The weight is stored as N(0, 1 / lr_multiplier^2) and scaled at run time by gain * lr_multiplier /
    sqrt(in_features), so every layer starts at He's scale (gain sqrt(2) before a ReLU-like activation keeps the
    signal's size through a deep stack) and Adam's steps, about the same size for every stored parameter, move the
    used weight lr_multiplier times as fast as in an ordinary layer (paper: 0.01 in the mapping).
    """

    def __init__(self, in_features: int, out_features: int, lr_multiplier: float = 1.0, gain: float = 1.0):
        super().__init__()
        self.lr_multiplier = lr_multiplier
        self.scale = gain * lr_multiplier / math.sqrt(in_features)
        self.weight = nn.Parameter(torch.randn(out_features, in_features) / lr_multiplier)
        self.bias = nn.Parameter(torch.zeros(out_features))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.linear(x, self.weight * self.scale, self.bias * self.lr_multiplier)


class MappingLayers(nn.Module):
    """The noise mapping network: z (N, z_dim) -> w (N, w_dim), an MLP of n_layers fully connected layers.

    z is first normalised by its second moment (PixelNorm); leaky ReLUs between the layers, none after the last,
    so w can be any vector. Layers before an activation start at He's gain sqrt(2): with gain 1 every layer would
    halve the signal's variance, and w would come out of 8 layers nearly the same for every z. The lab's micro version has n_layers=3; the paper 8 of 512. n_layers=0 is no network:
    w is the normalised z (needs w_dim == z_dim). lr_multiplier: see EqualizedLinear.
    """

    def __init__(self, z_dim: int, hidden_dim: int, w_dim: int, n_layers: int = 8, lr_multiplier: float = 0.01):
        super().__init__()
        z_dim, hidden_dim, w_dim = (check_count(v, name) for v, name in
                                    ((z_dim, "z_dim"), (hidden_dim, "hidden_dim"), (w_dim, "w_dim")))
        n_layers = check_count(n_layers, "n_layers", 0)
        if n_layers == 0 and z_dim != w_dim:
            raise ValueError(f"with n_layers=0 there is no network and w is the normalised z, so w_dim must equal "
                             f"z_dim ({z_dim}), got {w_dim}")
        sizes = [z_dim] + [hidden_dim] * (n_layers - 1) + [w_dim] if n_layers else []
        layers: list[nn.Module] = [PixelNorm()]
        for i, (size_in, size_out) in enumerate(zip(sizes, sizes[1:])):
            hidden = i < n_layers - 1
            layers += [EqualizedLinear(size_in, size_out, lr_multiplier, gain=math.sqrt(2) if hidden else 1.0)]
            layers += [nn.LeakyReLU(0.2)] if hidden else []
        self.mapping = nn.Sequential(*layers)

    def forward(self, noise: torch.Tensor) -> torch.Tensor:
        """noise (N, z_dim) -> w (N, w_dim)."""
        return self.mapping(noise)

    def get_mapping(self) -> nn.Sequential:
        return self.mapping


class InjectNoise(nn.Module):
    """Adds noise to a feature map: image + weight * noise, with one noise map (N, 1, H, W) shared by all channels
    and a learned per-channel scale weight (1, channels, 1, 1).

    scale: the weight's starting value for every channel; None draws it from N(0, 1), as the lab does (StyleGAN
    starts it at 0 and lets training decide how much variation each channel takes).
    """

    def __init__(self, channels: int, scale: float | None = None):
        super().__init__()
        channels = check_count(channels, "channels")
        start = torch.randn(channels) if scale is None else torch.full((channels,), float(scale))
        self.weight = nn.Parameter(start[None, :, None, None])                  # (1, C, 1, 1)

    def forward(self, image: torch.Tensor, noise: torch.Tensor | None = None) -> torch.Tensor:
        """image (N, C, H, W); noise (N or 1, 1, H, W), drawn from N(0, 1) when None -> (N, C, H, W)."""
        if noise is None:
            noise = torch.randn(image.shape[0], 1, *image.shape[2:], device=image.device, dtype=image.dtype)
        return image + self.weight * noise

    def get_weight(self) -> nn.Parameter:
        return self.weight


class AdaIN(nn.Module):
    """Adaptive instance normalization: normalise each channel of each image, then scale and shift it with values
    computed from w, one pair per channel.

    image (N, C, H, W), w (N, w_dim) -> style_scale(w) * instance_norm(image) + style_shift(w)   (N, C, H, W)
    The scale's bias starts at 1 and the shift's at 0, so an untrained AdaIN passes the normalised map through.
    """

    def __init__(self, channels: int, w_dim: int):
        super().__init__()
        channels, w_dim = check_count(channels, "channels"), check_count(w_dim, "w_dim")
        self.instance_norm = nn.InstanceNorm2d(channels)
        self.style_scale_transform = nn.Linear(w_dim, channels)
        self.style_shift_transform = nn.Linear(w_dim, channels)
        nn.init.ones_(self.style_scale_transform.bias)
        nn.init.zeros_(self.style_shift_transform.bias)

    def forward(self, image: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        normalized_image = self.instance_norm(image)                             # (N, C, H, W): mean 0, std 1
        style_scale = self.style_scale_transform(w)[:, :, None, None]            # (N, C, 1, 1)
        style_shift = self.style_shift_transform(w)[:, :, None, None]            # (N, C, 1, 1)
        return style_scale * normalized_image + style_shift

    def get_style_scale_transform(self) -> nn.Linear:
        return self.style_scale_transform

    def get_style_shift_transform(self) -> nn.Linear:
        return self.style_shift_transform


class StyleBlock(nn.Module):
    """One style layer: (upsample x2), 3x3 conv, InjectNoise, leaky ReLU, AdaIN with one w.

    x (N, in_channels, H, W), w (N, w_dim) -> (N, out_channels, 2H or H, 2W or W)
    Two of these make each resolution's block in the paper, so every block takes its w twice.
    noise_scale: InjectNoise's starting scale (None: the lab's random one).
    """

    def __init__(self, in_channels: int, out_channels: int, w_dim: int, *, upsample: bool = True,
                 noise_scale: float | None = 0.0):
        super().__init__()
        self.upsample = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False) if upsample else nn.Identity()
        self.conv = nn.Conv2d(in_channels, out_channels, 3, padding=1)
        self.inject_noise = InjectNoise(out_channels, noise_scale)
        self.activation = nn.LeakyReLU(0.2)
        self.adain = AdaIN(out_channels, w_dim)

    def forward(self, x: torch.Tensor, w: torch.Tensor, noise: torch.Tensor | None = None) -> torch.Tensor:
        """noise: (N or 1, 1, H', W') at the output's resolution, or None for fresh noise."""
        x = self.conv(self.upsample(x))
        x = self.activation(self.inject_noise(x, noise))
        return self.adain(x, w)

    @torch.no_grad()
    def stages(self, x: torch.Tensor, w: torch.Tensor, noise: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        """forward, step by step: the feature map after each part, {"conv", "noise", "activation", "normalized",
        "styled"}, each (N, out_channels, H', W'); "styled" is forward's output (for pictures of each part)."""
        out = {"conv": self.conv(self.upsample(x))}
        out["noise"] = self.inject_noise(out["conv"], noise)
        out["activation"] = self.activation(out["noise"])
        out["normalized"] = self.adain.instance_norm(out["activation"])
        out["styled"] = self.adain(out["activation"], w)
        return out


class ConstantInput(nn.Module):
    """The synthesis network's learned starting map (1, channels, size, size), the same for every image."""

    def __init__(self, channels: int, size: int = 4):
        super().__init__()
        self.constant = nn.Parameter(torch.randn(1, check_count(channels, "channels"), size, size))

    def forward(self, n: int) -> torch.Tensor:
        return self.constant.expand(n, -1, -1, -1)                              # (n, C, size, size)


def channel_stats(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Each image's per-channel mean and standard deviation over the pixels, what instance norm sets to 0 and 1
    and AdaIN then sets to shift(w) and |scale(w)|: x (N, C, H, W) -> mean (N, C), std (N, C)."""
    flat = x.flatten(2)                                                         # (N, C, H * W)
    return flat.mean(dim=2), flat.std(dim=2, unbiased=False)

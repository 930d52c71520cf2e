"""Judges: small CNNs trained on real data that read generated images.

A judge answers "what is in this image?" -- the digit class, or every face factor -- so we can
measure a generator: does it draw the class we asked for (conditional accuracy), does an edit
change only the feature we meant (entanglement), and how far are its samples from the data in
the judge's feature space (Fréchet distance, the idea behind FID with our judge in place of
Inception).

    image (N, C, 32, 32) -> JudgeTrunk -> features (N, feature_dim) -> head -> outputs
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from ..checks import check_config, config_ints


class JudgeTrunk(nn.Module):
    """Three conv stages, each halving the resolution, then a feature vector.

    (N, C, 32, 32) -> (N, w, 16, 16) -> (N, 2w, 8, 8) -> (N, 4w, 4, 4) -> (N, feature_dim)
    Small on purpose: a judge must read a batch in milliseconds on a CPU. Other sizes are pooled to 4x4.
    """

    def __init__(self, in_channels: int, width: int, feature_dim: int):
        super().__init__()

        def stage(c_in, c_out):
            return nn.Sequential(nn.Conv2d(c_in, c_out, 3, padding=1), nn.BatchNorm2d(c_out), nn.ReLU(), nn.MaxPool2d(2))

        self.stages = nn.Sequential(stage(in_channels, width), stage(width, 2 * width), stage(2 * width, 4 * width))
        self.project = nn.Sequential(nn.AdaptiveAvgPool2d(4), nn.Flatten(), nn.Linear(16 * 4 * width, feature_dim),
                                     nn.ReLU())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.project(self.stages(x))


def check_images(x: torch.Tensor, channels: int, who: str) -> None:
    if not isinstance(x, torch.Tensor) or x.ndim != 4 or x.shape[1] != channels:
        shape = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
        raise ValueError(f"{who} reads images of shape (N, {channels}, H, W), got {shape}")


@dataclass(frozen=True)
class DigitJudgeConfig:
    in_channels: int = 1  # grayscale digits
    n_classes: int = 10  # one logit per digit
    width: int = 16  # channels of the first stage; doubled per stage
    feature_dim: int = 128  # size of the features used for the Fréchet distance

    def __post_init__(self):
        config_ints(self, ("in_channels", "width", "feature_dim"), minimum=1, what="a positive int")
        config_ints(self, ("n_classes",), minimum=2, what="an int >= 2 (a classifier needs two classes)")


class DigitJudge(nn.Module):
    """A digit classifier. forward: (N, 1, 32, 32) -> logits (N, 10)."""

    Config = DigitJudgeConfig

    def __init__(self, config: DigitJudgeConfig | None = None):
        super().__init__()
        self.config = config = check_config(config, DigitJudgeConfig, "DigitJudge")
        self.trunk = JudgeTrunk(config.in_channels, config.width, config.feature_dim)
        self.head = nn.Linear(config.feature_dim, config.n_classes)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        check_images(x, self.config.in_channels, "DigitJudge")
        return self.trunk(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))

    @torch.no_grad()
    def predict(self, x: torch.Tensor) -> torch.Tensor:
        """The most likely class of each image: (N,) int64."""
        return self(x).argmax(dim=1)


@dataclass(frozen=True)
class FaceJudgeConfig:
    factor_names: tuple = ("hair_color", "hair_length", "glasses", "beard", "smile", "skin_tone")  # outputs, in order
    binary: tuple = ("glasses", "beard")  # read through a sigmoid as probabilities; the rest are regressed in [0, 1]
    in_channels: int = 3  # RGB faces
    width: int = 16  # channels of the first stage; doubled per stage
    feature_dim: int = 128  # size of the features used for the Fréchet distance

    def __post_init__(self):
        check_factor_names(self)
        config_ints(self, ("in_channels", "width", "feature_dim"), minimum=1, what="a positive int")


def check_factor_names(config: FaceJudgeConfig) -> None:
    """factor_names: distinct strings, at least one; binary: some of them. Lists are stored as tuples (frozen)."""
    for name in ("factor_names", "binary"):
        value = getattr(config, name)
        if isinstance(value, str) or not isinstance(value, (tuple, list)) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"FaceJudgeConfig.{name} must be a tuple of factor names (strings), got {value!r}")
        object.__setattr__(config, name, tuple(value))
    if not config.factor_names or len(set(config.factor_names)) != len(config.factor_names):
        raise ValueError(f"FaceJudgeConfig.factor_names must name at least one factor, each once, "
                         f"got {config.factor_names!r}")
    unknown = [n for n in config.binary if n not in config.factor_names]
    if unknown:
        raise ValueError(f"FaceJudgeConfig.binary names {unknown}, which are not in factor_names {config.factor_names}")


class FaceJudge(nn.Module):
    """Reads every face factor. forward: (N, 3, 32, 32) -> raw outputs (N, K); read: factor estimates."""

    Config = FaceJudgeConfig

    def __init__(self, config: FaceJudgeConfig | None = None):
        super().__init__()
        self.config = config = check_config(config, FaceJudgeConfig, "FaceJudge")
        self.trunk = JudgeTrunk(config.in_channels, config.width, config.feature_dim)
        self.head = nn.Linear(config.feature_dim, len(config.factor_names))
        self.register_buffer("is_binary", torch.tensor([n in config.binary for n in config.factor_names]), persistent=False)

    @property
    def factor_names(self) -> tuple[str, ...]:
        return tuple(self.config.factor_names)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        check_images(x, self.config.in_channels, "FaceJudge")
        return self.trunk(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Raw outputs (N, K): logits for binary factors, values for continuous ones."""
        return self.head(self.features(x))

    def read(self, x: torch.Tensor) -> torch.Tensor:
        """Factor estimates (N, K): probabilities for binary factors, values in [0, 1] for continuous ones.

        Differentiable, so classifier-gradient editing can ascend it.
        """
        return self.to_readout(self(x))

    def to_readout(self, raw: torch.Tensor) -> torch.Tensor:
        """Raw outputs (N, K) -> factor estimates: a sigmoid on the binary factors' logits, the rest clamped to [0, 1]."""
        return torch.where(self.is_binary, torch.sigmoid(raw), raw.clamp(0, 1))

"""DCGAN's convolution stacks for 32x32 images, shared by every convolutional model in the course.

up:   a vector (N, in_dim) -> linear -> (N, 4w, 4, 4) -> (N, 2w, 8, 8) -> (N, w, 16, 16) -> (N, C, 32, 32)
down: an image (N, C, 32, 32) -> (N, w, 16, 16) -> (N, 2w, 8, 8) -> (N, 4w, 4, 4)
Generators and VAE decoders go up; discriminators, critics, Q heads and VAE encoders go down.
"""
from __future__ import annotations

from torch import nn


def up_stack(in_dim: int, channels: int, width: int, out: nn.Module | None = None) -> tuple[nn.Sequential, nn.Sequential]:
    """(project, upsample): the vector to a 4x4 map, then three stride-2 transposed convolutions to 32x32.

    Each step is transposed conv, batch norm, ReLU; the last ends in `out` (default tanh, images in [-1, 1];
    nn.Identity() for logits)."""
    def up(c_in, c_out):
        return nn.Sequential(nn.ConvTranspose2d(c_in, c_out, 4, 2, 1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU())

    w = width
    project = nn.Sequential(nn.Linear(in_dim, 4 * w * 4 * 4, bias=False), nn.Unflatten(1, (4 * w, 4, 4)),
                            nn.BatchNorm2d(4 * w), nn.ReLU())
    upsample = nn.Sequential(up(4 * w, 2 * w), up(2 * w, w), nn.ConvTranspose2d(w, channels, 4, 2, 1),
                             nn.Tanh() if out is None else out)
    return project, upsample


def down_stack(in_channels: int, width: int, norm: bool = True) -> list[nn.Module]:
    """Three stride-2 convolutions with leaky ReLU, 32x32 -> 4x4, as a list to put into a Sequential.

    With norm, batch norm follows the second and third (DCGAN). Without, each sample's output depends on that
    sample alone, as WGAN-GP's per-sample gradient penalty needs."""
    def down(c_in, c_out, with_norm):
        return nn.Sequential(nn.Conv2d(c_in, c_out, 4, 2, 1, bias=not with_norm),
                             nn.BatchNorm2d(c_out) if with_norm else nn.Identity(), nn.LeakyReLU(0.2))

    w = width
    return [down(in_channels, w, False), down(w, 2 * w, norm), down(2 * w, 4 * w, norm)]

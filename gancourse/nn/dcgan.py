"""DCGAN's convolution stacks for 32x32 images, shared by every convolutional model in the course.

up:   a vector (N, in_dim) -> linear -> (N, 4w, 4, 4) -> (N, 2w, 8, 8) -> (N, w, 16, 16) -> (N, C, 32, 32)
down: an image (N, C, 32, 32) -> (N, w, 16, 16) -> (N, 2w, 8, 8) -> (N, 4w, 4, 4)
Generators and VAE decoders go up; discriminators, critics, Q heads and VAE encoders go down.

full_res adds a layer that works at 32x32 itself: the generator's last step makes w/2 feature maps and a 3x3
convolution draws the image from them; the discriminator first looks at the image with a 3x3 convolution to
w/2 maps. Plain DCGAN's only 32x32 layers are one transposed convolution in and one strided convolution out,
too little to draw or to see a face's mouth, which is a few pixels wide.
"""
from __future__ import annotations

from torch import nn


def up_stack(in_dim: int, channels: int, width: int, out: nn.Module | None = None,
             full_res: bool = False) -> tuple[nn.Sequential, nn.Sequential]:
    """(project, upsample): the vector to a 4x4 map, then three stride-2 transposed convolutions to 32x32.

    Each step is transposed conv, batch norm, ReLU; the last ends in `out` (default tanh, images in [-1, 1];
    nn.Identity() for logits). full_res: the last step goes to w/2 maps (N, w/2, 32, 32) instead, and a
    3x3 convolution turns them into the image."""
    def up(c_in, c_out):
        return nn.Sequential(nn.ConvTranspose2d(c_in, c_out, 4, 2, 1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU())

    w = width
    project = nn.Sequential(nn.Linear(in_dim, 4 * w * 4 * 4, bias=False), nn.Unflatten(1, (4 * w, 4, 4)),
                            nn.BatchNorm2d(4 * w), nn.ReLU())
    last = ([up(w, w // 2), nn.Conv2d(w // 2, channels, 3, padding=1)] if full_res
            else [nn.ConvTranspose2d(w, channels, 4, 2, 1)])
    upsample = nn.Sequential(up(4 * w, 2 * w), up(2 * w, w), *last, nn.Tanh() if out is None else out)
    return project, upsample


def down_stack(in_channels: int, width: int, norm: bool = True, full_res: bool = False) -> list[nn.Module]:
    """Three stride-2 convolutions with leaky ReLU, 32x32 -> 4x4, as a list to put into a Sequential.

    With norm, batch norm follows the second and third (DCGAN). Without, each sample's output depends on that
    sample alone, as WGAN-GP's per-sample gradient penalty needs. full_res: a 3x3 convolution and leaky ReLU
    to (N, w/2, 32, 32) come first."""
    def down(c_in, c_out, with_norm):
        return nn.Sequential(nn.Conv2d(c_in, c_out, 4, 2, 1, bias=not with_norm),
                             nn.BatchNorm2d(c_out) if with_norm else nn.Identity(), nn.LeakyReLU(0.2))

    w = width
    first = [nn.Conv2d(in_channels, w // 2, 3, padding=1), nn.LeakyReLU(0.2)] if full_res else []
    return [*first, down(w // 2 if full_res else in_channels, w, False), down(w, 2 * w, norm), down(2 * w, 4 * w, norm)]

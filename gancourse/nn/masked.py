"""Masked convolutions, the building block of autoregressive image models (lecture: alternatives to GANs).

An autoregressive model (自回归模型) writes an image's probability as a product over its pixels in raster order,
    p(x) = prod_i p(x_i | x_1, ..., x_{i-1})        (row by row, left to right)
so every output pixel must be predicted from the pixels before it only, never from itself or a later one.
PixelCNN (van den Oord et al., 2016, arXiv:1601.06759) gets this from ordinary convolutions whose weights are
zeroed on the current pixel's right and on every row below:
    mask A  (first layer)   the rows above and the pixels to the left; the centre is 0: no output sees its pixel
    mask B  (later layers)  the same plus the centre: feature (i, j) may read feature (i, j), which by then
                            carries only pixels before (i, j)
A stack of such layers has a blind spot: the cone it sees narrows to the upper right, and pixels there are
never read. The gated PixelCNN (van den Oord et al., 2016, arXiv:1606.05328) splits every layer in two stacks:
    vertical    a k x k kernel over the rows above (the first layer also drops the centre row): no blind spot
    horizontal  a 1 x k kernel over the pixels to the left in the same row, plus the vertical stack's features
each gated, tanh(a) * sigmoid(b):  v (N, C, H, W), h (N, C, H, W) -> GatedMaskedConv -> v', h' (N, C, H, W)
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ..checks import check_int

MASK_TYPES = ("A", "B")


def check_kernel(kernel_size, who: str) -> int:
    """An odd kernel size >= 1: the mask is laid out around a centre pixel."""
    kernel_size = check_int(kernel_size, "kernel_size", minimum=1, who=who)
    if kernel_size % 2 == 0:
        raise ValueError(f"{who}: kernel_size must be odd, so the kernel has a centre pixel, got {kernel_size}")
    return kernel_size


def causal_mask(kernel_size: int, mask_type: str) -> torch.Tensor:
    """PixelCNN's mask of a k x k kernel: 1 where the weight may read, 0 elsewhere: (k, k) float.

    Every row above the centre is 1, the centre row is 1 left of the centre, the rows below are 0; mask "A"
    zeroes the centre too (a pixel never sees itself), mask "B" keeps it."""
    k = check_kernel(kernel_size, "causal_mask")
    if mask_type not in MASK_TYPES:
        raise ValueError(f"causal_mask: mask_type must be 'A' (first layer) or 'B' (later layers), got {mask_type!r}")
    mask = torch.ones(k, k)
    mask[k // 2, k // 2 + (mask_type == "B"):] = 0  # the centre row: the centre itself (A only) and its right
    mask[k // 2 + 1:] = 0  # every row below the centre
    return mask


def vertical_mask(kernel_size: int, first: bool = False) -> torch.Tensor:
    """The gated PixelCNN's vertical stack: a (k, k) kernel over the centre row and the rows above it; the first
    layer drops the centre row too, so the stack only ever carries rows above the output pixel."""
    k = check_kernel(kernel_size, "vertical_mask")
    mask = torch.ones(k, k)
    mask[k // 2 + (not first):] = 0
    return mask


def horizontal_mask(kernel_size: int, first: bool = False) -> torch.Tensor:
    """The gated PixelCNN's horizontal stack: a (1, k) kernel over the pixels to the left, and the centre itself
    except in the first layer."""
    k = check_kernel(kernel_size, "horizontal_mask")
    mask = torch.ones(1, k)
    mask[0, k // 2 + (not first):] = 0
    return mask


class MaskedConv2d(nn.Conv2d):
    """A convolution whose kernel is multiplied by a fixed 0/1 mask before every use.

    mask: "A" or "B" (causal_mask of kernel_size) or any (kh, kw) tensor (vertical_mask, horizontal_mask).
    Padded to keep the size, also when dilated: (N, c_in, H, W) -> (N, c_out, H, W)."""

    def __init__(self, c_in: int, c_out: int, mask: str | torch.Tensor = "B", kernel_size: int = 3, dilation: int = 1):
        mask = causal_mask(kernel_size, mask) if isinstance(mask, str) else torch.as_tensor(mask, dtype=torch.float32)
        kh, kw = mask.shape
        super().__init__(c_in, c_out, (kh, kw), padding=(dilation * (kh // 2), dilation * (kw // 2)), dilation=dilation)
        self.register_buffer("mask", mask[None, None], persistent=False)  # (1, 1, kh, kw), rebuilt on load

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self._conv_forward(x, self.weight * self.mask, self.bias)


def gate(features: torch.Tensor) -> torch.Tensor:
    """The gated activation: (N, 2C, H, W) -> tanh(first half) * sigmoid(second half) (N, C, H, W)."""
    value, gate_ = features.chunk(2, dim=1)
    return torch.tanh(value) * torch.sigmoid(gate_)


class GatedMaskedConv(nn.Module):
    """One gated PixelCNN layer: a vertical and a horizontal stack, each gated; the vertical feeds the horizontal.

    v (N, C, H, W): what the rows above say; h (N, C, H, W): that plus the pixels to the left in the row.
    The horizontal stack is residual. `vertical` and `horizontal` are the two halves of `forward`: a sampler
    computes the vertical stack once per row and the cheap horizontal one once per pixel."""

    def __init__(self, channels: int, kernel_size: int = 3, dilation: int = 1):
        super().__init__()
        c = channels
        self.vertical_conv = MaskedConv2d(c, 2 * c, vertical_mask(kernel_size), dilation=dilation)
        self.horizontal_conv = MaskedConv2d(c, 2 * c, horizontal_mask(kernel_size), dilation=dilation)
        self.vertical_to_horizontal = nn.Conv2d(2 * c, 2 * c, 1)
        self.horizontal_out = nn.Conv2d(c, c, 1)

    def vertical(self, v: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """v (N, C, H, W) -> (the vertical stack's output (N, C, H, W), what it tells the horizontal (N, 2C, H, W))."""
        features = self.vertical_conv(v)
        return gate(features), self.vertical_to_horizontal(features)

    def horizontal(self, h: torch.Tensor, from_vertical: torch.Tensor) -> torch.Tensor:
        """h (N, C, H, W) and the vertical stack's message (N, 2C, H, W) at the same rows -> h' (N, C, H, W)."""
        features = self.horizontal_conv(h) + from_vertical
        return h + self.horizontal_out(gate(features))

    def forward(self, v: torch.Tensor, h: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        v, message = self.vertical(v)
        return v, self.horizontal(h, message)


def masked_stack(c_in: int, channels: int, layers: int, kernel_size: int = 3) -> nn.Sequential:
    """The original PixelCNN's plain stack: one mask-A layer, then mask-B layers, ReLU between. (N, c_in, H, W)
    -> (N, channels, H, W). Causal, but with a blind spot up and to the right of every output pixel."""
    blocks = [MaskedConv2d(c_in, channels, "A", kernel_size)]
    for _ in range(layers - 1):
        blocks += [nn.ReLU(), MaskedConv2d(channels, channels, "B", kernel_size)]
    return nn.Sequential(*blocks)


class GatedStack(nn.Module):
    """The gated PixelCNN's body: first-layer masks on the input, then GatedMaskedConv layers with the given
    dilations. (N, c_in, H, W) -> the horizontal stack's features (N, channels, H, W)."""

    def __init__(self, c_in: int, channels: int, dilations=(1, 2, 1, 4, 1, 2, 1), kernel_size: int = 3):
        super().__init__()
        self.vertical_in = MaskedConv2d(c_in, channels, vertical_mask(kernel_size, first=True))
        self.horizontal_in = MaskedConv2d(c_in, channels, horizontal_mask(kernel_size, first=True))
        self.layers = nn.ModuleList(GatedMaskedConv(channels, kernel_size, d) for d in dilations)

    def messages(self, x: torch.Tensor) -> list[torch.Tensor]:
        """The vertical stack alone: each layer's message to the horizontal stack, [(N, 2C, H, W)] per layer.
        Row i of every message depends on the rows above i only."""
        v, out = self.vertical_in(x), []
        for layer in self.layers:
            v, message = layer.vertical(v)
            out.append(message)
        return out

    def rows(self, x: torch.Tensor, messages: list[torch.Tensor]) -> torch.Tensor:
        """The horizontal stack alone, on the rows of x (N, c_in, R, W) given the vertical messages of the same
        rows: -> (N, C, R, W)."""
        h = self.horizontal_in(x)
        for layer, message in zip(self.layers, messages):
            h = layer.horizontal(h, message)
        return h

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.rows(x, self.messages(x))


def receptive_field(net, shape=(1, 1, 16, 16), pixel=None) -> torch.Tensor:
    """Which input pixels one output pixel depends on, from gradients: |d out[pixel] / d x| summed over channels.

    net: (N, C, H, W) -> (N, C', H, W); pixel: (row, col), default the centre. Returns (H, W); 0 where the
    output cannot see the input."""
    x = torch.randn(shape, requires_grad=True)
    row, col = pixel if pixel is not None else (shape[2] // 2, shape[3] // 2)
    net(x)[:, :, row, col].sum().backward()
    return x.grad.abs().sum(dim=(0, 1))


__all__ = ["MaskedConv2d", "GatedMaskedConv", "GatedStack", "causal_mask", "vertical_mask", "horizontal_mask",
           "masked_stack", "gate", "receptive_field"]

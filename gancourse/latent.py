"""Moving through a generator's inputs: interpolation between noise vectors or between conditions.

lerp   straight line:  (1 - t) a + t b
slerp  along the great circle between a and b, keeping the norm a Gaussian z usually has;
       a straight line between two Gaussian samples passes through vectors that are shorter than
       any the generator saw in training, which can show as washed-out images mid-way.
"""
from __future__ import annotations

import torch


def check_pair(a: torch.Tensor, b: torch.Tensor, who: str) -> None:
    if not isinstance(a, torch.Tensor) or not isinstance(b, torch.Tensor) or a.shape != b.shape:
        raise ValueError(f"{who} needs two tensors of the same shape, got "
                         f"{getattr(a, 'shape', type(a).__name__)} and {getattr(b, 'shape', type(b).__name__)}")


def steps_of(t) -> torch.Tensor:
    """t as a 1-D float tensor of blend weights (a float, a list, or a tensor)."""
    return torch.as_tensor(t, dtype=torch.float32).reshape(-1)


def lerp(a: torch.Tensor, b: torch.Tensor, t) -> torch.Tensor:
    """Linear interpolation. a, b: (D,) -> (len(t), D); t = 0 gives a, t = 1 gives b."""
    check_pair(a, b, "lerp")
    t = steps_of(t).to(a.device)[:, None]
    return (1 - t) * a.float()[None] + t * b.float()[None]


def slerp(a: torch.Tensor, b: torch.Tensor, t) -> torch.Tensor:
    """Spherical interpolation. a, b: (D,) -> (len(t), D); falls back to lerp when a and b are parallel."""
    check_pair(a, b, "slerp")
    a, b = a.float(), b.float()
    t = steps_of(t).to(a.device)[:, None]
    cos = (a @ b / (a.norm() * b.norm())).clamp(-1, 1)
    omega = torch.arccos(cos)
    if omega.abs() < 1e-4:
        return lerp(a, b, t.flatten())
    return (torch.sin((1 - t) * omega) * a + torch.sin(t * omega) * b) / torch.sin(omega)

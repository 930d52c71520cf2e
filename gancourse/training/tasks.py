"""Tasks: what one training step means for each model family (the loop in loop.py does the rest)."""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from ..models.judges import DigitJudge, FaceJudge


def random_affine(images: torch.Tensor, *, degrees: float = 10, scale: float = 0.1, shift: float = 0.08) -> torch.Tensor:
    """Jitter each image by a small random rotation, scale and shift (shift as a fraction of the half-width).

    (N, C, H, W) -> (N, C, H, W); the border colour fills what moves in.
    """
    n = len(images)
    angle = (torch.rand(n, device=images.device) * 2 - 1) * math.radians(degrees)
    s = 1 + (torch.rand(n, device=images.device) * 2 - 1) * scale
    t = (torch.rand(n, 2, device=images.device) * 2 - 1) * shift * 2
    cos, sin = torch.cos(angle) / s, torch.sin(angle) / s
    theta = torch.stack([torch.stack([cos, -sin, t[:, 0]], 1), torch.stack([sin, cos, t[:, 1]], 1)], 1)  # (N, 2, 3)
    grid = F.affine_grid(theta, list(images.shape), align_corners=False)
    return F.grid_sample(images, grid, padding_mode="border", align_corners=False)


class JudgeTask:
    """Supervised training of a judge on jittered, slightly noisy real images.

    The jitter and noise make the judge robust to the small flaws of generated images it will read.
    DigitJudge: cross-entropy on the class. FaceJudge: BCE on binary factors + MSE on continuous ones.
    """

    def __init__(self, judge: DigitJudge | FaceJudge, lr: float = 2e-3, noise: float = 0.05, steps: int = 1000):
        self.judge, self.noise = judge, noise
        self.modules = {"judge": judge}
        opt = torch.optim.AdamW(judge.parameters(), lr=lr, weight_decay=1e-4)
        self.optimizers = {"judge": opt}
        self.schedule = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=max(steps, 1))
        self.optimizers["schedule"] = self.schedule  # saved with the run so a resumed run keeps its learning rate

    def loss(self, images: torch.Tensor, targets: torch.Tensor) -> dict[str, torch.Tensor]:
        x = random_affine(images) + self.noise * torch.randn_like(images)
        out = self.judge(x)
        if isinstance(self.judge, DigitJudge):
            return {"ce": F.cross_entropy(out, targets)}
        binary = self.judge.is_binary
        return {"bce": F.binary_cross_entropy_with_logits(out[:, binary], targets[:, binary]),
                "mse": F.mse_loss(out[:, ~binary], targets[:, ~binary])}

    def step(self, images: torch.Tensor, targets: torch.Tensor) -> dict[str, torch.Tensor]:
        losses = self.loss(images, targets)
        opt = self.optimizers["judge"]
        opt.zero_grad(set_to_none=True)
        sum(losses.values()).backward()
        opt.step()
        if self.schedule.last_epoch + 1 < self.schedule.total_steps:
            self.schedule.step()
        return {k: v.detach() for k, v in losses.items()}

"""Tasks: what one training step means for each model family (the loop in loop.py does the rest)."""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from ..models.cgan import GAN
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
    """Supervised training of a judge on slightly noisy, optionally jittered, real images.

    The noise makes the judge robust to the small flaws of generated images it will read. Jitter (small
    rotations, scalings, shifts) suits digits, whose class survives it; not faces, where hair length and
    smile are read from exact positions and the data already varies position and size.
    DigitJudge: cross-entropy on the class. FaceJudge: BCE on binary factors + MSE on continuous ones.
    """

    def __init__(self, judge: DigitJudge | FaceJudge, lr: float = 2e-3, noise: float = 0.05, steps: int = 1000,
                 jitter: bool = True):
        self.judge, self.noise, self.jitter = judge, noise, jitter
        self.modules = {"judge": judge}
        opt = torch.optim.AdamW(judge.parameters(), lr=lr, weight_decay=1e-4)
        self.optimizers = {"judge": opt}
        self.schedule = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=max(steps, 1))
        self.optimizers["schedule"] = self.schedule  # saved with the run so a resumed run keeps its learning rate

    def loss(self, images: torch.Tensor, targets: torch.Tensor) -> dict[str, torch.Tensor]:
        x = (random_affine(images) if self.jitter else images) + self.noise * torch.randn_like(images)
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


class GANTask:
    """Adversarial training of a GAN with the course's BCE loss, conditioned on the batch's targets.

    discriminator  BCE(D(x, c), 1) and BCE(D(G(z, c), c), 0), averaged: tell real from fake
    generator      BCE(D(G(z, c), c), 1): the non-saturating loss, strong gradients while D wins
    c is the condition of each real image, taken from its targets: the class labels themselves, or the
    `columns` of a factor table (faces' glasses and beard); an unconditional GAN ignores the targets.
    Both networks use Adam, by default the course's lr 2e-4, betas (0.5, 0.999). d_lr gives the discriminator
    its own rate: a slower one keeps it from memorising a small dataset ahead of the generator. With
    decay_steps the rates fall linearly to 0 over that many steps, which settles the generator on a good
    point instead of leaving it circling one.
    """

    def __init__(self, gan: GAN, *, columns: list[int] | None = None, lr: float = 2e-4, d_lr: float | None = None,
                 betas=(0.5, 0.999), decay_steps: int = 0, grid_side: int = 10, grid_seed: int = 0):
        self.gan, self.columns = gan, columns
        self.grid_side, self.grid_seed = grid_side, grid_seed
        self.modules = {"generator": gan.generator, "discriminator": gan.discriminator}
        rates = {"generator": lr, "discriminator": lr if d_lr is None else d_lr}
        adam = {name: torch.optim.Adam(m.parameters(), lr=rates[name], betas=betas) for name, m in self.modules.items()}
        self.schedules = {f"{name}_schedule": torch.optim.lr_scheduler.LinearLR(opt, 1.0, 0.0, decay_steps)
                          for name, opt in adam.items()} if decay_steps else {}
        self.optimizers = {**adam, **self.schedules}  # schedules too: a resumed run keeps its learning rate

    def labels(self, targets: torch.Tensor) -> torch.Tensor | None:
        """The labels the GAN is conditioned on, from a batch's targets (None when unconditional)."""
        if self.gan.config.n_classes == 0:
            return None
        return targets if self.columns is None else targets[:, self.columns]

    def step(self, images: torch.Tensor, targets: torch.Tensor) -> dict[str, torch.Tensor]:
        generator, discriminator = self.gan.generator, self.gan.discriminator
        condition = self.gan.condition(self.labels(targets), len(images))
        fake = generator(torch.randn(len(images), self.gan.config.z_dim, device=images.device), condition)

        real_logits, fake_logits = discriminator(images, condition), discriminator(fake.detach(), condition)
        d_loss = (F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits)) +
                  F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))) / 2
        update(self.optimizers["discriminator"], d_loss)

        fake_logits = discriminator(fake, condition)
        g_loss = F.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits))
        update(self.optimizers["generator"], g_loss)
        for schedule in self.schedules.values():
            schedule.step()
        return {"d": d_loss.detach(), "g": g_loss.detach()}

    @torch.no_grad()
    def sample(self) -> torch.Tensor:
        """The progress grid: grid_side^2 images from the same noise every time, conditions cycling along rows."""
        generator, training = self.gan.generator, self.gan.generator.training
        generator.eval()  # batch norm uses its running statistics and leaves them as they are
        images = self.gan.sample(self.grid_side ** 2, generator=torch.Generator().manual_seed(self.grid_seed))
        generator.train(training)
        return images


def update(optimizer: torch.optim.Optimizer, loss: torch.Tensor) -> None:
    """One optimiser step on loss."""
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()

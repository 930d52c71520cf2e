"""Tasks: what one training step means for each model family (the loop in loop.py does the rest)."""
from __future__ import annotations

import math
import numbers
from typing import Callable

import torch
import torch.nn.functional as F

from ..models.cgan import GAN
from ..models.infogan import info_loss
from ..models.judges import DigitJudge, FaceJudge
from ..models.stylegan import mixed_ws
from ..models.pixelcnn import to_values
from ..nn.quantizer import perplexity


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


def check_shift(max_shift) -> None:
    if not isinstance(max_shift, int) or isinstance(max_shift, bool) or max_shift < 0:
        raise ValueError(f"shift must be an int >= 0 (pixels), got {max_shift!r}")


def random_shift(images: torch.Tensor, max_shift: int, fill: float = -1.0) -> torch.Tensor:
    """DiffAugment's translation (Zhao et al., 2020): move each image by whole pixels, dy and dx drawn uniformly
    from [-max_shift, max_shift], the uncovered border set to `fill` (-1: black, the digits' background).

    (N, C, H, W) -> (N, C, H, W). Made of padding and indexing, so gradients flow back to the images: shown only
    shifted images, real and generated alike, a discriminator cannot memorise a small training set pixel by
    pixel, and the generator still learns through it.
    """
    check_shift(max_shift)
    if max_shift == 0:
        return images
    n, c, h, w = images.shape
    device = images.device
    padded = F.pad(images, (max_shift,) * 4, value=fill)  # (N, C, H + 2s, W + 2s)
    dx, dy = (torch.randint(0, 2 * max_shift + 1, (n,), device=device) for _ in "xy")  # each crop's corner
    rows = (dy[:, None] + torch.arange(h, device=device))[:, None, :, None]  # (N, 1, H, 1)
    cols = (dx[:, None] + torch.arange(w, device=device))[:, None, None, :]  # (N, 1, 1, W)
    return padded[torch.arange(n, device=device)[:, None, None, None],
                  torch.arange(c, device=device)[None, :, None, None], rows, cols]


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
    c is the condition of each real image, made from its targets by `to_labels`: by default the class labels
    themselves; for faces some columns of the factor table, or every factor as codes (nn.factor_codes); an
    unconditional GAN ignores the targets. grid_labels: the progress grid's labels when the GAN cannot cycle
    its own (real-valued codes).
    Both networks use Adam, by default the course's lr 2e-4, betas (0.5, 0.999). d_lr gives the discriminator
    its own rate: a slower one keeps it from memorising a small dataset ahead of the generator. With steps (the
    run's total) the rates fall linearly to 0 over that many steps, which settles the generator on a good point
    instead of leaving it circling one.
    A discriminator that reads the codes back (GANConfig.read_codes) adds code_weight times code_error of what
    it reads to each loss: against real faces' codes in its own, against the codes the generator was given in
    the generator's.
    """

    def __init__(self, gan: GAN, *, to_labels: Callable | None = None, lr: float = 2e-4, d_lr: float | None = None,
                 betas=(0.5, 0.999), steps: int = 0, grid_side: int = 10, grid_seed: int = 0,
                 grid_labels: torch.Tensor | None = None, code_weight: float = 1.0):
        self.gan, self.to_labels, self.code_weight = gan, to_labels, code_weight
        self.grid_side, self.grid_seed, self.grid_labels = grid_side, grid_seed, grid_labels
        self.modules = {"generator": gan.generator, "discriminator": gan.discriminator}
        rates = {"generator": lr, "discriminator": lr if d_lr is None else d_lr}
        self.optimizers, self.schedules = adam_with_decay(self.modules, rates, betas, steps)

    def labels(self, targets: torch.Tensor) -> torch.Tensor | None:
        """The labels the GAN is conditioned on, from a batch's targets (None when unconditional)."""
        if self.gan.config.n_classes == 0:
            return None
        return targets if self.to_labels is None else self.to_labels(targets)

    def judge(self, images: torch.Tensor, condition: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The discriminator's logits (N, 1) and the code error of what it reads back (0 unless read_codes)."""
        if not self.gan.config.read_codes:
            return self.gan.discriminator(images, condition), images.new_zeros(())
        logits, codes = self.gan.discriminator.read(images)
        return logits, code_error(codes, condition)

    def step(self, images: torch.Tensor, targets: torch.Tensor) -> dict[str, torch.Tensor]:
        condition = self.gan.condition(self.labels(targets), len(images))
        fake = self.gan.generator(torch.randn(len(images), self.gan.config.z_dim, device=images.device), condition)

        real_logits, d_codes = self.judge(images, condition)  # codes read back from real images
        fake_logits = self.gan.discriminator(fake.detach(), condition)
        d_loss = (F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits)) +
                  F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))) / 2
        update(self.optimizers["discriminator"], d_loss + self.code_weight * d_codes)

        fake_logits, g_codes = self.judge(fake, condition)  # the generator's codes read back from its images
        g_loss = F.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits))
        update(self.optimizers["generator"], g_loss + self.code_weight * g_codes)
        for schedule in self.schedules.values():
            schedule.step()
        losses = {"d": d_loss.detach(), "g": g_loss.detach()}
        if self.gan.config.read_codes:
            losses.update(d_codes=d_codes.detach(), g_codes=g_codes.detach())
        return losses

    @torch.no_grad()
    def sample(self) -> torch.Tensor:
        """The progress grid: grid_side^2 images from the same noise every time, conditions cycling along rows."""
        generator, training = self.gan.generator, self.gan.generator.training
        generator.eval()  # batch norm uses its running statistics and leaves them as they are
        images = self.gan.sample(self.grid_side ** 2, self.grid_labels, generator=torch.Generator().manual_seed(self.grid_seed))
        generator.train(training)
        return images


def code_error(read: torch.Tensor, codes: torch.Tensor) -> torch.Tensor:
    """How badly codes (N, K) were read back: each code's squared error as a share of its variance in the batch,
    averaged over the K codes. 1 is no better than guessing the mean, 0 is perfect. The share puts codes on an
    equal footing: a plain squared error would let binary codes (-1 / +1, variance 1) drown continuous ones
    ([0, 1], variance about 1/12), and the generator would learn to ignore those (measured: r <= 0.17)."""
    return ((read - codes) ** 2).mean(0).div(codes.var(0).clamp_min(1e-3)).mean()


def adam_with_decay(modules: dict, rates: dict, betas, steps: int) -> tuple[dict, dict]:
    """One Adam per module (rates: name -> lr) and, with steps > 0, a linear decay of each rate to 0 over that
    many steps. Returns (optimizers, schedules); the schedules are among the optimizers too, so a resumed run
    keeps its learning rate."""
    adam = {name: torch.optim.Adam(m.parameters(), lr=rates[name], betas=betas) for name, m in modules.items()}
    schedules = {f"{name}_schedule": torch.optim.lr_scheduler.LinearLR(opt, 1.0, 0.0, steps)
                 for name, opt in adam.items()} if steps else {}
    return {**adam, **schedules}, schedules


def update(optimizer: torch.optim.Optimizer, loss: torch.Tensor) -> None:
    """One optimiser step on loss."""
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()


LOSSES = ("bce", "wgan-gp")


def gradient_penalty(critic, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    """WGAN-GP's penalty: the mean of (|grad critic(x)| - 1)^2 at random mixes x of real and fake images."""
    mix = torch.rand(len(real), 1, 1, 1, device=real.device)
    mixed = (mix * real + (1 - mix) * fake).requires_grad_(True)
    scores = critic(mixed)
    grad, = torch.autograd.grad(scores.sum(), mixed, create_graph=True)
    return ((grad.flatten(1).norm(dim=1) - 1) ** 2).mean()


class InfoGANTask:
    """InfoGAN training: L_new = L_original + info_weight * (mutual-information term), in both networks' losses.

    loss "bce":     the course's BCE loss (discriminator and non-saturating generator loss), one D step per G step
    loss "wgan-gp": the W-loss: the critic maximises mean score(real) - mean score(fake), with gradient penalty
                    gp_weight; n_critic critic steps per generator step
    info term:      cross-entropy of Q's categorical logits against the sampled category, plus continuous_weight
                    times the mean squared error of Q's means against the sampled continuous codes (a
                    unit-variance Gaussian's log-likelihood, up to a constant). The discriminator's optimizer
                    updates the trunk, D and Q; the generator's updates G. Both losses include the info term.
    shift:          DiffAugment (random_shift): every image the discriminator and Q see, real or generated, in
                    both networks' steps, is first moved by up to `shift` pixels; 0 shows them as they are
    """

    def __init__(self, model, *, loss: str = "bce", lr: float = 2e-4, d_lr: float | None = None, betas=(0.5, 0.999),
                 info_weight: float = 1.0, continuous_weight: float = 0.5, gp_weight: float = 10.0, n_critic: int = 5,
                 steps: int = 0, grid_side: int = 10, grid_seed: int = 0, shift: int = 0):
        if loss not in LOSSES:
            raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}")
        if loss == "wgan-gp" and model.config.norm:
            raise ValueError("the W-loss's gradient penalty is per sample, which batch norm breaks: build the "
                             "model with norm=False (InfoGANConfig(norm=False))")
        self.model, self.loss_name = model, loss
        self.info_weight, self.continuous_weight, self.gp_weight = info_weight, continuous_weight, gp_weight
        self.n_critic = n_critic if loss == "wgan-gp" else 1
        check_shift(shift)
        self.shift = shift
        self.grid_side, self.grid_seed = grid_side, grid_seed
        self.modules = {"generator": model.generator, "discriminator": model.discriminator}
        if loss == "wgan-gp":
            betas = (0.0, 0.9)  # WGAN-GP's Adam settings
        rates = {"generator": lr, "discriminator": lr if d_lr is None else d_lr}
        self.optimizers, self.schedules = adam_with_decay(self.modules, rates, betas, steps)

    def info_loss(self, logits: torch.Tensor, means: torch.Tensor, categories: torch.Tensor,
                  continuous: torch.Tensor) -> torch.Tensor:
        return info_loss(logits, means, categories, continuous, self.continuous_weight)

    def draw(self, n: int, device) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        return tuple(t.to(device) for t in self.model.sample_codes(n))

    def show(self, images: torch.Tensor) -> torch.Tensor:
        """What the discriminator and Q are shown of a batch: the images, shifted at random when shift > 0."""
        return random_shift(images, self.shift)

    def discriminator_step(self, images: torch.Tensor) -> dict[str, torch.Tensor]:
        critic = self.model.discriminator
        codes = self.draw(len(images), images.device)
        images, fake = self.show(images), self.show(self.model.generate(*codes).detach())
        real_scores, _, _ = critic(images)
        fake_scores, logits, means = critic(fake)
        if self.loss_name == "bce":
            adversarial = (F.binary_cross_entropy_with_logits(real_scores, torch.ones_like(real_scores)) +
                           F.binary_cross_entropy_with_logits(fake_scores, torch.zeros_like(fake_scores))) / 2
        else:
            penalty = gradient_penalty(lambda x: critic(x)[0], images, fake)
            adversarial = fake_scores.mean() - real_scores.mean() + self.gp_weight * penalty
        info = self.info_loss(logits, means, *codes[1:])
        update(self.optimizers["discriminator"], adversarial + self.info_weight * info)
        return {"d": adversarial.detach(), "d_info": info.detach()}

    def step(self, images: torch.Tensor, targets: torch.Tensor) -> dict[str, torch.Tensor]:
        for _ in range(self.n_critic):  # the same batch of real images for each critic step
            losses = self.discriminator_step(images)
        codes = self.draw(len(images), images.device)
        scores, logits, means = self.model.discriminator(self.show(self.model.generate(*codes)))
        adversarial = F.binary_cross_entropy_with_logits(scores, torch.ones_like(scores)) \
            if self.loss_name == "bce" else -scores.mean()
        info = self.info_loss(logits, means, *codes[1:])
        update(self.optimizers["generator"], adversarial + self.info_weight * info)
        for schedule in self.schedules.values():
            schedule.step()
        return {**losses, "g": adversarial.detach(), "info": info.detach()}

    @torch.no_grad()
    def sample(self) -> torch.Tensor:
        """The progress grid: fixed noise, the category changing along each row."""
        generator, training = self.model.generator, self.model.generator.training
        generator.eval()
        z, categories, continuous = self.model.sample_codes(self.grid_side ** 2, torch.Generator().manual_seed(self.grid_seed))
        if self.model.config.n_categories:
            categories = torch.arange(self.grid_side ** 2) % self.model.config.n_categories
        images = self.model.generate(z, categories, continuous)
        generator.train(training)
        return images


class VAETask:
    """VAE and beta-VAE training: minimise reconstruction + beta * KL with Adam (loss in models/vae.py)."""

    def __init__(self, vae, *, lr: float = 1e-3, steps: int = 0):
        self.vae = vae
        self.modules = {"vae": vae}
        self.optimizers, self.schedules = adam_with_decay(self.modules, {"vae": lr}, (0.9, 0.999), steps)

    def step(self, images: torch.Tensor, targets: torch.Tensor) -> dict[str, torch.Tensor]:
        terms = self.vae.loss(images)
        update(self.optimizers["vae"], terms["reconstruction"] + self.vae.config.beta * terms["kl"])
        for schedule in self.schedules.values():
            schedule.step()
        return {k: v.detach() for k, v in terms.items()}

    @torch.no_grad()
    def sample(self) -> torch.Tensor:
        training = self.vae.training
        self.vae.eval()
        images = self.vae.sample(64, generator=torch.Generator().manual_seed(0))
        self.vae.train(training)
        return images


class StyleGANTask:
    """StyleGAN training (models/stylegan.py): the non-saturating logistic loss, style mixing, a lazy R1 penalty and
    a moving average of the generator, which is what the model draws with.

    discriminator  softplus(D(G(ws))) + softplus(-D(x)); every r1_every steps also r1 / 2 * |grad_x D(x)|^2 on the
                   real images (R1: no gradient on the data), weighted by r1_every so the lazy penalty weighs the same
    generator      softplus(-D(G(ws))): the course's non-saturating BCE loss
    ws             w = mapping(z) for every layer; with probability `mixing` a second w2 = mapping(z2) takes the
                   layers from one random crossover on (one crossover per batch), so no layer can count on its
                   neighbours sharing its w
    w_avg          moves towards each batch's mean w by 1 - w_avg_beta: the centre truncation pulls towards
    average        after every step average <- ema * average + (1 - ema) * generator (buffers copied)
    Both networks use Adam with `betas`, the rates falling linearly to 0 over `steps`, as the DCGAN recipes do.
    """

    def __init__(self, model, *, steps: int, lr: float = 1e-3, d_lr: float = 2.5e-4, betas=(0.5, 0.999),
                 mixing: float = 0.9, r1: float = 0.1, r1_every: int = 4, ema: float = 0.999, w_avg_beta: float = 0.995,
                 grid_side: int = 8, grid_seed: int = 0):
        if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 1:
            raise ValueError(f"steps must be the run's total number of steps, an int >= 1, got {steps!r}")
        if not 0 <= mixing <= 1:
            raise ValueError(f"mixing is a probability in [0, 1], got {mixing!r}")
        self.model, self.mixing, self.r1, self.r1_every = model, mixing, r1, r1_every
        self.ema, self.w_avg_beta, self.grid_side, self.grid_seed = ema, w_avg_beta, grid_side, grid_seed
        trained = {"generator": model.generator, "discriminator": model.discriminator}
        self.modules = {**trained, "average": model.average}  # the average is saved with the run, so a resume keeps it
        self.optimizers, self.schedules = adam_with_decay(trained, {"generator": lr, "discriminator": d_lr}, betas, steps)

    def styles(self, n: int, device) -> torch.Tensor:
        """ws (n, n_ws, w_dim) for one batch, mixed with probability `mixing`; moves w_avg towards the batch's w."""
        mapping, n_ws, z_dim = self.model.generator.mapping, self.model.n_ws, self.model.config.z_dim
        w = mapping(torch.randn(n, z_dim, device=device))                                  # (n, w_dim)
        with torch.no_grad():
            self.model.generator.w_avg.lerp_(w.mean(0), 1 - self.w_avg_beta)
        if torch.rand(()) >= self.mixing:
            return w[:, None].expand(-1, n_ws, -1)
        crossover = int(torch.randint(1, n_ws, ()))  # the first layer of w2: 1 .. n_ws - 1
        return mixed_ws(w, mapping(torch.randn(n, z_dim, device=device)), crossover, n_ws)

    def r1_penalty(self, images: torch.Tensor) -> torch.Tensor:
        """The mean over real images of |grad_x D(x)|^2."""
        real = images.detach().requires_grad_(True)
        grad, = torch.autograd.grad(self.model.discriminator(real).sum(), real, create_graph=True)
        return grad.pow(2).sum(dim=(1, 2, 3)).mean()

    def step(self, images: torch.Tensor, targets: torch.Tensor) -> dict[str, torch.Tensor]:
        generator, discriminator = self.model.generator, self.model.discriminator
        step = self.schedules["generator_schedule"].last_epoch  # restored on resume, unlike a counter of our own
        noise = [torch.randn(len(images), 1, r, r, device=images.device) for r in generator.synthesis.resolutions]
        fake = generator.synthesis(self.styles(len(images), images.device), noise)

        d_loss = F.softplus(discriminator(fake.detach())).mean() + F.softplus(-discriminator(images)).mean()
        losses = {"d": d_loss.detach()}
        if self.r1 and step % self.r1_every == 0:
            penalty = self.r1_penalty(images)
            d_loss = d_loss + self.r1 / 2 * self.r1_every * penalty
            losses["r1"] = penalty.detach()
        update(self.optimizers["discriminator"], d_loss)

        g_loss = F.softplus(-discriminator(fake)).mean()
        update(self.optimizers["generator"], g_loss)
        self.update_average()
        for schedule in self.schedules.values():
            schedule.step()
        return {**losses, "g": g_loss.detach()}

    @torch.no_grad()
    def update_average(self) -> None:
        generator, average = self.model.generator, self.model.average
        torch._foreach_lerp_(list(average.parameters()), list(generator.parameters()), 1 - self.ema)
        for mine, theirs in zip(average.buffers(), generator.buffers()):
            mine.copy_(theirs)

    @torch.no_grad()
    def sample(self) -> torch.Tensor:
        """The progress grid: grid_side^2 faces of the average generator from the same z and noise every time."""
        return self.model.sample(self.grid_side ** 2, generator=torch.Generator().manual_seed(self.grid_seed))


# ---- the alternatives to GANs: likelihood models (notebook 06) ---------------------------------------------

class LikelihoodTask:
    """Maximum likelihood for a model whose loss(values) is {"nll": nats per dimension}: PixelCNN and Flow.

    The batch's images in [-1, 1] are read as their 8-bit values (to_values). Adam at lr, decaying linearly to 0
    over steps; the gradient's norm is clipped at clip, since a flow's first steps can throw very large ones.
    Logs bits per dimension (nll / ln 2). sample: the progress grid, grid_side^2 samples from a fixed seed."""

    def __init__(self, model, *, steps: int, lr: float = 1e-3, clip: float = 100.0, grid_side: int = 4):
        self.model, self.clip, self.grid_side = model, clip, grid_side
        self.modules = {"model": model}
        self.optimizers, self.schedules = adam_with_decay(self.modules, {"model": lr}, (0.9, 0.999), steps)

    def step(self, images: torch.Tensor, targets: torch.Tensor) -> dict[str, torch.Tensor]:
        nll = self.model.loss(to_values(images))["nll"]
        optimizer = self.optimizers["model"]
        optimizer.zero_grad(set_to_none=True)
        nll.backward()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.clip)
        optimizer.step()
        for schedule in self.schedules.values():
            schedule.step()
        return {"bits_per_dim": nll.detach() / math.log(2)}

    @torch.no_grad()
    def sample(self) -> torch.Tensor:
        training = self.model.training
        self.model.eval()
        images = self.model.sample(self.grid_side ** 2, generator=torch.Generator().manual_seed(0))
        self.model.train(training)
        return images


class VQVAETask:
    """VQ-VAE in its two stages, one after the other in one run (models/vqvae.py):
    1. the first (1 - prior_share) of the steps train the encoder and decoder on reconstruction + commitment
       (the codebook follows by EMA), Adam at lr;
    2. the rest train the PixelCNN prior on the code maps of the training images, the autoencoder frozen,
       Adam at prior_lr. Each rate decays linearly to 0 over its own stage.
    The stage is read from the first schedule's count, which a resumed run restores."""

    def __init__(self, vqvae, *, steps: int, lr: float = 1e-3, prior_lr: float = 2e-3, prior_share: float = 0.5):
        self.vqvae = vqvae
        self.autoencoder_steps = round(steps * (1 - prior_share))
        autoencoder = torch.nn.ModuleList([vqvae.encoder, vqvae.decoder])
        self.modules = {"vqvae": vqvae}
        adam = {"autoencoder": torch.optim.Adam(autoencoder.parameters(), lr=lr),
                "prior": torch.optim.Adam(vqvae.prior.parameters(), lr=prior_lr)}
        linear = torch.optim.lr_scheduler.LinearLR
        self.schedules = {"autoencoder_schedule": linear(adam["autoencoder"], 1.0, 0.0, max(self.autoencoder_steps, 1)),
                          "prior_schedule": linear(adam["prior"], 1.0, 0.0, max(steps - self.autoencoder_steps, 1))}
        self.optimizers = {**adam, **self.schedules}

    def step(self, images: torch.Tensor, targets: torch.Tensor) -> dict[str, torch.Tensor]:
        clock = self.schedules["autoencoder_schedule"]
        if clock.last_epoch < self.autoencoder_steps:
            terms = self.vqvae.loss(images)
            update(self.optimizers["autoencoder"], terms["reconstruction"] + terms["commitment"])
            clock.step()
            return {"reconstruction": terms["reconstruction"].detach(), "commitment": terms["commitment"].detach(),
                    "perplexity": torch.tensor(perplexity(terms["codes"], self.vqvae.config.codes))}
        nll = self.vqvae.prior_loss(images)["prior_nll"]
        update(self.optimizers["prior"], nll)
        clock.step()  # keeps counting past its stage (the autoencoder's rate stays 0), so a resume finds the stage
        self.schedules["prior_schedule"].step()
        return {"prior_bits_per_code": nll.detach() / math.log(2)}

    @torch.no_grad()
    def sample(self) -> torch.Tensor:
        training = self.vqvae.training
        self.vqvae.eval()
        images = self.vqvae.sample(16, generator=torch.Generator().manual_seed(0))
        self.vqvae.train(training)
        return images

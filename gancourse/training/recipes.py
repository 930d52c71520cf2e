"""The named recipes that make each shipped checkpoint: `python -m gancourse train NAME` runs one.

A recipe fixes everything a run depends on -- model and config, data and its seed, steps, batch
size, the task -- and how to score the result, so the same command gives the same weights and the
same scores. Each recipe writes NAME.safetensors + NAME.json (see pretrained.py) to its output
folder; the run's resumable state and sample grids go to runs/NAME/.
"""
from __future__ import annotations

import shlex
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from .. import pretrained
from ..data import FACE_FACTORS, digits, faces, split_dataset, sprites
from ..metrics import (attribute_agreement, conditional_accuracy, dci, factor_vae_score, hungarian_accuracy,
                       intervention_report, judge_frechet_distance, mig)
from ..models import build_model
from ..models.cgan import cycle_labels
from ..models.infogan import InfoGAN
from ..nn import factor_codes
from ..runtime import default_device, seed_everything
from .loop import LoopConfig, fit
from .tasks import GANTask, InfoGANTask, JudgeTask, VAETask

RUNS_DIR = Path("runs")


@dataclass
class Recipe:
    name: str
    model: str  # class name in gancourse.models.MODELS
    config: dict  # the model's config
    dataset: str  # the training data, as code a learner can run
    data: Callable  # () -> FactorDataset to train on
    task: Callable  # (model, steps) -> Task
    evaluate: Callable  # (model) -> scores dict, on held-out data
    steps: int
    batch_size: int = 64
    seed: int = 0
    about: str = ""
    targets: dict = field(default_factory=dict)  # the quality each score must reach, for benchmarks


# ---- held-out data and scores -------------------------------------------------------------------

def digit_split():
    """The fixed train / held-out split of the real digits every digit model uses."""
    return split_dataset(digits(seed=0), held_out=0.2, seed=0)


CORRELATED = {("beard", "hair_length"): -0.8}  # gan-faces-correlated's data: bearded faces tend to have short hair


def face_training_set(n: int, correlations: dict | None = None):
    """The faces face generators train on; the first k of them are face_training_set(k)."""
    return faces(n, seed=0, correlations=correlations)


def held_out_faces(n: int = 2000, correlations: dict | None = None):
    return faces(n, seed=10_001, correlations=correlations)


def uniform_noise_like(images: torch.Tensor, seed: int = 0) -> torch.Tensor:
    """Seeded uniform noise in [-1, 1] shaped like images: the 'worst generator' baseline."""
    return torch.rand(images.shape, generator=torch.Generator().manual_seed(seed)) * 2 - 1


@torch.no_grad()
def score_digit_judge(judge) -> dict:
    train, test = digit_split()
    device = next(judge.parameters()).device
    accuracy = (judge.predict(test.images.to(device)).cpu() == test.targets).float().mean().item()
    noise = uniform_noise_like(test.images)
    return {"held_out_accuracy": accuracy,
            "fd_real_vs_real": judge_frechet_distance(judge, train.images, test.images),
            "fd_real_vs_noise": judge_frechet_distance(judge, train.images, noise)}


def r_squared(predicted: torch.Tensor, true: torch.Tensor) -> float:
    return (1 - ((predicted - true) ** 2).sum() / ((true - true.mean()) ** 2).sum()).item()


@torch.no_grad()
def score_face_judge(judge) -> dict:
    test = held_out_faces()
    device = next(judge.parameters()).device
    read = judge.read(test.images.to(device)).cpu()
    scores = {}
    for i, name in enumerate(judge.factor_names):
        if name in judge.config.binary:
            scores[f"{name}_accuracy"] = ((read[:, i] > 0.5).float() == test.targets[:, i]).float().mean().item()
        else:
            scores[f"{name}_r2"] = r_squared(read[:, i], test.targets[:, i])
    reference = faces(2000, seed=10_002).images
    scores["fd_real_vs_real"] = judge_frechet_distance(judge, test.images, reference)
    scores["fd_real_vs_noise"] = judge_frechet_distance(judge, test.images, uniform_noise_like(reference))
    return scores


def seeded(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def frechet_scores(gan, judge, real: torch.Tensor, labels: torch.Tensor | None, held_out: torch.Tensor) -> dict:
    """FD of generated vs held-out images, next to the FD of real training images vs the same held-out ones.

    real: (N, C, 32, 32) training images; labels: their labels as the GAN takes them (ignored when it is
    unconditional). The GAN draws N images with those labels, so both distances are measured alike and
    fd_ratio = 1 would be as good as real data.
    """
    return frechet_ratio(judge, gan.sample(len(real), labels if gan.config.n_classes else None, generator=seeded(1)),
                         real, held_out)


def frechet_ratio(judge, fake: torch.Tensor, real: torch.Tensor, held_out: torch.Tensor) -> dict:
    """FD of fake vs held-out images and of real training images vs the same held-out ones, and their ratio."""
    fd, fd_real = judge_frechet_distance(judge, fake, held_out), judge_frechet_distance(judge, real, held_out)
    return {"fd": fd, "fd_real_vs_real": fd_real, "fd_ratio": fd / fd_real}


def digit_frechet_scores(gan, judge) -> dict:
    train, test = digit_split()
    return frechet_scores(gan, judge, train.images, train.targets, test.images)


@torch.no_grad()
def score_conditional_digits(gan) -> dict:
    """Does the digit judge see the digit we asked for (100 of each), and how close are the samples to real digits?"""
    judge = pretrained.load("judge-digits", device=gan.device)
    labels = torch.arange(10).repeat_interleave(100)
    accuracy = conditional_accuracy(judge, gan.sample(len(labels), labels, generator=seeded(0)), labels, n_classes=10)
    return {"accuracy": accuracy["accuracy"], "worst_class": accuracy["worst_class"],
            "per_class": accuracy["per_class"], **digit_frechet_scores(gan, judge)}


@torch.no_grad()
def score_unconditional_digits(gan) -> dict:
    """Which digits does an unconditional GAN draw (the judge's class shares of 1000 samples), and how well?"""
    judge = pretrained.load("judge-digits", device=gan.device)
    predicted = judge.predict(gan.sample(1000, generator=seeded(0))).cpu()
    shares = torch.bincount(predicted, minlength=10).float() / len(predicted)
    return {"class_shares": shares.tolist(), "min_class_share": shares.min().item(), **digit_frechet_scores(gan, judge)}


FACE_ATTRIBUTES = ["glasses", "beard"]  # what cgan-faces is conditioned on, in the order of its condition vector
FACE_COLUMNS = [[f.name for f in FACE_FACTORS].index(n) for n in FACE_ATTRIBUTES]


@torch.no_grad()
def score_conditional_faces(gan) -> dict:
    """Does the face judge see the glasses and beard we asked for (each of the 4 combinations 100 times), and
    how close are the samples to real faces?"""
    judge = pretrained.load("judge-faces", device=gan.device)
    requested = cycle_labels(gan.config, 400)  # (400, 2): the 4 combinations in turn
    agreement = attribute_agreement(judge, gan.sample(len(requested), requested, generator=seeded(0)), requested,
                                    FACE_ATTRIBUTES)
    train = face_training_set(2000)  # its first 2000 faces
    return {**{f"{k}_agreement": v for k, v in agreement.items()},
            **frechet_scores(gan, judge, train.images, train.targets[:, FACE_COLUMNS], held_out_faces().images)}


@torch.no_grad()
def score_unconditional_faces(gan, correlations: dict | None = None) -> dict:
    """How close are 2000 samples to real faces: FD ratio, and every factor's mean and spread as the face judge
    reads them, next to its read-out of 2000 held-out real faces (gaps: largest over the factors)."""
    judge = pretrained.load("judge-faces", device=gan.device)
    held_out = held_out_faces(correlations=correlations)
    fake = judge.read(gan.sample(len(held_out), generator=seeded(0))).cpu()
    real = judge.read(held_out.images.to(gan.device)).cpu()
    stats = factor_statistics(fake, real, judge.factor_names)
    return {**stats, **frechet_scores(gan, judge, face_training_set(2000, correlations).images, None, held_out.images)}


def factor_statistics(fake: torch.Tensor, real: torch.Tensor, names) -> dict:
    """Read-outs (N, K) of generated and real images -> each factor's mean and spread gap, the largest of each,
    and the beard-hair length correlation of both (the one gan-faces-correlated learns)."""
    mean_gap, spread_gap = (fake.mean(0) - real.mean(0)).abs(), (fake.std(0) - real.std(0)).abs()
    beard, hair = names.index("beard"), names.index("hair_length")
    return {"factor_mean_gap": mean_gap.max().item(), "factor_spread_gap": spread_gap.max().item(),
            "mean_gap": dict(zip(names, mean_gap.tolist())), "spread_gap": dict(zip(names, spread_gap.tolist())),
            "beard_hair_r": torch.corrcoef(fake[:, [beard, hair]].T)[0, 1].item(),
            "beard_hair_r_data": torch.corrcoef(real[:, [beard, hair]].T)[0, 1].item()}


def attribute_labels(targets: torch.Tensor) -> torch.Tensor:
    """cgan-faces' condition: the glasses and beard columns of a face factor table (N, 6) -> (N, 2)."""
    return targets[:, FACE_COLUMNS]


def face_codes(buckets: int | None = None) -> Callable:
    """gan-faces-supervised's codes: face factor table (N, 6) -> codes (N, 6) (binary -1/+1, continuous values,
    coarsened to `buckets` levels when given)."""
    return lambda targets: factor_codes(targets, FACE_FACTORS, buckets=buckets)


CODE_STEPS = [2.0 if f.kind == "binary" else 0.5 for f in FACE_FACTORS]  # -1 -> +1 flips a binary code


def intervention_start(model, n: int = 256, seed: int = 2) -> tuple[torch.Tensor, list[int], list[float]]:
    """Where a face model's intervention matrix starts: (its whole input v (n, D), the indices to step, their steps).

    Supervised ("values") GANs: held-out faces' codes, each index set low before it is stepped (binary codes at
    -1, continuous at 0.25, then +2 and +0.5), then Gaussian noise. InfoGAN: Gaussian noise, random categories,
    the continuous codes at -1, each stepped by 2 (its whole range). Other GANs: Gaussian z, the first 6
    indices, each stepped by 2 (the span of a binary code)."""
    k = len(FACE_FACTORS)
    if isinstance(model, InfoGAN):
        z, categories, continuous = model.sample_codes(n, seeded(seed))
        v = model.codes_vector(z, categories, torch.full_like(continuous, -1.0)).cpu()
        first = model.input_dim - model.config.n_continuous
        return v, list(range(first, model.input_dim)), [2.0] * model.config.n_continuous
    noise = torch.randn(n, model.config.z_dim, generator=seeded(seed))
    if model.config.condition != "values":
        return noise, list(range(k)), [2.0] * k
    codes = factor_codes(held_out_faces(n).targets, FACE_FACTORS)
    low = torch.tensor([-1.0 if f.kind == "binary" else 0.25 for f in FACE_FACTORS])
    return torch.cat([low.expand(n, k), noise], dim=1), list(range(k)), CODE_STEPS


@torch.no_grad()
def face_interventions(model) -> dict:
    """intervention_report of a face model's code indices (see intervention_start), read by the face judge.
    Supervised GANs are scored on their labelled indices (index i should move factor i); GAN and InfoGAN
    indices without labels on each one's strongest factor."""
    judge = pretrained.load("judge-faces", device=model.device)
    v, indices, steps = intervention_start(model)
    supervised = getattr(model.config, "condition", None) == "values"
    generate = model.generate_from_codes if supervised or isinstance(model, InfoGAN) else model.generate
    return intervention_report(generate, judge, v.to(model.device), indices, steps,
                               targets=indices if supervised else None)


@torch.no_grad()
def score_supervised_faces(gan, buckets: int | None = None) -> dict:
    """Do the codes steer the faces? 2000 held-out faces' (possibly coarse) codes in, the face judge's read-out
    out: accuracy for binary factors, correlation with the requested value for continuous ones (steering: the
    smallest of them); the intervention score of the labelled indices; FD ratio."""
    judge = pretrained.load("judge-faces", device=gan.device)
    held_out = held_out_faces()
    codes = face_codes(buckets)(held_out.targets)
    read = judge.read(gan.sample(len(codes), codes, generator=seeded(0))).cpu()
    scores = {}
    for i, f in enumerate(FACE_FACTORS):
        if f.kind == "binary":
            scores[f"{f.name}_accuracy"] = ((read[:, i] > 0.5).float() == held_out.targets[:, i]).float().mean().item()
        else:
            scores[f"{f.name}_r"] = torch.corrcoef(torch.stack([read[:, i], held_out.targets[:, i]]))[0, 1].item()
    scores["steering"] = min(scores.values())
    report = face_interventions(gan)
    train = face_training_set(2000)
    return {**scores, "intervention_score": report["score"],
            **frechet_scores(gan, judge, train.images, face_codes(buckets)(train.targets), held_out.images)}


# ---- disentanglement: InfoGAN, VAE and beta-VAE, scored on what their encoders read -----------------------

SPRITES = "gancourse.data.sprites(30000, seed=0)"
FACES = "gancourse.data.faces(20000, seed=0)"
FACTOR_VAE_BINS = 5  # the FactorVAE score needs discrete factors: continuous face factors are cut into 5 equal bins


def sprite_training_set():
    return sprites(30_000, seed=0)


def held_out_sprites(n: int = 5000):
    return sprites(n, seed=1)


# what each encoder model trains on (as code, and a loader) and the held-out images its encoder is scored on
ENCODER_DATA = {
    "sprites": (SPRITES, sprite_training_set, held_out_sprites),
    "faces": (FACES, lambda: face_training_set(20_000), held_out_faces),
}


def encoder_data(data: str) -> tuple:
    """ENCODER_DATA[data], or an error that names the choices."""
    if data not in ENCODER_DATA:
        raise ValueError(f"encoder models train and are scored on one of {', '.join(ENCODER_DATA)}, got {data!r}")
    return ENCODER_DATA[data]


@torch.no_grad()
def representation(encode, images: torch.Tensor, batch: int = 500) -> np.ndarray:
    """encode (images -> codes (N, C)) over images in batches: (N, C) as numpy."""
    return torch.cat([encode(part).cpu() for part in images.split(batch)]).numpy()


def factor_values(test) -> np.ndarray:
    """A dataset's factor table (N, K) with continuous factors cut into FACTOR_VAE_BINS bins (labels 0..4)."""
    factors = test.targets.numpy().astype(np.float64)
    for j, f in enumerate(test.factors):
        if f.kind == "continuous":
            factors[:, j] = np.minimum(np.floor(factors[:, j] * FACTOR_VAE_BINS), FACTOR_VAE_BINS - 1)
    return factors


def encoder_scores(encode, data: str = "sprites") -> dict:
    """MIG, DCI and FactorVAE score of a representation of 5000 held-out images of `data` ("sprites": 5 factors,
    "faces": 6) against their factors. MIG and DCI take the factors as they are; FactorVAE the binned ones."""
    test = encoder_data(data)[2](5000)
    codes, factors = representation(encode, test.images), test.targets.numpy()
    d = dci(codes, factors)
    return {"mig": mig(codes, factors)["mig"], "dci_disentanglement": d["disentanglement"],
            "dci_completeness": d["completeness"], "dci_informativeness": d["informativeness"],
            "factor_vae_score": factor_vae_score(codes, factor_values(test))["score"]}


def vae_scorer(data: str) -> Callable:
    """Scores of a VAE on `data`: the VAE's mean as the representation, and the negative ELBO's terms on 2000
    held-out images (nats per image)."""
    held_out = encoder_data(data)[2]

    @torch.no_grad()
    def score(vae) -> dict:
        test = held_out(2000)
        terms = vae.loss(test.images.to(vae.device))
        return {**encoder_scores(lambda x: vae.encode(x)[0], data), "reconstruction": terms["reconstruction"].item(),
                "kl": terms["kl"].item()}
    return score


@torch.no_grad()
def score_infogan_sprites(model) -> dict:
    """Q's estimate (the most likely category, then the continuous means) as the representation."""
    return encoder_scores(model.encode)


@torch.no_grad()
def score_infogan_faces(model) -> dict:
    """Q's continuous means as the representation of held-out faces; the intervention score of the continuous
    codes (each matched to the factor it moves most, as for gan-faces); the FD ratio."""
    judge = pretrained.load("judge-faces", device=model.device)
    train = face_training_set(2000)
    fake = model.sample(len(train.images), generator=seeded(1))
    return {**encoder_scores(model.encode, "faces"), "intervention_score": face_interventions(model)["score"],
            **frechet_ratio(judge, fake, train.images, held_out_faces().images)}


@torch.no_grad()
def score_infogan_digits(model) -> dict:
    """Does the categorical code find the digit classes, unsupervised? Q's most likely category of held-out
    real digits against their class after Hungarian matching (InfoGAN's paper: 95% on MNIST), the same for the
    digit judge's reading of generated digits per category, and the FD ratio."""
    train, test = digit_split()
    judge = pretrained.load("judge-digits", device=model.device)
    logits, _ = model.infer(test.images)
    z, categories, continuous = model.sample_codes(1000, seeded(0))
    generated = judge.predict(model.generate(z, categories, continuous)).cpu()
    fake = model.sample(len(train.images), generator=seeded(1))
    return {"q_class_accuracy": hungarian_accuracy(logits.argmax(1).cpu(), test.targets),
            "code_class_accuracy": hungarian_accuracy(categories, generated),
            **frechet_ratio(judge, fake, train.images, test.images)}


def infogan_recipe(name: str, data: str, config: dict, *, about: str, targets: dict, evaluate: Callable,
                   steps: int = 3000, loss: str = "bce", lr: float = 1e-3, d_lr: float = 2.5e-4,
                   info_weight: float = 1.0, shift: int = 0) -> Recipe:
    """An InfoGAN recipe (models/infogan.py) on "digits", "sprites" or "faces"; the GAN recipes' tuned rates;
    shift: DiffAugment's random translation of what the discriminator sees (InfoGANTask)."""
    if data == "digits":
        dataset, load = DIGITS, lambda: digit_split()[0]
    else:
        dataset, load, _ = encoder_data(data)
    config = {**config, "channels": 3} if data == "faces" else config
    return Recipe(name=name, model="InfoGAN", config=config, dataset=dataset, data=load,
                  task=lambda m, steps: InfoGANTask(m, loss=loss, lr=lr, d_lr=d_lr, decay_steps=steps,
                                                    info_weight=info_weight, shift=shift),
                  evaluate=evaluate, steps=steps, batch_size=64, about=about, targets=targets)


def vae_recipe(name: str, beta: float, *, about: str, targets: dict, data: str = "sprites", steps: int = 3000) -> Recipe:
    """A convolutional VAE (models/vae.py) on "sprites" or "faces", latent_dim 10; beta sets the KL weight."""
    dataset, load, _ = encoder_data(data)
    config = {"latent_dim": 10, "beta": beta, **({"channels": 3} if data == "faces" else {})}
    return Recipe(name=name, model="VAE", config=config, dataset=dataset,
                  data=load, task=lambda m, steps: VAETask(m, lr=1e-3, decay_steps=steps),
                  evaluate=vae_scorer(data), steps=steps, batch_size=64, about=about, targets=targets)


# The data each GAN trains on, as code a learner can run, and how its samples are scored by conditioning.
DIGITS = "gancourse.data.digits(seed=0), 80% train split (split_dataset(held_out=0.2, seed=0))"
GAN_DATA = {
    "digits": (DIGITS, lambda: digit_split()[0]),
    "faces": (FACES, lambda: face_training_set(20_000)),
    "correlated-faces": (f"gancourse.data.faces(20000, seed=0, correlations={CORRELATED})",
                         lambda: face_training_set(20_000, CORRELATED)),
}
GAN_SCORES = {
    ("digits", True): score_conditional_digits, ("digits", False): score_unconditional_digits,
    ("faces", True): score_conditional_faces, ("faces", False): score_unconditional_faces,
    ("correlated-faces", False): lambda gan: score_unconditional_faces(gan, CORRELATED),
}
# Faces have more to learn than digits (colour, six factors, 20,000 images): 6000 steps, where 2000 left the
# samples noisy (Fréchet distance 34 against 12.5 after 6000, measured on gan-faces).
FACE_TRAINING = {"steps": 6000, "seconds": 360.0}
# The gan-faces family (gan-faces, -z4, -correlated, -supervised, -supervised-coarse) and infogan-faces get a
# 3x3 layer at 32x32 in both networks and twice the steps. Measured on gan-faces, seed 0: FD ratio 66 with plain
# DCGAN, 29 with the layer in G alone, 22 in both, 16.5 in both after 12000 steps (the shipped run; another
# initialisation reached 11.5); an EMA generator (57), minibatch-std in D (60), a slower D (69) or
# nearest-neighbour upsampling (137) did not help. None brought the smile's spread gap below 0.14 (target 0.05).
FACE_GAN = {"full_res": True}
FACE_GAN_TRAINING = {"steps": 12_000, "seconds": 360.0}
# The supervised GANs' discriminator reads the 6 codes back from each face (read_codes) instead of getting them as
# channels. Measured on gan-faces-supervised, 12000 steps: given as channels, the smile code steered nothing (r 0.02,
# intervention score 1.11, FD ratio 26.7): the discriminator never had to look at the small mouth. Read back with a
# plain squared error, the binary codes drowned the continuous ones (hair colour, hair length, smile and skin tone
# r <= 0.17, FD ratio 6.5). Read back with code_error, weight 1: smile r 0.84, intervention score 5.06, FD ratio
# 9.0; weight 2 (shipped): smile r 0.91, intervention score 6.4, FD ratio 6.1.
# For gan-faces (no labels), a wider generator (w = 64: FD ratio 14.7 at 6000 steps, 22 at w = 32), R1 penalty
# without batch norm (133) and both rates at 2e-4 (67) left the smile's spread gap at 0.18 to 0.19; redrawing the
# mouth as a crescent (1.5x the pixel change) cut it only to 0.14 (6000 steps each; judge retrained to match).
# A spectrally normalised discriminator without batch norm (SN-GAN) fell to an FD ratio of 88 at 6000 steps (22 with
# batch norm), with the recipe's rates or with 2e-4 for both (smile spread gap 0.17 / 0.18).
SUPERVISED = {"n_classes": 6, "condition": "values", "z_dim": 58, "read_codes": True, **FACE_GAN}  # 6 codes + 58 noise
# betavae-sprites' KL weight. The paper's 4 (for 64x64 dSprites) left MIG at 0.006 on our 32x32 sprites after
# 3000 steps, below the plain VAE's 0.015; 8 reached 0.021 and 16 0.014 (measured, same steps and seed).
BETA = 8.0
COARSE = 3  # buckets per continuous factor for the coarse-label model
CODE_WEIGHT = 2.0  # the supervised GANs' code error, next to a BCE loss of about 0.3 to 2 (1 steered less: see above)
# infogan-digits' lambda. With 1, Q matched 66.6% of held-out digits to their class (FD ratio 3.8); 2 reached 76.9%
# (FD ratio 3.1) and 4 75.2% (FD ratio 7.1): measured, same 3000 steps and seed. The paper's z = 62 fell to 33%.
# With lambda 2, other seeds reached 71.9% and 60.4%; z = 16 66.3%, z = 8 74.4%, full_res 74.7%, batch 128 71.3%,
# continuous weight 1 or 2 (default 0.5) 62.1% and 48.7%. Continuous codes (default 2): none 74.9%, 4 81.6% but
# 65.5% with seed 1 (2 codes: 71.9%), so no better on average; 6 76.9%, 8 71.9%.
INFO_WEIGHT = 2.0
# infogan-digits shows its discriminator every image shifted by up to SHIFT pixels (DiffAugment): with 1438 training
# digits it otherwise memorises them (D loss ~0.1 by the end; 6000 steps fell to 69.9%). Q's held-out accuracy,
# seeds 0 / 1 / 2: unshifted 76.9 / 71.9 / 60.4%, SHIFT 2 80.2 / 66.9 / 83.3% (mean 69.7 -> 76.8%; the judge's
# reading of each category's digits 81.6 -> 91.6% at seed 0); at seed 0, shifts 1, 3 and 4 reached only 54.6, 45.1
# and 57.4%, so the gain is fragile and partly luck (1438 digits make every run noisy); with SHIFT 2, lambda 4 68.8%
# (seed 1), and 6000 steps 75.5 / 83.0 / 76.6% (mean 78.4%, within the seeds' spread) at FD ratios 3.6 to 7.5
# against 3.4 to 4.6, in twice the time: not adopted. Also with SHIFT 2, seeds 0 / 1 (80.2 / 66.9% as shipped):
# continuous weight 0.25 71.0 / 71.3%; DiffAugment's cutout (a 12x12 px square) 57.9 / 70.8%; random_affine
# (rotation 10 degrees, scale 10%) 75.2 / 70.8% (FD ratio 3.1 / 3.0); z = 8 73.5 / 66.3% (FD ratio 5.8 / 5.7).
# Seeds 3 / 4 of the shipped recipe: 67.7 / 70.8% (FD ratio 9.1 / 9.8), so its mean over seeds 0 to 4 is 73.8%.
# The shipped model's code 7 draws 1s and 8s, and a linear model reads which from z alone (notebook 04).
# More, seeds 0 / 1: noise z ~ N(0, 0.1^2) (ClusterGAN's small noise, so the code dominates G's input) 57.7 / 74.9%,
# N(0, 0.5^2) 74.1 / 78.0% (FD ratio 5.2 / 7.3); Q with a trunk of its own instead of D's 61.6 / 54.0% (sharing
# helps, as the paper argues); Q also maximising prediction_information on real digits (CatGAN's and IMSAT's term:
# no longer InfoGAN's loss alone) with weight 0.5 78.6 / 76.6% and 2 81.9 / 76.3% (FD ratio 3.3 / 6.3 and
# 5.7 / 5.4); Q's head with its own rate of 1e-3 (the trunk keeping 2.5e-4) 76.0 / 70.2%; instance noise (Gaussian,
# std 0.2 falling to 0, on every image D and Q see) 62.4 / 67.7% (FD ratio 3.1 / 3.2); both networks twice as wide
# (width 64) 56.0 / 65.5% (FD ratio 3.4 / 2.9). None reached 85%. Over 15 runs with InfoGAN's loss alone (the
# shipped one, seeds 3 and 4, and at seeds 0 / 1 continuous weight 0.25, cutout, random_affine, z = 8, z's std 0.1
# and 0.5), Q's prediction_information on the 1438 unlabelled training digits ranks them as their held-out accuracy
# does (Spearman's rho 0.92).
SHIFT = 2
WGAN_LR = 1e-4  # both networks, with Adam betas (0, 0.9): the WGAN-GP paper's settings (the task sets the betas)
# infogan-digits-wgan variants, 3000 steps, seed 0 (shipped: Q 31.8%, FD ratio 9.6): layer norm (GroupNorm(1, c))
# in the trunk's batch-norm slots 36.5% (FD ratio 7.3); SHIFT 2 40.4% (FD ratio 12.2). Neither was adopted.
FACE_GAN_TARGETS = {"fd_ratio": ("<=", 2.0), "factor_mean_gap": ("<=", 0.05), "factor_spread_gap": ("<=", 0.05)}


def gan_recipe(name: str, data: str, config: dict, *, about: str, targets: dict, seconds: float = 180.0,
               steps: int = 2000, batch_size: int = 32, lr: float = 1e-3, d_lr: float = 2.5e-4,
               to_labels: Callable | None = None, evaluate: Callable | None = None, code_weight: float = 1.0) -> Recipe:
    """A DCGAN recipe (models/cgan.py) on `data` (a key of GAN_DATA); every GAN shares these training settings.

    lr 1e-3 for G and 2.5e-4 for D, both decaying linearly to 0, batch 32: tuned on cgan-digits, where the
    course's 2e-4 for both reached a Fréchet-distance ratio of only ~2 in 2000 steps (a slower D keeps up with
    G without memorising the 1438 training digits). seconds: the time-to-quality target on 2 CPU cores.
    to_labels: targets -> the GAN's labels (default: the targets); evaluate: the scores (default: GAN_SCORES);
    code_weight: the weight of the code error, for a discriminator that reads the codes back.
    """
    faces_data = data != "digits"
    config = {"channels": 3 if faces_data else 1, "width": 32, **config}
    conditional = config.get("n_classes", 10) > 0
    grid_labels = to_labels(held_out_faces(64).targets) if config.get("condition") == "values" else None
    return Recipe(
        name=name, model="GAN", config=config, dataset=GAN_DATA[data][0], data=GAN_DATA[data][1],
        task=lambda m, steps: GANTask(m, to_labels=to_labels, lr=lr, d_lr=d_lr, decay_steps=steps,
                                      grid_side=8 if faces_data else 10, grid_labels=grid_labels,
                                      code_weight=code_weight),
        evaluate=evaluate or GAN_SCORES[data, conditional], steps=steps, batch_size=batch_size, about=about,
        targets={**targets, "train_seconds": ("<=", seconds)})


RECIPES: dict[str, Recipe] = {r.name: r for r in [
    Recipe(
        name="judge-digits", model="DigitJudge", config={},
        dataset="gancourse.data.digits(seed=0), 80% train split (split_dataset(held_out=0.2, seed=0))",
        data=lambda: digit_split()[0], task=lambda m, steps: JudgeTask(m, steps=steps),
        evaluate=score_digit_judge, steps=1500, batch_size=64,
        about="Digit classifier: judges conditional digit generators and gives features for the Fréchet distance.",
        targets={"held_out_accuracy": 0.98}),
    Recipe(
        name="judge-faces", model="FaceJudge", config={},
        dataset="gancourse.data.faces(30000, seed=1)",
        data=lambda: faces(30_000, seed=1), task=lambda m, steps: JudgeTask(m, steps=steps, jitter=False),
        evaluate=score_face_judge, steps=2000, batch_size=128,
        about="Reads every face factor: judges face generators, edits and entanglement.",
        targets={"glasses_accuracy": 0.98, "beard_accuracy": 0.98, "hair_color_r2": 0.95, "hair_length_r2": 0.95,
                 "smile_r2": 0.95, "skin_tone_r2": 0.95}),
    gan_recipe("cgan-digits", "digits", {"n_classes": 10},
               about="Conditional DCGAN: draws the digit you ask for (one-hot vector to G, one-hot matrices to D).",
               targets={"accuracy": 0.97, "worst_class": 0.90, "fd_ratio": ("<=", 2.0)}),
    # gan-digits keeps cgan-digits' recipe, so the two differ only in the condition (shipped: rarest digit 4.5% of
    # samples, FD ratio 4.4). Variants, seed 0: DiffAugment's shift of 1 or 2 px in D 4.7 / 5.4% (FD ratio
    # 4.6 / 5.9; shift 2 at seed 1 5.9%, 6.3); D's rate 5e-4 or 1.25e-4 5.2 / 5.6% (FD ratio 4.7 / 4.9). Each change
    # moved the rarest share by about a point, and every variant drew digits further from the real ones.
    gan_recipe("gan-digits", "digits", {"n_classes": 0},
               about="The same DCGAN unconditional: it draws digits, but you cannot choose which.",
               targets={"min_class_share": 0.05, "fd_ratio": ("<=", 2.0)}),
    gan_recipe("cgan-faces", "faces", {"n_classes": 2, "condition": "multi_hot"},
               about="Conditional DCGAN on faces with a multi-hot condition: ask for glasses, a beard, both or neither.",
               targets={"all_agreement": 0.95, "fd_ratio": ("<=", 2.0)}, to_labels=attribute_labels, **FACE_TRAINING),
    gan_recipe("gan-faces", "faces", {"n_classes": 0, **FACE_GAN},
               about="Unconditional faces GAN, z = 64: the model controllable generation edits by moving z.",
               targets=FACE_GAN_TARGETS, **FACE_GAN_TRAINING),
    gan_recipe("gan-faces-z4", "faces", {"n_classes": 0, "z_dim": 4, **FACE_GAN},
               about="The same GAN with only 4 noise dimensions for 6 factors: z-space entanglement.",
               targets={}, **FACE_GAN_TRAINING),
    gan_recipe("gan-faces-correlated", "correlated-faces", {"n_classes": 0, **FACE_GAN},
               about="The same GAN trained on faces where beards come with short hair: feature correlation.",
               targets={}, **FACE_GAN_TRAINING),
    gan_recipe("gan-faces-supervised", "faces", SUPERVISED,
               about="Supervised disentanglement: z's first 6 indices are the face factors (binary as -1/+1), "
                     "the other 58 noise; the discriminator reads the factors back from each face.",
               targets={"steering": 0.9, "intervention_score": 5.0}, to_labels=face_codes(),
               evaluate=score_supervised_faces, code_weight=CODE_WEIGHT, **FACE_GAN_TRAINING),
    gan_recipe("gan-faces-supervised-coarse", "faces", SUPERVISED,
               about="The same with coarse labels: each continuous factor only as low / middle / high.",
               targets={}, to_labels=face_codes(COARSE), evaluate=lambda gan: score_supervised_faces(gan, COARSE),
               code_weight=CODE_WEIGHT, **FACE_GAN_TRAINING),
    infogan_recipe("infogan-digits", "digits", {"n_categories": 10, "n_continuous": 2},
                   about="InfoGAN on digits: one 10-way categorical code and two continuous codes, learnt unsupervised; "
                         "its discriminator sees every digit shifted by up to 2 pixels (DiffAugment).",
                   targets={"q_class_accuracy": 0.85}, evaluate=score_infogan_digits, info_weight=INFO_WEIGHT,
                   shift=SHIFT),
    infogan_recipe("infogan-digits-wgan", "digits", {"n_categories": 10, "n_continuous": 2, "norm": False},
                   about="The same InfoGAN with the W-loss (WGAN-GP: 5 critic steps per generator step, gradient "
                         "penalty 10), whose per-sample penalty rules out batch norm in the critic's trunk; "
                         "no shift, as infogan-digits before DiffAugment (5 critic steps make a rerun 5x slower).",
                   targets={}, evaluate=score_infogan_digits, info_weight=INFO_WEIGHT, loss="wgan-gp",
                   lr=WGAN_LR, d_lr=WGAN_LR),
    infogan_recipe("infogan-sprites", "sprites", {"n_categories": 3, "n_continuous": 4, "z_dim": 8},
                   about="InfoGAN on sprites: a 3-way categorical code (for shape) and four continuous codes.",
                   targets={}, evaluate=score_infogan_sprites),
    vae_recipe("vae-sprites", 1.0, about="Convolutional VAE on sprites (beta = 1): the baseline from the other family.",
               targets={}),
    vae_recipe("betavae-sprites", BETA, about=f"The same VAE with beta = {BETA}: more disentangled, blurrier.",
               targets={}),
    infogan_recipe("infogan-faces", "faces", {"n_categories": 0, "n_continuous": 6, "z_dim": 58, **FACE_GAN},
                   about="InfoGAN on faces: six continuous codes for six factors, learnt unsupervised, 58 noise.",
                   targets={}, evaluate=score_infogan_faces, steps=FACE_GAN_TRAINING["steps"]),
    vae_recipe("vae-faces", 1.0, data="faces", about="The convolutional VAE on faces: an encoder to score on faces.",
               targets={}),
]}


def recipe(name: str) -> Recipe:
    if name not in RECIPES:
        raise KeyError(f"No recipe named {name!r}. Recipes: {', '.join(RECIPES)}")
    return RECIPES[name]


def train(name: str, *, steps: int | None = None, out: str | Path | None = None, fresh: bool = False,
          progress: bool = True, device: torch.device | None = None) -> pretrained.ModelCard:
    """Run recipe `name`; writes NAME.safetensors + NAME.json to `out` (default runs/NAME) and returns the card.

    An interrupted run resumes from runs/NAME/checkpoint.pt; `fresh=True` starts over.
    """
    r = recipe(name)
    steps = r.steps if steps is None else steps
    run_dir = RUNS_DIR / name
    if fresh and run_dir.exists():
        shutil.rmtree(run_dir)
    out = Path(out) if out else run_dir
    device = device or default_device()

    seed_everything(r.seed)
    model = build_model(r.model, r.config)
    task = r.task(model, steps)
    data = r.data()
    loop = LoopConfig(steps=steps, batch_size=r.batch_size, seed=r.seed, out_dir=str(run_dir), progress=progress)
    history = fit(task, data.images, data.targets, loop, device=device)
    seconds = history[-1]["seconds"] if history else 0.0
    model.eval()
    card = pretrained.ModelCard(
        name=name, model=r.model, config=asdict(model.config), dataset=r.dataset, steps=steps,
        command=" ".join(["python -m gancourse train", shlex.quote(name)] +
                         ([f"--steps {steps}"] if steps != r.steps else []) + ([f"--out {shlex.quote(str(out))}"])),
        scores=r.evaluate(model), train_seconds=round(seconds, 1), device=str(device))
    pretrained.save(model, card, out)
    return card

"""How each shipped model is scored: every scorer takes the model and returns a dict of measured numbers.

Scores are measured on held-out data (training/splits.py) with the judges (models/judges.py). Each recipe names
its scorer; `Recipe.score` runs it with the random-number generators seeded, so the same command gives the same
scores. Generators are scored alike: Fréchet distance in judge features (with real-vs-real beside it, so the
ratio reads as "times worse than real data"), and improved precision and recall (fidelity, diversity), density
and coverage against the same held-out images.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import torch

from .. import pretrained
from ..data import FACE_FACTORS, faces
from ..metrics import (attribute_agreement, conditional_accuracy, dci, factor_vae_score, feature_precision_recall,
                       frechet_distance, hungarian_accuracy, intervention_report, judge_features,
                       judge_frechet_distance, judge_precision_recall, mig)
from ..checks import is_int
from ..metrics.latent_space import noise_spread, path_lengths, separability
from ..models.cgan import cycle_labels
from ..models.infogan import InfoGAN
from ..metrics.likelihood import bits_per_dim, code_bits, elbo_bits_per_dim, importance_weighted_bits_per_dim
from ..models.pixelcnn import to_values
from ..nn.quantizer import perplexity
from .splits import (COARSE, CORRELATED, FACE_ATTRIBUTES, attribute_labels, digit_split, face_codes, face_training_set, held_out_faces,
                     held_out_sprites)

FACTOR_VAE_BINS = 5  # the FactorVAE score needs discrete factors: continuous face factors are cut into 5 equal bins


def seeded(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def uniform_noise_like(images: torch.Tensor, seed: int = 0) -> torch.Tensor:
    """Seeded uniform noise in [-1, 1] shaped like images: the 'worst generator' baseline."""
    return torch.rand(images.shape, generator=seeded(seed)) * 2 - 1


# ---- generated images against held-out real ones ----------------------------------------------------------------

def sample_quality(judge, fake: torch.Tensor, real: torch.Tensor, held_out: torch.Tensor) -> dict:
    """Generated images against held-out ones, with real training images against the same held-out ones beside.

    fd, fd_real_vs_real, fd_ratio (1 would be as good as real data), and precision, recall, density, coverage of
    the first len(held_out) generated images (k-NN measures depend on the set sizes, so both sets are equal).
    """
    fake_f, real_f, held_f = (judge_features(judge, images) for images in (fake, real, held_out))  # once each
    fd, fd_real = frechet_distance(fake_f, held_f), frechet_distance(real_f, held_f)
    return {"fd": fd, "fd_real_vs_real": fd_real, "fd_ratio": fd / fd_real,
            **feature_precision_recall(held_f, fake_f[:len(held_out)])}


def gan_quality(gan, judge, real: torch.Tensor, labels: torch.Tensor | None, held_out: torch.Tensor) -> dict:
    """sample_quality of len(real) samples of a GAN, drawn with real's labels (ignored when unconditional)."""
    fake = gan.sample(len(real), labels if gan.config.n_classes else None, generator=seeded(1))
    return sample_quality(judge, fake, real, held_out)


def digit_quality(gan, judge) -> dict:
    train, test = digit_split()
    return gan_quality(gan, judge, train.images, train.targets, test.images)


@torch.no_grad()
def score_conditional_digits(gan) -> dict:
    """Does the digit judge see the digit we asked for (100 of each), and how close are the samples to real digits?"""
    judge = pretrained.load("judge-digits", device=gan.device)
    labels = torch.arange(10).repeat_interleave(100)
    accuracy = conditional_accuracy(judge, gan.sample(len(labels), labels, generator=seeded(0)), labels, n_classes=10)
    return {"accuracy": accuracy["accuracy"], "worst_class": accuracy["worst_class"],
            "per_class": accuracy["per_class"], **digit_quality(gan, judge)}


@torch.no_grad()
def score_unconditional_digits(gan) -> dict:
    """Which digits does an unconditional GAN draw (the judge's class shares of 1000 samples), and how well?"""
    judge = pretrained.load("judge-digits", device=gan.device)
    predicted = judge.predict(gan.sample(1000, generator=seeded(0))).cpu()
    shares = torch.bincount(predicted, minlength=10).float() / len(predicted)
    return {"class_shares": shares.tolist(), "min_class_share": shares.min().item(), **digit_quality(gan, judge)}


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
            **gan_quality(gan, judge, train.images, attribute_labels(train.targets), held_out_faces().images)}


def factor_statistics(fake: torch.Tensor, real: torch.Tensor, names) -> dict:
    """Read-outs (N, K) of generated and real images -> each factor's mean and spread gap, the largest of each,
    and the beard-hair length correlation of both (the one gan-faces-correlated learns)."""
    mean_gap, spread_gap = (fake.mean(0) - real.mean(0)).abs(), (fake.std(0) - real.std(0)).abs()
    beard, hair = names.index("beard"), names.index("hair_length")
    return {"factor_mean_gap": mean_gap.max().item(), "factor_spread_gap": spread_gap.max().item(),
            "mean_gap": dict(zip(names, mean_gap.tolist())), "spread_gap": dict(zip(names, spread_gap.tolist())),
            "beard_hair_r": torch.corrcoef(fake[:, [beard, hair]].T)[0, 1].item(),
            "beard_hair_r_data": torch.corrcoef(real[:, [beard, hair]].T)[0, 1].item()}


@torch.no_grad()
def score_unconditional_faces(gan, correlations: dict | None = None) -> dict:
    """How close are 2000 samples to real faces: FD ratio, precision and recall, and every factor's mean and
    spread as the face judge reads them, next to its read-out of 2000 held-out real faces."""
    judge = pretrained.load("judge-faces", device=gan.device)
    held_out = held_out_faces(correlations=correlations)
    fake = judge.read(gan.sample(len(held_out), generator=seeded(0))).cpu()
    real = judge.read(held_out.images.to(gan.device)).cpu()
    return {**factor_statistics(fake, real, judge.factor_names),
            **gan_quality(gan, judge, face_training_set(2000, correlations).images, None, held_out.images)}


def score_correlated_faces(gan) -> dict:
    """score_unconditional_faces against held-out faces drawn with gan-faces-correlated's correlations."""
    return score_unconditional_faces(gan, CORRELATED)


# ---- supervised codes and interventions on a face model's inputs -------------------------------------------------

CODE_STEPS = [2.0 if f.kind == "binary" else 0.5 for f in FACE_FACTORS]  # -1 -> +1 flips a binary code


def intervention_start(model, n: int = 256, seed: int = 2) -> tuple[torch.Tensor, list[int], list[float]]:
    """Where a face model's intervention matrix starts: (its whole input v (n, D), the indices to step, their steps).

    Supervised ("values") GANs: every code low (binary codes at -1, continuous at 0.25; each is then stepped by
    +2 and +0.5), then Gaussian noise. InfoGAN: Gaussian noise, random categories,
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
def face_steering(gan, buckets: int | None = None) -> dict:
    """Do the codes steer the faces? 2000 held-out faces' (possibly coarse) codes in, the face judge's read-out
    out: accuracy for binary factors, correlation with the requested value for continuous ones (steering: the
    smallest of them)."""
    judge = pretrained.load("judge-faces", device=gan.device)
    held_out = held_out_faces()
    codes = face_codes(held_out.targets, buckets)
    read = judge.read(gan.sample(len(codes), codes, generator=seeded(0))).cpu()
    scores = {}
    for i, f in enumerate(FACE_FACTORS):
        if f.kind == "binary":
            scores[f"{f.name}_accuracy"] = ((read[:, i] > 0.5).float() == held_out.targets[:, i]).float().mean().item()
        else:
            scores[f"{f.name}_r"] = torch.corrcoef(torch.stack([read[:, i], held_out.targets[:, i]]))[0, 1].item()
    scores["steering"] = min(scores.values())
    return scores


def score_supervised_faces(gan, buckets: int | None = None) -> dict:
    """face_steering, the intervention score of the labelled indices, and the quality of samples drawn with 2000
    training faces' codes."""
    judge = pretrained.load("judge-faces", device=gan.device)
    train = face_training_set(2000)
    return {**face_steering(gan, buckets), "intervention_score": face_interventions(gan)["score"],
            **gan_quality(gan, judge, train.images, face_codes(train.targets, buckets), held_out_faces().images)}


def score_coarse_faces(gan) -> dict:
    """score_supervised_faces with the coarse model's COARSE buckets per continuous factor."""
    return score_supervised_faces(gan, COARSE)


# ---- judges -------------------------------------------------------------------------------------------------------

@torch.no_grad()
def score_digit_judge(judge) -> dict:
    """Held-out accuracy; the real-vs-real and real-vs-noise yardsticks of its features (Fréchet distance,
    precision and recall of the 359 held-out digits against as many training digits)."""
    train, test = digit_split()
    device = next(judge.parameters()).device
    accuracy = (judge.predict(test.images.to(device)).cpu() == test.targets).float().mean().item()
    real_pr = judge_precision_recall(judge, train.images[:len(test.images)], test.images)
    return {"held_out_accuracy": accuracy,
            "fd_real_vs_real": judge_frechet_distance(judge, train.images, test.images),
            "fd_real_vs_noise": judge_frechet_distance(judge, train.images, uniform_noise_like(test.images)),
            "precision_real_vs_real": real_pr["precision"], "recall_real_vs_real": real_pr["recall"]}


def r_squared(predicted: torch.Tensor, true: torch.Tensor) -> float:
    return (1 - ((predicted - true) ** 2).sum() / ((true - true.mean()) ** 2).sum()).item()


@torch.no_grad()
def score_face_judge(judge) -> dict:
    """Accuracy (binary factors) and R^2 (continuous ones) on held-out faces; the real-vs-real and real-vs-noise
    yardsticks of its features."""
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
    real_pr = judge_precision_recall(judge, reference, test.images)
    return {**scores, "fd_real_vs_real": judge_frechet_distance(judge, test.images, reference),
            "fd_real_vs_noise": judge_frechet_distance(judge, test.images, uniform_noise_like(reference)),
            "precision_real_vs_real": real_pr["precision"], "recall_real_vs_real": real_pr["recall"]}


# ---- disentanglement: InfoGAN, VAE and beta-VAE, scored on what their encoders read -------------------------------

# the held-out images an encoder is scored on, by the data it was trained on
HELD_OUT = {"sprites": held_out_sprites, "faces": held_out_faces}


def held_out(data: str) -> Callable:
    """HELD_OUT[data], or an error that names the choices."""
    if data not in HELD_OUT:
        raise ValueError(f"encoder models train and are scored on one of {', '.join(HELD_OUT)}, got {data!r}")
    return HELD_OUT[data]


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


def encoder_scores(encode, data: str = "sprites", n: int = 5000) -> dict:
    """MIG, DCI and FactorVAE score of a representation of n held-out images of `data` ("sprites": 5 factors,
    "faces": 6) against their factors. MIG and DCI take the factors as they are; FactorVAE the binned ones.
    The cards use n = 5000; fewer is faster (DCI's boosted trees dominate) and noisier. The FactorVAE score
    needs 64 rows per factor value: sprites' 40 orientations need n of about 3000 or more."""
    if not is_int(n) or n < 1000:
        raise ValueError(f"encoder_scores: n must be an int of at least 1000 (each FactorVAE vote draws 64 "
                         f"images that share one factor's value), got {n!r}")
    test = held_out(data)(int(n))
    codes, factors = representation(encode, test.images), test.targets.numpy()
    d = dci(codes, factors)
    return {"mig": mig(codes, factors)["mig"], "dci_disentanglement": d["disentanglement"],
            "dci_completeness": d["completeness"], "dci_informativeness": d["informativeness"],
            "factor_vae_score": factor_vae_score(codes, factor_values(test))["score"]}


@torch.no_grad()
def vae_scores(vae, data: str) -> dict:
    """The VAE's mean as the representation (encoder_scores), and the negative ELBO's terms on 2000 held-out
    images (nats per image)."""
    terms = vae.loss(held_out(data)(2000).images.to(vae.device))
    return {**encoder_scores(lambda x: vae.encode(x)[0], data), "reconstruction": terms["reconstruction"].item(),
            "kl": terms["kl"].item()}


def score_sprite_vae(vae) -> dict:
    return vae_scores(vae, "sprites")


@torch.no_grad()
def score_face_vae(vae) -> dict:
    """vae_scores, and the quality of 2000 samples from the prior against held-out faces, as for the face GANs."""
    judge = pretrained.load("judge-faces", device=vae.device)
    held_out = held_out_faces().images
    fake = vae.sample(len(held_out), generator=seeded(1))
    return {**vae_scores(vae, "faces"), **sample_quality(judge, fake, face_training_set(2000).images, held_out)}


@torch.no_grad()
def score_infogan_sprites(model) -> dict:
    """Q's estimate (the most likely category, then the continuous means) as the representation."""
    return encoder_scores(model.encode)


@torch.no_grad()
def score_infogan_faces(model) -> dict:
    """Q's continuous means as the representation of held-out faces; the intervention score of the continuous
    codes (each matched to the factor it moves most, as for gan-faces); sample quality."""
    judge = pretrained.load("judge-faces", device=model.device)
    train = face_training_set(2000)
    fake = model.sample(len(train.images), generator=seeded(1))
    return {**encoder_scores(model.encode, "faces"), "intervention_score": face_interventions(model)["score"],
            **sample_quality(judge, fake, train.images, held_out_faces().images)}


@torch.no_grad()
def score_infogan_digits(model) -> dict:
    """Does the categorical code find the digit classes, unsupervised? Q's most likely category of held-out
    real digits against their class after Hungarian matching (InfoGAN's paper: 95% on MNIST), the same for the
    digit judge's reading of generated digits per category, and sample quality."""
    train, test = digit_split()
    judge = pretrained.load("judge-digits", device=model.device)
    logits, _ = model.infer(test.images)
    z, categories, continuous = model.sample_codes(1000, seeded(0))
    generated = judge.predict(model.generate(z, categories, continuous)).cpu()
    fake = model.sample(len(train.images), generator=seeded(1))
    return {"q_class_accuracy": hungarian_accuracy(logits.argmax(1).cpu(), test.targets),
            "code_class_accuracy": hungarian_accuracy(categories, generated),
            **sample_quality(judge, fake, train.images, test.images)}


# ---- likelihood models on the digits (notebook 06): bits per dimension, inversion, samples --------------------------
#
# Every family is scored on the same 359 held-out digits, read as 8-bit values. Samples: as many as held-out digits
# (359), against the first 359 training digits as the real-vs-real baseline, so the sets compared are equal in size.

def likelihood_sample_scores(model, fake: torch.Tensor) -> dict:
    """The digit judge's class shares of generated digits and their sample_quality (equal set sizes)."""
    train, test = digit_split()
    judge = pretrained.load("judge-digits", device=model.device)
    shares = torch.bincount(judge.predict(fake.to(model.device)).cpu(), minlength=10).float() / len(fake)
    n = len(test.images)
    return {"class_shares": shares.tolist(), "min_class_share": shares.min().item(),
            **sample_quality(judge, fake, train.images[:n], test.images)}


def train_and_held_out(measure: Callable) -> dict:
    """measure(images) on the held-out digits and on as many training digits (the first 359 of them)."""
    train, test = digit_split()
    return {"held_out": measure(test.images), "train": measure(train.images[:len(test.images)])}


@torch.no_grad()
def score_pixelcnn_digits(model) -> dict:
    """Exact bits per dimension on held-out and training digits, and 359 samples drawn pixel by pixel (minutes on a
    CPU), which the model keeps (PixelCNN.store_samples) so notebooks can show them without drawing them again."""
    bits = train_and_held_out(lambda images: bits_per_dim(model, to_values(images)))
    fake = model.sample(len(digit_split()[1].images), generator=seeded(1))
    model.store_samples(fake)
    return {"held_out_bits_per_dim": bits["held_out"], "train_bits_per_dim": bits["train"],
            **likelihood_sample_scores(model, fake)}


@torch.no_grad()
def score_flow_digits(model) -> dict:
    """Bits per dimension (the dequantization bound, averaged over 4 draws of the noise), the largest error of
    x -> z -> x on held-out digits, and samples at temperature 1 and 0.7."""
    bits = train_and_held_out(lambda images: float(np.mean([bits_per_dim(model, to_values(images))
                                                            for _ in range(4)])))
    test = digit_split()[1].images
    error = (model.inverse(model(test)[0]).cpu() - test).abs()  # x -> z -> x
    fake = model.sample(len(test), generator=seeded(1))
    cooler = likelihood_sample_scores(model, model.sample(len(test), 0.7, generator=seeded(2)))
    return {"held_out_bits_per_dim": bits["held_out"], "train_bits_per_dim": bits["train"],
            "inversion_mean_error": error.mean().item(), "inversion_max_error": error.max().item(),
            **likelihood_sample_scores(model, fake),
            **{f"{k}_t07": v for k, v in cooler.items() if k in ("precision", "recall", "coverage")}}


@torch.no_grad()
def score_vae_digits(vae) -> dict:
    """The negative ELBO in bits per dimension on held-out and training digits, the importance-weighted bound
    (k = 100) on the first 128 held-out ones (100 decoder passes per digit), reconstruction error through the
    encoder, and samples from the prior."""
    elbo = train_and_held_out(lambda images: elbo_bits_per_dim(vae, images))
    test = digit_split()[1].images
    reconstruction = vae.decode(vae.encode(test)[0]).cpu()
    return {"held_out_bits_per_dim": elbo["held_out"], "train_bits_per_dim": elbo["train"],
            "held_out_iwae_bits_per_dim": importance_weighted_bits_per_dim(vae, test[:128], k=100),
            "inversion_mean_error": (reconstruction - test).abs().mean().item(),
            **likelihood_sample_scores(vae, vae.sample(len(test), generator=seeded(1)))}


@torch.no_grad()
def score_vqvae_digits(model) -> dict:
    """Codebook use (perplexity of the held-out digits' codes), the digit judge's reading of reconstructions
    (is it still the same digit?), the prior's bits per code, and samples decoded from the prior's code maps."""
    train, test = digit_split()
    judge = pretrained.load("judge-digits", device=model.device)
    codes = model.encode(test.images)
    reconstruction = model.decode(codes)
    bits = train_and_held_out(lambda images: code_bits(model, images)["bits_per_code"])
    return {"perplexity": perplexity(codes, model.config.codes), "codes_used": int(codes.unique().numel()),
            "reconstruction_accuracy": (judge.predict(reconstruction).cpu() == test.targets).float().mean().item(),
            "inversion_mean_error": (reconstruction.cpu() - test.images).abs().mean().item(),
            "held_out_bits_per_code": bits["held_out"], "train_bits_per_code": bits["train"],
            **likelihood_sample_scores(model, model.sample(len(test.images), generator=seeded(1)))}


# ---- StyleGAN (models/stylegan.py, notebook 05): quality and the W-against-Z measures -----------------------------

@torch.no_grad()
def score_stylegan_faces(model) -> dict:
    """Quality as for gan-faces (2000 samples against 2000 held-out faces: precision, recall, FD ratio, each
    factor's mean and spread gap, and each factor's spread itself), then what the lecture claims of the latent
    spaces: perceptual path length in Z and W (2000 paths each, and their ratio), linear separability in Z and W
    (10,000 samples; per factor and the exp-sum score, and how many factors are more separable in W), and how much
    resampled noise moves each factor against its spread across w (the largest ratio)."""
    judge = pretrained.load("judge-faces", device=model.device)
    held_out, train = held_out_faces(), face_training_set(2000)
    fake = model.sample(len(held_out.images), generator=seeded(1))
    read_fake, read_real = judge.read(fake).cpu(), judge.read(held_out.images.to(model.device)).cpu()
    names = judge.factor_names
    lengths = path_lengths(model, judge, n=2000, seed=0)
    separation = separability(model, judge, n=10_000, seed=0)
    in_z, in_w = separation["z"]["entropy"], separation["w"]["entropy"]
    spread = noise_spread(model, judge, n_w=64, n_draws=16, seed=0)
    return {**sample_quality(judge, fake, train.images, held_out.images),
            **factor_statistics(read_fake, read_real, names),
            "factor_spread": dict(zip(names, read_fake.std(0).tolist())),
            "factor_spread_data": dict(zip(names, read_real.std(0).tolist())),
            "path_length_z": lengths["z"], "path_length_w": lengths["w"], "path_length_ratio": lengths["w"] / lengths["z"],
            "separability_z": separation["z"]["separability"], "separability_w": separation["w"]["separability"],
            "entropy_z": in_z, "entropy_w": in_w, "factors_more_separable_in_w": sum(in_w[n] < in_z[n] for n in names),
            "noise_ratio": dict(zip(names, spread["ratio"].tolist())), "noise_ratio_max": float(spread["ratio"].max())}


"""The named recipes that make each shipped checkpoint; `python -m gancourse train NAME` runs one (run.py).

A recipe fixes everything a run depends on -- the model and its config, the training set, steps, batch size,
seed, CPU threads, the task with every hyperparameter it takes -- and names the scorer of the result, so the same
command on the same torch version gives the same weights and the same scores. Each setting keeps a short reason;
what else was tried, and what it measured, is in docs/experiments.md.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Callable

import torch

from ..models import build_model
from . import scoring
from .splits import TRAINING_SETS, attribute_labels, coarse_face_codes, face_codes, training_set
from .tasks import GANTask, InfoGANTask, JudgeTask, LikelihoodTask, StyleGANTask, VAETask, VQVAETask


@dataclass(frozen=True)
class Recipe:
    name: str
    model: str  # class name in gancourse.models.MODELS
    config: dict  # the model's config; its defaults fill in the rest
    data: str  # the training set: a name in splits.TRAINING_SETS
    task: Callable  # partial(TaskClass, **hyperparameters), called as task(model, steps=steps)
    evaluate: Callable  # a scorer from scoring.py: model -> scores on held-out data
    steps: int
    batch_size: int = 64
    seed: int = 0
    threads: int = 1  # CPU threads: the same weights need the same thread count (and torch version)
    about: str = ""
    targets: dict = field(default_factory=dict)  # score -> bound (x means >= x, or (op, x)); benchmarks check them

    @property
    def dataset(self) -> str:
        """The training set as code a learner can run (it goes on the model card)."""
        return TRAINING_SETS[self.data][0]

    def training_data(self):
        return training_set(self.data)

    def build(self) -> torch.nn.Module:
        return build_model(self.model, self.config)

    def score(self, model: torch.nn.Module) -> dict:
        """The recipe's scores of a model, with every random draw seeded: the same model gives the same scores."""
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(0)
            return self.evaluate(model)


# ---- shared settings ---------------------------------------------------------------------------------------------

# Every GAN: Adam at 1e-3 for G and 2.5e-4 for D, decaying to 0, batch 32. Tuned on cgan-digits, where the course's
# 2e-4 for both stayed at an FD ratio of about 2: a slower D keeps up without memorising 1,438 digits.
GAN_RATES = {"lr": 1e-3, "d_lr": 2.5e-4}
# The face GANs add a 3x3 layer at 32x32 in both networks: plain DCGAN's one layer there cannot draw a mouth.
FACE_GAN = {"channels": 3, "full_res": True}
FACE_GAN_STEPS = 12_000
# The supervised GANs' first 6 inputs are the factor codes; their discriminator reads them back (read_codes), and
# each code's error counts CODE_WEIGHT times: given as channels, the small mouth's code steered nothing.
SUPERVISED = {"n_classes": 6, "condition": "values", "z_dim": 58, "read_codes": True, **FACE_GAN}
CODE_WEIGHT = 2.0
BETA = 4.0  # betavae-sprites' KL weight, the beta-VAE paper's
BETA_HIGH = 16.0  # betavae16-sprites: the sweep's far end (beta 1, 4, 16), drawn in notebook 04
VAE_SPRITE_STEPS = 10_000  # the sprite VAEs of the beta sweep (notebook 04); the scores stop moving by then
INFO_WEIGHT = 2.0  # infogan-digits' lambda: 1 and 4 found the digit classes less often
SHIFT = 2  # DiffAugment's shift for infogan-digits: with 1,438 digits an unshifted D memorises them
WGAN_LR = 1e-4  # both networks, with Adam betas (0, 0.9): the WGAN-GP paper's settings (the task sets the betas)
# The likelihood models of notebook 06 read the digits as 8-bit values, one thread each: about 0.7-0.8 s a step for
# the first three, 0.34 for the VQ-VAE; steps sized to train while three StyleGAN runs held the cores (a retrain
# must take at most 15 minutes).
LIKELIHOOD_SECONDS = ("<=", 900.0)
VQ_CODES = 32  # K: the VQ-VAE's codebook; at least half of it in use is a target (perplexity >= K / 2)
# StyleGAN on faces: widths and z = w = 64 sized for a 2-core CPU (paper: 512), the mapping's rate multiplier 0.1
# (the paper's 0.01 left it nearly untrained in a short run), a minibatch-stddev channel against collapse.
STYLEGAN = {"z_dim": 64, "w_dim": 64, "mapping_layers": 8, "mapping_lr": 0.1, "widths": (128, 64, 32, 16),
            "noise_scale": 0.0, "channels": 3, "d_width": 32, "minibatch_std": 4}
# Its training: the face GANs' rates and betas, style mixing 0.9 as in the paper, a small R1 every 4 steps, and
# sampling from a short moving average of G (the paper's 0.999 lagged behind G and scored lower in a 3000-step run).
STYLEGAN_TASK = {**GAN_RATES, "betas": (0.5, 0.999), "mixing": 0.9, "r1": 0.1, "r1_every": 4, "ema": 0.99,
                 "w_avg_beta": 0.995}
STYLEGAN_STEPS = 8_000  # 0.33 s a step on one thread: 8,000 fit the 45 minutes a retrain may take
STYLEGAN_TARGETS = {"precision": 0.6, "recall": 0.6, "factor_mean_gap": ("<=", 0.05),
                    "path_length_ratio": ("<=", 0.5), "factors_more_separable_in_w": 5, "noise_ratio_max": ("<=", 0.1),
                    "train_seconds": ("<=", 2700.0)}


RECIPES: dict[str, Recipe] = {r.name: r for r in [
    # ---- judges: they read generated images for every score ----
    Recipe(
        name="judge-digits", model="DigitJudge", config={}, data="digits",
        task=partial(JudgeTask), evaluate=scoring.score_digit_judge, steps=1500, batch_size=64,
        about="Digit classifier: judges conditional digit generators and gives features for the quality measures.",
        targets={"held_out_accuracy": 0.98}),
    Recipe(
        name="judge-faces", model="FaceJudge", config={}, data="judge-faces",
        task=partial(JudgeTask, jitter=False), evaluate=scoring.score_face_judge, steps=2000, batch_size=128,
        about="Reads every face factor: judges face generators, edits and entanglement.",
        targets={"glasses_accuracy": 0.98, "beard_accuracy": 0.98, "hair_color_r2": 0.95, "hair_length_r2": 0.95,
                 "smile_r2": 0.95, "skin_tone_r2": 0.95}),

    # ---- conditional and unconditional DCGANs (models/cgan.py) ----
    Recipe(
        name="cgan-digits", model="GAN", config={"n_classes": 10}, data="digits",
        task=partial(GANTask, **GAN_RATES), evaluate=scoring.score_conditional_digits, steps=2000, batch_size=32,
        about="Conditional DCGAN: draws the digit you ask for (one-hot vector to G, one-hot matrices to D).",
        targets={"accuracy": 0.97, "worst_class": 0.90, "fd_ratio": ("<=", 2.0), "train_seconds": ("<=", 180.0)}),
    Recipe(
        name="gan-digits", model="GAN", config={"n_classes": 0}, data="digits",
        task=partial(GANTask, **GAN_RATES), evaluate=scoring.score_unconditional_digits, steps=2000, batch_size=32,
        about="The same DCGAN unconditional: it draws digits, but you cannot choose which.",
        targets={"train_seconds": ("<=", 180.0)}),
    Recipe(
        name="cgan-faces", model="GAN", config={"n_classes": 2, "condition": "multi_hot", "channels": 3},
        data="faces", task=partial(GANTask, **GAN_RATES, to_labels=attribute_labels, grid_side=8),
        evaluate=scoring.score_conditional_faces, steps=6000, batch_size=32,
        about="Conditional DCGAN on faces with a multi-hot condition: ask for glasses, a beard, both or neither.",
        targets={"all_agreement": 0.95}),
    Recipe(
        name="gan-faces", model="GAN", config={"n_classes": 0, **FACE_GAN}, data="faces",
        task=partial(GANTask, **GAN_RATES, grid_side=8), evaluate=scoring.score_unconditional_faces,
        steps=FACE_GAN_STEPS, batch_size=32,
        about="Unconditional faces GAN, z = 64: the model controllable generation edits by moving z.",
        targets={"precision": 0.80, "recall": 0.80, "factor_mean_gap": ("<=", 0.05),
                 "factor_spread_gap": ("<=", 0.05)}),
    Recipe(
        name="gan-faces-z4", model="GAN", config={"n_classes": 0, "z_dim": 4, **FACE_GAN}, data="faces",
        task=partial(GANTask, **GAN_RATES, grid_side=8), evaluate=scoring.score_unconditional_faces,
        steps=FACE_GAN_STEPS, batch_size=32,
        about="The same GAN with only 4 noise dimensions for 6 factors: z-space entanglement."),
    Recipe(
        name="gan-faces-correlated", model="GAN", config={"n_classes": 0, **FACE_GAN}, data="correlated-faces",
        task=partial(GANTask, **GAN_RATES, grid_side=8), evaluate=scoring.score_correlated_faces,
        steps=FACE_GAN_STEPS, batch_size=32,
        about="The same GAN trained on faces where beards come with short hair: feature correlation."),
    Recipe(
        name="gan-faces-supervised", model="GAN", config=SUPERVISED, data="faces",
        task=partial(GANTask, **GAN_RATES, to_labels=face_codes, code_weight=CODE_WEIGHT, grid_side=8),
        evaluate=scoring.score_supervised_faces, steps=FACE_GAN_STEPS, batch_size=32,
        about="Supervised disentanglement: z's first 6 indices are the face factors (binary as -1/+1), "
              "the other 58 noise; the discriminator reads the factors back from each face.",
        targets={"steering": 0.9, "intervention_score": 5.0}),
    Recipe(
        name="gan-faces-supervised-coarse", model="GAN", config=SUPERVISED, data="faces",
        task=partial(GANTask, **GAN_RATES, to_labels=coarse_face_codes, code_weight=CODE_WEIGHT, grid_side=8),
        evaluate=scoring.score_coarse_faces, steps=FACE_GAN_STEPS, batch_size=32,
        about="The same with coarse labels: each continuous factor only as low / middle / high."),

    # ---- InfoGAN (models/infogan.py): codes learnt without labels ----
    Recipe(
        name="infogan-digits", model="InfoGAN", config={"n_categories": 10, "n_continuous": 2}, data="digits",
        task=partial(InfoGANTask, **GAN_RATES, info_weight=INFO_WEIGHT, shift=SHIFT),
        evaluate=scoring.score_infogan_digits, steps=3000, batch_size=64,
        about="InfoGAN on digits: one 10-way categorical code and two continuous codes, learnt unsupervised; "
              "its discriminator sees every digit shifted by up to 2 pixels (DiffAugment).",
        targets={"q_class_accuracy": 0.80}),
    Recipe(
        name="infogan-digits-wgan", model="InfoGAN", config={"n_categories": 10, "n_continuous": 2, "norm": False},
        data="digits", task=partial(InfoGANTask, loss="wgan-gp", lr=WGAN_LR, d_lr=WGAN_LR, info_weight=INFO_WEIGHT),
        evaluate=scoring.score_infogan_digits, steps=3000, batch_size=64,
        about="The same InfoGAN with the W-loss (WGAN-GP: 5 critic steps per generator step, gradient "
              "penalty 10), whose per-sample penalty rules out batch norm in the critic's trunk; "
              "no shift, as infogan-digits before DiffAugment (5 critic steps make a rerun 5x slower)."),
    Recipe(
        name="infogan-sprites", model="InfoGAN", config={"n_categories": 3, "n_continuous": 4, "z_dim": 8},
        data="sprites", task=partial(InfoGANTask, **GAN_RATES), evaluate=scoring.score_infogan_sprites,
        steps=3000, batch_size=64,
        about="InfoGAN on sprites: a 3-way categorical code (for shape) and four continuous codes."),
    Recipe(
        name="infogan-faces", model="InfoGAN",
        config={"n_categories": 0, "n_continuous": 6, "z_dim": 58, **FACE_GAN}, data="faces",
        task=partial(InfoGANTask, **GAN_RATES), evaluate=scoring.score_infogan_faces, steps=FACE_GAN_STEPS,
        batch_size=64,
        about="InfoGAN on faces: six continuous codes for six factors, learnt unsupervised, 58 noise."),

    # ---- VAE and beta-VAE (models/vae.py) ----
    Recipe(
        name="vae-sprites", model="VAE", config={"latent_dim": 10, "beta": 1.0}, data="sprites",
        task=partial(VAETask, lr=1e-3), evaluate=scoring.score_sprite_vae, steps=VAE_SPRITE_STEPS, batch_size=64,
        about="Convolutional VAE on sprites (beta = 1): the baseline from the other family."),
    Recipe(
        name="betavae-sprites", model="VAE", config={"latent_dim": 10, "beta": BETA}, data="sprites",
        task=partial(VAETask, lr=1e-3), evaluate=scoring.score_sprite_vae, steps=VAE_SPRITE_STEPS, batch_size=64,
        about=f"The same VAE with beta = {BETA:g}, the beta-VAE paper's weight: fewer coordinates in use, blurrier."),
    Recipe(
        name="betavae16-sprites", model="VAE", config={"latent_dim": 10, "beta": BETA_HIGH}, data="sprites",
        task=partial(VAETask, lr=1e-3), evaluate=scoring.score_sprite_vae, steps=VAE_SPRITE_STEPS, batch_size=64,
        about=f"The same VAE with beta = {BETA_HIGH:g}: the far end of the beta sweep (1, 4, 16)."),
    Recipe(
        name="vae-faces", model="VAE", config={"latent_dim": 10, "beta": 1.0, "channels": 3}, data="faces",
        task=partial(VAETask, lr=1e-3), evaluate=scoring.score_face_vae, steps=3000, batch_size=64,
        about="The convolutional VAE on faces: an encoder to score on faces."),

    # ---- StyleGAN (models/stylegan.py): the lecture's components and two ablations ----
    Recipe(
        name="stylegan-faces", model="StyleGAN", config=STYLEGAN, data="faces",
        task=partial(StyleGANTask, **STYLEGAN_TASK), evaluate=scoring.score_stylegan_faces, steps=STYLEGAN_STEPS,
        batch_size=32, threads=1,
        about="Style-based generator: 8-layer mapping z -> w, a learned constant, AdaIN, noise inputs, mixing 0.9.",
        targets=STYLEGAN_TARGETS),
    Recipe(
        name="stylegan-faces-map0", model="StyleGAN", config={**STYLEGAN, "mapping_layers": 0}, data="faces",
        task=partial(StyleGANTask, **STYLEGAN_TASK), evaluate=scoring.score_stylegan_faces, steps=STYLEGAN_STEPS,
        batch_size=32, threads=1,
        about="The same with no mapping network (w = the normalised z): does the mapping disentangle?",
        targets={"train_seconds": ("<=", 2700.0)}),
    Recipe(
        name="stylegan-faces-nomix", model="StyleGAN", config=STYLEGAN, data="faces",
        task=partial(StyleGANTask, **{**STYLEGAN_TASK, "mixing": 0.0}), evaluate=scoring.score_stylegan_faces,
        steps=STYLEGAN_STEPS, batch_size=32, threads=1,
        about="The same with no style mixing in training: does mixing raise diversity (recall)?",
        targets={"train_seconds": ("<=", 2700.0)}),

    # ---- the alternatives to GANs on the 8-bit digits (notebook 06): VAE, PixelCNN, flow, VQ-VAE + prior ----
    Recipe(
        name="vae-digits", model="VAE", config={"latent_dim": 16, "output": "categorical"}, data="digits",
        task=partial(VAETask, lr=2e-3), evaluate=scoring.score_vae_digits, steps=2000, batch_size=64, threads=1,
        about="The convolutional VAE with a 256-way softmax per pixel: its ELBO bounds the digits' bits/dim.",
        targets={"held_out_bits_per_dim": ("<=", 2.2), "train_seconds": LIKELIHOOD_SECONDS}),
    Recipe(
        name="pixelcnn-digits", model="PixelCNN", config={"channels": 32, "ordinal": True, "stored_samples": 359},
        data="digits", task=partial(LikelihoodTask, lr=3e-3), evaluate=scoring.score_pixelcnn_digits, steps=2000,
        batch_size=16, threads=1,
        about="Gated PixelCNN, 256-way softmax per pixel: exact bits/dim; keeps 359 samples drawn when it trained.",
        targets={"held_out_bits_per_dim": ("<=", 1.2), "precision": 0.7, "train_seconds": LIKELIHOOD_SECONDS}),
    Recipe(
        name="flow-digits", model="Flow", config={"hidden": 32}, data="digits",
        task=partial(LikelihoodTask, lr=1e-3), evaluate=scoring.score_flow_digits, steps=400, batch_size=32,
        threads=1,
        about="A small multi-scale RealNVP with uniform dequantization: exact inverse, bits/dim bound.",
        targets={"held_out_bits_per_dim": ("<=", 2.5), "inversion_max_error": ("<=", 1e-4),
                 "train_seconds": LIKELIHOOD_SECONDS}),
    Recipe(
        name="flow-digits-vardeq", model="Flow", config={"hidden": 32, "dequantization": "variational"},
        data="digits", task=partial(LikelihoodTask, lr=1e-3), evaluate=scoring.score_flow_digits, steps=400,
        batch_size=32, threads=1,
        about="flow-digits with variational dequantization (Flow++): a learned q(u | b) tightens the bound.",
        targets={"held_out_bits_per_dim": ("<=", 2.5), "inversion_max_error": ("<=", 1e-4),
                 "train_seconds": LIKELIHOOD_SECONDS}),
    Recipe(
        name="vqvae-digits", model="VQVAE", config={"codes": VQ_CODES}, data="digits",
        task=partial(VQVAETask, lr=1e-3, prior_lr=2e-3, prior_share=0.5), evaluate=scoring.score_vqvae_digits,
        steps=800, batch_size=64, threads=1,
        about="VQ-VAE, 8 x 8 codes from 32, and a PixelCNN prior over the code maps (two stages in one run).",
        targets={"perplexity": VQ_CODES / 2, "reconstruction_accuracy": 0.95, "precision": 0.7,
                 "train_seconds": LIKELIHOOD_SECONDS}),
]}


def recipe(name: str) -> Recipe:
    if name not in RECIPES:
        raise KeyError(f"No recipe named {name!r}. Recipes: {', '.join(RECIPES)}")
    return RECIPES[name]

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

import torch

from .. import pretrained
from ..data import FACE_FACTORS, digits, faces, split_dataset
from ..metrics import attribute_agreement, conditional_accuracy, judge_frechet_distance
from ..models import build_model
from ..models.cgan import cycle_labels
from ..runtime import default_device, seed_everything
from .loop import LoopConfig, fit
from .tasks import GANTask, JudgeTask

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


def face_training_set(n: int):
    """The faces face generators train on; the first k of them are face_training_set(k)."""
    return faces(n, seed=0)


def held_out_faces(n: int = 2000):
    return faces(n, seed=10_001)


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
    fake = gan.sample(len(real), labels if gan.config.n_classes else None, generator=seeded(1))
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
    Recipe(
        name="cgan-digits", model="GAN", config={"n_classes": 10, "width": 32},
        dataset="gancourse.data.digits(seed=0), 80% train split (split_dataset(held_out=0.2, seed=0))",
        data=lambda: digit_split()[0], task=lambda m, steps: GANTask(m, lr=1e-3, d_lr=2.5e-4, decay_steps=steps),
        evaluate=score_conditional_digits, steps=2000, batch_size=32,
        about="Conditional DCGAN: draws the digit you ask for (one-hot vector to G, one-hot matrices to D).",
        targets={"accuracy": 0.97, "worst_class": 0.90, "fd_ratio": ("<=", 2.0), "train_seconds": ("<=", 180.0)}),
    Recipe(
        name="gan-digits", model="GAN", config={"n_classes": 0},
        dataset="gancourse.data.digits(seed=0), 80% train split (split_dataset(held_out=0.2, seed=0))",
        data=lambda: digit_split()[0], task=lambda m, steps: GANTask(m),
        evaluate=score_unconditional_digits, steps=2000, batch_size=64,
        about="The same DCGAN unconditional: it draws digits, but you cannot choose which.",
        targets={"min_class_share": 0.05, "fd_ratio": ("<=", 2.0), "train_seconds": ("<=", 180.0)}),
    Recipe(
        name="cgan-faces", model="GAN", config={"n_classes": 2, "condition": "multi_hot", "channels": 3},
        dataset="gancourse.data.faces(20000, seed=0), conditioned on [glasses, beard]",
        data=lambda: face_training_set(20_000), task=lambda m, steps: GANTask(m, columns=FACE_COLUMNS, grid_side=8),
        evaluate=score_conditional_faces, steps=2000, batch_size=64,
        about="Conditional DCGAN on faces with a multi-hot condition: ask for glasses, a beard, both or neither.",
        targets={"all_agreement": 0.95, "fd_ratio": ("<=", 2.0), "train_seconds": ("<=", 300.0)}),
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

"""The named recipes that make each shipped checkpoint: `python -m gancourse train NAME` runs one.

A recipe fixes everything a run depends on -- model and config, data and its seed, steps, batch
size, the task -- and how to score the result, so the same command gives the same weights and the
same scores. Each recipe writes NAME.safetensors + NAME.json (see pretrained.py) to its output
folder; the run's resumable state and sample grids go to runs/NAME/.
"""
from __future__ import annotations

import shlex
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import torch

from .. import pretrained
from ..data import digits, faces, split_dataset
from ..metrics import judge_frechet_distance
from ..models import build_model
from ..runtime import default_device, seed_everything
from .loop import LoopConfig, fit
from .tasks import JudgeTask

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


def held_out_faces(n: int = 2000):
    return faces(n, seed=10_001)


@torch.no_grad()
def score_digit_judge(judge) -> dict:
    train, test = digit_split()
    device = next(judge.parameters()).device
    accuracy = (judge.predict(test.images.to(device)).cpu() == test.targets).float().mean().item()
    noise = torch.rand_like(test.images) * 2 - 1
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
    scores["fd_real_vs_noise"] = judge_frechet_distance(judge, test.images, torch.rand_like(reference) * 2 - 1)
    return scores


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
        data=lambda: faces(30_000, seed=1), task=lambda m, steps: JudgeTask(m, steps=steps),
        evaluate=score_face_judge, steps=2000, batch_size=128,
        about="Reads every face factor: judges face generators, edits and entanglement.",
        targets={"glasses_accuracy": 0.98, "beard_accuracy": 0.98, "hair_color_r2": 0.95, "hair_length_r2": 0.95,
                 "smile_r2": 0.95, "skin_tone_r2": 0.95}),
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
    start = time.perf_counter()
    fit(task, data.images, data.targets, loop, device=device)
    seconds = time.perf_counter() - start
    model.eval()
    card = pretrained.ModelCard(
        name=name, model=r.model, config=asdict(model.config), dataset=r.dataset, steps=steps,
        command=" ".join(["python -m gancourse train", shlex.quote(name)] +
                         ([f"--steps {steps}"] if steps != r.steps else []) + ([f"--out {shlex.quote(str(out))}"])),
        scores=r.evaluate(model), train_seconds=round(seconds, 1), device=str(device))
    pretrained.save(model, card, out)
    return card

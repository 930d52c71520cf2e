"""`python -m gancourse train NAME`: run a recipe to a checkpoint, resumably, without losing finished work.

    OUT/                          --out (default runs/)
      NAME.safetensors, NAME.json the weights and their card, written as a pair (pretrained.save)
      NAME.run/run.json           what the run was started with: steps, seed, batch size, threads, torch, task
      NAME.run/checkpoint.pt      its resumable state (training/loop.py)

The same command resumes an interrupted run; one with other settings is refused (--fresh starts over). The
run uses the recipe's CPU thread count unless told otherwise: with the same count, torch version and CPU kernels
(AVX2, AVX512: torch.backends.cpu.get_cpu_capability()) the card's command gives the card's weights bit for bit.
"""
from __future__ import annotations

import json
import numbers
import shlex
import shutil
from dataclasses import asdict
from pathlib import Path

import torch

from .. import pretrained
from ..runtime import default_device, seed_everything, torch_threads
from .loop import LoopConfig, fit
from .recipes import Recipe, recipe

RUNS_DIR = Path("runs")


class RunMismatch(ValueError):
    """The run folder holds a run started with other settings than this command's."""


def check_count(value, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{what} must be a whole number of at least 1, got {value!r}")


def task_settings(r: Recipe) -> dict:
    """The task and every hyperparameter the recipe gives it, as plain text (for run.json)."""
    args = {k: getattr(v, "__name__", repr(v)) for k, v in sorted(r.task.keywords.items())}
    return {"task": r.task.func.__name__, **args}


def run_settings(r: Recipe, model: torch.nn.Module, steps: int, seed: int, threads: int) -> dict:
    """What a run is started with; a run resumes only under the same settings."""
    return {"recipe": r.name, "model": r.model, "config": asdict(model.config), "data": r.data, "steps": steps,
            "batch_size": r.batch_size, "seed": seed, "threads": threads, "torch": torch.__version__,
            "cpu": torch.backends.cpu.get_cpu_capability(), **task_settings(r)}


def command(name: str, r: Recipe, steps: int, seed: int, threads: int, out: Path) -> str:
    """The command line that repeats this run."""
    parts = ["python -m gancourse train", shlex.quote(name)]
    parts += [f"--steps {steps}"] if steps != r.steps else []
    parts += [f"--seed {seed}"] if seed != r.seed else []
    parts += [f"--threads {threads}"] if threads != r.threads else []
    parts += [f"--out {shlex.quote(str(out))}"] if out != RUNS_DIR else []
    return " ".join(parts)


def as_stored(settings: dict) -> dict:
    """settings as a JSON file (run.json, a model card) holds them: tuples read back as lists."""
    return json.loads(json.dumps(settings))


def start_or_resume(run_dir: Path, settings: dict, retry: str) -> None:
    """Record a new run's settings, or check that a run found in run_dir was started with the same ones."""
    path = run_dir / "run.json"
    settings = as_stored(settings)
    if path.exists():
        before = json.loads(path.read_text())
        changed = [f"{k}: {before.get(k)!r} then, {v!r} now" for k, v in settings.items() if before.get(k) != v]
        if changed:
            raise RunMismatch(f"{run_dir} holds a run started with other settings ({'; '.join(changed)}). "
                              f"Rerun the command that started it to resume it, or add --fresh to discard it "
                              f"and start over: {retry} --fresh")
        return
    run_dir.mkdir(parents=True, exist_ok=True)
    pretrained.write_atomically(path, (json.dumps(settings, indent=2) + "\n").encode())


def train(name: str, *, steps: int | None = None, seed: int | None = None, out: str | Path | None = None,
          fresh: bool = False, threads: int | None = None, progress: bool = True,
          device: torch.device | None = None) -> pretrained.ModelCard:
    """Run recipe `name` and write NAME.safetensors + NAME.json to `out` (default runs/); returns the card.

    steps, seed, threads: override the recipe's; fresh: discard OUT/NAME.run and start over instead of resuming.
    Ctrl-C saves the run after the step under way and raises TrainingInterrupted.
    """
    r = recipe(name)
    steps = r.steps if steps is None else steps
    seed = r.seed if seed is None else seed
    threads = r.threads if threads is None else threads
    check_count(steps, "steps")
    check_count(threads, "threads")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be a whole number >= 0, got {seed!r}")
    out = Path(out) if out is not None else RUNS_DIR
    run_dir = out / f"{name}.run"
    if fresh and run_dir.exists():
        shutil.rmtree(run_dir)
    device = device or default_device()
    retry = command(name, r, steps, seed, threads, out)

    with torch_threads(threads):
        seed_everything(seed)
        model = r.build()
        start_or_resume(run_dir, run_settings(r, model, steps, seed, threads), retry)
        task = r.task(model, steps=steps)
        data = r.training_data()
        loop = LoopConfig(steps=steps, batch_size=r.batch_size, seed=seed, out_dir=str(run_dir), progress=progress)
        history = fit(task, data.images, data.targets, loop, device=device)
        model.eval()
        scores = r.score(model)
    card = pretrained.ModelCard(
        name=name, model=r.model, config=asdict(model.config), dataset=r.dataset, steps=steps, command=retry,
        scores=scores, train_seconds=round(history[-1]["seconds"], 1), device=str(device), threads=threads,
        torch=torch.__version__, cpu=torch.backends.cpu.get_cpu_capability())
    pretrained.save(model, card, out)
    return card

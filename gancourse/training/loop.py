"""The one training loop every model in the course shares.

A model family supplies a `Task`: its modules, their optimizers, and `step(batch)`, which does one
optimisation step and returns its losses. `fit` does the rest, identically for all of them:
seeding, device choice, deterministic batches, `tqdm` progress with the losses, periodic sample
grids, resumable checkpoints and a guard that stops on a NaN or infinite loss.

Resuming is exact: the checkpoint holds the modules, the optimizers, the step, the loss history
and the random-number state, and batch k is a function of (seed, k) alone, so an interrupted run
continues with the very batches and noise it would have seen. Ctrl-C finishes the step under way,
saves, and raises TrainingInterrupted; a second Ctrl-C stops at once (the last checkpoint stays).
"""
from __future__ import annotations

import math
import numbers
import signal
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import torch
from torch import nn
from tqdm.auto import tqdm

from ..runtime import default_device, seed_everything


class TrainingDiverged(RuntimeError):
    """A loss became NaN or infinite."""


class TrainingInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped a run after a whole step; `step` steps are done (and saved, when the run has an out_dir)."""

    def __init__(self, step: int, saved: bool):
        self.step, self.saved = step, saved
        super().__init__(f"interrupted at step {step}" + ("; its state is saved: run again to resume" if saved
                                                          else "; nothing was saved (no out_dir)"))


class Task(Protocol):
    modules: dict[str, nn.Module]
    optimizers: dict[str, torch.optim.Optimizer]

    def step(self, images: torch.Tensor, targets: torch.Tensor) -> dict[str, torch.Tensor]:
        """One optimisation step on a batch; returns the losses by name (scalars)."""

    def sample(self) -> torch.Tensor:
        """A batch of generated images in [-1, 1] for the progress grid (optional)."""


@dataclass
class LoopConfig:
    steps: int  # optimizer steps in total (a resumed run stops at the same total)
    batch_size: int = 64  # small batches train fast on a CPU
    seed: int = 0  # seeds the weights' init, the batch order and the noise
    log_every: int = 25  # how often the progress bar shows the losses
    sample_every: int = 0  # save a grid of task.sample() this often (0: never)
    checkpoint_every: int = 200  # how often an interruptible run saves its state
    out_dir: str | None = None  # where checkpoints and grids go (None: nowhere, no resume)
    progress: bool = True  # show the tqdm bar


def batch_indices(step: int, n: int, batch_size: int, seed: int) -> torch.Tensor:
    """Indices of batch `step`: epochs are seeded permutations, so a batch depends on (seed, step) alone."""
    per_epoch = max(n // batch_size, 1)
    epoch, k = divmod(step, per_epoch)
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed * 100_003 + epoch))
    return order[k * batch_size:(k + 1) * batch_size]


def check_finite(step: int, losses: dict[str, float]) -> None:
    for name, value in losses.items():
        if not math.isfinite(value):
            raise TrainingDiverged(f"step {step}: loss '{name}' is {value}. Lower the learning rate, "
                                   f"check the inputs are in [-1, 1], or resume from the last checkpoint.")


def save_state(path: Path, task: Task, step: int, history: list[dict]) -> None:
    state = {
        "step": step,
        "history": history,
        "modules": {k: m.state_dict() for k, m in task.modules.items()},
        "optimizers": {k: o.state_dict() for k, o in task.optimizers.items()},
        "rng_cpu": torch.get_rng_state(),
        "rng_cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    torch.save(state, tmp)
    tmp.replace(path)  # atomic: an interruption never leaves half a checkpoint


def load_state(path: Path, task: Task) -> tuple[int, list[dict]]:
    state = torch.load(path, map_location="cpu", weights_only=True)  # tensors and plain containers only
    for k, m in task.modules.items():
        m.load_state_dict(state["modules"][k])
    for k, o in task.optimizers.items():
        o.load_state_dict(state["optimizers"][k])
    torch.set_rng_state(state["rng_cpu"])
    if state["rng_cuda"] and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["rng_cuda"])
    return state["step"], state["history"]


@contextmanager
def stop_after_step():
    """Within the block, the first Ctrl-C only asks to stop (`flag["stop"]` becomes True) so the loop can finish
    its step and save; the second one interrupts at once. Outside the main thread, Ctrl-C is left as it is."""
    flag = {"stop": False}
    if threading.current_thread() is not threading.main_thread():
        yield flag
        return

    def ask(signum, frame):
        flag["stop"] = True
        signal.signal(signal.SIGINT, signal.default_int_handler)  # a second Ctrl-C raises KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, ask)
    try:
        yield flag
    finally:
        signal.signal(signal.SIGINT, previous)


def save_grid(path: Path, images: torch.Tensor) -> None:
    from torchvision.utils import save_image

    path.parent.mkdir(parents=True, exist_ok=True)
    save_image(images.detach().cpu() * 0.5 + 0.5, path, nrow=int(math.sqrt(len(images))) or 1)


def fit(task: Task, images: torch.Tensor, targets: torch.Tensor, config: LoopConfig,
        device: torch.device | None = None) -> list[dict]:
    """Train `task` on (images, targets) for config.steps steps; returns the history.

    history: one dict per step, {"step", each loss, "seconds": training time so far, across resumes}.
    images: (N, C, H, W) in [-1, 1]; targets: (N, ...) labels or factors.
    With config.out_dir set, a run that finds `checkpoint.pt` there resumes from it.
    The task's modules must already be built (seed before building them for a repeatable init).
    """
    if len(images) != len(targets):
        raise ValueError(f"fit: {len(images)} images but {len(targets)} targets")
    if isinstance(config.steps, bool) or not isinstance(config.steps, numbers.Integral) or config.steps < 0:
        raise ValueError(f"fit: steps must be an integer >= 0, got {config.steps!r}")
    device = device or default_device()
    for m in task.modules.values():
        m.to(device).train()
    images, targets = images.to(device), targets.to(device)
    out = Path(config.out_dir) if config.out_dir else None
    ckpt = out / "checkpoint.pt" if out else None

    seed_everything(config.seed)
    start, history = 0, []
    if ckpt and ckpt.exists():
        start, history = load_state(ckpt, task)
    elapsed = history[-1].get("seconds", 0.0) if history else 0.0  # training time before this (resumed) run
    started = time.perf_counter()
    bar = tqdm(range(start, config.steps), initial=start, total=config.steps, disable=not config.progress,
               desc=type(task).__name__, mininterval=1.0)
    with stop_after_step() as interrupt:
        for step in bar:
            idx = batch_indices(step, len(images), config.batch_size, config.seed).to(device)
            losses = {k: float(torch.as_tensor(v).detach()) for k, v in task.step(images[idx], targets[idx]).items()}
            check_finite(step, losses)
            history.append({"step": step, **losses, "seconds": elapsed + time.perf_counter() - started})
            if step % config.log_every == 0:
                bar.set_postfix({k: f"{v:.3f}" for k, v in losses.items()})
            done = step + 1
            if out and config.sample_every and done % config.sample_every == 0 and hasattr(task, "sample"):
                with torch.no_grad():
                    save_grid(out / "samples" / f"step_{done:06d}.png", task.sample())
            if ckpt and (done % config.checkpoint_every == 0 or done == config.steps or interrupt["stop"]):
                save_state(ckpt, task, done, history)
            if interrupt["stop"] and done < config.steps:
                bar.close()
                raise TrainingInterrupted(done, saved=ckpt is not None)
    bar.close()
    for m in task.modules.values():
        m.eval()
    return history

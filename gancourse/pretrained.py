"""Shipped checkpoints: a registry of model cards, verified and loaded without unpickling.

Each shipped model NAME is two files in `gancourse/weights/`:
  NAME.safetensors  the weights (plain tensors; loading runs no code)
  NAME.json         its model card: model class, config, sha256 of the weights, dataset, steps,
                    scores and the exact command that made it (`python -m gancourse train NAME`)

`load(NAME)` checks the file before trusting it: an HTML page saved under the weights' name,
a truncated or corrupted file, a hash mismatch, or weights that do not fit the config each
raise one `CheckpointError` that names the file and the command that regenerates it.
"""
from __future__ import annotations

import hashlib
import json
import struct
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load as load_safetensors
from safetensors.torch import save as save_safetensors

from .runtime import default_device

WEIGHTS_DIR = Path(__file__).parent / "weights"


class CheckpointError(RuntimeError):
    """A shipped checkpoint is missing, damaged or does not fit its model."""


@dataclass
class ModelCard:
    name: str
    model: str  # class name in gancourse.models.MODELS
    config: dict  # keyword arguments of the model's Config dataclass
    dataset: str  # what it was trained on, e.g. "faces(50000, seed=0)"
    steps: int  # optimizer steps taken
    command: str  # the command that reproduces the weights
    scores: dict = field(default_factory=dict)  # measured at the end of training
    train_seconds: float = 0.0
    device: str = "cpu"
    sha256: str = ""  # of NAME.safetensors

    @classmethod
    def read(cls, path: Path) -> "ModelCard":
        try:
            return cls(**json.loads(path.read_text()))
        except (json.JSONDecodeError, TypeError) as e:
            raise CheckpointError(f"{path}: the model card is not valid ({e})") from e


def train_command(name: str) -> str:
    return f"python -m gancourse train {name}"


def available(directory: Path | None = None) -> list[str]:
    """Names of the checkpoints shipped in `directory` (default: the package's weights)."""
    return sorted(p.stem for p in Path(directory or WEIGHTS_DIR).glob("*.json"))


def card(name: str, directory: Path | None = None) -> ModelCard:
    """The model card of a shipped checkpoint."""
    path = Path(directory or WEIGHTS_DIR) / f"{name}.json"
    if not path.exists():
        names = ", ".join(available(directory)) or "none"
        raise KeyError(f"No shipped checkpoint named {name!r}. Available: {names}. "
                       f"`python -m gancourse list` shows them with their scores.")
    return ModelCard.read(path)


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def save(model: torch.nn.Module, card: ModelCard, directory: Path | None = None) -> Path:
    """Write NAME.safetensors and NAME.json; fills in the card's sha256. Returns the weights' path."""
    directory = Path(directory or WEIGHTS_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    data = save_safetensors(state, metadata={"model": card.model, "config": json.dumps(card.config, sort_keys=True)})
    card.sha256 = sha256_of(data)
    path = directory / f"{card.name}.safetensors"
    path.write_bytes(data)
    (directory / f"{card.name}.json").write_text(json.dumps(asdict(card), indent=2) + "\n")
    return path


def read_verified(path: Path, expected_sha256: str, fix: str) -> dict[str, torch.Tensor]:
    """The tensors in a safetensors file, after checking it is one, whole, with the expected hash."""
    if not path.exists():
        raise CheckpointError(f"{path} is missing. Regenerate it with `{fix}`.")
    data = path.read_bytes()
    head = data[:512].lstrip().lower()
    if head.startswith(b"<") or b"<html" in head:
        raise CheckpointError(f"{path} is an HTML page, not weights (a download link returned a web page). "
                              f"Delete it and regenerate it with `{fix}`.")
    if len(data) < 8 or 8 + struct.unpack("<Q", data[:8])[0] > len(data):
        raise CheckpointError(f"{path} is truncated ({len(data)} bytes): it ends before its header says. "
                              f"Regenerate it with `{fix}`.")
    digest = sha256_of(data)
    if digest != expected_sha256:
        raise CheckpointError(f"{path} has sha256 {digest[:12]}…, but its model card expects {expected_sha256[:12]}…: "
                              f"the file is corrupted or was changed. Regenerate it with `{fix}`.")
    try:
        return load_safetensors(data)
    except (SafetensorError, ValueError) as e:
        raise CheckpointError(f"{path} is not a readable safetensors file ({e}). Regenerate it with `{fix}`.") from e


def load(name: str, *, device: str | torch.device | None = None, directory: Path | None = None) -> torch.nn.Module:
    """A shipped model, verified, in eval mode, on `device` (default: CUDA when present, else CPU)."""
    from .models import build_model

    info = card(name, directory)
    path = Path(directory or WEIGHTS_DIR) / f"{name}.safetensors"
    fix = info.command or train_command(name)
    state = read_verified(path, info.sha256, fix)
    model = build_model(info.model, info.config)
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as e:
        raise CheckpointError(f"{path} does not fit its config {info.config} for {info.model}: "
                              f"{str(e).splitlines()[0]} Regenerate it with `{fix}`.") from e
    model.card = info
    return model.to(device or default_device()).eval()

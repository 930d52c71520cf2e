"""Shipped checkpoints: a registry of model cards, verified and loaded without unpickling.

Each shipped model NAME is two files in `gancourse/weights/`:
  NAME.safetensors  the weights (plain tensors; loading runs no code)
  NAME.json         its model card: model class, config, sha256 of the weights, dataset, steps, scores, the torch
                    version, CPU kernels and threads it was trained with, and the exact command that made it

`load(NAME)` takes only the name of a card in the folder, and checks the files before trusting them: a card that
is not valid, weights that are an HTML page, a pickle, truncated or changed, or that do not fit the config each
raise one `CheckpointError` naming the file, the cause and the command that regenerates it.

`save` writes the pair so that a kill at any moment leaves a loadable model: the new weights go to
NAME.safetensors.new, then the card (one atomic rename: the commit), then the weights take their place. A kill
before the card leaves the old pair; after it, `load` finds the new weights beside the new card and finishes.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import struct
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load as load_safetensors
from safetensors.torch import save as save_safetensors

from .runtime import default_device

WEIGHTS_DIR = Path(__file__).parent / "weights"
# the benchmark's scores of recipes trained at several seeds (`python benchmarks/run.py --seeds NAME`), in a checkout
SEEDS_FILE = Path(__file__).resolve().parents[1] / "benchmarks" / "seeds.json"
NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")  # a checkpoint's name: no paths, no dots


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
    threads: int | None = None  # CPU threads it trained with: the weights repeat with the same count,
    torch: str | None = None  # the same torch version
    cpu: str | None = None  # and the same CPU kernels (torch.backends.cpu.get_cpu_capability(): AVX2, AVX512, ...)
    sha256: str = ""  # of NAME.safetensors

    @classmethod
    def read(cls, path: Path, fix: str) -> "ModelCard":
        """The card at path, or one CheckpointError that says what is wrong with it and how to regenerate it."""
        def bad(cause: str) -> CheckpointError:
            return CheckpointError(f"{path}: the model card is not valid: {cause}. Regenerate it with `{fix}`.")

        try:
            values = json.loads(path.read_bytes().decode("utf-8"))
        except IsADirectoryError:
            raise bad("it is a directory, not a file") from None
        except UnicodeDecodeError as e:
            raise bad(f"it is not UTF-8 text ({e.reason} at byte {e.start})") from None
        except json.JSONDecodeError as e:
            raise bad(f"it is not JSON ({e})") from None
        if not isinstance(values, dict):
            raise bad(f"it holds a JSON {type(values).__name__}, not an object")
        known = {f.name for f in fields(cls)}
        if set(values) - known:
            raise bad(f"unknown fields {sorted(set(values) - known)}; a card's fields are {sorted(known)}")
        missing = {"name", "model", "config", "dataset", "steps", "command"} - set(values)
        if missing:
            raise bad(f"missing fields {sorted(missing)}")
        for name, kind in [("name", str), ("model", str), ("config", dict), ("command", str), ("sha256", str),
                           ("scores", dict)]:
            if name in values and not isinstance(values[name], kind):
                raise bad(f"{name} must be a {kind.__name__}, got {values[name]!r}")
        if values["name"] != path.stem:
            raise bad(f"it is named {values['name']!r} but stored as {path.name}")
        return cls(**values)


def train_command(name: str, directory: Path | None = None) -> str:
    command = f"python -m gancourse train {name}"
    return command if directory is None else f"{command} --out {directory}"


def available(directory: Path | None = None) -> list[str]:
    """Names of the checkpoints shipped in `directory` (default: the package's weights)."""
    return sorted(p.stem for p in Path(directory or WEIGHTS_DIR).glob("*.json") if NAME.fullmatch(p.stem))


def card_path(name: str, directory: Path | None = None) -> Path:
    """Where the card of checkpoint `name` is: only a registered name (a card in the folder) is accepted."""
    names = available(directory)
    if not isinstance(name, str) or name not in names:
        raise KeyError(f"No shipped checkpoint named {name!r}. Available: {', '.join(names) or 'none'}. "
                       f"`python -m gancourse list` shows them with their scores.")
    return Path(directory or WEIGHTS_DIR) / f"{name}.json"


def card(name: str, directory: Path | None = None) -> ModelCard:
    """The model card of a shipped checkpoint."""
    return ModelCard.read(card_path(name, directory), train_command(name, directory))


def seed_runs(name: str, path: Path | None = None) -> dict[str, dict]:
    """{seed: {score: value}} of recipe `name` trained at several seeds, as the benchmark measured them
    (benchmarks/seeds.json of this checkout, or `path`); {} where they were not measured or the file is absent
    (an installed package without the repository)."""
    path = Path(path or SEEDS_FILE)
    if not path.is_file():
        return {}
    return json.loads(path.read_text()).get(name, {}).get("runs", {})


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_atomically(path: Path, data: bytes) -> None:
    """path holds either its old bytes or all of data, whenever the process dies."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def save(model: torch.nn.Module, card: ModelCard, directory: Path | None = None) -> Path:
    """Write NAME.safetensors and NAME.json as a pair a kill cannot split; fills in the card's sha256.
    Returns the weights' path."""
    directory = Path(directory or WEIGHTS_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    # one metadata key: safetensors writes several in any order, and the file's hash would change from run to run
    about = json.dumps({"model": card.model, "config": card.config}, sort_keys=True)
    data = save_safetensors(state, metadata={"gancourse": about})
    card.sha256 = sha256_of(data)
    path, pending = directory / f"{card.name}.safetensors", directory / f"{card.name}.safetensors.new"
    write_atomically(pending, data)
    write_atomically(directory / f"{card.name}.json", (json.dumps(asdict(card), indent=2) + "\n").encode())  # commit
    os.replace(pending, path)
    return path


def committed_weights(path: Path, expected_sha256: str) -> Path:
    """The weights file that belongs to the card: path, or the NAME.safetensors.new that a save killed after its
    card was written left behind (moved into place when the folder is writable)."""
    pending = path.with_name(path.name + ".new")
    if pending.is_file() and sha256_of(pending.read_bytes()) == expected_sha256:
        try:
            os.replace(pending, path)
        except OSError:  # a read-only install: read the pending file where it is
            return pending
    return path


def read_verified(path: Path, expected_sha256: str, fix: str) -> dict[str, torch.Tensor]:
    """The tensors in a safetensors file, after checking it is one, whole, with the expected hash."""
    if not path.exists():
        raise CheckpointError(f"{path} is missing. Regenerate it with `{fix}`.")
    if path.is_dir():
        raise CheckpointError(f"{path} is a directory, not a weights file. Remove it and regenerate it with `{fix}`.")
    data = path.read_bytes()
    head = data[:512].lstrip().lower()
    if head.startswith(b"<") or b"<html" in head:
        raise CheckpointError(f"{path} is an HTML page, not weights (a download link returned a web page). "
                              f"Delete it and regenerate it with `{fix}`.")
    # a safetensors file is an 8-byte header length, then the JSON header; torch.save writes a zip or a pickle
    pickled = data[:4] == b"PK\x03\x04" or data[:1] == b"\x80"
    if pickled and data[8:9] != b"{":
        raise CheckpointError(f"{path} is a pickle file (torch.save), not a safetensors file; gancourse never "
                              f"unpickles weights, since unpickling can run any code. Regenerate it with `{fix}`.")
    if len(data) < 8 or data[8:9] != b"{":
        raise CheckpointError(f"{path} is not a safetensors file (it does not start with a safetensors header). "
                              f"Regenerate it with `{fix}`.")
    if 8 + struct.unpack("<Q", data[:8])[0] > len(data):
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
    """A shipped model, verified, in eval mode, on `device` (default: CUDA when present, else CPU).

    name: a checkpoint's name, as `available(directory)` lists them (not a path); directory: another folder
    `python -m gancourse train NAME --out DIR` wrote to (default: the package's weights)."""
    from .models import build_model

    info = card(name, directory)
    path = Path(directory or WEIGHTS_DIR) / f"{name}.safetensors"
    fix = info.command or train_command(name, directory)
    state = read_verified(committed_weights(path, info.sha256), info.sha256, fix)
    try:
        model = build_model(info.model, info.config)
    except (KeyError, ValueError, TypeError, RuntimeError) as e:
        cause = e.args[0] if isinstance(e, KeyError) and e.args else e
        raise CheckpointError(f"{path.with_suffix('.json')}: its config does not build a {info.model}: {cause}. "
                              f"Regenerate it with `{fix}`.") from e
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as e:
        detail = " ".join(line.strip() for line in str(e).splitlines())
        raise CheckpointError(f"{path} does not fit its config {info.config} for {info.model}: {detail} "
                              f"Regenerate it with `{fix}`.") from e
    model.card = info
    return model.to(device or default_device()).eval()

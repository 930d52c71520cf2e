"""Real datasets read from disk: MNIST, FashionMNIST and CelebA, downloaded only when asked.

Files live under data_root(): $GANCOURSE_DATA if set, else ~/.cache/gancourse, in the layout
torchvision uses (<root>/MNIST/raw, <root>/FashionMNIST/raw, <root>/celeba). `python -m gancourse data NAME`
fetches them once; after that every loader works offline. Each loader converts the whole split to
tensors once, in the course's convention: float32 NCHW in [-1, 1], 32x32 (CelebA 32 or 64).
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from ..checks import is_int
from .base import Factor, FactorDataset

CELEBA_SPLITS = {"train": 0, "valid": 1, "test": 2}
CELEBA_CROP = 148  # side of the centre square kept from the 178x218 aligned faces


def data_root() -> Path:
    """Where datasets are kept: $GANCOURSE_DATA if set, else ~/.cache/gancourse."""
    return Path(os.environ.get("GANCOURSE_DATA") or "~/.cache/gancourse").expanduser()


def resolve_root(root, who: str) -> Path:
    if root is None:
        return data_root()
    if not isinstance(root, (str, os.PathLike)):
        raise TypeError(f"{who}: root must be a folder path (str or Path) or None for data_root(), got {type(root).__name__}")
    return Path(root).expanduser()


def check_flag(value, name: str, who: str) -> None:
    if not isinstance(value, bool):
        raise TypeError(f"{who}: {name} must be True or False, got {value!r}")


def missing_message(what: str, root: Path, folder: Path, missing: list[str], command: str) -> str:
    return (f"{what} not found in {folder} (missing: {', '.join(missing)}). "
            f"Fetch it once with `{command}`, or pass download=True. The data root here is {root}: "
            "root= if given, else $GANCOURSE_DATA if set, else ~/.cache/gancourse.")


# ---- MNIST and FashionMNIST: torchvision reads the idx files, we convert once ----

def load_idx_dataset(cls, root, train: bool, download: bool, *, factor: str, cli_name: str) -> FactorDataset:
    """Read a torchvision MNIST-format dataset and pad it to 32x32 in [-1, 1]."""
    who = cls.__name__
    root = resolve_root(root, who)
    check_flag(train, "train", who)
    check_flag(download, "download", who)
    folder = root / cls.__name__ / "raw"  # torchvision's layout
    needed = [Path(url).stem for url, _ in cls.resources]  # the unzipped idx files: train and test
    missing = [name for name in needed if not (folder / name).is_file()]
    if missing and not download:
        raise FileNotFoundError(missing_message(who, root, folder, missing, f"python -m gancourse data {cli_name}"))
    try:
        source = cls(str(root), train=train, download=download)
    except Exception as error:  # a failed download (no network, a mirror down) or damaged files
        action = "download into" if download else "read"
        raise RuntimeError(f"{who}: could not {action} {folder} ({error}). Fetch the files again with "
                           f"`python -m gancourse data {cli_name}` (needs the network), or copy the idx files there "
                           "by hand.") from error
    pixels = source.data[:, None].float() / 127.5 - 1  # (N, 1, 28, 28) in [-1, 1]
    images = F.pad(pixels, (2, 2, 2, 2), value=-1.0)  # (N, 1, 32, 32), background margin
    split = "train" if train else "test"
    dataset = FactorDataset(images, source.targets.long(), (Factor(factor, "categorical", 10),), name=f"{cli_name} {split}")
    dataset.class_names = tuple(source.classes)
    return dataset


def mnist(root=None, *, train: bool = True, download: bool = False) -> FactorDataset:
    """MNIST digits, 32x32 grayscale in [-1, 1]; targets (N,) int64 digit labels; class_names holds their names."""
    import torchvision  # here, not at the top: it takes seconds to import, and only these loaders need it
    return load_idx_dataset(torchvision.datasets.MNIST, root, train, download, factor="digit", cli_name="mnist")


def fashion_mnist(root=None, *, train: bool = True, download: bool = False) -> FactorDataset:
    """FashionMNIST garments, 32x32 grayscale in [-1, 1]; targets (N,) int64 labels; class_names holds their names."""
    import torchvision
    return load_idx_dataset(torchvision.datasets.FashionMNIST, root, train, download,
                            factor="garment", cli_name="fashion-mnist")


# ---- CelebA: read the published file format directly (torchvision's class md5-checks every file) ----

def celeba_missing(folder: Path) -> list[str]:
    """Which of CelebA's two list files and image folder are absent."""
    needed = ["list_attr_celeba.txt", "list_eval_partition.txt", "img_align_celeba/"]
    return [name for name in needed if not (folder / name).exists()]


def celeba_not_found(root: Path, missing: list[str]) -> FileNotFoundError:
    return FileNotFoundError(
        missing_message("CelebA", root, root / "celeba", missing, "python -m gancourse data celeba")
        + " CelebA's Google-Drive download often fails (quota, no gdown); you can also place the files there by hand: "
        "list_attr_celeba.txt, list_eval_partition.txt and the img_align_celeba/ folder of JPEGs.")


def fetch_celeba(root: Path) -> None:
    """Let torchvision download and unpack CelebA into <root>/celeba."""
    import torchvision
    try:
        torchvision.datasets.CelebA(str(root), split="all", download=True)
    except Exception as error:
        raise RuntimeError(f"CelebA: the download into {root / 'celeba'} failed ({error}). Google Drive often refuses it; "
                           "download the files by hand (list_attr_celeba.txt, list_eval_partition.txt, "
                           "img_align_celeba/) and place them in that folder.") from error


def read_attributes(path: Path) -> tuple[list[str], list[str], torch.Tensor]:
    """list_attr_celeba.txt -> (attribute names, file names, (N, 40) int64 in {0, 1})."""
    lines = path.read_text().splitlines()
    if len(lines) < 2:
        raise ValueError(f"{path}: expected a count line and a line of attribute names, found {len(lines)} lines")
    names = lines[1].split()
    rows = [line.split() for line in lines[2:] if line.strip()]
    bad = next((row for row in rows if len(row) != len(names) + 1), None)
    if bad is not None:
        raise ValueError(f"{path}: a row must be a file name and {len(names)} values, got {len(bad)} fields in {bad[0]!r}")
    values = np.array([row[1:] for row in rows]).reshape(len(rows), len(names))  # strings
    if not np.isin(values, ("-1", "1")).all():
        raise ValueError(f"{path}: attribute values must be 1 or -1")
    return names, [row[0] for row in rows], torch.from_numpy((values == "1").astype(np.int64))


def read_partition(path: Path) -> dict[str, int]:
    """list_eval_partition.txt -> {file name: 0 train, 1 valid, 2 test}."""
    rows = [line.split() for line in path.read_text().splitlines() if line.strip()]
    bad = next((row for row in rows if len(row) != 2 or row[1] not in ("0", "1", "2")), None)
    if bad is not None:
        raise ValueError(f"{path}: each line must be a file name and 0, 1 or 2 (train, valid, test), got {' '.join(bad)!r}")
    return {name: int(part) for name, part in rows}


def load_face(path: Path, size: int) -> np.ndarray:
    """One aligned face: centre 148x148 crop, resized to size x size RGB -> (size, size, 3) uint8."""
    with Image.open(path) as image:
        width, height = image.size
        if min(width, height) < CELEBA_CROP:
            raise ValueError(f"{path}: CelebA images must be at least {CELEBA_CROP}x{CELEBA_CROP}, got {width}x{height}")
        left, top = (width - CELEBA_CROP) // 2, (height - CELEBA_CROP) // 2
        face = image.convert("RGB").crop((left, top, left + CELEBA_CROP, top + CELEBA_CROP))
        return np.asarray(face.resize((size, size), Image.Resampling.BICUBIC))


def celeba(root=None, *, split: str = "train", size: int = 32, download: bool = False,
           limit: int | None = None) -> FactorDataset:
    """CelebA aligned faces, RGB size x size in [-1, 1]; targets (N, 40) int64 in {0, 1}, one binary factor per attribute.

    split: "train", "valid", "test" or "all";  size: 32 or 64;  limit: load at most this many images
    (the whole train split is 162,770 images: 2 GB at 32x32, 8 GB at 64x64).
    """
    root = resolve_root(root, "celeba")
    if split not in (*CELEBA_SPLITS, "all"):
        raise ValueError(f"celeba: split must be 'train', 'valid', 'test' or 'all', got {split!r}")
    if not is_int(size) or size not in (32, 64):
        raise ValueError(f"celeba: size must be 32 or 64, got {size!r}")
    if limit is not None and (not is_int(limit) or limit < 1):
        raise ValueError(f"celeba: limit must be a positive int or None (everything), got {limit!r}")
    size, limit = int(size), None if limit is None else int(limit)
    check_flag(download, "download", "celeba")
    folder = root / "celeba"
    if download and celeba_missing(folder):
        fetch_celeba(root)
    if missing := celeba_missing(folder):
        raise celeba_not_found(root, missing)

    names, files, targets = read_attributes(folder / "list_attr_celeba.txt")
    if split != "all":
        partition = read_partition(folder / "list_eval_partition.txt")
        unlisted = [f for f in files if f not in partition]
        if unlisted:
            raise ValueError(f"{folder / 'list_eval_partition.txt'} does not list {len(unlisted)} images, e.g. {unlisted[0]}")
        keep = [i for i, f in enumerate(files) if partition[f] == CELEBA_SPLITS[split]]
        files, targets = [files[i] for i in keep], targets[keep]
    files, targets = files[:limit], targets[:limit]
    if not files:
        raise ValueError(f"celeba: {folder} has no images in the {split!r} split")

    images = []
    for name in files:
        path = folder / "img_align_celeba" / name
        if not path.is_file():
            raise celeba_not_found(root, [f"img_align_celeba/{name}"])
        images.append(load_face(path, size))
    pixels = torch.from_numpy(np.stack(images)).permute(0, 3, 1, 2).contiguous()  # (N, 3, size, size) uint8
    factors = tuple(Factor(name, "binary") for name in names)
    return FactorDataset(pixels.float() / 127.5 - 1, targets, factors, name=f"celeba {split}")

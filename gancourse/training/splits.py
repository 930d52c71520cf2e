"""The fixed data every recipe trains on and every score is measured on.

Each training set is named (TRAINING_SETS) and written as code a learner can run, so a model card says exactly
what its model saw. Held-out sets come from other seeds (faces, sprites) or the other side of a fixed split
(digits), so no score is measured on training data.
"""
from __future__ import annotations

import torch

from ..data import FACE_FACTORS, FactorDataset, digits, faces, split_dataset, sprites
from ..nn import factor_codes

CORRELATED = {("beard", "hair_length"): -0.8}  # gan-faces-correlated's data: bearded faces tend to have short hair


def digit_split() -> tuple[FactorDataset, FactorDataset]:
    """The fixed train / held-out split (1,438 / 359) of the real digits every digit model uses."""
    return split_dataset(digits(seed=0), held_out=0.2, seed=0)


def face_training_set(n: int = 20_000, correlations: dict | None = None) -> FactorDataset:
    """The faces face generators train on; the first k of them are face_training_set(k)."""
    return faces(n, seed=0, correlations=correlations)


def held_out_faces(n: int = 2000, correlations: dict | None = None) -> FactorDataset:
    return faces(n, seed=10_001, correlations=correlations)


def sprite_training_set() -> FactorDataset:
    return sprites(30_000, seed=0)


def held_out_sprites(n: int = 5000) -> FactorDataset:
    return sprites(n, seed=1)


# name -> (the training data as code, a loader); a recipe names one of these
TRAINING_SETS = {
    "digits": ("gancourse.data.digits(seed=0), 80% train split (split_dataset(held_out=0.2, seed=0))",
               lambda: digit_split()[0]),
    "faces": ("gancourse.data.faces(20000, seed=0)", face_training_set),
    "correlated-faces": (f"gancourse.data.faces(20000, seed=0, correlations={CORRELATED})",
                         lambda: face_training_set(20_000, CORRELATED)),
    "sprites": ("gancourse.data.sprites(30000, seed=0)", sprite_training_set),
    "judge-faces": ("gancourse.data.faces(30000, seed=1)", lambda: faces(30_000, seed=1)),
}


# ---- what the conditional face GANs are given: labels made from a face's factor table (N, 6) ----------------------

FACE_ATTRIBUTES = ["glasses", "beard"]  # what cgan-faces is conditioned on, in the order of its condition vector
FACE_COLUMNS = [[f.name for f in FACE_FACTORS].index(n) for n in FACE_ATTRIBUTES]
COARSE = 3  # buckets per continuous factor for the coarse-label model: "low / middle / high"


def attribute_labels(targets: torch.Tensor) -> torch.Tensor:
    """cgan-faces' condition: the glasses and beard columns of a face factor table (N, 6) -> (N, 2)."""
    return targets[:, FACE_COLUMNS]


def face_codes(targets: torch.Tensor, buckets: int | None = None) -> torch.Tensor:
    """gan-faces-supervised's codes: face factor table (N, 6) -> codes (N, 6) (binary -1/+1, continuous values,
    coarsened to `buckets` levels when given)."""
    return factor_codes(targets, FACE_FACTORS, buckets=buckets)


def coarse_face_codes(targets: torch.Tensor) -> torch.Tensor:
    """face_codes with COARSE buckets: the coarse-label model's codes."""
    return face_codes(targets, COARSE)


def training_set(name: str) -> FactorDataset:
    """TRAINING_SETS[name]'s data, or an error that names the choices."""
    if name not in TRAINING_SETS:
        raise ValueError(f"no training set named {name!r}; the sets are {', '.join(TRAINING_SETS)}")
    return TRAINING_SETS[name][1]()

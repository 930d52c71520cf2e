"""Controllability measured: can we change one feature of a generator's output, and what else moves with it?

Two views of the same question (lectures: controllable generation, classifier gradients, entanglement 纠缠):
directions  one direction in z per factor, regressed from samples (latent.find_direction); step every z along
            each direction and read every factor (latent.edit_matrix). A disentangled z-space moves only the
            factor the direction is for: entanglement_score 0; every factor as much as its own: 1.
edits       classifier-gradient edits of single samples (latent.edit), with or without the penalty on the
            other features: how often the target crosses the judge's threshold (success), and how much
            the other features move meanwhile (drift).
"""
from __future__ import annotations

import torch

from ..latent import edit, edit_drift, edit_matrix, edit_success, entanglement_score, find_direction, read_factors


def gaussian_noise(n: int, z_dim: int, seed: int) -> torch.Tensor:
    """n standard Gaussian noise vectors (n, z_dim), the same for the same seed on any device."""
    return torch.randn(n, z_dim, generator=torch.Generator().manual_seed(seed))


@torch.no_grad()
def factor_directions(generate, judge, z: torch.Tensor, factors=None) -> dict[str, torch.Tensor]:
    """One unit direction in z per factor (default: all of the judge's), regressed from the read-outs of z (N, D)."""
    readout = read_factors(generate, judge, z)
    return {name: find_direction(z, readout, name, judge.factor_names) for name in factors or judge.factor_names}


def direction_entanglement(generate, judge, z: torch.Tensor, directions: dict[str, torch.Tensor],
                           step: float = 1.0) -> dict:
    """Step every z (N, D) by `step` along each direction (name: a factor of the judge) and read every factor.

    Returns {"matrix": (n_directions, K) mean absolute read-out changes, "score": entanglement_score of it}.
    """
    matrix = edit_matrix(generate, judge, z, directions, step)
    return {"matrix": matrix, "score": entanglement_score(matrix, list(directions), judge.factor_names)}


def edit_scores(generate, judge, z: torch.Tensor, factors, *, steps: int = 10, weight: float = 1.0,
                penalty_weight: float = 0.0, threshold: float = 0.5) -> dict[str, dict]:
    """Classifier-gradient edits that push each factor up, each from the samples of z whose factor starts below
    `threshold`. For each factor: success (share that cross it within `steps`), drift (mean absolute change of
    the other factors), change (of the target) and n (how many samples were edited)."""
    start = read_factors(generate, judge, z).detach()
    scores = {}
    for name in factors:
        column = judge.factor_names.index(name)
        below = z[start[:, column] < threshold]
        if len(below) == 0:
            raise ValueError(f"no sample of z reads {name} below {threshold}: nothing to edit; use more samples")
        result = edit(generate, judge, below, name, steps=steps, weight=weight, penalty_weight=penalty_weight)
        scores[name] = {"success": edit_success(result, threshold), "drift": edit_drift(result),
                        "change": result.change[column].item(), "n": len(below)}
    return scores


def penalty_effect(generate, judge, z: torch.Tensor, factors, *, steps: int, weight: float,
                   penalty_weight: float) -> dict[str, dict]:
    """The same edits (edit_scores) without and with the penalty: {"free": ..., "penalised": ...}."""
    return {kind: edit_scores(generate, judge, z, factors, steps=steps, weight=weight, penalty_weight=penalty)
            for kind, penalty in (("free", 0.0), ("penalised", penalty_weight))}


# What notebook 03 and the benchmarks edit, and how: 10 unit-length steps (latent.edit) of EDIT_STEP each.
EDIT_FACTORS = ("glasses", "beard", "smile")
EDIT_STEP = 4.0  # one step's length in z: 10 of them take >= 90% of gan-faces' edits across (2: glasses only 80%)
PENALTY_WEIGHT = 30.0  # on read-outs in [0, 1], chosen on gan-faces: 100 and 300 cut no more drift, and cost success
# The penalty is a local correction: short steps let it hold the other features (docs/experiments.md, edits).
FINE_STEPS, FINE_STEP = 40, 1.0


def controllability(generate, judge, z_dim: int, *, factors=EDIT_FACTORS, weight: float = EDIT_STEP,
                    penalty_weight: float = PENALTY_WEIGHT, steps: int = 10, step: float = 2.0, n_fit: int = 2000,
                    n_move: int = 500, n_edit: int = 1024) -> dict:
    """Everything above for one generator, on seeded noise: the report notebook 03 and the benchmarks print.

    directions    found from n_fit samples (seed 0); entanglement: a `step` along each, from n_move samples (seed 1)
    free          classifier-gradient edits of each of `factors`, `steps` unit steps of length `weight`, from the
                  samples of n_edit (seed 2) that lack the factor (about 500 of 1024: drift ratios to about 0.02)
    penalised     the same edits with penalty_weight on the other features
    """
    directions = factor_directions(generate, judge, gaussian_noise(n_fit, z_dim, seed=0))
    entangled = direction_entanglement(generate, judge, gaussian_noise(n_move, z_dim, seed=1), directions, step)
    z = gaussian_noise(n_edit, z_dim, seed=2)
    report = {"directions": directions, "entanglement": entangled["score"], "matrix": entangled["matrix"]}
    return report | penalty_effect(generate, judge, z, factors, steps=steps, weight=weight,
                                   penalty_weight=penalty_weight)

"""Shipped checkpoints re-measured by their recipes' scorers, against the recipes' targets (shared by the test files
of each family; tests/conftest.py puts tests/ on the path)."""
import pytest

from gancourse import pretrained
from gancourse.training.recipes import RECIPES

MEASURED = {}


def measured(name: str) -> dict:
    if name not in MEASURED:
        MEASURED[name] = RECIPES[name].score(pretrained.load(name, device="cpu"))
    return MEASURED[name]


def target_cases(names) -> list[tuple[str, str]]:
    """(name, metric) for every target of these recipes except the training time (a benchmark row)."""
    return [(name, metric) for name in names for metric in RECIPES[name].targets if metric != "train_seconds"]


def check_target(name: str, metric: str, short: dict, request) -> None:
    """Skip a model not shipped yet; a (name, metric) in short is a strict xfail with its reason."""
    if name not in pretrained.available():
        pytest.skip(f"{name} is not shipped yet")
    if (name, metric) in short:
        request.applymarker(pytest.mark.xfail(strict=True, reason=short[name, metric]))
    target = RECIPES[name].targets[metric]
    op, bound = target if isinstance(target, tuple) else (">=", target)
    value = measured(name)[metric]
    assert (value >= bound) if op == ">=" else (value <= bound), f"{name}: {metric} = {value:.4g}, target {op} {bound}"

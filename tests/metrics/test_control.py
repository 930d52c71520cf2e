"""Controllability measures on a stand-in whose answers are known (tests/stand_ins.py, shared with test_editing.py).

The generator is the identity (z (N, 4) drawn as a 1x4 image) and the judge reads
    a = sigmoid(z0 + z1),  b = sigmoid(z1),  c = sigmoid(z2)
so the direction for `b` (z1) also moves `a`, while `c` (z2) is disentangled from both.
"""
import pytest
import torch

from gancourse.metrics.control import (direction_entanglement, edit_scores, factor_directions, gaussian_noise,
                                       penalty_effect)


from stand_ins import LinearJudge, generate  # tests/conftest.py puts tests/ on the path

judge = LinearJudge().eval()


def test_gaussian_noise_is_seeded():
    assert torch.equal(gaussian_noise(5, 4, seed=3), gaussian_noise(5, 4, seed=3))
    assert gaussian_noise(5, 4, seed=3).shape == (5, 4) and not torch.equal(gaussian_noise(5, 4, 3), gaussian_noise(5, 4, 4))


def test_factor_directions_point_where_each_factor_grows():
    directions = factor_directions(generate, judge, gaussian_noise(2000, 4, seed=0))
    assert list(directions) == ["a", "b", "c"]
    assert directions["c"] @ torch.tensor([0.0, 0, 1, 0]) > 0.99
    assert directions["b"] @ torch.tensor([0.0, 1, 0, 0]) > 0.99
    assert directions["a"] @ torch.nn.functional.normalize(torch.tensor([1.0, 1, 0, 0]), dim=0) > 0.95
    assert list(factor_directions(generate, judge, gaussian_noise(100, 4, seed=0), ["c"])) == ["c"]


def test_direction_entanglement_tells_a_clean_direction_from_a_tangled_one():
    z = gaussian_noise(500, 4, seed=1)
    clean = direction_entanglement(generate, judge, z, {"c": torch.tensor([0.0, 0, 1, 0])})
    assert clean["score"] == 0 and clean["matrix"].shape == (1, 3)
    tangled = direction_entanglement(generate, judge, z, {"b": torch.tensor([0.0, 1, 0, 0])})
    assert tangled["score"] > 0.3  # moving b moves a about as much: (change of a + change of c) / 2 / change of b


def test_edit_scores_success_and_the_penalty_cutting_drift():
    z = gaussian_noise(200, 4, seed=2)
    free, penalised = penalty_effect(generate, judge, z, ["b"], steps=10, weight=0.5, penalty_weight=2.0).values()
    assert free == edit_scores(generate, judge, z, ["b"], steps=10, weight=0.5)
    assert set(free["b"]) == {"success", "drift", "change", "n"} and free["b"]["n"] == (judge.read(generate(z))[:, 1] < 0.5).sum()
    assert free["b"]["success"] > 0.95 and free["b"]["drift"] > 0.05
    assert penalised["b"]["drift"] < 0.5 * free["b"]["drift"] and penalised["b"]["success"] > 0.85


def test_the_penalty_holds_the_other_features_better_in_short_steps():
    """The penalty corrects locally: over the same distance, short steps hold factor a better than long
    steps do. A single step gets no help at all, since the other features have not moved yet where its gradient
    is taken."""
    z = gaussian_noise(200, 4, seed=2)
    drift = {steps: {kind: r["b"]["drift"] for kind, r in
                     penalty_effect(generate, judge, z, ["b"], steps=steps, weight=5.0 / steps, penalty_weight=2.0).items()}
             for steps in (1, 2, 20)}
    assert drift[1]["penalised"] == pytest.approx(drift[1]["free"])
    assert drift[2]["penalised"] > 0.8 * drift[2]["free"]
    assert drift[20]["penalised"] < 0.4 * drift[20]["free"]
    assert drift[20]["free"] == pytest.approx(drift[2]["free"], rel=1e-4)  # free: a straight line either way


def test_edit_scores_needs_a_sample_to_edit():
    with pytest.raises(ValueError, match="nothing to edit"):
        edit_scores(generate, judge, torch.full((3, 4), 5.0), ["c"])

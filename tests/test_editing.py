"""Classifier-gradient editing, directions in z and entanglement, on stand-ins whose answers are known.

The stand-in generator is the identity (z (N, 4) drawn as a 1x4 image) and the judge reads
    a = sigmoid(z0 + z1),  b = sigmoid(z1),  c = sigmoid(z2)
so pushing `a` up by its gradient also moves `b` unless the edit is penalised for it.
"""
import pytest
import torch

from gancourse.latent import (EditResult, calculate_updated_noise, edit, edit_drift, edit_matrix, edit_success,
                              entanglement_score, find_direction, move)
from gancourse.models import FaceJudge
from gancourse.models.cgan import GAN, GANConfig

from stand_ins import WEIGHTS, LinearJudge, generate  # tests/conftest.py puts tests/ on the path

judge = LinearJudge().eval()


def noise(n=5, seed=0):
    return torch.randn(n, 4, generator=torch.Generator().manual_seed(seed)) * 0.5 - 1  # starts with `a` low


def test_edit_raises_the_target_at_every_step():
    result = edit(generate, judge, noise(), "a", steps=10, weight=0.2)
    assert result.z.shape == (11, 5, 4) and result.readouts.shape == (11, 5, 3)
    assert (result.readouts[1:, :, 0] > result.readouts[:-1, :, 0]).all()
    assert torch.equal(result.z[0], noise()) and result.target == 0
    assert torch.allclose(result.readouts[-1], judge.read(generate(result.z[-1])))


def test_edit_down_lowers_the_target():
    result = edit(generate, judge, noise() + 2, 2, steps=5, increase=False)
    assert (result.readouts[1:, :, 2] < result.readouts[:-1, :, 2]).all()


def test_penalty_reduces_drift_of_the_other_features():
    # the penalty is on read-outs (slope <= 1/4 for a sigmoid) and the ascent on the target's logit (slope 1),
    # so it takes a penalty weight above 4 to hold b still while a's logit climbs through z1
    free = edit(generate, judge, noise(), "a", steps=10, weight=0.3)
    penalised = edit(generate, judge, noise(), "a", steps=10, weight=0.3, penalty_weight=5.0)
    assert edit_drift(penalised) < 0.5 * edit_drift(free)
    assert penalised.change[0] > 0.1  # and the target still moves


def test_gradient_is_cleared_between_steps():
    z = noise()
    by_hand = [z.clone()]
    for _ in range(2):
        z = z.clone().requires_grad_()
        (len(z) * judge(generate(z))[:, 0].mean()).backward()  # the target's logit
        z = calculate_updated_noise(z, 0.7).detach()
        by_hand.append(z)
    raw = edit(generate, judge, noise(), "a", steps=2, weight=0.7, unit_steps=False)
    assert torch.allclose(raw.z, torch.stack(by_hand))


def test_unit_steps_move_every_sample_exactly_weight_far():
    result = edit(generate, judge, noise(), "a", steps=3, weight=0.7, penalty_weight=2.0)
    lengths = (result.z[1:] - result.z[:-1]).norm(dim=2)  # (3, 5)
    assert torch.allclose(lengths, torch.full_like(lengths, 0.7))
    raw = edit(generate, judge, noise(), "a", steps=3, weight=0.7, penalty_weight=2.0, unit_steps=False)
    assert not torch.allclose((raw.z[1:] - raw.z[:-1]).norm(dim=2), lengths)  # the gradient's own length varies


def test_unit_steps_and_raw_steps_point_the_same_way():
    unit = edit(generate, judge, noise(), "a", steps=1, weight=0.5)
    raw = edit(generate, judge, noise(), "a", steps=1, weight=0.5, unit_steps=False)
    cosine = torch.nn.functional.cosine_similarity(unit.z[1] - unit.z[0], raw.z[1] - raw.z[0], dim=1)
    assert torch.allclose(cosine, torch.ones(5))


def test_a_sample_takes_the_same_path_whatever_its_batch():
    batch = edit(generate, judge, noise(5), "a", steps=3, penalty_weight=0.5)
    alone = edit(generate, judge, noise(5)[2:3], "a", steps=3, penalty_weight=0.5)
    assert torch.allclose(batch.z[:, 2:3], alone.z, atol=1e-6)


def test_edit_moves_only_z():
    fresh = LinearJudge().eval()
    edit(generate, fresh, noise(), "a", steps=2)
    assert fresh.linear.weight.grad is None and torch.equal(fresh.linear.weight, WEIGHTS.T)
    with pytest.raises(ValueError, match="training mode"):
        edit(generate, LinearJudge(), noise(), "a")


def test_edit_reads_real_networks():
    torch.manual_seed(0)
    gan = GAN(GANConfig(n_classes=0, channels=3, z_dim=4, width=8)).eval()
    result = edit(gan.generate, FaceJudge(FaceJudge.Config(width=4)).eval(), torch.randn(2, 4), "smile", steps=1)
    assert result.z.shape == (2, 2, 4) and result.readouts.shape == (2, 2, 6)
    with pytest.raises(ValueError, match="generator is in training mode"):
        edit(gan.train().generate, judge, torch.randn(2, 4), "a")


def test_edit_rejects_bad_input():
    with pytest.raises(ValueError, match="unknown factor 'nose'"):
        edit(generate, judge, noise(), "nose")
    with pytest.raises(ValueError, match=r"\(N, D\)"):
        edit(generate, judge, torch.zeros(4), "a")
    with pytest.raises(ValueError, match="increase=False"):
        edit(generate, judge, noise(), "a", weight=-1.0)


@pytest.mark.parametrize("settings, match", [
    ({"weight": float("nan")}, "weight must be a finite number > 0, got nan"),
    ({"weight": 0.0}, "weight must be a finite number > 0"),
    ({"penalty_weight": float("nan")}, "penalty_weight must be a finite number >= 0, got nan"),
    ({"penalty_weight": -1.0}, "penalty_weight must be a finite number >= 0"),
    ({"weight": "1"}, "weight must be a finite number > 0, got '1'"),
    ({"steps": True}, "steps must be a positive int"),
    ({"steps": 2.0}, "steps must be a positive int"),
])
def test_edit_names_a_bad_setting(settings, match):
    with pytest.raises(ValueError, match=match):
        edit(generate, judge, noise(), "a", **settings)


def test_edit_takes_numpy_numbers():
    import numpy as np

    result = edit(generate, judge, noise(), np.int64(0), steps=np.int64(2), weight=np.float32(0.2))
    expected = edit(generate, judge, noise(), 0, steps=2, weight=0.2)
    assert result.target == 0 and type(result.target) is int and torch.allclose(result.z, expected.z)


def hand_made_result(target_reads, increase=True):
    """An EditResult whose target (column 0) reads `target_reads` (steps + 1, N)."""
    reads = torch.tensor(target_reads)
    return EditResult(torch.zeros(*reads.shape, 1), torch.stack([reads, torch.zeros_like(reads)], dim=2), 0, increase)


def test_edit_success_counts_crossings_of_samples_that_started_short():
    # columns: crosses; stays below; starts past (not counted); crosses and comes back (counted)
    result = hand_made_result([[0.2, 0.3, 0.7, 0.1], [0.4, 0.35, 0.8, 0.6], [0.6, 0.4, 0.9, 0.3]])
    assert edit_success(result) == pytest.approx(2 / 3)
    assert edit_success(result, threshold=0.25) == pytest.approx(2 / 2)
    down = hand_made_result([[0.9, 0.8, 0.2], [0.4, 0.7, 0.1]], increase=False)
    assert edit_success(down) == pytest.approx(1 / 2)
    with pytest.raises(ValueError, match="no sample starts below"):
        edit_success(result, threshold=0.05)


def test_edit_drift_is_the_mean_change_of_the_other_features():
    readouts = torch.tensor([[[0.5, 0.5, 0.5]], [[0.9, 0.3, 0.9]]])  # (2 steps, 1 sample, 3)
    assert edit_drift(EditResult(torch.zeros(2, 1, 4), readouts, 0, True)) == pytest.approx(0.3)


def test_find_direction_recovers_a_planted_direction():
    g = torch.Generator().manual_seed(0)
    z, planted = torch.randn(2000, 8, generator=g), torch.nn.functional.normalize(torch.randn(8, generator=g), dim=0)
    readout = torch.stack([torch.rand(2000, generator=g), torch.sigmoid(2 * z @ planted)], dim=1)
    readout[:, 1] += 0.05 * torch.randn(2000, generator=g)
    direction = find_direction(z, readout, "smile", factor_names=("noise", "smile"))
    assert direction.shape == (8,) and torch.isclose(direction.norm(), torch.tensor(1.0))
    assert direction @ planted > 0.95
    with pytest.raises(ValueError, match="more than 9 samples"):
        find_direction(z[:9], readout[:9], 1)


def test_move_walks_along_a_direction():
    z, direction = torch.zeros(3, 2), torch.tensor([1.0, 0.0])
    path = move(z, direction, [-1.0, 0.0, 2.0])
    assert path.shape == (3, 3, 2) and torch.equal(path[2], torch.tensor([[2.0, 0.0]] * 3))
    assert move(z[0], direction, 0.5).shape == (1, 2)
    with pytest.raises(ValueError, match="direction"):
        move(z, torch.ones(3), 1.0)


def test_edit_matrix_shows_which_factors_each_direction_moves():
    directions = {"a": torch.tensor([1.0, 0, 0, 0]), "b": torch.tensor([0, 1.0, 0, 0]), "c": torch.tensor([0, 0, 1.0, 0])}
    matrix = edit_matrix(generate, judge, noise(), directions, step=1.0)
    assert matrix.shape == (3, 3)
    assert (matrix[0, 1:] == 0).all() and matrix[0, 0] > 0  # z0 moves only a
    assert (matrix[1, :2] > 0).all() and matrix[1, 2] == 0  # z1 moves a and b
    assert entanglement_score(matrix[[0, 2]], ["a", "c"], judge.factor_names) == 0
    assert entanglement_score(matrix, ["a", "b", "c"], judge.factor_names) > 0


def test_entanglement_score_from_zero_to_one():
    assert entanglement_score(torch.diag(torch.tensor([0.3, 0.5, 0.2])), [0, 1, 2]) == 0
    assert entanglement_score(torch.full((3, 3), 0.4), [0, 1, 2]) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="does not change its own factor"):
        entanglement_score(torch.tensor([[0.0, 1.0], [0.0, 1.0]]), [0, 1])
    with pytest.raises(ValueError, match="no factor_names"):
        entanglement_score(torch.eye(2), ["a", "b"])


def test_entanglement_of_gradient_edits_is_drift_per_unit_of_target_change():
    results = [edit(generate, judge, noise(), name, steps=5) for name in judge.factor_names]
    matrix = torch.stack([r.change for r in results])
    ratios = [edit_drift(r) / r.change[r.target].item() for r in results]
    assert entanglement_score(matrix, judge.factor_names, judge.factor_names) == pytest.approx(sum(ratios) / 3)

"""Cartoon faces: shapes, determinism, the copula correlations, input errors, and that every factor is visible."""
import numpy as np
import pytest
import torch

from gancourse.data.faces import FACE_FACTORS, faces, render_faces

NAMES = ("hair_color", "hair_length", "glasses", "beard", "smile", "skin_tone")
BASE = torch.tensor([0.3, 0.5, 0.0, 0.0, 0.5, 0.2])  # brown medium-length hair, no glasses or beard, neutral, light


def sweep(name: str, values) -> torch.Tensor:
    """Faces equal to BASE except for one factor: (len(values), 3, 32, 32)."""
    factors = BASE.repeat(len(values), 1)
    factors[:, NAMES.index(name)] = torch.as_tensor(values, dtype=torch.float32)
    return render_faces(factors)


def row_share(diff: torch.Tensor, y0: float, y1: float) -> float:
    """Share of an image difference (3, H, W) lying in the rows of face coordinates [y0, y1] (centred face)."""
    size = diff.shape[-1]
    per_row = diff.abs().sum((0, 2))
    first, last = int((y0 + 1) * size / 2), int(np.ceil((y1 + 1) * size / 2))
    return (per_row[first:last].sum() / per_row.sum()).item()


def test_shapes_dtypes_and_ranges():
    data = faces(16, seed=1)
    assert data.images.shape == (16, 3, 32, 32) and data.images.dtype == torch.float32
    assert data.images.min() >= -1 and data.images.max() <= 1
    assert data.targets.shape == (16, 6) and data.targets.dtype == torch.float32
    for i, factor in enumerate(data.factors):
        column = data.targets[:, i]
        if factor.kind == "binary":
            assert set(column.tolist()) <= {0.0, 1.0}
        else:
            assert column.min() >= 0 and column.max() <= 1
    assert data.nuisance.shape == (16, 3) and data.nuisance.dtype == torch.float32
    assert data.nuisance[:, :2].abs().max() <= 0.125
    assert ((data.nuisance[:, 2] >= 0.92) & (data.nuisance[:, 2] <= 1.08)).all()


def test_factor_names_and_kinds():
    assert tuple(f.name for f in FACE_FACTORS) == NAMES
    assert [f.kind for f in FACE_FACTORS] == ["continuous", "continuous", "binary", "binary", "continuous", "continuous"]
    assert faces(2).factor_names == NAMES


def test_deterministic_and_prefix_stable():
    a, b, c = faces(40, seed=7), faces(40, seed=7), faces(40, seed=8)
    assert torch.equal(a.images, b.images) and torch.equal(a.targets, b.targets)
    assert torch.equal(a.nuisance, b.nuisance)
    assert not torch.equal(a.images, c.images) and not torch.equal(a.targets, c.targets)
    first = faces(9, seed=7)
    assert torch.equal(first.images, a.images[:9]) and torch.equal(first.targets, a.targets[:9])


def test_size_64_draws_the_same_faces_finer():
    small, large = faces(4, seed=2), faces(4, seed=2, size=64)
    assert large.images.shape == (4, 3, 64, 64)
    assert torch.equal(small.targets, large.targets)
    assert (torch.nn.functional.avg_pool2d(large.images, 2) - small.images).abs().mean() < 0.05


def test_other_sizes_are_refused():
    with pytest.raises(ValueError, match=r"size must be one of \(32, 64\), got 48"):
        faces(4, size=48)
    with pytest.raises(ValueError, match="size must be one of"):
        render_faces(BASE[None], size=28)


def beard_hair_length_r(correlations) -> float:
    data = faces(4000, seed=0, correlations=correlations)
    return float(np.corrcoef(data.factor("beard").numpy(), data.factor("hair_length").numpy())[0, 1])


def test_correlations_couple_factors():
    assert beard_hair_length_r({("beard", "hair_length"): -0.8}) < -0.4


def test_independent_by_default():
    assert abs(beard_hair_length_r(None)) < 0.1


@pytest.mark.parametrize("kwargs, error, message", [
    ({"correlations": {("beard", "hair_colour"): 0.5}}, KeyError, "unknown factor 'hair_colour'.*hair_color"),
    ({"correlations": {("smile", "smile"): 0.5}}, ValueError, "with itself"),
    ({"correlations": {("beard", "smile"): 1.0}}, ValueError, "strictly between -1 and 1"),
    ({"correlations": {("beard", "smile"): -1.5}}, ValueError, "strictly between -1 and 1"),
    ({"correlations": {("beard", "smile"): 0.5, ("smile", "beard"): 0.5}}, ValueError, "twice"),
    ({"correlations": {("beard", "smile"): 0.9, ("smile", "glasses"): 0.9, ("beard", "glasses"): -0.9}},
     ValueError, "not positive definite"),
    ({"correlations": {"beard": 0.5}}, ValueError, "pairs of factor names"),
    ({"correlations": [("beard", "smile", 0.5)]}, TypeError, "must be None or a dict"),
    ({"correlations": {("beard", "smile"): "0.5"}}, TypeError, "must be a number strictly between -1 and 1, got str"),
    ({"correlations": {("beard", "smile"): True}}, TypeError, "must be a number"),
    ({"n": 0}, ValueError, "n must be an int >= 1"),
    ({"n": 2.5}, TypeError, "n must be an int"),
    ({"n": True}, TypeError, "n must be an int"),
    ({"seed": "1"}, TypeError, "seed must be an int"),
    ({"seed": -1}, ValueError, r"seed must be an int in \[0, 2\*\*64\), got -1"),
    ({"seed": False}, TypeError, "seed must be an int"),
    ({"size": 32.0}, ValueError, r"size must be one of \(32, 64\)"),
])
def test_bad_inputs_explain_themselves(kwargs, error, message):
    kwargs = {"n": 4, **kwargs}
    with pytest.raises(error, match=message):
        faces(kwargs.pop("n"), **kwargs)


def test_numpy_integers_are_ints():
    same = faces(np.int64(3), seed=np.int32(2), size=np.int64(32))
    assert torch.equal(same.images, faces(3, seed=2).images)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_render_faces_refuses_non_finite_factors_by_name(bad):
    factors = BASE[None].repeat(3, 1)
    factors[2, NAMES.index("smile")] = bad
    with pytest.raises(ValueError, match=f"factor 'smile' must be a finite number in \\[0, 1\\], got {bad} in row 2"):
        render_faces(factors)


def test_render_faces_of_no_rows_is_an_empty_batch():
    assert render_faces(torch.zeros(0, 6)).shape == (0, 3, 32, 32)
    assert render_faces(torch.zeros(0, 6), size=64, nuisance=torch.zeros(0, 3)).shape == (0, 3, 64, 64)


def test_render_faces_refuses_non_finite_nuisance():
    with pytest.raises(ValueError, match="nuisance must hold finite numbers"):
        render_faces(BASE[None], nuisance=torch.tensor([[float("nan"), 0.0, 1.0]]))


def test_render_faces_checks_its_inputs():
    assert render_faces(BASE[None]).shape == (1, 3, 32, 32)
    with pytest.raises(ValueError, match=r"factors must be \(n, 6\)"):
        render_faces(BASE)
    with pytest.raises(ValueError, match="nuisance must be"):
        render_faces(BASE[None], nuisance=torch.zeros(2, 3))


@pytest.mark.parametrize("name", NAMES)
def test_every_factor_is_visible(name):
    off, on = sweep(name, [0.0, 1.0])
    threshold = 0.015 if name == "smile" else 0.05  # the mouth is small; the other factors change large areas
    assert (on - off).abs().mean() > threshold


def test_glasses_change_only_the_eyes():
    off, on = sweep("glasses", [0.0, 1.0])
    assert row_share(on - off, -0.25, 0.3) > 0.95


def test_beard_changes_the_lower_face():
    off, on = sweep("beard", [0.0, 1.0])
    assert row_share(on - off, 0.15, 0.8) > 0.95
    assert on[:, 24:28].mean() < off[:, 24:28].mean() - 0.2  # the chin gets darker


def mouth_ends_minus_middle(img: torch.Tensor) -> float:
    """How far below the middle of the lips their ends sit, in rows: > 0 for a frown, < 0 for a smile."""
    lips = (img[0] - img[1] - 0.6).clamp_min(0)[16:30]   # lips are far redder than skin, rows around the mouth
    rows = torch.arange(16, 30, dtype=torch.float32)[:, None]
    ends, middle = lips[:, [12, 13, 18, 19]], lips[:, [15, 16]]
    return ((ends * rows).sum() / ends.sum() - (middle * rows).sum() / middle.sum()).item()


def test_smile_turns_the_mouth_ends_up_and_frown_down():
    frown, neutral, smile = sweep("smile", [0.0, 0.5, 1.0])
    assert mouth_ends_minus_middle(smile) < -1.0
    assert abs(mouth_ends_minus_middle(neutral)) < 0.5
    assert mouth_ends_minus_middle(frown) > 1.0


def test_hair_color_gets_lighter_and_hair_length_grows_monotonically():
    steps = torch.linspace(0, 1, 6)
    brightness = sweep("hair_color", steps).mean((1, 2, 3))
    assert (brightness.diff() > 0).all()
    longer = sweep("hair_length", steps)
    change = (longer - longer[:1]).abs().mean((1, 2, 3))
    assert (change.diff() > 0).all()

"""Judges: shapes, bad inputs, and the accuracy the shipped ones reach on held-out data."""
import pytest
import torch

from gancourse import pretrained
from gancourse.models import DigitJudge, FaceJudge


def test_shapes():
    x = torch.randn(3, 1, 32, 32)
    judge = DigitJudge().eval()
    assert judge(x).shape == (3, 10) and judge.features(x).shape == (3, 128) and judge.predict(x).shape == (3,)
    faces = FaceJudge().eval()
    read = faces.read(torch.randn(3, 3, 32, 32))
    assert read.shape == (3, 6) and read.min() >= 0 and read.max() <= 1


def test_wrong_channels_are_refused():
    with pytest.raises(ValueError, match=r"\(N, 1, H, W\)"):
        DigitJudge()(torch.randn(2, 3, 32, 32))
    with pytest.raises(ValueError, match=r"\(N, 3, H, W\)"):
        FaceJudge().read(torch.randn(3, 32, 32))


@pytest.mark.parametrize("name, targets", [
    ("judge-digits", {"held_out_accuracy": 0.98}),
    ("judge-faces", {"glasses_accuracy": 0.98, "beard_accuracy": 0.98, "hair_color_r2": 0.95,
                     "hair_length_r2": 0.95, "smile_r2": 0.95, "skin_tone_r2": 0.95}),
])
def test_shipped_judges_meet_their_accuracy(name, targets):
    from gancourse.training.recipes import recipe

    scores = recipe(name).score(pretrained.load(name, device="cpu"))
    for key, target in targets.items():
        assert scores[key] >= target, f"{name}: {key} = {scores[key]:.4f} < {target}"

"""StyleGANTask: one step trains both networks, mixes styles, tracks w_avg and the moving average, lazily adds R1."""
import pytest
import torch

from gancourse.models.stylegan import StyleGAN, StyleGANConfig
from gancourse.training.loop import LoopConfig, fit
from gancourse.training.tasks import StyleGANTask

SMALL = dict(z_dim=8, w_dim=8, widths=(8, 8, 4, 4), d_width=4)


def model() -> StyleGAN:
    torch.manual_seed(0)
    return StyleGAN(StyleGANConfig(**SMALL))


def test_steps_train_the_generator_and_track_its_average():
    gan = model()
    task = StyleGANTask(gan, steps=10, ema=0.5)
    start = {k: v.clone() for k, v in gan.generator.state_dict().items()}
    images = torch.rand(8, 3, 32, 32) * 2 - 1
    first, second = task.step(images, torch.zeros(8)), task.step(images, torch.zeros(8))
    assert "r1" in first and "r1" not in second  # lazy: every r1_every = 4 steps, from step 0
    assert all(torch.isfinite(v) for v in {**first, **second}.values())
    moved = gan.generator.synthesis.to_rgb[0].weight
    assert not torch.equal(moved, start["synthesis.to_rgb.0.weight"])
    average = gan.average.synthesis.to_rgb[0].weight
    assert not torch.equal(average, moved) and not torch.equal(average, start["synthesis.to_rgb.0.weight"])
    assert gan.generator.w_avg.abs().sum() > 0 and torch.equal(gan.average.w_avg, gan.generator.w_avg)
    assert task.sample().shape == (64, 3, 32, 32)


def test_mixing_always_or_never():
    gan = model()
    torch.manual_seed(1)
    mixed = StyleGANTask(gan, steps=5, mixing=1.0).styles(4, "cpu")
    assert mixed.shape == (4, 8, 8) and not torch.equal(mixed[:, 0], mixed[:, -1])
    single = StyleGANTask(gan, steps=5, mixing=0.0).styles(4, "cpu")
    assert torch.equal(single[:, 0], single[:, -1])


def test_fit_resumes_with_the_average(tmp_path):
    images, targets = torch.rand(16, 3, 32, 32) * 2 - 1, torch.zeros(16)
    config = dict(batch_size=8, out_dir=str(tmp_path), progress=False, checkpoint_every=2)
    whole = model()
    fit(StyleGANTask(whole, steps=4), images, targets, LoopConfig(steps=4, **config | {"out_dir": str(tmp_path / "a")}))
    resumed = model()
    fit(StyleGANTask(resumed, steps=4), images, targets, LoopConfig(steps=2, **config))
    resumed = model()  # a fresh process: everything comes back from the checkpoint
    fit(StyleGANTask(resumed, steps=4), images, targets, LoopConfig(steps=4, **config))
    for (name, a), b in zip(whole.state_dict().items(), resumed.state_dict().values()):
        assert torch.allclose(a, b, atol=1e-5), name


@pytest.mark.parametrize("steps", [0, True, 2.5])
def test_steps_must_be_the_total(steps):
    with pytest.raises(ValueError, match="steps must be"):
        StyleGANTask(model(), steps=steps)


# ---- the shipped StyleGANs, re-measured by their recipes ----------------------------------------------------------

STYLEGANS = ["stylegan-faces", "stylegan-faces-map0", "stylegan-faces-nomix"]
from shipped import check_target, target_cases  # noqa: E402  (tests/shipped.py)

SHORT = {  # (name, metric) -> why a target stays short: a strict xfail
    ("stylegan-faces", "recall"): "8,000 steps (the 45-minute budget) reach recall 0.55, short of 0.60",
}


@pytest.mark.parametrize("name, metric", target_cases(STYLEGANS))
def test_shipped_stylegan_meets_its_target(name, metric, request):
    check_target(name, metric, SHORT, request)

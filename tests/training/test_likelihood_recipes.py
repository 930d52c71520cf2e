"""The likelihood recipes of notebook 06 (VAE, PixelCNN, flow, VQ-VAE + prior): their tasks, and the shipped
models re-measured by their recipes."""
import math

import pytest
import torch

from gancourse.models.flow import Flow, FlowConfig
from gancourse.models.pixelcnn import PixelCNN, PixelCNNConfig, to_values
from gancourse.models.vqvae import VQVAE, VQVAEConfig
from gancourse.training.loop import LoopConfig, fit
from gancourse.training.recipes import RECIPES
from gancourse.training.tasks import LikelihoodTask, VQVAETask

LIKELIHOOD = ["vae-digits", "pixelcnn-digits", "flow-digits", "flow-digits-vardeq", "vqvae-digits"]


def digits(n=16, seed=0):
    """Stand-in digits: 8-bit images in [-1, 1], mostly background as the real ones are."""
    g = torch.Generator().manual_seed(seed)
    values = torch.randint(0, 256, (n, 1, 32, 32), generator=g) * (torch.rand(n, 1, 32, 32, generator=g) < 0.3)
    return values.float() * 2 / 255 - 1


@pytest.mark.parametrize("name", LIKELIHOOD)
def test_each_recipe_builds_its_model_and_task_on_the_digits(name):
    r = RECIPES[name]
    task = r.task(r.build(), steps=r.steps)
    assert task.modules and task.optimizers and r.data == "digits" and r.threads == 1
    assert r.targets["train_seconds"] == ("<=", 900.0)


@pytest.mark.parametrize("model", [
    PixelCNN(PixelCNNConfig(side=32, channels=4, dilations=(1,), ordinal=True)),
    Flow(FlowConfig(hidden=4, couplings=(1, 1, 1))),
], ids=["pixelcnn", "flow"])
def test_a_likelihood_step_lowers_the_batch_bits_and_decays_the_rate(model):
    torch.manual_seed(0)
    task = LikelihoodTask(model, steps=10, lr=1e-2)
    images = digits()
    first = task.step(images, torch.zeros(16))["bits_per_dim"].item()
    for _ in range(4):
        task.step(images, torch.zeros(16))
    with torch.no_grad():
        after = model.loss(to_values(images))["nll"].item() / math.log(2)
    assert math.isfinite(first) and after < first
    assert task.optimizers["model"].param_groups[0]["lr"] == pytest.approx(1e-2 * 5 / 10)
    grid = task.sample()
    assert grid.shape == (16, 1, 32, 32) and model.training


def tiny_vqvae():
    torch.manual_seed(0)
    return VQVAE(VQVAEConfig(codes=8, code_dim=4, width=8, prior_channels=8, prior_dilations=(1,)))


def test_the_vqvae_task_trains_the_autoencoder_then_only_the_prior():
    model = tiny_vqvae()
    task = VQVAETask(model, steps=4, prior_share=0.5)
    images = digits(8)
    prior = [p.clone() for p in model.prior.parameters()]
    assert set(task.step(images, torch.zeros(8))) == {"reconstruction", "commitment", "perplexity"}
    task.step(images, torch.zeros(8))
    assert all(torch.equal(a, b) for a, b in zip(prior, model.prior.parameters()))
    autoencoder = [p.clone() for p in (*model.encoder.parameters(), *model.decoder.parameters())]
    codebook = model.quantizer.codebook.clone()
    for _ in range(2):
        assert set(task.step(images, torch.zeros(8))) == {"prior_bits_per_code"}
    assert all(torch.equal(a, b) for a, b in zip(autoencoder, (*model.encoder.parameters(), *model.decoder.parameters())))
    assert torch.equal(codebook, model.quantizer.codebook)
    assert not all(torch.equal(a, b) for a, b in zip(prior, model.prior.parameters()))


def test_a_resumed_vqvae_run_finds_its_stage_and_ends_with_the_same_weights(tmp_path):
    images, targets = digits(16), torch.zeros(16)
    whole = tiny_vqvae()
    fit(VQVAETask(whole, steps=6), images, targets, LoopConfig(steps=6, batch_size=8, progress=False))
    halves = tiny_vqvae()
    for steps in (3, 6):  # stop in the middle of stage 1... then resume into stage 2
        fit(VQVAETask(halves, steps=6), images, targets,
            LoopConfig(steps=steps, batch_size=8, progress=False, out_dir=str(tmp_path), checkpoint_every=1))
    for (name, a), b in zip(whole.state_dict().items(), halves.state_dict().values()):
        assert torch.equal(a, b), name


# ---- the shipped models, re-measured by their recipes --------------------------------------------------------------

# (name, metric) -> why a target stays short: a strict xfail, with the measured value (docs/experiments.md)
from shipped import check_target, target_cases  # noqa: E402  (tests/shipped.py)

SHORT = {
    ("pixelcnn-digits", "precision"): "0.17 after 2,000 steps: strokes locally right, digits globally incoherent",
    ("vqvae-digits", "precision"): "0.60 after 800 steps (400 for the prior; longer runs not measured)",
}


@pytest.mark.parametrize("name, metric", target_cases(LIKELIHOOD))
def test_shipped_likelihood_model_meets_its_target(name, metric, request):
    check_target(name, metric, SHORT, request)

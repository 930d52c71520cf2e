"""GANTask and the GAN recipes: one step, a short fit, the progress grid, and the shipped models' scores, re-measured."""
import math

import pytest
import torch

from gancourse import pretrained
from gancourse.models import build_model
from gancourse.models.cgan import GANConfig
from gancourse.training import LoopConfig, fit
from gancourse.training.recipes import INFO_WEIGHT, RECIPES, SHIFT, WGAN_LR
from gancourse.training.splits import attribute_labels
from gancourse.training.tasks import GANTask, code_error

GAN_RECIPES = ["cgan-digits", "gan-digits", "cgan-faces", "gan-faces", "gan-faces-z4", "gan-faces-correlated",
               "gan-faces-supervised", "gan-faces-supervised-coarse"]
TARGETED = GAN_RECIPES + ["infogan-digits", "infogan-sprites", "vae-sprites", "betavae-sprites"]


def tiny_task(n_classes=10, condition="one_hot", channels=1, **task) -> GANTask:
    torch.manual_seed(0)
    config = dict(z_dim=8, width=4, n_classes=n_classes, condition=condition, channels=channels)
    return GANTask(build_model("GAN", config), grid_side=3, **task)


def batch(n=8, channels=1, targets=None):
    g = torch.Generator().manual_seed(0)
    images = torch.rand(n, channels, 32, 32, generator=g) * 2 - 1
    return images, torch.randint(10, (n,), generator=g) if targets is None else targets


@pytest.mark.parametrize("task, data", [
    (lambda: tiny_task(), lambda: batch()),
    (lambda: tiny_task(n_classes=0), lambda: batch()),
    (lambda: tiny_task(2, "multi_hot", 3, to_labels=attribute_labels), lambda: batch(8, 3, torch.randint(2, (8, 6)).float())),
], ids=["one_hot", "unconditional", "multi_hot"])
def test_step_updates_both_networks_with_finite_losses(task, data):
    task = task()
    before = {name: [p.clone() for p in m.parameters()] for name, m in task.modules.items()}
    losses = task.step(*data())
    assert set(losses) == {"d", "g"} and all(math.isfinite(float(v)) for v in losses.values())
    for name, m in task.modules.items():
        assert any(not torch.equal(a, b) for a, b in zip(before[name], m.parameters())), f"{name} did not change"


def code_task(read_codes: bool, code_weight: float = 1.0) -> GANTask:
    """A tiny supervised GAN whose two codes are the glasses and beard columns as -1 / +1."""
    torch.manual_seed(0)
    config = dict(z_dim=8, width=4, n_classes=2, condition="values", channels=3, read_codes=read_codes)
    return GANTask(build_model("GAN", config), to_labels=lambda t: t[:, 2:4] * 2 - 1, grid_side=3,
                   code_weight=code_weight)


def test_a_code_reading_discriminator_adds_the_code_error_to_both_losses():
    images, targets = batch(8, 3, torch.randint(2, (8, 6)).float())
    assert set(code_task(False).step(images, targets)) == {"d", "g"}
    losses = code_task(True).step(images, targets)
    assert set(losses) == {"d", "g", "d_codes", "g_codes"} and all(float(v) > 0 for v in losses.values())
    # the same step without the code terms moves both networks differently
    with_codes, without = code_task(True), code_task(True, code_weight=0.0)
    with_codes.step(images, targets), without.step(images, targets)
    for name in ("generator", "discriminator"):
        pairs = zip(with_codes.modules[name].parameters(), without.modules[name].parameters())
        assert any(not torch.equal(a, b) for a, b in pairs), f"the code error did not reach the {name}"


def test_code_error_counts_binary_and_continuous_codes_alike():
    g = torch.Generator().manual_seed(0)
    codes = torch.stack([torch.randint(2, (4000,), generator=g) * 2.0 - 1, torch.rand(4000, generator=g)], 1)
    assert code_error(codes, codes) == 0
    assert code_error(codes.mean(0).expand_as(codes), codes).item() == pytest.approx(1.0, abs=0.01)  # the mean guess
    # ignoring the continuous code costs as much as ignoring the binary one, though its values are 12x less spread
    ignore_binary, ignore_continuous = codes.clone(), codes.clone()
    ignore_binary[:, 0], ignore_continuous[:, 1] = codes[:, 0].mean(), codes[:, 1].mean()
    assert code_error(ignore_binary, codes).item() == pytest.approx(code_error(ignore_continuous, codes).item(), abs=0.01)


def test_labels_come_from_the_chosen_columns():
    targets = torch.tensor([[0.3, 0.9, 1.0, 0.0, 0.5, 0.1]])
    assert torch.equal(tiny_task(2, "multi_hot", 3, to_labels=attribute_labels).labels(targets), torch.tensor([[1.0, 0.0]]))
    assert tiny_task(n_classes=0).labels(torch.tensor([3])) is None


def test_fit_runs_a_few_steps_and_samples_a_fixed_grid():
    task = tiny_task()
    history = fit(task, *batch(16), LoopConfig(steps=3, batch_size=8, progress=False))
    assert [h["step"] for h in history] == [0, 1, 2]
    grid = task.sample()
    assert grid.shape == (9, 1, 32, 32) and torch.equal(grid, task.sample())


def test_grid_leaves_the_generator_training_and_its_statistics_alone():
    task = tiny_task()
    stats = task.gan.generator.project[2].running_mean.clone()
    task.gan.train()
    task.sample()
    assert task.gan.generator.training and torch.equal(stats, task.gan.generator.project[2].running_mean)


@pytest.mark.parametrize("name", GAN_RECIPES)
def test_recipe_builds_its_model_and_task(name):
    r = RECIPES[name]
    gan = r.build()
    assert isinstance(gan.config, GANConfig) and isinstance(r.task(gan, steps=r.steps), GANTask)


# Targets the shipped checkpoints do not reach, each with what was measured: a strict xfail, so the test fails (and
# the entry must go) as soon as a retrained checkpoint reaches its target.
SHORT_OF_TARGET = {
    ("gan-faces", "precision"): "0.70: samples still show GAN noise and blob-like mouths (docs/experiments.md)",
    ("gan-faces", "recall"): "0.75: the samples' smiles vary less than real ones",
    ("gan-faces", "factor_spread_gap"): "0.14 for smile: the samples' mouths vary less than real ones",
    ("gan-faces-supervised", "steering"): "0.87 for smile, whose few mouth pixels the code-reading head reads worst",
}
SHIPPED_TARGETS = [pytest.param(name, metric, marks=pytest.mark.xfail(strict=True, reason=SHORT_OF_TARGET[name, metric]))
                   if (name, metric) in SHORT_OF_TARGET else (name, metric)
                   for name in TARGETED for metric in RECIPES[name].targets if metric != "train_seconds"]
MEASURED = {}


def measured(name: str) -> dict:
    """The recipe's scores of the shipped model, measured now (once per model in a test run)."""
    if name not in MEASURED:
        MEASURED[name] = RECIPES[name].score(pretrained.load(name, device="cpu"))
    return MEASURED[name]


@pytest.mark.parametrize("name, metric", SHIPPED_TARGETS)
def test_shipped_model_meets_its_target(name, metric):
    """The shipped model, scored now by its recipe, meets the recipe's target (a time depends on the machine:
    benchmarks check it)."""
    if name not in pretrained.available():
        pytest.skip(f"{name} is not shipped yet")
    op, bound = target if isinstance(target := RECIPES[name].targets[metric], tuple) else (">=", target)
    value = measured(name)[metric]
    assert (value >= bound) if op == ">=" else (value <= bound), f"{name}: {metric} = {value:.4g}, target {op} {bound}"


# ---- InfoGAN and VAE tasks ---------------------------------------------------------------------------

from gancourse.training.tasks import InfoGANTask, VAETask, gradient_penalty, random_shift  # noqa: E402


@pytest.mark.parametrize("loss", ["bce", "wgan-gp"])
def test_infogan_step_updates_both_networks(loss):
    torch.manual_seed(0)
    model = build_model("InfoGAN", {"z_dim": 4, "n_categories": 3, "n_continuous": 2, "width": 4,
                                    "norm": loss == "bce"})
    task = InfoGANTask(model, loss=loss, n_critic=2, grid_side=3)
    before = {name: [p.clone() for p in m.parameters()] for name, m in task.modules.items()}
    losses = task.step(*batch())
    assert set(losses) == {"d", "d_info", "g", "info"} and all(math.isfinite(float(v)) for v in losses.values())
    for name, m in task.modules.items():
        assert any(not torch.equal(a, b) for a, b in zip(before[name], m.parameters())), f"{name} did not change"
    assert task.sample().shape == (9, 1, 32, 32)


def test_random_shift_moves_each_image_by_whole_pixels_within_the_limit():
    torch.manual_seed(0)
    images = torch.rand(32, 2, 8, 8, requires_grad=True)
    shifted = random_shift(images, 2)
    padded = torch.nn.functional.pad(images, (2, 2, 2, 2), value=-1.0)  # every crop of it is one allowed shift
    offsets = []
    for image, frame in zip(shifted, padded):
        found = [(dy, dx) for dy in range(5) for dx in range(5) if torch.equal(image, frame[:, dy:dy + 8, dx:dx + 8])]
        assert len(found) == 1, "each image must be its own input moved by at most 2 pixels, border filled with -1"
        offsets += found
    assert len(set(offsets)) > 10  # the shifts are drawn per image, not one for the batch
    shifted.sum().backward()  # the generator learns through it: each kept pixel passes its gradient on once
    assert set(images.grad.unique().tolist()) <= {0.0, 1.0} and images.grad.sum() > 0
    assert random_shift(images, 0) is images


@pytest.mark.parametrize("shift", [-1, 1.5, True])
def test_random_shift_and_the_infogan_task_refuse_a_shift_that_is_not_whole_pixels(shift):
    with pytest.raises(ValueError, match="shift must be an int >= 0"):
        random_shift(torch.zeros(1, 1, 4, 4), shift)
    with pytest.raises(ValueError, match="shift must be an int >= 0"):
        InfoGANTask(build_model("InfoGAN", {"width": 4}), shift=shift)


@pytest.mark.parametrize("shift", [0, 3])
def test_the_infogan_discriminator_sees_real_and_generated_images_shifted(shift):
    """DiffAugment: with shift > 0 every batch the discriminator (and Q) sees in a step -- real, generated for its
    own update, generated for the generator's -- has been moved; with 0 the real batch arrives unchanged."""
    torch.manual_seed(0)
    model = build_model("InfoGAN", {"z_dim": 4, "n_categories": 3, "n_continuous": 2, "width": 4})
    task = InfoGANTask(model, shift=shift)
    seen = []
    model.discriminator.register_forward_pre_hook(lambda module, args: seen.append(args[0].detach()))
    real = torch.ones(16, 1, 32, 32)  # all white: a shift shows up as a black (-1) border
    task.step(real, torch.zeros(16))
    assert len(seen) == 3  # real, generated (discriminator step), generated (generator step)
    assert torch.equal(seen[0], real) == (shift == 0)
    if shift:
        assert (seen[0] == -1).flatten(1).any(1).float().mean() > 0.8  # most real images moved; (0, 0) is 1 in 49
        for batch_seen in seen[1:]:  # a generated image's 3-pixel frame is exactly -1 only where it was moved in
            frame = torch.cat([batch_seen[..., :3, :].flatten(1), batch_seen[..., -3:, :].flatten(1),
                               batch_seen[..., :, :3].flatten(1), batch_seen[..., :, -3:].flatten(1)], 1)
            assert (frame == -1).any(1).float().mean() > 0.8


def test_info_loss_is_small_when_q_reads_the_codes_back():
    model = build_model("InfoGAN", {"z_dim": 4, "n_categories": 3, "n_continuous": 2, "width": 4})
    task = InfoGANTask(model)
    categories, continuous = torch.tensor([0, 2]), torch.tensor([[0.5, -0.5], [0.1, 0.9]])
    right = task.info_loss(torch.tensor([[20.0, 0, 0], [0, 0, 20]]), continuous, categories, continuous)
    wrong = task.info_loss(torch.tensor([[0.0, 20, 0], [20, 0, 0]]), -continuous, categories, continuous)
    assert right < 1e-6 < 10 < wrong


def test_gradient_penalty_is_zero_for_a_critic_with_unit_gradients():
    real, fake = torch.randn(4, 1, 32, 32), torch.randn(4, 1, 32, 32)
    direction = torch.randn(1, 32, 32)
    direction = direction / direction.norm()  # critic(x) = <x, direction>: gradient norm exactly 1 everywhere
    assert gradient_penalty(lambda x: (x * direction).flatten(1).sum(1), real, fake).item() < 1e-10
    assert gradient_penalty(lambda x: 3 * (x * direction).flatten(1).sum(1), real, fake).item() == pytest.approx(4.0)


def test_infogan_task_refuses_an_unknown_loss_and_batch_norm_under_the_w_loss():
    with pytest.raises(ValueError, match="loss must be one of"):
        InfoGANTask(build_model("InfoGAN", {"width": 4}), loss="hinge")
    with pytest.raises(ValueError, match="norm=False"):
        InfoGANTask(build_model("InfoGAN", {"width": 4}), loss="wgan-gp")


def test_the_w_loss_recipe_trains_with_wgan_gp_settings():
    """infogan-digits-wgan: the W-loss, 5 critic steps, Adam (0, 0.9) at WGAN_LR, and no batch norm to break the
    per-sample gradient penalty; otherwise the BCE model's recipe, without its DiffAugment shift."""
    wgan, bce = RECIPES["infogan-digits-wgan"], RECIPES["infogan-digits"]
    assert wgan.config == {**bce.config, "norm": False} and wgan.steps == bce.steps
    task = wgan.task(build_model(wgan.model, {**wgan.config, "width": 4}), steps=wgan.steps)
    bce_task = bce.task(build_model(bce.model, {**bce.config, "width": 4}), steps=bce.steps)
    assert bce_task.loss_name == "bce" and bce_task.shift == SHIFT > 0 == task.shift
    assert task.loss_name == "wgan-gp" and task.n_critic == 5 and task.info_weight == INFO_WEIGHT
    for name in task.modules:
        group = task.optimizers[name].param_groups[0]
        assert group["betas"] == (0.0, 0.9) and group["initial_lr"] == WGAN_LR


@pytest.mark.parametrize("beta", [1.0, 4.0])
def test_vae_step_reports_both_terms_and_learns_the_batch(beta):
    torch.manual_seed(0)
    vae = build_model("VAE", {"latent_dim": 3, "width": 4, "beta": beta})
    task = VAETask(vae, steps=50)
    images = torch.rand(8, 1, 32, 32).round() * 2 - 1
    first = task.step(images, torch.zeros(8))
    for _ in range(20):
        last = task.step(images, torch.zeros(8))
    assert set(first) == {"reconstruction", "kl"}
    assert last["reconstruction"] < first["reconstruction"]  # it learns to reconstruct the batch
    assert task.sample().shape == (64, 1, 32, 32)


@pytest.mark.xfail(strict=True, reason="beta 4 does not disentangle these sprites in 10,000 steps: MIG 0.007 against "
                                        "beta 1's 0.028 (docs/experiments.md, the beta sweep)")
def test_shipped_betavae_beats_the_vae_on_mig():
    """The lecture's claim, measured now on the shipped models."""
    if not {"vae-sprites", "betavae-sprites"} <= set(pretrained.available()):
        pytest.skip("vae-sprites and betavae-sprites are not both shipped yet")
    assert measured("betavae-sprites")["mig"] > measured("vae-sprites")["mig"]

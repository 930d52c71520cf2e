"""The shared training loop: determinism, exact resume (after a kill or Ctrl-C), NaN guard, batches."""
import os
import signal

import pytest
import torch
from torch import nn

from gancourse.training import LoopConfig, TrainingDiverged, TrainingInterrupted, batch_indices, fit


class Regression:
    """A tiny task: fit a linear map with noise in the loss, so RNG state matters for resume."""

    def __init__(self, lr=0.05):
        torch.manual_seed(0)
        self.net = nn.Linear(4, 1)
        self.modules = {"net": self.net}
        self.optimizers = {"net": torch.optim.Adam(self.net.parameters(), lr=lr)}

    def step(self, images, targets):
        x = images.flatten(1) + 0.01 * torch.randn(len(images), 4)
        loss = ((self.net(x).squeeze(1) - targets) ** 2).mean()
        self.optimizers["net"].zero_grad()
        loss.backward()
        self.optimizers["net"].step()
        return {"mse": loss}

    def sample(self):
        return torch.zeros(4, 1, 2, 2)


def data():
    g = torch.Generator().manual_seed(1)
    images = torch.randn(100, 1, 2, 2, generator=g)
    return images, images.flatten(1).sum(1)


def test_same_seed_same_weights():
    a, b = Regression(), Regression()
    fit(a, *data(), LoopConfig(steps=30, batch_size=16, progress=False))
    fit(b, *data(), LoopConfig(steps=30, batch_size=16, progress=False))
    assert torch.equal(a.net.weight, b.net.weight)


def test_interrupted_run_resumes_exactly(tmp_path):
    straight = Regression()
    fit(straight, *data(), LoopConfig(steps=40, batch_size=16, progress=False))

    first = Regression()
    config = LoopConfig(steps=40, batch_size=16, checkpoint_every=10, out_dir=str(tmp_path), progress=False)
    with pytest.raises(KeyboardInterrupt):
        fit(Interrupting(first, at=25), *data(), config)  # dies mid-run; last checkpoint at step 20
    resumed = Regression()
    history = fit(resumed, *data(), config)
    assert history[0]["step"] == 0 and history[-1]["step"] == 39 and len(history) == 40
    assert torch.allclose(resumed.net.weight, straight.net.weight)


class Interrupting(Regression):
    def __init__(self, inner, at):
        self.inner, self.at, self.calls = inner, at, 0
        self.modules, self.optimizers = inner.modules, inner.optimizers

    def step(self, images, targets):
        self.calls += 1
        if self.calls > self.at:
            raise KeyboardInterrupt
        return self.inner.step(images, targets)


def test_nan_loss_stops_naming_step_and_loss():
    task = Regression(lr=1e30)  # diverges quickly
    with pytest.raises(TrainingDiverged, match=r"step \d+: loss 'mse' is (nan|inf)"):
        fit(task, *data(), LoopConfig(steps=200, batch_size=16, progress=False))


def test_sample_grids_are_written(tmp_path):
    fit(Regression(), *data(), LoopConfig(steps=10, batch_size=16, sample_every=5, out_dir=str(tmp_path), progress=False))
    assert sorted(p.name for p in (tmp_path / "samples").iterdir()) == ["step_000005.png", "step_000010.png"]


def test_batches_cover_an_epoch_and_depend_only_on_seed_and_step():
    epoch = torch.cat([batch_indices(k, 100, 10, seed=3) for k in range(10)])
    assert sorted(epoch.tolist()) == list(range(100))
    assert torch.equal(batch_indices(7, 100, 10, 3), batch_indices(7, 100, 10, 3))
    assert not torch.equal(batch_indices(7, 100, 10, 3), batch_indices(7, 100, 10, 4))


def test_mismatched_data_is_refused():
    with pytest.raises(ValueError, match="100 images but 3 targets"):
        fit(Regression(), data()[0], torch.zeros(3), LoopConfig(steps=1, progress=False))


class CtrlC(Regression):
    """Presses Ctrl-C (SIGINT to this process) during step `at`, as a learner would."""

    def __init__(self, inner, at):
        self.inner, self.at, self.calls = inner, at, 0
        self.modules, self.optimizers = inner.modules, inner.optimizers

    def step(self, images, targets):
        self.calls += 1
        if self.calls == self.at:
            os.kill(os.getpid(), signal.SIGINT)
        return self.inner.step(images, targets)


def test_ctrl_c_finishes_the_step_saves_and_resumes_exactly(tmp_path):
    straight = Regression()
    fit(straight, *data(), LoopConfig(steps=40, batch_size=16, progress=False))

    config = LoopConfig(steps=40, batch_size=16, checkpoint_every=10, out_dir=str(tmp_path), progress=False)
    before = signal.getsignal(signal.SIGINT)  # default_int_handler in a terminal; SIG_IGN in a background job
    with pytest.raises(TrainingInterrupted, match="interrupted at step 13") as stopped:
        fit(CtrlC(Regression(), at=13), *data(), config)  # Ctrl-C inside step 13: it finishes, then saves
    assert stopped.value.step == 13 and stopped.value.saved
    assert signal.getsignal(signal.SIGINT) is before  # Ctrl-C works as it did before training
    resumed = Regression()
    history = fit(resumed, *data(), config)
    assert len(history) == 40 and torch.equal(resumed.net.weight, straight.net.weight)


def test_ctrl_c_without_an_out_dir_says_nothing_was_saved():
    with pytest.raises(TrainingInterrupted, match="nothing was saved"):
        fit(CtrlC(Regression(), at=2), *data(), LoopConfig(steps=10, batch_size=16, progress=False))


@pytest.mark.parametrize("steps", [-1, 2.5, True])
def test_steps_must_be_a_whole_number(steps):
    with pytest.raises(ValueError, match="steps must be an integer >= 0"):
        fit(Regression(), *data(), LoopConfig(steps=steps, progress=False))

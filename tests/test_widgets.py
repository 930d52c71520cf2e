"""Widgets, driven headlessly: set a control's value and check the view redrew."""
import pytest
import torch

from gancourse.models import DigitJudge
from gancourse.models.cgan import GAN, GANConfig
from gancourse.widgets import class_blend_view, class_explorer, to_png


@pytest.fixture(scope="module")
def gan_and_judge():
    torch.manual_seed(0)
    return GAN(GANConfig()).eval(), DigitJudge().eval()


def test_view_is_pure_and_blends_conditions(gan_and_judge):
    gan, judge = gan_and_judge
    a, read_a = class_blend_view(gan, judge, seed=3, class_a=2, class_b=7, blend=0.0)
    again, _ = class_blend_view(gan, judge, seed=3, class_a=2, class_b=7, blend=0.0)
    b, _ = class_blend_view(gan, judge, seed=3, class_a=7, class_b=2, blend=1.0)
    assert a.shape == (1, 1, 32, 32) and torch.equal(a, again) and torch.allclose(a, b)
    assert set(read_a) == {str(c) for c in range(10)} and abs(sum(read_a.values()) - 1) < 1e-5


def test_explorer_redraws_when_a_slider_moves(gan_and_judge):
    explorer = class_explorer(*gan_and_judge)
    before = explorer.image_widget.value
    explorer.controls["blend"].value = 1.0
    assert explorer.image_widget.value != before
    assert explorer.image_widget.value == to_png(explorer.image[0], explorer.scale)
    assert "P(class)" in explorer.readout_widget.value


def test_explorer_needs_a_class_conditional_gan():
    with pytest.raises(ValueError, match="one-hot classes"):
        class_explorer(GAN(GANConfig(n_classes=0)), DigitJudge())


# ---- the latent explorer: one slider per direction in z ----------------------------------------------

from gancourse.models import FaceJudge  # noqa: E402
from gancourse.widgets import latent_explorer, latent_view, time_updates  # noqa: E402


@pytest.fixture(scope="module")
def face_models():
    torch.manual_seed(0)
    gan = GAN(GANConfig(n_classes=0, channels=3, z_dim=4, width=8)).eval()
    directions = {"smile": torch.tensor([1.0, 0, 0, 0]), "beard": torch.tensor([0, 0.0, 1, 1]) / 2 ** 0.5}
    return gan.generate, FaceJudge().eval(), directions


def test_latent_view_moves_along_the_directions(face_models):
    generate, judge, directions = face_models
    z0 = torch.randn(4)
    image, readout = latent_view(generate, judge, z0, directions, smile=2.0, beard=0.0)
    assert image.shape == (1, 3, 32, 32) and set(readout) == set(judge.factor_names)
    assert torch.equal(image, generate(z0[None] + 2 * directions["smile"]))
    with pytest.raises(ValueError, match="one amount per direction"):
        latent_view(generate, judge, z0, directions, smile=1.0)


def test_latent_explorer_sliders_reset_and_seed(face_models):
    explorer = latent_explorer(*face_models, seed=3)
    assert set(explorer.controls) == {"seed", "smile", "beard"}
    original, picture = explorer.image, explorer.image_widget.value
    explorer.controls["smile"].value = 2.5
    assert not torch.equal(explorer.image, original) and explorer.image_widget.value != picture
    explorer.controls["beard"].value = -1.0
    explorer.buttons["reset"].click()
    assert explorer.values() == {"seed": 3, "smile": 0.0, "beard": 0.0}
    assert torch.equal(explorer.image, original) and explorer.image_widget.value == picture
    explorer.controls["seed"].value = 4
    assert not torch.equal(explorer.image, original)


def test_explorer_set_redraws_once(face_models):
    explorer = latent_explorer(*face_models)
    calls = []
    view = explorer.view
    explorer.view = lambda **values: calls.append(values) or view(**values)
    explorer.set(smile=1.0, beard=1.0, seed=7)
    assert calls == [{"seed": 7, "smile": 1.0, "beard": 1.0}]
    with pytest.raises(KeyError, match="no controls named"):
        explorer.set(nose=1.0)


def test_time_updates_measures_and_restores_the_sliders(face_models):
    explorer = latent_explorer(*face_models)
    before = explorer.values()
    assert 0 < time_updates(explorer, k=3) < 1.0
    assert explorer.values() == before


def test_latent_explorer_rejects_bad_directions(face_models):
    generate, judge, _ = face_models
    with pytest.raises(ValueError, match="non-empty dict"):
        latent_explorer(generate, judge, {})
    with pytest.raises(ValueError, match=r"shape \(4,\)"):
        latent_explorer(generate, judge, {"smile": torch.ones(4), "beard": torch.ones(5)})


# ---- the traversal explorer: one slider per code index --------------------------------------------------

from gancourse.widgets import Readout, traversal_explorer  # noqa: E402


def test_traversal_moves_only_its_own_coordinate():
    seen = []

    def generate(v):
        seen.append(v.clone())
        return v[:, :3].reshape(1, 3, 1, 1).expand(1, 3, 32, 32)

    judge = Readout(lambda images: images[:, :, 0, 0], ["a", "b", "c"])
    explorer = traversal_explorer(generate, judge, 5, {"first": 0, "third": 2}, start=lambda seed: torch.zeros(5))
    explorer.set(third=0.5)
    assert torch.equal(seen[-1], torch.tensor([[0.0, 0.0, 0.5, 0.0, 0.0]]))
    assert explorer.readout == {"a": 0.0, "b": 0.0, "c": 0.5}
    explorer.buttons["reset"].click()
    assert torch.equal(seen[-1], torch.zeros(1, 5))


def test_traversal_explains_bad_indices():
    judge = Readout(lambda images: images[:, :, 0, 0], ["a"])
    with pytest.raises(ValueError, match=r"ints in \[0, 5\)"):
        traversal_explorer(lambda v: v, judge, 5, {"x": 5})
    with pytest.raises(ValueError, match="non-empty dict"):
        traversal_explorer(lambda v: v, judge, 5, {})

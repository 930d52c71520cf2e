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

"""The package's pictures: the image grid every figure uses, and notebook 05's StyleGAN pictures."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from gancourse import plotting  # noqa: E402
from gancourse.models.stylegan import StyleGAN, StyleGANConfig  # noqa: E402


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    model = StyleGAN(StyleGANConfig(z_dim=8, w_dim=8, widths=(8, 8, 4, 4), d_width=4)).eval()
    with torch.no_grad():
        for i, block in enumerate(model.average.synthesis.blocks):
            block.inject_noise.weight.fill_(0.1 * i)
    return model


def test_layout_draws_every_layer_with_its_w_and_noise(model):
    ax = plotting.show_layout(model)
    texts = [t.get_text() for t in ax.texts]
    assert [t for t in texts if t.startswith("w[")] == [f"w[{i}]" for i in range(8)]
    assert "noise 0.700" in texts and "noise 0.000" in texts
    assert any("32x32, 4 ch" in t for t in texts) and "8 x 4x4" in texts
    assert ax.get_title()
    plt.close("all")


def test_mixing_grid_has_a_band_per_crossover(model):
    z1, z2 = torch.randn(2, 8), torch.randn(3, 8)
    ax = plotting.show_mixing_grid(model, z1, z2, {"coarse": 2, "fine": 6}, title="mixing")
    picture = ax.get_images()[0].get_array()
    assert picture.shape[:2] == (5 * 33 + 1, 4 * 33 + 1)  # 1 + 2 x 2 rows, 1 + 3 columns of 32 px and 1 px gaps
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["w2 →", "coarse (c=2)", "", "fine (c=6)", ""]
    # the top-left cell is blank; the first row's other cells are w2's faces
    with torch.no_grad():
        second = model.synthesize(model.mapping(z2), "fixed")[0]
    assert picture[1:33, 1:33].min() == 1.0
    assert torch.allclose(torch.as_tensor(picture[1:33, 34:66]), (second.permute(1, 2, 0).clamp(-1, 1) + 1) / 2,
                          atol=1e-6)
    plt.close("all")


def test_channel_stats_plot_has_a_line_per_stage():
    stages = {"before": torch.randn(1, 5, 4, 4) * 3 + 1, "after": torch.randn(1, 5, 4, 4)}
    mean_ax, std_ax = plotting.show_channel_stats(stages, title="AdaIN")
    assert len(mean_ax.lines) == len(std_ax.lines) == 2
    assert mean_ax.get_xlabel() == "channel" and "mean" in mean_ax.get_ylabel() and "AdaIN" in std_ax.get_title()
    plt.close("all")


@pytest.mark.parametrize("shape, nrow, pad", [((7, 1, 8, 8), 3, 1), ((16, 3, 32, 32), 8, 1), ((1, 3, 5, 5), 4, 1),
                                              ((10, 1, 32, 32), 10, 2), ((3, 3, 4, 4), 8, 1)])
def test_to_rgb_lays_out_images_as_torchvisions_make_grid(shape, nrow, pad):
    from torchvision.utils import make_grid

    images = torch.rand(shape, generator=torch.Generator().manual_seed(0)) * 2 - 1
    expected = make_grid(images * 0.5 + 0.5, nrow=nrow, padding=pad, pad_value=1.0).permute(1, 2, 0)
    assert torch.equal(plotting.to_rgb(images, nrow, pad), expected)


def test_the_notebooks_imports_leave_torchvision_unloaded():
    # torchvision takes seconds to import (every notebook and test process would pay them); only the real-dataset
    # loaders and training's sample grids need it, and they import it when called
    import subprocess
    import sys

    code = ("import sys, gancourse, gancourse.plotting, gancourse.widgets, gancourse.data; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('torchvision', 'sklearn') "
            "and m.startswith(('torchvision', 'sklearn.datasets'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]", f"imported at start-up: {out.strip()[:200]}"

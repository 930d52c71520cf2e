"""The StyleGAN pictures of notebook 05, drawn from a small untrained model."""
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

"""Widgets, driven headlessly: set a control's value and check the view redrew."""
import numpy as np
import pytest
import torch

from gancourse.models import DigitJudge
from gancourse.models.cgan import GAN, GANConfig
from gancourse.widgets import class_blend_view, class_explorer, readout_html, to_png


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
    image, readout = latent_view(generate, judge, z0, directions, {"smile": 2.0, "beard": 0.0})
    assert image.shape == (1, 3, 32, 32) and set(readout) == set(judge.factor_names)
    assert torch.equal(image, generate(z0[None] + 2 * directions["smile"]))
    with pytest.raises(ValueError, match="one amount per direction"):
        latent_view(generate, judge, z0, directions, {"smile": 1.0})
    with pytest.raises(TypeError, match="amounts as one mapping"):
        latent_view(generate, judge, z0, directions, [("smile", 1.0), ("beard", 0.0)])
    with pytest.raises(ValueError, match="every amount must be a finite number"):
        latent_view(generate, judge, z0, directions, {"smile": float("nan"), "beard": 0.0})


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
    explorer.view = lambda values: calls.append(values) or view(values)
    explorer.set(smile=1.0, beard=1.0, seed=7)
    explorer.set({"smile": 0.5, "seed": 8})
    assert calls == [{"seed": 7, "smile": 1.0, "beard": 1.0}, {"seed": 8, "smile": 0.5, "beard": 1.0}]
    with pytest.raises(KeyError, match="no controls named"):
        explorer.set(nose=1.0)


def test_time_updates_never_moves_the_displayed_controls(face_models):
    # In a browser, every value set from Python came back snapped to the slider's grid after the cell had
    # finished, undoing the restore: time_updates must leave the controls and the picture alone.
    explorer = latent_explorer(*face_models, seed=5)
    explorer.set(smile=0.7)
    values, picture, readout = explorer.values(), explorer.image_widget.value, explorer.readout_widget.value
    changes = []
    for widget in [*explorer.controls.values(), explorer.image_widget, explorer.readout_widget]:
        widget.observe(changes.append, names="value")
    assert 0 < time_updates(explorer, k=np.int64(3)) < 1.0
    assert changes == [] and explorer.values() == values
    assert explorer.image_widget.value == picture and explorer.readout_widget.value == readout


def test_time_updates_draws_values_on_the_sliders_grid(face_models):
    explorer = latent_explorer(*face_models, limit=2.0)
    seen = []
    view = explorer.view
    explorer.view = lambda values: seen.append(values) or view(values)
    time_updates(explorer, k=20)
    assert len(seen) == 20 and len({tuple(v.values()) for v in seen}) > 1
    for values in seen:
        for name, value in values.items():
            slider = explorer.controls[name]
            stops = (value - slider.min) / slider.step
            assert slider.min <= value <= slider.max and abs(stops - round(stops)) < 1e-6, (name, value)


def test_time_updates_explains_bad_input(face_models):
    explorer = latent_explorer(*face_models)
    for k in (0, True, 2.0):
        with pytest.raises(ValueError, match="k must be a positive int"):
            time_updates(explorer, k=k)
    with pytest.raises(ValueError, match="time_updates: seed must be an int"):
        time_updates(explorer, k=1, seed=-1)
    assert time_updates(explorer, k=1, seed=np.int64(3)) > 0


def test_latent_explorer_rejects_bad_directions(face_models):
    generate, judge, _ = face_models
    with pytest.raises(ValueError, match="non-empty dict"):
        latent_explorer(generate, judge, {})
    with pytest.raises(ValueError, match=r"shape \(4,\)"):
        latent_explorer(generate, judge, {"smile": torch.ones(4), "beard": torch.ones(5)})
    with pytest.raises(ValueError, match="may not be called 'seed'"):
        latent_explorer(generate, judge, {"seed": torch.ones(4)})


@pytest.mark.parametrize("limit", [-1, 0, float("nan"), float("inf"), "3", True])
def test_latent_explorer_explains_a_bad_limit(face_models, limit):
    with pytest.raises(ValueError, match="limit must be a finite number > 0"):
        latent_explorer(*face_models, limit=limit)


@pytest.mark.parametrize("seed", [-1, 1000, 2.0, True])
def test_latent_explorer_explains_a_bad_seed(face_models, seed):
    with pytest.raises(ValueError, match=r"seed must be an int in \[0, 999\]"):
        latent_explorer(*face_models, seed=seed)


def test_latent_explorer_takes_numpy_numbers(face_models):
    explorer = latent_explorer(*face_models, seed=np.int64(3), limit=np.float32(2.0))
    assert explorer.values()["seed"] == 3 and explorer.controls["smile"].max == 2.0


@pytest.mark.parametrize("name", ["z0", "generate", "judge", "directions", "amounts", "values", "self"])
def test_a_slider_may_have_any_name(face_models, name):
    # the view's own argument names once collided with the slider amounts: "got multiple values for argument"
    generate, judge, directions = face_models
    explorer = latent_explorer(generate, judge, {name: directions["smile"], "beard": directions["beard"]}, seed=2)
    start = explorer.image
    explorer.set(**{name: 1.5})
    explorer.set({name: 2.0})
    z0 = torch.randn(4, generator=torch.Generator().manual_seed(2))
    assert torch.equal(explorer.image, generate(z0[None] + 2.0 * directions["smile"]))
    explorer.buttons["reset"].click()
    assert torch.equal(explorer.image, start)


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


def test_readout_names_are_escaped():
    judge = Readout(lambda images: images[:, :2, 0, 0] * 0 + 0.5, ["<img src=x onerror=alert(1)>", "a & b"])
    explorer = traversal_explorer(lambda v: torch.zeros(1, 3, 32, 32), judge, 2, {"<b>x</b>": 0},
                                  start=lambda seed: torch.zeros(2))
    page = explorer.readout_widget.value
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page and "a &amp; b" in page
    assert "<script>" not in readout_html({"x": 0.5}, "<script>")


def test_traversal_takes_numpy_indices_and_refuses_bools():
    judge = Readout(lambda images: images[:, :1, 0, 0], ["a"])
    explorer = traversal_explorer(lambda v: v[:, :3].reshape(1, 3, 1, 1).expand(1, 3, 32, 32), judge, np.int64(3),
                                  {"x": np.int64(1)}, start=lambda seed: torch.zeros(3))
    assert set(explorer.controls) == {"seed", "x"}
    with pytest.raises(ValueError, match=r"ints in \[0, 3\)"):
        traversal_explorer(lambda v: v, judge, 3, {"x": True})
    with pytest.raises(TypeError, match="dim must be an int"):
        traversal_explorer(lambda v: v, judge, 3.0, {"x": 0})


# ---- what a page without widget support shows: a still of the first view ---------------------------------

import base64  # noqa: E402
import io  # noqa: E402

from PIL import Image  # noqa: E402


def test_an_explorer_displays_as_the_widget_a_still_and_a_summary(face_models):
    explorer = latent_explorer(*face_models, seed=4)
    explorer.set(smile=1.5)
    bundle = explorer._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == explorer.widget.model_id
    still = Image.open(io.BytesIO(base64.b64decode(bundle["image/png"])))
    assert still.width > 32 * explorer.scale and still.height > 32 * explorer.scale
    # the still shows the image the widget shows, at its top left
    shown = np.asarray(still.convert("RGB"))[4:4 + 160, 4:4 + 160]
    assert np.array_equal(shown, np.asarray(Image.open(io.BytesIO(explorer.image_widget.value)).convert("RGB")))
    text = bundle["text/plain"]
    assert "seed=4" in text and "smile=1.50" in text and "judge reads" in text and "HBox" not in text
    for name, value in explorer.readout.items():
        assert f"{name}={value:.2f}" in text


def test_ipython_shows_the_still_where_widgets_cannot_run(face_models):
    from IPython.core.formatters import DisplayFormatter

    data, _ = DisplayFormatter().format(latent_explorer(*face_models))
    assert {"image/png", "text/plain", "application/vnd.jupyter.widget-view+json"} <= set(data)
    assert data["text/plain"].startswith("Explorer")


def test_a_closed_explorer_still_shows_its_picture(face_models):
    explorer = latent_explorer(*face_models)
    explorer.widget.close()
    assert set(explorer._repr_mimebundle_()) == {"image/png", "text/plain"}


# ---- the face factor explorer: the dataset's own factors, drawn directly -----------------------------------

from gancourse.data import FACE_FACTORS, render_faces  # noqa: E402
from gancourse.widgets import FACE_START, face_factor_explorer, face_factor_view  # noqa: E402


def test_face_factor_view_draws_the_values():
    values = dict(FACE_START, glasses=1.0, smile=0.9)
    image, readout = face_factor_view(values)
    expected = render_faces(torch.tensor([[values[f.name] for f in FACE_FACTORS]]), size=64)
    assert image.shape == (1, 3, 64, 64) and torch.equal(image, expected)
    assert readout == values and list(readout) == [f.name for f in FACE_FACTORS]


def test_face_factor_explorer_has_one_slider_per_factor_and_redraws():
    explorer = face_factor_explorer(glasses=1.0, smile=np.float64(0.9))
    assert list(explorer.controls) == [f.name for f in FACE_FACTORS]
    assert explorer.values() == dict(FACE_START, glasses=1.0, smile=0.9)
    for slider in explorer.controls.values():
        assert (slider.min, slider.max, slider.step) == (0.0, 1.0, 0.05)
    picture = explorer.image_widget.value
    assert bytes(picture).startswith(b"\x89PNG") and picture == to_png(explorer.image[0], explorer.scale)
    explorer.controls["beard"].value = 1.0
    assert explorer.image_widget.value != picture and explorer.readout["beard"] == 1.0
    assert torch.equal(explorer.image, face_factor_view(explorer.values())[0])
    assert "factor values" in explorer.readout_widget.value and "beard" in explorer._repr_mimebundle_()["text/plain"]


def test_face_factor_explorer_starts_from_a_plain_face():
    assert face_factor_explorer().values() == FACE_START


@pytest.mark.parametrize("initial, error, match", [
    ({"nose": 0.5}, TypeError, r"no face factor named \['nose'\]; the factors are hair_color"),
    ({"smile": 1.5}, ValueError, r"smile must be a number in \[0, 1\], got 1.5"),
    ({"smile": float("nan")}, ValueError, "smile must be a number in"),
    ({"smile": "0.5"}, ValueError, "smile must be a number in"),
    ({"glasses": True}, ValueError, "glasses must be a number in"),
    ({"smile": 0.33}, ValueError, r"smile=0.33 is not on the sliders' 0.05 grid.*use 0.35"),
])
def test_face_factor_explorer_explains_bad_starting_values(initial, error, match):
    with pytest.raises(error, match=match):
        face_factor_explorer(**initial)


def test_face_factor_explorer_can_be_timed_without_moving():
    explorer = face_factor_explorer()
    assert 0 < time_updates(explorer, k=3) < 1.0 and explorer.values() == FACE_START


# ---- StyleGAN: the style-mixing and truncation explorers ------------------------------------------------

from gancourse.models.stylegan import StyleGAN, StyleGANConfig, mixed_ws  # noqa: E402
from gancourse.widgets import (style_mixing_explorer, style_mixing_view, truncation_explorer,  # noqa: E402
                               truncation_view)


@pytest.fixture(scope="module")
def style_models():
    torch.manual_seed(0)
    model = StyleGAN(StyleGANConfig(z_dim=8, w_dim=8, widths=(8, 8, 4, 4), d_width=4)).eval()
    with torch.no_grad():  # a trained model has noise and a w_avg away from 0: give the stand-in both
        for block in model.average.synthesis.blocks:
            block.inject_noise.weight.fill_(0.5)
        model.average.w_avg.normal_()
    return model, FaceJudge().eval()


def faces_of(strip_image):
    """The three 32x32 faces of a view's strip (1, C, 32, 3 * 32 + 2), the white gaps dropped."""
    return [strip_image[0, :, :, i * 33:i * 33 + 32] for i in range(3)]


def test_style_mixing_view_shows_w1_the_mix_and_w2(style_models):
    model, judge = style_models
    image, readout = style_mixing_view(model, judge, seed_1=3, seed_2=5, crossover=4)
    assert image.shape == (1, 3, 32, 98) and torch.equal(image[0, :, :, 32], torch.ones(3, 32))
    first, mix, second = faces_of(image)
    z1, z2 = (torch.randn(1, 8, generator=torch.Generator().manual_seed(s)) for s in (3, 5))
    w1, w2 = model.mapping(z1), model.mapping(z2)
    with torch.no_grad():
        assert torch.allclose(first, model.synthesize(w1, "fixed")[0], atol=1e-6)
        assert torch.allclose(second, model.synthesize(w2, "fixed")[0], atol=1e-6)
        assert torch.allclose(mix, model.synthesize(mixed_ws(w1, w2, 4, 8), "fixed")[0], atol=1e-6)
        assert readout == pytest.approx(dict(zip(judge.factor_names, judge.read(mix[None])[0].tolist())), abs=1e-6)
    assert not torch.allclose(mix, first) and not torch.allclose(mix, second)
    # crossover 0: every layer takes w2; crossover 8: every layer takes w1
    assert torch.allclose(faces_of(style_mixing_view(model, judge, seed_1=3, seed_2=5, crossover=0)[0])[1], second)
    assert torch.allclose(faces_of(style_mixing_view(model, judge, seed_1=3, seed_2=5, crossover=8)[0])[1], first)
    again, _ = style_mixing_view(model, judge, seed_1=3, seed_2=5, crossover=4)
    assert torch.equal(image, again)


def test_style_mixing_explorer_redraws_and_can_be_timed(style_models):
    explorer = style_mixing_explorer(*style_models, seed_1=3, seed_2=5)
    assert explorer.values() == {"seed_1": 3, "seed_2": 5, "crossover": 4}
    assert explorer.controls["crossover"].max == 8
    picture = explorer.image_widget.value
    explorer.controls["crossover"].value = 6
    assert explorer.image_widget.value != picture
    # the explorer draws on one thread: the same image up to the order of float additions
    assert torch.allclose(explorer.image, style_mixing_view(*style_models, seed_1=3, seed_2=5, crossover=6)[0], atol=1e-6)
    assert "judge reads the mix" in explorer.readout_widget.value
    assert 0 < time_updates(explorer, k=3) < 1.0 and explorer.values()["crossover"] == 6


def test_truncation_view_runs_from_the_face_to_the_average(style_models):
    model, judge = style_models
    full, _ = truncation_view(model, judge, seed=7, psi=1.0)
    first, middle, average = faces_of(full)
    assert torch.equal(first, middle)
    with torch.no_grad():
        assert torch.allclose(average, model.synthesize(model.w_avg[None], "fixed")[0], atol=1e-6)
    assert torch.allclose(faces_of(truncation_view(model, judge, seed=7, psi=0.0)[0])[1], average, atol=1e-6)
    half, readout = truncation_view(model, judge, seed=7, psi=0.5)
    assert not torch.allclose(faces_of(half)[1], first) and set(readout) == set(judge.factor_names)
    explorer = truncation_explorer(model, judge, seed=7)
    assert explorer.values() == {"seed": 7, "psi": 0.7}
    explorer.set(psi=0.5)
    assert torch.allclose(explorer.image, half, atol=1e-6)


@pytest.mark.parametrize("make, error, match", [
    (lambda m, j: style_mixing_explorer(GAN(GANConfig(n_classes=0, channels=3)), j), TypeError, "needs a StyleGAN"),
    (lambda m, j: style_mixing_explorer(m, j, seed_1=1000), ValueError, r"seed_1 must be an int in \[0, 999\]"),
    (lambda m, j: style_mixing_explorer(m, j, crossover=9), ValueError, r"crossover must be an int in \[0, 8\]"),
    (lambda m, j: truncation_explorer(m, j, psi=1.5), ValueError, r"psi must be a number in \[0, 1\]"),
    (lambda m, j: truncation_explorer(m, FaceJudge()), ValueError, "judge is in training mode"),
])
def test_style_explorers_explain_bad_input(style_models, make, error, match):
    with pytest.raises(error, match=match):
        make(*style_models)

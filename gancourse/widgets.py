"""Sliders that redraw a generated image as you drag, with a judge's read-out beside it.

Every explorer is a pure function `view(**control_values) -> (image (1, C, H, W), readout {name: value})`
plus `Explorer`, which lays out the controls, calls the view on every change and shows the result.
The view is tested on its own; the explorer is tested headlessly by setting its controls' values.
"""
from __future__ import annotations

import io
from typing import Callable

import ipywidgets as widgets
import torch
from PIL import Image

from .latent import lerp


def to_png(image: torch.Tensor, scale: int = 5) -> bytes:
    """One image (C, H, W) in [-1, 1] -> PNG bytes, enlarged `scale` times with sharp pixels."""
    pixels = ((image.detach().cpu().clamp(-1, 1) * 0.5 + 0.5) * 255).round().byte().permute(1, 2, 0).numpy()
    picture = Image.fromarray(pixels[..., 0] if pixels.shape[2] == 1 else pixels)
    picture = picture.resize((picture.width * scale, picture.height * scale), Image.NEAREST)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()


def readout_html(readout: dict[str, float], title: str) -> str:
    """A small table of values in [0, 1] with a bar each."""
    rows = "".join(
        f"<tr><td style='padding-right:8px'>{name}</td><td style='width:120px'>"
        f"<div style='background:#4a7bd0;height:10px;width:{100 * max(0.0, min(1.0, value)):.0f}%'></div></td>"
        f"<td style='padding-left:6px;font-family:monospace'>{value:.2f}</td></tr>" for name, value in readout.items())
    return f"<b>{title}</b><table>{rows}</table>"


class Explorer:
    """Controls on the left; on the right the image and the read-out, redrawn on every change."""

    def __init__(self, view: Callable, controls: dict[str, widgets.ValueWidget], *, readout_title: str = "judge reads",
                 scale: int = 5, extra: list[widgets.Widget] = ()):
        self.view, self.controls, self.readout_title, self.scale = view, controls, readout_title, scale
        self.image_widget = widgets.Image(format="png")
        self.readout_widget = widgets.HTML()
        for control in controls.values():
            control.observe(lambda change: self.update(), names="value")
        self.widget = widgets.HBox([widgets.VBox([*controls.values(), *extra]),
                                    widgets.VBox([self.image_widget, self.readout_widget])])
        self.update()

    def values(self) -> dict:
        return {name: control.value for name, control in self.controls.items()}

    def update(self) -> None:
        self.image, self.readout = self.view(**self.values())
        self.image_widget.value = to_png(self.image[0], self.scale)
        self.readout_widget.value = readout_html(self.readout, self.readout_title)

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


# ---- conditional generation: pick a class and a seed, blend class A into class B --------------------

@torch.no_grad()
def class_blend_view(gan, judge, *, seed: int, class_a: int, class_b: int, blend: float):
    """The image of noise `seed` under the condition (1 - blend) one_hot(a) + blend one_hot(b).

    Returns (image (1, C, 32, 32), {class name: judge probability}).
    """
    n = gan.config.n_classes
    z = torch.randn(1, gan.config.z_dim, generator=torch.Generator().manual_seed(int(seed)))
    eye = torch.eye(n)
    condition = lerp(eye[class_a], eye[class_b], blend)  # (1, n_classes)
    image = gan.generator(z.to(gan.device), condition.to(gan.device)).cpu()
    probabilities = torch.softmax(judge(image.to(next(judge.parameters()).device)), dim=1)[0].cpu()
    return image, {str(c): p.item() for c, p in enumerate(probabilities)}


def class_explorer(gan, judge) -> Explorer:
    """Widget: choose the seed, class A, class B and how far to blend A into B; the judge's class probabilities beside."""
    n = gan.config.n_classes
    if gan.config.n_classes == 0 or gan.config.condition != "one_hot":
        raise ValueError("class_explorer needs a GAN conditioned on one-hot classes (config.condition == 'one_hot')")
    controls = {
        "seed": widgets.IntSlider(value=0, min=0, max=999, description="seed"),
        "class_a": widgets.Dropdown(options=list(range(n)), value=0, description="class A"),
        "class_b": widgets.Dropdown(options=list(range(n)), value=1 % n, description="class B"),
        "blend": widgets.FloatSlider(value=0.0, min=0.0, max=1.0, step=0.05, description="A → B"),
    }
    return Explorer(lambda **v: class_blend_view(gan, judge, **v), controls, readout_title="judge: P(class)")

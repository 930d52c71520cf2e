"""Sliders that redraw a generated image as you drag, with a judge's read-out beside it.

Every explorer is a pure function `view(**control_values) -> (image (1, C, H, W), readout {name: value})`
plus `Explorer`, which lays out the controls, calls the view on every change and shows the result.
The view is tested on its own; the explorer is tested headlessly by setting its controls' values.
"""
from __future__ import annotations

import io
import random
import statistics
import time
from contextlib import contextmanager
from typing import Callable

import ipywidgets as widgets
import torch
from PIL import Image

from .latent import check_directions, check_frozen, lerp


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


@contextmanager
def single_thread():
    """Run torch on one CPU thread inside the block. One image is too little work to share: on a busy CPU the
    threads wait for each other (a 32x32 DCGAN + judge update: ~5 ms on one thread, 20-300 ms on two, measured
    on a 2-core machine running a training job)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


class Explorer:
    """Controls on the left; on the right the image and the read-out, redrawn on every change.

    actions: buttons under the controls, name -> what a click does to the explorer (e.g. reset the sliders);
    they are `explorer.buttons[name]`, so a test can `.click()` them. `set(**values)` moves several controls
    with a single redraw.
    """

    def __init__(self, view: Callable, controls: dict[str, widgets.ValueWidget], *, readout_title: str = "judge reads",
                 scale: int = 5, actions: dict[str, Callable] | None = None):
        self.view, self.controls, self.readout_title, self.scale = view, controls, readout_title, scale
        self.image_widget = widgets.Image(format="png")
        self.readout_widget = widgets.HTML()
        self.holding = False  # True while set() changes several controls: they redraw once, at the end
        for control in controls.values():
            control.observe(lambda change: self.holding or self.update(), names="value")
        self.buttons = {name: widgets.Button(description=name) for name in actions or {}}
        for button, action in zip(self.buttons.values(), (actions or {}).values()):
            button.on_click(lambda _, action=action: action(self))
        self.widget = widgets.HBox([widgets.VBox([*controls.values(), *self.buttons.values()]),
                                    widgets.VBox([self.image_widget, self.readout_widget])])
        self.update()

    def values(self) -> dict:
        return {name: control.value for name, control in self.controls.items()}

    def set(self, **values) -> None:
        """Set several controls at once and redraw once, not once per control."""
        unknown = set(values) - set(self.controls)
        if unknown:
            raise KeyError(f"no controls named {sorted(unknown)}; the controls are {', '.join(self.controls)}")
        self.holding = True
        try:
            for name, value in values.items():
                self.controls[name].value = value
        finally:
            self.holding = False
        self.update()

    def update(self) -> None:
        with single_thread():
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


# ---- controllable generation: one slider per direction in the generator's input -----------------------

@torch.no_grad()
def latent_view(generate, judge, z0: torch.Tensor, directions: dict[str, torch.Tensor], **amounts: float):
    """The image of z0 + sum of amounts[name] * directions[name], and the judge's read-out of it.

    generate: z (1, D) -> image; judge: `read(images)` -> (1, K) and `factor_names`. z0 (D,), directions
    name -> (D,), one amount per direction (all on the generator's device). The input need not be the noise
    z: for a StyleGAN, pass its synthesis network as `generate` and directions in w.
    Returns (image (1, C, H, W) on the CPU, {factor name: read-out}).
    """
    if not isinstance(z0, torch.Tensor) or z0.ndim != 1:
        shape = tuple(z0.shape) if isinstance(z0, torch.Tensor) else type(z0).__name__
        raise ValueError(f"latent_view starts from one vector z0 of shape (D,), got {shape}; for a batch of one pass z[0]")
    check_directions(directions, len(z0), "latent_view")
    if set(amounts) != set(directions):
        raise ValueError(f"latent_view needs one amount per direction: got amounts for {sorted(amounts)}, "
                         f"directions {sorted(directions)}")
    z = z0.reshape(1, -1) + sum(amounts[name] * direction for name, direction in directions.items())
    image = generate(z)
    readout = judge.read(image)[0].cpu()
    return image.cpu(), dict(zip(judge.factor_names, readout.tolist()))


def gaussian_start(d: int) -> Callable[[int], torch.Tensor]:
    """seed -> a standard Gaussian z (d,), the same for the same seed on any device."""
    return lambda seed: torch.randn(d, generator=torch.Generator().manual_seed(int(seed)))


def latent_explorer(generate, judge, directions: dict[str, torch.Tensor], *, seed: int = 0,
                    start: Callable[[int], torch.Tensor] | None = None, limit: float = 3.0) -> Explorer:
    """Widget: a seed, one slider per direction (-limit..limit, in units of the direction's length) and a
    reset button that puts every direction's slider back to 0; the judge's read-out beside the image.

    directions: name -> (D,) tensor; D is taken from them. start: seed -> the starting point (D,),
    by default Gaussian noise; for a StyleGAN pass seed -> its mapped w. Put the networks in eval mode first.
    """
    d = check_directions(directions, None, "latent_explorer")
    if "seed" in directions:
        raise ValueError("a direction may not be called 'seed': that is the seed slider's name")
    if not isinstance(seed, int) or not 0 <= seed <= 999:
        raise ValueError(f"seed must be an int in [0, 999], the seed slider's range, got {seed!r}")
    check_frozen(generate, "generator")
    check_frozen(judge, "judge")
    device = next(iter(directions.values())).device
    start = start or gaussian_start(d)
    controls = {"seed": widgets.IntSlider(value=seed, min=0, max=999, description="seed")}
    controls |= {name: widgets.FloatSlider(value=0.0, min=-limit, max=limit, step=0.1, description=name)
                 for name in directions}

    def view(seed, **amounts):
        return latent_view(generate, judge, start(seed).to(device), directions, **amounts)

    def reset(explorer):
        explorer.set(**{name: 0.0 for name in directions})

    return Explorer(view, controls, actions={"reset": reset})


# ---- disentanglement: one slider per code index ------------------------------------------------------

class Readout:
    """Any read-out as a judge for the explorers: `read(images) -> (N, K)` with K names.

    E.g. a digit judge's class probabilities, or a VAE or InfoGAN re-reading its own image (its codes), where no
    attribute judge exists (sprites)."""

    def __init__(self, read: Callable, factor_names):
        self.read, self.factor_names = read, tuple(factor_names)


def traversal_explorer(generate, judge, dim: int, indices: dict[str, int], *, seed: int = 0,
                       start: Callable[[int], torch.Tensor] | None = None, limit: float = 3.0) -> Explorer:
    """Widget: a traversal, one slider per code index. Slider `name` adds its value to coordinate indices[name]
    of the starting vector (dim,), so a disentangled model changes one feature per slider and an entangled one
    several; the judge's read-out shows which. It is the latent explorer with unit directions.

    generate: v (1, dim) -> image; start: seed -> starting vector (default Gaussian), e.g. an InfoGAN's codes."""
    if not isinstance(indices, dict) or not indices:
        raise ValueError("indices must be a non-empty dict, slider name -> code index")
    bad = {name: i for name, i in indices.items() if not isinstance(i, int) or not 0 <= i < dim}
    if bad:
        raise ValueError(f"code indices must be ints in [0, {dim}), got {bad}")
    device = next(generate.__self__.parameters()).device if hasattr(generate, "__self__") else torch.device("cpu")
    directions = {name: torch.eye(dim, device=device)[i] for name, i in indices.items()}
    return latent_explorer(generate, judge, directions, seed=seed, start=start, limit=limit)


SLIDERS = (widgets.IntSlider, widgets.FloatSlider)


def random_value(slider: widgets.ValueWidget, rng: random.Random):
    """A value drawn uniformly from a slider's range."""
    low, high = slider.min, slider.max
    return rng.randint(low, high) if isinstance(slider, widgets.IntSlider) else rng.uniform(low, high)


def time_updates(explorer: Explorer, k: int = 50, seed: int = 0) -> float:
    """Median seconds of one redraw (view + drawing) over k random settings of the explorer's sliders.

    Other controls (dropdowns, ...) keep their values; afterwards the sliders are put back as they were.
    """
    if not isinstance(k, int) or isinstance(k, bool) or k < 1:
        raise ValueError(f"k must be a positive int, got {k!r}")
    sliders = {name: control for name, control in explorer.controls.items() if isinstance(control, SLIDERS)}
    if not sliders:
        raise ValueError("time_updates moves an explorer's sliders, and this one has none")
    rng, before, seconds = random.Random(seed), {name: slider.value for name, slider in sliders.items()}, []
    for _ in range(k):
        values = {name: random_value(slider, rng) for name, slider in sliders.items()}
        begin = time.perf_counter()
        explorer.set(**values)
        seconds.append(time.perf_counter() - begin)
    explorer.set(**before)
    return statistics.median(seconds)

"""Sliders that redraw a generated image as you drag, with a judge's read-out beside it.

Every explorer is a pure function `view(values) -> (image (1, C, H, W), readout {name: value})`, where `values`
maps each control's name to its value, plus `Explorer`, which lays out the controls, calls the view on every
change and shows the result. The values travel as one mapping, so a control may have any name (even one of the
view's own arguments). The view is tested on its own; the explorer is tested headlessly by setting its controls'
values. Where no widgets can run (an untrusted notebook, a web page that renders notebooks) an explorer shows a
picture of its first view instead.
"""
from __future__ import annotations

import base64
import html
import io
import math
import random
import statistics
import time
from dataclasses import dataclass
from typing import Callable, Mapping

import ipywidgets as widgets
import torch
from PIL import Image, ImageDraw, ImageFont

from .checks import check_int, check_seed, is_int, is_real
from .data.faces import FACE_FACTORS, render_faces
from .latent import check_directions, check_frozen, lerp
from .models.stylegan import broadcast_ws, mixed_ws
from .runtime import torch_threads


def to_png(image: torch.Tensor, scale: int = 5) -> bytes:
    """One image (C, H, W) in [-1, 1] -> PNG bytes, enlarged `scale` times with sharp pixels."""
    buffer = io.BytesIO()
    # zlib level 1: a fifth of the default's encoding time on every slider move, for a file about 3% larger
    to_picture(image, scale).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def to_picture(image: torch.Tensor, scale: int) -> Image.Image:
    """One image (C, H, W) in [-1, 1] -> a PIL picture (grey or RGB), enlarged `scale` times with sharp pixels."""
    pixels = ((image.detach().cpu().clamp(-1, 1) * 0.5 + 0.5) * 255).round().byte().permute(1, 2, 0).numpy()
    picture = Image.fromarray(pixels[..., 0] if pixels.shape[2] == 1 else pixels)
    return picture.resize((picture.width * scale, picture.height * scale), Image.NEAREST)


def readout_html(readout: dict[str, float], title: str) -> str:
    """A small table of values in [0, 1] with a bar each. Names and title are escaped: they are text, not HTML."""
    rows = "".join(
        f"<tr><td style='padding-right:8px'>{html.escape(str(name))}</td><td style='width:120px'>"
        f"<div style='background:#4a7bd0;height:10px;width:{100 * max(0.0, min(1.0, value)):.0f}%'></div></td>"
        f"<td style='padding-left:6px;font-family:monospace'>{value:.2f}</td></tr>" for name, value in readout.items())
    return f"<b>{html.escape(title)}</b><table>{rows}</table>"


def shown(value) -> str:
    """A control's value as text: floats to two decimals."""
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def snapshot(picture: Image.Image, controls: dict, readout: dict[str, float], title: str) -> Image.Image:
    """A still of an explorer: the image, the read-out as bars beside it, the controls' values as text below."""
    font, line, bar = ImageFont.load_default(size=12), 16, 100  # text size, line height, full bar length (px)
    names = max((font.getlength(str(name)) for name in readout), default=0) + 8  # the name column's width
    lines = [f"{name} = {shown(value)}" for name, value in controls.items()]
    body = max(picture.height, line * (len(readout) + 1)) + 8  # the image or the read-out, whichever is taller
    still = Image.new("RGB", (int(picture.width + names + bar + 70), body + line * (len(lines) + 1) + 8), "white")
    still.paste(picture.convert("RGB"), (4, 4))
    draw = ImageDraw.Draw(still)
    left = picture.width + 16
    draw.text((left, 4), title, fill="black", font=font)
    for i, (name, value) in enumerate(readout.items(), start=1):
        top = 4 + i * line
        draw.text((left, top), str(name), fill="black", font=font)
        draw.rectangle((left + names, top + 3, left + names + bar * max(0.0, min(1.0, value)), top + 11), fill="#4a7bd0")
        draw.text((left + names + bar + 6, top), f"{value:.2f}", fill="black", font=font)
    for i, text in enumerate(lines):
        draw.text((4, body + i * line), text, fill="black", font=font)
    draw.text((4, body + len(lines) * line), "(run the notebook to move the sliders)", fill="gray", font=font)
    return still


@dataclass
class Frame:
    """One drawing of an explorer: the view's image (1, C, H, W) and read-out, and how they are shown."""
    image: torch.Tensor
    readout: dict
    png: bytes
    html: str


class Explorer:
    """Controls on the left; on the right the image and the read-out, redrawn on every change.

    view: values {control name: value} -> (image (1, C, H, W), readout {name: value in [0, 1]}).
    actions: buttons under the controls, name -> what a click does to the explorer (e.g. reset the sliders);
    they are `explorer.buttons[name]`, so a test can `.click()` them. `set(values)` or `set(name=value, ...)`
    moves several controls with a single redraw; `draw(values)` draws any values without touching the controls.
    Displayed, it is the live widget together with a PNG still and a text summary, for places without widgets.
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

    def set(self, values: Mapping | None = None, /, **named) -> None:
        """Set several controls at once, from a mapping and/or by name, and redraw once, not once per control."""
        values = {**(values or {}), **named}
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

    def draw(self, values: Mapping) -> Frame:
        """What the explorer would show for these control values; the controls and the display stay as they are."""
        # one image is too little work to share: on a busy 2-core CPU two threads wait for each other
        # (a DCGAN + judge update took ~5 ms on one thread, 20-300 ms on two beside a training job)
        with torch_threads(1):
            image, readout = self.view(dict(values))
        return Frame(image, readout, to_png(image[0], self.scale), readout_html(readout, self.readout_title))

    def update(self) -> None:
        frame = self.draw(self.values())
        self.image, self.readout = frame.image, frame.readout
        self.image_widget.value = frame.png
        self.readout_widget.value = frame.html

    def summary(self) -> str:
        """The explorer as text: its controls' values and the read-out."""
        controls = ", ".join(f"{name}={shown(value)}" for name, value in self.values().items())
        readout = ", ".join(f"{name}={value:.2f}" for name, value in self.readout.items())
        return f"Explorer (interactive where widgets run): {controls}\n{self.readout_title}: {readout}"

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        """The live widget, a PNG still of what it shows now, and a text summary: a notebook page without
        widget support (untrusted, or rendered on the web) shows the still instead of the widget's repr."""
        still = snapshot(to_picture(self.image[0], self.scale), self.values(), self.readout, self.readout_title)
        buffer = io.BytesIO()
        still.save(buffer, format="PNG")
        live = self.widget._repr_mimebundle_  # None once the widget is closed
        bundle = dict(live()) if live else {}
        bundle["image/png"] = base64.b64encode(buffer.getvalue()).decode("ascii")
        bundle["text/plain"] = self.summary()
        return bundle


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
    return Explorer(lambda values: class_blend_view(gan, judge, **values), controls, readout_title="judge: P(class)")


# ---- controllable generation: one slider per direction in the generator's input -----------------------

def check_amounts(z0, directions: dict, amounts) -> None:
    """z0 one vector (D,); directions name -> (D,); amounts a mapping with one finite number per direction."""
    if not isinstance(z0, torch.Tensor) or z0.ndim != 1:
        shape = tuple(z0.shape) if isinstance(z0, torch.Tensor) else type(z0).__name__
        raise ValueError(f"latent_view starts from one vector z0 of shape (D,), got {shape}; for a batch of one pass z[0]")
    check_directions(directions, len(z0), "latent_view")
    if not isinstance(amounts, Mapping):
        raise TypeError(f"latent_view takes the amounts as one mapping, direction name -> amount, "
                        f"got {type(amounts).__name__}")
    if set(amounts) != set(directions):
        raise ValueError(f"latent_view needs one amount per direction: got amounts for {sorted(amounts)}, "
                         f"directions {sorted(directions)}")
    bad = {name: value for name, value in amounts.items() if not is_real(value) or not math.isfinite(value)}
    if bad:
        raise ValueError(f"latent_view: every amount must be a finite number, got {bad}")


@torch.no_grad()
def latent_view(generate, judge, z0: torch.Tensor, directions: dict[str, torch.Tensor], amounts: Mapping[str, float]):
    """The image of z0 + sum of amounts[name] * directions[name], and the judge's read-out of it.

    generate: z (1, D) -> image; judge: `read(images)` -> (1, K) and `factor_names`. z0 (D,), directions
    name -> (D,), amounts name -> float, one per direction (all on the generator's device). The input need not
    be the noise z: for a StyleGAN, pass its synthesis network as `generate` and directions in w.
    Returns (image (1, C, H, W) on the CPU, {factor name: read-out}).
    """
    check_amounts(z0, directions, amounts)
    z = z0.reshape(1, -1) + sum(amounts[name] * direction for name, direction in directions.items())  # (1, D)
    image = generate(z)
    readout = judge.read(image)[0].cpu()
    return image.cpu(), dict(zip(judge.factor_names, readout.tolist()))


def gaussian_start(d: int) -> Callable[[int], torch.Tensor]:
    """seed -> a standard Gaussian z (d,), the same for the same seed on any device."""
    return lambda seed: torch.randn(d, generator=torch.Generator().manual_seed(int(seed)))


def check_explorer_settings(directions: dict, seed, limit) -> int:
    """No direction named 'seed'; seed an int in [0, 999]; limit a finite number > 0. Returns D."""
    d = check_directions(directions, None, "latent_explorer")
    if "seed" in directions:
        raise ValueError("a direction may not be called 'seed': that is the seed slider's name")
    if not is_int(seed) or not 0 <= seed <= 999:
        raise ValueError(f"seed must be an int in [0, 999], the seed slider's range, got {seed!r}")
    if not is_real(limit) or not 0 < limit < math.inf:
        raise ValueError(f"limit must be a finite number > 0 (the sliders run from -limit to limit), got {limit!r}")
    return d


def latent_explorer(generate, judge, directions: dict[str, torch.Tensor], *, seed: int = 0,
                    start: Callable[[int], torch.Tensor] | None = None, limit: float = 3.0) -> Explorer:
    """Widget: a seed, one slider per direction (-limit..limit in steps of 0.1, in units of the direction's length)
    and a reset button that puts every direction's slider back to 0; the judge's read-out beside the image.

    directions: name -> (D,) tensor; D is taken from them. start: seed -> the starting point (D,),
    by default Gaussian noise; for a StyleGAN pass seed -> its mapped w. Put the networks in eval mode first.
    """
    d = check_explorer_settings(directions, seed, limit)
    check_frozen(generate, "generator")
    check_frozen(judge, "judge")
    device = next(iter(directions.values())).device
    start = start or gaussian_start(d)
    controls = {"seed": widgets.IntSlider(value=int(seed), min=0, max=999, description="seed")}
    controls |= {name: widgets.FloatSlider(value=0.0, min=-float(limit), max=float(limit), step=0.1, description=name)
                 for name in directions}

    def view(values):
        amounts = {name: values[name] for name in directions}
        return latent_view(generate, judge, start(values["seed"]).to(device), directions, amounts)

    def reset(explorer):
        explorer.set({name: 0.0 for name in directions})

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
    dim = check_int(dim, "dim", minimum=1, who="traversal_explorer")
    if not isinstance(indices, dict) or not indices:
        raise ValueError("indices must be a non-empty dict, slider name -> code index")
    bad = {name: i for name, i in indices.items() if not is_int(i) or not 0 <= i < dim}
    if bad:
        raise ValueError(f"code indices must be ints in [0, {dim}), got {bad}")
    device = next(generate.__self__.parameters()).device if hasattr(generate, "__self__") else torch.device("cpu")
    directions = {name: torch.eye(dim, device=device)[int(i)] for name, i in indices.items()}
    return latent_explorer(generate, judge, directions, seed=seed, start=start, limit=limit)


# ---- the dataset's own factors: one slider per face factor ---------------------------------------------

FACE_NAMES = tuple(f.name for f in FACE_FACTORS)
FACE_START = {"hair_color": 0.3, "hair_length": 0.3, "glasses": 0.0, "beard": 0.0, "smile": 0.5, "skin_tone": 0.3}
FACE_STEP = 0.05  # the sliders' grid: a browser snaps a slider's value to it


@torch.no_grad()
def face_factor_view(values: Mapping[str, float]):
    """The face that the factor values draw (render_faces at 64x64), and the values as its read-out.

    values: one number in [0, 1] per face factor. Returns (image (1, 3, 64, 64), {factor name: value})."""
    factors = torch.tensor([[float(values[name]) for name in FACE_NAMES]])  # (1, 6) in FACE_FACTORS order
    return render_faces(factors, size=64), {name: float(values[name]) for name in FACE_NAMES}


def check_face_start(initial: dict) -> None:
    """Known factor names only, each a number in [0, 1] on the sliders' 0.05 grid."""
    unknown = sorted(set(initial) - set(FACE_NAMES))
    if unknown:
        raise TypeError(f"face_factor_explorer: no face factor named {unknown}; the factors are {', '.join(FACE_NAMES)}")
    for name, value in initial.items():
        if not is_real(value) or not 0 <= value <= 1:
            raise ValueError(f"face_factor_explorer: {name} must be a number in [0, 1], got {value!r}")
        steps = value / FACE_STEP
        if abs(steps - round(steps)) > 1e-6:
            raise ValueError(f"face_factor_explorer: {name}={value!r} is not on the sliders' {FACE_STEP} grid, where "
                             f"a browser would move it; use {round(steps) * FACE_STEP:.2f}")


def face_factor_explorer(**initial: float) -> Explorer:
    """Widget: one slider per face factor (0 to 1 in steps of 0.05), drawing the face those values make with
    data.render_faces, the values as the read-out beside it. Keyword arguments set the sliders' starting values,
    e.g. face_factor_explorer(glasses=1.0, smile=0.9); the others start at a plain face (FACE_START)."""
    check_face_start(initial)
    start = FACE_START | {name: float(value) for name, value in initial.items()}
    controls = {name: widgets.FloatSlider(value=start[name], min=0.0, max=1.0, step=FACE_STEP, description=name)
                for name in FACE_NAMES}
    return Explorer(face_factor_view, controls, readout_title="factor values", scale=3)


# ---- StyleGAN: style mixing and truncation, with the noise fixed so only the styles change ----------------

GAP = 1  # white columns between the faces of a strip


def strip(images: torch.Tensor) -> torch.Tensor:
    """(K, C, H, W) -> one image (1, C, H, K W + (K - 1) GAP): the faces side by side, white between them."""
    gap = images.new_ones(images.shape[1], images.shape[2], GAP)
    parts = [part for image in images for part in (image, gap)][:-1]
    return torch.cat(parts, dim=2)[None]


def seeded_z(seed: int, z_dim: int) -> torch.Tensor:
    """seed -> a standard Gaussian z (1, z_dim), the same as latent_explorer's start for that seed."""
    return gaussian_start(z_dim)(seed)[None]


def judge_reads(judge, image: torch.Tensor) -> dict[str, float]:
    """The judge's read-out of one image (1, C, H, W): {factor name: value}."""
    readout = judge.read(image.to(next(judge.parameters()).device))[0].cpu()
    return dict(zip(judge.factor_names, readout.tolist()))


@torch.no_grad()
def style_mixing_view(model, judge, *, seed_1: int, seed_2: int, crossover: int):
    """Style mixing of two seeds: w1 = mapping(z(seed_1)) feeds the style layers before `crossover`, w2 the rest.

    Returns (image (1, C, 32, 3 * 32 + 2): w1's face | the mix | w2's face, {factor: the judge's read-out of the
    mix}). All three are drawn with the model's fixed noise, so what differs between them is the styles only.
    """
    w1, w2 = (model.mapping(seeded_z(seed, model.config.z_dim)) for seed in (seed_1, seed_2))   # (1, w_dim) each
    mixed = mixed_ws(w1, w2, check_int(crossover, "crossover", minimum=0, who="style_mixing_view"), model.n_ws)
    ws = torch.cat([broadcast_ws(w1, model.n_ws, model.config.w_dim), mixed,
                    broadcast_ws(w2, model.n_ws, model.config.w_dim)])                          # (3, n_ws, w_dim)
    images = model.synthesize(ws, "fixed").cpu()                                               # (3, C, 32, 32)
    return strip(images), judge_reads(judge, images[1:2])


@torch.no_grad()
def truncation_view(model, judge, *, seed: int, psi: float):
    """The truncation trick in W for one seed: w_psi = w_avg + psi (w - w_avg).

    Returns (image (1, C, 32, 3 * 32 + 2): the face at psi = 1 | at psi | the average face (psi = 0), {factor:
    the judge's read-out of the face at psi}). Fixed noise, so only w changes.
    """
    w = model.mapping(seeded_z(seed, model.config.z_dim))                                       # (1, w_dim)
    ws = torch.cat([w, model.truncate(w, float(psi)), model.w_avg[None].to(w)])                 # (3, w_dim)
    images = model.synthesize(ws, "fixed").cpu()
    return strip(images), judge_reads(judge, images[1:2])


def check_style_model(model, judge, who: str) -> None:
    """A StyleGAN (mapping, mix, n_ws) and a judge, both in eval mode."""
    if not all(hasattr(model, name) for name in ("mapping", "synthesize", "n_ws", "w_avg")):
        raise TypeError(f"{who} needs a StyleGAN (models.StyleGAN, e.g. pretrained.load('stylegan-faces')), "
                        f"got {type(model).__name__}")
    check_frozen(model, "StyleGAN")
    check_frozen(judge, "judge")


def check_slider_seed(seed, name: str, who: str) -> int:
    if not is_int(seed) or not 0 <= seed <= 999:
        raise ValueError(f"{who}: {name} must be an int in [0, 999], the seed slider's range, got {seed!r}")
    return int(seed)


def style_mixing_explorer(model, judge, *, seed_1: int = 1, seed_2: int = 2, crossover: int | None = None) -> Explorer:
    """Widget: two seeds and a crossover slider (0: every layer takes w2 .. n_ws: every layer takes w1); the
    picture is w1's face, the mix and w2's face; the judge reads the mix. crossover: default the middle layer."""
    who = "style_mixing_explorer"
    check_style_model(model, judge, who)
    seed_1, seed_2 = check_slider_seed(seed_1, "seed_1", who), check_slider_seed(seed_2, "seed_2", who)
    crossover = model.n_ws // 2 if crossover is None else crossover
    if not is_int(crossover) or not 0 <= crossover <= model.n_ws:
        raise ValueError(f"{who}: crossover must be an int in [0, {model.n_ws}], got {crossover!r}")
    controls = {"seed_1": widgets.IntSlider(value=seed_1, min=0, max=999, description="seed w1"),
                "seed_2": widgets.IntSlider(value=seed_2, min=0, max=999, description="seed w2"),
                "crossover": widgets.IntSlider(value=int(crossover), min=0, max=model.n_ws, description="crossover")}
    return Explorer(lambda values: style_mixing_view(model, judge, **values), controls,
                    readout_title="judge reads the mix (middle)", scale=4)


def truncation_explorer(model, judge, *, seed: int = 0, psi: float = 0.7) -> Explorer:
    """Widget: a seed and a psi slider (0 to 1 in steps of 0.05); the picture is the face at psi = 1, at psi, and
    the average face; the judge reads the face at psi."""
    who = "truncation_explorer"
    check_style_model(model, judge, who)
    seed = check_slider_seed(seed, "seed", who)
    if not is_real(psi) or not 0 <= psi <= 1:
        raise ValueError(f"{who}: psi must be a number in [0, 1], got {psi!r}")
    controls = {"seed": widgets.IntSlider(value=seed, min=0, max=999, description="seed"),
                "psi": widgets.FloatSlider(value=float(psi), min=0.0, max=1.0, step=0.05, description="psi")}
    return Explorer(lambda values: truncation_view(model, judge, **values), controls,
                    readout_title="judge reads the face at psi (middle)", scale=4)


# ---- how fast an explorer redraws -------------------------------------------------------------------------

SLIDERS = (widgets.IntSlider, widgets.FloatSlider)


def grid_value(slider: widgets.ValueWidget, rng: random.Random):
    """A value drawn uniformly from a slider's grid, min + i * step: one a browser would send back unchanged."""
    stops = int(round((slider.max - slider.min) / slider.step))
    value = slider.min + slider.step * rng.randint(0, stops)
    return int(value) if isinstance(slider, widgets.IntSlider) else round(value, 10)


def time_updates(explorer: Explorer, k: int = 50, seed: int = 0) -> float:
    """Median seconds of one redraw (the view, the PNG and the read-out's HTML) over k random settings of the
    explorer's sliders, each value on its slider's grid; other controls (dropdowns, ...) keep their values.

    The settings are drawn off screen (explorer.draw): the displayed controls and image never move, so a browser
    has nothing to snap and send back after the cell has finished.
    """
    if not is_int(k) or k < 1:
        raise ValueError(f"k must be a positive int, got {k!r}")
    sliders = {name: control for name, control in explorer.controls.items() if isinstance(control, SLIDERS)}
    if not sliders:
        raise ValueError("time_updates moves an explorer's sliders, and this one has none")
    rng, seconds = random.Random(check_seed(seed, "time_updates")), []
    for _ in range(k):
        values = explorer.values() | {name: grid_value(slider, rng) for name, slider in sliders.items()}
        begin = time.perf_counter()
        explorer.draw(values)
        seconds.append(time.perf_counter() - begin)
    return statistics.median(seconds)

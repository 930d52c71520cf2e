"""The notebooks' widgets in a real browser: JupyterLab on 127.0.0.1, driven by Playwright with the system Chromium.

For each notebook with a widget: open it (it must not show as modified), run all cells, then for every explorer
(an image beside its sliders) check that
  - no widget shows an error and no cell raised;
  - every slider reads what the kernel holds, and a latent or traversal explorer's direction sliders read 0
    after Run All (a view timed by moving the controls can leave them off zero when the browser snaps the
    values to the slider's step and sends them back after the cell has finished);
  - arrow keys and a mouse drag on its first slider redraw the image, and the kernel follows.
The key-to-image latency (key press to new image, measured in the page) goes to benchmarks/browser.json, with
its floor: the same for a bare slider whose observer swaps two ready pictures (no model, no drawing).

Run with `make test-browser` (needs `apt-get install chromium` and the `browser` extra). Not part of `make test`:
pytest's norecursedirs skips tests/browser unless it is named on the command line.
Environment: GANCOURSE_CHROMIUM (default /usr/bin/chromium), GANCOURSE_BROWSER_NOTEBOOKS (comma-separated
notebook names, default: every notebook that uses widgets), GANCOURSE_BROWSER_OUT (screenshots, default
runs/browser), GANCOURSE_BROWSER_RESULTS (default benchmarks/browser.json).
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

playwright_api = pytest.importorskip("playwright.sync_api", reason="pip install -e '.[browser]' for the browser test")

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
CHROMIUM = os.environ.get("GANCOURSE_CHROMIUM", "/usr/bin/chromium")
OUT = Path(os.environ.get("GANCOURSE_BROWSER_OUT", ROOT / "runs" / "browser"))
RESULTS = Path(os.environ.get("GANCOURSE_BROWSER_RESULTS", ROOT / "benchmarks" / "browser.json"))
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
RUN_TIMEOUT_S = 300  # one notebook's Run All; each runs in under 60 s alone, more on a busy CI machine
KEY_PRESSES = 20  # per explorer, for the latency
EXPLORER = ".jp-OutputArea-output .widget-hbox:has(> .widget-vbox .widget-slider):has(img.widget-image)"
LATENCIES: dict[str, list[float]] = {}
FLOOR: list[float] = []  # the same measurement on a bare slider and image (test_latency_floor_of_a_bare_slider)
STARTED = time.time()


def log(message: str) -> None:
    """Progress on stderr (make test-browser runs pytest with -s, so CI shows where a slow run is)."""
    print(f"[browser {time.time() - STARTED:6.1f} s] {message}", file=sys.stderr, flush=True)


def widget_notebooks() -> list[str]:
    chosen = os.environ.get("GANCOURSE_BROWSER_NOTEBOOKS")
    if chosen:
        return [name.strip() for name in chosen.split(",") if name.strip()]
    names = []
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        code = "".join("".join(c["source"]) for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code")
        if re.search(r"gancourse\.widgets|ipywidgets|explorer\(", code):
            names.append(path.name)
    return names


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_settings(folder: Path) -> None:
    """JupyterLab user settings for the test: no news pop-up, no autosave, every cell rendered (no windowing)."""
    settings = {
        "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False},
        "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
        "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none", "autoStartDefaultKernel": True},
    }
    for name, values in settings.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    """A JupyterLab server on 127.0.0.1 serving a copy of the notebooks (running them must not touch the repo's)."""
    home = tmp_path_factory.mktemp("lab")
    served = home / "notebooks"
    shutil.copytree(NOTEBOOKS, served)
    write_settings(home / "settings")
    port, token = free_port(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"), "JUPYTER_RUNTIME_DIR": str(home / "runtime")}
    command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={served}", "--LabApp.expose_app_in_browser=True"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    log = open(home / "lab.log", "w")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.time() > deadline:
                    raise RuntimeError(f"JupyterLab did not start; its log:\n{(home / 'lab.log').read_text()[-3000:]}")
                time.sleep(0.5)
        yield {"base": base, "token": token, "served": served}
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture(scope="session")
def browser_context(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: install it with `apt-get install -y chromium` "
                    f"(or point GANCOURSE_CHROMIUM at one)")
    profile = tmp_path_factory.mktemp("chromium-profile")  # a fresh --user-data-dir
    with playwright_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS,
            viewport={"width": 1500, "height": 1000})
        yield context
        context.close()


@pytest.fixture(scope="session", autouse=True)
def write_latencies():
    yield
    if not LATENCIES:
        return
    every = [ms for values in LATENCIES.values() for ms in values]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "what": "key press on an explorer's first slider to the new image, in JupyterLab in headless Chromium (ms)",
        "median_ms": statistics.median(every), "presses": len(every),
        "per_explorer_median_ms": {name: statistics.median(v) for name, v in LATENCIES.items()},
        "floor_median_ms": statistics.median(FLOOR) if FLOOR else None,
        "floor": "the same on a bare slider whose observer swaps two ready PNGs: the page's and kernel's share",
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }, indent=1) + "\n")


KERNEL_READY = """() => {
  const widget = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const kernel = widget && widget.sessionContext && widget.sessionContext.session && widget.sessionContext.session.kernel;
  return Boolean(kernel && widget.sessionContext.isReady && kernel.connectionStatus === 'connected' && kernel.status === 'idle');
}"""

KERNEL_EXEC = """async (code) => {
  const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  const future = kernel.requestExecute({code, silent: false, store_history: false});
  let out = "";
  future.onIOPub = (msg) => {
    if (msg.header.msg_type === "stream" && msg.content.name === "stdout") out += msg.content.text;
    if (msg.header.msg_type === "error") out += "KERNEL ERROR " + msg.content.ename + ": " + msg.content.evalue;
  };
  await future.done;
  return out;
}"""

# What the kernel holds: every displayed explorer's sliders, in the order the explorers were made.
KERNEL_SLIDERS = """
import gc as _gc, json as _json
import ipywidgets as _w
from ipywidgets.widgets import widget as _widget
from gancourse.widgets import Explorer as _Explorer
_order = {model_id: i for i, model_id in enumerate(_widget._instances)}
_explorers = sorted((o for o in _gc.get_objects() if type(o) is _Explorer),
                    key=lambda e: _order.get(e.image_widget.model_id, -1))
print(_json.dumps([[[c.description, c.value] for c in e.controls.values() if isinstance(c, (_w.IntSlider, _w.FloatSlider))]
                   for e in _explorers]))
"""

DOM_SLIDERS = """(root) => Array.from(root.querySelectorAll('.widget-slider')).map(s => [
  (s.querySelector('.widget-label') || {}).textContent || '',
  ((s.querySelector('.widget-readout') || {}).textContent || '').trim()])"""

LATENCY_PROBE = """(root) => {
  window.__latencies = [];
  window.__t0 = null;
  const img = root.querySelector('img.widget-image');
  document.addEventListener('keydown', () => { window.__t0 = performance.now(); }, {capture: true});
  new MutationObserver(() => {
    if (window.__t0 !== null) { window.__latencies.push(performance.now() - window.__t0); window.__t0 = null; }
  }).observe(img, {attributes: true, attributeFilter: ['src']});
}"""


def kernel(page, code: str) -> str:
    out = page.evaluate(KERNEL_EXEC, code)
    assert "KERNEL ERROR" not in out, out
    return out


def command(page, name: str, timeout_s: float = 30) -> None:
    """Run a JupyterLab command and wait for it to finish; fail if it opens a dialog (it would wait for a click)."""
    page.evaluate("""(name) => {
      window.__commandDone = false;
      window.jupyterapp.commands.execute(name).then(
        () => { window.__commandDone = true; }, (e) => { window.__commandDone = 'failed: ' + e; });
    }""", name)
    deadline = time.time() + timeout_s
    while (done := page.evaluate("() => window.__commandDone")) is False:
        dialog = page.locator(".jp-Dialog")
        if dialog.count():
            pytest.fail(f"JupyterLab asked something during {name}: {dialog.first.inner_text()[:300]!r}")
        if time.time() > deadline:
            pytest.fail(f"{name} did not finish within {timeout_s:.0f} s")
        page.wait_for_timeout(250)
    assert done is True, f"{name} {done}"


def shut_down_kernels(lab) -> None:
    """Stop every session the test started, so the next notebook has the machine (and nothing else) to itself."""
    def call(method: str, path: str):
        request = urllib.request.Request(f"{lab['base']}{path}?token={lab['token']}", method=method)
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.read()
    for session in json.loads(call("GET", "/api/sessions")):
        call("DELETE", f"/api/sessions/{session['id']}")


def code_cell_prompts(page) -> list[str]:
    return page.locator(".jp-CodeCell .jp-InputPrompt").all_inner_texts()


def run_all(page) -> None:
    command(page, "notebook:clear-all-cell-outputs")
    command(page, "notebook:run-all-cells", timeout_s=RUN_TIMEOUT_S)  # resolves when the last cell has run


def error_outputs(page) -> list[str]:
    """Tracebacks in the notebook's outputs, and any widget that failed to render."""
    outputs = page.evaluate("""() => {
      const cells = window.jupyterapp.shell.currentWidget.content.model.cells;
      const found = [];
      for (let i = 0; i < cells.length; i++) {
        const json = cells.get(i).toJSON();
        for (const o of json.outputs || []) if (o.output_type === 'error') found.push(`cell ${i}: ${o.ename}: ${o.evalue}`);
      }
      return found;
    }""")
    shown = page.locator(".jp-OutputArea-output").filter(has_text=re.compile(
        r"Error displaying widget|Error rendering|model not found|Failed to load model", re.I)).all_inner_texts()
    return outputs + [f"widget error: {text[:200]}" for text in shown]


def as_number(text: str) -> float:
    return float(text.replace("−", "-"))


def sliders_match(dom: list[list[str]], held: list[list]) -> list[str]:
    """Differences between what each slider shows and what the kernel holds (at the slider's readout precision)."""
    problems = []
    if [d for d, _ in dom] != [d for d, _ in held]:
        return [f"sliders {[d for d, _ in dom]} in the page, {[d for d, _ in held]} in the kernel"]
    for (description, shown), (_, value) in zip(dom, held):
        decimals = len(shown.split(".")[1]) if "." in shown else 0
        if abs(as_number(shown) - value) > 0.5 * 10 ** -decimals + 1e-9:
            problems.append(f"{description}: the page shows {shown}, the kernel holds {value!r}")
    return problems


def wait_for_kernel_to_follow(page, explorer_index: int, root, seconds: float = 10.0) -> list[str]:
    deadline = time.time() + seconds
    while True:
        held = json.loads(kernel(page, KERNEL_SLIDERS))[explorer_index]
        problems = sliders_match(root.evaluate(DOM_SLIDERS), held)
        if not problems or time.time() > deadline:
            return problems
        time.sleep(0.25)


def key_latencies(page, root, name: str) -> list[float]:
    """Milliseconds from each of KEY_PRESSES arrow keys on the first slider of `root` to its image's new picture;
    every press must change the picture."""
    image = root.locator("img.widget-image")
    handle = root.locator(".widget-slider .noUi-handle").first
    root.evaluate(LATENCY_PROBE)
    handle.focus()
    for k in range(KEY_PRESSES):
        before = image.get_attribute("src")
        handle.press("ArrowRight" if k % 2 == 0 else "ArrowLeft")
        page.wait_for_function(f"() => window.__latencies.length >= {k + 1}", timeout=10_000)
        assert image.get_attribute("src") != before, f"{name}: the image did not change on key press {k + 1}"
    latencies = page.evaluate("() => window.__latencies")
    log(f"{name}: key to image {statistics.median(latencies):.1f} ms (median of {KEY_PRESSES})")
    return latencies


@pytest.mark.parametrize("notebook", widget_notebooks())
def test_widgets_in_the_browser(notebook, lab, browser_context):
    page = browser_context.new_page()
    console_errors = []
    page.on("console", lambda m: m.type == "error" and "widget" in m.text.lower() and console_errors.append(m.text))
    try:
        log(f"{notebook}: opening")
        # a workspace of its own, reset: JupyterLab would otherwise reopen the earlier tests' notebooks beside this one
        # (their kernels, their cells), and the page's current notebook need not be this one
        page.goto(f"{lab['base']}/lab/workspaces/{Path(notebook).stem}/tree/{notebook}?reset&token={lab['token']}")
        page.wait_for_function(KERNEL_READY, timeout=120_000)
        try:  # a document is marked modified for a moment while it loads; it must not stay so
            page.wait_for_function("() => !window.jupyterapp.shell.currentWidget.context.model.dirty", timeout=15_000)
        except playwright_api.TimeoutError:
            pytest.fail(f"{notebook} shows as modified as soon as it is opened: its kernelspec or metadata differ from "
                        f"what JupyterLab writes (save it with the kernelspec name JupyterLab uses)")

        log(f"{notebook}: running all cells")
        run_all(page)
        log(f"{notebook}: ran")
        page.wait_for_timeout(2000)  # messages the browser sends back after the last cell arrive now
        assert not error_outputs(page), error_outputs(page)
        unrun = [i for i, text in enumerate(code_cell_prompts(page)) if not re.search(r"\d", text)]
        assert not unrun, f"{notebook}: code cells {unrun} (0-based among code cells) did not run"

        explorers = page.locator(EXPLORER)
        held = json.loads(kernel(page, KERNEL_SLIDERS))
        assert explorers.count() == len(held), \
            f"{explorers.count()} explorers on the page, {len(held)} in the kernel"
        OUT.mkdir(parents=True, exist_ok=True)
        for i in range(explorers.count()):
            root = explorers.nth(i)
            name = f"{Path(notebook).stem}[{i}]"
            root.scroll_into_view_if_needed()
            root.screenshot(path=str(OUT / f"{name}.png"))
            dom = root.evaluate(DOM_SLIDERS)
            log(f"{name}: sliders read {dom}")
            assert not sliders_match(dom, held[i]), f"{name} after Run All: {sliders_match(dom, held[i])}"
            if root.locator("button", has_text="reset").count():
                off_zero = [f"{d}={v}" for d, v in dom if d != "seed" and as_number(v) != 0]
                assert not off_zero, f"{name}: after Run All its direction sliders should read 0, they read {off_zero}"

            # arrow keys on the first slider: each press must redraw the image
            image = root.locator("img.widget-image")
            handle = root.locator(".widget-slider .noUi-handle").first
            LATENCIES[name] = key_latencies(page, root, name)
            assert not wait_for_kernel_to_follow(page, i, root), f"{name} after arrow keys"

            # a mouse drag on the first slider
            before = image.get_attribute("src")
            box = handle.bounding_box()
            page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            page.mouse.down()
            page.mouse.move(box["x"] + box["width"] / 2 + 40, box["y"] + box["height"] / 2, steps=8)
            page.mouse.up()
            deadline = time.time() + 10
            while image.get_attribute("src") == before and time.time() < deadline:
                time.sleep(0.1)
            assert image.get_attribute("src") != before, f"{name}: the image did not change when its first slider was dragged"
            assert not wait_for_kernel_to_follow(page, i, root), f"{name} after a drag"
        assert not error_outputs(page), error_outputs(page)
        assert not console_errors, console_errors
    except BaseException:
        OUT.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(OUT / f"{Path(notebook).stem}-failure.png"), full_page=True)
        raise
    finally:
        page.close()
        shut_down_kernels(lab)


# The floor under every explorer's latency: a bare slider whose observer swaps between two ready PNGs, so the time
# is JupyterLab's, the browser's and the kernel's message handling alone, with no model, judge or drawing.
FLOOR_CELL = """import io
import ipywidgets as w
from PIL import Image

pngs = []
for shade in (0, 255):
    buffer = io.BytesIO()
    Image.new("L", (160, 160), shade).save(buffer, format="PNG")
    pngs.append(buffer.getvalue())
slider = w.FloatSlider(value=0.0, min=-3.0, max=3.0, step=0.1, description="x")
image = w.Image(value=pngs[0], format="png")
slider.observe(lambda change: setattr(image, "value", pngs[round(change["new"] * 10) % 2]), names="value")
w.HBox([w.VBox([slider]), w.VBox([image])])
"""


def test_latency_floor_of_a_bare_slider(lab, browser_context):
    notebook = "zz_latency_floor.ipynb"
    (lab["served"] / notebook).write_text(json.dumps({
        "cells": [{"cell_type": "code", "execution_count": None, "id": "floor", "metadata": {}, "outputs": [],
                   "source": FLOOR_CELL}],
        "metadata": {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}},
        "nbformat": 4, "nbformat_minor": 5}))
    page = browser_context.new_page()
    try:
        page.goto(f"{lab['base']}/lab/workspaces/floor/tree/{notebook}?reset&token={lab['token']}")
        page.wait_for_function(KERNEL_READY, timeout=120_000)
        run_all(page)
        page.wait_for_timeout(1000)
        assert not error_outputs(page), error_outputs(page)
        FLOOR.extend(key_latencies(page, page.locator(EXPLORER).first, "bare slider and image"))
    finally:
        page.close()
        shut_down_kernels(lab)

"""Speed and quality targets: `python benchmarks/run.py [--retrain] [--seeds NAME ...]` prints a table and writes
results.json. `--models NAME ...` measures only those recipes' rows (and the seed rows) and updates them in
results.json, for a checkpoint added or retrained since the last full run.

Rows:
  data       generation time of each offline dataset
  NAME       every score of every shipped checkpoint, re-measured now, against its recipe's target
  NAME time  training time: the one recorded in the model card, or measured again with --retrain
  NAME seeds the spread of a recipe's scores over training seeds 0, 1, 2: `--seeds NAME` trains them under runs/seeds/
             (minutes each; the shipped checkpoint stands for its own seed when it repeats here) and records their
             scores in seeds.json; later runs show them as measured then, with the date
  control    classifier-gradient edits and entanglement of the face GANs (notebook 03): FINE_STEPS short steps
             (the protocol the targets hold to), and 10 long steps over the same distance as a reported number;
             the latent explorer's speed
  disentangle  the lectures' claims (notebook 04): beta-VAE beats the VAE on MIG, the supervised GAN's intervention
             matrix is diagonal where gan-faces' is not; InfoGAN's class accuracy is a recipe target above
  stylegan   the StyleGAN lecture's claims (notebook 05): mixing's recall against stylegan-faces-nomix, the mapping
             network against stylegan-faces-map0 and gan-faces (path length, separability), truncation's precision and
             recall at each psi and z cut-off, generation and style-mixing widget speed
  browser    the widgets' key-to-image latency in JupyterLab in Chromium, from `make test-browser` (browser.json)
  likelihood the alternatives to GANs (notebook 06): PixelCNN's bits/dim the lowest, the flow's beside the VAE's,
             PixelCNN causality and no blind spot by gradients, the flow's log-det against autograd and its toy
             density's integral
  notebook   each notebook's run time (Run All), against 60 s; `--notebooks` times them again on their own
"""
from __future__ import annotations

import argparse
import datetime
import json
import operator
import platform
import statistics
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

import torch

from gancourse import data, pretrained, torch_threads
from gancourse.metrics.control import (EDIT_FACTORS, FINE_STEP, FINE_STEPS, PENALTY_WEIGHT, controllability,
                                       gaussian_noise, penalty_effect)
from gancourse.training import recipes, run, scoring
from gancourse.widgets import latent_explorer, style_mixing_explorer, time_updates

HERE = Path(__file__).parent
OPS = {">=": operator.ge, "<=": operator.le, ">": operator.gt}


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def meets(value: float, target) -> bool:
    op, bound = target if isinstance(target, tuple) else (">=", target)
    return OPS[op](value, bound)


def describe(target) -> str:
    op, bound = target if isinstance(target, tuple) else (">=", target)
    return f"{op} {bound:g}"


def data_rows() -> list[dict]:
    rows = []
    for what, fn, limit in [("faces(50_000) seconds", lambda: data.faces(50_000), 20.0),
                            ("faces(5_000, size=64) seconds", lambda: data.faces(5_000, size=64), None),
                            ("sprites(20_000) seconds", lambda: data.sprites(20_000), None),
                            ("digits() seconds", data.digits, None)]:
        rows.append({"name": "data", "metric": what, "value": timed(fn), "target": ("<=", limit) if limit else None})
    return rows


def model_rows(retrain: bool, names: list[str] | None = None) -> list[dict]:
    """Every score of each recipe's shipped checkpoint (of `names`, default all), re-measured, and its train time."""
    rows = []
    shipped = set(pretrained.available())
    for name, r in recipes.RECIPES.items():
        if names is not None and name not in names:
            continue
        if name not in shipped:
            rows.append({"name": name, "metric": "shipped", "value": 0.0, "target": (">=", 1.0)})
            continue
        scores = r.score(pretrained.load(name))
        for metric, value in scores.items():
            if isinstance(value, (int, float)):
                rows.append({"name": name, "metric": metric, "value": float(value), "target": r.targets.get(metric)})
        card = pretrained.card(name)
        seconds = card.train_seconds
        if retrain:
            with tempfile.TemporaryDirectory() as out:
                seconds = timed(lambda: run.train(name, out=out, progress=False))
        threads = f", {card.threads} thread{'s' if card.threads != 1 else ''}" if card.threads and not retrain else ""
        rows.append({"name": name, "metric": f"train seconds{'' if retrain else ' (card' + threads + ')'}",
                     "value": seconds, "target": r.targets.get("train_seconds")})
    return rows


FACE_GANS = ["gan-faces", "gan-faces-z4", "gan-faces-correlated"]


def edit_rows(name: str, report: dict, targets: bool) -> list[dict]:
    """Success and drift of each factor's edits, free and penalised (report: penalty_effect's keys); with targets
    False every row is a reported number."""
    rows = []
    for factor, free in report["free"].items():
        penalised = report["penalised"][factor]
        rows += [{"name": name, "metric": f"{factor} success", "value": free["success"], "target": 0.9},
                 {"name": name, "metric": f"{factor} drift", "value": free["drift"], "target": None},
                 {"name": name, "metric": f"{factor} success, penalised", "value": penalised["success"],
                  "target": 0.85},
                 {"name": name, "metric": f"{factor} drift ratio, penalised",
                  "value": penalised["drift"] / free["drift"], "target": ("<=", 0.5)}]
    return rows if targets else [{**row, "target": None} for row in rows]


def control_rows() -> list[dict]:
    """Edit success and drift on gan-faces, without and with the penalty, in FINE_STEPS short steps (the course's
    protocol, with targets) and in 10 long steps over the same distance (reported); entanglement of every face GAN (z4 and correlated must be more entangled than
    gan-faces); the latent explorer's update time."""
    if not set(FACE_GANS) <= set(pretrained.available()):
        return [{"name": "control", "metric": "face GANs shipped", "value": 0.0, "target": (">=", 1.0)}]
    judge = pretrained.load("judge-faces", device="cpu")
    gans = {name: pretrained.load(name, device="cpu") for name in FACE_GANS}
    reports = {name: controllability(gan.generate, judge, gan.config.z_dim) for name, gan in gans.items()}
    gan = gans["gan-faces"]
    fine = penalty_effect(gan.generate, judge, gaussian_noise(1024, gan.config.z_dim, seed=2), EDIT_FACTORS,
                          steps=FINE_STEPS, weight=FINE_STEP, penalty_weight=PENALTY_WEIGHT)
    rows = (edit_rows(f"gan-faces edit, {FINE_STEPS} steps", fine, targets=True) +
            edit_rows("gan-faces edit, 10 long steps", reports["gan-faces"], targets=False))
    plain = reports["gan-faces"]["entanglement"]
    beard, hair = judge.factor_names.index("beard"), judge.factor_names.index("hair_length")
    coupling = {name: report["matrix"][beard, hair].item() for name, report in reports.items()}
    for name, report in reports.items():
        # visibly worse: z4 over the whole matrix; the correlated GAN in the pair its data couples (beard -> hair)
        rows += [{"name": name, "metric": "entanglement", "value": report["entanglement"],
                  "target": (">=", 1.25 * plain) if name == "gan-faces-z4" else None},
                 {"name": name, "metric": "beard direction moves hair_length", "value": coupling[name],
                  "target": (">=", 2 * coupling["gan-faces"]) if name == "gan-faces-correlated" else None}]
    explorer = latent_explorer(gan.generate, judge, reports["gan-faces"]["directions"])
    rows.append({"name": "latent explorer", "metric": "median update ms", "value": 1000 * time_updates(explorer),
                 "target": ("<=", 50.0)})
    return rows


def disentanglement_rows(rows: list[dict]) -> list[dict]:
    """Claims that compare models, from the scores model_rows just measured, plus gan-faces' intervention score
    (the unsupervised face GAN: each of its first six z indices scored on the factor it moves most)."""
    measured = {(r["name"], r["metric"]): r["value"] for r in rows}
    out = []
    if {("vae-sprites", "mig"), ("betavae-sprites", "mig")} <= set(measured):
        out.append({"name": "betavae-sprites", "metric": "MIG gain over vae-sprites",
                    "value": measured["betavae-sprites", "mig"] - measured["vae-sprites", "mig"], "target": (">", 0.0)})
    if "gan-faces" in pretrained.available():
        out.append({"name": "gan-faces", "metric": "intervention_score (unsupervised)",
                    "value": scoring.face_interventions(pretrained.load("gan-faces"))["score"], "target": None})
    return out


STYLEGANS = ["stylegan-faces", "stylegan-faces-map0", "stylegan-faces-nomix"]
PSIS = [1.0, 0.8, 0.6, 0.4, 0.2]
Z_TRUNCATIONS = [3.0, 1.5, 1.0, 0.5, 0.25]


def stylegan_rows(rows: list[dict]) -> list[dict]:
    """The StyleGAN lecture's claims, from the scores model_rows measured and measured here (2,000 samples against
    the 2,000 held-out faces; gan-faces' path length from 2,000 paths, its separability from 10,000 samples)."""
    from gancourse.metrics import path_lengths, separability, truncation_curve
    from gancourse.training.splits import held_out_faces

    if "stylegan-faces" not in pretrained.available():  # the ablations' rows need their own checkpoints only
        return [{"name": "stylegan", "metric": "stylegan-faces shipped", "value": 0.0, "target": (">=", 1.0)}]
    measured = {(r["name"], r["metric"]): r["value"] for r in rows}
    out = []
    if ("stylegan-faces", "recall") in measured and ("stylegan-faces-nomix", "recall") in measured:
        out.append({"name": "stylegan-faces", "metric": "recall gain over -nomix", "target": None,
                    "value": measured["stylegan-faces", "recall"] - measured["stylegan-faces-nomix", "recall"]})
    judge = pretrained.load("judge-faces", device="cpu")
    gan = pretrained.load("gan-faces", device="cpu")
    out += [{"name": "gan-faces", "metric": "path_length_z", "value": path_lengths(gan, judge, n=2000)["z"], "target": None},
            {"name": "gan-faces", "metric": "separability_z", "target": None,
             "value": separability(gan, judge, n=10_000)["z"]["separability"]}]
    style = pretrained.load("stylegan-faces", device="cpu")
    held_out = held_out_faces().images
    for space, values in (("w", PSIS), ("z", Z_TRUNCATIONS)):
        curve = truncation_curve(style, judge, held_out, values, space=space)
        knob = "psi" if space == "w" else "z cut-off"
        for point in curve:
            out += [{"name": "stylegan-faces", "metric": f"{knob} {point['value']:g} {what}", "value": point[what],
                     "target": None} for what in ("precision", "recall")]
        out += [{"name": "stylegan-faces", "metric": f"precision rise, {knob} {values[0]:g}->{values[-1]:g}",
                 "value": curve[-1]["precision"] - curve[0]["precision"], "target": (">", 0.0)},
                {"name": "stylegan-faces", "metric": f"recall fall, {knob} {values[0]:g}->{values[-1]:g}",
                 "value": curve[0]["recall"] - curve[-1]["recall"], "target": (">", 0.0)}]
    z = torch.randn(64, style.config.z_dim, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        style.generate(z)  # warm up
        seconds = min(timed(lambda: style.generate(z)) for _ in range(10))
    out.append({"name": "stylegan-faces", "metric": "ms per image (batch 64)", "value": 1000 * seconds / 64,
                "target": ("<=", 5.0)})
    out.append({"name": "style-mixing widget", "metric": "median update ms",
                "value": 1000 * time_updates(style_mixing_explorer(style, judge)), "target": ("<=", 50.0)})
    return out


SEEDS = (0, 1, 2)
SEEDS_FILE = HERE / "seeds.json"
SEEDS_RUNS = HERE.parent / "runs" / "seeds"  # one resumable run per recipe and seed: a kill loses no finished run


def is_shipped_run(name: str, seed: int) -> bool:
    """Whether the shipped checkpoint is a run of recipe `name` at `seed`: the recipe's seed, steps and config.
    (Its weights repeat bit for bit only on the card's torch version, threads and CPU kernels; as one of the
    seeds of a spread it counts wherever it was trained.)"""
    r = recipes.RECIPES[name]
    if name not in pretrained.available():
        return False
    card = pretrained.card(name)
    return seed == r.seed and card.steps == r.steps and card.config == run.as_stored(asdict(r.build().config))


def seed_scores(name: str, seed: int) -> tuple[dict, str]:
    """Every numeric score of recipe `name` trained at `seed`, and where the weights came from: the shipped
    checkpoint where it is that run (see is_shipped_run), otherwise a run under runs/seeds/ (resumed if there)."""
    r = recipes.RECIPES[name]
    if is_shipped_run(name, seed):
        with torch_threads(r.threads):
            scores, source = r.score(pretrained.load(name)), "shipped"
    else:
        out = SEEDS_RUNS / f"{name}-seed{seed}"
        scores, source = run.train(name, seed=seed, out=out, progress=False).scores, str(out.relative_to(HERE.parent))
    return {k: v for k, v in scores.items() if isinstance(v, (int, float))}, source


def measure_seeds(names: list[str]) -> None:
    """Score each recipe trained at SEEDS and record every numeric score of each run, where its weights came from,
    and the date, in seeds.json."""
    if not names:
        return
    measured = json.loads(SEEDS_FILE.read_text()) if SEEDS_FILE.exists() else {}
    for name in names:
        runs, sources = {}, {}
        for seed in SEEDS:
            runs[str(seed)], sources[str(seed)] = seed_scores(name, seed)
            print(f"{name} seed {seed} ({sources[str(seed)]}): {runs[str(seed)]}")
        measured[name] = {"date": datetime.date.today().isoformat(), "torch": torch.__version__,
                          "cpu": torch.backends.cpu.get_cpu_capability(), "sources": sources, "runs": runs}
        SEEDS_FILE.write_text(json.dumps(measured, indent=2) + "\n")


def seed_rows() -> list[dict]:
    """Mean, standard deviation and range over training seeds of each score seeds.json holds (see measure_seeds)."""
    if not SEEDS_FILE.exists():
        return []
    rows = []
    for name, record in json.loads(SEEDS_FILE.read_text()).items():
        runs = list(record["runs"].values())
        label = f"{name} seeds {','.join(record['runs'])} ({record['date']})"
        target = recipes.RECIPES[name].targets if name in recipes.RECIPES else {}
        for metric in runs[0]:
            values = [r[metric] for r in runs]
            rows += [{"name": label, "metric": f"{metric} mean", "value": statistics.mean(values),
                      "target": target.get(metric)},
                     {"name": label, "metric": f"{metric} std", "value": statistics.stdev(values), "target": None},
                     {"name": label, "metric": f"{metric} min", "value": min(values), "target": None},
                     {"name": label, "metric": f"{metric} max", "value": max(values), "target": None}]
    return rows


def likelihood_rows(rows: list[dict]) -> list[dict]:
    """Notebook 06's claims. From the scores model_rows measured: PixelCNN's held-out bits/dim below every other
    family's, the flow's against the VAE's negative ELBO (reported). Measured here: causality by gradients (no
    output reads its own or a later pixel; the gated stacks read every earlier one, where a plain masked stack
    has a blind spot), a small flow's log-det against autograd's full Jacobian, a 2-D flow's density summed over a
    grid."""
    from gancourse.models.flow import Flow, FlowConfig, ToyFlow, ToyFlowConfig
    from gancourse.nn.masked import GatedStack, masked_stack, receptive_field

    measured = {(r["name"], r["metric"]): r["value"] for r in rows}
    out = []
    families = ("pixelcnn-digits", "vae-digits", "flow-digits")
    bits = {name: measured.get((name, "held_out_bits_per_dim")) for name in families}
    if None not in bits.values():
        out += [{"name": "pixelcnn-digits", "metric": "bits/dim below the next family", "target": (">", 0.0),
                 "value": min(bits["vae-digits"], bits["flow-digits"]) - bits["pixelcnn-digits"]},
                {"name": "flow-digits", "metric": "bits/dim below vae-digits' ELBO", "target": None,
                 "value": bits["vae-digits"] - bits["flow-digits"]}]
    torch.manual_seed(0)
    index = torch.arange(256).view(16, 16)
    later = index >= 8 * 16 + 8  # pixel (8, 8) and every pixel after it
    gated = receptive_field(GatedStack(1, 16), (1, 1, 16, 16), (8, 8))
    plain = receptive_field(masked_stack(1, 16, layers=6), (1, 1, 16, 16), (8, 8))
    out += [{"name": "pixelcnn causality", "metric": "own or later pixels read (gated)", "target": ("<=", 0.0),
             "value": float((gated[later] != 0).sum())},
            {"name": "pixelcnn causality", "metric": "own or later pixels read (plain)", "target": ("<=", 0.0),
             "value": float((plain[later] != 0).sum())},
            {"name": "pixelcnn causality", "metric": "earlier pixels missed (gated)", "target": ("<=", 0.0),
             "value": float((gated[~later] == 0).sum())},
            {"name": "pixelcnn causality", "metric": "earlier pixels missed (plain)", "target": None,
             "value": float((plain[~later] == 0).sum())}]
    flow = Flow(FlowConfig(side=8, hidden=8, couplings=(2, 2, 2)))
    flow(torch.rand(16, 1, 8, 8) * 2 - 1)  # training mode: the first batch sets the ActNorms
    with torch.no_grad():
        for p in flow.parameters():
            p.add_(torch.randn(p.shape) * 0.05)
    flow.eval()
    x = torch.rand(1, 1, 8, 8) * 1.8 - 0.9
    jacobian = torch.autograd.functional.jacobian(lambda v: flow(v.view(1, 1, 8, 8))[0][0], x.flatten())
    exact = torch.linalg.slogdet(jacobian.double())[1].item()
    toy = ToyFlow(ToyFlowConfig(couplings=3, hidden=16, blocks=1)).eval()
    with torch.no_grad():
        for p in toy.parameters():
            p.add_(torch.randn(p.shape) * 0.2)
        side = torch.linspace(-8, 8, 401)
        grid = torch.stack(torch.meshgrid(side, side, indexing="ij"), dim=-1).view(-1, 2)
        mass = (toy.log_prob(grid).exp().sum() * (side[1] - side[0]) ** 2).item()
    out += [{"name": "flow log-det", "metric": "|log-det - autograd's| (64 dims)", "target": ("<=", 1e-3),
             "value": abs(flow(x)[1].item() - exact)},
            {"name": "flow density", "metric": "|mass on a grid - 1| (2-D flow)", "target": ("<=", 0.02),
             "value": abs(mass - 1)}]
    return out


NOTEBOOKS = HERE.parent / "notebooks"


def notebook_rows() -> list[dict]:
    """Each notebook's run time, restarted and run top to bottom as Run All does, against the minute the course
    promises a learner on a CPU."""
    import subprocess
    rows = []
    for notebook in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        with tempfile.TemporaryDirectory() as folder:
            seconds = timed(lambda: subprocess.run(
                [sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute", str(notebook),
                 "--output-dir", folder], check=True, capture_output=True, cwd=NOTEBOOKS))
        rows.append({"name": f"notebook {notebook.name[:2]}", "metric": "seconds to run", "value": seconds,
                     "target": ("<=", 60.0)})
    return rows


BROWSER_FILE = HERE / "browser.json"  # written by `make test-browser`


def browser_rows() -> list[dict]:
    """The widgets' key-to-image latency in JupyterLab in headless Chromium, as `make test-browser` last measured
    it (it needs a browser, so this script does not measure it itself)."""
    if not BROWSER_FILE.exists():
        return []
    measured = json.loads(BROWSER_FILE.read_text())
    rows = [{"name": "widgets in the browser", "metric": "key to image median ms", "value": measured["median_ms"],
             "target": ("<=", 50.0)}]
    if measured.get("floor_median_ms") is not None:  # a bare slider and image: what no explorer can go below
        rows.append({"name": "widgets in the browser", "metric": "bare slider, key to image median ms",
                     "value": measured["floor_median_ms"], "target": None})
    return rows


def check_rows(rows: list[dict]) -> list[dict]:
    """Mark each row measured now ok or not against its target (rows kept from results.json carry theirs), print
    the table, and return the rows that fall short."""
    print(f"{'model':<30}{'metric':<32}{'value':>12}  {'target':<10}ok")
    for row in rows:
        if "ok" not in row:
            target = row["target"]
            row["ok"] = None if target is None else meets(row["value"], target)
            row["target"] = None if target is None else describe(target)
        mark = "" if row["ok"] is None else ("yes" if row["ok"] else "NO")
        print(f"{row['name']:<30}{row['metric']:<32}{row['value']:>12.4g}  {row['target'] or '':<10}{mark}")
    return [r for r in rows if r["ok"] is False]


def update_rows(names: list[str], notebooks: bool = False) -> list[dict]:
    """The rows of results.json, with those of recipes `names` and every seed row measured again (and, with
    notebooks, the notebooks' run times): for a checkpoint retrained or added, or a notebook changed, since the last
    full run. Rows derived from several models are kept as they were."""
    unknown = [n for n in names if n not in recipes.RECIPES]
    if unknown:
        raise SystemExit(f"--models: no recipe named {', '.join(unknown)}; see `python -m gancourse list`")
    fresh = model_rows(False, names) + seed_rows() + browser_rows() + (notebook_rows() if notebooks else [])
    measured = {(r["name"], r["metric"]) for r in fresh}
    seeded = {r["name"].split(" seeds ")[0] for r in fresh if " seeds " in r["name"]}
    stale = lambda r: ((r["name"], r["metric"]) in measured or r["name"] in names  # a retrained card may drop a row
                       or (" seeds " in r["name"] and r["name"].split(" seeds ")[0] in seeded))
    return [r for r in json.loads(RESULTS.read_text())["rows"] if not stale(r)] + fresh


RESULTS = HERE / "results.json"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--retrain", action="store_true", help="retrain every recipe to time it (minutes)")
    p.add_argument("--seeds", nargs="+", metavar="NAME", default=[],
                   help="first train these recipes at seeds 0, 1, 2 and record their scores' spread (minutes each)")
    p.add_argument("--models", nargs="+", metavar="NAME",
                   help="measure only these recipes' rows and the seed rows, and update them in results.json")
    p.add_argument("--notebooks", action="store_true",
                   help="with --models, or alone: also time every notebook and update those rows")
    args = p.parse_args()
    measure_seeds(args.seeds)
    if args.models or args.notebooks:
        rows = update_rows(args.models or [], notebooks=args.notebooks)
    else:
        rows = data_rows() + model_rows(args.retrain)
        rows += seed_rows() + disentanglement_rows(rows) + control_rows() + likelihood_rows(rows)
        rows += stylegan_rows(rows) + browser_rows() + notebook_rows()
    failed = check_rows(rows)
    machine = {"python": platform.python_version(), "torch": torch.__version__, "threads": torch.get_num_threads(),
               "cuda": torch.cuda.is_available(), "processor": platform.processor() or platform.machine()}
    RESULTS.write_text(json.dumps({"machine": machine, "rows": rows}, indent=2) + "\n")
    targeted = sum(r["ok"] is not None for r in rows)
    print(f"\n{targeted - len(failed)} of {targeted} rows with a target meet it ({len(rows) - targeted} more are "
          f"reported numbers); wrote {RESULTS}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

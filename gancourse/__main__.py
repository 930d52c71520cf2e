"""Command line: python -m gancourse list | train NAME | evaluate NAME | data NAME."""
from __future__ import annotations

import argparse
import json
import sys


def cmd_list(args) -> int:
    from . import pretrained
    from .training.recipes import RECIPES

    shipped = set(pretrained.available())
    width = max(len("name"), *map(len, RECIPES)) + 2
    print(f"{'name':<{width}}{'shipped':<9}{'steps':>7}  scores (as trained)")
    for name, r in RECIPES.items():
        scores = ""
        if name in shipped:
            card = pretrained.card(name)
            scores = ", ".join(f"{k}={v:.3g}" for k, v in card.scores.items() if isinstance(v, (int, float)))
        print(f"{name:<{width}}{'yes' if name in shipped else 'no':<9}{r.steps:>7}  {scores}")
    return 0


def cmd_train(args) -> int:
    from .training.loop import TrainingInterrupted
    from .training.run import RUNS_DIR, train

    try:
        card = train(args.name, steps=args.steps, seed=args.seed, out=args.out, fresh=args.fresh, threads=args.threads)
    except TrainingInterrupted as e:
        saved = "rerun the same command to resume" if e.saved else "nothing was saved"
        print(f"\ninterrupted at step {e.step}; {saved}", file=sys.stderr)
        return 130
    print(f"wrote {card.name} ({card.steps} steps, {card.train_seconds:.0f} s on {card.device}, "
          f"{card.threads} thread{'s' if card.threads > 1 else ''}) to {args.out or RUNS_DIR}")
    print(json.dumps(card.scores, indent=2))
    return 0


def cmd_evaluate(args) -> int:
    from . import pretrained
    from .training.recipes import recipe

    scores = recipe(args.name).score(pretrained.load(args.name))
    if args.json:
        print(json.dumps(scores, indent=2))
    else:
        for k, v in scores.items():
            print(f"{k:<28}{v}")
    return 0


def cmd_data(args) -> int:
    from . import data

    fetchers = {"mnist": data.mnist, "fashion-mnist": data.fashion_mnist, "celeba": data.celeba}
    offline = {"faces": lambda: data.faces(64), "sprites": lambda: data.sprites(64), "digits": data.digits}
    if args.name in fetchers:
        ds = fetchers[args.name](args.root, download=True)
        print(f"{args.name}: {len(ds)} images ready in {args.root or data.data_root()}")
    elif args.name in offline:
        print(f"{offline[args.name]()} -- generated offline, nothing to fetch")
    else:
        raise KeyError(f"No dataset named {args.name!r}. Datasets: {', '.join([*offline, *fetchers])}")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m gancourse", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="the models: recipes, shipped checkpoints and their scores").set_defaults(run=cmd_list)
    t = sub.add_parser("train", help="train a model from its recipe (resumes an interrupted run)")
    t.add_argument("name", help="recipe name, see `list`")
    t.add_argument("--steps", type=int, help="override the recipe's number of steps (at least 1)")
    t.add_argument("--seed", type=int, help="override the recipe's seed (weights' init, batch order, noise)")
    t.add_argument("--threads", type=int, help="CPU threads (default: the recipe's; the card's weights repeat "
                                               "only with the card's thread count and torch version)")
    t.add_argument("--out", help="folder for NAME.safetensors + NAME.json and the resumable run NAME.run/ "
                                 "(default runs/; gancourse/weights replaces the shipped checkpoint)")
    t.add_argument("--fresh", action="store_true", help="discard OUT/NAME.run and start over instead of resuming")
    t.set_defaults(run=cmd_train)
    e = sub.add_parser("evaluate", help="score a shipped checkpoint")
    e.add_argument("name")
    e.add_argument("--json", action="store_true", help="print the scores as JSON on stdout")
    e.set_defaults(run=cmd_evaluate)
    d = sub.add_parser("data", help="fetch a real dataset (mnist, fashion-mnist, celeba) or describe an offline one")
    d.add_argument("name")
    d.add_argument("--root", help="data folder (default $GANCOURSE_DATA or ~/.cache/gancourse)")
    d.set_defaults(run=cmd_data)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except (KeyError, ValueError, FileNotFoundError, RuntimeError) as e:
        message = e.args[0] if isinstance(e, KeyError) and e.args else e
        print(f"error: {message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

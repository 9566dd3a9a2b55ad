"""GAN recipe pilots: equal wall-clock budgets, run side by side, scored on the project's ruler; prints a table.

Starts one `python -m genimg.train gan` per recipe at the same moment, each on one thread, so the recipes share
the machine equally and each gets the same wall-clock budget (--minutes). Each run writes OUT/<data>-<recipe>/gan;
then `python -m genimg.evaluate` scores each (10,000 samples, the dataset's classifier as the ruler) and a
markdown table is printed: FID, KID, precision, recall, conditional accuracy, images/s, generator parameters.

The recipes differ from today's by one change each, from the small-data GAN literature:
- base:   today's recipe (non-saturating loss, DiffAugment, spectral norm, projection D, EMA, mode seeking)
- r1:     + lazy R1 penalty on real images (Mescheder et al. 2018; lazily every 16 steps, StyleGAN2)
- recon:  + D redraws real images from its 8x8 features (FastGAN's self-supervised discriminator, Liu et al. 2021)
- acgan:  + D names the class of real images, G is rewarded when D names the asked class (AC-GAN, Odena et al. 2017)

    python benchmarks/gan_pilots.py --data emoji --minutes 36 --out ../runs/pilots
    python benchmarks/gan_pilots.py --data emoji --out ../runs/pilots --table    # score finished runs only
    python benchmarks/gan_pilots.py --data emoji --out ../runs/pilots --table --card checkpoints/emoji/gan

--card writes the table into that checkpoint's card.json ("pilots"), which the Model card tab shows.
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from genimg.checkpoints import atomic_write_json  # noqa: E402

RECIPES = {"base": [], "r1": ["--r1", "0.05"], "recon": ["--reconstruct", "1"], "acgan": ["--classify", "1"]}
TODAY = {  # the options the committed checkpoints were trained with
    "emoji": ["--width", "32", "--z-dim", "128", "--batch-size", "32", "--augment", "color,translation,cutout"],
    "mnist": [],
}
ONE_THREAD = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def train_all(data: str, minutes: float, out: Path, recipes: list[str]) -> None:
    """All recipes at once, one thread each; returns when all have finished."""
    runs = []
    for name in recipes:
        folder = out / f"{data}-{name}"
        folder.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "genimg.train", "gan", "--data", data, "--out", str(folder / "gan"),
                   "--minutes", str(minutes), "--seed", "0", *TODAY[data], *RECIPES[name]]
        log = open(folder.with_suffix(".log"), "w")
        runs.append(subprocess.Popen(command, cwd=REPO, env={**os.environ, **ONE_THREAD}, stdout=log, stderr=log))
        print("started:", " ".join(command[1:]), file=sys.stderr)
    failed = [run.args for run in runs if run.wait() != 0]
    if failed:
        raise SystemExit(f"pilot runs failed (see the .log beside each): {failed}")


def score(data: str, folder: Path, rescore: bool) -> dict:
    """The evaluator's JSON for one pilot (kept in its card.json, so scoring again only with --rescore), plus
    what its card says about speed and size."""
    card = json.loads((folder / "card.json").read_text())
    if rescore or "fid" not in card.get("metrics", {}):
        subprocess.run([sys.executable, "-m", "genimg.evaluate", str(folder), "--classifier",
                        str(REPO / "checkpoints" / data / "classifier")], cwd=REPO, check=True, capture_output=True)
        card = json.loads((folder / "card.json").read_text())
    metrics = card["metrics"]
    rates = [epoch["images_per_s"] for epoch in card["history"]]
    return {**metrics, "images_per_s": sum(rates) / len(rates), "parameters": card["parameters"],
            "images_seen": card["steps"] * card["batch_size"], "wall_time_s": card["wall_time_s"]}


def table(rows: dict[str, dict]) -> str:
    lines = ["| recipe | FID | KID | precision | recall | cond. accuracy | images/s | images seen "
             "| G parameters |", "|---|---|---|---|---|---|---|---|---|"]
    for name, r in rows.items():
        accuracy = f"{r['conditional_accuracy']:.2f}" if "conditional_accuracy" in r else "-"
        lines.append(f"| {name} | {r['fid']:.1f} | {r['kid']:.0f} | {r['precision']:.2f} | {r['recall']:.2f} | "
                     f"{accuracy} | {r['images_per_s']:.0f} | {r['images_seen']:,} | {r['parameters']:,} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", choices=sorted(TODAY), default="emoji")
    parser.add_argument("--minutes", type=float, default=30.0, help="wall-clock budget of every pilot")
    parser.add_argument("--out", type=Path, required=True, help="scratch folder for the runs (outside the repo)")
    parser.add_argument("--recipes", default=",".join(RECIPES), help=f"from {', '.join(RECIPES)}")
    parser.add_argument("--table", action="store_true", help="only score the finished runs in --out")
    parser.add_argument("--rescore", action="store_true", help="evaluate again even when a card has the metrics")
    parser.add_argument("--card", type=Path, help="a checkpoint directory whose card.json gets the table")
    args = parser.parse_args()
    recipes = [name.strip() for name in args.recipes.split(",")]
    unknown = [name for name in recipes if name not in RECIPES]
    if unknown:
        parser.error(f"--recipes: unknown {unknown}; accepted: {', '.join(RECIPES)}")
    out = args.out.expanduser().resolve()
    if not args.table:
        train_all(args.data, args.minutes, out, recipes)
    rows = {name: score(args.data, out / f"{args.data}-{name}" / "gan", args.rescore) for name in recipes}
    print(table(rows))
    (out / f"{args.data}-pilots.json").write_text(json.dumps(rows, indent=2))
    if args.card is not None:
        card = json.loads((args.card / "card.json").read_text())
        minutes = round(rows[recipes[0]]["wall_time_s"] / 60)
        keep = ("fid", "kid", "precision", "recall", "conditional_accuracy", "images_per_s", "images_seen",
                "parameters", "wall_time_s")
        card["pilots"] = {"dataset": args.data, "minutes": minutes,
                          "machine": f"{os.cpu_count()} CPU cores, one thread per run",
                          "rows": {name: {k: r[k] for k in keep if k in r} for name, r in rows.items()}}
        atomic_write_json(args.card / "card.json", card)
        print(f"wrote the table into {args.card / 'card.json'}", file=sys.stderr)


if __name__ == "__main__":
    main()

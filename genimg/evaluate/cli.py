"""`python -m genimg.evaluate`: evaluate a checkpoint, merge the numbers into its card.json, rebuild the README table.

What is measured, and against what: see genimg/evaluate/evaluator.py (printed below with --help).

Examples:
    python -m genimg.evaluate checkpoints/mnist/gan                  # writes metrics into card.json
    python -m genimg.evaluate checkpoints/mnist/vae --json           # also prints them as JSON
    python -m genimg.evaluate checkpoints/mnist/gan --samples out/   # score any PNGs; card untouched
    python -m genimg.evaluate --readme                               # README results table from the cards
    python -m genimg.evaluate checkpoints/mnist/gan --cas --epochs 5 # Classification Accuracy Score (cas.py)
    python -m genimg.evaluate checkpoints/mnist/vae --detect --epochs 1   # real-vs-generated detector (detect.py)

--cas and --detect train small classifiers (minutes on a CPU for mnist, much longer for emoji: pick
--epochs to fit) and write only metrics.cas / metrics.detector into card.json; the sample metrics are
not recomputed. Budgets: --epochs (default: the ruler's own, from its card.json).
"""

import argparse
import json
import shlex
import sys
from pathlib import Path

from .. import data as datasets
from ..checkpoints import CheckpointError, read_card
from . import evaluator
from .cas import classification_accuracy_score
from .detect import detector_accuracy
from .evaluator import NUM_SAMPLES, EvalError, evaluate_checkpoint
from .report import cas_lines, detector_lines, merge_into_card, merge_section, summary_lines, update_readme


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m genimg.evaluate",
                                     description=__doc__ + "\n" + evaluator.__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkpoint", nargs="?", type=Path, help="a gan, vae or classifier checkpoint directory")
    parser.add_argument("--samples", type=Path, metavar="IMG_DIR",
                        help="score this folder of images against the checkpoint's dataset instead")
    parser.add_argument("--json", action="store_true", help="print the results as JSON on stdout")
    parser.add_argument("--num-samples", type=int, help=f"samples drawn (default {NUM_SAMPLES})")
    parser.add_argument("--classifier", type=Path, help="the ruler's checkpoint (default: DIR/../classifier)")
    parser.add_argument("--no-card", action="store_true", help="do not write the results into card.json")
    parser.add_argument("--readme", nargs="?", const=Path("README.md"), type=Path, metavar="README",
                        help="rebuild the results table in README (default README.md) from the cards")
    parser.add_argument("--checkpoints", type=Path, default=Path("checkpoints"),
                        help="with --readme: the folder of <dataset>/<kind>/ checkpoints (default checkpoints)")
    parser.add_argument("--cas", action="store_true",
                        help="Classification Accuracy Score: a classifier trained on samples only, tested on real "
                             "images (gan or vae DIR); writes metrics.cas")
    parser.add_argument("--detect", action="store_true",
                        help="train a real-vs-generated classifier and report its held-out accuracy and AUC "
                             "(gan or vae DIR); writes metrics.detector")
    parser.add_argument("--epochs", type=int,
                        help="with --cas/--detect: the classifiers' budget in epochs (default: the ruler's own)")
    args = parser.parse_args(argv)
    if (args.checkpoint is None) == (args.readme is None):
        parser.error("give either a checkpoint DIR or --readme (not both)")
    if args.checkpoint is not None and not (args.checkpoint / "card.json").is_file():
        parser.error(f"{args.checkpoint}: not a checkpoint directory (no card.json); expected e.g. "
                     "checkpoints/mnist/gan")
    if args.samples is not None and not args.samples.is_dir():
        parser.error(f"--samples {args.samples}: not a directory of images")
    trains = args.cas or args.detect
    if args.num_samples is not None and trains:
        parser.error("--num-samples is for the sample metrics; --cas and --detect draw as many samples as the "
                     "dataset's train split")
    args.num_samples = NUM_SAMPLES if args.num_samples is None else args.num_samples
    if not (10 <= args.num_samples <= 100_000):
        parser.error(f"--num-samples must be 10..100000, got {args.num_samples}")
    if args.epochs is not None and not trains:
        parser.error("--epochs is the budget of --cas or --detect; give one of them")
    if args.epochs is not None and not (1 <= args.epochs <= 1000):
        parser.error(f"--epochs must be 1..1000, got {args.epochs}")
    if trains and args.readme is not None:
        parser.error("--cas and --detect score a checkpoint DIR; --readme only rebuilds tables from the cards")
    if trains and args.samples is not None:
        parser.error("--cas and --detect sample the model itself; they do not take --samples")
    if trains and args.checkpoint is not None:
        try:
            kind = read_card(args.checkpoint)["kind"]
        except CheckpointError as e:
            parser.error(str(e))
        if kind not in ("gan", "vae"):
            parser.error(f"--cas and --detect need a gan or vae checkpoint; {args.checkpoint} is a {kind}")
    if args.readme is not None and not args.checkpoints.is_dir():
        parser.error(f"--checkpoints {args.checkpoints}: not a directory")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        if args.readme is not None:
            update_readme(args.readme, args.checkpoints)
            print(f"updated the results table in {args.readme}")
            return 0
        command = "python -m genimg.evaluate " + shlex.join(argv if argv is not None else sys.argv[1:])
        if args.cas or args.detect:
            return train_and_score(args, command)
        kind = read_card(args.checkpoint)["kind"]
        results = evaluate_checkpoint(args.checkpoint, args.num_samples, args.classifier, args.samples)
    except (EvalError, CheckpointError, datasets.DataError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    if args.samples is None and not args.no_card:
        merge_into_card(args.checkpoint, results, command)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print("\n".join(summary_lines("samples" if args.samples else kind, results)))
    return 0


def train_and_score(args: argparse.Namespace, command: str) -> int:
    """--cas and/or --detect: each figure printed, and written into card.json as metrics.cas / metrics.detector."""
    results = {}
    if args.cas:
        results["cas"] = classification_accuracy_score(args.checkpoint, args.epochs, args.classifier)
    if args.detect:
        results["detector"] = detector_accuracy(args.checkpoint, args.epochs, args.classifier)
    if not args.no_card:
        for key, record in results.items():
            merge_section(args.checkpoint, key, record, command)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        lines = (cas_lines(results["cas"]) if "cas" in results else []) + (
            detector_lines(results["detector"]) if "detector" in results else [])
        print("\n".join(lines))
    return 0

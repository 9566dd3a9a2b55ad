"""`python -m genimg.evaluate`: evaluate a checkpoint, merge the numbers into its card.json, rebuild the README table.

What is measured, and against what: see genimg/evaluate/evaluator.py (printed below with --help).

Examples:
    python -m genimg.evaluate checkpoints/mnist/gan                  # writes metrics into card.json
    python -m genimg.evaluate checkpoints/mnist/vae --json           # also prints them as JSON
    python -m genimg.evaluate checkpoints/mnist/gan --samples out/   # score any PNGs; card untouched
    python -m genimg.evaluate --readme                               # README results table from the cards
"""

import argparse
import json
import shlex
import sys
from pathlib import Path

from .. import data as datasets
from ..checkpoints import CheckpointError, read_card
from . import evaluator
from .evaluator import NUM_SAMPLES, EvalError, evaluate_checkpoint
from .report import merge_into_card, summary_lines, update_readme


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m genimg.evaluate",
                                     description=__doc__ + "\n" + evaluator.__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkpoint", nargs="?", type=Path, help="a gan, vae or classifier checkpoint directory")
    parser.add_argument("--samples", type=Path, metavar="IMG_DIR",
                        help="score this folder of images against the checkpoint's dataset instead")
    parser.add_argument("--json", action="store_true", help="print the results as JSON on stdout")
    parser.add_argument("--num-samples", type=int, default=NUM_SAMPLES, help=f"samples drawn (default {NUM_SAMPLES})")
    parser.add_argument("--classifier", type=Path, help="the ruler's checkpoint (default: DIR/../classifier)")
    parser.add_argument("--no-card", action="store_true", help="do not write the results into card.json")
    parser.add_argument("--readme", nargs="?", const=Path("README.md"), type=Path, metavar="README",
                        help="rebuild the results table in README (default README.md) from the cards")
    parser.add_argument("--checkpoints", type=Path, default=Path("checkpoints"),
                        help="with --readme: the folder of <dataset>/<kind>/ checkpoints (default checkpoints)")
    args = parser.parse_args(argv)
    if (args.checkpoint is None) == (args.readme is None):
        parser.error("give either a checkpoint DIR or --readme (not both)")
    if args.checkpoint is not None and not (args.checkpoint / "card.json").is_file():
        parser.error(f"{args.checkpoint}: not a checkpoint directory (no card.json); expected e.g. "
                     "checkpoints/mnist/gan")
    if args.samples is not None and not args.samples.is_dir():
        parser.error(f"--samples {args.samples}: not a directory of images")
    if not (10 <= args.num_samples <= 100_000):
        parser.error(f"--num-samples must be 10..100000, got {args.num_samples}")
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
        kind = read_card(args.checkpoint)["kind"]
        results = evaluate_checkpoint(args.checkpoint, args.num_samples, args.classifier, args.samples)
    except (EvalError, CheckpointError, datasets.DataError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    command = "python -m genimg.evaluate " + shlex.join(argv if argv is not None else sys.argv[1:])
    if args.samples is None and not args.no_card:
        merge_into_card(args.checkpoint, results, command)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print("\n".join(summary_lines("samples" if args.samples else kind, results)))
    return 0

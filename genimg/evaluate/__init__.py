"""Evaluation: score a checkpoint with its dataset's own classifier as the ruler.

    metrics.py    FID/KID (torchmetrics), precision/recall (k-NN), likelihood bounds, active units: formulas only
    evaluator.py  a checkpoint -> a metrics dict (GAN samples, VAE bounds and samples, classifier accuracy)
    report.py     results -> card.json, terminal lines, the README results table
    cli.py        `python -m genimg.evaluate DIR [--samples IMG_DIR] [--json] | --readme`

It reads checkpoints and data; it trains nothing and knows nothing of the app.
"""

from .cli import main, parse_args
from .evaluator import (
    NUM_SAMPLES,
    SEED,
    EvalError,
    build_reference,
    evaluate_checkpoint,
    evaluate_gan,
    evaluate_vae,
    generate_batched,
    score_images,
)
from .report import merge_into_card, readme_table, replace_between, update_readme

__all__ = ["NUM_SAMPLES", "SEED", "EvalError", "build_reference", "evaluate_checkpoint", "evaluate_gan",
           "evaluate_vae", "generate_batched", "main", "merge_into_card", "parse_args", "readme_table",
           "replace_between", "score_images", "update_readme"]

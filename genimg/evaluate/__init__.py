"""Evaluation: score a checkpoint with its dataset's own classifier as the ruler.

    metrics.py    FID/KID (torchmetrics), precision/recall (k-NN), likelihood bounds, active units: formulas only
    evaluator.py  a checkpoint -> a metrics dict (GAN samples, VAE bounds and samples, classifier accuracy)
    cas.py        Classification Accuracy Score: a classifier of the ruler's architecture trained on samples only
    detect.py     the machine's "real or generated?": a real-vs-generated classifier's held-out accuracy and AUC
    report.py     results -> card.json, terminal lines, the README tables
    cli.py        `python -m genimg.evaluate DIR [--samples IMG_DIR] [--cas] [--detect] [--json] | --readme`

It reads checkpoints and data and writes cards; it knows nothing of the app. The only training here is the
small throwaway classifiers of cas.py and detect.py, which are scored and never saved.
"""

from .cas import classification_accuracy_score
from .cli import main, parse_args
from .detect import detector_accuracy
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
from .report import cas_table, merge_into_card, readme_table, replace_between, update_readme

__all__ = ["NUM_SAMPLES", "SEED", "EvalError", "build_reference", "cas_table", "classification_accuracy_score",
           "detector_accuracy", "evaluate_checkpoint", "evaluate_gan", "evaluate_vae", "generate_batched", "main",
           "merge_into_card", "parse_args", "readme_table", "replace_between", "score_images", "update_readme"]

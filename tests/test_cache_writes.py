"""genimg/app/cache_writes.py: Gradio's cache writes made atomic. Many threads save the same picture while another
reads it back, as a class's requests and downloads do: the reader never sees a short file."""

import os
import threading

import numpy as np
from gradio import processing_utils
from PIL import Image

from genimg.app import cache_writes


def test_installed_functions_are_the_ones_gradio_calls():
    cache_writes.install()
    assert processing_utils.save_pil_to_cache is cache_writes.save_pil_to_cache
    assert processing_utils.save_bytes_to_cache is cache_writes.save_bytes_to_cache


def test_the_same_picture_saved_at_once_is_never_read_short(tmp_path):
    cache_writes.install()
    picture = Image.radial_gradient("L").resize((512, 512))
    path = processing_utils.save_img_array_to_cache(np.asarray(picture), str(tmp_path), "png")
    size, inode = len(open(path, "rb").read()), os.stat(path).st_ino
    short, done = [], threading.Event()

    def read():
        while not done.is_set():
            with open(path, "rb") as f:
                got = len(f.read())
            if got != size:
                short.append(got)

    def save():
        for _ in range(40):
            assert processing_utils.save_pil_to_cache(picture, str(tmp_path), format="png") == path

    reader = threading.Thread(target=read)
    reader.start()
    savers = [threading.Thread(target=save) for _ in range(6)]
    for t in savers:
        t.start()
    for t in savers:
        t.join()
    done.set()
    reader.join()
    assert short == [] and os.stat(path).st_ino == inode  # written once, never rewritten
    assert sorted(p.name for p in (tmp_path / processing_utils.hash_bytes(open(path, "rb").read())).iterdir()) == [
        "image.png"]  # no temporary file left behind


def test_bytes_keep_gradios_names(tmp_path):
    cache_writes.install()
    path = processing_utils.save_bytes_to_cache(b"GIF89a" + bytes(100), "loop.gif", str(tmp_path))
    assert path.endswith("/loop.gif") and open(path, "rb").read().startswith(b"GIF89a")

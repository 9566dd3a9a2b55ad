"""What genimg serves to the browser from npm: TensorFlow.js, fflate, gifenc and KaTeX at pinned versions,
sha256-checked.

    python -m genimg.app.vendor --check    # the committed files match SOURCES.json (exit 1 otherwise)
    python -m genimg.app.vendor --fetch    # npm pack the pinned packages, extract the listed files, verify, write
    python -m genimg.app.vendor --tests --check    # the same for what only the tests use (tests/vendor/)

Why TensorFlow.js: it is maintained, small (tf.min.js 1.5 MB, the wasm backend 0.15 MB of JS plus a
0.4 MB .wasm) and has a WebAssembly backend with SIMD, the fastest choice on a CPU-only browser. The
other maintained runtime, onnxruntime-web, ships a 14 MB .wasm: over the 10 MB a file may have in a
Space without LFS. tfjs keeps its own cpu backend inside tf.min.js as the fallback when wasm cannot load.

The downloads made in the browser (genimg/app/web/downloads.js, recipes.js) use fflate (ZIP archives and
the zlib stream inside a PNG; its ES module build, 91 kB) and gifenc (animated GIFs; 9 kB, ES module):
both small, dependency-free, MIT, and importable by the browser as they come from npm.

The static site (genimg/app/site.py) renders How it works' formulas with KaTeX (MIT): katex.min.js (a classic
script, 0.27 MB), its CSS and its fonts in WOFF2 only. Every browser that runs the page's ES modules reads WOFF2,
and the CSS lists WOFF2 first in each @font-face, so the WOFF and TTF copies would never be fetched. (The Gradio
app draws its Markdown's formulas with Gradio's own KaTeX.) A file pattern such as "dist/fonts/*.woff2" takes every
match; a file keeps its folders below the tarball's first one (dist/fonts/X.woff2 -> katex/fonts/X.woff2), so
the CSS finds its fonts where it expects them.

The tfjs tarballs carry no LICENSE file (package.json says "license": "Apache-2.0" and every dist file
keeps its Apache-2.0 banner), so each tfjs folder holds a committed LICENSE with the Apache-2.0 text;
--check verifies those too, --fetch leaves them as they are. fflate and gifenc ship their MIT licence,
which is extracted like any other listed file. This is not imported by the app at run time; it is a
maintenance script.

With --tests it keeps tests/vendor/ instead: axe-core (MPL-2.0, its LICENSE extracted beside it), which the
browser tests inject into the page to check accessibility (tests/test_a11y.py). The app never serves it.
"""

import argparse
import fnmatch
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from ..data.npm import sha256_of

VENDOR = Path(__file__).resolve().parent / "web" / "vendor"
SOURCES = VENDOR / "SOURCES.json"
TEST_VENDOR = Path(__file__).resolve().parents[2] / "tests" / "vendor"  # in a checkout of the repository
MAX_BYTES = 10 * 1024 * 1024  # a Space without LFS refuses files of 10 MB and more

# package, version, files inside the tarball (under package/) -> folder in vendor/
PINNED = [
    ("@tensorflow/tfjs", "4.22.0", ["dist/tf.min.js"], "tfjs"),
    ("@tensorflow/tfjs-backend-wasm", "4.22.0",
     # tfjs-backend-wasm.wasm: browsers without SIMD; the threaded build is left out: it needs
     # cross-origin isolation (SharedArrayBuffer), which a Gradio page does not have.
     ["dist/tf-backend-wasm.min.js", "dist/tfjs-backend-wasm-simd.wasm", "dist/tfjs-backend-wasm.wasm"],
     "tfjs-backend-wasm"),
    ("fflate", "0.8.3", ["esm/browser.js", "LICENSE"], "fflate"),
    ("gifenc", "1.0.3", ["dist/gifenc.esm.js", "LICENSE.md"], "gifenc"),
    ("katex", "0.19.1", ["dist/katex.min.js", "dist/katex.min.css", "dist/fonts/*.woff2", "LICENSE"], "katex"),
]
TEST_PINNED = [("axe-core", "4.14.1", ["axe.min.js", "LICENSE"], "axe-core")]  # tests/vendor/: never served


class VendorError(Exception):
    """A vendored file is missing, altered, or could not be fetched; the message says which and what to do."""


def read_sources(sources: Path = SOURCES) -> list[dict]:
    """SOURCES.json: [{package, version, file, path, sha256, bytes}], path relative to vendor/."""
    if not sources.is_file():
        raise VendorError(f"{sources}: missing; run `python -m genimg.app.vendor --fetch` to create it")
    return json.loads(sources.read_text(encoding="utf-8"))["files"]


def check(vendor: Path = VENDOR) -> list[str]:
    """Every file listed in SOURCES.json exists with its sha256 and size; returns the problems found."""
    problems = []
    for entry in read_sources(vendor / "SOURCES.json"):
        path = vendor / entry["path"]
        if not path.is_file():
            problems.append(f"{path}: missing (from {entry['package']}@{entry['version']} {entry['file']})")
            continue
        digest, size = sha256_of(path), path.stat().st_size
        if digest != entry["sha256"] or size != entry["bytes"]:
            problems.append(f"{path}: sha256 {digest[:16]}... ({size} bytes), expected {entry['sha256'][:16]}... "
                            f"({entry['bytes']} bytes) from {entry['package']}@{entry['version']} {entry['file']}")
        if size >= MAX_BYTES:
            problems.append(f"{path}: {size} bytes, over the {MAX_BYTES}-byte limit of a file in a Space")
    return problems


def vendored_path(folder: str, name: str) -> str:
    """Where a tarball file goes under vendor/: its folders below the tarball's first one are kept."""
    parts = Path(name).parts
    return "/".join([folder, *(parts[1:] if len(parts) > 1 else parts)])


def matching(tar: tarfile.TarFile, pattern: str) -> list[str]:
    """The files under package/ a listed name or pattern ("dist/fonts/*.woff2") names, sorted; VendorError if none."""
    names = sorted(m.name.removeprefix("package/") for m in tar.getmembers() if m.isfile())
    found = fnmatch.filter(names, pattern) if any(c in pattern for c in "*?[") else \
        [pattern] if pattern in names else []
    if not found:
        raise VendorError(f"{tar.name}: no file matches {pattern!r}")
    return found


def npm_pack(package: str, version: str, workdir: Path) -> Path:
    """`npm pack package@version` into workdir -> the tarball's path."""
    npm = shutil.which("npm")
    if npm is None:
        raise VendorError(f"npm is not installed, so {package}@{version} cannot be fetched; install Node.js "
                          f"(which brings npm), or run `npm pack {package}@{version}` on another machine")
    run = subprocess.run([npm, "pack", f"{package}@{version}", "--silent"], cwd=workdir,
                         capture_output=True, text=True, timeout=600)
    if run.returncode != 0:
        raise VendorError(f"`npm pack {package}@{version}` failed: {run.stderr.strip()[-500:]}")
    return workdir / run.stdout.strip().splitlines()[-1]


def fetch(vendor: Path = VENDOR, update: bool = False, pinned: list = PINNED) -> list[dict]:
    """npm pack every pinned package, extract its listed files into vendor/<folder>/, verify, write.

    Without `update`, a file whose sha256 differs from SOURCES.json is refused (the pin says what we ship);
    with it, SOURCES.json is rewritten from what npm returned (after changing a version in PINNED).
    """
    known = {e["path"]: e for e in read_sources(vendor / "SOURCES.json")} if (vendor / "SOURCES.json").exists() \
        else {}
    entries = []
    with tempfile.TemporaryDirectory() as tmp:
        for package, version, files, folder in pinned:
            tarball = npm_pack(package, version, Path(tmp))
            with tarfile.open(tarball, "r:gz") as tar:
                for name in (name for pattern in files for name in matching(tar, pattern)):
                    data = tar.extractfile(tar.getmember(f"package/{name}")).read()
                    path = vendored_path(folder, name)
                    entry = {"package": package, "version": version, "file": name, "path": path,
                             "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
                    old = known.get(path)
                    if not update and (old is None or old["sha256"] != entry["sha256"]):
                        raise VendorError(f"{package}@{version} {name}: sha256 {entry['sha256']} does not match "
                                          f"SOURCES.json ({old['sha256'] if old else 'not listed'}); "
                                          "pass --update only if you changed the pinned version on purpose")
                    if len(data) >= MAX_BYTES:
                        raise VendorError(f"{package}@{version} {name}: {len(data)} bytes, over {MAX_BYTES}")
                    entries.append((entry, data))
    for entry, data in entries:
        target = vendor / entry["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp_path = target.with_name(f".{target.name}.tmp")
        tmp_path.write_bytes(data)
        tmp_path.replace(target)
    fetched = {e["path"] for e, _ in entries}
    # the licences committed by hand (no tarball has them) stay listed as they are
    licences = [e for e in known.values() if e["file"] == "LICENSE" and e["path"] not in fetched]
    files = [e for e, _ in entries] + licences
    text = json.dumps({"files": files}, indent=2) + "\n"
    (vendor / ".SOURCES.json.tmp").write_text(text, encoding="utf-8")
    (vendor / ".SOURCES.json.tmp").replace(vendor / "SOURCES.json")
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m genimg.app.vendor", description=__doc__.split("\n\n")[0],
                                     epilog="examples:\n  python -m genimg.app.vendor --check\n"
                                            "  python -m genimg.app.vendor --fetch\n"
                                            "  python -m genimg.app.vendor --tests --check",
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--check", action="store_true", help="verify the committed files against SOURCES.json")
    action.add_argument("--fetch", action="store_true", help="re-fetch the pinned packages with npm pack")
    parser.add_argument("--update", action="store_true", help="with --fetch: accept new hashes, rewrite SOURCES.json")
    parser.add_argument("--tests", action="store_true", help="tests/vendor/ (axe-core) instead of the app's files")
    parser.add_argument("--vendor", type=Path, default=None, help=argparse.SUPPRESS)  # tests point it elsewhere
    args = parser.parse_args(argv)
    args.vendor = args.vendor or (TEST_VENDOR if args.tests else VENDOR)
    try:
        if args.fetch:
            files = fetch(args.vendor, update=args.update, pinned=TEST_PINNED if args.tests else PINNED)
            print(f"fetched and verified {len(files)} files into {args.vendor}")
        problems = check(args.vendor)
    except VendorError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    if problems:
        print("vendored files do not match SOURCES.json:\n  " + "\n  ".join(problems)
              + "\nrun `python -m genimg.app.vendor --fetch` to restore the pinned files", file=sys.stderr)
        return 1
    print(f"ok: {len(read_sources(args.vendor / 'SOURCES.json'))} files in {args.vendor} match SOURCES.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())

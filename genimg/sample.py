"""Command line: write one PNG per seed from a GAN or VAE checkpoint.

    python -m genimg.sample checkpoints/mnist/gan --seeds 0-31,42 --outdir out/
    python -m genimg.sample checkpoints/mnist/gan --seeds 0-9 --label 7 --psi 0.7 --outdir out/sevens
    python -m genimg.sample checkpoints/mnist/vae --seeds 100-115 --outdir out/vae
    python -m genimg.sample checkpoints/mnist/vae --seeds 100-115 --prior standard --outdir out/vae-n01

A VAE samples from its learned prior (prior.safetensors, see genimg/models/prior.py) when it has one,
else from N(0, I); --prior picks one explicitly.

Writes OUTDIR/seed0042.png (seed zero-padded to 4 digits). The functions live in genimg.sampling;
this module is only the CLI (import genimg.sampling, not this, from Python).
"""

import argparse
import sys
from pathlib import Path

from .checkpoints import CheckpointError, load
from .images import save_png, to_pil
from .sampling import PRIORS, SeedError, parse_seeds, sample


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m genimg.sample", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkpoint", type=Path, help="a GAN or VAE checkpoint directory")
    parser.add_argument("--seeds", required=True, help="seed list, e.g. 0-31,42")
    parser.add_argument("--psi", type=float, default=1.0, help="truncation: z is multiplied by psi (1 = none)")
    parser.add_argument("--label", default=None, help="class name or index (conditional GANs); default: any")
    parser.add_argument("--prior", choices=PRIORS, default=None,
                        help="VAEs: 'learned' (the fitted mixture; the default when DIR has prior.safetensors) or "
                        "'standard' (N(0, I))")
    parser.add_argument("--outdir", required=True, type=Path)
    args = parser.parse_args(argv)
    try:
        seeds = parse_seeds(args.seeds)
    except SeedError as e:
        parser.error(f"--seeds: {e}")
    try:
        model = load(args.checkpoint)
        images = sample(model, seeds, psi=args.psi, label=args.label, prior=args.prior)
    except (CheckpointError, ValueError, TypeError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    args.outdir.mkdir(parents=True, exist_ok=True)
    for seed, image in zip(seeds, images):
        save_png(to_pil(image), args.outdir / f"seed{seed:04d}.png")
    print(f"wrote {len(seeds)} image(s) to {args.outdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

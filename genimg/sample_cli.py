"""Command line: PNGs (one per seed), an interpolation video, or an image again from its recipe.

    python -m genimg.sample checkpoints/mnist/gan --seeds 0-31,42 --outdir out/
    python -m genimg.sample checkpoints/mnist/gan --seeds 0-9 --label 7 --psi 0.7 --outdir out/sevens
    python -m genimg.sample checkpoints/mnist/vae --seeds 100-115 --outdir out/vae
    python -m genimg.sample checkpoints/mnist/gan --interpolate 3,8 --frames 24 --video out/3to8.mp4
    python -m genimg.sample --from-png out/seed0042.png --out again.png     # the same bytes
    python -m genimg.sample checkpoints/mnist/vae --seeds 100-115 --prior standard --outdir out/vae-n01

A VAE samples from its learned prior (prior.safetensors, see genimg/models/prior.py) when it has one,
else from N(0, I); --prior picks one explicitly.

Writes OUTDIR/seed0042.png (seed zero-padded to 4 digits); each PNG carries its recipe (genimg/recipes.py).
--video writes a looping H.264 MP4 (A -> B -> A). --from-png finds the checkpoint the recipe names under
$GENIMG_CHECKPOINTS or ./checkpoints (<model>/<network>), or takes the one given, and checks that it is the
same weights. The functions live in genimg.sampling, genimg.images and genimg.recipes; this module is only the CLI.
"""

import argparse
import sys
from pathlib import Path

from . import recipes
from .checkpoints import CheckpointError, atomic_write_bytes, checkpoints_root, load
from .directions import load_directions
from .images import png_bytes, save_png, to_pil, video_bytes
from .sampling import PRIORS, SeedError, interpolate, loop_path, parse_seeds, sample

MAX_FRAMES = 600


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m genimg.sample", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkpoint", type=Path, nargs="?", help="a GAN or VAE checkpoint directory")
    parser.add_argument("--seeds", help="seed list, e.g. 0-31,42")
    parser.add_argument("--psi", type=float, default=1.0, help="truncation: z is multiplied by psi (1 = none)")
    parser.add_argument("--label", default=None, help="class name or index (conditional GANs); default: any")
    parser.add_argument("--outdir", type=Path, help="folder for the seed PNGs")
    parser.add_argument("--interpolate", metavar="A,B", help="two seeds: a looping video from A to B and back")
    parser.add_argument("--frames", type=int, default=24, help="video frames (default 24)")
    parser.add_argument("--video", type=Path, metavar="OUT.mp4", help="where --interpolate writes its MP4")
    parser.add_argument("--from-png", type=Path, metavar="FILE", help="a PNG genimg wrote: make it again")
    parser.add_argument("--out", type=Path, metavar="OUT.png", help="where --from-png writes")
    parser.add_argument("--prior", choices=PRIORS, default=None,
                        help="VAEs: 'learned' (the fitted mixture; the default when DIR has prior.safetensors) or "
                        "'standard' (N(0, I))")
    args = parser.parse_args(argv)
    modes = [name for name, on in (("--seeds", args.seeds), ("--interpolate", args.interpolate),
                                   ("--from-png", args.from_png)) if on]
    if len(modes) != 1:
        parser.error("give one of --seeds (PNGs), --interpolate (a video) or --from-png (an image again)"
                     + (f"; got {' and '.join(modes)}" if modes else ""))
    try:
        if args.from_png:
            return from_png(parser, args)
        if args.checkpoint is None:
            parser.error("give a checkpoint directory, e.g. checkpoints/mnist/gan")
        if args.interpolate:
            return video(parser, args)
        return seeds(parser, args)
    except (CheckpointError, ValueError, TypeError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1


def seeds(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    if args.outdir is None:
        parser.error("--seeds writes one PNG per seed into --outdir; give --outdir")
    try:
        seed_list = parse_seeds(args.seeds)
    except SeedError as e:
        parser.error(f"--seeds: {e}")
    model = load(args.checkpoint)
    images = sample(model, seed_list, psi=args.psi, label=args.label, prior=args.prior)
    name, checkpoint = model_name(args.checkpoint), recipes.checkpoint_id(args.checkpoint)
    args.outdir.mkdir(parents=True, exist_ok=True)
    for seed, image in zip(seed_list, images):
        recipe = recipes.make(model, name, checkpoint, seeds=[seed], psi=args.psi, label=args.label,
                              prior=args.prior)
        save_png(recipes.attach(to_pil(image), recipe), args.outdir / f"seed{seed:04d}.png")
    print(f"wrote {len(seed_list)} image(s) to {args.outdir}")
    return 0


def video(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    if args.video is None or args.video.suffix.lower() != ".mp4":
        parser.error("--interpolate writes an MP4: give --video OUT.mp4")
    try:
        seed_a, seed_b = parse_seeds(args.interpolate, limit=2)
    except (SeedError, ValueError):  # ValueError: one seed only
        parser.error(f"--interpolate takes two seeds, like 3,8; got {args.interpolate!r}")
    if not 2 <= args.frames <= MAX_FRAMES:
        parser.error(f"--frames must be from 2 to {MAX_FRAMES}, got {args.frames}")
    model = load(args.checkpoint)
    images = interpolate(model, seed_a, seed_b, loop_path(args.frames), args.psi, args.label)
    atomic_write_bytes(args.video, video_bytes(images))
    print(f"wrote {args.video}: {args.frames} frames, seed {seed_a} -> {seed_b} -> {seed_a}")
    return 0


def from_png(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    if args.out is None:
        parser.error("--from-png writes the image again to --out OUT.png; give --out")
    recipe = recipes.read(args.from_png)
    directory = args.checkpoint or checkpoints_root() / recipe["model"] / recipe["network"]
    found = recipes.checkpoint_id(directory) if (directory / "model.safetensors").is_file() else None
    if found != recipe["checkpoint"]:
        raise recipes.RecipeError(
            f"{args.from_png} was made by checkpoint {recipe['checkpoint']} ({recipe['model']}/{recipe['network']}); "
            + (f"{directory} holds {found}" if found else f"{directory} has no model.safetensors")
            + ": pass the checkpoint directory it was made with")
    model = load(directory)
    directions = None
    if recipe.get("offsets"):
        loaded = load_directions(directory, model.z_dim)
        if loaded is None or recipes.file_id(directory / "directions.safetensors") != recipe.get("directions"):
            raise recipes.RecipeError(f"{args.from_png} moves along directions {recipe.get('directions')}, and "
                                      f"{directory} does not hold that directions.safetensors")
        directions = loaded.vectors
    atomic_write_bytes(args.out, png_bytes(recipes.render(model, recipe, directions)))
    print(f"wrote {args.out} from the recipe in {args.from_png}")
    return 0


def model_name(directory: Path) -> str:
    """checkpoints/mnist/gan -> 'mnist': the name the app's model selector shows."""
    return Path(directory).resolve().parent.name

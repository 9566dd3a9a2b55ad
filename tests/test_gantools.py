"""GAN tools on tiny seeded models: inversion, discovered directions, PNG recipes, MP4 interpolation."""

import contextlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
import pytest
import torch
from conftest import REPO, tiny_gan
from PIL import Image

import genimg
from genimg import directions as gan_directions
from genimg import recipes
from genimg.checkpoints import save_model
from genimg.images import png_bytes, to_pil, video_bytes
from genimg.inversion import InversionError, invert_steps
from genimg.inversion import main as invert_main
from genimg.models import Classifier
from genimg.sample_cli import main as sample_main
from genimg.sampling import interpolate, latent_from_seed, latents, loop_path, sample


@dataclass
class Result:
    returncode: int
    stderr: str


def run(*args, cache: Path = None) -> Result:
    """`python -m genimg.sample|invert ARGS`, in this process (the CLIs are importable functions): no start-up cost."""
    assert args[0] == "-m"
    main = {"genimg.sample": sample_main, "genimg.invert": invert_main}[args[1]]
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
        try:
            code = main([str(a) for a in args[2:]])
        except SystemExit as e:  # argparse's usage errors
            code = e.code
    return Result(code, stderr.getvalue())


# ---- inversion -------------------------------------------------------------------------------------------------

def test_invert_finds_a_generated_image_back():
    gan = tiny_gan()
    target = sample(gan, [4321])[0]  # (28, 28, 1): an image the GAN can make, from a seed outside the starts
    found = genimg.invert(gan, target, steps=150, seeds=64)
    assert found.image.shape == target.shape == (28, 28, 1) and found.image.dtype == np.uint8
    assert found.z.shape == (gan.z_dim,) and found.z.dtype == np.float32
    assert found.label in range(gan.num_classes) and found.steps == found.step == 150
    assert found.losses[-1] < 0.2 * found.losses[0]  # the loss falls
    assert found.psnr_db > 30, found.psnr_db
    again = recipes.render(gan, recipes.make(gan, "fake", "0" * 12, z=found.z, label=found.label))
    assert np.array_equal(np.asarray(again)[..., None], found.image)  # z and label name the image


def test_invert_streams_progress_and_uses_a_classifier():
    torch.manual_seed(0)
    gan, classifier = tiny_gan(), Classifier(num_classes=3, width=4, feature_dim=8).eval()
    updates = list(invert_steps(gan, sample(gan, [777])[0], steps=20, classifier=classifier, seeds=16, every=5))
    assert [u.step for u in updates] == [0, 5, 10, 15, 20] and updates[-1].done
    assert updates[-1].mse <= updates[0].mse


def test_invert_preprocesses_uploads_and_refuses_bad_input(tmp_path):
    gan = tiny_gan()
    page = np.full((90, 60), 250, np.uint8)
    page[20:70, 25:35] = 10  # a dark stroke on white: preprocessed like the encode tab's digits
    Image.fromarray(page).save(tmp_path / "one.png")
    assert genimg.invert(gan, tmp_path / "one.png", steps=2, seeds=4).target.shape == (28, 28, 1)
    with pytest.raises(InversionError, match="no image"):
        genimg.invert(gan, None)
    with pytest.raises(InversionError, match="steps must be a whole number from 0"):
        genimg.invert(gan, sample(gan, [0])[0], steps=-1)
    with pytest.raises(ValueError, match="not a readable image"):
        genimg.invert(gan, b"not a picture")
    with pytest.raises(InversionError, match="needs a GAN generator"):
        genimg.invert(object(), sample(gan, [0])[0])


def test_invert_cli_writes_a_png_with_its_z(tmp_path, isolated_cache):
    directory = tmp_path / "fake" / "gan"
    save_model(tiny_gan(), directory, {"dataset": "fake"})
    target = tmp_path / "target.png"
    to_pil(sample(tiny_gan(), [5])[0]).save(target)
    result = run("-m", "genimg.invert", directory, target, "--out", tmp_path / "found.png", "--steps", "5",
                 "--seeds", "8", cache=isolated_cache)
    assert result.returncode == 0, result.stderr
    recipe = recipes.read(tmp_path / "found.png")
    assert recipe["model"] == "fake" and len(recipe["z"]) == 8 and recipe["checkpoint"] == recipes.checkpoint_id(
        directory)
    result = run("-m", "genimg.invert", directory, tmp_path / "missing.png", "--out", tmp_path / "x.png",
                 cache=isolated_cache)
    assert result.returncode == 2 and "no such file" in result.stderr


# ---- directions ------------------------------------------------------------------------------------------------

def test_directions_are_unit_vectors_ordered_by_variance(tmp_path):
    gan = tiny_gan()
    found = gan_directions.compute(gan, count=4, samples=400)
    assert found.vectors.shape == (4, gan.z_dim)
    np.testing.assert_allclose(np.linalg.norm(found.vectors, axis=1), 1.0, rtol=1e-5)
    assert np.all(np.diff(found.variance_share) <= 0) and 0 < found.variance_share.sum() <= 1
    assert found.labels()[0].startswith("d0 · ") and found.labels()[0].endswith("%")
    gan_directions.save(found, tmp_path)
    loaded = gan_directions.load_directions(tmp_path, gan.z_dim)
    np.testing.assert_array_equal(loaded.vectors, found.vectors)
    assert gan_directions.load_directions(tmp_path / "nothing", gan.z_dim) is None


def test_latents_from_seed_psi_and_offsets():
    directions = np.eye(8, dtype=np.float32)[:3]
    z = latents([7], 8, psi=0.5, offsets=[2.0, 0.0, -1.0], directions=directions)[0]
    expected = 0.5 * latent_from_seed(7, 8) + np.array([2, 0, -1, 0, 0, 0, 0, 0], np.float32)
    np.testing.assert_allclose(z, expected, rtol=1e-6)
    with pytest.raises(ValueError, match="need the directions"):
        latents([7], 8, offsets=[1.0])
    with pytest.raises(ValueError, match="at most 3 offsets"):
        latents([7], 8, offsets=[1.0] * 4, directions=directions)
    sweep = latents([7, 7], 8, psi=[0.0, 1.0])
    assert not sweep[0].any() and np.array_equal(sweep[1], latent_from_seed(7, 8))


# ---- recipes ---------------------------------------------------------------------------------------------------

def test_recipe_round_trip_gives_the_same_bytes(tmp_path, isolated_cache):
    root = tmp_path / "checkpoints"
    gan = tiny_gan()
    save_model(gan, root / "fake" / "gan", {"dataset": "fake"})
    gan_directions.save(gan_directions.compute(gan, count=3, samples=200), root / "fake" / "gan")
    result = run("-m", "genimg.sample", root / "fake" / "gan", "--seeds", "3,42", "--psi", "0.7", "--label",
                 "class1", "--outdir", tmp_path / "out", cache=isolated_cache)
    assert result.returncode == 0, result.stderr
    written = tmp_path / "out" / "seed0042.png"
    recipe = recipes.read(written)
    assert recipe["seeds"] == [42] and recipe["psi"] == 0.7 and recipe["label"] == "class1"
    assert recipe["checkpoint"] == recipes.checkpoint_id(root / "fake" / "gan") and recipe["genimg"]
    result = run("-m", "genimg.sample", "--from-png", written, "--out", tmp_path / "again.png",
                 cache=isolated_cache)  # looks for checkpoints/fake/gan from the recipe: not in this repo
    assert result.returncode != 0 and "pass the checkpoint directory" in result.stderr
    result = run("-m", "genimg.sample", root / "fake" / "gan", "--from-png", written, "--out",
                 tmp_path / "again.png", cache=isolated_cache)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "again.png").read_bytes() == written.read_bytes()

    # an edited grid (offsets along the directions) follows the same road, in Python
    loaded = gan_directions.load_directions(root / "fake" / "gan", gan.z_dim)
    grid_recipe = recipes.make(gan, "fake", recipes.checkpoint_id(root / "fake" / "gan"), seeds=[1, 2, 3], psi=1.0,
                               offsets=[1.5, 0.0, -2.0], directions="abc", columns=2, scale=3)
    first = png_bytes(recipes.render(gan, grid_recipe, loaded.vectors))
    assert png_bytes(recipes.render(gan, recipes.read(first), loaded.vectors)) == first
    assert recipes.read(first)["offsets"] == [1.5, 0.0, -2.0]


def test_a_png_without_a_recipe_is_a_clear_error(tmp_path, isolated_cache):
    plain = tmp_path / "plain.png"
    Image.new("L", (4, 4)).save(plain)
    with pytest.raises(recipes.RecipeError, match="has no genimg recipe"):
        recipes.read(plain)
    result = run("-m", "genimg.sample", "--from-png", plain, "--out", tmp_path / "x.png", cache=isolated_cache)
    assert result.returncode == 1 and "has no genimg recipe" in result.stderr
    broken = Image.new("L", (4, 4))
    broken.info["genimg"] = '{"model": 3}'
    with pytest.raises(recipes.RecipeError, match="'model' must be a string"):
        recipes.read(png_bytes(broken))


# ---- video -----------------------------------------------------------------------------------------------------

def decoded_frames(data: bytes) -> list[np.ndarray]:
    with av.open(io.BytesIO(data)) as container:
        return [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]


def test_mp4_decodes_with_the_frames_asked_for(tmp_path, isolated_cache):
    gan = tiny_gan()
    frames = interpolate(gan, 3, 8, loop_path(10))
    assert frames.shape == (10, 28, 28, 1)
    assert np.array_equal(frames[0], sample(gan, [3])[0])  # the loop starts at seed A, with A's class
    decoded = decoded_frames(video_bytes(frames))
    assert len(decoded) == 10 and decoded[0].shape == (224, 224, 3)  # 28 x 8: even sides for H.264

    directory = tmp_path / "gan"
    save_model(gan, directory, {"dataset": "fake"})
    result = run("-m", "genimg.sample", directory, "--interpolate", "3,8", "--frames", "24", "--video",
                 tmp_path / "loop.mp4", cache=isolated_cache)
    assert result.returncode == 0, result.stderr
    assert len(decoded_frames((tmp_path / "loop.mp4").read_bytes())) == 24
    result = run("-m", "genimg.sample", directory, "--interpolate", "3,8", "--frames", "0", "--video",
                 tmp_path / "none.mp4", cache=isolated_cache)
    assert result.returncode == 2 and "--frames must be from 2" in result.stderr
    with pytest.raises(ValueError, match="frames must be a whole number of at least 2"):
        loop_path(0)


def test_readme_direction_shares_are_the_committed_ones():
    """README quotes the editor's slider labels; they come from the committed directions.safetensors."""
    readme = (REPO / "README.md").read_text(encoding="utf-8").replace("\n", " ")
    for dataset in ("mnist", "emoji"):
        gan = genimg.load(REPO / "checkpoints" / dataset / "gan")
        shares = [f"{100 * s:.1f}" for s in gan_directions.load_directions(REPO / "checkpoints" / dataset / "gan",
                                                                              gan.z_dim).variance_share]
        quoted = re.search(rf"{dataset} ((?:[\d.]+, )+[\d.]+)%", readme)
        assert quoted and quoted.group(1).split(", ") == shares, (dataset, quoted and quoted.group(1), shares)

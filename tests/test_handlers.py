"""The app's handlers on tiny seeded checkpoints in tmp_path; no Gradio server."""

import io
import json

import gradio as gr
import numpy as np
import pytest
import torch
from PIL import Image
from safetensors.torch import save_file

from genimg.app.checks import MAX_IMAGES
from genimg.checkpoints import save_model
from genimg.models import VAE, Generator
from tests.conftest import AppHandlers as Lab

KL = [0.01, 2.04, 0.0, 0.9]  # z1 carries most, then z3, z0, z2
CARD = {"dataset": "tiny", "command": "python -m genimg.train gan --data tiny --out X", "epochs": 1, "steps": 2,
        "wall_time_s": 90.0, "device": "cpu", "parameters": 1234, "metrics": {"fid": 12.5}}


def tiny_root(root):
    """tiny/{gan,vae} (conditional GAN, VAE with latents.safetensors), colour/vae (no latents), onlygan/gan,
    broken/vae (a config that does not fit)."""
    torch.manual_seed(0)
    save_model(Generator(z_dim=8, width=8, num_classes=3, class_names=["a", "b", "c"], class_prior=[0.2, 0.3, 0.5]),
               root / "tiny" / "gan", card=CARD)
    save_model(VAE(z_dim=4, width=8, hidden=16, class_names=["a", "b", "c"]), root / "tiny" / "vae",
               card={"dataset": "tiny"})
    mu = torch.randn(30, 4)
    save_file({"test_mu": mu, "test_logvar": torch.zeros(30, 4), "test_labels": torch.arange(30) % 3,
               "kl_per_dim": torch.tensor(KL)}, root / "tiny" / "vae" / "latents.safetensors")
    save_model(VAE(z_dim=3, image_size=32, channels=3, width=8, hidden=16, likelihood="gaussian"),
               root / "colour" / "vae", card={"dataset": "colour"})
    save_model(Generator(z_dim=8, image_size=32, channels=3, width=8), root / "onlygan" / "gan", card={})
    save_model(VAE(z_dim=4, width=8, hidden=16), root / "broken" / "vae", card={})
    config = root / "broken" / "vae" / "config.json"
    config.write_text(json.dumps({**json.loads(config.read_text()), "z_dim": 5}))  # weights no longer fit
    return root


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    torch.set_num_threads(1)
    return Lab(tiny_root(tmp_path_factory.mktemp("checkpoints")))


def test_registry_loads_what_it_can_and_reports_the_rest(lab):
    assert lab.registry.datasets() == ["colour", "onlygan", "tiny"]
    assert lab.registry.datasets("vae") == ["colour", "tiny"] and lab.registry.datasets("gan") == ["onlygan", "tiny"]
    problems = lab.registry.problems
    assert len(problems) == 1 and problems[0].startswith("broken/vae:") and "do not fit" in problems[0]
    assert "broken/vae" in lab.registry.problems_markdown()
    assert lab.registry.max_z_dim == 4


def test_registry_root_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("GENIMG_CHECKPOINTS", str(tmp_path / "nowhere"))
    empty = Lab().registry
    assert empty.datasets() == [] and "no checkpoint folder" in empty.problems[0]


def test_sample_gallery_captions_and_grid(lab):
    gallery, grid_path = lab.gan.gallery.sample("tiny", "0-2,7", 1.0, "any")
    assert [caption for _, caption in gallery] == ["seed 0", "seed 1", "seed 2", "seed 7"]
    assert gallery[0][0].size == (112, 112)  # 28 upscaled 4x, nearest neighbour
    assert Image.open(grid_path).format == "PNG"
    again, _ = lab.gan.gallery.sample("tiny", "7", 1.0, "any")
    assert np.array_equal(np.asarray(again[0][0]), np.asarray(gallery[3][0]))  # a seed names one image
    fixed, _ = lab.gan.gallery.sample("tiny", "0-3", 0.5, "b")
    assert len(fixed) == 4 and not np.array_equal(np.asarray(fixed[0][0]), np.asarray(gallery[0][0]))


@pytest.mark.parametrize("args, message", [
    (("tiny", f"0-{MAX_IMAGES}", 1.0, "any"), f"at most {MAX_IMAGES}"),
    (("tiny", "1-x", 1.0, "any"), "not a seed or a range"),
    (("tiny", "", 1.0, "any"), "no seeds"),
    (("tiny", "0", 7.0, "any"), "psi must be a number from 0.0 to 2.0"),
    (("tiny", "0", 1.0, "z"), "unknown class 'z'; accepted: any, a, b, c"),
    (("onlygan", "0", 1.0, "a"), "not class-conditional"),
    (("colour", "0", 1.0, "any"), "no GAN for model 'colour'; models with a GAN: onlygan, tiny"),
])
def test_sample_bad_input_says_what_is_accepted(lab, args, message):
    with pytest.raises(gr.Error, match=message):
        lab.gan.gallery.sample(*args)


def test_interpolate_makes_a_looping_gif(lab):
    path = lab.gan.interpolation.interpolate("tiny", 0, 1, 5, 1.0, "any")
    gif = Image.open(path)
    assert gif.format == "GIF" and gif.n_frames == 8  # 5 forward + 3 back (ping-pong)
    with pytest.raises(gr.Error, match="frames must be a whole number from 2 to 60"):
        lab.gan.interpolation.interpolate("tiny", 0, 1, 61, 1.0, "any")
    with pytest.raises(gr.Error, match="seed A must be a whole number"):
        lab.gan.interpolation.interpolate("tiny", -1, 1, 5, 1.0, "any")


def test_sliders_follow_kl_order(lab):
    assert lab.vae.slider_labels("tiny") == ["z1 · 2.0 nats", "z3 · 0.90 nats", "z0 · 0.01 nats", "z2 · 0.00 nats"]
    assert "KL" in lab.vae.slider_help("tiny", "en") and "2 of 4" in lab.vae.slider_help("tiny", "en")
    assert lab.vae.slider_labels("colour") == ["z0", "z1", "z2"]  # no latents.safetensors: index order
    assert "no usable latents.safetensors" in lab.vae.slider_help("colour", "en")
    # the order the page's sliders show z in (tests/js/state.test.mjs checks the browser's mapping)
    assert lab.vae.registry.stats["tiny"].order.tolist() == [1, 3, 0, 2]


def test_slide_decodes_one_image(lab):
    image = lab.vae.slide("tiny", [0.0, 1.0, 0.0, 0.0])
    assert image.size == (252, 252) and image.mode == "L"
    assert lab.vae.slide("colour", [0.0] * 3).mode == "RGB"
    with pytest.raises(gr.Error, match="list of 4 finite numbers"):
        lab.vae.slide("tiny", [0.0] * 3)
    with pytest.raises(gr.Error, match="finite"):
        lab.vae.slide("tiny", [float("nan")] * 4)
    with pytest.raises(gr.Error, match="no VAE for model 'onlygan'; models with a VAE: colour, tiny"):
        lab.vae.slide("onlygan", [0.0] * 4)


def test_random_latent_is_the_seed_latent(lab):
    z = lab.vae.random_latent("tiny", 3)
    assert z == [round(float(v), 4) for v in np.clip(np.random.RandomState(3).randn(4), -3, 3)]


def test_traverse_has_a_row_per_dimension(lab):
    image = lab.vae.traverse("tiny", [0.0] * 4)
    rows, columns = 4, 7
    width, height = 2 * (columns * 30 + 2), 2 * (rows * 30 + 2)  # 28px tiles + 2px padding, 2x ...
    assert width < image.width < width + 60 and image.height == height + 22  # ... + row labels and a header row


def test_latent_map_with_and_without_test_latents(lab):
    grid_image, scatter, note = lab.vae.latent_map("tiny", 1, 3, [0.0] * 4)
    assert grid_image.size == (560, 560) and scatter is not None and "test split" in note
    grid_image, scatter, note = lab.vae.latent_map("colour", 0, 1, [0.0] * 3)
    assert grid_image.size == (640, 640) and scatter is None and "no latents.safetensors" in note
    with pytest.raises(gr.Error, match="two different dimensions"):
        lab.vae.latent_map("tiny", 2, 2, [0.0] * 4)
    with pytest.raises(gr.Error, match="x dimension must be a whole number from 0 to 3"):
        lab.vae.latent_map("tiny", 9, 2, [0.0] * 4)


def digit_png() -> bytes:
    image = np.full((120, 90), 250, np.uint8)
    image[20:100, 40:52] = 0
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    return buffer.getvalue()


def test_reconstruct_returns_everything_tab_3_shows(lab, tmp_path):
    path = tmp_path / "digit.png"
    path.write_bytes(digit_png())
    seen, recon, text, chart, draws, numbers = lab.encode.reconstruct("tiny", str(path))
    assert seen.size == recon.size == (252, 252)
    assert np.asarray(seen)[0, 0] == 0 and np.asarray(seen).max() == 255  # MNIST-style white on black
    assert set(numbers) == {"mse", "psnr_db", "mu", "std"} and len(numbers["mu"]) == 4
    assert numbers["psnr_db"] == pytest.approx(10 * np.log10(1 / numbers["mse"]), abs=0.02)
    assert "MSE" in text and "PSNR" in text
    dims = [f"z{d}" for d in lab.registry.stats["tiny"].order]
    assert chart.sort == dims  # a native plot, dimensions in slider order
    assert len(chart.constructor_args["value"]) == 3 * 4  # mean, mean - std, mean + std per dimension
    assert draws.size == (3 * (8 * 30 + 2), 3 * 32)  # 8 samples in a row, 3x
    rgb = np.zeros((40, 60, 3), np.uint8)
    rgb[10:30, 20:40] = 255
    assert lab.encode.reconstruct("colour", rgb)[0].mode == "RGB"


def test_reconstruct_bad_input_is_a_gradio_error(lab):
    with pytest.raises(gr.Error, match="no image"):
        lab.encode.reconstruct("tiny", None)
    blank = np.zeros((80, 80, 4), np.uint8)  # an empty sketchpad: all transparent
    with pytest.raises(gr.Error, match="found no digit"):
        lab.encode.reconstruct("tiny", {"background": None, "layers": [], "composite": blank})
    with pytest.raises(gr.Error, match="not a readable image"):
        lab.encode.reconstruct("tiny", b"GIF89a broken")


def test_model_card(lab):
    card = lab.card.card("tiny", "gan")
    text, samples, curves = card["markdown"], card["samples"], card["curves"]
    assert "python -m genimg.train gan" in text and "1,234" in text and "1.5 min" in text and "| FID | 12.5<br>" in text
    assert "lower is better" in text  # each number says what it means
    assert samples is None and len(curves) == 2  # save_model writes no pictures; no history: empty plots
    chinese = lab.card.card("tiny", "gan", "zh")["markdown"]
    assert "FID" in chinese and "数值及其含义" in chinese
    assert "No VAE checkpoint for **onlygan**" in lab.card.card("onlygan", "vae")["markdown"]


def test_model_card_lists_every_command_of_a_resumed_run_and_its_note(lab):
    first, resumed = "python -m genimg.train gan --minutes 5", "python -m genimg.train gan --minutes 9 --resume"
    lab.registry.checkpoints["tiny", "gan"].card["commands"] = [first, resumed]
    lab.registry.checkpoints["tiny", "gan"].card["note"] = "moved from runs/a"
    text = lab.card.card("tiny", "gan")["markdown"]
    assert f"| commands | `{first}`<br>`{resumed}` |" in text
    assert "| note | moved from runs/a |" in text


def test_model_card_shows_the_recipe_pilots(lab):
    card = lab.registry.checkpoints["tiny", "gan"].card
    rows = {"base": {"fid": 583.0, "recall": 0.24, "conditional_accuracy": 0.22, "images_per_s": 17},
            "acgan": {"fid": 195.8, "recall": 0.2, "images_per_s": 17}, "broken": {"fid": "n/a"}}
    card["pilots"] = {"dataset": "emoji", "minutes": 36, "rows": rows}
    text = lab.card.card("tiny", "gan")["markdown"]
    assert "**base**: FID 583.0 · recall 0.24 · class accuracy 22% · 17 img/s" in text
    assert "**acgan**: FID 195.8" in text and "broken" not in text and "36 minutes each" in text
    assert "Pilot runs on emoji" in text
    assert "36 分钟" in lab.card.card("tiny", "gan", "zh")["markdown"]

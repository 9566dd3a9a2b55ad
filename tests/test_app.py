"""The app through gradio_client: every api_name answers, bad input is a readable error, the app keeps
serving, and nothing outside Gradio's cache is served. Runs on tiny seeded "mnist" checkpoints in tmp
(GENIMG_CHECKPOINTS), so it does not depend on what training is writing to checkpoints/ right now."""

import importlib
import json
import os
import re
import shutil
import sys
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import av
import numpy as np
import pytest
import torch
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError
from PIL import Image
from safetensors.torch import save_file

import genimg
from genimg import directions as gan_directions
from genimg import recipes
from genimg.app.i18n import EN, ZH
from genimg.app.tabs.card import METRICS
from genimg.app.tabs.encode import ENCODE_PICKS, encode_examples
from genimg.checkpoints import save_model
from genimg.models import VAE, Discriminator, Generator

REPO = Path(__file__).resolve().parents[1]
DIGITS = [str(d) for d in range(10)]


def tiny_mnist_checkpoints(root: Path) -> Path:
    """<root>/mnist/gan (conditional, 10 classes, its discriminator beside it) and <root>/mnist/vae (z_dim 4, with
    latents.safetensors)."""
    torch.manual_seed(0)
    card = {"dataset": "mnist", "command": "python -m genimg.train ... (tiny test model)", "epochs": 1}
    gan = Generator(z_dim=8, width=8, num_classes=10, class_names=DIGITS).eval()
    save_model(gan, root / "mnist" / "gan", card=card)
    gan_directions.save(gan_directions.compute(gan, count=3, samples=200), root / "mnist" / "gan")
    save_model(Discriminator(width=8, num_classes=10, mbstd_group=4), root / "mnist" / "gan" / "discriminator",
               card=card)
    save_model(VAE(z_dim=4, width=8, hidden=16, class_names=DIGITS), root / "mnist" / "vae", card=card)
    save_file({"test_mu": torch.randn(50, 4), "test_logvar": torch.zeros(50, 4), "test_labels": torch.arange(50) % 10,
               "kl_per_dim": torch.tensor([0.5, 3.0, 0.01, 1.0])}, root / "mnist" / "vae" / "latents.safetensors")
    return root


def import_app(root):
    """(Re)import app.py with its models loaded from `root` (it reads $GENIMG_CHECKPOINTS at import)."""
    before = os.environ.get("GENIMG_CHECKPOINTS")
    os.environ["GENIMG_CHECKPOINTS"] = str(root)
    try:
        return importlib.reload(sys.modules["app"]) if "app" in sys.modules else importlib.import_module("app")
    finally:
        if before is None:
            os.environ.pop("GENIMG_CHECKPOINTS")
        else:
            os.environ["GENIMG_CHECKPOINTS"] = before


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    app = import_app(tiny_mnist_checkpoints(tmp_path_factory.mktemp("checkpoints")))
    _, url, _ = app.demo.launch(prevent_thread_lock=True, quiet=True, **app.LAUNCH)
    client = Client(url, verbose=False)
    yield app, client, url
    client.close()
    app.demo.close()


@pytest.fixture
def digit(tmp_path) -> str:
    image = np.full((160, 120), 240, np.uint8)
    image[30:130, 55:70] = 20  # a dark '1' on light paper
    path = tmp_path / "one.png"
    Image.fromarray(image).save(path)
    return str(path)


def is_png(path) -> bool:
    return Image.open(path).format == "PNG"


def test_public_endpoints_are_the_documented_ones(served):
    _, client, _ = served
    info = client.view_api(return_format="dict", print_info=False)["named_endpoints"]
    assert set(info) == {"/sample", "/interpolate", "/video", "/invert", "/slide", "/traverse", "/latent_map",
                         "/reconstruct", "/nearest_training"}
    assert [p["parameter_name"] for p in info["/sample"]["parameters"]] == ["model", "seeds", "psi", "label"]
    assert [p["parameter_name"] for p in info["/reconstruct"]["parameters"]] == ["model", "image"]


def test_the_mcp_schema_lists_the_tools(served):
    _, _, url = served
    with urllib.request.urlopen(f"{url}gradio_api/mcp/schema", timeout=30) as response:
        tools = {tool["name"]: tool for tool in json.load(response)}
    assert {"sample", "invert", "reconstruct", "video"} <= set(tools)
    for name in ("sample", "invert", "reconstruct", "video"):
        assert len(tools[name]["description"]) > 60 and "model" in tools[name]["inputSchema"]["properties"]
    assert "dataset name" in tools["invert"]["inputSchema"]["properties"]["model"]["description"]


def test_gan_tools_answer(served, tmp_path):
    app, client, _ = served
    gallery, grid_path = client.predict("mnist", "40-43", 0.8, "any", api_name="/sample")
    assert recipes.read(grid_path)["seeds"] == [40, 41, 42, 43]
    one = recipes.read(gallery[2]["image"])  # the gallery's PNGs carry their recipes, through Gradio
    assert one["seeds"] == [42] and one["psi"] == 0.8 and one["layout"]["scale"] == 4

    # find a generated image back
    target = tmp_path / "target.png"
    Image.fromarray(genimg.sample(app.registry.get("mnist", "gan").model, [4242])[0][..., 0]).save(target)
    found, numbers = client.predict("mnist", handle_file(str(target)), api_name="/invert")
    assert set(numbers) >= {"z", "label", "mse", "psnr_db"} and len(numbers["z"]) == 8
    # (an untrained generator's noise is no digit: the upload's MNIST centring changes it, so no PSNR bar here;
    # tests/test_gantools.py finds a generated image back at > 30 dB)
    assert numbers["label"] in DIGITS and numbers["step"] == numbers["steps"] and 0 < numbers["mse"] < 1
    assert len(recipes.read(found)["z"]) == 8
    with pytest.raises(AppError, match="no image"):
        client.predict("mnist", None, api_name="/invert")

    # the looping MP4, the ZIP, the sweep, the direction sliders and a PNG that restores the controls
    with av.open(client.predict("mnist", 3, 8, 12, 1.0, "any", api_name="/video")) as video:
        assert sum(1 for _ in video.decode(video=0)) == 12
    with pytest.raises(AppError, match="less than minimum value 2"):  # Gradio checks
        client.predict("mnist", 3, 8, 0, 1.0, "any", api_name="/video")
    with zipfile.ZipFile(client.predict("mnist", "7,9", 1.0, "any", api_name="/download_all")) as archive:
        assert archive.namelist() == ["seed0007.png", "seed0009.png"]
        assert recipes.read(archive.read("seed0009.png"))["seeds"] == [9]
    assert recipes.read(client.predict("mnist", 5, "any", api_name="/truncation_sweep"))["psi"][-1] == 1.0
    sliders = [1.5, -1.0, 0.5]
    edited = client.predict("mnist", None, 5, 1.0, "any", sliders, api_name="/edit")  # base None: edit seed 5
    assert recipes.read(edited)["offsets"] == sliders
    restored = client.predict("mnist", handle_file(edited), api_name="/open_recipe")
    assert restored["seeds"] == [5] and restored["psi"] == 1.0 and restored["offsets"] == sliders
    found_again = client.predict("mnist", {"z": numbers["z"], "label": numbers["label"]}, 0, 1.0, "any", [0, 0, 0],
                                 api_name="/edit")  # base: the found latent, as the page's fallback sends it
    assert recipes.read(found_again)["z"] == pytest.approx(numbers["z"], abs=1e-5)
    plain = tmp_path / "plain.png"
    Image.new("L", (8, 8)).save(plain)
    with pytest.raises(AppError, match="no genimg recipe"):
        client.predict("mnist", handle_file(str(plain)), api_name="/open_recipe")


def test_every_api_name_answers(served, digit):
    app, client, _ = served
    z_dim = app.registry.get("mnist", "vae").model.z_dim
    gallery, grid_path = client.predict("mnist", "0-15", 1.0, "any", api_name="/sample")
    assert len(gallery) == 16 and gallery[3]["caption"].startswith("seed 3") and is_png(grid_path)
    assert Image.open(client.predict("mnist", 0, 1, 6, 0.8, "7", api_name="/interpolate")).n_frames == 10
    assert Image.open(client.predict("mnist", [0.5] * z_dim, api_name="/slide")).size == (252, 252)
    assert is_png(client.predict("mnist", [0.0] * z_dim, api_name="/traverse"))
    grid_path, scatter, note = client.predict("mnist", 0, 1, [0.0] * z_dim, api_name="/latent_map")
    assert is_png(grid_path) and "z0 (across)" in note and len(scatter["value"]["data"]) == 50  # a native plot
    gallery, note = client.predict("mnist", 3, 1.0, "any", api_name="/nearest_training")
    assert gallery[0]["caption"] == "seed 3" and note  # no classifier or cached data here: the note says so
    seen, recon, text, chart, draws, numbers = client.predict("mnist", handle_file(digit), api_name="/reconstruct")
    assert "PSNR" in text and len(numbers["mu"]) == z_dim and all(map(is_png, (seen, recon, draws)))
    assert len(chart["value"]["data"]) == 3 * z_dim  # the posterior chart: mean, mean - std, mean + std

    # the page's fallback endpoints (undocumented, but callable)
    assert len(client.predict("mnist", 4, "standard", api_name="/latent_from_seed")) == z_dim
    with pytest.raises(AppError, match="this VAE has no learned prior"):  # the tiny VAE has none
        client.predict("mnist", 4, "learned", api_name="/latent_from_seed")
    with zipfile.ZipFile(client.predict("mnist", "3-4", 1.0, "any", api_name="/download_all")) as archive:
        assert archive.namelist() == ["seed0003.png", "seed0004.png"]
    assert len(client.predict("mnist", "any", api_name="/select_model")) > len(app.vae_tab.sliders)


@pytest.mark.parametrize("api_name, args, message", [
    ("/sample", ("mnist", "0-64", 1.0, "any"), "at most 64"),
    ("/sample", ("mnist", "seven", 1.0, "any"), "not a seed or a range"),
    ("/interpolate", ("mnist", 0, 1, 500, 1.0, "any"), "greater than maximum value 60"),  # Gradio checks
    ("/slide", ("mnist", [0.0, 1.0]), "finite numbers"),
    ("/latent_map", ("mnist", 1, 1, None), "must be a list"),
])
def test_bad_input_is_an_error_and_the_app_keeps_serving(served, api_name, args, message):
    _, client, _ = served
    with pytest.raises(AppError, match=message):
        client.predict(*args, api_name=api_name)
    assert len(client.predict("mnist", "0-1", 1.0, "any", api_name="/sample")[0]) == 2


def test_bad_upload_is_an_error(served, tmp_path):
    _, client, _ = served
    junk = tmp_path / "junk.png"
    junk.write_bytes(b"\x89PNG but not really")
    with pytest.raises(AppError):
        client.predict("mnist", handle_file(str(junk)), api_name="/reconstruct")
    blank = tmp_path / "blank.png"
    Image.new("L", (64, 64), 255).save(blank)
    with pytest.raises(AppError, match="found no digit"):
        client.predict("mnist", handle_file(str(blank)), api_name="/reconstruct")


@pytest.mark.parametrize("path", ["/etc/passwd", str(REPO / "app.py"),
                                  str(REPO / "checkpoints" / "mnist" / "vae" / "config.json")])
def test_nothing_outside_the_cache_is_served(served, path):
    _, _, url = served
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{url}gradio_api/file={path}", timeout=10)
    assert refused.value.code in (403, 404)


def test_how_it_works_answers_in_the_browsers_language(served):
    app, client, url = served
    real, fake, verdict = client.predict("mnist", "3", 5, api_name="/how_discriminator")  # model, digit, seed
    assert Image.open(real).size == Image.open(fake).size == (140, 140) and "real test image" in verdict
    digit, *gan_curves, kl_plot, kl_text, vae_losses, vae_kl, numbers = client.predict("mnist", "3",
                                                                                      api_name="/how_live")
    assert digit["value"] == "3" and len(kl_plot["value"]["data"]) == 4  # one bar per dimension
    assert "3 of 4 latent dimensions" in kl_text  # from latents.safetensors
    assert len(gan_curves) == 2 and numbers == EN["how_no_history"]  # tiny cards: no history
    assert all(plot["value"] is None for plot in (*gan_curves, vae_losses, vae_kl))

    chinese = Client(url, verbose=False, headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"})
    try:
        assert "真实测试图像" in chinese.predict("mnist", "3", 5, api_name="/how_discriminator")[2]
        assert chinese.predict("mnist", "3", api_name="/how_live")[-1] == ZH["how_no_history"]
        with pytest.raises(AppError, match="不是种子也不是区间"):  # errors in the browser's language too
            chinese.predict("mnist", "seven", 1.0, "any", api_name="/sample")
        assert chinese.predict("mnist", "0-1", 1.0, "any", api_name="/sample")[0][1]["caption"] == "种子 1"
        switched = chinese.predict("mnist", "any", api_name="/select_model")
        assert any("滑块" in str(update) for update in switched)  # the VAE tab's note, too
    finally:
        chinese.close()
    french_first = Client(url, verbose=False, headers={"Accept-Language": "fr-FR,zh;q=0.9"})
    try:  # the browser shows English labels (it goes by its first language only), so the notes are English too
        assert "real test image" in french_first.predict("mnist", "3", 5, api_name="/how_discriminator")[2]
    finally:
        french_first.close()

    # no discriminator saved yet (a training run's first epoch): the tab says so and keeps serving
    saved = Path(app.registry.root) / "mnist" / "gan" / "discriminator"
    shutil.move(saved, saved.with_name("discriminator.away"))
    try:
        real, fake, verdict = client.predict("mnist", "3", 5, api_name="/how_discriminator")
        assert real is None and fake is None and "No discriminator" in verdict
    finally:
        shutil.move(saved.with_name("discriminator.away"), saved)
    with pytest.raises(AppError, match="seed must be a whole number from 0 to"):  # genimg checks, in the language
        client.predict("mnist", "3", -1, api_name="/how_discriminator")


def test_every_translation_key_the_app_uses_exists():
    source = "".join(p.read_text() for p in [REPO / "app.py", *sorted((REPO / "genimg" / "app" / "tabs").glob("*.py"))])
    keys = set(re.findall(r'\b(?:i18n|text)\(f?"([a-z0-9_{}]+)"', source)) - {"key"}  # "key": the docstring
    expanded = {k.replace("{size}", size) for k in keys for size in ("small", "medium", "large")}
    expanded = {k.replace("{kind}", kind) for k in expanded for kind in ("gan", "vae")}
    expanded = {k.replace("{unit}", unit) for k in expanded for unit in ("nats", "bits")}
    expanded = {k.replace("{key}", key) for k in expanded for key, _ in METRICS}
    assert len(expanded) > 60 and expanded <= set(EN), sorted(expanded - set(EN))


def test_encode_examples_name_only_models_with_a_vae_and_each_one_encodes(tmp_path):
    root = tiny_mnist_checkpoints(tmp_path / "mnist_only")
    app = import_app(root)
    rows = encode_examples(app.registry, app.EXAMPLES)
    assert set(rows) == {"mnist"}  # no emoji VAE here, so no emoji examples

    emoji_names = ["Smileys & Emotion", "Animals & Nature", "Food & Drink", "People & Body", "Travel & Places"]
    torch.manual_seed(0)
    save_model(VAE(z_dim=4, image_size=64, channels=3, width=8, hidden=16, likelihood="logistic",
                   class_names=emoji_names), root / "emoji" / "vae", card={"dataset": "emoji", "epochs": 1})
    app = import_app(root)
    rows = encode_examples(app.registry, app.EXAMPLES)
    assert len(rows["emoji"]) == len(ENCODE_PICKS["emoji"]) and len(rows["mnist"]) >= 3
    for ds, path in [(ds, path) for ds, paths in rows.items() for path in paths]:
        model_input, reconstruction, text, *_ = app.encode_tab.reconstruct(ds, path)
        assert model_input.size == reconstruction.size and "PSNR" in text


def test_a_model_switch_shows_the_cards_cas_chart_only_where_the_card_has_cas(tmp_path):
    root = tiny_mnist_checkpoints(tmp_path / "checkpoints")
    card_json = root / "mnist" / "gan" / "card.json"
    card = json.loads(card_json.read_text())
    card["metrics"] = {"cas": {"cas": 0.9, "real": 0.99, "real_plus_generated": 0.98, "labels": "asked"}}
    card_json.write_text(json.dumps(card))
    app = import_app(root)
    updates = app.model_updates("mnist", "en")
    outputs = app.card_tab.outputs
    chart = {kind: next(u for c, u in updates.items() if c is outputs[kind]["cas"]) for kind in ("gan", "vae")}
    assert app.card_tab.outputs["gan"]["cas"] in app.SWITCH_OUTPUTS
    assert chart["gan"].visible is True and chart["vae"].visible is False  # the tiny VAE's card has no CAS
    assert chart["gan"].value["data"] == [["samples only (CAS)", 0.9], ["real images", 0.99], ["real + samples", 0.98]]


def test_a_class_pressing_at_once_is_never_turned_away(served):
    """40 simultaneous /sample calls over Gradio's HTTP API (no queue size limit, app.py): every one is answered."""
    from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415

    _, _, url = served

    def call(k: int) -> str:
        request = urllib.request.Request(f"{url}gradio_api/call/sample", json.dumps(
            {"data": ["mnist", f"{k}-{k + 3}", 1.0, "any"]}).encode(), {"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            event = json.loads(response.read())["event_id"]
        with urllib.request.urlopen(f"{url}gradio_api/call/sample/{event}", timeout=120) as response:
            return response.read().decode()

    with ThreadPoolExecutor(40) as pool:
        answers = list(pool.map(call, range(40)))
    assert all("event: complete" in a for a in answers), [a[:200] for a in answers if "event: complete" not in a]

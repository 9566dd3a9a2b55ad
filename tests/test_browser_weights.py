"""Browser weights and the vendored runtime, without a browser: the folded op lists (run in numpy, NHWC, TF's
filter layout) reproduce the torch forward of each part (generator, decoder, encoder, classifier); export/write,
with a GAN's directions and a VAE's learned prior riding along; `python -m genimg.app.vendor --check`; the head HTML.

The browser itself (tfjs running the same op list) is held to genimg.sample/decode in test_browser_parity.py.
"""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import REPO, tiny_gan, tiny_vae

import genimg
from genimg import browser_weights
from genimg.app import vendor, web_assets
from genimg.directions import Directions, load_directions
from genimg.models import Classifier, GaussianMixturePrior, Generator
from genimg.sampling import labels_for_seeds, latent_from_seed


def torch_forward_nhwc(model, z: np.ndarray, labels) -> np.ndarray:
    """The model's float output before to_uint8, (N, H, W, C) float64."""
    model = model.double()
    with torch.no_grad():
        z_t = torch.from_numpy(z)
        if isinstance(model, Generator):
            out = model(z_t, torch.as_tensor(labels) if model.num_classes else None)
        else:
            out = model.decode(z_t)
    return out.permute(0, 2, 3, 1).numpy()


@pytest.mark.parametrize("make", [
    lambda: tiny_gan(num_classes=3),                          # conditional: embed_concat, BatchNorm1d and 2d folded
    lambda: tiny_gan(num_classes=0, image_size=64, channels=3),  # unconditional, 4x4 start, four stages
    lambda: tiny_vae(),                                       # bernoulli: sigmoid
    lambda: tiny_vae(image_size=64, channels=3),              # gaussian: clamp
], ids=["gan-conditional-28", "gan-64-rgb", "vae-28", "vae-64-rgb"])
def test_folded_op_list_reproduces_the_torch_forward(make):
    model = make()
    info, ops, tensors = browser_weights.fold(model)
    kinds = [op["op"] for op in ops]
    assert "conv_transpose" in kinds and kinds[-1] == "to_uint8"
    assert not any("norm" in k for k in kinds)  # BatchNorm is folded, not an op
    seeds = list(range(6))
    z = np.stack([latent_from_seed(s, model.z_dim) for s in seeds]).astype(np.float64)
    labels = labels_for_seeds(model, seeds)
    expected = torch_forward_nhwc(model, z, labels)
    assert expected.std() > 1e-3  # not a constant picture: the comparison means something
    for subpixel in (False, True):  # as tf.conv2dTranspose, and as the browser runs it (conv2d + depthToSpace)
        ours = browser_weights.run_ops(ops[:-1], tensors, z, labels, dtype=np.float64, subpixel=subpixel)
        assert ours.shape == expected.shape == (6, *info["shape"])
        assert np.abs(ours - expected).max() <= 1e-4


def tiny_classifier(image_size: int = 28, channels: int = 1) -> Classifier:
    torch.manual_seed(0)
    model = Classifier(num_classes=3, image_size=image_size, channels=channels, width=4, feature_dim=8)
    for layer in model.body:  # BatchNorm statistics away from (0, 1): the fold is tested, not skipped
        if isinstance(layer, torch.nn.BatchNorm2d):
            layer.running_mean.uniform_(-0.5, 0.5)
            layer.running_var.uniform_(0.5, 2.0)
            layer.weight.data.uniform_(0.5, 1.5)
    return model.eval()


@pytest.mark.parametrize("make", [lambda: tiny_vae(), lambda: tiny_vae(image_size=64, channels=3)],
                         ids=["encoder-28", "encoder-64-rgb"])
def test_folded_encoder_reproduces_the_posterior(make):
    vae = make()
    info, ops, tensors = browser_weights.fold(vae, "encoder")
    assert [op["op"] for op in ops][:2] == ["conv2d", "silu"] and "flatten" in [op["op"] for op in ops]
    assert info["logvarRange"] == [-12.0, 8.0] and info["zDim"] == vae.z_dim
    x = np.random.RandomState(0).rand(5, vae.image_size, vae.image_size, vae.channels)  # (N, H, W, C) in [0, 1]
    with torch.no_grad():
        expected = vae.double().to_stats(vae.encoder(torch.from_numpy(x).permute(0, 3, 1, 2))).numpy()  # mu, logvar
    ours = browser_weights.run_ops(ops, tensors, x, dtype=np.float64)
    assert ours.shape == expected.shape == (5, 2 * vae.z_dim) and expected.std() > 1e-3
    assert np.abs(ours - expected).max() <= 1e-9


@pytest.mark.parametrize("size, channels", [(28, 1), (64, 3)])
def test_folded_classifier_reproduces_features_and_logits(size, channels):
    classifier = tiny_classifier(size, channels).double()
    info, ops, tensors = browser_weights.fold(classifier)
    assert info["part"] == "classifier" and info["classes"] == ["0", "1", "2"] and info["featureDim"] == 8
    assert "maxpool" in [op["op"] for op in ops] and not any("norm" in op["op"] for op in ops)
    x = np.random.RandomState(1).rand(4, size, size, channels)
    with torch.no_grad():
        images = torch.from_numpy(x).permute(0, 3, 1, 2)
        features, logits = classifier.features(images).numpy(), classifier(images).numpy()
    def run(ops, tensors):
        return browser_weights.run_ops(ops, tensors, x, dtype=np.float64)

    assert np.abs(run(ops[:info["features"]], tensors) - features).max() < 1e-9
    assert np.abs(run(ops, tensors) - logits).max() < 1e-9
    assert features.std() > 1e-3 and logits.std() > 1e-3
    raw = classifier.body[0].weight.detach().numpy().transpose(2, 3, 1, 0)  # the first conv before its BatchNorm
    assert np.abs(tensors["0.filter"] - raw).max() > 1e-2  # folded in: the equality above is not the identity's


def test_conv2d_with_padding_and_stride_is_pytorchs():
    torch.manual_seed(0)
    layer = torch.nn.Conv2d(3, 5, 4, 2, 1).double()
    x = torch.randn(2, 3, 14, 14, dtype=torch.float64)
    with torch.no_grad():
        expected = layer(x).permute(0, 2, 3, 1).numpy()  # (2, 7, 7, 5)
    filt, bias, stride, pad = browser_weights._conv2d(layer)
    ours = browser_weights.conv2d_nhwc(x.permute(0, 2, 3, 1).numpy(), filt, stride, pad) + bias
    assert (filt.shape, stride, pad) == ((4, 4, 3, 5), 2, 1) and np.abs(ours - expected).max() < 1e-12
    with pytest.raises(ValueError, match="only square, zero-padded"):
        browser_weights._conv2d(torch.nn.Conv2d(3, 5, 3, 1, 1, padding_mode="reflect"))


def test_batchnorm_statistics_matter_so_the_fold_is_tested():
    model = tiny_gan(num_classes=3)
    _, ops, tensors = browser_weights.fold(model)
    model.project[1].running_mean.add_(1.0)  # the statistics the fold must have used
    z = np.stack([latent_from_seed(s, model.z_dim) for s in range(4)]).astype(np.float64)
    labels = [0, 1, 2, 0]
    ours = browser_weights.run_ops(ops[:-1], tensors, z, labels, dtype=np.float64)
    assert np.abs(ours - torch_forward_nhwc(model, z, labels)).max() > 1e-3


def test_pytorch_conv_transpose_k4_s2_p1_is_tf_same_padding():
    torch.manual_seed(0)
    layer = torch.nn.ConvTranspose2d(5, 3, 4, 2, 1).double()
    x = torch.randn(2, 5, 7, 7, dtype=torch.float64)
    with torch.no_grad():
        expected = layer(x).permute(0, 2, 3, 1).numpy()  # (2, 14, 14, 3)
    filt, bias = browser_weights._conv_transpose(layer)
    assert filt.shape == (4, 4, 3, 5)
    ours = browser_weights.conv_transpose_nhwc(x.permute(0, 2, 3, 1).numpy(), filt) + bias
    assert np.abs(ours - expected).max() < 1e-12
    flipped = browser_weights.conv_transpose_nhwc(x.permute(0, 2, 3, 1).numpy(), filt[::-1, ::-1]) + bias
    assert np.abs(flipped - expected).max() > 1e-2  # a flipped kernel would be caught
    kernel, tiled = browser_weights._subpixel(filt, bias)  # the browser's form: conv2d 3x3 + depthToSpace
    assert kernel.shape == (3, 3, 5, 12) and tiled.shape == (12,)
    sub = browser_weights.conv2d_same_nhwc(x.permute(0, 2, 3, 1).numpy(), kernel) + tiled
    assert np.abs(browser_weights.depth_to_space_nhwc(sub, 2) - expected).max() < 1e-12


def test_export_and_write(tmp_path):
    model = tiny_gan(num_classes=3)
    manifest, files = browser_weights.export(model)
    blob = files[browser_weights.WEIGHTS]
    assert list(files) == [browser_weights.WEIGHTS] and manifest["directions"] is None
    assert manifest["dtype"] == "float16" and manifest["parity"]["maxAbsDiff"] <= browser_weights.PARITY_TOLERANCE
    assert manifest["weights"]["bytes"] == len(blob) and manifest["part"] == "generator"
    n_params = sum(int(np.prod(t["shape"])) for t in manifest["tensors"])
    assert n_params * 2 <= len(blob) < n_params * 2 + 4 * len(manifest["tensors"])
    for spec in manifest["tensors"]:
        assert spec["offset"] % 4 == 0 and spec["offset"] + spec["bytes"] <= len(blob)
    assert manifest["classes"] == ["class0", "class1", "class2"] and len(manifest["classPrior"]) == 3

    folder = browser_weights.write(model, tmp_path)
    assert folder.name == manifest["key"] == browser_weights.weights_key(model)
    assert (folder / "weights.bin").read_bytes() == blob
    assert json.loads((folder / "manifest.json").read_text())["ops"] == manifest["ops"]
    assert not list(tmp_path.glob(".*"))  # no staging folder left behind
    assert browser_weights.write(model, tmp_path) == folder  # reused as is
    other = tiny_gan(num_classes=3, seed=1)
    assert browser_weights.weights_key(other) != folder.name  # other weights, other (cacheable) URL

    manifest32, files32 = browser_weights.export(model, dtype="float32")
    assert manifest32["dtype"] == "float32" and len(files32["weights.bin"]) >= 2 * len(blob) - 8
    with pytest.raises(ValueError, match="dtype must be"):
        browser_weights.export(model, dtype="int8")
    with pytest.raises(TypeError, match="GAN Generator, a VAE or a Classifier"):
        browser_weights.fold(torch.nn.Linear(2, 2))
    with pytest.raises(ValueError, match="part must be one of generator .*, got 'encoder' for a Generator"):
        browser_weights.fold(model, "encoder")


def test_directions_ride_with_the_generator_as_float32_numbers(tmp_path):
    gan = tiny_gan(num_classes=3)
    vectors = np.random.RandomState(0).randn(3, gan.z_dim).astype(np.float32)
    found = Directions(vectors / np.linalg.norm(vectors, axis=1, keepdims=True), np.array([0.5, 0.25, 0.125]))
    manifest, _ = browser_weights.export(gan, directions=found)
    shipped = json.loads(json.dumps(manifest))["directions"]  # through JSON text, as the browser reads it
    assert np.array_equal(np.asarray(shipped["vectors"], np.float32), found.vectors)  # exactly
    assert shipped["labels"] == found.labels() == ["d0 · 50.0%", "d1 · 25.0%", "d2 · 12.5%"]
    keys = {browser_weights.weights_key(gan), browser_weights.weights_key(gan, directions=found)}
    assert len(keys) == 2  # new directions, a new folder: a cached manifest never serves old ones
    assert browser_weights.write(gan, tmp_path, directions=found).name == manifest["key"]
    with pytest.raises(ValueError, match="directions must be"):
        browser_weights.export(gan, directions=Directions(vectors[:, :3], np.ones(3)))
    with pytest.raises(ValueError, match="directions ride along with a GAN generator, not a decoder"):
        browser_weights.export(tiny_vae(), directions=found)


def test_a_learned_prior_rides_with_the_decoder_as_float64(tmp_path):
    vae = tiny_vae()
    rs = np.random.RandomState(0)
    factors = rs.randn(2, vae.z_dim, vae.z_dim) * 0.3
    covariances = factors @ factors.transpose(0, 2, 1) + np.eye(vae.z_dim)
    vae.prior = GaussianMixturePrior([1.0, 3.0], rs.randn(2, vae.z_dim), covariances)
    manifest, files = browser_weights.export(vae)
    spec, data = manifest["prior"], files[browser_weights.PRIOR]
    k, d = 2, vae.z_dim
    assert (spec["components"], spec["zDim"], spec["bytes"]) == (k, d, len(data)) == (2, 4, 8 * (k + k * d + k * 10))
    values = np.frombuffer(data, "<f8")
    assert np.array_equal(values[:k], vae.prior.probabilities)
    assert np.array_equal(values[k:k + k * d].reshape(k, d), vae.prior.means)
    lower = values[k + k * d:].reshape(k, d * (d + 1) // 2)
    assert np.array_equal(lower, np.stack([c[np.tril_indices(d)] for c in vae.prior.cholesky]))
    folder = browser_weights.write(vae, tmp_path)
    assert (folder / "prior.bin").read_bytes() == data and folder.name != browser_weights.weights_key(tiny_vae())
    encoder, files = browser_weights.export(vae, part="encoder")
    assert list(files) == ["weights.bin"] and "prior" not in encoder and encoder["key"] != manifest["key"]


@pytest.mark.parametrize("path, part", [("mnist/gan", None), ("mnist/vae", None), ("mnist/vae", "encoder"),
                                        ("mnist/classifier", None), ("emoji/gan", None), ("emoji/vae", None),
                                        ("emoji/vae", "encoder"), ("emoji/classifier", None)])
def test_committed_models_export_as_float16_within_parity(path, part):
    model = genimg.load(REPO / "checkpoints" / path)
    directions = load_directions(REPO / "checkpoints" / path) if path.endswith("gan") else None
    manifest, files = browser_weights.export(model, part=part, directions=directions)
    part = manifest["part"]
    assert manifest["dtype"] == "float16", manifest["parity"]
    assert manifest["parity"]["maxAbsDiff"] <= browser_weights.TOLERANCES[part]
    assert all(len(data) < 10 * 1024 * 1024 for data in files.values())
    assert len(json.dumps(manifest)) < 100_000  # the manifest is fetched before the weights: small
    if part == "generator":
        assert len(manifest["directions"]["vectors"]) == len(directions.vectors) == 12
    if part == "decoder":
        assert manifest["prior"]["components"] == len(model.prior.weights)


def test_vendor_check_passes_on_the_committed_files_and_fails_on_a_changed_one(tmp_path, capsys):
    assert vendor.main(["--check"]) == 0
    files = vendor.read_sources()
    assert {e["path"] for e in files} >= {"tfjs/tf.min.js", "tfjs-backend-wasm/tfjs-backend-wasm-simd.wasm",
                                          "tfjs/LICENSE", "tfjs-backend-wasm/LICENSE"}
    assert all(e["bytes"] < vendor.MAX_BYTES for e in files)
    copy = tmp_path / "vendor"
    shutil.copytree(vendor.VENDOR, copy)
    wasm = copy / "tfjs-backend-wasm" / "tfjs-backend-wasm-simd.wasm"
    data = bytearray(wasm.read_bytes())
    data[1000] ^= 1  # one bit
    wasm.write_bytes(bytes(data))
    capsys.readouterr()
    assert vendor.main(["--check", "--vendor", str(copy)]) == 1
    err = capsys.readouterr().err
    assert "tfjs-backend-wasm-simd.wasm: sha256" in err and "--fetch" in err
    (copy / "tfjs" / "tf.min.js").unlink()
    assert vendor.main(["--check", "--vendor", str(copy)]) == 1
    assert "tf.min.js: missing" in capsys.readouterr().err


def test_head_html_holds_the_config_and_loads_genimg_js(tmp_path):
    gan = tiny_gan(num_classes=3)
    found = Directions(np.eye(2, gan.z_dim, dtype=np.float32), np.array([0.5, 0.25]))
    entries = web_assets.export_models({"tiny": {"gan": gan, "vae": tiny_vae(), "classifier": tiny_classifier(),
                                                 "directions": found},
                                        "plain": {"gan": tiny_gan(num_classes=0, seed=2)}}, tmp_path)
    assert [(e["model"], e["kind"]) for e in entries] == [("tiny", "gan"), ("tiny", "vae"), ("plain", "gan")]
    head = web_assets.head_html(entries, default=("tiny", "vae"))
    config = json.loads(head.split('id="genimg-config">', 1)[1].split("</script>", 1)[0])
    assert config["default"] == {"model": "tiny", "kind": "vae"}
    tiny_gan_entry, tiny_vae_entry, plain = config["models"]
    assert tiny_gan_entry["manifest"].startswith("gradio_api/file=" + str(tmp_path.resolve()))
    assert tiny_gan_entry["directions"] == 2 and tiny_gan_entry["classifier"].endswith("/manifest.json")
    assert plain["directions"] == 0 and plain["classifier"] is None  # nothing rides with this GAN
    assert tiny_vae_entry["encoder"].endswith("/manifest.json") and tiny_vae_entry["hasPrior"] is False
    for url in (tiny_gan_entry["classifier"], tiny_vae_entry["encoder"]):
        part = json.loads(Path(url.split("file=", 1)[1]).read_text())["part"]
        assert part == ("classifier" if url == tiny_gan_entry["classifier"] else "encoder")
    assert config["vendor"]["tfjs"].endswith("tf.min.js?v=" + vendor.read_sources()[0]["sha256"][:12])
    assert '<script type="module" src="gradio_api/file=' in head and "genimg.js?v=" in head
    with pytest.raises(TypeError, match="expected kind 'gan'"):
        web_assets.export_models({"tiny": {"gan": tiny_vae()}}, tmp_path)
    with pytest.raises(TypeError, match="tiny/classifier: expected a Classifier, got a VAE"):
        web_assets.export_models({"tiny": {"gan": gan, "classifier": tiny_vae()}}, tmp_path)


def test_cache_headers_for_weights_vendor_and_modules(tmp_path, monkeypatch):
    monkeypatch.setattr(web_assets.CacheHeaders, "immutable_roots", {str(tmp_path), str(web_assets.VENDOR)})
    monkeypatch.setattr(web_assets.CacheHeaders, "revalidate_roots", {str(web_assets.WEB)})
    rule = web_assets.CacheHeaders(None).cache_control

    def scope(path: Path, query: bytes = b""):
        return {"type": "http", "path": "/gradio_api/file=" + str(path), "query_string": query}

    assert rule(scope(tmp_path / "abc" / "weights.bin")) == web_assets.LONG_CACHE
    assert rule(scope(web_assets.VENDOR / "tfjs" / "tf.min.js", b"v=300dfae273d2")) == web_assets.LONG_CACHE
    assert rule(scope(web_assets.VENDOR / "tfjs" / "tf.min.js")) == "no-cache"  # unversioned: revalidate
    assert rule(scope(web_assets.WEB / "genimg.js")) == "no-cache"
    assert rule(scope(Path("/etc/passwd"))) is None
    assert rule(scope(tmp_path / ".." / "elsewhere" / "x.bin")) is None

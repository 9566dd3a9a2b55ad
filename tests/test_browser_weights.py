"""Browser weights and the vendored runtime, without a browser: the folded op list (run in numpy, NHWC, TF's
filter layout) reproduces the torch forward; export/write; `python -m genimg.app.vendor --check`; the head HTML.

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
from genimg.models import Generator
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
    manifest, blob = browser_weights.export(model)
    assert manifest["dtype"] == "float16" and manifest["parity"]["maxAbsDiff"] <= browser_weights.PARITY_TOLERANCE
    assert manifest["weights"]["bytes"] == len(blob)
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

    manifest32, blob32 = browser_weights.export(model, dtype="float32")
    assert manifest32["dtype"] == "float32" and len(blob32) >= 2 * len(blob) - 8
    with pytest.raises(ValueError, match="dtype must be"):
        browser_weights.export(model, dtype="int8")
    with pytest.raises(TypeError, match="GAN Generator or a VAE"):
        browser_weights.fold(torch.nn.Linear(2, 2))


@pytest.mark.parametrize("path", ["mnist/gan", "mnist/vae", "emoji/gan", "emoji/vae"])
def test_committed_models_export_as_float16_within_parity(path):
    model = genimg.load(REPO / "checkpoints" / path)
    manifest, blob = browser_weights.export(model)
    assert manifest["dtype"] == "float16", manifest["parity"]
    assert manifest["parity"]["maxAbsDiff"] <= 1
    assert len(blob) < 10 * 1024 * 1024


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
    entries = web_assets.export_models({"tiny": {"gan": tiny_gan(num_classes=3), "vae": tiny_vae()}}, tmp_path)
    assert [(e["model"], e["kind"]) for e in entries] == [("tiny", "gan"), ("tiny", "vae")]
    head = web_assets.head_html(entries, default=("tiny", "vae"))
    config = json.loads(head.split('id="genimg-config">', 1)[1].split("</script>", 1)[0])
    assert config["default"] == {"model": "tiny", "kind": "vae"}
    assert config["models"][0]["manifest"].startswith("gradio_api/file=" + str(tmp_path.resolve()))
    assert config["vendor"]["tfjs"].endswith("tf.min.js?v=" + vendor.read_sources()[0]["sha256"][:12])
    assert '<script type="module" src="gradio_api/file=' in head and "genimg.js?v=" in head
    with pytest.raises(TypeError, match="expected kind 'gan'"):
        web_assets.export_models({"tiny": {"gan": tiny_vae()}}, tmp_path)


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

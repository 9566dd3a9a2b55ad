"""A GAN generator or VAE decoder as browser weights: a JSON op list + one binary blob, for TensorFlow.js.

What the browser runs (genimg/app/web/models.js) is a straight list of ops on NHWC tensors:

    embed_concat   z (N, z_dim), labels (N,) -> concat([z, table[labels]]) (N, 2 z_dim)   conditional GANs
    linear         x @ weight (in, out) + bias                                             BatchNorm1d folded in
    reshape        (N, s0*s0*c) -> (N, s0, s0, c)    the linear's columns are permuted to NHWC order here
    conv_transpose PyTorch ConvTranspose2d(k=4, s=2, p=1) == tf.conv2dTranspose(filter (4, 4, out, in),
                   strides 2, 'same') + bias                                                 BatchNorm2d folded in
                   The browser runs it as conv2d(filter (3, 3, in, 4 out), 'same') + depthToSpace(2), the
                   "sub-pixel convolution" (Shi et al. 2016): each output phase (row parity a, column parity
                   b) is a 3x3 conv of the input using 2x2 of the 16 taps. The same numbers, 2-4x faster in
                   tfjs-wasm (XNNPACK runs conv2d; conv2dTranspose is a plain loop there; tfjs's cpu backend
                   is the other way round and keeps conv2dTranspose). The 3x3 kernel is built at load time
                   from the 4x4 one, so the download stays the 4x4 size.
    relu, silu, tanh, sigmoid, clamp(min, max)
    to_uint8       round(clamp((x - low) / (1 - low), 0, 1) * 255)   as genimg.sampling.to_uint8

Folding BatchNorm into the layer before it is exact in eval mode (y = (Wx - mean) * g / sqrt(var + eps) + b
is again affine in x); the permutation of the linear's columns replaces PyTorch's view(N, C, H, W) and a
transpose to NHWC, exactly. `run_ops` is a numpy interpreter of the same op list (NHWC, TF's filter layout),
so the export is checked against the torch forward without a browser.

Weights are float16 when the float16 model's images stay within PARITY_TOLERANCE of the torch model's on
PARITY_SEEDS seeded latents (checked at export, recorded in the manifest), else float32. The output folder
is named by a hash of the model's weights and this format's version, so a browser may cache it forever.
No pickles: the blob is raw little-endian numbers, the manifest JSON. This module knows nothing of Gradio.
"""

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import torch
from torch import nn

from .models import VAE, Generator
from .sampling import generate, labels_for_seeds, latent_from_seed

FORMAT_VERSION = 1
PARITY_SEEDS = 64
PARITY_TOLERANCE = 1  # of 255; the browser test allows 2, float16 must leave room for float32-vs-wasm rounding
MANIFEST, WEIGHTS = "manifest.json", "weights.bin"


def _fold_batchnorm(bn: nn.BatchNorm1d | nn.BatchNorm2d) -> tuple[np.ndarray, np.ndarray]:
    """Eval-mode BatchNorm as y = x * scale + shift, per channel."""
    scale = bn.weight.detach().double() / torch.sqrt(bn.running_var.double() + bn.eps)
    shift = bn.bias.detach().double() - bn.running_mean.double() * scale
    return scale.numpy(), shift.numpy()


def _linear(layer: nn.Linear, bn: nn.BatchNorm1d | None = None, nhwc: tuple[int, int, int] | None = None):
    """nn.Linear (+ BatchNorm1d) -> weight (in, out), bias (out,); nhwc=(c, h, w) reorders outputs NCHW -> NHWC."""
    weight = layer.weight.detach().double().numpy().T  # (in, out)
    bias = layer.bias.detach().double().numpy() if layer.bias is not None else np.zeros(weight.shape[1])
    if bn is not None:
        scale, shift = _fold_batchnorm(bn)
        weight, bias = weight * scale[None, :], bias * scale + shift
    if nhwc is not None:
        c, h, w = nhwc
        order = np.arange(c * h * w).reshape(c, h, w).transpose(1, 2, 0).ravel()  # NHWC position -> NCHW column
        weight, bias = weight[:, order], bias[order]
    return weight, bias


def _conv_transpose(layer: nn.ConvTranspose2d, bn: nn.BatchNorm2d | None = None):
    """ConvTranspose2d(k4, s2, p1) (+ BatchNorm2d) -> TF filter (kh, kw, out, in), bias (out,)."""
    if (layer.kernel_size, layer.stride, layer.padding, layer.output_padding) != ((4, 4), (2, 2), (1, 1), (0, 0)):
        raise ValueError(f"only ConvTranspose2d(k=4, s=2, p=1) maps to tf 'same' padding; got {layer}")
    weight = layer.weight.detach().double().numpy()  # (in, out, kh, kw)
    bias = layer.bias.detach().double().numpy() if layer.bias is not None else np.zeros(weight.shape[1])
    if bn is not None:
        scale, shift = _fold_batchnorm(bn)
        weight, bias = weight * scale[None, :, None, None], bias * scale + shift
    return weight.transpose(2, 3, 1, 0), bias  # both are the gradient of a cross-correlation: no flip


# Which of the 4 kernel rows feeds output row 2m + a from input row m + r - 1 (PyTorch p=1: y = 2i + ky - 1).
SUBPIXEL_TAPS = {(0, 0): 3, (0, 1): 1, (1, 1): 2, (1, 2): 0}  # (a, r) -> ky; other (a, r) pairs: no tap


def _subpixel(filt: np.ndarray, bias: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """TF conv2dTranspose filter (4, 4, out, in) -> conv2d filter (3, 3, in, 4 out) and bias (4 out,) for
    depthToSpace(2): channel (2a + b) * out + o is output pixel (2m + a, 2n + b), channel o."""
    _, _, c_out, c_in = filt.shape
    kernel = np.zeros((3, 3, c_in, 4 * c_out))
    for (a, r), ky in SUBPIXEL_TAPS.items():
        for (b, s), kx in SUBPIXEL_TAPS.items():
            phase = 2 * a + b
            kernel[r, s, :, phase * c_out:(phase + 1) * c_out] = filt[ky, kx].T  # (in, out)
    return kernel, np.tile(bias, 4)


def fold(model: nn.Module) -> tuple[dict, list[dict], dict[str, np.ndarray]]:
    """A Generator or VAE -> (info, ops, tensors float64). Info: kind, zDim, shape [H, W, C], classes."""
    tensors: dict[str, np.ndarray] = {}
    ops: list[dict] = []

    def add(op: str, **params) -> None:
        for key, value in list(params.items()):
            if isinstance(value, np.ndarray):
                name = f"{len(ops)}.{key}"
                tensors[name] = value
                params[key] = name
        ops.append({"op": op, **params})

    def add_conv_transpose(filt: np.ndarray, bias: np.ndarray) -> None:  # (N, H, W, in) -> (N, 2H, 2W, out)
        add("conv_transpose", filter=filt, bias=bias, stride=2, pad="same")

    if isinstance(model, Generator):
        g = model
        names = list(g.class_names) or [str(i) for i in range(g.num_classes)]
        prior = list(g.class_prior) if len(g.class_prior) == g.num_classes else []
        info = {"kind": "gan", "zDim": g.z_dim, "shape": [g.image_size, g.image_size, g.channels],
                "classes": names if g.num_classes else [], "classPrior": prior if g.num_classes else []}
        if g.num_classes:
            add("embed_concat", table=g.embed.weight.detach().double().numpy())  # (num_classes, z_dim)
        lin, bn = g.project[0], g.project[1]
        weight, bias = _linear(lin, bn, nhwc=(g.c0, g.s0, g.s0))
        add("linear", weight=weight, bias=bias)  # (N, s0*s0*c0)
        add("relu")
        add("reshape", shape=[g.s0, g.s0, g.c0])  # (N, s0, s0, c0)
        layers = list(g.blocks)
        i = 0
        while i < len(layers):
            layer = layers[i]
            if isinstance(layer, nn.ConvTranspose2d):
                bn = layers[i + 1] if i + 1 < len(layers) and isinstance(layers[i + 1], nn.BatchNorm2d) else None
                add_conv_transpose(*_conv_transpose(layer, bn))  # (N, 2H, 2W, out)
                i += 2 if bn is not None else 1
                continue
            add(_activation(layer))
            i += 1
        add("to_uint8", low=-1.0)
        return info, ops, tensors

    if isinstance(model, VAE):
        v = model
        info = {"kind": "vae", "zDim": v.z_dim, "shape": [v.image_size, v.image_size, v.channels],
                "classes": [], "classPrior": []}
        first, act1, second, act2 = v.from_z
        add("linear", **dict(zip(("weight", "bias"), _linear(first))))  # (N, hidden)
        add(_activation(act1))
        add("linear", **dict(zip(("weight", "bias"), _linear(second, nhwc=(v.c_top, v.s0, v.s0)))))
        add(_activation(act2))
        add("reshape", shape=[v.s0, v.s0, v.c_top])  # (N, s0, s0, c_top)
        for layer in v.decoder:
            if isinstance(layer, nn.ConvTranspose2d):
                add_conv_transpose(*_conv_transpose(layer))
            else:
                add(_activation(layer))
        if v.likelihood == "bernoulli":
            add("sigmoid")
        else:
            add("clamp", min=0.0, max=1.0)
        add("to_uint8", low=0.0)
        return info, ops, tensors

    raise TypeError(f"browser weights exist for a GAN Generator or a VAE, not a {type(model).__name__}")


def _activation(layer: nn.Module) -> str:
    for cls, name in ((nn.ReLU, "relu"), (nn.SiLU, "silu"), (nn.Tanh, "tanh"), (nn.Sigmoid, "sigmoid")):
        if isinstance(layer, cls):
            return name
    raise ValueError(f"no browser op for {layer}")


# ---- a numpy interpreter of the op list (the reference for what the browser computes) --------------------------

def conv_transpose_nhwc(x: np.ndarray, filt: np.ndarray, stride: int = 2) -> np.ndarray:
    """tf.conv2dTranspose(x, filt (kh, kw, out, in), strides, 'same'): x (N, H, W, in) -> (N, sH, sW, out)."""
    n, h, w, _ = x.shape
    kh, kw, c_out, _ = filt.shape
    pad_top, pad_left = (kh - stride) // 2, (kw - stride) // 2  # TF 'same': total pad kh - stride, top gets less
    full = np.zeros((n, (h - 1) * stride + kh, (w - 1) * stride + kw, c_out), dtype=x.dtype)
    for ky in range(kh):
        for kx in range(kw):
            tap = x @ filt[ky, kx].T  # (N, H, W, out)
            full[:, ky:ky + stride * h:stride, kx:kx + stride * w:stride] += tap
    return full[:, pad_top:pad_top + stride * h, pad_left:pad_left + stride * w]


def conv2d_same_nhwc(x: np.ndarray, filt: np.ndarray) -> np.ndarray:
    """tf.conv2d(x, filt (k, k, in, out), 1, 'same') for odd k: x (N, H, W, in) -> (N, H, W, out)."""
    n, h, w, _ = x.shape
    k = filt.shape[0]
    padded = np.pad(x, ((0, 0), (k // 2, k // 2), (k // 2, k // 2), (0, 0)))
    out = np.zeros((n, h, w, filt.shape[3]), dtype=x.dtype)
    for ky in range(k):
        for kx in range(k):
            out += padded[:, ky:ky + h, kx:kx + w] @ filt[ky, kx]
    return out


def depth_to_space_nhwc(x: np.ndarray, block: int) -> np.ndarray:
    """tf.depthToSpace(x, block, 'NHWC'): (N, H, W, block*block*C) -> (N, block H, block W, C)."""
    n, h, w, c = x.shape
    c_out = c // (block * block)
    x = x.reshape(n, h, w, block, block, c_out).transpose(0, 1, 3, 2, 4, 5)  # (N, H, a, W, b, C)
    return x.reshape(n, h * block, w * block, c_out)


def run_ops(ops: list[dict], tensors: dict[str, np.ndarray], z: np.ndarray, labels=None,
            dtype=np.float32, subpixel: bool = True) -> np.ndarray:
    """The op list on latents z (N, z_dim) [+ labels (N,)] in numpy -> uint8 (N, H, W, C) (or floats, no to_uint8).

    subpixel: run conv_transpose as the browser does (conv2d 3x3 + depthToSpace), else as tf.conv2dTranspose.
    """
    x = np.asarray(z, dtype=dtype)
    t = {k: v.astype(dtype) for k, v in tensors.items()}
    for op in ops:
        kind = op["op"]
        if kind == "embed_concat":
            x = np.concatenate([x, t[op["table"]][np.asarray(labels)]], axis=1)
        elif kind == "linear":
            x = x @ t[op["weight"]] + t[op["bias"]]
        elif kind == "reshape":
            x = x.reshape(x.shape[0], *op["shape"])
        elif kind == "conv_transpose" and subpixel:
            kernel, bias = _subpixel(t[op["filter"]], t[op["bias"]])
            x = depth_to_space_nhwc(conv2d_same_nhwc(x, kernel.astype(dtype)) + bias.astype(dtype), op["stride"])
        elif kind == "conv_transpose":
            x = conv_transpose_nhwc(x, t[op["filter"]], op["stride"]) + t[op["bias"]]
        elif kind == "relu":
            x = np.maximum(x, 0)
        elif kind == "silu":
            x = x / (1 + np.exp(-x))
        elif kind == "tanh":
            x = np.tanh(x)
        elif kind == "sigmoid":
            x = 1 / (1 + np.exp(-x))
        elif kind == "clamp":
            x = np.clip(x, op["min"], op["max"])
        elif kind == "to_uint8":
            low = op["low"]
            x = np.round(np.clip((x - low) / (1 - low), 0, 1) * 255).astype(np.uint8)
        else:
            raise ValueError(f"unknown op {kind!r}")
    return x


# ---- export ----------------------------------------------------------------------------------------------------

def weights_key(model: nn.Module) -> str:
    """16 hex digits naming these weights in this format: the folder name, so browsers can cache it forever."""
    digest = hashlib.sha256(f"genimg-browser-weights/{FORMAT_VERSION}/{type(model).__name__}".encode())
    for name, value in sorted(model.state_dict().items()):
        value = value.detach().cpu().contiguous()
        digest.update(f"{name}:{value.dtype}:{tuple(value.shape)}".encode())
        digest.update(value.reshape(-1).view(torch.uint8).numpy().tobytes())
    config = {k: getattr(model, k, None) for k in ("class_names", "class_prior", "likelihood")}
    digest.update(json.dumps(config, sort_keys=True).encode())
    return digest.hexdigest()[:16]


def parity(model: nn.Module, ops: list[dict], tensors: dict[str, np.ndarray], seeds=range(PARITY_SEEDS)) -> int:
    """Max |uint8 difference| between the op list (float32 numpy) and the torch model, over seeded latents."""
    seeds = list(seeds)
    z = np.stack([latent_from_seed(s, model.z_dim) for s in seeds])  # (N, z_dim) float32
    labels = labels_for_seeds(model, seeds) if isinstance(model, Generator) else None
    torch_images = generate(model, z, labels if isinstance(model, Generator) and model.num_classes else None)
    ours = run_ops(ops, tensors, z, labels)
    return int(np.abs(torch_images.astype(np.int16) - ours.astype(np.int16)).max())


def export(model: nn.Module, dtype: str = "auto") -> tuple[dict, bytes]:
    """A Generator or VAE -> (manifest dict, weights blob). dtype "auto" = float16 if parity holds, else float32."""
    if dtype not in ("auto", "float16", "float32"):
        raise ValueError(f"dtype must be 'auto', 'float16' or 'float32', got {dtype!r}")
    info, ops, tensors = fold(model)
    measured = {}
    for candidate in (["float16", "float32"] if dtype == "auto" else [dtype]):
        rounded = {k: v.astype(candidate).astype(np.float64) for k, v in tensors.items()}
        measured[candidate] = parity(model, ops, rounded)
        if dtype != "auto" or measured[candidate] <= PARITY_TOLERANCE:
            dtype = candidate
            break
    else:
        raise ValueError(f"the folded model differs from torch by {measured} (of 255); export bug")
    blob, specs, offset = bytearray(), [], 0
    for name, value in tensors.items():
        data = np.ascontiguousarray(value, dtype="<f2" if dtype == "float16" else "<f4").tobytes()
        pad = (-len(blob)) % 4  # keep each tensor 4-byte aligned so a Float32Array view is allowed
        blob += b"\0" * pad
        offset = len(blob)
        blob += data
        specs.append({"name": name, "shape": list(value.shape), "offset": offset, "bytes": len(data)})
    manifest = {
        "format": "genimg-browser-weights", "version": FORMAT_VERSION, "key": weights_key(model), **info,
        "dtype": dtype, "weights": {"file": WEIGHTS, "bytes": len(blob), "sha256": hashlib.sha256(blob).hexdigest()},
        "tensors": specs, "ops": ops,
        "parity": {"maxAbsDiff": measured[dtype], "seeds": PARITY_SEEDS, "measured": measured,
                   "note": "uint8 difference, numpy float32 of this op list vs the torch model"},
    }
    return manifest, bytes(blob)


def write(model: nn.Module, root: Path, dtype: str = "auto") -> Path:
    """Export into root/<key>/{manifest.json, weights.bin}, atomically; an existing folder is reused as is."""
    root = Path(root)
    folder = root / weights_key(model)
    if (folder / MANIFEST).is_file() and (folder / WEIGHTS).is_file():
        return folder
    manifest, blob = export(model, dtype)
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=root, prefix=f".{folder.name}.", suffix=".tmp"))
    try:
        (staging / WEIGHTS).write_bytes(blob)
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
        for path in (staging / WEIGHTS, staging / MANIFEST):
            with open(path, "rb") as f:
                os.fsync(f.fileno())
        staging.chmod(0o755)
        try:
            os.rename(staging, folder)  # atomic: the folder appears complete or not at all
        except OSError:
            if not (folder / MANIFEST).is_file():  # not someone else's finished export: a real failure
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder

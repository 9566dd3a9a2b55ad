"""A genimg network as browser weights: a JSON op list + one binary blob, for TensorFlow.js.

Four parts of a checkpoint are exported, each into a folder of its own (fetched when the page first needs it):

    generator   a GAN's generator: z (N, z_dim) [+ labels (N,)] -> uint8 images; its directions ride along
    decoder     a VAE's decoder: z (N, z_dim) -> uint8 images; its learned prior rides along (prior.bin)
    encoder     a VAE's encoder: images (N, H, W, C) in [0, 1] -> (N, 2 z_dim), mu then logvar (clamped by the
                reader to logvarRange, as VAE.encode does)
    classifier  a classifier: images (N, H, W, C) in [0, 1] -> features (the first `features` ops: the FID's
                embedding, inversion's feature loss) -> logits (the rest)

What the browser runs (genimg/app/web/models.js) is a straight list of ops on NHWC tensors:

    embed_concat   z (N, z_dim), labels (N,) -> concat([z, table[labels]]) (N, 2 z_dim)   conditional GANs
    linear         x @ weight (in, out) + bias                                             BatchNorm1d folded in
    reshape        (N, s0*s0*c) -> (N, s0, s0, c)    the linear's columns are permuted to NHWC order here
    flatten        (N, H, W, C) -> (N, H*W*C)        the next linear's rows are permuted from PyTorch's (C, H, W)
    conv2d         PyTorch Conv2d(k, s, p) == tf.conv2d(filter (k, k, in, out), strides s, pad p) + bias
                                                                                           BatchNorm2d folded in
    maxpool        2x2, stride 2 (PyTorch MaxPool2d(2))
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
is again affine in x); the permutations replace PyTorch's view(N, C, H, W) / flatten and a transpose to NHWC,
exactly. `run_ops` is a numpy interpreter of the same op list (NHWC, TF's filter layout), so the export is
checked against the torch forward without a browser.

Weights are float16 when the float16 part stays within its parity tolerance of the torch model (checked at
export on seeded inputs, recorded in the manifest), else float32. What must be exact stays in float64 or
float32 outside the blob: a GAN's directions as JSON numbers (float32 values), a VAE's learned prior as
prior.bin (float64, the numbers numpy samples with). The output folder is named by a hash of the weights,
the part, what rides along and this format's version, so a browser may cache it forever. No pickles: the
blobs are raw little-endian numbers, the manifest JSON. This module knows nothing of Gradio.
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

from .directions import Directions
from .models import VAE, Classifier, Generator
from .sampling import generate, labels_for_seeds, latent_from_seed

FORMAT_VERSION = 2
PARITY_SEEDS = 64
PARITY_TOLERANCE = 1  # of 255; the browser test allows 2, float16 must leave room for float32-vs-wasm rounding
ENCODER_TOLERANCE = 0.005  # posterior mean, latent units; the browser test allows 0.02
FEATURE_TOLERANCE = 0.01  # classifier features, relative to the largest feature of the image
CLASSIFIER_PARITY_IMAGES = 16  # a 64x64 classifier in numpy is slow; its parity is measured on fewer inputs
MANIFEST, WEIGHTS, PRIOR = "manifest.json", "weights.bin", "prior.bin"
PARTS = {"generator": Generator, "decoder": VAE, "encoder": VAE, "classifier": Classifier}
LOGVAR_RANGE = (-12.0, 8.0)  # VAE.encode clamps logvar to this


def default_part(model: nn.Module) -> str:
    """generator (GAN), decoder (VAE) or classifier: what `export(model)` exports when no part is named."""
    for part, cls in (("generator", Generator), ("decoder", VAE), ("classifier", Classifier)):
        if isinstance(model, cls):
            return part
    raise TypeError(f"browser weights exist for a GAN Generator, a VAE or a Classifier, not a {type(model).__name__}")


def check_part(model: nn.Module, part: str | None) -> str:
    part = default_part(model) if part is None else part
    if part not in PARTS or not isinstance(model, PARTS[part]):
        accepted = ", ".join(f"{name} ({cls.__name__})" for name, cls in PARTS.items())
        raise ValueError(f"part must be one of {accepted} for the model given, got {part!r} for a "
                         f"{type(model).__name__}")
    return part


def _fold_batchnorm(bn: nn.BatchNorm1d | nn.BatchNorm2d) -> tuple[np.ndarray, np.ndarray]:
    """Eval-mode BatchNorm as y = x * scale + shift, per channel."""
    scale = bn.weight.detach().double() / torch.sqrt(bn.running_var.double() + bn.eps)
    shift = bn.bias.detach().double() - bn.running_mean.double() * scale
    return scale.numpy(), shift.numpy()


def _nhwc_order(c: int, h: int, w: int) -> np.ndarray:
    """NHWC position -> NCHW index, for a flat (c, h, w) feature vector."""
    return np.arange(c * h * w).reshape(c, h, w).transpose(1, 2, 0).ravel()


def _linear(layer: nn.Linear, bn: nn.BatchNorm1d | None = None, nhwc: tuple[int, int, int] | None = None,
            rows_nhwc: tuple[int, int, int] | None = None):
    """nn.Linear (+ BatchNorm1d) -> weight (in, out), bias (out,). nhwc=(c, h, w) reorders outputs NCHW -> NHWC
    (a reshape follows); rows_nhwc=(c, h, w) reorders inputs the same way (a flatten precedes)."""
    weight = layer.weight.detach().double().numpy().T  # (in, out)
    bias = layer.bias.detach().double().numpy() if layer.bias is not None else np.zeros(weight.shape[1])
    if bn is not None:
        scale, shift = _fold_batchnorm(bn)
        weight, bias = weight * scale[None, :], bias * scale + shift
    if nhwc is not None:
        order = _nhwc_order(*nhwc)
        weight, bias = weight[:, order], bias[order]
    if rows_nhwc is not None:
        weight = weight[_nhwc_order(*rows_nhwc), :]
    return weight, bias


def _conv2d(layer: nn.Conv2d, bn: nn.BatchNorm2d | None = None):
    """Conv2d (+ BatchNorm2d) -> TF filter (kh, kw, in, out), bias (out,), stride, pad."""
    square = layer.kernel_size[0] == layer.kernel_size[1] and layer.stride[0] == layer.stride[1]
    if (not square or layer.padding[0] != layer.padding[1] or layer.dilation != (1, 1) or layer.groups != 1
            or layer.padding_mode != "zeros"):
        raise ValueError(f"only square, zero-padded, undilated, ungrouped Conv2d maps to tf.conv2d; got {layer}")
    weight = layer.weight.detach().double().numpy()  # (out, in, kh, kw)
    bias = layer.bias.detach().double().numpy() if layer.bias is not None else np.zeros(weight.shape[0])
    if bn is not None:
        scale, shift = _fold_batchnorm(bn)
        weight, bias = weight * scale[:, None, None, None], bias * scale + shift
    return weight.transpose(2, 3, 1, 0), bias, layer.stride[0], layer.padding[0]  # both cross-correlate: no flip


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


class _OpList:
    """Collects ops; numpy parameters become named tensors ('<op index>.<name>')."""

    def __init__(self):
        self.ops: list[dict] = []
        self.tensors: dict[str, np.ndarray] = {}

    def add(self, op: str, **params) -> None:
        for key, value in list(params.items()):
            if isinstance(value, np.ndarray):
                name = f"{len(self.ops)}.{key}"
                self.tensors[name] = value
                params[key] = name
        self.ops.append({"op": op, **params})

    def linear(self, weight: np.ndarray, bias: np.ndarray) -> None:
        self.add("linear", weight=weight, bias=bias)

    def conv2d(self, filt: np.ndarray, bias: np.ndarray, stride: int, pad: int) -> None:
        self.add("conv2d", filter=filt, bias=bias, stride=stride, pad=pad)

    def conv_transpose(self, filt: np.ndarray, bias: np.ndarray) -> None:  # (N, H, W, in) -> (N, 2H, 2W, out)
        self.add("conv_transpose", filter=filt, bias=bias, stride=2, pad="same")


def fold(model: nn.Module, part: str | None = None) -> tuple[dict, list[dict], dict[str, np.ndarray]]:
    """A part of a model (see the module docstring) -> (info, ops, tensors float64).
    Info: kind, part, shape [H, W, C], and zDim / classes / features as the part has them."""
    part = check_part(model, part)
    out = _OpList()
    if part == "generator":
        g = model
        names = list(g.class_names) or [str(i) for i in range(g.num_classes)]
        prior = list(g.class_prior) if len(g.class_prior) == g.num_classes else []
        info = {"kind": "gan", "part": part, "zDim": g.z_dim, "shape": [g.image_size, g.image_size, g.channels],
                "classes": names if g.num_classes else [], "classPrior": prior if g.num_classes else []}
        if g.num_classes:
            out.add("embed_concat", table=g.embed.weight.detach().double().numpy())  # (num_classes, z_dim)
        lin, bn = g.project[0], g.project[1]
        out.linear(*_linear(lin, bn, nhwc=(g.c0, g.s0, g.s0)))  # (N, s0*s0*c0)
        out.add("relu")
        out.add("reshape", shape=[g.s0, g.s0, g.c0])  # (N, s0, s0, c0)
        layers = list(g.blocks)
        i = 0
        while i < len(layers):
            layer = layers[i]
            if isinstance(layer, nn.ConvTranspose2d):
                bn = layers[i + 1] if i + 1 < len(layers) and isinstance(layers[i + 1], nn.BatchNorm2d) else None
                out.conv_transpose(*_conv_transpose(layer, bn))  # (N, 2H, 2W, out)
                i += 2 if bn is not None else 1
                continue
            out.add(_activation(layer))
            i += 1
        out.add("to_uint8", low=-1.0)
        return info, out.ops, out.tensors

    if part == "decoder":
        v = model
        info = {"kind": "vae", "part": part, "zDim": v.z_dim, "shape": [v.image_size, v.image_size, v.channels],
                "classes": [], "classPrior": []}
        first, act1, second, act2 = v.from_z
        out.linear(*_linear(first))  # (N, hidden)
        out.add(_activation(act1))
        out.linear(*_linear(second, nhwc=(v.c_top, v.s0, v.s0)))
        out.add(_activation(act2))
        out.add("reshape", shape=[v.s0, v.s0, v.c_top])  # (N, s0, s0, c_top)
        for layer in v.decoder:
            if isinstance(layer, nn.ConvTranspose2d):
                out.conv_transpose(*_conv_transpose(layer))
            else:
                out.add(_activation(layer))
        if v.likelihood == "bernoulli":
            out.add("sigmoid")
        else:
            out.add("clamp", min=0.0, max=1.0)
        out.add("to_uint8", low=0.0)
        return info, out.ops, out.tensors

    if part == "encoder":
        v = model
        info = {"kind": "vae", "part": part, "zDim": v.z_dim, "shape": [v.image_size, v.image_size, v.channels],
                "logvarRange": list(LOGVAR_RANGE)}
        _fold_body(out, list(v.encoder), v.image_size)  # (N, hidden)
        out.linear(*_linear(v.to_stats))  # (N, 2 z_dim): mu, then logvar
        return info, out.ops, out.tensors

    c = model  # classifier
    info = {"kind": "classifier", "part": part, "shape": [c.image_size, c.image_size, c.channels],
            "classes": list(c.class_names), "featureDim": c.embed[0].out_features}
    _fold_body(out, [*c.body, *c.embed], c.image_size)  # (N, feature_dim)
    info["features"] = len(out.ops)  # the ops up to here give the features; the rest, the logits
    out.linear(*_linear(c.head))  # (N, num_classes)
    return info, out.ops, out.tensors


def _fold_body(out: _OpList, layers: list[nn.Module], size: int) -> None:
    """Conv2d [+ BatchNorm2d] / activation / MaxPool2d(2) ... Flatten, Linear ... -> ops; `size` is the input side."""
    channels, i, flat = None, 0, None
    while i < len(layers):
        layer = layers[i]
        if isinstance(layer, nn.Conv2d):
            bn = layers[i + 1] if i + 1 < len(layers) and isinstance(layers[i + 1], nn.BatchNorm2d) else None
            filt, bias, stride, pad = _conv2d(layer, bn)
            out.conv2d(filt, bias, stride, pad)
            size = (size + 2 * pad - filt.shape[0]) // stride + 1  # (N, size, size, out)
            channels = filt.shape[3]
            i += 2 if bn is not None else 1
            continue
        if isinstance(layer, nn.MaxPool2d):
            if (layer.kernel_size, layer.stride, layer.padding) not in ((2, 2, 0), ((2, 2), (2, 2), (0, 0))):
                raise ValueError(f"only MaxPool2d(2) maps to the maxpool op; got {layer}")
            out.add("maxpool", size=2)  # (N, size / 2, size / 2, C)
            size //= 2
        elif isinstance(layer, nn.Flatten):
            out.add("flatten")  # (N, size * size * C), NHWC order
            flat = (channels, size, size)
        elif isinstance(layer, nn.Linear):
            out.linear(*_linear(layer, rows_nhwc=flat))  # the first linear after flatten reads NHWC order
            flat = None
        elif isinstance(layer, nn.Dropout):
            pass  # identity in eval mode
        else:
            out.add(_activation(layer))
        i += 1


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


def conv2d_nhwc(x: np.ndarray, filt: np.ndarray, stride: int = 1, pad: int | None = None) -> np.ndarray:
    """tf.conv2d(x, filt (k, k, in, out), stride, pad) with `pad` zeros on every side (None: k // 2, which is 'same'
    for odd k and stride 1): x (N, H, W, in) -> (N, (H + 2 pad - k) // stride + 1, ..., out)."""
    n, h, w, _ = x.shape
    k = filt.shape[0]
    pad = k // 2 if pad is None else pad
    padded = np.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    oh, ow = (h + 2 * pad - k) // stride + 1, (w + 2 * pad - k) // stride + 1
    out = np.zeros((n, oh, ow, filt.shape[3]), dtype=x.dtype)
    for ky in range(k):
        for kx in range(k):
            out += padded[:, ky:ky + stride * (oh - 1) + 1:stride, kx:kx + stride * (ow - 1) + 1:stride] @ filt[ky, kx]
    return out


def conv2d_same_nhwc(x: np.ndarray, filt: np.ndarray) -> np.ndarray:
    """tf.conv2d(x, filt (k, k, in, out), 1, 'same') for odd k: x (N, H, W, in) -> (N, H, W, out)."""
    return conv2d_nhwc(x, filt)


def depth_to_space_nhwc(x: np.ndarray, block: int) -> np.ndarray:
    """tf.depthToSpace(x, block, 'NHWC'): (N, H, W, block*block*C) -> (N, block H, block W, C)."""
    n, h, w, c = x.shape
    c_out = c // (block * block)
    x = x.reshape(n, h, w, block, block, c_out).transpose(0, 1, 3, 2, 4, 5)  # (N, H, a, W, b, C)
    return x.reshape(n, h * block, w * block, c_out)


def run_ops(ops: list[dict], tensors: dict[str, np.ndarray], x: np.ndarray, labels=None,
            dtype=np.float32, subpixel: bool = True) -> np.ndarray:
    """The op list in numpy on its input -> its output: latents z (N, z_dim) [+ labels (N,)] -> uint8 (N, H, W, C)
    (floats if the list stops before to_uint8); images (N, H, W, C) in [0, 1] -> (N, features) for an encoder or
    classifier.

    subpixel: run conv_transpose as the browser does (conv2d 3x3 + depthToSpace), else as tf.conv2dTranspose.
    """
    x = np.asarray(x, dtype=dtype)
    t = {k: v.astype(dtype) for k, v in tensors.items()}
    for op in ops:
        kind = op["op"]
        if kind == "embed_concat":
            x = np.concatenate([x, t[op["table"]][np.asarray(labels)]], axis=1)
        elif kind == "linear":
            x = x @ t[op["weight"]] + t[op["bias"]]
        elif kind == "reshape":
            x = x.reshape(x.shape[0], *op["shape"])
        elif kind == "flatten":
            x = x.reshape(x.shape[0], -1)
        elif kind == "conv2d":
            x = conv2d_nhwc(x, t[op["filter"]], op["stride"], op["pad"]) + t[op["bias"]]
        elif kind == "maxpool":
            n, h, w, c = x.shape
            x = x.reshape(n, h // 2, 2, w // 2, 2, c).max(axis=(2, 4))
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

def _prior_arrays(model: nn.Module, part: str) -> dict[str, np.ndarray] | None:
    """A VAE decoder's learned prior as float64 arrays (the numbers numpy samples with), or None."""
    prior = getattr(model, "prior", None) if part == "decoder" else None
    if prior is None:
        return None
    lower = np.tril_indices(prior.z_dim)
    return {"probabilities": prior.probabilities.astype(np.float64),  # (K,)
            "means": prior.means.astype(np.float64),  # (K, D): float32 values, exactly
            "cholesky": np.stack([c[lower] for c in prior.cholesky]).astype(np.float64)}  # (K, D (D + 1) / 2)


def _check_directions(model: nn.Module, part: str, directions: Directions | None) -> Directions | None:
    if directions is None:
        return None
    if part != "generator":
        raise ValueError(f"directions ride along with a GAN generator, not a {part}")
    vectors = np.asarray(directions.vectors, np.float32)
    if vectors.ndim != 2 or vectors.shape[1] != model.z_dim or len(directions.variance_share) != len(vectors):
        raise ValueError(f"directions must be (K, z_dim={model.z_dim}) with K variance shares, got {vectors.shape} "
                         f"and {len(directions.variance_share)} shares")
    return directions


def weights_key(model: nn.Module, part: str | None = None, directions: Directions | None = None) -> str:
    """16 hex digits naming this part's weights (and what rides along) in this format: the folder name, so browsers
    can cache it forever."""
    part = check_part(model, part)
    digest = hashlib.sha256(f"genimg-browser-weights/{FORMAT_VERSION}/{type(model).__name__}/{part}".encode())
    for name, value in sorted(model.state_dict().items()):
        value = value.detach().cpu().contiguous()
        digest.update(f"{name}:{value.dtype}:{tuple(value.shape)}".encode())
        digest.update(value.reshape(-1).view(torch.uint8).numpy().tobytes())
    config = {k: getattr(model, k, None) for k in ("class_names", "class_prior", "likelihood")}
    digest.update(json.dumps(config, sort_keys=True).encode())
    extras = dict(_prior_arrays(model, part) or {})
    if directions is not None:
        extras.update(vectors=np.asarray(directions.vectors, "<f4"), share=np.asarray(directions.variance_share, "<f8"))
    for name, value in extras.items():
        digest.update(f"{name}:{value.shape}".encode() + np.ascontiguousarray(value).tobytes())
    return digest.hexdigest()[:16]


def parity(model: nn.Module, ops: list[dict], tensors: dict[str, np.ndarray], seeds=range(PARITY_SEEDS),
           part: str | None = None) -> float:
    """How far the op list (float32 numpy) is from the torch model on seeded inputs: max |uint8 difference| for a
    generator or decoder, max |mu difference| for an encoder, max |feature difference| relative to the image's
    largest feature for a classifier."""
    part = check_part(model, part)
    seeds = list(seeds)
    if part == "classifier":
        rs = np.random.RandomState(0)  # no dataset here: seeded noise in the model's shape, 8-bit like an upload
        count = min(len(seeds), CLASSIFIER_PARITY_IMAGES)
        images = rs.randint(0, 256, (count, model.image_size, model.image_size, model.channels)).astype(np.uint8)
        x = images.astype(np.float32) / 255
        with torch.no_grad():
            expected = model.features(torch.from_numpy(x).permute(0, 3, 1, 2)).numpy()  # (N, F)
        ours = run_ops(ops[:-1], tensors, x)  # the features: all but the head (fold puts it last)
        return float((np.abs(ours - expected).max(1) / np.abs(expected).max(1).clip(1e-6)).max())
    z = np.stack([latent_from_seed(s, model.z_dim) for s in seeds])  # (N, z_dim) float32
    if part == "encoder":  # the VAE's own decodes of seeded latents: pictures like the ones it encodes
        images = generate(model, z)  # (N, H, W, C) uint8
        x = images.astype(np.float32) / 255
        with torch.no_grad():
            mu, _ = model.encode(torch.from_numpy(x).permute(0, 3, 1, 2))
        return float(np.abs(run_ops(ops, tensors, x)[:, :model.z_dim] - mu.numpy()).max())
    labels = labels_for_seeds(model, seeds) if isinstance(model, Generator) else None
    torch_images = generate(model, z, labels if isinstance(model, Generator) and model.num_classes else None)
    ours = run_ops(ops, tensors, z, labels)
    return int(np.abs(torch_images.astype(np.int16) - ours.astype(np.int16)).max())


TOLERANCES = {"generator": PARITY_TOLERANCE, "decoder": PARITY_TOLERANCE, "encoder": ENCODER_TOLERANCE,
              "classifier": FEATURE_TOLERANCE}
PARITY_NOTES = {"generator": "uint8 difference", "decoder": "uint8 difference",
                "encoder": "posterior mean difference (latent units) on the VAE's own decodes",
                "classifier": "feature difference relative to the image's largest feature, on seeded noise"}


def export(model: nn.Module, dtype: str = "auto", part: str | None = None,
           directions: Directions | None = None) -> tuple[dict, dict[str, bytes]]:
    """A part of a model -> (manifest dict, {file name: bytes}): weights.bin, and prior.bin for a VAE decoder with a
    learned prior. dtype "auto" = float16 if parity holds, else float32. directions: a GAN's (genimg.directions)."""
    if dtype not in ("auto", "float16", "float32"):
        raise ValueError(f"dtype must be 'auto', 'float16' or 'float32', got {dtype!r}")
    part = check_part(model, part)
    directions = _check_directions(model, part, directions)
    info, ops, tensors = fold(model, part)
    measured = {}
    for candidate in (["float16", "float32"] if dtype == "auto" else [dtype]):
        rounded = {k: v.astype(candidate).astype(np.float64) for k, v in tensors.items()}
        measured[candidate] = parity(model, ops, rounded, part=part)
        if dtype != "auto" or measured[candidate] <= TOLERANCES[part]:
            dtype = candidate
            break
    else:
        raise ValueError(f"the folded model differs from torch by {measured} ({PARITY_NOTES[part]}); export bug")
    blob, specs, offset = bytearray(), [], 0
    for name, value in tensors.items():
        data = np.ascontiguousarray(value, dtype="<f2" if dtype == "float16" else "<f4").tobytes()
        pad = (-len(blob)) % 4  # keep each tensor 4-byte aligned so a Float32Array view is allowed
        blob += b"\0" * pad
        offset = len(blob)
        blob += data
        specs.append({"name": name, "shape": list(value.shape), "offset": offset, "bytes": len(data)})
    files = {WEIGHTS: bytes(blob)}
    manifest = {
        "format": "genimg-browser-weights", "version": FORMAT_VERSION, "key": weights_key(model, part, directions),
        **info, "dtype": dtype,
        "weights": {"file": WEIGHTS, "bytes": len(blob), "sha256": hashlib.sha256(blob).hexdigest()},
        "tensors": specs, "ops": ops,
        "parity": {"maxAbsDiff": measured[dtype], "measured": measured,
                   "inputs": CLASSIFIER_PARITY_IMAGES if part == "classifier" else PARITY_SEEDS,
                   "note": f"{PARITY_NOTES[part]}, numpy float32 of this op list vs the torch model"},
    }
    if part == "generator":
        manifest["directions"] = None if directions is None else {
            # (K, z_dim): each float32 in its shortest decimal that reads back as the same float32 (9 digits at most)
            "vectors": [[float(str(v)) for v in row] for row in np.asarray(directions.vectors, np.float32)],
            "varianceShare": np.asarray(directions.variance_share, np.float64).tolist(),  # (K,)
            "labels": directions.labels()}
    if part == "decoder":
        arrays = _prior_arrays(model, part)
        manifest["prior"] = None
        if arrays is not None:
            data = b"".join(np.ascontiguousarray(a, "<f8").tobytes() for a in arrays.values())
            files[PRIOR] = data
            k, d = arrays["means"].shape
            manifest["prior"] = {
                "file": PRIOR, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest(),
                "components": k, "zDim": d,
                "layout": "little-endian float64: probabilities (K,), means (K, D), then each component's Cholesky "
                          "factor L (lower triangular) row by row, L[i][0..i] (K, D (D + 1) / 2)"}
    return manifest, files


def write(model: nn.Module, root: Path, dtype: str = "auto", part: str | None = None,
          directions: Directions | None = None) -> Path:
    """Export into root/<key>/{manifest.json, weights.bin[, prior.bin]}, atomically; an existing folder is reused."""
    root = Path(root)
    folder = root / weights_key(model, part, directions)
    if (folder / MANIFEST).is_file():  # written last: the folder is complete
        return folder
    manifest, files = export(model, dtype, part, directions)
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=root, prefix=f".{folder.name}.", suffix=".tmp"))
    try:
        for name, data in files.items():
            (staging / name).write_bytes(data)
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
        for name in [*files, MANIFEST]:
            with open(staging / name, "rb") as f:
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

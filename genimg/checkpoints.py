"""Checkpoint directories: config.json + model.safetensors + card.json, written atomically, read safely.

A checkpoint directory holds one model: a GAN's (EMA) generator, a VAE, or a classifier; a GAN's
directory also keeps its discriminator in discriminator/.
card.json names its kind and records how it was made. Only JSON and safetensors are ever read;
nothing is unpickled. This module knows nothing of training or the UI.
"""

import inspect
import json
import os
import tempfile
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file
from torch import nn

from .models import VAE, Classifier, Discriminator, Generator

# "discriminator" checkpoints sit in a GAN directory's discriminator/ folder (used for teaching).
KINDS = {"gan": Generator, "vae": VAE, "classifier": Classifier, "discriminator": Discriminator}
CONFIG, WEIGHTS, CARD = "config.json", "model.safetensors", "card.json"


class CheckpointError(Exception):
    """A checkpoint directory is missing, corrupt, or not a genimg checkpoint; the message names the file."""


def kind_of(model: nn.Module) -> str:
    for kind, cls in KINDS.items():
        if type(model) is cls:
            return kind
    raise TypeError(f"not a genimg model: {type(model).__name__}")


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write to a temp file in the same folder, fsync, then os.replace: readers see old or new, never half."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_json(path: Path, obj) -> None:
    atomic_write_bytes(path, (json.dumps(obj, indent=2, sort_keys=False) + "\n").encode())


def atomic_save_tensors(path: Path, tensors: dict[str, torch.Tensor], metadata: dict | None = None) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        save_file({k: v.detach().cpu().contiguous() for k, v in tensors.items()}, tmp, metadata=metadata)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def model_config(model: nn.Module) -> dict:
    """The __init__ arguments the model was built with (PyTorchModelHubMixin records them)."""
    config = dict(getattr(model, "_hub_mixin_config", None) or {})
    params = inspect.signature(type(model).__init__).parameters
    for name, param in params.items():  # make defaults explicit, so a config file is self-contained
        if name != "self" and name not in config and param.default is not inspect.Parameter.empty:
            config[name] = param.default
    return config


def save_model(model: nn.Module, directory: Path, card: dict | None = None) -> None:
    """Write config.json, model.safetensors (and card.json, if given), each atomically.

    Same files as PyTorchModelHubMixin.save_pretrained, but every file is replaced atomically, so a
    crash at any moment leaves the previous checkpoint loadable.
    """
    directory = Path(directory)
    atomic_write_json(directory / CONFIG, model_config(model))
    atomic_save_tensors(directory / WEIGHTS, model.state_dict(), metadata={"format": "pt"})
    if card is not None:
        atomic_write_json(directory / CARD, {"kind": kind_of(model), **card})


def read_json(path: Path, what: str) -> dict:
    if not path.is_file():
        raise CheckpointError(f"{path}: missing; a genimg checkpoint directory holds {CONFIG}, {WEIGHTS} and {CARD}"
                              f" ({what})")
    try:
        obj = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise CheckpointError(f"{path}: not valid JSON ({e}); expected {what}") from e
    if not isinstance(obj, dict):
        raise CheckpointError(f"{path}: expected a JSON object ({what}), got {type(obj).__name__}")
    return obj


def read_card(directory: Path) -> dict:
    card = read_json(Path(directory) / CARD, "the model card, with 'kind' one of " + ", ".join(KINDS))
    if card.get("kind") not in KINDS:
        raise CheckpointError(f"{Path(directory) / CARD}: 'kind' is {card.get('kind')!r}; expected one of "
                              + ", ".join(KINDS))
    return card


def build_model(cls: type, config: dict, config_path: Path) -> nn.Module:
    """cls(**config), refusing unknown or missing keys instead of silently ignoring them."""
    params = {n: p for n, p in inspect.signature(cls.__init__).parameters.items() if n != "self"}
    unknown = sorted(set(config) - set(params))
    if unknown:
        raise CheckpointError(f"{config_path}: unknown key(s) {unknown} for {cls.__name__}; "
                              f"accepted: {sorted(params)}")
    try:
        return cls(**config)
    except (TypeError, ValueError, ZeroDivisionError, RuntimeError) as e:
        raise CheckpointError(f"{config_path}: cannot build {cls.__name__} from this config ({e})") from e


def load(directory: str | os.PathLike) -> nn.Module:
    """A checkpoint directory -> its model, in eval mode, on the CPU."""
    directory = Path(directory)
    if not directory.is_dir():
        raise CheckpointError(f"{directory}: not a directory; expected a genimg checkpoint directory "
                              f"({CONFIG}, {WEIGHTS}, {CARD})")
    cls = KINDS[read_card(directory)["kind"]]
    config_path = directory / CONFIG
    model = build_model(cls, read_json(config_path, f"the {cls.__name__} config"), config_path)
    weights_path = directory / WEIGHTS
    if not weights_path.is_file():
        raise CheckpointError(f"{weights_path}: missing; expected the model weights in safetensors format")
    try:
        state = load_file(weights_path, device="cpu")
    except (SafetensorError, OSError, ValueError) as e:
        raise CheckpointError(f"{weights_path}: not a readable safetensors file ({e})") from e
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as e:  # missing/unexpected keys or wrong shapes
        message = str(e).replace("\n", " ").replace("\t", "")[:600]
        raise CheckpointError(f"{weights_path}: weights do not fit the {cls.__name__} in {CONFIG}: {message}") from e
    return model.eval()

"""Checkpoint directories: config.json + model.safetensors + card.json, written atomically, read safely.

A checkpoint directory holds one model: a GAN's (EMA) generator, a VAE, or a classifier; a GAN's
directory also keeps its discriminator in discriminator/; a VAE's may hold prior.safetensors, its
learned sampling prior (a Gaussian mixture's arrays), which `load` attaches as `vae.prior`.
card.json names its kind and records how it was made. Only JSON and safetensors are ever read;
nothing is unpickled. This module knows nothing of training or the UI.
"""

import inspect
import json
import math
import os
import shutil
import tempfile
import typing
from contextlib import contextmanager
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.numpy import load_file as load_numpy_file
from safetensors.torch import load_file, save_file
from torch import nn

from .models import VAE, Classifier, Discriminator, GaussianMixturePrior, Generator

# "discriminator" checkpoints sit in a GAN directory's discriminator/ folder (used for teaching).
KINDS = {"gan": Generator, "vae": VAE, "classifier": Classifier, "discriminator": Discriminator}
CONFIG, WEIGHTS, CARD = "config.json", "model.safetensors", "card.json"
PRIOR = "prior.safetensors"  # a VAE's learned sampling prior, optional


class CheckpointError(Exception):
    """A checkpoint directory is missing, corrupt, or not a genimg checkpoint; the message names the file."""


def checkpoints_root() -> Path:
    """Where genimg finds checkpoints by name (<root>/<dataset>/<kind>/): $GENIMG_CHECKPOINTS, else ./checkpoints when
    it exists, else the checkpoints/ folder beside the package (a source checkout). The one place that reads it."""
    if os.environ.get("GENIMG_CHECKPOINTS"):
        return Path(os.environ["GENIMG_CHECKPOINTS"])
    here = Path("checkpoints")
    return here if here.is_dir() else Path(__file__).resolve().parents[1] / "checkpoints"


def kind_of(model: nn.Module) -> str:
    for kind, cls in KINDS.items():
        if type(model) is cls:
            return kind
    raise TypeError(f"not a genimg model: {type(model).__name__}")


_umask = os.umask(0)
os.umask(_umask)
PUBLIC_FILE_MODE = 0o666 & ~_umask  # what open() would give; mkstemp's 0600 would hide files from a server user


@contextmanager
def atomic_path(path: Path):
    """Yield a temp path beside `path`; on success fsync it and os.replace it over `path`, else remove it.

    Readers see the old file or the new one, never half of one.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        yield tmp
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.chmod(tmp, PUBLIC_FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: Path, data: bytes) -> None:
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        f.write(data)


def atomic_write_json(path: Path, obj) -> None:
    atomic_write_bytes(path, (json.dumps(obj, indent=2, sort_keys=False) + "\n").encode())


def atomic_save_tensors(path: Path, tensors: dict[str, torch.Tensor], metadata: dict | None = None) -> None:
    with atomic_path(path) as tmp:
        save_file({k: v.detach().cpu().contiguous() for k, v in tensors.items()}, tmp, metadata=metadata)


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
    crash at any moment leaves the previous checkpoint loadable. A directory that does not exist yet is
    written whole in a hidden sibling and renamed into place: it appears complete or not at all.
    """
    directory = Path(directory)
    if not directory.exists():
        directory.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=directory.parent, prefix=f".{directory.name}.", suffix=".tmp"))
        try:
            save_model(model, staging, card)
            os.rename(staging, directory)  # atomic; fails if the directory appeared meanwhile
            return
        except OSError:
            if directory.exists():  # someone else created it: write into it file by file instead
                shutil.rmtree(staging, ignore_errors=True)
                save_model(model, directory, card)
                return
            raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
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


INT_RANGES = {"channels": (1, 4), "num_classes": (0, 100_000), "mbstd_group": (0, 1024)}  # others: 1..65536
MAX_PARAMETERS = 400_000_000  # the largest config the training CLI can make is ~330M; shipped ones are ~1M


def check_config_types(cls: type, config: dict, config_path: Path) -> None:
    """Each value against the __init__ annotation (int, str, list[str] | None, list[float] | None) and a range.

    JSON from a downloaded checkpoint is untrusted: "z_dim": "abc" or -3 or [4] must be a clear error,
    not whatever torch says, and "width": 10**9 must not be allocated.
    """
    hints = typing.get_type_hints(cls.__init__)
    for name, value in config.items():
        hint, problem = hints.get(name), None
        if hint is int:
            low, high = INT_RANGES.get(name, (1, 65_536))
            if isinstance(value, bool) or not isinstance(value, int):
                problem = f"must be an integer from {low} to {high}"
            elif not low <= value <= high:
                problem = f"must be from {low} to {high}"
        elif hint is float and (isinstance(value, bool) or not isinstance(value, (int, float))
                                or not math.isfinite(value)):
            problem = "must be a finite number"
        elif hint is str and not isinstance(value, str):
            problem = "must be a string"
        elif hint == list[str] | None and not (value is None or (isinstance(value, list)
                                                                 and all(isinstance(v, str) for v in value))):
            problem = "must be a list of strings or null"
        elif hint == list[float] | None and not (value is None or (isinstance(value, list) and all(
                isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in value))):
            problem = "must be a list of numbers or null"
        if problem:
            raise CheckpointError(f"{config_path}: {name!r} {problem}, got {value!r:.60}")


def build_model(cls: type, config: dict, config_path: Path) -> nn.Module:
    """cls(**config), refusing unknown keys, wrong types and oversized models instead of trying them."""
    params = {n: p for n, p in inspect.signature(cls.__init__).parameters.items() if n != "self"}
    unknown = sorted(set(config) - set(params))
    if unknown:
        raise CheckpointError(f"{config_path}: unknown key(s) {unknown} for {cls.__name__}; "
                              f"accepted: {sorted(params)}")
    check_config_types(cls, config, config_path)
    try:
        with torch.device("meta"):  # shapes only, no memory: count the parameters before allocating them
            size = sum(p.numel() for p in cls(**config).parameters())
        if size > MAX_PARAMETERS:
            raise CheckpointError(f"{config_path}: this config makes a {cls.__name__} of {size:,} parameters; "
                                  f"at most {MAX_PARAMETERS:,} are loaded")
        return cls(**config)
    except (TypeError, ValueError, ZeroDivisionError, RuntimeError, OverflowError, MemoryError) as e:
        raise CheckpointError(f"{config_path}: cannot build {cls.__name__} from this config ({e})") from e


def save_prior(directory: Path, prior: GaussianMixturePrior) -> None:
    """DIR/prior.safetensors: the mixture's arrays (weights, means, covariances), float32, atomically."""
    atomic_save_tensors(Path(directory) / PRIOR, {k: torch.from_numpy(v) for k, v in prior.arrays().items()},
                        metadata={"kind": "gaussian_mixture"})


def load_prior(directory: str | os.PathLike) -> GaussianMixturePrior | None:
    """DIR/prior.safetensors -> the mixture, or None when the file is not there."""
    path = Path(directory) / PRIOR
    if not path.is_file():
        return None
    try:
        arrays = load_numpy_file(path)
    except (SafetensorError, OSError, ValueError) as e:
        raise CheckpointError(f"{path}: not a readable safetensors file ({e})") from e
    expected = {"weights", "means", "covariances"}
    if set(arrays) != expected:
        raise CheckpointError(f"{path}: holds {sorted(arrays)}; a learned prior holds exactly {sorted(expected)}")
    try:
        return GaussianMixturePrior(**arrays)
    except ValueError as e:
        raise CheckpointError(f"{path}: not a usable Gaussian mixture ({e})") from e


def load(directory: str | os.PathLike) -> nn.Module:
    """A checkpoint directory -> its model, in eval mode, on the CPU.

    A VAE comes with `vae.prior`: its learned sampling prior when DIR/prior.safetensors exists, else None.
    """
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
    if isinstance(model, VAE):
        model.prior = load_prior(directory)
        if model.prior is not None and model.prior.z_dim != model.z_dim:
            raise CheckpointError(f"{directory / PRIOR}: a prior over {model.prior.z_dim} dimensions for a VAE with "
                                  f"z_dim {model.z_dim}; refit it with `python -m genimg.train prior {directory}`")
    return model.eval()

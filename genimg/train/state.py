"""Resumable training state in one safetensors file: network weights, optimizer state, counters.

Everything is flattened to tensors plus a JSON header (safetensors metadata), so resuming never
unpickles anything. Written atomically: a kill at any moment leaves the previous state readable.
"""

import json
from pathlib import Path

import torch
from safetensors import SafetensorError, safe_open
from torch import nn

from ..checkpoints import atomic_save_tensors


class TrainStateError(ValueError):
    """A training state that cannot be resumed from; the message names the file."""


def save_train_state(path: Path, state: dict) -> None:
    """state: {"nets": {name: module}, "optimizers": {name: optimizer}, "epoch", "step", "history", "elapsed"}."""
    tensors, header = {}, {k: state[k] for k in ("epoch", "step", "history", "elapsed")}
    for name, net in state["nets"].items():
        for key, value in net.state_dict().items():
            tensors[f"net.{name}.{key}"] = value
    header["optimizers"] = {}
    for name, opt in state["optimizers"].items():
        sd = opt.state_dict()
        header["optimizers"][name] = {"param_groups": sd["param_groups"], "scalars": {}}
        for index, slots in sd["state"].items():
            for slot, value in slots.items():
                if torch.is_tensor(value):
                    tensors[f"opt.{name}.{index}.{slot}"] = value
                else:
                    header["optimizers"][name]["scalars"][f"{index}.{slot}"] = value
    atomic_save_tensors(path, tensors, metadata={"genimg_train_state": json.dumps(header)})


def load_train_state(path: Path, nets: dict[str, nn.Module], optimizers: dict) -> tuple[int, int, list, float]:
    """Restore nets and optimizers in place; returns (epoch, step, history, elapsed seconds)."""
    try:
        with safe_open(str(path), framework="pt", device="cpu") as f:
            header = json.loads(f.metadata()["genimg_train_state"])
            tensors = {key: f.get_tensor(key) for key in f.keys()}
    except (SafetensorError, OSError, KeyError, json.JSONDecodeError) as e:
        raise TrainStateError(f"{path}: not a readable genimg training state ({e})") from e
    for name, net in nets.items():
        prefix = f"net.{name}."
        try:
            net.load_state_dict({k[len(prefix):]: v for k, v in tensors.items() if k.startswith(prefix)}, strict=True)
        except RuntimeError as e:  # another --width, --z-dim, image size or class count than the saved run
            first = str(e).split("\n\t")[1:2] or [str(e)[:300]]
            raise TrainStateError(f"{path}: the saved {name!r} does not fit this run ({first[0].strip().rstrip('.')}); "
                                  "--resume needs the options of the run that wrote it") from e
    for name, opt in optimizers.items():
        saved = header["optimizers"][name]
        state: dict[int, dict] = {}
        prefix = f"opt.{name}."
        for key, value in tensors.items():
            if key.startswith(prefix):
                index, slot = key[len(prefix):].split(".", 1)
                state.setdefault(int(index), {})[slot] = value
        for key, value in saved["scalars"].items():
            index, slot = key.split(".", 1)
            state.setdefault(int(index), {})[slot] = value
        opt.load_state_dict({"state": state, "param_groups": saved["param_groups"]})
    return header["epoch"], header["step"], header["history"], header["elapsed"]

"""Checkpoint trust: only safetensors and JSON are read, a hostile or broken config or weights file is refused
with an error naming the file, and the app starts with the remaining models and says which one failed."""

import json
import re
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file, save_file

import genimg
from genimg.checkpoints import CONFIG, WEIGHTS, CheckpointError, save_model
from genimg.models import VAE, Generator
from tests.conftest import AppHandlers as Lab

REPO = Path(__file__).resolve().parents[1]


def test_no_pickle_anywhere_in_the_code():
    """torch.load only with weights_only=True; no pickle, no torch.save of objects, no unsafe numpy loads."""
    sources = [p for p in [*REPO.glob("*.py"), *REPO.glob("genimg/**/*.py"), *REPO.glob("benchmarks/*.py")]]
    for path in sources:
        text = path.read_text()
        for call in re.finditer(r"torch\.load\(([^)]*)\)", text):
            assert "weights_only=True" in call.group(1), f"{path}: {call.group(0)}"
        assert not re.search(r"^\s*import pickle|pickle\.loads?\(|dill\.|joblib\.load", text, re.M), path
        assert "allow_pickle=True" not in text, path
        assert not re.search(r"torch\.save\(", text), path


@pytest.fixture
def vae_checkpoint(tmp_path) -> Path:
    torch.manual_seed(0)
    directory = tmp_path / "vae"
    save_model(VAE(z_dim=4, width=8, hidden=16), directory, card={"dataset": "tiny"})
    return directory


GOOD = {"z_dim": 4, "width": 8, "hidden": 16}


@pytest.mark.parametrize("change, message", [
    ({"z_dim": "abc"}, "'z_dim' must be an integer"),
    ({"z_dim": -3}, "'z_dim' must be from 1"),
    ({"z_dim": 0}, "'z_dim' must be from 1"),
    ({"z_dim": [4]}, "'z_dim' must be an integer"),
    ({"z_dim": 4.0}, "'z_dim' must be an integer"),
    ({"z_dim": True}, "'z_dim' must be an integer"),
    ({"z_dim": None}, "'z_dim' must be an integer"),
    ({"width": 10**9}, "'width' must be from 1"),  # would allocate terabytes before any shape check
    ({"hidden": 2**40}, "'hidden' must be from 1"),
    ({"image_size": "28"}, "'image_size' must be an integer"),
    ({"likelihood": 3}, "'likelihood' must be a string"),
    ({"class_names": "0123"}, "'class_names' must be a list of strings or null"),
    ({"class_names": [1, 2]}, "'class_names' must be a list of strings or null"),
    ({"depth": 3}, "unknown key(s) ['depth']"),
    ({"__class__": "os.system"}, "unknown key(s) ['__class__']"),
])
def test_hostile_config_is_refused_naming_the_file(vae_checkpoint, change, message):
    config = vae_checkpoint / CONFIG
    config.write_text(json.dumps({**json.loads(config.read_text()), **GOOD, **change}))
    with pytest.raises(CheckpointError) as error:
        genimg.load(vae_checkpoint)
    assert str(config) in str(error.value) and message in str(error.value), str(error.value)


@pytest.mark.parametrize("change, message", [
    ({"num_classes": -1}, "'num_classes' must be from 0"),
    ({"class_prior": ["a"]}, "'class_prior' must be a list of numbers or null"),
    ({"class_prior": [float("nan")]}, "'class_prior' must be a list of numbers or null"),
    ({"channels": 100_000}, "'channels' must be from 1"),
])
def test_hostile_generator_config(tmp_path, change, message):
    directory = tmp_path / "gan"
    save_model(Generator(z_dim=8, width=8), directory, card={})
    config = directory / CONFIG
    config.write_text(json.dumps({**json.loads(config.read_text()), **change}).replace("NaN", "NaN"))
    with pytest.raises(CheckpointError, match=re.escape(str(config))) as error:
        genimg.load(directory)
    assert message in str(error.value), str(error.value)


def test_tensor_of_the_wrong_shape_is_named(vae_checkpoint):
    weights = vae_checkpoint / WEIGHTS
    tensors = load_file(weights)
    key = next(k for k in tensors if k.endswith("weight"))
    tensors[key] = torch.zeros(3, 3)
    save_file(tensors, weights)
    with pytest.raises(CheckpointError, match=re.escape(str(weights))) as error:
        genimg.load(vae_checkpoint)
    assert key in str(error.value) and "size mismatch" in str(error.value)


def test_pickled_weights_are_not_unpickled(vae_checkpoint, tmp_path):
    """A model.safetensors that is really a torch.save pickle is refused as not safetensors, and never run."""
    marker = tmp_path / "pwned"

    class Exploit:
        def __reduce__(self):
            return (Path.touch, (marker,))

    import pickle  # noqa: PLC0415  (only to build the hostile file)

    (vae_checkpoint / WEIGHTS).write_bytes(pickle.dumps(Exploit()))
    with pytest.raises(CheckpointError, match="not a readable safetensors file"):
        genimg.load(vae_checkpoint)
    assert not marker.exists()


def test_app_registry_keeps_the_good_model_and_names_the_broken_one(tmp_path, monkeypatch):
    root = tmp_path / "checkpoints"
    torch.manual_seed(0)
    save_model(VAE(z_dim=4, width=8, hidden=16), root / "good" / "vae", card={"dataset": "good"})
    save_model(VAE(z_dim=4, width=8, hidden=16), root / "bad" / "vae", card={"dataset": "bad"})
    config = root / "bad" / "vae" / CONFIG
    config.write_text(json.dumps({**json.loads(config.read_text()), "z_dim": "abc"}))
    save_model(Generator(z_dim=8, width=8), root / "bad" / "gan", card={})
    tensors = load_file(root / "bad" / "gan" / WEIGHTS)
    tensors["project.0.weight"] = torch.zeros(2, 2)
    save_file(tensors, root / "bad" / "gan" / WEIGHTS)
    monkeypatch.setenv("GENIMG_CHECKPOINTS", str(root))
    lab = Lab()
    assert lab.registry.datasets() == ["good"]
    text = lab.registry.problems_markdown()
    assert "bad/vae" in text and str(config) in text and "'z_dim' must be an integer" in text
    assert "bad/gan" in text and "project.0.weight" in text
    assert lab.vae.slide("good", [0.0] * 4).size[0] > 0  # the good one works

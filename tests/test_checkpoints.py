"""Checkpoint directories: round trip with strict keys, errors that name the file, atomic saves."""

import json
import os

import numpy as np
import pytest
import torch
from conftest import randomize_buffers, tiny_gan, tiny_vae
from safetensors.torch import load_file, save_file

import genimg
from genimg import checkpoints
from genimg.checkpoints import CARD, CONFIG, WEIGHTS, CheckpointError, save_model
from genimg.models import VAE, Classifier, Discriminator, Generator


def tiny_classifier():
    torch.manual_seed(0)
    return randomize_buffers(Classifier(num_classes=3, image_size=32, channels=3, width=8, feature_dim=16,
                                        class_names=["a", "b", "c"])).eval()


def tiny_discriminator():
    torch.manual_seed(0)
    D = Discriminator(width=8, num_classes=3)
    D(torch.rand(2, 1, 28, 28), torch.tensor([0, 1]))  # a train-mode pass moves spectral norm's u, v off init
    return D.eval()


MODELS = {
    "gan": tiny_gan,
    "gan-rgb-64-unconditional": lambda: tiny_gan(num_classes=0, image_size=64, channels=3),
    "vae": tiny_vae,
    "vae-gaussian": lambda: tiny_vae(image_size=32, channels=3),
    "classifier": tiny_classifier,
    "discriminator": tiny_discriminator,
}


def outputs(model):
    with torch.no_grad():
        if isinstance(model, Generator):
            labels = torch.tensor([0, 1]) if model.num_classes else None
            return model(torch.randn(2, model.z_dim, generator=torch.Generator().manual_seed(0)), labels)
        if isinstance(model, VAE):
            return torch.cat(model.encode(torch.rand(2, model.channels, model.image_size, model.image_size,
                                                     generator=torch.Generator().manual_seed(0))), 1)
        if isinstance(model, Discriminator):
            return model(torch.rand(2, 1, 28, 28, generator=torch.Generator().manual_seed(0)), torch.tensor([0, 2]))
        return model(torch.rand(2, 3, 32, 32, generator=torch.Generator().manual_seed(0)))


@pytest.mark.parametrize("name", MODELS)
def test_round_trip_gives_the_same_model_in_eval_mode(name, tmp_path):
    model = MODELS[name]()
    save_model(model.train(), tmp_path, {"dataset": "fake", "epochs": 1})
    loaded = genimg.load(tmp_path)
    assert type(loaded) is type(model)
    assert not any(m.training for m in loaded.modules())
    original, restored = model.eval().state_dict(), loaded.state_dict()
    assert original.keys() == restored.keys()
    assert all(torch.equal(original[k], restored[k]) for k in original)
    assert torch.equal(outputs(loaded), outputs(model))
    assert next(loaded.parameters()).device.type == "cpu"


def test_checkpoint_files_and_card(tmp_path):
    model = tiny_gan()
    save_model(model, tmp_path, {"dataset": "fake"})
    assert sorted(p.name for p in tmp_path.iterdir()) == [CARD, CONFIG, WEIGHTS]  # no temp files left
    card = json.loads((tmp_path / CARD).read_text())
    assert card == {"kind": "gan", "dataset": "fake"}
    config = json.loads((tmp_path / CONFIG).read_text())
    assert config == {"z_dim": 8, "image_size": 28, "channels": 1, "width": 8, "num_classes": 3,
                      "class_names": ["class0", "class1", "class2"], "class_prior": [1 / 3] * 3}
    assert load_file(tmp_path / WEIGHTS).keys() == model.state_dict().keys()


def test_config_holds_defaults_explicitly(tmp_path):
    save_model(VAE(), tmp_path, {})
    assert json.loads((tmp_path / CONFIG).read_text())["likelihood"] == "bernoulli"


def test_hub_mixin_from_pretrained_reads_the_same_files(tmp_path):
    model = tiny_vae()
    save_model(model, tmp_path, {})
    assert torch.equal(outputs(VAE.from_pretrained(tmp_path).eval()), outputs(model))


def test_sampling_a_loaded_checkpoint_matches_the_saved_model(gan_dir):
    model = genimg.load(gan_dir)
    assert np.array_equal(genimg.sample(model, [0, 5]), genimg.sample(tiny_gan(), [0, 5]))


# ---- errors name the file ---------------------------------------------------------------------------------------


@pytest.fixture
def checkpoint(tmp_path):
    directory = tmp_path / "ckpt"
    save_model(tiny_vae(), directory, {"dataset": "fake"})
    return directory


@pytest.mark.parametrize("missing", [CONFIG, WEIGHTS, CARD])
def test_missing_file_is_named(checkpoint, missing):
    (checkpoint / missing).unlink()
    with pytest.raises(CheckpointError, match=f"{checkpoint / missing}: missing"):
        genimg.load(checkpoint)


def test_not_a_directory(tmp_path):
    with pytest.raises(CheckpointError, match="nope: not a directory"):
        genimg.load(tmp_path / "nope")
    (tmp_path / "file").write_text("x")
    with pytest.raises(CheckpointError, match="file: not a directory"):
        genimg.load(tmp_path / "file")


def test_foreign_directory_names_the_card(tmp_path):
    (tmp_path / "README.md").write_text("someone else's model")
    (tmp_path / "pytorch_model.bin").write_bytes(b"\x80\x04")
    with pytest.raises(CheckpointError, match=f"{tmp_path / CARD}: missing; a genimg checkpoint directory holds"):
        genimg.load(tmp_path)


@pytest.mark.parametrize("card, message", [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "expected a JSON object"),
    ('{"kind": "diffusion"}', "'kind' is 'diffusion'; expected one of gan, vae, classifier, discriminator"),
    ("{}", "'kind' is None"),
])
def test_bad_card_is_named(checkpoint, card, message):
    (checkpoint / CARD).write_text(card)
    with pytest.raises(CheckpointError, match=str(checkpoint / CARD)) as error:
        genimg.load(checkpoint)
    assert message in str(error.value)


@pytest.mark.parametrize("config, message", [
    ({"z_dim": 4, "width": 8, "hidden": 32, "depth": 3}, "unknown key(s) ['depth'] for VAE"),
    ({"image_size": 30}, "cannot build VAE from this config (image_size must be 28, 32 or 64"),
    ({"likelihood": "poisson"}, "cannot build VAE"),
])
def test_bad_config_is_named(checkpoint, config, message):
    (checkpoint / CONFIG).write_text(json.dumps(config))
    with pytest.raises(CheckpointError, match=str(checkpoint / CONFIG)) as error:
        genimg.load(checkpoint)
    assert message in str(error.value)


def test_config_that_is_not_json_is_named(checkpoint):
    (checkpoint / CONFIG).write_bytes(b"\xff\xfe garbage")
    with pytest.raises(CheckpointError, match=f"{checkpoint / CONFIG}: not valid JSON"):
        genimg.load(checkpoint)


@pytest.mark.parametrize("garbage", [b"", b"not safetensors at all", b"\x08\x00\x00\x00\x00\x00\x00\x00{\"a\":1}"])
def test_garbage_weights_are_named(checkpoint, garbage):
    (checkpoint / WEIGHTS).write_bytes(garbage)
    with pytest.raises(CheckpointError, match=f"{checkpoint / WEIGHTS}: not a readable safetensors file"):
        genimg.load(checkpoint)


def test_truncated_weights_are_named(checkpoint):
    data = (checkpoint / WEIGHTS).read_bytes()
    (checkpoint / WEIGHTS).write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match=str(checkpoint / WEIGHTS)):
        genimg.load(checkpoint)


def test_weights_of_the_wrong_shape_are_named(checkpoint):
    save_file(tiny_vae(image_size=32).state_dict(), checkpoint / WEIGHTS)  # same keys, other shapes
    with pytest.raises(CheckpointError, match=f"{checkpoint / WEIGHTS}: weights do not fit the VAE") as error:
        genimg.load(checkpoint)
    assert "size mismatch" in str(error.value)


def test_missing_and_unexpected_keys_are_refused(checkpoint):
    state = tiny_vae().state_dict()
    state["extra.weight"] = state.pop("to_stats.bias")
    save_file(state, checkpoint / WEIGHTS)
    with pytest.raises(CheckpointError, match="weights do not fit") as error:
        genimg.load(checkpoint)
    assert "to_stats.bias" in str(error.value) and "extra.weight" in str(error.value)


def test_weights_of_another_kind_are_refused(checkpoint):
    save_file(tiny_gan().state_dict(), checkpoint / WEIGHTS)
    with pytest.raises(CheckpointError, match=f"{checkpoint / WEIGHTS}: weights do not fit the VAE"):
        genimg.load(checkpoint)


# ---- atomic saves ----------------------------------------------------------------------------------------------


def weights_of(directory):
    return load_file(directory / WEIGHTS)


def test_crash_while_writing_weights_keeps_the_previous_checkpoint(checkpoint, monkeypatch):
    before = weights_of(checkpoint)
    newer = tiny_vae(seed=1)

    def dies_halfway(tensors, filename, metadata=None):
        with open(filename, "wb") as f:
            f.write(b"\x00" * 100)  # half a file, then the process "dies"
        raise KeyboardInterrupt

    monkeypatch.setattr(checkpoints, "save_file", dies_halfway)
    with pytest.raises(KeyboardInterrupt):
        save_model(newer, checkpoint, {"dataset": "fake", "epochs": 2})
    loaded = genimg.load(checkpoint)
    assert all(torch.equal(loaded.state_dict()[k], v) for k, v in before.items())
    assert json.loads((checkpoint / CARD).read_text())["dataset"] == "fake"
    assert sorted(p.name for p in checkpoint.iterdir()) == [CARD, CONFIG, WEIGHTS]  # no temp files left


def test_crash_at_the_rename_keeps_the_previous_checkpoint(checkpoint, monkeypatch):
    before = weights_of(checkpoint)
    real_replace = os.replace

    def replace_fails_for_weights(src, dst):
        if str(dst).endswith(WEIGHTS):
            raise OSError("disk full")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace_fails_for_weights)
    with pytest.raises(OSError, match="disk full"):
        save_model(tiny_vae(seed=1), checkpoint, {"dataset": "fake"})
    monkeypatch.undo()
    loaded = genimg.load(checkpoint)
    assert all(torch.equal(loaded.state_dict()[k], v) for k, v in before.items())
    assert sorted(p.name for p in checkpoint.iterdir()) == [CARD, CONFIG, WEIGHTS]


def test_crash_while_writing_the_card_keeps_a_loadable_checkpoint(checkpoint, monkeypatch):
    real_replace = os.replace

    def replace_fails_for_card(src, dst):
        if str(dst).endswith(CARD):
            raise KeyboardInterrupt
        real_replace(src, dst)

    newer = tiny_vae(seed=1)
    monkeypatch.setattr(os, "replace", replace_fails_for_card)
    with pytest.raises(KeyboardInterrupt):
        save_model(newer, checkpoint, {"dataset": "fake", "epochs": 2})
    monkeypatch.undo()
    loaded = genimg.load(checkpoint)  # new weights, old card: still a whole checkpoint
    assert torch.equal(outputs(loaded), outputs(newer))
    assert "epochs" not in json.loads((checkpoint / CARD).read_text())
    assert sorted(p.name for p in checkpoint.iterdir()) == [CARD, CONFIG, WEIGHTS]


def test_kind_of_refuses_foreign_modules():
    with pytest.raises(TypeError, match="not a genimg model: Linear"):
        checkpoints.kind_of(torch.nn.Linear(2, 2))

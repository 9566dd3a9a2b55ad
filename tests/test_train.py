"""Training CLI on a tiny folder dataset (--dry-run into tmp_path), resume, validation, crash safety; DiffAugment."""

import json
import subprocess

import numpy as np
import pytest
import torch
from conftest import PYTHON, python_env
from safetensors.torch import load_file

import genimg
from genimg import checkpoints, train
from genimg.data.augment import POLICIES, cutout, diff_augment, parse_policy, small_affine, translation
from genimg.models import VAE, Classifier, Discriminator, Generator

TINY = ["--batch-size", "4", "--width", "8"]


def run(kind, folder, out, *extra, image_size=28):
    """`python -m genimg.train KIND ...` in this process (the same main() the CLI runs); returns the exit code."""
    return train.main([kind, "--data", f"folder:{folder}", "--image-size", str(image_size), "--out", str(out),
                       "--dry-run", *TINY, *extra])


def card_of(directory):
    return json.loads((directory / "card.json").read_text())


def no_temp_files(directory):
    return [p.name for p in directory.rglob("*") if p.name.endswith(".tmp") or p.name.endswith(".part")] == []


@pytest.mark.parametrize("kind, cls, image_size", [
    ("gan", Generator, 28), ("vae", VAE, 32), ("classifier", Classifier, 28),
])
def test_dry_run_writes_a_loadable_checkpoint(image_folder, tmp_path, kind, cls, image_size):
    out = tmp_path / "run"
    assert run(kind, image_folder, out, image_size=image_size) == 0
    model = genimg.load(out)
    assert type(model) is cls and not model.training
    assert model.image_size == image_size and model.channels == 3
    card = card_of(out)
    assert card["kind"] == kind and card["dataset"] == f"folder:{image_folder}"
    assert card["epochs"] == 1 and card["steps"] == 3 and len(card["history"]) == 1
    assert card["train_images"] == 18 and card["class_names"] == ["circles", "squares"]
    assert card["command"].startswith(f"python -m genimg.train {kind} --data folder:")
    assert card["device"] == "cpu" and card["final_losses"]
    assert all(np.isfinite(v) for v in card["final_losses"].values())
    assert (out / "train_state.safetensors").is_file() and (out / "loss_curves.png").is_file()
    assert no_temp_files(out)
    if kind != "classifier":
        assert (out / "samples.png").is_file() and (out / "progress" / "epoch0001.png").is_file()
        images = genimg.sample(model, [0, 1])
        assert images.shape == (2, image_size, image_size, 3) and images.dtype == np.uint8


def test_gan_dry_run_is_conditional_and_keeps_its_discriminator(image_folder, tmp_path):
    out = tmp_path / "gan"
    assert run("gan", image_folder, out) == 0
    G = genimg.load(out)
    assert G.num_classes == 2 and G.class_names == ["circles", "squares"]
    assert G.class_prior == pytest.approx([0.5, 0.5])
    assert isinstance(genimg.load(out / "discriminator"), Discriminator)
    assert genimg.sample(G, [0], label="squares").shape == (1, 28, 28, 3)
    assert run("gan", image_folder, tmp_path / "uncond", "--unconditional") == 0
    assert genimg.load(tmp_path / "uncond").num_classes == 0


def test_gan_regularisers_train_their_heads_and_leave_the_generator_as_it_was(image_folder, tmp_path):
    """--r1, --classify, --reconstruct: D grows its heads (saved with it), G keeps the browser's architecture."""
    out = tmp_path / "gan"
    assert run("gan", image_folder, out, "--r1", "0.05", "--classify", "1", "--reconstruct", "1") == 0
    card = card_of(out)
    assert (card["r1"], card["classify"], card["reconstruct"]) == (0.05, 1.0, 1.0)
    assert all(np.isfinite(v) for v in card["final_losses"].values())
    D = genimg.load(out / "discriminator")
    assert D.classifier is not None and D.decoder is not None
    G = genimg.load(out)
    plain = Generator(z_dim=G.z_dim, image_size=28, channels=3, width=8, num_classes=2)
    assert {k: v.shape for k, v in G.state_dict().items()} == {k: v.shape for k, v in plain.state_dict().items()}


def test_init_from_starts_at_the_old_weights_and_keeps_their_lineage(image_folder, tmp_path, capsys):
    old, new = tmp_path / "old", tmp_path / "new"
    assert run("gan", image_folder, old) == 0
    before = genimg.load(old).state_dict()
    assert train.main(["gan", "--data", f"folder:{image_folder}", "--image-size", "28", "--out", str(new),
                       "--init-from", str(old), "--classify", "1", *TINY, "--epochs", "1"]) == 0
    card = card_of(new)
    assert card["commands"][0] == card_of(old)["command"] and "--init-from" in card["commands"][1]
    assert card["init_from"]["steps"] == 3 and card["init_from"]["wall_time_s"] == card_of(old)["wall_time_s"]
    moved = genimg.load(new).state_dict()
    assert moved.keys() == before.keys() and not all(torch.equal(moved[k], before[k]) for k in before)
    assert train.main(["gan", "--data", f"folder:{image_folder}", "--image-size", "28", "--out", str(tmp_path / "x"),
                       "--init-from", str(old), "--dry-run", "--batch-size", "4", "--width", "16"]) == 1
    assert "does not fit this run" in capsys.readouterr().err


def test_vae_dry_run_writes_latent_stats(image_folder, tmp_path):
    out = tmp_path / "vae"
    assert run("vae", image_folder, out, "--z-dim", "3") == 0
    stats = load_file(out / "latents.safetensors")
    assert stats["test_mu"].shape == (2, 3) and stats["kl_per_dim"].shape == (3,)
    assert stats["test_labels"].tolist() == [0, 1]
    card = card_of(out)
    assert card["likelihood"] == "logistic"  # RGB data: discretised logistic
    kl = card["latent_standardisation"]  # the saved latent is rescaled (fit on train) to the prior: KL must not grow
    assert kl["test_kl_nats_after"] <= kl["test_kl_nats_before"] + 1e-3


def test_same_seed_same_weights(image_folder, tmp_path):
    for name in ("a", "b"):
        assert run("vae", image_folder, tmp_path / name, "--seed", "3") == 0
    a, b = load_file(tmp_path / "a" / "model.safetensors"), load_file(tmp_path / "b" / "model.safetensors")
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert run("vae", image_folder, tmp_path / "c", "--seed", "4") == 0
    c = load_file(tmp_path / "c" / "model.safetensors")
    assert not all(torch.equal(a[k], c[k]) for k in a)


@pytest.mark.parametrize("kind", ["gan", "vae", "classifier"])
def test_resume_continues_and_keeps_history(image_folder, tmp_path, kind):
    out = tmp_path / kind
    assert run(kind, image_folder, out) == 0
    first_card, first_weights = card_of(out), load_file(out / "model.safetensors")
    assert run(kind, image_folder, out, "--resume", "--epochs", "2") == 0
    card = card_of(out)
    assert card["epochs"] == 2 and card["steps"] == 6
    assert len(card["history"]) == 2 and card["history"][0] == first_card["history"][0]
    assert card["history"][1]["epoch"] == 2
    weights = load_file(out / "model.safetensors")
    assert not all(torch.equal(weights[k], first_weights[k]) for k in weights)


def test_module_entry_point_runs_in_a_fresh_process(image_folder, tmp_path, isolated_cache):
    out = tmp_path / "cli"
    done = subprocess.run([PYTHON, "-m", "genimg.train", "vae", "--data", f"folder:{image_folder}", "--image-size",
                           "28", "--out", str(out), "--dry-run", *TINY], capture_output=True, text=True,
                          env=python_env(isolated_cache), timeout=180)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith(str(out))
    assert isinstance(genimg.load(out), VAE)


# ---- command-line validation ------------------------------------------------------------------------------------


@pytest.mark.parametrize("extra, message", [
    (["--epochs", "0"], "--epochs must be at least 1, got 0"),
    (["--epochs", "abc"], "argument --epochs: invalid int value: 'abc'"),
    (["--epochs", "2", "--minutes", "1"], "not allowed with argument"),
    (["--minutes", "-1"], "--minutes must be positive, got -1.0"),
    (["--minutes", "nan"], "--minutes must be positive, got nan"),
    (["--augment", "blur"], "--augment: unknown augmentation(s) ['blur']; accepted: color, translation, cutout"),
    (["--lr", "0"], "--lr must be in (0, 1), got 0.0"),
    (["--batch-size", "0"], "--batch-size must be at least 2, got 0"),
    (["--batch-size", "1"], "--batch-size must be at least 2, got 1"),
    (["--z-dim", "0"], "--z-dim must be 1..512, got 0"),
    (["--width", "0"], "--width must be 4..512, got 0"),
    (["--seed", "-1"], "--seed must be non-negative, got -1"),
    (["--r1", "-1"], "--r1 must be >= 0, got -1.0"),
    (["--classify", "inf"], "--classify must be >= 0, got inf"),
    (["--image-size", "30"], "argument --image-size: invalid choice: 30"),
])
def test_bad_arguments_exit_2_with_a_precise_message(extra, message, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        train.parse_args(["gan", "--data", "mnist", "--out", str(tmp_path / "x"), *extra])
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("kind, augment, message", [
    ("vae", "color", "--augment: unknown augmentation(s) ['color']; accepted: affine"),
    ("gan", "affine", "--augment: unknown augmentation(s) ['affine']; accepted: color, translation, cutout"),
    ("classifier", "affine", "--augment: takes no augmentation, got ['affine']"),
])
def test_augment_is_checked_per_kind(kind, augment, message, tmp_path, capsys):
    with pytest.raises(SystemExit):
        train.parse_args([kind, "--data", "mnist", "--out", str(tmp_path / "x"), "--augment", augment])
    assert message in capsys.readouterr().err


def test_augment_defaults_per_kind_and_can_be_switched_off(tmp_path):
    out = ["--data", "mnist", "--out", str(tmp_path / "x")]
    assert train.parse_args(["gan", *out]).augment == "translation"
    assert train.parse_args(["vae", *out]).augment == "affine"
    assert train.parse_args(["vae", *out, "--augment", ""]).augment == ""
    assert not (tmp_path / "x").exists()


def test_unknown_kind_is_refused(tmp_path, capsys):
    with pytest.raises(SystemExit):
        train.parse_args(["diffusion", "--data", "mnist", "--out", str(tmp_path)])
    assert "invalid choice: 'diffusion'" in capsys.readouterr().err


def test_defaults_per_kind(tmp_path):
    cfg = train.parse_args(["vae", "--data", "mnist", "--out", str(tmp_path)])
    assert (cfg.batch_size, cfg.lr, cfg.z_dim, cfg.epochs) == (128, 3e-3, 16, 60)
    assert train.parse_args(["gan", "--data", "mnist", "--out", str(tmp_path), "--dry-run"]).epochs == 1


@pytest.mark.parametrize("extra, message", [
    (["--batch-size", "64"], "--batch-size 64 (per process) is more than the 18 train images"),
    (["--resume", "--batch-size", "4"], "train_state.safetensors does not exist; train without --resume first"),
])
def test_runtime_usage_errors_exit_1(image_folder, tmp_path, capsys, extra, message):
    code = train.main(["gan", "--data", f"folder:{image_folder}", "--image-size", "28", "--out",
                       str(tmp_path / "out"), "--dry-run", "--width", "8", *extra])
    assert code == 1
    assert message in capsys.readouterr().err


def test_resume_with_other_options_or_a_corrupt_state_exits_1(image_folder, tmp_path, capsys):
    out = tmp_path / "vae"
    assert run("vae", image_folder, out) == 0
    capsys.readouterr()
    assert run("vae", image_folder, out, "--resume", "--epochs", "2", "--width", "16") == 1
    err = capsys.readouterr().err
    assert "train_state.safetensors: the saved 'vae' does not fit this run (size mismatch for " in err
    assert "--resume needs the options of the run that wrote it" in err
    (out / "train_state.safetensors").write_bytes(b"garbage")
    assert run("vae", image_folder, out, "--resume", "--epochs", "2") == 1
    assert "train_state.safetensors: not a readable genimg training state" in capsys.readouterr().err


def test_data_errors_exit_1(tmp_path, capsys):
    assert train.main(["vae", "--data", "mnist", "--image-size", "32", "--out", str(tmp_path / "o")]) == 1
    assert "--image-size applies to folder:DIR sources only" in capsys.readouterr().err
    assert train.main(["vae", "--data", f"folder:{tmp_path}", "--out", str(tmp_path / "o")]) == 1
    assert "no images found" in capsys.readouterr().err


# ---- crash safety -----------------------------------------------------------------------------------------------


def test_kill_during_a_save_leaves_the_last_checkpoint_and_resume_works(image_folder, tmp_path, monkeypatch):
    out = tmp_path / "vae"
    assert run("vae", image_folder, out) == 0
    good = load_file(out / "model.safetensors")
    real_save_file = checkpoints.save_file

    def killed(tensors, filename, metadata=None):
        real_save_file(dict(list(tensors.items())[:1]), filename, metadata=metadata)  # part of the file ...
        raise KeyboardInterrupt  # ... then the process is killed

    monkeypatch.setattr(checkpoints, "save_file", killed)
    with pytest.raises(KeyboardInterrupt):
        run("vae", image_folder, out, "--resume", "--epochs", "2")
    monkeypatch.undo()
    loaded = genimg.load(out).state_dict()
    assert all(torch.equal(loaded[k], good[k]) for k in good)
    assert card_of(out)["epochs"] == 1 and no_temp_files(out)
    assert run("vae", image_folder, out, "--resume", "--epochs", "2") == 0  # the training state survived too
    assert card_of(out)["epochs"] == 2


# ---- DiffAugment ------------------------------------------------------------------------------------------------


def test_parse_policy():
    assert parse_policy("") == []
    assert parse_policy("color,translation,cutout") == list(POLICIES)
    with pytest.raises(ValueError, match=r"unknown augmentation\(s\) \['Color', 'flip'\]; accepted: color, "):
        parse_policy("Color,flip")


@pytest.mark.parametrize("policy", [[], ["color"], ["translation"], ["cutout"], list(POLICIES)])
def test_augment_keeps_shape_and_passes_gradients(policy):
    torch.manual_seed(0)
    x = (torch.rand(4, 3, 28, 28) * 2 - 1).requires_grad_()
    y = diff_augment(x, policy)
    assert y.shape == x.shape
    y.sum().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0


def test_small_affine_rotates_and_scales_half_the_batch_and_keeps_the_background():
    x = torch.zeros(64, 1, 28, 28)
    x[:, :, 6:22, 12:16] = 1.0  # a vertical bar on black
    y = small_affine(x, torch.Generator().manual_seed(0))
    assert y.shape == x.shape and y.min() >= 0 and y.max() <= 1
    changed = (y - x).abs().flatten(1).amax(1) > 1e-4
    assert 16 <= int(changed.sum()) <= 48  # p = 0.5
    assert torch.allclose(y[~changed].sum((1, 2, 3)), x[~changed].sum((1, 2, 3)))
    assert ((y[changed].sum((1, 2, 3)) / 64 - 1).abs() < 0.25).all()  # scale <= 10%: ink within (1 +- 0.1)^2
    white = small_affine(torch.ones(8, 3, 64, 64), torch.Generator().manual_seed(1), p=1.0)
    assert torch.allclose(white, torch.ones_like(white))  # an emoji's white border stays white: no black corners
    again = small_affine(x, torch.Generator().manual_seed(0))
    assert torch.equal(y, again)  # seeded


def test_translation_moves_pixels_and_fills_with_zero():
    torch.manual_seed(0)
    x = torch.rand(16, 1, 28, 28) + 1  # every pixel in [1, 2): a zero can only come from the padding
    y = translation(x)
    moved = [i for i in range(16) if not torch.equal(y[i], x[i])]
    assert len(moved) >= 12
    kept = y[y != 0]
    assert torch.isin(kept, x).all()  # content is moved, not changed
    assert (y == 0).any()


def test_cutout_zeroes_a_square_of_half_the_side():
    torch.manual_seed(0)
    x = torch.ones(400, 1, 28, 28)
    zeros = (cutout(x) == 0).flatten(1).sum(1)
    assert zeros.max() == 14 * 14  # exactly half the side when inside the image
    assert zeros.min() >= 7 * 7  # centred at a corner at worst
    assert set(cutout(x).unique().tolist()) == {0.0, 1.0}

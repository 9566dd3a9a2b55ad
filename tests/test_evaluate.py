"""The evaluator end to end: tiny seeded checkpoints and a tiny folder dataset built in tmp_path."""

import json
import math

import numpy as np
import pytest
import torch
from PIL import Image

from genimg import evaluate
from genimg.checkpoints import save_model
from genimg.models import VAE, Classifier, Discriminator, Generator

CLASSES = ("dark", "light")


def make_folder_dataset(folder, per_class: int = 30, size: int = 28):
    """folder/<class>/<i>.png: seeded RGB noise, the 'light' class brighter; 60 images -> test split 6."""
    rng = np.random.RandomState(0)
    for k, name in enumerate(CLASSES):
        (folder / name).mkdir(parents=True)
        for i in range(per_class):
            Image.fromarray(rng.randint(0, 120, (size, size, 3)).astype(np.uint8) + np.uint8(120 * k)).save(
                folder / name / f"{i:03d}.png")
    return folder


@pytest.fixture
def checkpoints(tmp_path):
    """tmp/checkpoints/pictures/{classifier,gan,vae}: tiny seeded models on a folder: source."""
    source = f"folder:{make_folder_dataset(tmp_path / 'pictures')}"
    card = {"dataset": source, "image_shape": [28, 28, 3], "epochs": 1, "wall_time_s": 1.0,
            "history": [{"epoch": 1}]}
    root = tmp_path / "checkpoints"
    torch.manual_seed(0)
    save_model(Classifier(num_classes=2, image_size=28, channels=3, width=4, feature_dim=8,
                          class_names=list(CLASSES)).eval(), root / "pictures" / "classifier", card)
    save_model(Generator(z_dim=4, image_size=28, channels=3, width=4, num_classes=2, class_names=list(CLASSES),
                         class_prior=[0.5, 0.5]).eval(), root / "pictures" / "gan", card)
    save_model(VAE(z_dim=3, image_size=28, channels=3, width=4, hidden=8, likelihood="gaussian").eval(),
               root / "pictures" / "vae", {**card, "metrics": {"from_training": 1.0}})
    return root / "pictures"


def read_card(directory):
    return json.loads((directory / "card.json").read_text())


def test_gan_metrics_go_into_the_card_and_json(checkpoints, capsys):
    gan = checkpoints / "gan"
    assert evaluate.main([str(gan), "--num-samples", "20", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    card = read_card(gan)
    assert card["epochs"] == 1 and card["kind"] == "gan"  # the other keys are kept
    metrics = card["metrics"]
    assert metrics["num_samples"] == 20 and metrics["fid"] == printed["fid"]
    for key in ("fid", "kid", "precision", "recall", "class_kl", "conditional_accuracy"):
        assert math.isfinite(metrics[key]), key
    assert 0 <= metrics["precision"] <= 1 and 0 <= metrics["recall"] <= 1
    assert set(metrics["floor"]) == {"fid", "kid", "kid_std", "precision", "recall"}
    assert sum(metrics["class_histogram"]) == pytest.approx(1.0, abs=1e-3)
    assert metrics["data_class_histogram"] == [0.5, 0.5]
    assert len(metrics["conditional_accuracy_per_class"]) == 2
    assert metrics["command"].startswith("python -m genimg.evaluate ")


def test_gan_metrics_are_deterministic(checkpoints):
    gan = checkpoints / "gan"
    first = evaluate.evaluate_checkpoint(gan, num_samples=20)
    assert evaluate.evaluate_checkpoint(gan, num_samples=20) == first


def test_vae_metrics(checkpoints, capsys):
    vae = checkpoints / "vae"
    assert evaluate.main([str(vae), "--num-samples", "20"]) == 0
    out = capsys.readouterr().out
    assert "test -ELBO" in out and "active units" in out and "bits/dim" in out
    metrics = read_card(vae)["metrics"]
    assert metrics["from_training"] == 1.0  # merged, not replaced
    assert metrics["iw_samples"] >= 100 and math.isfinite(metrics["iw_nll_nats"])
    assert metrics["test_loss_nats"] == pytest.approx(metrics["test_recon_nats"] + metrics["test_kl_nats"])
    assert len(metrics["kl_per_dim"]) == 3 and 0 <= metrics["active_units"] <= 3
    assert metrics["recon_psnr_db"] == pytest.approx(10 * math.log10(1 / metrics["recon_mse"]), rel=1e-4)
    assert 0 <= metrics["linear_probe_accuracy"] <= 1
    assert math.isfinite(metrics["test_bits_per_dim"])  # colour: bits per dimension
    assert metrics["samples"]["num_samples"] == 20
    readme = checkpoints.parent / "README.md"
    readme.write_text("<!-- results:start -->\n<!-- results:end -->\n")
    assert evaluate.main(["--readme", str(readme), "--checkpoints", str(checkpoints.parent)]) == 0
    row = next(line for line in readme.read_text().splitlines() if "pictures/vae" in line)
    assert f"| {metrics['test_bits_per_dim']:.3f} ({metrics['iw_bits_per_dim']:.3f}) |" in row  # colour: bits/dim


def test_classifier_and_readme_table(checkpoints, tmp_path):
    assert evaluate.main([str(checkpoints / "classifier")]) == 0
    assert evaluate.main([str(checkpoints / "gan"), "--num-samples", "20"]) == 0
    metrics = read_card(checkpoints / "classifier")["metrics"]
    assert 0 <= metrics["test_accuracy"] <= 1 and metrics["feature_dim"] == 8
    readme = tmp_path / "README.md"
    readme.write_text("# title\n\n<!-- results:start -->\nold\n<!-- results:end -->\n\nafter\n")
    assert evaluate.main(["--readme", str(readme), "--checkpoints", str(checkpoints.parent)]) == 0
    text = readme.read_text()
    assert "old" not in text and text.startswith("# title") and text.endswith("after\n")
    assert "| GAN |" in text and "| classifier (the ruler) |" in text and "pictures/gan" in text
    assert evaluate.main(["--readme", str(readme), "--checkpoints", str(checkpoints.parent)]) == 0
    assert readme.read_text() == text  # idempotent


def test_readme_without_markers_is_an_error(checkpoints, tmp_path, capsys):
    readme = tmp_path / "README.md"
    readme.write_text("# no markers\n")
    assert evaluate.main(["--readme", str(readme), "--checkpoints", str(checkpoints.parent)]) == 1
    assert "<!-- results:start -->" in capsys.readouterr().err


def test_samples_folder_is_scored_without_touching_the_card(checkpoints, tmp_path, capsys):
    samples = tmp_path / "samples"
    samples.mkdir()
    for i in range(12):
        Image.fromarray(np.full((28, 28), 20 * i, np.uint8)).save(samples / f"seed{i:04d}.png")  # grey -> RGB
    before = (checkpoints / "gan" / "card.json").read_bytes()
    assert evaluate.main([str(checkpoints / "gan"), "--samples", str(samples), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["num_samples"] == 12 and math.isfinite(result["fid"])
    assert (checkpoints / "gan" / "card.json").read_bytes() == before
    Image.fromarray(np.zeros((32, 32), np.uint8)).save(samples / "big.png")
    assert evaluate.main([str(checkpoints / "gan"), "--samples", str(samples)]) == 1
    assert "big.png is 32x32" in capsys.readouterr().err


def test_missing_classifier_says_how_to_make_one(checkpoints, capsys):
    (checkpoints / "classifier" / "card.json").unlink()
    assert evaluate.main([str(checkpoints / "gan"), "--num-samples", "20"]) == 1
    assert "python -m genimg.train classifier" in capsys.readouterr().err


@pytest.mark.parametrize("argv, message", [
    ([], "either a checkpoint DIR or --readme"),
    (["nowhere"], "not a checkpoint directory"),
    (["{gan}", "--num-samples", "5"], "--num-samples must be 10..100000"),
    (["{gan}", "--samples", "nowhere"], "--samples nowhere: not a directory"),
    (["{gan}", "--readme"], "not both"),
])
def test_command_line_is_validated_early(checkpoints, capsys, argv, message):
    argv = [a.format(gan=checkpoints / "gan") for a in argv]
    with pytest.raises(SystemExit) as exit_info:
        evaluate.main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_a_discriminator_has_nothing_to_evaluate(checkpoints, capsys):
    disc = checkpoints / "gan" / "discriminator"
    save_model(Discriminator(image_size=28, channels=3, width=4), disc, {"dataset": "x"})
    assert evaluate.main([str(disc)]) == 1
    assert "nothing to evaluate" in capsys.readouterr().err

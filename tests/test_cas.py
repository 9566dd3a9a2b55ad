"""CAS and the real-vs-generated detector end to end: tiny seeded checkpoints on a tiny folder dataset in tmp_path."""

import json

import numpy as np
import pytest
import torch
from PIL import Image

from genimg import evaluate
from genimg.checkpoints import save_model, save_prior
from genimg.evaluate.cas import Recipe, channels_first, fit_classifier, generated_set, predict, scores
from genimg.evaluate.evaluator import embed
from genimg.models import VAE, Classifier, Generator
from genimg.models.prior import GaussianMixturePrior
from genimg.sampling import sample

CLASSES = ("dark", "light")
ARCHITECTURE = dict(num_classes=2, image_size=28, channels=3, width=4, feature_dim=8, class_names=list(CLASSES))


def make_folder_dataset(folder, per_class: int = 30, size: int = 28):
    """folder/<class>/<i>.png: seeded RGB noise, 'light' brighter; 60 images -> train 54, test 6 (3 per class)."""
    rng = np.random.RandomState(0)
    for k, name in enumerate(CLASSES):
        (folder / name).mkdir(parents=True)
        for i in range(per_class):
            Image.fromarray(rng.randint(0, 120, (size, size, 3)).astype(np.uint8) + np.uint8(120 * k)).save(
                folder / name / f"{i:03d}.png")
    return folder


@pytest.fixture
def checkpoints(tmp_path):
    """tmp/checkpoints/pictures/{classifier,gan,vae}; the VAE has a learned prior (a 2-component mixture)."""
    source = f"folder:{make_folder_dataset(tmp_path / 'pictures')}"
    card = {"dataset": source, "image_shape": [28, 28, 3], "epochs": 1, "batch_size": 128, "wall_time_s": 1.0,
            "history": [{"epoch": 1}], "metrics": {"trained": 1.5, "command": "python -m genimg.evaluate earlier"}}
    root = tmp_path / "checkpoints" / "pictures"
    torch.manual_seed(0)
    save_model(Classifier(**ARCHITECTURE).eval(), root / "classifier", card)
    save_model(Generator(z_dim=4, image_size=28, channels=3, width=4, num_classes=2, class_names=list(CLASSES),
                         class_prior=[0.5, 0.5]).eval(), root / "gan", card)
    save_model(VAE(z_dim=3, image_size=28, channels=3, width=4, hidden=8, likelihood="gaussian").eval(),
               root / "vae", card)
    save_prior(root / "vae", GaussianMixturePrior([0.5, 0.5], [[2, 0, 0], [-2, 0, 0]], [np.eye(3) * 0.5] * 2))
    return root


def read_metrics(directory):
    return json.loads((directory / "card.json").read_text())["metrics"]


def test_cas_of_a_conditional_gan_is_in_the_json_and_the_card(checkpoints, capsys):
    gan = checkpoints / "gan"
    assert evaluate.main([str(gan), "--cas", "--epochs", "2", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)["cas"]
    metrics = read_metrics(gan)
    assert metrics["trained"] == 1.5 and metrics["command"] == "python -m genimg.evaluate earlier"  # the rest is kept
    cas = metrics["cas"]
    assert cas == {**printed, "command": f"python -m genimg.evaluate {gan} --cas --epochs 2 --json"}
    for key in ("cas", "cas_balanced", "real", "real_balanced", "real_plus_generated", "ruler"):
        assert 0 <= cas[key] <= 1, key
    assert (cas["labels"], cas["prior"], cas["samples"], cas["seeds"]) == ("asked", "standard", 54, "0-53")
    assert cas["sample_class_counts"] == [27, 27]  # balanced: seed s is asked for class s mod 2
    assert cas["epochs"] == 2 and cas["recipe"]["batch_size"] == 54 and cas["recipe"]["steps"] == 2
    assert cas["test_images"] == 6 and "by_prior" not in cas and "detector" not in metrics


def test_cas_of_a_vae_uses_both_priors_and_says_the_labels_are_the_rulers(checkpoints, capsys):
    vae = checkpoints / "vae"
    assert evaluate.main([str(vae), "--cas", "--epochs", "1"]) == 0
    out = capsys.readouterr().out
    assert "<- CAS" in out and "learned prior" in out and "standard prior" in out and "ruler's argmax" in out
    cas = read_metrics(vae)["cas"]
    assert list(cas["by_prior"]) == ["learned", "standard"] and cas["prior"] == "learned"  # default first
    assert cas["cas"] == cas["by_prior"]["learned"]["cas"] and cas["labels"] == "ruler"
    assert "weaker" in cas["note"]
    for prior in ("learned", "standard"):
        assert sum(cas["by_prior"][prior]["sample_class_counts"]) == 54


def test_cas_is_deterministic(checkpoints):
    def figures(m):
        return {k: v for k, v in m.items() if k not in ("wall_time_s", "train_seconds")}

    first = evaluate.classification_accuracy_score(checkpoints / "gan", epochs=1)
    assert figures(evaluate.classification_accuracy_score(checkpoints / "gan", epochs=1)) == figures(first)


def test_generated_labels_are_asked_round_robin_or_read_by_the_ruler(checkpoints):
    ruler = Classifier(**ARCHITECTURE).eval()
    gan = Generator(z_dim=4, image_size=28, channels=3, width=4, num_classes=2, class_prior=[0.9, 0.1]).eval()
    images, labels, how = generated_set(gan, range(10), "standard", ruler, 2)
    assert how == "asked" and labels.tolist() == [0, 1] * 5 and images.shape == (10, 28, 28, 3)
    assert np.array_equal(images[3:5], np.concatenate([sample(gan, [3], label=1), sample(gan, [4], label=0)]))
    vae = VAE(z_dim=3, image_size=28, channels=3, width=4, hidden=8, likelihood="gaussian").eval()
    images, labels, how = generated_set(vae, range(10), "standard", ruler, 2)
    assert how == "ruler" and labels.tolist() == embed(ruler, images, "check")[1].tolist()


def test_the_training_loop_learns_and_the_scores_count_right():
    rng = np.random.RandomState(0)
    labels = np.arange(64) % 2
    images = (rng.randint(0, 100, (64, 28, 28, 3)) + 150 * labels[:, None, None, None]).astype(np.uint8)
    x = channels_first(images)
    model = fit_classifier(x[:48], torch.from_numpy(labels[:48]), ARCHITECTURE, 2,
                           Recipe(epochs=20, batch_size=16, lr=1e-2, train_images=48), "test")
    assert scores(predict(model, x[48:]), labels[48:], 2)["accuracy"] == 1.0  # brightness is easy to learn
    probabilities = np.array([[0.9, 0.1, 0], [0.2, 0.8, 0], [0.6, 0.4, 0], [0.3, 0.7, 0]])
    s = scores(probabilities, np.array([0, 1, 1, 1]), 3)  # right: 0, 1, wrong, right
    assert s["accuracy"] == 0.75 and s["per_class"] == [1.0, 0.6667, None]
    assert s["balanced_accuracy"] == pytest.approx((1 + 2 / 3) / 2)  # class 2 is absent, not a zero


def test_the_detector_writes_its_figure_and_tells_noise_from_a_blank_generator(checkpoints, capsys):
    gan = checkpoints / "gan"
    assert evaluate.main([str(gan), "--detect", "--epochs", "40"]) == 0
    assert "held-out accuracy" in capsys.readouterr().out
    detector = read_metrics(gan)["detector"]
    assert detector["train"]["seeds"] == "0-53" and detector["test"]["seeds"] == "54-59"  # fresh seeds for the test
    assert detector["train"]["generated"] == 54 and detector["test"]["generated"] == 6
    assert detector["recipe"]["steps"] == 80  # 40 epochs of 108 images in batches of 54
    assert detector["accuracy"] >= 0.9 and detector["auc"] >= 0.9  # an untrained GAN's smooth grey is no noise
    assert detector["command"].endswith("--detect --epochs 40") and "cas" not in read_metrics(gan)


def test_cas_and_detector_table_in_the_readme(checkpoints, tmp_path):
    vae = checkpoints / "vae"
    assert evaluate.main([str(vae), "--cas", "--detect", "--epochs", "1"]) == 0
    readme = tmp_path / "README.md"
    readme.write_text("<!-- results:start -->\n<!-- results:end -->\n\n<!-- cas:start -->\nold\n<!-- cas:end -->\n")
    assert evaluate.main(["--readme", str(readme), "--checkpoints", str(checkpoints.parent)]) == 0
    rows = [line for line in readme.read_text().splitlines() if line.startswith(f"| `{vae}`")]
    cas, detector = read_metrics(vae)["cas"], read_metrics(vae)["detector"]
    assert len(rows) == 2 and "old" not in readme.read_text()
    assert rows[0].startswith(f"| `{vae}` | 54, learned prior | ruler | {cas['cas']:.4f} ({cas['cas_balanced']:.4f})")
    assert f"| {detector['accuracy']:.4f} ({detector['auc']:.4f}) |" in rows[0]  # the detector sampled the learned
    assert "N(0, I)" in rows[1] and "| – |" in rows[1] and "detector 1 ep." in rows[0]
    readme.write_text("<!-- results:start -->\n<!-- results:end -->\n<!-- cas:start -->\n")
    assert evaluate.main(["--readme", str(readme), "--checkpoints", str(checkpoints.parent)]) == 1


@pytest.mark.parametrize("argv, message", [
    (["{gan}", "--cas", "--samples", "{gan}"], "do not take --samples"),
    (["{gan}", "--detect", "--num-samples", "100"], "--num-samples is for the sample metrics"),
    (["{gan}", "--epochs", "3"], "--epochs is the budget of --cas or --detect"),
    (["{gan}", "--cas", "--epochs", "0"], "--epochs must be 1..1000"),
    (["{classifier}", "--cas"], "need a gan or vae checkpoint"),
    (["--readme", "{readme}", "--cas"], "--readme only rebuilds tables"),
])
def test_bad_flags_are_refused_before_any_work(checkpoints, tmp_path, capsys, argv, message):
    readme = tmp_path / "README.md"
    readme.write_text("<!-- results:start -->\n<!-- results:end -->\n")
    argv = [a.format(gan=checkpoints / "gan", classifier=checkpoints / "classifier", readme=readme) for a in argv]
    with pytest.raises(SystemExit) as exit_info:
        evaluate.main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
    assert readme.read_text() == "<!-- results:start -->\n<!-- results:end -->\n"  # nothing was done

"""benchmarks/baselines.py's two baselines: shapes, seeded samples, and that genimg.evaluate.metrics scores them."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest
import torch

from genimg.evaluate import metrics

SPEC = importlib.util.spec_from_file_location("baselines", Path(__file__).resolve().parents[1] / "benchmarks" /
                                              "baselines.py")
baselines = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(baselines)


def test_dcgan_recipe_shapes_and_seeded_28x28_samples():
    torch.manual_seed(0)
    G, D = baselines.DCGANGenerator(ngf=8), baselines.DCGANDiscriminator(ndf=8)
    G.apply(baselines.dcgan_init), D.apply(baselines.dcgan_init)
    with torch.no_grad():
        x = G(torch.randn(4, 100, 1, 1))
    assert x.shape == (4, 1, 32, 32) and float(x.abs().max()) <= 1
    assert D(x).shape == (4,)
    G.eval()
    images = baselines.dcgan_samples(G, [0, 1, 2])
    assert images.shape == (3, 28, 28, 1) and images.dtype == np.uint8
    assert np.array_equal(images, baselines.dcgan_samples(G, [0, 1, 2]))
    assert sum(p.numel() for p in baselines.DCGANGenerator().parameters()) > 1_000_000  # ngf=64 by default


def test_mlp_vae_is_the_784_400_20_recipe_and_scores_with_genimg_metrics():
    torch.manual_seed(0)
    vae = baselines.MLPVAE().eval()
    assert [tuple(p.shape) for p in vae.fc1.parameters()] == [(400, 784), (400,)]
    assert vae.fc21.out_features == 20 and vae.fc4.out_features == 784
    x = torch.rand(6, 1, 28, 28)
    elbo = metrics.negative_elbo(vae, x, seed=0)
    assert elbo["loss"] == pytest.approx(elbo["recon"] + elbo["kl"]) and len(elbo["kl_per_dim"]) == 20
    assert np.isfinite(metrics.importance_weighted_nll(vae, x, k=100, seed=0))


@pytest.mark.parametrize("pairs, message", [
    ("gan,flow", "--pairs must be gan, vae or gan,vae, got 'gan,flow'"),
    ("vae", "--pairs vae: genimg_gan, dcgan not trained yet in"),  # retraining one pair reuses the other's runs
])
def test_pairs_are_checked_before_any_training(pairs, message, tmp_path, capsys):
    classifier = tmp_path / "classifier"
    classifier.mkdir()
    (classifier / "card.json").write_text("{}")
    with pytest.raises(SystemExit) as exit_:
        baselines.main(["--minutes", "1", "--out", str(tmp_path / "runs"), "--classifier", str(classifier),
                        "--pairs", pairs])
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err

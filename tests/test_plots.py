"""The training-curve figures: one panel per scale, and early spikes kept from flattening the rest."""

from PIL import Image

from genimg import plots


def test_settled_range_ignores_the_first_epochs_spike():
    history = [{"epoch": 1, "loss": 60000.0}] + [{"epoch": e, "loss": 40000.0 - 10 * e} for e in range(2, 41)]
    low, high = plots.settled_range(history, ["loss"], [])
    assert high < 41000  # the spike is off the scale ...
    assert low < 40000 - 10 * 40 < 40000 - 10 * 5 < high  # ... and every settled value is on it


def test_settled_range_keeps_reference_lines_and_leaves_short_runs_alone():
    history = [{"epoch": e, "loss_d": 1.0 + 0.01 * e} for e in range(1, 31)]
    low, high = plots.settled_range(history, ["loss_d"], [plots.GAN_EQUILIBRIUM["loss_d"]])
    assert high > plots.GAN_EQUILIBRIUM["loss_d"]
    assert plots.settled_range(history[:5], ["loss_d"], []) is None


def test_training_curves_draw_every_kind():
    rows = {"vae": {"loss": 100.0, "recon": 80.0, "kl": 20.0, "test_loss": 101.0},
            "gan": {"loss_d": 1.3, "loss_g": 0.8, "d_real": 0.2, "d_fake": -0.2},
            "classifier": {"loss": 0.1, "test_accuracy": 0.99}}
    for kind, row in rows.items():
        history = [{"epoch": e, **row} for e in range(1, 25)]
        image = plots.training_curves(history, kind)
        assert isinstance(image, Image.Image) and image.width > 2 * image.height  # two panels side by side

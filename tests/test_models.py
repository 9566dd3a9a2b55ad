"""Shapes and contracts of the networks at every supported size, grey and RGB, conditional and not."""

import pytest
import torch

from genimg.models import VAE, Classifier, Discriminator, Generator
from genimg.models.vae import discretized_logistic_log_prob, kl_divergence, standardise_latents

SIZES = [28, 32, 64]
CHANNELS = [1, 3]


@pytest.mark.parametrize("num_classes", [0, 10])
@pytest.mark.parametrize("channels", CHANNELS)
@pytest.mark.parametrize("size", SIZES)
def test_generator_and_discriminator_shapes(size, channels, num_classes):
    G = Generator(z_dim=8, image_size=size, channels=channels, width=8, num_classes=num_classes).eval()
    D = Discriminator(image_size=size, channels=channels, width=8, num_classes=num_classes).eval()
    labels = torch.tensor([0, 9]) if num_classes else None
    with torch.no_grad():
        x = G(torch.randn(2, 8), labels)
        logits = D(x, labels)
    assert x.shape == (2, channels, size, size)
    assert x.min() >= -1 and x.max() <= 1  # tanh output range
    assert logits.shape == (2,)


@pytest.mark.parametrize("size, channels, side", [(28, 1, 14), (64, 3, 32)])
def test_discriminator_heads_name_the_class_and_redraw_the_input_at_half_size(size, channels, side):
    D = Discriminator(image_size=size, channels=channels, width=8, num_classes=10, classify=True,
                      reconstruct=True).eval()  # eval: spectral norm's power iteration stands still
    x, labels = torch.rand(4, channels, size, size) * 2 - 1, torch.arange(4)
    logits, classes, redrawn = D(x, labels, heads=True)
    assert logits.shape == (4,) and classes.shape == (4, 10) and redrawn.shape == (4, channels, side, side)
    assert torch.equal(D(x, labels), logits)  # the heads do not change the verdict
    plain = Discriminator(image_size=size, channels=channels, width=8, num_classes=10)
    assert plain(x, labels, heads=True)[1:] == (None, None)


def test_conditional_generator_output_depends_on_label():
    G = Generator(z_dim=8, width=8, num_classes=10).eval()
    z = torch.randn(1, 8).repeat(2, 1)
    with torch.no_grad():
        x = G(z, torch.tensor([1, 2]))
    assert not torch.equal(x[0], x[1])


def test_conditional_networks_refuse_missing_labels():
    with pytest.raises(ValueError, match="class-conditional"):
        Generator(z_dim=8, width=8, num_classes=10).eval()(torch.randn(1, 8))
    with pytest.raises(ValueError, match="class-conditional"):
        Discriminator(width=8, num_classes=10)(torch.rand(1, 1, 28, 28))


@pytest.mark.parametrize("likelihood", ["bernoulli", "gaussian"])
@pytest.mark.parametrize("channels", CHANNELS)
@pytest.mark.parametrize("size", SIZES)
def test_vae_shapes(size, channels, likelihood):
    vae = VAE(z_dim=5, image_size=size, channels=channels, width=8, hidden=16, likelihood=likelihood)
    x = torch.rand(3, channels, size, size)
    mu, logvar = vae.encode(x)
    assert mu.shape == logvar.shape == (3, 5)
    decoded = vae.decode(mu)
    assert decoded.shape == (3, channels, size, size)
    assert decoded.min() >= 0 and decoded.max() <= 1
    recon, kl = vae.loss(x)
    assert recon.shape == kl.shape == (3,)
    assert torch.isfinite(recon).all() and (kl >= 0).all()


def test_vae_bernoulli_loss_is_summed_bce_over_pixels():
    vae = VAE(z_dim=4, width=8, hidden=16)
    x = torch.rand(2, 1, 28, 28)
    out = torch.zeros_like(x)  # logits 0 -> p = 0.5 everywhere -> BCE = log 2 per pixel
    assert torch.allclose(vae.reconstruction_nll(out, x), torch.full((2,), 784 * torch.log(torch.tensor(2.0))))


def test_kl_divergence_closed_form():
    assert torch.equal(kl_divergence(torch.zeros(1, 3), torch.zeros(1, 3)), torch.zeros(1, 3))
    kl = kl_divergence(torch.tensor([[1.0]]), torch.tensor([[0.0]]))
    assert kl.item() == pytest.approx(0.5)  # KL(N(1, 1) || N(0, 1)) = mu^2 / 2


def test_standardised_latents_keep_reconstructions_and_fit_the_prior():
    torch.manual_seed(0)
    vae = VAE(z_dim=4, width=8, hidden=16)
    with torch.no_grad():  # a latent spread wider than the prior and off-centre, as training leaves it
        vae.to_stats.weight[:4] *= 5.0
        vae.to_stats.bias[:4] += 2.0
    x = torch.rand(64, 1, 28, 28)
    with torch.no_grad():
        mu, logvar = vae.encode(x)
        fitted = standardise_latents(vae, mu, logvar)
        mu2, logvar2 = fitted.encode(x)
        eps = torch.randn_like(mu)  # the decoder sees the same z, so the same image, for every posterior sample
        same = vae.decode(mu + (0.5 * logvar).exp() * eps)
        assert torch.allclose(fitted.decode(mu2 + (0.5 * logvar2).exp() * eps), same, atol=1e-5)
        assert torch.equal(vae.encode(x)[0], mu)  # the original is left alone
    assert torch.allclose(mu2.mean(0), torch.zeros(4), atol=1e-5)
    assert torch.allclose(mu2.var(0, unbiased=False) + logvar2.exp().mean(0), torch.ones(4), atol=1e-4)
    assert kl_divergence(mu2, logvar2).sum(1).mean() < kl_divergence(mu, logvar).sum(1).mean() - 1.0


@pytest.mark.parametrize("channels", CHANNELS)
@pytest.mark.parametrize("size", SIZES)
def test_classifier_shapes(size, channels):
    model = Classifier(num_classes=4, image_size=size, channels=channels, width=8, feature_dim=12).eval()
    x = torch.rand(2, channels, size, size)
    with torch.no_grad():
        assert model.features(x).shape == (2, 12)
        assert model(x).shape == (2, 4)


@pytest.mark.parametrize("build", [
    lambda: Generator(image_size=30), lambda: Discriminator(image_size=16), lambda: VAE(image_size=48),
    lambda: Classifier(image_size=100),
])
def test_unsupported_image_size_is_refused(build):
    with pytest.raises(ValueError, match="image_size must be 28, 32 or 64"):
        build()


def test_bad_configs_are_refused():
    with pytest.raises(ValueError, match="likelihood"):
        VAE(likelihood="poisson")
    with pytest.raises(ValueError, match="class_names"):
        Generator(num_classes=3, class_names=["a", "b"])


@pytest.mark.parametrize("mean,log_scale", [(0.3, -3.0), (0.9, -6.0), (0.5, 1.0), (1.7, -5.0), (-0.2, -7.0)])
def test_discretized_logistic_is_a_probability_over_the_256_pixel_values(mean, log_scale):
    values = torch.arange(256, dtype=torch.float32).view(1, 1, 16, 16) / 255  # every 8-bit value once
    log_p = discretized_logistic_log_prob(values, torch.full_like(values, mean), torch.tensor([log_scale]))
    assert torch.all(log_p <= 0)
    assert log_p.exp().sum().item() == pytest.approx(1.0, abs=1e-4)


def test_logistic_vae_loss_is_finite_and_positive_for_rgb():
    torch.manual_seed(0)
    vae = VAE(z_dim=4, image_size=32, channels=3, width=8, hidden=16, likelihood="logistic")
    recon, kl = vae.loss(torch.randint(0, 256, (2, 3, 32, 32)).float() / 255)
    assert recon.shape == kl.shape == (2,)
    assert torch.all(torch.isfinite(recon)) and torch.all(recon > 0)  # -log of a probability

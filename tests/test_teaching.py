"""The How-it-works tab's content and its ties to live models: translation tables, Markdown, D(x), KL, curves."""

import re

import numpy as np
import pytest
import torch
from PIL import Image
from safetensors.torch import save_file

import genimg
from genimg.app import teaching
from genimg.app.checks import MAX_IMAGES
from genimg.app.i18n import EN, TABLES, ZH, language_from_header, text
from genimg.checkpoints import save_model
from genimg.models import VAE, Discriminator, Generator

NAMES = ["zero", "one", "two"]


def test_tables_have_the_same_keys_and_no_empty_strings():
    assert set(EN) == set(ZH)
    for table in (EN, ZH):
        assert all(isinstance(v, str) and v.strip() for v in table.values())
        assert all(re.fullmatch(r"[a-z0-9_]+", key) for key in table)  # flat: no dots for the browser's lookup


def test_format_fields_match_between_languages():
    fields = lambda s: sorted(set(re.findall(r"\{([a-z_]+)(?::[^}]*)?\}", s)))
    for key in EN:
        if not key.endswith("_md"):  # Markdown holds LaTeX braces, not fields
            assert fields(EN[key]) == fields(ZH[key]), key


@pytest.mark.parametrize("language", ["en", "zh"])
def test_content_renders_in_both_languages(language):
    page = teaching.page_markdown(language)
    for section in teaching.SECTIONS:
        assert teaching.section_markdown(section, language) in page
    assert page.count("$$") % 2 == 0  # display formulas are closed
    for formula in (r"\log\left(1 - D(G(z))\right)", r"\mathrm{softplus}\left(-f(G(z))\right)",
                    r"z = \mu + \sigma \odot \varepsilon", r"1 + \log \sigma_j^2 - \mu_j^2 - \sigma_j^2"):
        assert formula in page  # the same formulas in both languages
    assert ("40×40" in page) and ("LeakyReLU" in page)
    if language == "zh":
        assert "判别器" in page and "证据下界" in page


def test_language_from_header():
    assert language_from_header("zh-CN,zh;q=0.9,en;q=0.8") == "zh"
    assert language_from_header("en-US,en;q=0.9,zh-CN;q=0.8") == "en"
    assert language_from_header("fr-FR,zh-TW;q=0.5") == "zh"
    assert language_from_header("fr-FR,zh;q=0") == "en"
    assert language_from_header(None) == language_from_header("") == "en"
    with pytest.raises(KeyError):
        text("how_tab", "de")


def tiny_gan(tmp_path, mbstd_group=4):
    torch.manual_seed(0)
    g = Generator(z_dim=8, width=8, num_classes=3, class_names=NAMES, class_prior=[1 / 3] * 3).eval()
    d = Discriminator(width=8, num_classes=3, mbstd_group=mbstd_group).eval()
    save_model(g, tmp_path / "gan", {"dataset": "fake", "history": [
        {"epoch": 1, "loss_d": 1.3, "loss_g": 0.8, "d_real": 0.2, "d_fake": -0.2, "images_per_s": 100.0},
        {"epoch": 2, "loss_d": 1.35, "loss_g": 0.75, "d_real": 0.1, "d_fake": -0.1, "images_per_s": 100.0}]})
    save_model(d, tmp_path / "gan" / "discriminator", {"dataset": "fake"})
    examples = tmp_path / "examples"
    examples.mkdir()
    rng = np.random.RandomState(0)
    for name in NAMES:
        Image.fromarray(rng.randint(0, 256, (28, 28), dtype=np.uint8)).save(examples / f"{name}_0.png")
    return tmp_path / "gan", examples


def test_discriminator_scores_are_probabilities(tmp_path):
    gan_dir, examples = tiny_gan(tmp_path)
    assert teaching.load_discriminator(tmp_path) is None  # no discriminator/ there: None, not an error
    d = teaching.load_discriminator(gan_dir)
    g = genimg.load(gan_dir)
    size = teaching.group_size(d)
    real, labels = teaching.example_group(examples, NAMES, "two", size)
    assert labels == ["two", "zero", "one", "two"] and real.shape == (4, 28, 28, 1)
    scores = teaching.discriminator_scores(d, g, real, labels, seed=7)
    for probs in (scores.real_probs, scores.fake_probs):
        assert probs.shape == (size,) and np.all((probs >= 0) & (probs <= 1))
    assert scores.seeds == [7, 8, 9, 10] and scores.labels == [2, 0, 1, 2]
    assert scores.fake_images.shape == (4, 28, 28, 1) and scores.fake_images.dtype == np.uint8
    again = teaching.discriminator_scores(d, g, real, labels, seed=7)
    np.testing.assert_array_equal(scores.fake_logits, again.fake_logits)  # seeded and deterministic
    for language in ("en", "zh"):
        md = teaching.score_markdown(scores, language)
        assert f"{scores.real_probs[0]:.3f}" in md and f"{scores.fake_probs[0]:.3f}" in md
        assert "discriminator" in teaching.no_discriminator_markdown(tmp_path, language)
    with pytest.raises(ValueError, match="class"):
        teaching.discriminator_scores(d, g, real, None, seed=0)
    with pytest.raises(ValueError, match="uint8"):
        teaching.discriminator_scores(d, g, real[:, :14], labels, seed=0)


def test_sigmoid_is_stable():
    assert teaching.sigmoid(0.0) == 0.5
    assert teaching.sigmoid(1000.0) == 1.0 and teaching.sigmoid(-1000.0) == 0.0


def test_kl_per_dimension(tmp_path):
    torch.manual_seed(0)
    vae = VAE(z_dim=4, width=8, hidden=32).eval()
    images = np.random.RandomState(0).randint(0, 256, (5, 28, 28, 1), dtype=np.uint8)
    kl = teaching.kl_per_dim(vae, images)
    assert kl.shape == (4,) and np.all(kl >= 0)
    assert teaching.read_kl_per_dim(tmp_path) is None
    save_model(vae, tmp_path / "vae", {"dataset": "fake"})
    save_file({"kl_per_dim": torch.tensor([0.01, 2.0, 0.5, 0.0])}, tmp_path / "vae" / "latents.safetensors")
    stored = teaching.read_kl_per_dim(tmp_path / "vae")
    np.testing.assert_allclose(stored, [0.01, 2.0, 0.5, 0.0], rtol=1e-6)
    assert list(teaching.kl_order(stored)) == [1, 2, 0, 3]
    figure = teaching.kl_figure(stored)
    assert isinstance(figure, Image.Image) and figure.width > 100
    for language in ("en", "zh"):
        md = teaching.kl_markdown(stored, language)
        assert "2" in md and "4" in md  # 2 of 4 dimensions in use
        assert "5" in teaching.kl_markdown(kl, language, from_examples=5)


def test_kl_figure_has_one_bar_per_dimension(monkeypatch):
    drawn = {}
    monkeypatch.setattr(teaching.plots, "kl_bars", lambda kl, names, threshold: drawn.update(kl=kl, names=names))
    teaching.kl_figure(np.array([0.3, 0.0, 1.2]))
    assert drawn["names"] == ["z2", "z0", "z1"] and list(drawn["kl"]) == [1.2, 0.3, 0.0]


def test_training_curves_from_card(tmp_path):
    gan_dir, _ = tiny_gan(tmp_path)
    assert isinstance(teaching.training_curves(gan_dir), Image.Image)
    vae = VAE(z_dim=4, width=8, hidden=32)
    save_model(vae, tmp_path / "vae", {"history": [
        {"epoch": 1, "loss": 200.0, "recon": 190.0, "kl": 10.0, "test_loss": 180.0, "test_recon": 170.0,
         "test_kl": 10.5}]})
    assert isinstance(teaching.training_curves(tmp_path / "vae"), Image.Image)
    assert "180.5" in teaching.vae_numbers_markdown(tmp_path / "vae", "en")
    save_model(vae, tmp_path / "bare", {"dataset": "fake"})
    assert teaching.training_curves(tmp_path / "bare") is None
    assert teaching.vae_numbers_markdown(tmp_path / "bare", "zh") == ZH["how_no_history"]
    assert set(TABLES) == {"en", "zh"}


def test_markdown_has_no_stray_list_markers():
    # a wrapped line that starts with "+ " or "* " turns into a bullet in the browser
    for table in (EN, ZH):
        for key, value in table.items():
            if key.endswith("_md"):
                assert not re.search(r"^[+*] ", value, re.MULTILINE), key


def test_app_strings_that_repeat_a_limit_state_it():
    # the seeds box's help text is static (the browser picks it), so it spells the limit out
    assert str(MAX_IMAGES) in EN["gan_seeds_info"] and str(MAX_IMAGES) in ZH["gan_seeds_info"]


def test_example_files_follow_export_examples_naming(tmp_path):
    assert teaching.example_path(tmp_path, "Smileys & Emotion").name == "Smileys___Emotion_0.png"
    Image.new("RGB", (64, 64), (255, 0, 0)).save(teaching.example_path(tmp_path, "Smileys & Emotion"))
    real, names = teaching.example_group(tmp_path, ["Smileys & Emotion"], "Smileys & Emotion", 2, channels=3)
    assert real.shape == (2, 64, 64, 3) and names == ["Smileys & Emotion"] * 2 and real[0, 0, 0, 0] == 255
    assert teaching.example_images(tmp_path, 64, 3).shape == (1, 64, 64, 3)
    assert teaching.example_images(tmp_path, 28, 1).shape == (0, 28, 28, 1)  # wrong size: left out


@pytest.mark.parametrize("language", ["en", "zh"])
def test_discriminator_panel_shows_a_verdict_or_says_why_not(tmp_path, language):
    gan_dir, examples = tiny_gan(tmp_path)
    g = genimg.load(gan_dir)
    real, fake, md = teaching.discriminator_panel(gan_dir, g, examples, "one", seed=3, language=language, side=60)
    assert real.size == fake.size == (56, 56) and md == teaching.score_markdown(
        teaching.discriminator_scores(teaching.load_discriminator(gan_dir), g,
                                      *teaching.example_group(examples, NAMES, "one", 4), seed=3), language)
    assert teaching.class_choices(g, examples) == NAMES
    # no discriminator yet (first epoch), an unknown class, an example missing: text, not an exception
    assert teaching.discriminator_panel(tmp_path, g, examples, "one", 0, language) == (
        None, None, teaching.no_discriminator_markdown(tmp_path, language))
    for first, where in (("seven", examples), ("one", tmp_path / "nowhere")):
        real, fake, md = teaching.discriminator_panel(gan_dir, g, where, first, 0, language)
        assert real is None and fake is None
        assert md.startswith(text("how_live_unavailable", language).split("{")[0])


@pytest.mark.parametrize("language", ["en", "zh"])
def test_vae_panel_reads_latents_or_estimates_from_examples(tmp_path, language):
    _, examples = tiny_gan(tmp_path)
    torch.manual_seed(0)
    vae = VAE(z_dim=4, width=8, hidden=32).eval()
    save_model(vae, tmp_path / "vae", {"history": [
        {"epoch": 3, "loss": 200.0, "recon": 190.0, "kl": 10.0, "test_loss": 180.0, "test_recon": 170.0,
         "test_kl": 10.5}]})
    figure, summary, curves, numbers = teaching.vae_panel(tmp_path / "vae", vae, examples, language)
    assert isinstance(figure, Image.Image) and isinstance(curves, Image.Image)
    assert text("how_kl_source_examples", language).format(count=3) in summary  # no latents.safetensors yet
    assert numbers == teaching.vae_numbers_markdown(tmp_path / "vae", language)
    save_file({"kl_per_dim": torch.tensor([0.01, 2.0, 0.5, 0.0])}, tmp_path / "vae" / "latents.safetensors")
    _, summary, _, _ = teaching.vae_panel(tmp_path / "vae", vae, examples, language)
    assert summary == teaching.kl_markdown(np.array([0.01, 2.0, 0.5, 0.0]), language)
    (tmp_path / "vae" / "latents.safetensors").unlink()
    (tmp_path / "vae" / "card.json").unlink()  # training rewriting it: no curves, no numbers, no exception
    figure, summary, curves, numbers = teaching.vae_panel(tmp_path / "vae", vae, tmp_path / "nowhere", language)
    assert figure is None and curves is None and numbers == text("how_no_history", language)
    assert summary.startswith(text("how_live_unavailable", language).split("{")[0])

r"""Translation tables for the app: English (`EN`) and Simplified Chinese (`ZH`), key -> string.

Keys are flat, lower_snake_case and say where the string goes (`gan_`, `vae_`, `encode_`, `card_` = the app's
tabs, `how_` = the "How it works" tab; a `_md` suffix marks Markdown, which may hold LaTeX between `$...$` or
`$$...$$`). Strings with `{name}` fields are Python format templates for text built on the server (numbers from
the live models, picked by `language_from_header`); the others are static and are handed to the browser as they
are (`gr.I18n(en=EN, zh=ZH)` in app.py), which picks the table from its own language. Both tables must
have exactly the same keys (tests/test_teaching.py checks), so add a key to both at once.

This module holds strings and a language picker only: no Gradio import, no I/O, no model code.
"""

# ruff: noqa: E501  (prose and one-line display formulas; CJK characters count double)

EN: dict[str, str] = {
    # ---- the app's header, tabs and controls (static: the browser picks them) ------------------------------------
    "app_intro_md": "# genimg\nA GAN and a VAE per dataset, trained on a CPU. Pick a model, then sample the GAN from "
                    "seeds, slide along the VAE's latent dimensions, encode an image you upload or draw, or read how "
                    "it all works.",
    "model_label": "model (dataset)",
    "examples_label": "examples",
    "gan_tab": "GAN: sample from seeds",
    "gan_seeds_label": "seeds",
    "gan_seeds_info": "like 0-15,42 (ranges inclusive); at most 64; a seed names the same image forever",
    "gan_random_seeds_button": "random seeds",
    "gan_generate_button": "Generate",
    "gan_psi_label": "truncation psi",
    "gan_psi_info": "z × psi: below 1 = more typical, less varied",
    "gan_class_label": "class",
    "gan_class_info": "'any' lets the seed pick the class",
    "gan_display_label": "display size",
    "gan_display_small": "small",
    "gan_display_medium": "medium",
    "gan_display_large": "large",
    "gan_gallery_label": "samples",
    "gan_download_button": "Download grid PNG",
    "gan_interpolate_accordion": "Interpolate seed A → seed B (slerp; with class 'any', seed A's class)",
    "gan_seed_a_label": "seed A",
    "gan_seed_b_label": "seed B",
    "gan_frames_label": "frames",
    "gan_interpolate_button": "Interpolate",
    "gan_gif_label": "interpolation GIF",
    "vae_tab": "VAE: latent sliders",
    "vae_image_label": "decoded z",
    "vae_seed_label": "seed",
    "vae_random_button": "random",
    "vae_reset_button": "reset to 0",
    "vae_from_upload_button": "from upload",
    "vae_z_accordion": "latent z as numbers (dimension order)",
    "vae_z_label": "z",
    "vae_decode_button": "decode z",
    "vae_traversal_accordion": "Traversal: each dimension from -3 to +3 in 7 steps",
    "vae_traverse_button": "Draw traversal",
    "vae_traversal_label": "traversal (rows: dimensions, most informative first)",
    "vae_map_accordion": "2-D latent map",
    "vae_dim_x_label": "across (x)",
    "vae_dim_y_label": "down (y)",
    "vae_map_button": "Draw map",
    "vae_map_note_label": "map note",
    "vae_map_label": "decoded 10x10 grid",
    "vae_scatter_label": "test split, posterior means",
    "encode_tab": "Encode / decode",
    "encode_upload_tab": "upload",
    "encode_draw_tab": "draw",
    "encode_image_label": "image",
    "encode_upload_button": "Encode upload",
    "encode_sketch_label": "draw a digit",
    "encode_sketch_button": "Encode drawing",
    "encode_seen_label": "model input",
    "encode_recon_label": "reconstruction",
    "encode_error_label": "error",
    "encode_posterior_label": "samples from q(z|x)",
    "encode_chart_label": "latent mean ± std",
    "encode_edit_button": "Edit in sliders",
    "encode_numbers_accordion": "numbers",
    "encode_numbers_label": "numbers (mse, psnr_db, mu, std)",
    "card_tab": "Model card",
    "card_gan_samples_label": "GAN samples",
    "card_gan_curves_label": "GAN losses",
    "card_vae_samples_label": "VAE samples",
    "card_vae_curves_label": "VAE losses",
    # ---- the app's notes built on the server (Python format templates) ---------------------------------------------
    "gan_missing": "No GAN for **{model}**; models with a GAN: {available}.",
    "vae_missing": "No VAE for **{model}**; models with a VAE: {available}.",
    "none_available": "none",
    "vae_slider_help": "Sliders are ordered by the KL of each dimension from the prior over the test split (in nats), "
                       "most informative first. A dimension with KL near 0 carries no information about the image: "
                       "the encoder leaves it at the prior and the decoder learned to ignore it, so its slider does "
                       "little ({unused} of {total} are below {threshold} nats).",
    "vae_no_latents": "{model}/vae has no usable latents.safetensors: sliders are in index order and the latent map "
                      "has no test-split scatter.",
    # ---- the tab and its controls ----------------------------------------------------------------------------
    "how_tab": "How it works",
    "how_section_gan": "GAN",
    "how_section_vae": "VAE",
    "how_section_pitfalls": "Common pitfalls",
    "how_section_faq": "FAQ",
    "how_digit_label": "Digit",
    "how_digit_info": "A real test-split digit of this class and a generated digit of the same class are scored "
                      "by the trained discriminator.",
    "how_seed_label": "Seed of the generated digit",
    "how_seed_info": "The seed names the generator's noise z; the same seed always gives the same digit.",
    "how_score_button": "Ask the discriminator",
    "how_real_image_label": "Real digit (test split)",
    "how_fake_image_label": "Generated digit (same class)",
    "how_gan_curves_label": "GAN training losses, from card.json",
    "how_vae_curves_label": "VAE training losses, from card.json",
    "how_kl_plot_label": "KL per latent dimension (nats)",
    "how_refresh_button": "Show on the live models",
    # ---- static content (Markdown + LaTeX) ----------------------------------------------------------------------
    "how_intro_md": r"""## How it works

genimg has two kinds of generative model. A **GAN** learns to draw images by playing a game against a critic;
a **VAE** learns to squeeze an image into a few numbers and to draw it back from them. Below, each idea is
written as the formula the code really optimises, and then checked on the live models of this app. The last
two sections list the mistakes in the code sketches of the article this project grew from, and answer common
questions.""",
    "how_gan_theory_md": r"""### GAN: a game between two networks

A **generator** $G$ turns random noise $z \sim \mathcal{N}(0, I)$ into an image $G(z)$. A **discriminator** $D$
looks at an image and outputs $D(x) \in (0, 1)$, its belief that $x$ is a real training image. In the code $D$
outputs a logit $f(x)$, and $D(x) = \sigma(f(x)) = 1 / (1 + e^{-f(x)})$.

The two play a minimax game (Goodfellow et al. 2014):

$$\min_G \max_D V(D, G) = \mathbb{E}_{x \sim p_{\mathrm{data}}}\left[\log D(x)\right] + \mathbb{E}_{z \sim p(z)}\left[\log\left(1 - D(G(z))\right)\right]$$

- $D$ wants $V$ large: $D(x) \to 1$ on real images and $D(G(z)) \to 0$ on generated ones.
- $G$ wants $V$ small: it wants its images to be taken for real ones.

For a fixed $G$ the best discriminator is $D^{*}(x) = \frac{p_{\mathrm{data}}(x)}{p_{\mathrm{data}}(x) + p_g(x)}$.
When the generator's distribution $p_g$ equals $p_{\mathrm{data}}$, $D^{*}(x) = 1/2$ everywhere: the critic can
only guess.

**The loss genimg uses.** Since $-\log \sigma(a) = \mathrm{softplus}(-a)$ and
$-\log(1 - \sigma(a)) = \mathrm{softplus}(a)$, the discriminator minimises

$$L_D = \mathrm{softplus}\left(-f(x)\right) + \mathrm{softplus}\left(f(G(z))\right)$$

which is $-V$ written on logits (numerically stable: no $\log 0$). For the generator, minimising
$\log(1 - D(G(z)))$ *saturates*: early in training $D$ rejects the fakes easily, $D(G(z)) \approx 0$, and the
gradient vanishes. Goodfellow et al. (2014, sec. 3) therefore train $G$ to maximise $\log D(G(z))$ instead,
the **non-saturating** loss:

$$L_G = -\log D(G(z)) = \mathrm{softplus}\left(-f(G(z))\right)$$

It has the same fixed point, but strong gradients exactly when $G$ is still bad.

**Alternating updates.** Each training step (`train_gan` in `genimg/train.py`):

1. draw a batch of real images $x$ and noise $z$, and make $G(z)$;
2. one Adam step on $D$ to lower $L_D$ ($G(z)$ is detached, so $G$ does not move);
3. one Adam step on $G$ to lower $L_G$; the gradient flows back through $D$, but only $G$'s weights change.

genimg's GAN is class-conditional ($G(z, y)$ and $D(x, y)$, with a projection term), puts spectral
normalisation on every layer of $D$, gives $D$ a minibatch standard-deviation feature (which punishes a
generator that keeps drawing the same image), shows real and fake images to $D$ through the same random shifts
(DiffAugment), and samples from a moving average (EMA) of $G$'s weights.

At equilibrium $L_D = 2 \ln 2 \approx 1.386$ and $L_G = \ln 2 \approx 0.693$: the dashed lines in the loss plot.""",
    "how_gan_live_md": r"""#### Check it on the live model

Pick a digit. The app takes a **real** test-split digit of that class and a **generated** one of the same class
(from the seed you choose), and asks the trained discriminator $D(x, y)$ for its score. A well-trained GAN leaves
the discriminator unsure: both scores near $0.5$. A score near 1 on the real digit and near 0 on the generated
one means the discriminator is winning. One pair is a noisy test: try several seeds. The discriminator is the
one saved with the latest epoch; the generator is the averaged (EMA) one that the GAN tab samples from.""",
    "how_gan_curves_md": r"""`loss_d` and `loss_g` are the per-epoch means of $L_D$ and $L_G$ logged in `card.json` (`history`);
`d_real` and `d_fake` are the mean logits $f(x)$ and $f(G(z))$ ($0$ means $D = 0.5$). GAN losses do not go to
zero: `loss_d` staying near $2 \ln 2$ is a balanced game, not a stuck one. A `loss_d` that falls towards $0$
means the discriminator has won, and the generator no longer gets a useful signal.""",
    "how_vae_theory_md": r"""### VAE: squeeze, then draw back

An **encoder** maps an image $x$ to a distribution over a small code $z$:
$q_\phi(z \mid x) = \mathcal{N}\left(\mu_\phi(x), \mathrm{diag}\, \sigma^2_\phi(x)\right)$
(in the code: `mu, logvar = vae.encode(x)`, where `logvar` is $\log \sigma^2$). A **decoder** maps a code back
to a distribution over images, $p_\theta(x \mid z)$. The prior is $p(z) = \mathcal{N}(0, I)$, so after training
*any* $z$ drawn from $\mathcal{N}(0, I)$ decodes to a plausible image: that is what the sliders use.

The log-likelihood $\log p_\theta(x)$ cannot be computed, so the VAE maximises a lower bound on it, the
**ELBO** (evidence lower bound; Kingma & Welling 2014):

$$\log p_\theta(x) \ge \mathcal{L}(x) = \mathbb{E}_{q_\phi(z \mid x)}\left[\log p_\theta(x \mid z)\right] - D_{\mathrm{KL}}\left(q_\phi(z \mid x) \,\|\, p(z)\right)$$

The first term rewards a faithful reconstruction; the second keeps every code close to the prior, so the code
space has no holes. genimg minimises $-\mathcal{L}$ per image, in nats (`VAE.loss`, `train_vae`).

**Reparameterisation.** Drawing $z \sim q_\phi(z \mid x)$ is not differentiable in $\mu$ and $\sigma$. Writing

$$z = \mu + \sigma \odot \varepsilon, \quad \varepsilon \sim \mathcal{N}(0, I), \quad \sigma = \exp\left(\tfrac{1}{2} \log \sigma^2\right)$$

moves the randomness into $\varepsilon$, so the gradient reaches the encoder (`VAE.forward`).

**Reconstruction term for digits.** Each pixel $x_i \in [0, 1]$ is modelled as a Bernoulli variable with mean
$\hat{x}_i = \sigma(\ell_i)$, where $\ell$ are the decoder's logits:

$$-\log p_\theta(x \mid z) = -\sum_{i} \left[x_i \log \hat{x}_i + (1 - x_i) \log\left(1 - \hat{x}_i\right)\right]$$

the binary cross-entropy **summed** over the 784 pixels (not averaged: averaging would shrink this term 784
times against the KL). One draw of $z$ per image estimates the expectation. (Colour emoji use a Gaussian
likelihood with a learned scale instead, the "$\sigma$-VAE".)

**KL term in closed form.** For a diagonal Gaussian against $\mathcal{N}(0, I)$ (Kingma & Welling 2014,
Appendix B):

$$D_{\mathrm{KL}}\left(q_\phi(z \mid x) \,\|\, \mathcal{N}(0, I)\right) = -\frac{1}{2} \sum_{j=1}^{J} \left(1 + \log \sigma_j^2 - \mu_j^2 - \sigma_j^2\right)$$

Each latent dimension $j$ adds its own term (`kl_divergence` in `genimg/models/vae.py`). A term is zero only
when $\mu_j = 0$ and $\sigma_j = 1$, that is, when dimension $j$ says nothing about $x$.""",
    "how_kl_md": r"""#### Why some sliders change little

The chart shows the KL of each latent dimension, averaged over the test split, in the order of the sliders in
the VAE tab (most informative first). A dimension with a large KL carries information about the image: moving
its slider changes the digit. A dimension with KL near $0$ has $q(z_j \mid x) \approx \mathcal{N}(0, 1)$ for
*every* image: the encoder writes nothing into it, so the decoder has learned to ignore it, and its slider
barely changes anything (an *inactive*, or *collapsed*, dimension). The KL term charges for every nat of
information a code carries, and the VAE pays only for the dimensions worth it. The bars add up to the KL term of
the ELBO.""",
    "how_vae_curves_md": r"""`loss` is $-\mathcal{L}$ on the training batches and `test_loss` the same on the test split (nats per
image); `recon` and `kl` are its two terms. The KL term usually rises early, as the encoder starts to use the
code, while the reconstruction term falls; the ELBO is the balance between them. A test loss that rises while
the training loss keeps falling means overfitting.""",
    "how_pitfalls_md": r"""## Common pitfalls (from the article's own sketches)

The article's Keras sketches look plausible, but they do not run, or do not do what the text says. Each mistake
is a common one.

**1. The generator draws 40×40, the discriminator expects 64×64.** The generator reshapes to 5×5 and applies
three stride-2 transposed convolutions: 5 → 10 → 20 → 40, so it outputs 40×40×3 images, while the discriminator
declares `input_shape=(64, 64, 3)`. Connecting them for the generator's update fails with a shape error; and
"fixing" it by resizing would let the discriminator learn to spot the resampling instead of unrealistic images.
The VAE sketch has the same bug: 64×64 in, 4 → 8 → 16 → 32, so 32×32 out, and the reconstruction loss cannot
even be computed. The discriminator also ends in a stride-2 convolution, so it outputs a 4×4 map of
probabilities rather than one score per image.
*In genimg:* `start_size` in `genimg/models/gan.py` picks the first feature map so that the doublings land exactly
on the data's size (7 → 14 → 28 for MNIST, 4 → 8 → 16 → 32 → 64 for emoji); the discriminator is the mirror image
(28 → 14 → 7) and ends in one linear layer, one logit per image; the shapes are written beside every transform.

**2. ReLU followed by LeakyReLU.** `Dense(256, activation='relu')` followed by `LeakyReLU()` applies LeakyReLU
to numbers that are already ≥ 0, where it is the identity: the leaky part never acts. The network is a plain
ReLU network. In the discriminator, where DCGAN uses LeakyReLU on purpose so that every input passes a gradient
back to the generator, units stuck at zero pass none ("dead ReLUs"). The same pair,
`Conv2D(..., activation='relu')` + `LeakyReLU()`, is repeated in the discriminator and the VAE encoder.
*In genimg:* one activation per layer: ReLU in the generator, `LeakyReLU(0.2)` in the discriminator
(`genimg/models/gan.py`), SiLU in the VAE. The discriminator outputs a raw logit (no sigmoid), and the loss
applies `softplus` to logits: the same formula, without $\log 0$.

**3. A "VAE" with no sampling layer and no KL term.** `Sequential([encoder, decoder])` is a plain autoencoder.
The encoder outputs one fixed vector (a 16×16×128 feature map: 32,768 numbers, more than the image's 12,288);
there is no $\mu$, no $\sigma$, no $z = \mu + \sigma \varepsilon$, and nothing pulls the codes towards
$\mathcal{N}(0, I)$. It can learn to reconstruct, but its code space has holes: decoding a random $z$, or a
point between two codes, gives noise, so it cannot generate, which is what a VAE is for.
*In genimg:* `VAE.encode` returns $(\mu, \log \sigma^2)$; `VAE.forward` draws $z = \mu + \sigma \varepsilon$;
`VAE.loss` returns the reconstruction term and the closed-form KL (`kl_divergence`, Appendix B), and
`train_vae` minimises their sum.

**4. Smaller slips in the text.** The article says a VAE maximises the log-likelihood; it maximises the ELBO, a
lower bound on it. It calls the Kullback-Leibler divergence "熵距"; the usual Chinese name is "KL 散度" (relative
entropy). And its training code is `# ...`: it leaves out the alternating updates that make a GAN a GAN.""",
    "how_faq_md": r"""## FAQ

**How is a GAN different from a VAE?** Both turn random numbers into images. A GAN learns only the direction
noise → image, judged by a second network. Its samples are often sharper, but it has no encoder (you cannot ask
which $z$ made a picture), no likelihood to report, and its training can be unstable or collapse onto a few kinds
of image. A VAE learns both directions and a bound on the likelihood, so it can encode your own drawing, measure
how well it reconstructs it, and offer a smooth latent space to explore (the sliders); its samples are usually
blurrier, because its likelihood rewards averaging over plausible images.

**How is image generation different from image recognition?** Recognition learns $p(y \mid x)$: an image in, a
label out. Generation learns $p(x)$ or $p(x \mid y)$: it must produce every pixel of an image that could have
come from the data. They share building blocks (convolutions; genimg even scores its generators with a small
digit classifier), and generated images can add training data for recognition, but a model that recognises a
"7" cannot by itself draw one.

**Can these models make deepfakes?** Not these. They are tiny (one to two million parameters), trained for
minutes on 9,000 MNIST digits or a few thousand emoji, and produce only 28×28 digits or 64×64 emoji of those
kinds: no faces, photos, voices or text, and no prompts. The same ideas, scaled up, do power deepfakes, so: do
not make images of real people without their consent; label synthetic images as synthetic; remember that
generative models can memorise and reproduce training examples, a privacy risk when the data are personal
(faces, medical images, someone's handwriting); and respect the licences of training data.

**What can they do, and what not?** They can sample new digits or emoji from seeds, interpolate between them,
expose a latent space to explore, reconstruct an upload, and serve as a small, complete example of the
mathematics above that you can inspect line by line. They cannot generate anything outside their training
domain, match the quality of large modern models, or tell you whether a photo is real: the discriminator here is
a training tool, not a deepfake detector.""",
    # ---- text built on the server from live numbers (Python format templates) -----------------------------------
    "how_score_table": "| | class | $D(x)$ | logit $f(x)$ |\n|---|---|---|---|\n"
                       "| real test digit | {label} | **{real_prob:.3f}** | {real_logit:+.2f} |\n"
                       "| generated, seed {seed} | {label} | **{fake_prob:.3f}** | {fake_logit:+.2f} |",
    "how_verdict_balanced": "The two scores are close: for this pair the discriminator cannot tell real from generated, "
                            "which is what a balanced GAN looks like (an untrained one looks the same: the loss curves tell them apart).",
    "how_verdict_discriminator_wins": "The real digit scores clearly higher: for this pair the discriminator can still "
                                      "tell real from generated.",
    "how_verdict_discriminator_fooled": "The generated digit scores higher than the real one: for this pair the "
                                        "discriminator is fooled.",
    "how_score_group_note": "The discriminator looks at images in groups of {group}: a minibatch standard-deviation "
                            "feature compares the images of a group, which punishes a generator that keeps drawing the "
                            "same image. So, as in training, the real digit was scored together with {others} other real "
                            "test digits, and the generated one with {others} other generated digits. Group means: "
                            "real {real_mean:.3f}, generated {fake_mean:.3f}.",
    "how_no_discriminator": "No discriminator is saved beside this GAN (expected `{path}`), so this part cannot "
                            "run: training writes one after every epoch, but the repository leaves the emoji "
                            "GAN's out to keep its checkpoints under 40 MB.",
    "how_kl_summary": "{active} of {total} latent dimensions carry more than {threshold} nats; the other {inactive} are "
                      "nearly unused, so their sliders barely change the image. Total KL: {total_kl:.1f} nats per "
                      "image ({source}).",
    "how_kl_summary_all_active": "All {total} latent dimensions carry more than {threshold} nats, so every slider "
                                 "changes the image; the last ones (smallest KL) change it least. Total KL: "
                                 "{total_kl:.1f} nats per image ({source}).",
    "how_kl_source_test_split": "mean over the test split",
    "how_kl_source_examples": "estimated from {count} example digits, as this VAE has no latents.safetensors",
    "how_vae_numbers": "This VAE after {epochs} epochs, on the test split: reconstruction {recon:.1f} + KL {kl:.1f} = "
                       "{loss:.1f} nats per image, that is, an ELBO of {elbo:.1f} nats.",
    "how_no_history": "This checkpoint's card.json has no training history.",
    "how_live_unavailable": "The live model cannot show this right now: {error}",
}

ZH: dict[str, str] = {
    # ---- the app's header, tabs and controls (static: the browser picks them) ------------------------------------
    "app_intro_md": "# genimg\n每个数据集各有一个 GAN 和一个 VAE，都只用 CPU 训练。先选一个模型，然后可以用种子让 GAN "
                    "生成图像、拖动 VAE 隐变量的滑块、对你上传或手绘的图像进行编码和解码，也可以读一读它们的原理。",
    "model_label": "模型（数据集）",
    "examples_label": "示例",
    "gan_tab": "GAN：用种子生成",
    "gan_seeds_label": "种子",
    "gan_seeds_info": "例如 0-15,42（范围包含两端）；最多 64 个；同一个种子永远对应同一张图像",
    "gan_random_seeds_button": "随机种子",
    "gan_generate_button": "生成",
    "gan_psi_label": "截断系数 psi",
    "gan_psi_info": "z × psi：小于 1 时图像更典型，但变化更少",
    "gan_class_label": "类别",
    "gan_class_info": "选 any 时由种子决定类别",
    "gan_display_label": "显示大小",
    "gan_display_small": "小",
    "gan_display_medium": "中",
    "gan_display_large": "大",
    "gan_gallery_label": "生成的样本",
    "gan_download_button": "下载网格图（PNG）",
    "gan_interpolate_accordion": "从种子 A 插值到种子 B（球面插值 slerp；类别为 any 时沿用种子 A 的类别）",
    "gan_seed_a_label": "种子 A",
    "gan_seed_b_label": "种子 B",
    "gan_frames_label": "帧数",
    "gan_interpolate_button": "插值",
    "gan_gif_label": "插值动图（GIF）",
    "vae_tab": "VAE：隐变量滑块",
    "vae_image_label": "由 z 解码出的图像",
    "vae_seed_label": "种子",
    "vae_random_button": "随机",
    "vae_reset_button": "全部归零",
    "vae_from_upload_button": "用上传的图像",
    "vae_z_accordion": "隐变量 z 的数值（按维度编号排列）",
    "vae_z_label": "z",
    "vae_decode_button": "解码 z",
    "vae_traversal_accordion": "遍历：每个维度从 -3 变到 +3，共 7 步",
    "vae_traverse_button": "画出遍历图",
    "vae_traversal_label": "遍历图（每行一个维度，信息量最大的在前）",
    "vae_map_accordion": "二维隐空间地图",
    "vae_dim_x_label": "横轴（x）",
    "vae_dim_y_label": "纵轴（y）",
    "vae_map_button": "画出地图",
    "vae_map_note_label": "地图说明",
    "vae_map_label": "解码出的 10×10 网格",
    "vae_scatter_label": "测试集的后验均值",
    "encode_tab": "编码 / 解码",
    "encode_upload_tab": "上传",
    "encode_draw_tab": "手绘",
    "encode_image_label": "图像",
    "encode_upload_button": "编码上传的图像",
    "encode_sketch_label": "画一个数字",
    "encode_sketch_button": "编码手绘的图像",
    "encode_seen_label": "模型看到的输入",
    "encode_recon_label": "重建结果",
    "encode_error_label": "误差",
    "encode_posterior_label": "从 q(z|x) 中采样",
    "encode_chart_label": "隐变量的均值 ± 标准差",
    "encode_edit_button": "在滑块中编辑",
    "encode_numbers_accordion": "数值",
    "encode_numbers_label": "数值（mse、psnr_db、mu、std）",
    "card_tab": "模型卡片",
    "card_gan_samples_label": "GAN 样本",
    "card_gan_curves_label": "GAN 损失曲线",
    "card_vae_samples_label": "VAE 样本",
    "card_vae_curves_label": "VAE 损失曲线",
    # ---- the app's notes built on the server (Python format templates) ---------------------------------------------
    "gan_missing": "**{model}** 没有 GAN；有 GAN 的模型：{available}。",
    "vae_missing": "**{model}** 没有 VAE；有 VAE 的模型：{available}。",
    "none_available": "无",
    "vae_slider_help": "滑块按每个维度相对先验的 KL 排序（在测试集上取平均，单位 nat），信息量最大的排在前面。"
                       "KL 接近 0 的维度不携带图像的任何信息：编码器让它保持先验分布，解码器也学会了忽略它，"
                       "所以拖动它的滑块几乎没有变化（{total} 个维度中有 {unused} 个低于 {threshold} nat）。",
    "vae_no_latents": "{model}/vae 没有可用的 latents.safetensors：滑块按维度编号排列，二维隐空间地图也不显示测试集的散点。",
    # ---- the tab and its controls ----------------------------------------------------------------------------
    "how_tab": "原理讲解",
    "how_section_gan": "GAN",
    "how_section_vae": "VAE",
    "how_section_pitfalls": "常见错误",
    "how_section_faq": "常见问题",
    "how_digit_label": "数字",
    "how_digit_info": "从测试集中取一张该类别的真实数字，再生成一张同类别的数字，交给训练好的判别器打分。",
    "how_seed_label": "生成数字的种子",
    "how_seed_info": "种子决定生成器的噪声 z：同一个种子永远生成同一张数字。",
    "how_score_button": "让判别器打分",
    "how_real_image_label": "真实数字（测试集）",
    "how_fake_image_label": "生成的数字（同一类别）",
    "how_gan_curves_label": "GAN 训练损失（来自 card.json）",
    "how_vae_curves_label": "VAE 训练损失（来自 card.json）",
    "how_kl_plot_label": "每个隐变量维度的 KL（单位：nat）",
    "how_refresh_button": "在线模型演示",
    # ---- static content (Markdown + LaTeX) ----------------------------------------------------------------------
    "how_intro_md": r"""## 原理讲解

genimg 里有两类生成模型。**GAN**（生成对抗网络）让一个“画手”网络和一个“鉴定师”网络互相较量，从而学会画图；
**VAE**（变分自编码器）学会把一张图压缩成几个数，再从这几个数把图画回来。下面把每个思想都写成代码里真正在优化的公式，
再拿本应用的在线模型亲手验证。最后两节指出本项目起源的那篇文章中代码示例的错误，并解答一些常见问题。""",
    "how_gan_theory_md": r"""### GAN：两个网络之间的博弈

**生成器** $G$ 把随机噪声 $z \sim \mathcal{N}(0, I)$ 变成一张图像 $G(z)$。**判别器** $D$ 看一张图像，输出
$D(x) \in (0, 1)$，表示它认为 $x$ 是真实训练图像的概率。在代码里，$D$ 输出的是一个 logit $f(x)$，
而 $D(x) = \sigma(f(x)) = 1 / (1 + e^{-f(x)})$。

两者进行一场极小极大博弈（Goodfellow 等，2014）：

$$\min_G \max_D V(D, G) = \mathbb{E}_{x \sim p_{\mathrm{data}}}\left[\log D(x)\right] + \mathbb{E}_{z \sim p(z)}\left[\log\left(1 - D(G(z))\right)\right]$$

- $D$ 希望 $V$ 越大越好：对真实图像 $D(x) \to 1$，对生成图像 $D(G(z)) \to 0$。
- $G$ 希望 $V$ 越小越好：它想让自己画的图被当成真的。

当 $G$ 固定时，最优判别器为 $D^{*}(x) = \frac{p_{\mathrm{data}}(x)}{p_{\mathrm{data}}(x) + p_g(x)}$。
当生成器的分布 $p_g$ 与真实分布 $p_{\mathrm{data}}$ 完全相同时，处处都有 $D^{*}(x) = 1/2$：判别器只能靠猜。

**genimg 实际使用的损失。** 因为 $-\log \sigma(a) = \mathrm{softplus}(-a)$，
$-\log(1 - \sigma(a)) = \mathrm{softplus}(a)$，判别器最小化

$$L_D = \mathrm{softplus}\left(-f(x)\right) + \mathrm{softplus}\left(f(G(z))\right)$$

这正是用 logit 写出的 $-V$（数值稳定，不会出现 $\log 0$）。至于生成器，如果直接最小化 $\log(1 - D(G(z)))$，
梯度会*饱和*：训练初期 $D$ 很容易识破假图，$D(G(z)) \approx 0$，梯度几乎为零。所以 Goodfellow 等（2014，第 3 节）
改为让 $G$ 最大化 $\log D(G(z))$，这就是**非饱和**损失：

$$L_G = -\log D(G(z)) = \mathrm{softplus}\left(-f(G(z))\right)$$

它和原目标有相同的不动点，却恰好在 $G$ 还画得很差时提供很强的梯度。

**交替更新。** 每一步训练（见 `genimg/train.py` 中的 `train_gan`）：

1. 取一批真实图像 $x$ 和一批噪声 $z$，生成 $G(z)$；
2. 对 $D$ 做一步 Adam 更新，降低 $L_D$（$G(z)$ 已经 detach，$G$ 不动）；
3. 对 $G$ 做一步 Adam 更新，降低 $L_G$；梯度穿过 $D$ 传回来，但只有 $G$ 的参数被更新。

genimg 的 GAN 是条件 GAN（$G(z, y)$ 与 $D(x, y)$，判别器带投影项），判别器的每一层都做了谱归一化，并带有小批量标准差特征（惩罚总是画同一张图的生成器），
真图和假图在送进 $D$ 之前都经过同样的随机平移（DiffAugment），采样时使用 $G$ 权重的滑动平均（EMA）。

达到均衡时 $L_D = 2 \ln 2 \approx 1.386$，$L_G = \ln 2 \approx 0.693$，也就是损失曲线图里的虚线。""",
    "how_gan_live_md": r"""#### 在在线模型上验证

选一个数字。应用会从测试集中取一张该类别的**真实**数字，再用你选的种子**生成**一张同类别的数字，然后请训练好的判别器
$D(x, y)$ 给两者打分。训练得好的 GAN 会让判别器拿不准：两个分数都接近 $0.5$。如果真实数字得分接近 1、生成数字接近 0，
说明判别器占了上风。只看一对图像误差很大，多换几个种子试试。这里的判别器是最近一个 epoch 保存的那个；生成器则是
GAN 标签页采样所用的滑动平均（EMA）生成器。""",
    "how_gan_curves_md": r"""`loss_d` 和 `loss_g` 是 `card.json`（`history` 字段）里记录的每个 epoch 的 $L_D$ 与 $L_G$ 平均值；
`d_real` 和 `d_fake` 是 logit $f(x)$ 与 $f(G(z))$ 的平均值（$0$ 对应 $D = 0.5$）。GAN 的损失不会降到零：
`loss_d` 一直停在 $2 \ln 2$ 附近说明双方势均力敌，而不是训练卡住了。如果 `loss_d` 一路降向 $0$，说明判别器赢了，
生成器再也得不到有用的信号。""",
    "how_vae_theory_md": r"""### VAE：先压缩，再画回来

**编码器**把图像 $x$ 映射成一个关于小维度编码 $z$ 的分布：
$q_\phi(z \mid x) = \mathcal{N}\left(\mu_\phi(x), \mathrm{diag}\, \sigma^2_\phi(x)\right)$
（代码中是 `mu, logvar = vae.encode(x)`，`logvar` 即 $\log \sigma^2$）。**解码器**再把编码映射回图像的分布
$p_\theta(x \mid z)$。先验取 $p(z) = \mathcal{N}(0, I)$，因此训练完成后，从 $\mathcal{N}(0, I)$ 中抽出的*任意* $z$
都能解码成一张像样的图像，滑块用的就是这一点。

对数似然 $\log p_\theta(x)$ 无法直接计算，所以 VAE 最大化它的一个下界，即**证据下界 ELBO**（Kingma 与 Welling，2014）：

$$\log p_\theta(x) \ge \mathcal{L}(x) = \mathbb{E}_{q_\phi(z \mid x)}\left[\log p_\theta(x \mid z)\right] - D_{\mathrm{KL}}\left(q_\phi(z \mid x) \,\|\, p(z)\right)$$

第一项奖励忠实的重建；第二项让每个编码都靠近先验，使编码空间里没有“空洞”。genimg 对每张图像最小化 $-\mathcal{L}$，
单位是 nat（见 `VAE.loss` 和 `train_vae`）。

**重参数化。** 直接从 $q_\phi(z \mid x)$ 中采样 $z$，对 $\mu$ 和 $\sigma$ 不可导。改写成

$$z = \mu + \sigma \odot \varepsilon, \quad \varepsilon \sim \mathcal{N}(0, I), \quad \sigma = \exp\left(\tfrac{1}{2} \log \sigma^2\right)$$

随机性就转移到了 $\varepsilon$ 上，梯度可以传到编码器（见 `VAE.forward`）。

**手写数字的重建项。** 每个像素 $x_i \in [0, 1]$ 被看作均值为 $\hat{x}_i = \sigma(\ell_i)$ 的伯努利变量，
其中 $\ell$ 是解码器输出的 logit：

$$-\log p_\theta(x \mid z) = -\sum_{i} \left[x_i \log \hat{x}_i + (1 - x_i) \log\left(1 - \hat{x}_i\right)\right]$$

也就是在 784 个像素上**求和**（而不是求平均）的二元交叉熵：若取平均，这一项相对 KL 项会被缩小 784 倍。
每张图像只采样一个 $z$ 来估计期望。（彩色 emoji 则改用可学习尺度的高斯似然，即“$\sigma$-VAE”。）

**KL 项的闭式解。** 对角高斯分布相对于 $\mathcal{N}(0, I)$ 的 KL 散度（Kingma 与 Welling 2014，附录 B）为：

$$D_{\mathrm{KL}}\left(q_\phi(z \mid x) \,\|\, \mathcal{N}(0, I)\right) = -\frac{1}{2} \sum_{j=1}^{J} \left(1 + \log \sigma_j^2 - \mu_j^2 - \sigma_j^2\right)$$

每个隐变量维度 $j$ 各贡献一项（见 `genimg/models/vae.py` 中的 `kl_divergence`）。只有当 $\mu_j = 0$ 且 $\sigma_j = 1$，
也就是第 $j$ 维对 $x$ 毫无信息时，这一项才为零。""",
    "how_kl_md": r"""#### 为什么有些滑块几乎不起作用

图中是每个隐变量维度的 KL 在测试集上的平均值，顺序与 VAE 标签页里的滑块一致（信息量最大的排在前面）。
KL 大的维度携带了图像的信息：拖动它的滑块，数字就会变化。KL 接近 $0$ 的维度，对*每一张*图像都有
$q(z_j \mid x) \approx \mathcal{N}(0, 1)$：编码器没有往里写任何信息，解码器也就学会了忽略它，拖动它的滑块几乎没有变化
（这样的维度称为*不活跃*或*坍缩*的维度）。KL 项为编码携带的每一个 nat 的信息“收费”，VAE 只为值得的维度付费。
所有柱子加起来，就是 ELBO 中的 KL 项。""",
    "how_vae_curves_md": r"""`loss` 是训练批次上的 $-\mathcal{L}$，`test_loss` 是测试集上的同一量（单位：每张图像的 nat 数）；
`recon` 和 `kl` 是它的两项。KL 项通常在训练早期上升（编码器开始利用编码），同时重建项下降；ELBO 就是两者之间的平衡。
如果测试损失上升而训练损失继续下降，说明模型过拟合了。""",
    "how_pitfalls_md": r"""## 常见错误（来自原文自己的代码示例）

原文的 Keras 示例看起来像模像样，但要么跑不起来，要么做的事和文字说的不一样。下面每个错误都很常见。

**1. 生成器输出 40×40，判别器却要求 64×64。** 生成器先 reshape 成 5×5，再经过三个步长为 2 的转置卷积：
5 → 10 → 20 → 40，输出 40×40×3 的图像；而判别器声明的是 `input_shape=(64, 64, 3)`。把两者连起来训练生成器时，
会直接报形状错误；如果靠缩放图像来“修好”，判别器还可能学会识别缩放痕迹，而不是判断图像像不像真的。
VAE 示例也有同样的问题：输入 64×64，解码器 4 → 8 → 16 → 32，输出 32×32，重建损失根本算不出来。
此外，判别器最后一层仍是步长为 2 的卷积，输出的是 4×4 的概率图，而不是每张图像一个分数。
*genimg 的做法：* `genimg/models/gan.py` 中的 `start_size` 选定第一层特征图的大小，使逐次翻倍正好落在数据尺寸上
（MNIST 为 7 → 14 → 28，emoji 为 4 → 8 → 16 → 32 → 64）；判别器是它的镜像（28 → 14 → 7），最后用一个全连接层
为每张图像输出一个 logit；每一步变换旁边都注明了张量形状。

**2. ReLU 后面再接 LeakyReLU。** `Dense(256, activation='relu')` 后面接 `LeakyReLU()`，等于对已经 ≥ 0 的数施加
LeakyReLU，而它在非负数上就是恒等映射：“leaky”的部分从来不起作用，整个网络其实就是普通的 ReLU 网络。
DCGAN 在判别器里特意使用 LeakyReLU，是为了让每个输入都能把梯度传回生成器；而在这里，输出恒为 0 的单元一点梯度也传不回去
（即“死亡 ReLU”）。同样的 `Conv2D(..., activation='relu')` + `LeakyReLU()` 组合在判别器和 VAE 编码器里反复出现。
*genimg 的做法：* 每层只用一个激活函数：生成器用 ReLU，判别器用 `LeakyReLU(0.2)`（见 `genimg/models/gan.py`），
VAE 用 SiLU。判别器直接输出 logit（不加 sigmoid），损失对 logit 使用 `softplus`：公式相同，但不会出现 $\log 0$。

**3. 没有采样层、也没有 KL 项的“VAE”。** `Sequential([encoder, decoder])` 只是一个普通的自编码器。编码器输出的是一个
确定的向量（16×16×128 的特征图，共 32768 个数，比图像本身的 12288 个数还多）；没有 $\mu$，没有 $\sigma$，
没有 $z = \mu + \sigma \varepsilon$，也没有任何东西把编码拉向 $\mathcal{N}(0, I)$。它也许能学会重建，但编码空间里
处处是“空洞”：解码一个随机的 $z$，或两个编码之间的一个点，得到的只是噪声，所以它无法生成新图像，而这恰恰是 VAE 的用途。
*genimg 的做法：* `VAE.encode` 返回 $(\mu, \log \sigma^2)$；`VAE.forward` 采样 $z = \mu + \sigma \varepsilon$；
`VAE.loss` 返回重建项和闭式 KL（`kl_divergence`，附录 B），`train_vae` 最小化两者之和。

**4. 文字中的小错误。** 原文说 VAE 最大化对数似然，其实它最大化的是 ELBO，即对数似然的一个下界。原文把
Kullback-Leibler divergence 称为“熵距”，通常的译名是“KL 散度”（又称相对熵）。另外，原文的训练代码只有一行 `# ...`，
恰恰省略了让 GAN 成为 GAN 的交替更新。""",
    "how_faq_md": r"""## 常见问题

**GAN 和 VAE 有什么不同？** 两者都把随机数变成图像。GAN 只学习“噪声 → 图像”这一个方向，由另一个网络来评判。
它的样本往往更清晰，但没有编码器（无法回答“哪个 $z$ 生成了这张图”），也给不出似然值，而且训练可能不稳定，
或者坍缩到只会画少数几种图像（模式坍缩）。VAE 两个方向都学，还给出似然的下界，因此可以编码你自己画的图、
衡量重建得好不好，并提供一个平滑的隐空间供你探索（就是那些滑块）；它的样本通常更模糊，因为它的似然鼓励对各种
可能的图像取平均。

**图像生成和图像识别有什么区别？** 识别学习的是 $p(y \mid x)$：输入图像，输出标签。生成学习的是 $p(x)$ 或 $p(x \mid y)$：
它必须画出一张可能来自数据集的图像的每一个像素。两者共用许多基本组件（卷积；genimg 甚至用一个小型数字分类器来给生成器打分），
生成的图像也可以为识别任务补充训练数据，但一个能认出“7”的模型，自己并不会画“7”。

**这些模型能用来做深度伪造（deepfake）吗？** 这里的不能。它们非常小（一两百万个参数），只在 9000 张 MNIST 数字或几千个
emoji 上训练了几分钟，只能画出这类 28×28 的数字或 64×64 的 emoji：画不了人脸、照片、声音或文字，也不接受文字提示。
但同样的思想放大之后，确实是深度伪造背后的技术，所以：未经本人同意，不要生成真实人物的图像；合成的图像要标明是合成的；
记住生成模型可能记住并复现训练样本，当训练数据涉及个人信息（人脸、医学影像、某个人的笔迹）时，这就是隐私风险；
还要遵守训练数据的许可协议。

**它们能做什么，不能做什么？** 它们能根据种子采样新的数字或 emoji，在两者之间插值，展示一个可以探索的隐空间，
重建你上传的图像，并作为上面这些数学原理的一个小而完整、可以逐行阅读的实例。它们不能生成训练领域之外的任何东西，
达不到大型现代模型的质量，也无法判断一张照片是真是假：这里的判别器只是训练工具，不是深度伪造检测器。""",
    # ---- text built on the server from live numbers (Python format templates) -----------------------------------
    "how_score_table": "| | 类别 | $D(x)$ | logit $f(x)$ |\n|---|---|---|---|\n"
                       "| 真实测试数字 | {label} | **{real_prob:.3f}** | {real_logit:+.2f} |\n"
                       "| 生成数字（种子 {seed}） | {label} | **{fake_prob:.3f}** | {fake_logit:+.2f} |",
    "how_verdict_balanced": "两个分数很接近：对这一对图像，判别器分不清真假，这正是 GAN 达到平衡时的样子（未经训练的 GAN 看起来也一样，可以用损失曲线区分两者）。",
    "how_verdict_discriminator_wins": "真实数字的得分明显更高：对这一对图像，判别器仍然能分辨真假。",
    "how_verdict_discriminator_fooled": "生成数字的得分比真实数字还高：对这一对图像，判别器被骗过了。",
    "how_score_group_note": "判别器以 {group} 张图像为一组来看：其中的小批量标准差特征会比较同组图像之间的差异，"
                            "从而惩罚总是画同一张图的生成器。因此和训练时一样，真实数字与另外 {others} 张真实测试数字一起打分，"
                            "生成数字与另外 {others} 张生成数字一起打分。组内平均分：真实 {real_mean:.3f}，生成 {fake_mean:.3f}。",
    "how_no_discriminator": "这个 GAN 旁边没有保存判别器（应在 `{path}`），所以这一部分无法运行。训练会在每个 epoch "
                            "结束后写出判别器；仓库没有提交 emoji GAN 的判别器，以便检查点总大小保持在 40 MB 以内"
                            "（自己训练一次即可得到）。",
    "how_kl_summary": "{total} 个隐变量维度中有 {active} 个携带超过 {threshold} nat 的信息；其余 {inactive} 个几乎没被使用，"
                      "拖动它们的滑块图像几乎不变。KL 总和：每张图像 {total_kl:.1f} nat（{source}）。",
    "how_kl_summary_all_active": "全部 {total} 个隐变量维度都携带超过 {threshold} nat 的信息，所以每个滑块都会改变图像；"
                                 "排在最后的几个（KL 最小）影响最小。KL 总和：每张图像 {total_kl:.1f} nat（{source}）。",
    "how_kl_source_test_split": "测试集上的平均值",
    "how_kl_source_examples": "这个 VAE 没有 latents.safetensors，因此用 {count} 张示例数字估计",
    "how_vae_numbers": "这个 VAE 训练了 {epochs} 个 epoch，在测试集上：重建 {recon:.1f} + KL {kl:.1f} = 每张图像 {loss:.1f} nat，"
                       "即 ELBO 为 {elbo:.1f} nat。",
    "how_no_history": "这个检查点的 card.json 里没有训练记录。",
    "how_live_unavailable": "在线模型暂时无法展示这一部分：{error}",
}

TABLES: dict[str, dict[str, str]] = {"en": EN, "zh": ZH}
DEFAULT_LANGUAGE = "en"


def language_from_header(accept_language: str | None) -> str:
    """An HTTP Accept-Language header -> "zh" or "en": the highest-weighted language we have, English by default.

    'zh-CN,zh;q=0.9,en;q=0.8' -> 'zh'; 'fr-FR,en;q=0.5' -> 'en'; None or '' -> 'en'. Any Chinese tag
    (zh, zh-CN, zh-TW, zh-Hans, ...) gets the Simplified Chinese table.
    """
    ranked = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        if weight > 0:  # q=0 means "not acceptable"
            ranked.append((-weight, position, tag.strip().lower().split("-")[0]))
    for _, _, base in sorted(ranked):
        if base in TABLES:
            return base
    return DEFAULT_LANGUAGE


def text(key: str, language: str = DEFAULT_LANGUAGE) -> str:
    """The string for key in language ("en" or "zh"); KeyError for an unknown key or language."""
    if language not in TABLES:
        raise KeyError(f"unknown language {language!r}; accepted: {', '.join(TABLES)}")
    return TABLES[language][key]

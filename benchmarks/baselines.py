"""Baselines beside genimg: same split, same wall-clock budget, same ruler (genimg.evaluate).

Trains four models on the mnist train split, each for --minutes M of wall-clock time:
  dcgan       the pytorch/examples dcgan recipe: nz=100, ngf=ndf=64, Adam lr 2e-4 beta1 0.5, batch 64,
              BCE (sigmoid cross-entropy), weights N(0, 0.02); 32x32 for digits (the train images are
              resized 28 -> 32; samples are resized back to 28 for the classifier)
  mlp_vae     the pytorch/examples vae recipe: MLP 784-400-20, Adam lr 1e-3, batch 128, summed BCE + KL
  genimg_gan  python -m genimg.train gan --minutes M (genimg's defaults)
  genimg_vae  python -m genimg.train vae --minutes M
Both baselines are written here from those published hyper-parameters (Radford et al. 2015; Kingma &
Welling 2014), not copied. Two trainings run at a time, one torch thread each, so each gets one core
(2-core CPU); then every model is scored by genimg.evaluate and a table with ratios is printed:
targets at M=10 are genimg GAN FID <= 0.5x dcgan's and genimg VAE test loss <= 0.9x mlp_vae's.

    python benchmarks/baselines.py --minutes 10 --out runs/baselines --readme README.md   # ~20 min + eval
    python benchmarks/baselines.py --minutes 10 --out runs/baselines --pairs vae --readme README.md  # retrain VAEs
    python benchmarks/baselines.py --minutes 10 --out runs/baselines --eval-only          # re-score
    python benchmarks/baselines.py --minutes 10 --out runs/baselines --report --readme README.md  # table only
    python benchmarks/baselines.py --train dcgan --minutes 1 --out /tmp/b                 # one trainer

Checkpoints are safetensors + JSON (never pickles). This file is a benchmark, not part of the package.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import load_file
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from genimg import data as datasets  # noqa: E402
from genimg import evaluate  # noqa: E402
from genimg.checkpoints import atomic_save_tensors, atomic_write_bytes, atomic_write_json, load, read_card  # noqa: E402
from genimg.models.vae import kl_divergence  # noqa: E402
from genimg.sampling import latent_from_seed  # noqa: E402

BASELINE_MARKERS = ("<!-- baselines:start -->", "<!-- baselines:end -->")
ORDER = [("genimg_gan", "dcgan"), ("genimg_vae", "mlp_vae")]  # trained pairwise, one core each


# --- the two baselines ------------------------------------------------------------------------


class DCGANGenerator(nn.Module):
    """z (N, nz, 1, 1) -> (N, nc, 32, 32) in [-1, 1]: the dcgan recipe with one stage fewer for 32x32."""

    def __init__(self, nz: int = 100, ngf: int = 64, nc: int = 1):
        super().__init__()
        self.z_dim = nz
        self.main = nn.Sequential(
            nn.ConvTranspose2d(nz, ngf * 4, 4, 1, 0, bias=False), nn.BatchNorm2d(ngf * 4), nn.ReLU(True),
            # state size. (ngf*4) x 4 x 4
            nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 2), nn.ReLU(True),
            # state size. (ngf*2) x 8 x 8
            nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf), nn.ReLU(True),
            # state size. ngf x 16 x 16
            nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False), nn.Tanh(),
            # state size. nc x 32 x 32
        )

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.main(z)


class DCGANDiscriminator(nn.Module):
    """(N, nc, 32, 32) -> real/fake logit (N,); the sigmoid lives in the loss (BCE with logits)."""

    def __init__(self, ndf: int = 64, nc: int = 1):
        super().__init__()
        self.main = nn.Sequential(
            nn.Conv2d(nc, ndf, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, inplace=True),
            # state size. ndf x 16 x 16
            nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 2), nn.LeakyReLU(0.2, inplace=True),
            # state size. (ndf*2) x 8 x 8
            nn.Conv2d(ndf * 2, ndf * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 4), nn.LeakyReLU(0.2, inplace=True),
            # state size. (ndf*4) x 4 x 4
            nn.Conv2d(ndf * 4, 1, 4, 1, 0, bias=False),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.main(x).view(-1)


def dcgan_init(module: nn.Module) -> None:
    """Radford et al. 2015: all weights from N(0, 0.02); BatchNorm scales from N(1, 0.02), shifts 0."""
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):
        nn.init.normal_(module.weight, 0.0, 0.02)
    elif isinstance(module, nn.BatchNorm2d):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


class MLPVAE(nn.Module):
    """The pytorch/examples VAE: 784 -> 400 -> (mu, logvar) in R^20 -> 400 -> 784 Bernoulli logits.

    Same method names as genimg's VAE (encode, decoder_output, decode, reconstruction_nll), so
    genimg.evaluate.metrics scores it unchanged.
    """

    def __init__(self, hidden: int = 400, z_dim: int = 20):
        super().__init__()
        self.z_dim = z_dim
        self.fc1, self.fc21, self.fc22 = nn.Linear(784, hidden), nn.Linear(hidden, z_dim), nn.Linear(hidden, z_dim)
        self.fc3, self.fc4 = nn.Linear(z_dim, hidden), nn.Linear(hidden, 784)

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = F.relu(self.fc1(x.reshape(-1, 784)))  # (N, 400)
        return self.fc21(h), self.fc22(h)  # mu, logvar: (N, 20) each

    def decoder_output(self, z: torch.Tensor) -> torch.Tensor:
        return self.fc4(F.relu(self.fc3(z))).view(-1, 1, 28, 28)  # logits

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.decoder_output(z))

    def reconstruction_nll(self, out: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """Summed binary cross-entropy per image (N,), the pytorch/examples reconstruction term."""
        return F.binary_cross_entropy_with_logits(out, x, reduction="none").flatten(1).sum(1)


# --- training (one process per model) ---------------------------------------------------------


def train_images() -> torch.Tensor:
    """The mnist train split (i % 10 != 9) as float (N, 1, 28, 28) in [0, 1]."""
    train = datasets.load("mnist").split("train")
    return torch.from_numpy(train.images).permute(0, 3, 1, 2).float() / 255.0


def epochs_of(n: int, batch_size: int, generator: torch.Generator):
    """Endless shuffled full batches of indices, epoch after epoch: yields (epoch, indices)."""
    epoch = 0
    while True:
        order = torch.randperm(n, generator=generator)
        for i in range(0, n - batch_size + 1, batch_size):
            yield epoch, order[i:i + batch_size]
        epoch += 1


def train_dcgan(out: Path, minutes: float, seed: int) -> dict:
    torch.manual_seed(seed)
    real_all = F.interpolate(train_images(), size=32, mode="bilinear", align_corners=False) * 2 - 1  # (N, 1, 32, 32)
    G, D = DCGANGenerator(), DCGANDiscriminator()
    G.apply(dcgan_init), D.apply(dcgan_init)
    opt_g = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    bce = nn.BCEWithLogitsLoss()  # = Sigmoid + BCELoss of the recipe, computed stably
    steps, start = 0, time.monotonic()
    for epoch, idx in epochs_of(len(real_all), 64, torch.Generator().manual_seed(seed)):
        if time.monotonic() - start >= minutes * 60:
            break
        real = real_all[idx]
        fake = G(torch.randn(len(real), 100, 1, 1))
        # D: maximise log D(x) + log(1 - D(G(z))) (Goodfellow et al. 2014, eq. 1)
        loss_d = bce(D(real), torch.ones(len(real))) + bce(D(fake.detach()), torch.zeros(len(real)))
        opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        opt_d.step()
        # G: maximise log D(G(z)) (the non-saturating loss, sec. 3)
        loss_g = bce(D(fake), torch.ones(len(real)))
        opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        opt_g.step()
        steps += 1
    G.eval()
    atomic_save_tensors(out / "model.safetensors", G.state_dict())
    return {"epochs": epoch, "steps": steps, "images_seen": steps * 64, "final_losses": {
        "loss_d": round(loss_d.item(), 4), "loss_g": round(loss_g.item(), 4)}}


def train_mlp_vae(out: Path, minutes: float, seed: int) -> dict:
    torch.manual_seed(seed)
    images = train_images()
    vae = MLPVAE()
    opt = torch.optim.Adam(vae.parameters(), lr=1e-3)
    steps, start = 0, time.monotonic()
    for epoch, idx in epochs_of(len(images), 128, torch.Generator().manual_seed(seed)):
        if time.monotonic() - start >= minutes * 60:
            break
        x = images[idx]
        mu, logvar = vae.encode(x)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)  # reparameterisation trick
        # -ELBO summed over the batch: BCE + KL (Kingma & Welling 2014, Appendix B), as the recipe does
        loss = vae.reconstruction_nll(vae.decoder_output(z), x).sum() + kl_divergence(mu, logvar).sum()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        steps += 1
    atomic_save_tensors(out / "model.safetensors", vae.state_dict())
    return {"epochs": epoch, "steps": steps, "images_seen": steps * 128,
            "final_losses": {"loss": round(loss.item() / len(x), 3)}}


def train_one(name: str, out: Path, minutes: float, seed: int) -> None:
    """Train one model into out/ (a subprocess of the pairwise schedule)."""
    torch.set_num_threads(1)
    command = f"python benchmarks/baselines.py --train {name} --minutes {minutes:g} --seed {seed}"
    out = out.resolve()
    if name.startswith("genimg_"):
        argv = [sys.executable, "-m", "genimg.train", name.removeprefix("genimg_"), "--data", "mnist",
                "--out", str(out), "--minutes", str(minutes), "--seed", str(seed)]
        subprocess.run(argv, check=True, cwd=Path(__file__).resolve().parents[1], env=single_thread_env())
        return
    t0 = time.monotonic()
    record = (train_dcgan if name == "dcgan" else train_mlp_vae)(out, minutes, seed)
    atomic_write_json(out / "card.json", {"kind": name, "dataset": "mnist", "command": command,
                                          "minutes": minutes, "wall_time_s": round(time.monotonic() - t0, 1),
                                          "threads": 1, **record})


def single_thread_env() -> dict:
    return dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")


def train_all(out: Path, minutes: float, seed: int, pairs: list[str]) -> None:
    """Pairs of trainings side by side, one core each ("gan": genimg_gan + dcgan, "vae": genimg_vae + mlp_vae)."""
    for pair in [p for p in ORDER if p[0].removeprefix("genimg_") in pairs]:
        procs = [subprocess.Popen([sys.executable, __file__, "--train", name, "--minutes", str(minutes),
                                   "--seed", str(seed), "--out", str(out)], env=single_thread_env())
                 for name in pair]
        print(f"training {' and '.join(pair)} for {minutes} min each ...", file=sys.stderr)
        codes = [p.wait() for p in procs]
        if any(codes):
            raise SystemExit(f"training failed: {dict(zip(pair, codes))}")


# --- evaluation -------------------------------------------------------------------------------


def load_baseline(cls, directory: Path) -> nn.Module:
    model = cls()
    model.load_state_dict(load_file(directory / "model.safetensors"), strict=True)
    return model.eval()


@torch.no_grad()
def dcgan_samples(G: DCGANGenerator, seeds: list[int]) -> np.ndarray:
    """Seeds -> z (StyleGAN convention, nz=100) -> 32x32 -> resized to 28x28 uint8 (N, 28, 28, 1)."""
    z = torch.from_numpy(np.stack([latent_from_seed(s, 100) for s in seeds]))[:, :, None, None]  # (N, 100, 1, 1)
    x = F.interpolate(G(z), size=28, mode="bilinear", antialias=True, align_corners=False)  # (N, 1, 28, 28)
    return ((x.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8).permute(0, 2, 3, 1).numpy()


def evaluate_all(out: Path, classifier: Path, num_samples: int) -> dict:
    ref = evaluate.build_reference(out / "genimg_gan", read_card(out / "genimg_gan"), classifier)
    seeds = list(range(evaluate.SEED, evaluate.SEED + num_samples))
    dcgan = load_baseline(DCGANGenerator, out / "dcgan")
    results = {
        "genimg_gan": evaluate.evaluate_gan(load(out / "genimg_gan"), ref, num_samples),
        "dcgan": evaluate.score_images(evaluate.generate_batched(lambda s: dcgan_samples(dcgan, s), seeds,
                                                                 "dcgan samples"), ref),
        "genimg_vae": evaluate.evaluate_vae(load(out / "genimg_vae"), ref, num_samples),
        "mlp_vae": evaluate.evaluate_vae(load_baseline(MLPVAE, out / "mlp_vae"), ref, num_samples),
    }
    for name, metrics in results.items():
        card = json.loads((out / name / "card.json").read_text())
        metrics["training"] = {k: card.get(k) for k in ("epochs", "steps", "wall_time_s", "command")}
    results["classifier_test_accuracy"] = ref.classifier_test_accuracy
    results["floor"] = ref.floor
    return results


def table(results: dict, minutes: float) -> str:
    f = results["floor"]
    rows = [f"Budget: {minutes:g} min of wall-clock training each, one CPU thread each, two at a time on a 2-core "
            f"CPU; mnist train split; scored by `genimg.evaluate` (10,000 seeded samples vs the test split; "
            f"classifier test accuracy {results['classifier_test_accuracy']:.4f}).", "",
            "| model | steps | FID | KID | precision | recall | test −ELBO (nats) | IW bound k=100 |",
            "|---|---|---|---|---|---|---|---|",
            f"| real train split (floor) | – | {f['fid']:.2f} | {f['kid']:.2f} | {f['precision']:.3f} | "
            f"{f['recall']:.3f} | – | – |"]
    for name in ("genimg_gan", "dcgan", "genimg_vae", "mlp_vae"):
        m = results[name]
        s = m.get("samples", m)  # a VAE's sample metrics sit under "samples"
        loss = f"{m['test_loss_nats']:.2f}" if "test_loss_nats" in m else "–"
        iw = f"{m['iw_nll_nats']:.2f}" if "iw_nll_nats" in m else "–"
        rows.append(f"| {name} | {m['training']['steps']} | {s['fid']:.2f} | {s['kid']:.2f} | {s['precision']:.3f} | "
                    f"{s['recall']:.3f} | {loss} | {iw} |")
    gan_ratio = results["genimg_gan"]["fid"] / results["dcgan"]["fid"]
    vae_ratio = results["genimg_vae"]["test_loss_nats"] / results["mlp_vae"]["test_loss_nats"]
    rows += ["", f"- GAN FID ratio genimg / dcgan = {gan_ratio:.3f} (target <= 0.5: "
             f"{'met' if gan_ratio <= 0.5 else 'NOT met'})",
             f"- VAE test loss ratio genimg / mlp_vae = {vae_ratio:.3f} (target <= 0.9: "
             f"{'met' if vae_ratio <= 0.9 else 'NOT met'})"]
    return "\n".join(rows) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, required=True, help="wall-clock training budget per model")
    parser.add_argument("--out", type=Path, default=Path("runs/baselines"), help="where the runs are written")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--classifier", type=Path, default=Path("checkpoints/mnist/classifier"))
    parser.add_argument("--num-samples", type=int, default=evaluate.NUM_SAMPLES)
    parser.add_argument("--train", choices=["dcgan", "mlp_vae", "genimg_gan", "genimg_vae"],
                        help="train only this one (used by the schedule)")
    parser.add_argument("--pairs", default="gan,vae",
                        help="which pairs to (re)train before scoring all four: gan, vae or gan,vae")
    parser.add_argument("--eval-only", action="store_true", help="score the runs already in --out")
    parser.add_argument("--report", action="store_true", help="only print (and --readme) the table of results.json")
    parser.add_argument("--readme", type=Path, help="put the table between the baselines markers of this file")
    args = parser.parse_args(argv)
    if not (0 < args.minutes <= 600):
        parser.error(f"--minutes must be in (0, 600], got {args.minutes}")
    if not (args.classifier / "card.json").is_file() and args.train is None:
        parser.error(f"--classifier {args.classifier}: no classifier checkpoint; train one with "
                     "`python -m genimg.train classifier --data mnist --out checkpoints/mnist/classifier`")
    if args.readme is not None and not args.readme.is_file():
        parser.error(f"--readme {args.readme}: no such file")
    pairs = [p for p in args.pairs.split(",") if p]
    if not pairs or any(p not in ("gan", "vae") for p in pairs):
        parser.error(f"--pairs must be gan, vae or gan,vae, got {args.pairs!r}")
    out = args.out / f"{args.minutes:g}min"
    kept = [name for pair in ORDER if pair[0].removeprefix("genimg_") not in pairs for name in pair]
    missing = [name for name in kept if not (out / name / "card.json").is_file()]
    if missing and not (args.train or args.eval_only or args.report):
        parser.error(f"--pairs {args.pairs}: {', '.join(missing)} not trained yet in {out}; train all pairs first")
    if args.train:
        train_one(args.train, out / args.train, args.minutes, args.seed)
        return 0
    if args.report:
        if not (out / "results.json").is_file():
            parser.error(f"--report: {out / 'results.json'} does not exist; run without --report first")
        results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    else:
        if not args.eval_only:
            train_all(args.out, args.minutes, args.seed, pairs)
        torch.set_num_threads(2)
        results = evaluate_all(out, args.classifier, args.num_samples)
        atomic_write_json(out / "results.json", results)
    text = table(results, args.minutes)
    print(text)
    if args.readme is not None:
        readme = args.readme.read_text(encoding="utf-8")
        atomic_write_bytes(args.readme, evaluate.replace_between(readme, BASELINE_MARKERS, text, args.readme).encode())
    return 0


if __name__ == "__main__":
    sys.exit(main())

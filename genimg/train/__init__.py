"""Training: one plain, importable loop per model kind, and the command line over them.

    common.py       the run's settings (RunConfig), the wall-clock budget, batches, the card, the per-epoch save
    gan.py          GAN: non-saturating loss, DiffAugment, EMA generator, mode-seeking term
    vae.py          VAE: the ELBO, small-affine augmentation, latent statistics for the app
    classifier.py   the dataset's own classifier, the metrics' ruler
    prior.py        a trained VAE's learned sampling prior: a Gaussian mixture on its training latents (sklearn)
    state.py        resumable state (weights + optimizers) in safetensors, no pickles
    distributed.py  torchrun data parallelism (gloo on CPU, NCCL on GPU)
    cli.py          `python -m genimg.train gan|vae|classifier --data SRC --out DIR ...`, `... prior DIR`

It reads data (genimg.data) and writes checkpoints (genimg.checkpoints); it knows nothing of the app.
"""

from .cli import main, parse_args, train
from .common import RunConfig, UsageError, batches

__all__ = ["RunConfig", "UsageError", "batches", "main", "parse_args", "train"]

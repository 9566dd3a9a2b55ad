"""DCGAN-style generator and discriminator, optionally class-conditional.

The generator follows Radford et al. 2015 (DCGAN): a linear layer to a small feature map, then
stride-2 transposed convolutions with BatchNorm and ReLU, and tanh at the end. The discriminator is
its mirror with LeakyReLU, spectral norm on every layer (Miyato et al. 2018), a minibatch standard
deviation feature (Karras et al. 2018) so it can see a batch that lacks variety, and, for conditional
models, a projection term <embed(y), h> (Miyato & Koyama 2018). Two optional heads serve training only:
`classify` (an auxiliary classifier, Odena et al. 2017, "AC-GAN") and `reconstruct` (a small decoder that
redraws a real image from D's 8x8 features, FastGAN's self-supervised discriminator, Liu et al. 2021).
Neither changes the generator, which is all the app and the browser run. This file holds the networks only:
no I/O, no losses, no training loop (see genimg/train/gan.py).

Images live in [-1, 1], shape (N, C, H, W). Supported sizes: 28 (starts at 7x7), 32 and 64
(start at 4x4).
"""

import math

import torch
from huggingface_hub import PyTorchModelHubMixin
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm


def start_size(image_size: int) -> int:
    """Side of the first feature map: 7 for 28x28 (MNIST), 4 for 32 and 64."""
    if image_size == 28:
        return 7
    if image_size in (32, 64):
        return 4
    raise ValueError(f"image_size must be 28, 32 or 64, got {image_size}")


class Generator(nn.Module, PyTorchModelHubMixin):
    """z (N, z_dim) [+ label (N,)] -> image (N, channels, image_size, image_size) in [-1, 1].

    `class_prior` is p(y) of the training data; sampling uses it to pick a label when none is asked
    for, so a conditional generator still models the whole distribution p(x) = sum_y p(y) p(x|y).
    """

    def __init__(
        self,
        z_dim: int = 64,
        image_size: int = 28,
        channels: int = 1,
        width: int = 64,
        num_classes: int = 0,
        class_names: list[str] | None = None,
        class_prior: list[float] | None = None,
    ):
        super().__init__()
        self.z_dim, self.image_size, self.channels = z_dim, image_size, channels
        self.num_classes = num_classes
        self.class_names = list(class_names or [])
        self.class_prior = list(class_prior or [])
        if num_classes and len(self.class_names) not in (0, num_classes):
            raise ValueError(f"{len(self.class_names)} class_names for {num_classes} classes")
        s0 = start_size(image_size)
        n_up = int(math.log2(image_size // s0))  # 28: 7->14->28; 64: 4->8->16->32->64
        c0 = width * 2 ** (n_up - 1)
        self.c0, self.s0 = c0, s0
        self.embed = nn.Embedding(num_classes, z_dim) if num_classes else None
        self.project = nn.Sequential(
            nn.Linear(z_dim * (2 if num_classes else 1), c0 * s0 * s0, bias=False),
            nn.BatchNorm1d(c0 * s0 * s0),
            nn.ReLU(inplace=True),
        )
        blocks, c = [], c0
        for _ in range(n_up - 1):
            blocks += [
                nn.ConvTranspose2d(c, c // 2, 4, 2, 1, bias=False),
                nn.BatchNorm2d(c // 2),
                nn.ReLU(inplace=True),
            ]
            c //= 2
        blocks += [nn.ConvTranspose2d(c, channels, 4, 2, 1), nn.Tanh()]
        self.blocks = nn.Sequential(*blocks)

    def forward(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        if self.num_classes:
            if labels is None:
                raise ValueError("this generator is class-conditional: pass labels")
            z = torch.cat([z, self.embed(labels)], dim=1)  # (N, 2*z_dim)
        h = self.project(z).view(-1, self.c0, self.s0, self.s0)  # (N, c0, s0, s0)
        x = self.blocks(h)  # (N, channels, image_size, image_size)
        return x


def minibatch_std(h: torch.Tensor, group: int) -> torch.Tensor:
    """Append one channel: the feature std-dev within consecutive groups of `group` images (ProGAN, sec. 3).

    A generator that collapses to one image per class makes this channel ~0, which the discriminator
    learns to punish. Groups are consecutive, so a batch of [reals, fakes] never mixes the two.
    """
    n, c, height, width = h.shape  # (N, C, H, W)
    g = min(group, n)
    while n % g:
        g -= 1
    std = (h.view(n // g, g, c, height, width).var(dim=1, unbiased=False) + 1e-8).sqrt()  # (N/g, C, H, W)
    std = std.mean(dim=(1, 2, 3)).repeat_interleave(g).view(n, 1, 1, 1)  # (N, 1, 1, 1)
    return torch.cat([h, std.expand(n, 1, height, width)], dim=1)  # (N, C + 1, H, W)


class Discriminator(nn.Module, PyTorchModelHubMixin):
    """image (N, C, H, W) in [-1, 1] [+ label (N,)] -> real/fake logit (N,).

    forward(..., heads=True) also returns the auxiliary class logits (N, num_classes) and the
    reconstruction (N, C, side, side) of the input at side = image_size // 2 (None where a head is off).
    """

    def __init__(self, image_size: int = 28, channels: int = 1, width: int = 64, num_classes: int = 0,
                 mbstd_group: int = 4, classify: bool = False, reconstruct: bool = False):
        super().__init__()
        self.mbstd_group = mbstd_group
        s0 = start_size(image_size)
        n_down = int(math.log2(image_size // s0))
        layers, c_in, c = [], channels, width
        for i in range(n_down):  # each halves the side: 28->14->7, 64->32->16->8->4
            layers += [spectral_norm(nn.Conv2d(c_in, c, 4, 2, 1)), nn.LeakyReLU(0.2, inplace=True)]
            c_in, c = c, c * 2
        self.body = nn.Sequential(*layers)
        extra = 1 if mbstd_group > 1 else 0
        self.final = nn.Sequential(spectral_norm(nn.Conv2d(c_in + extra, c_in, 3, 1, 1)),
                                   nn.LeakyReLU(0.2, inplace=True))
        features = c_in * s0 * s0
        self.logit = spectral_norm(nn.Linear(features, 1))
        self.embed = spectral_norm(nn.Embedding(num_classes, features)) if num_classes else None
        self.num_classes = num_classes
        self.classifier = nn.Linear(features, num_classes) if classify and num_classes else None
        self.decoder = _decoder(c_in // 2, 2 * s0, image_size // 2, channels) if reconstruct else None

    def forward(self, x: torch.Tensor, labels: torch.Tensor | None = None, heads: bool = False):
        mid = self.body[:-2](x)  # (N, c/2, 2 s0, 2 s0): the 8x8 features (14x14 for 28) the decoder reads
        h = self.body[-2:](mid)  # (N, c, s0, s0)
        if self.mbstd_group > 1:
            h = minibatch_std(h, self.mbstd_group)  # (N, c + 1, s0, s0)
        h = self.final(h).flatten(1)  # (N, features)
        out = self.logit(h).squeeze(1)  # (N,)
        if self.num_classes:
            if labels is None:
                raise ValueError("this discriminator is class-conditional: pass labels")
            out = out + (self.embed(labels) * h).sum(1)  # projection (Miyato & Koyama 2018)
        if not heads:
            return out
        classes = self.classifier(h) if self.classifier is not None else None  # (N, num_classes)
        redrawn = self.decoder(mid) if self.decoder is not None else None  # (N, C, side, side)
        return out, classes, redrawn


def _decoder(c_in: int, side: int, target: int, channels: int) -> nn.Sequential:
    """FastGAN's reconstruction decoder, small: nearest 2x upsampling + 3x3 conv until `side` reaches `target`."""
    layers, c = [], c_in
    while side < target:
        layers += [nn.Upsample(scale_factor=2), nn.Conv2d(c, max(c // 2, 16), 3, 1, 1), nn.LeakyReLU(0.2, inplace=True)]
        c, side = max(c // 2, 16), side * 2
    return nn.Sequential(*layers, nn.Conv2d(c, channels, 3, 1, 1), nn.Tanh())

"""Training augmentation: DiffAugment for GANs (Zhao et al. 2020) and a small affine jitter for VAEs.

The same random transform family is applied to real and generated images before the discriminator
sees them, and gradients flow through it to the generator, so the discriminator cannot memorise a
small training set and the generator does not learn the augmentations. Written from the paper's
description: colour (brightness, saturation, contrast), translation (1/8 of the side, zero padded),
cutout (a square of half the side). Images are (N, C, H, W) in [-1, 1].

A VAE is trained on the images themselves, so its augmentation must stay inside the data's
distribution: `small_affine` rotates by up to 10 degrees and scales by up to 10% about the centre,
variations handwritten digits already have, and leaves half of each batch untouched. On 9,000 MNIST
digits it narrows the train/test gap (README, "What it took for the VAE").
"""

import math

import torch
import torch.nn.functional as F

POLICIES = ("color", "translation", "cutout")  # DiffAugment, for the GAN
VAE_POLICIES = ("affine",)


def parse_policy(text: str, accepted: tuple[str, ...] = POLICIES) -> list[str]:
    parts = [p for p in text.split(",") if p]
    unknown = [p for p in parts if p not in accepted]
    if unknown and not accepted:
        raise ValueError(f"takes no augmentation, got {parts}")
    if unknown:
        raise ValueError(f"unknown augmentation(s) {unknown}; accepted: {', '.join(accepted)}, comma-separated, or ''")
    return parts


def small_affine(x: torch.Tensor, generator: torch.Generator, degrees: float = 10.0, scale: float = 0.1,
                 p: float = 0.5) -> torch.Tensor:
    """Rotate each image by up to +-degrees and scale it by up to +-scale about the centre, with probability p.

    x (N, C, H, W), any range; what moves in from outside copies the edge pixels (the background: black
    around a digit, white around an emoji), so no frame appears.
    """
    def uniform() -> torch.Tensor:  # (N,) in [0, 1), drawn on the CPU generator, moved to x's device
        return torch.rand(x.shape[0], generator=generator).to(x.device)

    angle, zoom, apply = (uniform() * 2 - 1) * math.radians(degrees), 1 + (uniform() * 2 - 1) * scale, uniform() < p
    angle, zoom = torch.where(apply, angle, 0.0), torch.where(apply, zoom, 1.0)
    cos, sin, zero = torch.cos(angle) / zoom, torch.sin(angle) / zoom, torch.zeros_like(angle)
    theta = torch.stack([torch.stack([cos, -sin, zero], 1), torch.stack([sin, cos, zero], 1)], 1)  # (N, 2, 3)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)  # (N, H, W, 2)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)


def color(x: torch.Tensor) -> torch.Tensor:
    n = x.shape[0]
    x = x + (torch.rand(n, 1, 1, 1, device=x.device) - 0.5)  # brightness
    mean = x.mean(dim=1, keepdim=True)
    x = (x - mean) * (torch.rand(n, 1, 1, 1, device=x.device) * 2) + mean  # saturation
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    return (x - mean) * (torch.rand(n, 1, 1, 1, device=x.device) + 0.5) + mean  # contrast


def translation(x: torch.Tensor, ratio: float = 0.125) -> torch.Tensor:
    n, _, h, w = x.shape
    sh, sw = int(h * ratio + 0.5), int(w * ratio + 0.5)
    dy = torch.randint(-sh, sh + 1, (n, 1, 1), device=x.device)
    dx = torch.randint(-sw, sw + 1, (n, 1, 1), device=x.device)
    rows = (torch.arange(h, device=x.device).view(1, h, 1) + dy + 1).clamp(0, h + 1)  # (N, H, 1)
    cols = (torch.arange(w, device=x.device).view(1, 1, w) + dx + 1).clamp(0, w + 1)  # (N, 1, W)
    padded = F.pad(x, [1, 1, 1, 1])  # (N, C, H+2, W+2); the zero border fills what moves in
    batch = torch.arange(n, device=x.device).view(n, 1, 1)
    return padded.permute(0, 2, 3, 1)[batch, rows, cols].permute(0, 3, 1, 2)


def cutout(x: torch.Tensor, ratio: float = 0.5) -> torch.Tensor:
    n, _, h, w = x.shape
    ch, cw = int(h * ratio + 0.5), int(w * ratio + 0.5)
    cy = torch.randint(0, h + (1 - ch % 2), (n, 1, 1), device=x.device)
    cx = torch.randint(0, w + (1 - cw % 2), (n, 1, 1), device=x.device)
    rows = torch.arange(h, device=x.device).view(1, h, 1)
    cols = torch.arange(w, device=x.device).view(1, 1, w)
    top, left = cy - ch // 2, cx - cw // 2  # the square is exactly ch x cw before clipping at the border
    inside = (rows >= top) & (rows < top + ch) & (cols >= left) & (cols < left + cw)  # (N, H, W)
    return x * (~inside).unsqueeze(1).to(x.dtype)


def diff_augment(x: torch.Tensor, policy: list[str]) -> torch.Tensor:
    for name in policy:
        x = {"color": color, "translation": translation, "cutout": cutout}[name](x)
    return x

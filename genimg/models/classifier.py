"""Small convolutional image classifier.

It names the class of a generated image (class histograms, conditional accuracy) and its
penultimate layer is the feature space of genimg's FID/KID/precision/recall. No I/O here.
Images are float (N, C, H, W) in [0, 1]; sizes 28, 32 and 64.
"""

import math

import torch
from huggingface_hub import PyTorchModelHubMixin
from torch import nn

from .gan import start_size


class Classifier(nn.Module, PyTorchModelHubMixin):
    def __init__(
        self,
        num_classes: int = 10,
        image_size: int = 28,
        channels: int = 1,
        width: int = 32,
        feature_dim: int = 128,
        class_names: list[str] | None = None,
    ):
        super().__init__()
        self.num_classes, self.image_size, self.channels = num_classes, image_size, channels
        self.class_names = list(class_names or [str(i) for i in range(num_classes)])
        s0 = start_size(image_size)
        n = int(math.log2(image_size // s0))
        layers, c_in, c = [], channels, width
        for _ in range(n):  # conv-conv-pool stages: 28 -> 14 -> 7, 64 -> ... -> 4
            layers += [
                nn.Conv2d(c_in, c, 3, 1, 1), nn.BatchNorm2d(c), nn.ReLU(inplace=True),
                nn.Conv2d(c, c, 3, 1, 1), nn.BatchNorm2d(c), nn.ReLU(inplace=True),
                nn.MaxPool2d(2),
            ]
            c_in, c = c, c * 2
        self.body = nn.Sequential(*layers, nn.Flatten())
        self.embed = nn.Sequential(nn.Linear(c_in * s0 * s0, feature_dim), nn.ReLU(inplace=True))
        self.dropout = nn.Dropout(0.3)
        self.head = nn.Linear(feature_dim, num_classes)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """x (N, C, H, W) in [0, 1] -> features (N, feature_dim), the metrics' embedding."""
        return self.embed(self.body(x))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.dropout(self.features(x)))  # (N, num_classes) logits

"""Input checks for the app's handlers: ValueError saying what is accepted, and `user_errors` turning the
library's ValueErrors into gr.Error for the UI. The limits every tab shares live here too.
"""

import math
from contextlib import contextmanager

import gradio as gr
import numpy as np

from ..checkpoints import CheckpointError
from ..sampling import MAX_SEED

MAX_IMAGES = 64  # per request, anywhere in the app
PSI_RANGE = (0.0, 2.0)
Z_LIMIT = 3.0  # sliders, traversals and the latent map span [-3, 3] (the prior's +-3 std)
FRAMES_RANGE = (2, 60)


@contextmanager
def user_errors():
    """Turn the library's ValueErrors (seed text, labels, uploads, shapes) into gr.Error for the UI."""
    try:
        yield
    except gr.Error:
        raise
    except (ValueError, CheckpointError) as e:
        raise gr.Error(str(e)) from e


def check_psi(psi) -> float:
    if not isinstance(psi, (int, float)) or not math.isfinite(psi) or not PSI_RANGE[0] <= psi <= PSI_RANGE[1]:
        raise ValueError(f"psi must be a number from {PSI_RANGE[0]} to {PSI_RANGE[1]}, got {psi!r}")
    return float(psi)


def check_int(value, what: str, low: int, high: int) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not low <= value <= high:
        raise ValueError(f"{what} must be a whole number from {low} to {high}, got {value!r}")
    return int(value)


def check_seed(seed, what: str) -> int:
    return check_int(seed, what, 0, MAX_SEED)


def check_vector(values, length: int, what: str) -> np.ndarray:
    """A list of `length` finite numbers -> float32 (length,)."""
    try:
        array = np.asarray(values, dtype=np.float32)
    except (TypeError, ValueError) as e:
        raise ValueError(f"{what} must be a list of {length} numbers, got {values!r:.80}") from e
    if array.shape != (length,) or not np.isfinite(array).all():
        raise ValueError(f"{what} must be a list of {length} finite numbers, got shape {array.shape}")
    return array

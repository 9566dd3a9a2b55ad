"""Input checks for the app's handlers, and the errors a person sees: ValueError saying what is accepted, and
`user_errors` turning the library's ValueErrors into gr.Error in the request's language. The limits every tab
shares live here too.

The library speaks English (its messages are for Python and command-line users too). At this boundary a known
kind of message (ERROR_KINDS: a pattern over the English text and a locale key whose {fields} are the pattern's
named groups) is said again in the user's language; an unknown one stays English, so nothing is ever lost.
"""

import math
import re
from contextlib import contextmanager

import gradio as gr
import numpy as np

from ..checkpoints import CheckpointError
from ..sampling import MAX_SEED
from .i18n import DEFAULT_LANGUAGE, TABLES, text

MAX_IMAGES = 64  # per request, anywhere in the app
PSI_RANGE = (0.0, 2.0)
Z_LIMIT = 3.0  # sliders, traversals and the latent map span [-3, 3] (the prior's +-3 std)
FRAMES_RANGE = (2, 60)

# (English message, as genimg raises it) -> locale key; the named groups fill the key's {fields}.
ERROR_KINDS = [(re.compile(pattern, re.DOTALL), key) for pattern, key in [
    (r"no seeds given; .*", "error_no_seeds"),
    (r"'(?P<part>.*)' is not a seed or a range; .*", "error_seed_syntax"),
    (r"range '(?P<part>.*)' runs backwards; .*", "error_seed_backwards"),
    (r"seed (?P<seed>\d+) is above (?P<max>\d+); .*", "error_seed_too_large"),
    (r"more than (?P<limit>\d+) seeds requested; .*", "error_too_many_seeds"),
    (r"psi must be a number from (?P<low>\S+) to (?P<high>\S+), got (?P<value>.*)", "error_psi"),
    (r"(?P<what>.+) must be a whole number from (?P<low>-?\d+) to (?P<high>\d+), got (?P<value>.*)",
     "error_whole_number"),
    (r"(?P<what>.+) must be a list of (?P<length>\d+) (?:finite )?numbers.*", "error_vector"),
    (r"unknown class '(?P<label>.*)'; accepted: (?P<accepted>.*)", "error_unknown_class"),
    (r"pick two different dimensions \(both are (?P<dim>z\d+)\)", "error_same_dimension"),
    (r"found no digit: .*", "error_no_digit"),
    (r"not a readable image.*", "error_unreadable"),
    (r"image too large \((?P<detail>.*)\); accepted: .*", "error_too_large"),
    (r"the image is empty .*", "error_empty_image"),
]]
# The names check_int and check_vector put in their messages -> locale keys (what the user knows them as).
WHAT = {"seed": "what_seed", "seed A": "what_seed_a", "seed B": "what_seed_b", "frames": "what_frames",
        "x dimension": "what_dim_x", "y dimension": "what_dim_y", "z": "what_z", "slider values": "what_sliders",
        "the encoded latent": "what_encoded"}


def translate(message: str, lang: str) -> str:
    """An English library message -> the same message in `lang`, or the English text when its kind is unknown."""
    if lang == DEFAULT_LANGUAGE or lang not in TABLES:
        return message
    for pattern, key in ERROR_KINDS:
        match = pattern.fullmatch(message)
        if match:
            fields = match.groupdict()
            if "what" in fields:
                fields["what"] = text(WHAT[fields["what"]], lang) if fields["what"] in WHAT else fields["what"]
            return text(key, lang).format(**fields)
    return message


def app_error(key: str, lang: str = DEFAULT_LANGUAGE, **fields) -> gr.Error:
    """A gr.Error from a locale key, in the request's language (raise it)."""
    return gr.Error(text(key, lang).format(**fields), title=text("error_title", lang))


@contextmanager
def user_errors(lang: str = DEFAULT_LANGUAGE):
    """Turn the library's ValueErrors (seed text, labels, uploads, shapes) into gr.Error in the user's language."""
    try:
        yield
    except gr.Error:
        raise
    except (ValueError, CheckpointError) as e:
        raise gr.Error(translate(str(e), lang), title=text("error_title", lang)) from e


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

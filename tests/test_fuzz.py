"""Every handler the app calls, fuzzed with hypothesis over its parameters: whatever a client sends (seed
text, psi, labels, slider values including NaN and infinities, sizes, frames, dimensions, images), the
handler answers or raises gr.Error with a message; nothing else escapes.

Example counts are kept small (the whole file runs in seconds); the strategies lean on the edges.
"""

import math
import os

import gradio as gr
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from test_handlers import tiny_root  # noqa: I001  (tests/ is on the path: pytest's rootdir import mode)

from tests.conftest import AppHandlers as Lab

EXAMPLES = int(os.environ.get("GENIMG_FUZZ_EXAMPLES", 40))  # e.g. 400 for a longer hunt
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture],
                derandomize=True)

# mostly models that exist (so the other parameters get exercised), sometimes ones that do not
MODELS = st.sampled_from(["tiny"] * 6 + ["colour"] * 2 + ["onlygan", "broken", "nope", "", None, 3, "../tiny"])
EDGE_FLOATS = st.sampled_from([math.nan, math.inf, -math.inf, 0.0, -0.0, 1e-300, 1e300, 2.0000001, -1.0, 3.4e38])
NUMBERS = st.floats(allow_nan=True, allow_infinity=True, width=64) | EDGE_FLOATS | st.integers(-10**20, 10**20)
ANYTHING = NUMBERS | st.none() | st.booleans() | st.text(max_size=12) | st.lists(st.integers(-5, 5), max_size=3)
SEED_TEXT = (st.text(max_size=30)
             | st.from_regex(r"\A[ ]?-?[0-9]{1,12}([ ]?-[ ]?-?[0-9]{1,12})?(,[ ]?[0-9]{1,3}(-[0-9]{1,3})?){0,3},?\Z")
             | st.sampled_from(["0-63", "0-64", "4294967295", "4294967296", "5-3", ",", "1,,2", "٣", "0x10", "1e3"]))
LABELS = st.sampled_from(["any", "a", "b", "c", "0", "3", "", "ANY"]) | st.none() | st.text(max_size=6) | st.integers()
VECTORS = (st.lists(NUMBERS, max_size=6) | st.lists(ANYTHING, max_size=5) | ANYTHING
           | st.lists(st.lists(NUMBERS, max_size=3), max_size=3))


OK_SEEDS = st.from_regex(r"\A[0-9]{1,3}(-[0-9]{1,3})?(,[0-9]{1,2}){0,2}\Z") | st.integers(0, 2**32 - 1).map(str)
OK_SEED = st.integers(0, 2**32 - 1)
OK_Z = st.lists(st.floats(-10, 10, width=32), min_size=4, max_size=4)  # tiny/vae has z_dim 4
OK = {"model": st.just("tiny"), "seeds": OK_SEEDS, "psi": st.floats(0, 2), "label": st.sampled_from(["any", "a", "c"]),
      "seed": OK_SEED, "frames": st.integers(2, 60), "z": OK_Z, "dim": st.integers(0, 3), "image": None}
HOSTILE = {"model": MODELS, "seeds": SEED_TEXT | ANYTHING, "psi": NUMBERS | ANYTHING, "label": LABELS,
           "seed": NUMBERS | ANYTHING, "frames": NUMBERS | ANYTHING, "z": VECTORS, "dim": NUMBERS | ANYTHING}


def arguments(data, *kinds: str) -> list:
    """Valid values for every parameter, then (usually) one of them swapped for a hostile value: so each
    parameter's edge cases reach the handler with the others valid, and the valid path runs too."""
    args = [data.draw(OK[kind]) for kind in kinds]
    which = data.draw(st.integers(0, len(kinds)))  # len(kinds): all valid
    if which < len(kinds):
        args[which] = data.draw(HOSTILE[kinds[which]])
    return args


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    return Lab(tiny_root(tmp_path_factory.mktemp("checkpoints")))


def only_gradio_errors(call, *args):
    """Call a handler; a gr.Error with a message is a fine answer, anything else raised is a bug."""
    try:
        return call(*args)
    except gr.Error as e:
        assert str(e.message).strip() not in ("", "Error"), f"bare error for {args!r:.200}"
        return None


@FUZZ
@given(data=st.data())
def test_sample(lab, data):
    result = only_gradio_errors(lab.gan.gallery.sample, *arguments(data, "model", "seeds", "psi", "label"))
    if result is not None:
        gallery, path = result
        assert 1 <= len(gallery) <= 64 and path.endswith(".png")


@FUZZ
@given(data=st.data())
def test_interpolate(lab, data):
    result = only_gradio_errors(lab.gan.interpolation.interpolate,
                                *arguments(data, "model", "seed", "seed", "frames", "psi", "label"))
    assert result is None or result.endswith(".gif")


@FUZZ
@given(data=st.data())
def test_slide_and_traverse(lab, data):
    args = arguments(data, "model", "z")
    image = only_gradio_errors(lab.vae.slide, *args)
    assert image is None or isinstance(image, Image.Image)
    sheet = only_gradio_errors(lab.vae.traverse, *args)
    assert sheet is None or isinstance(sheet, Image.Image)


@FUZZ
@given(data=st.data())
def test_latent_map(lab, data):
    only_gradio_errors(lab.vae.latent_map, *arguments(data, "model", "dim", "dim", "z"))


@FUZZ
@given(data=st.data())
def test_latent_helpers(lab, data):
    model, seed = arguments(data, "model", "seed")
    latent = only_gradio_errors(lab.vae.random_latent, model, seed)
    assert latent is None or all(-3 <= v <= 3 for v in latent)


ARRAYS = st.builds(
    lambda h, w, c, dtype, fill: np.full((h, w, c) if c else (h, w), fill, dtype=dtype),
    st.integers(0, 70), st.integers(0, 70), st.sampled_from([0, 1, 2, 3, 4, 5]),
    st.sampled_from([np.uint8, np.float32, np.int64, np.bool_]), st.integers(0, 1))


@st.composite
def drawings(draw):
    """A uint8 image with a random rectangle of ink, or something that is not an image at all."""
    h, w = draw(st.integers(1, 90)), draw(st.integers(1, 90))
    channels = draw(st.sampled_from([None, 1, 3, 4]))
    image = np.full((h, w) if channels is None else (h, w, channels), draw(st.integers(0, 255)), np.uint8)
    top, left = draw(st.integers(0, h - 1)), draw(st.integers(0, w - 1))
    image[top:top + draw(st.integers(1, h)), left:left + draw(st.integers(1, w))] = draw(st.integers(0, 255))
    return image


IMAGES = (drawings() | drawings() | ARRAYS | ANYTHING | st.binary(max_size=64)
                | st.fixed_dictionaries({"composite": drawings() | st.none(), "layers": st.just([])}))


@FUZZ
@given(data=st.data())
def test_reconstruct(lab, data):
    model, image = data.draw(OK["model"] | MODELS), data.draw(IMAGES)
    result = only_gradio_errors(lab.encode.reconstruct, model, image)
    if result is not None:
        seen, recon, text, chart, draws, numbers = result
        assert "PSNR" in text and len(numbers["mu"]) == len(numbers["std"])


@FUZZ
@given(model=MODELS, kind=st.sampled_from(["gan", "vae", "x"]))
def test_card_never_fails(lab, model, kind):
    text = lab.card.card(model, kind)["markdown"]
    assert text.startswith("###")


def test_identical_requests_side_by_side_share_one_output_file(lab):
    """Found by benchmarks/load.py: two identical requests at once used to share one temp file, and the second
    rename failed (FileNotFoundError) -- a failed request under load."""
    from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415

    with ThreadPoolExecutor(8) as pool:
        paths = list(pool.map(lambda _: lab.registry.write_output(b"same bytes" * 1000, ".png"), range(64)))
    assert len(set(paths)) == 1 and open(paths[0], "rb").read() == b"same bytes" * 1000
    assert not [p for p in lab.registry.out_dir.iterdir() if p.name.endswith(".tmp")]

"""The browser's pure modules, held to Python without a browser: Node's built-in test runner over tests/js/ (no npm
dependencies), and Node evaluating genimg/app/web/ modules on values Python computes: the shared limits
(limits.js == genimg/app/limits.py), the seed rule (sampling.js == genimg/sampling.py: seed text, z, psi, the
class a seed draws, slerp, the interpolation path), the lessons a link may name (page.py == lab/presets.js).
Node comes from Debian (`apt-get install nodejs`; .ci/run installs it); without it these fail, they do not skip.
"""

import json
import re
import shutil
import subprocess

import numpy as np
import pytest
from conftest import REPO

from genimg.app import limits
from genimg.app.page import LESSONS
from genimg.sampling import (
    SeedError,
    interpolate,
    label_from_seed,
    latent_from_seed,
    linear_path,
    loop_path,
    parse_seeds,
    slerp,
)

NODE = shutil.which("node")
WEB = REPO / "genimg" / "app" / "web"


@pytest.fixture(scope="module", autouse=True)
def node_required():
    if NODE is None:
        pytest.fail("node is missing: install Debian's nodejs (apt-get install nodejs), as .ci/run does")


def node(script: str):
    """Runs an ES module script (imports resolve against genimg/app/web/) and returns what it prints, as JSON."""
    done = subprocess.run([NODE, "--input-type=module", "-e", script], cwd=WEB, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_node_unit_tests_pass():
    done = subprocess.run([NODE, "--test", str(REPO / "tests" / "js")], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert re.search(r"# pass [1-9]", done.stdout) and "# fail 0" in done.stdout


def test_limits_are_the_same_in_both_languages():
    shared = node("import * as l from './limits.js'; console.log(JSON.stringify(l));")
    python = {name: list(value) if isinstance(value, tuple) else value for name, value in vars(limits).items()
              if name.isupper()}
    assert shared == python


def test_seed_text_parses_alike():
    texts = ["0-3,42", " 5 - 7 , 5", "", "abc", "5-", "9-3", "4294967296", "0-100", "0-63"]
    script = ("import { parseSeeds } from './sampling.js'; const out = {};"
              f"for (const t of {json.dumps(texts)}) {{ try {{ out[t] = parseSeeds(t, 64); }}"
              " catch (e) { out[t] = 'error: ' + e.message; } } console.log(JSON.stringify(out));")
    browser = node(script)
    for text in texts:
        try:
            assert browser[text] == parse_seeds(text, limit=64), text
        except SeedError as error:
            assert browser[text] == f"error: {error}", text


def test_latents_classes_slerp_and_paths_match_numpy():
    seeds = [0, 1, 42, 2**31, 2**32 - 1]
    prior = [0.1, 0.3, 0.2, 0.4]
    script = f"""
    import {{ classForSeed, interpolationLatent, latentsForSeeds, linearPath, loopPath, slerp }} from './sampling.js';
    const seeds = {json.dumps(seeds)};
    console.log(JSON.stringify({{
      z: Array.from(latentsForSeeds(seeds, 16, 0.7)),
      classes: seeds.map((s) => classForSeed(s, 16, {json.dumps(prior)}, 4)),
      slerp: Array.from(slerp(Float32Array.from([1, 0.5, -2]), Float32Array.from([0.3, 2, 1]), 0.3)),
      frame: Array.from(interpolationLatent(3, 8, 16, 0.25, 0.7)),
      linear: linearPath(7), loop: loopPath(6),
    }}));"""
    browser = node(script)
    z = np.stack([latent_from_seed(s, 16) for s in seeds]) * np.float32(0.7)
    assert np.array_equal(np.asarray(browser["z"], np.float32), z.ravel())
    assert browser["classes"] == [label_from_seed(s, 16, prior, 4) for s in seeds]
    a, b = np.array([1, 0.5, -2], np.float32), np.array([0.3, 2, 1], np.float32)
    assert np.array_equal(np.asarray(browser["slerp"], np.float32), slerp(a, b, 0.3))
    frame = slerp(latent_from_seed(3, 16), latent_from_seed(8, 16), 0.25) * np.float32(0.7)
    assert np.array_equal(np.asarray(browser["frame"], np.float32), frame)
    assert np.allclose(browser["linear"], linear_path(7), atol=0) and np.allclose(browser["loop"], loop_path(6))
    assert callable(interpolate)  # the server's GIF and MP4 go through the same rule (genimg.sampling.interpolate)


def test_a_link_names_the_lessons_the_lab_has():
    presets = (WEB / "lab" / "presets.js").read_text(encoding="utf-8")
    assert tuple(re.findall(r'\{ id: "(\w+)"', presets)) == LESSONS

"""Crash safety of a real training process: SIGKILL `python -m genimg.train` at random moments; each time the
checkpoint directory loads (or is not there yet) and `--resume` continues from the last saved step.

A tiny folder dataset (18 training images, batch 4: 4 steps an epoch) and a tiny VAE keep each run a few
seconds; the kill moments are random (the seed is printed, GENIMG_CRASH_SEED repeats a run).
"""

import json
import os
import random
import signal
import subprocess
import time

from conftest import PYTHON, python_env, write_image_folder
from safetensors import safe_open

import genimg
from genimg.checkpoints import CARD, CONFIG, WEIGHTS

EPOCHS, STEPS_PER_EPOCH, KILLS = 5, 18 // 4, 4
MODEL_FILES = (CONFIG, WEIGHTS, CARD)


def command(folder, out, resume: bool) -> list[str]:
    return [PYTHON, "-m", "genimg.train", "vae", "--data", f"folder:{folder}", "--image-size", "28", "--out",
            str(out), "--batch-size", "4", "--width", "8", "--epochs", str(EPOCHS), "--seed", "0",
            *(["--resume"] if resume else [])]


def saved_state(out):
    """The training state's header (epoch, step, history), reading every tensor; None if there is none yet."""
    path = out / "train_state.safetensors"
    if not path.exists():
        return None
    with safe_open(str(path), framework="pt") as f:
        header = json.loads(f.metadata()["genimg_train_state"])
        for key in f.keys():
            f.get_tensor(key)
    return header


def check_directory(out) -> None:
    """Absent, or a loadable checkpoint whose card agrees with itself. (Training writes its progress pictures
    before the model files, so a kill in the first epoch's save can leave pictures and no model files yet: not
    a checkpoint, and no file of one half-written; see the report on genimg/train/common.py's finish_epoch order.)"""
    if not out.exists():
        return
    present = [name for name in MODEL_FILES if (out / name).exists()]
    if not present:
        assert not any(out.glob("*.safetensors")), sorted(p.name for p in out.iterdir())
        return
    model = genimg.load(out)  # raises if anything is half-written or missing
    assert model.z_dim == 16
    card = json.loads((out / CARD).read_text())
    assert card["steps"] == card["epochs"] * STEPS_PER_EPOCH and len(card["history"]) == card["epochs"]


def test_sigkill_at_random_moments_then_resume(tmp_path, isolated_cache):
    folder = write_image_folder(tmp_path / "pictures", per_class=10, size=32)
    out = tmp_path / "run"
    env = python_env(isolated_cache)
    seed = int(os.environ.get("GENIMG_CRASH_SEED", random.randrange(1_000_000)))
    rng = random.Random(seed)
    print(f"GENIMG_CRASH_SEED={seed}")
    kept_history: list = []  # what the last kill left in the training state
    for attempt in range(KILLS):
        state = saved_state(out)
        resume = state is not None
        process = subprocess.Popen(command(folder, out, resume), env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        moment = rng.uniform(1.0, 5.0)  # startup (imports, data) is ~2-3 s; an epoch and its save ~0.5 s
        time.sleep(moment)
        process.send_signal(signal.SIGKILL)
        process.wait()
        check_directory(out)
        state = saved_state(out)
        if state is not None:
            # never behind what was saved before the kill: the run resumed from it, it did not restart
            assert state["history"][:len(kept_history)] == kept_history, f"kill {attempt} at {moment:.2f}s"
            assert state["step"] == state["epoch"] * STEPS_PER_EPOCH
            kept_history = state["history"]
    finished = subprocess.run(command(folder, out, resume=saved_state(out) is not None), env=env,
                              capture_output=True, text=True, timeout=240)  # generous: CI machines may be slow
    assert finished.returncode == 0, finished.stderr[-2000:]
    card = json.loads((out / CARD).read_text())
    assert card["epochs"] == EPOCHS and card["steps"] == EPOCHS * STEPS_PER_EPOCH
    assert [row["epoch"] for row in card["history"]] == list(range(1, EPOCHS + 1))
    assert card["history"][:len(kept_history)] == kept_history  # the epochs done before the kills are kept
    genimg.load(out)

"""Data-parallel training under torchrun: 2 CPU processes (gloo) on a tiny folder dataset."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from conftest import python_env

import genimg
from genimg.checkpoints import read_card
from genimg.train import batches
from genimg.train.distributed import SINGLE, Processes


def torchrun_available() -> bool:
    return shutil.which("torchrun") is not None or Path(sys.executable).with_name("torchrun").exists()


def test_each_process_gets_its_own_shard_of_the_same_permutation():
    images, labels = torch.arange(10).float().view(10, 1, 1, 1), torch.arange(10)
    shards = []
    for rank in range(2):
        procs = Processes(rank=rank, world_size=2)
        shards.append(torch.cat([y for _, y in batches(images, labels, 2, torch.Generator().manual_seed(0), procs)]))
    single = torch.cat([y for _, y in batches(images, labels, 2, torch.Generator().manual_seed(0), SINGLE)])
    assert len(shards[0]) == len(shards[1]) == 4  # 10 images -> 5 per process -> 2 full batches of 2
    assert not set(shards[0].tolist()) & set(shards[1].tolist())  # disjoint
    interleaved = torch.stack([shards[0], shards[1]], 1).flatten()  # ranks take alternate indices of one order
    assert set(interleaved.tolist()) <= set(single.tolist()) | set(range(10))


@pytest.mark.skipif(not torchrun_available(), reason="torchrun is not installed")
@pytest.mark.parametrize("kind", ["gan", "vae"])
def test_torchrun_two_processes_train_and_only_rank0_writes(kind, image_folder, tmp_path, isolated_cache):
    out = tmp_path / f"ddp-{kind}"
    torchrun = str(Path(sys.executable).with_name("torchrun"))
    run = subprocess.run(
        [torchrun, "--standalone", "--nproc_per_node=2", "-m", "genimg.train", kind, "--data",
         f"folder:{image_folder}", "--image-size", "28", "--batch-size", "4", "--width", "8", "--out", str(out),
         "--dry-run"],
        env=python_env(isolated_cache), capture_output=True, text=True, timeout=240,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    model = genimg.load(out)
    assert type(model).__name__ == {"gan": "Generator", "vae": "VAE"}[kind]
    card = read_card(out)
    assert card["processes"] == 2 and card["epochs"] == 1
    assert run.stderr.count(f"{kind} on folder:") == 1  # only rank 0 prints

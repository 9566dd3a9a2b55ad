"""Data-parallel training across processes (torchrun): setup, wrapping, and agreeing on when to stop.

Run any `python -m genimg.train ...` under `torchrun --nproc_per_node=N -m genimg.train ...`: each
process trains on its own shard of every epoch's shuffled order (like DistributedSampler) with
--batch-size images per step, gradients are averaged by DistributedDataParallel (gloo on CPU, NCCL
on GPU), and only rank 0 prints progress and writes files. Without torchrun this is a no-op.
"""

import os
from dataclasses import dataclass

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel


@dataclass(frozen=True)
class Processes:
    rank: int = 0
    world_size: int = 1
    device: torch.device = torch.device("cpu")

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.world_size > 1


SINGLE = Processes()


def start(single_device: torch.device) -> Processes:
    """Join the torchrun process group if there is one; pick this process's device."""
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    if world_size <= 1:
        return Processes(device=single_device)
    use_cuda = torch.cuda.is_available()
    dist.init_process_group(backend="nccl" if use_cuda else "gloo")
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    device = torch.device("cuda", local_rank) if use_cuda else torch.device("cpu")
    if use_cuda:
        torch.cuda.set_device(device)
    return Processes(rank=dist.get_rank(), world_size=dist.get_world_size(), device=device)


def wrap(module: nn.Module, procs: Processes) -> nn.Module:
    """DDP-wrap a module for training (gradients averaged across processes); identity when single."""
    if not procs.distributed:
        return module
    device_ids = [procs.device.index] if procs.device.type == "cuda" else None
    return DistributedDataParallel(module, device_ids=device_ids)


def any_process(flag: bool, procs: Processes) -> bool:
    """True if the flag is true in any process, so all stop at the same step (no one hangs in a collective)."""
    if not procs.distributed:
        return flag
    value = torch.tensor([int(flag)], device=procs.device)
    dist.all_reduce(value, op=dist.ReduceOp.MAX)
    return bool(value.item())


def finish(procs: Processes) -> None:
    if procs.distributed:
        dist.barrier()
        dist.destroy_process_group()

"""Data-parallel training with torch.distributed: one model, many processes, averaged gradients.

Every process ("rank") holds a whole copy of the model and reads its own shard of each
batch. After ``backward()`` each rank has the gradient of the mean loss over its shard;
an **all-reduce** adds the ranks' gradients, so that every rank ends up with the same sum,
and dividing by the number of ranks gives the gradient of the mean loss over the whole
batch. Every rank then takes the same optimizer step, and the copies stay identical.
That is what ``torch.nn.parallel.DistributedDataParallel`` does (Li et al. 2020), with the
all-reduce overlapped with the backward pass.

This file is a script for each rank. ``torchrun`` starts the ranks and tells each, through
environment variables, who it is (RANK, WORLD_SIZE) and where to meet (MASTER_ADDR,
MASTER_PORT); the gloo backend then moves the tensors over TCP. On one machine:

    python -m torch.distributed.run --nproc_per_node 2 -m course_lib.scale.data_parallel --out result.pt

On many (run the same command on each; ``--node_rank`` differs):

    torchrun --nnodes 4 --nproc_per_node 8 --node_rank 0 --master_addr HOST --master_port 29500 \
        -m course_lib.scale.data_parallel --out result.pt

``launch`` does what torchrun does on one machine, from Python: it starts the processes
with those variables set, on the loopback interface, and returns rank 0's results.
``train(world_size=1)`` runs the same steps in a single process on the whole batch, the
reference that data-parallel training must reproduce.
"""
from __future__ import annotations

import argparse
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

import torch

from course_lib.machinery.env import seed_for
from course_lib.lm import text
from course_lib.lm.gpt import GPT, GPTConfig

CONFIG = GPTConfig(vocab_size=len(text.VOCABULARY), block_size=32, n_layer=2, n_head=2, n_embd=32)
BATCH_SIZE = 16  # sequences per step, over all ranks together
LEARNING_RATE = 3e-3
LOOPBACK = {"Linux": "lo", "Darwin": "lo0"}  # gloo's network interface on one machine


def average_gradients(model: torch.nn.Module, all_reduce: Callable[[torch.Tensor], None], world_size: int) -> None:
    """Replace every gradient by its average over the ranks: all_reduce(t) sums t in place over
    all ranks (torch.distributed.all_reduce), then each rank divides by the number of ranks."""
    for p in model.parameters():
        if p.grad is not None:
            all_reduce(p.grad)
            p.grad /= world_size


def batches(steps: int, batch_size: int = BATCH_SIZE, seed: int = 0) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """The global batches of a run: the same on every rank, which then takes its own shard."""
    data = text.dataset()
    stream = text.batches(data.train, CONFIG.block_size, batch_size, seed)
    return [next(stream) for _ in range(steps)]


def train(steps: int = 3, rank: int = 0, world_size: int = 1, all_reduce: Callable | None = None,
          batch_size: int = BATCH_SIZE) -> dict:
    """Train the small GPT for ``steps`` steps as rank ``rank`` of ``world_size``.

    Each step: forward and backward on this rank's shard of the global batch, average the
    gradients (``all_reduce``, which world_size = 1 does not need), an AdamW step. Returns the
    gradients of the first step before and after averaging, each step's loss averaged over
    the ranks, a checksum of the final weights, and the seconds spent computing and communicating.
    """
    from course_lib.nets.optim import AdamW

    if world_size > 1 and all_reduce is None:
        raise ValueError("training on several ranks needs an all_reduce to average the gradients")
    if batch_size % world_size:
        raise ValueError(f"the batch of {batch_size} must split evenly over {world_size} ranks")
    torch.manual_seed(seed_for(0))  # every rank builds the same initial model
    model = GPT(CONFIG)
    optimizer = AdamW(model.parameters(), lr=LEARNING_RATE)
    shard = slice(rank * batch_size // world_size, (rank + 1) * batch_size // world_size)
    result = {"losses": [], "compute_seconds": 0.0, "communication_seconds": 0.0}
    for step, (x, y) in enumerate(batches(steps, batch_size)):
        start = time.perf_counter()
        optimizer.zero_grad()
        loss = model(x[shard], y[shard])[1]
        loss.backward()
        middle = time.perf_counter()
        if step == 0:
            result["local_gradients"] = torch.cat([p.grad.flatten() for p in model.parameters()])
        mean_loss = loss.detach().clone()
        if world_size > 1:
            average_gradients(model, all_reduce, world_size)
            all_reduce(mean_loss)
            mean_loss /= world_size
        if step == 0:
            result["gradients"] = torch.cat([p.grad.flatten() for p in model.parameters()])
        end = time.perf_counter()
        optimizer.step()
        result["losses"].append(mean_loss.item())
        result["compute_seconds"] += middle - start + time.perf_counter() - end
        result["communication_seconds"] += end - middle
    result["weights_checksum"] = sum(p.double().sum().item() for p in model.parameters())
    result["parameters"] = sum(p.numel() for p in model.parameters())
    return result


def main(argv: list[str] | None = None) -> None:
    """One rank of a data-parallel run; torchrun (or ``launch``) sets its environment."""
    import torch.distributed as dist

    parser = argparse.ArgumentParser(prog="python -m course_lib.scale.data_parallel", description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
    parser.add_argument("--out", type=Path, required=True, help="where rank 0 saves the results (torch.save)")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    dist.init_process_group("gloo")  # reads RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT from the environment
    rank, world_size = dist.get_rank(), dist.get_world_size()
    result = train(args.steps, rank, world_size, dist.all_reduce, args.batch_size)
    checksums = [None] * world_size
    dist.all_gather_object(checksums, result["weights_checksum"])  # do all the copies still agree?
    result.update(world_size=world_size, checksums=checksums)
    if rank == 0:
        torch.save(result, args.out)
    dist.destroy_process_group()


def thread_ranks(world_size: int, work: Callable[[int, Callable], object], timeout: float = 10.0) -> list:
    """Run work(rank, all_reduce) for every rank in threads of this process, with real gloo groups.

    Each thread gets its own gloo process group, the ranks meeting through an in-memory
    store; all_reduce(t) sums t in place over the ranks, over TCP on this machine, as
    torch.distributed.all_reduce does between processes. A quick way to check code that
    calls an all-reduce without starting processes. Returns each rank's result.
    """
    import threading
    from datetime import timedelta

    import torch.distributed as dist

    if not isinstance(world_size, int) or world_size < 1:
        raise ValueError(f"world_size must be a positive integer, got {world_size!r}")
    store, results, errors = dist.HashStore(), [None] * world_size, [None] * world_size
    # Every rank keeps its group open until all have finished: a rank whose work makes no
    # all_reduce would otherwise close its connections while the others are still connecting.
    finished = threading.Barrier(world_size, timeout=timeout)

    def run(rank: int) -> None:
        try:
            group = dist.ProcessGroupGloo(store, rank, world_size, timedelta(seconds=timeout))

            def all_reduce(tensor: torch.Tensor) -> None:
                group.allreduce([tensor]).wait()

            results[rank] = work(rank, all_reduce)
        except BaseException as error:  # re-raised in the calling thread below
            errors[rank] = error
        finally:
            try:
                finished.wait()
            except threading.BrokenBarrierError:
                pass

    threads = [threading.Thread(target=run, args=(rank,), daemon=True) for rank in range(world_size)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout + 5)
    if any(thread.is_alive() for thread in threads):
        raise RuntimeError("the ranks did not finish: did every rank make the same all_reduce calls?")
    for error in errors:
        if error is not None:
            raise error
    return results


def free_port() -> int:
    """A TCP port on the loopback interface that nothing is listening on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launch(world_size: int = 2, steps: int = 3, batch_size: int = BATCH_SIZE, timeout: float = 120.0) -> dict:
    """Start ``world_size`` processes of this script on 127.0.0.1, as torchrun would; return rank 0's results.

    Each process is a fresh Python that imports torch (a few seconds) before the ranks meet.
    """
    if not isinstance(world_size, int) or world_size < 1:
        raise ValueError(f"world_size must be a positive integer, got {world_size!r}")
    out = Path(tempfile.mkdtemp(prefix="data-parallel-")) / "result.pt"
    env = dict(os.environ, MASTER_ADDR="127.0.0.1", MASTER_PORT=str(free_port()), WORLD_SIZE=str(world_size),
               OMP_NUM_THREADS="1")
    if platform.system() in LOOPBACK:
        env.setdefault("GLOO_SOCKET_IFNAME", LOOPBACK[platform.system()])
    command = [sys.executable, "-m", "course_lib.scale.data_parallel", "--steps", str(steps),
               "--batch-size", str(batch_size), "--out", str(out)]
    ranks = [subprocess.Popen(command, env=dict(env, RANK=str(r), LOCAL_RANK=str(r)), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for r in range(world_size)]
    deadline = time.monotonic() + timeout
    while any(p.poll() is None for p in ranks):  # wait for all; if one fails, the others would wait for it forever
        if any(p.poll() for p in ranks) or time.monotonic() > deadline:
            for p in ranks:
                p.kill()
            break
        time.sleep(0.05)
    errors = [p.communicate()[1] for p in ranks]  # waits for the killed ones too
    failures = [f"rank {rank} exited with code {p.returncode}:\n{error[-2000:]}"
                for rank, (p, error) in enumerate(zip(ranks, errors)) if p.returncode]
    if failures:
        raise RuntimeError("\n".join(failures) if time.monotonic() <= deadline
                           else f"the ranks did not finish within {timeout:.0f} s")
    return torch.load(out, weights_only=True)


if __name__ == "__main__":
    main()

"""course_lib.scale.data_parallel: real gloo ranks average gradients into the large batch's gradient.

The process tests start real processes that meet on 127.0.0.1, so they also run with the
network blocked except loopback (the suite's offline mode).
"""
import os
import subprocess
import sys

import pytest
import torch

from course_lib.scale import data_parallel, efficiency
from course_lib.lm.gpt import GPT, GPTConfig


def replicas(world_size):
    torch.manual_seed(0)
    model = GPT(GPTConfig(vocab_size=10, block_size=4, n_layer=1, n_head=1, n_embd=8))
    copies = [GPT(model.config) for _ in range(world_size)]
    for copy in copies:
        copy.load_state_dict(model.state_dict())
    x, y = torch.randint(0, 10, (2, 2 * world_size, 4), generator=torch.Generator().manual_seed(1)).unbind(0)
    model(x, y)[1].backward()
    return copies, x, y, efficiency.flat_gradients(model)


@pytest.mark.parametrize("world_size", [1, 2, 3])
def test_averaged_gradients_in_thread_ranks_are_the_whole_batchs(world_size):
    copies, x, y, whole = replicas(world_size)

    def work(rank, all_reduce):
        shard = slice(2 * rank, 2 * rank + 2)
        copies[rank](x[shard], y[shard])[1].backward()
        data_parallel.average_gradients(copies[rank], all_reduce, world_size)
        return efficiency.flat_gradients(copies[rank])

    for gradients in data_parallel.thread_ranks(world_size, work):
        assert torch.allclose(gradients, whole, atol=1e-7)


def test_an_error_in_a_rank_reaches_the_caller():
    def work(rank, all_reduce):
        raise KeyError(f"rank {rank}")
    with pytest.raises(KeyError, match="rank"):
        data_parallel.thread_ranks(2, work)
    with pytest.raises(ValueError, match="world_size"):
        data_parallel.thread_ranks(0, work)


def test_one_process_training_needs_no_all_reduce_but_several_do():
    result = data_parallel.train(steps=2)
    assert len(result["losses"]) == 2 and result["gradients"].shape == (result["parameters"],)
    assert torch.equal(result["gradients"], result["local_gradients"])
    with pytest.raises(ValueError, match="all_reduce"):
        data_parallel.train(steps=1, world_size=2)
    with pytest.raises(ValueError, match="split evenly"):
        data_parallel.train(steps=1, world_size=3, all_reduce=lambda t: None, batch_size=16)


def test_two_processes_train_exactly_like_one_with_the_whole_batch():
    ranks = data_parallel.launch(world_size=2, steps=2)
    single = data_parallel.train(steps=2)
    assert ranks["world_size"] == 2 and ranks["checksums"][0] == ranks["checksums"][1]
    assert torch.allclose(ranks["gradients"], single["gradients"], atol=1e-6)
    assert not torch.allclose(ranks["local_gradients"], single["gradients"], atol=1e-3)
    assert ranks["losses"] == pytest.approx(single["losses"], abs=1e-5)


def test_the_same_script_runs_under_torchrun(tmp_path):
    out = tmp_path / "result.pt"
    command = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_addr", "127.0.0.1",
               "--master_port", str(data_parallel.free_port()), "-m", "course_lib.scale.data_parallel", "--steps", "1",
               "--out", str(out)]
    env = {"GLOO_SOCKET_IFNAME": "lo"} if sys.platform == "linux" else {}
    done = subprocess.run(command, env=dict(os.environ, **env), capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    result = torch.load(out, weights_only=True)
    assert result["world_size"] == 2 and len(result["losses"]) == 1
    assert torch.allclose(result["gradients"], data_parallel.train(steps=1)["gradients"], atol=1e-6)


def test_launch_reports_a_failing_rank():
    with pytest.raises(RuntimeError, match="rank 0 exited"):
        data_parallel.launch(world_size=2, steps=1, batch_size=3)  # 3 sequences do not split over 2 ranks
    with pytest.raises(ValueError, match="world_size"):
        data_parallel.launch(world_size=0)

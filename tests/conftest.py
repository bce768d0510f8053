import matplotlib
import pytest
import torch

matplotlib.use("Agg")
# Small models train faster on one thread on these shared 2-core machines (design §6),
# as in the notebooks, whose environment cell sets the same.
torch.set_num_threads(1)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    import matplotlib.pyplot as plt
    plt.close("all")

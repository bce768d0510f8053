import matplotlib
import pytest
import torch

from course_lib.machinery.env import variable

matplotlib.use("Agg")
# Small models train faster on one thread on these shared 2-core machines (design §6),
# as in the notebooks, whose environment cell sets the same; the robustness matrix sets
# COURSE_THREADS=2 to show that nothing depends on it.
torch.set_num_threads(variable("COURSE_THREADS", 1) or 1)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    import matplotlib.pyplot as plt
    plt.close("all")

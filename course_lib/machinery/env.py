"""The environment cell at the top of every chapter: threads, seeds, plot style.

Call ``setup()`` before anything imports numpy or torch: the number of math threads
is read when those libraries load. One thread is the default because the course's
work is small, and on a shared 2-core machine two threads were measured to be slower
for it (see the design notes, section 6).

Two environment variables let the robustness matrix (``python3 course.py matrix``) run a
chapter as another learner's machine would: COURSE_THREADS replaces the thread count, and
COURSE_SEED shifts every seed the course uses (``seed_for(0)`` is then 1 or 2), so that what a
chapter claims about behaviour is shown to hold beyond the one seed it was written with.
"""
from __future__ import annotations

import gc
import os
import platform
import random
import sys

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def variable(name: str, default: int) -> int:
    """A non-negative integer from the environment variable ``name``, else ``default``."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    if not text.isdigit():
        raise ValueError(f"the environment variable {name} must be a non-negative integer, got {text!r}")
    return int(text)


def seed_for(value: int) -> int:
    """The seed to use where the course's code says ``value``: itself, shifted by COURSE_SEED."""
    if not isinstance(value, int) or value < 0:
        raise ValueError(f"seed must be a non-negative integer, got {value!r}")
    return value + variable("COURSE_SEED", 0)


def setup(seed: int = 0, threads: int = 1, torch: bool = False) -> None:
    """Fix the seeds and thread counts, set the plot style, and print the versions in use."""
    if not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    if not isinstance(threads, int) or threads < 1:
        raise ValueError(f"threads must be a positive integer, got {threads!r}")
    asked, threads = threads, variable("COURSE_THREADS", threads) or threads
    shifted = seed_for(seed)
    if "numpy" in sys.modules and os.environ.get("OMP_NUM_THREADS") != str(threads):
        print("Note: numpy was imported before setup(), so its thread count was already fixed. "
              "Restart the kernel and run this cell first.")
    for name in THREAD_VARIABLES:
        os.environ[name] = str(threads)
    import matplotlib
    import numpy as np

    from course_lib.machinery.viz import use_course_style

    random.seed(shifted)
    np.random.seed(shifted)
    use_course_style()
    parts = [f"Python {platform.python_version()}", f"numpy {np.__version__}",
             f"matplotlib {matplotlib.__version__}"]
    if torch:
        import torch as th
        th.manual_seed(shifted)
        th.set_num_threads(threads)
        parts.append(f"torch {th.__version__}")
    parts.append(f"{threads} thread{'s' * (threads > 1)}" + (" (COURSE_THREADS)" if threads != asked else "")
                 + f", seed {shifted}" + (f" ({seed} shifted by COURSE_SEED)" if shifted != seed else ""))
    print(" · ".join(parts))
    # The libraries just imported hold ~10^5 long-lived objects; freezing them keeps the garbage
    # collector from rescanning them all, which made chapter 04's scalar autograd 2-3x slower.
    gc.freeze()

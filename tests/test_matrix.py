"""The robustness matrix's choice of CI's daily paths."""
import datetime

from course_lib.machinery import chapters
from tests import matrix


def test_three_days_of_ci_perturb_every_chapter_once():
    days = [datetime.date(2026, 12, 1) + datetime.timedelta(days=k) for k in range(3)]
    picked = [matrix.of_the_day(day) for day in days]
    notebooks = [p for paths in picked for p in paths if p.startswith("solutions/")]
    assert sorted(notebooks) == sorted(f"solutions/{c.notebook}" for c in chapters.CHAPTERS)
    assert all(any(p.startswith("tests/test_exercises_") for p in paths) for paths in picked)
    assert matrix.of_the_day(days[0]) == matrix.of_the_day(days[0] + datetime.timedelta(days=3))


def test_a_simulated_older_cpu_is_older_for_onednn_too():
    """bfloat16 attention under autocast, as chapter 08 runs it, works in every simulated CPU: on a
    CPU with AMX, ATEN_CPU_CAPABILITY alone fails there ("pack_vnni2 is only supported when avx512
    is supported"), because oneDNN, which torch also calls, still sees AMX."""
    import os
    import subprocess
    import sys

    code = ("import torch, torch.nn.functional as F\n"
            "q = torch.randn(2, 4, 64, 16)\n"
            "with torch.autocast('cpu', dtype=torch.bfloat16):\n"
            "    F.scaled_dot_product_attention(q, q, q, is_causal=True)\n")
    for name, column in matrix.COLUMNS.items():
        if "ATEN_CPU_CAPABILITY" in column:
            env = {k: v for k, v in os.environ.items() if k not in matrix.PERTURBED} | column
            run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
            assert run.returncode == 0, f"column {name}: {run.stderr.strip().splitlines()[-1]}"

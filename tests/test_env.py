"""The environment cell."""
import pytest

from course_lib import setup
from course_lib.machinery.env import THREAD_VARIABLES


@pytest.fixture
def environment(monkeypatch):
    """A clean environment: no perturbation from the matrix, thread variables restored afterwards."""
    for name in ("COURSE_THREADS", "COURSE_SEED", *THREAD_VARIABLES):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_setup_prints_versions_threads_and_seed(environment, capsys):
    setup(seed=3, threads=1)
    out = capsys.readouterr().out
    assert "numpy" in out and "1 thread, seed 3" in out


def test_setup_says_when_the_environment_changes_threads_and_seed(environment, capsys):
    environment.setenv("COURSE_THREADS", "2")
    environment.setenv("COURSE_SEED", "1")
    setup(seed=3, threads=1)
    assert "2 threads (COURSE_THREADS), seed 4 (3 shifted by COURSE_SEED)" in capsys.readouterr().out


@pytest.mark.parametrize("kwargs, message", [({"seed": -1}, "seed"), ({"threads": 0}, "threads"),
                                             ({"threads": 1.5}, "threads")])
def test_setup_rejects_bad_values(kwargs, message):
    with pytest.raises(ValueError, match=message):
        setup(**kwargs)

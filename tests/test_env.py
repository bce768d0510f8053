"""The environment cell."""
import pytest

from course_lib import setup


def test_setup_prints_versions_threads_and_seed(capsys):
    setup(seed=3, threads=1)
    out = capsys.readouterr().out
    assert "numpy" in out and "1 thread, seed 3" in out


@pytest.mark.parametrize("kwargs, message", [({"seed": -1}, "seed"), ({"threads": 0}, "threads"),
                                             ({"threads": 1.5}, "threads")])
def test_setup_rejects_bad_values(kwargs, message):
    with pytest.raises(ValueError, match=message):
        setup(**kwargs)

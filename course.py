"""Set up the course and run it: the only file you run with your system Python.

    python3 course.py open     set up, copy new chapters into work/, open JupyterLab
    python3 course.py test     set up, run the whole test suite (extra args go to pytest)
    python3 course.py build    set up, regenerate notebooks/ from solutions/
    python3 course.py slides   set up, build a lecture deck per chapter in build/slides/

Setting up means: a virtual environment in .venv/ with the pinned packages of
requirements.txt, course_lib installed in editable mode, and the course's JupyterLab
settings. It is done once and redone only when one of those files changes.
Only the standard library is used here, so this works on a bare Python 3.11.
"""
import hashlib
import os
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / "course-setup.stamp"
TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"
# The course's JupyterLab settings, shared with Binder: closing a notebook shuts its kernel down.
JUPYTERLAB_SETTINGS = "binder/overrides.json"


def venv_bin(name: str) -> str:
    folder = VENV / ("Scripts" if os.name == "nt" else "bin")
    return str(folder / (name + (".exe" if os.name == "nt" else "")))


def setup_fingerprint() -> str:
    text = "".join((ROOT / f).read_text() for f in ("requirements.txt", "pyproject.toml", JUPYTERLAB_SETTINGS))
    return hashlib.sha256((text + sys.version).encode()).hexdigest()


def reachable(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=5)
        return True
    except OSError:
        return False


def setup() -> None:
    if sys.version_info < (3, 10):
        sys.exit(f"The course needs Python 3.10 or newer (3.11 recommended); this is {sys.version.split()[0]}.")
    if STAMP.exists() and STAMP.read_text() == setup_fingerprint():
        return
    if not Path(venv_bin("python")).exists():
        print("Creating the virtual environment in .venv/ ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    print("Installing the pinned packages (a few minutes, once) ...", flush=True)
    pip = [venv_bin("python"), "-m", "pip", "install", "--disable-pip-version-check"]
    # The CPU index holds CPU-only torch wheels (about 200 MB instead of several GB
    # of CUDA libraries). Where it cannot be reached, pip falls back to its usual sources.
    index = ["--extra-index-url", TORCH_CPU_INDEX] if reachable(TORCH_CPU_INDEX + "/torch/") else []
    for args in (index + ["-r", str(ROOT / "requirements.txt")], ["--no-deps", "-e", str(ROOT)]):
        if subprocess.run(pip + args).returncode != 0:
            sys.exit("Setup failed: pip could not install the packages (see its message above).")
    settings = VENV / "share" / "jupyter" / "lab" / "settings"
    settings.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ROOT / JUPYTERLAB_SETTINGS, settings / "overrides.json")
    STAMP.write_text(setup_fingerprint())


def offline_prefix() -> list[str]:
    """A command prefix that runs its command with no network but loopback (Linux)."""
    if sys.platform != "linux" or not shutil.which("unshare"):
        return []
    user_ns = [] if os.geteuid() == 0 else ["-r"]
    probe = subprocess.run(["unshare", *user_ns, "-n", "true"], capture_output=True)
    if probe.returncode != 0:
        return []
    return ["unshare", *user_ns, "-n", "sh", "-c", 'ip link set lo up && exec "$@"', "offline"]


def run_tests(pytest_args: list[str]) -> int:
    command = [venv_bin("python"), "-m", "pytest", *pytest_args]
    env = dict(os.environ)
    if os.environ.get("CI") == "true" or os.environ.get("COURSE_OFFLINE") == "1":
        prefix = offline_prefix()
        if not prefix:
            sys.exit("CI runs the tests without network, which needs Linux `unshare -n`; it is not available here.")
        command = prefix + command
        env["COURSE_OFFLINE"] = "1"
        print("Running the tests with the network blocked (loopback only).", flush=True)
    return subprocess.run(command, cwd=ROOT, env=env).returncode


def main(argv: list[str]) -> int:
    commands = ("open", "test", "build", "slides")
    if not argv or argv[0] not in commands:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    setup()
    if command == "test":
        return run_tests(rest)
    module = {"open": ["course_lib.machinery.workspace"], "build": ["course_lib.machinery.authoring", "build"], "slides": ["course_lib.machinery.slides"]}
    return subprocess.run([venv_bin("python"), "-m", *module[command], *rest], cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

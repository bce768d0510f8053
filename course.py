"""Set up the course and run it: the only file you run with your system Python.

    python3 course.py open     set up, bring work/ up to date, open JupyterLab where you left off
    python3 course.py test     set up, run the whole test suite (extra args go to pytest)
    python3 course.py matrix   set up, run the suite under every perturbation, print the matrix
    python3 course.py build    set up, regenerate notebooks/ from solutions/
    python3 course.py slides   set up, build a lecture deck per chapter in build/slides/
    python3 course.py classroom   the instructor's tools (nbgrader course, nbgitpuller link, hub test)
                               in an environment of their own, .venv-classroom/

Add ``--python 3.13`` (any installed 3.10-3.13) before the other arguments to use that
Python, in an environment of its own (.venv-3.13/); the default is the Python running this file.

Setting up means: a virtual environment in .venv/ with the pinned packages of
requirements.txt, course_lib installed in editable mode, and the course's JupyterLab
settings. It is done once and redone only when one of those files changes.
Only the standard library is used here, so this works on a bare Python.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent
TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"
# The course's JupyterLab settings, shared with Binder: closing a notebook shuts its kernel down.
JUPYTERLAB_SETTINGS = "binder/overrides.json"
SUPPORTED = ("3.10", "3.11", "3.12", "3.13")
# The suite runs in two processes (pytest-xdist), a test file each at a time: the chapters' kernels
# and the tests use one thread each, so two keep a 2-core machine busy. Pass -n 0 to run serially.
PARALLEL = ["-n", "2", "--dist", "loadfile"]


class Environment:
    """A virtual environment of the course for one Python: .venv/ for the running one."""
    requirements = ("requirements.txt",)

    def __init__(self, python: str | None = None):
        self.python = python or sys.executable
        self.folder = ROOT / (".venv" if python is None else f".venv-{python_version(python)}")
        self.stamp = self.folder / "course-setup.stamp"

    def bin(self, name: str) -> str:
        folder = self.folder / ("Scripts" if os.name == "nt" else "bin")
        return str(folder / (name + (".exe" if os.name == "nt" else "")))

    def fingerprint(self) -> str:
        files = ("requirements.txt", *self.requirements, "pyproject.toml", JUPYTERLAB_SETTINGS)
        text = "".join((ROOT / f).read_text() for f in dict.fromkeys(files))
        return hashlib.sha256((text + python_version(self.python, full=True)).encode()).hexdigest()

    def setup(self) -> None:
        if self.stamp.exists() and self.stamp.read_text() == self.fingerprint():
            return
        if not Path(self.bin("python")).exists():
            print(f"Creating the virtual environment in {self.folder.name}/ ...", flush=True)
            subprocess.run([self.python, "-m", "venv", str(self.folder)], check=True)
        print("Installing the pinned packages (a few minutes, once) ...", flush=True)
        pip = [self.bin("python"), "-m", "pip", "install", "--disable-pip-version-check"]
        # The CPU index holds CPU-only torch wheels (about 200 MB instead of several GB
        # of CUDA libraries). Where it cannot be reached, pip falls back to its usual sources.
        index = ["--extra-index-url", TORCH_CPU_INDEX] if reachable(TORCH_CPU_INDEX + "/torch/") else []
        for args in (index + ["-r", str(ROOT / self.requirements[-1])], ["--no-deps", "-e", str(ROOT)]):
            if subprocess.run(pip + args).returncode != 0:
                sys.exit("Setup failed: pip could not install the packages (see its message above).")
        settings = self.folder / "share" / "jupyter" / "lab" / "settings"
        settings.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / JUPYTERLAB_SETTINGS, settings / "overrides.json")
        self.extras()
        self.stamp.write_text(self.fingerprint())

    def extras(self) -> None:
        """What a kind of environment needs beyond its Python packages."""


class ClassroomEnvironment(Environment):
    """.venv-classroom/: the course's packages with JupyterHub, nbgitpuller and nbgrader, and the
    hub's proxy (configurable-http-proxy, from the npm registry) — the instructor's tools."""
    requirements = ("requirements.txt", "classroom/requirements.txt")
    PROXY = "configurable-http-proxy@5.3.0"

    def __init__(self):
        super().__init__()
        self.folder = ROOT / ".venv-classroom"
        self.stamp = self.folder / "course-setup.stamp"

    def extras(self) -> None:
        if not shutil.which("npm"):
            sys.exit("The classroom tools need Node.js and npm for JupyterHub's proxy (configurable-http-proxy).")
        done = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", str(self.folder), self.PROXY])
        if done.returncode != 0:
            sys.exit("Setup failed: npm could not install configurable-http-proxy (see its message above).")

    def environ(self) -> dict[str, str]:
        """The environment to run the tools in: this venv's and the proxy's programs on the PATH."""
        path = os.pathsep.join([str(Path(self.bin("python")).parent), str(self.folder / "node_modules" / ".bin"),
                                os.environ.get("PATH", "")])
        return dict(os.environ, PATH=path)


def python_version(python: str, full: bool = False) -> str:
    """'3.13' (or the full version string) of the Python at ``python``."""
    code = "import sys; print(sys.version if %s else '%%d.%%d' %% sys.version_info[:2])" % full
    return subprocess.run([python, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def find_python(version: str) -> str:
    """The interpreter of an installed Python ``version`` such as '3.13': on the PATH, through
    the Windows launcher, or among pyenv's versions."""
    if version not in SUPPORTED:
        sys.exit(f"--python takes one of {', '.join(SUPPORTED)}, got {version!r}.")
    candidates = [["py", f"-{version}"]] if os.name == "nt" else [[f"python{version}"]]
    if shutil.which("pyenv"):
        root = Path(subprocess.run(["pyenv", "root"], capture_output=True, text=True).stdout.strip())
        installed = sorted(root.glob(f"versions/{version}.*/bin/python{version}"),
                           key=lambda p: [int(n) for n in p.parts[-3].split(".") if n.isdigit()])
        candidates += [[str(p)] for p in reversed(installed)]
    for candidate in candidates:
        try:
            found = subprocess.run([*candidate, "-c", "import sys; print(sys.executable)"],
                                   capture_output=True, text=True, check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            continue
        if python_version(found) == version:
            return found
    sys.exit(f"Python {version} is not installed (not on the PATH, nor among pyenv's versions).")


def reachable(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=5)
        return True
    except OSError:
        return False


def offline_prefix() -> list[str]:
    """A command prefix that runs its command with no network but loopback (Linux)."""
    if sys.platform != "linux" or not shutil.which("unshare"):
        return []
    user_ns = [] if os.geteuid() == 0 else ["-r"]
    probe = subprocess.run(["unshare", *user_ns, "-n", "true"], capture_output=True)
    if probe.returncode != 0:
        return []
    return ["unshare", *user_ns, "-n", "sh", "-c", 'ip link set lo up && exec "$@"', "offline"]


def run_offline_if_asked(command: list[str], env: dict[str, str] | None = None) -> int:
    """Run a test command; under CI=true or COURSE_OFFLINE=1 with the network blocked."""
    env = dict(env or os.environ)
    if os.environ.get("CI") == "true" or os.environ.get("COURSE_OFFLINE") == "1":
        prefix = offline_prefix()
        if not prefix:
            sys.exit("CI runs the tests without network, which needs Linux `unshare -n`; it is not available here.")
        command = prefix + command
        env["COURSE_OFFLINE"] = "1"
        print("Running the tests with the network blocked (loopback only).", flush=True)
    return subprocess.run(command, cwd=ROOT, env=env).returncode


def main(argv: list[str]) -> int:
    commands = ("open", "test", "matrix", "build", "slides", "classroom")
    python = None
    if argv[:1] == ["--python"] or (argv[1:2] == ["--python"]):
        at = argv.index("--python")
        if len(argv) < at + 2:
            sys.exit("--python needs a version, e.g. --python 3.13")
        python, argv = find_python(argv[at + 1]), argv[:at] + argv[at + 2:]
    if not argv or argv[0] not in commands:
        print(__doc__)
        return 2
    if sys.version_info < (3, 10):
        sys.exit(f"The course needs Python 3.10 or newer (3.11 recommended); this is {sys.version.split()[0]}.")
    command, rest = argv[0], argv[1:]
    if command == "classroom":
        environment = ClassroomEnvironment()
        environment.setup()
        tool = [environment.bin("python"), "-m", "course_lib.machinery.classroom", *rest]
        if rest[:1] == ["test"]:  # the tests run offline under CI, like the suite: the hub is on loopback
            return run_offline_if_asked(tool, environment.environ())
        return subprocess.run(tool, cwd=ROOT, env=environment.environ()).returncode
    environment = Environment(python)
    environment.setup()
    python_in_env = environment.bin("python")
    if command == "test":
        parallel = [] if any(a == "-n" or a.startswith("-n") for a in rest) else PARALLEL
        return run_offline_if_asked([python_in_env, "-m", "pytest", *parallel, *rest])
    if command == "matrix":
        return run_offline_if_asked([python_in_env, "-m", "tests.matrix", *rest])
    module = {"open": ["course_lib.machinery.workspace"], "build": ["course_lib.machinery.authoring", "build"],
              "slides": ["course_lib.machinery.slides"]}
    return subprocess.run([python_in_env, "-m", *module[command], *rest], cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

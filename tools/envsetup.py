"""Create or repair a virtual environment and install into it only when the dependencies changed.

`make setup` (and so `make lab`, `make test`, ...) runs::

    python3 tools/envsetup.py .venv --install '-e .[dev]' --kernel 'Python 3 (token-economy)'

and `make hub` uses :func:`ensure` for the classroom's shared environment (classroom/shared_env.py).

What it does, in order:

1. refuses a Python older than 3.11 with a message that names the version found;
2. looks at the environment: missing (create it), interpreter gone (the venv was made by a
   Python that was removed or upgraded: its scripts fail with "jupyter: not found"; it is
   rebuilt, with a message saying why), pip missing (``ensurepip`` puts it back, offline);
3. compares a hash of the dependency specification (pyproject.toml's dependencies, extras,
   Python range, build and package settings, requirements.lock, and what is asked to be
   installed) with the one stored in ``ENV/.installed``. Only when they differ does it run
   pip, with ``-c requirements.lock``. A newer timestamp alone (a ``git checkout``, an editor
   that re-saves) changes nothing, so ``make lab`` works offline once set up.

When pip fails (no network, say) its message is shown, the old stamp is kept, so the next run tries again, and the
message says how to go back to a working environment.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements.lock"
PYPROJECT = ROOT / "pyproject.toml"
MIN_PYTHON = (3, 11)
STAMP_NAME = ".installed"


class SetupError(RuntimeError):
    """The environment could not be made usable; the message says what to do."""


def check_python(version=sys.version_info) -> None:
    """Refuse an interpreter older than 3.11.

    >>> check_python((3, 12, 1))
    >>> check_python((3, 9, 2))
    Traceback (most recent call last):
    ...
    envsetup.SetupError: token-economy needs Python 3.11 or newer; this is Python 3.9.2. ...
    """
    if tuple(version[:2]) < MIN_PYTHON:
        found = ".".join(str(v) for v in version[:3])
        raise SetupError(f"token-economy needs Python 3.11 or newer; this is Python {found}. "
                         "Run make with PYTHON=python3.11 (or newer), e.g. `make lab PYTHON=python3.12`.")


def python_of(env: Path) -> Path:
    return env / "bin" / "python"


def _runs(cmd: list[str]) -> bool:
    try:
        return subprocess.run(cmd, capture_output=True, timeout=120).returncode == 0
    except OSError:  # the interpreter is gone or not executable
        return False


def state(env: Path) -> str:
    """``missing``, ``no-python`` (interpreter gone or broken), ``no-pip`` or ``ok``."""
    if not env.exists():
        return "missing"
    py = python_of(env)
    if not _runs([str(py), "-c", "import sys"]):
        return "no-python"
    if not _runs([str(py), "-m", "pip", "--version"]):
        return "no-pip"
    return "ok"


def spec_hash(install: list[str], extra: dict | None = None) -> str:
    """sha256 of what decides the installed packages (not of file timestamps or comments)."""
    import tomllib

    doc = tomllib.loads(PYPROJECT.read_text())
    lock = LOCK
    project = doc.get("project", {})
    decisive = {
        "dependencies": project.get("dependencies", []),
        "optional-dependencies": project.get("optional-dependencies", {}),
        "requires-python": project.get("requires-python"),
        "version": project.get("version"),
        "build-system": doc.get("build-system", {}),
        "hatch": doc.get("tool", {}).get("hatch", {}),
        "lock": sorted(line.strip() for line in lock.read_text().splitlines()
                       if line.strip() and not line.lstrip().startswith("#")) if lock.is_file() else None,
        "install": install,
        "extra": extra or {},
    }
    return hashlib.sha256(json.dumps(decisive, sort_keys=True).encode()).hexdigest()


def stamp_path(env: Path) -> Path:
    return env / STAMP_NAME


def read_stamp(env: Path) -> str | None:
    try:
        return json.loads(stamp_path(env).read_text())["spec_sha256"]
    except (OSError, ValueError, KeyError, TypeError):
        return None  # an old, empty (touch-made) or damaged stamp: reinstall


def say(message: str) -> None:
    print(f"[envsetup] {message}", file=sys.stderr, flush=True)


def create(env: Path, base_python: str = sys.executable) -> None:
    """A new venv; its pip is brought up to date when the index is reachable (the pip that a system
    Python bundles can be years old, and slow to resolve a long lock), else the bundled one stays."""
    subprocess.run([base_python, "-m", "venv", str(env)], check=True)
    subprocess.run([str(python_of(env)), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    "--upgrade", "pip"], capture_output=True)


def repair(env: Path, base_python: str = sys.executable) -> str:
    """Make ``env`` a working venv with pip; return what was found before."""
    found = state(env)
    if found == "missing":
        say(f"creating the environment {env}")
        create(env, base_python)
    elif found == "no-python":
        target = os.path.realpath(python_of(env))
        say(f"{env} is broken: its Python ({target}) is gone or does not run (was Python removed or "
            f"upgraded?). Rebuilding it from {base_python}; this downloads the packages again.")
        shutil.rmtree(env)
        create(env, base_python)
    elif found == "no-pip":
        say(f"{env} has no pip; putting it back with ensurepip (offline)")
        done = subprocess.run([str(python_of(env)), "-m", "ensurepip", "--upgrade", "--default-pip"],
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise SetupError(f"{env} has no pip and ensurepip failed:\n{done.stderr[-2000:]}\n"
                             f"Remove the environment (rm -rf {env}) and run make again.")
    return found


def pip_install(env: Path, args: list[str]) -> None:
    cmd = [str(python_of(env)), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    if LOCK.is_file():
        cmd += ["-c", str(LOCK)]
    done = subprocess.run(cmd + args, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    errors = [line for line in done.stderr.splitlines() if not line.startswith("WARNING: Location")]
    if done.returncode != 0:
        raise SetupError(
            "\n".join(errors[-15:]) + f"\npip could not install {' '.join(args)} into {env} (offline?). "
            "The environment keeps what it had and the next make retries. "
            f"To start over: rm -rf {env} and run make again with the network on.")
    if errors:
        print("\n".join(errors), file=sys.stderr)


def ensure(env: Path, install: list[str], kernel: str | None = None, extra: dict | None = None,
           after=None, base_python: str = sys.executable) -> bool:
    """Make ``env`` usable and install ``install`` (pip arguments) if the specification changed.

    ``after(env)`` runs after a (re)install, before the stamp is written. Returns whether pip ran.
    """
    check_python()
    env = Path(env)
    repair(env, base_python)
    wanted = spec_hash(install, extra)
    if read_stamp(env) == wanted:
        return False
    say(f"installing into {env}: {' '.join(install)} (with -c {LOCK.name})")
    pip_install(env, install)
    if kernel:
        subprocess.run([str(python_of(env)), "-m", "ipykernel", "install", "--sys-prefix", "--name", "python3",
                        "--display-name", kernel], check=True, capture_output=True)
    if after:
        after(env)
    stamp_path(env).write_text(json.dumps({"spec_sha256": wanted, "install": install,
                                           "python": sys.version.split()[0]}, indent=1) + "\n")
    return True


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("env", type=Path)
    parser.add_argument("--install", required=True, help="pip arguments, e.g. '-e .[dev]'")
    parser.add_argument("--kernel", help="register the env's ipykernel as python3 with this display name")
    args = parser.parse_args(argv)
    try:
        ensure(args.env, args.install.split(), kernel=args.kernel)
    except SetupError as exc:
        say(str(exc))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The students' shared Python environment of a classroom hub, built the way a university hub's is.

    python classroom/shared_env.py .hub/env

makes ``.hub/env``: a virtual environment holding the collection installed from a wheel (not
editable: nothing points back into this repository), JupyterLab, JupyterHub's single-user server
and nbgitpuller, at the versions of requirements.lock. Built once, then rebuilt only when the
wheel or the dependencies change (tools/envsetup.py). After the build nothing in it is written at
run time:

- tiktoken's vocabularies are placed, verified, in ``ENV/share/token-economy/tiktoken`` at build
  time; the kernel spec and the hub point ``TIKTOKEN_CACHE_DIR`` there, so every student's
  ``import token_economy`` finds them and writes nothing (a read-only, shared cache);
- the data tables travel inside the wheel (``token_economy/_data``) and are found from the package;
- Python's bytecode is compiled by pip at install time;
- JupyterLab's news and update checks are off for everyone (``share/jupyter/lab/settings/overrides.json``).

Each student's notebooks, settings, matplotlib cache and kernels' files live in their own home.
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
sys.path.insert(0, str(ROOT / "tools"))

import envsetup  # noqa: E402

KERNEL_DISPLAY_NAME = "Python 3 (token-economy)"
#: JupyterLab settings for every user of the environment: no news pop-up, no update check (offline).
LAB_OVERRIDES = {"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False}}


def vocabulary_cache(env: Path) -> Path:
    """The read-only tiktoken cache inside the shared environment."""
    return Path(env) / "share" / "token-economy" / "tiktoken"


def build_wheel(out: Path, python: str = sys.executable) -> Path:
    """Build the collection's wheel into ``out`` (offline: hatchling comes from the dev environment)."""
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("token_economy-*.whl"):
        old.unlink()
    done = subprocess.run([python, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                           "--wheel-dir", str(out), str(ROOT)], capture_output=True, text=True)
    if done.returncode != 0:
        raise envsetup.SetupError(f"building the wheel failed:\n{(done.stdout + done.stderr)[-3000:]}")
    (wheel,) = out.glob("token_economy-*.whl")
    return wheel


def _finish(wheel: Path):
    def after(env: Path) -> None:
        py = str(envsetup.python_of(env))
        # The same version number as before does not make pip reinstall: force this wheel's files in.
        subprocess.run([py, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps",
                        "--force-reinstall", str(wheel)], check=True)
        cache = vocabulary_cache(env)
        cache.mkdir(parents=True, exist_ok=True)
        # Importing the package places the verified vocabularies in TIKTOKEN_CACHE_DIR.
        subprocess.run([py, "-c", "import token_economy, tiktoken; tiktoken.get_encoding('o200k_base')"],
                       check=True, env={**os.environ, "TIKTOKEN_CACHE_DIR": str(cache)}, cwd=env)
        subprocess.run([py, "-m", "ipykernel", "install", "--sys-prefix", "--name", "python3",
                        "--display-name", KERNEL_DISPLAY_NAME, "--env", "TIKTOKEN_CACHE_DIR", str(cache)],
                       check=True, capture_output=True)
        settings = Path(env) / "share" / "jupyter" / "lab" / "settings"
        settings.mkdir(parents=True, exist_ok=True)
        (settings / "overrides.json").write_text(json.dumps(LAB_OVERRIDES, indent=1) + "\n")
        # A shared environment: every student reads it, nobody writes it (whatever the umask was).
        subprocess.run(["chmod", "-R", "a+rX,go-w", str(env)], check=True)
    return after


def world_usable(python: str) -> bool:
    """Can every Unix user run ``python`` and read its standard library? (Not a pyenv under /root.)"""
    probe = subprocess.run([python, "-c", "import os, sys, sysconfig; print(os.path.realpath(sys.executable)); "
                                          "print(sysconfig.get_path('stdlib'))"], capture_output=True, text=True)
    if probe.returncode != 0:
        return False
    executable, stdlib = map(Path, probe.stdout.split())
    needs = [(executable, 0o001), (stdlib, 0o005)]  # others may run the binary, list and read the stdlib
    needs += [(folder, 0o001) for path in (executable, stdlib) for folder in path.parents]  # and enter folders
    return all(path.stat().st_mode & bits == bits for path, bits in needs)


def base_python(preferred: str = sys.executable) -> str:
    """The interpreter to build the shared environment on: one every student's account can run.

    ``preferred`` (the one running this) if every user can run it, else the system's ``python3``
    (3.11 or newer, with venv), else a clear error."""
    real = getattr(sys, "_base_executable", preferred) if preferred == sys.executable else preferred
    if world_usable(real):
        return real
    for candidate in ("/usr/bin/python3", "/usr/local/bin/python3"):
        if Path(candidate).exists() and world_usable(candidate) and subprocess.run(
                [candidate, "-c", "import sys, ensurepip, venv; sys.exit(sys.version_info < (3, 11))"],
                capture_output=True).returncode == 0:
            return candidate
    raise envsetup.SetupError(
        f"the students' environment must be built on a Python every user can run, and {real} is not "
        "(a pyenv under /root, say). Install the system's Python 3.11+ with venv "
        "(Debian: apt-get install python3 python3-venv) or pass one with --python.")


def build(env: Path, wheel: Path | None = None, python: str | None = None) -> Path:
    """Create or update the shared environment ``env`` with the collection's wheel; return ``env``.

    The wheel is built with the running interpreter (which has hatchling); the environment is made
    from ``python`` or :func:`base_python`, and every file in it is readable by every user."""
    env = Path(env).resolve()
    wheel = wheel or build_wheel(env.parent / "dist")
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    base = python or base_python()
    if envsetup.state(env) == "ok" and not world_usable(str(envsetup.python_of(env))):
        envsetup.say(f"{env} was made on a Python that not every user can run; rebuilding it on {base}")
        shutil.rmtree(env)
    envsetup.ensure(env, [f"{wheel}[hub]"], extra={"wheel_sha256": digest, "base": base},
                    after=_finish(wheel), base_python=base)
    return env


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("env", type=Path, nargs="?", default=ROOT / ".hub" / "env")
    parser.add_argument("--python", help="interpreter to build on (default: this one if every user can run it)")
    args = parser.parse_args(argv)
    try:
        build(args.env, python=args.python)
    except envsetup.SetupError as exc:
        envsetup.say(str(exc))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

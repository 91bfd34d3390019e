"""Installing the collection (issue 15): as a wheel into a fresh environment, and `make`'s set-up.

- The package is built as a wheel and installed, not editable, into a fresh venv (the same shared
  environment the classroom hub uses, tests/hubenv.py); the notebooks are copied to a folder far
  from the repository and all of them run there, with a home folder of their own. The package,
  its data and its vocabularies come from the installed wheel, and nothing is written into the
  environment while they run.
- tools/envsetup.py, which `make setup` (and so `make lab`) runs: a newer timestamp on
  pyproject.toml reinstalls nothing (and `make setup` then works with the network off); a changed
  dependency does; a venv without pip gets pip back offline; a venv whose interpreter is gone is
  rebuilt with a message that says why.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import hubenv
from conftest import NOTEBOOKS, ROOT, run_offline
from hubenv import shared_env, snapshot  # noqa: F401 - fixture

sys.path.insert(0, str(ROOT / "tests" / "bench"))
sys.path.insert(0, str(ROOT / "tools"))

import envsetup  # noqa: E402
import nbformat  # noqa: E402
import nbrun  # noqa: E402

WHERE = """
import json, sys, token_economy, tiktoken
from token_economy import data, encodings
print(json.dumps({"package": token_economy.__file__, "data": str(data.data_dir()),
                  "cache": str(token_economy.VOCABULARY_CACHE), "prefix": sys.prefix,
                  "tokens": len(tiktoken.get_encoding("o200k_base").encode("hello world"))}))
"""


def clean_env(home: Path) -> dict:
    """The environment of a student's process: their own HOME, no hint of this repository."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"PYTHONPATH", "TOKEN_ECONOMY_DATA", "TIKTOKEN_CACHE_DIR", "VIRTUAL_ENV",
                        "PYTHONDONTWRITEBYTECODE", "JUPYTER_PATH", "JUPYTER_CONFIG_DIR", "MPLCONFIGDIR"}}
    return {**env, "HOME": str(home)}


def test_the_wheel_runs_every_notebook_from_a_folder_far_from_the_repository(shared_env, tmp_path):  # noqa: F811
    before = snapshot(shared_env)
    home = tmp_path / "home"
    home.mkdir()
    copy = tmp_path / "somewhere" / "notebooks"
    shutil.copytree(ROOT / "notebooks", copy, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))

    where = subprocess.run([str(shared_env / "bin" / "python"), "-c", WHERE], capture_output=True, text=True,
                           cwd=copy, env={**clean_env(home), "TIKTOKEN_CACHE_DIR": str(
                               shared_env / "share" / "token-economy" / "tiktoken")}, timeout=120)
    assert where.returncode == 0, where.stderr[-2000:]
    found = json.loads(where.stdout.strip().splitlines()[-1])
    site = Path(found["prefix"])
    assert Path(found["package"]).is_relative_to(site), f"token_economy was not imported from the wheel: {found}"
    assert Path(found["data"]) == Path(found["package"]).parent / "_data", found
    assert Path(found["cache"]).is_relative_to(site) and found["tokens"] == 2, found

    out = tmp_path / "executed"
    done = subprocess.run([str(shared_env / "bin" / "jupyter"), "nbconvert", "--to", "notebook", "--execute",
                           "--ExecutePreprocessor.kernel_name=python3", "--ExecutePreprocessor.timeout=300",
                           "--output-dir", str(out), *[str(copy / p.name) for p in NOTEBOOKS]],
                          capture_output=True, text=True, cwd=copy, env=clean_env(home), timeout=1800)
    assert done.returncode == 0, done.stderr[-4000:]
    for path in NOTEBOOKS:
        executed = nbformat.read(out / path.name, as_version=4)
        assert nbrun.problems(executed) == [], path.name
    assert hubenv.changed(before, snapshot(shared_env)) == [], "running the notebooks wrote into the environment"


# --- tools/envsetup.py ------------------------------------------------------------------------------

@pytest.fixture
def project(tmp_path, monkeypatch):
    """A copy of pyproject.toml and requirements.lock that envsetup reads instead of the real ones."""
    for name in ("pyproject.toml", "requirements.lock"):
        shutil.copy2(ROOT / name, tmp_path / name)
    monkeypatch.setattr(envsetup, "PYPROJECT", tmp_path / "pyproject.toml")
    monkeypatch.setattr(envsetup, "LOCK", tmp_path / "requirements.lock")
    return tmp_path


def test_only_a_change_of_the_dependencies_reinstalls(project, tmp_path, monkeypatch):
    env = tmp_path / "venv"
    env.mkdir()
    monkeypatch.setattr(envsetup, "repair", lambda env, base_python=None: "ok")
    calls = []
    monkeypatch.setattr(envsetup, "pip_install", lambda env, args: calls.append(args))
    assert envsetup.ensure(env, ["-e", ".[dev]"]) is True and len(calls) == 1
    # A newer timestamp, a comment, a reformatted line: nothing to install.
    later = time.time() + 60
    os.utime(project / "pyproject.toml", (later, later))
    (project / "requirements.lock").write_text("# regenerated\n" + (project / "requirements.lock").read_text())
    assert envsetup.ensure(env, ["-e", ".[dev]"]) is False and len(calls) == 1
    # A changed dependency range or pin: reinstall.
    text = (project / "pyproject.toml").read_text()
    (project / "pyproject.toml").write_text(text.replace('"numpy>=1.26,<3"', '"numpy>=2,<3"'))
    assert envsetup.ensure(env, ["-e", ".[dev]"]) is True and len(calls) == 2
    lock = (project / "requirements.lock").read_text()
    (project / "requirements.lock").write_text(lock.replace("\nnumpy==", "\nnumpy==0.0.0+"))
    assert envsetup.ensure(env, ["-e", ".[dev]"]) is True and len(calls) == 3


def test_a_failed_install_keeps_the_old_stamp_and_says_what_to_do(project, tmp_path, monkeypatch):
    env = tmp_path / "venv"
    env.mkdir()
    (env / ".installed").write_text(json.dumps({"spec_sha256": "old"}))
    monkeypatch.setattr(envsetup, "repair", lambda env, base_python=None: "ok")

    def offline(env, args):
        raise envsetup.SetupError("pip could not install (offline?) ... rm -rf venv and run make again")
    monkeypatch.setattr(envsetup, "pip_install", offline)
    with pytest.raises(envsetup.SetupError, match="run make again"):
        envsetup.ensure(env, ["-e", ".[dev]"])
    assert envsetup.read_stamp(env) == "old"


def test_make_setup_after_a_touch_works_with_the_network_off():
    stamp = ROOT / ".venv" / ".installed"
    if envsetup.read_stamp(ROOT / ".venv") is None:
        pytest.skip("the .venv was not set up by tools/envsetup.py (run `make setup` first)")
    before = stamp.read_text()
    os.utime(ROOT / "pyproject.toml")  # what a checkout or an editor does
    done = run_offline(["make", "-C", str(ROOT), "setup"], timeout=120)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "installing" not in done.stderr, done.stderr
    assert stamp.read_text() == before


def test_a_venv_without_pip_gets_pip_back_offline(tmp_path):
    env = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True)
    assert envsetup.state(env) == "no-pip"
    assert envsetup.repair(env) == "no-pip"
    assert envsetup.state(env) == "ok"


def test_a_venv_whose_python_is_gone_is_rebuilt_with_a_message(tmp_path, capsys):
    env = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True)
    for name in ("python", "python3"):
        (env / "bin" / name).unlink()
        (env / "bin" / name).symlink_to(tmp_path / "removed-python" / "bin" / "python3.11")
    (env / "bin" / "jupyter").write_text(f"#!{env}/bin/python\n")  # the script that said "jupyter: not found"
    assert envsetup.state(env) == "no-python"
    envsetup.repair(env)
    message = capsys.readouterr().err
    assert "is broken" in message and "removed-python" in message, message
    assert envsetup.state(env) == "ok"
    assert not (env / "bin" / "jupyter").exists()


def test_an_old_python_is_refused_with_the_version_found():
    with pytest.raises(envsetup.SetupError, match=r"3\.11 or newer; this is Python 3\.9\.7"):
        envsetup.check_python((3, 9, 7))
    envsetup.check_python((3, 13, 0))

"""Shared fixtures and helpers for the test suite."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
#: An absolute path of a developer's or CI machine (under work, root or a home folder).
ABSOLUTE_PATH = re.compile(r"(?<![\w.])/(work|root|home/\w+)/")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def skip_or_fail(reason: str) -> None:
    """Skip locally with a reason; in CI (CI=true) a missing prerequisite is a failure."""
    if IN_CI:
        pytest.fail(f"CI=true and a prerequisite is missing: {reason}")
    pytest.skip(reason)


def netns_available() -> bool:
    """Can this process run a command with the network really off (``unshare -n``)?"""
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True)
    return probe.returncode == 0


def run_offline(args: list[str], env: dict | None = None, timeout: float = 600, **kw) -> subprocess.CompletedProcess:
    """Run ``args`` in a new network namespace (only a down loopback: no network at all)."""
    if not netns_available():
        skip_or_fail("running without network needs `unshare -n` (util-linux) and root; run the suite as root or in CI")
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(["unshare", "-n", *args], capture_output=True, text=True,
                          env=full_env, timeout=timeout, **kw)


@pytest.fixture(scope="session")
def python() -> str:
    return sys.executable

"""`make lock`: re-resolve requirements.lock, the exact versions the collection is tested with.

pip resolves the newest releases within pyproject.toml's ranges for the collection with every
extra (lab, hub, dev) in a fresh, temporary venv; ``pip freeze`` of that venv, without the
collection itself, becomes requirements.lock. Then run `make test` (the Makefile reinstalls .venv,
since the lock changed) and commit the lock if it passes; update environment.yml's pins to match
(tests/test_environment.py says which differ).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements.lock"
#: Releases held back so that the lock installs on every Python the collection supports (3.11.0 up):
#: pip resolves on the running Python, and a newer one would admit releases that an older one refuses.
HOLDS = ["soupsieve<3"]  # 3.x needs Python 3.11.5 (3.0.1, which did not say so, is yanked)

HEADER = """\
# The exact, tested versions of everything the collection and its tools install (pip constraints).
# `make setup` and `make hub` install with `pip install -c requirements.lock ...`; pyproject.toml keeps
# compatible ranges. Regenerate with `make lock` (newest releases within pyproject.toml's ranges,
# resolved in a fresh venv), then run `make test`. Python 3.11+, any platform with wheels for these.
# Held back so that the lock installs and works on every Python 3.11 (Debian 12's is 3.11.2):
# soupsieve 2.x (3.0 needs the possessive quantifiers of Python 3.11.5's re; 3.0.1 is yanked for it).
# tools/lock.py applies the same holds.
"""


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="te-lock-") as tmp:
        env = Path(tmp) / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(env)], check=True)
        py = str(env / "bin" / "python")
        subprocess.run([py, "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
        holds = Path(tmp) / "holds.txt"
        holds.write_text("\n".join(HOLDS) + "\n")
        subprocess.run([py, "-m", "pip", "install", "--quiet", "-c", str(holds), f"{ROOT}[lab,hub,dev]"], check=True)
        frozen = subprocess.run([py, "-m", "pip", "freeze", "--exclude-editable"], check=True,
                                capture_output=True, text=True).stdout.splitlines()
    pins = sorted((line for line in frozen if "==" in line and not line.lower().startswith("token-economy==")),
                  key=str.lower)
    LOCK.write_text(HEADER + "\n".join(pins) + "\n")
    print(f"wrote {LOCK.name}: {len(pins)} pins. Now: make test")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Launch where students are: Binder and Google Colab links, and the notebooks' install cell.

    python book/launch.py --check     # do the README and the notebooks agree with pyproject.toml? (exit 1 if not)
    python book/launch.py --write     # rewrite the README's launch badges and every notebook's install cell

One place holds the repository's public URL: ``[project.urls] Repository`` in pyproject.toml.
Everything else is derived from it here: the pages' launch buttons (book/build.py writes it into
the book's configuration), the README's Binder and Colab badges, and the first code cell of every
notebook, which installs the collection where it is missing (Google Colab, a hub without it) and
does nothing where it is installed (``make lab``, Binder, the tests). tests/test_launch.py checks
that all of them agree.

What it leaves out: hosting the repository. While the URL is the placeholder, the links lead
nowhere; set it in pyproject.toml and run ``python book/launch.py --write``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
NOTEBOOK_DIR = ROOT / "notebooks"
#: The branch the launch links open (Binder builds it; Colab reads the notebook from it).
BRANCH = "main"
#: The URL pyproject.toml holds until someone publishes the collection (then: set it there).
PLACEHOLDER = "https://github.com/YOUR-GITHUB-ACCOUNT/token-economy"
GITHUB = re.compile(r"^https://github\.com/(?P<owner>[A-Za-z0-9][A-Za-z0-9-]{0,38})/(?P<repo>[A-Za-z0-9._-]{1,100})$")
#: Tag of the install cell in notebook metadata ("remove-cell": the pages, which run nothing, do not show it).
CELL_TAG = "install-collection"
BADGES_START, BADGES_END = "<!-- launch:start", "<!-- launch:end -->"


def repository_url(pyproject: Path = ROOT / "pyproject.toml") -> str:
    """The repository URL from ``[project.urls] Repository`` (a https://github.com/OWNER/REPO address)."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {})
    url = project.get("urls", {}).get("Repository", "")
    if not GITHUB.match(url):
        raise ValueError(f"{pyproject.name}: [project.urls] Repository must be https://github.com/OWNER/REPO, got {url!r}")
    return url


def slug(url: str) -> str:
    """``owner/repo`` of a GitHub URL.

    >>> slug("https://github.com/ada/token-economy")
    'ada/token-economy'
    """
    match = GITHUB.match(url)
    if not match:
        raise ValueError(f"url must be https://github.com/OWNER/REPO, got {url!r}")
    return f"{match['owner']}/{match['repo']}"


def binder_url(url: str, notebook: str = "notebooks/00_start_here.ipynb", branch: str = BRANCH) -> str:
    """Binder (builds environment.yml, opens JupyterLab at ``notebook``).

    >>> binder_url("https://github.com/ada/token-economy")
    'https://mybinder.org/v2/gh/ada/token-economy/main?urlpath=lab/tree/notebooks/00_start_here.ipynb'
    """
    return f"https://mybinder.org/v2/gh/{slug(url)}/{branch}?urlpath=lab/tree/{notebook}"


def colab_url(url: str, notebook: str = "notebooks/00_start_here.ipynb", branch: str = BRANCH) -> str:
    """Google Colab, opening ``notebook`` from GitHub.

    >>> colab_url("https://github.com/ada/token-economy")
    'https://colab.research.google.com/github/ada/token-economy/blob/main/notebooks/00_start_here.ipynb'
    """
    return f"https://colab.research.google.com/github/{slug(url)}/blob/{branch}/{notebook}"


def install_cell_source(url: str, branch: str = BRANCH) -> str:
    """The first code cell of every notebook: install the collection if it is missing, else nothing.

    Plain Python (no ``%pip``), so that it runs the same in any kernel and can be tested.
    """
    spec = f"token-economy @ git+{url}@{branch}"
    slug(url)  # refuse anything but a GitHub URL
    return (
        "# Google Colab, or a Jupyter without this collection: install it first (here it does nothing).\n"
        "import importlib.util, subprocess, sys\n"
        'if importlib.util.find_spec("token_economy") is None:\n'
        '    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet",\n'
        f'                    "{spec}"], check=True)\n'
        "    importlib.invalidate_caches()\n"
        '    if "google.colab" in sys.modules:  # Colab draws ipywidgets 8 with its custom widget manager\n'
        "        from google.colab import output\n"
        "        output.enable_custom_widget_manager()"
    )


def is_install_cell(cell: dict) -> bool:
    return cell.get("cell_type") == "code" and CELL_TAG in cell.get("metadata", {}).get("tags", [])


def with_install_cell(nb: dict, source: str) -> tuple[dict, bool]:
    """``nb`` (notebook JSON) with its install cell set to ``source``: updated in place, or inserted
    right after the title cell (before any code). Returns the notebook and whether it changed.

    >>> nb = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": "# T"},
    ...                 {"cell_type": "code", "metadata": {}, "source": "x = 1", "outputs": [], "execution_count": None}]}
    >>> nb, changed = with_install_cell(nb, "pass")
    >>> changed, ["".join(c["source"]) for c in nb["cells"]], with_install_cell(nb, "pass")[1]
    (True, ['# T', 'pass', 'x = 1'], False)
    """
    cells = nb["cells"]
    lines = source.splitlines(keepends=True)  # stored as nbformat stores sources: a list of lines
    found = [c for c in cells if is_install_cell(c)]
    if found:
        cell = found[0]
        text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if text == source:
            return nb, False
        cell["source"] = lines
        return nb, True
    cell = {"cell_type": "code", "execution_count": None, "id": "install-collection",
            "metadata": {"tags": [CELL_TAG, "remove-cell"]}, "outputs": [], "source": lines}
    first_code = next((i for i, c in enumerate(cells) if c.get("cell_type") == "code"), len(cells))
    cells.insert(min(1, first_code), cell)  # right after the title cell, before any code
    return nb, True


def readme_badges(url: str, branch: str = BRANCH) -> str:
    """The README's launch block (between its markers)."""
    return (f"{BADGES_START} (written by `python book/launch.py --write` from pyproject.toml's Repository URL) -->\n"
            f"[![Launch on Binder](https://mybinder.org/badge_logo.svg)]({binder_url(url, branch=branch)}) "
            f"[![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)]({colab_url(url, branch=branch)})\n"
            f"{BADGES_END}")


BADGES_BLOCK = re.compile(re.escape(BADGES_START) + r".*?" + re.escape(BADGES_END), re.S)


def notebooks(folder: Path = NOTEBOOK_DIR) -> list[Path]:
    return sorted(folder.glob("[0-9][0-9]_*.ipynb"))


def problems(url: str | None = None, readme: Path = README, folder: Path = NOTEBOOK_DIR) -> list[str]:
    """Where the README or a notebook disagrees with the repository URL (empty when all agree)."""
    url = url or repository_url()
    found = []
    text = readme.read_text(encoding="utf-8")
    blocks = BADGES_BLOCK.findall(text)
    if blocks != [readme_badges(url)]:
        found.append(f"{readme.name}: the launch badges are missing or out of date (python book/launch.py --write)")
    source = install_cell_source(url)
    for path in notebooks(folder):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        mine = [c for c in cells if is_install_cell(c)]
        first_code = next((c for c in cells if c.get("cell_type") == "code"), None)
        if len(mine) != 1 or mine[0] is not first_code:
            found.append(f"{path.name}: the first code cell is not the install cell (python book/launch.py --write)")
        elif "".join(mine[0]["source"]) != source:
            found.append(f"{path.name}: the install cell is out of date (python book/launch.py --write)")
    return found


def write(url: str | None = None, readme: Path = README, folder: Path = NOTEBOOK_DIR) -> list[Path]:
    """Rewrite the README's badges and every notebook's install cell; return the files changed."""
    url = url or repository_url()
    changed = []
    text = readme.read_text(encoding="utf-8")
    if BADGES_BLOCK.search(text):
        new = BADGES_BLOCK.sub(lambda m: readme_badges(url), text)
    else:  # first time: under the title and the one-line summary
        lines = text.split("\n")
        at = next((i + 1 for i, line in enumerate(lines) if line.startswith("**")), 1)
        new = "\n".join([*lines[:at], "", readme_badges(url), *lines[at:]])
    if new != text:
        readme.write_text(new, encoding="utf-8")
        changed.append(readme)
    source = install_cell_source(url)
    for path in notebooks(folder):
        nb, did = with_install_cell(json.loads(path.read_text(encoding="utf-8")), source)
        if did:
            path.write_text(json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
            changed.append(path)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--check", action="store_true", help="report where README or notebooks disagree")
    group.add_argument("--write", action="store_true", help="rewrite the README badges and the install cells")
    args = parser.parse_args(argv)
    url = repository_url()
    if url == PLACEHOLDER:
        print(f"launch: pyproject.toml still holds the placeholder {PLACEHOLDER}; set [project.urls] Repository "
              "to your repository's address so the launch links work", file=sys.stderr)
    if args.write:
        for path in write(url):
            print(f"launch: wrote {path.relative_to(ROOT)}")
        return 0
    found = problems(url)
    for problem in found:
        print(f"launch: {problem}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())

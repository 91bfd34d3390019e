"""Launch where students are (book/launch.py): one repository URL, Binder and Colab links derived from
it in the README and on the pages, and the notebooks' install cell (installs the collection where it
is missing, as on Colab; does nothing where it is installed).

The URL itself may still be the placeholder: these tests check that everything agrees with
pyproject.toml, not that the repository exists.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import types

import pytest

from conftest import NOTEBOOKS, ROOT

spec = importlib.util.spec_from_file_location("book_launch", ROOT / "book" / "launch.py")
launch = importlib.util.module_from_spec(spec)
spec.loader.exec_module(launch)

URL = launch.repository_url()


def test_the_repository_url_lives_in_pyproject_only():
    assert launch.GITHUB.match(URL)
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    holders = [f for f in tracked if f.endswith((".toml", ".yml", ".yaml", ".py", ".json", ".cfg"))
               and not f.startswith("notebooks/") and URL in (ROOT / f).read_text(errors="ignore")]
    if URL == launch.PLACEHOLDER:  # launch.py knows the placeholder, to say when it was not set
        holders.remove("book/launch.py")
    assert holders == ["pyproject.toml"], f"the repository URL is written in more than one place: {holders}"


def test_links_are_built_from_the_url():
    assert launch.slug("https://github.com/ada/token-economy") == "ada/token-economy"
    assert launch.binder_url("https://github.com/ada/x", "notebooks/03_a.ipynb") == \
        "https://mybinder.org/v2/gh/ada/x/main?urlpath=lab/tree/notebooks/03_a.ipynb"
    assert launch.colab_url("https://github.com/ada/x", "notebooks/03_a.ipynb") == \
        "https://colab.research.google.com/github/ada/x/blob/main/notebooks/03_a.ipynb"
    for bad in ("https://gitlab.com/ada/x", "github.com/ada/x", "https://github.com/ada/x/tree/main", ""):
        with pytest.raises(ValueError, match="url"):
            launch.slug(bad)


def test_readme_badges_open_binder_and_colab_at_notebook_00():
    readme = (ROOT / "README.md").read_text()
    assert launch.readme_badges(URL) in readme, "README badges out of step with pyproject.toml: python book/launch.py --write"
    assert launch.binder_url(URL) in readme and launch.colab_url(URL) in readme


def test_every_notebook_starts_with_the_install_cell():
    # The lead inserts the cells with `python book/launch.py --write` (then this passes).
    assert launch.problems(URL) == []


def run_cell(source: str, monkeypatch, installed: bool, colab: bool = False) -> list:
    """Run the install cell's code; record the commands it runs instead of running them."""
    ran = []
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: (real_find_spec(name, *a) if installed or name != "token_economy" else None))
    monkeypatch.setattr(subprocess, "run", lambda cmd, **kw: ran.append((cmd, kw)))
    if colab:
        output = types.SimpleNamespace(enable_custom_widget_manager=lambda: ran.append("custom widget manager"))
        monkeypatch.setitem(sys.modules, "google.colab", types.SimpleNamespace(output=output))
        monkeypatch.setitem(sys.modules, "google.colab.output", output)
    exec(compile(source, "install-cell", "exec"), {})
    return ran


def test_install_cell_does_nothing_where_the_collection_is_installed(monkeypatch):
    assert run_cell(launch.install_cell_source(URL), monkeypatch, installed=True) == []


def test_install_cell_installs_from_the_repository_where_it_is_missing(monkeypatch):
    ran = run_cell(launch.install_cell_source(URL), monkeypatch, installed=False)
    assert ran == [([sys.executable, "-m", "pip", "install", "--quiet", f"token-economy @ git+{URL}@main"],
                    {"check": True})]
    ran = run_cell(launch.install_cell_source(URL), monkeypatch, installed=False, colab=True)
    assert ran[-1] == "custom widget manager", "on Colab, ipywidgets 8 needs Colab's custom widget manager"


def test_install_cell_runs_for_real_as_a_no_op_in_a_fresh_interpreter():
    done = subprocess.run([sys.executable, "-c", launch.install_cell_source(URL)], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0 and done.stdout == "" and done.stderr == ""


def test_writing_the_cells_inserts_then_updates_and_is_idempotent(tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    for path in NOTEBOOKS[:2]:  # the notebooks as they were before the install cell (the real ones have it)
        nb = json.loads(path.read_text())
        nb["cells"] = [c for c in nb["cells"] if not launch.is_install_cell(c)]
        (folder / path.name).write_text(json.dumps(nb, indent=1))
    readme = tmp_path / "README.md"
    readme.write_text("# title\n\n**A line.**\n\nText.\n")
    assert len(launch.write(URL, readme, folder)) == 3
    assert launch.problems(URL, readme, folder) == []
    assert launch.write(URL, readme, folder) == []
    other = "https://github.com/ada/token-economy"
    assert len(launch.write(other, readme, folder)) == 3 and launch.problems(other, readme, folder) == []
    nb = json.loads((folder / NOTEBOOKS[0].name).read_text())
    cells = [c for c in nb["cells"] if launch.is_install_cell(c)]
    assert len(cells) == 1 and "remove-cell" in cells[0]["metadata"]["tags"]
    first_code = next(c for c in nb["cells"] if c["cell_type"] == "code")
    assert first_code is cells[0] and nb["cells"][0]["cell_type"] == "markdown"
    assert readme.read_text().count("launch:start") == 1

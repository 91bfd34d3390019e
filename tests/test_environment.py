"""The set-up files agree with each other and with the README."""

import re
import tomllib

import yaml
from packaging.requirements import Requirement

from conftest import ABSOLUTE_PATH, ROOT


def pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_environment_yml_matches_pyproject_dependencies():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    from_env = {str(Requirement(r)) for r in pip_section if not r.startswith("-e")}
    from_pyproject = {str(Requirement(r)) for r in pyproject()["project"]["dependencies"]}
    assert from_env == from_pyproject
    assert "-e ." in pip_section, "environment.yml must install the token_economy package itself"
    py = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert version_tuple(py.split("=")[-1]) >= (3, 11)  # as numbers: "3.9" >= "3.11" is True as text


def version_tuple(text: str) -> tuple[int, ...]:
    """``"3.11"`` -> ``(3, 11)``; compares as versions do ("3.9" < "3.11"), not as text."""
    return tuple(int(part) for part in re.findall(r"\d+", text))


def test_versions_compare_as_numbers_not_as_text():
    assert version_tuple("3.9") < version_tuple("3.11") < version_tuple("3.11.7") < version_tuple("3.12")
    assert "3.9" > "3.11"  # what the old string comparison got wrong


def test_requires_python_agrees_with_environment_yml():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    py = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    floor = version_tuple(pyproject()["project"]["requires-python"])
    assert version_tuple(py.split("=")[-1]) >= floor


def test_dependencies_are_pinned():
    for r in pyproject()["project"]["dependencies"]:
        assert "==" in r, f"runtime dependency {r} is not pinned"


def test_design_stack_is_in_the_dependencies():
    names = {Requirement(r).name for r in pyproject()["project"]["dependencies"]}
    assert {"jupyterlab", "ipywidgets", "tiktoken", "matplotlib", "pandas"} <= names


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in readme and "make lab" in readme
    assert re.search(r"^\s*make test\b", ci, re.M), ".ci/run must call `make test`"


def test_no_absolute_paths_of_a_machine_in_tracked_text_files():
    import subprocess

    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    offenders = []
    for name in files:
        p = ROOT / name
        if p.suffix in {".gz", ".png"} or not p.is_file():
            continue
        text = p.read_text(errors="ignore")
        if re.search(r"(?<![\w.])/(work|root|home/\w+)/", text):
            offenders.append(name)
    assert offenders == [], offenders

"""The set-up files agree with each other and with the README."""

import re
import tomllib

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from conftest import ABSOLUTE_PATH, ROOT


def pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def lock_pins():
    lines = (ROOT / "requirements.lock").read_text().splitlines()
    reqs = [Requirement(line) for line in lines if line.strip() and not line.lstrip().startswith("#")]
    return {canonicalize_name(r.name): r for r in reqs}


def test_environment_yml_matches_pyproject_dependencies():
    # environment.yml pins exactly what requirements.lock pins, for the runtime stack, JupyterLab,
    # nbgitpuller and otter-grader (Binder and a hub's image serve the assignments too), and each pin is
    # inside pyproject.toml's range.
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    from_env = {canonicalize_name(Requirement(r).name): Requirement(r) for r in pip_section if r != "."}
    project = pyproject()["project"]
    ranges = [Requirement(r) for r in project["dependencies"] + project["optional-dependencies"]["lab"]]
    ranges += [r for r in map(Requirement, project["optional-dependencies"]["hub"]) if r.name == "nbgitpuller"]
    ranges += list(map(Requirement, project["optional-dependencies"]["assignments"]))
    assert set(from_env) == {canonicalize_name(r.name) for r in ranges}
    locked = lock_pins()
    for r in ranges:
        pin = from_env[canonicalize_name(r.name)]
        (version,) = [s.version for s in pin.specifier if s.operator == "=="]
        assert r.specifier.contains(version), f"environment.yml's {pin} is outside pyproject.toml's {r}"
        assert str(pin.specifier) == str(locked[canonicalize_name(r.name)].specifier), (pin, locked[canonicalize_name(r.name)])
    assert "." in pip_section, "environment.yml must install the token_economy package itself (not editable)"
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


def test_dependencies_are_ranges_and_the_lock_pins_them_inside_the_ranges():
    project = pyproject()["project"]
    locked = lock_pins()
    for r in map(Requirement, project["dependencies"]):
        assert "==" not in str(r.specifier), f"{r}: pyproject.toml keeps ranges; exact pins go in requirements.lock"
        pin = locked[canonicalize_name(r.name)]
        (version,) = [s.version for s in pin.specifier if s.operator == "=="]
        assert r.specifier.contains(version), f"requirements.lock pins {pin}, outside pyproject.toml's {r}"
    for extra, reqs in project["optional-dependencies"].items():
        for r in map(Requirement, reqs):
            if canonicalize_name(r.name) != "token-economy":
                assert canonicalize_name(r.name) in locked, f"[{extra}] {r.name} is missing from requirements.lock"
    assert all(str(p.specifier).startswith("==") for p in locked.values())


def test_design_stack_is_in_the_dependencies():
    project = pyproject()["project"]
    names = {Requirement(r).name for r in project["dependencies"] + project["optional-dependencies"]["lab"]}
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

"""The licences agree: LICENSE (code), LICENSE-text.md (text), data/datapackage.json (data), pyproject.toml, README."""

import json
import re
import tomllib

from conftest import ROOT

PACKAGE = json.loads((ROOT / "data" / "datapackage.json").read_text())
#: Not a licence but a status (SPDX has no identifier for the public domain).
PUBLIC_DOMAIN = "other-pd"


def data_licences() -> set[str]:
    names = {x["name"] for r in PACKAGE["resources"] for x in r["licenses"]}
    return names | {x["name"] for x in PACKAGE["licenses"]}


def test_code_is_mit_and_text_is_cc_by():
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    text = (ROOT / "LICENSE-text.md").read_text()
    assert "Creative Commons Attribution 4.0 International Public License" in text  # the legal code itself
    assert "Section 8 – Interpretation." in text, "the legal code is complete"


def test_pyproject_declares_every_licence_the_wheel_carries():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = set(re.split(r"\s+AND\s+", project["license"]))
    assert declared == {"MIT", "CC-BY-4.0"} | (data_licences() - {PUBLIC_DOMAIN})
    assert all((ROOT / f).is_file() for f in project["license-files"])
    assert {"LICENSE", "LICENSE-text.md"} <= set(project["license-files"])


def test_each_table_has_the_licence_of_its_origin():
    licences = {r["name"]: {x["name"] for x in r["licenses"]} for r in PACKAGE["resources"]}
    for flores in ("petrov2023_premiums", "flores200_languages", "flores200_token_counts"):  # FLORES-200 counts
        assert "CC-BY-SA-4.0" in licences[flores], flores
    assert "MIT" in licences["api_prices"]  # LiteLLM's price database
    assert all("MIT" in licences[r] for r in licences if r.startswith("tiktoken-"))
    # Qwen's vocabulary reached us through an MIT package, but Alibaba Cloud publishes it under Apache 2.0
    assert all("Apache-2.0" in licences[r] for r in ("tiktoken-qwen", "tiktoken-qwen3-5"))
    assert PUBLIC_DOMAIN in licences["corpora"]


def test_readme_says_which_licence_applies_to_what():
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Licence"):]
    for needle in ("[`LICENSE`](LICENSE)", "[`LICENSE-text.md`](LICENSE-text.md)", "data/datapackage.json",
                   "MIT", "CC BY 4.0", "CC BY-SA 4.0"):
        assert needle in section, needle

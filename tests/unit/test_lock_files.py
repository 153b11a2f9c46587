"""The lock files pin exactly what pyproject.toml asks for (run `make lock` after changing it)."""

from __future__ import annotations

import re
import tomllib

from ..support import ROOT

PIN = re.compile(r"^([A-Za-z0-9_.-]+)==([^\s;]+)", re.MULTILINE)


def normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(text: str) -> dict[str, str]:
    return {normal(name): version for name, version in PIN.findall(text)}


def declared() -> tuple[dict[str, str], dict[str, str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = {normal(re.sub(r"\[.*\]", "", d.split("==")[0])): d.split("==")[1] for d in project["dependencies"]}
    test = {normal(d.split("==")[0]): d.split("==")[1] for d in project["optional-dependencies"]["test"]}
    return runtime, test


def test_every_dependency_is_pinned_exactly_in_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    loose = [d for d in [*project["dependencies"], *project["optional-dependencies"]["test"]] if "==" not in d]
    assert loose == []


def test_the_lock_files_hold_the_pinned_versions_and_no_machine_paths():
    runtime, test = declared()
    app_lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    test_lock = (ROOT / "requirements-test.lock").read_text(encoding="utf-8")
    assert {name: pins(app_lock).get(name) for name in runtime} == runtime
    assert {name: pins(test_lock).get(name) for name in {**runtime, **test}} == {**runtime, **test}
    for text in (app_lock, test_lock):
        assert "--extra-index-url" not in text and "file://" not in text and "--find-links" not in text
        # every line is a pin or a comment: nothing unpinned slips in
        assert all(PIN.match(line) or line.startswith("    #") or not line.strip() for line in text.splitlines())

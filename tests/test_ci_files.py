"""The CI files other repositories use: the GitHub workflow (its steps run as a script in a scratch
announcements repository) and the pre-commit hook."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tomllib
import venv
import xml.etree.ElementTree as ET
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement

from workspace import ROOT, review_all

WORKFLOW = ROOT / ".github/workflows/translations.yml"
#: Node 20 actions stop running on GitHub's runners (September 2026): these majors run on Node 24.
CURRENT = {"actions/checkout": 7, "actions/setup-python": 7, "actions/upload-artifact": 7,
           "mikepenz/action-junit-report": 6}


def load_workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def steps() -> list[dict]:
    return load_workflow()["jobs"]["check"]["steps"]


def test_workflow_uses_current_action_majors_and_no_pip_cache():
    used = {}
    for step in steps():
        if "uses" in step:
            name, _, ref = step["uses"].partition("@")
            used[name] = int(ref.lstrip("v").split(".")[0])
            assert "cache" not in step.get("with", {}), "cache: pip needs a requirements file the repository lacks"
    assert used == CURRENT


def test_workflow_installs_the_pinned_light_package():
    env = load_workflow()["env"]
    assert env["OUTREACH_PACKAGE"] == ""   # the user's to set: no made-up address that pip would fail on
    runs = "\n".join(step.get("run", "") for step in steps())
    assert 'pip install --disable-pip-version-check "$OUTREACH_PACKAGE"' in runs
    assert "pip install ." not in runs and "[mt" not in runs and "argostranslate" not in runs
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = sorted(re.split(r"[<>=!~ \[]", d)[0].lower() for d in project["dependencies"])
    assert names == ["click", "flask", "jinja2", "langdetect", "lxml", "markdown-it-py", "mdit-py-plugins", "polib",
                     "waitress"]  # light: no MT stack


# ---------------------------------------------------------------- the steps, run

def _light_site(folder: Path) -> Path:
    """A site folder holding only the light dependencies (links to the installed ones), so the
    scratch install needs no index and cannot see the MT stack."""
    folder.mkdir()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    todo = [re.split(r"[<>=!~ \[;]", d)[0] for d in project["dependencies"]] + ["wheel"]  # + the build's
    seen = set()
    while todo:
        name = todo.pop().lower()
        if name in seen:
            continue
        seen.add(name)
        dist = metadata.distribution(name)
        tops = {Path(str(f)).parts[0] for f in dist.files or () if not str(f).startswith("..")}
        for top in tops:
            source = Path(dist.locate_file(top))
            if source.exists() and not (folder / top).exists() and not top.endswith(".pth"):
                (folder / top).symlink_to(source)
        for requirement in map(Requirement, dist.requires or ()):
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(requirement.name)
    return folder


def _run_steps(repo: Path, env: dict) -> list[tuple[str, int]]:
    """Each step as GitHub runs it: bash -e per `run:`, later steps only `if: always()` after a failure."""
    outcomes, failed = [], False
    for step in steps():
        if failed and step.get("if") != "always()":
            continue
        name = step.get("name") or step["uses"]
        if "run" in step:
            code = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=repo, env=env,
                                  capture_output=True, text=True, timeout=300)
            outcomes.append((name, code.returncode))
            assert code.returncode == 0 or name == "Check translations", (name, code.stdout, code.stderr)
            failed = failed or code.returncode != 0
        elif step["uses"].startswith("actions/upload-artifact"):
            for path in step["with"]["path"].split():
                assert (repo / path).exists(), f"artifact {path} missing"
        elif step["uses"].startswith("mikepenz/action-junit-report"):
            ET.parse(repo / step["with"]["report_paths"])
    return outcomes


def test_workflow_stops_at_once_until_the_package_is_set(tmp_path):
    install = next(step for step in steps() if step.get("name") == "Install outreach (light dependencies only)")
    done = subprocess.run(["bash", "-e", "-c", install["run"]], cwd=tmp_path, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "OUTREACH_PACKAGE": ""}, timeout=60)
    assert done.returncode == 1
    assert done.stdout.startswith("::error file=.github/workflows/translations.yml::set OUTREACH_PACKAGE")


@pytest.mark.slow
def test_workflow_steps_pass_in_a_scratch_announcements_repository(tmp_path):
    repo = tmp_path / "announcements"
    repo.mkdir()
    shutil.copytree(ROOT / "source_texts", repo / "source_texts")
    shutil.copytree(ROOT / "locales", repo / "locales", ignore=shutil.ignore_patterns("memory.tmx"))
    # The package as a release would hold it: pip installs it from a path instead of the git tag.
    package = tmp_path / "outreach-release"
    package.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, package / name)
    shutil.copytree(ROOT / "pipeline", package / "pipeline", ignore=shutil.ignore_patterns("__pycache__"))
    python_env = tmp_path / "runner"
    venv.create(python_env, with_pip=True)
    site = next((python_env / "lib").glob("python3*/site-packages"))
    (site / "light-deps.pth").write_text(str(_light_site(tmp_path / "light-site")) + "\n", encoding="utf-8")
    env = {"PATH": f"{python_env / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path), "CI": "true",
           "OUTREACH_PACKAGE": f"outreach @ {package.as_uri()}",
           # offline: the dependencies are there already; the build uses the venv's own setuptools
           "PIP_CONFIG_FILE": os.devnull, "PIP_NO_INDEX": "1", "PIP_NO_BUILD_ISOLATION": "0"}

    assert _run_steps(repo, env) == [("Install outreach (light dependencies only)", 0), ("Check translations", 1),
                                     ("Reviewer report and badges", 0)]
    installed = subprocess.run([str(python_env / "bin/python"), "-c", "import pipeline, sys; print(pipeline.__file__)"],
                               capture_output=True, text=True, env=env, check=True, cwd=repo).stdout
    assert installed.startswith(str(python_env))  # the released copy, not this checkout
    report = ET.parse(repo / "report.xml").getroot()
    assert int(report.get("failures")) > 0 and report.find("testsuite/testcase").get("file")
    assert (repo / "build/report.html").is_file() and (repo / "build/badges/uk.svg").is_file()

    # Reviewers finish their work: the same steps now pass.
    for po in (repo / "locales").rglob("*.po"):
        review_all(po)
    assert [code for _name, code in _run_steps(repo, env)] == [0, 0, 0]


# ---------------------------------------------------------------- pre-commit

def test_pre_commit_hook_runs_whatever_changed():
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "outreach-check" and hook["entry"] == "outreach check"
    assert hook["language"] == "python" and hook["pass_filenames"] is False
    # Folders are settings and sources come in many formats: the hook runs on every commit,
    # so a change to outreach.toml, pyproject.toml or glossary.csv is checked too.
    assert hook["always_run"] is True
    for path in ("outreach.toml", "pyproject.toml", "glossary.csv", "texts/a.docx", "po/uk/a.po"):
        assert re.search(hook.get("files", ""), path)
    assert "source_texts" not in hook.get("files", "") and "locales" not in hook.get("files", "")

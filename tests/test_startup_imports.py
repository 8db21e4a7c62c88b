"""The quick commands stay quick: what `status`, `check` and the no-change re-run of `run` import.

Not a timing test (bench/startup.py times them): each command runs in a fresh interpreter
and reports ``sys.modules``, so an eager import of the MT stack, HTTP, the web app or a
format parser the workspace does not need fails here at once.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from argos_fixture import build_package_dir
from workspace import make_workspace, probe

#: Never needed to answer status/check or a no-change run (prefixes of module names).
HEAVY = ("ctranslate2", "sentencepiece", "argostranslate", "torch", "numpy", "urllib.request", "http.client",
         "jinja2", "flask", "werkzeug", "lxml", "markdown_it", "langdetect")
#: What the no-change re-run does not need either: parsing catalogues, detecting languages.
NOT_FOR_RERUN = ("polib", "pipeline.catalogs.pofile", "pipeline.catalogs.memory", "pipeline.documents.detection",
                 "pipeline.documents.markdown", "pipeline.documents.html", "pipeline.documents.office")

TEXT = {"source_texts/a.txt": "Zapraszamy na warsztaty komputerowe w sobotę.\n\nWstęp wolny.\n"}


def fresh(*commands: list[str]) -> tuple[list, str, list[str]]:
    """Exit codes, stdout and every imported module of ``commands`` in one fresh interpreter,
    without the suite's ARGOS_PACKAGES_DIR (each workspace names its models folder)."""
    return probe(list(commands), {k: v for k, v in os.environ.items() if k != "ARGOS_PACKAGES_DIR"})


def imported(modules: list[str], names: tuple[str, ...]) -> list[str]:
    return sorted({n for n in names for m in modules if m == n or m.startswith(n + ".")})


@pytest.fixture(scope="module")
def argos_workspace(tmp_path_factory) -> Path:
    """A workspace translated once by real (tiny) pl→en and en→uk Argos packages: its run state is saved."""
    tmp = tmp_path_factory.mktemp("startup")
    models = tmp / "models"
    build_package_dir(models, "pl", "en")
    build_package_dir(models, "en", "uk")
    ws = make_workspace(tmp, TEXT)
    (ws / "pyproject.toml").write_text(f'[tool.outreach]\nengine = "argos"\nmodels_dir = "{models.as_posix()}"\n',
                                       encoding="utf-8")
    codes, _out, modules = fresh(["run", "-C", str(ws), "-q"])
    assert codes == [0]
    assert "ctranslate2" in modules  # the first run really translated
    return ws


def test_the_no_change_rerun_imports_neither_the_mt_stack_nor_the_catalogue_reader(argos_workspace):
    before = {p: p.read_bytes() for p in (argos_workspace / "locales").rglob("*.po")}
    codes, out, modules = fresh(["run", "-C", str(argos_workspace), "-q", "--json"])
    assert codes == [0]
    report = json.loads(out)
    assert report["engine"] == "argos" and len(report["catalogues"]) == 3
    assert not any(c["written"] for c in report["catalogues"])
    assert {p: p.read_bytes() for p in before} == before
    assert imported(modules, HEAVY) == []
    assert imported(modules, NOT_FOR_RERUN) == []
    # ... while the models' versions are still part of the key: Argos's metadata was read.
    assert "pipeline.translate.models" in modules


def test_a_changed_source_is_a_full_run_again(argos_workspace, tmp_path):
    """The control: the same probe sees the MT stack when the run has work to do."""
    import shutil

    ws = tmp_path / "ws"
    shutil.copytree(argos_workspace, ws)
    (ws / "source_texts" / "a.txt").write_text(TEXT["source_texts/a.txt"] + "\nNowy akapit o godzinach otwarcia.\n",
                                               encoding="utf-8")
    codes, _out, modules = fresh(["run", "-C", str(ws), "-q"])
    assert codes == [0]
    assert imported(modules, ("ctranslate2", "sentencepiece", "polib")) == ["ctranslate2", "polib", "sentencepiece"]


def test_status_and_check_import_no_mt_stack_and_no_parser_the_workspace_does_not_need(tmp_path):
    ws = make_workspace(tmp_path, TEXT)
    assert fresh(["run", "-C", str(ws), "--engine", "none", "-q"])[0] == [0]
    codes, out, modules = fresh(["status", "-C", str(ws), "--json"], ["check", "-C", str(ws)])
    assert codes == [0, 1]  # status succeeds; check fails: nothing is reviewed yet
    status = json.loads(out[: out.index("\n}\n") + 3])
    assert status["total"]["entries"] == 4 and status["total"]["untranslated"] == 4
    assert imported(modules, HEAVY) == []


def test_help_lists_commands_without_importing_the_stages():
    codes, out, modules = fresh(["--help"])
    assert "status  Entries, translated, fuzzy and untranslated" in out
    assert imported(modules, HEAVY + ("pipeline.review", "pipeline.runner", "pipeline.translate",
                                      "pipeline.catalogs")) == []

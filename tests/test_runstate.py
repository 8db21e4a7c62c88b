"""The no-change re-run (pipeline.runstate): skipped only when nothing a run reads has changed."""

from __future__ import annotations

import pytest

from pipeline import runner
from pipeline.config import load_settings
from pipeline.translate.engines import NoneEngine
from fake_engine import FakeEngine
from workspace import make_workspace

SOURCES = {
    "source_texts/a.txt": "Biblioteka zaprasza na spotkanie autorskie w sobotę.\n\nWstęp wolny dla wszystkich.\n",
    "source_texts/b.md": "# Warsztaty\n\nZapraszamy dzieci na warsztaty plastyczne w czytelni.\n",
}


@pytest.fixture
def ws(tmp_path):
    return make_workspace(tmp_path, SOURCES)


def run(ws, engine=None, **kwargs):
    return runner.run(load_settings(ws), engine or NoneEngine(), **kwargs)


def full_runs(monkeypatch) -> list[int]:
    calls: list[int] = []
    real = runner.prepare
    monkeypatch.setattr(runner, "prepare", lambda *a, **k: calls.append(1) or real(*a, **k))
    return calls


def test_nothing_changed_is_answered_without_a_run_and_reports_the_same(ws, monkeypatch):
    first = run(ws)
    assert first.written == 6
    full = run(ws)                      # a full run writes nothing: the state saved by the first applies
    calls = full_runs(monkeypatch)
    again = run(ws)
    assert calls == [] and again == full and again.written == 0
    assert [d.language for d in again.documents] == [d.language for d in first.documents]


@pytest.mark.parametrize("change", ["source", "catalogue", "setting", "flag", "glossary"])
def test_any_changed_input_means_a_full_run(ws, monkeypatch, change):
    run(ws)
    if change == "source":
        (ws / "source_texts" / "a.txt").write_text("Nowy tekst ogłoszenia o kursie.\n", encoding="utf-8")
    elif change == "catalogue":
        po = ws / "locales" / "en" / "LC_MESSAGES" / "a.po"
        po.write_text(po.read_text(encoding="utf-8").replace('msgstr ""\n\n#', 'msgstr "Reviewed."\n\n#', 1),
                      encoding="utf-8")
    elif change == "setting":
        (ws / "pyproject.toml").write_text('[tool.outreach]\ntarget_languages = ["en"]\n', encoding="utf-8")
    elif change == "glossary":
        (ws / "glossary.csv").write_text("term,lang,translation\nBiblioteka,en,Library\n", encoding="utf-8")
    calls = full_runs(monkeypatch)
    run(ws, purge_obsolete=(change == "flag"))
    assert calls == [1]


def test_a_reviewed_entry_survives_and_the_next_run_is_skipped_again(ws, monkeypatch):
    run(ws)
    po = ws / "locales" / "en" / "LC_MESSAGES" / "a.po"
    text = po.read_text(encoding="utf-8")
    po.write_text(text.replace('msgstr ""\n\n#', 'msgstr "A reviewed line."\n\n#', 1), encoding="utf-8")
    run(ws)
    assert "A reviewed line." in po.read_text(encoding="utf-8")
    calls = full_runs(monkeypatch)
    assert run(ws).written == 0 and calls == []


def test_engines_outside_the_workspace_always_run(ws, monkeypatch):
    run(ws, FakeEngine())
    calls = full_runs(monkeypatch)
    run(ws, FakeEngine())
    assert calls == [1]

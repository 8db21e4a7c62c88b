"""A reviewer who saves a catalogue while ``run`` is working is never overwritten.

``run`` reads every catalogue, computes, then writes; a save can land anywhere in between. Here
the save is a real other process (a polib script, as a Poedit or Weblate save would be) started
at several points of a run; the run must notice the file changed since it was read, merge again
from the saved file and keep the reviewer's text — or, when the file never stops changing, leave
it as saved and say so.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polib
import pytest

from pipeline import runner
from pipeline.catalogs import catalog, pofile
from pipeline.config import load_settings
from pipeline.errors import ConflictError
from fake_engine import FakeEngine
from workspace import invoke, make_workspace, msgfmt_check

P1 = "Zapraszamy na bezpłatne warsztaty językowe w naszej bibliotece."
P2 = "Biblioteka jest otwarta od poniedziałku do piątku w godzinach popołudniowych."
P3 = "W sobotę odbędzie się spotkanie z autorką książek dla dzieci."
DRAFT = "Чернетка рецензента, збережена під час запуску"

# The reviewer's editor: another process that loads the Ukrainian catalogue, rewrites P2's text
# as a human draft (still fuzzy) and saves, as any editor would.
WRITER = """
import sys, polib
po = polib.pofile(sys.argv[1])
entry = po.find(sys.argv[2])
entry.msgstr = sys.argv[3]
po.save()
"""


def _save_as_reviewer(path: Path, text: str = DRAFT) -> None:
    subprocess.run([sys.executable, "-c", WRITER, str(path), P2, text], check=True)


@pytest.fixture
def ws(tmp_path):
    ws = make_workspace(tmp_path, {"outreach.toml": 'detect_languages = ["pl", "en", "uk"]\n',
                                   "source_texts/a.txt": f"{P1}\n\n{P2}\n"})
    settings = load_settings(ws)
    runner.run(settings, FakeEngine())
    # The librarian adds a paragraph: the next run has to write the Ukrainian catalogue.
    (ws / "source_texts/a.txt").write_text(f"{P1}\n\n{P2}\n\n{P3}\n", encoding="utf-8")
    return settings


def _after_the_run(settings) -> dict[str, catalog.Entry]:
    path = settings.catalog_path("a", "uk")
    msgfmt_check(path)
    return {e.msgid: e for e in pofile.read_catalog(path).active}


def _check_both_kept(settings) -> None:
    uk = _after_the_run(settings)
    assert uk[P2].msgstr == DRAFT and uk[P2].fuzzy                     # the reviewer's save
    assert catalog.entry_state(uk[P2]) == catalog.HUMAN_DRAFT
    assert catalog.entry_state(uk[P3]) == catalog.MACHINE_DRAFT         # and the run's own work
    assert catalog.entry_state(uk[P1]) == catalog.MACHINE_DRAFT


def test_a_save_after_the_read_before_the_merge(ws, monkeypatch):
    merge, calls = catalog.merge, []

    def merge_after_a_save(template, existing, **kw):
        # each catalogue is merged right after it is read: save the Ukrainian one in between
        if not calls and existing is not None and existing.header_value("Language") == "uk":
            _save_as_reviewer(ws.catalog_path("a", "uk"))
            calls.append(1)
        return merge(template, existing, **kw)

    monkeypatch.setattr(runner.catalog, "merge", merge_after_a_save)
    messages: list[str] = []
    runner.run(ws, FakeEngine(), notify=messages.append)
    _check_both_kept(ws)
    assert any("saved by someone else during the run" in m for m in messages)


def test_a_save_while_the_engine_translates(ws, monkeypatch):
    class SlowEngine(FakeEngine):
        def translate_pair(self, leg, texts, progress=None):
            if leg.target == "uk":
                _save_as_reviewer(ws.catalog_path("a", "uk"))
            return super().translate_pair(leg, texts, progress)

    runner.run(ws, SlowEngine())
    _check_both_kept(ws)


def test_a_save_just_before_the_catalogue_is_written(ws, monkeypatch):
    write, uk = pofile.write_catalog, ws.catalog_path("a", "uk")
    saved = []

    def write_after_a_save(path, cat, **kw):
        if Path(path) == uk and not saved:
            saved.append(1)
            _save_as_reviewer(uk)
        return write(path, cat, **kw)

    monkeypatch.setattr(pofile, "write_catalog", write_after_a_save)
    runner.run(ws, FakeEngine())
    _check_both_kept(ws)
    assert saved


def test_a_reviewed_english_save_during_the_run_is_kept(ws, monkeypatch):
    """The pivot catalogue too: an English review saved during the run survives it."""
    write, en = pofile.write_catalog, ws.catalog_path("a", "en")

    def write_after_a_review(path, cat, **kw):
        if Path(path) == en and not getattr(write_after_a_review, "done", False):
            write_after_a_review.done = True
            po = polib.pofile(str(en))
            po.find(P1).flags.remove("fuzzy")
            po.find(P1).msgstr = "Reviewed: free language workshops."
            subprocess.run([sys.executable, "-c", "import sys; open(sys.argv[1], 'w', encoding='utf-8')"
                            ".write(sys.stdin.read())", str(en)], input=str(po), text=True, check=True)
        return write(path, cat, **kw)

    monkeypatch.setattr(pofile, "write_catalog", write_after_a_review)
    runner.run(ws, FakeEngine())
    english = {e.msgid: e for e in pofile.read_catalog(en).active}
    assert english[P1].msgstr == "Reviewed: free language workshops." and not english[P1].fuzzy
    assert catalog.entry_state(english[P3]) == catalog.MACHINE_DRAFT


def test_a_file_that_never_stops_changing_is_left_as_saved(ws, monkeypatch):
    write, uk = pofile.write_catalog, ws.catalog_path("a", "uk")
    saves = []

    def write_after_every_save(path, cat, **kw):
        if Path(path) == uk:
            saves.append(1)
            _save_as_reviewer(uk, f"{DRAFT} {len(saves)}")
        return write(path, cat, **kw)

    monkeypatch.setattr(pofile, "write_catalog", write_after_every_save)
    with pytest.raises(ConflictError) as info:
        runner.run(ws, FakeEngine())
    assert "saved by someone else" in str(info.value) and "a.po" in str(info.value.path)
    assert len(saves) == runner.ATTEMPTS
    uk_now = {e.msgid: e for e in pofile.read_catalog(uk).active}
    assert uk_now[P2].msgstr == f"{DRAFT} {runner.ATTEMPTS}" and P3 not in uk_now     # the last save, untouched
    result = invoke(ws.workspace, "run", "--engine", "fake", "-q")                  # as the user sees it
    assert result.exit_code == 2 and result.stderr.startswith(
        "error: locales/uk/LC_MESSAGES/a.po: changed on disk again and again during the run"), result.stderr

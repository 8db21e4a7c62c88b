"""Every editor a reviewer may use, for real: a re-save never turns their work into a machine draft.

After a run, the English is reviewed and the Ukrainian catalogue gets a reviewed entry and a
human draft (fuzzy); then both files are re-saved by one real tool — polib at several widths,
Babel, GNU msgcat, msgmerge (with and without --previous), msgattrib, translate-toolkit, or a
Poedit-style save (re-wrapped at 79, header edited). The next run must keep the reviewed entries
byte for byte and the human draft as it is, redo only provable machine drafts (now from the
reviewed English), and ``status`` must count like translate-toolkit's ``pocount``.

Catalogues written before the state moved to translator comments (``#.`` state lines) are read
too: untouched, their drafts are recognised and rewritten the current way; mangled by an editor,
they are a human's.
"""

from __future__ import annotations

import dataclasses
import io
import re
import shutil
import subprocess
from pathlib import Path

import polib
import pytest

from pipeline import runner
from pipeline.catalogs import catalog, pofile
from pipeline.config import load_settings
from pipeline.review import status
from fake_engine import FakeEngine
from workspace import make_workspace, msgfmt_check

babel_pofile = pytest.importorskip("babel.messages.pofile")
ttk_po = pytest.importorskip("translate.storage.po")
pocount = pytest.importorskip("translate.tools.pocount")
needs_gettext = pytest.mark.skipif(not (shutil.which("msgcat") and shutil.which("msgmerge")),
                                   reason="GNU gettext not installed")

P1 = "Zapraszamy na bezpłatne warsztaty językowe w naszej bibliotece."
P2 = "Biblioteka jest otwarta od poniedziałku do piątku w godzinach popołudniowych, także w wakacje."
P3 = "W sobotę odbędzie się spotkanie z autorką książek dla dzieci i młodzieży z całego miasta."
P4 = "Zbiórka darów trwa do końca miesiąca w czytelni na pierwszym piętrze."
REVIEWED_UK = "Запрошуємо на безкоштовні мовні майстерні в нашій бібліотеці."
HUMAN_DRAFT = "Бібліотека відкрита з понеділка по п'ятницю після обіду, також під час канікул."


def _gnu(*args: str) -> None:
    done = subprocess.run(list(args), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def _polib(width: int):
    return lambda path, pot: polib.pofile(str(path), wrapwidth=width).save()


def _babel(width: int):
    def save(path: Path, pot: Path) -> None:
        with path.open("rb") as handle:
            cat = babel_pofile.read_po(handle)
        out = io.BytesIO()
        babel_pofile.write_po(out, cat, width=width)
        path.write_bytes(out.getvalue())
    return save


def _translate_toolkit(path: Path, pot: Path) -> None:
    path.write_bytes(bytes(ttk_po.pofile.parsefile(str(path))))


def _poedit(path: Path, pot: Path) -> None:
    """What a Poedit save does to our files: re-wrapped at 79 and its own header fields."""
    _gnu("msgcat", "--width=79", str(path), "-o", str(path))
    text = path.read_text(encoding="utf-8")
    for field, value in (("Last-Translator", "Olena Kovalenko <olena@example.org>"), ("Language-Team", "Ukrainian"),
                         ("PO-Revision-Date", "2026-03-01 10:00+0100"), ("X-Generator", "Poedit 3.4.2")):
        text = re.sub(rf'^"{field}: [^"]*\\n"$', f'"{field}: {value}\\\\n"', text, flags=re.MULTILINE)
    path.write_text(text, encoding="utf-8")


EDITORS = {
    "polib-78": _polib(78), "polib-40": _polib(40), "polib-12": _polib(12),
    "babel": _babel(76), "babel-30": _babel(30),
    "msgcat": lambda path, pot: _gnu("msgcat", str(path), "-o", str(path)),
    "msgcat-w20": lambda path, pot: _gnu("msgcat", "--width=20", str(path), "-o", str(path)),
    "msgmerge": lambda path, pot: _gnu("msgmerge", "--quiet", "--update", "--backup=off", str(path), str(pot)),
    "msgmerge-previous": lambda path, pot: _gnu("msgmerge", "--quiet", "--update", "--backup=off", "--previous",
                                                str(path), str(pot)),
    "msgattrib": lambda path, pot: _gnu("msgattrib", "--no-obsolete", str(path), "-o", str(path)),
    "translate-toolkit": _translate_toolkit,
    "poedit": _poedit,
}


@pytest.fixture
def ws(tmp_path):
    ws = make_workspace(tmp_path, {"outreach.toml": 'detect_languages = ["pl", "en", "uk"]\n',
                                   "source_texts/a.txt": "\n\n".join([P1, P2, P3, P4]) + "\n"})
    settings = load_settings(ws)
    runner.run(settings, FakeEngine())
    return settings


def _edit(path: Path, change) -> None:
    cat = pofile.read_catalog(path)
    entries = tuple(change(e) if not e.obsolete else e for e in cat.entries)
    pofile.write_catalog(path, dataclasses.replace(cat, entries=entries))


def _review(settings) -> None:
    """The English reviewer accepts everything (correcting P2); the Ukrainian one reviews P1 and
    keeps a human draft of P2 — exactly the draft whose English is now reviewed."""
    _edit(settings.catalog_path("a", "en"), lambda e: dataclasses.replace(
        e, flags=(), msgstr="Corrected: " + e.msgid if e.msgid == P2 else e.msgstr))
    _edit(settings.catalog_path("a", "uk"), lambda e: (
        dataclasses.replace(e, flags=(), msgstr=REVIEWED_UK) if e.msgid == P1 else
        dataclasses.replace(e, msgstr=HUMAN_DRAFT) if e.msgid == P2 else e))


def _entries(path: Path) -> dict[str, catalog.Entry]:
    return {e.msgid: e for e in pofile.read_catalog(path).active}


def _counts_agree_with_pocount(settings) -> None:
    for st in status.collect(settings).catalogs:
        theirs = pocount.calcstats(str(settings.catalog_path(st.doc_id, st.language)))
        ours = {"translated": st.translated, "fuzzy": st.fuzzy, "untranslated": st.untranslated, "total": st.entries}
        assert ours == {k: theirs[k] for k in ours}, st.path


@needs_gettext
@pytest.mark.parametrize("editor", sorted(EDITORS))
def test_a_re_save_by_any_editor_keeps_the_reviewers_work(ws, editor):
    _review(ws)
    en, uk = ws.catalog_path("a", "en"), ws.catalog_path("a", "uk")
    for path in (en, uk):
        EDITORS[editor](path, ws.template_path("a"))
    saved = _entries(uk)
    assert [catalog.entry_state(saved[p]) for p in (P1, P2, P3, P4)] == [
        catalog.REVIEWED, catalog.HUMAN_DRAFT, catalog.MACHINE_DRAFT, catalog.MACHINE_DRAFT]   # state kept
    _counts_agree_with_pocount(ws)

    runner.run(ws, FakeEngine())
    after, english = _entries(uk), _entries(en)
    assert after[P1].msgstr == REVIEWED_UK and after[P1].flags == saved[P1].flags == ()
    assert after[P2].msgstr == HUMAN_DRAFT and after[P2].fuzzy                    # survives the reviewed English
    assert catalog.entry_state(after[P2]) == catalog.HUMAN_DRAFT
    assert english[P2].msgstr == "Corrected: " + P2 and not english[P2].fuzzy
    for p in (P3, P4):                     # machine drafts: redone from the reviewed English, still provable
        assert catalog.entry_state(after[p]) == catalog.MACHINE_DRAFT
        assert "English pivot: " + english[p].msgstr in after[p].comments
        assert any("(from the reviewed English)" in line for line in after[p].comments)
    _counts_agree_with_pocount(ws)
    msgfmt_check(uk)
    settled = uk.read_bytes()
    runner.run(ws, FakeEngine())
    assert uk.read_bytes() == settled                                              # nothing left to do


@needs_gettext
def test_msgmerge_keeps_the_state_it_used_to_erase(ws):
    """msgmerge replaces extracted comments with the template's; the state is no longer there."""
    uk = ws.catalog_path("a", "uk")
    before = _entries(uk)
    EDITORS["msgmerge"](uk, ws.template_path("a"))
    after = _entries(uk)
    for p in (P1, P2, P3, P4):
        assert catalog.entry_state(after[p]) == catalog.MACHINE_DRAFT
        assert after[p].comments == before[p].comments
    runner.run(ws, FakeEngine())
    assert _entries(uk) == {k: dataclasses.replace(v, line=_entries(uk)[k].line) for k, v in after.items()}


# ------------------------------------------------------------------ catalogues of earlier versions

def _as_written_before(path: Path) -> None:
    """Rewrite a catalogue the way earlier versions did: state in ``#.`` lines, ``[draft checksum]``."""
    def legacy(e: catalog.Entry) -> catalog.Entry:
        note = next((c for c in e.comments if c.startswith(catalog.MACHINE)), None)
        if note is None:
            return e
        pivot = [c for c in e.comments if c.startswith(catalog.PIVOT)]
        return dataclasses.replace(e, comments=(), extracted=e.extracted + (catalog.draft_note(note, e.msgstr), *pivot))
    _edit(path, legacy)


def test_an_untouched_older_catalogue_is_read_and_brought_up_to_date(ws):
    uk = ws.catalog_path("a", "uk")
    drafts = {k: e.msgstr for k, e in _entries(uk).items()}
    _as_written_before(uk)
    old = _entries(uk)
    assert all(catalog.entry_state(e) == catalog.MACHINE_DRAFT for e in old.values())
    assert all(catalog.draft_record(e).legacy for e in old.values())
    runner.run(ws, FakeEngine())
    now = _entries(uk)
    assert {k: e.msgstr for k, e in now.items()} == drafts                          # same drafts, not redone
    for e in now.values():
        assert not catalog.draft_record(e).legacy and catalog.draft_record(e).shown
        assert not any(line.startswith(catalog.STATE_PREFIXES) for line in e.extracted)


@pytest.mark.parametrize("width", [78, 40])
def test_an_older_catalogue_mangled_by_polib_fails_safe(ws, width):
    """The bug this replaces: polib wrapped ``[draft 165309ab]`` away and the next run overwrote
    the reviewer's draft. Now a cut legacy note proves nothing: the text is a human's."""
    uk = ws.catalog_path("a", "uk")
    _as_written_before(uk)
    _review(ws)
    assert catalog.entry_state(_entries(uk)[P3]) == catalog.MACHINE_DRAFT
    _polib(width)(uk, None)
    mangled = _entries(uk)
    assert catalog.entry_state(mangled[P2]) == catalog.HUMAN_DRAFT
    runner.run(ws, FakeEngine())
    after = _entries(uk)
    assert after[P2].msgstr == HUMAN_DRAFT and after[P1].msgstr == REVIEWED_UK
    for p in (P3, P4):      # the machine's, but no longer provably: kept, never overwritten
        if catalog.entry_state(mangled[p]) == catalog.HUMAN_DRAFT:
            assert after[p].msgstr == mangled[p].msgstr


@needs_gettext
@pytest.mark.parametrize("previous", [False, True])
def test_msgmerge_carrying_a_draft_to_a_changed_paragraph_makes_it_a_humans(ws, previous):
    """msgmerge with a newer template carries old texts to similar new msgids (fuzzy; ``#|`` only
    with --previous). It cannot tell us whether the old text had been reviewed, so a carried text
    is never taken for a machine draft of the new paragraph: the proof is bound to the msgid."""
    uk, pot = ws.catalog_path("a", "uk"), ws.template_path("a")
    _edit(uk, lambda e: dataclasses.replace(e, flags=()) if e.msgid == P1 else e)   # P1 reviewed as drafted
    reviewed = _entries(uk)[P1].msgstr
    changed = P1.replace("bezpłatne", "bezpłatne i otwarte")
    text = pot.read_text(encoding="utf-8")
    pot.write_text(text.replace(f'"{P1}"', f'"{changed}"'), encoding="utf-8")
    _gnu("msgmerge", "--quiet", "--update", "--backup=off", *(["--previous"] if previous else []), str(uk), str(pot))
    carried = _entries(uk)[changed]
    assert carried.fuzzy and carried.msgstr == reviewed and (carried.previous_msgid == P1) == previous
    assert catalog.entry_state(carried) == (catalog.STALE if previous else catalog.HUMAN_DRAFT)
    (ws.workspace / "source_texts/a.txt").write_text("\n\n".join([changed, P2, P3, P4]) + "\n", encoding="utf-8")
    runner.run(ws, FakeEngine())
    assert _entries(uk)[changed].msgstr == reviewed                           # kept for a human to adapt

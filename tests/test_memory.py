"""Translation memory (pipeline.catalogs.memory), the runner's draft rules, and ``outreach memory``."""

from __future__ import annotations

import json
import random

import polib
import pytest

from pipeline import runner
from pipeline.catalogs import catalog
from pipeline.catalogs import memory
from pipeline.catalogs import pofile
from pipeline.catalogs import tmx
from pipeline.catalogs.catalog import Catalog, Entry
from pipeline.config import load_settings
from fake_engine import FakeEngine

from pipeline.translate.engines import Leg
from pipeline.catalogs.memory import TranslationMemory
from pipeline.catalogs.tmx import Unit
from workspace import invoke, make_workspace, msgfmt_check, review_all

OPEN = "Biblioteka jest otwarta od poniedziałku do piątku w godzinach popołudniowych."
OPEN_NEAR = "Biblioteka jest otwarta od poniedziałku do soboty w godzinach popołudniowych."
WORKSHOP = "Zapraszamy na bezpłatne warsztaty językowe w naszej bibliotece."
OTHER = "Prosimy o przynoszenie ciepłych ubrań i koców dla rodzin z Ukrainy."


# ---------------------------------------------------------------- the memory itself

def test_exact_match_wins_and_first_unit_wins():
    tm = TranslationMemory([Unit(OPEN, "Open Mon–Fri", "en", "a"), Unit(OPEN, "Opened", "en", "b"),
                            Unit(OPEN, "Відкрито", "uk", "a")])
    match = tm.lookup(OPEN, "en")
    assert (match.target, match.origin, match.exact) == ("Open Mon–Fri", "a", True)
    assert match.note == "translation memory: from a (exact)"
    assert tm.lookup(OPEN, "uk").target == "Відкрито"
    assert tm.lookup(OPEN, "de") is None


def test_near_match_needs_eighty_percent():
    tm = TranslationMemory([Unit(OPEN, "Open Mon–Fri afternoons", "en", "hours"), Unit(WORKSHOP, "Workshops", "en", "w")])
    match = tm.lookup(OPEN_NEAR, "en")
    assert match is not None and not match.exact
    assert match.source == OPEN and match.score >= 0.8
    assert match.note == f"translation memory: from hours ({int(match.score * 100)} % match)"
    assert tm.lookup(OTHER, "en") is None          # unrelated
    assert tm.lookup("Biblioteka jest otwarta.", "en") is None   # shares words, too short to be 80 % alike


def test_copies_and_empty_texts_are_not_memory():
    tm = TranslationMemory([Unit("17:00", "17:00", "en"), Unit("Tak", "", "en"), Unit(" ", "x", "en")])
    assert len(tm) == 0


def test_prefiltered_lookup_equals_brute_force():
    rng = random.Random(7)
    vocabulary = "biblioteka zaprasza na warsztaty dla dzieci i dorosłych w sobotę oraz niedzielę rano wieczorem".split()
    sources = sorted({" ".join(rng.choices(vocabulary, k=rng.randint(3, 12))) for _ in range(200)})
    tm = TranslationMemory([Unit(s, f"T{i}", "en") for i, s in enumerate(sources)])
    for _ in range(60):
        query = " ".join(rng.choices(vocabulary, k=rng.randint(3, 12)))
        if query in sources:
            continue
        scores = [(catalog.similarity(query, s), s) for s in sources]
        best = max((score for score, _ in scores), default=0)
        match = tm.lookup(query, "en")
        if best >= 0.8:
            assert match is not None and match.score == pytest.approx(best)
        else:
            assert match is None


def test_reviewed_units_take_only_reviewed_translations():
    cat = Catalog(entries=(
        Entry("a", "A", flags=()), Entry("b", "B", flags=("fuzzy",)), Entry("c", ""),
        Entry("same", "same"), Entry("d", "D", obsolete=True), Entry("e", "E", msgctxt="ctx"),
    ), header=())
    assert [(u.source, u.target) for u in memory.reviewed_units(cat, "en", "doc")] == [("a", "A"), ("d", "D")]


# ---------------------------------------------------------------- runs

def _ws(tmp_path, files):
    return make_workspace(tmp_path, {**files, "outreach.toml": 'detect_languages = ["pl", "en", "uk"]\n'})


def _run(ws, engine=None, **kwargs):
    return runner.run(load_settings(ws), engine or FakeEngine(), **kwargs)


def _entries(ws, doc, lang):
    return {e.msgid: e for e in pofile.read_catalog(ws / f"locales/{lang}/LC_MESSAGES/{doc}.po").active}


def test_a_paragraph_reviewed_in_one_announcement_is_reused_in_a_new_one(tmp_path):
    ws = _ws(tmp_path, {"source_texts/a.txt": f"{OPEN}\n\n{WORKSHOP}\n"})
    _run(ws)
    review_all(ws / "locales/en/LC_MESSAGES/a.po")
    (ws / "source_texts/b.txt").write_text(f"{OPEN}\n\n{OPEN_NEAR}\n\n{OTHER}\n", encoding="utf-8")
    engine = FakeEngine()
    report = _run(ws, engine)
    b = _entries(ws, "b", "en")
    exact, near, other = b[OPEN], b[OPEN_NEAR], b[OTHER]
    assert exact.msgstr == "REVIEWED " + OPEN and exact.fuzzy and exact.previous_msgid is None
    assert exact.comments[-2] == "translation memory: from a (exact)"
    assert catalog.entry_state(exact) == catalog.MEMORY_SUGGESTION
    assert near.msgstr == "REVIEWED " + OPEN and near.fuzzy and near.previous_msgid == OPEN
    assert "% match)" in near.comments[-2]
    assert catalog.entry_state(other) == catalog.MACHINE_DRAFT     # no memory: machine draft
    b_en = next(c for c in report.catalogs if c.path.name == "b.po" and c.language == "en")
    assert (b_en.drafts, b_en.memory) == (1, 2)                     # only OTHER was machine-translated
    for lang in ("en", "uk"):
        msgfmt_check(ws / f"locales/{lang}/LC_MESSAGES/b.po")
    # A second run changes nothing and translates nothing.
    engine = FakeEngine()
    again = _run(ws, engine)
    assert again.written == 0 and engine.calls == []


def test_trust_memory_accepts_exact_matches(tmp_path):
    ws = _ws(tmp_path, {"source_texts/a.txt": f"{OPEN}\n"})
    _run(ws)
    review_all(ws / "locales/uk/LC_MESSAGES/a.po")
    (ws / "source_texts/b.txt").write_text(f"{OPEN}\n\n{OPEN_NEAR}\n", encoding="utf-8")
    _run(ws, trust_memory=True)
    b = _entries(ws, "b", "uk")
    assert b[OPEN].translated and b[OPEN].msgstr == "REVIEWED " + OPEN
    assert b[OPEN_NEAR].fuzzy                                        # near matches are never trusted


def test_memory_never_replaces_a_human_draft_and_beats_a_machine_draft(tmp_path):
    ws = _ws(tmp_path, {"source_texts/a.txt": f"{OPEN}\n", "source_texts/b.txt": f"{OPEN}\n\n{WORKSHOP}\n"})
    _run(ws)
    po = polib.pofile(str(ws / "locales/en/LC_MESSAGES/b.po"))
    po.find(WORKSHOP).msgstr = "my own draft"          # edited, still fuzzy: a human draft
    po.save()
    a = polib.pofile(str(ws / "locales/en/LC_MESSAGES/a.po"))
    a.find(OPEN).msgstr, a.find(OPEN).flags = "Open on weekdays", []
    a.save()
    (ws / "source_texts/a.txt").write_text(f"{OPEN}\n\n{WORKSHOP}\n", encoding="utf-8")
    _run(ws)
    b = _entries(ws, "b", "en")
    assert b[OPEN].msgstr == "Open on weekdays"            # the untouched machine draft gave way
    assert b[WORKSHOP].msgstr == "my own draft"


class Versioned(FakeEngine):
    def __init__(self, version):
        super().__init__(pairs=(("pl", "en"), ("en", "uk")))
        self._legs = tuple(Leg(leg.source, leg.target, f"fake-{leg.source}_{leg.target} {version}") for leg in self._legs)
        self.version = version

    def translate_pair(self, leg, texts, progress=None):
        self.calls.append((leg.source, leg.target, len(texts)))
        return [f"v{self.version} {t}" for t in texts]


def test_a_new_model_version_refreshes_only_untouched_machine_drafts(tmp_path):
    ws = _ws(tmp_path, {"source_texts/a.txt": f"{OPEN}\n\n{WORKSHOP}\n\n{OTHER}\n"})
    _run(ws, Versioned("1.0"))
    po = polib.pofile(str(ws / "locales/en/LC_MESSAGES/a.po"))
    po.find(WORKSHOP).msgstr = "edited by a human"
    po.find(OTHER).flags = []                                # accepted as it is: reviewed
    po.save()
    engine = Versioned("2.0")
    _run(ws, engine)
    en = _entries(ws, "a", "en")
    assert en[OPEN].msgstr == f"v2.0 {OPEN}" and "fake-pl_en 2.0" in en[OPEN].comments[-2]
    assert en[WORKSHOP].msgstr == "edited by a human"
    assert en[OTHER].msgstr == f"v1.0 {OTHER}" and en[OTHER].translated
    again = Versioned("2.0")
    assert _run(ws, again).written == 0 and again.calls == []


def test_ukrainian_draft_is_redone_from_the_reviewed_english(tmp_path):
    ws = _ws(tmp_path, {"source_texts/a.txt": f"{OPEN}\n\n{WORKSHOP}\n"})
    _run(ws)
    assert "+ fake-en_uk" in _entries(ws, "a", "uk")[OPEN].comments[0]
    review_all(ws / "locales/en/LC_MESSAGES/a.po", translate=lambda e: "Reviewed: " + e.msgid)
    po = polib.pofile(str(ws / "locales/uk/LC_MESSAGES/a.po"))
    po.find(WORKSHOP).msgstr = "людська чернетка"
    po.save()
    _run(ws)
    uk = _entries(ws, "a", "uk")
    assert "(from the reviewed English)" in uk[OPEN].comments[0]
    assert f"English pivot: Reviewed: {OPEN}" in uk[OPEN].comments
    assert uk[WORKSHOP].msgstr == "людська чернетка"         # a human draft is never redone
    # The English is reviewed again, differently: the Ukrainian draft follows.
    review_all(ws / "locales/en/LC_MESSAGES/a.po")
    po = polib.pofile(str(ws / "locales/en/LC_MESSAGES/a.po"))
    po.find(OPEN).msgstr = "Open Monday to Friday"
    po.save()
    _run(ws)
    assert "English pivot: Open Monday to Friday" in _entries(ws, "a", "uk")[OPEN].comments


def test_a_changed_paragraph_gets_a_fresh_draft_unless_its_text_was_reviewed(tmp_path):
    ws = _ws(tmp_path, {"source_texts/a.txt": f"{OPEN}\n\n{WORKSHOP}\n"})
    _run(ws)
    po = polib.pofile(str(ws / "locales/en/LC_MESSAGES/a.po"))
    po.find(WORKSHOP).flags = []                             # machine draft accepted unchanged: reviewed
    po.save()
    changed_workshop = WORKSHOP.replace("naszej", "naszej nowej")
    (ws / "source_texts/a.txt").write_text(f"{OPEN_NEAR}\n\n{changed_workshop}\n", encoding="utf-8")
    _run(ws)
    en = _entries(ws, "a", "en")
    # OPEN's text was an untouched machine draft: the new paragraph gets its own draft, no "#|".
    fresh = en[OPEN_NEAR]
    assert catalog.entry_state(fresh) == catalog.MACHINE_DRAFT and fresh.previous_msgid is None
    assert fresh.msgstr == "[en] " + " ".join(reversed(OPEN_NEAR.split()))
    # WORKSHOP's text was reviewed: it stays for the reviewer to adapt, with the previous msgid.
    carried = en[changed_workshop]
    assert carried.previous_msgid == WORKSHOP and carried.fuzzy
    assert carried.msgstr == "[en] " + " ".join(reversed(WORKSHOP.split()))
    _run(ws)                                                  # and stays so on later runs
    assert _entries(ws, "a", "en")[changed_workshop] == carried


def test_imported_memory_is_used_by_run(tmp_path):
    ws = _ws(tmp_path, {"source_texts/a.txt": f"{OPEN}\n"})
    tmx_file = tmp_path / "omegat.tmx"
    tmx_file.write_bytes(tmx.format_tmx([Unit(OPEN, "Open weekdays", "en_GB"), Unit(OPEN, "Відкрито", "uk")], "pl"))
    result = invoke(ws, "memory", "import", str(tmx_file))
    assert result.exit_code == 0, result.stderr
    assert "read 2 translation units, 2 new or changed; locales/memory.tmx holds 2" in result.stderr
    invoke(ws, "run", "--engine", "none", "-q")
    en, uk = _entries(ws, "a", "en")[OPEN], _entries(ws, "a", "uk")[OPEN]
    assert (en.msgstr, uk.msgstr) == ("Open weekdays", "Відкрито")
    assert en.comments[-2].startswith("translation memory: from omegat.tmx (exact)")
    # Importing the same file again adds nothing and does not rewrite the memory.
    before = (ws / "locales/memory.tmx").read_bytes()
    data = json.loads(invoke(ws, "memory", "import", str(tmx_file), "--json").stdout)
    assert (data["added"], data["total"], data["written"]) == (0, 2, False)
    assert (ws / "locales/memory.tmx").read_bytes() == before


def test_export_then_import_round_trip(tmp_path):
    ws = _ws(tmp_path, {"source_texts/a.txt": f"{OPEN}\n\n{WORKSHOP}\n"})
    invoke(ws, "run", "--engine", "fake", "-q")
    review_all(ws / "locales/en/LC_MESSAGES/a.po")
    out = tmp_path / "out.tmx"
    result = invoke(ws, "memory", "export", "--tmx", str(out))
    assert result.exit_code == 0, result.stderr
    assert "exported 2 translation units (en: 2)" in result.stderr
    units = tmx.read_tmx(out, "pl")
    assert {(u.source, u.target, u.origin) for u in units} == {(m, "REVIEWED " + m, "a") for m in (OPEN, WORKSHOP)}
    (tmp_path / "other").mkdir()
    other = _ws(tmp_path / "other", {"source_texts/z.txt": f"{WORKSHOP}\n"})
    assert invoke(other, "memory", "import", str(out)).exit_code == 0
    invoke(other, "run", "--engine", "none", "-q")
    assert _entries(other, "z", "en")[WORKSHOP].comments[-2].startswith("translation memory: from a (exact)")


def test_import_a_reviewed_po_file(tmp_path):
    ws = _ws(tmp_path, {"source_texts/a.txt": f"{OPEN}\n"})
    po = polib.POFile()
    po.metadata = {"Language": "uk", "Content-Type": "text/plain; charset=UTF-8"}
    po.append(polib.POEntry(msgid=OPEN, msgstr="Відкрито"))
    po.append(polib.POEntry(msgid=WORKSHOP, msgstr="чернетка", flags=["fuzzy"]))
    po.save(str(tmp_path / "old.po"))
    result = invoke(ws, "memory", "import", str(tmp_path / "old.po"))
    assert result.exit_code == 0, result.stderr
    assert [(u.source, u.target, u.lang, u.origin) for u in tmx.read_tmx(ws / "locales/memory.tmx", "pl")] == [
        (OPEN, "Відкрито", "uk", "old")]


def test_import_reports_bad_files_and_writes_nothing(tmp_path):
    ws = _ws(tmp_path, {"source_texts/a.txt": f"{OPEN}\n"})
    bad = tmp_path / "bad.tmx"
    bad.write_text('<tmx version="1.4">\n<header/>\n<body>\n<tu><tuv xml:lang="pl"><seg>x</tuv></tu>\n</body></tmx>\n')
    result = invoke(ws, "memory", "import", str(bad))
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: {bad}:4: not valid XML: mismatched tag"
    assert not (ws / "locales/memory.tmx").exists()
    assert invoke(ws, "memory", "import", str(tmp_path / "none.tmx")).exit_code == 2


def test_a_broken_memory_file_stops_the_run(tmp_path):
    ws = _ws(tmp_path, {"source_texts/a.txt": f"{OPEN}\n", "locales/memory.tmx": "<tmx>\n<oops>\n</tmx>\n"})
    result = invoke(ws, "run", "--engine", "none")
    assert result.exit_code == 2
    assert "error: locales/memory.tmx:3: not valid XML: mismatched tag" in result.stderr
    assert not (ws / "locales/en").exists()


def test_run_json_and_summary_count_memory(tmp_path):
    ws = _ws(tmp_path, {"source_texts/a.txt": f"{OPEN}\n"})
    invoke(ws, "run", "--engine", "none", "-q")
    review_all(ws / "locales/en/LC_MESSAGES/a.po")
    (ws / "source_texts/b.txt").write_text(f"{OPEN}\n", encoding="utf-8")
    result = invoke(ws, "run", "--engine", "none", "--json")
    assert ", 1 from translation memory" in result.stderr
    memory_counts = {c["path"]: c["memory"] for c in json.loads(result.stdout)["catalogues"] if c["language"]}
    assert memory_counts["locales/en/LC_MESSAGES/b.po"] == 1


OTHER_TOOLS_PO = """\
# Ukrainian translation of a library's web site.
# Copyright (C) 2024 The volunteers
#
msgid ""
msgstr ""
"Project-Id-Version: biblioteka 2.3\\n"
"Language: uk\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
"Plural-Forms: nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && "
"n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);\\n"

#: templates/base.html:12
msgid "{open}"
msgstr "Відкрито з понеділка по п'ятницю."

#: templates/loans.html:40
#, python-format
msgid "%(count)d book on loan"
msgid_plural "%(count)d books on loan"
msgstr[0] "%(count)d книжка на руках"
msgstr[1] "%(count)d книжки на руках"
msgstr[2] "%(count)d книжок на руках"

#: templates/loans.html:52
#, fuzzy
#| msgctxt "loans"
#| msgid "%(count)d day left"
msgctxt "loans"
msgid "%(count)d day late"
msgid_plural "%(count)d days late"
msgstr[0] "%(count)d день"
msgstr[1] "%(count)d дні"
msgstr[2] "%(count)d днів"

#~ msgid "Old notice"
#~ msgid_plural "Old notices"
#~ msgstr[0] "Старе оголошення"
#~ msgstr[1] "Старі оголошення"
#~ msgstr[2] "Старих оголошень"
"""


def test_import_a_po_file_with_plural_messages(tmp_path):
    """A real-world catalogue has plural messages: its singular ones are imported, the plural skipped."""
    ws = _ws(tmp_path, {"source_texts/a.txt": f"{OPEN}\n"})
    (tmp_path / "site.po").write_text(OTHER_TOOLS_PO.format(open=OPEN), encoding="utf-8")
    result = invoke(ws, "memory", "import", str(tmp_path / "site.po"))
    assert result.exit_code == 0, result.stderr
    assert "site.po: skipped 2 plural messages (msgid_plural)" in result.stderr
    assert [(u.source, u.target) for u in tmx.read_tmx(ws / "locales/memory.tmx", "pl")] == [
        (OPEN, "Відкрито з понеділка по п'ятницю.")]

"""Review safety: nothing a reviewer wrote is ever changed or lost by a run.

1. A hypothesis state machine drives the real pipeline (``runner.run`` in a
   throw-away workspace, FakeEngine whose "model version" can be upgraded)
   through random source edits (insert, delete, modify, replace, reorder,
   duplicate paragraphs), reviewer actions (accept, edit, un-fuzzy, keep a
   human draft, re-wrap with GNU ``msgcat`` or polib) and re-runs, checking
   after every run that each reviewed translation whose paragraph still exists
   is byte-identical and that none vanishes without being kept as previous
   (``#|``) or obsolete (``#~``).
2. A scripted multi-round scenario with the CLI.
"""

from __future__ import annotations

import dataclasses
import random
import shutil
import subprocess
import tempfile
from pathlib import Path

import polib
import pytest
from profiles import examples
from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule

from pipeline import fsutil, runner
from pipeline.catalogs import catalog
from pipeline.documents import detection
from pipeline.catalogs import pofile
from pipeline.config import load_settings
from fake_engine import FakeEngine

from pipeline.translate.engines import Leg
from pipeline.documents.segmentation import is_translatable, segment_text
from workspace import invoke, make_workspace, msgfmt_check, snapshot

MSGCAT = shutil.which("msgcat")
EXAMPLES = examples(300)

SENTENCES = [
    "Zapraszamy na bezpłatne warsztaty językowe w naszej bibliotece.",
    "Biblioteka jest otwarta od poniedziałku do piątku w godzinach popołudniowych.",
    "W sobotę odbędzie się spotkanie z autorką książek dla dzieci.",
    "Prosimy o przynoszenie ciepłych ubrań i koców dla rodzin z Ukrainy.",
    "Zbiórka darów trwa do końca miesiąca w czytelni na pierwszym piętrze.",
    "Kurs komputerowy dla seniorów zaczyna się w przyszły wtorek rano.",
    "Wszystkie zajęcia są bezpłatne i nie wymagają wcześniejszej rejestracji.",
    "Dzieci mogą skorzystać z pomocy w odrabianiu lekcji po szkole.",
    "Więcej informacji udziela pani Anna w wypożyczalni dla dorosłych.",
    "Czytelnia będzie zamknięta z powodu remontu przez dwa tygodnie.",
    "Nowe książki w języku ukraińskim czekają na półkach przy wejściu.",
    "Klub dyskusyjny spotyka się w każdy czwartek wieczorem w sali konferencyjnej.",
]
WORDS = ["nowej", "dużej", "miejskiej", "również", "bardzo", "serdecznie", "ponownie", "zawsze"]

paragraphs = st.builds(lambda i, w, pos: _variant(SENTENCES[i], w, pos),
                       st.integers(0, len(SENTENCES) - 1), st.integers(-1, len(WORDS) - 1), st.integers(0, 20))
docs = st.sampled_from(["a", "b"])
langs = st.sampled_from(["en", "uk"])


def _variant(sentence: str, word: int, pos: int) -> str:
    """The sentence itself (word = -1) or with one word inserted: a similar paragraph."""
    if word < 0:
        return sentence
    words = sentence.split()
    words.insert(pos % (len(words) + 1), WORDS[word])
    return " ".join(words)


def _overlap(a: str, b: str) -> float:
    """Shared words / all words (Jaccard): independent of catalog.similarity."""
    wa, wb = set(a.casefold().split()), set(b.casefold().split())
    return len(wa & wb) / max(len(wa | wb), 1)


class Upgradable(FakeEngine):
    """FakeEngine whose model version (in the labels and in the text) can change."""

    def __init__(self, version: int):
        super().__init__(pairs=(("pl", "en"), ("en", "uk")))
        self.version = version
        self._legs = tuple(Leg(leg.source, leg.target, f"fake-{leg.source}_{leg.target} {version}.0") for leg in self._legs)

    def translate_pair(self, leg, texts, progress=None):
        return [f"[{leg.target} v{self.version}] " + " ".join(reversed(t.split())) for t in texts]


@pytest.fixture(autouse=True)
def _shared_detector_profiles(monkeypatch):
    """Load langdetect's profiles once per test instead of once per run (same results, much faster)."""
    cache: dict = {}
    original = detection.Detector._get_factory

    def cached(self):
        key = (self.candidates, self.seed)
        if key not in cache:
            cache[key] = original(self)
        self._factory = cache[key]
        return self._factory

    monkeypatch.setattr(detection.Detector, "_get_factory", cached)


@pytest.fixture(autouse=True)
def _no_fsync(monkeypatch):
    """Durability is fsutil's own tests' business; here thousands of small writes need not wait for the disk."""
    monkeypatch.setattr(fsutil.os, "fsync", lambda fd: None)


# ---------------------------------------------------------------- the state machine

def _owned(cat: catalog.Catalog) -> tuple[dict, dict]:
    """Human-owned work of a catalogue before a run: active {msgid: (msgstr, state)}, obsolete {msgid: msgstr}."""
    human = (catalog.REVIEWED, catalog.HUMAN_DRAFT, catalog.STALE)
    active, obsolete = {}, {}
    for e in cat.entries:
        state = catalog.entry_state(dataclasses.replace(e, obsolete=False))
        if state not in human:
            continue
        if e.obsolete:
            obsolete[e.msgid] = e.msgstr
        else:
            active[e.msgid] = (e.msgstr, state)
    return active, obsolete


class ReviewLoop(RuleBasedStateMachine):
    """Librarian edits, reviewer work and re-runs, in any order."""

    def __init__(self):
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="outreach-review-"))
        self.ws = self.tmp / "ws"
        (self.ws / "source_texts").mkdir(parents=True)
        (self.ws / "outreach.toml").write_text('detect_languages = ["pl", "en", "uk"]\n', encoding="utf-8")
        self.settings = load_settings(self.ws)
        self.docs: dict[str, list[str]] = {}
        self.version = 1
        self.counter = 0
        self.runs = 0

    def teardown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    # --- helpers
    def po(self, doc: str, lang: str) -> Path:
        return self.settings.catalog_path(doc, lang)

    def write_source(self, doc: str) -> None:
        (self.ws / "source_texts" / f"{doc}.txt").write_text("\n\n".join(self.docs[doc]) + "\n", encoding="utf-8")

    # --- the librarian
    @initialize(a=st.lists(paragraphs, min_size=1, max_size=4), b=st.lists(paragraphs, min_size=1, max_size=4))
    def start(self, a, b):
        self.docs = {"a": a, "b": b}
        for doc in self.docs:
            self.write_source(doc)
        self.run_pipeline(False, False)

    @rule(doc=docs, pos=st.integers(0, 10), text=paragraphs)
    def insert(self, doc, pos, text):
        self.docs[doc].insert(pos % (len(self.docs[doc]) + 1), text)
        self.write_source(doc)

    @rule(doc=docs, pos=st.integers(0, 10))
    def delete(self, doc, pos):
        if len(self.docs[doc]) > 1:
            del self.docs[doc][pos % len(self.docs[doc])]
            self.write_source(doc)

    @rule(doc=docs, pos=st.integers(0, 10), word=st.integers(0, len(WORDS) - 1), where=st.integers(0, 20))
    def modify(self, doc, pos, word, where):
        i = pos % len(self.docs[doc])
        self.docs[doc][i] = _variant(self.docs[doc][i], word, where)
        self.write_source(doc)

    @rule(doc=docs, pos=st.integers(0, 10), text=paragraphs)
    def replace_paragraph(self, doc, pos, text):
        self.docs[doc][pos % len(self.docs[doc])] = text
        self.write_source(doc)

    @rule(doc=docs, seed=st.integers(0, 1000))
    def reorder(self, doc, seed):
        random.Random(seed).shuffle(self.docs[doc])
        self.write_source(doc)

    @rule(doc=docs, pos=st.integers(0, 10))
    def duplicate(self, doc, pos):
        i = pos % len(self.docs[doc])
        self.docs[doc].insert(i + 1, self.docs[doc][i])
        self.write_source(doc)

    # --- the reviewer (polib saves the file like another editor would)
    @rule(doc=docs, lang=langs, pick=st.integers(0, 20),
          how=st.sampled_from(["accept", "accept-keep-previous", "edit", "human-draft"]))
    def review(self, doc, lang, pick, how):
        po = polib.pofile(str(self.po(doc, lang)))
        active = [e for e in po if not e.obsolete]
        if not active:
            return
        entry = active[pick % len(active)]
        self.counter += 1
        if how.startswith("accept"):
            if not entry.msgstr:
                return
            if how == "accept":
                entry.previous_msgid = None
        elif how == "edit":
            entry.msgstr = f"R{self.counter} {lang}: {entry.msgid[:24]}"
            entry.previous_msgid = None
        else:
            entry.msgstr = f"H{self.counter} {lang}: {entry.msgid[:24]}"
            if "fuzzy" not in entry.flags:
                entry.flags.append("fuzzy")
            po.save()
            return
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        po.save()

    @rule(doc=docs, lang=langs)
    def accept_everything(self, doc, lang):
        po = polib.pofile(str(self.po(doc, lang)))
        for entry in po:
            if not entry.obsolete and entry.msgstr and "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
                entry.previous_msgid = None
        po.save()

    @rule(doc=docs, lang=langs, width=st.sampled_from([20, 40, 79, 200]))
    def rewrap(self, doc, lang, width):
        path = self.po(doc, lang)
        if MSGCAT:
            done = subprocess.run([MSGCAT, f"--width={width}", str(path), "-o", str(path)], capture_output=True, text=True)
            assert done.returncode == 0, done.stderr
        else:
            po = polib.pofile(str(path), wrapwidth=width)
            po.save()

    @rule()
    def upgrade_model(self):
        self.version += 1

    # --- the pipeline
    @rule(purge=st.booleans(), trust=st.booleans())
    def rerun(self, purge, trust):
        self.run_pipeline(purge, trust)

    @rule()
    def rerun_plain(self):  # runs are a third of the rules: most steps are followed by a run soon
        self.run_pipeline(False, False)

    @rule()
    def rerun_again(self):
        self.run_pipeline(False, False)

    def run_pipeline(self, purge: bool, trust: bool) -> None:
        before = {}
        for doc in self.docs:
            for lang in self.settings.target_languages:
                path = self.po(doc, lang)
                if path.exists():
                    before[(doc, lang)] = _owned(pofile.read_catalog(path))
        runner.run(self.settings, Upgradable(self.version), purge_obsolete=purge, trust_memory=trust)
        self.runs += 1
        for (doc, lang), (active_before, obsolete_before) in before.items():
            self.check_kept(doc, lang, active_before, obsolete_before, purge)
        self.check_drafts_current()

    def check_kept(self, doc, lang, active_before, obsolete_before, purge) -> None:
        po = polib.pofile(str(self.po(doc, lang)))
        active = {e.msgid: e for e in po if not e.obsolete}
        obsolete = {e.msgid: e for e in po.obsolete_entries()}
        paragraphs_now = {s.text for s in segment_text("\n\n".join(self.docs[doc]) + "\n", "text").segments
                          if is_translatable(s.text)}
        assert set(active) == paragraphs_now
        where = f"{doc}/{lang}"
        for e in active.values():  # msgmerge's failure: an unrelated paragraph inheriting a translation
            if e.previous_msgid is not None:
                assert _overlap(e.msgid, e.previous_msgid) >= 0.5, f"{where}: {e.msgid!r} got {e.previous_msgid!r}'s text"

        def kept_elsewhere(msgid, msgstr):
            return any(e.previous_msgid == msgid and e.msgstr == msgstr and e.fuzzy for e in active.values()) or (
                msgid in obsolete and obsolete[msgid].msgstr == msgstr)

        for msgid, (msgstr, state) in active_before.items():
            if msgid in active:
                now = active[msgid]
                assert now.msgstr == msgstr, f"{where}: {state} translation of {msgid!r} changed"
                assert now.fuzzy == (state != catalog.REVIEWED), f"{where}: {msgid!r} changed state"
            else:
                assert kept_elsewhere(msgid, msgstr), f"{where}: {state} translation of removed {msgid!r} lost"
        for msgid, msgstr in obsolete_before.items():
            if msgid in active:
                assert active[msgid].msgstr == msgstr, f"{where}: revived {msgid!r} changed"
            elif not purge:
                assert kept_elsewhere(msgid, msgstr), f"{where}: obsolete {msgid!r} lost without --purge-obsolete"

    def check_drafts_current(self) -> None:
        """Untouched machine drafts use today's model, and the reviewed English when there is one."""
        for doc in self.docs:
            en = {e.msgid: e for e in pofile.read_catalog(self.po(doc, "en")).active}
            for lang in self.settings.target_languages:
                for e in pofile.read_catalog(self.po(doc, lang)).active:
                    if catalog.entry_state(e) != catalog.MACHINE_DRAFT:
                        continue
                    # The note lines as shown (an editor may have re-wrapped them), whitespace aside.
                    record = catalog.draft_record(e)
                    assert record.shown, e.comments
                    note = "".join("".join(e.comments[i].split()) for i in record.block[:-1])
                    assert f"{self.version}.0" in note and f"{self.version - 1}.0" not in note, note
                    if lang == "uk" and e.msgid in en and en[e.msgid].translated:
                        assert "(fromthereviewedEnglish)" in note, note
                        assert note.endswith("Englishpivot:" + "".join(en[e.msgid].msgstr.split())), note


ReviewLoop.TestCase.settings = settings(
    max_examples=EXAMPLES, stateful_step_count=20, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
TestReviewLoop = ReviewLoop.TestCase


# ---------------------------------------------------------------- a scripted scenario

needs_gettext = pytest.mark.skipif(not (MSGCAT and shutil.which("msgfmt")), reason="GNU gettext not installed")

P1, P2, P3, P4, P5 = SENTENCES[:5]
NEW_UNRELATED = SENTENCES[9]


def _msgcat_all(ws: Path, width: int) -> None:
    for path in sorted((ws / "locales").rglob("*.po")):
        done = subprocess.run([MSGCAT, f"--width={width}", "--sort-output", str(path), "-o", str(path)],
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr


def _reviewed(ws: Path) -> dict[tuple[str, str], str]:
    """(file, msgid) → msgstr of every reviewed entry, read with polib."""
    found = {}
    for path in sorted((ws / "locales").rglob("*.po")):
        for e in polib.pofile(str(path)):
            if not e.obsolete and e.msgstr and not e.fuzzy:
                found[(path.relative_to(ws).as_posix(), e.msgid)] = e.msgstr
    return found


@needs_gettext
def test_scripted_rounds_lose_nothing(tmp_path):
    ws = make_workspace(tmp_path, {"outreach.toml": 'detect_languages = ["pl", "en", "uk"]\n',
                                   "source_texts/a.txt": "\n\n".join([P1, P2, P3, P4]) + "\n"})
    run = lambda *extra: invoke(ws, "run", "--engine", "fake", "-q", *extra)  # noqa: E731
    en, uk = ws / "locales/en/LC_MESSAGES/a.po", ws / "locales/uk/LC_MESSAGES/a.po"

    # Round 1: drafts; the English reviewer corrects two entries and accepts the rest; the Ukrainian
    # reviewer accepts P1, keeps a human draft for P2; everything is re-saved by msgcat.
    assert run().exit_code == 0
    po = polib.pofile(str(en))
    for e in po:
        e.flags = []
        if e.msgid in (P1, P2):
            e.msgstr = "Corrected: " + e.msgid
    po.save()
    po = polib.pofile(str(uk))
    po.find(P1).flags = []
    po.find(P2).msgstr = "Чернетка рецензента"
    po.save()
    _msgcat_all(ws, 30)
    reviewed_1 = _reviewed(ws)
    assert len(reviewed_1) == 5

    # Round 2: P3 is edited a little, P4 is deleted and an unrelated paragraph takes its place, order changes.
    p3_edited = P3.replace("W sobotę", "W najbliższą sobotę")
    (ws / "source_texts/a.txt").write_text("\n\n".join([P2, P1, p3_edited, NEW_UNRELATED]) + "\n", encoding="utf-8")
    assert run().exit_code == 0
    en_now = {e.msgid: e for e in polib.pofile(str(en))}
    for (path, msgid), msgstr in reviewed_1.items():
        if msgid in (P1, P2):
            assert _reviewed(ws)[(path, msgid)] == msgstr
    assert en_now[p3_edited].previous_msgid == P3 and en_now[p3_edited].fuzzy      # kept for adapting
    assert en_now[NEW_UNRELATED].previous_msgid is None                             # not P4's text
    assert en_now[NEW_UNRELATED].msgstr == "[en] " + " ".join(reversed(NEW_UNRELATED.split()))
    assert en_now[P4].obsolete and en_now[P4].msgstr == reviewed_1[("locales/en/LC_MESSAGES/a.po", P4)]
    uk_now = {e.msgid: e for e in polib.pofile(str(uk))}
    assert uk_now[P2].msgstr == "Чернетка рецензента" and uk_now[P2].fuzzy

    # Round 3: Lokalize-like re-save (width 200, sorted), P4 comes back: its review is revived.
    _msgcat_all(ws, 200)
    (ws / "source_texts/a.txt").write_text("\n\n".join([P1, P2, p3_edited, P4, NEW_UNRELATED]) + "\n", encoding="utf-8")
    assert run().exit_code == 0
    after = _reviewed(ws)
    for key in [k for k in reviewed_1 if k[1] != P3]:
        assert after[key] == reviewed_1[key], key
    revived_uk = polib.pofile(str(uk)).find(P4)
    assert revived_uk.fuzzy and "(from the reviewed English)" in revived_uk.tcomment   # redone from P4's review
    settled = snapshot(ws / "locales")
    assert run().exit_code == 0 and snapshot(ws / "locales") == settled           # nothing left to do

    # Round 4: a new announcement reuses the reviewed paragraphs; --trust-memory accepts exact ones.
    (ws / "source_texts/b.txt").write_text("\n\n".join([P1, P5]) + "\n", encoding="utf-8")
    assert run("--trust-memory").exit_code == 0
    b_en = {e.msgid: e for e in polib.pofile(str(ws / "locales/en/LC_MESSAGES/b.po"))}
    assert b_en[P1].msgstr == "Corrected: " + P1 and not b_en[P1].fuzzy
    assert "translation memory: from a (exact)" in b_en[P1].tcomment
    assert b_en[P5].fuzzy and b_en[P5].tcomment.startswith("machine translation:")
    for key, msgstr in after.items():
        assert _reviewed(ws)[key] == msgstr
    for path in sorted((ws / "locales").rglob("*.po")):
        msgfmt_check(path)

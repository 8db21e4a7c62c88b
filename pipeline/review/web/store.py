"""What the review app shows and saves, without the web framework.

:class:`ReviewStore` reads the workspace's catalogues into views for the pages
(:class:`DocumentView`, :class:`EntryView`) and saves one entry at a time:

* only a catalogue of the workspace (``settings.catalog_files()``) can be named,
  so a document id is never turned into a path of its own (no traversal);
* a save holds the workspace lock (:mod:`pipeline.lock`) and re-reads the file;
  the entry must still be what the page showed (its text and state), otherwise
  the save is refused as a :data:`CONFLICT` carrying both texts — nothing is
  overwritten silently. Other entries changed meanwhile (another reviewer,
  Poedit, a ``run``) are kept: only this entry is applied to the fresh file,
  which is written through :func:`pipeline.catalogs.pofile.write_catalog`
  (same layout as ``run``, atomic, and refused if the file changed between
  our read and our rename — then the whole save is tried again);
* an accept whose text has an error-level QA finding is not written until the
  reviewer confirms it (:data:`CONFIRM`).
"""

from __future__ import annotations

import hashlib
import re
import threading
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from pipeline import fsutil, lock
from pipeline.catalogs import catalog, glossary, pofile
from pipeline.catalogs.catalog import Catalog, Entry
from pipeline.config import Settings
from pipeline.errors import ConflictError, OutreachError
from pipeline.review import qa
from pipeline.review import status as checks

ACCEPT, DRAFT, REVERT = "accept", "draft", "revert"
ACTIONS = (ACCEPT, DRAFT, REVERT)
SAVED, UNCHANGED, CONFIRM, CONFLICT = "saved", "unchanged", "confirm", "conflict"
#: States "back to the machine draft" is offered for: a human's unfinished text. A reviewed
#: translation is never dropped by one click: save it as a draft first.
REVERTIBLE = (catalog.HUMAN_DRAFT, catalog.STALE)
_NAME_JUNK = re.compile(r"[\x00-\x1f\x7f<>\"\\]")
_TOKENS = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)
_RETRIES = 3


class UnknownDocument(OutreachError):
    """A document id or language that is not a catalogue of this workspace (HTTP 404)."""


class BadRequest(OutreachError):
    """A form that does not make sense (unknown entry, action, empty accept): HTTP 400."""


def entry_id(entry: Entry) -> str:
    """A stable id for an entry's key, safe in URLs and HTML ids."""
    key = f"{entry.msgctxt or ''}\x04{entry.msgid}".encode("utf-8")
    return "e" + hashlib.sha1(key).hexdigest()[:12]


def word_diff(old: str, new: str) -> tuple[tuple[str, str], ...]:
    """``(kind, text)`` pieces turning ``old`` into ``new`` word by word: kind is same, del or ins."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    # Changes separated only by whitespace read as one change: "<del>każdą środę</del><ins>każdy czwartek</ins>".
    groups: list[list[Any]] = []  # [op, i1, i2, j1, j2]; op may be "gap": whitespace between changes
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        joinable = groups and groups[-1][0] != "equal" and op != "equal"
        if op == "equal" and groups and groups[-1][0] != "equal" and not "".join(a[i1:i2]).strip():
            groups.append(["gap", i1, i2, j1, j2])
            continue
        if joinable or (op != "equal" and len(groups) > 1 and groups[-1][0] == "gap"):
            while groups and groups[-1][0] == "gap":
                groups.pop()
            groups[-1][2], groups[-1][4] = i2, j2
            continue
        groups.append([op, i1, i2, j1, j2])
    pieces: list[tuple[str, str]] = []
    for kind, i1, i2, j1, j2 in groups:
        if kind in ("equal", "gap"):
            pieces.append(("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(("del", "".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(("ins", "".join(b[j1:j2])))
    return tuple(pieces)


def version(text: str, state: str) -> str:
    return hashlib.sha256(f"{state}\x00{text}".encode("utf-8")).hexdigest()[:24]


def reviewer_header(name: str, email: str = "") -> str:
    """The ``Last-Translator`` value for a reviewer (control characters and brackets removed)."""
    name = " ".join(_NAME_JUNK.sub(" ", name).split())[:80]
    email = " ".join(_NAME_JUNK.sub(" ", email).split())[:120].replace(" ", "")
    return f"{name} <{email}>" if email else name


@dataclass(frozen=True)
class Pivot:
    language: str
    text: str
    state: str


@dataclass(frozen=True)
class EntryView:
    id: str
    number: int                      # 1-based position among the active entries
    msgid: str
    msgctxt: str | None
    references: tuple[str, ...]
    line: int
    state: str
    text: str
    previous: str | None             # the previous source text of a stale entry
    diff: tuple[tuple[str, str], ...]
    pivot: Pivot | None
    problems: tuple[qa.Problem, ...]
    notes: tuple[str, ...]           # glossary / do-not-translate notes for this language
    comments: tuple[str, ...]        # translator comments

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.severity == qa.ERROR)

    @property
    def needs_work(self) -> bool:
        return self.state != catalog.REVIEWED or self.errors > 0

    @property
    def revertible(self) -> bool:
        return self.state in REVERTIBLE

    @property
    def version(self) -> str:
        """What the page saw: a digest of the entry's text and state, sent back with every save."""
        return version(self.text, self.state)


@dataclass(frozen=True)
class DocumentView:
    doc_id: str
    language: str
    path: str                        # as shown to the user
    fingerprint: str                 # sha256 of the file as read
    entries: tuple[EntryView, ...]
    last_translator: str
    revision_date: str

    def counts(self) -> dict[str, int]:
        tally = dict.fromkeys(catalog.STATES, 0)
        for e in self.entries:
            tally[e.state] = tally.get(e.state, 0) + 1
        return tally

    @property
    def reviewed(self) -> int:
        return sum(1 for e in self.entries if e.state == catalog.REVIEWED)

    def find(self, entry: str) -> EntryView | None:
        return next((e for e in self.entries if e.id == entry), None)

    def next_needing_work(self, after: str | None = None) -> EntryView | None:
        """The first entry needing work after ``after`` (wrapping around), else None."""
        ids = [e.id for e in self.entries]
        start = ids.index(after) + 1 if after in ids else 0
        order = self.entries[start:] + self.entries[:start]
        return next((e for e in order if e.needs_work and e.id != after), None)


@dataclass(frozen=True)
class SaveResult:
    outcome: str                     # SAVED, UNCHANGED, CONFIRM or CONFLICT
    document: DocumentView           # the document as it is on disk now
    entry: EntryView | None          # the entry as written (SAVED/UNCHANGED), or as it would be (CONFIRM)
    theirs: EntryView | None = None  # CONFLICT: the entry as someone else saved it (None: it is gone)
    text: str = ""                   # the reviewer's text, to give back in the form


@dataclass(frozen=True)
class Overview:
    languages: tuple[str, ...]
    documents: tuple[tuple[str, tuple[checks.CatalogStatus, ...]], ...]


class ReviewStore:
    """The workspace as the review app sees it (thread-safe: saves are serialised)."""

    def __init__(self, settings: Settings, *, lock_timeout: float = 15.0):
        self.settings = settings
        self.lock_timeout = lock_timeout
        self._mutex = threading.Lock()
        self._detector = None

    # ---------------------------------------------------------------- reading

    @property
    def languages(self) -> tuple[str, ...]:
        return self.settings.target_languages

    def overview(self) -> Overview:
        """Every document with its catalogues' completeness per language (as ``outreach status``)."""
        found = checks.collect(self.settings)
        by_doc: dict[str, list[checks.CatalogStatus]] = {}
        for c in found.catalogs:
            by_doc.setdefault(c.doc_id, []).append(c)
        return Overview(self.languages, tuple((doc, tuple(items)) for doc, items in sorted(by_doc.items())))

    def catalogue_path(self, doc_id: str, lang: str) -> Path:
        """The path of a catalogue of this workspace; :class:`UnknownDocument` for anything else."""
        for known_doc, known_lang, path in self.settings.catalog_files():
            if known_doc == doc_id and known_lang == lang:
                base = self.settings.locales_dir.resolve()
                if not path.resolve().is_relative_to(base):
                    break  # a link pointing out of locales/
                return path
        raise UnknownDocument(f"no catalogue {doc_id!r} for language {lang!r} in this workspace")

    def document(self, doc_id: str, lang: str) -> DocumentView:
        path = self.catalogue_path(doc_id, lang)
        data = _read(path)
        return self._view(doc_id, lang, path, pofile.parse_bytes(data, self._shown(path)),
                          hashlib.sha256(data).hexdigest())

    def _shown(self, path: Path) -> str:
        return self.settings.display_path(path)

    def _glossary(self) -> glossary.Glossary:
        return glossary.load(self.settings)

    def _qa_detector(self):
        if self._detector is None:
            from pipeline.documents.detection import Detector

            self._detector = Detector(self.settings.detect_languages)
        return self._detector

    def _pivot_entries(self, doc_id: str, lang: str) -> dict | None:
        pivot = self.settings.pivot_language
        if lang == pivot or pivot not in self.languages:
            return None
        path = self.settings.catalog_path(doc_id, pivot)
        if not path.is_file():
            return None
        return {e.key: e for e in pofile.read_catalog(path).active}

    def _view(self, doc_id: str, lang: str, path: Path, cat: Catalog, sha: str) -> DocumentView:
        terms = self._glossary()
        pivots = self._pivot_entries(doc_id, lang)
        views = tuple(self._entry_view(e, n, lang, terms, pivots)
                      for n, e in enumerate(cat.active, 1))
        return DocumentView(doc_id, lang, self._shown(path), sha, views,
                            cat.header_value("Last-Translator") or "", cat.header_value("PO-Revision-Date") or "")

    def _entry_view(self, entry: Entry, number: int, lang: str, terms: glossary.Glossary,
                    pivots: dict | None) -> EntryView:
        state = catalog.entry_state(entry)
        problems = tuple(qa.check_entry(entry, lang, self.settings.source_language, terms, self._qa_detector()))
        pivot = None
        if pivots is not None and entry.key in pivots:
            other = pivots[entry.key]
            pivot = Pivot(self.settings.pivot_language, other.msgstr, catalog.entry_state(other))
        previous = entry.previous_msgid if state == catalog.STALE else None
        notes = terms.notes(entry.msgid, (lang,)) if terms else tuple(
            line for line in entry.extracted if line.startswith(("glossary:", "do not translate:")))
        return EntryView(
            id=entry_id(entry), number=number, msgid=entry.msgid, msgctxt=entry.msgctxt,
            references=entry.references, line=entry.line, state=state, text=entry.msgstr,
            previous=previous, diff=word_diff(previous, entry.msgid) if previous is not None else (),
            pivot=pivot, problems=problems, notes=notes,
            comments=tuple(c for c in entry.comments if not catalog.is_state_token(c)))

    # ---------------------------------------------------------------- saving

    def save(self, doc_id: str, lang: str, entry: str, *, action: str, text: str, seen: str,
             reviewer: str, confirmed: bool = False) -> SaveResult:
        """Apply one reviewer action to one entry (see the module doc). ``reviewer`` is the
        ``Last-Translator`` value; ``seen`` is :attr:`EntryView.version` of the entry as the page
        showed it (its text and state)."""
        if action not in ACTIONS:
            raise BadRequest(f"unknown action {action!r}")
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        if action == ACCEPT and not text.strip():
            raise BadRequest("an empty translation cannot be accepted; write one or save it as a draft")
        path = self.catalogue_path(doc_id, lang)
        with self._mutex, lock.acquire(self.settings.cache_dir, wait=True, timeout=self.lock_timeout):
            for attempt in range(_RETRIES):
                try:
                    return self._save_once(doc_id, lang, path, entry, action, text, seen, reviewer, confirmed)
                except ConflictError:
                    if attempt == _RETRIES - 1:
                        raise  # the file keeps changing under us (an editor saving in a loop?)
        raise AssertionError("unreachable")

    def _save_once(self, doc_id, lang, path, entry, action, text, seen, reviewer, confirmed):
        data = _read(path)
        expected = fsutil.fingerprint_bytes(data, path)
        cat = pofile.parse_bytes(data, self._shown(path))
        view = self._view(doc_id, lang, path, cat, expected.sha256)
        index = next((i for i, e in enumerate(cat.entries) if not e.obsolete and entry_id(e) == entry), None)
        if index is None:
            return SaveResult(CONFLICT, view, None, None, text)
        current = cat.entries[index]
        theirs = view.find(entry)
        if version(current.msgstr, catalog.entry_state(current)) != seen:
            return SaveResult(CONFLICT, view, theirs, theirs, text)
        if action == ACCEPT:
            changed, wanted = catalog.as_reviewed(current, text), catalog.REVIEWED
        elif action == DRAFT:
            changed = catalog.as_human_draft(current, text)
            wanted = catalog.HUMAN_DRAFT if text else catalog.UNTRANSLATED
        elif catalog.entry_state(current) in REVERTIBLE:
            changed, wanted = catalog.as_untranslated(current), catalog.UNTRANSLATED
        else:
            changed, wanted = current, catalog.entry_state(current)
        if catalog.entry_state(changed) != wanted:  # the catalogue model changed under us: refuse
            raise OutreachError(f"internal error: a {action} would leave the entry {catalog.entry_state(changed)}",
                                path=self._shown(path), line=current.line)
        pivots = self._pivot_entries(doc_id, lang)
        after = self._entry_view(changed, theirs.number, lang, self._glossary(), pivots)
        if action == ACCEPT and after.errors and not confirmed:
            return SaveResult(CONFIRM, view, after, None, text)
        if changed == current:
            return SaveResult(UNCHANGED, view, after, None, text)
        entries = cat.entries[:index] + (changed,) + cat.entries[index + 1:]
        header = _with_field(cat.header, "Last-Translator", reviewer) if reviewer else cat.header
        pofile.write_catalog(path, replace(cat, entries=entries, header=header), expected=expected)
        now = self.document(doc_id, lang)
        return SaveResult(SAVED, now, now.find(entry) or after, None, text)


def _with_field(header: tuple[tuple[str, str], ...], name: str, value: str) -> tuple[tuple[str, str], ...]:
    if any(n.lower() == name.lower() for n, _ in header):
        return tuple((n, value if n.lower() == name.lower() else v) for n, v in header)
    return header + ((name, value),)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise UnknownDocument("the catalogue is gone (deleted or renamed meanwhile)", path=path) from None
    except OSError as exc:
        raise OutreachError(f"cannot read: {exc.strerror or exc}", path=path) from exc

"""The catalogue model and the msgmerge-like merge (pure: no I/O).

A :class:`Catalog` is what a ``.po``/``.pot`` file holds, as frozen data;
:mod:`pipeline.catalogs.pofile` converts it to and from text. :func:`merge` brings an
existing catalogue up to date with a new template the way GNU ``msgmerge``
does, with two safety rules of its own:

* a non-empty ``msgstr`` is never lost: it stays on its msgid, is carried
  (as fuzzy, with ``#| msgid``) to a similar new msgid, or becomes obsolete;
* "similar" is judged mostly on words, so a new paragraph that merely has a
  similar length and alphabet never inherits a deleted paragraph's text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from typing import Iterable, Sequence

FUZZY = "fuzzy"

#: Extracted comments (``#.``) starting with one of these describe the entry's
#: translation state (written by the translation step); all other ``#.`` lines
#: come from the template.
STATE_PREFIXES = ("machine translation:", "copied from", "English pivot:", "translation memory:")


@dataclass(frozen=True)
class Entry:
    """One message of a catalogue."""

    msgid: str
    msgstr: str = ""
    msgctxt: str | None = None
    references: tuple[str, ...] = ()  # "source_texts/a.md:12"
    extracted: tuple[str, ...] = ()  # "#." lines, without the "#. " marker
    comments: tuple[str, ...] = ()  # translator "# " lines
    flags: tuple[str, ...] = ()  # "#," flags, order kept, no duplicates
    previous_msgid: str | None = None  # "#| msgid"
    obsolete: bool = False
    line: int = 0  # 1-based line of the msgid keyword; 0 when not read from a file

    @property
    def key(self) -> tuple[str | None, str]:
        """What identifies the entry in a catalogue: (msgctxt, msgid)."""
        return (self.msgctxt, self.msgid)

    @property
    def fuzzy(self) -> bool:
        return FUZZY in self.flags

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and not self.fuzzy

    @property
    def untranslated(self) -> bool:
        return not self.msgstr


@dataclass(frozen=True)
class Catalog:
    """A whole catalogue: header plus entries (active ones, then obsolete ones)."""

    entries: tuple[Entry, ...]
    header: tuple[tuple[str, str], ...]  # ordered header fields (name, value)
    header_comment: str = ""  # comment block above the header entry, verbatim
    header_flags: tuple[str, ...] = ()  # e.g. ("fuzzy",) for a template
    path: str | None = None

    @property
    def active(self) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if not e.obsolete)

    @property
    def obsolete(self) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if e.obsolete)

    def header_value(self, name: str) -> str | None:
        """The value of header field ``name`` (case-insensitive), or None."""
        wanted = name.lower()
        for field, value in self.header:
            if field.lower() == wanted:
                return value
        return None


# ----------------------------------------------------------------- whose text is it?

MACHINE = "machine translation:"
COPIED = "copied from"
MEMORY = "translation memory:"

UNTRANSLATED = "untranslated"
REVIEWED = "reviewed"
MACHINE_DRAFT = "machine draft"
HUMAN_DRAFT = "human draft"
COPY = "copied"
STALE = "stale"
MEMORY_SUGGESTION = "memory suggestion"
OBSOLETE = "obsolete"
STATES = (REVIEWED, MACHINE_DRAFT, HUMAN_DRAFT, MEMORY_SUGGESTION, COPY, STALE, UNTRANSLATED)

_DRAFT_MARK = re.compile(r" \[draft ([0-9a-f]{8})\]$")


def fingerprint(text: str) -> str:
    """A short checksum of a draft, recorded next to it to notice human edits."""
    import hashlib

    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]


def draft_note(note: str, text: str) -> str:
    """``note`` with the fingerprint of the draft it describes: ``... [draft 1a2b3c4d]``."""
    return f"{note} [draft {fingerprint(text)}]"


def without_draft_mark(line: str) -> str:
    """A state comment without its ``[draft checksum]``."""
    return _DRAFT_MARK.sub("", line)


def recorded_draft(entry: "Entry", prefix: str = MACHINE) -> str | None:
    """The fingerprint recorded in the entry's ``prefix`` comment, if any."""
    for line in entry.extracted:
        if line.startswith(prefix):
            found = _DRAFT_MARK.search(line)
            return found.group(1) if found else None
    return None


def entry_state(entry: "Entry") -> str:
    """Who wrote the entry's msgstr, as the report and the runner need to know.

    reviewed: non-fuzzy and non-empty (a reviewer's: never changed by a run);
    machine draft: fuzzy and still exactly what the engine wrote;
    human draft: fuzzy but edited since (or written by hand);
    copied: a paragraph already in the target language, copied unchanged;
    memory suggestion: pre-filled from the translation memory, unchanged;
    stale: the old translation of a paragraph whose source has changed.
    """
    if entry.obsolete:
        return OBSOLETE
    if not entry.msgstr:
        return UNTRANSLATED
    if not entry.fuzzy:
        return REVIEWED
    if entry.previous_msgid is not None:
        return STALE
    for prefix, state in ((MACHINE, MACHINE_DRAFT), (MEMORY, MEMORY_SUGGESTION)):
        if any(line.startswith(prefix) for line in entry.extracted):
            recorded = recorded_draft(entry, prefix)
            return state if recorded in (None, fingerprint(entry.msgstr)) else HUMAN_DRAFT
    if any(line.startswith(COPIED) for line in entry.extracted) and entry.msgstr == entry.msgid:
        return COPY
    return HUMAN_DRAFT


def is_state_comment(line: str) -> bool:
    """True for an extracted comment that belongs to the translation state."""
    return line.startswith(STATE_PREFIXES)


def _without_state(entry: "Entry") -> tuple[str, ...]:
    return tuple(line for line in entry.extracted if not is_state_comment(line))


def as_reviewed(entry: "Entry", text: str) -> "Entry":
    """``entry`` accepted by a reviewer with ``text``: not fuzzy, no previous msgid, no draft
    markers (machine, memory, copy, pivot notes) — so every later run treats it as a human's."""
    return replace(entry, msgstr=text, flags=tuple(f for f in entry.flags if f != FUZZY),
                   extracted=_without_state(entry), previous_msgid=None)


def as_human_draft(entry: "Entry", text: str) -> "Entry":
    """``entry`` saved as a reviewer's unfinished draft: fuzzy, without draft markers or previous
    msgid, so :func:`entry_state` calls it a human draft (an empty ``text`` leaves it untranslated)."""
    return replace(entry, msgstr=text, flags=add_flag(entry.flags, FUZZY) if text else
                   tuple(f for f in entry.flags if f != FUZZY),
                   extracted=_without_state(entry), previous_msgid=None)


def as_untranslated(entry: "Entry") -> "Entry":
    """``entry`` handed back to the machine: no translation, so the next run drafts it afresh."""
    return replace(entry, msgstr="", flags=tuple(f for f in entry.flags if f != FUZZY),
                   extracted=_without_state(entry), previous_msgid=None)


def add_flag(flags: tuple[str, ...], flag: str) -> tuple[str, ...]:
    """``flags`` with ``flag`` appended unless already present."""
    return flags if flag in flags else flags + (flag,)


def _union(*groups: Iterable[str]) -> tuple[str, ...]:
    """Ordered union (first occurrence wins)."""
    return tuple(dict.fromkeys(item for group in groups for item in group))


def template_entries(occurrences: Iterable[tuple[str, str, tuple[str, ...]]]) -> tuple[Entry, ...]:
    """Template entries from ``(msgid, reference, extracted_lines)`` in document order.

    A msgid seen twice gives one entry whose references are all occurrences
    in order and whose extracted lines are their ordered union; entries are
    ordered by first occurrence.
    """
    refs: dict[str, list[str]] = {}
    extracted: dict[str, list[str]] = {}
    for msgid, reference, lines in occurrences:
        refs.setdefault(msgid, [])
        extracted.setdefault(msgid, [])
        if reference and reference not in refs[msgid]:
            refs[msgid].append(reference)
        extracted[msgid].extend(line for line in lines if line not in extracted[msgid])
    return tuple(Entry(msgid=m, references=tuple(refs[m]), extracted=tuple(extracted[m])) for m in refs)


@dataclass(frozen=True)
class MergeResult:
    """The merged entries and the counts for the run summary."""

    entries: tuple[Entry, ...]
    kept: int  # exact matches with an active entry
    carried_fuzzy: int  # new msgids that inherited a similar old translation
    new: int  # new msgids without a translation
    obsoleted: int  # old active entries that became obsolete
    revived: int  # exact matches with an obsolete entry


_WORD = re.compile(r"\w+", re.UNICODE)


def similarity(a: str, b: str) -> float:
    """How alike two texts are, 0..1: the mean of a word-level and a character-level ratio.

    The word-level ratio dominates what passes a threshold of ~0.7: two
    unrelated paragraphs share few words (ratio ~0.1) even when their letters
    and length agree (character ratio ~0.5), so they never reach it.
    """
    words_a, words_b = _WORD.findall(a.casefold()), _WORD.findall(b.casefold())
    if not words_a and not words_b:
        word_ratio = 1.0 if a == b else 0.0
    else:
        word_ratio = SequenceMatcher(None, words_a, words_b, autojunk=False).ratio()
    char_ratio = SequenceMatcher(None, a, b, autojunk=False).ratio()
    return (word_ratio + char_ratio) / 2


def _bounded_similarity(a: str, b: str, words_a: list[str], words_b: list[str], threshold: float) -> float:
    """:func:`similarity` (given both texts' words), or 0.0 once it provably cannot reach ``threshold``."""
    need = 2 * threshold - 1  # each half must reach this for the mean to reach threshold
    if 2 * min(len(a), len(b)) / max(len(a) + len(b), 1) < need:
        return 0.0
    if words_a or words_b:
        words = SequenceMatcher(None, words_a, words_b, autojunk=False)
        if (words.quick_ratio() + 1) / 2 < threshold:
            return 0.0
        word_ratio = words.ratio()
    else:
        word_ratio = 1.0 if a == b else 0.0
    if (word_ratio + 1) / 2 < threshold:
        return 0.0
    chars = SequenceMatcher(None, a, b, autojunk=False)
    if (word_ratio + chars.quick_ratio()) / 2 < threshold:
        return 0.0
    return (word_ratio + chars.ratio()) / 2


def _kept(new: Entry, old: Entry) -> Entry:
    """``new`` (from the template) keeping ``old``'s translation and translation state."""
    state = tuple(line for line in old.extracted if is_state_comment(line))
    return replace(
        new,
        msgstr=old.msgstr,
        comments=old.comments,
        flags=old.flags,
        extracted=_union(new.extracted, state),
        previous_msgid=old.previous_msgid if old.fuzzy else None,
        obsolete=False,
        line=0,
    )


def _carried(new: Entry, old: Entry) -> Entry:
    """``new`` inheriting ``old``'s translation as fuzzy, with ``#| msgid`` = old msgid."""
    state = tuple(line for line in old.extracted if is_state_comment(line))
    return replace(
        new,
        msgstr=old.msgstr,
        comments=old.comments,
        flags=add_flag(old.flags, FUZZY),
        extracted=_union(new.extracted, state),
        previous_msgid=old.msgid,
        obsolete=False,
        line=0,
    )


def merge(
    template: Sequence[Entry],
    existing: Catalog | None,
    *,
    purge_obsolete: bool = False,
    threshold: float = 0.7,
) -> MergeResult:
    """Bring ``existing`` up to date with ``template`` (see the module docstring).

    Result order: template order, then old obsolete entries (in their order),
    then newly obsoleted ones (in their previous order). Fuzzy carrying only
    pairs entries with the same msgctxt; the best-scoring pairs are taken first
    and every old entry is carried at most once.
    """
    old = tuple(existing.entries) if existing is not None else ()
    old_active = [i for i, e in enumerate(old) if not e.obsolete]
    old_obsolete = [i for i, e in enumerate(old) if e.obsolete]
    by_key: dict[tuple[str | None, str], int] = {}
    for i in old_active + old_obsolete:  # an active entry wins over an obsolete one
        by_key.setdefault(old[i].key, i)

    used: set[int] = set()
    result: list[Entry | None] = [None] * len(template)
    kept = revived = carried = new_count = 0
    unmatched: list[int] = []
    for t, entry in enumerate(template):
        found = by_key.get(entry.key)
        if found is None or found in used:
            unmatched.append(t)
            continue
        used.add(found)
        result[t] = _kept(replace(entry, obsolete=False), old[found])
        if old[found].obsolete:
            revived += 1
        else:
            kept += 1

    candidates = [i for i in range(len(old)) if i not in used and old[i].msgstr]
    words = {text: _WORD.findall(text.casefold())
             for text in [template[t].msgid for t in unmatched] + [old[i].msgid for i in candidates]}
    pairs: list[tuple[float, int, int]] = []
    for t in unmatched:
        a = template[t].msgid
        for i in candidates:
            if old[i].msgctxt != template[t].msgctxt:
                continue
            b = old[i].msgid
            score = _bounded_similarity(a, b, words[a], words[b], threshold)
            if score >= threshold:
                pairs.append((-score, t, i))
    pairs.sort()
    for _, t, i in pairs:
        if result[t] is not None or i in used:
            continue
        used.add(i)
        result[t] = _carried(replace(template[t], obsolete=False), old[i])
        carried += 1
    for t in unmatched:
        if result[t] is None:
            result[t] = replace(template[t], msgstr="", obsolete=False, line=0)
            new_count += 1

    still_obsolete = [] if purge_obsolete else [
        replace(old[i], line=0) for i in old_obsolete if i not in used
    ]
    newly_obsolete = [
        replace(old[i], obsolete=True, references=(), line=0)
        for i in old_active
        if i not in used and old[i].msgstr
    ]
    entries = tuple(e for e in result if e is not None) + tuple(still_obsolete) + tuple(newly_obsolete)
    return MergeResult(
        entries=entries,
        kept=kept,
        carried_fuzzy=carried,
        new=new_count,
        obsoleted=len(newly_obsolete),
        revived=revived,
    )

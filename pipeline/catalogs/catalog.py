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

import hashlib
import re
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from typing import Iterable, Sequence

FUZZY = "fuzzy"

#: Extracted comments (``#.``) starting with one of these described the entry's translation
#: state in catalogues written before the state moved to translator comments (see
#: :func:`draft_record`); all other ``#.`` lines come from the template.
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
    previous_msgctxt: str | None = None  # "#| msgctxt"
    # Plural messages: we never create them, but other tools' catalogues have them; kept as read.
    msgid_plural: str | None = None
    msgstr_plural: tuple[str, ...] = ()  # msgstr[0], msgstr[1], ...

    @property
    def key(self) -> tuple[str | None, str]:
        """What identifies the entry in a catalogue: (msgctxt, msgid)."""
        return (self.msgctxt, self.msgid)

    @property
    def fuzzy(self) -> bool:
        return FUZZY in self.flags

    @property
    def plural(self) -> bool:
        return self.msgid_plural is not None

    @property
    def translated(self) -> bool:
        return not self.untranslated and not self.fuzzy

    @property
    def untranslated(self) -> bool:
        """No text at all (for a plural entry: no form translated, as msgfmt --statistics counts)."""
        return not self.msgstr and not any(self.msgstr_plural)


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
PIVOT = "English pivot:"

UNTRANSLATED = "untranslated"
REVIEWED = "reviewed"
MACHINE_DRAFT = "machine draft"
HUMAN_DRAFT = "human draft"
COPY = "copied"
STALE = "stale"
MEMORY_SUGGESTION = "memory suggestion"
OBSOLETE = "obsolete"
STATES = (REVIEWED, MACHINE_DRAFT, HUMAN_DRAFT, MEMORY_SUGGESTION, COPY, STALE, UNTRANSLATED)

#: The three kinds of text a run writes, as named in the state token, their note's prefix and state.
KINDS = {"mt": (MACHINE, MACHINE_DRAFT), "tm": (MEMORY, MEMORY_SUGGESTION), "copy": (COPIED, COPY)}

# The state of a draft is recorded on the translation side of the entry, as translator comments
# (msgmerge keeps those; it replaces extracted comments with the template's):
#
#   # machine translation: argos translate-pl_en 1.9 + translate-en_uk 1.9   <- the note (for people)
#   # English pivot: Our club meets on Wednesday.                            <- (pivoted drafts)
#   # outreach:mt:1a2b3c4d5e6f:77e0d1aa:c0ffee12                             <- the token (the proof)
#
# The token has no space and no hyphen, so no editor's comment wrapping (polib, Babel: textwrap)
# can break it. Its first checksum covers the kind, msgctxt, msgid, msgstr and the two checksums
# after it (of the note and of the pivot, whitespace removed, so a re-wrapped note still matches).
_TOKEN = re.compile(r"outreach:(mt|tm|copy):([0-9a-f]{12}):([0-9a-f]{8})(?::([0-9a-f]{8}))?")
_TOKEN_LIKE = re.compile(r"\s*outreach:")
# Catalogues written before the token kept the state in extracted comments, "... [draft 1a2b3c4d]".
_DRAFT_MARK = re.compile(r" \[draft ([0-9a-f]{8})\]$")


def fingerprint(text: str) -> str:
    """A short checksum of a draft, as catalogues before the state token recorded it."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]


def draft_note(note: str, text: str) -> str:
    """``note`` with the fingerprint of the draft it describes, as older catalogues have it."""
    return f"{note} [draft {fingerprint(text)}]"


def without_draft_mark(line: str) -> str:
    """A state comment without its ``[draft checksum]``."""
    return _DRAFT_MARK.sub("", line)


def _squeezed_sum(text: str) -> str:
    """Checksum of ``text`` without any whitespace: the same however an editor re-wrapped it."""
    return fingerprint(_squeezed(text))


def _token_sum(kind: str, msgctxt: str | None, msgid: str, msgstr: str, note: str, pivot: str | None) -> str:
    fields = ("outreach-1", kind, "\x04" if msgctxt is None else msgctxt, msgid, msgstr, note, pivot or "")
    return hashlib.sha1("\x00".join(fields).encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True)
class DraftRecord:
    """What the catalogue proves about an entry's text: written by a run, untouched since.

    ``note_sum``/``pivot_sum`` are the checksums of the note (``machine translation: ...``
    without its prefix) and of the English pivot (None: not pivoted). ``block`` holds the
    indexes in ``entry.comments`` of the state lines (note, pivot, token); ``shown`` tells
    whether the note people read is there and matches. ``legacy``: read from the extracted
    comments of an older catalogue.
    """

    kind: str
    note_sum: str
    pivot_sum: str | None
    block: tuple[int, ...] = ()
    shown: bool = True
    legacy: bool = False

    @property
    def state(self) -> str:
        return KINDS[self.kind][1]

    def describes(self, note: str, pivot: str | None | object = ...) -> bool:
        """True when the draft was written with this note (and, when given, through this English
        pivot; None: not pivoted)."""
        if self.note_sum != _squeezed_sum(note):
            return False
        return pivot is ... or self.pivot_sum == (None if pivot is None else _squeezed_sum(str(pivot)))


def draft_record(entry: "Entry", msgid: str | None = None) -> DraftRecord | None:
    """THE proof that ``entry``'s msgstr is a run's untouched draft, or None ("a human's").

    ``msgid`` (default: the entry's own) is the text the draft was made for; pass the previous
    msgid to ask whether a carried text was an untouched draft of the old paragraph. Anything
    not exactly as written — the token edited, cut, joined to another line, duplicated, moved to
    an extracted comment or removed, the msgstr or msgid changed — proves nothing. Catalogues from
    before the token are read from their ``[draft checksum]`` extracted comment, just as strictly.
    """
    msgid = entry.msgid if msgid is None else msgid
    if entry.plural:
        return None
    comments = [line.strip() for line in entry.comments]
    suspects = [i for i, line in enumerate(comments) if _TOKEN_LIKE.match(line)]
    if suspects:
        found = _TOKEN.fullmatch(comments[suspects[0]])
        if len(suspects) != 1 or found is None:
            return None
        kind, check, note_sum, pivot_sum = found.groups()
        if check != _token_sum(kind, entry.msgctxt, msgid, entry.msgstr, note_sum, pivot_sum):
            return None
        if kind == "copy" and entry.msgstr != msgid:
            return None
        return _with_shown_note(DraftRecord(kind, note_sum, pivot_sum, (suspects[0],)), comments)
    return _legacy_record(entry, msgid)


def _with_shown_note(record: DraftRecord, comments: list[str]) -> DraftRecord:
    """``record`` with the note lines above its token, when they are there and match however an
    editor re-wrapped them (even inside the prefix): compared without whitespace."""
    token = record.block[0]
    prefix, pivot_prefix = _squeezed(KINDS[record.kind][0]), _squeezed(PIVOT)
    for start in range(token - 1, -1, -1):
        lines = comments[start:token]
        if not _squeezed("".join(lines)).startswith(prefix):
            continue
        for split in range(1, len(lines) + 1):
            rest = _squeezed("".join(lines[split:]))
            if split < len(lines) and not rest.startswith(pivot_prefix):
                continue
            pivot = rest[len(pivot_prefix):] if split < len(lines) else None
            if record.describes(" ".join(lines[:split]), pivot):
                return replace(record, block=tuple(range(start, token + 1)))
        break
    return replace(record, shown=False)


def _squeezed(text: str) -> str:
    return "".join(text.split())


def _legacy_record(entry: "Entry", msgid: str) -> DraftRecord | None:
    """The proof an older catalogue gives: one ``#.`` note of a kind, ending in the msgstr's checksum."""
    found = None
    for kind, (prefix, _) in KINDS.items():
        lines = [line for line in entry.extracted if line.startswith(prefix)]
        if not lines:
            continue
        if found is not None or len(lines) != 1:
            return None
        found = kind, lines[0]
    if found is None:
        return None
    kind, line = found
    pivots = [line[len(PIVOT):] for line in entry.extracted if line.startswith(PIVOT)]
    if len(pivots) > 1:
        return None
    note = without_draft_mark(line)
    record = DraftRecord(kind, _squeezed_sum(note), _squeezed_sum(pivots[0]) if pivots else None, legacy=True)
    if kind == "copy":
        return record if entry.msgstr == msgid else None
    mark = _DRAFT_MARK.search(line)
    return record if mark is not None and mark.group(1) == fingerprint(entry.msgstr) else None


def state_comments(entry: "Entry", kind: str, text: str, note: str, pivot: str | None = None) -> tuple[str, ...]:
    """``entry``'s translator comments for a new draft ``text``: the human ones kept (this entry's own
    old state lines dropped), then the note, the pivot and the token that proves the draft."""
    prefix = KINDS[kind][0]
    if not note.startswith(prefix):
        raise ValueError(f"a {kind} note starts with {prefix!r}: {note!r}")
    pivot = None if pivot is None else " ".join(pivot.split())
    note_sum = _squeezed_sum(note)
    pivot_sum = None if pivot is None else _squeezed_sum(pivot)
    check = _token_sum(kind, entry.msgctxt, entry.msgid, text, note_sum, pivot_sum)
    token = f"outreach:{kind}:{check}:{note_sum}" + (f":{pivot_sum}" if pivot_sum else "")
    return human_comments(entry) + (note,) + ((PIVOT + " " + pivot,) if pivot is not None else ()) + (token,)


def human_comments(entry: "Entry") -> tuple[str, ...]:
    """The translator comments that are not a run's state lines: the note block of a token that
    still proves its draft and any token-like line (a token holds no one's words) are dropped."""
    ours = {i for i, line in enumerate(entry.comments) if _TOKEN_LIKE.match(line)}
    for msgid in (entry.msgid, entry.previous_msgid):
        if msgid is None:
            continue
        record = draft_record(entry, msgid)
        if record is not None and not record.legacy:
            ours.update(record.block)
    return tuple(line for i, line in enumerate(entry.comments) if i not in ours)


def is_state_token(line: str) -> bool:
    """True for a translator comment that is (or looks like) a run's state token: for machines, not people."""
    return bool(_TOKEN_LIKE.match(line))


def entry_state(entry: "Entry") -> str:
    """Who wrote the entry's msgstr, as the report and the runner need to know.

    reviewed: non-fuzzy and non-empty (a reviewer's: never changed by a run);
    machine draft: fuzzy and provably still exactly what the engine wrote (:func:`draft_record`);
    human draft: fuzzy and not provably a run's (edited, or written by hand);
    copied: a paragraph already in the target language, copied unchanged;
    memory suggestion: pre-filled from the translation memory, unchanged;
    stale: the old translation of a paragraph whose source has changed.
    """
    if entry.obsolete:
        return OBSOLETE
    if entry.untranslated:
        return UNTRANSLATED
    if not entry.fuzzy:
        return REVIEWED
    if entry.previous_msgid is not None:
        return STALE
    record = draft_record(entry)
    return HUMAN_DRAFT if record is None else record.state


def is_state_comment(line: str) -> bool:
    """True for an extracted comment that belongs to the translation state (older catalogues)."""
    return line.startswith(STATE_PREFIXES)


def _without_state(entry: "Entry") -> tuple[str, ...]:
    return tuple(line for line in entry.extracted if not is_state_comment(line))


def as_reviewed(entry: "Entry", text: str) -> "Entry":
    """``entry`` accepted by a reviewer with ``text``: not fuzzy, no previous msgid, no draft
    markers (machine, memory, copy, pivot notes; the state token, :func:`human_comments`) — so
    every later run treats it as a human's."""
    return replace(entry, msgstr=text, flags=tuple(f for f in entry.flags if f != FUZZY),
                   extracted=_without_state(entry), comments=human_comments(entry), previous_msgid=None)


def as_human_draft(entry: "Entry", text: str) -> "Entry":
    """``entry`` saved as a reviewer's unfinished draft: fuzzy, without draft markers or previous
    msgid, so :func:`entry_state` calls it a human draft (an empty ``text`` leaves it untranslated)."""
    return replace(entry, msgstr=text, flags=add_flag(entry.flags, FUZZY) if text else
                   tuple(f for f in entry.flags if f != FUZZY),
                   extracted=_without_state(entry), comments=human_comments(entry), previous_msgid=None)


def as_untranslated(entry: "Entry") -> "Entry":
    """``entry`` handed back to the machine: no translation, so the next run drafts it afresh."""
    return replace(entry, msgstr="", flags=tuple(f for f in entry.flags if f != FUZZY),
                   extracted=_without_state(entry), comments=human_comments(entry), previous_msgid=None)


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
    fuzzy = old.fuzzy
    # Entry(...) with every field rather than dataclasses.replace: this runs once per kept entry
    # of every catalogue, and replace() costs twice as much.
    return Entry(
        msgid=new.msgid,
        msgstr=old.msgstr,
        msgctxt=new.msgctxt,
        references=new.references,
        extracted=_union(new.extracted, state),
        comments=old.comments,
        flags=old.flags,
        previous_msgid=old.previous_msgid if fuzzy else None,
        obsolete=False,
        line=0,
        previous_msgctxt=old.previous_msgctxt if fuzzy else None,
        msgid_plural=new.msgid_plural,
        msgstr_plural=new.msgstr_plural,
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
        previous_msgctxt=old.msgctxt,
        obsolete=False,
        line=0,
    )


def _with_plural_forms(entry: Entry, plural: Entry) -> Entry:
    """``entry`` with a plural message's translations as translator comments (the first form as a
    fuzzy text when ``entry`` has none): a human's draft, never taken for a run's."""
    notes = tuple(f"msgstr[{n}] of {plural.msgid_plural!r} (plural message from another tool): {form}"
                  for n, form in enumerate(plural.msgstr_plural))
    if entry.msgstr:
        return replace(entry, comments=entry.comments + notes)
    return replace(entry, msgstr=plural.msgstr_plural[0] or next(f for f in plural.msgstr_plural if f),
                   flags=add_flag(entry.flags, FUZZY), comments=_union(plural.comments, entry.comments) + notes)


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
        if not old[i].plural:  # another tool's plural message never matches our singular ones
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
        result[t] = _kept(replace(entry, obsolete=False) if entry.obsolete else entry, old[found])
        if old[found].obsolete:
            revived += 1
        else:
            kept += 1

    candidates = [i for i in range(len(old)) if i not in used and old[i].msgstr and not old[i].plural]
    words: dict[str, list[str]] = {}  # the words of a text, found when it is first compared

    def words_of(text: str) -> list[str]:
        found = words.get(text)
        if found is None:
            found = words[text] = _WORD.findall(text.casefold())
        return found

    pairs: list[tuple[float, int, int]] = []
    for t in unmatched if candidates else ():
        a = template[t].msgid
        for i in candidates:
            if old[i].msgctxt != template[t].msgctxt:
                continue
            b = old[i].msgid
            score = _bounded_similarity(a, b, words_of(a), words_of(b), threshold)
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

    # Another tool's plural message with the msgid of one of ours cannot stay beside it (msgfmt
    # refuses the duplicate, even obsolete): its forms go into the translator comments of ours
    # (the first one as its text when it has none), for a human to use. Nothing is dropped.
    by_template_key = {entry.key: t for t, entry in enumerate(template)}
    for i, entry in enumerate(old):
        same = by_template_key.get(entry.key)
        if not entry.plural or same is None or (entry.obsolete and purge_obsolete):
            continue
        used.add(i)
        if not entry.untranslated:
            result[same] = _with_plural_forms(result[same], entry)  # type: ignore[arg-type]

    still_obsolete = [] if purge_obsolete else [
        replace(old[i], line=0) for i in old_obsolete if i not in used
    ]
    newly_obsolete = [
        replace(old[i], obsolete=True, references=(), line=0)
        for i in old_active
        if i not in used and not old[i].untranslated
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

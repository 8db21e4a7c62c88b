"""Ownership fails safe: an entry is an untouched machine draft only when the catalogue proves it.

``catalog.draft_record`` is the one function that decides; ``entry_state`` and the runner's
``replaceable`` ask it. Hypothesis feeds it every mangling of the state lines we can think of —
wrapped at any width (as polib and Babel wrap comments, with and without cutting long words),
cut, joined, duplicated, moved between translator and extracted comments, removed, the msgstr or
msgid edited — in the current layout (translator comments with a token) and in the layout of
older catalogues (``#. machine translation: ... [draft 1a2b3c4d]``).
"""

from __future__ import annotations

import dataclasses
import textwrap

from hypothesis import given, settings, strategies as st

from profiles import examples

from pipeline.catalogs.catalog import (
    COPY, HUMAN_DRAFT, MACHINE_DRAFT, MEMORY_SUGGESTION, Entry, draft_note, draft_record, entry_state,
    state_comments,
)

NOTE = "machine translation: argos translate-pl_en 1.9 + translate-en_uk 1.9"
text = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=60)
words = st.lists(st.text("abcdefghijklmnopqrstuvwxyząęł-", min_size=1, max_size=12), min_size=1, max_size=12).map(" ".join)
widths = st.integers(1, 120)
few = settings(max_examples=examples(300))


def _draft(msgid: str, msgstr: str, pivot: str | None, human: tuple[str, ...] = ()) -> Entry:
    entry = Entry(msgid, flags=("fuzzy",), comments=human)
    return dataclasses.replace(entry, msgstr=msgstr, comments=state_comments(entry, "mt", msgstr, NOTE, pivot))


def _wrap(lines: tuple[str, ...], width: int, cut_words: bool) -> tuple[str, ...]:
    """Each comment re-wrapped the way polib/Babel do (textwrap), optionally cutting long words."""
    out: list[str] = []
    for line in lines:
        out += textwrap.wrap(line, width, break_long_words=cut_words) or [line]
    return tuple(out)


@few
@given(msgid=text, msgstr=text, pivot=st.none() | words, human=st.lists(words, max_size=2).map(tuple))
def test_an_untouched_draft_is_proven(msgid, msgstr, pivot, human):
    entry = _draft(msgid, msgstr, pivot, human)
    assert entry_state(entry) == MACHINE_DRAFT
    record = draft_record(entry)
    assert record.shown and record.describes(NOTE, pivot)
    assert entry.comments[: len(human)] == human


@few
@given(msgid=text, msgstr=text, pivot=st.none() | words, width=widths)
def test_wrapping_without_cutting_words_keeps_the_proof_and_the_note(msgid, msgstr, pivot, width):
    entry = _draft(msgid, msgstr, pivot)
    wrapped = dataclasses.replace(entry, comments=_wrap(entry.comments, width, cut_words=False))
    assert entry_state(wrapped) == MACHINE_DRAFT
    assert draft_record(wrapped).shown and draft_record(wrapped).describes(NOTE, pivot)


@few
@given(msgid=text, msgstr=text, pivot=st.none() | words, width=widths)
def test_a_token_cut_by_wrapping_is_a_humans(msgid, msgstr, pivot, width):
    entry = _draft(msgid, msgstr, pivot)
    wrapped = dataclasses.replace(entry, comments=_wrap(entry.comments, width, cut_words=True))
    intact = entry.comments[-1] in wrapped.comments
    assert entry_state(wrapped) == (MACHINE_DRAFT if intact else HUMAN_DRAFT)


MANGLINGS = ["cut", "grow", "join", "duplicate", "to-extracted", "remove", "edit-msgstr", "edit-msgid", "flip"]


@few
@given(msgid=text, msgstr=text, pivot=st.none() | words, how=st.sampled_from(MANGLINGS),
       at=st.integers(0, 100), extra=text)
def test_every_mangling_of_the_token_is_a_humans(msgid, msgstr, pivot, how, at, extra):
    entry = _draft(msgid, msgstr, pivot)
    *notes, token = entry.comments
    notes = tuple(notes)
    if how == "cut":
        mangled = dataclasses.replace(entry, comments=notes + (token[: at % len(token)],))
    elif how == "grow":
        mangled = dataclasses.replace(entry, comments=notes + (token + extra.strip()[:1] + "x",))
    elif how == "join":
        mangled = dataclasses.replace(entry, comments=notes[:-1] + (notes[-1] + " " + token,))
    elif how == "duplicate":
        mangled = dataclasses.replace(entry, comments=notes + (token, token))
    elif how == "to-extracted":
        mangled = dataclasses.replace(entry, comments=notes, extracted=(token,))
    elif how == "remove":
        mangled = dataclasses.replace(entry, comments=notes)
    elif how == "edit-msgstr":
        mangled = dataclasses.replace(entry, msgstr=msgstr + extra)
    elif how == "edit-msgid":
        mangled = dataclasses.replace(entry, msgid=msgid + extra)
    else:  # one hex digit of the checksum changed
        i = len("outreach:mt:") + at % 12
        digit = "0" if token[i] != "0" else "1"
        mangled = dataclasses.replace(entry, comments=notes + (token[:i] + digit + token[i + 1:],))
    assert entry_state(mangled) == HUMAN_DRAFT
    assert draft_record(mangled) is None


@few
@given(msgid=text, msgstr=text, pivot=st.none() | words, width=widths)
def test_a_lost_or_rewrapped_note_keeps_the_proof(msgid, msgstr, pivot, width):
    """msgmerge keeps translator comments; an editor may drop or re-wrap the note: the token decides."""
    entry = _draft(msgid, msgstr, pivot)
    token_only = dataclasses.replace(entry, comments=entry.comments[-1:])
    assert entry_state(token_only) == MACHINE_DRAFT and not draft_record(token_only).shown
    edited_note = dataclasses.replace(entry, comments=("machine translation: something else",) + entry.comments[-1:])
    assert entry_state(edited_note) == MACHINE_DRAFT and not draft_record(edited_note).shown


def test_memory_suggestions_and_copies_are_proven_the_same_way():
    hello = Entry("Hello all.", flags=("fuzzy",))
    copy = dataclasses.replace(hello, msgstr="Hello all.",
                               comments=state_comments(hello, "copy", "Hello all.", "copied from source: in en"))
    assert entry_state(copy) == COPY
    assert entry_state(dataclasses.replace(copy, msgstr="Hello, all.")) == HUMAN_DRAFT
    memory = dataclasses.replace(hello, msgstr="Hi all.",
                                 comments=state_comments(hello, "tm", "Hi all.", "translation memory: from a (exact)"))
    assert entry_state(memory) == MEMORY_SUGGESTION
    assert entry_state(dataclasses.replace(memory, comments=memory.comments[:-1])) == HUMAN_DRAFT


# ------------------------------------------------------------ catalogues from before the token

def _legacy(msgstr: str, pivot: str | None = None) -> Entry:
    extracted = (draft_note(NOTE, msgstr),) + ((f"English pivot: {pivot}",) if pivot else ())
    return Entry("Zapraszamy.", msgstr, flags=("fuzzy",), extracted=("type: heading",) + extracted)


@few
@given(msgstr=text, width=widths, cut_words=st.booleans())
def test_a_wrapped_legacy_note_is_a_humans(msgstr, width, cut_words):
    entry = _legacy(msgstr)
    wrapped = dataclasses.replace(entry, extracted=_wrap(entry.extracted, width, cut_words))
    untouched = wrapped.extracted == entry.extracted
    assert entry_state(wrapped) == (MACHINE_DRAFT if untouched else HUMAN_DRAFT)


@few
@given(msgstr=text, how=st.sampled_from(["cut", "duplicate", "to-translator", "remove", "edit", "no-mark"]),
       at=st.integers(0, 200))
def test_every_mangling_of_a_legacy_note_is_a_humans(msgstr, how, at):
    entry = _legacy(msgstr, pivot="Our club meets.")
    heading, note, pivot = entry.extracted
    if how == "cut":
        mangled = dataclasses.replace(entry, extracted=(heading, note[: at % len(note)], pivot))
    elif how == "duplicate":
        mangled = dataclasses.replace(entry, extracted=(heading, note, note, pivot))
    elif how == "to-translator":
        mangled = dataclasses.replace(entry, extracted=(heading, pivot), comments=(note,))
    elif how == "remove":
        mangled = dataclasses.replace(entry, extracted=(heading, pivot))
    elif how == "edit":
        mangled = dataclasses.replace(entry, msgstr=msgstr + "!")
    else:
        mangled = dataclasses.replace(entry, extracted=(heading, NOTE, pivot))
    assert entry_state(mangled) == HUMAN_DRAFT
    assert entry_state(entry) == MACHINE_DRAFT

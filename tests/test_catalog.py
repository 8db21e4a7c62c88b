"""Tests for pipeline.catalogs.catalog: the model, template building and the merge."""

from __future__ import annotations

import dataclasses
import re

import pytest
from profiles import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.catalogs.catalog import (
    FUZZY,
    Catalog,
    Entry,
    MergeResult,
    merge,
    similarity,
    template_entries,
)

MT = "machine translation: argos translate-pl_en 1.9"


def catalog(*entries: Entry) -> Catalog:
    return Catalog(entries=tuple(entries), header=(("Language", "en"),))


def by_id(result: MergeResult) -> dict[str, Entry]:
    return {e.msgid: e for e in result.entries}


# --- model ---------------------------------------------------------------------


def test_entry_properties():
    assert Entry("a").untranslated and not Entry("a").translated
    assert Entry("a", "b").translated
    fuzzy = Entry("a", "b", flags=(FUZZY,))
    assert fuzzy.fuzzy and not fuzzy.translated and not fuzzy.untranslated


def test_entries_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Entry("a").msgstr = "x"  # type: ignore[misc]


def test_catalog_helpers():
    cat = Catalog(
        entries=(Entry("a"), Entry("b", "B", obsolete=True)),
        header=(("Language", "uk"), ("Plural-Forms", "x")),
    )
    assert [e.msgid for e in cat.active] == ["a"]
    assert [e.msgid for e in cat.obsolete] == ["b"]
    assert cat.header_value("language") == "uk"
    assert cat.header_value("Missing") is None


# --- template_entries ----------------------------------------------------------


def test_template_entries_merges_duplicates_in_first_occurrence_order():
    entries = template_entries(
        [
            ("Hello", "a.md:1", ("heading",)),
            ("Bye", "a.md:3", ()),
            ("Hello", "b.md:7", ("heading", "list item")),
        ]
    )
    assert [e.msgid for e in entries] == ["Hello", "Bye"]
    assert entries[0].references == ("a.md:1", "b.md:7")
    assert entries[0].extracted == ("heading", "list item")
    assert entries[0].msgstr == "" and entries[0].line == 0


# --- merge: exact matches ---------------------------------------------------------


def test_merge_without_existing_gives_new_entries():
    result = merge(template_entries([("A", "a.md:1", ()), ("B", "a.md:2", ())]), None)
    assert [e.msgid for e in result.entries] == ["A", "B"]
    assert result.new == 2 and result.kept == 0 and not any(e.msgstr for e in result.entries)


def test_exact_match_keeps_translation_and_state_but_takes_template_references():
    old = Entry(
        "Hello",
        "Cześć",
        references=("old.md:9",),
        extracted=("heading", MT),
        comments=("checked by Ola",),
        flags=(FUZZY,),
        previous_msgid="Helo",
        line=12,
    )
    template = (Entry("Hello", references=("a.md:1",), extracted=("paragraph",)),)
    result = merge(template, catalog(old))
    (entry,) = result.entries
    assert entry.msgstr == "Cześć"
    assert entry.references == ("a.md:1",)
    assert entry.extracted == ("paragraph", MT)
    assert entry.comments == ("checked by Ola",)
    assert entry.flags == (FUZZY,)
    assert entry.previous_msgid == "Helo"
    assert entry.line == 0
    assert result.kept == 1


def test_exact_match_drops_stale_previous_msgid_when_not_fuzzy():
    old = Entry("Hello", "Cześć", previous_msgid="Helo")
    (entry,) = merge((Entry("Hello"),), catalog(old)).entries
    assert entry.previous_msgid is None


def test_msgctxt_is_part_of_the_key():
    old = Entry("Open", "Otwarte", msgctxt="sign")
    result = merge((Entry("Open", msgctxt="verb"), Entry("Open", msgctxt="sign")), catalog(old))
    assert [(e.msgctxt, e.msgstr) for e in result.entries] == [("verb", ""), ("sign", "Otwarte")]


def test_obsolete_entry_is_revived():
    old = Entry("Back again", "Znowu", obsolete=True, comments=("note",))
    result = merge((Entry("Back again", references=("a.md:1",)),), catalog(old))
    (entry,) = result.entries
    assert not entry.obsolete and entry.msgstr == "Znowu" and entry.comments == ("note",)
    assert result.revived == 1 and result.kept == 0


# --- merge: fuzzy carrying ----------------------------------------------------------

OLD_PARAGRAPH = "The library will be closed on Monday because of the annual stocktaking of books."
NEW_PARAGRAPH = "The library will be closed on Tuesday because of the annual stocktaking of books."
UNRELATED = "Our children's theatre group meets every Friday afternoon in the big reading room."


def test_changed_paragraph_inherits_translation_as_fuzzy():
    old = Entry(OLD_PARAGRAPH, "Biblioteka będzie zamknięta w poniedziałek.", extracted=(MT,), comments=("c",))
    result = merge((Entry(NEW_PARAGRAPH, references=("a.md:1",)),), catalog(old))
    (entry,) = result.entries
    assert entry.msgstr == old.msgstr
    assert entry.fuzzy
    assert entry.previous_msgid == OLD_PARAGRAPH
    assert entry.extracted == (MT,) and entry.comments == ("c",)
    assert result.carried_fuzzy == 1 and result.obsoleted == 0


def test_carried_fuzzy_adds_flag_to_old_flags_once():
    old = Entry(OLD_PARAGRAPH, "x", flags=("no-wrap", FUZZY), previous_msgid="older")
    (entry,) = merge((Entry(NEW_PARAGRAPH),), catalog(old)).entries
    assert entry.flags == ("no-wrap", FUZZY)
    assert entry.previous_msgid == OLD_PARAGRAPH


def test_unrelated_paragraph_of_similar_length_does_not_inherit():
    # msgmerge's known failure: same length and alphabet, no shared meaning.
    assert abs(len(UNRELATED) - len(OLD_PARAGRAPH)) < 5
    old = Entry(OLD_PARAGRAPH, "Biblioteka będzie zamknięta.")
    result = merge((Entry(UNRELATED),), catalog(old))
    new_entry, obsolete = result.entries
    assert new_entry.msgid == UNRELATED and new_entry.msgstr == "" and not new_entry.fuzzy
    assert obsolete.obsolete and obsolete.msgstr == old.msgstr
    assert result.new == 1 and result.obsoleted == 1 and result.carried_fuzzy == 0


def test_similarity_is_word_based():
    assert similarity(OLD_PARAGRAPH, NEW_PARAGRAPH) > 0.9
    assert similarity(OLD_PARAGRAPH, UNRELATED) < 0.5
    assert similarity("abc", "abc") == 1.0


def test_one_old_entry_is_carried_to_at_most_one_new_entry_best_first():
    close = OLD_PARAGRAPH.replace("Monday", "Sunday")
    further = OLD_PARAGRAPH.replace("Monday because of", "Friday due to")
    old = Entry(OLD_PARAGRAPH, "tłumaczenie")
    result = merge((Entry(further), Entry(close)), catalog(old))
    entries = by_id(result)
    assert entries[close].msgstr == "tłumaczenie" and entries[close].fuzzy
    assert entries[further].msgstr == ""
    assert result.carried_fuzzy == 1


def test_untranslated_old_entries_are_not_carried_and_are_dropped():
    old = Entry(OLD_PARAGRAPH, "")
    result = merge((Entry(NEW_PARAGRAPH),), catalog(old))
    assert [e.msgid for e in result.entries] == [NEW_PARAGRAPH]
    assert result.entries[0].msgstr == ""


def test_obsolete_entry_can_be_carried():
    old = Entry(OLD_PARAGRAPH, "stare", obsolete=True)
    (entry,) = merge((Entry(NEW_PARAGRAPH),), catalog(old)).entries
    assert entry.fuzzy and entry.msgstr == "stare" and not entry.obsolete


def test_carrying_respects_threshold():
    old = Entry(OLD_PARAGRAPH, "x")
    result = merge((Entry(NEW_PARAGRAPH),), catalog(old), threshold=0.99)
    assert result.carried_fuzzy == 0 and result.obsoleted == 1


# --- merge: obsolete entries and order ---------------------------------------------------


def test_result_order_template_then_old_obsolete_then_newly_obsolete():
    existing = catalog(
        Entry("gone one", "jeden"),
        Entry("kept", "zostaje"),
        Entry("gone two", "dwa", references=("a.md:3",)),
        Entry("empty gone", ""),
        Entry("ancient", "stare", obsolete=True),
    )
    result = merge((Entry("new"), Entry("kept")), existing)
    assert [(e.msgid, e.obsolete) for e in result.entries] == [
        ("new", False),
        ("kept", False),
        ("ancient", True),
        ("gone one", True),
        ("gone two", True),
    ]
    assert result.obsoleted == 2 and result.kept == 1 and result.new == 1
    assert by_id(result)["gone two"].references == ()


def test_purge_obsolete_drops_old_obsolete_but_not_newly_obsoleted():
    existing = catalog(Entry("gone", "x"), Entry("ancient", "y", obsolete=True))
    result = merge((), existing, purge_obsolete=True)
    assert [e.msgid for e in result.entries] == ["gone"]


def test_newly_obsolete_keeps_flags_comments_previous():
    old = Entry("gone", "x", flags=(FUZZY,), comments=("c",), previous_msgid="prev", extracted=(MT,))
    (entry,) = merge((), catalog(old)).entries
    assert entry == dataclasses.replace(old, obsolete=True)


# --- property: a non-empty msgstr is never lost -----------------------------------------

WORDS = ["biblioteka", "jest", "otwarta", "w", "sobotę", "od", "rana", "zamknięta", "dzieci", "teatr"]
texts = st.lists(st.sampled_from(WORDS), min_size=1, max_size=8).map(" ".join)
old_entries = st.lists(
    st.builds(
        Entry,
        msgid=texts,
        msgstr=st.one_of(st.just(""), texts.map(str.upper)),
        flags=st.sampled_from([(), (FUZZY,)]),
        obsolete=st.booleans(),
    ),
    max_size=8,
    unique_by=lambda e: (e.msgid, e.obsolete),
)


@settings(max_examples=examples(300), deadline=None)
@given(old=old_entries, new_ids=st.lists(texts, max_size=8, unique=True), purge=st.booleans())
def test_no_translation_is_ever_lost(old, new_ids, purge):
    existing = catalog(*old)
    result = merge(tuple(Entry(m) for m in new_ids), existing, purge_obsolete=purge)
    assert [e.msgid for e in result.entries if not e.obsolete] == new_ids
    active = [e for e in result.entries if not e.obsolete]
    obsolete = [e for e in result.entries if e.obsolete]
    for entry in old:
        if not entry.msgstr:
            continue
        if purge and entry.obsolete:
            continue
        kept = any(e.msgid == entry.msgid and e.msgstr == entry.msgstr for e in active)
        carried = any(
            e.previous_msgid == entry.msgid and e.msgstr == entry.msgstr and e.fuzzy for e in active
        )
        still = any(e.msgid == entry.msgid and e.msgstr == entry.msgstr for e in obsolete)
        assert kept or carried or still, entry
    assert result.kept + result.revived + result.carried_fuzzy + result.new == len(new_ids)


# ----------------------------------------------------------------- entry states

from pipeline.catalogs.catalog import (  # noqa: E402
    COPY, HUMAN_DRAFT, MACHINE_DRAFT, MEMORY_SUGGESTION, OBSOLETE, REVIEWED, STALE, UNTRANSLATED,
    draft_note, draft_record, entry_state, state_comments,
)


def _machine(msgstr: str, written: str | None = None) -> Entry:
    entry = Entry("Zapraszamy.", flags=("fuzzy",))
    comments = state_comments(entry, "mt", written if written is not None else msgstr, MT)
    return dataclasses.replace(entry, msgstr=msgstr, comments=comments)


def _legacy(msgstr: str, written: str | None = None) -> Entry:
    """A machine draft as catalogues before the state token recorded it."""
    note = draft_note(MT, written if written is not None else msgstr)
    return Entry("Zapraszamy.", msgstr, flags=("fuzzy",), extracted=(note,))


def test_entry_states():
    assert entry_state(Entry("a")) == UNTRANSLATED
    assert entry_state(Entry("a", "b")) == REVIEWED
    assert entry_state(Entry("a", "b", obsolete=True)) == OBSOLETE
    assert entry_state(_machine("We invite you.")) == MACHINE_DRAFT
    assert entry_state(_machine("You are invited.", written="We invite you.")) == HUMAN_DRAFT
    assert entry_state(Entry("a", "b", flags=("fuzzy",))) == HUMAN_DRAFT
    assert entry_state(Entry("a", "b", flags=("fuzzy",), previous_msgid="old a")) == STALE
    hello = Entry("Hello all.", flags=("fuzzy",))
    copied = dataclasses.replace(hello, msgstr="Hello all.", comments=state_comments(
        hello, "copy", "Hello all.", "copied from source: already in en"))
    assert entry_state(copied) == COPY
    assert entry_state(dataclasses.replace(copied, msgstr="Hi all.")) == HUMAN_DRAFT
    memory = dataclasses.replace(Entry("a", flags=("fuzzy",)), msgstr="b", comments=state_comments(
        Entry("a"), "tm", "b", "translation memory: from x.po"))
    assert entry_state(memory) == MEMORY_SUGGESTION
    # A reviewed entry stays reviewed whatever its comments say.
    assert entry_state(dataclasses.replace(_machine("x"), msgstr="edited", flags=())) == REVIEWED
    # The proof is bound to the msgid: the same text moved to another paragraph is a human's.
    assert entry_state(dataclasses.replace(_machine("We invite you."), msgid="Witamy.")) == HUMAN_DRAFT


def test_draft_state_lives_in_translator_comments():
    entry = _machine("We invite you.")
    assert entry.extracted == () and entry.comments[0] == MT
    assert re.fullmatch(r"outreach:mt:[0-9a-f]{12}:[0-9a-f]{8}", entry.comments[-1])
    record = draft_record(entry)
    assert record is not None and record.shown and record.describes(MT, None)
    pivoted = state_comments(Entry("a"), "mt", "b", MT, pivot="Our  club\nmeets.")
    assert pivoted[1] == "English pivot: Our club meets." and pivoted[2].count(":") == 4
    # Human comments stay, above the state lines, and a new draft replaces only the old state lines.
    mine = dataclasses.replace(entry, comments=("a reviewer's note",) + entry.comments)
    again = state_comments(mine, "mt", "We invite all.", MT)
    assert again[0] == "a reviewer's note" and len(again) == 3


def test_legacy_catalogues_still_read_and_fail_safe():
    assert entry_state(_legacy("We invite you.")) == MACHINE_DRAFT
    assert entry_state(_legacy("You are invited.", written="We invite you.")) == HUMAN_DRAFT
    # Without a fingerprint nothing proves the text is the machine's: a human's.
    assert entry_state(Entry("a", "b", flags=("fuzzy",), extracted=(MT,))) == HUMAN_DRAFT
    legacy_copy = Entry("Hello all.", "Hello all.", flags=("fuzzy",), extracted=("copied from source: already in en",))
    assert entry_state(legacy_copy) == COPY
    legacy_memory = Entry("a", "b", flags=("fuzzy",), extracted=(draft_note("translation memory: from x.po", "b"),))
    assert entry_state(legacy_memory) == MEMORY_SUGGESTION


def test_another_tools_plural_message_is_kept_never_matched():
    """We never create plural messages; one in a reviewer's file keeps its forms (obsolete once
    the template lacks it) and never lends them to a singular template entry by similarity."""
    plural = Entry("files here", msgid_plural="files", msgstr_plural=("plik", "pliki", "plików"))
    untranslated = Entry("dir", msgid_plural="dirs", msgstr_plural=("", "", ""))
    result = merge(template_entries([("file here", "a.md:2", ())]), catalog(plural, untranslated))
    active = {e.msgid: e for e in result.entries if not e.obsolete}
    assert active["file here"].msgstr == "" and active["file here"].previous_msgid is None
    assert [e for e in result.entries if e.obsolete] == [dataclasses.replace(plural, obsolete=True)]
    assert entry_state(plural) == REVIEWED and entry_state(untranslated) == UNTRANSLATED


def test_a_plural_message_with_one_of_our_msgids_becomes_a_human_draft_of_it():
    """msgfmt refuses a plural and a singular message with the same msgid (even obsolete): the
    forms move into our entry's translator comments, the first one as its fuzzy text."""
    plural = Entry("file", msgid_plural="files", msgstr_plural=("plik", "pliki", "plików"))
    result = merge(template_entries([("file", "a.md:1", ())]), catalog(plural))
    (entry,) = result.entries
    assert not entry.plural and entry.msgstr == "plik" and entry.fuzzy
    assert entry_state(entry) == HUMAN_DRAFT
    assert sum("plików" in line for line in entry.comments) == 1


# ---------------------------------------------------------------- review actions (outreach review)

def _drafts() -> list[Entry]:
    from pipeline.catalogs import catalog as cat

    machine = Entry("Zapisy", "Sign-up", flags=(FUZZY,), extracted=("type: heading", cat.draft_note(MT, "Sign-up"),
                                                                     "English pivot: Sign-up"))
    memory = Entry("Zapisy", "Registration", flags=(FUZZY,),
                   extracted=(cat.draft_note("translation memory: from a (exact)", "Registration"),))
    copied = Entry("Hello", "Hello", flags=(FUZZY,), extracted=("copied from source: the paragraph is already in en",))
    stale = Entry("Zapisy teraz", "Sign-up", flags=(FUZZY,), previous_msgid="Zapisy")
    # The same three kinds as this version writes them: state in translator comments, with a token.
    blank = Entry("Zapisy", flags=(FUZZY,), extracted=("type: heading",), comments=("a reviewer's note",))
    current = [dataclasses.replace(blank, msgstr=text, comments=cat.state_comments(blank, kind, text, note, pivot))
               for kind, text, note, pivot in (("mt", "Sign-up", MT, "Sign-up"),
                                               ("tm", "Registration", "translation memory: from a (exact)", None))]
    hello = Entry("Hello", flags=(FUZZY,))
    current.append(dataclasses.replace(hello, msgstr="Hello", comments=cat.state_comments(
        hello, "copy", "Hello", "copied from source: the paragraph is already in en")))
    return [machine, memory, copied, stale, *current]


@pytest.mark.parametrize("index", range(7))
def test_review_actions_give_the_state_their_name_says(index):
    from pipeline.catalogs import catalog as cat
    from pipeline.runner import replaceable

    entry = _drafts()[index]
    accepted = cat.as_reviewed(entry, entry.msgstr)
    assert cat.entry_state(accepted) == cat.REVIEWED and accepted.previous_msgid is None
    assert replaceable(accepted, {}) is None
    # Saved as a draft, even unchanged, it is a human's: no run replaces it.
    draft = cat.as_human_draft(entry, entry.msgstr)
    assert cat.entry_state(draft) == cat.HUMAN_DRAFT and replaceable(draft, {}) is None
    assert cat.entry_state(cat.as_human_draft(entry, "")) == cat.UNTRANSLATED
    handed_back = cat.as_untranslated(accepted)
    assert cat.entry_state(handed_back) == cat.UNTRANSLATED and replaceable(handed_back, {}) == "empty"
    # Template notes (not translation state) survive every action.
    kept = [line for line in entry.extracted if not cat.is_state_comment(line)]
    for changed in (accepted, draft, handed_back):
        assert list(changed.extracted) == kept
        # ... and so do a reviewer's own translator comments; the run's state lines do not.
        assert [c for c in changed.comments if c == "a reviewer's note"] == [c for c in entry.comments
                                                                             if c == "a reviewer's note"]
        assert not any(c.startswith(("outreach:", "machine translation:", "translation memory:", "English pivot:"))
                       for c in changed.comments)

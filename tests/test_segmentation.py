"""Tests for pipeline.documents.segmentation: segments, skeleton, exact round trip."""

from __future__ import annotations

import pytest
from profiles import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.errors import OutreachError
from pipeline.documents.formats import segment_text
from pipeline.documents.segmentation import SegmentedDocument, Slot, render


def identity(text: str, fmt: str) -> SegmentedDocument:
    """Segment and assert the identity round trip and the segment invariants."""
    doc = segment_text(text, fmt)
    assert render(doc, lambda i, seg: seg.text) == text
    lines = text.split("\n")
    slots = [p for p in doc.pieces if isinstance(p, Slot)]
    assert [s.index for s in slots] == list(range(len(doc.segments)))
    for slot in slots:
        seg = doc.segments[slot.index]
        parts = seg.text.split("\n")
        assert seg.text.strip() and all(part.strip() for part in parts)
        assert all(part == part.rstrip() for part in parts)
        assert len(slot.prefixes) == len(slot.suffixes) == len(parts)
        for k, part in enumerate(parts):
            assert part in lines[seg.line - 1 + k] or seg.kind == "front matter"  # YAML quotes undone
    return doc


def texts(doc: SegmentedDocument) -> list[tuple[str, int, str]]:
    return [(s.text, s.line, s.kind) for s in doc.segments]


# --- plain text ----------------------------------------------------------------------


def test_plain_address_block_is_one_segment() -> None:
    text = "Biblioteka Miejska\nul. Długa 5\n00-001 Warszawa\n\nZapraszamy!\n"
    doc = identity(text, "text")
    assert texts(doc) == [
        ("Biblioteka Miejska\nul. Długa 5\n00-001 Warszawa", 1, "paragraph"),
        ("Zapraszamy!", 5, "paragraph"),
    ]


def test_plain_whitespace_lines_separate_and_indentation_is_prefix() -> None:
    text = "  Wiersz pierwszy  \n    wiersz drugi\n \t \nKoniec"
    doc = identity(text, "text")
    assert texts(doc) == [("Wiersz pierwszy\nwiersz drugi", 1, "paragraph"), ("Koniec", 4, "paragraph")]
    slot = doc.pieces[0]
    assert slot == Slot(0, ("  ", "    "), ("  ", ""), "    ")


def test_plain_duplicates_are_separate_segments() -> None:
    doc = identity("Tak.\n\nTak.\n", "text")
    assert [s.text for s in doc.segments] == ["Tak.", "Tak."]
    assert [p.index for p in doc.pieces if isinstance(p, Slot)] == [0, 1]


@pytest.mark.parametrize("text", ["", "\n", "\n\n  \n", "a", "a\n", "\na\n\n"])
def test_plain_edge_cases(text: str) -> None:
    identity(text, "text")


def test_unknown_format() -> None:
    with pytest.raises(OutreachError, match="unknown source format"):
        segment_text("x", "rtf")


# --- render ---------------------------------------------------------------------------


def test_render_translation_with_other_line_counts() -> None:
    doc = identity("- jeden  \n  dwa\n\nKoniec", "markdown")
    out = render(doc, lambda i, s: {0: "one\ntwo\nthree", 1: "End"}[i])
    assert out == "- one\n  two\n  three\n\nEnd"
    out = render(doc, lambda i, s: {0: "one  \ntwo", 1: "End"}[i])
    assert out == "- one  \n  two\n\nEnd"  # the translation's own trailing spaces are trimmed
    out = render(doc, lambda i, s: {0: "one", 1: "End"}[i])
    assert out == "- one\n\nEnd"


def test_render_uses_index() -> None:
    doc = identity("# A\n\nB\n", "markdown")
    assert render(doc, lambda i, s: f"{i}:{s.kind}") == "# 0:heading\n\n1:paragraph\n"


# --- property: exact round trip ------------------------------------------------------

_FRAGMENTS = [
    "", " ", "  ", "    ", "\t", "#", "## ", "###### ", "> ", ">", "> > ", "- ", "* ", "+ ", "1. ", "2) ",
    "- [ ] ", "- [x] ", "---", "***", "___", "===", "```", "~~~", "<div>", "<!--", "-->", "|", " | ",
    "|---|---|", "| --- | :-: |", "**", "[link](https://example.org)", "`code`", "\\|", "![](x.png)",
    "Zażółć", "gęślą", "jaźń", "tekst", "12.05", "a", "Ą", "\xa0", "\x0c", "\r", "\u2028",
]
_LINE = st.lists(
    st.one_of(st.sampled_from(_FRAGMENTS), st.text(max_size=4)), max_size=5
).map("".join)
_TEXT = st.one_of(
    st.lists(_LINE, max_size=14).map("\n".join),
    st.text(max_size=60),
)


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_TEXT)
def test_plain_round_trip_property(text: str) -> None:
    identity(text, "text")

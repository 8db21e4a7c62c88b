"""Tests for pipeline.documents.segmentation: segments, skeleton, exact round trip."""

from __future__ import annotations

import pytest
from profiles import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.errors import OutreachError
from pipeline.documents.segmentation import Literal, Segment, SegmentedDocument, Slot, render, segment_text


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
            assert part in lines[seg.line - 1 + k]
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
        segment_text("x", "html")


# --- render ---------------------------------------------------------------------------


def test_render_translation_with_other_line_counts() -> None:
    doc = identity("- jeden  \n  dwa\n\nKoniec", "markdown")
    out = render(doc, lambda i, s: {0: "one\ntwo\nthree", 1: "End"}[i])
    assert out == "- one\n  two\n  three\n\nEnd"
    out = render(doc, lambda i, s: {0: "one  \ntwo", 1: "End"}[i])
    assert out == "- one    \n  two\n\nEnd"
    out = render(doc, lambda i, s: {0: "one", 1: "End"}[i])
    assert out == "- one\n\nEnd"


def test_render_uses_index() -> None:
    doc = identity("# A\n\nB\n", "markdown")
    assert render(doc, lambda i, s: f"{i}:{s.kind}") == "# 0:heading\n\n1:paragraph\n"


# --- markdown -----------------------------------------------------------------------

ANNOUNCEMENT = """\
---
title: Spotkanie
date: 2024-05-01
---

# Spotkanie autorskie w bibliotece

Zapraszamy na **spotkanie** z autorką. Szczegóły na [stronie](https://example.org).

- wstęp wolny,
  bez zapisów
- kawa i herbata

1. Powitanie gości
2. Rozmowa

> Książka to najlepszy przyjaciel.
> — Anonim

| Dzień | Godzina |
| --- | ---: |
| Sobota | 10:00 |

Do zobaczenia!
"""


def test_realistic_polish_announcement() -> None:
    doc = identity(ANNOUNCEMENT, "markdown")
    assert texts(doc) == [
        ("Spotkanie autorskie w bibliotece", 6, "heading"),
        ("Zapraszamy na **spotkanie** z autorką. Szczegóły na [stronie](https://example.org).", 8, "paragraph"),
        ("wstęp wolny,\nbez zapisów", 10, "list item"),
        ("kawa i herbata", 12, "list item"),
        ("Powitanie gości", 14, "list item"),
        ("Rozmowa", 15, "list item"),
        ("Książka to najlepszy przyjaciel.\n— Anonim", 17, "blockquote"),
        ("Dzień", 20, "table cell"),
        ("Godzina", 20, "table cell"),
        ("Sobota", 22, "table cell"),
        ("10:00", 22, "table cell"),
        ("Do zobaczenia!", 24, "paragraph"),
    ]
    assert doc.pieces[0] == Literal("---\ntitle: Spotkanie\ndate: 2024-05-01\n---\n\n")
    item = doc.pieces[5]
    assert item == Slot(2, ("- ", "  "), ("", ""), "  ")


def test_atx_headings_with_closing_hashes() -> None:
    doc = identity("## Tytuł ##  \n###### Mały\n#hashtag\n# #\n", "markdown")
    assert texts(doc) == [("Tytuł", 1, "heading"), ("Mały", 2, "heading"), ("#hashtag", 3, "paragraph")]
    assert doc.pieces[0] == Slot(0, ("## ",), (" ##  ",), "")


def test_empty_atx_heading_is_literal() -> None:
    doc = identity("#\n\n## ##\n", "markdown")
    assert doc.segments == ()


def test_setext_headings() -> None:
    doc = identity("Tytuł\n=====\n\nPodtytuł\nw dwóch liniach\n---\nTekst", "markdown")
    assert texts(doc) == [
        ("Tytuł", 1, "heading"),
        ("Podtytuł\nw dwóch liniach", 4, "heading"),
        ("Tekst", 7, "paragraph"),
    ]
    assert Literal("\n=====\n\n") in doc.pieces


def test_thematic_breaks_are_literal() -> None:
    doc = identity("A\n\n---\n\n* * *\n___\nB", "markdown")
    assert texts(doc) == [("A", 1, "paragraph"), ("B", 7, "paragraph")]


def test_fenced_code_is_literal() -> None:
    text = "Przed\n\n```python\nprint('x')\n\nkod\n```\n  ~~~~\n  tekst\n  ~~~~\nPo\n"
    doc = identity(text, "markdown")
    assert texts(doc) == [("Przed", 1, "paragraph"), ("Po", 11, "paragraph")]


def test_unclosed_fence_runs_to_end() -> None:
    doc = identity("A\n\n```\nkod\nbez końca", "markdown")
    assert texts(doc) == [("A", 1, "paragraph")]


def test_indented_code_is_literal() -> None:
    doc = identity("Akapit\n\n    kod\n    więcej\n\n    jeszcze\nPo\n", "markdown")
    assert texts(doc) == [("Akapit", 1, "paragraph"), ("Po", 7, "paragraph")]


def test_indented_line_inside_paragraph_is_continuation() -> None:
    doc = identity("Akapit\n    dalej\n", "markdown")
    assert texts(doc) == [("Akapit\ndalej", 1, "paragraph")]


def test_html_blocks_are_literal() -> None:
    text = "<div class=\"x\">\nTekst w HTML\n</div>\n\n<!-- komentarz\n\nz pustą linią -->\nAkapit\n\n<https://example.org> link\n"
    doc = identity(text, "markdown")
    assert texts(doc) == [("Akapit", 8, "paragraph"), ("<https://example.org> link", 10, "paragraph")]


def test_lists_nested_ordered_task_and_lazy() -> None:
    text = (
        "- pierwszy\n"
        "  - zagnieżdżony\n"
        "    dalej\n"
        "* gwiazdka\n"
        "leniwa linia\n"
        "+ plus\n"
        "- [ ] zadanie\n"
        "- [x] zrobione\n"
        "\n"
        "1. jeden\n"
        "10) dziesięć\n"
    )
    doc = identity(text, "markdown")
    assert texts(doc) == [
        ("pierwszy", 1, "list item"),
        ("zagnieżdżony\ndalej", 2, "list item"),
        ("gwiazdka\nleniwa linia", 4, "list item"),
        ("plus", 6, "list item"),
        ("zadanie", 7, "list item"),
        ("zrobione", 8, "list item"),
        ("jeden", 10, "list item"),
        ("dziesięć", 11, "list item"),
    ]
    slots = [p for p in doc.pieces if isinstance(p, Slot)]
    assert slots[1].prefixes == ("  - ", "    ")
    assert slots[4].prefixes == ("- [ ] ",)
    assert slots[7].prefixes == ("10) ",)


def test_list_item_second_paragraph_and_end_of_list() -> None:
    text = "- punkt\n\n  drugi akapit punktu\n\n      wcięte głębiej\n\nZwykły akapit\n\n    kod\n"
    doc = identity(text, "markdown")
    assert texts(doc) == [
        ("punkt", 1, "list item"),
        ("drugi akapit punktu", 3, "list item"),
        ("wcięte głębiej", 5, "list item"),
        ("Zwykły akapit", 7, "paragraph"),
    ]


def test_empty_list_item_marker() -> None:
    doc = identity("-\n  treść\n- \n", "markdown")
    assert texts(doc) == [("treść", 2, "list item")]


def test_numbers_that_are_not_lists() -> None:
    doc = identity("Rok\n2024. był dobry\n12.05.2024 r.\n-5 stopni\n**pogrubienie**\n", "markdown")
    assert len(doc.segments) == 1
    assert doc.segments[0].kind == "paragraph"


def test_paragraph_interrupted_by_bullet_list() -> None:
    doc = identity("Lista:\n- a\n- b\n", "markdown")
    assert texts(doc) == [("Lista:", 1, "paragraph"), ("a", 2, "list item"), ("b", 3, "list item")]


def test_blockquotes() -> None:
    text = "> Pierwszy\n> akapit\n>\n> Drugi\nleniwy\n\n> > zagnieżdżony\n>> bez spacji\n> ## Nagłówek\n> - punkt\n"
    doc = identity(text, "markdown")
    assert texts(doc) == [
        ("Pierwszy\nakapit", 1, "blockquote"),
        ("Drugi\nleniwy", 4, "blockquote"),
        ("zagnieżdżony\nbez spacji", 7, "blockquote"),
        ("Nagłówek", 9, "blockquote"),
        ("punkt", 10, "blockquote"),
    ]
    slots = [p for p in doc.pieces if isinstance(p, Slot)]
    assert slots[0] == Slot(0, ("> ", "> "), ("", ""), "> ")
    assert slots[2].prefixes == ("> > ", ">> ")
    assert slots[3].prefixes == ("> ## ",)
    assert slots[4].prefixes == ("> - ",)


def test_tables() -> None:
    text = "Dzień | Godzina\n---|---\npon |  \n  | 9:00 |\n| wt\\|śr | 10:00 |\n\nPo tabeli\n"
    doc = identity(text, "markdown")
    assert texts(doc) == [
        ("Dzień", 1, "table cell"),
        ("Godzina", 1, "table cell"),
        ("pon", 3, "table cell"),
        ("9:00", 4, "table cell"),
        ("wt\\|śr", 5, "table cell"),
        ("10:00", 5, "table cell"),
        ("Po tabeli", 7, "paragraph"),
    ]
    assert Literal(" | ") in doc.pieces or any(
        isinstance(p, Literal) and p.text.startswith(" | ") for p in doc.pieces
    )


def test_pipe_without_delimiter_row_is_paragraph() -> None:
    doc = identity("a | b\nc | d\n", "markdown")
    assert texts(doc) == [("a | b\nc | d", 1, "paragraph")]


def test_hard_break_suffix() -> None:
    doc = identity("Linia pierwsza  \nLinia druga\n", "markdown")
    assert doc.pieces[0] == Slot(0, ("", ""), ("  ", ""), "")


def test_image_only_paragraph_is_kept() -> None:
    doc = identity("![](logo.png)\n\n123\n", "markdown")
    assert [s.text for s in doc.segments] == ["![](logo.png)", "123"]


def test_crlf_normalised_by_caller_and_no_final_newline() -> None:
    source = "# Tytuł\r\n\r\nTekst\r\nbez końca".replace("\r\n", "\n")
    doc = identity(source, "markdown")
    assert texts(doc) == [("Tytuł", 1, "heading"), ("Tekst\nbez końca", 3, "paragraph")]
    assert render(doc, lambda i, s: s.text.upper()) == "# TYTUŁ\n\nTEKST\nBEZ KOŃCA"


def test_front_matter_only_at_start_and_closed() -> None:
    doc = identity("---\nbez zamknięcia\n", "markdown")
    assert texts(doc) == [("bez zamknięcia", 2, "paragraph")]
    doc = identity("---\na: 1\n...\nTekst\n", "markdown")
    assert texts(doc) == [("Tekst", 4, "paragraph")]


@pytest.mark.parametrize("text", ["", "\n", "   ", "#", ">", "-", "|", "```", "---", "===", "1.", "\t\n\t"])
def test_markdown_edge_cases(text: str) -> None:
    doc = identity(text, "markdown")
    assert all(s.text for s in doc.segments)


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


@settings(max_examples=examples(400), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_TEXT)
def test_markdown_round_trip_property(text: str) -> None:
    identity(text, "markdown")


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_TEXT)
def test_plain_round_trip_property(text: str) -> None:
    identity(text, "text")


@settings(max_examples=examples(300), deadline=None)
@given(text=_TEXT)
def test_segment_kinds_and_order(text: str) -> None:
    doc = segment_text(text, "markdown")
    assert all(isinstance(s, Segment) for s in doc.segments)
    assert all(s.kind in {"paragraph", "heading", "list item", "blockquote", "table cell"} for s in doc.segments)
    assert [s.line for s in doc.segments] == sorted(s.line for s in doc.segments)

"""Tests for pipeline.documents.markdown: CommonMark block structure, exact round trip."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from profiles import examples

from pipeline.documents.formats import segment_text
from pipeline.documents.segmentation import KINDS, Literal, Segment, Slot, render
from test_segmentation import _TEXT, identity, texts

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
        ("Spotkanie", 2, "front matter"),
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
    assert doc.pieces[0] == Literal("---\ntitle: ")
    item = [p for p in doc.pieces if isinstance(p, Slot)][3]
    assert (item.prefixes, item.suffixes, item.continuation) == (("- ", "  "), ("", ""), "  ")


def test_atx_headings_with_closing_hashes() -> None:
    doc = identity("## Tytuł ##  \n###### Mały\n#hashtag\n# #\n", "markdown")
    assert texts(doc) == [("Tytuł", 1, "heading"), ("Mały", 2, "heading"), ("#hashtag", 3, "paragraph")]
    assert (doc.pieces[0].prefixes, doc.pieces[0].suffixes) == (("## ",), (" ##  ",))


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
        ("drugi akapit punktu", 3, "list item"),  # "      wcięte głębiej" is code inside the item
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
        ("Nagłówek", 9, "heading"),
        ("punkt", 10, "list item"),
    ]
    slots = [p for p in doc.pieces if isinstance(p, Slot)]
    assert (slots[0].prefixes, slots[0].suffixes, slots[0].continuation) == (("> ", "> "), ("", ""), "> ")
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
    assert (doc.pieces[0].prefixes, doc.pieces[0].suffixes) == (("", ""), ("  ", ""))


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


@settings(max_examples=examples(400), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_TEXT)
def test_markdown_round_trip_property(text: str) -> None:
    identity(text, "markdown")


@settings(max_examples=examples(300), deadline=None)
@given(text=_TEXT)
def test_segment_kinds_and_order(text: str) -> None:
    doc = segment_text(text, "markdown")
    assert all(isinstance(s, Segment) for s in doc.segments)
    assert all(s.kind in set(KINDS) for s in doc.segments)
    assert [s.line for s in doc.segments] == sorted(s.line for s in doc.segments)


# --- what the line-based segmenter got wrong (issue 14) -------------------------------


def test_code_inside_quotes_and_list_items_stays_literal() -> None:
    text = "> ```sh\n> cd biblioteka\n>     make run\n> ```\n\n1. Krok pierwszy:\n\n       make install\n"
    doc = identity(text, "markdown")
    assert texts(doc) == [("Krok pierwszy:", 6, "list item")]
    out = render(doc, lambda i, s: "First step:\nrun")
    assert out == "> ```sh\n> cd biblioteka\n>     make run\n> ```\n\n1. First step:\n   run\n\n       make install\n"


def test_paragraph_opening_with_inline_html_is_translated() -> None:
    doc = identity("<b>Uwaga:</b> w poniedziałek biblioteka jest zamknięta.\n", "markdown")
    assert texts(doc) == [("<b>Uwaga:</b> w poniedziałek biblioteka jest zamknięta.", 1, "paragraph")]
    out = render(doc, lambda i, s: "<b>Note:</b> the library is closed on Monday.")
    assert out == "<b>Note:</b> the library is closed on Monday.\n"


def test_link_reference_definitions_stay_literal() -> None:
    text = "Zobacz [regulamin][r] i [mapę].\n\n[r]: https://example.org/regulamin\n[mapę]: https://example.org/mapa \"Mapa\"\n"
    doc = identity(text, "markdown")
    assert texts(doc) == [("Zobacz [regulamin][r] i [mapę].", 1, "paragraph")]


@pytest.mark.parametrize("block", [
    "<pre>\nkod\n\nwięcej kodu\n</pre>", "<script>\nvar a = 1;\n\nvar b = 2;\n</script>",
    "<style>\np { color: red }\n\nh1 {}\n</style>", "<!DOCTYPE html>", "<?php\necho 'tekst';\n\n?>",
    "<![CDATA[\ndane\n\n]]>", "<!-- komentarz\n\nz pustą linią -->",
])
def test_html_blocks_of_every_type_stay_literal(block: str) -> None:
    doc = identity(f"{block}\n\nAkapit po bloku.\n", "markdown")
    assert [s.text for s in doc.segments] == ["Akapit po bloku."]


# --- line breaks in a translation never change the structure ----------------------


def _built(text: str, translation: str) -> str:
    return render(segment_text(text, "markdown"), lambda i, s: translation)


def test_heading_and_table_cell_join_lines() -> None:
    assert _built("# Tytuł\n\nTekst\n", "Title\nsecond") == "# Title second\n\nTitle\nsecond\n"
    assert _built("Tytuł\n===\n", "- Title\nmore") == "\\- Title more\n===\n"
    assert _built("## Tytuł ##\n", "Number #\n1") == "## Number # 1 ##\n"
    assert _built("## Tytuł\n", "Tag #") == "## Tag \\#\n"
    table = "| A | B |\n|---|---|\n| x | y |\n"
    assert _built(table, "a|b\nc\\") == "| a\\|b c\\  | a\\|b c\\  |\n|---|---|\n| a\\|b c\\  | a\\|b c\\  |\n"


def test_paragraph_lines_get_the_continuation_and_never_open_a_block() -> None:
    assert _built("- punkt\n", "one\ntwo") == "- one\n  two\n"
    assert _built("> > cytat\n", "one\ntwo") == "> > one\n> > two\n"
    assert _built("> 1. punkt\n", "one\ntwo") == "> 1. one\n>    two\n"
    assert _built("Akapit\n", "one\n- two\n# three\n---\n\n1. four") == "one - two # three --- 1. four\n"
    assert _built("Akapit\n", "- one") == "\\- one\n"
    assert _built("Akapit\n", "2024. year") == "2024\\. year\n"
    assert _built("Akapit\n", "<div>block</div>") == "\\<div>block</div>\n"
    assert _built("Akapit\n", "[x]: /url") == "\\[x]: /url\n"


def test_front_matter_title_and_description() -> None:
    text = "---\ntitle: Wieczór poezji\ndescription: 'Spotkanie ''autorskie'''\nauthor: Jan\ndate: 2024-05-01\n---\nTekst\n"
    doc = identity(text, "markdown")
    assert texts(doc) == [("Wieczór poezji", 2, "front matter"), ("Spotkanie 'autorskie'", 3, "front matter"),
                          ("Tekst", 7, "paragraph")]
    out = render(doc, lambda i, s: {0: "Evening: poetry", 1: "Meeting 'x'\nmore", 2: "Text"}[i])
    assert out == "---\ntitle: \"Evening: poetry\"\ndescription: 'Meeting ''x'' more'\nauthor: Jan\ndate: 2024-05-01\n---\nText\n"
    doc = identity('---\ntitle: "Cudzysłów \\"x\\"" # komentarz\n---\n', "markdown")
    assert [s.text for s in doc.segments] == ['Cudzysłów "x"']
    assert render(doc, lambda i, s: 'A "b" \\ c') == '---\ntitle: "A \\"b\\" \\\\ c" # komentarz\n---\n'


def test_front_matter_values_over_several_lines() -> None:
    yaml = pytest.importorskip("yaml")
    text = ("---\ntitle: Dzień otwarty\ndescription: >\n  Zapraszamy na warsztaty\n  w sobotę.\nsummary: Wstęp\n"
            "  wolny dla wszystkich\ntags:\n  - biblioteka\n---\nTekst\n")
    doc = identity(text, "markdown")
    assert texts(doc) == [("Dzień otwarty", 2, "front matter"), ("Zapraszamy na warsztaty w sobotę.", 4, "front matter"),
                          ("Tekst", 11, "paragraph")]    # (summary: not a field we translate)
    out = render(doc, lambda i, s: ["Open day", "Workshops: on Saturday.\nAll welcome.", "Text"][i])
    assert out.startswith("---\ntitle: Open day\ndescription: >\n  Workshops: on Saturday. All welcome.\nsummary: Wstęp\n")
    assert yaml.safe_load(out.split("---\n")[1])["description"] == "Workshops: on Saturday. All welcome.\n"

    literal = identity("---\ndescription: |-\n  Sobota: 10–14\n  Niedziela: nieczynne\n---\n", "markdown")
    assert texts(literal) == [("Sobota: 10–14\nNiedziela: nieczynne", 3, "front matter")]
    out = render(literal, lambda i, s: "Saturday: 10–14\nSunday: closed")
    assert yaml.safe_load(out.split("---\n")[1]) == {"description": "Saturday: 10–14\nSunday: closed"}

    plain = identity("---\ndescription: Zapraszamy na\n  warsztaty w sobotę\n---\n", "markdown")
    assert texts(plain) == [("Zapraszamy na warsztaty w sobotę", 2, "front matter")]   # not half of it
    out = render(plain, lambda i, s: "Workshops: Saturday")
    assert out == '---\ndescription: "Workshops: Saturday"\n---\n'

    for kept in ("---\ndescription: >\n  Akapit jeden\n\n  Akapit dwa\n---\n",     # paragraphs inside
                 '---\ntitle: "Cytat\n  dalej"\n---\n'):                              # a quoted one
        assert identity(kept, "markdown").segments == ()


@pytest.mark.parametrize("text, found", [
    ("## \x85\n", []),                                  # NEL: space to Python, a character to CommonMark
    ("## Godziny\x85\n", [("Godziny", 1, "heading")]),
    ("Wstęp\u2028\nwolny \x85\n", [("Wstęp\nwolny", 1, "paragraph")]),
])
def test_what_python_calls_space_stays_outside_segments(text: str, found: list) -> None:
    assert texts(identity(text, "markdown")) == found   # (found by the round-trip property)

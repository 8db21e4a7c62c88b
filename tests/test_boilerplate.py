"""Interface text copied from a web page is named in a note; the author's own headings are not."""

from __future__ import annotations

from pipeline.documents.boilerplate import interface_strings
from pipeline.documents.formats import segment_text


def _found(markdown: str) -> list[str]:
    return [s.text for s in interface_strings(segment_text(markdown, "markdown").segments)]


def test_copied_labels_and_cookie_notices_are_named() -> None:
    text = ("Zapraszamy na warsztaty w sobotę.\n\nPrzewiń do góry\n\n"
            "Ta strona używa plików cookies.\n\nStrona główna | Kontakt\n")
    assert _found(text) == ["Przewiń do góry", "Ta strona używa plików cookies.", "Strona główna | Kontakt"]


def test_a_heading_that_happens_to_be_a_label_is_the_authors() -> None:
    text = "# Zbiórka darów\n\nPrzynieś koce.\n\n## Kontakt\n\nAnna Kowalska, tel. 601 234 567.\n"
    assert _found(text) == []

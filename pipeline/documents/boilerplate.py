"""Web-page interface text a librarian copied by accident ("Scroll to Top", "Menu", cookie banners).

A note, never a refusal: :func:`interface_strings` lists the segments of a
document that look like a page's navigation, buttons or cookie banner rather
than the announcement, so ``detect`` and ``run`` can say so.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Sequence

from pipeline.documents.segmentation import Segment

# Short interface labels, lower case, as they appear on library and NGO pages (pl, en, uk).
_LABELS = frozenset("""
scroll to top|back to top|to top|top|skip to content|skip to main content|menu|main menu|search|home|
read more|more|share|print|close|accept|accept all|reject|ok|next|previous|prev|login|log in|sign in|
przewiń do góry|do góry|na górę|powrót do góry|przejdź do treści|przejdź do menu|menu główne|szukaj|
wyszukaj|strona główna|czytaj więcej|więcej|udostępnij|drukuj|zamknij|akceptuję|zgadzam się|odrzuć|
dalej|wstecz|następny|poprzedni|zaloguj|zaloguj się|mapa strony|deklaracja dostępności|
polityka prywatności|polityka cookies|kontakt|nagore|догори|вгору|меню|пошук|головна|читати далі|закрити
""".replace("\n", "").split("|")) - {""}
_COOKIES = re.compile(r"\bcookie|ciasteczk|plików cookies|файли cookie", re.IGNORECASE)
_MARKUP = re.compile(r"<[^<>]*>|[*_`#\[\]]|\]\([^)]*\)")
_MAX_WORDS = 4


def _plain(text: str) -> str:
    return " ".join(_MARKUP.sub(" ", text).split()).strip(" .:!>»›↑^-–|").lower()


def interface_strings(segments: Sequence[Segment]) -> tuple[Segment, ...]:
    """Segments that look like page interface: known short labels, short texts repeated in
    the document, and cookie notices."""
    plain = [_plain(s.text) for s in segments]
    counts = Counter(p for p, s in zip(plain, segments) if s.kind == "paragraph")
    found = []
    for text, seg in zip(plain, segments):
        if not any(ch.isalpha() for ch in text):
            continue
        short = len(text.split()) <= _MAX_WORDS and not seg.text.rstrip().endswith((".", "?", "!"))
        # A heading is the author's own structure ("## Kontakt"), never a copied button or link.
        labels = seg.kind != "heading" and all(part in _LABELS for part in re.split(r"\s*[|•·/]\s*", text))
        repeated = seg.kind == "paragraph" and counts[text] > 1
        if seg.kind == "navigation" or labels or (short and repeated) or _COOKIES.search(text):
            found.append(seg)
    return tuple(found)


def note(ref: str, segments: Sequence[Segment], shown: int = 4) -> str | None:
    """One line for ``detect``/``run`` naming a document's interface strings, or None."""
    found = interface_strings(segments)
    if not found:
        return None
    names = ", ".join(f"'{s.text if len(s.text) <= 40 else s.text[:39] + '…'}'" for s in found[:shown])
    more = f" and {len(found) - shown} more" if len(found) > shown else ""
    return (f"note: {ref}:{found[0].line}: {len(found)} segment(s) look like web-page interface text "
            f"(navigation, buttons, cookie notice): {names}{more}; remove them from the source if they "
            "were copied by accident")

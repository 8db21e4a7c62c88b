"""The one test for "has words": a text without a letter (``18:00``, ``---``, ``—``) is left as it is.

Segmentation uses it to decide what becomes a catalogue entry, drafting to
decide what goes to a model; both must agree, so it lives here once.
"""

from __future__ import annotations


def has_letters(text: str) -> bool:
    """Whether ``text`` contains at least one letter (of any script)."""
    return any(ch.isalpha() for ch in text)

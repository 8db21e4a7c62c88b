"""Non-translatables survive machine translation verbatim.

:func:`protect` replaces every span a model must not touch (URLs, e-mail
addresses, phone numbers, numbers, times, dates, Markdown link targets,
inline code, HTML tags, emphasis markers and do-not-translate terms) with a
placeholder; :func:`restore` puts the spans back into the model's output.

Placeholder choice: **plain ASCII digit runs**. Every digit of the text is
inside a protected span, so after :func:`protect` the only digits left are
placeholders and they are unambiguous. Numbers are what NMT models copy most
reliably (training data is full of verbatim numbers, and SentencePiece keeps a
short number as one or two pieces), unlike invented tokens such as ``⟨1⟩``
(unknown characters) or ``X1X`` (split and often "translated"). A span that is
itself a plain integer keeps its own value as its placeholder (so "5 osób"
still tells the model it is plural); every other span gets the next unused
small number. Touching spans are merged so two placeholders never run together.

When the model drops, duplicates or mangles a placeholder (any digit run in
the output that is not exactly one placeholder), :func:`restore` returns
``None`` and the caller falls back to :func:`split_around`: translating only
the text between protected spans. Either way protected spans come back verbatim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

_TRAIL = ".,;:!?"
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'\[\]{}]+", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_TLDS = "pl|com|org|net|eu|ua|info|edu|gov|de|uk|io"
_DOMAIN = re.compile(
    r"(?<![\w@.])(?:[a-z0-9-]+\.)+(?:[a-z]{2,})/[^\s<>\"'\[\]{}]*"       # domain with a path
    rf"|(?<![\w@.])(?:[a-z0-9-]+\.)+(?:{_TLDS})(?![\w@-]|\.\w)",         # bare domain, known TLD
    re.IGNORECASE,
)
_CODE = re.compile(r"`[^`\n]+`")
_LINK = re.compile(r"(!?\[)[^\[\]\n]*(\]\([^()\s]*(?:\([^()\s]*\)[^()\s]*)*(?:\s+\"[^\"]*\")?\))")
_TAG = re.compile(r"<!--.*?-->|</?[A-Za-z][\w-]*(?:\s[^<>]*)?/?>", re.DOTALL)
_PHONE = re.compile(r"(?<![\w+])(?:\+\d{2}[ -]?)?\(?\d{2,3}\)?(?:[ -]\d{2,3}){2,3}(?!\w)")
_NUM = r"\d+(?:[.,:]\d+)*"
_NUMBER = re.compile(rf"{_NUM}(?:\s?[–—-]\s?{_NUM})?")
_EMPHASIS = re.compile(r"(?<![\w*])(\*\*|\*)(?=\S)(?:.*?\S)?\1(?![\w*])|(?<![\w_])(__|_)(?=\S)(?:.*?\S)?\2(?![\w_])")
_MARKUP = re.compile(r"(?:[*_]+|!?\[|\]\([^)]*\)\)?|<!--.*?-->|</?[A-Za-z][^<>]*>)+", re.DOTALL)
_DIGITS = re.compile(r"[0-9]+")
_ANY_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class Protected:
    text: str                       # the text with protected spans replaced by placeholders
    spans: tuple[str, ...]          # the original spans, in order
    placeholders: tuple[str, ...] = ()  # placeholders[i] stands for spans[i] in ``text``


def _trim_url(match: re.Match) -> tuple[int, int]:
    start, end = match.span()
    value = match.group(0)
    while value and (value[-1] in _TRAIL or (value[-1] == ")" and value.count("(") < value.count(")"))):
        value = value[:-1]
        end -= 1
    return start, end


def _candidates(text: str, extra_terms: Sequence[str]) -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []
    for match in _CODE.finditer(text):
        found.append(match.span())
    for match in _LINK.finditer(text):
        found.append(match.span(1))
        found.append(match.span(2))
    for match in _TAG.finditer(text):
        found.append(match.span())
    for pattern in (_URL, _DOMAIN):
        for match in pattern.finditer(text):
            start, end = _trim_url(match)
            if end > start:
                found.append((start, end))
    for pattern in (_EMAIL, _PHONE, _NUMBER):
        found.extend(match.span() for match in pattern.finditer(text))
    for match in _EMPHASIS.finditer(text):
        marker = match.group(1) or match.group(2)
        found.append((match.start(), match.start() + len(marker)))
        found.append((match.end() - len(marker), match.end()))
    for term in sorted({t for t in extra_terms if t and t.strip()}, key=len, reverse=True):
        pattern = re.compile(rf"(?<!\w){re.escape(term)}(?!\w)")
        found.extend(match.span() for match in pattern.finditer(text))
    # Every digit must end up in a span: that is what keeps placeholders unambiguous.
    found.extend(match.span() for match in _ANY_DIGITS.finditer(text))
    return found


def _select(text: str, extra_terms: Sequence[str]) -> list[tuple[int, int]]:
    """Non-overlapping spans (earliest, then longest first), touching spans merged."""
    chosen: list[tuple[int, int]] = []
    for start, end in sorted(set(_candidates(text, extra_terms)), key=lambda s: (s[0], -s[1])):
        if chosen and start < chosen[-1][1]:
            if end > chosen[-1][1] and _ANY_DIGITS.search(text, chosen[-1][1], end):
                chosen[-1] = (chosen[-1][0], end)  # never leave digits outside a span
            continue
        if chosen and start == chosen[-1][1]:
            chosen[-1] = (chosen[-1][0], end)
        else:
            chosen.append((start, end))
    return chosen


def protect(text: str, extra_terms: Sequence[str] = ()) -> Protected:
    """Replace every protected span of ``text`` with a placeholder (see the module doc)."""
    positions = _select(text, extra_terms)
    spans = [text[s:e] for s, e in positions]
    placeholders: list[str | None] = [None] * len(spans)
    used: set[str] = set()
    for i, span in enumerate(spans):
        if span.isascii() and span.isdigit() and str(int(span)) == span and span not in used:
            placeholders[i] = span
            used.add(span)
    counter = 1
    for i in range(len(spans)):
        if placeholders[i] is None:
            while str(counter) in used:
                counter += 1
            placeholders[i] = str(counter)
            used.add(str(counter))
    out: list[str] = []
    last = 0
    for (start, end), placeholder in zip(positions, placeholders):
        out.append(text[last:start])
        out.append(placeholder or "")
        last = end
    out.append(text[last:])
    return Protected("".join(out), tuple(spans), tuple(p for p in placeholders if p is not None))


def _glue(protected_text: str, start: int, end: int) -> tuple[bool, bool]:
    """Whether a markup placeholder hugs the word on its left / right (and only that side)."""
    left = start > 0 and not protected_text[start - 1].isspace()
    right = end < len(protected_text) and not protected_text[end].isspace()
    return left and not right, right and not left


def restore(translated: str, protected: Protected) -> str | None:
    """``translated`` with placeholders replaced by their spans; ``None`` when they were broken.

    Broken means a placeholder is missing or repeated, or the output holds a
    digit run that is not exactly a placeholder. Markup spans (``**``, ``[``,
    ``](url)``, tags) that hugged a word in the source hug it again: a space
    the model put between ``**`` and the word is removed.
    """
    if not protected.spans:
        return translated
    by_placeholder = dict(zip(protected.placeholders, protected.spans))
    hits = list(_DIGITS.finditer(translated))
    seen = [m.group(0) for m in hits]
    if sorted(seen) != sorted(protected.placeholders) or any(m.group(0) not in by_placeholder for m in hits):
        return None
    where = {m.group(0): m.span() for m in _DIGITS.finditer(protected.text)}
    out, last = [], 0
    for match in hits:
        placeholder = match.group(0)
        span = by_placeholder[placeholder]
        start, end = match.span()
        chunk = translated[last:start]
        glue_left = glue_right = False
        if _MARKUP.fullmatch(span):
            glue_left, glue_right = _glue(protected.text, *where[placeholder])
        if glue_left:
            chunk = chunk.rstrip(" \t")
        out.append(chunk)
        out.append(span)
        last = end
        if glue_right:
            while last < len(translated) and translated[last] in " \t":
                last += 1
    out.append(translated[last:])
    return "".join(out)


def split_around(text: str, extra_terms: Sequence[str] = ()) -> list[tuple[str, bool]]:
    """``text`` cut into ``(piece, is_protected)``; the pieces join back to ``text``."""
    pieces: list[tuple[str, bool]] = []
    last = 0
    for start, end in _select(text, extra_terms):
        if start > last:
            pieces.append((text[last:start], False))
        pieces.append((text[start:end], True))
        last = end
    if last < len(text):
        pieces.append((text[last:], False))
    return pieces

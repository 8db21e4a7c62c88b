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
from bisect import bisect_left
from dataclasses import dataclass
from typing import Sequence

_TRAIL = ".,;:!?"
# The public patterns (URL, EMAIL, DOMAIN, CODE, LINK, PHONE, trim_url) are what the quality checks
# and the glossary look for too: one definition of "not to be translated" for every stage.
URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'\[\]{}]+", re.IGNORECASE)
# Every pattern here runs over user text: each is linear (a match starts only where a token
# starts, possessive quantifiers never give back), see tests/test_linear_time.py.
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]++@[\w-]++(?:\.[\w-]++)++")
_TLDS = "pl|com|org|net|eu|ua|info|edu|gov|de|uk|io"
DOMAIN = re.compile(
    r"(?<![\w@.])(?:[a-z0-9-]+\.)+(?:[a-z]{2,})/[^\s<>\"'\[\]{}]*"       # domain with a path
    rf"|(?<![\w@.])(?:[a-z0-9-]+\.)+(?:{_TLDS})(?![\w@-]|\.\w)",         # bare domain, known TLD
    re.IGNORECASE,
)
CODE = re.compile(r"`[^`\n]+`")
LINK = re.compile(r"(!?\[)[^\[\]\n]*(\]\([^()\s]*(?:\([^()\s]*\)[^()\s]*)*(?:\s+\"[^\"]*\")?\))")
_ELEMENT = r"</?[A-Za-z][\w-]*(?:\s[^<>]*)?/?>"
_TAG = re.compile(rf"<!--.*?-->|{_ELEMENT}", re.DOTALL)
_ELEMENT_TAG = re.compile(_ELEMENT)
PHONE = re.compile(r"(?<![\w+])(?:\+\d{2}[ -]?)?\(?\d{2,3}\)?(?:[ -]\d{2,3}){2,3}(?!\w)")
_NUM = r"\d+(?:[.,:]\d+)*"
_NUMBER = re.compile(rf"{_NUM}(?:\s?[–—-]\s?{_NUM})?")
# What emphasis_spans finds (the reference, quadratic on " *a *a *a …"; kept for the tests).
_EMPHASIS = re.compile(r"(?<![\w*])(\*\*|\*)(?=\S)(?:.*?\S)?\1(?![\w*])|(?<![\w_])(__|_)(?=\S)(?:.*?\S)?\2(?![\w_])")
_MARKUP = re.compile(r"(?:[*_]+|!?\[|\]\([^)]*\)\)?|<!--.*?-->|</?[A-Za-z][^<>]*>)+", re.DOTALL)
_DIGITS = re.compile(r"[0-9]+")
_ANY_DIGITS = re.compile(r"\d+")


def tag_matches(text: str) -> list[re.Match]:
    """``_TAG.finditer(text)``, in linear time: an HTML comment opener after the last ``-->``
    can never match, so only element tags are looked for there (each such opener would
    otherwise scan to the end of the text: quadratic on a run of ``<!--``)."""
    cut = text.rfind("-->")
    cut = cut + 3 if cut >= 0 else 0
    return [*_TAG.finditer(text, 0, cut), *_ELEMENT_TAG.finditer(text, cut)]


def emphasis_spans(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, marker)`` of each ``*em*``, ``**strong**``, ``_em_``, ``__strong__``:
    exactly the matches of ``_EMPHASIS.finditer(text)``, in O(n log n).

    An opener is a marker not preceded by a word character or the marker's own character and
    followed by a non-space; it closes at the nearest same marker on the same line that follows
    a non-space (else right after the opener) and is not followed by a word character or the marker's
    character. The regex finds that closer by scanning, once per opener: quadratic."""
    found: list[tuple[int, int, str]] = []
    if "*" not in text and "_" not in text:
        return found
    n = len(text)
    breaks = [m.start() for m in re.finditer("\n", text)]
    closers: dict[str, list[int]] = {}
    for char in "*_":
        for marker in (char * 2, char):
            closers[marker] = [m.start() for m in re.finditer(f"(?=(?<=\\S){re.escape(marker)}(?![\\w{char}]))", text)]

    def closing(marker: str, after: int) -> int | None:
        spots = closers[marker]  # "(?:.*?\S)?" tries some content first, then none
        k = bisect_left(spots, after + 1)
        line_end = breaks[bisect_left(breaks, after)] if breaks and breaks[-1] >= after else n
        if k < len(spots) and spots[k] < line_end:
            return spots[k]
        if text.startswith(marker, after) and not _word_or(text, after + len(marker), marker[0]):
            return after
        return None

    pos = 0
    nearest = {"*": -1, "_": -1}  # the next "*" / "_" at or after pos; n when there is none
    while pos < n:
        for char, at in nearest.items():
            if at < pos:  # each character's search moves forward only: linear
                found_at = text.find(char, pos)
                nearest[char] = found_at if found_at >= 0 else n
        i = min(nearest.values())
        if i >= n:
            break
        char = text[i]
        matched = False
        if not (i > 0 and _word_or(text, i - 1, char)):
            for marker in (char * 2, char):
                end = i + len(marker)
                if not text.startswith(marker, i) or end >= n or text[end].isspace():
                    continue
                close = closing(marker, end)
                if close is not None:
                    found.append((i, close + len(marker), marker))
                    pos = close + len(marker)
                    matched = True
                    break
        if not matched:
            pos = i + 1
    return found


def _word_or(text: str, i: int, char: str) -> bool:
    """Is ``text[i]`` a word character or ``char`` (False past the end)?"""
    if i >= len(text):
        return False
    c = text[i]
    return c == char or c.isalnum() or c == "_"


@dataclass(frozen=True)
class Protected:
    text: str                       # the text with protected spans replaced by placeholders
    spans: tuple[str, ...]          # the original spans, in order
    placeholders: tuple[str, ...] = ()  # placeholders[i] stands for spans[i] in ``text``


def trim_url(match: re.Match) -> tuple[int, int]:
    start, end = match.span()
    value = match.group(0)
    while value and (value[-1] in _TRAIL or (value[-1] == ")" and value.count("(") < value.count(")"))):
        value = value[:-1]
        end -= 1
    return start, end


def _candidates(text: str, extra_terms: Sequence[str]) -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []
    for match in CODE.finditer(text):
        found.append(match.span())
    for match in LINK.finditer(text):
        found.append(match.span(1))
        found.append(match.span(2))
    for match in tag_matches(text):
        found.append(match.span())
    for pattern in (URL, DOMAIN):
        for match in pattern.finditer(text):
            start, end = trim_url(match)
            if end > start:
                found.append((start, end))
    for pattern in (EMAIL, PHONE, _NUMBER):
        found.extend(match.span() for match in pattern.finditer(text))
    for start, end, marker in emphasis_spans(text):
        found.append((start, start + len(marker)))
        found.append((end - len(marker), end))
    for term in sorted({t for t in extra_terms if t and t.strip()}, key=len, reverse=True):
        found.extend(match.span() for match in _term(term).finditer(text))
    # Every digit must end up in a span: that is what keeps placeholders unambiguous.
    found.extend(match.span() for match in _ANY_DIGITS.finditer(text))
    return found


_TERMS: dict[str, re.Pattern[str]] = {}


def _term(term: str) -> re.Pattern[str]:
    """The compiled pattern of a do-not-translate term, kept (re's own cache holds 512: a
    glossary with more names recompiled every one of them for every text)."""
    pattern = _TERMS.get(term)
    if pattern is None:
        if len(_TERMS) >= 200_000:
            _TERMS.clear()
        pattern = _TERMS[term] = re.compile(rf"(?<!\w){re.escape(term)}(?!\w)")
    return pattern


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

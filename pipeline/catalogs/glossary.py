"""The workspace glossary: prescribed translations and do-not-translate names.

``glossary.csv`` (the ``glossary`` setting) holds one term per row::

    term,lang,translation
    # comments and blank lines are ignored
    biblioteka,uk,бібліотека
    biblioteka,en,library
    Fundacja Cyfrowy Most,*,do-not-translate

* ``lang`` is a target language code, or ``*`` for every target language;
* ``translation`` is the prescribed translation, or ``do-not-translate`` (or
  empty with ``lang`` ``*``) for a name: an organisation, a place, a programme.
  A row for one language overrides a ``*`` row of the same term.

Matching (:func:`term_pattern`) is case-insensitive, on word boundaries, and
tolerates inflection the simple way: a word of five or more letters matches any
word that starts with it minus its last letter (five letters) or last two
letters (six or more) and has at most four letters after that stem — so
"Fundacja" matches "Fundacji" and "Fundacją", "бібліотека" matches
"бібліотеці", "library" matches "libraries". Shorter words, and words with
digits or hyphens, match exactly. Overlapping matches go to the longest term.

Do-not-translate names are protected through machine translation like URLs
(only in the form written here: add inflected forms as rows of their own to
protect them too); prescribed translations are checked by :mod:`pipeline.review.qa`
and shown to reviewers as extracted comments (:func:`Glossary.notes`).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.config import LANG_CODE
from pipeline.errors import OutreachError

DO_NOT_TRANSLATE = "do-not-translate"
ALL = "*"
HEADER = ("term", "lang", "translation")
STEM_MIN = 5        # words this long (letters only) match inflected forms
MAX_ENDING = 4      # letters allowed after the stem


class GlossaryError(OutreachError):
    """A malformed ``glossary.csv`` (exit 2, names the file and line)."""


@dataclass(frozen=True)
class Term:
    term: str
    lang: str                  # a language code, or "*" for every target language
    translation: str | None    # None: a do-not-translate name
    line: int = 0

    @property
    def is_name(self) -> bool:
        return self.translation is None


@dataclass(frozen=True)
class Match:
    """One occurrence of a term in a text."""

    term: Term
    start: int
    end: int
    text: str                  # the form found, e.g. "Fundacji Cyfrowy Most"


@dataclass(frozen=True)
class Glossary:
    terms: tuple[Term, ...] = ()
    path: str | None = None

    def __bool__(self) -> bool:
        return bool(self.terms)

    def for_language(self, lang: str) -> tuple[Term, ...]:
        """The terms that apply to catalogues in ``lang``: its own rows win over ``*`` rows."""
        found = _FOR_LANGUAGE.get((id(self), lang))
        if found is not None and found[0] is self:
            return found[1]
        own = {t.term.casefold() for t in self.terms if t.lang == lang}
        terms = tuple(t for t in self.terms if t.lang == lang or (t.lang == ALL and t.term.casefold() not in own))
        if len(_FOR_LANGUAGE) > 64:
            _FOR_LANGUAGE.clear()
        _FOR_LANGUAGE[(id(self), lang)] = (self, terms)
        return terms

    def names(self, lang: str | None = None) -> tuple[str, ...]:
        """Do-not-translate names (for ``lang``, or in any language), as written."""
        terms = self.terms if lang is None else self.for_language(lang)
        return tuple(dict.fromkeys(t.term for t in terms if t.is_name))

    def find(self, text: str, lang: str) -> list[Match]:
        """The terms for ``lang`` in ``text`` (not inside URLs, e-mail addresses, link targets or
        inline code), longest first where they overlap, in text order."""
        terms = self.for_language(lang)
        return find_terms(searchable(text), terms) if terms else []

    def notes(self, text: str, languages: tuple[str, ...]) -> tuple[str, ...]:
        """Extracted-comment lines for a msgid: ``glossary: <term> → en: …; uk: …`` and
        ``do not translate: <name>``, for the terms the text contains."""
        lines: list[str] = []
        names: list[str] = []
        prescribed: dict[str, list[str]] = {}
        for lang in languages:
            for match in self.find(text, lang):
                term = match.term
                if term.is_name:
                    if term.term not in names:
                        names.append(term.term)
                    continue
                entry = f"{lang}: {term.translation}"
                items = prescribed.setdefault(term.term, [])
                if entry not in items:
                    items.append(entry)
        lines.extend(f"glossary: {term} → {'; '.join(items)}" for term, items in prescribed.items())
        lines.extend(f"do not translate: {name}" for name in names)
        return tuple(lines)


EMPTY = Glossary()
_FOR_LANGUAGE: dict[tuple[int, str], tuple[Glossary, tuple[Term, ...]]] = {}  # (glossary, lang) -> terms


def searchable(text: str) -> str:
    """``text`` with URLs, e-mail addresses, link targets and inline code blanked out (same length)."""
    from pipeline.text import protect

    spans = [m.span(2) for m in protect.LINK.finditer(text)]
    for pattern in (protect.CODE, protect.URL, protect.DOMAIN, protect.EMAIL):
        spans.extend(m.span() for m in pattern.finditer(text))
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _word_pattern(word: str) -> str:
    if len(word) >= STEM_MIN and word.isalpha():
        stem = word[:-1] if len(word) == STEM_MIN else word[:-2]
        return re.escape(stem) + rf"[^\W\d_]{{0,{MAX_ENDING}}}"
    return re.escape(word)


_PATTERNS: dict[str, re.Pattern[str]] = {}
#: Compiled term patterns kept per process. A glossary has one pattern per term, and every
#: text is searched for all of them: a cache smaller than the glossary (functools' 4096, re's
#: 512) would recompile every pattern for every text.
MAX_PATTERNS = 200_000


def term_pattern(term: str) -> re.Pattern[str]:
    """The inflection-tolerant, case-insensitive pattern of ``term`` (see the module doc)."""
    pattern = _PATTERNS.get(term)
    if pattern is None:
        if len(_PATTERNS) >= MAX_PATTERNS:
            _PATTERNS.clear()
        pattern = _PATTERNS[term] = _compile_term(term)
    return pattern


def _compile_term(term: str) -> re.Pattern[str]:
    words = term.split()
    body = r"\s+".join(_word_pattern(w) for w in words) if words else re.escape(term)
    return re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)


def find_terms(text: str, terms: tuple[Term, ...]) -> list[Match]:
    found = [Match(t, m.start(), m.end(), m.group(0)) for t in terms for m in term_pattern(t.term).finditer(text)]
    found.sort(key=lambda m: (-(m.end - m.start), m.start))
    chosen: list[Match] = []
    for match in found:
        if all(match.end <= c.start or match.start >= c.end for c in chosen):
            chosen.append(match)
    return sorted(chosen, key=lambda m: m.start)


def parse(text: str, path: str | Path = "glossary.csv") -> Glossary:
    """Parse the text of a glossary file; :class:`GlossaryError` names the bad line."""
    text = text.lstrip("\ufeff")
    lines = text.splitlines()
    rows: list[tuple[int, list[str]]] = []
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            parsed = next(csv.reader([line], skipinitialspace=True, strict=True))
        except csv.Error as exc:
            raise GlossaryError(f"malformed CSV row ({exc})", path=path, line=number) from exc
        rows.append((number, [cell.strip() for cell in parsed]))
    if not rows:
        return Glossary((), str(path))
    number, header = rows[0]
    if tuple(cell.lower() for cell in header) != HEADER:
        raise GlossaryError(f"the first row must be the header '{','.join(HEADER)}', not '{','.join(header)}'",
                            path=path, line=number)
    terms: list[Term] = []
    seen: dict[tuple[str, str], Term] = {}
    for number, cells in rows[1:]:
        if len(cells) == 2:
            cells.append("")
        if len(cells) != 3:
            raise GlossaryError(f"expected 3 columns (term,lang,translation), found {len(cells)}; "
                                "put a term that contains a comma in double quotes", path=path, line=number)
        term, lang, translation = cells
        if not term:
            raise GlossaryError("empty term", path=path, line=number)
        if lang != ALL and not LANG_CODE.fullmatch(lang):
            raise GlossaryError(f"'{lang}' is not a language code like 'en' or 'uk' (or '*' for all)",
                                path=path, line=number)
        if translation.lower() == DO_NOT_TRANSLATE or (not translation and lang == ALL):
            value = None
        elif not translation:
            raise GlossaryError(f"no translation for '{term}' ({lang}); write {DO_NOT_TRANSLATE} for a name",
                                path=path, line=number)
        else:
            value = translation
        key = (term.casefold(), lang)
        if key in seen:
            if seen[key].translation == value:
                continue
            raise GlossaryError(f"'{term}' ({lang}) is already defined on line {seen[key].line}",
                                path=path, line=number)
        seen[key] = Term(term, lang, value, number)
        terms.append(seen[key])
    return Glossary(tuple(terms), str(path))


def read(path: Path) -> Glossary:
    """The glossary in ``path``; an empty one when the file does not exist."""
    if not path.is_file():
        return Glossary((), str(path))
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise GlossaryError(f"cannot read: {exc.strerror or exc}", path=path) from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise GlossaryError("not valid UTF-8 (save the file as UTF-8 CSV)", path=path, line=line) from None
    return parse(text, path)


def load(settings) -> Glossary:
    """The workspace glossary (``settings.glossary_file``; empty when there is none)."""
    path = getattr(settings, "glossary_file", None)
    return read(path) if path is not None else EMPTY

"""Translation memory: every reviewed translation, reused for new paragraphs.

The memory is rebuilt on every run from

1. the reviewed entries (non-fuzzy, non-empty, not a mere copy of the source)
   of every catalogue under ``locales/<lang>/LC_MESSAGES/`` — documents in
   alphabetical order, active entries before obsolete ones;
2. the imported memory ``locales/memory.tmx`` (``outreach memory import``), a
   committed file so a team and CI share it after a fresh clone.

:meth:`TranslationMemory.lookup` finds an exact match (same text) or the most
similar reviewed source text (``catalog.similarity`` ≥ 0.8). Near matches are
found through an inverted word index with prefix filtering, so a lookup only
compares the text with the few entries that share enough words with it —
never with the whole memory.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

from pipeline.catalogs import catalog
from pipeline.catalogs import pofile
from pipeline.catalogs import tmx
from pipeline.catalogs.catalog import Catalog
from pipeline.errors import CatalogError
from pipeline.fsutil import write_atomic

NEAR = 0.8
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Match:
    """A memory hit for a text: the reviewed ``source`` and its ``target``, how alike (1.0 = exact)."""

    source: str
    target: str
    origin: str
    score: float

    @property
    def exact(self) -> bool:
        return self.score >= 1.0

    @property
    def note(self) -> str:
        """The extracted comment for a suggestion (``catalog.draft_note`` adds the checksum)."""
        where = f"from {self.origin}" if self.origin else "imported"
        how = "exact" if self.exact else f"{math.floor(self.score * 100)} % match"
        return f"{catalog.MEMORY} {where} ({how})"


def _tokens(text: str) -> tuple[tuple[str, int], ...]:
    """Words (casefolded) numbered by occurrence: a multiset usable as a set."""
    seen: dict[str, int] = {}
    out = []
    for word in _WORD.findall(text.casefold()):
        seen[word] = seen.get(word, 0) + 1
        out.append((word, seen[word]))
    return tuple(out)


class _LanguageIndex:
    """The memory of one target language."""

    def __init__(self) -> None:
        self.exact: dict[str, tmx.Unit] = {}
        self.units: list[tmx.Unit] = []          # one per distinct source text, first wins
        self.tokens: list[frozenset] = []
        self.postings: dict[tuple[str, int], list[int]] = {}

    def add(self, unit: tmx.Unit) -> None:
        if unit.source in self.exact:
            return
        self.exact[unit.source] = unit
        tokens = _tokens(unit.source)
        if not tokens:
            return
        number = len(self.units)
        self.units.append(unit)
        self.tokens.append(frozenset(tokens))
        for token in tokens:
            self.postings.setdefault(token, []).append(number)

    def near(self, text: str, threshold: float) -> Match | None:
        words = _WORD.findall(text.casefold())
        size = len(words)  # the number of tokens
        if not size:
            return None
        need = 2 * threshold - 1   # the word ratio the mean needs when the character ratio is perfect
        lo, hi = size * need / (2 - need), size * (2 - need) / need
        shared_min = max(1, math.ceil(need * (size + lo) / 2 - 1e-9))
        # Prefix filter: a candidate sharing `shared_min` tokens shares one of any size-shared_min+1
        # of them; the rarest are taken. Tokens of words the memory never saw have no postings:
        # when they alone are that many, nothing can match (most texts, with a small memory).
        postings = self.postings
        if sum(1 for word in words if (word, 1) not in postings) >= size - shared_min + 1:
            return None
        query = _tokens(text)
        rare = sorted(query, key=lambda t: len(postings.get(t, ())))[: size - shared_min + 1]
        candidates = {n for token in rare for n in self.postings.get(token, ())}
        query_set = frozenset(query)
        best: Match | None = None
        for number in sorted(candidates):
            other = self.tokens[number]
            if not lo - 1e-9 <= len(other) <= hi + 1e-9:
                continue
            if 2 * len(query_set & other) / (size + len(other)) < need:
                continue
            unit = self.units[number]
            score = catalog.similarity(text, unit.source)
            if score >= threshold and score < 1.0 and (best is None or score > best.score):
                best = Match(unit.source, unit.target, unit.origin, score)
        return best


class TranslationMemory:
    """Reviewed translations by target language; the first unit for a source text wins."""

    def __init__(self, units: Iterable[tmx.Unit] = ()):
        self._langs: dict[str, _LanguageIndex] = {}
        self._units: list[tmx.Unit] = []
        seen: set[tuple[str, str, str]] = set()
        for unit in units:
            key = (unit.source, unit.lang, unit.target)
            if key in seen or not unit.source.strip() or not unit.target.strip() or unit.source == unit.target:
                continue
            seen.add(key)
            self._units.append(unit)
            self._langs.setdefault(unit.lang, _LanguageIndex()).add(unit)

    def __len__(self) -> int:
        return len(self._units)

    @property
    def units(self) -> tuple[tmx.Unit, ...]:
        """Every distinct (source, language, translation), in priority order."""
        return tuple(self._units)

    def lookup(self, text: str, lang: str, threshold: float = NEAR) -> Match | None:
        """The exact match for ``text`` in ``lang``, else the most similar one (≥ ``threshold``), else None."""
        index = self._langs.get(lang)
        if index is None:
            return None
        unit = index.exact.get(text)
        if unit is not None:
            return Match(unit.source, unit.target, unit.origin, 1.0)
        return index.near(text, threshold)


# ------------------------------------------------------------------ sources of the memory

def reviewed_units(cat: Catalog, lang: str, origin: str) -> list[tmx.Unit]:
    """The reviewed translations of one catalogue (active entries first, then obsolete ones)."""
    entries = [e for e in cat.entries if not e.obsolete] + [e for e in cat.entries if e.obsolete]
    return [tmx.Unit(e.msgid, e.msgstr, lang, origin)
            for e in entries if e.translated and not e.plural and e.msgctxt is None and e.msgstr != e.msgid]


def memory_file(settings) -> Path:
    """Where imported memory lives: ``locales/memory.tmx`` (committed with the catalogues)."""
    return settings.memory_file


def load(settings, known: Mapping[tuple[str, str], Catalog | None] | None = None) -> TranslationMemory:
    """The memory of a workspace; ``known`` maps ``(doc_id, lang)`` to catalogues already read."""
    known = known or {}
    units: list[tmx.Unit] = []
    for doc_id, lang, path in settings.catalog_files():
        cat = known.get((doc_id, lang)) or pofile.read_catalog(path)
        units += reviewed_units(cat, lang, doc_id)
    units += imported_units(settings)
    return TranslationMemory(units)


def imported_units(settings) -> list[tmx.Unit]:
    """The units of ``locales/memory.tmx`` for the configured target languages."""
    path = memory_file(settings)
    if not path.exists():
        return []
    units = []
    for unit in tmx.read_tmx(path, settings.source_language, shown=_shown(settings, path)):
        lang = next((t for t in settings.target_languages if tmx.same_language(unit.lang, t)), None)
        if lang is not None:  # "en-GB" in the file serves "en"
            units.append(tmx.Unit(unit.source, unit.target, lang, unit.origin))
    return units


def _shown(settings, path: Path) -> str:
    try:
        return path.relative_to(settings.workspace).as_posix()
    except ValueError:
        return str(path)


# ------------------------------------------------------------------ import / export

@dataclass(frozen=True)
class ImportReport:
    path: Path            # the memory file written
    read: int             # units read from the given files
    added: int            # units new to the memory file
    total: int            # units in the memory file afterwards
    written: bool
    notes: tuple[str, ...] = ()   # why a file gave nothing, e.g. another source language
    plural: int = 0       # plural messages (msgid_plural) skipped: the memory holds singular ones


def read_units(settings, path: Path) -> list[tmx.Unit]:
    """Units from a ``.tmx`` file or from the reviewed entries of a ``.po`` file."""
    return _units_and_plurals(settings, path)[0]


def _units_and_plurals(settings, path: Path) -> tuple[list[tmx.Unit], int]:
    """:func:`read_units` and how many translated plural messages (``msgid_plural``) a ``.po``
    file had: the memory holds singular messages only, so those are skipped."""
    shown = str(path)
    if Path(path).suffix.lower() == ".po":
        cat = pofile.read_catalog(Path(path))
        lang = cat.header_value("Language")
        if not lang:
            raise CatalogError("the catalogue has no Language header; cannot tell its language", path=shown)
        plural = sum(1 for e in cat.entries if e.plural and e.translated)
        return reviewed_units(cat, tmx.from_tmx_lang(lang), Path(path).stem), plural
    units = tmx.read_tmx(Path(path), settings.source_language, shown=shown)
    return [u if u.origin else tmx.Unit(u.source, u.target, u.lang, Path(path).name) for u in units], 0


def import_files(settings, paths: Iterable[Path]) -> ImportReport:
    """Add the units of ``paths`` to ``locales/memory.tmx``; every file is read before anything is written.

    A unit for a (source text, language) the file already has replaces the
    older translation: the latest import wins.
    """
    incoming: list[tmx.Unit] = []
    notes: list[str] = []
    plural = 0
    for path in paths:
        units, skipped = _units_and_plurals(settings, path)
        if not units and Path(path).suffix.lower() != ".po":
            notes.append(_why_nothing(settings, Path(path)))
        if skipped:
            notes.append(f"{path}: skipped {skipped} plural messages (msgid_plural): "
                         "the memory holds singular ones only")
        incoming += units
        plural += skipped
    target = memory_file(settings)
    current = tmx.read_tmx(target, settings.source_language, shown=_shown(settings, target)) if target.exists() else []
    merged: dict[tuple[str, str], tmx.Unit] = {(u.source, u.lang): u for u in current}
    added = 0
    for unit in incoming:
        if not tmx.writable(unit.source) or not tmx.writable(unit.target) or unit.source == unit.target:
            continue
        key = (unit.source, unit.lang)
        previous = merged.get(key)
        if previous is None or previous.target != unit.target:
            added += 1
        merged[key] = unit
    units = sorted(merged.values(), key=lambda u: (u.lang, u.source, u.target))
    data = tmx.format_tmx(units, settings.source_language)
    written = not target.exists() or target.read_bytes() != data
    if written:
        write_atomic(target, data)
    return ImportReport(target, len(incoming), added, len(units), written, tuple(notes), plural)


def _why_nothing(settings, path: Path) -> str:
    """Why a TMX file (already read once, so readable and well-formed) gave no unit."""
    srclang, langs, count = tmx.languages(path.read_bytes(), path=str(path))
    if not count:
        return f"{path}: no translation units (<tu>) in the file"
    source = settings.source_language
    if not any(tmx.same_language(lang, source) for lang in langs):
        origin = f"it translates from {srclang}" if srclang else f"its languages are {', '.join(langs)}"
        return (f"{path}: 0 of {count} units imported: {origin}, and this workspace's source language is "
                f"{source} (only units with a {source} text can be imported)")
    return f"{path}: 0 of {count} units imported: none has both a {source} text and a translation"


def export_units(settings) -> list[tmx.Unit]:
    """Everything the memory holds for the configured languages, XML-safe, in priority order."""
    mem = load(settings)
    return [u for u in mem.units if tmx.writable(u.source) and tmx.writable(u.target)]

"""The reviewer report: one self-contained HTML page showing where every announcement stands.

:func:`collect_report` gathers, from the catalogues alone (no model, no MT
stack), a side-by-side view per document: source | one column per target
language, each cell with the entry's state (:func:`pipeline.catalogs.catalog.entry_state`),
its text, the ``path:line`` to edit and the findings (e.g. QA) on that line.
:func:`render_html` turns it into a page (Jinja2 templates in ``templates/``) that

* needs nothing else: inline CSS, no script, no font, no image, no network;
* escapes every piece of text from sources and catalogues by construction: the
  templates are rendered with autoescape on, so a value is escaped unless it is
  markup this module built itself; a Content-Security-Policy forbids scripts as
  a second line of defence;
* reads on a phone (390 px): below 720 px every table row becomes a card whose
  cells carry their column's heading, so nothing scrolls sideways; long paths
  break only after a ``/``, words never in the middle;
* shows each state with a colour *and* a text label;
* has a "show only what needs work" filter made of a checkbox and a CSS
  sibling selector, so it works without JavaScript.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from pipeline.catalogs import catalog
from pipeline.catalogs import pofile
from pipeline.review.findings import Finding
from pipeline.review.status import CatalogStatus, Status, collect
from pipeline.config import Settings
from pipeline.fsutil import write_text_atomic

#: Codes that only repeat what the state already says; not listed on entries.
_STATE_CODES = {"untranslated", "fuzzy"}
#: Catalogue-level codes the report works out itself (or shows as a bar).
_CATALOGUE_CODES = {"missing", "orphan", "stale", "incomplete"}

LANGUAGE_NAMES = {
    "pl": "Polish", "en": "English", "uk": "Ukrainian", "ru": "Russian", "de": "German", "fr": "French",
    "es": "Spanish", "it": "Italian", "cs": "Czech", "sk": "Slovak", "be": "Belarusian", "lt": "Lithuanian",
    "ar": "Arabic", "tr": "Turkish", "vi": "Vietnamese", "ka": "Georgian", "ro": "Romanian", "hu": "Hungarian",
}

#: (text colour, background) per state: every pair has a contrast ratio above 7:1.
STATE_COLOURS = {
    catalog.REVIEWED: ("#0b4f1c", "#d3f5dc"),
    catalog.MACHINE_DRAFT: ("#1d3f8f", "#dce7ff"),
    catalog.HUMAN_DRAFT: ("#6a3d00", "#ffe9c7"),
    catalog.MEMORY_SUGGESTION: ("#005a5a", "#d0f2f2"),
    catalog.COPY: ("#3d3d3d", "#e8e8e8"),
    catalog.STALE: ("#7a1f5c", "#f9dcef"),
    catalog.UNTRANSLATED: ("#8b0000", "#ffdada"),
    "missing": ("#8b0000", "#ffdada"),
}
#: Bar colours, same order as :data:`pipeline.catalogs.catalog.STATES`.
BAR_COLOURS = {
    catalog.REVIEWED: "#2da44e", catalog.MACHINE_DRAFT: "#5b84e8", catalog.HUMAN_DRAFT: "#e59a2b",
    catalog.MEMORY_SUGGESTION: "#2aa7a7", catalog.COPY: "#9a9a9a", catalog.STALE: "#c0509a",
    catalog.UNTRANSLATED: "#d64545",
}


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code.split("_")[0].split("-")[0].lower(), code)


@dataclass(frozen=True)
class Cell:
    """One entry of one language's catalogue."""

    language: str
    state: str                       # one of catalog.STATES
    text: str                        # the msgstr
    location: str                    # "locales/uk/LC_MESSAGES/a.po:12"
    findings: tuple[Finding, ...] = ()

    @property
    def done(self) -> bool:
        return self.state == catalog.REVIEWED and not any(f.severity == "error" for f in self.findings)


@dataclass(frozen=True)
class Row:
    """One source paragraph and its translations; ``cells[i]`` is None when language i has no such entry."""

    msgid: str
    msgctxt: str | None
    references: tuple[str, ...]
    cells: tuple[Cell | None, ...]

    @property
    def done(self) -> bool:
        return all(c is not None and c.done for c in self.cells)


@dataclass(frozen=True)
class DocumentReport:
    doc_id: str
    source: str | None                       # source ref, None when the source is gone
    catalogs: tuple[CatalogStatus, ...]      # one per target language
    counts: tuple[tuple[tuple[str, int], ...], ...]  # per language: (state, count) for every state
    rows: tuple[Row, ...]
    notes: tuple[Finding, ...] = ()          # catalogue-level findings (stale, missing, orphan, ...)

    @property
    def done(self) -> bool:
        return all(c.exists and not c.stale for c in self.catalogs) and all(r.done for r in self.rows) \
            and not any(n.severity == "error" for n in self.notes)


@dataclass(frozen=True)
class Report:
    project: str
    source_language: str
    languages: tuple[str, ...]
    documents: tuple[DocumentReport, ...]

    def language_counts(self, language: str) -> dict[str, int]:
        """Entries per state over all documents for ``language``."""
        i = self.languages.index(language)
        total = dict.fromkeys(catalog.STATES, 0)
        for doc in self.documents:
            for state, n in doc.counts[i]:
                total[state] += n
        return total


def collect_report(settings: Settings, findings: Iterable[Finding] = (), status: Status | None = None) -> Report:
    """Everything the page shows. ``findings`` (e.g. from QA) are attached to the entries they point at."""
    status = status if status is not None else collect(settings)
    by_line: dict[tuple[str, int], list[Finding]] = {}
    for f in findings:
        by_line.setdefault((f.path, f.line), []).append(f)
    languages = tuple(settings.target_languages)
    docs: dict[str, list[CatalogStatus]] = {}
    for c in status.catalogs:
        docs.setdefault(c.doc_id, []).append(c)
    return Report(
        project=settings.project,
        source_language=settings.source_language,
        languages=languages,
        documents=tuple(_document(settings, doc_id, cats, languages, by_line) for doc_id, cats in docs.items()),
    )


def _document(settings, doc_id, cats, languages, by_line) -> DocumentReport:
    by_lang = {c.language: c for c in cats}
    ordered = tuple(by_lang[lang] for lang in languages if lang in by_lang)
    entries: dict[str, dict[tuple, catalog.Entry]] = {}
    order: dict[tuple, catalog.Entry] = {}
    for c in ordered:
        entries[c.language] = {}
        if not c.exists:
            continue
        cat = pofile.read_catalog(settings.resolve(Path(c.path)))
        for e in cat.active:
            entries[c.language][e.key] = e
            order.setdefault(e.key, e)
    rows = []
    for key, first in order.items():
        cells: list[Cell | None] = []
        for lang in languages:
            c = by_lang.get(lang)
            entry = entries.get(lang, {}).get(key)
            if c is None or entry is None:
                cells.append(None)
                continue
            found = tuple(f for f in by_line.get((c.path, entry.line), ()) if f.code not in _STATE_CODES)
            cells.append(Cell(lang, catalog.entry_state(entry), entry.msgstr, f"{c.path}:{entry.line}", found))
        rows.append(Row(first.msgid, first.msgctxt, first.references, tuple(cells)))
    counts = []
    for lang in languages:
        tally = dict.fromkeys(catalog.STATES, 0)
        for r in rows:
            cell = r.cells[languages.index(lang)]
            if cell is not None:
                tally[cell.state] += 1
        counts.append(tuple(tally.items()))
    notes = []
    for c in ordered:
        if not c.exists:
            notes.append(Finding(c.path, 1, "missing", f"no catalogue yet for {c.source}; run 'outreach run'"))
        elif c.source is None:
            notes.append(Finding(c.path, 1, "orphan", "its source text is gone", severity="warning"))
        elif c.stale:
            notes.append(Finding(c.path, 1, "stale", f"{c.source} changed since the last run; run 'outreach run'"))
        lines = {e.line for e in entries.get(c.language, {}).values()}
        notes.extend(f for (path, line), found in by_line.items() if path == c.path and line not in lines
                     for f in found if f.code not in _STATE_CODES | _CATALOGUE_CODES)
    source = next((c.source for c in ordered if c.source), None)
    return DocumentReport(doc_id, source, ordered, tuple(counts), tuple(rows), tuple(notes))


def write_report(path: Path, report: Report) -> None:
    """Write the page atomically (a reader never sees half a file)."""
    write_text_atomic(path, render_html(report))


# ---------------------------------------------------------------- HTML

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


def slug(value: str) -> str:
    """An id for ``value`` made of ASCII letters, digits, ``_`` and ``-``; one-to-one (every
    other character, ``-`` too, becomes ``-<hex>-``), so ``a-b`` and ``a+b`` never collide."""
    return "".join(ch if ch.isascii() and (ch.isalnum() or ch == "_") else f"-{ord(ch):x}-" for ch in value)


# Control characters HTML cannot hold (NUL, ESC …; not tab or line ends), shown as their symbols.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _control_picture(match: re.Match) -> str:
    return "\u2421" if match.group() == "\x7f" else chr(0x2400 + ord(match.group()))


def _breakable(value: object) -> Markup:
    """A path, escaped, that may wrap after each ``/`` (``<wbr>``) instead of in the middle of a name."""
    return Markup("/<wbr>").join(escape(part) for part in str(value).split("/"))


def _percent(counts: dict[str, int]) -> str:
    total = sum(counts.values())
    reviewed = counts.get(catalog.REVIEWED, 0)
    pct = 100 if not total else 100 * reviewed // total  # rounded down: 99.6% is not "100%"
    shown = "<1" if pct == 0 and reviewed else str(pct)
    return f"{shown}% reviewed ({reviewed}/{total})"


def _bar_label(counts: dict[str, int]) -> str:
    return ", ".join(f"{counts[state]} {state}" for state in catalog.STATES if counts.get(state, 0))


def _catalogue_for(doc: DocumentReport, lang: str) -> CatalogStatus | None:
    return next((c for c in doc.catalogs if c.language == lang), None)


@functools.lru_cache(maxsize=1)
def _environment() -> Environment:
    loader = PackageLoader("pipeline.review", "templates")
    env = Environment(loader=loader, autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True)
    env.filters.update(slug=slug, breakable=_breakable, language_name=language_name)
    env.globals.update(
        states=catalog.STATES, state_colours=STATE_COLOURS, bar_colours=BAR_COLOURS, csp=_CSP,
        language_name=language_name, percent=_percent, bar_label=_bar_label, catalogue_for=_catalogue_for,
        dict=dict, css=Markup(loader.get_source(env, "report.css")[0]),  # our own file, not a template
    )
    return env


def render_html(report: Report) -> str:
    """The whole page as a string (deterministic: same catalogues, same bytes)."""
    page = _environment().get_template("report.html").render(
        report=report, title=f"Translation report — {report.project}")
    return _CONTROL.sub(_control_picture, page)  # a msgstr's NUL or ESC never reaches the page

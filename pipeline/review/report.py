"""The reviewer report: one self-contained HTML page showing where every announcement stands.

:func:`collect_report` gathers, from the catalogues alone (no model, no MT
stack), a side-by-side view per document: source | one column per target
language, each cell with the entry's state (:func:`pipeline.catalogs.catalog.entry_state`),
its text, the ``path:line`` to edit and the findings (e.g. QA) on that line.
:func:`render_html` turns it into a page that

* needs nothing else: inline CSS, no script, no font, no image, no network;
* escapes every piece of text from sources and catalogues (``html.escape``,
  attribute values included) and forbids scripts with a Content-Security-Policy
  as a second line of defence;
* shows each state with a colour *and* a text label;
* has a "show only what needs work" filter made of a checkbox and a CSS
  sibling selector, so it works without JavaScript.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

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

def esc(value: object) -> str:
    """Text or attribute value, escaped (quotes too)."""
    return html.escape(str(value), quote=True)


def slug(value: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in value)


_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"

_CSS = """
:root{color-scheme:light}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1b1b1b;background:#fafafa}
.page{max-width:1400px;margin:0 auto;padding:0 20px 40px}
h1{font-size:1.6em;margin:.8em 0 .2em}h2{font-size:1.3em;margin:1.6em 0 .3em}
.muted{color:#555}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{border:1px solid #d0d0d0;padding:6px 8px;vertical-align:top;text-align:left}
th{background:#f0f0f0}
.summary td.num{text-align:right;white-space:nowrap}
.bar{display:flex;height:14px;min-width:160px;border:1px solid #888;border-radius:3px;overflow:hidden;background:#fff}
.bar span{display:block;height:100%}
.legend{margin:.6em 0;padding:0;list-style:none;display:flex;flex-wrap:wrap;gap:6px 14px}
.state{display:inline-block;font-size:.78em;font-weight:600;padding:1px 7px;border-radius:10px;border:1px solid currentColor;white-space:nowrap}
.swatch{display:inline-block;width:.9em;height:.9em;vertical-align:-1px;margin-right:3px;border:1px solid #555}
.text{white-space:pre-wrap;overflow-wrap:anywhere;margin:.3em 0}
.loc{font:12px ui-monospace,Menlo,Consolas,monospace;color:#444;overflow-wrap:anywhere}
.findings{margin:.3em 0 0;padding-left:1.1em;font-size:.88em}
.findings .error{color:#8b0000}.findings .warning{color:#6a3d00}
.notes{color:#8b0000;margin:.3em 0}
#needs-work{width:20px;height:20px;margin:0 8px 0 12px;vertical-align:middle;cursor:pointer}
.filter{display:inline-block;margin:.6em 0;padding:6px 12px;background:#fff8c5;border:1px solid #d4a72c;border-radius:4px;cursor:pointer}
#needs-work:checked ~ main tr.entry.done,#needs-work:checked ~ main section.document.done{display:none}
#needs-work:focus-visible + .filter{outline:3px solid #1d3f8f}
td.src{width:26%}
@media print{#needs-work,.filter{display:none}}
"""


def render_html(report: Report) -> str:
    """The whole page as a string (deterministic: same catalogues, same bytes)."""
    langs = report.languages
    title = f"Translation report — {report.project}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{esc(_CSP)}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="referrer" content="no-referrer">',
        f"<title>{esc(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        '<div class="page">',
        "<header>",
        f"<h1>{esc(title)}</h1>",
        f'<p class="muted">{len(report.documents)} documents, translated from {esc(language_name(report.source_language))} '
        f"into {esc(', '.join(language_name(lang) for lang in langs))}. Made by <code>outreach report</code> "
        "from the catalogues; edit the <code>.po</code> file named under each entry.</p>",
        _legend(),
        "</header>",
        '<input type="checkbox" id="needs-work">'
        '<label class="filter" for="needs-work">Show only what still needs work '
        "(hides reviewed entries and finished documents)</label>",
        "<main>",
        _summary(report),
    ]
    for doc in report.documents:
        parts.append(_document_html(doc, langs))
    parts += ["</main>", "</div>", "</body>", "</html>", ""]
    return "\n".join(parts)


def _legend() -> str:
    items = "".join(f"<li>{_badge(state)}</li>" for state in catalog.STATES)
    return f'<ul class="legend" aria-label="Entry states">{items}</ul>'


def _badge(state: str) -> str:
    fg, bg = STATE_COLOURS.get(state, ("#1b1b1b", "#ffffff"))
    return f'<span class="state" style="color:{fg};background:{bg}">{esc(state)}</span>'


def _bar(counts: dict[str, int]) -> str:
    total = sum(counts.values())
    if not total:
        return '<div class="bar" role="img" aria-label="no entries"></div>'
    spans, label = [], []
    for state in catalog.STATES:
        n = counts.get(state, 0)
        if n:
            spans.append(f'<span style="width:{100 * n / total:.3f}%;background:{BAR_COLOURS[state]}"></span>')
            label.append(f"{n} {state}")
    return f'<div class="bar" role="img" aria-label="{esc(", ".join(label))}" title="{esc(", ".join(label))}">{"".join(spans)}</div>'


def _percent(counts: dict[str, int]) -> str:
    total = sum(counts.values())
    reviewed = counts.get(catalog.REVIEWED, 0)
    pct = 100 if not total else 100 * reviewed // total  # rounded down: 99.6% is not "100%"
    shown = "<1" if pct == 0 and reviewed else str(pct)
    return f'<span class="pct">{esc(shown)}% reviewed ({reviewed}/{total})</span>'


def _summary(report: Report) -> str:
    langs = report.languages
    rows = ['<section class="summary" aria-labelledby="summary-h"><h2 id="summary-h">Summary</h2>', "<table>",
            "<thead><tr><th scope=\"col\">Document</th>"
            + "".join(f'<th scope="col">{esc(language_name(lang))} ({esc(lang)})</th>' for lang in langs)
            + "</tr></thead><tbody>"]
    totals = "".join(f"<td>{_bar(report.language_counts(lang))}{_percent(report.language_counts(lang))}</td>"
                     for lang in langs)
    rows.append(f"<tr><th scope=\"row\">All documents</th>{totals}</tr>")
    for doc in report.documents:
        cells = []
        for i, lang in enumerate(langs):
            cat = next((c for c in doc.catalogs if c.language == lang), None)
            counts = dict(doc.counts[i])
            note = ""
            if cat is None or not cat.exists:
                note = f" {_badge('missing')}"
            elif cat.stale:
                note = f" {_badge(catalog.STALE)} (source changed)"
            cells.append(f"<td>{_bar(counts)}{_percent(counts)}{note}</td>")
        rows.append(f'<tr class="{"done" if doc.done else "todo"}"><th scope="row">'
                    f'<a href="#doc-{esc(slug(doc.doc_id))}">{esc(doc.doc_id)}</a></th>{"".join(cells)}</tr>')
    rows.append("</tbody></table></section>")
    return "\n".join(rows)


def _document_html(doc: DocumentReport, langs: Sequence[str]) -> str:
    anchor = f"doc-{slug(doc.doc_id)}"
    out = [f'<section id="{esc(anchor)}" class="document {"done" if doc.done else "todo"}" data-doc="{esc(doc.doc_id)}">',
           f"<h2>{esc(doc.doc_id)}</h2>",
           f'<p class="muted">Source: <span class="loc">{esc(doc.source or "(source text removed)")}</span>'
           f" · {len(doc.rows)} entries</p>"]
    if doc.notes:
        out.append('<ul class="notes">' + "".join(
            f'<li class="{esc(n.severity)}"><span class="loc">{esc(n.path)}:{n.line}</span>: {esc(n.code)}: {esc(n.message)}</li>'
            for n in doc.notes) + "</ul>")
    if not doc.rows:
        out.append("<p>No entries to show.</p></section>")
        return "\n".join(out)
    out.append("<table><thead><tr>"
               '<th scope="col">Source</th>'
               + "".join(f'<th scope="col">{esc(language_name(lang))} ({esc(lang)})</th>' for lang in langs)
               + "</tr></thead><tbody>")
    for row in doc.rows:
        refs = ", ".join(row.references)
        source = (f'<td class="src"><div class="text">{esc(row.msgid)}</div>'
                  + (f'<div class="loc">{esc(refs)}</div>' if refs else "")
                  + (f'<div class="loc">context: {esc(row.msgctxt)}</div>' if row.msgctxt else "") + "</td>")
        cells = "".join(_cell(cell, lang) for cell, lang in zip(row.cells, langs))
        out.append(f'<tr class="entry {"done" if row.done else "todo"}">{source}{cells}</tr>')
    out.append("</tbody></table></section>")
    return "\n".join(out)


def _cell(cell: Cell | None, lang: str) -> str:
    if cell is None:
        return f'<td class="cell" data-lang="{esc(lang)}" data-state="missing">{_badge("missing")}</td>'
    parts = [f'<td class="cell" data-lang="{esc(lang)}" data-state="{esc(cell.state)}">', _badge(cell.state)]
    if cell.text:
        parts.append(f'<div class="text" lang="{esc(lang)}">{esc(cell.text)}</div>')
    parts.append(f'<div class="loc">{esc(cell.location)}</div>')
    if cell.findings:
        parts.append('<ul class="findings">' + "".join(
            f'<li class="{esc(f.severity)}">{esc(f.severity)}: {esc(f.code)}: {esc(f.message)}</li>'
            for f in cell.findings) + "</ul>")
    parts.append("</td>")
    return "".join(parts)

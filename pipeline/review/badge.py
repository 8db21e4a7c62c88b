"""SVG completeness badges (shields.io look) for a README: "uk translated | 87%".

One badge per target language; the percentage is reviewed entries over all
entries of that language's catalogues, rounded down (99.6% is not "100%").
A source without a catalogue in that language makes the badge show
"missing" in red until ``outreach run`` has made it.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from pipeline.review.status import Status
from pipeline.fsutil import write_text_atomic

#: (minimum percentage, colour), first match wins: shields.io's palette.
THRESHOLDS = ((100, "#4c1"), (90, "#97ca00"), (75, "#a4a61d"), (50, "#dfb317"), (25, "#fe7d37"), (0, "#e05d44"))
GREY = "#9f9f9f"
RED = "#e05d44"

# Approximate advance widths of Verdana 11px (the font shields.io measures with).
_NARROW = set("fijlrt!|.,:;'()[] ")
_WIDE = set("mwMW%@")


@dataclass(frozen=True)
class Badge:
    language: str
    label: str        # "uk translated"
    value: str        # "87%", "missing", "no entries"
    colour: str
    percent: int | None


def text_width(text: str) -> int:
    """Pixel width of ``text`` in Verdana 11px, close enough for a badge."""
    width = 0.0
    for ch in text:
        if ch in _NARROW:
            width += 3.9
        elif ch in _WIDE:
            width += 10.5
        elif ch.isupper() or ch.isdigit():
            width += 7.4
        else:
            width += 6.6
    return int(round(width))


def colour_for(percent: int) -> str:
    return next(colour for minimum, colour in THRESHOLDS if percent >= minimum)


def language_badge(status: Status, language: str) -> Badge:
    """The badge for ``language`` from the catalogues' statistics."""
    cats = [c for c in status.catalogs if c.language == language]
    label = f"{language} translated"
    if any(not c.exists for c in cats):
        return Badge(language, label, "missing", RED, None)
    entries = sum(c.entries for c in cats)
    if not entries:
        return Badge(language, label, "no entries", GREY, None)
    reviewed = sum(c.translated for c in cats)
    percent = 100 * reviewed // entries
    return Badge(language, label, f"{percent}%", colour_for(percent), percent)


def render_svg(badge: Badge) -> str:
    """A flat two-part badge as SVG text (all text escaped)."""
    label, value = html.escape(badge.label, quote=True), html.escape(badge.value, quote=True)
    lw, vw = text_width(badge.label) + 10, text_width(badge.value) + 10
    total = lw + vw
    title = f"{label}: {value}"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="20" role="img" aria-label="{title}">'
        f"<title>{title}</title>"
        '<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/>'
        '<stop offset="1" stop-opacity=".1"/></linearGradient>'
        f'<clipPath id="r"><rect width="{total}" height="20" rx="3" fill="#fff"/></clipPath>'
        f'<g clip-path="url(#r)"><rect width="{lw}" height="20" fill="#555"/>'
        f'<rect x="{lw}" width="{vw}" height="20" fill="{html.escape(badge.colour, quote=True)}"/>'
        f'<rect width="{total}" height="20" fill="url(#s)"/></g>'
        '<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">'
        f'<text x="{lw / 2:g}" y="15" fill="#010101" fill-opacity=".3">{label}</text>'
        f'<text x="{lw / 2:g}" y="14">{label}</text>'
        f'<text x="{lw + vw / 2:g}" y="15" fill="#010101" fill-opacity=".3">{value}</text>'
        f'<text x="{lw + vw / 2:g}" y="14">{value}</text></g></svg>\n'
    )


def write_badges(folder: Path, status: Status, languages: Iterable[str]) -> list[tuple[str, Path]]:
    """Write ``folder/<lang>.svg`` for every language (atomically); returns what was written."""
    written = []
    for lang in languages:
        path = Path(folder) / f"{lang}.svg"
        write_text_atomic(path, render_svg(language_badge(status, lang)))
        written.append((lang, path))
    return written

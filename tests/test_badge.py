"""SVG completeness badges: percentage, colour thresholds, escaping, CLI."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from pipeline.review.badge import Badge, colour_for, language_badge, render_svg, text_width
from pipeline.review.status import CatalogStatus, Status
from workspace import invoke, make_workspace, review_all

SVG = "{http://www.w3.org/2000/svg}"


def _status(*cats):
    return Status(tuple(CatalogStatus(doc, lang, f"locales/{lang}/LC_MESSAGES/{doc}.po", entries=n, translated=t,
                                      exists=exists) for doc, lang, n, t, exists in cats), ())


@pytest.mark.parametrize("percent, colour", [(100, "#4c1"), (99, "#97ca00"), (90, "#97ca00"), (89, "#a4a61d"),
                                             (75, "#a4a61d"), (74, "#dfb317"), (50, "#dfb317"), (49, "#fe7d37"),
                                             (25, "#fe7d37"), (24, "#e05d44"), (0, "#e05d44")])
def test_colour_thresholds(percent, colour):
    assert colour_for(percent) == colour


def test_percentage_is_reviewed_over_all_entries_of_the_language_rounded_down():
    st = _status(("a", "uk", 150, 149, True), ("b", "uk", 50, 50, True), ("a", "en", 3, 1, True))
    uk = language_badge(st, "uk")
    assert (uk.label, uk.value, uk.percent) == ("uk translated", "99%", 99)  # 199/200 = 99.5% is not 100%
    assert language_badge(st, "en").value == "33%"


def test_missing_catalogue_and_no_entries():
    assert language_badge(_status(("a", "uk", 4, 4, True), ("b", "uk", 0, 0, False)), "uk").value == "missing"
    assert language_badge(_status(), "uk").value == "no entries"


def test_svg_is_well_formed_with_escaped_text_and_accessible_title():
    svg = render_svg(Badge("x", 'x<y>&"z', "87%", "#4c1", 87))
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert root.get("aria-label") == 'x<y>&"z: 87%'
    assert root.find(f"{SVG}title").text == 'x<y>&"z: 87%'
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts == ['x<y>&"z', 'x<y>&"z', "87%", "87%"]
    width = int(root.get("width"))
    rects = list(root.iter(f"{SVG}rect"))
    assert int(rects[1].get("width")) + int(rects[2].get("width")) == width  # label + value fill the badge
    assert text_width("uk translated") < text_width("uk translated and reviewed")


def test_cli_writes_one_badge_per_language(tmp_path):
    ws = make_workspace(tmp_path, {"source_texts/a.txt": "Pierwszy akapit.\n\nDrugi akapit.\n"})
    assert invoke(ws, "run", "--engine", "none", "-q").exit_code == 0
    review_all(ws / "locales/en/LC_MESSAGES/a.po")
    result = invoke(ws, "badge")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == ["build/badges/en.svg", "build/badges/uk.svg"]
    en = ET.parse(ws / "build/badges/en.svg").getroot()
    uk = ET.parse(ws / "build/badges/uk.svg").getroot()
    assert en.get("aria-label") == "en translated: 100%"
    assert uk.get("aria-label") == "uk translated: 0%"
    out = tmp_path / "readme-badges"
    assert invoke(ws, "badge", "-o", str(out), "--to", "uk").exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == ["uk.svg"]

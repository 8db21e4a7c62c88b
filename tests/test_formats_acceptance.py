"""Acceptance as a new user: Markdown and web pages through run → drafts accepted → build.

The golden sources (a Markdown page with every construct, an HTML announcement) go through the
fake engine and through tiny REAL Argos models (gibberish drafts, the harshest test of escaping and
line breaks). After every draft is accepted as reviewed, the built documents have the source's
structure, no literal block changed, and no text the catalogue claims translated is still the
Polish source.
"""

from __future__ import annotations

import html as html_lib
from pathlib import Path

import html5lib
import polib
import pytest

from commonmark_passes import literal_content, tag_structure
from pipeline.documents import html
from pipeline.documents.formats import segment_text
from workspace import invoke, make_workspace

DATA = Path(__file__).parent / "data"
SOURCES = {
    "source_texts/wszystko.md": (DATA / "markdown-constructs/source_texts/wszystko.md").read_text(encoding="utf-8"),
    "source_texts/ogloszenie.html": (DATA / "html-announcement/source_texts/ogloszenie.html").read_text(encoding="utf-8"),
}


_INLINE = {"a", "b", "strong", "em", "i", "u", "span", "br", "code", "small", "sub", "sup", "mark"}


def _page_shape(text: str) -> tuple[list, list]:
    """Block elements in document order, and the text of script/style/pre/code, as a browser reads them.
    (Inline tags are the translation's: a model may reorder them; qa-markup counts them.)"""
    names, literal = [], []

    def walk(node):
        if node.tag not in _INLINE:
            names.append(node.tag)
        if node.tag in ("script", "style", "pre", "code") or node.get("translate") == "no":
            literal.append("".join(node.itertext()))
        for child in node:
            if isinstance(child.tag, str):
                walk(child)

    walk(html5lib.parse(text, namespaceHTMLElements=False))
    return names, literal


def _accept_drafts(ws: Path) -> None:
    for path in ws.glob("locales/*/LC_MESSAGES/*.po"):
        catalogue = polib.pofile(str(path))
        for entry in catalogue:
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        catalogue.save()


def _assert_built_as_claimed(ws: Path) -> None:
    for lang in ("en", "uk"):
        for name, source in SOURCES.items():
            stem = Path(name).stem
            built = (ws / "build" / lang / Path(name).name).read_text(encoding="utf-8")
            catalogue = polib.pofile(str(ws / "locales" / lang / "LC_MESSAGES" / f"{stem}.po"))
            claimed = {e.msgid for e in catalogue if e.translated() and e.msgstr != e.msgid}
            assert claimed
            if name.endswith(".md"):
                assert tag_structure(built) == tag_structure(source)
                assert literal_content(built) == literal_content(source)
                left = [s.text for s in segment_text(built, "markdown").segments if s.text in claimed]
            else:
                assert _page_shape(built) == _page_shape(source)
                assert f'<html lang="{lang}">' in built
                left = [s.text for s in html.segment_text(built).segments if html_lib.unescape(s.text) in claimed]
            assert left == [], (lang, name)


def test_fake_engine_drafts_accepted_and_built(tmp_path) -> None:
    ws = make_workspace(tmp_path, SOURCES)
    result = invoke(ws, "run", "--engine", "fake")
    assert result.exit_code == 0, result.output
    assert "look like web-page interface text" in result.stderr  # the <nav> and "Przewiń do góry"
    _accept_drafts(ws)
    assert invoke(ws, "build").exit_code == 0
    assert invoke(ws, "check").exit_code == 0
    _assert_built_as_claimed(ws)


@pytest.mark.slow
def test_tiny_argos_models_drafts_accepted_and_built(tmp_path) -> None:
    from argos_fixture import build_argos_package

    folder = tmp_path / "archives"
    folder.mkdir()
    archives = [build_argos_package(folder, "pl", "en", version="1.9", seed=1),
                build_argos_package(folder, "en", "uk", version="1.9", seed=2)]
    ws = make_workspace(tmp_path, {**SOURCES, "pyproject.toml":
                                   '[tool.outreach]\nmodels_dir = "models"\nbeam_size = 1\nthreads = 1\n'})
    assert invoke(ws, "models", "install", *map(str, archives)).exit_code == 0
    result = invoke(ws, "run", "--engine", "argos")
    assert result.exit_code == 0, result.output
    _accept_drafts(ws)
    assert invoke(ws, "build").exit_code == 0
    _assert_built_as_claimed(ws)

"""The librarian's Word and LibreOffice documents through tiny REAL Argos models (see argos_fixture.py).

The models' output is gibberish; what is checked is what the pipeline promises
whatever the model says: one entry per paragraph, the date's digits, the phone
number, the URL and every inline code verbatim in the drafts, and a build that
puts the drafts back into the documents.
"""

from __future__ import annotations

import re

import polib
import pytest
from argos_fixture import build_argos_package

from office_fixtures import PHONE, URL, announcement_docx, leaflet_odt
from pipeline.documents import formats
from test_office import ANNOUNCEMENT, LEAFLET, source
from workspace import invoke, make_workspace, msgfmt_check, review_all

pytestmark = pytest.mark.slow
_CODES = re.compile(r"<[^<>]+>")


def test_office_documents_with_real_argos_models(tmp_path):
    archives = [build_argos_package(tmp_path / "archives", "pl", "en", version="1.9", seed=1),
                build_argos_package(tmp_path / "archives", "en", "uk", version="1.9", seed=2)]
    ws = make_workspace(tmp_path, {
        "source_texts/ogloszenie.docx": announcement_docx(tmp_path / "a.docx").read_bytes(),
        "source_texts/zbiorka.odt": leaflet_odt(tmp_path / "b.odt").read_bytes(),
        "pyproject.toml": '[tool.outreach]\nmodels_dir = "models"\nbeam_size = 1\nthreads = 1\n',
    })
    assert invoke(ws, "models", "install", *map(str, archives)).exit_code == 0
    result = invoke(ws, "run", "--to", "en,uk")
    assert result.exit_code == 0, result.stderr
    for lang in ("en", "uk"):
        for doc, expected in (("ogloszenie", ANNOUNCEMENT), ("zbiorka", LEAFLET)):
            po_path = ws / f"locales/{lang}/LC_MESSAGES/{doc}.po"
            msgfmt_check(po_path)
            po = polib.pofile(str(po_path))
            assert [e.msgid for e in po] == [text for text, _kind in expected]
            for entry in po:
                if not entry.msgstr:
                    continue
                assert "machine translation: argos" in entry.tcomment
                for token in ("12", "2026", "10:00", PHONE, URL):
                    assert (token in entry.msgid) <= (token in entry.msgstr), (token, entry.msgstr)
                assert sorted(_CODES.findall(entry.msgid)) == sorted(_CODES.findall(entry.msgstr)), entry.msgstr
            assert sum(bool(e.msgstr) for e in po) >= len(expected) - 1
    for doc in ("ogloszenie", "zbiorka"):
        review_all(ws / f"locales/en/LC_MESSAGES/{doc}.po", lambda e: e.msgstr or e.msgid)
    result = invoke(ws, "build")
    assert result.exit_code == 0, result.stderr
    for name, expected in (("ogloszenie.docx", ANNOUNCEMENT), ("zbiorka.odt", LEAFLET)):
        built = formats.segment(source((ws / "build/en" / name).read_bytes(), name)).segments
        reviewed = {e.msgid: e.msgstr for e in polib.pofile(str(ws / f"locales/en/LC_MESSAGES/{name.split('.')[0]}.po"))}
        assert [s.kind for s in built] == [kind for _text, kind in expected]
        assert sum(s.text != text for s, (text, _k) in zip(built, expected)) >= len(expected) - 2
        assert all(s.text in reviewed.values() or s.text in reviewed for s in built)

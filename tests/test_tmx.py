"""TMX 1.4b reading and writing (pipeline.catalogs.tmx), in memory."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from pipeline.catalogs import tmx
from pipeline.errors import CatalogError
from pipeline.catalogs.tmx import Unit

TRICKY = 'Godziny: 9:00–17:00 & "sobota" <zamknięte>\nul. Długa 5 — tel. 22 123 45 67 😀'


def test_round_trip_keeps_every_character():
    units = [Unit(TRICKY, "Hours: 9:00–17:00 & 'Saturday' <closed>\nDługa St 5", "en", "godziny"),
             Unit("  spacje na brzegach  ", "  edge spaces  ", "uk", ""),
             Unit("Kurs", "Курс", "pt_BR", "b")]
    data = tmx.format_tmx(units, "pl")
    assert tmx.parse_tmx(data, "pl") == units


def test_written_header_and_structure():
    data = tmx.format_tmx([Unit("Tak", "Yes", "en", "a")], "pl", creation_date="20240101T120000Z")
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE tmx SYSTEM "tmx14.dtd">')
    root = ET.fromstring(data)
    assert root.tag == "tmx" and root.get("version") == "1.4"
    header = root.find("header")
    for name, value in {"srclang": "pl", "adminlang": "en", "segtype": "paragraph", "o-tmf": "outreach",
                        "creationtool": "outreach", "datatype": "plaintext", "creationdate": "20240101T120000Z"}.items():
        assert header.get(name) == value
    assert header.get("creationtoolversion")
    tu = root.find("body/tu")
    assert tu.find("prop").get("type") == tmx.DOCUMENT_PROP and tu.find("prop").text == "a"
    langs = [tuv.get("{http://www.w3.org/XML/1998/namespace}lang") for tuv in tu.findall("tuv")]
    assert langs == ["pl", "en"]


def test_output_is_stable():
    units = [Unit("Tak", "Yes", "en"), Unit("Nie", "Ні", "uk")]
    assert tmx.format_tmx(units, "pl") == tmx.format_tmx(list(units), "pl")


def test_multilingual_units_and_language_tags():
    data = """<?xml version="1.0"?>
<tmx version="1.4"><header srclang="pl-PL" segtype="sentence"/><body>
<tu><tuv xml:lang="PL-pl"><seg>Witamy</seg></tuv><tuv xml:lang="en-GB"><seg>Welcome</seg></tuv>
    <tuv lang="uk"><seg>Ласкаво просимо</seg></tuv><tuv xml:lang="de"><seg> </seg></tuv></tu>
<tu><tuv xml:lang="en"><seg>No source here</seg></tuv><tuv xml:lang="uk"><seg>Тут</seg></tuv></tu>
</body></tmx>""".encode("utf-8")
    assert tmx.parse_tmx(data, "pl") == [Unit("Witamy", "Welcome", "en_GB"), Unit("Witamy", "Ласкаво просимо", "uk")]


def test_inline_markup_is_read_as_its_text():
    data = """<tmx version="1.4"><header/><body><tu>
<tuv xml:lang="pl"><seg>To jest <bpt i="1">**</bpt>ważne<ept i="1">**</ept><ph>&lt;br/&gt;</ph>!</seg></tuv>
<tuv xml:lang="en"><seg>This is <hi>important</hi>!</seg></tuv></tu></body></tmx>""".encode("utf-8")
    assert tmx.parse_tmx(data, "pl") == [Unit("To jest **ważne**<br/>!", "This is important!", "en")]


def test_utf16_file_from_a_cat_tool(tmp_path):
    text = '<?xml version="1.0" encoding="UTF-16"?>\n<tmx version="1.4"><header/><body><tu>' \
           '<tuv xml:lang="pl"><seg>Żółw</seg></tuv><tuv xml:lang="uk"><seg>Черепаха</seg></tuv></tu></body></tmx>'
    path = tmp_path / "trados.tmx"
    path.write_bytes(text.encode("utf-16"))
    assert tmx.read_tmx(path, "pl") == [Unit("Żółw", "Черепаха", "uk")]


@pytest.mark.parametrize("data, line, message", [
    (b'<tmx version="1.4">\n<header/>\n<body>\n<tu>\n</body></tmx>', 5, "not valid XML: mismatched tag"),
    (b"", 1, "not valid XML"),
    (b'<?xml version="1.0"?>\n<xliff/>', 2, "not a TMX file: the root element is <xliff>"),
    (b'<tmx>\n<body/></tmx>', 1, "one <header> and one <body>"),
    (b'<tmx><header/><body>\n<tu>\n<tuv><seg>x</seg></tuv></tu></body></tmx>', 3, "<tuv> without xml:lang"),
    (b'<tmx><header/><body>\n<tu>\n<tuv xml:lang="pl"></tuv></tu></body></tmx>', 3, "exactly one <seg>"),
    (b'<tmx><header/><body>\n\n<tu></tu></body></tmx>', 3, "<tu> without any <tuv>"),
    (b'<?xml version="1.0"?>\n<!DOCTYPE tmx [\n<!ENTITY lol "lol">\n]>\n<tmx/>', 3, "entity declarations are not allowed"),
])
def test_malformed_files_name_the_line(data, line, message):
    with pytest.raises(CatalogError) as caught:
        tmx.parse_tmx(data, "pl", path="mem.tmx")
    assert caught.value.path == "mem.tmx"
    assert caught.value.line == line
    assert message in caught.value.message
    assert str(caught.value).startswith(f"mem.tmx:{line}: ")


def test_unreadable_file(tmp_path):
    with pytest.raises(CatalogError, match="cannot read"):
        tmx.read_tmx(tmp_path / "missing.tmx", "pl")


def test_language_codes():
    assert tmx.to_tmx_lang("pt_BR") == "pt-BR"
    assert tmx.from_tmx_lang("pt-br") == "pt_BR"
    assert tmx.from_tmx_lang("EN") == "en"
    assert tmx.from_tmx_lang("sr-Latn-RS") == "sr_RS"
    assert tmx.same_language("en_GB", "en") and tmx.same_language("en", "en")
    assert not tmx.same_language("en", "en_GB") and not tmx.same_language("uk", "en")


def test_text_xml_cannot_carry_is_refused():
    assert not tmx.writable("bell\x07")
    assert tmx.writable("tab\tand\nnewline")
    with pytest.raises(ValueError):
        tmx.format_tmx([Unit("a\x0c", "b", "en")], "pl")


def test_import_of_a_tmx_in_another_source_language_says_why_nothing_came(tmp_path):
    import json

    from workspace import invoke, make_workspace

    ws = make_workspace(tmp_path, {"source_texts/a.txt": "Zapraszamy.\n"})
    english = tmp_path / "en-de.tmx"
    english.write_text('<tmx version="1.4"><header srclang="en-US"/><body>'
                       '<tu><tuv xml:lang="en-US"><seg>Welcome</seg></tuv><tuv xml:lang="de"><seg>Willkommen</seg></tuv></tu>'
                       '<tu><tuv xml:lang="en-US"><seg>Yes</seg></tuv><tuv xml:lang="de"><seg>Ja</seg></tuv></tu>'
                       "</body></tmx>", encoding="utf-8")
    result = invoke(ws, "memory", "import", str(english))
    assert result.exit_code == 0
    assert (f"note: {english}: 0 of 2 units imported: it translates from en_US, and this workspace's source "
            "language is pl (only units with a pl text can be imported)") in result.stderr
    empty = tmp_path / "empty.tmx"
    empty.write_text('<tmx version="1.4"><header srclang="pl"/><body></body></tmx>', encoding="utf-8")
    data = json.loads(invoke(ws, "memory", "import", str(empty), "--json").stdout)
    assert data["read"] == 0 and data["notes"] == [f"{empty}: no translation units (<tu>) in the file"]
    polish = tmp_path / "pl-en.tmx"
    polish.write_text('<tmx version="1.4"><header srclang="pl"/><body><tu><tuv xml:lang="pl"><seg>Tak</seg></tuv>'
                      '<tuv xml:lang="en"><seg>Yes</seg></tuv></tu></body></tmx>', encoding="utf-8")
    assert "note:" not in invoke(ws, "memory", "import", str(polish)).stderr


# ------------------------------------------------------------------ hostile files

def tmx_with(seg: str) -> bytes:
    return (f'<tmx version="1.4"><header/><body><tu><tuv xml:lang="pl"><seg>{seg}</seg></tuv>'
            '<tuv xml:lang="en"><seg>x</seg></tuv></tu></body></tmx>').encode()


@pytest.mark.parametrize("doctype", [
    '<!DOCTYPE tmx [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',  # billion laughs
    '<!DOCTYPE tmx [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',                                # XXE
    '<!DOCTYPE tmx [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote;]>',       # parameter entity
])
def test_entities_are_refused_never_resolved(doctype):
    with pytest.raises(CatalogError, match="entity declarations are not allowed"):
        tmx.parse_tmx(doctype.encode() + tmx_with("&b;"), "pl", path="mem.tmx")


def test_deep_nesting_is_refused_with_the_line():
    deep = b"<tmx>" + b"\n<a>" * 100_000 + b"</a>" * 100_000 + b"</tmx>"
    with pytest.raises(CatalogError, match=f"mem.tmx:{tmx.MAX_DEPTH + 1}: elements nested more than {tmx.MAX_DEPTH} deep"):
        tmx.parse_tmx(deep, "pl", path="mem.tmx")


def test_nested_inline_markup_keeps_its_text_once():
    seg = "<hi>" * 50 + "Żółw" + "</hi>" * 50 + " <ph>{1}</ph>"
    assert tmx.parse_tmx(tmx_with(seg), "pl") == [Unit("Żółw {1}", "x", "en")]


def test_too_large_a_memory_is_refused_before_reading(tmp_path, monkeypatch):
    path = tmp_path / "memory.tmx"
    path.write_bytes(tmx_with("Żółw"))
    monkeypatch.setattr(tmx, "MAX_BYTES", 100)
    with pytest.raises(CatalogError, match=r"memory.tmx: too large for a translation memory \(\d+ bytes, at most 100\)"):
        tmx.read_tmx(path, "pl")

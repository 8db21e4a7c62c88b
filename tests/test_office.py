"""Word (.docx) and OpenDocument (.odt) sources: segments, inline codes, rebuild, hostile packages.

Fixtures are written at test time by python-docx and odfpy (tests/office_fixtures.py);
the LibreOffice-made documents and the real-client checks are in test_libreoffice.py.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import docx
import polib
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from profiles import examples
from office_fixtures import DATE, PHONE, URL, announcement_docx, leaflet_odt, member, zip_with
from pipeline.documents import docx as docx_format
from pipeline.documents import formats, odt, office
from pipeline.documents.sources import SourceDocument
from pipeline.errors import SourceError
from workspace import invoke, make_workspace, msgfmt_check, review_all

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
ANNOUNCEMENT = [
    ("Dzień otwarty biblioteki", "heading"),
    (f"Zapraszamy <b>w sobotę {DATE}</b> o 10:00 na dzień otwarty w naszej bibliotece.", "paragraph"),
    (f'Szczegóły i zapisy na stronie <a href="{URL}">dzień otwarty</a>.', "paragraph"),
    ("Godziny otwarcia", "heading"),
    ("Poniedziałek–piątek", "table cell"),
    ("Sobota", "table cell"),
    ("Niedziela", "table cell"),
    ("nieczynne", "table cell"),
    ("Kontakt:<tab/><i>info@biblioteka.example.org</i><br/>Wstęp wolny.", "paragraph"),
    (f"Biblioteka Publiczna, ul. Długa 5, 00-950 Warszawa, tel. {PHONE}", "footer"),
]
LEAFLET = [
    ("Zbiórka książek dla dzieci", "heading"),
    (f"Zbieramy książki <b>do {DATE}</b> w godzinach otwarcia biblioteki.<x1/>", "paragraph"),
    ("Książki muszą być czyste i kompletne.", "footnote"),
    ("Bajki i baśnie dla najmłodszych", "list item"),
    ("Komiksy i powieści przygodowe", "list item"),
    ("Atlasy i encyklopedie", "list item"),
    (f"Więcej informacji: {URL}", "paragraph"),
    ("Biblioteka Publiczna na Woli", "header"),
    (f"ul. Długa 5, 00-950 Warszawa, tel. {PHONE}", "footer"),
]


def source(data: bytes, name: str = "a.docx") -> SourceDocument:
    fmt = formats.for_suffix(Path(name).suffix)
    return SourceDocument(Path(name), name, Path(name).stem, fmt.name, "", "binary", data)


def segments(data: bytes, name: str = "a.docx") -> list[tuple[str, str]]:
    return [(s.text, s.kind) for s in formats.segment(source(data, name)).segments]


def build(data: bytes, name: str, translate, language: str = "en", keep_identical: bool = True) -> bytes:
    src = source(data, name)
    module = docx_format if name.endswith(".docx") else odt
    return module.render(src, formats.segment(src), translate, language, keep_identical=keep_identical)


@pytest.fixture(scope="module")
def announcement(tmp_path_factory) -> bytes:
    return announcement_docx(tmp_path_factory.mktemp("docx") / "a.docx").read_bytes()


@pytest.fixture(scope="module")
def leaflet(tmp_path_factory) -> bytes:
    return leaflet_odt(tmp_path_factory.mktemp("odt") / "a.odt").read_bytes()


# ---------------------------------------------------------------- segments

def test_word_announcement_is_one_entry_per_paragraph(announcement):
    assert segments(announcement) == ANNOUNCEMENT
    lines = [s.line for s in formats.segment(source(announcement)).segments]
    assert lines == sorted(lines) and len(set(lines)) == len(lines)  # paragraph ordinals


def test_odt_leaflet_is_one_entry_per_paragraph(leaflet):
    assert segments(leaflet, "a.odt") == LEAFLET


def test_character_styles_read_as_what_they_set():
    document = docx.Document()
    p = document.add_paragraph("Zapraszamy ")
    p.add_run("w sobotę", style="Strong")
    p.add_run(" na ")
    p.add_run("warsztaty", style="Emphasis")
    out = io.BytesIO()
    document.save(out)
    assert segments(out.getvalue()) == [("Zapraszamy <b>w sobotę</b> na <i>warsztaty</i>", "paragraph")]
    built = build(out.getvalue(), "a.docx", lambda i, s: "<i>Workshops</i> on <b>Saturday</b>")
    runs = docx.Document(io.BytesIO(built)).paragraphs[0].runs
    assert [(r.text, r.style.name) for r in runs] == [("Workshops", "Emphasis"), (" on ", "Default Paragraph Font"),
                                                      ("Saturday", "Strong")]


def _noisy(document_xml: bytes) -> bytes:
    """What Word adds while someone types: split runs, rsids, proofing marks, bookmarks, w:lang."""
    root = etree.fromstring(document_xml)
    p = next(p for p in root.iter(f"{W}p") if "Zapraszamy" in "".join(p.itertext()))
    first = p.findall(f"{W}r")[0]
    text = first.find(f"{W}t")
    text.text = "Zapra"
    twin = etree.fromstring(etree.tostring(first))
    twin.find(f"{W}t").text = "szamy "
    twin.set(f"{W}rsidR", "00AB12CD")
    rpr = etree.SubElement(twin, f"{W}rPr")
    twin.insert(0, rpr)
    etree.SubElement(rpr, f"{W}lang").set(f"{W}val", "pl-PL")
    index = list(p).index(first)
    for offset, element in enumerate([etree.Element(f"{W}proofErr"), etree.Element(f"{W}bookmarkStart"), twin,
                                      etree.Element(f"{W}bookmarkEnd"), etree.Element(f"{W}proofErr")]):
        p.insert(index + 1 + offset, element)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def test_word_noise_never_splits_a_paragraph(announcement):
    noisy = zip_with(announcement, {"word/document.xml": _noisy(member(announcement, "word/document.xml"))})
    assert "Zapra" in member(noisy, "word/document.xml").decode()
    assert segments(noisy) == ANNOUNCEMENT
    built = build(noisy, "a.docx", lambda i, s: s.text, keep_identical=False)
    assert segments(built) == ANNOUNCEMENT
    assert b"bookmarkStart" in member(built, "word/document.xml")  # kept, at the paragraph's start


# ---------------------------------------------------------------- inline codes

@pytest.mark.parametrize("translation, problem", [
    ("<b>On Saturday</b> we invite you", None),
    ("We invite you on Saturday", "missing <b>"),
    ("<b>On Saturday we invite you", "is not closed"),
    ("<b>On</b> <b>Saturday</b>", "not in the source <b>"),
    ("<i>On Saturday</i>", "missing <b>"),
    ("<b>On <g1>Saturday</g1></b>", "inside"),
    ("<b>On Saturday</b> <x1/><x1/>", "not in the source <x1/>"),
    ("<b>On Saturday</b> < we", "broken tag"),
])
def test_problem_names_what_is_wrong_with_the_tags(translation, problem):
    found = office.problem("Zapraszamy <b>w sobotę</b>", translation)
    assert found is None if problem is None else problem in found


def _flat(items) -> list:
    """Items as comparable tuples, adjacent text of one format merged."""
    out: list = []
    for item in items:
        if isinstance(item, office.Text):
            if out and out[-1][0] == "text" and out[-1][1] == item.fmt:
                out[-1] = ("text", item.fmt, out[-1][2] + item.text)
            else:
                out.append(("text", item.fmt, item.text))
        elif isinstance(item, office.Link):
            out.append(("link", item.href, tuple(_flat(item.items))))
        else:
            out.append((item.kind, item.fmt if item.kind != "x" else None, id(item.payload)))
    return out


_texts = st.text(alphabet="ab <>&;/lt\"x1", min_size=1, max_size=6)
_plain = st.one_of(st.builds(office.Text, _texts, st.sampled_from("PBI")),
                   st.builds(office.Fixed, st.sampled_from(["tab", "br"]), st.sampled_from("PBI")),
                   st.builds(office.Fixed, st.just("x"), st.sampled_from("PBI"), st.builds(object)))
_items = st.lists(st.one_of(_plain, st.builds(office.Link, st.sampled_from(["https://a.pl/", "#b"]), st.builds(object),
                                               st.lists(_plain, min_size=1, max_size=4))), max_size=8)


@given(_items)
@settings(max_examples=examples(500), deadline=None)
def test_inline_codes_decode_what_they_encode(items):
    msgid, codes = office.encode(items, lambda fmt, base: {"B": "b", "I": "i"}.get(fmt), lambda fmt: fmt != "P")
    assert office.problem(msgid, msgid) is None
    assert _flat(office.decode(msgid, codes)) == _flat(items)


def test_qa_reports_misnested_codes_of_office_entries_only():
    from pipeline.catalogs.catalog import Entry
    from pipeline.review import qa

    msgid, msgstr = "Zapraszamy <b>w sobotę</b> na <i>warsztaty</i>.", "Welcome <b>on Saturday <i>to</b> workshops</i>."
    codes = lambda ref: [p.code for p in qa.check_entry(Entry(msgid, msgstr, references=(ref,)), "en", "pl")]  # noqa: E731
    assert "qa-markup" in codes("source_texts/a.docx:3") and "qa-markup" in codes("source_texts/a.odt:3")
    assert "qa-markup" not in codes("source_texts/a.md:3")  # HTML in Markdown: counted, not parsed as codes
    moved = Entry(msgid, "<i>Workshops</i> on <b>Saturday</b>: welcome.", references=("source_texts/a.docx:3",))
    assert "qa-markup" not in [p.code for p in qa.check_entry(moved, "en", "pl")]


def test_a_moved_tag_moves_its_formatting(announcement, leaflet):
    english = {1: f"<b>On Saturday, {DATE}</b>, come to our open day at 10:00."}
    built = build(announcement, "a.docx", lambda i, s: english.get(i, s.text))
    paragraph = docx.Document(io.BytesIO(built)).paragraphs[2]
    assert [(run.text, bool(run.bold)) for run in paragraph.runs] == [
        (f"On Saturday, {DATE}", True), (", come to our open day at 10:00.", False)]
    odt_english = {1: f"We collect books <b>until {DATE}</b><x1/> during opening hours."}
    content = member(build(leaflet, "a.odt", lambda i, s: odt_english.get(i, s.text)), "content.xml").decode()
    assert re.search(rf'<text:span text:style-name="T1">until {DATE}</text:span><text:note ', content)


def test_untouched_paragraphs_and_parts_stay_byte_identical(announcement, leaflet):
    for data, name in ((announcement, "a.docx"), (leaflet, "a.odt")):
        same = build(data, name, lambda i, s: s.text)
        with zipfile.ZipFile(io.BytesIO(data)) as a, zipfile.ZipFile(io.BytesIO(same)) as b:
            assert [i.filename for i in a.infolist()] == [i.filename for i in b.infolist()]
            assert [i.compress_type for i in a.infolist()] == [i.compress_type for i in b.infolist()]
            assert all(a.read(n) == b.read(n) for n in a.namelist())
    one = build(announcement, "a.docx", lambda i, s: "Öffnungszeiten" if s.text == "Godziny otwarcia" else s.text, "de")
    with zipfile.ZipFile(io.BytesIO(announcement)) as a, zipfile.ZipFile(io.BytesIO(one)) as b:
        changed = {n for n in a.namelist() if a.read(n) != b.read(n)}
    assert changed == {"word/document.xml", "word/styles.xml"}  # the text, and the language of the styles


def _normalised(xml: bytes) -> bytes:
    """Canonical XML without what a rebuild may drop or merge: rsids, w:lang, proofing marks, split runs."""
    root = etree.fromstring(xml)
    for element in root.iter():
        for name in [a for a in element.attrib if "rsid" in a]:
            del element.attrib[name]
    for element in list(root.iter(f"{W}lang", f"{W}proofErr")):
        element.getparent().remove(element)
    for p in root.iter(f"{W}p"):
        previous = None
        for run in list(p):
            if run.tag != f"{W}r":
                previous = None
                continue
            key = etree.tostring(run.find(f"{W}rPr")) if run.find(f"{W}rPr") is not None else b""
            if previous is not None and previous[0] == key:
                for child in run:
                    if child.tag != f"{W}rPr":
                        previous[1].append(child)
                p.remove(run)
            else:
                previous = (key, run)
        for run in p.iter(f"{W}r"):
            texts = run.findall(f"{W}t")
            for a, b in zip(texts, texts[1:]):
                if a.getnext() is b:
                    b.text, a.text = (a.text or "") + (b.text or ""), None
            for t in run.findall(f"{W}t"):
                if t.text is None:
                    run.remove(t)
                else:
                    t.attrib.pop("{http://www.w3.org/XML/1998/namespace}space", None)
    return etree.tostring(root, method="c14n")


def test_round_trip_with_msgstr_equal_to_msgid_keeps_the_xml(announcement, leaflet):
    rebuilt = build(announcement, "a.docx", lambda i, s: s.text, keep_identical=False)
    for part in ("word/document.xml", "word/footer1.xml"):
        assert _normalised(member(rebuilt, part)) == _normalised(member(announcement, part)), part
    rebuilt = build(leaflet, "a.odt", lambda i, s: s.text, language="pl", keep_identical=False)
    for part in ("content.xml", "styles.xml"):
        canonical = lambda data: etree.tostring(etree.fromstring(data), method="c14n")  # noqa: E731
        assert canonical(member(rebuilt, part)) == canonical(member(leaflet, part)), part


def test_the_documents_language_becomes_the_target_language(announcement, leaflet):
    upper = lambda i, s: s.text.upper()  # noqa: E731
    styles = member(build(announcement, "a.docx", upper, "uk"), "word/styles.xml").decode()
    assert 'w:val="uk-UA"' in styles and "pl-PL" not in styles and 'w:val="en-US"' not in styles
    built = build(leaflet, "a.odt", upper, "en")
    assert 'fo:language="en" fo:country="US"' in member(built, "styles.xml").decode()
    assert 'fo:language="pl"' not in member(built, "styles.xml").decode()


TEXT_BOX = ('<w:r><w:pict><v:shape xmlns:v="urn:schemas-microsoft-com:vml" style="width:200pt;height:40pt">'
            '<v:textbox><w:txbxContent><w:p><w:r><w:t>Tekst w ramce: wstęp wolny</w:t></w:r></w:p></w:txbxContent>'
            '</v:textbox></v:shape></w:pict></w:r>')
FOOTNOTE_REF = '<w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:footnoteReference w:id="1"/></w:r>'
PAGE_FIELD = ('<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> PAGE </w:instrText>'
              '</w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r>'
              '<w:r><w:fldChar w:fldCharType="end"/></w:r>')
FOOTNOTES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes xmlns:w="http://schemas.openxmlformats'
             '.org/wordprocessingml/2006/main"><w:footnote w:type="separator" w:id="0"><w:p><w:r><w:separator/></w:r>'
             '</w:p></w:footnote><w:footnote w:id="1"><w:p><w:r><w:t>Dla dorosłych i dzieci.</w:t></w:r></w:p>'
             '</w:footnote></w:footnotes>')


def _with_box_footnote_and_field(data: bytes) -> bytes:
    document = member(data, "word/document.xml").decode()
    document = document.replace("<w:r><w:t>Wstęp wolny.</w:t></w:r>",
                                f"<w:r><w:t>Wstęp wolny.</w:t></w:r>{FOOTNOTE_REF}{TEXT_BOX}", 1)
    footer = member(data, "word/footer1.xml").decode().replace("</w:t></w:r></w:p>",
                                                               f" strona </w:t></w:r>{PAGE_FIELD}</w:p>", 1)
    rels = member(data, "word/_rels/document.xml.rels").decode().replace(
        "</Relationships>", '<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/footnotes" Target="footnotes.xml"/></Relationships>')
    types = member(data, "[Content_Types].xml").decode().replace(
        "</Types>", '<Override PartName="/word/footnotes.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.wordprocessingml.footnotes+xml"/></Types>')
    return zip_with(data, {"word/document.xml": document.encode(), "word/footer1.xml": footer.encode(),
                           "word/_rels/document.xml.rels": rels.encode(), "[Content_Types].xml": types.encode()},
                    extra={"word/footnotes.xml": FOOTNOTES.encode()})


def test_text_boxes_footnotes_and_fields_in_word(announcement):
    data = _with_box_footnote_and_field(announcement)
    found = segments(data)
    assert found[8] == ("Kontakt:<tab/><i>info@biblioteka.example.org</i><br/>Wstęp wolny.<x1/><x2/>", "paragraph")
    assert found[9] == ("Tekst w ramce: wstęp wolny", "text box")
    assert found[10] == (f"Biblioteka Publiczna, ul. Długa 5, 00-950 Warszawa, tel. {PHONE} strona <x1/>", "footer")
    assert found[11] == ("Dla dorosłych i dzieci.", "footnote")
    english = {8: "Contact:<tab/><i>info@biblioteka.example.org</i><br/>Admission free.<x1/><x2/>",
               9: "Text in a box: admission free", 10: f"Public Library, 5 Długa St, Warsaw, phone {PHONE} page <x1/>",
               11: "For adults and children."}
    built = build(data, "a.docx", lambda i, s: english.get(i, s.text))
    assert [text for text, _kind in segments(built)][8:] == list(english.values())
    assert PAGE_FIELD.replace(' xml:space="preserve"', "") in member(built, "word/footer1.xml").decode().replace(
        ' xml:space="preserve"', "")


CONTROL = ('<w:sdt><w:sdtPr><w:alias w:val="Prowadzący"/><w:tag w:val="host"/><w:id w:val="7"/><w:text/>'
           '</w:sdtPr><w:sdtContent><w:r><w:rPr><w:b/></w:rPr><w:t>pani Anna z czytelni</w:t></w:r></w:sdtContent></w:sdt>')
SMART_TAG = ('<w:smartTag w:uri="urn:schemas-microsoft-com:office:smarttags" w:element="place"><w:smartTagPr>'
             '<w:attr w:name="kind" w:val="city"/></w:smartTagPr><w:r><w:t>Warszawie</w:t></w:r></w:smartTag>')
BOUND = ('<w:sdt><w:sdtPr><w:dataBinding w:xpath="/ns0:coreProperties[1]/ns1:title[1]" w:storeItemID="{6C3C8BC8}"/>'
         '</w:sdtPr><w:sdtContent><w:r><w:t>Tytuł z właściwości</w:t></w:r></w:sdtContent></w:sdt>')


def _with_controls(data: bytes) -> bytes:
    xml = member(data, "word/document.xml").decode()
    xml = xml.replace("<w:r><w:t>Wstęp wolny.</w:t></w:r>",
                      f"<w:r><w:t xml:space=\"preserve\">Prowadzi </w:t></w:r>{CONTROL}"
                      f"<w:r><w:t xml:space=\"preserve\"> w </w:t></w:r>{SMART_TAG}<w:r><w:t>.</w:t></w:r>{BOUND}", 1)
    assert "w:sdtContent" in xml
    return zip_with(data, {"word/document.xml": xml.encode()})


def test_content_controls_and_smart_tags_are_translated_in_place(announcement):
    data = _with_controls(announcement)
    found = segments(data)
    assert found[8] == ("Kontakt:<tab/><i>info@biblioteka.example.org</i><br/>Prowadzi <c1>pani Anna z czytelni</c1>"
                        " w <c2>Warszawie</c2>.<x1/>", "paragraph")   # (bold throughout the control, like a link's own format)
    english = "Contact:<tab/><i>info@biblioteka.example.org</i><br/>Hosted in <c2>Warsaw</c2> by <c1>Anna from the reading room</c1>.<x1/>"
    built = build(data, "a.docx", lambda i, s: english if i == 8 else s.text)
    assert segments(built)[8][0] == english.replace("c1", "cX").replace("c2", "c1").replace("cX", "c2")  # numbered in order
    body = etree.fromstring(member(built, "word/document.xml"))
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    control, bound = body.iter(f"{w}sdt")
    assert [el.get(f"{w}val") for el in control.find(f"{w}sdtPr")[:2]] == ["Prowadzący", "host"]   # the control kept
    assert "".join(control.find(f"{w}sdtContent").itertext()) == "Anna from the reading room"
    assert control.find(f"{w}sdtContent/{w}r/{w}rPr/{w}b") is not None   # still bold
    tag = next(body.iter(f"{w}smartTag"))
    assert tag.get(f"{w}element") == "place" and tag[0].tag == f"{w}smartTagPr" and "".join(tag.itertext()) == "Warsaw"
    assert "".join(bound.itertext()) == "Tytuł z właściwości"   # data-bound: Word refills it, so left as is
    # A translation that loses a container's tag is not built (the paragraph stays as it was).
    assert office.problem(found[8][0], english.replace("<c2>", "").replace("</c2>", "")) == "placeholders differ: missing <c2>"
    assert office.problem(found[8][0], english.replace("<c2>Warsaw</c2>", "<b><c2>Warsaw</c2></b>")) == "<c2> inside another tag"


def test_text_boxes_in_odt(leaflet):
    content = member(leaflet, "content.xml").decode().replace(
        '<text:p text:style-name="Standard">Więcej',
        '<text:p text:style-name="Standard"><draw:frame xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
        'draw:name="Ramka"><draw:text-box><text:p>Tekst w ramce</text:p></draw:text-box></draw:frame>Więcej', 1)
    assert "draw:frame" in content
    data = zip_with(leaflet, {"content.xml": content.encode()})
    found = segments(data, "a.odt")
    assert found[6:8] == [(f"<x1/>Więcej informacji: {URL}", "paragraph"), ("Tekst w ramce", "text box")]
    built = build(data, "a.odt", lambda i, s: {6: f"More information: {URL}<x1/>", 7: "Text in a box"}.get(i, s.text))
    assert segments(built, "a.odt")[6:8] == [(f"More information: {URL}<x1/>", "paragraph"), ("Text in a box", "text box")]


# ---------------------------------------------------------------- refused documents

def _tracked_docx(data: bytes) -> bytes:
    xml = member(data, "word/document.xml").decode()
    xml = xml.replace("<w:r><w:t>Sobota</w:t></w:r>",
                      '<w:ins w:id="1" w:author="A" w:date="2026-01-01T00:00:00Z"><w:r><w:t>Sobota</w:t></w:r></w:ins>', 1)
    assert "w:ins " in xml
    return zip_with(data, {"word/document.xml": xml.encode()})


def _tracked_odt(data: bytes) -> bytes:
    xml = member(data, "content.xml").decode()
    tracked = ('<text:tracked-changes><text:changed-region text:id="ct1"><text:insertion><office:change-info>'
               '<dc:creator xmlns:dc="http://purl.org/dc/elements/1.1/">A</dc:creator></office:change-info>'
               '</text:insertion></text:changed-region></text:tracked-changes>')
    return zip_with(data, {"content.xml": xml.replace("<office:text>", "<office:text>" + tracked, 1).encode()})


BILLION_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
                  b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
                  b'<w:p><w:r><w:t>&b;</w:t></w:r></w:p></w:body></w:document>')
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


def _bomb(megabytes: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\x00" * (megabytes * 1024 * 1024))
    return out.getvalue()


def _many(count: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for n in range(count):
            archive.writestr(f"m/{n}", b"")
    return out.getvalue()


@pytest.mark.parametrize("make, name, message", [
    (lambda d, o: _tracked_docx(d), "a.docx", "accept or reject tracked changes first"),
    (lambda d, o: _tracked_odt(o), "a.odt", "accept or reject tracked changes first"),
    (lambda d, o: OLE + "EncryptedPackage".encode("utf-16-le"), "a.docx", "password-protected"),
    (lambda d, o: OLE, "a.docx", "an old binary Office file (.doc), not .docx"),
    (lambda d, o: b"{\\rtf1\\ansi Zapraszamy}", "a.docx", "an RTF file"),
    (lambda d, o: d[: len(d) // 2], "a.docx", "corrupt"),
    (lambda d, o: b"Zapraszamy w sobote", "a.odt", "corrupt or not .odt"),
    (lambda d, o: zip_with(d, {"word/document.xml": BILLION_LAUGHS}), "a.docx", "DTD or entity declarations"),
    (lambda d, o: zip_with(d, {"word/document.xml": b"<w:document"}), "a.docx", "corrupt XML"),
    (lambda d, o: zip_with(d, {}, extra={"../../evil.xml": b"x"}), "a.docx", "unsafe part name"),
    (lambda d, o: _bomb(65), "a.docx", "too large"),
    (lambda d, o: _bomb(8), "a.docx", "compressed suspiciously well (a zip bomb?)"),
    (lambda d, o: _many(office.MAX_MEMBERS + 1), "a.docx", "too many parts"),
    (lambda d, o: zip_with(o, {"META-INF/manifest.xml": member(o, "META-INF/manifest.xml").replace(
        b"</manifest:manifest>", b'<manifest:file-entry manifest:full-path="content.xml"><manifest:encryption-data/>'
        b"</manifest:file-entry></manifest:manifest>", 1)}), "a.odt", "password-protected"),
    (lambda d, o: d, "a.odt", "not an OpenDocument text"),
    (lambda d, o: o, "a.docx", "not a Word document"),
], ids=["tracked docx", "tracked odt", "password", "doc renamed", "rtf renamed", "truncated", "not a zip",
        "entity expansion", "malformed xml", "path traversal", "zip bomb", "zip bomb ratio", "too many parts", "encrypted odt",
        "docx renamed odt", "odt renamed docx"])
def test_bad_packages_are_one_clear_error(announcement, leaflet, make, name, message):
    with pytest.raises(SourceError) as caught:
        formats.segment(source(make(announcement, leaflet), name))
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_a_bad_document_stops_the_run_naming_the_file(tmp_path, announcement):
    ws = make_workspace(tmp_path, {"source_texts/ogloszenie.docx": _tracked_docx(announcement)})
    result = invoke(ws, "run", "--engine", "fake", "--to", "en")
    assert result.exit_code == 2
    assert "source_texts/ogloszenie.docx" in result.stderr and "accept or reject tracked changes first" in result.stderr
    assert "Traceback" not in result.stderr and not (ws / "locales").exists()


def test_comments_are_kept_and_not_translated(announcement):
    document = member(announcement, "word/document.xml").decode()
    document = document.replace("<w:r><w:t>Sobota</w:t></w:r>",
                                '<w:commentRangeStart w:id="0"/><w:r><w:t>Sobota</w:t></w:r><w:commentRangeEnd w:id="0"/>'
                                '<w:r><w:rPr><w:rStyle w:val="CommentReference"/></w:rPr><w:commentReference w:id="0"/></w:r>', 1)
    comments = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:comments xmlns:w="http://schemas.openxml'
                'formats.org/wordprocessingml/2006/main"><w:comment w:id="0" w:author="Ala"><w:p><w:r><w:t>Czy na pewno'
                ' w sobotę?</w:t></w:r></w:p></w:comment></w:comments>').encode()
    data = zip_with(announcement, {"word/document.xml": document.encode()}, extra={"word/comments.xml": comments})
    assert segments(data) == ANNOUNCEMENT
    built = build(data, "a.docx", lambda i, s: "Saturday" if s.text == "Sobota" else s.text)
    assert member(built, "word/comments.xml") == comments
    xml = member(built, "word/document.xml").decode()
    assert re.search(r'<w:commentRangeStart w:id="0"/><w:r><w:t>Saturday</w:t></w:r><w:commentRangeEnd w:id="0"/>'
                     r'<w:r><w:rPr><w:rStyle w:val="CommentReference"/></w:rPr><w:commentReference w:id="0"/></w:r>', xml)


def test_odt_comments_are_kept_and_not_translated(leaflet):
    annotation = ('<office:annotation><dc:creator xmlns:dc="http://purl.org/dc/elements/1.1/">Ala</dc:creator>'
                  '<text:p>Sprawdzić datę</text:p></office:annotation>')
    content = member(leaflet, "content.xml").decode().replace(
        '<text:p text:style-name="Standard">Więcej', f'<text:p text:style-name="Standard">{annotation}Więcej', 1)
    data = zip_with(leaflet, {"content.xml": content.encode()})
    assert segments(data, "a.odt") == LEAFLET
    built = build(data, "a.odt", lambda i, s: f"More information: {URL}" if i == 6 else s.text)
    assert f'<text:p text:style-name="Standard">{annotation}More information: {URL}</text:p>' in \
        member(built, "content.xml").decode()


# ---------------------------------------------------------------- the whole pipeline

@pytest.fixture
def office_ws(tmp_path, announcement, leaflet):
    return make_workspace(tmp_path, {"source_texts/ogloszenie.docx": announcement,
                                     "source_texts/zbiorka.odt": leaflet})


def test_run_review_build_as_a_new_user(office_ws):
    """With the fake engine (raw word reversal, no protection: the Argos test checks verbatim spans)."""
    ws = office_ws
    result = invoke(ws, "run", "--engine", "fake", "--to", "en,uk")
    assert result.exit_code == 0, result.stderr
    for lang in ("en", "uk"):
        for doc, expected in (("ogloszenie", ANNOUNCEMENT), ("zbiorka", LEAFLET)):
            po_path = ws / f"locales/{lang}/LC_MESSAGES/{doc}.po"
            msgfmt_check(po_path)
            po = polib.pofile(str(po_path))
            assert [e.msgid for e in po] == [text for text, _kind in expected]  # one entry per paragraph
            assert all(e.fuzzy and "machine translation: fake" in e.tcomment for e in po)
            assert any(e.msgstr.startswith(f"[{lang}] ") for e in po)
            kinds = {line for e in po for line in e.comment.splitlines() if line.startswith("type: ")}
            assert kinds == {f"type: {kind}" for _text, kind in expected if kind != "paragraph"}
    review_all(ws / "locales/en/LC_MESSAGES/ogloszenie.po", lambda e: "EN " + e.msgid)
    review_all(ws / "locales/en/LC_MESSAGES/zbiorka.po", lambda e: "EN " + e.msgid)
    result = invoke(ws, "build")
    assert result.exit_code == 0, result.stderr
    built = (ws / "build/en/ogloszenie.docx").read_bytes()
    assert all(text.startswith("EN ") for text, _kind in segments(built))
    runs = docx.Document(io.BytesIO(built)).paragraphs[2].runs
    assert [(r.text, bool(r.bold)) for r in runs][:2] == [("EN Zapraszamy ", False), (f"w sobotę {DATE}", True)]
    assert member(built, "word/media/image1.png") == member(office_ws.joinpath("source_texts/ogloszenie.docx")
                                                                .read_bytes(), "word/media/image1.png")
    assert all(t.startswith("EN ") for t, _k in segments((ws / "build/en/zbiorka.odt").read_bytes(), "a.odt"))
    assert (ws / "build/uk/zbiorka.odt").exists()  # not reviewed: source text, with warnings


def test_broken_placeholder_is_a_qa_error_and_the_build_keeps_the_source(office_ws):
    ws = office_ws
    assert invoke(ws, "run", "--engine", "none", "--to", "en").exit_code == 0
    po_path = ws / "locales/en/LC_MESSAGES/ogloszenie.po"
    english = {ANNOUNCEMENT[1][0]: f"We invite you on Saturday {DATE} at 10:00 to our open day.",  # <b> lost
               ANNOUNCEMENT[3][0]: "Opening hours"}
    review_all(po_path, lambda e: english.get(e.msgid, e.msgid))
    check = invoke(ws, "check", "--qa")
    assert check.exit_code == 1
    assert re.search(r"ogloszenie\.po:\d+: qa-markup: ", check.stdout + check.stderr)
    result = invoke(ws, "build")
    assert result.exit_code == 0
    assert re.search(r"ogloszenie\.po:\d+: warning: qa-markup: placeholders differ: missing <b>; source paragraph used",
                     result.stderr)
    texts = [t for t, _k in segments((ws / "build/en/ogloszenie.docx").read_bytes())]
    assert ANNOUNCEMENT[1][0] in texts and "Opening hours" in texts

"""Office documents made at test time: python-docx and odfpy write them the way a library would.

``announcement_docx`` is the librarian's Word announcement (bold date, a
two-column hours table, a logo, a hyperlink, a footer with address and
phone); ``leaflet_odt`` the LibreOffice leaflet (bulleted list, footnote,
header and footer). ``zip_with`` rewrites members of a package for the
hostile-input tests.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

import docx
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm

URL = "https://biblioteka.example.org/dzien-otwarty"
PHONE = "22 123 45 67"
DATE = "12 grudnia 2026"


def png(width: int = 60, height: int = 30, rgb: tuple[int, int, int] = (200, 30, 40)) -> bytes:
    """A small solid-colour PNG (the library's "logo")."""
    row = b"\x00" + bytes(rgb) * width
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(row * height))
            + chunk(b"IEND", b""))


def _hyperlink(paragraph, url: str, text: str) -> None:
    rid = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rid)
    run = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    style = OxmlElement("w:u")
    style.set(qn("w:val"), "single")
    rpr.append(style)
    run.append(rpr)
    t = OxmlElement("w:t")
    t.text = text
    run.append(t)
    link.append(run)
    paragraph._p.append(link)


def announcement_docx(path: Path) -> Path:
    document = docx.Document()
    document.add_picture(io.BytesIO(png()), width=Cm(3))
    document.add_heading("Dzień otwarty biblioteki", level=1)
    p = document.add_paragraph("Zapraszamy ")
    p.add_run(f"w sobotę {DATE}").bold = True
    p.add_run(" o 10:00 na dzień otwarty w naszej bibliotece.")
    p = document.add_paragraph("Szczegóły i zapisy na stronie ")
    _hyperlink(p, URL, "dzień otwarty")
    p.add_run(".")
    document.add_heading("Godziny otwarcia", level=2)
    table = document.add_table(rows=3, cols=2)
    table.style = "Table Grid"
    for row, (day, hours) in zip(table.rows, [("Poniedziałek–piątek", "10:00–19:00"),
                                              ("Sobota", "9:00–14:00"), ("Niedziela", "nieczynne")]):
        row.cells[0].text, row.cells[1].text = day, hours
    p = document.add_paragraph("Kontakt:\t")
    p.add_run("info@biblioteka.example.org").italic = True
    p.add_run().add_break()
    p.add_run("Wstęp wolny.")
    footer = document.sections[0].footer.paragraphs[0]
    footer.text = f"Biblioteka Publiczna, ul. Długa 5, 00-950 Warszawa, tel. {PHONE}"
    document.core_properties.language = "pl-PL"
    document.save(path)
    return path


def leaflet_odt(path: Path) -> Path:
    from odf.opendocument import OpenDocumentText
    from odf.style import (Footer, Header, MasterPage, PageLayout, PageLayoutProperties, Style,
                           TextProperties)
    from odf.text import (H, List, ListItem, ListLevelStyleBullet, ListStyle, Note, NoteBody, NoteCitation, P,
                          Span)

    doc = OpenDocumentText()
    default = Style(name="Standard", family="paragraph")
    default.addElement(TextProperties(language="pl", country="PL"))
    doc.styles.addElement(default)
    bold = Style(name="T1", family="text")
    bold.addElement(TextProperties(fontweight="bold"))
    doc.automaticstyles.addElement(bold)
    bullets = ListStyle(name="L1")
    level = ListLevelStyleBullet(level=1, bulletchar="•")
    bullets.addElement(level)
    doc.automaticstyles.addElement(bullets)
    layout = PageLayout(name="pm1")
    layout.addElement(PageLayoutProperties(pagewidth="21cm", pageheight="29.7cm", margin="2cm"))
    doc.automaticstyles.addElement(layout)
    master = MasterPage(name="Standard", pagelayoutname=layout)
    header = Header()
    header.addElement(P(text="Biblioteka Publiczna na Woli"))
    master.addElement(header)
    footer = Footer()
    footer.addElement(P(text=f"ul. Długa 5, 00-950 Warszawa, tel. {PHONE}"))
    master.addElement(footer)
    doc.masterstyles.addElement(master)

    doc.text.addElement(H(outlinelevel=1, stylename=default, text="Zbiórka książek dla dzieci"))
    p = P(stylename=default, text="Zbieramy książki ")
    p.addElement(Span(stylename=bold, text=f"do {DATE}"))
    p.addText(" w godzinach otwarcia biblioteki.")
    note = Note(noteclass="footnote", id="ftn1")
    note.addElement(NoteCitation(text="1"))
    body = NoteBody()
    body.addElement(P(stylename=default, text="Książki muszą być czyste i kompletne."))
    note.addElement(body)
    p.addElement(note)
    doc.text.addElement(p)
    items = List(stylename=bullets)
    for text in ("Bajki i baśnie dla najmłodszych", "Komiksy i powieści przygodowe", "Atlasy i encyklopedie"):
        item = ListItem()
        item.addElement(P(stylename=default, text=text))
        items.addElement(item)
    doc.text.addElement(items)
    doc.text.addElement(P(stylename=default, text=f"Więcej informacji: {URL}"))
    doc.save(str(path))
    return path


def zip_with(data: bytes, changes: dict[str, bytes | None], *, extra: dict[str, bytes] | None = None) -> bytes:
    """The package ``data`` with members replaced (``None``: removed) and ``extra`` ones added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename in changes:
                if changes[info.filename] is not None:
                    dst.writestr(info.filename, changes[info.filename])
            else:
                dst.writestr(info, src.read(info))
        for name, content in (extra or {}).items():
            dst.writestr(name, content)
    return out.getvalue()


def member(data: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(name)

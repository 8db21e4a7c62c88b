"""Office documents as a real office suite writes and reads them: LibreOffice, headless.

LibreOffice (Debian ``libreoffice-writer-nogui``) writes .docx/.odt from our
Markdown samples (through HTML, which its Writer imports with formatting), and
opens every built document again: it extracts the text (``--convert-to txt``)
and converts to PDF, and pdftoppm (``poppler-utils``) renders page 1 to a PNG
kept under the test's temporary folder. ``make test`` installs both and sets
``OUTREACH_REQUIRE_OFFICE=1``, so there a missing soffice is a failure; elsewhere
the tests are skipped. soffice takes several seconds per start, so every call
converts a batch of files (four calls in all), each with its own profile.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from office_fixtures import DATE, PHONE, announcement_docx, leaflet_odt
from pipeline.documents import docx as docx_format
from pipeline.documents import formats, odt
from pipeline.documents.sources import SourceDocument
from workspace import ROOT, invoke, make_workspace, review_all

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOPPM = shutil.which("pdftoppm")
_MISSING = "LibreOffice (soffice) or pdftoppm missing (make test installs libreoffice-writer-nogui, poppler-utils)"
if (SOFFICE is None or PDFTOPPM is None) and os.environ.get("OUTREACH_REQUIRE_OFFICE") == "1":
    pytest.fail(_MISSING, pytrace=False)
pytestmark = [pytest.mark.client, pytest.mark.skipif(SOFFICE is None or PDFTOPPM is None, reason=_MISSING)]

SAMPLES = ("warsztaty-komputerowe", "zbiorka-darow")


def soffice(tmp: Path, target: str, files: list[Path], outdir: Path) -> list[Path]:
    """Convert ``files`` in one soffice run; the converted paths (a failed conversion fails the test)."""
    profile = tmp / f"lo-profile-{len(list(tmp.glob('lo-profile-*')))}"
    command = [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
               "--convert-to", target, "--outdir", str(outdir), *map(str, files)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600,
                            env={**os.environ, "HOME": str(tmp)})
    extension = target.split(":")[0]
    outputs = [outdir / f"{path.stem}.{extension}" for path in files]
    missing = [path.name for path in outputs if not path.exists() or not path.stat().st_size]
    assert result.returncode == 0 and not missing, f"{missing}\n{result.stdout}\n{result.stderr}"
    return outputs


def _inline(text: str) -> str:
    text = html.escape(text, quote=False)
    text = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", text)
    return re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r'<a href="\2">\1</a>', text)


def markdown_to_html(markdown: str) -> str:
    """Just enough Markdown for our samples: headings, paragraphs, lists, tables, quotes, bold, links."""
    out, block = ["<html><head><meta charset='utf-8'></head><body>"], []

    def flush():
        if block:
            out.append("<p>" + " ".join(_inline(line) for line in block) + "</p>")
            block.clear()
    lines = markdown.splitlines()
    for i, line in enumerate(lines):
        previous = lines[i - 1] if i else ""
        if heading := re.match(r"(#{1,6}) (.*)", line):
            flush()
            out.append(f"<h{len(heading.group(1))}>{_inline(heading.group(2))}</h{len(heading.group(1))}>")
        elif item := re.match(r"(?:[-*]|(\d+)\.) (.*)", line):
            flush()
            kind = "ol" if item.group(1) else "ul"
            if not re.match(r"(?:[-*]|\d+\.) ", previous):
                out.append(f"<{kind}>")
            out.append(f"<li>{_inline(item.group(2))}</li>")
            if i + 1 == len(lines) or not re.match(r"(?:[-*]|\d+\.) ", lines[i + 1]):
                out.append(f"</{kind}>")
        elif line.startswith("|"):
            flush()
            if not previous.startswith("|"):
                out.append("<table border='1'>")
            if not re.fullmatch(r"[|\s:-]+", line):
                cells = [c.strip() for c in line.strip("|").split("|")]
                out.append("<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in cells) + "</tr>")
            if i + 1 == len(lines) or not lines[i + 1].startswith("|"):
                out.append("</table>")
        elif line.startswith("> "):
            block.append(line[2:])
        elif not line.strip():
            flush()
        else:
            block.append(line)
    flush()
    return "\n".join(out + ["</body></html>"])


def _source(path: Path) -> SourceDocument:
    return SourceDocument(path, path.name, path.stem, formats.for_suffix(path.suffix).name, "", "binary",
                          path.read_bytes())


def _rebuild(path: Path, outdir: Path, translate, language: str) -> Path:
    src = _source(path)
    module = docx_format if path.suffix == ".docx" else odt
    target = outdir / f"{path.stem}-{language}{path.suffix}"
    target.write_bytes(module.render(src, formats.segment(src), translate, language, keep_identical=False))
    return target


@pytest.fixture(scope="module")
def documents(tmp_path_factory) -> list[Path]:
    """Our Markdown samples as LibreOffice writes them (.docx and .odt), plus the python-docx/odfpy fixtures."""
    tmp = tmp_path_factory.mktemp("libreoffice")
    pages = tmp / "html"
    pages.mkdir()
    for name in SAMPLES:
        (pages / f"{name}.html").write_text(markdown_to_html((ROOT / "source_texts" / f"{name}.md").read_text("utf-8")),
                                            "utf-8")
    made = []
    for fmt, target in (("docx", "docx:MS Word 2007 XML"), ("odt", "odt")):
        outdir = tmp / fmt
        for path in soffice(tmp, target, sorted(pages.glob("*.html")), outdir):
            made.append(path.rename(path.with_name(f"{path.stem}-{fmt}{path.suffix}")))
    made.append(announcement_docx(tmp / "ogloszenie-docx.docx"))
    made.append(leaflet_odt(tmp / "zbiorka-odt.odt"))
    return made


def test_libreoffice_documents_are_segmented_by_paragraph(documents):
    for path in documents[:4]:
        found = {(s.text, s.kind) for s in formats.segment(_source(path)).segments}
        if path.stem.startswith("warsztaty"):
            assert ("Program spotkań", "heading") in found, path.name
            assert ("Profil Zaufany i e-usługi urzędów", "list item") in found, path.name
            assert ("Czwartek", "table cell") in found and ("Sala multimedialna", "table cell") in found, path.name
            assert any("<b>cykl bezpłatnych warsztatów komputerowych</b>" in text for text, _ in found), path.name
            assert any('<a href="https://biblioteka.waw.pl/warsztaty">biblioteka.waw.pl/warsztaty</a>' in text
                       for text, _ in found), path.name
        texts = [text for text, _ in found]
        assert not any("\n" in text for text in texts) and len(texts) >= 8, path.name


def test_round_trip_text_as_libreoffice_reads_it(documents, tmp_path):
    """msgstr = msgid, every paragraph rebuilt: LibreOffice extracts the same text."""
    rebuilt = [_rebuild(path, tmp_path, lambda i, s: s.text, "pl") for path in documents]
    texts = soffice(tmp_path, "txt:Text (encoded):UTF8", documents + rebuilt, tmp_path / "txt")
    half = len(documents)
    for source_txt, built_txt in zip(texts[:half], texts[half:]):
        assert source_txt.read_text("utf-8") == built_txt.read_text("utf-8"), built_txt.name
        assert len(source_txt.read_text("utf-8")) > 100


def test_built_documents_open_in_libreoffice_and_render(documents, tmp_path):
    """Translated documents convert to PDF without error; page 1 of each becomes a PNG under tmp_path."""
    english = lambda i, s: "EN " + s.text.replace("Zapraszamy", "Welcome")  # noqa: E731
    (tmp_path / "built").mkdir()
    built = [_rebuild(path, tmp_path / "built", english, "en") for path in documents]
    # The librarian's two documents the way a user gets them: run, review, build.
    ws = make_workspace(tmp_path, {"source_texts/ogloszenie.docx": documents[4].read_bytes(),
                                   "source_texts/zbiorka.odt": documents[5].read_bytes()})
    assert invoke(ws, "run", "--engine", "none", "--to", "en").exit_code == 0
    for po_path in (ws / "locales/en/LC_MESSAGES").glob("*.po"):
        review_all(po_path, lambda e: "EN " + e.msgid.replace("Zapraszamy", "Welcome"))
    assert invoke(ws, "build").exit_code == 0
    built += sorted((ws / "build/en").iterdir())
    pdfs = soffice(tmp_path, "pdf", built, tmp_path / "pdf")
    for pdf in pdfs:
        assert pdf.read_bytes().startswith(b"%PDF-")
        prefix = tmp_path / "png" / pdf.stem
        prefix.parent.mkdir(exist_ok=True)
        subprocess.run([PDFTOPPM, "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(prefix)],
                       check=True, timeout=120)
        picture = prefix.with_suffix(".png")
        assert picture.read_bytes().startswith(b"\x89PNG") and picture.stat().st_size > 2000, picture
    for pdf in (pdfs[4], pdfs[6]):  # the announcement, rebuilt here and by `outreach build`
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert f"w sobotę {DATE}" in text and "EN Welcome" in text and PHONE in text, pdf  # the footer too

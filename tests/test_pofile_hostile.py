"""The PO reader and writer agree with each other and with GNU gettext on hostile text:
every code point, gettext's escapes, file names with spaces, charsets, duplicates."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.catalogs.catalog import FUZZY, Catalog, Entry
from pipeline.catalogs.pofile import LINE_BREAKS, build_header, format_catalog, parse_catalog, read_catalog
from pipeline.errors import CatalogError

needs_gettext = pytest.mark.skipif(not shutil.which("msgfmt"), reason="GNU gettext not installed")
HEADER = build_header(language="en", project="outreach", template=False, creation_date="2024-10-01 12:00+0000")
NAMES = ["source_texts/Godziny otwarcia.txt", "source_texts/Ogłoszenie (wersja 2).txt",
         "source_texts/#1: zbiórka.md", "source_texts/a:b.txt", "source_texts/dwa  spacje\t.txt"]
HOSTILE = "\u2028\u2029\x85\x1c\x1d\x1e\x1f\x07\x08\x0b\x0c\x1b\x7f\r\t\"\\\ufeff\u200b"


def catalog(*entries: Entry) -> Catalog:
    return Catalog(entries=entries, header=HEADER)


def po_text(body: str) -> str:
    return 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n' + body


def gettext_reads(path: Path) -> dict[str, str]:
    """What msgfmt makes of a file: compile it and read the binary catalogue back."""
    mo = path.with_suffix(".mo")
    subprocess.run(["msgfmt", "--check", "-o", str(mo), str(path)], check=True, capture_output=True)
    return {e.msgid: e.msgstr for e in polib.mofile(str(mo))}


def test_file_names_with_spaces_read_back_as_one_reference():
    refs = tuple(f"{name}:{n}" for n, name in enumerate(NAMES, 1))
    text = format_catalog(catalog(Entry("Tekst", "Text", references=refs)))
    assert "#: \u2068source_texts/Godziny otwarcia.txt\u2069:1" in text
    assert parse_catalog(text).entries[0].references == refs


@needs_gettext
def test_gettext_reads_our_references_as_we_do(tmp_path):
    refs = tuple(f"{name}:{n}" for n, name in enumerate(NAMES[:-1], 1))  # msgcat squeezes "  " and tabs
    path = tmp_path / "a.po"
    path.write_text(format_catalog(catalog(Entry("Tekst", "Text", references=refs))), encoding="utf-8")
    for tool in (["msgcat", "--no-wrap"], ["msgmerge", "--no-wrap", "-q", str(path)]):
        out = subprocess.run([*tool, str(path)], capture_output=True, text=True, check=True).stdout
        lines = [line[3:] for line in out.splitlines() if line.startswith("#: ")]
        assert " ".join(lines) == " ".join(f"\u2068{r.rsplit(':', 1)[0]}\u2069:{r.rsplit(':', 1)[1]}"
                                 if " " in r or "\t" in r else r for r in refs)
    # msgcat's own wrapping breaks a line inside an isolate; that still reads as one reference
    wrapped = tmp_path / "wrapped.po"
    subprocess.run(["msgcat", "-o", str(wrapped), str(path)], check=True)
    assert read_catalog(wrapped).entries[0].references == refs
    polib.pofile(str(path))  # polib (which splits names at spaces) still reads the file


@needs_gettext
def test_what_we_write_msgfmt_reads_the_same(tmp_path):
    texts = [f"{i}{c}x" for i, c in enumerate(HOSTILE)] + [HOSTILE, "a\\x41", "\\101", "end\\"]
    entries = tuple(Entry(t, t[::-1]) for t in texts)
    path = tmp_path / "a.po"
    path.write_text(format_catalog(catalog(*entries)), encoding="utf-8")
    ours = {e.msgid: e.msgstr for e in read_catalog(path).entries}
    assert ours == {t: t[::-1] for t in texts}
    read = gettext_reads(path)
    assert {k: v for k, v in read.items() if k} == ours


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(msgid=st.text(min_size=1).filter(lambda t: "\x00" not in t),
       msgstr=st.text().filter(lambda t: "\x00" not in t),
       msgctxt=st.none() | st.text().filter(lambda t: "\x00" not in t),
       comment=st.text(st.characters(blacklist_characters=LINE_BREAKS + "\x00")))
def test_write_then_read_is_the_identity_on_any_text(msgid, msgstr, msgctxt, comment):
    entry = Entry(msgid, msgstr, msgctxt=msgctxt, comments=(comment.strip(),) if comment.strip() else (),
                  previous_msgid=msgstr or None, flags=(FUZZY,) if msgstr else ())
    read = parse_catalog(format_catalog(catalog(entry))).entries
    assert [(e.msgid, e.msgstr, e.msgctxt, e.previous_msgid) for e in read] == [
        (msgid, msgstr, msgctxt, entry.previous_msgid)]


@settings(max_examples=200, deadline=None)
@given(st.text(), st.text())
def test_comment_and_reference_lines_never_break(note, name):
    entry = Entry("a", "b", extracted=(f"machine translation: argos {note}",), comments=(note,),
                  references=(f"{name}:1",), flags=(FUZZY, note))
    text = format_catalog(catalog(entry))
    body = text.split("\n\n", 1)[1]
    assert len(parse_catalog(text).entries) == 1
    assert all(line.startswith(("#", "msgid", "msgstr")) for line in body.splitlines())


@needs_gettext
@pytest.mark.parametrize("escape, value", [("\\x41", "A"), ("\\101", "A"), ("\\7", "\a"), ("\\x4a4", None),
                                           ("\\0stop", ""), ("\\xc5\\x82", "ł")])
def test_escapes_are_read_as_gettext_reads_them(tmp_path, escape, value):
    path = tmp_path / "a.po"
    path.write_text(po_text(f'msgid "k"\nmsgstr "{escape}"\n'), encoding="utf-8")
    if value is None:  # \x4a4 is the one byte 0xa4: not UTF-8 for gettext either
        with pytest.raises(CatalogError, match="octal or hex escape"):
            read_catalog(path)
        return
    assert read_catalog(path).entries[0].msgstr == value
    assert gettext_reads(path).get("k", "") == value


@needs_gettext
def test_unknown_escape_is_refused_like_msgfmt(tmp_path):
    path = tmp_path / "a.po"
    path.write_text(po_text('msgid "k"\nmsgstr "a\\q"\n'), encoding="utf-8")
    with pytest.raises(CatalogError, match=r"a.po:6: syntax error: invalid control sequence"):
        read_catalog(path)
    assert subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True).returncode


@pytest.mark.parametrize("charset", ["rot13", "hex", "base64", "zlib", "uu", "punycode", "idna",
                                     "unicode_escape", "utf-7", "utf-16", "undefined"])
def test_only_text_encodings_are_charsets(tmp_path, charset):
    path = tmp_path / "a.po"
    path.write_bytes(po_text('msgid "k"\nmsgstr "v"\n').replace("UTF-8", charset).encode("ascii"))
    with pytest.raises(CatalogError, match=f"a.po:3: unknown charset '{charset}' in Content-Type"):
        read_catalog(path)


@needs_gettext
def test_obsolete_duplicate_of_an_active_entry_is_not_written(tmp_path):
    cat = catalog(Entry("a", "b"), Entry("a", "old", obsolete=True), Entry("c", "d", obsolete=True),
                  Entry("c", "e", obsolete=True))
    path = tmp_path / "a.po"
    path.write_text(format_catalog(cat), encoding="utf-8")
    assert [(e.msgid, e.msgstr, e.obsolete) for e in read_catalog(path).entries] == [
        ("a", "b", False), ("c", "d", True)]
    subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], check=True, capture_output=True)


def test_check_refuses_an_obsolete_duplicate_like_msgfmt_and_run_drops_it(tmp_path):
    from workspace import invoke, make_workspace, msgfmt_check, review_all

    ws = make_workspace(tmp_path, {"source_texts/a.txt": "Zapraszamy na spotkanie w bibliotece.\n"})
    assert invoke(ws, "run", "--engine", "none", "--to", "en").exit_code == 0
    po = ws / "locales/en/LC_MESSAGES/a.po"
    review_all(po)
    po.write_text(po.read_text(encoding="utf-8") + '\n#~ msgid "Zapraszamy na spotkanie w bibliotece."\n#~ msgstr "old"\n',
                  encoding="utf-8")
    result = invoke(ws, "check", "--to", "en")
    assert result.exit_code == 1
    assert "a.po:21: duplicate: obsolete copy of the entry at line 18, which msgfmt refuses" in result.stdout
    assert invoke(ws, "run", "--engine", "none", "--to", "en").exit_code == 0
    msgfmt_check(po)
    assert invoke(ws, "check", "--to", "en").exit_code == 0

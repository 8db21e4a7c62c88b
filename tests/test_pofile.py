"""Tests for pipeline.catalogs.pofile: parsing, GNU-compatible formatting, headers, churn-free writes."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from pipeline.catalogs.catalog import FUZZY, Catalog, Entry
from pipeline.errors import CatalogError
from pipeline.catalogs.pofile import (
    PLURAL_FORMS,
    build_header,
    format_catalog,
    parse_catalog,
    plural_forms,
    read_catalog,
    write_catalog,
)

DATE = "2024-10-01 12:00+0000"
LATER = "2024-11-02 08:30+0000"
UK_PLURAL = (
    "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);"
)
ADDRESS = "Biblioteka Miejska\nul. Długa 5\n00-001 Warszawa"
LONG = (
    "Zapraszamy wszystkich mieszkańców na spotkanie autorskie — w sobotę, "
    "12 października, o godz. 10:00! Wstęp wolny, „Dzień otwarty” (sala nr 5)."
)

needs_gettext = pytest.mark.skipif(
    not (shutil.which("msgfmt") and shutil.which("msgcat")), reason="GNU gettext not installed"
)


def header(language: str | None = "uk", *, template: bool = False, existing: Catalog | None = None):
    return build_header(
        language=language,
        project="outreach",
        template=template,
        creation_date=DATE,
        revision_date=DATE,
        existing=existing,
    )


def sample(language: str = "uk") -> Catalog:
    return Catalog(
        entries=(
            Entry(
                "Zapraszamy na spotkanie.",
                "Запрошуємо на зустріч.",
                references=("source_texts/a.md:1",),
                extracted=("machine translation: argos translate-pl_uk 1.9",),
                comments=("checked by Ola",),
                flags=(FUZZY,),
            ),
            Entry(ADDRESS, "Міська бібліотека\nвул. Довга 5\n00-001 Варшава", references=("source_texts/a.md:3",)),
            Entry(LONG, "", references=("source_texts/a.md:7", "source_texts/b.md:2")),
            Entry("Otwarte", "Відчинено", msgctxt="sign"),
            Entry("Nowy termin", "Новий термін", flags=(FUZZY,), previous_msgid="Stary termin"),
            Entry("Usunięty akapit", "Видалений абзац", obsolete=True, flags=(FUZZY,),
                  previous_msgid="Dawny akapit", comments=("note",)),
        ),
        header=header(language),
        header_comment="Ukrainian translation of the announcements.",
    )


def without_lines(catalog: Catalog) -> Catalog:
    return dataclasses.replace(
        catalog, entries=tuple(dataclasses.replace(e, line=0) for e in catalog.entries), path=None
    )


def msgfmt_check(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True)


# --- plural forms ------------------------------------------------------------------


def test_plural_forms():
    for lang in ("en", "uk", "pl", "ru", "de", "fr", "es", "it", "cs", "sk", "be", "ar"):
        assert lang in PLURAL_FORMS
    assert plural_forms("uk") == UK_PLURAL
    assert plural_forms("de_AT") == plural_forms("de-at") == PLURAL_FORMS["de"]
    assert plural_forms("pt_BR") == "nplurals=2; plural=(n > 1);"
    assert plural_forms("xx") == "nplurals=2; plural=(n != 1);"


# --- round trip and golden text ----------------------------------------------------------


def test_round_trip():
    catalog = sample()
    text = format_catalog(catalog)
    parsed = parse_catalog(text)
    assert without_lines(parsed) == catalog
    assert format_catalog(parsed) == text


def test_line_numbers_point_at_msgid_keywords():
    text = format_catalog(sample())
    lines = text.splitlines()
    for entry in parse_catalog(text).entries:
        keyword = "#~ msgid " if entry.obsolete else "msgid "
        assert lines[entry.line - 1].startswith(keyword)


GOLDEN = r"""# Test catalogue.
#
#, fuzzy
msgid ""
msgstr ""
"Project-Id-Version: outreach\n"
"Language: en\n"
"Content-Type: text/plain; charset=UTF-8\n"

# reviewer note
#. machine translation: argos translate-pl_en 1.9
#: source_texts/a.md:1 source_texts/b.md:4
#, fuzzy
#| msgid "Zapraszamy!"
msgid "Zapraszamy wszystkich!"
msgstr "Everyone is welcome!"

#: source_texts/a.md:3
msgid ""
"ul. Długa 5\n"
"00-001 Warszawa\n"
msgstr ""

#: source_texts/a.md:5
msgid ""
"Zapraszamy wszystkich mieszkańców na spotkanie autorskie — w sobotę, 12 "
"października, o godz. 10:00! Wstęp wolny, „Dzień otwarty” (sala nr 5)."
msgstr ""

#, fuzzy
#~| msgid "Stary \"tytuł\""
#~ msgid "Nowy \"tytuł\""
#~ msgstr "New \"title\""
"""


def test_golden_text():
    catalog = Catalog(
        entries=(
            Entry("Zapraszamy wszystkich!", "Everyone is welcome!",
                  references=("source_texts/a.md:1", "source_texts/b.md:4"),
                  extracted=("machine translation: argos translate-pl_en 1.9",),
                  comments=("reviewer note",), flags=(FUZZY,), previous_msgid="Zapraszamy!"),
            Entry("ul. Długa 5\n00-001 Warszawa\n", references=("source_texts/a.md:3",)),
            Entry(LONG, references=("source_texts/a.md:5",)),
            Entry('Nowy "tytuł"', 'New "title"', flags=(FUZZY,), previous_msgid='Stary "tytuł"', obsolete=True),
        ),
        header=(("Project-Id-Version", "outreach"), ("Language", "en"),
                ("Content-Type", "text/plain; charset=UTF-8")),
        header_comment="Test catalogue.\n",
        header_flags=(FUZZY,),
    )
    assert format_catalog(catalog) == GOLDEN
    assert without_lines(parse_catalog(GOLDEN)) == catalog


def test_references_are_wrapped_at_79_columns():
    refs = tuple(f"source_texts/announcement-{n:02}.md:{n}" for n in range(6))
    text = format_catalog(Catalog(entries=(Entry("a", references=refs),), header=()))
    ref_lines = [line for line in text.splitlines() if line.startswith("#:")]
    assert len(ref_lines) > 1 and all(len(line) <= 79 for line in ref_lines)
    assert parse_catalog(text).entries[0].references == refs


def test_utf8_characters_are_written_as_utf8(tmp_path):
    path = tmp_path / "uk.po"
    write_catalog(path, sample(), now=DATE)
    data = path.read_bytes()
    assert "Długa".encode() in data and "Запрошуємо".encode() in data
    assert b"\\u" not in data


# --- GNU gettext compatibility --------------------------------------------------------------


@needs_gettext
@pytest.mark.parametrize("language", ["en", "uk"])
def test_po_passes_msgfmt_check(tmp_path, language):
    path = tmp_path / f"{language}.po"
    write_catalog(path, sample(language), now=DATE)
    result = msgfmt_check(path)
    assert result.returncode == 0 and result.stderr == "", result.stderr


@needs_gettext
def test_pot_passes_msgfmt_check(tmp_path):
    template = Catalog(
        entries=tuple(dataclasses.replace(e, msgstr="", flags=(), previous_msgid=None, comments=())
                      for e in sample().entries if not e.obsolete),
        header=header(None, template=True),
        header_comment="Announcements of the library.",
        header_flags=(FUZZY,),
    )
    path = tmp_path / "messages.pot"
    write_catalog(path, template, now=DATE)
    result = msgfmt_check(path)
    assert result.returncode == 0, result.stderr
    # The only remark: a template has no Language, which msgfmt notes as a warning.
    assert all("'Language'" in line for line in result.stderr.splitlines()), result.stderr
    assert read_catalog(path).header_value("POT-Creation-Date") == DATE


@needs_gettext
def test_format_is_what_msgcat_writes(tmp_path):
    tricky = [
        ADDRESS,
        LONG,
        LONG + "\n" + LONG,
        "x" * 100 + " short",
        'Cytat: "Książka to przyjaciel" — (zob. www.example.org/biblioteka/wydarzenia?id=12) ' * 2,
        "Тривалість – 2 години… Запрошуємо всіх охочих: дітей, батьків, бабусь і дідусів! " * 2,
        "tab\there and a backslash \\ at the end\n",
    ]
    catalog = Catalog(entries=tuple(Entry(t, t.upper()) for t in tricky), header=header("pl"))
    path = tmp_path / "pl.po"
    path.write_text(format_catalog(catalog), encoding="utf-8")
    gnu = subprocess.run(["msgcat", str(path)], capture_output=True, text=True, check=True).stdout
    assert gnu == path.read_text(encoding="utf-8")


@needs_gettext
def test_msgcat_rewrapped_file_is_same_content_and_not_rewritten(tmp_path):
    path = tmp_path / "uk.po"
    catalog = sample()
    assert write_catalog(path, catalog, now=DATE) is True
    rewrapped = subprocess.run(
        ["msgcat", "--width=40", str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert rewrapped != path.read_text(encoding="utf-8")
    path.write_text(rewrapped, encoding="utf-8")
    parsed = read_catalog(path)
    assert without_lines(parsed).entries == catalog.entries
    assert dict(parsed.header) == dict(catalog.header)
    assert write_catalog(path, catalog, now=LATER) is False
    assert path.read_text(encoding="utf-8") == rewrapped


# --- write_catalog ----------------------------------------------------------------------------


def test_write_catalog_is_churn_free_and_sets_the_revision_date(tmp_path):
    path = tmp_path / "uk.po"
    catalog = sample()
    assert write_catalog(path, catalog, now=DATE) is True
    first = path.read_bytes()
    assert write_catalog(path, catalog, now=LATER) is False
    assert path.read_bytes() == first
    changed = dataclasses.replace(catalog, entries=(Entry("Nowe", "Нове"),) + catalog.entries)
    assert write_catalog(path, changed, now=LATER) is True
    written = read_catalog(path)
    assert written.header_value("PO-Revision-Date") == LATER
    assert written.header_value("POT-Creation-Date") == DATE
    assert written.path == str(path)


def test_write_catalog_date_from_source_date_epoch(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    path = tmp_path / "uk.po"
    write_catalog(path, sample())
    assert read_catalog(path).header_value("PO-Revision-Date") == "2023-11-14 22:13+0000"


def test_write_catalog_refuses_to_overwrite_a_broken_file(tmp_path):
    path = tmp_path / "uk.po"
    path.write_text('msgid "a"\nmsgstr "b\n', encoding="utf-8")
    with pytest.raises(CatalogError):
        write_catalog(path, sample(), now=DATE)


# --- header ---------------------------------------------------------------------------------


def test_build_header_fields_and_order():
    fields = header("uk")
    assert [name for name, _ in fields] == [
        "Project-Id-Version", "Report-Msgid-Bugs-To", "POT-Creation-Date", "PO-Revision-Date",
        "Last-Translator", "Language-Team", "Language", "MIME-Version", "Content-Type",
        "Content-Transfer-Encoding", "Plural-Forms", "X-Generator",
    ]
    values = dict(fields)
    assert values["Language"] == "uk" and values["Plural-Forms"] == UK_PLURAL
    assert values["X-Generator"] == "outreach 0.1.0"
    assert dict(header(None, template=True))["Language"] == ""


def test_build_header_keeps_what_poedit_set():
    poedit = Catalog(
        entries=(),
        header=(
            ("Project-Id-Version", "old name"),
            ("PO-Revision-Date", "2024-09-30 17:02+0200"),
            ("Last-Translator", "Olena Kowalenko <olena@example.org>"),
            ("Language-Team", "Ukrainian <uk@example.org>"),
            ("Language", "uk"),
            ("X-Generator", "Poedit 3.4"),
            ("X-Poedit-SourceCharset", "UTF-8"),
            ("Plural-Forms", "nplurals=2; plural=(n != 1);"),
        ),
    )
    values = dict(header("uk", existing=poedit))
    assert values["Last-Translator"] == "Olena Kowalenko <olena@example.org>"
    assert values["Language-Team"] == "Ukrainian <uk@example.org>"
    assert values["PO-Revision-Date"] == "2024-09-30 17:02+0200"
    assert values["X-Generator"] == "Poedit 3.4"
    assert values["X-Poedit-SourceCharset"] == "UTF-8"
    assert values["Project-Id-Version"] == "outreach"  # ours
    assert values["Plural-Forms"] == UK_PLURAL  # ours


def test_build_header_replaces_gettext_placeholders():
    msginit = Catalog(entries=(), header=(("Last-Translator", "FULL NAME <EMAIL@ADDRESS>"),
                                          ("PO-Revision-Date", "YEAR-MO-DA HO:MI+ZONE")))
    values = dict(header("uk", existing=msginit))
    assert values["Last-Translator"] == "" and values["PO-Revision-Date"] == DATE


# --- errors -----------------------------------------------------------------------------------


def test_syntax_error_reports_the_line():
    text = 'msgid "a"\nmsgstr "b"\n\nmsgid "c"\nmsgstr "d\n'
    with pytest.raises(CatalogError) as info:
        parse_catalog(text, path="x.po")
    assert info.value.line == 5 and info.value.path == "x.po"


def test_polib_syntax_error_line_is_kept():
    text = 'msgid "a"\nmsgstr "b"\n\nbogus line\nmsgid "c"\nmsgstr "d"\n'
    with pytest.raises(CatalogError) as info:
        parse_catalog(text, path="x.po")
    assert info.value.line == 4
    assert str(info.value).startswith("x.po:4: syntax error")


def test_duplicate_msgid_is_reported_at_the_second_one(tmp_path):
    path = tmp_path / "dup.po"
    path.write_text('msgid "a"\nmsgstr "b"\n\n#: x.md:1\nmsgid "a"\nmsgstr "c"\n', encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        read_catalog(path)
    assert info.value.line == 5 and "duplicate" in info.value.message


def test_same_msgid_in_other_context_is_not_a_duplicate():
    text = 'msgctxt "x"\nmsgid "a"\nmsgstr "b"\n\nmsgid "a"\nmsgstr "c"\n'
    assert len(parse_catalog(text).entries) == 2


def test_wrong_charset_is_reported(tmp_path):
    path = tmp_path / "bad.po"
    path.write_bytes(
        b'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=ASCII\\n"\n\n'
        b'msgid "a"\nmsgstr "\xc5\x82"\n'
    )
    with pytest.raises(CatalogError) as info:
        read_catalog(path)
    assert info.value.line == 6
    path.write_bytes(b'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=NOPE-1\\n"\n')
    with pytest.raises(CatalogError, match="charset"):
        read_catalog(path)


def test_legacy_charset_is_decoded(tmp_path):
    path = tmp_path / "latin2.po"
    path.write_bytes(
        b'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=ISO-8859-2\\n"\n\n'
        b'msgid "D\xb3uga"\nmsgstr ""\n'
    )
    assert read_catalog(path).entries[0].msgid == "Długa"


def test_missing_file_is_a_catalog_error(tmp_path):
    with pytest.raises(CatalogError):
        read_catalog(tmp_path / "missing.po")


FIDELITY = """\
#  \n\
# A catalogue from another tool; the header comment has blank lines, one with two spaces.
#
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=3; plural=(n==1 ? 0 : n<5 ? 1 : 2);\\n"

#
# a translator's note between blank lines
#
#.
#. extracted, with blank lines at the edges
#.
#: a.c:1
#, fuzzy
#| msgctxt "old context"
#| msgid "old"
msgctxt "context"
msgid "one"
msgstr "jeden"

#, no-wrap
msgid "A long line that must stay on one line because the entry is flagged no-wrap, whatever its width."
msgstr "Długi wiersz, który musi zostać w jednym wierszu, bo wpis ma flagę no-wrap, jakakolwiek jest jego szerokość."

#: b.c:2
msgid "file"
msgid_plural "files"
msgstr[0] "plik"
msgstr[1] "pliki"
msgstr[2] "plików"

#~| msgctxt "gone context"
#~| msgid "gone"
#~ msgctxt "gone context"
#~ msgid "gone too"
#~ msgstr "nie ma"
"""


def test_other_tools_entries_round_trip_byte_for_byte(tmp_path):
    """Plural messages, #| msgctxt (also obsolete), blank comment lines at block edges, no-wrap."""
    cat = parse_catalog(FIDELITY)
    assert cat.header_comment.split("\n") == [" ", "A catalogue from another tool; the header comment has "
                                              "blank lines, one with two spaces.", ""]
    one, long, plural, gone = cat.entries
    assert one.comments == ("", "a translator's note between blank lines", "")
    assert one.extracted == ("", "extracted, with blank lines at the edges", "")
    assert (one.previous_msgctxt, one.previous_msgid) == ("old context", "old")
    assert plural.msgid_plural == "files" and plural.msgstr_plural == ("plik", "pliki", "plików")
    assert plural.translated and not plural.untranslated
    assert gone.obsolete and (gone.previous_msgctxt, gone.previous_msgid) == ("gone context", "gone")
    assert format_catalog(cat) == FIDELITY
    path = tmp_path / "x.po"
    path.write_text(FIDELITY, encoding="utf-8")
    subprocess.run(["msgfmt", "--check", "-o", os.devnull, str(path)], check=True)


def test_bytes_always_agree_with_the_charset_header(tmp_path):
    latin2 = FIDELITY.replace("charset=UTF-8", "charset=ISO-8859-2")
    path = tmp_path / "pl.po"
    path.write_bytes(latin2.encode("iso-8859-2"))
    cat = read_catalog(path)
    assert write_catalog(path, cat) is False                       # nothing changed: not rewritten
    edited = dataclasses.replace(cat, entries=(dataclasses.replace(cat.entries[0], msgstr="źdźbło"),) + cat.entries[1:])
    assert write_catalog(path, edited, now="2026-01-01 00:00+0000")
    data = path.read_bytes()
    assert b"charset=ISO-8859-2" in data and "źdźbło".encode("iso-8859-2") in data   # still ISO-8859-2
    assert read_catalog(path).entries[0].msgstr == "źdźbło"
    # Text the declared charset cannot hold: the file is converted, header and bytes together.
    cyrillic = dataclasses.replace(cat, entries=(dataclasses.replace(cat.entries[0], msgstr="один"),) + cat.entries[1:])
    assert write_catalog(path, cyrillic, now="2026-01-01 00:00+0000")
    data = path.read_bytes()
    assert b"charset=UTF-8" in data and "один".encode() in data and b"ISO-8859-2" not in data
    subprocess.run(["msgfmt", "--check", "-o", os.devnull, str(path)], check=True)

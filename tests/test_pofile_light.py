"""The light PO reader (pofile._light_parse) reads what the full reader (polib) reads, or declines."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.catalogs import pofile
from pipeline.catalogs.catalog import Catalog, Entry
from pipeline.errors import CatalogError

ROOT = Path(__file__).resolve().parent


def full(data: bytes, path: str = "x.po") -> Catalog:
    text, charset = pofile._decode(data, path)
    return pofile.parse_catalog(text, path=path, charset=charset)


def header(lang: str = "uk") -> tuple[tuple[str, str], ...]:
    return pofile.build_header(language=lang, project="p", template=False, creation_date="2024-01-01 00:00+0000")


VARIED = Catalog(
    entries=(
        Entry("Zapraszamy na spotkanie.", "Запрошуємо.", references=("source_texts/a.md:1", "source_texts/b c.md:4"),
              extracted=("type: heading", ""), comments=("checked by Ola", "", "  indented"), flags=("fuzzy", "no-wrap")),
        Entry("Długi akapit " * 30, "Довгий " * 40, references=tuple(f"source_texts/{n}.md:{n}" for n in range(12))),
        Entry("W kontekście", "У контексті", msgctxt="menu"),
        Entry("Nowy tekst", "Старий текст", flags=("fuzzy",), previous_msgid="Stary tekst\nz dwiema liniami",
              previous_msgctxt="ctx", msgctxt="ctx"),
        Entry("Adres:\nul. Długa 5\n00-001 Warszawa\n", "Адреса:\t\"Довга\" 5\\\n"),
        Entry("Sygnał\a i\x1c separator \u2028 linii", "Сигнал\a"),
        Entry("Usunięty akapit", "Видалений абзац", obsolete=True, comments=("stare",), flags=("fuzzy",),
              previous_msgid="Jeszcze starszy " * 12),
        Entry("Usunięty bez tłumaczenia", "", obsolete=True, msgctxt="m"),
    ),
    header=header(),
    header_comment="Outreach catalogue\n\nSecond paragraph",
)


def our_files() -> list[Path]:
    return sorted(p for p in ROOT.rglob("*") if p.suffix in (".po", ".pot"))


def test_every_catalogue_in_the_tests_reads_the_same_both_ways():
    files = our_files()
    assert files
    light = 0
    for path in files:
        data = path.read_bytes()
        got = pofile._light_parse(data, str(path))
        if got is not None:
            light += 1
            assert got == full(data, str(path)), path
    assert light >= len(files) // 2  # the golden catalogues are plain: read by the light reader


def test_what_we_write_is_read_light_and_the_same():
    data = pofile.encode_catalog(VARIED)
    got = pofile._light_parse(data, "v.po")
    assert got is not None
    assert got == full(data, "v.po")
    assert [e.msgid for e in got.entries] == [e.msgid for e in VARIED.entries]
    assert got.entries[3].previous_msgid == "Stary tekst\nz dwiema liniami"
    assert got.entries[6].previous_msgid == "Jeszcze starszy " * 12
    assert got.header_comment == VARIED.header_comment
    assert pofile.parse_bytes(data, "v.po") == got


@pytest.mark.parametrize("text", [
    'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=ISO-8859-2\\n"\n\nmsgid "a"\nmsgstr "b"\n',  # charset
    'msgid ""\nmsgstr ""\n\nmsgid "a"\nmsgid_plural "as"\nmsgstr[0] "b"\nmsgstr[1] "bs"\n',              # plural
    'msgid ""\nmsgstr ""\n\nmsgid "a"\n# between\nmsgstr "b"\n',                                        # comment inside
    'msgid "a"\nmsgstr "b"\n',                                                                          # no header
    'msgid ""\nmsgstr ""\n\nmsgid "a"\nmsgstr "b"\n# trailing\n',                                       # trailing comment
    'msgid ""\nmsgstr ""\n\nmsgid "a"\nmsgstr "b\\x41"\n"\\101"\n',                                     # hex, octal
])
def test_anything_unusual_goes_to_the_full_reader(text):
    data = text.encode("utf-8")
    got = pofile._light_parse(data, "u.po")
    if got is not None:  # the hex/octal case is read light: it must then agree
        assert got == full(data, "u.po")
        assert "b" + "A" * 2 == got.entries[0].msgstr
    else:
        try:
            expected = full(data, "u.po")
        except CatalogError:
            return
        assert pofile.parse_bytes(data, "u.po") == expected


@pytest.mark.parametrize("text, line", [
    ('msgid ""\nmsgstr ""\n\nmsgid "a\nmsgstr "b"\n', 4),
    ('msgid ""\nmsgstr ""\n\nmsgid "a"\nmsgstr "b"\n\nmsgid "a"\nmsgstr "c"\n', 7),
    ('msgid ""\nmsgstr ""\n\nmsgid "a"\nmsgstr "\\q"\n', 5),
])
def test_errors_are_reported_as_before(text, line):
    with pytest.raises(CatalogError) as light:
        pofile.parse_bytes(text.encode(), "e.po")
    with pytest.raises(CatalogError) as before:
        full(text.encode(), "e.po")
    assert str(light.value) == str(before.value)
    assert light.value.line == line


def test_invalid_utf8_is_reported_by_the_full_reader():
    data = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\nmsgid "a"\nmsgstr "'.encode() + b"\xff\"\n"
    assert pofile._light_parse(data, "b.po") is None
    with pytest.raises(CatalogError, match="not valid UTF-8"):
        pofile.parse_bytes(data, "b.po")


def test_light_reader_holds_far_less_than_the_full_one():
    import tracemalloc

    big = Catalog(entries=tuple(Entry(f"Akapit numer {n} " + "zdanie ąę " * 30, references=(f"s/a.txt:{n}",))
                                for n in range(3000)), header=header())
    data = pofile.encode_catalog(big)
    peaks = []
    for reader in (lambda: pofile._light_parse(data, "m.po"), lambda: full(data, "m.po")):
        tracemalloc.start()
        result = reader()
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        assert result is not None and len(result.entries) == 3000
    assert peaks[0] * 2.5 < peaks[1]


def test_line_breaking_by_line_cuts_where_breaking_break_by_break_does():
    import random

    rnd = random.Random(18)
    pieces = list("abcąęł ") + [" ", "  ", ".", ",", ":", ";", "/", "-", "!", "?", "\u2013", "\u2026", "\u2014", "(",
                                ")", "[", "]", "{", "}", "\u201e", "\u201d", "'", "\u00ab", "\u00bb", "1", "20"]
    words = ["słowo", "ab", "x", "dłuższesłowo", "a" * 85]
    compared = 0
    for _ in range(5000):
        text = "".join(rnd.choice(pieces) if rnd.random() < 0.5 else rnd.choice(words)
                       for _ in range(rnd.randint(1, 80)))
        width, start = rnd.choice([5, 20, 50, 73, 76, 78]), rnd.randint(0, 20)
        assert pofile._simple_cuts(text, width, start) == pofile._cuts(text, width, start, True), (text, width, start)
        compared += bool(pofile._cuts(text, width, start, True))
    assert compared > 1000


def test_the_header_alone_is_the_header_of_the_whole_file(tmp_path):
    path = tmp_path / "v.po"
    path.write_bytes(pofile.encode_catalog(VARIED))
    head = pofile.read_header(path)
    whole = pofile.read_catalog(path)
    assert head is not None and head.entries == ()
    assert (head.header, head.header_comment, head.header_flags) == (whole.header, whole.header_comment,
                                                                       whole.header_flags)
    assert pofile.read_header(tmp_path / "missing.po") is None
    odd = tmp_path / "odd.po"  # not a plain first block: the whole file is read
    odd.write_text('# comment\n\nmsgid ""\nmsgstr "Language: uk\\n"\n\nmsgid "a"\nmsgstr "b"\n', encoding="utf-8")
    assert pofile.read_header(odd) == pofile.read_catalog(odd)


# ---------------------------------------------------------------- generated catalogues

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from profiles import examples  # noqa: E402

_CHARS = st.characters(codec="utf-8", exclude_categories=("Cs",))
_TEXT = st.text(_CHARS, max_size=120) | st.sampled_from(["", "a\n", "\n", "\"\\\t", "Wstęp wolny. " * 9, "#~ x", "msgid \"x\""])
_LINE = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")), max_size=40)
_ENTRY = st.builds(
    Entry,
    msgid=_TEXT.filter(bool), msgstr=_TEXT,
    msgctxt=st.none() | _TEXT,
    references=st.lists(st.sampled_from(["source_texts/a.md:1", "source_texts/b c.md:12", "x.txt:3"]), max_size=3).map(tuple),
    extracted=st.lists(_LINE, max_size=2).map(tuple),
    comments=st.lists(_LINE, max_size=2).map(tuple),
    flags=st.lists(st.sampled_from(["fuzzy", "no-wrap", "python-format"]), max_size=2, unique=True).map(tuple),
    previous_msgid=st.none() | _TEXT.filter(bool),
    obsolete=st.booleans(),
)


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entries=st.lists(_ENTRY, max_size=6, unique_by=lambda e: (e.msgctxt, e.msgid, e.obsolete)))
def test_generated_catalogues_read_the_same_both_ways(entries):
    catalog = Catalog(entries=tuple(entries), header=header(), header_comment="Outreach")
    data = pofile.encode_catalog(catalog)
    try:
        expected = full(data, "g.po")
    except CatalogError:
        return   # e.g. an active and an obsolete entry with one key: the full reader's error stands
    got = pofile._light_parse(data, "g.po")
    assert got is None or got == expected
    assert pofile.parse_bytes(data, "g.po") == expected

"""Tests for pipeline.catalogs.glossary: parsing glossary.csv, matching terms, template notes, MT protection."""

from __future__ import annotations

import polib
import pytest

from pipeline.catalogs import catalog
from pipeline.config import load_settings
from pipeline.catalogs.glossary import GlossaryError, Term, find_terms, load, parse, read
from workspace import invoke, make_workspace, snapshot

GLOSSARY = """\
\ufeffterm,lang,translation
# names first
Fundacja Cyfrowy Most,*,do-not-translate

biblioteka,uk,бібліотека
biblioteka,en,library
"Punkt Informacyjny, Mokotów",*,
wolontariusz,*,volunteer
wolontariusz,uk,волонтер
PESEL,en,Do-Not-Translate
"""


def test_parse_rows_bom_comments_blank_lines_and_quotes():
    g = parse(GLOSSARY)
    assert g.terms == (
        Term("Fundacja Cyfrowy Most", "*", None, 3),
        Term("biblioteka", "uk", "бібліотека", 5),
        Term("biblioteka", "en", "library", 6),
        Term("Punkt Informacyjny, Mokotów", "*", None, 7),
        Term("wolontariusz", "*", "volunteer", 8),
        Term("wolontariusz", "uk", "волонтер", 9),
        Term("PESEL", "en", None, 10),
    )
    assert g.names() == ("Fundacja Cyfrowy Most", "Punkt Informacyjny, Mokotów", "PESEL")
    assert g.names("uk") == ("Fundacja Cyfrowy Most", "Punkt Informacyjny, Mokotów")


def test_a_language_row_overrides_the_star_row():
    g = parse(GLOSSARY)
    uk = {t.term: t.translation for t in g.for_language("uk")}
    en = {t.term: t.translation for t in g.for_language("en")}
    assert uk["wolontariusz"] == "волонтер" and en["wolontariusz"] == "volunteer"
    assert "PESEL" in en and "PESEL" not in uk


def test_empty_and_header_only_glossaries():
    assert not parse("")
    assert not parse("# nothing yet\n\nterm,lang,translation\n")
    assert parse("Term, Lang, Translation\nx,en,y\n").terms == (Term("x", "en", "y", 2),)


@pytest.mark.parametrize("text, line, message", [
    ("biblioteka,uk,бібліотека\n", 1, "the first row must be the header"),
    ("term,lang,translation\nbiblioteka,uk,a,b\n", 2, "expected 3 columns"),
    ("term,lang,translation\n\nbiblioteka\n", 3, "expected 3 columns"),
    ("term,lang,translation\nbiblioteka,ukrainian,бібліотека\n", 2, "'ukrainian' is not a language code"),
    ("term,lang,translation\n,uk,бібліотека\n", 2, "empty term"),
    ("term,lang,translation\nbiblioteka,uk,\n", 2, "no translation for 'biblioteka' (uk); write do-not-translate"),
    ("term,lang,translation\nbiblioteka,uk,бібліотека\nBiblioteka,uk,книгозбірня\n", 3,
     "'Biblioteka' (uk) is already defined on line 2"),
    ('term,lang,translation\n"biblioteka,uk,x\n', 2, "malformed CSV row"),
])
def test_malformed_rows_name_file_and_line(text, line, message):
    with pytest.raises(GlossaryError) as caught:
        parse(text, "glossary.csv")
    assert str(caught.value).startswith(f"glossary.csv:{line}: ")
    assert message in str(caught.value)
    assert caught.value.exit_code == 2


def test_a_repeated_identical_row_is_harmless():
    assert len(parse("term,lang,translation\nx,en,y\nx,en,y\n").terms) == 1


def test_read_missing_file_is_empty_and_bad_encoding_is_an_error(tmp_path):
    assert not read(tmp_path / "glossary.csv")
    bad = tmp_path / "glossary.csv"
    bad.write_bytes("term,lang,translation\nbiblioteka,pl,książka\n".encode("cp1250"))
    with pytest.raises(GlossaryError, match=r"glossary.csv:2: not valid UTF-8"):
        read(bad)


def test_load_follows_the_glossary_setting(tmp_path):
    (tmp_path / "terms.csv").write_text("term,lang,translation\nx,en,y\n", encoding="utf-8")
    (tmp_path / "glossary.csv").write_text("term,lang,translation\nz,en,w\n", encoding="utf-8")
    assert [t.term for t in load(load_settings(tmp_path)).terms] == ["z"]
    (tmp_path / "outreach.toml").write_text('glossary = "terms.csv"\n', encoding="utf-8")
    assert [t.term for t in load(load_settings(tmp_path)).terms] == ["x"]
    (tmp_path / "outreach.toml").write_text('glossary = ""\n', encoding="utf-8")
    assert not load(load_settings(tmp_path))


@pytest.mark.parametrize("text, term, expected", [
    ("Zapraszamy do Fundacji Cyfrowy Most.", "Fundacja Cyfrowy Most", True),
    ("FUNDACJA CYFROWY MOST zaprasza", "Fundacja Cyfrowy Most", True),
    ("Fundacja Cyfrowy\nMost zaprasza", "Fundacja Cyfrowy Most", True),
    ("Fundacja Cyfrowa zaprasza", "Fundacja Cyfrowy Most", False),
    ("Zapraszamy do biblioteki.", "biblioteka", True),
    ("Запрошуємо до бібліотеки, у бібліотеці тепло.", "бібліотека", True),
    ("Two libraries are open.", "library", True),
    ("bibliotekarkami", "biblioteka", False),        # more than four letters after the stem
    ("Przez most idziemy.", "most", True),
    ("Przez mostek idziemy.", "most", False),         # short words match exactly
    ("Niemost", "most", False),
    ("Numer PESEL-u", "PESEL", True),
    ("Wi-Fi jest darmowe", "wi-fi", True),
])
def test_matching_is_case_insensitive_on_word_boundaries_with_inflection(text, term, expected):
    assert bool(find_terms(text, (Term(term, "*", None),))) is expected


def test_terms_inside_urls_addresses_and_code_do_not_count():
    g = parse("term,lang,translation\nbiblioteka,uk,бібліотека\n")
    assert g.find("Zobacz https://biblioteka.example.org, biblioteka@example.org, `biblioteka`, "
                  "[stronę](https://x.org/biblioteka).", "uk") == []
    assert [m.text for m in g.find("Zobacz stronę biblioteki: https://biblioteka.example.org", "uk")] == ["biblioteki"]


def test_a_two_column_star_row_is_a_name():
    assert parse("term,lang,translation\nCyfrowy Most,*\n").names() == ("Cyfrowy Most",)


def test_the_longest_overlapping_term_wins():
    g = parse("term,lang,translation\nmost,uk,міст\nCyfrowy Most,*,do-not-translate\n")
    found = g.find("Projekt Cyfrowy Most i most na Wiśle", "uk")
    assert [(m.term.term, m.text) for m in found] == [("Cyfrowy Most", "Cyfrowy Most"), ("most", "most")]


def test_notes_list_every_target_language_and_names():
    g = parse(GLOSSARY)
    notes = g.notes("Wolontariusze Fundacji Cyfrowy Most pomogą w bibliotece.", ("en", "uk"))
    assert notes == (
        "glossary: wolontariusz → en: volunteer; uk: волонтер",
        "glossary: biblioteka → en: library; uk: бібліотека",
        "do not translate: Fundacja Cyfrowy Most",
    )
    assert not any(catalog.is_state_comment(line) for line in notes)
    assert g.notes("Nic tu nie ma.", ("en", "uk")) == ()


# ---------------------------------------------------------------- through the CLI

SOURCE = "Wolontariusze Fundacji Cyfrowy Most czekają w bibliotece.\n\nDrugi akapit bez terminów.\n"


def test_run_writes_glossary_notes_as_template_comments(tmp_path):
    ws = make_workspace(tmp_path, {"source_texts/a.txt": SOURCE, "glossary.csv": GLOSSARY})
    assert invoke(ws, "run", "--engine", "none", "-q").exit_code == 0
    pot = polib.pofile(str(ws / "locales/a.pot"))
    assert pot[0].comment.splitlines() == [
        "glossary: wolontariusz → en: volunteer; uk: волонтер",
        "glossary: biblioteka → en: library; uk: бібліотека",
        "do not translate: Fundacja Cyfrowy Most",
    ]
    assert pot[1].comment == ""
    uk = polib.pofile(str(ws / "locales/uk/LC_MESSAGES/a.po"))
    assert "glossary: biblioteka → en: library; uk: бібліотека" in uk[0].comment
    # Template comments follow the glossary: a changed row changes the note on the next run.
    (ws / "glossary.csv").write_text(GLOSSARY.replace("library", "public library"), encoding="utf-8")
    assert invoke(ws, "run", "--engine", "none", "-q").exit_code == 0
    uk = polib.pofile(str(ws / "locales/uk/LC_MESSAGES/a.po"))
    assert "glossary: biblioteka → en: public library; uk: бібліотека" in uk[0].comment
    assert "en: library;" not in uk[0].comment


@pytest.mark.parametrize("command", ["run", "status", "check"])
def test_malformed_glossary_is_exit_2_naming_the_line_and_writes_nothing(tmp_path, command):
    ws = make_workspace(tmp_path, {"source_texts/a.txt": SOURCE,
                                   "glossary.csv": "term,lang,translation\nbiblioteka,uk,бібліотека\nx,english,y\n"})
    args = ["check", "--qa"] if command == "check" else [command]
    result = invoke(ws, *args)
    assert result.exit_code == 2
    assert result.stderr == "error: glossary.csv:3: 'english' is not a language code like 'en' or 'uk' (or '*' for all)\n"
    assert snapshot(ws / "locales") == {}


# ---------------------------------------------------------------- MT protection (tiny real Argos model)

@pytest.fixture(scope="module")
def archives(tmp_path_factory):
    from argos_fixture import build_argos_package

    folder = tmp_path_factory.mktemp("archives")
    return [build_argos_package(folder, "pl", "en", version="1.9", seed=1),
            build_argos_package(folder, "en", "uk", version="1.9", seed=2)]


@pytest.mark.slow
def test_do_not_translate_name_survives_machine_translation(tmp_path, archives):
    name = "Fundacja Cyfrowy Most"
    source = f"Zapraszamy na spotkanie w bibliotece, organizatorem jest {name} z Warszawy.\n"
    settings = '[tool.outreach]\nmodels_dir = "models"\nbeam_size = 1\nthreads = 1\n'
    drafts = {}
    for with_glossary in (False, True):
        files = {"source_texts/a.txt": source, "pyproject.toml": settings}
        if with_glossary:
            files["glossary.csv"] = f"term,lang,translation\n{name},*,do-not-translate\n"
        folder = tmp_path / str(with_glossary)
        folder.mkdir()
        ws = make_workspace(folder, files)
        assert invoke(ws, "models", "install", *map(str, archives)).exit_code == 0
        result = invoke(ws, "run", "--engine", "argos", "-q")
        assert result.exit_code == 0, result.stderr
        drafts[with_glossary] = {lang: polib.pofile(str(ws / f"locales/{lang}/LC_MESSAGES/a.po"))[0]
                                 for lang in ("en", "uk")}
    for lang in ("en", "uk"):
        entry = drafts[True][lang]
        assert entry.fuzzy and "machine translation: argos" in entry.tcomment
        assert name in entry.msgstr, entry.msgstr
        assert f"do not translate: {name}" in entry.comment
        # The (gibberish) model does not keep the name by itself: the protection does.
        assert name not in drafts[False][lang].msgstr

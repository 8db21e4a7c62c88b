"""Tests for pipeline.review.qa: each quality check, run_checks, and `check --qa` / `status` through the CLI."""

from __future__ import annotations

import json

import polib
import pytest

from pipeline.review import qa
from pipeline.catalogs.catalog import Catalog, Entry
from pipeline.documents.detection import Detector
from pipeline.catalogs.glossary import parse
from pipeline.catalogs.pofile import read_catalog
from workspace import invoke, make_workspace, run_fresh

RUSSIAN = "Библиотека будет закрыта в понедельник из-за инвентаризации, приносим извинения."
UKRAINIAN = "Бібліотека буде зачинена в понеділок через інвентаризацію, просимо вибачення."
POLISH = "Biblioteka będzie zamknięta w poniedziałek z powodu inwentaryzacji, przepraszamy."
ENGLISH = "The library will be closed on Monday because of the stocktaking, we apologise."
GLOSSARY = parse("term,lang,translation\nbiblioteka,uk,бібліотека\nbiblioteka,en,library\n"
                 "Fundacja Cyfrowy Most,*,do-not-translate\n")


@pytest.fixture(scope="module")
def detector():
    return Detector(("pl", "en", "uk", "ru", "de"))


def codes(msgid, msgstr, lang="en", *, source="pl", glossary=GLOSSARY, detector=None, **entry):
    problems = qa.check_entry(Entry(msgid, msgstr, **entry), lang, source, glossary, detector)
    return [p.code for p in problems]


def messages(check, msgid, msgstr, lang="en", source="pl"):
    ctx = qa.Context(lang, source, GLOSSARY, None, "reviewed", GLOSSARY.names(lang))
    return [p.message for p in check(Entry(msgid, msgstr), ctx)]


# ---------------------------------------------------------------- numbers, times, dates

@pytest.mark.parametrize("src, tgt", [
    ("Spotkanie 12 grudnia o 10:30.", "Meeting on December 12 at 10:30."),
    ("Otwarte w godz. 10.00–18.00.", "Open from 10:00 to 18:00."),          # time separators may change
    ("Termin: 12.05.2024.", "Deadline: 12/05/2024."),
    ("Cena: 1 000 zł.", "Price: PLN 1,000."),
    ("Cena: 1 000 zł.", "Price: PLN 1000."),                                # thousands separator dropped
    ("Od 9:00.", "From 09:00."),                                           # leading zero
    ("W godz. 10.00–18.00.", "From 10 am to 18:00."),   # whole hours
    ("Dzieci w wieku 5–7 lat.", "Children aged 5 to 7."),
    ("Bez liczb.", "No numbers."),
])
def test_numbers_may_change_format(src, tgt):
    assert messages(qa.check_numbers, src, tgt) == []


@pytest.mark.parametrize("src, tgt, message", [
    ("Spotkanie 12 grudnia o 10:30.", "Meeting on December 13 at 10:30.",
     "number '12' of the source not in the translation (it has '13')"),
    ("Spotkanie o 10:30.", "Meeting at 10:00.", "number '10:30' of the source not in the translation (it has '10:00')"),
    ("Spotkanie o 10:30.", "Meeting at half past ten.", "number '10:30' of the source not in the translation"),
    ("Spotkanie o 10:00.", "Meeting at 11 am.", "number '10:00' of the source not in the translation (it has '11')"),
    ("Cena 1 000 zł.", "Price PLN 1.", "number '1 000' of the source not in the translation (it has '1')"),
    ("Spotkanie w sobotę.", "Meeting on Saturday 5 May.", "number '5' in the translation but not in the source"),
    ("Kosztuje 1,5 zł.", "It costs PLN 1.50.", "number '1,5' of the source not in the translation (it has '1.50')"),
])
def test_changed_numbers_are_errors(src, tgt, message):
    assert messages(qa.check_numbers, src, tgt) == [message]


def test_digits_in_urls_phones_and_emails_are_left_to_their_own_checks():
    src = "Zadzwoń: 22 123 45 67 lub napisz na info2024@example.org, https://example.org/2024."
    assert messages(qa.check_numbers, src, src.replace("Zadzwoń", "Call").replace("lub napisz na", "or write to")) == []


# ---------------------------------------------------------------- URLs, e-mails, phones

def test_urls():
    src = "Szczegóły: https://biblioteka.example.org/dzien-otwarty, www.biblioteka.pl."
    assert messages(qa.check_urls, src, "Details: https://biblioteka.example.org/dzien-otwarty, www.biblioteka.pl.") == []
    assert messages(qa.check_urls, src, "Details: https://biblioteka.example.org/open-day, www.biblioteka.pl.") == [
        "URL 'https://biblioteka.example.org/dzien-otwarty' of the source not in the translation "
        "(it has 'https://biblioteka.example.org/open-day')"]
    assert messages(qa.check_urls, "Bez adresu.", "See example.org/x.") == [
        "URL 'example.org/x' in the translation but not in the source"]


def test_emails():
    src = "Pisz na info@biblioteka.example.org."
    assert messages(qa.check_emails, src, "Write to info@biblioteka.example.org.") == []
    assert messages(qa.check_emails, src, "Write to info@library.example.org.") == [
        "e-mail address 'info@biblioteka.example.org' of the source not in the translation "
        "(it has 'info@library.example.org')"]


def test_phones_keep_their_digits_and_may_gain_a_country_code():
    src = "Tel. 22 123 45 67."
    assert messages(qa.check_phones, src, "Phone 22 123 45 67.") == []
    assert messages(qa.check_phones, src, "Phone +48 22 123 45 67.") == []
    assert messages(qa.check_phones, src, "Phone 22-123-45-67.") == []
    assert messages(qa.check_phones, src, "Phone 22 123 45 76.") == [
        "phone number '22 123 45 67' of the source not in the translation (it has '22 123 45 76')"]


# ---------------------------------------------------------------- markup and links

def test_markup_balanced_and_as_in_the_source():
    src = "Zapraszamy na **dzień otwarty** i `kod`, <br> _koniecznie_."
    assert messages(qa.check_markup, src, "Join us for the **open day** and `kod`, <br> _really_.") == []
    assert messages(qa.check_markup, src, "Join us for the **open day and `kod`, <br> _really_.") == [
        "markup differs: '**' 2× in the source, 1× in the translation"]
    assert messages(qa.check_markup, src, "Join us for the **open day** and `code`, _really_.") == [
        "markup differs: '<br>' 1× in the source, 0× in the translation",
        "inline code '`kod`' of the source not in the translation"]


def test_link_targets_identical():
    src = "Zapisz się [tutaj](https://example.org/zapisy) i zobacz ![mapę](mapa.png)."
    assert messages(qa.check_links, src, "Sign up [here](https://example.org/zapisy), see the ![map](mapa.png).") == []
    assert messages(qa.check_links, src, "Sign up [here](https://example.org/signup), see the ![map](mapa.png).") == [
        "link target '](https://example.org/zapisy)' of the source not in the translation "
        "(it has '](https://example.org/signup)')"]
    assert messages(qa.check_markup, src, "Sign up here](https://example.org/zapisy), see the ![map](mapa.png).") == [
        "markup differs: '[' 2× in the source, 1× in the translation; ']' 0× in the source, 1× in the translation"]


# ---------------------------------------------------------------- language

@pytest.mark.parametrize("text, lang, found", [
    (RUSSIAN, "uk", "Russian"),
    (POLISH.replace("przepraszamy", "serdecznie przepraszamy"), "uk", "Polish"),
    (ENGLISH, "uk", "English"),
    (POLISH.replace("przepraszamy", "bardzo przepraszamy"), "en", "Polish"),
    (POLISH, "en", None),                # identical to the source: left to the copy check
    (UKRAINIAN, "uk", None),
    (ENGLISH, "en", None),
    ("Тиждень тому", "uk", None),          # too short to judge
])
def test_translation_in_the_catalogue_language(detector, text, lang, found):
    problems = qa.check_entry(Entry(POLISH, text), lang, "pl", detector=detector)
    language = [p for p in problems if p.code == "qa-language"]
    if found is None:
        assert language == []
    else:
        assert [p.message.split(" (")[0] for p in language] == [f"the translation looks {found}"]
        assert language[0].severity == "error"


def test_language_check_ignores_do_not_translate_names(detector):
    text = "Fundacja Cyfrowy Most запрошує всіх охочих на безкоштовні заняття в бібліотеці."
    assert "qa-language" not in codes("Fundacja Cyfrowy Most zaprasza wszystkich chętnych na zajęcia w bibliotece.",
                                      text, "uk", detector=detector)


# ---------------------------------------------------------------- copies, whitespace, punctuation, length

def test_untranslated_copy_is_a_warning():
    problems = qa.check_entry(Entry(POLISH, POLISH), "en", "pl")
    assert [(p.code, p.severity) for p in problems] == [("qa-untranslated-copy", "warning")]


@pytest.mark.parametrize("msgid, entry", [
    ("Fundacja Cyfrowy Most", {}),                                     # a do-not-translate name
    ("Biblioteka Publiczna Dzielnicy Mokotów", {}),                    # capitalised words: a name
    ("Biblioteka Publiczna na Woli\nul. Działdowska 7\n01-184 Warszawa", {}),   # an address
    ("PESEL, NIP", {}),                                                # codes
    ("https://example.org/zapisy", {}),
    (ENGLISH, {"extracted": ("language: en (0.99), document: pl",)}),  # already in the target language
    (ENGLISH, {"flags": ("fuzzy",), "extracted": ("copied from source: the paragraph is already in en",)}),
])
def test_copies_that_are_fine(msgid, entry):
    assert "qa-untranslated-copy" not in codes(msgid, msgid, "en", **entry)


def test_whitespace():
    assert messages(qa.check_whitespace, "Tekst.", "Text.") == []
    assert messages(qa.check_whitespace, "Tekst.", " Text.\n") == [
        "leading whitespace '' in the source, ' ' in the translation",
        "trailing whitespace '' in the source, '\\n' in the translation"]


@pytest.mark.parametrize("src, tgt, ok", [
    ("Zapraszamy!", "Welcome!", True),
    ("Zapraszamy na:", "We invite you to:", True),
    ("Czy wiesz, że...", "Did you know…", True),
    ("Zapisy: **tutaj**.", "Sign up: **here**.", True),
    ("Wstęp wolny (bez zapisów).", "Free entry (no registration).", True),
    ("Nagłówek", "Heading", True),
    ("Zapraszamy!", "Welcome.", False),
    ("Zapraszamy.", "Welcome", False),
    ("Nagłówek", "Heading:", False),
])
def test_final_punctuation(src, tgt, ok):
    found = messages(qa.check_punctuation, src, tgt)
    assert (found == []) is ok, found


def test_length_ratio_far_outside_the_norm():
    assert messages(qa.check_length, POLISH, ENGLISH) == []
    assert messages(qa.check_length, POLISH, "Closed on Monday.") == [
        "the translation is 20% of the source's length (about 90% is usual for pl→en)"]
    assert messages(qa.check_length, POLISH, ENGLISH + " " + ENGLISH + " " + ENGLISH)[0].startswith(
        "the translation is 2")
    assert messages(qa.check_length, "Krótki.", "A much, much longer text than the source is.") == []  # too short


# ---------------------------------------------------------------- glossary

def test_prescribed_translation_missing_is_an_error():
    src = "Zapraszamy do biblioteki w sobotę."
    assert messages(qa.check_glossary, src, "Запрошуємо до бібліотеки в суботу.", "uk") == []
    assert messages(qa.check_glossary, src, "Welcome to the libraries on Saturday.", "en") == []
    assert messages(qa.check_glossary, src, "Запрошуємо до книгозбірні в суботу.", "uk") == [
        "'biblioteki' should be translated as 'бібліотека' (glossary.csv:2)"]
    assert messages(qa.check_glossary, "Zapraszamy w sobotę.", "Запрошуємо в суботу.", "uk") == []


def test_do_not_translate_name_must_stay():
    src = "Organizatorem jest Fundacja Cyfrowy Most."
    assert messages(qa.check_glossary, src, "The organiser is Fundacja Cyfrowy Most.") == []
    assert messages(qa.check_glossary, src, "The organiser is the Digital Bridge Foundation.") == [
        "do-not-translate name 'Fundacja Cyfrowy Most' is not in the translation"]
    # the inflected form of the source may stay as it is, too
    assert messages(qa.check_glossary, "Wolontariusze Fundacji Cyfrowy Most.", "Volunteers of Fundacji Cyfrowy Most.") == []


# ---------------------------------------------------------------- run_checks over a catalogue

def test_run_checks_covers_reviewed_and_drafts_and_skips_obsolete_and_empty(detector):
    cat = Catalog(entries=(
        Entry("Spotkanie o 10:30.", "Meeting at 11:30.", line=10),                         # reviewed
        Entry("Spotkanie o 12:00.", "Meeting at 12:30.", flags=("fuzzy",), line=14),       # draft
        Entry("Spotkanie o 13:00.", "", line=18),                                           # untranslated
        Entry("Spotkanie o 14:00.", "Meeting at 15:00.", obsolete=True, line=22),
    ), header=(), path="/abs/locales/en/LC_MESSAGES/a.po")
    found = qa.run_checks(cat, "en", "pl", detector=detector, path="locales/en/LC_MESSAGES/a.po")
    assert [str(f) for f in found] == [
        "locales/en/LC_MESSAGES/a.po:10: qa-number: number '10:30' of the source not in the translation (it has '11:30')",
        "locales/en/LC_MESSAGES/a.po:14: qa-number: number '12:00' of the source not in the translation (it has '12:30')",
    ]
    assert qa.run_checks(cat, "en", "pl", checks=[qa.check_punctuation]) == []


# ---------------------------------------------------------------- through the CLI: the acceptance cases

SOURCE = """\
Zapraszamy 12 grudnia o 10:30 na dzień otwarty biblioteki.

Szczegóły na stronie https://biblioteka.example.org/dzien-otwarty i pod numerem 22 123 45 67.

Biblioteka będzie zamknięta w poniedziałek z powodu inwentaryzacji, przepraszamy.
"""

GOOD = {
    "en": {
        "Zapraszamy 12": "Join us on 12 December at 10:30 for the library open day.",
        "Szczegóły": "Details at https://biblioteka.example.org/dzien-otwarty and on 22 123 45 67.",
        "Biblioteka": ENGLISH,
    },
    "uk": {
        "Zapraszamy 12": "Запрошуємо 12 грудня о 10:30 на день відкритих дверей бібліотеки.",
        "Szczegóły": "Деталі на сторінці https://biblioteka.example.org/dzien-otwarty і за номером 22 123 45 67.",
        "Biblioteka": UKRAINIAN,
    },
}


def msgid_lines(path):
    """msgid → the line of its ``msgid`` keyword (what findings point at)."""
    return {e.msgid: e.line for e in read_catalog(path).entries}


def review(ws, lang, **changes):
    """Review every entry of the ``lang`` catalogue; returns {start of msgid: line}."""
    path = ws / f"locales/{lang}/LC_MESSAGES/a.po"
    po = polib.pofile(str(path))
    texts = {**GOOD[lang], **changes}
    for entry in po:
        entry.msgstr = next(text for start, text in texts.items() if entry.msgid.startswith(start))
        entry.flags = [f for f in entry.flags if f != "fuzzy"]
    po.save()
    return {start: line for msgid, line in msgid_lines(path).items() for start in texts if msgid.startswith(start)}


@pytest.fixture
def ws(tmp_path):
    ws = make_workspace(tmp_path, {"source_texts/a.txt": SOURCE})
    assert invoke(ws, "run", "--engine", "none", "-q").exit_code == 0
    return ws


def test_check_qa_passes_on_good_translations(ws):
    review(ws, "en")
    review(ws, "uk")
    result = invoke(ws, "check", "--qa")
    assert result.exit_code == 0, result.stdout
    assert result.stdout == ""


def test_check_qa_catches_a_broken_url_a_changed_number_and_a_russian_sentence(ws):
    en_line = review(ws, "en", **{"Zapraszamy 12": "Join us on 13 December at 10:30 for the library open day."})[
        "Zapraszamy 12"]
    lines = review(ws, "uk", **{
        "Szczegóły": "Деталі на сторінці https://biblioteka.example.org/dzien_otwarty і за номером 22 123 45 67.",
        "Biblioteka": RUSSIAN,
    })
    assert invoke(ws, "check").exit_code == 0           # without --qa: complete and reviewed
    result = invoke(ws, "check", "--qa")
    assert result.exit_code == 1
    out = result.stdout.splitlines()
    assert out == [
        f"locales/en/LC_MESSAGES/a.po:{en_line}: qa-number: number '12' of the source not in the translation (it has '13')",
        f"locales/uk/LC_MESSAGES/a.po:{lines['Szczegóły']}: qa-url: URL 'https://biblioteka.example.org/dzien-otwarty' "
        "of the source not in the translation (it has 'https://biblioteka.example.org/dzien_otwarty')",
        f"locales/uk/LC_MESSAGES/a.po:{lines['Biblioteka']}: qa-language: the translation looks Russian (1.00), not Ukrainian",
    ]
    assert "check failed: 2 of 2 catalogues need work (3 problems)" in result.stderr
    data = json.loads(invoke(ws, "check", "--qa", "--json").stdout)
    assert data["ok"] is False
    assert [(f["code"], f["severity"]) for f in data["findings"]] == [
        ("qa-number", "error"), ("qa-url", "error"), ("qa-language", "error")]
    assert [c["qa"] for c in data["catalogues"]] == [{"errors": 1, "warnings": 0}, {"errors": 2, "warnings": 0}]


def test_qa_warnings_do_not_fail_the_check(ws):
    line = review(ws, "en", Biblioteka=ENGLISH.rstrip("."))["Biblioteka"]
    review(ws, "uk")
    result = invoke(ws, "check", "--qa")
    assert result.exit_code == 0
    assert result.stdout == (f"locales/en/LC_MESSAGES/a.po:{line}: warning: qa-punctuation: "
                             "the source ends with '.', the translation with no punctuation\n")


def test_with_allow_fuzzy_qa_errors_in_drafts_are_warnings(ws):
    review(ws, "uk")
    path = ws / "locales/en/LC_MESSAGES/a.po"
    review(ws, "en", **{"Zapraszamy 12": "Join us on 13 December at 10:30 for the library open day."})
    po = polib.pofile(str(path))
    po[0].flags.append("fuzzy")
    po.save()
    lines = {"Zapraszamy 12": msgid_lines(path)[po[0].msgid]}
    loose = invoke(ws, "check", "--qa", "--allow-fuzzy", "--min-complete", "0")
    assert loose.exit_code == 0
    assert f"a.po:{lines['Zapraszamy 12']}: warning: qa-number: " in loose.stdout
    strict = invoke(ws, "check", "--qa")
    assert strict.exit_code == 1
    assert f"a.po:{lines['Zapraszamy 12']}: qa-number: " in strict.stdout


def test_check_qa_uses_the_workspace_glossary(ws):
    (ws / "glossary.csv").write_text("term,lang,translation\nbiblioteka,uk,книгозбірня\n", encoding="utf-8")
    review(ws, "en")
    lines = review(ws, "uk")
    result = invoke(ws, "check", "--qa")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"locales/uk/LC_MESSAGES/a.po:{lines[start]}: qa-glossary: '{word}' should be translated as 'книгозбірня' "
        "(glossary.csv:2)" for start, word in (("Zapraszamy 12", "biblioteki"), ("Biblioteka", "Biblioteka"))]


def test_status_shows_a_qa_column(ws):
    review(ws, "en", **{"Zapraszamy 12": "Join us on 13 December at 10:30 for the library open day"})
    result = invoke(ws, "status")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "DOCUMENT  LANG  ENTRIES  TRANSLATED  FUZZY  UNTRANSLATED  COMPLETE  QA     STATE",
        "a         en          3           3      0             0    100.0%  1E 1W  ok",
        "a         uk          3           0      0             3      0.0%  -      ok",
        "total     all         6           3      0             3     50.0%  1E 1W",
    ]
    data = json.loads(invoke(ws, "status", "--json").stdout)
    assert data["total"]["qa"] == {"errors": 1, "warnings": 1}


def test_copied_paragraphs_get_no_copy_warning_even_once_reviewed(tmp_path):
    ws = make_workspace(tmp_path, {"source_texts/a.md": f"{POLISH}\n\n{ENGLISH}\n"})
    assert invoke(ws, "run", "--engine", "none", "-q", "--to", "en").exit_code == 0
    po = polib.pofile(str(ws / "locales/en/LC_MESSAGES/a.po"))
    assert po[1].msgstr == ENGLISH and "copied from source" in po[1].tcomment
    po[0].msgstr = POLISH                       # a real untranslated copy
    for entry in po:
        entry.flags = []
    po.save()
    result = invoke(ws, "check", "--qa", "--to", "en")
    assert result.exit_code == 0          # a copy is a warning (and not also a qa-language error)
    line = msgid_lines(ws / "locales/en/LC_MESSAGES/a.po")[POLISH]
    assert result.stdout == (f"locales/en/LC_MESSAGES/a.po:{line}: warning: qa-untranslated-copy: "
                             "the translation is a copy of the source\n")


def test_check_qa_never_imports_the_mt_stack(ws):
    _codes, out, heavy = run_fresh(ws, ["check", "--qa"])
    assert not heavy & {"ctranslate2", "argostranslate", "torch", "sentencepiece"}, heavy
    assert "qa-" not in out    # untranslated catalogues: nothing to check yet


def test_status_leaves_the_slow_language_check_to_its_qa_flag(ws, monkeypatch):
    review(ws, "uk", Biblioteka=RUSSIAN)
    from pipeline.documents import detection

    calls = []
    original = detection.Detector.probabilities
    monkeypatch.setattr(detection.Detector, "probabilities", lambda self, text: calls.append(text) or original(self, text))
    quick = invoke(ws, "status", "--json")
    assert quick.exit_code == 0 and calls == []
    assert [c["qa"] for c in json.loads(quick.stdout)["catalogues"]] == [
        {"errors": 0, "warnings": 0}, {"errors": 0, "warnings": 0}]
    full = json.loads(invoke(ws, "status", "--json", "--qa").stdout)
    assert calls and full["catalogues"][1]["qa"] == {"errors": 1, "warnings": 0}


def test_line_break_in_a_one_line_construct_warns():
    ctx = qa.Context("en", "pl", GLOSSARY, None, "reviewed", ())
    heading = Entry("Program", "Programme\nof the day", extracted=("type: heading",))
    assert [(p.code, p.severity) for p in qa.check_line_breaks(heading, ctx)] == [("qa-line-break", "warning")]
    paragraph = Entry("Program", "Programme\nof the day")
    assert list(qa.check_line_breaks(paragraph, ctx)) == []
    cell = Entry("A\nB", "A\nB", extracted=("type: table cell",))
    assert list(qa.check_line_breaks(cell, ctx)) == []

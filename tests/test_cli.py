"""The ``outreach`` command end to end, in-process with CliRunner, in throw-away workspaces."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import polib
import pytest

from pipeline.cli import cli
from workspace import ROOT, invoke, make_workspace, msgfmt_check, review_all, run_fresh, snapshot

needs_msgfmt = pytest.mark.skipif(not __import__("shutil").which("msgfmt"), reason="GNU gettext not installed")

MIXED = """\
# Warsztaty językowe

Zapraszamy wszystkich chętnych na bezpłatne warsztaty językowe w naszej bibliotece. Spotkania odbywają się w każdą środę.

Everyone is welcome to join our free language workshops at the library. We meet every Wednesday afternoon.

Запрошуємо всіх охочих на безкоштовні мовні майстер-класи в нашій бібліотеці. Зустрічі відбуваються щосереди.

## Terminy

- środa, 17:00
"""


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_has_help(name):
    result = CliRunnerHelp().invoke(name)
    assert result.exit_code == 0
    assert "Usage: outreach " + name in result.output
    assert cli.commands[name].help, f"{name} has no help text"


class CliRunnerHelp:
    def invoke(self, name):
        from click.testing import CliRunner

        return CliRunner().invoke(cli, [name, "--help"])


def test_version_and_help():
    from click.testing import CliRunner

    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in ("run", "detect", "status", "check", "build"):
        assert name in result.output


@needs_msgfmt
def test_run_on_the_shipped_samples_writes_valid_stable_catalogues(tmp_path):
    ws = make_workspace(tmp_path, samples=True)
    result = invoke(ws, "run", "--engine", "none")
    assert result.exit_code == 0, result.stderr
    files = snapshot(ws / "locales")
    docs = sorted(p.stem for p in (ROOT / "source_texts").glob("*.*"))
    assert sorted(k for k in files if k.endswith(".pot")) == [f"{d}.pot" for d in docs]
    for lang in ("en", "uk"):
        for d in docs:
            assert f"{lang}/LC_MESSAGES/{d}.po" in files
    for rel in files:
        msgfmt_check(ws / "locales" / rel)
    uk = (ws / "locales/uk/LC_MESSAGES/godziny-otwarcia.po").read_text(encoding="utf-8")
    assert '"Language: uk\\n"' in uk
    assert "nplurals=3;" in uk
    assert "#: source_texts/godziny-otwarcia.txt:1" in uk
    # A re-run changes no byte.
    again = invoke(ws, "run", "--engine", "none")
    assert again.exit_code == 0
    assert snapshot(ws / "locales") == files
    assert "0 written" in again.stderr


def test_run_without_models_says_how_to_get_them_once(tmp_path):
    ws = make_workspace(tmp_path, {"source_texts/a.txt": "Zapraszamy do biblioteki na spotkanie autorskie.\n"})
    env_dir = tmp_path / "models"
    env_dir.mkdir()
    result = invoke(ws, "run", "--engine", "auto")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.count("outreach models install") == 1
    po = polib.pofile(str(ws / "locales/en/LC_MESSAGES/a.po"))
    assert [e.msgstr for e in po] == [""]


def test_quiet_run_prints_nothing(tmp_path):
    ws = make_workspace(tmp_path, {"source_texts/a.txt": "Zapraszamy do biblioteki na spotkanie autorskie.\n"})
    result = invoke(ws, "run", "--engine", "none", "-q")
    assert result.exit_code == 0
    assert result.stderr == "" and result.stdout == ""


def test_check_fails_before_review_and_passes_after(tmp_path):
    ws = make_workspace(tmp_path, {"source_texts/ogloszenie.md": MIXED})
    assert invoke(ws, "run", "--engine", "none", "-q").exit_code == 0
    before = invoke(ws, "check")
    assert before.exit_code == 1
    lines = before.stdout.splitlines()
    assert "locales/en/LC_MESSAGES/ogloszenie.po:1: incomplete: " in lines[0] or any(
        line.startswith("locales/en/LC_MESSAGES/ogloszenie.po:1: incomplete:") for line in lines)
    assert any(line.startswith("locales/uk/LC_MESSAGES/ogloszenie.po:") and ": untranslated: " in line for line in lines)
    assert "check failed" in before.stderr
    for lang in ("en", "uk"):
        review_all(ws / f"locales/{lang}/LC_MESSAGES/ogloszenie.po")
    after = invoke(ws, "check")
    assert after.exit_code == 0, after.stdout
    assert after.stdout == ""
    assert "check passed" in after.stderr


def test_check_reports_fuzzy_unless_allowed_and_threshold(tmp_path):
    ws = make_workspace(tmp_path, {"source_texts/a.txt": "Pierwszy akapit ogłoszenia o zbiórce.\n\nDrugi akapit ogłoszenia o zbiórce.\n"})
    invoke(ws, "run", "--engine", "fake", "-q")
    result = invoke(ws, "check")
    assert result.exit_code == 1
    assert ": fuzzy: machine draft awaiting review: " in result.stdout
    assert invoke(ws, "check", "--allow-fuzzy", "--min-complete", "0").exit_code == 0
    assert invoke(ws, "check", "--allow-fuzzy").exit_code == 1  # 0 % reviewed < 100 %


def test_check_notices_a_stale_catalogue(tmp_path):
    ws = make_workspace(tmp_path, {"source_texts/a.txt": "Pierwszy akapit.\n\nDrugi akapit.\n"})
    invoke(ws, "run", "--engine", "none", "-q")
    for lang in ("en", "uk"):
        review_all(ws / f"locales/{lang}/LC_MESSAGES/a.po")
    assert invoke(ws, "check").exit_code == 0
    (ws / "source_texts/a.txt").write_text("Pierwszy akapit.\n\nDrugi, zmieniony akapit.\n", encoding="utf-8")
    result = invoke(ws, "check")
    assert result.exit_code == 1
    assert "locales/en/LC_MESSAGES/a.po:1: stale: source_texts/a.txt changed since the last run; run 'outreach run'" in result.stdout


def test_check_fails_on_a_source_without_catalogues(tmp_path):
    ws = make_workspace(tmp_path, {"source_texts/a.txt": "Pierwszy akapit.\n"})
    result = invoke(ws, "check")
    assert result.exit_code == 1
    assert "locales/en/LC_MESSAGES/a.po:1: missing: no catalogue for source_texts/a.txt; run 'outreach run'" in result.stdout


def test_check_json(tmp_path):
    ws = make_workspace(tmp_path, {"source_texts/a.txt": "Pierwszy akapit.\n"})
    invoke(ws, "run", "--engine", "none", "-q")
    result = invoke(ws, "check", "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False
    assert {f["code"] for f in data["findings"]} == {"incomplete", "untranslated"}


def test_status_table_and_json(tmp_path):
    ws = make_workspace(tmp_path, {"source_texts/a.txt": "Pierwszy akapit.\n\nDrugi akapit.\n\nPierwszy akapit.\n"})
    invoke(ws, "run", "--engine", "none", "-q")
    review_all(ws / "locales/en/LC_MESSAGES/a.po")
    table = invoke(ws, "status")
    assert table.exit_code == 0
    assert table.stdout.splitlines() == [
        "DOCUMENT  LANG  ENTRIES  TRANSLATED  FUZZY  UNTRANSLATED  COMPLETE  QA  STATE",
        "a         en          2           2      0             0    100.0%  -   ok",
        "a         uk          2           0      0             2      0.0%  -   ok",
        "total     all         4           2      0             2     50.0%  -",
    ]
    data = json.loads(invoke(ws, "status", "--json").stdout)
    assert data["total"]["entries"] == 4
    assert [c["percent"] for c in data["catalogues"]] == [100.0, 0.0]


def test_duplicate_paragraph_is_one_entry_with_two_references(tmp_path):
    ws = make_workspace(tmp_path, {"source_texts/a.txt": "Wstęp wolny.\n\nCoś innego tutaj.\n\nWstęp wolny.\n"})
    invoke(ws, "run", "--engine", "none", "-q")
    po = polib.pofile(str(ws / "locales/en/LC_MESSAGES/a.po"))
    entry = po.find("Wstęp wolny.")
    assert entry.occurrences == [("source_texts/a.txt", "1"), ("source_texts/a.txt", "5")]
    review_all(ws / "locales/en/LC_MESSAGES/a.po", lambda e: {"Wstęp wolny.": "Free entry."}.get(e.msgid, "Other."))
    assert invoke(ws, "build", "--to", "en").exit_code == 0
    assert (ws / "build/en/a.txt").read_text(encoding="utf-8") == "Free entry.\n\nOther.\n\nFree entry.\n"


def test_detect_table_and_json_on_a_mixed_document(tmp_path):
    ws = make_workspace(tmp_path, {"source_texts/ogloszenie.md": MIXED})
    result = invoke(ws, "detect")
    assert result.exit_code == 0
    header, row = result.stdout.splitlines()
    assert header.split() == ["DOCUMENT", "LANG", "CONF", "SEGMENTS", "OTHER", "LANGUAGES"]
    assert row.startswith("source_texts/ogloszenie.md  pl")
    assert "line 5: en" in row and "line 7: uk" in row
    data = json.loads(invoke(ws, "detect", "--json").stdout)
    langs = {s["line"]: (s["language"], s["inherited"]) for s in data["documents"][0]["segments"]}
    assert langs[1] == ("pl", True)       # heading: too short, inherits
    assert langs[3][0] == "pl"
    assert langs[5] == ("en", False)
    assert langs[7] == ("uk", False)
    assert langs[9] == ("pl", True)       # "Terminy"


def test_detect_given_paths(tmp_path):
    ws = make_workspace(tmp_path, {"other/a.txt": "This is an English notice about the library opening hours next week."})
    result = invoke(ws, "detect", str(ws / "other/a.txt"))
    assert result.exit_code == 0
    assert " en " in result.stdout


def test_foreign_paragraphs_are_commented_and_routed(tmp_path):
    ws = make_workspace(tmp_path, {"source_texts/ogloszenie.md": MIXED})
    assert invoke(ws, "run", "--engine", "fake", "-q").exit_code == 0
    en = polib.pofile(str(ws / "locales/en/LC_MESSAGES/ogloszenie.po"))
    english = en.find("Everyone is welcome to join our free language workshops at the library. We meet every Wednesday afternoon.")
    assert english.msgstr == english.msgid and english.fuzzy
    assert "copied from source: the paragraph is already in en" in english.tcomment
    assert "language: en" in english.comment and "document: pl" in english.comment
    uk = polib.pofile(str(ws / "locales/uk/LC_MESSAGES/ogloszenie.po"))
    ukr = uk.find(next(e.msgid for e in uk if e.msgid.startswith("Запрошуємо")))
    assert ukr.msgstr == ukr.msgid and "copied from source" in ukr.tcomment
    # The English paragraph reaches Ukrainian directly (en→uk), the Polish ones through the pivot.
    eng_uk = uk.find(english.msgid)
    assert eng_uk.msgstr.startswith("[uk] ") and "English pivot" not in eng_uk.tcomment
    polish = uk.find(next(e.msgid for e in uk if e.msgid.startswith("Zapraszamy")))
    assert polish.fuzzy
    assert "machine translation: fake fake-pl_en 1.0 + fake-en_uk 1.0" in polish.tcomment
    assert "English pivot: [en] " in polish.tcomment


def test_ukrainian_drafts_come_from_reviewed_english(tmp_path):
    ws = make_workspace(tmp_path, {"source_texts/a.txt": "Zapraszamy na spotkanie autorskie w bibliotece.\n"})
    invoke(ws, "run", "--engine", "none", "-q")
    review_all(ws / "locales/en/LC_MESSAGES/a.po", lambda e: "Join us for an author meeting at the library.")
    invoke(ws, "run", "--engine", "fake", "-q")
    uk = polib.pofile(str(ws / "locales/uk/LC_MESSAGES/a.po"))
    entry = uk[0]
    assert entry.msgstr == "[uk] library. the at meeting author an for us Join"
    assert "(from the reviewed English)" in entry.tcomment
    assert "English pivot: Join us for an author meeting at the library." in entry.tcomment


def test_edited_source_keeps_translations_fuzzy_with_previous_and_obsolete(tmp_path):
    ws = make_workspace(tmp_path, {"source_texts/a.txt":
                                   "Biblioteka będzie nieczynna w poniedziałek 24 grudnia.\n\n"
                                   "Zapraszamy na wieczór poezji ukraińskiej w czwartek.\n\n"
                                   "Wystawa fotografii potrwa do końca miesiąca.\n"})
    invoke(ws, "run", "--engine", "none", "-q")
    review_all(ws / "locales/en/LC_MESSAGES/a.po", lambda e: "EN: " + e.msgid)
    (ws / "source_texts/a.txt").write_text(
        "Biblioteka będzie nieczynna w poniedziałek 24 i wtorek 25 grudnia.\n\n"
        "Zapraszamy na wieczór poezji ukraińskiej w czwartek.\n", encoding="utf-8")
    assert invoke(ws, "run", "--engine", "none", "-q").exit_code == 0
    text = (ws / "locales/en/LC_MESSAGES/a.po").read_text(encoding="utf-8")
    po = polib.pofile(str(ws / "locales/en/LC_MESSAGES/a.po"))
    changed = po.find("Biblioteka będzie nieczynna w poniedziałek 24 i wtorek 25 grudnia.")
    assert changed.fuzzy and changed.msgstr == "EN: Biblioteka będzie nieczynna w poniedziałek 24 grudnia."
    assert changed.previous_msgid == "Biblioteka będzie nieczynna w poniedziałek 24 grudnia."
    assert "#| msgid " in text
    kept = po.find("Zapraszamy na wieczór poezji ukraińskiej w czwartek.")
    assert kept.translated() and not kept.fuzzy
    gone = [e for e in po if e.obsolete]
    assert [e.msgid for e in gone] == ["Wystawa fotografii potrwa do końca miesiąca."]
    assert '#~ msgid "Wystawa fotografii potrwa do końca miesiąca."' in text
    # The paragraph comes back: so does its translation.
    (ws / "source_texts/a.txt").write_text(
        "Wystawa fotografii potrwa do końca miesiąca.\n", encoding="utf-8")
    invoke(ws, "run", "--engine", "none", "-q")
    po = polib.pofile(str(ws / "locales/en/LC_MESSAGES/a.po"))
    assert po.find("Wystawa fotografii potrwa do końca miesiąca.").msgstr == "EN: Wystawa fotografii potrwa do końca miesiąca."


def test_build_reproduces_structure_and_falls_back_with_warnings(tmp_path):
    source = ("# Tytuł ogłoszenia\n\nPierwszy akapit z **pogrubieniem** i [linkiem](https://example.org).\n\n"
              "- punkt pierwszy\n- punkt drugi\n  ciąg dalszy\n\n> cytat\n\n| A | B |\n|---|---|\n| x | y |\n")
    ws = make_workspace(tmp_path, {"source_texts/sub/a.md": source})
    invoke(ws, "run", "--engine", "none", "-q")
    review_all(ws / "locales/en/LC_MESSAGES/sub/a.po", lambda e: e.msgid.upper())
    result = invoke(ws, "build")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == ["build/en/sub/a.md", "build/uk/sub/a.md"]
    assert (ws / "build/en/sub/a.md").read_text(encoding="utf-8") == (
        "# TYTUŁ OGŁOSZENIA\n\nPIERWSZY AKAPIT Z **POGRUBIENIEM** I [LINKIEM](HTTPS://EXAMPLE.ORG).\n\n"
        "- PUNKT PIERWSZY\n- PUNKT DRUGI\n  CIĄG DALSZY\n\n> CYTAT\n\n| A | B |\n|---|---|\n| X | Y |\n")
    assert (ws / "build/uk/sub/a.md").read_text(encoding="utf-8") == source
    assert "locales/uk/LC_MESSAGES/sub/a.po:" in result.stderr and "warning: untranslated" in result.stderr


def test_build_strict_fails_and_writes_nothing(tmp_path):
    ws = make_workspace(tmp_path, {"source_texts/a.txt": "Pierwszy akapit.\n"})
    invoke(ws, "run", "--engine", "none", "-q")
    result = invoke(ws, "build", "--strict")
    assert result.exit_code == 1
    assert "error: untranslated" in result.stderr
    assert not (ws / "build").exists()


def test_targets_from_flag_and_settings(tmp_path):
    ws = make_workspace(tmp_path, {"source_texts/a.txt": "Pierwszy akapit.\n",
                                   "pyproject.toml": "[tool.outreach]\ntarget_languages = [\"uk\"]\n"})
    invoke(ws, "run", "--engine", "none", "-q")
    assert sorted(snapshot(ws / "locales")) == ["a.pot", "uk/LC_MESSAGES/a.po"]
    invoke(ws, "run", "--engine", "none", "-q", "--to", "de")
    de = (ws / "locales/de/LC_MESSAGES/a.po").read_text(encoding="utf-8")
    assert "nplurals=2; plural=(n != 1);" in de and '"Language: de\\n"' in de


@pytest.mark.parametrize("files, expected", [
    ({"source_texts/a.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00"}, "source_texts/a.txt: binary file"),
    ({"source_texts/a.txt": b"\x81\x8d\x8f\x90\x9d\x81\x8d\x8f\x90\x9d"}, "source_texts/a.txt: cannot determine the text encoding"),
    ({"pyproject.toml": "[tool.outreach]\ncolour = 3\n", "source_texts/a.txt": "x"}, "unknown setting 'colour'"),
    ({"pyproject.toml": "[tool.outreach\n", "source_texts/a.txt": "x"}, "pyproject.toml: invalid TOML"),
])
def test_bad_input_is_one_line_exit_2_and_writes_nothing(tmp_path, files, expected):
    ws = make_workspace(tmp_path, {"source_texts/ok.txt": "Dobry plik.\n", **files})
    result = invoke(ws, "run", "--engine", "none")
    assert result.exit_code == 2
    assert expected in result.stderr
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert not (ws / "locales").exists()


def test_malformed_po_names_file_and_line_and_writes_nothing(tmp_path):
    ws = make_workspace(tmp_path, {"source_texts/a.txt": "Pierwszy akapit.\n", "source_texts/b.txt": "Drugi.\n"})
    invoke(ws, "run", "--engine", "none", "-q")
    po = ws / "locales/uk/LC_MESSAGES/b.po"
    lines = po.read_text(encoding="utf-8").splitlines()
    bad_line = len(lines) + 1
    po.write_text("\n".join(lines) + '\nmsgid "unterminated\n', encoding="utf-8")
    (ws / "source_texts/a.txt").write_text("Zmieniony akapit.\n", encoding="utf-8")
    before = snapshot(ws / "locales")
    for command in ("run", "status", "check", "build"):
        result = invoke(ws, command)
        assert result.exit_code == 2, command
        assert result.stderr.splitlines()[-1].startswith(f"error: locales/uk/LC_MESSAGES/b.po:{bad_line}: "), result.stderr
    assert snapshot(ws / "locales") == before
    assert not (ws / "build").exists()


def test_missing_source_folder(tmp_path):
    ws = make_workspace(tmp_path)
    result = invoke(ws, "run")
    assert result.exit_code == 2
    assert "source_texts" in result.stderr and "not found" in result.stderr


def test_usage_error_exit_2(tmp_path):
    from click.testing import CliRunner

    result = CliRunner().invoke(cli, ["check", "--min-complete", "150"])
    assert result.exit_code == 2
    result = CliRunner().invoke(cli, ["frobnicate"])
    assert result.exit_code == 2


def test_empty_source_is_skipped_with_a_warning(tmp_path):
    ws = make_workspace(tmp_path, {"source_texts/empty.txt": "  \n\n", "source_texts/a.txt": "Akapit.\n"})
    result = invoke(ws, "run", "--engine", "none")
    assert result.exit_code == 0
    assert "warning: source_texts/empty.txt: skipped, no text to translate (empty file)" in result.stderr
    assert not (ws / "locales/empty.pot").exists()
    assert invoke(ws, "check").stdout.count("missing") == 0


def test_windows_1250_source_is_decoded(tmp_path):
    text = "Zapraszamy na spotkanie. Źródła, śnieg, gęś i ąę.\n"
    ws = make_workspace(tmp_path, {"source_texts/a.txt": text.replace("\n", "\r\n").encode("cp1250")})
    invoke(ws, "run", "--engine", "none", "-q")
    po = polib.pofile(str(ws / "locales/en/LC_MESSAGES/a.po"))
    assert po[0].msgid == text.strip()


def test_python_dash_m_and_no_mt_stack_for_status_and_check(tmp_path):
    ws = make_workspace(tmp_path, {"source_texts/a.txt": "Pierwszy akapit.\n"})
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-m", "pipeline", "run", "-C", str(ws), "--engine", "none", "-q"],
                            capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    _codes, _out, heavy = run_fresh(ws, ["status"], ["check"])
    assert not heavy & {"ctranslate2", "argostranslate", "torch", "sentencepiece", "stanza", "spacy"}, heavy


def test_no_models_note_only_while_something_is_untranslated(tmp_path):
    ws = make_workspace(tmp_path, {"source_texts/a.txt": "Zapraszamy do biblioteki na spotkanie autorskie.\n"})
    assert "outreach models install" in invoke(ws, "run", "--engine", "auto").stderr
    for lang in ("en", "uk"):
        review_all(ws / f"locales/{lang}/LC_MESSAGES/a.po")
    assert "outreach models install" not in invoke(ws, "run", "--engine", "auto").stderr

"""End to end with tiny REAL Argos packages: install through the CLI, run, re-run.

The packages are built at test time (CTranslate2 spec with seeded weights and
a SentencePiece model) and installed with ``outreach models install FILE``,
the same code path a user's .argosmodel takes. Their output is gibberish: these
tests check the mechanics (CTranslate2 really runs, drafts are marked, pivot,
verbatim URLs and numbers, cache), not translation quality.
"""

from __future__ import annotations

import json
import socket

import polib
import pytest
from argos_fixture import build_argos_package

from workspace import invoke, make_workspace, msgfmt_check, review_all, run_fresh, snapshot

pytestmark = pytest.mark.slow

SOURCE = """\
# Dzień otwarty biblioteki

Zapraszamy 12 grudnia o 10:30 na dzień otwarty. Szczegóły: https://biblioteka.example.org/dzien-otwarty, tel. 22 123 45 67.

Pytania prosimy kierować na adres info@biblioteka.example.org. Wstęp wolny.

Biblioteka Publiczna
ul. Długa 5
00-950 Warszawa
"""


@pytest.fixture(scope="module")
def archives(tmp_path_factory):
    folder = tmp_path_factory.mktemp("archives")
    return [build_argos_package(folder, "pl", "en", version="1.9", seed=1),
            build_argos_package(folder, "en", "uk", version="1.9", seed=2)]


@pytest.fixture
def ws(tmp_path, archives):
    ws = make_workspace(tmp_path, {
        "source_texts/dzien-otwarty.md": SOURCE,
        "pyproject.toml": '[tool.outreach]\nmodels_dir = "models"\nbeam_size = 1\nthreads = 1\n',
    })
    result = invoke(ws, "models", "install", *map(str, archives))
    assert result.exit_code == 0, result.stderr
    assert "installed pl-en 1.9" in result.stderr and "installed en-uk 1.9" in result.stderr
    return ws


def test_models_list_shows_pairs_and_pivot_route(ws):
    result = invoke(ws, "models", "list")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["PAIR", "VERSION", "NAME", "PATH"]
    assert lines[1].split()[:2] == ["en-uk", "1.9"] and lines[2].split()[:2] == ["pl-en", "1.9"]
    assert "routes: " in result.stdout and "pl→en→uk" in result.stdout
    data = json.loads(invoke(ws, "models", "list", "--json").stdout)
    assert [m["pair"] for m in data["models"]] == ["en-uk", "pl-en"]
    assert "pl-en-uk" in data["routes"]


def test_run_fills_drafts_through_ctranslate2_and_second_run_does_no_inference(ws):
    first = invoke(ws, "run", "--json")
    assert first.exit_code == 0, first.stderr
    report = json.loads(first.stdout)
    assert report["engine"] == "argos"
    assert report["inference"]["sentences"] > 0
    en = polib.pofile(str(ws / "locales/en/LC_MESSAGES/dzien-otwarty.po"))
    uk = polib.pofile(str(ws / "locales/uk/LC_MESSAGES/dzien-otwarty.po"))
    for entry in en:
        assert entry.msgstr and entry.fuzzy
        assert "machine translation: argos translate-pl_en 1.9" in entry.tcomment
    for entry in uk:
        assert entry.msgstr and entry.fuzzy
        assert "machine translation: argos translate-pl_en 1.9 + translate-en_uk 1.9" in entry.tcomment
        assert "English pivot: " in entry.tcomment
    # Non-translatables survive the (gibberish) model verbatim, in both languages.
    for cat in (en, uk):
        invite = next(e for e in cat if e.msgid.startswith("Zapraszamy"))
        for token in ("https://biblioteka.example.org/dzien-otwarty", "22 123 45 67", "10:30", "12"):
            assert token in invite.msgstr, (token, invite.msgstr)
        ask = next(e for e in cat if e.msgid.startswith("Pytania"))
        assert "info@biblioteka.example.org" in ask.msgstr
        address = next(e for e in cat if e.msgid.startswith("Biblioteka Publiczna"))
        assert address.msgid == "Biblioteka Publiczna\nul. Długa 5\n00-950 Warszawa"
        assert "00-950" in address.msgstr and "\n" not in address.msgstr  # joined for the model
    for path in sorted((ws / "locales").rglob("*.po*")):
        msgfmt_check(path)
    files = snapshot(ws / "locales")
    second = invoke(ws, "run", "--json")
    assert json.loads(second.stdout)["inference"]["sentences"] == 0
    assert snapshot(ws / "locales") == files


def test_deleted_catalogue_is_refilled_from_the_cache(ws):
    invoke(ws, "run", "-q")
    before = (ws / "locales/uk/LC_MESSAGES/dzien-otwarty.po").read_bytes()
    (ws / "locales/uk/LC_MESSAGES/dzien-otwarty.po").unlink()
    again = json.loads(invoke(ws, "run", "--json").stdout)
    assert again["inference"]["sentences"] == 0 and again["inference"]["cached"] > 0
    assert (ws / "locales/uk/LC_MESSAGES/dzien-otwarty.po").read_bytes().split(b"\n\n")[1:] == before.split(b"\n\n")[1:]


def test_reviewed_english_feeds_the_ukrainian_draft(ws):
    invoke(ws, "run", "--engine", "none", "-q")
    review_all(ws / "locales/en/LC_MESSAGES/dzien-otwarty.po", lambda e: "Open day at the library.")
    invoke(ws, "run", "-q")
    uk = polib.pofile(str(ws / "locales/uk/LC_MESSAGES/dzien-otwarty.po"))
    for entry in uk:
        assert "machine translation: argos translate-en_uk 1.9 (from the reviewed English)" in entry.tcomment
        assert "English pivot: Open day at the library." in entry.tcomment


def test_run_never_opens_a_network_connection(ws, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError(f"network connection attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    result = invoke(ws, "run")
    assert result.exit_code == 0, result.stderr
    assert polib.pofile(str(ws / "locales/en/LC_MESSAGES/dzien-otwarty.po"))[0].msgstr


def test_engine_argos_without_models_is_a_clear_error(tmp_path):
    ws = make_workspace(tmp_path, {"source_texts/a.txt": "Akapit.\n",
                                   "pyproject.toml": '[tool.outreach]\nmodels_dir = "empty"\n'})
    result = invoke(ws, "run", "--engine", "argos")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: no translation model installed in ")
    assert not (ws / "locales").exists()


def test_bad_archive_is_refused_through_the_cli(tmp_path):
    ws = make_workspace(tmp_path, {"evil.argosmodel": b"this is not a zip"})
    result = invoke(ws, "models", "install", str(ws / "evil.argosmodel"), "--models-dir", str(ws / "models"))
    assert result.exit_code == 2
    assert "evil.argosmodel" in result.stderr and "zip" in result.stderr
    assert not any((ws / "models").glob("*")) if (ws / "models").exists() else True


def test_models_remove(ws):
    result = invoke(ws, "models", "remove", "pl-en")
    assert result.exit_code == 0
    assert "removed pl-en 1.9" in result.stderr
    assert [line.split()[0] for line in invoke(ws, "models", "list").stdout.splitlines()[1:2]] == ["en-uk"]
    assert invoke(ws, "models", "remove", "pl-en").exit_code == 2


def test_lean_install_runs_without_torch(ws):
    """The pipeline's own venv has argostranslate without stanza/spacy/torch: run must work and never import
    them. With the models folder configured it needs nothing of argostranslate itself either (a package
    is read from its metadata.json): CTranslate2 and SentencePiece do the work."""
    codes, _out, heavy = run_fresh(ws, ["run", "-q"])
    assert codes == [0]
    assert heavy - {"numpy"} == {"ctranslate2", "sentencepiece"}
    assert polib.pofile(str(ws / "locales/en/LC_MESSAGES/dzien-otwarty.po"))[0].msgstr

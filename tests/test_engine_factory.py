"""translate.create_engine wires every engine alike: cache, glossary names, settings.

The glossary case that once broke: ``Fundacja Cyfrowy Most`` is a
do-not-translate name, and a server that upper-cases everything it is sent
must still hand it back verbatim, exactly as a local model does.
"""

from __future__ import annotations

import dataclasses

import polib
import pytest
from argos_fixture import build_argos_package
from click.testing import CliRunner
from test_libretranslate import fake  # noqa: F401  (the scripted LibreTranslate server fixture)
from workspace import make_workspace

from pipeline import translate
from pipeline.cli import cli
from pipeline.config import load_settings
from pipeline.translate.models import install_archive

NAME = "Fundacja Cyfrowy Most"
SOURCE = f"Zapraszamy do siedziby {NAME} w sobotę o 10:00.\n"
GLOSSARY = f"term,lang,translation\n{NAME},*,do-not-translate\n"


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    directory = tmp_path_factory.mktemp("models")
    archives = tmp_path_factory.mktemp("archives")
    install_archive(build_argos_package(archives, "pl", "en", seed=1), directory)
    install_archive(build_argos_package(archives, "en", "uk", seed=2), directory)
    return directory


def _workspace(tmp_path, settings: str = ""):
    return make_workspace(tmp_path, {"source_texts/ogloszenie.txt": SOURCE, "glossary.csv": GLOSSARY,
                                     "pyproject.toml": f"[tool.outreach]\n{settings}"})


def _draft(ws, lang: str) -> polib.POEntry:
    po = polib.pofile(str(ws / f"locales/{lang}/LC_MESSAGES/ogloszenie.po"))
    (entry,) = [e for e in po if not e.obsolete]
    return entry


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["argos", "libretranslate"])
def test_do_not_translate_names_survive_every_engine(engine, tmp_path, models, fake):  # noqa: F811
    fake.transform = lambda text, target: text.upper()
    setting = f'models_dir = "{models}"\nbeam_size = 1\nthreads = 1' if engine == "argos" else \
        f'libretranslate_url = "{fake.url}"'
    ws = _workspace(tmp_path, setting)
    result = CliRunner().invoke(cli, ["run", "-C", str(ws), "--engine", engine, "-q"])
    assert result.exit_code == 0, result.output
    for lang in ("en", "uk"):
        entry = _draft(ws, lang)
        assert entry.msgstr and "fuzzy" in entry.flags
        assert NAME in entry.msgstr, (lang, entry.msgstr)
        assert "10:00" in entry.msgstr
        assert f"do not translate: {NAME}" in entry.comment
    if engine == "libretranslate":
        sent = " ".join(q for body in fake.bodies for q in body["q"])
        assert NAME not in sent and NAME.upper() not in sent   # only a placeholder went out
        assert _draft(ws, "en").msgstr == f"ZAPRASZAMY DO SIEDZIBY {NAME} W SOBOTĘ O 10:00."


def test_the_factory_gives_every_engine_the_cache_and_the_names(tmp_path, fake):  # noqa: F811
    ws = _workspace(tmp_path)
    settings = dataclasses.replace(load_settings(ws), libretranslate_url=fake.url)
    wiring = translate.wiring(settings)
    assert wiring["extra_terms"] == (NAME,)
    assert wiring["cache"] is not None
    engine = translate.create_engine(settings, "libretranslate")
    try:
        assert engine.extra_terms == (NAME,) and engine.cache is not None
    finally:
        engine.close()


def test_unknown_engine_names_are_refused(tmp_path):
    settings = load_settings(_workspace(tmp_path))
    with pytest.raises(Exception, match="unknown engine 'nope'"):
        translate.create_engine(settings, "nope")
    assert translate.create_engine(settings, "none").name == "none"

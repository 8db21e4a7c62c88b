"""Tests for pipeline.translate.argos: the CTranslate2 + SentencePiece engine, with tiny REAL Argos packages."""

from __future__ import annotations

import dataclasses
import json
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from argos_fixture import build_argos_package

from pipeline.translate import argos
from pipeline.config import Settings
from pipeline.translate import create_engine
from pipeline.translate.engines import Leg, TranslationRequest
from pipeline.errors import ModelError
from pipeline.translate.models import install_archive, list_models

REPO = Path(__file__).resolve().parents[1]
TEXTS = [
    "Zapraszamy na spotkanie w bibliotece: https://biblioteka.waw.pl/festyn. Pytania: info@fundacja.org.pl!",
    "Warsztaty od 10:00–12:00, tel. 22 123 45 67, wstęp 15 zł.",
    "Biblioteka\nul. Długa 5",
    "Wstęp wolny, liczba miejsc ograniczona.",
]


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("models")
    archives = tmp_path_factory.mktemp("archives")
    install_archive(build_argos_package(archives, "pl", "en", seed=1), directory)
    install_archive(build_argos_package(archives, "en", "uk", seed=2), directory)
    return directory


@pytest.fixture
def settings(tmp_path, models) -> Settings:
    return Settings(workspace=tmp_path, models_dir=models, beam_size=1, threads=1)


@pytest.fixture
def engine(settings):
    engine = create_engine(settings, "argos")
    yield engine
    engine.close()


def copy_models(models: Path, dest: Path) -> Path:
    shutil.copytree(models, dest)
    return dest


PL_EN = Leg("pl", "en", "translate-pl_en 1.0")
EN_UK = Leg("en", "uk", "translate-en_uk 1.0")


def test_import_does_not_load_the_mt_stack():
    code = "import sys, pipeline.translate.argos; print(sorted(m for m in ('ctranslate2', 'sentencepiece', 'torch', 'argostranslate') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert out.stdout.strip() == "[]"


def test_legs_and_routes(engine):
    assert engine.name == "argos"
    assert engine.has_models
    assert engine.legs() == (EN_UK, PL_EN)
    assert engine.route("pl", "en") == (PL_EN,)
    assert engine.route("pl", "uk") == (PL_EN, EN_UK)
    assert engine.route("pl", "de") is None


def test_translate_pair_fills_every_text_with_real_inference(engine):
    out = engine.translate_pair(PL_EN, TEXTS)
    assert len(out) == len(TEXTS)
    assert all(o.strip() for o in out)
    assert engine.stats.calls == 1
    assert engine.stats.sentences >= len(TEXTS)
    assert engine.stats.batches >= 1


def test_protected_spans_survive_verbatim(engine):
    out = engine.translate_pair(PL_EN, TEXTS)
    for span in ("https://biblioteka.waw.pl/festyn", "info@fundacja.org.pl", "10:00–12:00", "22 123 45 67", "15"):
        assert span in "\n".join(out)
    assert "https://biblioteka.waw.pl/festyn" in out[0] and "info@fundacja.org.pl" in out[0]
    assert "10:00–12:00" in out[1] and "22 123 45 67" in out[1]


def test_hard_line_breaks_are_joined_before_translation(engine, monkeypatch):
    seen = []
    real = engine._translate_sentences
    monkeypatch.setattr(engine, "_translate_sentences", lambda pkg, sents: seen.extend(sents) or real(pkg, sents))
    out = engine.translate_pair(PL_EN, ["Biblioteka\nul. Długa 5"])
    assert seen[0] == "Biblioteka ul. Długa 5"
    assert "\n" not in out[0]


def test_placeholders_restored_when_the_model_keeps_them(engine, monkeypatch):
    monkeypatch.setattr(engine, "_translate_sentences", lambda pkg, sents: [s.upper() for s in sents])
    out = engine.translate_pair(PL_EN, ["Zapisy: https://x.pl/Festyn. **Uwaga:** do 24 grudnia!"])
    assert out == ["ZAPISY: https://x.pl/Festyn. **UWAGA:** DO 24 GRUDNIA!"]
    assert engine.stats.fallbacks == 0


def test_fallback_translates_around_spans_when_placeholders_break(engine, monkeypatch):
    calls = []

    def broken(pkg, sents):
        calls.append(list(sents))
        return ["[" + s.replace("1", "").upper() + "]" for s in sents]

    monkeypatch.setattr(engine, "_translate_sentences", broken)
    out = engine.translate_pair(PL_EN, ["Pisz na info@x.pl albo dzwoń."])
    assert out == ["[PISZ NA] info@x.pl [ALBO DZWOŃ.]"]
    assert engine.stats.fallbacks == 1
    assert calls[1] == ["Pisz na", "albo dzwoń."]


def test_second_run_is_answered_from_the_cache(settings):
    first = create_engine(settings, "argos")
    out1 = first.translate_pair(PL_EN, TEXTS)
    first.close()
    assert (settings.cache_dir / "mt-cache.sqlite").is_file()
    assert (settings.cache_dir / ".gitignore").read_text() == "*\n"
    second = create_engine(settings, "argos")
    out2 = second.translate_pair(PL_EN, TEXTS)
    assert out2 == out1
    assert second.stats.sentences == 0 and second.stats.batches == 0
    assert second.stats.cached == len(TEXTS)
    second.close()


def test_interrupted_run_resumes_from_the_cache(settings, models):
    texts = [f"Spotkanie w bibliotece, {day}." for day in ("poniedziałek", "wtorek", "środa", "czwartek", "piątek", "sobota")]
    first = argos.ArgosEngine(list_models(models), settings, cache=argos.TranslationCache.in_folder(settings.cache_dir),
                              chunk_size=2)
    real = first._translate_sentences
    calls = []

    def interrupted(pkg, sents):
        calls.append(sents)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(pkg, sents)

    first._translate_sentences = interrupted
    with pytest.raises(KeyboardInterrupt):
        first.translate_pair(PL_EN, texts)
    first.close()
    second = create_engine(settings, "argos")
    second.translate_pair(PL_EN, texts)
    assert second.stats.cached == 2
    assert second.stats.sentences == 4


def test_pivot_uses_both_legs_one_call_each(engine):
    requests = [TranslationRequest(t, "pl", "uk") for t in TEXTS] + [TranslationRequest(TEXTS[0], "pl", "uk")]
    drafts = engine.translate(requests)
    assert engine.stats.calls == 2
    assert all(d is not None and d.text.strip() and d.pivot for d in drafts)
    assert drafts[0] == drafts[-1]
    assert drafts[0].note == "machine translation: argos translate-pl_en 1.0 + translate-en_uk 1.0"
    assert "https://biblioteka.waw.pl/festyn" in drafts[0].text


def test_progress_counts_sentences(engine):
    events = []
    engine.translate_pair(PL_EN, TEXTS, progress=lambda done, total: events.append((done, total)))
    assert events[0][0] == 0
    assert events[-1][0] == events[-1][1] > 0


def test_texts_without_words_need_no_inference(engine):
    assert engine.translate_pair(PL_EN, ["", "10:00", "  ", "https://x.pl"]) == ["", "10:00", "  ", "https://x.pl"]
    assert engine.stats.sentences == 0


def test_auto_without_models_is_an_engine_with_no_legs(tmp_path):
    settings = Settings(workspace=tmp_path, models_dir=tmp_path / "empty")
    engine = create_engine(settings, "auto")
    assert not engine.has_models
    assert engine.translate([TranslationRequest("Dzień dobry", "pl", "en")] * 2) == [None, None]
    assert create_engine(settings, "auto").has_models is False


@pytest.mark.parametrize("folder", ["missing", "empty"])
def test_required_without_models_is_a_model_error(tmp_path, folder):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelError, match="no translation model installed"):
        create_engine(Settings(workspace=tmp_path, models_dir=tmp_path / folder), "argos")


def test_wrong_pair_is_a_model_error(engine, tmp_path, models):
    with pytest.raises(ModelError, match="no pl-de model"):
        engine.translate_pair(Leg("pl", "de", "translate-pl_de 1.0"), ["Dzień dobry"])
    with pytest.raises(ModelError):
        engine.translate_pair(Leg("pl", "en", "translate-pl_en 9.9"), ["Dzień dobry"])
    only_en_de = tmp_path / "de"
    install_archive(build_argos_package(tmp_path / "a", "en", "de"), only_en_de)
    engine = create_engine(Settings(workspace=tmp_path, models_dir=only_en_de), "argos")
    assert engine.translate([TranslationRequest("Dzień dobry", "pl", "uk")]) == [None]


def test_model_folder_removed_after_opening_is_a_model_error(tmp_path, models):
    directory = copy_models(models, tmp_path / "m")
    engine = create_engine(Settings(workspace=tmp_path, models_dir=directory), "argos")
    shutil.rmtree(directory / "translate-pl_en")
    with pytest.raises(ModelError, match="model.bin|sentencepiece"):
        engine.translate_pair(PL_EN, ["Dzień dobry"])


def test_corrupt_model_bin_is_a_model_error(tmp_path, models):
    directory = copy_models(models, tmp_path / "m")
    (directory / "translate-pl_en" / "model" / "model.bin").write_bytes(b"\x00garbage" * 100)
    engine = create_engine(Settings(workspace=tmp_path, models_dir=directory), "argos")
    with pytest.raises(ModelError, match="cannot load the CTranslate2 model") as info:
        engine.translate_pair(PL_EN, ["Dzień dobry"])
    assert "translate-pl_en" in str(info.value)


def test_corrupt_sentencepiece_model_is_a_model_error(tmp_path, models):
    directory = copy_models(models, tmp_path / "m")
    (directory / "translate-pl_en" / "sentencepiece.model").write_bytes(b"not a model")
    engine = create_engine(Settings(workspace=tmp_path, models_dir=directory), "argos")
    with pytest.raises(ModelError, match="SentencePiece"):
        engine.translate_pair(PL_EN, ["Dzień dobry"])


def test_bpe_only_package_is_refused_clearly(tmp_path, models):
    directory = copy_models(models, tmp_path / "m")
    pkg = directory / "translate-pl_en"
    (pkg / "sentencepiece.model").rename(pkg / "bpe.model")
    engine = create_engine(Settings(workspace=tmp_path, models_dir=directory), "argos")
    with pytest.raises(ModelError, match="BPE"):
        engine.translate_pair(PL_EN, ["Dzień dobry"])


def test_newest_version_of_a_pair_wins_and_metadata_code_names_it(tmp_path, models):
    directory = copy_models(models, tmp_path / "m")
    newer = shutil.copytree(directory / "translate-pl_en", directory / "pl_en_newer")
    meta = json.loads((newer / "metadata.json").read_text())
    meta.update(package_version="1.10", code="translate-pl_en")
    (newer / "metadata.json").write_text(json.dumps(meta))
    engine = create_engine(Settings(workspace=tmp_path, models_dir=directory), "argos")
    assert Leg("pl", "en", "translate-pl_en 1.10") in engine.legs()


def test_target_prefix_is_passed_and_stripped(tmp_path, models):
    directory = copy_models(models, tmp_path / "m")
    meta_path = directory / "translate-en_uk" / "metadata.json"
    vocab = json.loads((directory / "translate-en_uk" / "model" / "shared_vocabulary.json").read_text())
    prefix = vocab[10]
    meta_path.write_text(json.dumps({**json.loads(meta_path.read_text()), "target_prefix": prefix}))
    engine = create_engine(Settings(workspace=tmp_path, models_dir=directory, beam_size=1), "argos")
    package = engine.package(EN_UK)
    assert package.target_prefix == prefix
    translator, sp = engine._load(package)
    seen: list = []

    class Recording:
        """The real translator, with every call's target_prefix recorded and the prefix echoed first."""

        def translate_batch(self, batch, **kwargs):
            seen.append(kwargs.get("target_prefix"))
            return translator.translate_batch(batch, **kwargs)

    engine._loaded[package.model.path] = (Recording(), sp)
    out = engine.translate_pair(EN_UK, ["Volunteers meet on Tuesday afternoon."])
    assert seen and seen[0] == [[prefix]]            # passed to CTranslate2 for every sentence
    assert out[0].strip() and not out[0].startswith(prefix)   # and not left in the draft


def test_device_auto_works_without_gpu(tmp_path, models):
    settings = Settings(workspace=tmp_path, models_dir=models, device="auto")
    engine = create_engine(settings, "argos")
    assert engine.translate_pair(PL_EN, ["Dzień dobry."])[0].strip()


def test_no_network_is_used(settings, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    engine = create_engine(dataclasses.replace(settings, workspace=settings.workspace / "offline"), "argos")
    drafts = engine.translate([TranslationRequest(t, "pl", "uk") for t in TEXTS])
    assert all(d is not None and d.text for d in drafts)


def test_batches_sorted_by_length_by_tokens_or_examples():
    from pipeline.translate.argos import batches

    lengths = [5, 1, 9, 3, 3, 40]
    assert batches(lengths, max_tokens=10) == [[1, 3, 4], [0], [2], [5]]   # 1+3+3, 5, 9, 40 alone
    assert batches(lengths, max_tokens=100, max_examples=4) == [[1, 3, 4, 0], [2, 5]]
    assert batches(lengths, max_tokens=10, max_examples=2) == [[1, 3], [4, 0], [2], [5]]
    assert batches([], max_tokens=10) == []


def test_decoding_is_bounded_by_the_longest_source():
    from pipeline.translate.argos import decoding_limit

    assert decoding_limit(20, 1.5) == 40 and decoding_limit(20, 2.0) == 50 and decoding_limit(1000, 2.0) == 512


def test_thread_layout_from_settings_or_cores(monkeypatch):
    from pipeline.translate import argos

    monkeypatch.setattr(argos.os, "cpu_count", lambda: 8)
    assert argos.thread_layout(Settings()) == (8, 1)                 # one single-threaded worker per core
    assert argos.thread_layout(Settings(), batches=20) == (8, 1)
    assert argos.thread_layout(Settings(), batches=2) == (2, 4)      # fewer batches: more threads each
    assert argos.thread_layout(Settings(), batches=1) == (1, 8)
    assert argos.thread_layout(Settings(threads=8, inter_threads=1)) == (1, 8)
    assert argos.thread_layout(Settings(threads=2)) == (4, 2)       # threads set: workers fill the cores
    assert argos.thread_layout(Settings(inter_threads=2), batches=1) == (2, 4)   # the setting wins
    monkeypatch.setattr(argos.os, "cpu_count", lambda: 2)
    assert argos.thread_layout(Settings()) == (2, 1)
    assert argos.thread_layout(Settings(), batches=1) == (1, 2)
    monkeypatch.setattr(argos.os, "cpu_count", lambda: 1)
    assert argos.thread_layout(Settings()) == (1, 1)


def test_batch_settings_reach_the_engine(tmp_path, models):
    from pipeline.translate.argos import open_engine

    settings = Settings(workspace=tmp_path, models_dir=models, beam_size=1, threads=1, inter_threads=2,
                        batch_examples=2, max_length_ratio=1.2)
    engine = open_engine(settings, required=True)
    texts = ["Dzień dobry.", "Biblioteka jest otwarta.", "Zapraszamy wszystkich serdecznie.", "Wstęp wolny."]
    assert all(engine.translate_pair(engine.legs()[0], texts))
    assert engine.stats.batches == 2 and engine.stats.sentences == 4

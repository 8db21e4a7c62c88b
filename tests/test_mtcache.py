"""Tests for pipeline.translate.mtcache: the SQLite translation cache."""

from __future__ import annotations

import os
import sqlite3
import stat
import threading

import pytest

from pipeline.translate.mtcache import CACHE_FILE, TranslationCache, cache_path

KEY = ("translate-pl_en", "1.9", "pl", "en")


def test_put_and_get(tmp_path):
    with TranslationCache(tmp_path / "c.sqlite") as cache:
        assert cache.get_many(*KEY, ["Dzień dobry"]) == {}
        assert cache.put_many(*KEY, {"Dzień dobry": "Good morning", "Wstęp wolny": "Free admission"}) == 2
        assert cache.get_many(*KEY, ["Dzień dobry", "Nieznane", "Wstęp wolny"]) == {
            "Dzień dobry": "Good morning",
            "Wstęp wolny": "Free admission",
        }
        assert len(cache) == 2


def test_key_includes_model_version_and_languages(tmp_path):
    with TranslationCache(tmp_path / "c.sqlite") as cache:
        cache.put_many(*KEY, [("Tak", "Yes")])
        assert cache.get_many("translate-pl_en", "2.0", "pl", "en", ["Tak"]) == {}
        assert cache.get_many("translate-pl_uk", "1.9", "pl", "en", ["Tak"]) == {}
        assert cache.get_many("translate-pl_en", "1.9", "pl", "uk", ["Tak"]) == {}
        cache.put_many(*KEY, [("Tak", "Yes indeed")])
        assert cache.get_many(*KEY, ["Tak"]) == {"Tak": "Yes indeed"}


def test_sentences_and_texts_are_kept_apart(tmp_path):
    """A model's raw answer for a protected sentence is never taken for a finished paragraph."""
    with TranslationCache(tmp_path / "c.sqlite") as cache:
        cache.put_many(*KEY, [("Otwarte od 0.", "Open from 0.")], kind="sentence")
        assert cache.get_many(*KEY, ["Otwarte od 0."]) == {}
        assert cache.get_many(*KEY, ["Otwarte od 0."], kind="sentence") == {"Otwarte od 0.": "Open from 0."}
        assert len(cache) == 0


def test_many_texts_and_odd_strings(tmp_path):
    texts = [f"zdanie {i} ' \" ; DROP TABLE translations; --" for i in range(2000)] + ["", "\x00?", "ź" * 5000]
    with TranslationCache(tmp_path / "c.sqlite") as cache:
        cache.put_many(*KEY, [(t, t.upper()) for t in texts])
        got = cache.get_many(*KEY, texts)
    assert got == {t: t.upper() for t in texts}


def test_persisted_immediately_and_wal_mode(tmp_path):
    path = tmp_path / "c.sqlite"
    cache = TranslationCache(path)
    cache.put_many(*KEY, [("Tak", "Yes")])
    # another connection sees it without cache.close(): committed at once
    other = sqlite3.connect(path)
    assert other.execute("SELECT translation FROM translations").fetchall() == [("Yes",)]
    assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    other.close()
    cache.close()


def test_cache_path_creates_folder_with_gitignore(tmp_path):
    folder = tmp_path / "ws" / ".outreach"
    path = cache_path(folder)
    assert path == folder / CACHE_FILE
    assert (folder / ".gitignore").read_text() == "*\n"
    cache = TranslationCache.in_folder(folder)
    assert cache.disabled is None
    cache.put_many(*KEY, [("a", "b")])
    cache.close()
    assert TranslationCache.in_folder(folder).get_many(*KEY, ["a"]) == {"a": "b"}


def test_corrupt_file_is_moved_aside_and_recreated(tmp_path):
    path = tmp_path / CACHE_FILE
    path.write_bytes(b"this is not a database at all" * 100)
    cache = TranslationCache(path)
    assert cache.disabled is None
    assert cache.recovered == tmp_path / (CACHE_FILE + ".corrupt")
    assert cache.recovered.read_bytes().startswith(b"this is not")
    cache.put_many(*KEY, [("Tak", "Yes")])
    assert cache.get_many(*KEY, ["Tak"]) == {"Tak": "Yes"}
    cache.close()


def test_corrupted_pages_are_recovered(tmp_path):
    path = tmp_path / CACHE_FILE
    with TranslationCache(path) as cache:
        cache.put_many(*KEY, [(f"tekst {i}" * 20, "x" * 200) for i in range(500)])
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(path.read_bytes())
    for offset in range(4096 * 2, len(data), 4096):
        data[offset : offset + 64] = b"\xff" * 64
    path.write_bytes(bytes(data))
    cache = TranslationCache(path)
    assert cache.get_many(*KEY, ["tekst 1"]) == {}
    assert cache.recovered is not None
    cache.put_many(*KEY, [("Tak", "Yes")])
    assert cache.get_many(*KEY, ["Tak"]) == {"Tak": "Yes"}
    cache.close()


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a non-root POSIX user")
def test_unwritable_folder_disables_cache(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        cache = TranslationCache.in_folder(folder / ".outreach")
        assert cache.disabled
        assert cache.put_many(*KEY, [("a", "b")]) == 0
        assert cache.get_many(*KEY, ["a"]) == {}
    finally:
        folder.chmod(stat.S_IRWXU)


def test_disabled_when_path_is_a_directory(tmp_path):
    (tmp_path / CACHE_FILE).mkdir()
    cache = TranslationCache(tmp_path / CACHE_FILE)
    assert cache.get_many(*KEY, ["a"]) == {}
    assert cache.put_many(*KEY, [("a", "b")]) == 0


def test_concurrent_writers(tmp_path):
    path = tmp_path / CACHE_FILE
    errors = []

    def writer(n):
        try:
            cache = TranslationCache(path)
            for i in range(50):
                assert cache.put_many(*KEY, [(f"{n}-{i}", "x")]) == 1
            cache.close()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with TranslationCache(path) as cache:
        assert len(cache) == 200


def test_in_folder_that_is_a_file_disables_cache(tmp_path):
    blocker = tmp_path / ".outreach"
    blocker.write_text("not a folder")
    cache = TranslationCache.in_folder(blocker)
    assert cache.disabled
    assert cache.put_many(*KEY, [("a", "b")]) == 0
    assert cache.get_many(*KEY, ["a"]) == {}
    cache.close()


def test_run_says_when_the_cache_is_disabled(tmp_path):
    """A run whose cache cannot be used still drafts, but says that resume and reuse are lost."""
    from click.testing import CliRunner
    from fake_engine import FakeEngine
    from workspace import make_workspace

    from pipeline import translate
    from pipeline.cli import cli

    class Cached(FakeEngine):
        def __init__(self, settings):
            super().__init__()
            blocker = tmp_path / "not-a-folder"
            blocker.write_text("x")
            self.cache = TranslationCache.in_folder(blocker / "cache")

    translate.register_engine("fake-cached", Cached)
    ws = make_workspace(tmp_path, {"source_texts/a.txt": "Zapraszamy do biblioteki w sobotę.\n"})
    result = CliRunner().invoke(cli, ["run", "-C", str(ws), "--engine", "fake-cached"])
    assert result.exit_code == 0, result.output
    assert "warning: translation cache disabled (cannot create " in result.stderr
    assert "an interrupted run will not resume" in result.stderr

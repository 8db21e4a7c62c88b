"""The LibreTranslate engine: a fake server for failures, a REAL server end to end.

The fake server (``http.server`` on 127.0.0.1 in a thread) scripts what a
real one does under stress: 500 then recovery, 429 with Retry-After, a
dropped connection, a slow answer, a refused API key. The tests marked
``libretranslate`` start the real LibreTranslate from ``.venv-lt`` (see
``lt_server.py``) serving the tiny Argos test models (pl→en and en→uk only).
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import polib
import pytest

import lt_server
from pipeline.translate import libretranslate as lt
from pipeline.translate import wiring
from pipeline.config import load_settings
from pipeline.translate.engines import Leg, TranslationRequest
from pipeline.errors import ConfigError, ModelError, TranslationError
from workspace import invoke, make_workspace, msgfmt_check, snapshot

SOURCE = """\
# Dzień otwarty

Zapraszamy 12 grudnia o 10:30. Szczegóły: https://biblioteka.example.org/dzien, tel. 22 123 45 67.

Wstęp wolny dla 25 osób.
"""
LANGUAGES = [
    {"code": "en", "name": "English", "targets": ["en", "uk"]},
    {"code": "pl", "name": "Polish", "targets": ["en", "pl", "uk"]},
    {"code": "uk", "name": "Ukrainian", "targets": ["uk"]},
]
SECRET = "s3cr3t-key-do-not-leak"
FAST = lt.Policy(timeout=5, attempts=4, backoff=0.01, max_delay=0.05, total=10)


# ---------------------------------------------------------------- a scriptable fake server

class Fake:
    """What the fake server answers; ``script`` is consumed one item per POST /translate."""

    def __init__(self, languages=LANGUAGES):
        self.languages = languages
        self.version = "9.9-fake"      # what GET /spec says
        self.script: list = []          # items: int status, ("retry-after", s), "drop", ("sleep", s)
        self.bodies: list[dict] = []
        self.inflight = 0
        self.max_inflight = 0
        self.delay = 0.0
        self.lock = threading.Lock()
        self.transform = lambda text, target: f"[{target}] {text}"   # what "translating" does

    @property
    def translate_requests(self) -> int:
        return len(self.bodies)


def _handler(fake: Fake):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _json(self, status, data, headers=()):
            body = json.dumps(data).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for key, value in headers:
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            if self.path == "/languages":
                self._json(200, fake.languages)
            elif self.path == "/spec":
                self._json(200, {"info": {"title": "LibreTranslate", "version": fake.version}})
            else:
                self._json(404, {"error": "not found"})

        def do_POST(self):
            data = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with fake.lock:
                fake.bodies.append(data)
                step = fake.script.pop(0) if fake.script else None
                fake.inflight += 1
                fake.max_inflight = max(fake.max_inflight, fake.inflight)
            try:
                if fake.delay:
                    time.sleep(fake.delay)
                if step == "drop":
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if isinstance(step, tuple) and step[0] == "sleep":
                    time.sleep(step[1])
                elif isinstance(step, tuple) and step[0] == "retry-after":
                    return self._json(429, {"error": "Too many requests"}, [("Retry-After", str(step[1]))])
                elif isinstance(step, int):
                    return self._json(step, {"error": f"scripted {step}, your key {data.get('api_key')}"})
                q = data["q"]
                out = [fake.transform(text, data["target"]) for text in q]
                self._json(200, {"translatedText": out})
            finally:
                with fake.lock:
                    fake.inflight -= 1

    return Handler


@pytest.fixture
def fake():
    state = Fake()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def no_sleep(monkeypatch):
    waits: list[float] = []
    monkeypatch.setattr(lt, "_sleep", waits.append)
    return waits


def engine_for(fake, tmp_path, **kwargs):
    settings = load_settings(make_workspace(tmp_path))
    return lt.open_engine(settings, url=fake.url, policy=kwargs.pop("policy", FAST), **wiring(settings)), settings


@pytest.fixture
def closed_port():
    """A port that refuses connections for the whole test: bound but never listening, so no
    other process (another xdist worker's server) can take it between our check and our use."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


# ---------------------------------------------------------------- addresses, languages, routes

def test_urls_are_normalized_and_credentials_refused():
    assert lt.normalize_url(" http://host:5000/ ") == "http://host:5000"
    assert lt.normalize_url("https://mt.example.org/lt/") == "https://mt.example.org/lt"
    for bad in ("host:5000", "ftp://host", "http://", "http://user:pw@host", "http://host/?api_key=x"):
        with pytest.raises(ConfigError):
            lt.normalize_url(bad)
    assert lt.shown_url("http://user:pw@host:5000/x?api_key=1") == "http://host:5000/x"


def test_languages_become_legs_and_uk_goes_through_the_english_pivot(fake, tmp_path):
    engine, _ = engine_for(fake, tmp_path)
    assert [leg.label for leg in engine.legs()] == ["en-uk", "pl-en", "pl-uk"]
    assert [leg.label for leg in engine.route("pl", "uk")] == ["pl-en", "en-uk"]
    assert [leg.label for leg in engine.route("pl", "en")] == ["pl-en"]
    assert engine.route("uk", "pl") is None
    assert engine.version == "9.9-fake"


def test_missing_pair_is_a_clear_error_before_any_translation(fake, tmp_path):
    settings = load_settings(make_workspace(tmp_path), target_languages="en,de")
    with pytest.raises(ModelError) as info:
        lt.open_engine(settings, url=fake.url, policy=FAST)
    assert f"LibreTranslate at {fake.url} does not offer pl→de" in str(info.value)
    assert "pl-en" in str(info.value) and fake.translate_requests == 0


def test_no_url_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="--url"):
        lt.open_engine(load_settings(make_workspace(tmp_path)))


# ---------------------------------------------------------------- batching, protection, cache

def test_batches_are_bounded_in_size_and_in_flight(fake, tmp_path):
    fake.delay = 0.02
    settings = load_settings(make_workspace(tmp_path))
    client = lt.Client(fake.url, None, FAST)
    engine = lt.LibreTranslateEngine(client, LANGUAGES, batch_size=8, parallel=3, settings=settings)
    texts = [f"Zdanie numer {i} o bibliotece." for i in range(100)]
    drafts = engine.translate([TranslationRequest(t, "pl", "en") for t in texts])
    assert fake.translate_requests == 13 and engine.stats.requests == 13  # ceil(100 / 8)
    assert all(len(body["q"]) <= 8 for body in fake.bodies)
    assert 1 <= fake.max_inflight <= 3
    assert [d.text for d in drafts] == [f"[en] Zdanie numer {i} o bibliotece." for i in range(100)]


def test_protected_spans_stay_verbatim_and_cache_answers_the_second_time(fake, tmp_path):
    engine, settings = engine_for(fake, tmp_path)
    text = "Zapraszamy 12 grudnia o 10:30. Szczegóły: https://biblioteka.example.org/dzien, tel. 22 123 45 67."
    first = engine.translate([TranslationRequest(text, "pl", "uk")])[0]
    for span in ("12", "10:30", "https://biblioteka.example.org/dzien", "22 123 45 67"):
        assert span in first.text
    for span in ("10:30", "biblioteka.example.org", "22 123 45 67"):
        assert span not in json.dumps(fake.bodies)  # the server only ever saw placeholders
    assert first.pivot and first.pivot.startswith("[en] ")
    host = fake.url.removeprefix("http://")
    assert first.note == f"machine translation: libretranslate@{host} pl-en + en-uk (LibreTranslate 9.9-fake)"
    engine.close()
    sent = fake.translate_requests
    again = lt.open_engine(settings, url=fake.url, policy=FAST, **wiring(settings))  # same workspace: same cache
    assert again.translate([TranslationRequest(text, "pl", "uk")])[0].text == first.text
    assert fake.translate_requests == sent and again.stats.requests == 0 and again.stats.cached == 2


# ---------------------------------------------------------------- failures

def test_server_down_fails_fast_with_the_url(tmp_path, closed_port):
    port = closed_port
    settings = load_settings(make_workspace(tmp_path))
    started = time.monotonic()
    with pytest.raises(TranslationError) as info:
        lt.open_engine(settings, url=f"http://127.0.0.1:{port}")
    assert time.monotonic() - started < 5  # no retry loop on a refused connection
    assert f"cannot reach LibreTranslate at http://127.0.0.1:{port}: connection refused" in str(info.value)


def test_500_twice_then_recovers(fake, tmp_path, no_sleep):
    engine, _ = engine_for(fake, tmp_path)
    fake.script = [500, 503]
    draft = engine.translate([TranslationRequest("Dzień dobry.", "pl", "en")])[0]
    assert draft.text == "[en] Dzień dobry."
    assert fake.translate_requests == 3 and engine.stats.retries == 2
    assert len(no_sleep) == 2 and no_sleep[0] <= no_sleep[1] * 2  # exponential, with jitter


def test_5xx_forever_gives_up_after_bounded_attempts(fake, tmp_path, no_sleep):
    engine, _ = engine_for(fake, tmp_path)
    fake.script = [502] * 10
    with pytest.raises(TranslationError) as info:
        engine.translate([TranslationRequest("Dzień dobry.", "pl", "en")])
    assert fake.translate_requests == FAST.attempts
    assert f"LibreTranslate at {fake.url} answered 502" in str(info.value) and "gave up after 4 attempts" in str(info.value)


def test_429_honours_retry_after(fake, tmp_path, no_sleep):
    engine, _ = engine_for(fake, tmp_path, policy=lt.Policy(timeout=5, attempts=3, backoff=0.01, max_delay=60, total=60))
    fake.script = [("retry-after", 7)]
    assert engine.translate([TranslationRequest("Dzień dobry.", "pl", "en")])[0].text == "[en] Dzień dobry."
    assert no_sleep == [7.0] and fake.translate_requests == 2


def test_dropped_connection_is_retried(fake, tmp_path, no_sleep):
    engine, _ = engine_for(fake, tmp_path)
    fake.script = ["drop"]
    assert engine.translate([TranslationRequest("Dzień dobry.", "pl", "en")])[0].text == "[en] Dzień dobry."
    assert fake.translate_requests == 2 and engine.stats.retries == 1


def test_slow_server_hits_the_timeout(fake, tmp_path):
    engine, _ = engine_for(fake, tmp_path, policy=lt.Policy(timeout=0.5, attempts=3, backoff=0.01, total=10))
    fake.script = [("sleep", 3)]
    started = time.monotonic()
    with pytest.raises(TranslationError) as info:
        engine.translate([TranslationRequest("Dzień dobry.", "pl", "en")])
    assert time.monotonic() - started < 2.5  # bounded by the timeout, not by the server
    assert f"LibreTranslate at {fake.url} did not answer within 0.5 s" in str(info.value)


def test_api_key_is_sent_but_never_shown(fake, tmp_path, monkeypatch):
    monkeypatch.setenv(lt.API_KEY_ENV, SECRET)
    engine, _ = engine_for(fake, tmp_path)
    fake.script = [403]
    with pytest.raises(TranslationError) as info:
        engine.translate([TranslationRequest("Dzień dobry.", "pl", "en")])
    assert fake.bodies[0]["api_key"] == SECRET
    assert SECRET not in str(info.value) and "your key ***" in str(info.value) and "LIBRETRANSLATE_API_KEY" in str(info.value)


# ---------------------------------------------------------------- the CLI

def test_cli_run_with_fake_server_key_never_leaks(fake, tmp_path, monkeypatch):
    monkeypatch.setenv(lt.API_KEY_ENV, SECRET)
    ws = make_workspace(tmp_path, {"source_texts/dzien.md": SOURCE})
    result = invoke(ws, "run", "--url", fake.url, "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["engine"] == "libretranslate" and report["inference"]["requests"] > 0
    uk = polib.pofile(str(ws / "locales/uk/LC_MESSAGES/dzien.po"))
    assert all(e.fuzzy and e.msgstr.startswith("[uk] [en] ") for e in uk)
    assert all(f"libretranslate@{fake.url.removeprefix('http://')} pl-en + en-uk" in e.tcomment for e in uk)
    assert all(fake.bodies[i]["api_key"] == SECRET for i in range(len(fake.bodies)))
    second = invoke(ws, "run", "--url", fake.url, "--json")
    assert json.loads(second.stdout)["inference"]["requests"] == 0
    fake.script = [401]
    (ws / "source_texts/nowy.md").write_text("Nowy tekst.\n", encoding="utf-8")
    failed = invoke(ws, "run", "--url", fake.url, "--json")
    assert failed.exit_code == 2 and "401" in failed.stderr
    for output in (result.stdout, result.stderr, second.stdout, second.stderr, failed.stdout, failed.stderr):
        assert SECRET not in output
    for name, data in snapshot(ws).items():
        assert SECRET.encode() not in data, name


def test_cli_engine_from_settings_and_bad_usage(fake, tmp_path):
    ws = make_workspace(tmp_path, {
        "source_texts/dzien.md": SOURCE,
        "pyproject.toml": f'[tool.outreach]\nengine = "libretranslate"\nlibretranslate_url = "{fake.url}"\n',
    })
    assert invoke(ws, "run", "-q").exit_code == 0
    assert fake.translate_requests > 0
    wrong = invoke(ws, "run", "--engine", "argos", "--url", fake.url)
    assert wrong.exit_code == 2 and "--url is only for --engine libretranslate" in wrong.stderr
    (ws / "pyproject.toml").write_text('[tool.outreach]\nlibretranslate_timeout = 0\n', encoding="utf-8")
    assert invoke(ws, "run").exit_code == 2


def test_cli_server_down_and_missing_pair_exit_2(fake, tmp_path, closed_port):
    ws = make_workspace(tmp_path, {"source_texts/dzien.md": SOURCE})
    port = closed_port
    down = invoke(ws, "run", "--url", f"http://127.0.0.1:{port}")
    assert down.exit_code == 2
    assert down.stderr.startswith(f"error: cannot reach LibreTranslate at http://127.0.0.1:{port}")
    missing = invoke(ws, "run", "--url", fake.url, "--to", "en,de")
    assert missing.exit_code == 2 and "does not offer pl→de" in missing.stderr
    assert not (ws / "locales").exists()  # nothing written


# ---------------------------------------------------------------- the real LibreTranslate server

@pytest.fixture(scope="module")
def real_server(tmp_path_factory):
    why = lt_server.available()
    if why:
        if os.environ.get("OUTREACH_REQUIRE_LT") == "1":
            pytest.fail(why)
        pytest.skip(why)
    from argos_fixture import build_argos_package
    from pipeline.translate.models import install_archive

    root = tmp_path_factory.mktemp("libretranslate")
    for source, target, seed in (("pl", "en", 1), ("en", "uk", 2)):
        install_archive(build_argos_package(root / "archives", source, target, version="1.9", seed=seed), root / "models")
    server = lt_server.start(root / "models", root / "home")
    yield server
    server.stop()


@pytest.mark.libretranslate
def test_real_server_languages_version_and_batch(real_server, tmp_path):
    settings = load_settings(make_workspace(tmp_path))
    engine = lt.open_engine(settings, url=real_server.url, **wiring(settings))
    assert {leg.label for leg in engine.legs()} >= {"pl-en", "en-uk"}
    assert [leg.label for leg in engine.route("pl", "uk")] == ["pl-en", "en-uk"]
    assert engine.version not in ("", "server")  # read from /spec
    drafts = engine.translate([TranslationRequest(t, "pl", "uk") for t in ("Dzień dobry.", "Wstęp wolny dla 25 osób.")])
    assert all(d and d.text and d.pivot for d in drafts)
    assert "25" in drafts[1].text
    engine.close()


@pytest.mark.libretranslate
def test_real_server_end_to_end_run(real_server, tmp_path):
    ws = make_workspace(tmp_path, {"source_texts/dzien.md": SOURCE})
    first = invoke(ws, "run", "--url", real_server.url, "--json")
    assert first.exit_code == 0, first.stderr
    report = json.loads(first.stdout)
    assert report["engine"] == "libretranslate" and report["inference"]["requests"] > 0
    host = real_server.url.removeprefix("http://")
    for lang, legs in (("en", "pl-en"), ("uk", "pl-en + en-uk")):
        path = ws / f"locales/{lang}/LC_MESSAGES/dzien.po"
        msgfmt_check(path)
        po = polib.pofile(str(path))
        assert len(po) == 3
        for entry in po:
            assert entry.msgstr and entry.fuzzy
            assert f"machine translation: libretranslate@{host} {legs} (LibreTranslate " in entry.tcomment
            if lang == "uk":
                assert "English pivot: " in entry.tcomment
        body = next(e for e in po if e.msgid.startswith("Zapraszamy"))
        for span in ("12", "10:30", "https://biblioteka.example.org/dzien", "22 123 45 67"):
            assert span in body.msgstr
    before = snapshot(ws / "locales")
    second = invoke(ws, "run", "--url", real_server.url, "--json")
    assert second.exit_code == 0
    assert json.loads(second.stdout)["inference"]["requests"] == 0
    assert snapshot(ws / "locales") == before
    assert invoke(ws, "check").exit_code == 1  # drafts are fuzzy until reviewed


@pytest.mark.libretranslate
def test_real_server_missing_pair(real_server, tmp_path):
    ws = make_workspace(tmp_path, {"source_texts/dzien.md": SOURCE})
    result = invoke(ws, "run", "--url", real_server.url, "--to", "en,de")
    assert result.exit_code == 2
    assert f"error: LibreTranslate at {real_server.url} does not offer pl→de" in result.stderr


def test_describe_names_the_server_and_its_version_and_drafts_stay_up_to_date():
    """The runner compares a draft's comment with engine.describe() to decide whether to redo it."""
    from pipeline.catalogs import catalog
    from pipeline.catalogs.catalog import Entry
    from pipeline.translate.engines import TranslationRequest
    from pipeline.translate.libretranslate import LibreTranslateEngine
    from pipeline.runner import _up_to_date

    engine = LibreTranslateEngine.__new__(LibreTranslateEngine)
    engine.host, engine.version, engine.pivot_language = "lt.example:5000", "1.9.6", "en"
    engine._legs = (Leg("pl", "en", "pl-en"), Leg("en", "uk", "en-uk"))
    route = engine.route("pl", "uk")
    note = engine.describe(route)
    assert note == "machine translation: libretranslate@lt.example:5000 pl-en + en-uk (LibreTranslate 1.9.6)"
    entry = Entry("Zapraszamy.", "Запрошуємо.", flags=("fuzzy",), extracted=(catalog.draft_note(note, "Запрошуємо."),))
    assert _up_to_date(entry, engine, TranslationRequest("Zapraszamy.", "pl", "uk"), None)
    engine.version = "1.9.7"
    assert not _up_to_date(entry, engine, TranslationRequest("Zapraszamy.", "pl", "uk"), None)


INJECTION = '1.0\nmsgid "INJECTED"\nmsgstr "by the server"\n#'
HOSTILE_ANSWER = " \u2028 \u2029 \x85 \x1c\x1d\x1e \x07 \x1b[31m \x00 \\q \\x41"


@pytest.mark.parametrize("version", [INJECTION, {"nested": 1}, "1.0 beta", "x" * 500])
def test_server_version_never_reaches_a_catalogue_unchecked(fake, tmp_path, version):
    fake.version = version
    ws = make_workspace(tmp_path, {"source_texts/dzien.md": SOURCE})
    assert invoke(ws, "run", "--url", fake.url).exit_code == 0
    text = (ws / "locales/uk/LC_MESSAGES/dzien.po").read_text(encoding="utf-8")
    assert "INJECTED" not in text and "(LibreTranslate" not in text
    assert all(e.fuzzy for e in polib.pofile(str(ws / "locales/uk/LC_MESSAGES/dzien.po")))
    status = invoke(ws, "status", "--json")
    assert status.exit_code == 0 and json.loads(status.stdout)["catalogues"][0]["translated"] == 0


def test_hostile_characters_in_answers_are_written_readably(fake, tmp_path):
    fake.transform = lambda text, target: f"[{target}] {text}{HOSTILE_ANSWER}"
    ws = make_workspace(tmp_path, {"source_texts/dzien.md": SOURCE})
    assert invoke(ws, "run", "--url", fake.url).exit_code == 0
    for command in (["status"], ["check"], ["report"], ["build"], ["run", "--url", fake.url]):
        result = invoke(ws, *command)
        assert result.exit_code in (0, 1), (command, result.stderr)
        assert "syntax error" not in result.stderr
    po = ws / "locales/uk/LC_MESSAGES/dzien.po"
    msgfmt_check(po)
    from pipeline.catalogs.pofile import read_catalog
    entries = read_catalog(po).entries
    assert entries and all(all(c in e.msgstr for c in "\u2028\u2029\x85\x1c\x1e\x07") and "\\q \\x41" in e.msgstr
                           for e in entries)

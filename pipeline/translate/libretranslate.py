"""The LibreTranslate engine: machine drafts from a shared LibreTranslate service.

A network of libraries (or an NGO translating hundreds of texts a week) runs
one LibreTranslate server, or several behind a load balancer, instead of
installing models on every laptop. This engine is a drop-in for the local
Argos engine (both build on :mod:`pipeline.translate.drafting`): the same protection of URLs and numbers, the same sentence
splitting, the same pivot through English (so the Ukrainian reviewer sees the
English intermediate), the same cache and the same fuzzy-with-comment drafts
(``machine translation: libretranslate@host:port pl-en + en-uk``).

HTTP is plain ``urllib``: ``GET /languages`` once (which pairs the server
offers), ``GET /spec`` (its version, for the cache key), then ``POST
/translate`` with ``q`` as a list of sentences, ``batch_size`` sentences per
request and at most ``parallel`` requests in flight. Each request has a
timeout; 429 (honouring ``Retry-After``), 5xx and dropped connections are
retried with exponential backoff and jitter, within a bounded number of
attempts and a bounded total time. A refused connection or a timeout is not
retried: the run stops with a clear error naming the server.

The API key comes only from ``$LIBRETRANSLATE_API_KEY``. It is sent in the
request body and never appears in an error, a log, a catalogue, the cache or
``--json`` output (server messages are redacted before they are shown).
"""

from __future__ import annotations

import http.client
import json
import os
import random
import re
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Sequence

from pipeline.translate.drafting import DraftingStats, SentenceEngine
from pipeline.translate.engines import Leg, metadata_token
from pipeline.errors import ConfigError, ModelError, TranslationError
from pipeline.translate.mtcache import TranslationCache

API_KEY_ENV = "LIBRETRANSLATE_API_KEY"
_RETRY_STATUS = {429, 500, 502, 503, 504}
_sleep = time.sleep  # tests record the waits instead
_DROPPED = (ConnectionResetError, ConnectionAbortedError, BrokenPipeError,
            http.client.RemoteDisconnected, http.client.IncompleteRead)


@dataclass
class ServiceStats(DraftingStats):
    """The drafting counters, and what only a server has (updated under a lock)."""

    requests: int = 0       # POST /translate requests answered
    retries: int = 0        # requests sent again after 429/5xx/a dropped connection


@dataclass(frozen=True)
class Policy:
    """How hard to try: per-request timeout, attempts, backoff and the total time per request."""

    timeout: float = 60.0
    attempts: int = 5
    backoff: float = 0.5        # first retry after ~0.5 s, then 1, 2, 4 … (with jitter)
    max_delay: float = 30.0     # longest single wait (also caps Retry-After)
    total: float = 300.0        # a request gives up when the next wait would pass this


def normalize_url(url: str) -> str:
    """``http(s)://host[:port][/prefix]`` without a trailing slash; :class:`ConfigError` otherwise."""
    try:
        parts = urllib.parse.urlsplit((url or "").strip())
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number in 0-65535
        valid = parts.scheme in ("http", "https") and bool(parts.hostname) and \
            not re.search(r"[\s\x00-\x1f\x7f]", parts.netloc + parts.path)
    except ValueError:
        valid = False
    if not valid:
        raise ConfigError(f"libretranslate_url: '{shown_url(url)}' is not an http:// or https:// address "
                          "like http://translate.example.org:5000")
    if parts.username or parts.password or parts.query:
        raise ConfigError("libretranslate_url: put no user, password or query in the address; "
                          f"the API key is read from ${API_KEY_ENV}")
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))


def shown_url(url: str) -> str:
    """``url`` without user information or query: safe to print."""
    try:
        parts = urllib.parse.urlsplit(url or "")
        host = parts.hostname or ""
        netloc = f"[{host}]" if ":" in host else host
        if parts.port:
            netloc += f":{parts.port}"
        return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, "", "")) or "?"
    except ValueError:  # a broken address: show it without anything that could be a password
        shown = re.sub(r"//[^/@]*@", "//", str(url).split("?", 1)[0])
        return shown.encode("unicode_escape").decode("ascii")


class Client:
    """JSON over HTTP with timeouts and retries; knows the key but never shows it."""

    def __init__(self, url: str, api_key: str | None = None, policy: Policy = Policy(), on_retry=None):
        self.url = normalize_url(url)
        self.shown = shown_url(self.url)
        self._key = api_key or None
        self.policy = policy
        self._on_retry = on_retry

    def redact(self, text: str) -> str:
        return text.replace(self._key, "***") if self._key else text

    def get(self, path: str) -> Any:
        return self.call("GET", path)

    def post(self, path: str, payload: dict) -> Any:
        if self._key:
            payload = {**payload, "api_key": self._key}
        return self.call("POST", path, payload)

    def call(self, method: str, path: str, payload: dict | None = None) -> Any:
        started = time.monotonic()
        for attempt in range(1, max(1, self.policy.attempts) + 1):
            try:
                return self._once(method, path, payload)
            except _Retry as retry:
                delay = retry.after if retry.after is not None else (
                    self.policy.backoff * 2 ** (attempt - 1) * random.uniform(0.5, 1.0))
                delay = min(delay, self.policy.max_delay)
                if attempt >= self.policy.attempts or time.monotonic() - started + delay > self.policy.total:
                    raise TranslationError(f"LibreTranslate at {self.shown} {retry.reason}; gave up after "
                                           f"{attempt} attempts") from None
                if self._on_retry:
                    self._on_retry()
                _sleep(delay)
        raise AssertionError("unreachable")

    def _once(self, method: str, path: str, payload: dict | None) -> Any:
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8") if payload is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method, headers={
            "Content-Type": "application/json", "Accept": "application/json", "User-Agent": "outreach"})
        where = f"LibreTranslate at {self.shown}"
        try:
            with urllib.request.urlopen(request, timeout=self.policy.timeout) as response:
                body = response.read()
        except urllib.error.HTTPError as exc:
            message = self._server_message(exc)
            if exc.code in _RETRY_STATUS:
                raise _Retry(f"answered {exc.code}{message}", _retry_after(exc)) from None
            hint = f" (set ${API_KEY_ENV})" if exc.code in (401, 403) else ""
            raise TranslationError(f"{where} refused {method} {path}: {exc.code}{message}{hint}") from None
        except (TimeoutError, socket.timeout):
            raise TranslationError(f"{where} did not answer within {self.policy.timeout:g} s "
                                   "(setting libretranslate_timeout)") from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, (TimeoutError, socket.timeout)):
                raise TranslationError(f"{where} did not answer within {self.policy.timeout:g} s "
                                       "(setting libretranslate_timeout)") from None
            if isinstance(reason, _DROPPED):
                raise _Retry(f"dropped the connection ({type(reason).__name__})", None) from None
            if isinstance(reason, ConnectionRefusedError):
                raise TranslationError(f"cannot reach {where}: connection refused (is the server running? "
                                       "check --url / libretranslate_url)") from None
            if isinstance(reason, socket.gaierror):
                raise TranslationError(f"cannot reach {where}: unknown host") from None
            raise TranslationError(f"cannot reach {where}: {self.redact(str(reason))}") from None
        except _DROPPED as exc:
            raise _Retry(f"dropped the connection ({type(exc).__name__})", None) from None
        except OSError as exc:
            raise TranslationError(f"cannot reach {where}: {self.redact(exc.strerror or str(exc))}") from None
        try:
            return json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise TranslationError(f"{where} answered {method} {path} with something that is not JSON") from None

    def _server_message(self, exc: urllib.error.HTTPError) -> str:
        try:
            data = json.loads(exc.read().decode("utf-8", "replace"))
            message = data.get("error") if isinstance(data, dict) else None
        except (OSError, ValueError, http.client.HTTPException):
            message = None
        return f" ({self.redact(str(message))[:200]})" if message else ""


class _Retry(Exception):
    def __init__(self, reason: str, after: float | None):
        super().__init__(reason)
        self.reason, self.after = reason, after


def _retry_after(exc: urllib.error.HTTPError) -> float | None:
    value = exc.headers.get("Retry-After") if exc.headers else None
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None  # an HTTP date: use our own backoff


class LibreTranslateEngine(SentenceEngine):
    name = "libretranslate"

    def __init__(self, client: Client, languages: Any, *, version: str = "server", settings: Any = None,
                 cache: TranslationCache | None = None, batch_size: int = 32, parallel: int = 4,
                 chunk_size: int = 256, extra_terms: Sequence[str] = ()):
        self.client = client
        self.host = urllib.parse.urlsplit(client.url).netloc.rsplit("@", 1)[-1]
        self.version = version
        self.pivot_language = getattr(settings, "pivot_language", "en") or "en"
        self.cache = cache
        self.batch_size = max(1, batch_size)
        self.parallel = max(1, parallel)
        self.chunk_size = max(1, chunk_size)
        self.extra_terms = tuple(extra_terms)
        self.stats = ServiceStats()
        self._lock = threading.Lock()
        client._on_retry = self._count_retry
        self._legs = _parse_languages(languages, client.shown)

    def _count_retry(self) -> None:
        with self._lock:
            self.stats.retries += 1

    def legs(self) -> tuple[Leg, ...]:
        return self._legs

    def route(self, source, target):
        """Through the pivot when the server offers both legs: LibreTranslate's own ``pl→uk`` is
        itself a pivot through English, and translating the legs here shows the English to the
        reviewer and lets a reviewed English entry be used."""
        direct = {(leg.source, leg.target): leg for leg in self._legs}
        pivot = self.pivot_language
        if source not in (pivot, target) and target != pivot and (source, pivot) in direct and (pivot, target) in direct:
            return (direct[(source, pivot)], direct[(pivot, target)])
        return (direct[(source, target)],) if (source, target) in direct else None

    def describe(self, route):
        suffix = f" (LibreTranslate {self.version})" if self.version != "server" else ""
        return f"machine translation: {self.name}@{self.host} " + " + ".join(leg.label for leg in route) + suffix

    def _model(self, leg: Leg) -> Leg:
        return leg

    def _identity(self, leg: Leg) -> tuple[str, str]:
        return f"{self.name}@{self.host}", self.version

    def _translate_sentences(self, leg: Leg, sentences: list[str]) -> list[str]:
        """``POST /translate`` in batches of ``batch_size``, at most ``parallel`` in flight."""
        if not sentences:
            return []
        batches = [sentences[i : i + self.batch_size] for i in range(0, len(sentences), self.batch_size)]
        if len(batches) == 1 or self.parallel == 1:
            answers = [self._post(leg, batch) for batch in batches]
        else:
            pool = ThreadPoolExecutor(max_workers=min(self.parallel, len(batches)), thread_name_prefix="libretranslate")
            try:
                answers = list(pool.map(lambda batch: self._post(leg, batch), batches))
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)  # Ctrl-C or a failed batch: stop now
                raise
            pool.shutdown()
        out = [text for answer in answers for text in answer]
        self.stats.sentences += len(sentences)
        # Never lose a sentence: where the server gave nothing the reviewer sees the source.
        return [text or source for text, source in zip(out, sentences)]

    def _post(self, leg: Leg, batch: list[str]) -> list[str]:
        answer = self.client.post("/translate", {"q": batch, "source": leg.source, "target": leg.target,
                                                 "format": "text"})
        with self._lock:
            self.stats.requests += 1
        texts = answer.get("translatedText") if isinstance(answer, dict) else None
        if not isinstance(texts, list) or len(texts) != len(batch) or not all(isinstance(t, str) for t in texts):
            raise TranslationError(f"LibreTranslate at {self.client.shown} answered {len(batch)} texts "
                                   f"({leg.source}→{leg.target}) with an unexpected result")
        return [t.strip() for t in texts]

    def close(self) -> None:
        if self.cache is not None:
            self.cache.close()


def _parse_languages(data: Any, shown: str) -> tuple[Leg, ...]:
    """Every ``source → target`` pair of a ``GET /languages`` answer (identity pairs dropped)."""
    if not isinstance(data, list):
        raise TranslationError(f"LibreTranslate at {shown} answered /languages with an unexpected result")
    legs = set()
    for item in data:
        if not isinstance(item, dict) or not isinstance(item.get("code"), str):
            continue
        source = item["code"]
        for target in item.get("targets") or ():
            if isinstance(target, str) and target != source:
                legs.add(Leg(source, target, f"{source}-{target}"))
    return tuple(sorted(legs, key=lambda leg: (leg.source, leg.target)))


def server_version(client: Client) -> str:
    """The server's version from ``GET /spec`` (``info.version``), else ``"server"``."""
    try:
        spec = client.get("/spec")
    except TranslationError:
        return "server"
    version = spec.get("info", {}).get("version") if isinstance(spec, dict) and isinstance(spec.get("info"), dict) else None
    return metadata_token(version) or "server"


def open_engine(settings: Any, *, url: str | None = None, policy: Policy | None = None,
                cache: TranslationCache | None = None, extra_terms: Sequence[str] = ()) -> LibreTranslateEngine:
    """The engine for ``url`` (or ``settings.libretranslate_url``), after asking the server what it offers.

    :class:`ModelError` when the server does not offer (directly or through the
    pivot) a pair the run needs: ``source_language`` → each target language.
    """
    url = url or getattr(settings, "libretranslate_url", None)
    if not url:
        raise ConfigError("the libretranslate engine needs the server's address: --url http://host:5000 "
                          "or libretranslate_url in [tool.outreach]")
    if policy is None:
        policy = Policy(timeout=float(getattr(settings, "libretranslate_timeout", 60) or 60))
    client = Client(url, os.environ.get(API_KEY_ENV) or None, policy)
    languages = client.get("/languages")
    version = server_version(client)
    engine = LibreTranslateEngine(
        client, languages, version=version, settings=settings, cache=cache, extra_terms=extra_terms,
        batch_size=getattr(settings, "libretranslate_batch_size", 32) or 32,
        parallel=getattr(settings, "libretranslate_parallel", 4) or 4)
    if settings is not None:
        missing = [f"{settings.source_language}→{t}" for t in settings.target_languages
                   if engine.route(settings.source_language, t) is None]
        if missing:
            engine.close()
            offered = ", ".join(leg.label for leg in engine.legs()) or "none"
            raise ModelError(f"LibreTranslate at {client.shown} does not offer {', '.join(missing)} "
                             f"(it offers: {offered})")
    return engine

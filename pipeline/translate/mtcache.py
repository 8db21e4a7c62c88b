"""A SQLite cache of machine translations, so no sentence is ever inferred twice.

Key: (model name, model version, source language, target language, source
text) → translation, in two tables: ``translations`` holds finished texts
(paragraphs, placeholders restored), ``sentences`` (``kind="sentence"``) holds what
the model itself was given and answered — protected sentences and the pieces
of the placeholder fallback — so a sentence that recurs in another paragraph,
another document or a later run is never sent to the model again.
:meth:`TranslationCache.put_many` commits at once, so a run interrupted
half-way keeps what it finished. WAL mode and a busy timeout
let two runs share the file.

The cache is an optimisation, never a reason to fail: a corrupt database file
is moved aside (``<name>.corrupt``) and recreated; a cache that cannot be
opened or written (read-only workspace, locked for too long) silently becomes
a no-op (``disabled`` says why).
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path
from typing import Iterable, Sequence

CACHE_FILE = "mt-cache.sqlite"
_BUSY_TIMEOUT_MS = 30_000
_CHUNK = 400  # parameters per IN (...) query, well below SQLite's limit
_TABLES = {"text": "translations", "sentence": "sentences"}
_SCHEMA = """
CREATE TABLE IF NOT EXISTS {table} (
    model TEXT NOT NULL,
    version TEXT NOT NULL,
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    text TEXT NOT NULL,
    translation TEXT NOT NULL,
    created REAL NOT NULL,
    PRIMARY KEY (model, version, source, target, text)
) WITHOUT ROWID
"""


def cache_path(cache_dir: Path) -> Path:
    """``<cache_dir>/mt-cache.sqlite``; creates the folder with a ``.gitignore`` of ``*``."""
    cache_dir = Path(cache_dir)
    if not cache_dir.is_dir():
        cache_dir.mkdir(parents=True, exist_ok=True)
    ignore = cache_dir / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n", encoding="utf-8")
    return cache_dir / CACHE_FILE


def _is_corruption(exc: sqlite3.DatabaseError) -> bool:
    if isinstance(exc, sqlite3.OperationalError):
        message = str(exc).lower()
        return "malformed" in message or "not a database" in message
    return True


class TranslationCache:
    """Translations by (model, version, source, target, text); see the module doc."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.disabled: str | None = None
        self.recovered: Path | None = None  # where a corrupt file was moved
        self._conn: sqlite3.Connection | None = None
        self._open()

    @classmethod
    def in_folder(cls, cache_dir: Path) -> "TranslationCache":
        """The cache under ``cache_dir`` (``settings.cache_dir``); disabled when it cannot be created."""
        try:
            path = cache_path(cache_dir)
        except OSError as exc:
            cache = cls.__new__(cls)
            cache.path, cache.recovered, cache._conn = Path(cache_dir) / CACHE_FILE, None, None
            cache.disabled = f"cannot create {cache_dir}: {exc.strerror or exc}"
            return cache
        return cls(path)

    # ------------------------------------------------------------------ connection

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        try:
            conn.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            for table in _TABLES.values():
                conn.execute(_SCHEMA.format(table=table))
            row = conn.execute("PRAGMA quick_check(1)").fetchone()
            if row and row[0] != "ok":
                raise sqlite3.DatabaseError("database disk image is malformed")
        except BaseException:
            conn.close()
            raise
        return conn

    def _open(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = self._connect()
        except sqlite3.DatabaseError as exc:
            if _is_corruption(exc):
                self._recover()
            else:
                self.disabled = f"cannot open {self.path}: {exc}"
        except OSError as exc:
            self.disabled = f"cannot open {self.path}: {exc.strerror or exc}"

    def _recover(self) -> None:
        """Move the corrupt file (and its WAL/SHM) aside and start afresh."""
        if self._conn is not None:
            try:
                self._conn.close()
            except sqlite3.Error:
                pass
            self._conn = None
        aside = self.path.with_name(self.path.name + ".corrupt")
        if aside.exists():
            aside = self.path.with_name(f"{self.path.name}.{int(time.time())}.corrupt")
        try:
            os.replace(self.path, aside)
            for suffix in ("-wal", "-shm"):
                extra = self.path.with_name(self.path.name + suffix)
                if extra.exists():
                    extra.unlink()
            self.recovered = aside
            self._conn = self._connect()
        except (OSError, sqlite3.Error) as exc:
            self._conn = None
            self.disabled = f"corrupt cache {self.path} could not be replaced: {exc}"

    def _guard(self, exc: sqlite3.Error) -> None:
        if isinstance(exc, sqlite3.DatabaseError) and _is_corruption(exc):
            self._recover()
        # Locked for longer than the busy timeout, disk full…: skip caching this time.

    # ------------------------------------------------------------------ API

    def get_many(self, model: str, version: str, source: str, target: str, texts: Iterable[str], *,
                 kind: str = "text") -> dict[str, str]:
        """The cached translations of ``texts`` (those not cached are absent); ``kind``: "text" or "sentence"."""
        table = _TABLES[kind]
        if self._conn is None:
            return {}
        wanted = list(dict.fromkeys(texts))
        found: dict[str, str] = {}
        try:
            for i in range(0, len(wanted), _CHUNK):
                chunk = wanted[i : i + _CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = self._conn.execute(
                    f"SELECT text, translation FROM {table} WHERE model = ? AND version = ? "
                    f"AND source = ? AND target = ? AND text IN ({marks})",
                    (model, version, source, target, *chunk),
                )
                found.update(rows.fetchall())
        except sqlite3.Error as exc:
            self._guard(exc)
            return {}
        return found

    def put_many(self, model: str, version: str, source: str, target: str,
                 pairs: Iterable[tuple[str, str]] | dict[str, str], *, kind: str = "text") -> int:
        """Store ``(text, translation)`` pairs and commit; the number stored (0 when caching failed)."""
        table = _TABLES[kind]
        items: Sequence[tuple[str, str]] = list(pairs.items() if isinstance(pairs, dict) else pairs)
        if self._conn is None or not items:
            return 0
        now = time.time()
        rows = [(model, version, source, target, text, out, now) for text, out in items]
        try:
            with self._transaction():
                self._conn.executemany(f"INSERT OR REPLACE INTO {table} VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        except sqlite3.Error as exc:
            self._guard(exc)
            return 0
        return len(rows)

    def __len__(self) -> int:
        if self._conn is None:
            return 0
        try:
            return self._conn.execute("SELECT count(*) FROM translations").fetchone()[0]  # finished texts
        except sqlite3.Error:
            return 0

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> "TranslationCache":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------ helpers

    def _transaction(self):
        conn = self._conn
        assert conn is not None

        class _Tx:
            def __enter__(self_inner):
                conn.execute("BEGIN IMMEDIATE")

            def __exit__(self_inner, kind, value, tb):
                if kind is None:
                    conn.execute("COMMIT")
                else:
                    try:
                        conn.execute("ROLLBACK")
                    except sqlite3.Error:
                        pass
                return False

        return _Tx()

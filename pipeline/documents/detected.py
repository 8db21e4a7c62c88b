"""What the language detector found, remembered across runs (``.outreach/detected.sqlite``).

Detection is a pure function of a cleaned text, the candidate languages and the
detector (seeded, deterministic), and it is most of a run without models: a re-run
after one paragraph changed used to detect every unchanged paragraph again. The
store keeps each cleaned text's probabilities under a hash of the text, for one
detector *configuration* (candidates, seed, our detector's version, langdetect's
version); another configuration empties it first. Lookups go one document at a
time, so a 50 MB source never has its results in memory at once.

It is only a cache: a corrupt file is replaced by an empty store; one that cannot be
opened, read or written (read-only folder, another process holding it) is switched off
for the run and detection simply happens, with the same answers.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Iterable, Sequence

FILE = "detected.sqlite"
_CHUNK = 500   # keys per SELECT (SQLite's variable limit is 999 on old builds)


def text_key(cleaned: str) -> bytes:
    return hashlib.blake2b(cleaned.encode("utf-8"), digest_size=16).digest()


def _encode(found: Sequence[tuple[str, float]]) -> str:
    return ",".join(f"{lang}:{prob!r}" for lang, prob in found)


def _decode(value: str) -> list[tuple[str, float]]:
    if not value:
        return []
    pairs = (item.rsplit(":", 1) for item in value.split(","))
    return [(lang, float(prob)) for lang, prob in pairs]


class DetectionStore:
    """Probabilities by text key, for one detector configuration (``configuration``)."""

    def __init__(self, path: Path, configuration: str):
        self.path = Path(path)
        self.configuration = configuration
        self._db: sqlite3.Connection | None = None
        self._failed = False

    @classmethod
    def in_folder(cls, folder: Path, configuration: str) -> "DetectionStore":
        return cls(Path(folder) / FILE, configuration)

    def _open(self) -> sqlite3.Connection | None:
        if self._db is not None or self._failed:
            return self._db
        for attempt in (1, 2):
            db = None
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self.path, timeout=2)
                db.execute("CREATE TABLE IF NOT EXISTS meta (configuration TEXT NOT NULL)")
                db.execute("CREATE TABLE IF NOT EXISTS found (key BLOB PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID")
                row = db.execute("SELECT configuration FROM meta").fetchone()
                if row is None or row[0] != self.configuration:
                    with db:
                        db.execute("DELETE FROM found")
                        db.execute("DELETE FROM meta")
                        db.execute("INSERT INTO meta VALUES (?)", (self.configuration,))
                self._db = db
                return db
            except (sqlite3.Error, OSError) as exc:
                if db is not None:
                    db.close()
                corrupt = isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError)
                if attempt == 1 and corrupt:
                    try:   # not a database (any more): only a cache, so start it afresh once
                        self.path.unlink()
                        continue
                    except OSError:
                        pass
                break
        self._failed = True
        return None

    def get_many(self, keys: Iterable[bytes]) -> dict[bytes, list[tuple[str, float]]]:
        db = self._open()
        wanted = list(dict.fromkeys(keys))
        found: dict[bytes, list[tuple[str, float]]] = {}
        if db is None:
            return found
        try:
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start:start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                for key, value in db.execute(f"SELECT key, value FROM found WHERE key IN ({marks})", chunk):
                    found[bytes(key)] = _decode(value)
        except (sqlite3.Error, ValueError):
            self._fail()
            return {}
        return found

    def put_many(self, items: dict[bytes, Sequence[tuple[str, float]]]) -> None:
        db = self._open()
        if db is None or not items:
            return
        try:
            with db:
                db.executemany("INSERT OR REPLACE INTO found VALUES (?, ?)",
                               ((key, _encode(found)) for key, found in items.items()))
        except sqlite3.Error:
            self._fail()

    def _fail(self) -> None:
        self.close()
        self._failed = True

    def close(self) -> None:
        if self._db is not None:
            try:
                self._db.close()
            except sqlite3.Error:
                pass
            self._db = None

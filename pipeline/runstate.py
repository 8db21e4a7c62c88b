"""The no-change re-run: when nothing a run reads has changed, skip the run.

A run is a function of its inputs — the sources, every file under ``locales/``
(catalogues, which also feed the translation memory), the glossary and memory
files, the settings and flags, the engine with its model versions, and the
pipeline's own code — and it is a fixed point: run twice, the second run
writes nothing (catalogues are byte-stable on unchanged re-runs). So after a
run, :func:`save` keeps one hash of all those inputs (sources as they were read
*before* the run, catalogues as they are *after* it) together with the run's
report in ``.outreach/run-state.json``; the next run computes the same hash
(:func:`inputs_key`: one SHA-256 per file, no parsing, no detection, no model)
and, when it matches, returns that report with nothing to write
(:func:`load`). Anything else — an edited catalogue, a new model version, a
changed setting, another flag — is a different key and a full run.

Only for engines whose output depends on nothing outside the workspace but
their installed models (``argos``, ``none``); a LibreTranslate server may
change under us.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any, Iterable

STATE_FILE = "run-state.json"
_KEY = re.compile(rb'\{"key": ?"([0-9a-f]{64})"')
_VERSION = 1
_ENGINES = ("argos", "none")
_CODE = Path(__file__).resolve().parent


def _files(folder: Path) -> Iterable[Path]:
    if folder.is_dir():
        yield from sorted(p for p in folder.rglob("*") if p.is_file())


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _code_stamp() -> list:
    """Our own source files by name, size and mtime: a changed pipeline never reuses an old state."""
    return [(p.relative_to(_CODE).as_posix(), st.st_size, st.st_mtime_ns)
            for p in sorted(_CODE.rglob("*.py")) for st in (p.stat(),)]


def sources_part(settings: Any) -> list:
    """The source files' hashes: taken before a run reads them. The files are the ones the run
    would read (discovery follows links inside the workspace, and refuses a link leading out or
    into a loop, or a name a catalogue cannot hold, as the run would)."""
    from pipeline.documents.sources import discover

    if not settings.sources_dir.is_dir():
        return []
    return [(p.relative_to(settings.sources_dir).as_posix(), _digest(p))
            for p in discover(settings.sources_dir, settings.workspace)]


def applies(engine: Any) -> bool:
    """Whether this engine's runs can be skipped (its output depends on the workspace and its models only)."""
    return getattr(engine, "name", None) in _ENGINES


def inputs_key(settings: Any, engine: Any, flags: dict, sources: list | None = None) -> str | None:
    """One hash of everything a run reads; ``None`` when this engine's runs cannot be skipped."""
    if not applies(engine):
        return None
    legs = [(leg.source, leg.target, leg.label) for leg in engine.legs()] if hasattr(engine, "legs") else []
    extra = [settings.glossary_file, settings.memory_file]
    state = {
        "version": _VERSION,
        "code": _code_stamp(),
        "settings": {f.name: str(getattr(settings, f.name)) for f in fields(settings) if f.name != "settings_file"},
        "flags": flags,
        "engine": [engine.name, legs, bool(getattr(engine, "has_models", False))],
        "sources": sources if sources is not None else sources_part(settings),
        "locales": [(p.relative_to(settings.locales_dir).as_posix(), _digest(p)) for p in _files(settings.locales_dir)],
        "extra": [(str(p), _digest(p)) for p in extra if p is not None and p.is_file()],
    }
    return hashlib.sha256(json.dumps(state, sort_keys=True, default=str).encode()).hexdigest()


def _state_path(settings: Any) -> Path:
    return settings.cache_dir / STATE_FILE


def load(settings: Any, key: str | None) -> dict | None:
    """The report saved with ``key``, or ``None``."""
    if key is None:
        return None
    try:
        with open(_state_path(settings), "rb") as handle:
            # The key is written first: another key (the inputs changed) is told from the first
            # bytes, without parsing a big run's whole state.
            head = _KEY.match(handle.read(128))
            if head is not None and head.group(1).decode("ascii") != key:
                return None
            handle.seek(0)
            data = json.loads(handle.read().decode("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("key") != key or not isinstance(data.get("report"), dict):
        return None
    return data["report"]


def save(settings: Any, key: str | None, report: dict) -> None:
    """Remember ``report`` under ``key``; a workspace we cannot write to just runs in full next time."""
    path = _state_path(settings)
    if key is None:
        try:
            path.unlink()
        except OSError:
            pass
        return
    from pipeline.fsutil import AtomicWriter

    try:
        settings.cache_dir.mkdir(parents=True, exist_ok=True)
        with AtomicWriter(path) as out:  # written as it is encoded: a big run's state is never one string
            buffer: list[str] = []
            size = 0
            for chunk in _json_pieces({"key": key, "report": report}):
                buffer.append(chunk)
                size += len(chunk)
                if size >= 1 << 19:
                    out.write("".join(buffer).encode("utf-8"))
                    buffer, size = [], 0
            out.write("".join(buffer).encode("utf-8"))
            out.commit()
    except Exception:  # noqa: BLE001 - an optimisation, never a reason to fail
        pass


_PLAIN = (str, int, float, bool, type(None))


def as_record(obj: Any) -> Any:
    """A frozen dataclass tree as JSON-ready data (paths as strings)."""
    values = {f.name: getattr(obj, f.name) for f in fields(obj)}
    if all(type(v) in _PLAIN for v in values.values()):  # a segment: already JSON data
        return values
    return json.loads(json.dumps(asdict(obj), default=str))


def _json_pieces(obj: Any):
    """The JSON text of ``obj`` in pieces: a dict or list holding dicts or lists member by member,
    one of plain values (a segment's record) in one piece by the C encoder
    (json.JSONEncoder.iterencode runs in Python, several times slower)."""
    values = obj.values() if isinstance(obj, dict) else obj if isinstance(obj, (list, tuple)) else ()
    if not any(isinstance(v, (dict, list, tuple)) for v in values):
        yield json.dumps(obj, ensure_ascii=False, default=str)
    elif isinstance(obj, dict):
        yield "{"
        for n, (key, value) in enumerate(obj.items()):
            yield ("," if n else "") + json.dumps(str(key), ensure_ascii=False) + ":"
            yield from _json_pieces(value)
        yield "}"
    else:
        yield "["
        for n, item in enumerate(obj):
            if n:
                yield ","
            yield from _json_pieces(item)
        yield "]"


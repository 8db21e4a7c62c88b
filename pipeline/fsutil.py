"""Atomic file writes: a temporary file in the same folder, fsync, rename.

A reader (or a run killed half-way) sees either the old file or the new one,
never a truncated one.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from pipeline.errors import WriteError


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically, creating parent folders."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise WriteError(f"cannot write: {exc.strerror or exc}", path=path) from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        else:
            os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise WriteError(f"cannot write: {exc.strerror or exc}", path=path) from exc


def write_text_atomic(path: Path, text: str) -> None:
    write_atomic(path, text.encode("utf-8"))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_TEMP_NAME = re.compile(r"^\..+\.[A-Za-z0-9_]{8}\.tmp$")


def remove_stale_temp_files(folder: Path) -> list[Path]:
    """Delete the temporary files :func:`write_atomic` leaves when a run is killed (SIGKILL)
    half-way through a write; returns what was removed.

    Only safe while no other run writes into ``folder``: call it holding the
    workspace lock (:mod:`pipeline.lock`).
    """
    removed: list[Path] = []
    folder = Path(folder)
    if not folder.is_dir():
        return removed
    for parent, dirs, files in os.walk(folder):
        for name in files:
            if _TEMP_NAME.match(name):
                path = Path(parent) / name
                try:
                    path.unlink()
                    removed.append(path)
                except OSError:
                    pass
    return removed

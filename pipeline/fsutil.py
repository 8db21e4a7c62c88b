"""Atomic file writes: a temporary file in the same folder, fsync, rename.

A reader (or a run killed half-way) sees either the old file or the new one,
never a truncated one.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import ConflictError, WriteError


@dataclass(frozen=True)
class Fingerprint:
    """What a file was when it was read: enough to notice that someone saved it since."""

    size: int
    mtime_ns: int
    sha256: str


def fingerprint(path: Path) -> Fingerprint | None:
    """The fingerprint of ``path`` now, or ``None`` when there is no such file."""
    try:
        data = Path(path).read_bytes()
        stat = os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise WriteError(f"cannot read: {exc.strerror or exc}", path=path) from exc
    return Fingerprint(len(data), stat.st_mtime_ns, hashlib.sha256(data).hexdigest())


def fingerprint_bytes(data: bytes, path: Path) -> Fingerprint:
    """The fingerprint of ``data`` just read from ``path`` (its mtime taken now)."""
    return Fingerprint(len(data), os.stat(path).st_mtime_ns, hashlib.sha256(data).hexdigest())


def write_atomic_if_unchanged(path: Path, data: bytes, expected: Fingerprint | None) -> None:
    """Replace ``path`` with ``data`` only if it is still what was read (``expected``; ``None``: absent).

    Raises :class:`ConflictError` when the file changed meanwhile, leaving it as
    the other writer saved it. The check and the rename are close together,
    not one atomic step: callers that need more hold the workspace lock as well.
    """
    _check_unchanged(path, expected)
    write_atomic(path, data)


def _check_unchanged(path: Path, expected: Fingerprint | None) -> None:
    if not still(path, expected):
        raise ConflictError("changed on disk since it was read (saved by someone else?); not overwritten", path=path)


def still(path: Path, expected: Fingerprint | None) -> bool:
    """Is ``path`` still what was read (``expected``; ``None``: no file)? Same bytes count, even touched."""
    now = fingerprint(path)
    return now == expected or bool(now and expected and now.sha256 == expected.sha256 and now.size == expected.size)


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically, creating parent folders."""
    with AtomicWriter(path) as out:
        out.write(data)
        out.commit()


class AtomicWriter:
    """A replacement for ``path`` written piece by piece into a temporary file next to it;
    :meth:`commit` (fsync, the old file's mode, rename) makes it the file, leaving the block
    without committing (or with an error) removes it: readers see the old file or the whole
    new one, never a part. ``with AtomicWriter(path) as out: out.write(b); ...; out.commit()``."""

    def __init__(self, path: Path):
        import tempfile  # not at import: reading commands (status, check) never write

        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, self.tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
        except OSError as exc:
            raise WriteError(f"cannot write: {exc.strerror or exc}", path=self.path) from exc
        self.handle = os.fdopen(fd, "wb")
        self.committed = False

    def __enter__(self) -> "AtomicWriter":
        return self

    def __exit__(self, *exc_info) -> None:
        if not self.committed:
            self.discard()

    def write(self, data: bytes) -> None:
        try:
            self.handle.write(data)
        except OSError as exc:
            self.discard()
            raise WriteError(f"cannot write: {exc.strerror or exc}", path=self.path) from exc

    def discard(self) -> None:
        """Remove the temporary file; ``path`` stays as it was."""
        try:
            self.handle.close()
        except OSError:
            pass
        try:
            os.unlink(self.tmp)
        except OSError:
            pass

    def commit(self, expected: "Fingerprint | None | object" = ...) -> None:
        """Make the written bytes the file; with ``expected``, only if the file is still what was
        read (:class:`ConflictError` otherwise, see :func:`write_atomic_if_unchanged`)."""
        try:
            self.handle.flush()
            os.fsync(self.handle.fileno())
            self.handle.close()
            if expected is not ...:
                _check_unchanged(self.path, expected)  # type: ignore[arg-type]
            if self.path.exists():
                os.chmod(self.tmp, self.path.stat().st_mode & 0o7777)
            else:
                os.chmod(self.tmp, 0o666 & ~_umask())
            os.replace(self.tmp, self.path)
            self.committed = True
        except OSError as exc:
            self.discard()
            raise WriteError(f"cannot write: {exc.strerror or exc}", path=self.path) from exc
        except ConflictError:
            self.discard()
            raise


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
    for parent, _dirs, files in os.walk(folder):
        for name in files:
            if _TEMP_NAME.match(name):
                path = Path(parent) / name
                try:
                    path.unlink()
                    removed.append(path)
                except OSError:
                    pass
    return removed

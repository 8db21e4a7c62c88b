"""The workspace lock: one ``run`` (or ``build``) at a time per workspace.

Two people running the pipeline on a shared folder must not interleave their
writes. :func:`acquire` takes an exclusive ``fcntl.flock`` on
``.outreach/lock`` (a git-ignored folder) and records who holds it (pid,
host, start time) in the file. The kernel releases a flock when its process
dies, however it dies (Ctrl-C, SIGKILL, a laptop that never woke up and was
rebooted), so a lock left by a killed run is never an obstacle: the next run
takes it, notices that the recorded pid is gone and says it cleared a stale
lock. While a second run waits it is told once who holds the lock.

The lock also makes it safe to sweep temporary files a killed run left behind
(see :func:`pipeline.fsutil.remove_stale_temp_files`): while we hold it, no
other run of ours is writing.

Where ``flock`` is not available (some network file systems), the run goes on
without a lock, and ``Lock.note`` says so.
"""

from __future__ import annotations

import errno
import os
import socket
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable

from pipeline.errors import OutreachError

LOCK_FILE = "lock"
_POLL = 0.2  # seconds between attempts while waiting


class LockError(OutreachError):
    """Another run holds the workspace lock (``--no-wait`` or the wait timed out). Exit 2."""


@dataclass(frozen=True)
class Holder:
    """Who holds (or last held) the lock, as recorded in the lock file."""

    pid: int | None
    host: str
    started: str  # ISO date and time, local

    def describe(self) -> str:
        who = f"pid {self.pid}" if self.pid else "unknown process"
        if self.host and self.host != socket.gethostname():
            who += f" on {self.host}"
        return who + (f", started {self.started}" if self.started else "")

    def is_dead(self) -> bool:
        """True when the holder is a process of this host that no longer exists."""
        if not self.pid or (self.host and self.host != socket.gethostname()):
            return False
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return True
        except OSError:  # EPERM: it exists, owned by someone else
            return False
        return False


def read_holder(path: Path) -> Holder | None:
    """The holder recorded in the lock file ``path`` (None when empty or unreadable)."""
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    fields = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
    if not fields:
        return None
    try:
        pid = int(fields.get("pid", ""))
    except ValueError:
        pid = None
    return Holder(pid, fields.get("host", "").strip(), fields.get("started", "").strip())


class Lock:
    """A held workspace lock; release with :meth:`release` or a ``with`` block."""

    def __init__(self, path: Path, fd: int | None, note: str | None = None):
        self.path = path
        self._fd = fd
        self.note = note  # a message for the user (stale lock cleared, no locking possible)

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        if self._fd is None:
            return
        import fcntl

        try:
            os.ftruncate(self._fd, 0)
        except OSError:
            pass
        try:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> "Lock":
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def acquire(cache_dir: Path, *, wait: bool = True, timeout: float | None = None,
            waiting: Callable[[str], None] | None = None) -> Lock:
    """Take the lock in ``cache_dir`` (``settings.cache_dir``).

    ``wait=False``: :class:`LockError` at once when another run holds it.
    Otherwise wait (``timeout`` seconds at most, ``None`` = as long as it
    takes), calling ``waiting(message)`` once when the wait begins.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        return Lock(Path(cache_dir) / LOCK_FILE, None, "no file locking on this system: running without a lock")
    cache_dir = Path(cache_dir)
    path = cache_dir / LOCK_FILE
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        ignore = cache_dir / ".gitignore"
        if not ignore.exists():
            ignore.write_text("*\n", encoding="utf-8")
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as exc:
        return Lock(path, None, f"cannot create the workspace lock {path} ({exc.strerror or exc}): "
                                "running without a lock")
    deadline = None if timeout is None else time.monotonic() + max(0.0, timeout)
    told = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                os.close(fd)
                return Lock(path, None, f"cannot lock {path} ({exc.strerror or exc}): running without a lock")
        holder = read_holder(path)
        who = holder.describe() if holder else "unknown process"
        if not wait or (deadline is not None and time.monotonic() >= deadline):
            os.close(fd)
            hint = "try again later" + ("" if not wait else " or wait longer (--wait-timeout)")
            raise LockError(f"another outreach run ({who}) holds the workspace lock; {hint}", path=path)
        if not told and waiting is not None:
            waiting(f"waiting for another outreach run ({who}) to finish…")
            told = True
        try:
            time.sleep(_POLL)
        except BaseException:
            os.close(fd)
            raise
    previous = read_holder(path)
    note = None
    if previous is not None and previous.pid != os.getpid() and previous.is_dead():
        note = f"cleared a stale lock left by a run that is no longer running ({previous.describe()})"
    record = f"pid={os.getpid()}\nhost={socket.gethostname()}\nstarted={datetime.now().isoformat(timespec='seconds')}\n"
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, record.encode("utf-8"), 0)
    except OSError:
        pass  # the flock is what counts; the record is only information
    return Lock(path, fd, note)

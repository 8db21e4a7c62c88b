"""The one family of errors the stages raise.

Every error a user can cause (bad input, bad configuration, a missing model)
is an :class:`OutreachError`. The CLI prints ``str(error)`` as one line and
exits with ``error.exit_code``; nothing else ever reaches the user as a
traceback.
"""

from __future__ import annotations

from pathlib import Path


class OutreachError(Exception):
    """Base class: a problem the user can fix. Exit code 2 (bad usage or input)."""

    exit_code = 2

    def __init__(self, message: str, *, path: str | Path | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line

    def __str__(self) -> str:
        if self.path and self.line:
            return f"{self.path}:{self.line}: {self.message}"
        if self.path:
            return f"{self.path}: {self.message}"
        return self.message


class ConfigError(OutreachError):
    """Invalid settings in pyproject.toml / outreach.toml or on the command line."""


class SourceError(OutreachError):
    """A source text that cannot be found, read or decoded."""


class CatalogError(OutreachError):
    """A .po/.pot file that cannot be read or parsed."""


class ModelError(OutreachError):
    """A translation model that is missing, invalid or cannot be installed."""


class TranslationError(OutreachError):
    """The translation engine failed."""


class WriteError(OutreachError):
    """An output file could not be written (read-only folder, full disk)."""


class ConflictError(WriteError):
    """A file changed on disk since it was read (a reviewer saved it meanwhile); it was not replaced."""

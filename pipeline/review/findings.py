"""Findings: one problem at one place, as every checker reports it.

``status``/``check``, the quality checks, ``build`` and the report all speak in
:class:`Finding` objects; the CLI prints them as ``path:line: code: message``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    code: str
    message: str
    severity: str = "error"   # "error" fails the check, "warning" does not

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.code}: {self.message}"


def excerpt(text: str, width: int = 48) -> str:
    """A short quoted excerpt of ``text`` on one line, for a finding's message."""
    flat = " ".join(text.split())
    return '"' + (flat if len(flat) <= width else flat[: width - 1] + "…") + '"'

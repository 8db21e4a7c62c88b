"""Shared option decorators and output helpers for every ``outreach`` command.

Commands print data on stdout (``emit_json`` / ``click.echo``) and messages on
stderr (``say``); these helpers are the only place that knows how.
"""

from __future__ import annotations

import functools
from typing import Any
import json
import sys
import time
from pathlib import Path

import click

from pipeline.config import Settings, load_settings
from pipeline.errors import OutreachError, SourceError

EXIT_CHECK_FAILED = 1
#: Where ``outreach -C DIR`` (before the sub-command) leaves DIR for :func:`workspace_options`.
WORKSPACE_KEY = "outreach.workspace"
EXIT_INTERRUPTED = 130


def say(message: str) -> None:
    click.echo(message, err=True)


#: The shape of every ``--json`` output: ``{"version": JSON_VERSION, ...}`` (docs/json.md,
#: docs/outreach-json.schema.json). Bump it when a field changes meaning or goes away.
JSON_VERSION = 1


def emit_json(data: dict) -> None:
    """One JSON object on stdout: ``{"version": 1, "command": ..., ...}``."""
    ctx = click.get_current_context(silent=True)
    command = ctx.command_path.split(" ", 1)[1] if ctx is not None and " " in ctx.command_path else None
    click.echo(json.dumps({"version": JSON_VERSION, "command": command, **data}, ensure_ascii=False, indent=2))


def table(rows: list[list[str]], headers: list[str], paint=None) -> str:
    """A left-aligned plain-text table (numbers right-aligned).

    ``paint(row, column, text)`` may colour a cell's text (row -1 is the
    header); the padding stays outside the colour codes, so they never disturb
    the alignment.
    """
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    numeric = [all(str(r[i]).replace(".", "").replace("%", "").isdigit() for r in rows) and rows for i in range(len(headers))]

    def line(row, index=0):
        cells = [str(c).rjust(w) if num else str(c).ljust(w) for c, w, num in zip(row, widths, numeric)]
        if paint is not None:
            cells = [c.replace(c.strip(), paint(index, i, c.strip()), 1) if c.strip() else c
                     for i, c in enumerate(cells)]
        return "  ".join(cells).rstrip()

    return "\n".join([line(headers, -1), *(line(r, i) for i, r in enumerate(rows))])


# ---------------------------------------------------------------- shared options

def workspace_options(func):
    """``-C DIR``, ``--from``, ``--to``: where the workspace is and which languages."""

    @click.option("-C", "--directory", "workspace", type=click.Path(file_okay=False, path_type=Path),
                  help="Workspace folder (default: the current one).")
    @click.option("--from", "source_language", metavar="LANG", help="Source language (default: pl).")
    @click.option("--to", "target_languages", metavar="LANGS", help="Target languages, comma-separated (default: en,uk).")
    @functools.wraps(func)
    def wrapper(workspace, source_language, target_languages, **kwargs):
        ctx = click.get_current_context(silent=True)
        outer = ctx.meta.get(WORKSPACE_KEY) if ctx is not None else None
        if outer is not None:  # `outreach -C a status`, or `-C a status -C b` = a/b as with git
            workspace = outer / workspace if workspace is not None else outer
        if workspace is not None and not workspace.is_dir():
            raise OutreachError("workspace folder not found", path=workspace)
        settings = load_settings(workspace, source_language=source_language, target_languages=target_languages)
        try:
            return func(settings=settings, **kwargs)
        except OutreachError as exc:
            # Name files as the user knows them: relative to the workspace.
            if exc.path and Path(exc.path).is_absolute():
                exc.path = shown(settings, Path(exc.path))
            raise

    return wrapper


class EngineChoice(click.Choice):
    """``--engine``: the product's engines (as listed in ``--help``) or one registered by a test."""

    def __init__(self) -> None:
        from pipeline.config import ENGINES

        super().__init__(ENGINES)

    def convert(self, value, param, ctx):
        from pipeline import translate

        if value in translate.engine_names():
            return value
        return super().convert(value, param, ctx)


json_option = click.option("--json", "as_json", is_flag=True, help="Print the result as JSON on stdout.")
quiet_option = click.option("-q", "--quiet", is_flag=True, help="No progress messages on stderr.")


def lock_options(func):
    """``--no-wait`` / ``--wait-timeout``: hold the workspace lock (``.outreach/lock``) while ``func`` runs.

    Goes below :func:`workspace_options`. Under the lock, temporary files that a
    killed run left in ``locales/`` and ``build/`` are removed first.
    """

    @click.option("--no-wait", is_flag=True,
                  help="Fail (exit 2) instead of waiting when another run holds the workspace.")
    @click.option("--wait-timeout", type=click.FloatRange(0), default=None, metavar="SECONDS",
                  help="Wait at most this long for another run to finish (default: as long as it takes).")
    @functools.wraps(func)
    def wrapper(settings: Settings, no_wait, wait_timeout, **kwargs):
        from pipeline import fsutil, lock  # only the commands that write need them

        if not settings.sources_dir.is_dir():  # before the lock: `run -C /` must not create /.outreach
            raise SourceError("source folder not found", path=settings.display_path(settings.sources_dir))
        with lock.acquire(settings.cache_dir, wait=not no_wait, timeout=wait_timeout, waiting=say) as held:
            if held.note:
                say(f"note: {held.note}")
            if held.held:
                for folder in (settings.locales_dir, settings.build_dir):
                    fsutil.remove_stale_temp_files(folder)
            return func(settings=settings, **kwargs)

    return wrapper


class ProgressBar:
    """A click progress bar on stderr that appears with the first report of work."""

    def __init__(self, label: str):
        self.label = label
        self.bar: Any = None

    def __call__(self, done: int, total: int) -> None:
        if total <= 0:
            return
        if self.bar is None or self.bar.length != total:
            self.finish()
            self.bar = click.progressbar(length=total, label=self.label, file=click.get_text_stream("stderr"))  # type: ignore[operator]
        self.bar.update(min(done, total) - self.bar.pos)

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.render_finish()
            self.bar = None


class StageProgress:
    """Progress of a command's long stages on stderr, as ``progress(stage, done, total)``.

    On a terminal: a bar per stage, labelled with it ("translating pl→en").
    Otherwise (CI logs, pipes): one line per stage when it ends, with counts and
    elapsed time ("reading: 12 files in 0.1 s"). ``quiet``: nothing at all.
    """

    UNITS = {"reading": "files", "detecting languages": "documents", "writing": "files", "translating": "sentences",
             "building": "documents"}

    def __init__(self, quiet: bool = False, tty: bool | None = None, clock=time.monotonic):
        self.quiet = quiet
        self.tty = sys.stderr.isatty() if tty is None else tty
        self.clock = clock
        self.stage: str | None = None
        self.ended: str | None = None   # the stage that just ended (late updates of it are ignored)
        self.done = self.total = 0
        self.started = 0.0
        self.bar: ProgressBar | None = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.quiet or (stage == self.ended and done >= total):
            return
        if stage != self.stage:
            self.finish()
            self.stage, self.started = stage, self.clock()
        if self.tty and self.bar is None:
            self.bar = ProgressBar(stage)
        self.done, self.total = done, total
        if self.bar is not None:
            self.bar(done, total)
        if total and done >= total:
            self.finish()

    def say(self, message: str) -> None:
        """A message between the bars: the current bar is closed first (and drawn again on its next update)."""
        if self.bar is not None:
            self.bar.finish()
            self.bar = None
        say(message)

    def finish(self) -> None:
        """End the current stage: close its bar, or print its line."""
        if self.stage is None:
            return
        if self.bar is not None:
            self.bar.finish()
        elif not self.tty:
            unit = self.UNITS.get(self.stage.split(" ")[0], self.UNITS.get(self.stage, "items"))
            count = f"{self.done}" if self.done == self.total else f"{self.done} of {self.total}"
            if self.total == 1:
                unit = unit[:-1]   # "1 file", "1 document"
            say(f"{self.stage}: {count} {unit} in {self.clock() - self.started:.1f} s")
        self.ended, self.stage, self.bar = self.stage, None, None


def shown(settings: Settings, path: Path) -> str:
    return settings.display_path(path)

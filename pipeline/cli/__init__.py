"""The ``outreach`` command: parse options → call a stage → render the result.

Data goes to stdout (``--json`` for machines), progress and messages to
stderr. Exit codes: 0 success, 1 check failed, 2 bad usage or input,
130 interrupted.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator, MutableMapping
from pathlib import Path

import click

from pipeline import __version__
from pipeline.cli.options import WORKSPACE_KEY, say
from pipeline.errors import OutreachError

EXIT_INTERRUPTED = 130


class _Interrupted(Exception):
    """Ctrl-C, carried past click (which would print an empty line of its own)."""


#: Every sub-command: name → ``module:attribute``. A command's module is imported only when that
#: command is invoked, completed or listed (``outreach --help``), so ``outreach status`` never
#: pays for the others (bench/startup.py).
COMMANDS = {
    "run": "pipeline.cli.run:run",
    "detect": "pipeline.cli.run:detect",
    "status": "pipeline.cli.status:status",
    "check": "pipeline.cli.status:check",
    "report": "pipeline.cli.report:report",
    "badge": "pipeline.cli.report:badge",
    "review": "pipeline.cli.review:review",
    "build": "pipeline.cli.build:build",
    "models": "pipeline.cli.models:models",
    "memory": "pipeline.cli.memory:memory",
}


class LazyCommands(MutableMapping):
    """``Group.commands`` whose entries are imported on first access.

    click only lists the names (``list_commands``) and then gets the one it runs
    (``get_command``); ``items()``/``values()`` load every command, so code that
    walks the tree (help, tests) sees the real ``click.Command`` objects.
    """

    def __init__(self, lazy: dict[str, str]):
        self._lazy = dict(lazy)
        self._loaded: dict[str, click.Command] = {}

    def __getitem__(self, name: str) -> click.Command:
        if name not in self._loaded:
            module, _, attribute = self._lazy[name].partition(":")
            command = getattr(importlib.import_module(module), attribute)
            if command.name != name:
                raise RuntimeError(f"{self._lazy[name]} is the command {command.name!r}, not {name!r}")
            self._loaded[name] = command
        return self._loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._lazy.pop(name, None)
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        if name not in self:
            raise KeyError(name)
        self._lazy.pop(name, None)
        self._loaded.pop(name, None)

    def __contains__(self, name: object) -> bool:
        return name in self._lazy or name in self._loaded

    def __iter__(self) -> Iterator[str]:
        return iter({**dict.fromkeys(self._lazy), **dict.fromkeys(self._loaded)})

    def __len__(self) -> int:
        return len(self._lazy.keys() | self._loaded.keys())


class OutreachGroup(click.Group):
    """Turns our errors into one line and an exit code, Ctrl-C into exit 130; loads sub-commands lazily."""

    def __init__(self, *args, lazy_commands: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.commands = LazyCommands(lazy_commands or {})

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            raise _Interrupted() from None

    def main(self, *args, **kwargs):
        kwargs["standalone_mode"] = False
        try:
            rv = super().main(*args, **kwargs)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.exceptions.Abort:
            say("interrupted")
            sys.exit(EXIT_INTERRUPTED)
        except (KeyboardInterrupt, _Interrupted):
            say(("\n" if sys.stderr.isatty() else "") + "interrupted")  # after the terminal's "^C"
            sys.exit(EXIT_INTERRUPTED)
        except OutreachError as exc:
            say(f"error: {exc}")
            sys.exit(exc.exit_code)
        sys.exit(rv or 0)


#: Distributions of the machine-translation stack that ``--version`` reports (never imported).
ENGINE_PACKAGES = ("ctranslate2", "sentencepiece", "argostranslate")


def version_text() -> str:
    """``outreach X`` and the version of each MT package installed, read from its metadata only
    (importing them would load the MT stack just to print a number)."""
    from importlib import metadata

    lines = [f"outreach {__version__}"]
    found: dict[str, str | None] = {}
    for name in ENGINE_PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
        lines.append(f"  {name} {found[name]}" if found[name] else f"  {name}: not installed")
    if found["ctranslate2"] and found["sentencepiece"]:
        lines.append("engines: auto/argos (Argos models through CTranslate2), libretranslate, none")
    else:
        lines.append("engines: libretranslate, none (light install: 'auto' writes catalogues without drafts)")
    return "\n".join(lines)


def _print_version(ctx: click.Context, _param, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(version_text())
        ctx.exit()


@click.group(name="outreach", cls=OutreachGroup, lazy_commands=COMMANDS,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_print_version,
              help="Show the version of outreach and of the translation engines, and exit.")
@click.option("-C", "--directory", "workspace", type=click.Path(file_okay=False, path_type=Path),
              help="Workspace folder (like git -C): also accepted after the sub-command.")
@click.pass_context
def cli(ctx: click.Context, workspace: Path | None):
    """Translate announcements offline and review them as gettext catalogues.

    \b
    outreach run       source_texts/ → locales/ (catalogues with machine drafts)
    outreach detect    which language is each document and paragraph
    outreach status    how far review has come, per document and language
    outreach check     the CI gate: exit 1 until everything is reviewed
    outreach report    an HTML page for reviewers: every entry's state
    outreach review    review in the browser (a local web app)
    outreach badge     SVG completeness badges per language
    outreach build     reviewed catalogues → build/<lang>/ texts
    outreach models    list, install (pair or .argosmodel file), remove models
    outreach memory    translation memory: export/import TMX
    """
    ctx.meta[WORKSPACE_KEY] = workspace


def main() -> None:
    cli(prog_name="outreach")

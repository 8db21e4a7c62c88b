"""The ``outreach`` command: parse options → call a stage → render the result.

Data goes to stdout (``--json`` for machines), progress and messages to
stderr. Exit codes: 0 success, 1 check failed, 2 bad usage or input,
130 interrupted.
"""

from __future__ import annotations

import sys

import click

from pipeline import __version__
from pipeline.cli.options import say
from pipeline.errors import OutreachError

EXIT_INTERRUPTED = 130


class _Interrupted(Exception):
    """Ctrl-C, carried past click (which would print an empty line of its own)."""


class OutreachGroup(click.Group):
    """Turns our errors into one line and an exit code, Ctrl-C into exit 130."""

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


@click.group(name="outreach", cls=OutreachGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="outreach")
def cli():
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


from pipeline.cli import build as _build  # noqa: E402
from pipeline.cli import memory as _memory  # noqa: E402
from pipeline.cli import models as _models  # noqa: E402
from pipeline.cli import report as _report  # noqa: E402
from pipeline.cli import review as _review  # noqa: E402
from pipeline.cli import run as _run  # noqa: E402
from pipeline.cli import status as _status  # noqa: E402

for _command in (_run.run, _run.detect, _status.status, _status.check, _report.report, _report.badge,
                 _review.review, _build.build, _models.models, _memory.memory):
    cli.add_command(_command)


def main() -> None:
    cli(prog_name="outreach")

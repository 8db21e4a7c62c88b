"""``outreach build``: reviewed catalogues → translated documents under ``build/<lang>/``."""

from __future__ import annotations

import sys

import click

from pipeline.cli.options import EXIT_CHECK_FAILED, StageProgress, lock_options, say, shown, workspace_options
from pipeline.config import Settings


@click.command()
@workspace_options
@lock_options
@click.option("--strict", is_flag=True, help="Fail (exit 1, nothing written) when a segment is not reviewed.")
@click.option("-q", "--quiet", is_flag=True,
              help="Errors only, and one line counting the segments that fell back to the source.")
def build(settings: Settings, strict, quiet):
    """Rebuild translated texts from reviewed catalogues into build/<lang>/."""
    from pipeline.review import build as building

    progress = StageProgress(quiet=quiet)
    try:
        result = building.build(settings, progress=progress)
    finally:
        progress.finish()
    for f in result.findings:
        if strict or not quiet:  # -q keeps errors only: the fallbacks are counted in the last line
            say(f"{f.path}:{f.line}: {'error' if strict else 'warning'}: {f.code}: {f.message}")
    if strict and result.findings:
        say(f"build failed: {len(result.findings)} segments not reviewed; nothing written")
        sys.exit(EXIT_CHECK_FAILED)
    building.write(result)
    for built in result.texts:
        click.echo(shown(settings, built.path))
    fallbacks = sum(b.fallbacks for b in result.texts)
    if quiet and fallbacks:
        say(f"{fallbacks} segments fell back to the source (not reviewed); run without -q to list them")
    elif not quiet:
        say(f"built {len(result.texts)} texts" + (f"; {fallbacks} segments fell back to the source" if fallbacks else ""))

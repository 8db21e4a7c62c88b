"""``outreach report`` (HTML page for reviewers) and ``outreach badge`` (SVG per language).

Both read catalogues only: like ``status`` and ``check`` they never import the
machine-translation stack, so they run in a CI job with the light install.
"""

from __future__ import annotations

from pathlib import Path

import click

from pipeline.cli.options import shown, say, workspace_options
from pipeline.config import Settings


@click.command()
@workspace_options
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the page (default: build/report.html).")
@click.option("--qa/--no-qa", "with_qa", default=True, show_default=True,
              help="Run the quality checks and show their findings on the entries.")
def report(settings: Settings, output, with_qa):
    """Write an HTML page (one file, works offline) showing every entry's review state."""
    from pipeline.review import status as checks
    from pipeline.review import report as reporting

    status = checks.collect(settings, qa=with_qa)
    page = reporting.collect_report(settings, status.qa, status=status)
    path = output if output is not None else settings.build_dir / "report.html"
    reporting.write_report(path, page)
    click.echo(shown(settings, path.resolve()))
    entries = sum(len(d.rows) for d in page.documents)
    say(f"report: {len(page.documents)} documents, {entries} entries")


@click.command()
@workspace_options
@click.option("-o", "--output", "directory", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the badges (default: build/badges/).")
def badge(settings: Settings, directory):
    """Write an SVG completeness badge per target language (build/badges/<lang>.svg)."""
    from pipeline.review import badge as badges
    from pipeline.review import status as checks

    status = checks.collect(settings)
    folder = directory if directory is not None else settings.build_dir / "badges"
    for _lang, path in badges.write_badges(folder, status, settings.target_languages):
        click.echo(shown(settings, path.resolve()))

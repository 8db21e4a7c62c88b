"""``outreach memory``: move reviewed translations out (TMX) and in (TMX or .po)."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import click

from pipeline.cli.options import emit_json, json_option, lock_options, say, workspace_options
from pipeline.config import Settings


@click.group()
def memory():
    """Translation memory: export reviewed translations as TMX, import TMX or .po."""


@memory.command("export")
@workspace_options
@click.option("--tmx", "tmx_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="TMX 1.4b file to write ('-' for stdout).")
@json_option
def export(settings: Settings, tmx_path: Path, as_json):
    """Write every reviewed translation (all catalogues + imported memory) as TMX 1.4b."""
    from pipeline.catalogs import memory as tm
    from pipeline.catalogs import pofile
    from pipeline.catalogs import tmx
    from pipeline.fsutil import write_atomic

    units = tm.export_units(settings)
    data = tmx.format_tmx(units, settings.source_language, creation_date=_tmx_date(pofile.timestamp()))
    if str(tmx_path) == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        write_atomic(tmx_path, data)
    per_lang = Counter(u.lang for u in units)
    if as_json and str(tmx_path) != "-":
        emit_json({"path": str(tmx_path), "units": len(units), "languages": dict(sorted(per_lang.items()))})
    langs = ", ".join(f"{lang}: {n}" for lang, n in sorted(per_lang.items())) or "nothing reviewed yet"
    say(f"exported {len(units)} translation units ({langs}) to {'stdout' if str(tmx_path) == '-' else tmx_path}")


def _tmx_date(stamp: str) -> str:
    """pofile's "YYYY-MM-DD HH:MM+0000" → TMX's "YYYYMMDDTHHMMSSZ"."""
    return stamp[:10].replace("-", "") + "T" + stamp[11:13] + stamp[14:16] + "00Z"


@memory.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@workspace_options
@lock_options
@json_option
def import_(settings: Settings, files, as_json):
    """Add translations from TMX files (Weblate, OmegaT, CAT tools) or reviewed .po files to locales/memory.tmx.

    Holds the workspace lock, like run and build: two imports, or an import and a build, at once
    would lose units or each other's temporary file."""
    from pipeline.catalogs import memory as tm

    report = tm.import_files(settings, files)
    where = settings.display_path(report.path)
    if as_json:
        emit_json({"path": where, "read": report.read, "added": report.added, "total": report.total,
                   "written": report.written, "notes": list(report.notes)})
    for note in report.notes:
        say(f"note: {note}")
    say(f"read {report.read} translation units, {report.added} new or changed; "
        f"{where} holds {report.total} (commit it to share the memory)")

"""``outreach models``: list, install (from the Argos index or a file) and remove models."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from pipeline.cli.options import emit_json, json_option, say, table, workspace_options
from pipeline.config import Settings
from pipeline.errors import ModelError

models_dir_option = click.option(
    "--models-dir", type=click.Path(file_okay=False, path_type=Path),
    help="Models folder (default: $ARGOS_PACKAGES_DIR or Argos's own, shared with argospm).")


def _directory(settings: Settings, override: Path | None) -> Path:
    from pipeline.translate import models

    return models.models_dir(override or (settings.resolve(settings.models_dir) if settings.models_dir else None))


@click.group()
def models():
    """Translation models: list, install (internet or .argosmodel file), remove."""


@models.command("list")
@workspace_options
@models_dir_option
@json_option
def list_(settings: Settings, models_dir, as_json):
    """Installed models and the language routes they make possible."""
    from pipeline.translate import models as m

    directory = _directory(settings, models_dir)
    installed, warnings = m.scan_models(directory)
    routes = m.routes(installed, settings.pivot_language)
    for warning in warnings:
        say(f"warning: {warning}")
    if as_json:
        emit_json({
            "directory": str(directory),
            "models": [{"pair": x.pair, "version": x.version, "name": x.name, "path": str(x.path)} for x in installed],
            "routes": ["-".join(r) for r in routes],
        })
        return
    if not installed:
        say(f"no models installed in {directory}; install them with 'outreach models install pl-en en-uk' "
            "or 'outreach models install FILE.argosmodel'")
        return
    click.echo(table([[x.pair, x.version, x.name, str(x.path)] for x in installed], ["PAIR", "VERSION", "NAME", "PATH"]))
    click.echo("")
    click.echo("routes: " + ", ".join("→".join(r) for r in routes))


@models.command()
@click.argument("items", nargs=-1, required=True, metavar="PAIR|FILE...")
@workspace_options
@models_dir_option
@click.option("--if-missing", is_flag=True, help="Skip pairs that are already installed.")
@click.option("--timeout", type=float, default=10.0, show_default=True, help="Network timeout in seconds.")
def install(settings: Settings, items, models_dir, if_missing, timeout):
    """Install models: pairs like pl-en en-uk from the Argos index, or .argosmodel files.

    \b
    outreach models install pl-en en-uk            # needs internet
    outreach models install /media/usb/translate-pl_en-1_9.argosmodel
    """
    from pipeline.translate import models as m

    directory = _directory(settings, models_dir)
    files = [Path(i) for i in items if i.endswith(".argosmodel") or Path(i).is_file()]
    pairs = [i for i in items if not (i.endswith(".argosmodel") or Path(i).is_file())]
    for path in files:
        if not path.is_file():
            raise ModelError("file not found", path=path)
    installed_pairs = {x.pair for x in m.list_models(directory)}
    if if_missing:
        pairs = [p for p in pairs if "-".join(m.parse_pair(p)) not in installed_pairs]
        if not pairs and not files:
            say("all requested models are already installed")
            return
    for path in files:
        model = m.install_archive(path, directory)
        say(f"installed {model.pair} {model.version} from {path} into {model.path}")
    if pairs:
        for model in _download(m, pairs, directory, timeout):
            say(f"installed {model.pair} {model.version} into {model.path}")


def _download(m, pairs, directory, timeout):
    """Install from the index with a progress bar on stderr, shown once bytes flow."""
    bars: list[Any] = []

    def progress(done: int, total: int) -> None:
        if not bars or (total and bars[-1].length != total):
            if bars:
                bars[-1].render_finish()
            bars.append(click.progressbar(length=max(total, 1), label="downloading",
                                          file=click.get_text_stream("stderr"), show_eta=False))  # type: ignore[operator]
        bar = bars[-1]
        bar.update(min(done, bar.length) - bar.pos)

    try:
        return m.install_from_index(pairs, directory, progress=progress, timeout=timeout)
    finally:
        if bars:
            bars[-1].render_finish()


@models.command()
@click.argument("pair")
@workspace_options
@models_dir_option
def remove(settings: Settings, pair, models_dir):
    """Remove the installed model(s) for PAIR, e.g. pl-en."""
    from pipeline.translate import models as m

    for model in m.remove_model(pair, _directory(settings, models_dir)):
        say(f"removed {model.pair} {model.version} ({model.path})")

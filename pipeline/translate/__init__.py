"""Machine translation: the engines, and the one place that builds them.

This package is the only part of outreach that imports the MT stack
(CTranslate2, SentencePiece, argostranslate) or talks HTTP to a translation
server; the rest of the pipeline sees :class:`~pipeline.translate.engines.Engine`
objects only. :func:`create_engine` wires every engine the same way: the
translation cache under ``.outreach/``, the glossary's do-not-translate names
(protected like URLs), and the inference settings.

Engines: ``auto`` (Argos models when installed, otherwise none), ``argos``,
``libretranslate`` and ``none``. Tests register their own deterministic
engine with :func:`register_engine`; it never appears in the product.
"""

from __future__ import annotations

from typing import Callable

from pipeline.config import ENGINES, Settings
from pipeline.errors import ConfigError, ModelError
from pipeline.translate.engines import Engine, NoneEngine

#: ``factory(settings)`` → an engine, for engines registered from outside (tests).
Factory = Callable[[Settings], Engine]

_REGISTERED: dict[str, Factory] = {}


def register_engine(name: str, factory: Factory) -> None:
    """Make ``name`` a valid ``--engine`` for this process (tests register a fake one)."""
    _REGISTERED[name] = factory


def engine_names() -> tuple[str, ...]:
    """Every engine ``create_engine`` accepts: the product's, then any registered ones."""
    return ENGINES + tuple(name for name in _REGISTERED if name not in ENGINES)


def create_engine(settings: Settings, name: str | None = None) -> Engine:
    """The engine called ``name`` (default: ``settings.engine``), wired with cache and glossary."""
    name = name or settings.engine
    if name in _REGISTERED:
        return _REGISTERED[name](settings)
    if name not in ENGINES:
        raise ConfigError(f"unknown engine {name!r}; expected one of {', '.join(ENGINES)}")
    if name == "none":
        return NoneEngine()
    if name == "libretranslate":
        from pipeline.translate import libretranslate  # a shared server; stdlib HTTP only

        return libretranslate.open_engine(settings, **wiring(settings))
    try:
        from pipeline.translate import argos  # only now: keeps the MT stack out of other commands
    except ImportError as exc:
        if name == "auto":
            return NoneEngine()
        raise ModelError(f"the argos engine needs the translation stack: {exc}") from exc
    return argos.open_engine(settings, required=(name == "argos"), **wiring(settings))


def wiring(settings: Settings) -> dict:
    """What every model engine gets: the run cache and the names it must keep verbatim."""
    from pipeline.catalogs.glossary import load as load_glossary
    from pipeline.translate.mtcache import TranslationCache

    return {"cache": TranslationCache.in_folder(settings.cache_dir),
            "extra_terms": tuple(load_glossary(settings).names())}

"""Settings: ``[tool.outreach]`` in ``pyproject.toml`` (or ``outreach.toml``), then flags.

Every setting has a default, so an empty workspace with a ``source_texts/``
folder works out of the box. Paths are relative to the workspace (the folder
holding the settings file, normally the current directory).
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.errors import ConfigError

#: A language code as the settings, the glossary and the catalogues write it: "pl", "uk", "pt_BR".
LANGUAGE = r"[a-z]{2,3}(?:_[A-Z]{2})?"
LANG_CODE = re.compile(LANGUAGE)                 # use with fullmatch
#: What Argos model metadata may say: also "zh-Hant" style tags (the engine maps them to pairs).
MODEL_LANG_CODE = re.compile(r"[a-z]{2,3}(?:[_-][A-Za-z]{2,4})?")


@dataclass(frozen=True)
class Settings:
    workspace: Path = Path(".")
    project: str = "outreach"
    source_language: str = "pl"
    target_languages: tuple[str, ...] = ("en", "uk")
    detect_languages: tuple[str, ...] = ("pl", "en", "uk", "ru", "de")
    sources: Path = Path("source_texts")
    locales: Path = Path("locales")
    build: Path = Path("build")
    engine: str = "auto"
    pivot_language: str = "en"
    beam_size: int = 2
    batch_tokens: int = 2048
    batch_examples: int = 32         # at most this many sentences per batch (0: batch_tokens only)
    threads: int = 0                 # CTranslate2 intra_threads (0: chosen from the cores)
    inter_threads: int = 0           # batches run in parallel (0: chosen from the cores)
    max_length_ratio: float = 1.5    # decoding stops at ratio × longest source + 10 tokens
    device: str = "cpu"
    models_dir: Path | None = None
    libretranslate_url: str | None = None
    libretranslate_timeout: int = 60
    libretranslate_batch_size: int = 32
    libretranslate_parallel: int = 4
    glossary: Path | None = Path("glossary.csv")
    settings_file: Path | None = field(default=None, compare=False)

    def resolve(self, path: Path) -> Path:
        """A configured path made absolute against the workspace."""
        return path if path.is_absolute() else self.workspace / path

    @property
    def sources_dir(self) -> Path:
        return self.resolve(self.sources)

    @property
    def locales_dir(self) -> Path:
        return self.resolve(self.locales)

    @property
    def build_dir(self) -> Path:
        return self.resolve(self.build)

    @property
    def glossary_file(self) -> Path | None:
        return self.resolve(self.glossary) if self.glossary is not None else None

    @property
    def cache_dir(self) -> Path:
        return self.workspace / ".outreach"

    @property
    def memory_file(self) -> Path:
        """``locales/memory.tmx``: the imported translation memory (committed with the catalogues)."""
        return self.locales_dir / "memory.tmx"

    # ---- where each document's catalogues live (the one copy of the layout)

    def template_path(self, doc_id: str) -> Path:
        """``locales/<doc_id>.pot``: the template of one document."""
        return self.locales_dir / f"{doc_id}.pot"

    def catalog_dir(self, lang: str) -> Path:
        """``locales/<lang>/LC_MESSAGES``: where the catalogues of one language live."""
        return self.locales_dir / lang / "LC_MESSAGES"

    def catalog_path(self, doc_id: str, lang: str) -> Path:
        """``locales/<lang>/LC_MESSAGES/<doc_id>.po``: one document's catalogue for one language."""
        return self.catalog_dir(lang) / f"{doc_id}.po"

    def catalog_files(self) -> list[tuple[str, str, Path]]:
        """``(doc_id, lang, path)`` of every catalogue of the target languages on disk, sorted."""
        found = []
        for lang in self.target_languages:
            base = self.catalog_dir(lang)
            if base.is_dir():
                found += [(p.relative_to(base).with_suffix("").as_posix(), lang, p) for p in base.rglob("*.po")]
        return sorted(found)

    def display_path(self, path: Path) -> str:
        """A path as the user knows it: relative to the workspace when inside it."""
        try:
            return Path(path).relative_to(self.workspace).as_posix()
        except ValueError:
            return str(path)


_KEYS = {
    "project": str,
    "source_language": str,
    "target_languages": list,
    "detect_languages": list,
    "sources": str,
    "locales": str,
    "build": str,
    "engine": str,
    "pivot_language": str,
    "beam_size": int,
    "batch_tokens": int,
    "batch_examples": int,
    "threads": int,
    "inter_threads": int,
    "max_length_ratio": (int, float),
    "device": str,
    "models_dir": str,
    "libretranslate_url": str,
    "libretranslate_timeout": int,
    "libretranslate_batch_size": int,
    "libretranslate_parallel": int,
    "glossary": str,
}
_PATH_KEYS = {"sources", "locales", "build", "models_dir", "glossary"}
ENGINES = ("auto", "argos", "libretranslate", "none")
DEVICES = ("cpu", "cuda", "auto")


def find_settings_file(workspace: Path) -> tuple[Path | None, dict[str, Any]]:
    """The settings table and the file it came from (``None`` when there is none)."""
    for name in ("outreach.toml", "pyproject.toml"):
        path = workspace / name
        if not path.is_file():
            continue
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"invalid TOML: {exc}", path=path) from exc
        except OSError as exc:
            raise ConfigError(f"cannot read: {exc.strerror}", path=path) from exc
        tool = data.get("tool", {})
        if not isinstance(tool, dict):
            raise ConfigError(f"[tool] must be a table, not {tool!r}", path=path)
        table = tool.get("outreach")
        if table is None and name == "outreach.toml":
            table = data.get("outreach", {k: v for k, v in data.items() if k in _KEYS})
        if table is not None:
            if not isinstance(table, dict):
                raise ConfigError(f"[tool.outreach] must be a table, not {table!r}", path=path)
            return path, table
    return None, {}


def load_settings(workspace: Path | None = None, **overrides: Any) -> Settings:
    """Defaults ← settings file ← overrides (``None`` values are ignored)."""
    workspace = Path(workspace or Path.cwd()).resolve()
    path, table = find_settings_file(workspace)
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in _KEYS:
            raise ConfigError(f"unknown setting '{key}' in [tool.outreach]; known: {', '.join(sorted(_KEYS))}", path=path)
        expected: Any = _KEYS[key]
        if not isinstance(value, expected) or (expected in (int, (int, float)) and isinstance(value, bool)):
            kind = "number" if isinstance(expected, tuple) else expected.__name__
            raise ConfigError(f"setting '{key}' must be a {kind}, not {value!r}", path=path)
        values[key] = value
    values.update({k: v for k, v in overrides.items() if v is not None})
    return _validated(workspace, path, values)


def _validated(workspace: Path, path: Path | None, values: dict[str, Any]) -> Settings:
    where = path or "settings"

    def langs(key: str) -> tuple[str, ...]:
        raw = values[key]
        items = raw.split(",") if isinstance(raw, str) else list(raw)
        for code in items:
            if not isinstance(code, str):
                raise ConfigError(f"{key}: {code!r} is not a language code like 'en' or 'uk'", path=where)
        items = [x.strip() for x in items if x.strip()]
        for code in items:
            if not LANG_CODE.fullmatch(code):
                raise ConfigError(f"{key}: '{code}' is not a language code like 'en' or 'uk'", path=where)
        if not items:
            raise ConfigError(f"{key}: no language given", path=where)
        return tuple(dict.fromkeys(items))

    kwargs: dict[str, Any] = {"workspace": workspace, "settings_file": path}
    for key, value in values.items():
        if key in ("target_languages", "detect_languages"):
            kwargs[key] = langs(key)
        elif key in _PATH_KEYS:
            if key in ("sources", "locales", "build") and not str(value).strip():
                raise ConfigError(f"{key}: an empty path; name a folder (or leave the setting out)", path=where)
            if "\x00" in str(value):
                raise ConfigError(f"{key}: a path with a NUL character", path=where)
            kwargs[key] = Path(value) if value else None
        else:
            kwargs[key] = value
    settings = Settings(**kwargs)
    if not LANG_CODE.fullmatch(settings.source_language):
        raise ConfigError(f"source_language: '{settings.source_language}' is not a language code", path=where)
    if settings.source_language in settings.target_languages:
        raise ConfigError(f"the source language '{settings.source_language}' is also a target language", path=where)
    if settings.engine not in ENGINES:
        raise ConfigError(f"engine: '{settings.engine}' is not one of {', '.join(ENGINES)}", path=where)
    if settings.device not in DEVICES:
        raise ConfigError(f"device: '{settings.device}' is not one of {', '.join(DEVICES)}", path=where)
    if min(settings.libretranslate_timeout, settings.libretranslate_batch_size, settings.libretranslate_parallel) < 1:
        raise ConfigError("libretranslate_timeout, libretranslate_batch_size and libretranslate_parallel must be ≥ 1",
                          path=where)
    if settings.beam_size < 1 or settings.threads < 0 or settings.batch_tokens < 64:
        raise ConfigError("beam_size must be ≥ 1, threads ≥ 0 and batch_tokens ≥ 64", path=where)
    if settings.inter_threads < 0 or settings.batch_examples < 0 or not 1.0 <= settings.max_length_ratio <= 10:
        raise ConfigError("inter_threads and batch_examples must be ≥ 0, max_length_ratio between 1 and 10", path=where)
    detect = settings.detect_languages
    missing = [c for c in (settings.source_language, *settings.target_languages) if c not in detect]
    if missing:
        settings = dataclasses.replace(settings, detect_languages=detect + tuple(missing))
    return settings

"""Translation models: find, validate, install, remove and download Argos packages.

An Argos Translate package (``.argosmodel``) is a zip archive holding ONE
top-level folder with ``metadata.json``, a CTranslate2 model in ``model/`` and
a ``sentencepiece.model`` (or ``bpe.model``). Installed packages are those
folders, unpacked side by side in the models directory — the same directory
``argospm`` uses, so models are shared with Argos Translate.

We read an installed package's ``metadata.json`` the way Argos does (the same
keys and defaults) but never call Argos's installer or scanner:
``install_from_path`` extracts archives unchecked (zip slip, zip bombs) and
imports ``argostranslate.translate`` (torch), and ``get_installed_packages``
crashes on a stray folder. Archives are validated here, extracted member by
member into a temporary folder inside the models directory, and renamed into
place only when complete.

Listing models imports nothing but ``json``: a no-change re-run keys on the
installed models' versions (:mod:`pipeline.runstate`) and must not pay for
Argos (which loads SentencePiece), ``zipfile`` or ``urllib.request``; those are
imported by the functions that install or download.
"""

from __future__ import annotations

import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

from pipeline.config import MODEL_LANG_CODE as LANG_CODE
from pipeline.errors import ModelError
from pipeline.translate.engines import metadata_token

if TYPE_CHECKING:
    import zipfile

_DRIVE = re.compile(r"^[A-Za-z]:")
_CHUNK = 1 << 20
# Members smaller than this are never treated as zip bombs, whatever their ratio.
_RATIO_MIN_SIZE = 64 * 1024
_MAX_INDEX_BYTES = 50_000_000
#: A real Argos package has about ten members; an archive of many thousands is refused.
MAX_MEMBERS = 10_000
_OFFLINE_HINT = "no internet connection? Copy .argosmodel files and use 'outreach models install FILE'"


@dataclass(frozen=True)
class InstalledModel:
    from_code: str
    to_code: str
    version: str
    name: str
    path: Path

    @property
    def pair(self) -> str:
        return f"{self.from_code}-{self.to_code}"


@dataclass(frozen=True)
class ArchiveInfo:
    top: str
    metadata: dict[str, Any] = field(hash=False)
    from_code: str
    to_code: str
    version: str
    uncompressed: int


# --------------------------------------------------------------------------- where


def models_dir(override: Path | None = None) -> Path:
    """``override`` (``--models-dir`` / settings), else ``$ARGOS_PACKAGES_DIR``, else Argos's default.

    Argos reads its settings when first imported, so the override and the
    environment variable are resolved here, at call time; Argos is only asked
    (lazily) for its own default, which also honours its ``settings.json``.
    """
    if override is not None:
        return Path(override).expanduser()
    env = os.environ.get("ARGOS_PACKAGES_DIR")
    if env:
        return Path(env).expanduser()
    try:
        from argostranslate import settings
    except Exception as exc:  # pragma: no cover - argostranslate is an optional dependency
        raise ModelError(
            f"cannot find the Argos models folder ({exc}); install argostranslate or use --models-dir"
        ) from exc
    return Path(settings.package_data_dir)


# --------------------------------------------------------------------------- listing


def scan_models(directory: Path) -> tuple[list[InstalledModel], list[str]]:
    """Installed translation models in ``directory`` and warnings about folders that are not models.

    Hidden folders (our temporary ones) are ignored; a missing directory has no models.
    """
    directory = Path(directory)
    models: list[InstalledModel] = []
    warnings: list[str] = []
    try:
        children = sorted(directory.iterdir())
    except FileNotFoundError:
        return [], []
    except OSError as exc:
        raise ModelError(f"cannot read the models folder: {exc.strerror or exc}", path=directory) from exc
    for child in children:
        if child.name.startswith(".") or not child.is_dir():
            continue
        if not (child / "metadata.json").is_file():
            warnings.append(f"{child}: no metadata.json, not an Argos package (skipped)")
            continue
        try:
            model = _read_installed(child)
        except ModelError as exc:
            warnings.append(f"{child}: {exc.message} (skipped)")
            continue
        if model is not None:
            models.append(model)
    models.sort(key=lambda m: (m.from_code, m.to_code, m.path.name))
    return models, warnings


def list_models(directory: Path) -> list[InstalledModel]:
    """Installed translation models in ``directory`` (broken folders are skipped)."""
    return scan_models(directory)[0]


def _read_installed(folder: Path) -> InstalledModel | None:
    """The model in ``folder``; ``None`` for a valid non-translation package (e.g. Argos ``sbd``).

    Read as ``argostranslate.package.Package`` reads it: ``type`` defaults to ``"translate"``,
    ``from_code``/``to_code`` are required for a translation package.
    """
    try:
        raw = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ModelError(f"unreadable metadata.json ({exc})", path=folder) from exc
    if not isinstance(raw, dict):
        raise ModelError("metadata.json is not a JSON object", path=folder)
    if raw.get("type", "translate") != "translate":
        return None
    for key in ("from_code", "to_code"):
        code = raw.get(key)
        if not isinstance(code, str) or not LANG_CODE.fullmatch(code):
            raise ModelError(f"metadata.json: {key} missing or not a language code", path=folder)
    from_code, to_code = raw["from_code"], raw["to_code"]
    if not (folder / "model" / "model.bin").is_file():
        raise ModelError("incomplete package: no model/model.bin", path=folder)
    version = raw.get("package_version", "")
    if version not in ("", None) and metadata_token(version) is None:
        raise ModelError(f"metadata.json: package_version is not a version like '1.9' (got {version!r})",
                         path=folder)
    name = raw.get("name")
    if not isinstance(name, str) or not name or not name.isprintable():
        name = f"translate-{from_code}_{to_code}"
    return InstalledModel(
        from_code=from_code,
        to_code=to_code,
        version=metadata_token(version) or "",
        name=name,
        path=folder,
    )


def routes(models: Sequence[InstalledModel], pivot: str = "en") -> list[tuple[str, ...]]:
    """Translation routes: every installed pair, then ``a → pivot → b`` where no direct pair exists."""
    direct: list[tuple[str, str]] = list(dict.fromkeys((m.from_code, m.to_code) for m in models))
    result: list[tuple[str, ...]] = list(direct)
    have = set(direct)
    into = [a for a, b in direct if b == pivot and a != pivot]
    out_of = [b for a, b in direct if a == pivot and b != pivot]
    pivoted = sorted({(a, pivot, b) for a in into for b in out_of if a != b and (a, b) not in have})
    result.extend(pivoted)
    return result


def parse_pair(pair: str) -> tuple[str, str]:
    """``"pl-en"`` (or ``pl_en``, ``pl→en``) → ``("pl", "en")``."""
    parts = re.split(r"\s*(?:->|→|-|_|:)\s*", pair.strip(), maxsplit=1)
    if len(parts) != 2 or not all(LANG_CODE.fullmatch(p) for p in parts):
        raise ModelError(f"'{pair}' is not a language pair like 'pl-en'")
    return parts[0], parts[1]


# --------------------------------------------------------------------------- archives


def validate_archive(
    path: Path,
    *,
    max_total: int = 2_000_000_000,
    max_ratio: int = 200,
    max_metadata: int = 1_000_000,
) -> ArchiveInfo:
    """Check an ``.argosmodel`` without extracting it; :class:`ModelError` says what is wrong."""
    import zipfile

    path = Path(path)
    if not path.is_file():
        raise ModelError("no such file", path=path)
    try:
        with zipfile.ZipFile(path) as zf:
            return _validate_zip(zf, path, max_total, max_ratio, max_metadata)
    except zipfile.BadZipFile as exc:
        raise ModelError(f"not a valid .argosmodel: {_zip_problem(path, exc)}", path=path) from exc
    except zipfile.LargeZipFile as exc:
        raise ModelError(f"not a valid .argosmodel: {exc}", path=path) from exc
    except (OSError, EOFError) as exc:
        raise ModelError(f"cannot read the archive: {getattr(exc, 'strerror', None) or exc}", path=path) from exc


def _zip_problem(path: Path, exc: Exception) -> str:
    try:
        with open(path, "rb") as handle:
            head = handle.read(4)
    except OSError:
        head = b""
    if head.startswith(b"PK"):
        return f"truncated or corrupt zip archive ({exc})"
    return "not a zip archive"


def _validate_zip(zf: zipfile.ZipFile, path: Path, max_total: int, max_ratio: int, max_metadata: int) -> ArchiveInfo:
    infos = zf.infolist()
    if not infos:
        raise ModelError("not a valid .argosmodel: empty archive", path=path)
    if len(infos) > MAX_MEMBERS:
        raise ModelError(f"the archive has {len(infos):,} members (at most {MAX_MEMBERS:,}); refused", path=path)
    tops: set[str] = set()
    seen: set[str] = set()
    total = 0
    for info in infos:
        name = info.filename
        _check_member_name(name, path)
        parts = [p for p in name.split("/") if p]
        key = "/".join(parts)
        if key in seen and not info.is_dir():
            raise ModelError(f"duplicate member '{name}' in the archive", path=path)
        seen.add(key)
        tops.add(parts[0])
        if len(parts) == 1 and not info.is_dir():
            raise ModelError(
                f"the archive must hold exactly one top-level folder, found the file '{name}' at the top",
                path=path,
            )
        mode = (info.external_attr >> 16) & 0xFFFF
        kind = stat.S_IFMT(mode)
        if kind == stat.S_IFLNK:
            raise ModelError(f"symbolic link '{name}' in the archive refused", path=path)
        if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
            raise ModelError(f"special file '{name}' in the archive refused", path=path)
        if info.flag_bits & 0x1:
            raise ModelError(f"encrypted member '{name}' in the archive", path=path)
        total += info.file_size
        if total > max_total:
            raise ModelError(
                f"archive too large when unpacked (more than {max_total:,} bytes); zip bomb?", path=path
            )
        if info.file_size >= _RATIO_MIN_SIZE and info.file_size > max_ratio * max(info.compress_size, 1):
            raise ModelError(
                f"member '{name}' has a suspicious compression ratio "
                f"({info.file_size:,} bytes from {info.compress_size:,}); zip bomb?",
                path=path,
            )
    if len(tops) != 1:
        raise ModelError(
            f"the archive must hold exactly one top-level folder, found {len(tops)}: {', '.join(sorted(tops))}",
            path=path,
        )
    top = tops.pop()
    if top.startswith("."):
        raise ModelError(f"the top-level folder '{top}' must not be hidden", path=path)

    meta_name = f"{top}/metadata.json"
    try:
        meta_info = zf.getinfo(meta_name)
    except KeyError:
        raise ModelError(f"no metadata.json in '{top}/': not an Argos package", path=path) from None
    if meta_info.file_size > max_metadata:
        raise ModelError(f"metadata.json is too large ({meta_info.file_size:,} bytes)", path=path)
    with zf.open(meta_info) as handle:
        raw = handle.read(max_metadata + 1)
    if len(raw) > max_metadata:
        raise ModelError("metadata.json is too large", path=path)
    try:
        metadata = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ModelError(f"invalid JSON in metadata.json: {exc}", path=path) from exc
    if not isinstance(metadata, dict):
        raise ModelError("metadata.json is not a JSON object", path=path)
    codes = {}
    for key in ("from_code", "to_code"):
        code = metadata.get(key)
        if not isinstance(code, str) or not LANG_CODE.fullmatch(code):
            raise ModelError(
                f"metadata.json: {key} missing or not a language code like 'pl' (got {code!r})", path=path
            )
        codes[key] = code
    kind = metadata.get("type", "translate")
    if kind != "translate":
        raise ModelError(f"package type {kind!r} is not a translation model", path=path)
    version = metadata.get("package_version", "")
    if not isinstance(version, (str, int, float)) or isinstance(version, bool):
        raise ModelError(f"metadata.json: package_version must be a string (got {version!r})", path=path)
    if version != "" and metadata_token(version) is None:
        raise ModelError(f"metadata.json: package_version is not a version like '1.9' (got {version!r})",
                         path=path)

    names = set(zf.namelist())
    if f"{top}/model/model.bin" not in names:
        raise ModelError(f"no model/model.bin in '{top}/': not a CTranslate2 model package", path=path)
    if f"{top}/sentencepiece.model" not in names and f"{top}/bpe.model" not in names:
        raise ModelError(f"no sentencepiece.model or bpe.model in '{top}/': no tokenizer", path=path)
    return ArchiveInfo(
        top=top,
        metadata=metadata,
        from_code=codes["from_code"],
        to_code=codes["to_code"],
        version=str(version),
        uncompressed=total,
    )


def _check_member_name(name: str, path: Path) -> None:
    if not name or not name.isprintable():
        raise ModelError(f"member with an empty or unprintable name {name!r} in the archive; refused", path=path)
    if "\\" in name:
        raise ModelError(f"member '{name}' contains a backslash; refused", path=path)
    if _DRIVE.match(name):
        raise ModelError(f"member '{name}' has a drive letter; refused", path=path)
    if name.startswith("/"):
        raise ModelError(f"member '{name}' has an absolute path; refused", path=path)
    if any(part in ("..", ".") for part in name.split("/")):
        raise ModelError(f"member '{name}' contains '..' or '.' (path traversal); refused", path=path)


# --------------------------------------------------------------------------- install / remove


def install_archive(path: Path, directory: Path, *, max_total: int = 2_000_000_000, max_ratio: int = 200) -> InstalledModel:
    """Validate and install an ``.argosmodel`` into ``directory``; replaces an install of the same pair.

    Nothing is written outside ``directory``; on any failure nothing is left half-installed.
    """
    import shutil
    import tempfile
    import zipfile

    path = Path(path)
    directory = Path(directory)
    info = validate_archive(path, max_total=max_total, max_ratio=max_ratio)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".tmp-install-", dir=directory))
    except OSError as exc:
        raise ModelError(f"cannot write to the models folder: {exc.strerror or exc}", path=directory) from exc
    try:
        try:
            _extract(path, staging, max_total)
        except zipfile.BadZipFile as exc:
            raise ModelError(f"corrupt archive: {exc}", path=path) from exc
        except OSError as exc:
            raise ModelError(f"cannot unpack into the models folder: {exc.strerror or exc}", path=directory) from exc
        new = staging / info.top
        model = _read_installed(new)
        if model is None:  # pragma: no cover - validate_archive already checked the type
            raise ModelError("not a translation package", path=path)
        final = _install_folder(directory, model)
        _swap_in(new, final, model, directory, staging)
        return InstalledModel(model.from_code, model.to_code, model.version, model.name, final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _install_folder(directory: Path, model: InstalledModel) -> Path:
    """Where a model is installed: named by us from its validated codes (never by the archive's
    folder name, which could be another pair's), skipping folders that hold something else."""
    base = f"translate-{model.from_code}_{model.to_code}"
    for n in range(1, 1000):
        final = directory / (base if n == 1 else f"{base}-{n}")
        if not (final.exists() or final.is_symlink()):
            return final
        try:
            there = _read_installed(final)
        except ModelError:
            continue
        if there is not None and (there.from_code, there.to_code) == (model.from_code, model.to_code):
            return final
    raise ModelError(f"too many folders named {base}-N", path=directory)


def _extract(archive: Path, staging: Path, max_total: int) -> None:
    import zipfile

    root = staging.resolve()
    written = 0
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            target = (root / info.filename).resolve()
            if target != root and root not in target.parents:
                raise ModelError(f"member '{info.filename}' would be written outside the models folder", path=archive)
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            size = 0
            with zf.open(info) as src, open(target, "xb") as dst:
                while True:
                    chunk = src.read(_CHUNK)
                    if not chunk:
                        break
                    size += len(chunk)
                    written += len(chunk)
                    if size > info.file_size or written > max_total:
                        raise ModelError(f"member '{info.filename}' is larger than declared; zip bomb?", path=archive)
                    dst.write(chunk)


def _swap_in(new: Path, final: Path, model: InstalledModel, directory: Path, staging: Path) -> None:
    """Move old installs of the pair (and anything at ``final``) aside, rename ``new`` in, delete the old."""
    old = [m.path for m in list_models(directory) if (m.from_code, m.to_code) == (model.from_code, model.to_code)]
    if (final.exists() or final.is_symlink()) and final not in old:
        old.append(final)
    aside: list[tuple[Path, Path]] = []
    try:
        for i, folder in enumerate(old):
            parked = staging / f"old-{i}"
            os.rename(folder, parked)
            aside.append((folder, parked))
        os.rename(new, final)
    except OSError as exc:
        for folder, parked in reversed(aside):
            try:
                os.rename(parked, folder)
            except OSError:
                pass
        raise ModelError(f"cannot install into the models folder: {exc.strerror or exc}", path=final) from exc
    # The parked old installs live inside `staging`, removed by the caller.


def remove_model(pair: str, directory: Path) -> list[InstalledModel]:
    """Uninstall every model for ``pair`` (``"pl-en"``) from ``directory``."""
    import shutil
    import tempfile

    directory = Path(directory)
    from_code, to_code = parse_pair(pair)
    models = list_models(directory)
    doomed = [m for m in models if (m.from_code, m.to_code) == (from_code, to_code)]
    if not doomed:
        have = ", ".join(sorted({m.pair for m in models})) or "none"
        raise ModelError(f"no {from_code}-{to_code} model installed (installed: {have})", path=directory)
    for model in doomed:
        try:
            parked = Path(tempfile.mkdtemp(prefix=".tmp-remove-", dir=directory))
            os.rename(model.path, parked / "old")
            shutil.rmtree(parked, ignore_errors=True)
        except OSError as exc:
            raise ModelError(f"cannot remove: {exc.strerror or exc}", path=model.path) from exc
    return doomed


# --------------------------------------------------------------------------- network


def default_index_url() -> str:
    from argostranslate import settings

    return settings.remote_package_index


def _open_url(url: str, timeout: float):
    """``urlopen`` with a hard deadline (DNS lookups ignore socket timeouts)."""
    import threading
    import urllib.parse
    import urllib.request

    scheme = urllib.parse.urlsplit(url).scheme
    if scheme not in ("http", "https"):
        raise ModelError(f"refusing to download from a non-HTTP address: {url}")
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            request = urllib.request.Request(url, headers={"User-Agent": "outreach"})
            box["response"] = urllib.request.urlopen(request, timeout=timeout)  # noqa: S310 - scheme checked
        except BaseException as exc:  # noqa: BLE001 - handed to the caller
            box["error"] = exc

    thread = threading.Thread(target=run, name="outreach-urlopen", daemon=True)
    thread.start()
    thread.join(timeout + 1.0)
    if thread.is_alive():
        raise TimeoutError(f"no answer within {timeout:g} s")
    if "error" in box:
        raise box["error"]
    return box["response"]


def _network_reason(exc: BaseException) -> str:
    import urllib.error

    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {exc.reason}"
    if isinstance(exc, urllib.error.URLError):
        return str(exc.reason)
    return str(exc) or type(exc).__name__


def download_index(timeout: float = 10.0, *, index_url: str | None = None) -> list[dict]:
    """The Argos package index (a list of package metadata objects)."""
    import urllib.error

    url = index_url or default_index_url()
    try:
        with _open_url(url, timeout) as response:
            data = response.read(_MAX_INDEX_BYTES + 1)
    except ModelError:
        raise
    except (OSError, ValueError, urllib.error.URLError) as exc:
        raise ModelError(f"cannot reach the Argos package index ({_network_reason(exc)}): {_OFFLINE_HINT}", path=url) from exc
    except Exception as exc:  # http.client.HTTPException and friends
        raise ModelError(f"cannot reach the Argos package index ({_network_reason(exc)}): {_OFFLINE_HINT}", path=url) from exc
    if len(data) > _MAX_INDEX_BYTES:
        raise ModelError("the package index is unexpectedly large", path=url)
    try:
        index = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ModelError(f"the package index is not valid JSON: {exc}", path=url) from exc
    if not isinstance(index, list):
        raise ModelError("the package index is not a JSON list", path=url)
    return [entry for entry in index if isinstance(entry, dict)]


def install_from_index(
    pairs: Sequence[str],
    directory: Path,
    *,
    progress: Callable[[int, int], None] | None = None,
    timeout: float = 10.0,
    index_url: str | None = None,
) -> list[InstalledModel]:
    """Download and install the newest index package for each pair (``"pl-en"``).

    ``progress(done_bytes, total_bytes)`` is called while downloading (total 0 when unknown).
    Every pair is looked up before anything is downloaded.
    """
    directory = Path(directory)
    wanted = [parse_pair(p) for p in pairs]
    index = download_index(timeout, index_url=index_url)
    entries = []
    for from_code, to_code in wanted:
        candidates = [
            e
            for e in index
            if e.get("from_code") == from_code
            and e.get("to_code") == to_code
            and e.get("type", "translate") == "translate"
            and isinstance(e.get("links"), list)
            and e["links"]
            and isinstance(e["links"][0], str)
        ]
        if not candidates:
            available = sorted(
                {f"{e.get('from_code')}-{e.get('to_code')}" for e in index if e.get("type", "translate") == "translate"}
            )
            raise ModelError(
                f"no {from_code}-{to_code} model in the Argos package index; available: {', '.join(available) or 'none'}"
            )
        entries.append(max(candidates, key=lambda e: version_key(e.get("package_version"))))
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ModelError(f"cannot write to the models folder: {exc.strerror or exc}", path=directory) from exc
    installed = []
    for entry in entries:
        installed.append(_download_and_install(entry, directory, progress, timeout))
    return installed


def version_key(version: Any) -> tuple:
    """Sort key for package versions: PEP 440 order, unparsable versions first."""
    try:
        import packaging.version

        return (1, packaging.version.parse(str(version)))
    except Exception:  # noqa: BLE001 - any unparsable version sorts first
        return (0, str(version))


def _download_and_install(
    entry: dict, directory: Path, progress: Callable[[int, int], None] | None, timeout: float
) -> InstalledModel:
    import tempfile

    url = entry["links"][0]
    pair = f"{entry.get('from_code')}-{entry.get('to_code')}"
    fd, tmp_name = tempfile.mkstemp(prefix=".download-", suffix=".argosmodel", dir=directory)
    tmp = Path(tmp_name)
    try:
        try:
            with os.fdopen(fd, "wb") as out, _open_url(url, timeout) as response:
                total = int(response.headers.get("Content-Length") or 0)
                done = 0
                if progress:
                    progress(done, total)
                while True:
                    chunk = response.read(_CHUNK)
                    if not chunk:
                        break
                    out.write(chunk)
                    done += len(chunk)
                    if done > 2_000_000_000:
                        raise ModelError(f"download of {pair} is too large", path=url)
                    if progress:
                        progress(done, total)
        except ModelError:
            raise
        except Exception as exc:  # noqa: BLE001 - network and disk failures alike
            raise ModelError(f"download of the {pair} model failed ({_network_reason(exc)}): {_OFFLINE_HINT}", path=url) from exc
        if total and done != total:
            raise ModelError(f"download of the {pair} model is incomplete ({done:,} of {total:,} bytes)", path=url)
        return install_archive(tmp, directory)
    finally:
        try:
            tmp.unlink()
        except OSError:
            pass

"""Source texts: find the announcement files and decode them safely.

The sources stage turns ``source_texts/**/*`` files of the formats in
:mod:`pipeline.documents.formats` (``.txt``, ``.md``, ``.docx``, ``.odt``, ...) into
:class:`SourceDocument` objects: text formats decoded with ``"\\n"`` newlines,
office documents with their bytes in ``data``.

Decoding (:mod:`pipeline.documents.encodings`) never guesses silently: a file is read as UTF-8 (with or without a
BOM), UTF-16 (with a BOM, or without one when the NUL-byte pattern is clear)
or, failing that, as one of the two legacy Polish encodings (Windows-1250 or
ISO-8859-2) chosen by how Polish the result looks. Anything else is a
:class:`~pipeline.errors.SourceError` naming the file, never mojibake.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from pipeline.documents import formats
from pipeline.documents.encodings import _BINARY, decode_bytes, normalise_newlines  # noqa: F401 (also used from here)
from pipeline.errors import SourceError


@dataclass(frozen=True)
class SourceDocument:
    """One decoded source text."""

    path: Path  # filesystem path of the file
    ref: str  # POSIX path for catalogue references, relative to the workspace if inside it
    doc_id: str  # path under the sources folder without extension, POSIX: "news/a"
    format: str  # a format name of pipeline.documents.formats: "markdown", "text", ...
    text: str  # decoded, newlines normalised to "\n" ("" for a binary format)
    encoding: str  # detected encoding, e.g. "utf-8", "utf-16", "cp1250" ("binary" for a binary format)
    data: bytes = field(default=b"", repr=False, compare=False)  # the file's bytes, kept for binary formats


def discover(root: Path) -> list[Path]:
    """All source files under ``root`` (recursively), sorted by relative path.

    Hidden files and folders (names starting with ".") are skipped.
    """
    root = Path(root)
    if not root.is_dir():
        raise SourceError("source folder not found", path=root)
    found: list[tuple[str, Path]] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for fname in files:
            if fname.startswith("."):
                continue
            path = Path(folder) / fname
            if formats.for_suffix(path.suffix) is not None and path.is_file():
                found.append((path.relative_to(root).as_posix(), path))
    return [path for _, path in sorted(found)]


def _ref(path: Path, workspace: Path) -> str:
    absolute = path.absolute()
    for base, target in ((workspace.absolute(), absolute), (workspace.resolve(), path.resolve())):
        try:
            return target.relative_to(base).as_posix()
        except ValueError:
            continue
    return absolute.as_posix()


def read_source(path: Path, root: Path, workspace: Path) -> SourceDocument:
    """Read and decode one source file found under ``root``."""
    path, root, workspace = Path(path), Path(root), Path(workspace)
    ref = _ref(path, workspace)
    fmt = formats.for_suffix(path.suffix)
    if fmt is None:
        raise SourceError(f"not a source text (expected {', '.join(formats.suffixes())})", path=ref)
    try:
        relative = path.absolute().relative_to(root.absolute())
    except ValueError:
        raise SourceError(f"not inside the source folder {root}", path=ref) from None
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read: {exc.strerror or exc}", path=ref) from exc
    doc_id = relative.with_suffix("").as_posix()
    if fmt.binary:
        return SourceDocument(path=path, ref=ref, doc_id=doc_id, format=fmt.name, text="", encoding="binary", data=data)
    text, encoding = decode_bytes(data, name=ref)
    return SourceDocument(path=path, ref=ref, doc_id=doc_id, format=fmt.name, text=text, encoding=encoding)


def load_sources(root: Path, workspace: Path,
                 progress: Callable[[int, int], None] | None = None) -> list[SourceDocument]:
    """Read every source under ``root``; two files with one doc_id are an error.

    ``progress(done, total)`` is called after each file read.
    """
    documents: list[SourceDocument] = []
    seen: dict[str, SourceDocument] = {}
    paths = list(discover(root))
    for number, path in enumerate(paths, 1):
        doc = read_source(path, root, workspace)
        if progress:
            progress(number, len(paths))
        if doc.doc_id in seen:
            raise SourceError(
                f"two source files for one document {doc.doc_id!r}: "
                f"{seen[doc.doc_id].ref} and {doc.ref}; rename or remove one",
                path=doc.ref,
            )
        seen[doc.doc_id] = doc
        documents.append(doc)
    return documents

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
import re
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
    encoding: str  # detected encoding, e.g. "utf-8", "utf-16", "cp1250" (a web page's own; "binary" for an office document)
    data: bytes = field(default=b"", repr=False, compare=False)  # the file's bytes, kept for binary formats


_UNSAFE_NAME = re.compile("[\x00-\x1f\x7f\x85\u2028\u2029\u2068\u2069\ud800-\udfff]")


def printable(name: str | Path) -> str:
    """A file name that can be printed and quoted on one line: bytes that are not UTF-8 as
    ``\\xNN``, line breaks and other control characters as escapes."""
    name = str(name)
    if not _UNSAFE_NAME.search(name):
        return name
    name = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return _UNSAFE_NAME.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), name)


def _check_name(path: Path, root: Path) -> None:
    """Refuse a name a catalogue reference cannot hold (not UTF-8, a line break, a control character)."""
    name = path.relative_to(root).as_posix()
    if _UNSAFE_NAME.search(name):
        problem = ("is not valid UTF-8" if re.search("[\ud800-\udfff]", name)
                   else "contains a line break or control character")
        raise SourceError(f"the file name {problem}; rename the file", path=printable(path))


def discover(root: Path, workspace: Path | None = None) -> list[Path]:
    """All source files under ``root`` (recursively), sorted by relative path.

    Hidden files and folders (names starting with ".") are skipped. Symbolic links are followed
    while they stay inside ``workspace`` (default: ``root``); a link that leads out of it, or
    back into a folder being walked, is a :class:`SourceError`, as is a file name that a
    catalogue cannot hold (not UTF-8, a line break).
    """
    root = Path(root)
    if not root.is_dir():
        raise SourceError("source folder not found", path=root)
    boundary = Path(workspace if workspace is not None else root).resolve()
    found: list[tuple[str, Path]] = []
    walking: set[Path] = set()

    def walk(folder: Path) -> None:
        real = folder.resolve()
        if real in walking:
            raise SourceError("a symbolic link leads back into a folder that contains it; refused",
                              path=printable(folder))
        walking.add(real)
        try:
            children = sorted(os.scandir(folder), key=lambda d: d.name)
        except OSError as exc:
            raise SourceError(f"cannot read: {exc.strerror or exc}", path=printable(folder)) from exc
        for child in children:
            if child.name.startswith("."):
                continue
            path = Path(child.path)
            is_dir = child.is_dir()
            if not is_dir and formats.for_suffix(path.suffix) is None:
                continue
            if child.is_symlink():
                target = path.resolve()
                if not target.is_relative_to(boundary):
                    raise SourceError(f"is a symbolic link to {printable(target)}, outside the workspace; "
                                      "refused (copy the file in instead)", path=printable(path))
            if is_dir:
                walk(path)
            elif child.is_file():
                _check_name(path, root)
                found.append((path.relative_to(root).as_posix(), path))
        walking.discard(real)

    walk(root)
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
        encoding = fmt.encoding(data, ref) if fmt.encoding else "binary"
        return SourceDocument(path=path, ref=ref, doc_id=doc_id, format=fmt.name, text="", encoding=encoding, data=data)
    text, encoding = decode_bytes(data, name=ref)
    return SourceDocument(path=path, ref=ref, doc_id=doc_id, format=fmt.name, text=text, encoding=encoding)


def load_sources(root: Path, workspace: Path,
                 progress: Callable[[int, int], None] | None = None) -> list[SourceDocument]:
    """Read every source under ``root``; two files with one doc_id are an error.

    ``progress(done, total)`` is called after each file read.
    """
    documents: list[SourceDocument] = []
    seen: dict[str, SourceDocument] = {}
    paths = list(discover(root, workspace))
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

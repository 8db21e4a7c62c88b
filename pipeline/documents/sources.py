"""Source texts: find the announcement files and decode them safely.

The sources stage turns ``source_texts/**/*`` files of the formats in
:mod:`pipeline.documents.formats` (``.txt``, ``.md``, ``.docx``, ``.odt``, ...) into
:class:`SourceDocument` objects: text formats decoded with ``"\\n"`` newlines,
office documents with their bytes in ``data``.

Decoding never guesses silently: a file is read as UTF-8 (with or without a
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
from pipeline.errors import SourceError


_POLISH = set("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ")
# Characters that are ordinary in Polish text even though they are not ASCII.
_NEUTRAL = set("„”“‘’‚–—…«»°§©®€•·×\u00a0éüöäáíúôÉÜÖÄÁ")
# Characters a wrong legacy decoding typically produces (ą, ś, ź seen through
# the other code page): ± ¶ ¼ ¹ š ˇ ¦ ¬ Ľ ľ and friends.
_SUSPECT = set("±¶¼¹½¾²³¦¬ˇ˘˛˝¤¸¨´šŠťŤžŽľĽŕŔĺĹřŘůŮ")
_BINARY = re.compile("[\x00-\x08\x0b\x0e-\x1f]")
_UNDECIDED = (
    "cannot determine the text encoding (not UTF-8, Windows-1250 or ISO-8859-2); "
    "save it as UTF-8"
)


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


def normalise_newlines(text: str) -> str:
    """Convert CRLF and lone CR line ends to ``"\\n"``; so too the Unicode line and paragraph
    separators Word and web pages paste (U+2028, U+2029, NEL), which .po tools would split lines on."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\u2028" in text or "\u2029" in text or "\x85" in text:
        text = text.replace("\u2028", "\n").replace("\x85", "\n").replace("\u2029", "\n\n")
    return text


def decode_bytes(data: bytes, *, name: str) -> tuple[str, str]:
    """Decode a source file's bytes; return ``(text, encoding)``.

    The text has its BOM removed and its newlines normalised to ``"\\n"``.
    Raises :class:`SourceError` (with ``path=name``) for binary data or an
    encoding that cannot be determined with confidence.
    """
    text, encoding = _decode(data, name)
    if _BINARY.search(text):
        raise SourceError("binary file, not a text", path=name)
    return normalise_newlines(text), encoding


def _decode(data: bytes, name: str) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return _strict(data, "utf-8-sig", name), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(data, "utf-16", name), "utf-16"
    utf16 = _bomless_utf16(data)
    if utf16:
        return _strict(data, utf16, name), utf16
    if _BINARY.search(data.decode("latin-1")):
        raise SourceError("binary file, not a text", path=name)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    return _decode_legacy(data, name)


def _strict(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise SourceError(f"invalid {encoding} text at byte {exc.start}", path=name) from None


def _bomless_utf16(data: bytes) -> str | None:
    """Return "utf-16-le"/"utf-16-be" when the NUL pattern says so, else None."""
    pairs = len(data) // 2
    if pairs == 0 or b"\x00" not in data:
        return None
    even_nul = data[0::2].count(0)
    odd_nul = data[1::2].count(0)
    if odd_nul * 2 > pairs and even_nul * 10 < odd_nul:
        return "utf-16-le"
    if even_nul * 2 > pairs and odd_nul * 10 < even_nul:
        return "utf-16-be"
    return None


def _decode_legacy(data: bytes, name: str) -> tuple[str, str]:
    best: tuple[int, str, str] | None = None
    for encoding in ("cp1250", "iso-8859-2"):  # cp1250 first: it wins ties
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue  # undefined byte in this code page
        score = _polish_score(text)
        if score is not None and (best is None or score > best[0]):
            best = (score, text, encoding)
    if best is None or best[0] <= 0:
        raise SourceError(_UNDECIDED, path=name)
    return best[1], best[2]


def _polish_score(text: str) -> int | None:
    """How Polish a decoding looks; None if it contains C1 control characters."""
    score = 0
    for char in text:
        if char < "\x80":
            continue
        if char <= "\x9f":
            return None
        if char in _POLISH:
            score += 1
        elif char in _SUSPECT:
            score -= 2
        elif char not in _NEUTRAL and not char.isalpha():
            score -= 1
    return score


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

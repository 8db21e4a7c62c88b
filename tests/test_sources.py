"""Tests for pipeline.documents.sources: decoding, discovery, loading."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import OutreachError, SourceError
from pipeline.documents.sources import SourceDocument, decode_bytes, discover, load_sources, read_source

POLISH = "Zapraszamy na spotkanie. Źródła, śnieg, gęś, ąę.\nZAŻÓŁĆ GĘŚLĄ JAŹŃ, Ąś Ść."


# --- decode_bytes --------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("utf-16", "utf-16"),
        ("utf-16-le", "utf-16-le"),
        ("utf-16-be", "utf-16-be"),
        ("cp1250", "cp1250"),
        ("iso-8859-2", "iso-8859-2"),
    ],
)
def test_polish_text_in_every_supported_encoding(encoding: str, expected: str) -> None:
    text, detected = decode_bytes(POLISH.encode(encoding), name="a.txt")
    assert text == POLISH
    assert detected == expected


@pytest.mark.parametrize("letter", list("ąśźĄŚŹ"))
def test_letters_that_differ_between_legacy_code_pages(letter: str) -> None:
    sentence = f"Mamy {letter} w zdaniu: gęś i łódź."
    assert decode_bytes(sentence.encode("cp1250"), name="a.txt") == (sentence, "cp1250")
    assert decode_bytes(sentence.encode("iso-8859-2"), name="a.txt") == (sentence, "iso-8859-2")


def test_cp1250_typographic_quotes_and_dashes() -> None:
    sentence = "„Zapraszamy” – mówi dyrektorka… Wstęp wolny."
    assert decode_bytes(sentence.encode("cp1250"), name="a.txt") == (sentence, "cp1250")


def test_bom_is_removed() -> None:
    text, _ = decode_bytes("\ufeffCześć".encode("utf-8"), name="a.md")
    assert text == "Cześć"
    text, _ = decode_bytes("Cześć".encode("utf-16"), name="a.md")
    assert text == "Cześć"


def test_bom_only_file_is_empty() -> None:
    assert decode_bytes(b"\xef\xbb\xbf", name="a.txt") == ("", "utf-8-sig")


@pytest.mark.parametrize("data", [b"", b"   \n\n\t\n", b"\r\n\r\n"])
def test_empty_and_whitespace_only(data: bytes) -> None:
    text, encoding = decode_bytes(data, name="a.txt")
    assert text.strip() == ""
    assert "\r" not in text
    assert encoding == "utf-8"


def test_newlines_are_normalised() -> None:
    text, _ = decode_bytes(b"a\r\nb\rc\nd\r\n\r\ne\r", name="a.txt")
    assert text == "a\nb\nc\nd\n\ne\n"


def test_newlines_normalised_in_utf16() -> None:
    text, _ = decode_bytes("jeden\r\ndwa\rtrzy".encode("utf-16-le"), name="a.txt")
    assert text == "jeden\ndwa\ntrzy"


def test_png_header_is_binary() -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06"
    with pytest.raises(SourceError) as info:
        decode_bytes(png, name="source_texts/logo.md")
    assert str(info.value) == "source_texts/logo.md: binary file, not a text"
    assert info.value.path == "source_texts/logo.md"


@pytest.mark.parametrize("data", [b"abc\x00def", b"tekst\x07dzwonek", b"\x1b[31mred"])
def test_control_characters_are_binary(data: bytes) -> None:
    with pytest.raises(SourceError, match="binary file"):
        decode_bytes(data, name="a.txt")


def test_tab_formfeed_are_text() -> None:
    assert decode_bytes(b"a\tb\x0cc", name="a.txt")[0] == "a\tb\x0cc"


@pytest.mark.parametrize(
    "data",
    [
        b"\x81\x8d\x8f\x90\x9d" * 10,
        b"Some text \x81\x8d\x8f\x90\x9d\x81\x90 more",
        b"\x80\x81\x82\x83\x84\x85\x86\x87\x88\x89" * 3,
        b"cena 5\xb1 plus \x9a i \xbe",
    ],
)
def test_undecodable_bytes_raise_naming_the_file(data: bytes) -> None:
    with pytest.raises(SourceError) as info:
        decode_bytes(data, name="source_texts/bad.txt")
    message = str(info.value)
    assert message.startswith("source_texts/bad.txt: ")
    assert "cannot determine the text encoding" in message
    assert "save it as UTF-8" in message
    assert "\n" not in message
    assert isinstance(info.value, OutreachError)


def test_odd_length_bomless_utf16_is_an_error() -> None:
    data = "Dzień dobry wszystkim".encode("utf-16-le") + b"A"
    with pytest.raises(SourceError) as info:
        decode_bytes(data, name="a.txt")
    assert "a.txt" in str(info.value)


# --- discover / read_source / load_sources ---------------------------------------


def _write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def test_discover_sorted_recursive_skipping_hidden(tmp_path: Path) -> None:
    root = tmp_path / "source_texts"
    for name in ["b.md", "a.txt", "news/z.markdown", "news/a.md", "x.pdf", ".hidden.md", ".git/c.md",
                 "news/.drafts/d.md", "notes.TXT"]:
        _write(root / name, "tekst")
    found = [p.relative_to(root).as_posix() for p in discover(root)]
    assert found == ["a.txt", "b.md", "news/a.md", "news/z.markdown", "notes.TXT"]


def test_discover_missing_root(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="source folder not found"):
        discover(tmp_path / "nope")
    _write(tmp_path / "file.txt", "x")
    with pytest.raises(SourceError, match="source folder not found"):
        discover(tmp_path / "file.txt")


def test_read_source_fields(tmp_path: Path) -> None:
    root = tmp_path / "source_texts"
    path = _write(root / "news" / "a.md", "# Tytuł\r\n\r\nTreść.\r\n".encode("cp1250"))
    doc = read_source(path, root, tmp_path)
    assert doc == SourceDocument(
        path=path,
        ref="source_texts/news/a.md",
        doc_id="news/a",
        format="markdown",
        text="# Tytuł\n\nTreść.\n",
        encoding="cp1250",
    )


def test_read_source_outside_workspace_uses_absolute_ref(tmp_path: Path) -> None:
    root = tmp_path / "elsewhere"
    path = _write(root / "b.txt", "Dzień dobry")
    doc = read_source(path, root, tmp_path / "workspace")
    assert doc.ref == path.absolute().as_posix()
    assert doc.format == "text"
    assert doc.doc_id == "b"


def test_read_source_error_names_the_ref(tmp_path: Path) -> None:
    root = tmp_path / "source_texts"
    path = _write(root / "bad.txt", b"\x81\x8d\x8f\x90\x9d" * 4)
    with pytest.raises(SourceError) as info:
        read_source(path, root, tmp_path)
    assert str(info.value).startswith("source_texts/bad.txt: ")


def test_read_source_unreadable(tmp_path: Path) -> None:
    root = tmp_path / "source_texts"
    root.mkdir()
    (root / "dir.md").mkdir()
    with pytest.raises(SourceError, match="cannot read"):
        read_source(root / "dir.md", root, tmp_path)


def test_load_sources(tmp_path: Path) -> None:
    root = tmp_path / "source_texts"
    _write(root / "b.txt", "Druga")
    _write(root / "a.md", "Pierwsza")
    _write(root / "sub" / "a.md", "".encode("utf-16"))
    docs = load_sources(root, tmp_path)
    assert [d.doc_id for d in docs] == ["a", "b", "sub/a"]
    assert [d.text for d in docs] == ["Pierwsza", "Druga", ""]


def test_load_sources_duplicate_doc_id(tmp_path: Path) -> None:
    root = tmp_path / "source_texts"
    _write(root / "a.md", "x")
    _write(root / "a.txt", "y")
    with pytest.raises(SourceError) as info:
        load_sources(root, tmp_path)
    message = str(info.value)
    assert "source_texts/a.md" in message and "source_texts/a.txt" in message

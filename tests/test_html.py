"""Tests for pipeline.documents.html: web pages segmented, rebuilt byte for byte, escaped, re-encoded."""

from __future__ import annotations

import html as html_lib

import html5lib
import polib
import pytest
from hypothesis import HealthCheck, given, settings
from profiles import examples
from hypothesis import strategies as st

from pipeline.documents import html
from pipeline.documents.sources import SourceDocument
from pipeline.errors import SourceError
from workspace import invoke, make_workspace, review_all

PAGE = """<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>Ogłoszenie &ndash; biblioteka</title>
<meta name="description" content="Zapraszamy na spotkanie">
<style>p { color: red }</style>
<script>var x = "<p>nie tłumacz</p>";</script>
</head>
<body>
<h1>Wieczór <em>poezji</em></h1>
<p><b>Uwaga:</b> w poniedziałek biblioteka jest
zamknięta. Szczegóły na <a href="https://example.org/x" class="link">stronie</a>.<br>
Polecenie <code>make run</code> &amp; więcej.</p>
<img src="logo.png" alt="Logo biblioteki">
<table><caption>Godziny otwarcia</caption>
<tr><th>Dzień</th><th>Godziny</th></tr>
<tr><td>Poniedziałek</td><td>10:00–18:00</td></tr>
</table>
<pre>kod
  bez zmian</pre>
<p translate="no">Nazwa własna</p>
<ul><li>Pierwszy punkt<li>Drugi <span title="podpowiedź">punkt</span></ul>
<!-- komentarz <p>bez</p> -->
</body>
</html>
"""


def identity(text: str):
    doc = html.segment_text(text)
    assert html.render_text(doc, lambda i, s: s.text) == text
    return doc


def test_segments_kinds_and_placeholders() -> None:
    doc = identity(PAGE)
    assert [(s.text, s.line, s.kind) for s in doc.segments] == [
        ("Ogłoszenie – biblioteka", 5, "title"),
        ("Zapraszamy na spotkanie", 6, "description"),
        ("Wieczór <em>poezji</em>", 11, "heading"),
        ('<b>Uwaga:</b> w poniedziałek biblioteka jest zamknięta. Szczegóły na '
         '<a href="https://example.org/x">stronie</a>.<br> Polecenie `make run` & więcej.', 12, "paragraph"),
        ("Logo biblioteki", 15, "alt text"),
        ("Godziny otwarcia", 16, "caption"),
        ("Dzień", 17, "table cell"),
        ("Godziny", 17, "table cell"),
        ("Poniedziałek", 18, "table cell"),
        ("Pierwszy punkt", 23, "list item"),
        ("podpowiedź", 23, "tooltip"),
        ("Drugi <span>punkt</span>", 23, "list item"),
    ]


def test_build_restores_the_source_tags_and_escapes_the_rest() -> None:
    doc = html.segment_text(PAGE)
    translations = {
        3: '<b>Note:</b> the library is closed on Monday. Details <a href="https://example.org/x">here</a>.<br> '
           'The command `make run` & more <script>alert(1)</script>.',
        4: 'Library "logo" <x>',
    }
    out = html.render_text(doc, lambda i, s: translations.get(i, s.text), "en")
    assert ('<p><b>Note:</b> the library is closed on Monday. Details <a href="https://example.org/x" '
            'class="link">here</a>.<br> The command <code>make run</code> &amp; more '
            '&lt;script&gt;alert(1)&lt;/script&gt;.</p>') in out
    assert 'alt="Library &quot;logo&quot; &lt;x&gt;"' in out
    assert out.startswith('<!DOCTYPE html>\n<html lang="en">\n')
    for literal in ("<style>p { color: red }</style>", '<script>var x = "<p>nie tłumacz</p>";</script>',
                    "<pre>kod\n  bez zmian</pre>", '<p translate="no">Nazwa własna</p>', "<!-- komentarz <p>bez</p> -->"):
        assert literal in out


def test_a_dropped_or_invented_placeholder_is_text() -> None:
    doc = html.segment_text("<p>Tekst <b>ważny</b> i <i>pochyły</i>.</p>")
    out = html.render_text(doc, lambda i, s: "Text <b>important <u>and</u> italic.")
    assert out == "<p>Text <b>important &lt;u&gt;and&lt;/u&gt; italic.</p>"


def test_existing_lang_is_replaced_and_regional_codes_use_a_hyphen() -> None:
    doc = identity('<html lang="pl" class="x"><body><p>Tekst</p></body></html>')
    assert html.render_text(doc, lambda i, s: s.text, "pt_BR").startswith('<html lang="pt-BR" class="x">')


@pytest.mark.parametrize("data, encoding", [
    ('<meta charset="windows-1250"><p>Zażółć gęślą jaźń</p>'.encode("cp1250"), "cp1250"),
    ('<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-2"><p>Łódź</p>'.encode("iso-8859-2"),
     "iso8859-2"),
    (b"\xef\xbb\xbf<p>Za\xc5\xbc\xc3\xb3\xc5\x82\xc4\x87</p>", "utf-8"),
    ("\ufeff<p>Zażółć</p>\r\n".encode("utf-16-be"), "utf-16-be"),
    ("<p>Zażółć gęślą jaźń, źdźbło</p>".encode("cp1250"), "cp1250"),  # no declaration: the Polish guess
])
def test_encodings_round_trip_byte_for_byte(data: bytes, encoding: str) -> None:
    source = SourceDocument(path=None, ref="a.html", doc_id="a", format="html", text="", encoding="binary", data=data)
    doc = html.segment(source)
    assert html.decode(data, "a.html").encoding == encoding
    assert html.render(source, doc, lambda i, s: s.text, "") == data
    assert any(ch in doc.segments[0].text for ch in "żŁ")


def test_a_page_is_read_with_its_own_encoding_named(tmp_path) -> None:
    from pipeline.documents.sources import read_source

    folder = tmp_path / "source_texts"
    folder.mkdir()
    page = folder / "a.html"
    page.write_bytes('<meta charset="windows-1250"><p>Zażółć gęślą jaźń</p>'.encode("cp1250"))
    assert read_source(page, folder, tmp_path).encoding == "cp1250"   # what `detect --json` shows
    page.write_bytes(b'<meta charset="x-nope"><p>Tekst</p>')
    with pytest.raises(SourceError, match="unknown charset 'x-nope'") as info:
        read_source(page, folder, tmp_path)
    assert info.value.path == "source_texts/a.html"


def test_characters_the_encoding_lacks_become_references() -> None:
    data = '<meta charset="windows-1250"><p>Zamknięte</p>'.encode("cp1250")
    source = SourceDocument(path=None, ref="a.html", doc_id="a", format="html", text="", encoding="binary", data=data)
    out = html.render(source, html.segment(source), lambda i, s: "Зачинено", "uk")
    assert html_lib.unescape(out.decode("cp1250")).endswith("<p>Зачинено</p>")
    assert b"&#1047;" in out


def test_an_unknown_charset_is_a_clear_error() -> None:
    with pytest.raises(SourceError, match="unknown charset 'klingon'"):
        html.decode(b'<meta charset="klingon"><p>x</p>', "a.html")
    with pytest.raises(SourceError, match="not a text encoding"):
        html.decode(b'<meta charset="rot13"><p>x</p>', "a.html")


@pytest.mark.parametrize("data, message", [
    (b'<meta charset="klingon"><p>Tekst</p>', "error: source_texts/a.html: unknown charset 'klingon' in <meta charset>"),
    (b'<meta charset="rot13"><p>Tekst</p>', "error: source_texts/a.html: charset 'rot13' in <meta charset> is not a text encoding"),
    (b'<meta charset="utf-8"><p>Za\xbf\xf3</p>', "error: source_texts/a.html: invalid utf-8 text at byte 27"),
    (b'<meta charset="utf-8"><p>\x00\x01\x02</p>', "error: source_texts/a.html: binary file, not a text"),
], ids=["unknown charset", "not a text encoding", "not the declared charset", "control bytes"])
def test_bad_page_is_refused(tmp_path, data: bytes, message: str) -> None:
    ws = make_workspace(tmp_path, {"source_texts/a.html": data})
    result = invoke(ws, "run", "--engine", "none", "-q")
    assert result.exit_code == 2 and result.stderr.startswith(message), result.stderr
    assert not (ws / "locales").exists()


# --- the tokenizer reads pages as a browser does (html5lib is the oracle) ------------

_SKIPPED = {"script", "style", "pre", "code", "textarea", "template", "svg", "math", "noscript", "kbd", "samp", "var"}


def _browser_texts(text: str) -> list[str]:
    """Text of every element html5lib sees outside literal regions, whitespace collapsed."""
    tree = html5lib.parse(text, namespaceHTMLElements=False)
    found = []

    def walk(node, skipped):
        skipped = skipped or node.tag in _SKIPPED or node.get("translate") == "no"
        for part in [node.text] + [child.tail for child in node]:
            if part and part.strip() and not skipped:
                found.append(" ".join(part.split()))
        for child in node:
            if isinstance(child.tag, str):
                walk(child, skipped)

    walk(tree, False)
    return found


REAL_PAGES = [PAGE, """<html><body><div id="menu"><ul><li><a href="/">Start</a></li></ul></div>
<div class=content><p>Akapit bez zamknięcia<p>Drugi akapit z <A HREF=/x>odnośnikiem</A> &nbsp;i&nbsp;spacją
<div>Tekst w divie<br/>po łamaniu</div><section><h2 class='t'>Tytuł sekcji</h2>
<p>Liczby &lt; 5 &gt; 3 &amp;c &#x142;&#243;d&#378;</p></section><textarea>nie <b>tłumacz</b></textarea>
<p>Koniec <span translate="no">Biblioteka Raczyńskich</span> strony.</p></body></html>"""]


@pytest.mark.parametrize("page", REAL_PAGES)
def test_every_text_a_browser_shows_is_in_a_segment(page: str) -> None:
    doc = identity(page)
    joined = "\n".join(html_lib.unescape(s.text) for s in doc.segments)
    for text in _browser_texts(page):
        if any(ch.isalpha() for ch in text):
            assert text in joined or text in " ".join(joined.split()), text


_PIECES = ["<p>", "</p>", "<b>", "</b>", "<a href='x'>", "</a>", "<br>", "<!--", "-->", "<script>", "</script>",
           "<pre>", "</pre>", "&amp;", "&", "<", ">", "\"", "'", "=", " ", "\n", "\r\n", "Zażółć", "tekst",
           "<img alt=\"Logo\">", "<html>", "<title>", "</title>", "<code>", "</code>", "<p translate=no>",
           "<!DOCTYPE html>", "<?x", "</", "<a b='", "&#", "&#x41;", "&nbsp"]


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=3)), max_size=30).map("".join))
def test_round_trip_and_escaping_property(text: str) -> None:
    doc = identity(text)
    out = html.render_text(doc, lambda i, s: "<script>x</script> & " + s.text, "en")
    assert out.count("<script>") <= text.count("<script>") + text.lower().count("<html")  # never markup


# --- through the commands ---------------------------------------------------------


def test_run_review_build_check_on_a_page(tmp_path) -> None:
    ws = make_workspace(tmp_path, {"source_texts/ogloszenie.html": PAGE})
    assert invoke(ws, "run", "--engine", "fake", "-q").exit_code == 0
    po = ws / "locales" / "en" / "LC_MESSAGES" / "ogloszenie.po"
    assert "#. type: alt text" in po.read_text(encoding="utf-8")
    review_all(po, lambda e: e.msgid.replace("Uwaga:", "Note:"))
    result = invoke(ws, "build")
    assert result.exit_code == 0, result.output
    built = (ws / "build" / "en" / "ogloszenie.html").read_text(encoding="utf-8")
    assert built.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert '<p><b>Note:</b> w poniedziałek' in built and 'class="link">stronie</a>' in built
    result = invoke(ws, "check", "--to", "en")
    assert result.exit_code == 0, result.output
    catalogue = polib.pofile(str(po))
    entry = next(e for e in catalogue if e.msgid.startswith("<b>Uwaga:"))
    entry.msgstr = entry.msgstr.replace("</b>", "").replace('<a href="https://example.org/x">', "<a>")
    catalogue.save()
    result = invoke(ws, "check", "--to", "en", "--qa")
    assert result.exit_code == 1 and "qa-markup" in result.output and "qa-url" in result.output, result.output


def test_a_comment_inside_a_paragraph_does_not_split_it() -> None:
    page = '<p>Zapraszamy na <!-- data do potwierdzenia --> <b>warsztaty</b> w sobotę.</p><p><!-- stopka -->Tekst</p>'
    doc = html.segment_text(page)
    assert [s.text for s in doc.segments] == ["Zapraszamy na <b>warsztaty</b> w sobotę.", "Tekst"]
    assert html.render_text(doc, lambda i, s: s.text) == page
    out = html.render_text(doc, lambda i, s: ["We invite you to <b>workshops</b> on Saturday.", "Text"][i])
    assert out == ('<p>We invite you to <b>workshops</b> on Saturday.<!-- data do potwierdzenia --></p>'
                   '<p><!-- stopka -->Text</p>')

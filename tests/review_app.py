"""Helpers for the review-app tests: a workspace with machine drafts, a logged-in client, forms."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from pipeline.config import load_settings
from pipeline.review.web.app import create_app
from pipeline.review.web.cookies import reviewer_cookie
from pipeline.review.web.store import ReviewStore
from workspace import invoke, make_workspace

INJECTED = "Uwaga <script>document.title='PWNED'</script> i <img src=x onerror=\"alert(1)\"> & \"cytat\"."
NOTICE = f"""\
# Warsztaty w bibliotece

Zapraszamy na bezpłatne warsztaty komputerowe w naszej bibliotece w każdą środę o 10:00.

{INJECTED}

Zapisy: https://biblioteka.example.org/zapisy lub tel. 22 123 45 67.

Spotkania prowadzi Fundacja Cyfrowy Most.
"""
GLOSSARY = "term,lang,translation\nbiblioteka,uk,бібліотека\nFundacja Cyfrowy Most,*,do-not-translate\n"
ORIGIN = {"Origin": "http://localhost"}
DOC = "warsztaty"


def drafted_workspace(tmp_path: Path) -> Path:
    """A workspace with one announcement, a glossary and machine drafts (the fake engine) in en and uk."""
    ws = make_workspace(tmp_path, {f"source_texts/{DOC}.md": NOTICE, "glossary.csv": GLOSSARY})
    result = invoke(ws, "run", "--engine", "fake")
    assert result.exit_code == 0, result.stderr
    return ws


def po_path(ws: Path, lang: str = "uk", doc: str = DOC) -> Path:
    return ws / "locales" / lang / "LC_MESSAGES" / f"{doc}.po"


def client(ws: Path, *, name: str | None = "Olena Kowalenko", email: str = "olena@example.org",
           hosts: tuple[str, ...] = ("localhost",), **app_options):
    """A Flask test client for the app on ``ws``, with the reviewer's name already given (for ``hosts``)."""
    app = create_app(ReviewStore(load_settings(ws), lock_timeout=app_options.pop("lock_timeout", 5.0)),
                     **app_options)
    test_client = app.test_client()
    for host in hosts if name is not None else ():
        test_client.set_cookie("outreach_reviewer", reviewer_cookie(name, email), domain=host)
    return test_client


class Forms(HTMLParser):
    """The page's entry forms (by entry id: their hidden fields, text and buttons), tags and attributes."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.forms: dict[str, dict] = {}
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self._form: dict | None = None
        self._textarea = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "form":
            self._form = {"fields": {}, "buttons": [], "action": attrs.get("action"), "text": ""}
        elif self._form is not None and tag == "input" and attrs.get("type") == "hidden":
            self._form["fields"][attrs["name"]] = attrs.get("value", "")
        elif self._form is not None and tag == "button":
            self._form["buttons"].append(attrs.get("value"))
        elif self._form is not None and tag == "textarea":
            self._textarea = True

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea:
            self._textarea = False
            if self._form is not None and self._form["text"].startswith("\n"):  # as browsers do
                self._form["text"] = self._form["text"][1:]
        if tag == "form" and self._form is not None:
            entry = self._form["fields"].get("entry")
            if entry:
                self.forms[entry] = self._form
            self._form = None

    def handle_data(self, data):
        self.text.append(data)
        if self._textarea and self._form is not None:
            self._form["text"] += data

    def named(self, tag: str) -> list[dict]:
        return [a for t, a in self.tags if t == tag]


def page(test_client, lang: str = "uk", doc: str = DOC, show: str = "all") -> Forms:
    response = test_client.get(f"/doc/{lang}/{doc}?show={show}")
    assert response.status_code == 200, response.data[:500]
    return Forms(response.get_data(as_text=True))


def post(test_client, form: dict, action: str, text: str | None = None, *, headers=ORIGIN, lang="uk", doc=DOC,
         **extra):
    """Submit an entry form as the browser would (its hidden fields, the text, the button pressed)."""
    data = dict(form["fields"], action=action, text=form["text"] if text is None else text, **extra)
    return test_client.post(f"/doc/{lang}/{doc}", data=data, headers=headers)

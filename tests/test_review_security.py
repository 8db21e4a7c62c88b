"""The review app's defences: token and password beyond loopback, CSRF, origin, host, traversal, headers."""

from __future__ import annotations

import base64
import subprocess
import sys

import pytest

from pipeline.review.web import server
from pipeline.review.web.app import CSP, create_app
from pipeline.review.web.store import ReviewStore
from pipeline.config import load_settings
from review_app import DOC, ORIGIN, Forms, client, drafted_workspace, page, po_path, post
from workspace import ROOT, snapshot

TOKEN = "s3cret-token-for-tests"


@pytest.fixture()
def ws(tmp_path):
    return drafted_workspace(tmp_path)


def any_form(c):
    return next(iter(page(c).forms.values()))


def test_every_post_needs_the_csrf_token_and_the_same_origin(ws):
    c = client(ws)
    form = any_form(c)
    before = snapshot(ws / "locales")
    no_token = dict(form, fields={k: v for k, v in form["fields"].items() if k != "csrf"})
    assert post(c, no_token, "draft", "x").status_code == 403
    forged = dict(form, fields=dict(form["fields"], csrf="0" * 64))
    assert post(c, forged, "draft", "x").status_code == 403
    assert post(c, form, "draft", "x", headers={"Origin": "http://evil.example"}).status_code == 403
    assert post(c, form, "draft", "x", headers={"Origin": "null"}).status_code == 403
    assert post(c, form, "draft", "x", headers={}).status_code == 403  # neither Origin nor Referer
    assert post(c, form, "draft", "x", headers={"Referer": "http://evil.example/doc"}).status_code == 403
    # Another browser's cookie-less POST with a token copied from a page: no cookie, no save.
    stranger = client(ws)
    assert post(stranger, form, "draft", "x").status_code == 403
    assert snapshot(ws / "locales") == before
    assert post(c, form, "draft", "x", headers={"Referer": f"http://localhost/doc/uk/{DOC}"}).status_code == 303


def test_loopback_server_answers_only_to_loopback_host_names(ws):
    c = client(ws, hosts=("localhost", "127.0.0.1", "::1"))
    assert c.get("/", headers={"Host": "127.0.0.1:8000"}).status_code == 200
    assert c.get("/", headers={"Host": "[::1]:8000"}).status_code == 200
    assert c.get("/", headers={"Host": "rebind.evil.example"}).status_code == 400  # DNS rebinding


def test_beyond_loopback_every_request_needs_the_token(ws):
    c = client(ws, token=TOKEN, loopback=False, hosts=("192.168.1.20",))
    for url in ("/", f"/doc/uk/{DOC}", "/static/review.js", "/name", "/nothing-here"):
        assert c.get(url, headers={"Host": "192.168.1.20:8000"}).status_code == 403, url
    assert c.get("/?token=wrong", headers={"Host": "192.168.1.20:8000"}).status_code == 403
    assert c.post(f"/doc/uk/{DOC}", data={}, headers={"Host": "192.168.1.20:8000"}).status_code == 403
    entered = c.get(f"/doc/uk/{DOC}?token={TOKEN}&show=all", headers={"Host": "192.168.1.20:8000"})
    assert entered.status_code == 303 and entered.headers["Location"] == f"/doc/uk/{DOC}?show=all"
    assert "HttpOnly" in entered.headers["Set-Cookie"]
    # The cookie stands for the token afterwards (it is not the token itself).
    assert TOKEN not in entered.headers["Set-Cookie"]
    assert c.get(f"/doc/uk/{DOC}?show=all", headers={"Host": "192.168.1.20:8000"}).status_code == 200
    assert c.get("/static/review.js", headers={"Host": "192.168.1.20:8000"}).status_code == 200


def test_a_password_is_asked_by_the_browser(ws):
    c = client(ws, password="correct horse", loopback=False, hosts=("lib-pc",))
    asked = c.get("/", headers={"Host": "lib-pc:8000"})
    assert asked.status_code == 401 and asked.headers["WWW-Authenticate"].startswith("Basic")
    wrong = base64.b64encode(b"anyone:wrong").decode()
    assert c.get("/", headers={"Host": "lib-pc:8000", "Authorization": f"Basic {wrong}"}).status_code == 401
    right = base64.b64encode("anyone:correct horse".encode()).decode()
    assert c.get("/", headers={"Host": "lib-pc:8000", "Authorization": f"Basic {right}"}).status_code == 200


def test_never_beyond_loopback_without_access_control(ws):
    with pytest.raises(ValueError):
        create_app(ReviewStore(load_settings(ws)), loopback=False)
    assert server.loopback_host("127.0.0.1") and server.loopback_host("::1") and server.loopback_host("localhost")
    assert not server.loopback_host("0.0.0.0") and not server.loopback_host("192.168.1.20")
    served = server.start(load_settings(ws), host="0.0.0.0", port=0)
    try:
        assert served.token and len(served.token) >= 20
        assert all(url.endswith(f"/?token={served.token}") for url in served.urls)
        assert served.local_url.startswith("http://127.0.0.1:")
    finally:
        served.close()
    local = server.start(load_settings(ws), host="127.0.0.1", port=0)
    try:
        assert local.token is None and local.urls == [f"http://127.0.0.1:{local.port}/"]
    finally:
        local.close()


@pytest.mark.parametrize("url", [
    "/doc/uk/../../../etc/passwd", "/doc/uk/..%2F..%2Fetc%2Fpasswd", f"/doc/uk/{DOC}.po", f"/doc/xx/{DOC}",
    "/doc/uk//etc/passwd", f"/doc/../uk/{DOC}", "/doc/uk/secret", "/doc/uk/%00",
])
def test_only_catalogues_of_the_workspace_can_be_named(ws, url):
    (ws / "locales" / "uk" / "secret.po").write_text('msgid ""\nmsgstr ""\n', encoding="utf-8")  # not LC_MESSAGES
    c = client(ws)
    before = snapshot(ws)
    assert c.get(url).status_code in (404, 308)
    form = any_form(c)
    assert c.post(url, data=dict(form["fields"], action="draft", text="x"), headers=ORIGIN).status_code in (404, 405, 308)
    assert snapshot(ws) == before


def test_a_linked_catalogue_pointing_outside_locales_is_refused(ws, tmp_path):
    outside = tmp_path / "outside.po"
    outside.write_bytes(po_path(ws).read_bytes())
    (po_path(ws).parent / "linked.po").symlink_to(outside)
    assert client(ws).get("/doc/uk/linked").status_code == 404


def test_pages_and_files_carry_a_strict_content_security_policy(ws):
    c = client(ws)
    for url in ("/", f"/doc/uk/{DOC}", "/static/review.js", "/static/review.css", "/nothing-here"):
        response = c.get(url)
        assert response.headers["Content-Security-Policy"] == CSP, url
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
    assert "'unsafe-inline'" not in CSP and "script-src 'self'" in CSP and "frame-ancestors 'none'" in CSP
    html = c.get(f"/doc/uk/{DOC}").get_data(as_text=True)
    assert all(tag.get("src") for tag in Forms(html).named("script"))  # no inline script at all
    assert c.get(f"/doc/uk/{DOC}").headers["Cache-Control"] == "no-store"


def test_errors_are_one_line_pages_never_tracebacks(ws):
    po_path(ws).write_text('msgid "x"\nmsgstr "unterminated\n', encoding="utf-8")
    response = client(ws).get(f"/doc/uk/{DOC}")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "syntax error" in html and "Traceback" not in html


def test_the_app_imports_no_translation_stack():
    probe = ("import sys; from pipeline.cli import review; from pipeline.review.web import server, app, routes; "
             "print(sorted({m.split('.')[0] for m in sys.modules} | {m for m in sys.modules if m.startswith('pipeline.')}))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True)
    modules = set(eval(result.stdout))  # a printed list of names
    assert not modules & {"ctranslate2", "sentencepiece", "argostranslate", "torch", "numpy"}
    assert not any(m.startswith("pipeline.translate") for m in modules)

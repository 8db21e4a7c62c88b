"""The review app (Flask): access control, CSRF and security headers around :mod:`.routes`.

Access:

* bound to loopback (the default), every request must name a loopback host
  (``Host: 127.0.0.1`` / ``localhost`` / ``[::1]``): a web page cannot reach the
  app by pointing its own domain at 127.0.0.1 (DNS rebinding);
* beyond loopback a secret is required for every request, static files
  included: the random ``token`` of the printed URL (kept afterwards in an
  HttpOnly cookie; the token is then dropped from the address bar), or a
  ``password`` asked by the browser (HTTP Basic). Both are compared in constant
  time; a request without the token gets 403, without the password 401.

Every POST carries a CSRF token (an HMAC of a per-browser cookie with a secret
of this server process) and must come from the app's own origin (``Origin``,
else ``Referer``). Pages forbid everything but their own script, style and
form targets with a Content-Security-Policy; Jinja2 escapes every value.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from flask import Flask, Response, abort, g, redirect, render_template, request

from pipeline.review.web import routes
from pipeline.review.web.cookies import ACCESS_COOKIE, CSRF_COOKIE, NAME_COOKIE, read_reviewer, safe_local
from pipeline.review.web.store import ReviewStore

HERE = Path(__file__).resolve().parent
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")


def is_loopback(host: str) -> bool:
    return host in LOOPBACK_NAMES or host.startswith("127.")


class _App(Flask):
    def log_exception(self, exc_info) -> None:
        """One line on the server's stderr, never a traceback."""
        logging.getLogger("outreach.review").error("internal error on %s %s: %r", request.method, request.path,
                                                   exc_info[1])


def create_app(store: ReviewStore, *, token: str | None = None, password: str | None = None,
               loopback: bool = True, secret: bytes | None = None) -> Flask:
    """The WSGI app for ``store``. ``loopback=False`` (listening beyond 127.0.0.1) needs a
    ``token`` or a ``password``; :class:`ValueError` otherwise."""
    if not loopback and not (token or password):
        raise ValueError("the review app must not listen beyond loopback without a token or a password")
    app = _App(__name__, template_folder=str(HERE / "templates"), static_folder=str(HERE / "static"),
                static_url_path="/static")
    app.config.update(MAX_CONTENT_LENGTH=1 << 20, TEMPLATES_AUTO_RELOAD=False)
    app.jinja_env.autoescape = True  # every template, whatever its suffix
    app.extensions["outreach_store"] = store
    app.jinja_env.globals["source_language"] = store.settings.source_language
    key = secret or secrets.token_bytes(32)
    access_value = _digest(key, "access", token or password or "")

    @app.before_request
    def _guard():
        g.new_csrf = None
        hostname = (urlsplit(f"//{request.host}").hostname or "").lower()
        if loopback and not is_loopback(hostname):
            abort(400, "this review server only answers to 127.0.0.1 and localhost")
        if token or password:
            allowed = hmac.compare_digest(request.cookies.get(ACCESS_COOKIE, ""), access_value)
            given = request.args.get("token", "")
            if not allowed and token and given and hmac.compare_digest(given.encode(), token.encode()):
                args = {k: v for k, v in request.args.items() if k != "token"}
                target = request.path + ("?" + urlencode(args) if args else "")
                response = redirect(safe_local(target), 303)
                response.set_cookie(ACCESS_COOKIE, access_value, httponly=True, samesite="Strict")
                return response
            if not allowed and password:
                auth = request.authorization
                supplied = (auth.password or "") if auth is not None and auth.type == "basic" else ""
                if hmac.compare_digest(supplied.encode(), password.encode()):
                    g.set_access = True
                    allowed = True
                else:
                    return Response("The review server wants its password.", 401,
                                    {"WWW-Authenticate": 'Basic realm="outreach review", charset="UTF-8"'})
            if not allowed:
                abort(403, "this review server wants the token from the address it printed")
        csrf = request.cookies.get(CSRF_COOKIE, "")
        if len(csrf) < 20:
            csrf = secrets.token_urlsafe(24)
            g.new_csrf = csrf
        g.csrf = _digest(key, "csrf", csrf)
        if request.method == "POST":
            if not _same_origin():
                abort(403, "the form was not sent from this review page (Origin/Referer check)")
            sent = request.form.get("csrf", "")
            if g.new_csrf is not None or not hmac.compare_digest(sent, g.csrf):
                abort(403, "the form has expired or was not sent from this page (CSRF check); reload the page")
        g.reviewer = read_reviewer(request.cookies.get(NAME_COOKIE, ""))

    @app.after_request
    def _headers(response: Response) -> Response:
        if getattr(g, "new_csrf", None):
            response.set_cookie(CSRF_COOKIE, g.new_csrf, httponly=True, samesite="Strict")
        if getattr(g, "set_access", False):
            response.set_cookie(ACCESS_COOKIE, access_value, httponly=True, samesite="Strict")
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if response.mimetype == "text/html":
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.errorhandler(400)
    @app.errorhandler(403)
    @app.errorhandler(404)
    @app.errorhandler(405)
    @app.errorhandler(413)
    def _error(exc):
        return render_template("error.html", code=exc.code, message=exc.description), exc.code

    app.register_blueprint(routes.blueprint)
    return app


def _digest(key: bytes, purpose: str, value: str) -> str:
    return hmac.new(key, f"{purpose}:{value}".encode("utf-8"), hashlib.sha256).hexdigest()


def _same_origin() -> bool:
    """The request comes from a page of this server: Origin (or, without one, Referer) names our host."""
    origin = request.headers.get("Origin")
    if origin is None or origin == "null":
        origin = request.headers.get("Referer")
        if origin is None or origin == "null":
            return False
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and parts.netloc.lower() == request.host.lower()

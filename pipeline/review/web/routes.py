"""The pages of the review app: documents, one catalogue, saving an entry, the reviewer's name.

Every page works without JavaScript (plain forms, POST then redirect);
``static/review.js`` only adds keyboard shortcuts and a warning about unsaved
text.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for

from pipeline.catalogs import catalog
from pipeline.errors import OutreachError
from pipeline.lock import LockError
from pipeline.review.report import language_name
from pipeline.review.web import store as stores
from pipeline.review.web.cookies import NAME_COOKIE, reviewer_cookie, safe_local

blueprint = Blueprint("review", __name__)
SHOW = ("todo", "all")
ACTION_DONE = {stores.ACCEPT: "accepted", stores.DRAFT: "saved as a draft", stores.REVERT: "handed back to the machine"}


def _store() -> stores.ReviewStore:
    return current_app.extensions["outreach_store"]


@blueprint.app_context_processor
def _helpers():
    return {"csrf": getattr(g, "csrf", "")}


def state_class(state: str) -> str:
    return "s-" + state.replace(" ", "-")


@blueprint.record_once
def _globals(setup) -> None:
    setup.app.jinja_env.globals.update(language_name=language_name, state_class=state_class, states=catalog.STATES)


def _needs_name():
    if g.get("reviewer") is None:
        here = request.full_path.rstrip("?")
        return redirect(url_for("review.name", next=here), 303)
    return None


@blueprint.get("/")
def index():
    wanted = _needs_name()
    if wanted:
        return wanted
    store = _store()
    lang = request.args.get("lang", "")
    if lang and lang not in store.languages:
        abort(404, f"no language {lang!r} in this workspace")
    overview = store.overview()
    languages = (lang,) if lang else overview.languages
    return render_template("index.html", overview=overview, languages=languages, lang=lang)


@blueprint.route("/name", methods=["GET", "POST"])
def name():
    target = safe_local(request.values.get("next", "/"))
    if request.method == "POST":
        given = stores.reviewer_header(request.form.get("name", ""))
        email = request.form.get("email", "").strip()
        if not given:
            return render_template("name.html", next=target, error="Please type your name.",
                                   email=email), 400
        if email and ("@" not in email or len(email) > 120 or any(ch.isspace() for ch in email)):
            return render_template("name.html", next=target, error="That does not look like an e-mail address.",
                                   name_value=given, email=email), 400
        response = redirect(target, 303)
        response.set_cookie(NAME_COOKIE, reviewer_cookie(given, email), max_age=365 * 24 * 3600,
                            httponly=True, samesite="Strict")
        return response
    current = g.get("reviewer") or {}
    return render_template("name.html", next=target, name_value=current.get("name", ""),
                           email=current.get("email", ""))


@blueprint.get("/doc/<lang>/<path:doc_id>")
def document(lang: str, doc_id: str):
    wanted = _needs_name()
    if wanted:
        return wanted
    store = _store()
    view = _document_or_404(store, doc_id, lang)
    show = request.args.get("show", "todo")
    if show not in SHOW:
        show = "todo"
    shown = [e for e in view.entries if show == "all" or e.needs_work]
    focus = request.args.get("focus") or next((e.id for e in shown), None)
    saved = view.find(request.args.get("saved", ""))
    done = ACTION_DONE.get(request.args.get("done", ""))
    return render_template("document.html", view=view, entries=shown, show=show, focus=focus,
                           saved=saved, done=done, languages=store.languages,
                           action=url_for("review.save", lang=lang, doc_id=doc_id))


@blueprint.post("/doc/<lang>/<path:doc_id>")
def save(lang: str, doc_id: str):
    store = _store()
    try:
        store.catalogue_path(doc_id, lang)
    except stores.UnknownDocument as exc:
        abort(404, exc.message)
    reviewer = g.get("reviewer")
    if reviewer is None:
        abort(403, "tell the app your name first (open the start page), then save again")
    form = request.form
    show = form.get("show", "todo") if form.get("show") in SHOW else "todo"
    entry, action, text = form.get("entry", ""), form.get("action", ""), form.get("text", "")
    context = {"lang": lang, "doc_id": doc_id, "show": show, "text": text,
               "action": url_for("review.save", lang=lang, doc_id=doc_id)}
    try:
        result = store.save(doc_id, lang, entry, action=action, text=text, seen=form.get("seen", ""),
                            reviewer=stores.reviewer_header(reviewer["name"], reviewer["email"]),
                            confirmed=form.get("confirm") == "1")
    except LockError as exc:
        return render_template("busy.html", message=str(exc), entry=entry, seen=form.get("seen", ""),
                               **context), 503
    except stores.BadRequest as exc:
        abort(400, exc.message)
    except stores.UnknownDocument as exc:
        abort(404, exc.message)
    if result.outcome == stores.CONFLICT:
        return render_template("conflict.html", result=result, entry=entry, **context), 409
    if result.outcome == stores.CONFIRM:
        return render_template("confirm.html", result=result, **context), 200
    following = result.document.next_needing_work(entry)
    query = {"show": show, "saved": entry, "done": action}
    if following is not None:
        query["focus"] = following.id
    # No "#fragment" when an entry is to get the focus: browsers skip autofocus on a page opened at a fragment.
    anchor = "" if following is not None else f"#{entry}"
    return redirect(url_for("review.document", lang=lang, doc_id=doc_id) + "?" + urlencode(query) + anchor, 303)


def _document_or_404(store: stores.ReviewStore, doc_id: str, lang: str) -> stores.DocumentView:
    try:
        return store.document(doc_id, lang)
    except stores.UnknownDocument as exc:
        abort(404, exc.message)


@blueprint.app_errorhandler(OutreachError)
def _outreach_error(exc: OutreachError):
    return render_template("error.html", code=500, message=str(exc)), 500


@blueprint.app_errorhandler(500)
def _internal_error(exc):
    original = getattr(exc, "original_exception", None) or exc
    return render_template("error.html", code=500, message="internal error: " + type(original).__name__
                           + " (the server's terminal says more)"), 500

"""``outreach review`` over HTTP (Flask's test client): pages, saving, the write path, conflicts.

Security (token, password, CSRF, origin, traversal, headers) is in test_review_security.py;
the real server in a real browser in test_review_browser.py.
"""

from __future__ import annotations

import re

import polib
import pytest

from pipeline import lock
from pipeline.catalogs import catalog, pofile
from pipeline.review.web.store import entry_id
from review_app import DOC, INJECTED, Forms, client, drafted_workspace, page, po_path, post
from workspace import invoke, msgfmt_check


@pytest.fixture()
def ws(tmp_path):
    return drafted_workspace(tmp_path)


def entries(ws, lang="uk"):
    return {e.msgid: e for e in pofile.read_catalog(po_path(ws, lang)).active}


def blocks(path):
    """The entry blocks of a .po file (header dropped), by msgid, as bytes."""
    found = {}
    for block in path.read_bytes().split(b"\n\n")[1:]:
        msgid = polib.pofile(("msgid \"\"\nmsgstr \"\"\n\n" + block.decode()), wrapwidth=79)[0].msgid
        found[msgid] = block
    return found


def form_for(forms: Forms, msgid: str) -> dict:
    return forms.forms[entry_id(catalog.Entry(msgid=msgid))]


FIRST = "Warsztaty w bibliotece"
INVITE = "Zapraszamy na bezpłatne warsztaty komputerowe w naszej bibliotece w każdą środę o 10:00."
SIGNUP = "Zapisy: https://biblioteka.example.org/zapisy lub tel. 22 123 45 67."
NAME = "Spotkania prowadzi Fundacja Cyfrowy Most."


# ---------------------------------------------------------------- pages

def test_first_visit_asks_for_the_name_once_and_keeps_it_in_a_cookie(ws):
    c = client(ws, name=None)
    first = c.get("/")
    assert first.status_code == 303 and first.headers["Location"].startswith("/name?next=/")
    form = c.get("/name?next=/doc/uk/warsztaty")
    assert form.status_code == 200 and 'autocomplete="name"' in form.get_data(as_text=True)
    csrf = Forms(form.get_data(as_text=True)).named("input")[0]["value"]
    empty = c.post("/name", data={"csrf": csrf, "name": "  ", "next": "/"}, headers={"Origin": "http://localhost"})
    assert empty.status_code == 400
    sent = c.post("/name", data={"csrf": csrf, "name": "Olena\nX-Evil: 1", "email": "", "next": "/doc/uk/warsztaty"},
                  headers={"Origin": "http://localhost"})
    assert sent.status_code == 303 and sent.headers["Location"] == "/doc/uk/warsztaty"
    assert "HttpOnly" in sent.headers["Set-Cookie"] and "SameSite=Strict" in sent.headers["Set-Cookie"]
    again = c.get("/")
    assert again.status_code == 200 and "Reviewing as <strong>Olena X-Evil: 1</strong>" in again.get_data(as_text=True)
    elsewhere = c.post("/name", data={"csrf": csrf, "name": "A", "next": "//evil.example/"},
                       headers={"Origin": "http://localhost"})
    assert elsewhere.headers["Location"] == "/"  # no open redirect


def test_documents_page_shows_completeness_per_language(ws):
    c = client(ws)
    html = c.get("/").get_data(as_text=True)
    assert f'href="/doc/en/{DOC}"' in html and f'href="/doc/uk/{DOC}"' in html
    assert "0% reviewed (0/5) · 5 drafts" in html
    only = c.get("/?lang=uk").get_data(as_text=True)
    assert f'href="/doc/uk/{DOC}"' in only and f'href="/doc/en/{DOC}"' not in only
    assert c.get("/?lang=xx").status_code == 404


def test_document_page_shows_source_pivot_state_glossary_and_qa(ws):
    c = client(ws)
    forms = page(c)
    assert len(forms.forms) == 5
    html = c.get(f"/doc/uk/{DOC}?show=all").get_data(as_text=True)
    assert html.count('class="state s-machine-draft"') >= 5
    # The English pivot of each Ukrainian entry, with its state.
    assert "[en] bibliotece w Warsztaty" in html and "English (the machine translated through it)" in html
    assert "glossary: biblioteka → uk: бібліотека" in html
    assert "do not translate: Fundacja Cyfrowy Most" in html
    # QA: the fake Ukrainian keeps the Polish word, not the prescribed бібліотека.
    assert "should be translated as &#39;бібліотека&#39;" in html
    # Every text field has a label and the textarea keeps the msgstr as written.
    labels = {a["for"] for a in forms.named("label")}
    assert {f"t-{i}" for i in forms.forms} <= labels
    assert form_for(forms, FIRST)["text"] == "[uk] Warsztaty w bibliotece [en]"
    # English has no pivot column.
    assert "the machine translated through it" not in c.get(f"/doc/en/{DOC}").get_data(as_text=True)


def test_everything_from_sources_and_catalogues_is_escaped(ws):
    html = client(ws).get(f"/doc/uk/{DOC}?show=all").get_data(as_text=True)
    parsed = Forms(html)
    assert [a.get("src") for a in parsed.named("script")] == ["/static/review.js"]
    assert not parsed.named("img")
    assert "&lt;script&gt;document.title=&#39;PWNED&#39;&lt;/script&gt;" in html
    assert INJECTED in "".join(parsed.text)
    assert not any("style" in attrs or any(k.startswith("on") for k in attrs) for _, attrs in parsed.tags)


def test_filters_needs_work_and_all(ws):
    c = client(ws)
    form = form_for(page(c), FIRST)
    assert post(c, form, "accept", "Майстер-класи в бібліотеці").status_code == 303
    todo = page(c, show="todo")
    assert len(todo.forms) == 4 and entry_id(catalog.Entry(msgid=FIRST)) not in todo.forms
    assert len(page(c, show="all").forms) == 5
    assert len(page(c, show="bogus").forms) == 4  # unknown filter: the default


# ---------------------------------------------------------------- the write path

def test_accept_writes_a_reviewed_entry_and_leaves_every_other_entry_byte_identical(ws):
    path = po_path(ws)
    c = client(ws)
    form = form_for(page(c), NAME)
    before = blocks(path)
    response = post(c, form, "accept", "Зустрічі проводить Fundacja Cyfrowy Most.")
    assert response.status_code == 303
    assert "saved=" in response.headers["Location"] and "done=accept" in response.headers["Location"]
    after = blocks(path)
    assert {k: v for k, v in after.items() if k != NAME} == {k: v for k, v in before.items() if k != NAME}
    saved = entries(ws)[NAME]
    assert catalog.entry_state(saved) == catalog.REVIEWED
    assert saved.msgstr == "Зустрічі проводить Fundacja Cyfrowy Most."
    assert not any(catalog.is_state_comment(line) for line in saved.extracted)
    assert "do not translate: Fundacja Cyfrowy Most" in saved.extracted  # template notes stay
    cat = pofile.read_catalog(path)
    assert cat.header_value("Last-Translator") == "Olena Kowalenko <olena@example.org>"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d\+0000", cat.header_value("PO-Revision-Date"))
    msgfmt_check(path)
    # Byte-stable: what run would write for the same content.
    assert pofile.format_catalog(cat).encode() == path.read_bytes()
    # The next page tells what happened and moves the focus to the next entry needing work.
    flash = c.get(response.headers["Location"]).get_data(as_text=True)
    assert "Entry 5 accepted" in flash and "autofocus" in flash
    # status counts it; a later run keeps it.
    assert invoke(ws, "run", "--engine", "fake").exit_code == 0
    assert entries(ws)[NAME].msgstr == "Зустрічі проводить Fundacja Cyfrowy Most."
    status = invoke(ws, "status", "--json")
    assert '"translated": 1' in status.stdout


def test_save_as_draft_makes_a_human_draft_that_runs_keep(ws):
    c = client(ws)
    machine = entries(ws)[INVITE].msgstr
    form = form_for(page(c), INVITE)
    # Even the machine's own text, saved as a draft, is then a human's.
    assert post(c, form, "draft", machine).status_code == 303
    saved = entries(ws)[INVITE]
    assert saved.fuzzy and saved.msgstr == machine
    assert catalog.entry_state(saved) == catalog.HUMAN_DRAFT
    form = form_for(page(c), INVITE)
    assert post(c, form, "draft", "Запрошуємо на безкоштовні майстер-класи у бібліотеці щосереди о 10:00.").status_code == 303
    assert catalog.entry_state(entries(ws)[INVITE]) == catalog.HUMAN_DRAFT
    assert invoke(ws, "run", "--engine", "fake").exit_code == 0
    kept = entries(ws)[INVITE]
    assert kept.msgstr.startswith("Запрошуємо") and catalog.entry_state(kept) == catalog.HUMAN_DRAFT
    msgfmt_check(po_path(ws))


def test_revert_hands_the_entry_back_to_the_machine(ws):
    c = client(ws)
    form = form_for(page(c), SIGNUP)
    assert "revert" not in form["buttons"]  # a machine draft is already the machine's
    post(c, form, "draft", "Запис: https://biblioteka.example.org/zapisy або тел. 22 123 45 67.")
    form = form_for(page(c), SIGNUP)
    assert "revert" in form["buttons"]
    assert post(c, form, "revert").status_code == 303
    assert catalog.entry_state(entries(ws)[SIGNUP]) == catalog.UNTRANSLATED
    # A reviewed translation is not dropped by one click (not even by a hand-made form).
    post(c, form_for(page(c), FIRST), "accept", "Майстер-класи в бібліотеці")
    reviewed = form_for(page(c), FIRST)
    assert "revert" not in reviewed["buttons"]
    assert post(c, reviewed, "revert").status_code == 303
    assert entries(ws)[FIRST].translated
    assert invoke(ws, "run", "--engine", "fake").exit_code == 0
    assert catalog.entry_state(entries(ws)[SIGNUP]) == catalog.MACHINE_DRAFT


def test_an_error_level_finding_asks_before_accepting(ws):
    path = po_path(ws)
    c = client(ws)
    form = form_for(page(c), SIGNUP)
    before = path.read_bytes()
    wrong = "Запис: https://biblioteka.example.org/zapisy або тел. 22 123 45 00."
    asked = post(c, form, "accept", wrong)
    assert asked.status_code == 200 and path.read_bytes() == before
    html = asked.get_data(as_text=True)
    assert "Accept entry 4 with errors?" in html and "qa-phone" in html
    confirm = Forms(html).forms[form["fields"]["entry"]]
    assert confirm["fields"]["confirm"] == "1" and confirm["text"] == wrong
    assert post(c, confirm, "accept").status_code == 303
    assert entries(ws)[SIGNUP].msgstr == wrong and entries(ws)[SIGNUP].translated
    # A draft with the same error is saved without asking.
    other = form_for(page(c), INVITE)
    assert post(c, other, "draft", "Запрошуємо щосереди о 11:00.").status_code == 303


def test_bad_forms_are_refused(ws):
    c = client(ws)
    form = form_for(page(c), FIRST)
    assert post(c, form, "accept", "   ").status_code == 400
    assert post(c, form, "publish").status_code == 400
    nobody = client(ws, name=None)
    forms = page(client(ws))
    assert post(nobody, form_for(forms, INVITE), "draft", "x").status_code == 403


# ---------------------------------------------------------------- concurrency

def test_a_changed_entry_is_a_conflict_showing_both_texts_never_an_overwrite(ws):
    path = po_path(ws)
    c = client(ws)
    form = form_for(page(c), FIRST)
    po = polib.pofile(str(path))  # Poedit saves the same entry meanwhile
    po.find(FIRST).msgstr = "Майстер-класи в бібліотеці (Poedit)"
    po.save()
    theirs = path.read_bytes()
    response = post(c, form, "accept", "Майстер-класи в бібліотеці (браузер)")
    assert response.status_code == 409 and path.read_bytes() == theirs
    html = response.get_data(as_text=True)
    assert "Майстер-класи в бібліотеці (Poedit)" in html and "Майстер-класи в бібліотеці (браузер)" in html
    # Saving from the conflict view is a deliberate choice: it now carries their version.
    again = Forms(html).forms[form["fields"]["entry"]]
    assert post(c, again, "accept").status_code == 303
    assert entries(ws)[FIRST].msgstr == "Майстер-класи в бібліотеці (браузер)"


def test_two_browsers_editing_different_entries_both_keep_their_work(ws):
    one, two = client(ws, name="Olena"), client(ws, name="Taras")
    seen_by_one, seen_by_two = page(one), page(two)
    assert post(one, form_for(seen_by_one, FIRST), "accept", "Майстер-класи в бібліотеці").status_code == 303
    assert post(two, form_for(seen_by_two, INVITE), "draft", "Запрошуємо щосереди о 10:00.").status_code == 303
    now = entries(ws)
    assert now[FIRST].msgstr == "Майстер-класи в бібліотеці" and now[FIRST].translated
    assert now[INVITE].msgstr == "Запрошуємо щосереди о 10:00." and now[INVITE].fuzzy
    assert pofile.read_catalog(po_path(ws)).header_value("Last-Translator") == "Taras <olena@example.org>"
    msgfmt_check(po_path(ws))


def test_a_poedit_save_of_other_entries_and_a_run_meanwhile_lose_nothing(ws):
    path = po_path(ws)
    c = client(ws)
    forms = page(c)
    po = polib.pofile(str(path), wrapwidth=40)  # re-wrapped, another entry reviewed
    po.find(SIGNUP).msgstr = "Запис: https://biblioteka.example.org/zapisy або тел. 22 123 45 67."
    po.find(SIGNUP).flags.remove("fuzzy")
    po.wrapwidth = 40
    po.save()
    assert invoke(ws, "run", "--engine", "fake").exit_code == 0  # and a run, too
    assert post(c, form_for(forms, FIRST), "accept", "Майстер-класи в бібліотеці").status_code == 303
    now = entries(ws)
    assert now[SIGNUP].translated and now[SIGNUP].msgstr.startswith("Запис:")
    assert now[FIRST].translated


def test_an_entry_whose_paragraph_is_gone_is_a_conflict(ws):
    c = client(ws)
    form = form_for(page(c), FIRST)
    source = ws / "source_texts" / f"{DOC}.md"
    source.write_text(source.read_text(encoding="utf-8").replace("Warsztaty w bibliotece", "Kurs dla seniorów"),
                      encoding="utf-8")
    assert invoke(ws, "run", "--engine", "fake").exit_code == 0
    response = post(c, form, "accept", "Майстер-класи в бібліотеці")
    assert response.status_code == 409 and "no longer in" in response.get_data(as_text=True)


def test_a_stale_entry_shows_the_previous_source_and_a_word_diff(ws):
    c = client(ws)
    accepted = post(c, form_for(page(c), INVITE), "accept", "Запрошуємо на майстер-класи в бібліотеці щосереди о 10:00.")
    assert accepted.status_code == 303
    source = ws / "source_texts" / f"{DOC}.md"
    source.write_text(source.read_text(encoding="utf-8").replace("w każdą środę", "w każdy czwartek"), encoding="utf-8")
    assert invoke(ws, "run", "--engine", "fake").exit_code == 0
    html = c.get(f"/doc/uk/{DOC}").get_data(as_text=True)
    assert 'class="state s-stale"' in html and "The source changed. Before it said:" in html
    assert ("<del><span class=\"sr\">[removed: </span>każdą środę<span class=\"sr\">]</span></del>"
            "<ins><span class=\"sr\">[added: </span>każdy czwartek<span class=\"sr\">]</span></ins>") in html
    new = INVITE.replace("w każdą środę", "w każdy czwartek")
    again = post(c, form_for(page(c), new), "accept", "Запрошуємо на майстер-класи в бібліотеці щочетверга о 10:00.")
    assert again.status_code == 303
    assert catalog.entry_state(entries(ws)[new]) == catalog.REVIEWED


def test_a_busy_workspace_keeps_the_text_and_writes_nothing(ws):
    path = po_path(ws)
    c = client(ws, lock_timeout=0.0)
    form = form_for(page(c), FIRST)
    before = path.read_bytes()
    with lock.acquire(ws / ".outreach", wait=False):
        response = post(c, form, "accept", "Майстер-класи в бібліотеці, поки run працює")
    assert response.status_code == 503 and path.read_bytes() == before
    retry = Forms(response.get_data(as_text=True))
    assert retry.forms[form["fields"]["entry"]]["text"] == "Майстер-класи в бібліотеці, поки run працює"
    assert post(c, retry.forms[form["fields"]["entry"]], "accept").status_code == 303


# ---------------------------------------------------------------- the command

def test_review_command_prints_the_address_and_opens_the_browser(ws, monkeypatch):
    import socket
    import webbrowser

    from pipeline.review.web.server import ReviewServer

    opened = []
    monkeypatch.setattr(webbrowser, "open", lambda url: opened.append(url) or True)
    monkeypatch.setattr(ReviewServer, "run", lambda self: None)  # return at once instead of serving
    result = invoke(ws, "review", "--port", "0", "--open")
    assert result.exit_code == 0, result.stderr
    url = result.stdout.strip()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", url) and opened == [url]
    assert "review server stopped" in result.stderr
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        taken = invoke(ws, "review", "--port", str(port))
    assert taken.exit_code == 2 and f"error: port {port} on 127.0.0.1 is already in use" in taken.stderr
    short = invoke(ws, "review", "--host", "0.0.0.0", "--password", "short")
    assert short.exit_code == 2 and "at least 8 characters" in short.stderr


def test_a_save_during_a_run_waits_for_it_and_then_keeps_what_the_run_wrote(ws):
    import threading

    c = client(ws, lock_timeout=30.0)
    form = form_for(page(c), FIRST)
    held, release = threading.Event(), threading.Event()

    def a_run():  # holds the lock like `outreach run`, and writes another entry before letting go
        with lock.acquire(ws / ".outreach", wait=False):
            held.set()
            release.wait(30)
            po = polib.pofile(str(po_path(ws)))
            po.find(NAME).msgstr = "Зустрічі проводить Fundacja Cyfrowy Most."
            po.save()

    worker = threading.Thread(target=a_run)
    worker.start()
    held.wait(30)
    threading.Timer(0.5, release.set).start()
    response = post(c, form, "accept", "Майстер-класи в бібліотеці")
    worker.join(30)
    assert response.status_code == 303
    now = entries(ws)
    assert now[FIRST].translated and now[NAME].msgstr == "Зустрічі проводить Fundacja Cyfrowy Most."

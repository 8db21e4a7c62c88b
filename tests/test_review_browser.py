"""``outreach review`` for real: the CLI's server on 127.0.0.1, driven by headless Chromium (Playwright).

Playwright drives Debian's ``chromium`` (installed by ``make test``; Playwright's
own browser download is never used). Without a browser or Playwright these
tests are skipped, except on CI (``CI`` set), where that is a failure.
Screenshots (1280×900 and 390×844) are left in the test's temp folder.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys

import pytest

from pipeline.catalogs import catalog, pofile
from review_app import DOC, drafted_workspace, po_path
from workspace import ROOT, default_sigint, invoke, msgfmt_check

BROWSER = next((shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
                if shutil.which(b)), None)
try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - the test extra installs it
    sync_playwright = None

if (BROWSER is None or sync_playwright is None) and os.environ.get("CI"):
    pytest.fail("the review browser test needs chromium and playwright on CI", pytrace=False)
pytestmark = [pytest.mark.client, pytest.mark.skipif(BROWSER is None or sync_playwright is None,
                                reason="Chromium or Playwright not installed (make test installs them)")]

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
INVITE = "Zapraszamy na bezpłatne warsztaty komputerowe w naszej bibliotece w każdą środę o 10:00."
FIRST = "Warsztaty w bibliotece"


@pytest.fixture()
def served(tmp_path):
    """``outreach review --port 0`` on a drafted workspace: (workspace, base URL, process)."""
    ws = drafted_workspace(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "review", "-C", str(ws), "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            preexec_fn=default_sigint)
    url = proc.stdout.readline().strip()
    try:
        assert url.startswith("http://127.0.0.1:") and url.endswith("/"), proc.stderr.read() if not url else url
        yield ws, url.rstrip("/"), proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def entries(ws):
    return {e.msgid: e for e in pofile.read_catalog(po_path(ws)).active}


def give_name(page, base, name):
    page.goto(f"{base}/")
    assert "/name" in page.url
    page.get_by_label("Your name").fill(name)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/")


def test_review_an_entry_with_the_keyboard_and_meet_a_conflict(served, tmp_path):
    ws, base, proc = served
    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=BROWSER, args=CHROMIUM_ARGS, headless=True)
        desk = browser.new_context(viewport={"width": 1280, "height": 900})
        page = desk.new_page()
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        give_name(page, base, "Olena")
        page.screenshot(path=str(tmp_path / "documents-1280.png"))
        page.locator(f'a[href="/doc/uk/{DOC}"]').click()
        page.wait_for_url(f"**/doc/uk/{DOC}")
        assert page.title() != "PWNED"  # the injected paragraph is only text

        # The first entry needing work has the focus; Alt+↓ moves to the next one.
        first_id = page.evaluate("document.activeElement.id")
        assert first_id.startswith("t-e")
        page.keyboard.press("Alt+ArrowDown")
        field = page.evaluate("document.activeElement.id")
        assert field != first_id and page.locator(f"#{field}").get_attribute("lang") == "uk"
        page.keyboard.press("Control+A")
        page.keyboard.type("Запрошуємо на майстер-класи в бібліотеці щосереди о 10:00.")
        page.screenshot(path=str(tmp_path / "editing-1280.png"))
        with page.expect_navigation():
            page.keyboard.press("Control+Enter")
        assert "done=accept" in page.url
        assert page.locator("#flash").inner_text().startswith("Entry 2 accepted")
        # The focus is on the next entry needing work, ready to type.
        assert page.evaluate("document.activeElement.tagName") == "TEXTAREA"
        accepted = entries(ws)[INVITE]
        assert catalog.entry_state(accepted) == catalog.REVIEWED
        assert accepted.msgstr == "Запрошуємо на майстер-класи в бібліотеці щосереди о 10:00."
        msgfmt_check(po_path(ws))
        status = json.loads(invoke(ws, "status", "--json").stdout)
        uk = next(c for c in status["catalogues"] if c["language"] == "uk")
        assert uk["translated"] == 1 and uk["fuzzy"] == 4

        # A second browser opens the same page; the first saves entry 1 meanwhile.
        other = browser.new_context(viewport={"width": 1280, "height": 900})
        second = other.new_page()
        give_name(second, base, "Taras")
        second.goto(f"{base}/doc/uk/{DOC}?show=all")
        page.goto(f"{base}/doc/uk/{DOC}?show=all")
        box = page.get_by_label("Ukrainian translation of entry 1")
        box.fill("Майстер-класи в бібліотеці")
        with page.expect_navigation():
            box.press("Control+S")
        assert catalog.entry_state(entries(ws)[FIRST]) == catalog.HUMAN_DRAFT
        theirs = second.get_by_label("Ukrainian translation of entry 1")
        theirs.fill("Заняття в бібліотеці")
        with second.expect_navigation():
            theirs.press("Control+Enter")
        assert second.get_by_role("heading", level=1).inner_text() == "Someone else changed this entry meanwhile"
        body = second.locator("main").inner_text()
        assert "Майстер-класи в бібліотеці" in body
        assert second.get_by_label("Ukrainian translation of entry 1").input_value() == "Заняття в бібліотеці"
        second.screenshot(path=str(tmp_path / "conflict-1280.png"))
        assert entries(ws)[FIRST].msgstr == "Майстер-класи в бібліотеці"  # nothing overwritten
        # Their own entry 2 work from before is still there, too.
        assert entries(ws)[INVITE].translated

        # A phone: 390 px wide, no sideways scrolling.
        phone = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                    has_touch=True)
        small = phone.new_page()
        give_name(small, base, "Iryna")
        small.screenshot(path=str(tmp_path / "documents-390.png"))
        small.goto(f"{base}/doc/uk/{DOC}?show=all")
        width = small.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert width[0] <= width[1] == 390
        small.screenshot(path=str(tmp_path / "document-390.png"))
        small.screenshot(path=str(tmp_path / "document-390-full.png"), full_page=True)
        browser.close()
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p], problems
    assert not problems, problems

    # Ctrl+C is how a server ends: exit 0.
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0 and "review server stopped" in err
    assert "Traceback" not in err


HOURS = "# Godziny otwarcia\n\nBiblioteka jest czynna od poniedziałku do piątku w godzinach 10:00–18:00.\n"
REVIEWED = {
    "en": ["Opening hours", "The library is open from Monday to Friday from 10:00 to 18:00."],
    "uk": ["Години роботи", "Бібліотека працює з понеділка до п'ятниці з 10:00 до 18:00."],
}


@pytest.mark.slow
def test_a_new_reviewer_finishes_an_announcement_and_check_and_build_agree(tmp_path):
    from workspace import make_workspace

    ws = make_workspace(tmp_path, {"source_texts/godziny.md": HOURS})
    assert invoke(ws, "run", "--engine", "fake").exit_code == 0
    assert invoke(ws, "check").exit_code == 1
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "review", "-C", str(ws), "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        base = proc.stdout.readline().strip().rstrip("/")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=BROWSER, args=CHROMIUM_ARGS, headless=True)
            page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
            give_name(page, base, "Ołena")
            for lang, texts in REVIEWED.items():
                page.goto(f"{base}/doc/{lang}/godziny")
                for text in texts:  # the cursor is always in the next entry that needs work
                    assert page.evaluate("document.activeElement.tagName") == "TEXTAREA"
                    page.keyboard.press("Control+A")
                    page.keyboard.type(text)
                    with page.expect_navigation():
                        page.keyboard.press("Control+Enter")
                assert "Nothing left to do in this document." in page.locator("main").inner_text()
            browser.close()
    finally:
        proc.kill()
        proc.wait()
    assert invoke(ws, "check").exit_code == 0
    assert invoke(ws, "build").exit_code == 0
    built = (ws / "build" / "uk" / "godziny.md").read_text(encoding="utf-8")
    assert built == "# Години роботи\n\nБібліотека працює з понеділка до п'ятниці з 10:00 до 18:00.\n"
    for lang in REVIEWED:
        msgfmt_check(po_path(ws, lang, "godziny"))

"""The reviewer report in a real browser: headless Chromium renders it, we read the DOM back.

Chromium (Debian package ``chromium``) is installed by ``make test`` when
missing. Without it these tests are skipped, except on CI (``CI`` set), where
a missing browser is a failure.
"""

from __future__ import annotations

import html as html_lib
import json
import os
import re
import shutil
import struct
import subprocess
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest

from workspace import invoke, make_workspace, review_all

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
BROWSER = next((shutil.which(b) for b in BROWSERS if shutil.which(b)), None)

if BROWSER is None and os.environ.get("CI"):
    pytest.fail("headless Chromium is required on CI (apt-get install chromium)", pytrace=False)
pytestmark = [pytest.mark.client, pytest.mark.skipif(BROWSER is None, reason="Chromium not installed (make test installs it)")]

INJECTED = ("Uwaga: <script>document.title='PWNED'</script> oraz "
            "<img src=x onerror=\"document.title='PWNED2';document.body.innerHTML=''\"> i \"cudzysłów\" & znak.")
NOTICE = f"""\
# Ogłoszenie

{INJECTED}

Zapraszamy wszystkich chętnych na bezpłatne warsztaty językowe w naszej bibliotece. Spotkania odbywają się w każdą środę.

Запрошуємо всіх охочих на безкоштовні мовні майстер-класи в нашій бібліотеці. Зустрічі відбуваються щосереди.

Kontakt: biblioteka@example.org, tel. 22 123 45 67.
"""
TITLE = "Translation report — outreach"


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    command = [BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--no-first-run", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
               f"--user-data-dir={profile}", *args]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "HOME": str(tmp_path)})
    assert result.returncode == 0, result.stderr[-2000:]
    return result


class Dom(HTMLParser):
    """What the rendered DOM holds: elements, cells per document/language/state, the title and texts."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: Counter[str] = Counter()
        self.cells: Counter[tuple[str, str, str]] = Counter()
        self.title = ""
        self.text: list[str] = []
        self.injected_cell_tags: Counter[str] = Counter()
        self._doc = None
        self._in_title = False
        self._stack: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags[tag] += 1
        if tag == "section" and "data-doc" in attrs:
            self._doc = attrs["data-doc"]
        if tag == "td" and "data-state" in attrs:
            self.cells[(self._doc, attrs["data-lang"], attrs["data-state"])] += 1
        if tag == "title":
            self._in_title = True
        if self._doc == "ogloszenie":
            self.injected_cell_tags[tag] += 1

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        self.text.append(data)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("browser")
    ws = make_workspace(tmp_path, {"source_texts/ogloszenie.md": NOTICE}, samples=True)
    assert invoke(ws, "run", "--engine", "fake", "-q").exit_code == 0
    # Reviewers at work: one document reviewed in English, then a paragraph of it changes
    # (its old translation becomes stale) ...
    review_all(ws / "locales/en/LC_MESSAGES/godziny-otwarcia.po")
    review_all(ws / "locales/uk/LC_MESSAGES/zbiorka-darow.po")
    source = ws / "source_texts/godziny-otwarcia.txt"
    source.write_text(source.read_text(encoding="utf-8").replace("nieczynna.", "zamknięta."), encoding="utf-8")
    assert invoke(ws, "run", "--engine", "fake", "-q").exit_code == 0
    # ... one draft is edited by hand, one is emptied.
    po = polib.pofile(str(ws / "locales/en/LC_MESSAGES/ogloszenie.po"))
    po[0].msgstr = "Notice (reviewer's draft)"
    po[2].msgstr = ""
    po.save()
    status = json.loads(invoke(ws, "status", "--json").stdout)
    result = invoke(ws, "report")
    assert result.exit_code == 0, result.stderr
    page = ws / "build/report.html"
    dom = chromium(tmp_path, "--dump-dom", page.as_uri()).stdout
    shot = tmp_path / "report.png"
    chromium(tmp_path, f"--screenshot={shot}", "--window-size=1280,2000", "--hide-scrollbars", page.as_uri())
    return {"ws": ws, "status": status, "dom": Dom(dom), "html": dom, "shot": shot}


def test_rendered_entries_and_states_match_status(rendered):
    dom, status = rendered["dom"], rendered["status"]
    states = {state for (_, _, state) in dom.cells}
    assert {"reviewed", "machine draft", "human draft", "copied", "stale", "untranslated"} <= states
    for cat in status["catalogues"]:
        cells = {state: n for (doc, lang, state), n in dom.cells.items()
                 if doc == cat["document"] and lang == cat["language"]}
        assert sum(cells.values()) == cat["entries"], cat
        assert cells.get("reviewed", 0) == cat["translated"], cat
        assert cells.get("untranslated", 0) == cat["untranslated"], cat
        assert sum(n for s, n in cells.items() if s not in ("reviewed", "untranslated")) == cat["fuzzy"], cat
    assert sum(dom.cells.values()) == status["total"]["entries"]


def test_injected_paragraph_is_text_and_ran_nothing(rendered):
    dom = rendered["dom"]
    assert dom.title == TITLE                       # no script changed the title
    assert dom.tags["script"] == 0 and dom.tags["img"] == 0 and dom.tags["iframe"] == 0
    assert set(dom.injected_cell_tags) <= {"section", "h2", "p", "span", "table", "thead", "tbody", "tr", "th", "td",
                                           "div", "ul", "li", "wbr"}
    text = "".join(dom.text)
    assert INJECTED in text                         # shown as written
    assert "PWNED" not in dom.title and dom.tags["section"] >= 5  # the body was not wiped


def test_screenshot_is_saved(rendered):
    shot = rendered["shot"]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1280, 2000)
    assert len(data) > 50_000  # a real page, not a blank one


# ---------------------------------------------------------------- a phone (390 × 844) and a desktop

#: A frame of the wanted size around the report (headless Chromium's window cannot be narrower
#: than 500 px, a frame can), and a script that measures the report laid out in it: how wide it
#: is, which elements stick out, and which words of the texts wrap in their middle (a word
#: whose range lies on more than one line). The report itself keeps its CSP: no script in it.
_FRAME = """<!DOCTYPE html><html><body style="margin:0;background:#444">
<iframe id="f" src="%(src)s" style="display:block;border:0;background:#fff;width:%(w)dpx;height:%(h)dpx"></iframe>
<script>
document.getElementById("f").addEventListener("load", () => {
  const frame = document.getElementById("f"), doc = frame.contentDocument, win = frame.contentWindow;
  const width = doc.documentElement.clientWidth, wide = [], broken = [];
  for (const el of doc.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width && (box.right > width + 0.5 || box.left < -0.5))
      wide.push(el.tagName + "." + el.className + " " + Math.round(box.left) + ".." + Math.round(box.right));
  }
  for (const el of doc.querySelectorAll(".text, .muted, .findings li, h1, h2")) {
    const walker = doc.createTreeWalker(el, win.NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const m of node.data.matchAll(/\\S+/g)) {
        if (m[0].length > 30) continue;  // a URL may have to wrap
        const range = doc.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        if (new Set([...range.getClientRects()].map(r => Math.round(r.top))).size > 1) broken.push(m[0]);
      }
    }
  }
  const out = document.createElement("pre");
  out.id = "measured";
  out.textContent = JSON.stringify({width, scroll: doc.documentElement.scrollWidth, wide, broken});
  document.body.append(out);
});
</script></body></html>"""


def _framed(tmp_path: Path, page: Path, width: int, height: int) -> tuple[Path, list[str]]:
    frame = tmp_path / f"frame-{width}.html"
    frame.write_text(_FRAME % {"src": page.as_uri(), "w": width, "h": height}, encoding="utf-8")
    args = ["--allow-file-access-from-files", f"--window-size={max(width, 500)},{height}",
            "--force-device-scale-factor=1", "--hide-scrollbars"]
    return frame, args


def _measured(tmp_path: Path, page: Path, width: int, height: int) -> dict:
    frame, args = _framed(tmp_path, page, width, height)
    dom = chromium(tmp_path, "--dump-dom", *args, frame.as_uri()).stdout
    found = re.search(r'<pre id="measured">(.*?)</pre>', dom, re.S)
    assert found, dom[-2000:]
    return json.loads(html_lib.unescape(found.group(1)))


@pytest.mark.parametrize("width, height", [(390, 844), (1280, 900)])
def test_report_fits_the_screen_without_sideways_scroll(rendered, tmp_path, width, height):
    page = rendered["ws"] / "build/report.html"
    measured = _measured(tmp_path, page, width, height)
    assert measured["width"] == width
    assert measured["scroll"] <= width, measured
    assert measured["wide"] == [], measured["wide"][:10]
    assert measured["broken"] == [], measured["broken"][:10]
    shot = tmp_path / f"report-{width}.png"
    frame, args = _framed(tmp_path, page, width, height)
    chromium(tmp_path, f"--screenshot={shot}", *args, frame.as_uri())
    data = shot.read_bytes()
    assert struct.unpack(">II", data[16:24]) == (max(width, 500), height)  # the frame, at the left
    keep = os.environ.get("OUTREACH_SCREENSHOTS")
    if keep:  # look at them: OUTREACH_SCREENSHOTS=/tmp/shots pytest tests/test_browser.py
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / shot.name)


def test_phone_layout_labels_every_cell_with_its_language(rendered):
    html = (rendered["ws"] / "build/report.html").read_text(encoding="utf-8")
    cells = re.findall(r'<td class="cell" data-lang="(\w+)" data-state="[^"]*" data-label="([^"]*)"', html)
    assert cells and all(label == {"en": "English (en)", "uk": "Ukrainian (uk)"}[lang] for lang, label in cells)
    assert "overflow-wrap:anywhere" not in html and "word-break:break-all" not in html

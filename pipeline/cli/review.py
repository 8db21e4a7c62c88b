"""``outreach review``: the review app in the browser, for volunteers who will never open Poedit.

Like ``status`` and ``report`` it needs only the light install: the app reads
and writes catalogues and never imports the machine-translation stack.
"""

from __future__ import annotations

import click

from pipeline.cli.options import say, workspace_options
from pipeline.config import Settings


@click.command()
@workspace_options
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything beyond this computer (e.g. 0.0.0.0 for the library's "
                   "network) is protected by a random token in the printed address, or by --password.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on (0: any free port).")
@click.option("--password", envvar="OUTREACH_REVIEW_PASSWORD", default=None, metavar="TEXT",
              help="Ask the browser for this password instead of using a token "
                   "(or set OUTREACH_REVIEW_PASSWORD).")
@click.option("--open", "open_browser", is_flag=True, help="Open the address in the web browser.")
def review(settings: Settings, host, port, password, open_browser):
    """Review the catalogues in a web browser: edit, save as draft, accept.

    Serves the workspace on 127.0.0.1 until Ctrl+C (then exits 0). Saving holds
    the workspace lock and never overwrites an entry someone else changed meanwhile.
    """
    from pipeline.review.web import server as web

    served = web.start(settings, host=host, port=port, password=password)
    for url in served.urls:
        click.echo(url)
    if not served.loopback:
        how = "the password" if served.password else "the token in the address (share it only with reviewers)"
        say(f"listening on {host}:{served.port} for the whole network; access needs {how}")
    say("review server running; press Ctrl+C to stop")
    if open_browser:
        import webbrowser

        if not webbrowser.open(served.local_url):
            say(f"note: could not open a browser; open {served.local_url} yourself")
    try:
        served.run()  # until Ctrl+C (waitress takes the KeyboardInterrupt and returns)
    finally:
        served.close()
    say("review server stopped")

"""Start and stop a REAL LibreTranslate server on 127.0.0.1 for the tests.

LibreTranslate (from PyPI) pulls argostranslate and torch, so it lives in its
own virtualenv, ``.venv-lt/`` (``make lt-venv``), never in the project's
``.venv``. The server serves only the tiny Argos packages built by
``argos_fixture`` (installed with ``pipeline.translate.models.install_archive``), with
HOME/XDG/ARGOS_* pointing into a throw-away folder and the package index on a
closed local port, so it never downloads anything:

* LibreTranslate downloads models at start-up only when fewer than two
  packages are installed (or with ``--update-models``): we install two;
* Argos's sentence splitter (MiniSBD) would download an ONNX model on the
  first translation. The launcher replaces it with "the whole text is one
  sentence" — our engine sends one sentence per ``q`` item anyway.

Without ``.venv-lt`` the tests are skipped, unless ``OUTREACH_REQUIRE_LT=1``
(set by ``make test`` and CI), where they fail.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LT_VENV = Path(os.environ.get("OUTREACH_LT_VENV", ROOT / ".venv-lt"))
LT_PYTHON = LT_VENV / "bin" / "python"
START_TIMEOUT = 120.0

LAUNCHER = """\
import sys
from argostranslate import sbd
# Offline: MiniSBD would download a sentence-splitting model on first use.
sbd.MiniSBDSentencizer.split_sentences = lambda self, text: [text]
from libretranslate.main import main
sys.argv = ["libretranslate", *sys.argv[1:]]
main()
"""


def available() -> str | None:
    """``None`` when the server can be started, else why not."""
    if not LT_PYTHON.exists():
        return f"no LibreTranslate virtualenv at {LT_VENV} (make lt-venv)"
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log: Path
    started_in: float

    def stop(self) -> None:
        """Kill the server's whole process group (it may have worker threads/processes)."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.process.wait(timeout=10)


def start(models_dir: Path, home: Path, *extra_args: str) -> Server:
    """A LibreTranslate server on a free 127.0.0.1 port serving the packages in ``models_dir``."""
    home.mkdir(parents=True, exist_ok=True)
    launcher = home / "launch_libretranslate.py"
    launcher.write_text(LAUNCHER, encoding="utf-8")
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "share"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "ARGOS_PACKAGES_DIR": str(models_dir),
        "ARGOS_PACKAGE_INDEX": "http://127.0.0.1:9/",
        "ARGOS_DEVICE_TYPE": "cpu",
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
        "PYTHONUNBUFFERED": "1",
    }
    log = home / f"server-{port}.log"
    args = [str(LT_PYTHON), str(launcher), "--host", "127.0.0.1", "--port", str(port),
            "--disable-web-ui", "--disable-files-translation", "--threads", "2", *extra_args]
    started = time.monotonic()
    with open(log, "wb") as out:
        process = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   cwd=home, start_new_session=True)
    server = Server(f"http://127.0.0.1:{port}", process, log, 0.0)
    deadline = started + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"LibreTranslate exited with {process.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(server.url + "/languages", timeout=2) as response:
                if json.loads(response.read()):
                    server.started_in = time.monotonic() - started
                    return server
        except (OSError, ValueError):
            pass
        time.sleep(0.3)
    server.stop()
    raise RuntimeError(f"LibreTranslate did not answer within {START_TIMEOUT:.0f} s:\n"
                       f"{log.read_text(errors='replace')[-3000:]}")

"""Serving the review app with waitress (pure Python, threaded, also runs on Windows).

:func:`start` binds the socket (so a port in use is reported before anything
is printed), chooses the access control (:mod:`.app`) and returns a
:class:`ReviewServer` whose :attr:`~ReviewServer.urls` the command prints.
"""

from __future__ import annotations

import errno
import ipaddress
import secrets
import socket
from dataclasses import dataclass, field
from typing import Any

from pipeline.config import Settings
from pipeline.errors import ConfigError, OutreachError
from pipeline.review.web.app import create_app
from pipeline.review.web.store import ReviewStore

THREADS = 4


def loopback_host(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost: the only hosts served without a token."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass
class ReviewServer:
    host: str
    port: int
    token: str | None
    password: bool
    _server: Any = field(repr=False)  # waitress's server

    @property
    def loopback(self) -> bool:
        return loopback_host(self.host)

    @property
    def urls(self) -> list[str]:
        """The addresses to open: one for loopback; the machine's names and addresses otherwise."""
        suffix = f"/?token={self.token}" if self.token else "/"
        if self.loopback:
            name = self.host if ":" not in self.host else f"[{self.host}]"
            return [f"http://{name}:{self.port}{suffix}"]
        hosts = [self.host] if self.host not in ("0.0.0.0", "::", "") else _own_addresses()
        return [f"http://{h if ':' not in h else f'[{h}]'}:{self.port}{suffix}" for h in hosts]

    @property
    def local_url(self) -> str:
        """The address this computer's own browser uses."""
        suffix = f"/?token={self.token}" if self.token else "/"
        host = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(self.host, self.host)
        return f"http://{host if ':' not in host else f'[{host}]'}:{self.port}{suffix}"

    def run(self) -> None:
        self._server.run()

    def close(self) -> None:
        self._server.close()


def _own_addresses() -> list[str]:
    """This machine's name and its IPv4 addresses (from the local resolver: no network traffic)."""
    name = socket.gethostname()
    found = [name]
    try:
        found += [a for a in socket.gethostbyname_ex(name)[2] if not a.startswith("127.")]
    except OSError:
        pass
    return list(dict.fromkeys(found))


def start(settings: Settings, *, host: str = "127.0.0.1", port: int = 8000, password: str | None = None,
          lock_timeout: float = 15.0) -> ReviewServer:
    """Bind ``host:port`` (0: a free port) and return the server, not yet serving."""
    import waitress

    loopback = loopback_host(host)
    if password is not None and len(password) < 8:
        raise ConfigError("--password: use at least 8 characters")
    token = None if loopback or password else secrets.token_urlsafe(18)
    if not loopback:
        assert token or password  # never beyond loopback without access control
    app = create_app(ReviewStore(settings, lock_timeout=lock_timeout), token=token, password=password,
                     loopback=loopback)
    try:
        server = waitress.create_server(app, host=host, port=port, threads=THREADS, ident="outreach review",
                                        clear_untrusted_proxy_headers=True)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise OutreachError(f"port {port} on {host} is already in use; choose another with --port") from None
        if exc.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT) or isinstance(exc, socket.gaierror):
            raise ConfigError(f"--host {host}: not an address of this computer") from None
        raise OutreachError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    return ReviewServer(host, server.effective_port, token, password is not None, server)

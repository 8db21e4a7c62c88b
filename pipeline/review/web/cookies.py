"""The app's cookies and the reviewer's name in one of them (shared by :mod:`.app` and :mod:`.routes`)."""

from __future__ import annotations

import base64
import binascii
import json

ACCESS_COOKIE = "outreach_access"   # stands for the token or password once given (an HMAC, not the secret)
CSRF_COOKIE = "outreach_csrf"       # per browser; forms carry its HMAC
NAME_COOKIE = "outreach_reviewer"   # the reviewer's name and e-mail, for Last-Translator


def safe_local(target: str) -> str:
    """``target`` if it is a path on this server, else ``/`` (no open redirects)."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/"


def read_reviewer(value: str) -> dict | None:
    """The reviewer's ``{"name", "email"}`` from the cookie, or None."""
    if not value:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(value.encode("ascii") + b"=="))
    except (ValueError, binascii.Error, UnicodeError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("name"), str) or not data["name"].strip():
        return None
    return {"name": data["name"][:80], "email": str(data.get("email", ""))[:120]}


def reviewer_cookie(name: str, email: str) -> str:
    raw = json.dumps({"name": name, "email": email}, ensure_ascii=False).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")

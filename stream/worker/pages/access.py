"""Who may look, and in which format: pure rules the web middleware and views apply.

Token rule. On a loopback bind (the default ``STANCE_WEB_HOST=127.0.0.1``) every view stays
open: only this machine can connect. Bound beyond it, every view asks for
``STANCE_WEB_TOKEN``, as ``Authorization: Bearer <token>`` (scripts, Prometheus) or as the
cookie ``/login`` sets (browsers); without a configured token such a worker refuses every
request (503) rather than serve positions to the network unasked. The cookie holds an HMAC of
the token, not the token, and is HttpOnly and SameSite=Strict. ``/login`` itself is open.

Formats. The JSON views stay JSON for every client that does not prefer HTML (``curl``,
``urllib``, scripts); a browser, whose ``Accept`` puts ``text/html`` first, gets the page.
A ``.json`` suffix always means JSON.
"""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = ["COOKIE", "OPEN_PATHS", "Decision", "LoginResult", "cookie_value", "decide", "is_loopback", "login",
           "logout_cookie", "prefers_html", "prefers_json", "safe_next", "token_required"]

COOKIE = "stance_web"
#: Open without the token: logging in, and the liveness check an orchestrator runs without secrets
#: (it tells only ok or failed, the app id and the partition count).
OPEN_PATHS = frozenset({"/login", "/logout", "/health"})
_COOKIE_CONTEXT = b"stance-stream web login v1"


def is_loopback(host: str) -> bool:
    """True for ``localhost``, 127.0.0.0/8 and ``::1``; a hostname or ``0.0.0.0`` binds beyond the machine."""
    h = (host or "").strip().strip("[]").lower()
    if h == "localhost":
        return True
    try:
        return ipaddress.ip_address(h).is_loopback
    except ValueError:
        return False


def token_required(host: str) -> bool:
    return not is_loopback(host)


def cookie_value(token: str) -> str:
    """What the login cookie holds: an HMAC of the token (the cookie never carries the token itself)."""
    return hmac.new(token.encode(), _COOKIE_CONTEXT, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Decision:
    allowed: bool
    status: int = 200
    reason: str = ""


def decide(*, host: str, token: str | None, path: str, authorization: str | None, cookie: str | None) -> Decision:
    """May this request see the views? (see the module docstring)."""
    if not token_required(host) or path in OPEN_PATHS:
        return Decision(True)
    if not token:
        return Decision(False, 503, f"the web views are bound to {host}, beyond localhost, and STANCE_WEB_TOKEN "
                                    "is not set: set it (or bind to 127.0.0.1) to serve them")
    if authorization:
        scheme, _, given = authorization.partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode()):
            return Decision(True)
        return Decision(False, 401, "wrong token")
    if cookie and hmac.compare_digest(cookie.encode(), cookie_value(token).encode()):
        return Decision(True)
    return Decision(False, 401, "this view needs the web token: send 'Authorization: Bearer <STANCE_WEB_TOKEN>' "
                                "or log in at /login")


def _quality(accept: str, types: tuple[str, ...]) -> float:
    best = -1.0
    for part in accept.split(","):
        media, *params = [x.strip() for x in part.split(";")]
        q = 1.0
        for p in params:
            if p.startswith("q="):
                try:
                    q = float(p[2:])
                except ValueError:
                    q = 0.0
        if media.lower() in types:
            best = max(best, q)
    return best


def prefers_html(accept: str | None) -> bool:
    """Does the client rank ``text/html`` above JSON? No Accept, ``*/*`` or a tie mean JSON."""
    if not accept:
        return False
    html = _quality(accept, ("text/html", "application/xhtml+xml"))
    json = max(_quality(accept, ("application/json",)), _quality(accept, ("*/*", "application/*")) - 0.001)
    return html > 0 and html > json


def prefers_json(accept: str | None) -> bool:
    """For the pages (HTML by default): does the client rank JSON above HTML?"""
    if not accept:
        return False
    json = _quality(accept, ("application/json",))
    html = max(_quality(accept, ("text/html", "application/xhtml+xml")), _quality(accept, ("*/*", "text/*")) - 0.001)
    return json > 0 and json > html


def safe_next(target: str | None) -> str:
    """A redirect target after login: a path on this server only (no scheme, no ``//host``)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/actors"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/actors"
    return target


@dataclass(frozen=True)
class LoginResult:
    """What ``POST /login`` answers: a redirect with the cookie, or the form again (``ok`` False)."""

    ok: bool
    location: str
    set_cookie: str | None = None


COOKIE_MAX_AGE = 30 * 86400


def login(*, host: str, token: str | None, given: str, next_path: str | None, secure: bool) -> LoginResult:
    """Check a token typed into the login form; the cookie is HttpOnly, SameSite=Strict, Secure over HTTPS."""
    target = safe_next(next_path)
    if not token_required(host):
        return LoginResult(True, target)
    if not token or not hmac.compare_digest(given.strip().encode(), token.encode()):
        return LoginResult(False, target)
    cookie = (f"{COOKIE}={cookie_value(token)}; Path=/; HttpOnly; SameSite=Strict; Max-Age={COOKIE_MAX_AGE}"
              + ("; Secure" if secure else ""))
    return LoginResult(True, target, cookie)


def logout_cookie() -> str:
    return f"{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"

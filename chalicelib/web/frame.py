"""The small piece of framework between Chalice and the portal's pages.

A page handler is a plain function `handler(request: WebRequest, **path_params)` returning a
`WebResponse` (usually `render(...)` or `redirect(...)`). `Portal` registers it on the Chalice
app and, around every call: loads or starts the session (the cookie holds only a random id),
applies a language chosen with `?lang=`, checks the CSRF token of every form post, sets the
security headers (a Content-Security-Policy without 'unsafe-inline', no framing, no sniffing,
no referrer), counts the page's rate limits (`chalicelib/api/rate_limits.py`: a 429 page with
Retry-After when one is spent), and turns a `DomainError` escaping a handler into an error page in the person's
language. The rules themselves stay in the use cases the API calls too.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Callable
from urllib.parse import parse_qsl, urlencode

from chalice import Chalice, Response

from chalicelib.adapters.tables import WebSession
from chalicelib.clock import clock
from chalicelib.api import rate_limits
from chalicelib.domain import retention
from chalicelib.domain.errors import DomainError, RateLimited, Unauthenticated
from chalicelib.domain.roles import Caller
from chalicelib.i18n import LANGUAGES
from chalicelib.observability import logger

SESSION_COOKIE = "md_session"
SESSION_LIFETIME = retention.WEB_SESSION
FORM = "application/x-www-form-urlencoded"
MAX_FORM_BYTES = 64_000
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


@dataclass
class WebRequest:
    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    session: WebSession
    authenticate: Callable[[str | None], Caller]
    kept: bool = True  # False: a first visit's session, stored only once a page needs it
    retry_after: int | None = None  # a rate limit's wait, in seconds: the Retry-After of a 429 page

    @property
    def language(self) -> str:
        return self.session.language

    @property
    def csrf_token(self) -> str:
        """The session's form token; a page that shows a form needs its session stored."""
        self.kept = True
        return self.session.csrf_token

    def caller(self) -> Caller | None:
        """The signed-in account, or None (no session token, or it expired)."""
        if not self.session.access_token:
            return None
        try:
            return self.authenticate(f"Bearer {self.session.access_token}")
        except Unauthenticated:
            return None


@dataclass
class WebResponse:
    status: int
    body: str
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


def redirect(location: str, status: int = 303) -> WebResponse:
    return WebResponse(status, "", headers={"Location": location})


class Portal:
    """Registers page handlers on a Chalice app (one line per page in app.py)."""

    def __init__(self, app: Chalice, authenticate: Callable[[str | None], Caller], secure_cookies: Callable[[], bool]) -> None:
        self.app = app
        self._authenticate = authenticate
        self._secure_cookies = secure_cookies
        self.error_page: Callable[[WebRequest, DomainError | None], WebResponse] | None = None

    def page(self, path: str, handler: Callable[..., WebResponse], methods: tuple[str, ...] = ("GET",)) -> None:
        def view(**path_params: str) -> Response:
            return self._dispatch(handler, path_params)

        view.__name__ = f"page_{handler.__name__}"
        self.app.route(path, methods=list(methods), name=view.__name__, content_types=[FORM, "multipart/form-data", "*/*"])(view)

    def asset(self, path: str, content: Callable[[], bytes], content_type: str) -> None:
        def view() -> Response:
            return Response(content(), status_code=200, headers={"Content-Type": content_type, "Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"})

        view.__name__ = f"asset_{path.strip('/').replace('/', '_').replace('.', '_')}"
        self.app.route(path, methods=["GET"], name=view.__name__)(view)

    def _dispatch(self, handler: Callable[..., WebResponse], path_params: dict[str, str]) -> Response:
        raw = self.app.current_request
        session, is_new = self._session(raw.headers.get("cookie"))
        query = {k: v for k, v in (raw.query_params or {}).items()}
        chosen = query.pop("lang", None)
        if chosen in LANGUAGES and (is_new or chosen != session.language):
            if is_new:  # a first visit that chooses a language: remember it
                session.language = chosen
                session.save()
            else:
                session.update(actions=[WebSession.language.set(chosen)])
        path = raw.path.format(**path_params)
        limited = rate_limits.rules_for(raw.method, raw.path, portal=True)
        try:  # the client's address first: before a form is read or a token checked
            rate_limits.enforce(limited, rate_limits.IP, rate_limits.source_ip(raw.context))
        except RateLimited as refused:
            request = WebRequest(raw.method, path, query, {}, session, self._authenticate, kept=not is_new)
            return self._respond(_retry_after(request, self._refusal_page(request, refused)), session, False)
        if chosen is not None and raw.method == "GET":  # drop the parameter: one address per page
            return self._respond(redirect(path + (f"?{urlencode(query)}" if query else "")), session, is_new and chosen in LANGUAGES)
        form: dict[str, str] = {}
        if raw.method == "POST":
            body = raw.raw_body or b""
            if len(body) > MAX_FORM_BYTES:
                return self._respond(WebResponse(413, "Request too large"), session, False)
            form = dict(parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True))
            if is_new or not secrets.compare_digest(form.get("csrf", ""), session.csrf_token):
                logger.warning("form refused: CSRF token missing or wrong")
                return self._respond(WebResponse(403, "This form has expired. Go back, reload the page and try again."), session, False)
        request = WebRequest(raw.method, path, query, form, session, self._authenticate, kept=not is_new)
        try:
            rate_limits.enforce(limited, rate_limits.ACCOUNT, session.account_id if session.access_token else None)
            response = handler(request, **path_params)
        except DomainError as error:
            if self.error_page is None:
                raise
            response = self.error_page(request, error)
        except Exception:
            logger.exception("page failed")
            response = self._internal_error(request)
        _retry_after(request, response)
        if request.session.session_id != session.session_id:  # signed in or out: a new session, the cookie follows
            return self._respond(response, request.session, True)
        if is_new and request.kept:  # a first visit whose page needs the session (a form): store it now
            session.save()
        return self._respond(response, session, is_new and request.kept)

    def _refusal_page(self, request: WebRequest, error: DomainError) -> WebResponse:
        if self.error_page is None:
            raise error
        return self.error_page(request, error)

    def _internal_error(self, request: WebRequest) -> WebResponse:
        """The error page in the person's language; plain text only if even that fails."""
        try:
            if self.error_page is not None:
                return self.error_page(request, None)
        except Exception:
            logger.exception("error page failed")
        return WebResponse(500, "Something went wrong on our side. Nothing was changed; please try again.", content_type="text/plain; charset=utf-8")

    def _session(self, cookie_header: str | None) -> tuple[WebSession, bool]:
        cookies = SimpleCookie()
        try:
            cookies.load(cookie_header or "")
        except Exception:
            cookies = SimpleCookie()
        session_id = cookies[SESSION_COOKIE].value if SESSION_COOKIE in cookies else None
        now = clock.now()
        if session_id and 20 <= len(session_id) <= 100:
            try:
                session = WebSession.get(session_id)
                if session.expires > now:
                    return session, False
            except WebSession.DoesNotExist:
                pass
        # A first visit: not stored yet. A page without forms (the start page, say, for a crawler)
        # costs no write; a form, a chosen language or signing in stores it.
        session = WebSession(
            secrets.token_urlsafe(32), csrf_token=secrets.token_urlsafe(32), language="tr", expires=now + SESSION_LIFETIME, created_at=now
        )
        return session, True

    def _respond(self, response: WebResponse, session: WebSession, is_new: bool) -> Response:
        headers = {**SECURITY_HEADERS, "Content-Type": response.content_type, **response.headers}
        if is_new:
            secure = "; Secure" if self._secure_cookies() else ""
            headers["Set-Cookie"] = f"{SESSION_COOKIE}={session.session_id}; Path=/; HttpOnly; SameSite=Lax{secure}; Max-Age={int(SESSION_LIFETIME.total_seconds())}"
        return Response(response.body, status_code=response.status, headers=headers)


def _retry_after(request: WebRequest, response: WebResponse) -> WebResponse:
    """A page refused by a rate limit tells when to come back (the header; the page says it too)."""
    if response.status == 429 and request.retry_after:
        response.headers.setdefault("Retry-After", str(request.retry_after))
    return response


def renew(session: WebSession, *, access_token: str | None, account_id: str | None, role: str | None = None) -> WebSession:
    """A new session id at sign-in and sign-out (no session fixation); the language stays."""
    now = clock.now()
    fresh = WebSession(
        secrets.token_urlsafe(32),
        csrf_token=secrets.token_urlsafe(32),
        language=session.language,
        access_token=access_token,
        account_id=account_id,
        role=role,
        expires=now + SESSION_LIFETIME,
        created_at=now,
    )
    fresh.save()
    session.delete()
    return fresh

"""The local HTTP server: the Chalice app as `chalice local` serves it, plus `/local/*` routes
that exist only on one machine (the outbox of sent SMS and email, a manual pump trigger).

Chalice's own refusals that never reach the app (an unknown route answers API Gateway's 403
"Missing Authentication Token") are answered in the contract's envelope, as the CDK stack's
gateway responses do in AWS.
"""

from __future__ import annotations

import json
from typing import Any, Callable
from urllib.parse import urlsplit

from chalice.config import Config
from chalice.local import ChaliceRequestHandler, LocalChalice, LocalDevServer, LocalGatewayException, ThreadedHTTPServer

from chalicelib.api.errors import FRAMEWORK_ERRORS, envelope

# A local route gets the request's JSON body (None when empty) and returns what to answer.
LocalRoutes = dict[tuple[str, str], Callable[[Any], Any]]


class LocalRequestHandler(ChaliceRequestHandler):
    local_routes: LocalRoutes = {}
    # Headers and body leave in separate writes; with Nagle's algorithm on, the client's delayed
    # ACK held every response back ~40 ms (measured by bench/booking_bench.py).
    disable_nagle_algorithm = True

    def _handle(self) -> None:
        path = urlsplit(self.path).path
        if path.startswith("/local/"):
            self._handle_local(path)
            return
        # `chalice local` reports every caller as 127.0.0.1 (a constant of its event converter):
        # here the event carries the socket's peer address, as API Gateway's sourceIp does.
        self.local_gateway.event_converter.LOCAL_SOURCE_IP = self.client_address[0]
        try:
            self._generic_handle()
        except Exception:  # a request so malformed the gateway emulation itself failed
            self._send_json(400, envelope("VALIDATION_FAILED", "The request could not be read."))

    def _handle_local(self, path: str) -> None:
        _, raw = self._parse_payload()
        route = self.local_routes.get((self.command, path))
        if route is None:
            self._send_json(404, envelope("NOT_FOUND", "There is no such local route."))
            return
        try:
            self._send_json(200, route(json.loads(raw) if raw else None))
        except (ValueError, TypeError, KeyError) as problem:
            self._send_json(400, envelope("VALIDATION_FAILED", str(problem)))

    def _send_error_response(self, error: LocalGatewayException) -> None:
        status, code, message = FRAMEWORK_ERRORS.get(error.CODE, (500, "INTERNAL", "Something went wrong."))
        self._send_json(status, envelope(code, message))

    def _send_json(self, status: int, body: Any) -> None:
        self._send_http_response(status, {"Content-Type": "application/json"}, json.dumps(body, ensure_ascii=False))

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = do_PATCH = do_OPTIONS = _handle

    def __getattr__(self, name: str) -> Any:
        """Any other method (TRACE, CONNECT, made-up ones) is refused as API Gateway does,
        instead of http.server's bare 501."""
        if name.startswith("do_"):
            return self._method_not_allowed
        raise AttributeError(name)

    def _method_not_allowed(self) -> None:
        self._parse_payload()
        status, code, message = FRAMEWORK_ERRORS[405]
        self._send_json(status, envelope(code, message))

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # the app logs every request itself (structured, masked)


class _Server(ThreadedHTTPServer):
    # A burst of new connections (32+ concurrent clients) must queue, not be reset: the
    # socket module's default backlog is 5.
    request_queue_size = 128


def make_server(app: Any, host: str, port: int, local_routes: LocalRoutes) -> LocalDevServer:
    """A threaded server for `app`, each request with its own `current_request` (as chalice local)."""

    class Handler(LocalRequestHandler):
        pass

    Handler.local_routes = local_routes
    if not isinstance(app, LocalChalice):
        app.__class__ = type("LocalApp", (LocalChalice, app.__class__), {})
    config = Config(chalice_stage="local", config_from_disk={"version": "2.0", "app_name": app.app_name})
    return LocalDevServer(app, config, host, port, handler_cls=Handler, server_cls=_Server)

"""The embedded AWS emulator: moto in server mode, inside this process, behind one lock.

Why embedded: boto3 and PynamoDB in the local server, the event pump and the tests all talk
to the same HTTP endpoint, and in-process code (an outbox reader, a test reading sent SMS)
can look at moto's backends directly, because server mode shares state with them
(stack-notes 8).

Why one lock: moto is not thread-safe. Under concurrent clients it lost acknowledged writes
and answered HTTP 500 ("dictionary changed size during iteration") (stack-notes 2). The WSGI
middleware below serialises every request, including the production of its response body.
In-process readers of moto's backends must take the same lock (`Emulator.lock`).

Gotchas for anyone using the emulator:
- Never call the emulator over HTTP while holding `Emulator.lock`: the lock is not
  re-entrant and the request would wait for you forever.
- Do not long-poll SQS (`WaitTimeSeconds` > 0, or a queue with
  `ReceiveMessageWaitTimeSeconds` > 0): moto waits inside the request, i.e. under the
  lock, so the whole emulator stalls for up to 20 s and the message that would end the
  wait can never be sent.
"""

from __future__ import annotations

import io
import os
import threading
from collections import Counter
from typing import Any, Callable, Iterable
from urllib.parse import parse_qs

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import BaseWSGIServer, make_server

from chalicelib.local import queries, totp, transactions

WSGIApp = Callable[[dict, Callable[..., Any]], Iterable[bytes]]


class SerialisingMiddleware:
    """Runs each request through the wrapped WSGI app while holding `lock`.

    The response body is joined before the lock is released: a WSGI app may compute its
    body lazily while it is iterated, and that would touch moto's state unlocked.
    The request body is read from the socket *before* the lock is taken, so that a slow
    client cannot stall everyone else.
    """

    def __init__(self, app: WSGIApp, lock: threading.Lock):
        self.app = app
        self.lock = lock
        self.after_request: list[Callable[[], None]] = []
        # Requests served, by the operation's X-Amz-Target ("DynamoDB_20120810.TransactWriteItems";
        # query-protocol services such as SQS: "<host>:<Action>"), for benchmarks to count calls.
        self.served: Counter[str] = Counter()
        # Callables (operation, request body, response body) run after each request, under the
        # lock (a benchmark's meter of capacity units: bench/capacity_bench.py).
        self.observers: list[Callable[[str, bytes, bytes], None]] = []

    def __call__(self, environ: dict, start_response: Callable[..., Any]) -> list[bytes]:
        _buffer_request_body(environ)
        with self.lock:
            self.served[_operation(environ)] += 1
            chunks = self.app(environ, start_response)
            try:
                body = b"".join(chunks)
            finally:
                if hasattr(chunks, "close"):
                    chunks.close()
            for callback in self.after_request:
                callback()
            if self.observers:
                request = environ["wsgi.input"].getvalue() if isinstance(environ.get("wsgi.input"), io.BytesIO) else b""
                for observe in self.observers:
                    observe(_operation(environ), request, body)
        return [body]


def _operation(environ: dict) -> str:
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return target
    action = parse_qs(environ.get("QUERY_STRING") or "").get("Action")
    return f"{environ.get('HTTP_HOST', '')}:{action[0] if action else environ.get('PATH_INFO', '')}"


def _buffer_request_body(environ: dict) -> None:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return
    if length > 0:
        environ["wsgi.input"] = io.BytesIO(environ["wsgi.input"].read(length))


class _QuietRequestHandler(MotoRequestHandler):
    """moto's handler without werkzeug's line per request; errors are still logged.

    `connections` counts the TCP connections accepted (one handler per connection). Werkzeug's
    development server (moto's own server uses it too) answers every request with `Connection:
    close`, so each call of an AWS client to the emulator opens a connection of its own, whatever
    the client's pool keeps (botocore and PynamoDB reuse theirs against AWS); `bench/booking_bench.py`
    prints how many a booking opens. Dropping the header is not enough: after each response
    werkzeug reads whatever the client sent within 10 ms and discards it (`run_wsgi`), which on a
    kept-alive connection is the next request (tried: botocore's second call hangs). Keep-alive
    needs another WSGI server under the emulator."""

    connections = 0
    _counting = threading.Lock()

    def setup(self) -> None:
        with _QuietRequestHandler._counting:
            _QuietRequestHandler.connections += 1
        super().setup()


class Emulator:
    """moto's server on 127.0.0.1:`port` (0 = any free port) in a background thread.

    Usage::

        with Emulator() as emulator:
            configure_environment(emulator.endpoint_url)
            ...

    `start()` also installs the O(items) TransactWriteItems (see transactions.py), the
    one-partition base-table Query (see queries.py) and per-user TOTP secrets for Cognito's
    software-token MFA (see totp.py).
    """

    def __init__(self, port: int = 0, host: str = "127.0.0.1"):
        self.host = host
        self.port = port
        self.lock = threading.Lock()
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._after_request: list[Callable[[], None]] = []
        self._app: SerialisingMiddleware | None = None

    def served(self) -> Counter[str]:
        """A copy of the count of requests served so far, by operation (see SerialisingMiddleware)."""
        with self.lock:
            return Counter(self._app.served) if self._app is not None else Counter()

    def observe(self, observer: Callable[[str, bytes, bytes], None]) -> None:
        """Call `observer(operation, request body, response body)` after every request from now
        on, under the lock (it may read moto's backends; it must not call the emulator)."""
        if self._app is None:
            raise RuntimeError("the emulator is not started")
        self._app.observers.append(observer)

    @staticmethod
    def connections() -> int:
        """TCP connections accepted so far by every emulator of this process."""
        return _QuietRequestHandler.connections

    def after_request(self, callback: Callable[[], None]) -> None:
        """Run `callback` after every request, still under the lock (it may read moto's
        backends, and must not call the emulator over HTTP)."""
        self._after_request.append(callback)

    @property
    def endpoint_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the emulator is not started")
        return f"http://{self.host}:{self._server.server_port}"

    def start(self) -> "Emulator":
        if self._server is not None:
            return self
        transactions.install()
        queries.install()
        totp.install()
        app = SerialisingMiddleware(DomainDispatcherApplication(create_backend_app), self.lock)
        app.after_request = self._after_request
        self._app = app
        # make_server binds the socket here, so the endpoint accepts connections as soon as
        # start() returns (they queue until serve_forever picks them up).
        self._server = make_server(
            self.host, self.port, app, threaded=True, request_handler=_QuietRequestHandler
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="aws-emulator", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
        self._server = None
        self._thread = None

    def __enter__(self) -> "Emulator":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def configure_environment(endpoint_url: str, region: str = "eu-central-1") -> None:
    """Points boto3 and PynamoDB of this process at the emulator (stack-notes 8).

    The endpoint and region are always set; the credentials only when absent. moto accepts
    any credentials, and boto3 refuses to sign without some.
    """
    os.environ["AWS_ENDPOINT_URL"] = endpoint_url
    os.environ["AWS_DEFAULT_REGION"] = region
    os.environ["AWS_REGION"] = region
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")

"""The small piece of framework between Chalice and the endpoints.

An endpoint is a plain function whose signature says what it needs:
`body: SomeModel` (the JSON body, validated by pydantic), `query: SomeModel` (the query string),
`caller: Caller` (a verified token), `admission: Admission` (see below), any other parameter is a
path parameter; its return annotation is the response model. `HttpApi` registers it on the Chalice
app, and on each call authenticates, validates, calls, serialises, and turns every `DomainError`
into the contract's envelope through the one error table. Before the endpoint runs, the route's
rate limits are counted (`chalicelib/api/rate_limits.py`: client IP first, then account), and the
token's revocation is checked. An endpoint that takes an `admission` makes those two account checks
itself, as items of its use case's transaction (services/admission.py: a booking is then one
data-store call); whatever it left unmade is made after it, and refuses in its place. The OpenAPI
document is generated from the same metadata (`chalicelib/api/openapi.py`), so the document and the
behaviour cannot disagree.
"""

from __future__ import annotations

import functools
import inspect
import json
import typing
import uuid
from dataclasses import dataclass
from typing import Any, Callable

from chalice import Chalice, Response
from pydantic import BaseModel, TypeAdapter, ValidationError

from chalicelib.api import rate_limits
from chalicelib.api.errors import FRAMEWORK_ERRORS, envelope, internal_error, refusal, refusal_headers
from chalicelib.contract import FileDownload, Page, PdfDownload
from chalicelib.domain.errors import DomainError, Forbidden, ValidationFailed
from chalicelib.domain.roles import Caller, Role
from chalicelib.observability import logger
from chalicelib.services.admission import Admission

PUBLIC: frozenset[Role] = frozenset()
ANY_ACCOUNT = frozenset(Role)
# Who an endpoint admits, named once for every module of endpoints.
APPLICANT = frozenset({Role.APPLICANT})
STAFF = frozenset({Role.STAFF, Role.ADMIN})  # staff of a directorate (supervisors are staff too), and the admin
ADMIN = frozenset({Role.ADMIN})
CORRELATION_HEADER = "X-Correlation-Id"
IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
NEXT_CURSOR_HEADER = "X-Next-Cursor"
MAX_IDEMPOTENCY_KEY = 255
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_BODY_BYTES = 1_000_000


@dataclass(frozen=True)
class Endpoint:
    func: Callable[..., Any]
    summary: str
    status: int
    roles: frozenset[Role]  # empty: public
    body_model: type[BaseModel] | None
    query_model: type[BaseModel] | None
    response_type: Any
    path_params: tuple[str, ...]
    wants_caller: bool
    errors: tuple[type[DomainError], ...]
    tag: str
    # False for answers that must never be stored (sign-in answers carry access tokens): such a
    # route ignores an Idempotency-Key, and a retry simply signs in again.
    idempotent: bool = True
    # Public answers the same for everyone for a while (statistics): caches may keep them this long.
    cache_seconds: int | None = None
    # Takes an `admission`: makes the token's revocation check and the per-account limits itself.
    wants_admission: bool = False

    @property
    def name(self) -> str:
        return self.func.__name__


def endpoint(
    summary: str,
    *,
    status: int = 200,
    roles: frozenset[Role] = PUBLIC,
    errors: tuple[type[DomainError], ...] = (),
    tag: str = "",
    idempotent: bool = True,
    cache_seconds: int | None = None,
) -> Callable[[Callable[..., Any]], Endpoint]:
    """Describe a function as an HTTP endpoint (see the module docstring)."""

    def describe(func: Callable[..., Any]) -> Endpoint:
        hints = typing.get_type_hints(func)
        parameters = inspect.signature(func).parameters
        reserved = {"body", "query", "caller", "admission"}
        return Endpoint(
            func=func,
            summary=summary,
            status=status,
            roles=roles,
            body_model=hints.get("body"),
            query_model=hints.get("query"),
            response_type=hints.get("return"),
            path_params=tuple(p for p in parameters if p not in reserved),
            wants_caller="caller" in parameters,
            errors=errors,
            tag=tag or func.__module__.rsplit(".", 1)[-1],
            idempotent=idempotent,
            cache_seconds=cache_seconds,
            wants_admission="admission" in parameters,
        )

    return describe


def _validation_details(error: ValidationError) -> dict[str, Any]:
    fields = []
    for problem in error.errors(include_url=False, include_input=False):
        location = ".".join(str(part) for part in problem["loc"]) or "body"
        message = problem["msg"].removeprefix("Value error, ")
        fields.append({"field": location, "message": message})
    return {"fields": fields}


def parse_model(model: type[BaseModel], data: Any) -> BaseModel:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise ValidationFailed(details=_validation_details(error)) from None


def _read_json_body(raw: bytes | None) -> Any:
    if not raw:
        raise ValidationFailed("The request needs a JSON body.")
    if len(raw) > MAX_BODY_BYTES:
        raise ValidationFailed("The request body is too large.")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ValidationFailed("The request body is not valid JSON.") from None


class HttpApi:
    """Registers endpoints on a Chalice app and runs them (one line per route in app.py)."""

    def __init__(self, app: Chalice, authenticate: Callable[..., Caller]) -> None:
        """`authenticate(authorization header, check_revocation=True)`: services/auth.py."""
        self.app = app
        self._authenticate = authenticate
        self.endpoints: dict[tuple[str, str], Endpoint] = {}
        app.register_middleware(self._framework_errors_as_envelope, "http")
        # Files the API serves (FileDownload answers) travel base64-encoded through API Gateway.
        if PdfDownload.media_type not in app.api.binary_types:
            app.api.binary_types.append(PdfDownload.media_type)

    def get(self, path: str, ep: Endpoint) -> None:
        self._register("GET", path, ep)

    def post(self, path: str, ep: Endpoint) -> None:
        self._register("POST", path, ep)

    def put(self, path: str, ep: Endpoint) -> None:
        self._register("PUT", path, ep)

    def patch(self, path: str, ep: Endpoint) -> None:
        self._register("PATCH", path, ep)

    def delete(self, path: str, ep: Endpoint) -> None:
        self._register("DELETE", path, ep)

    def openapi(self, title: str, version: str) -> Endpoint:
        """An endpoint serving the OpenAPI document of every route registered on this API."""

        def openapi_document() -> dict[str, Any]:
            from chalicelib.api import openapi

            return openapi.document(self.endpoints, title, version)

        return endpoint("The OpenAPI 3 description of every route", tag="meta")(openapi_document)

    def _register(self, method: str, path: str, ep: Endpoint) -> None:
        limited = rate_limits.rules_for(method, path)

        def view(**path_params: str) -> Response:
            return self._dispatch(ep, path_params, limited)

        name = f"{method.lower()}_{ep.name}"
        view.__name__ = name
        self.app.route(path, methods=[method], name=name, content_types=["*/*"])(view)
        self.endpoints[(method, path)] = ep

    def _dispatch(self, ep: Endpoint, path_params: dict[str, str], limited: tuple[rate_limits.Rule, ...] = ()) -> Response:
        request = self.app.current_request
        correlation_id = _correlation_id(request)
        headers = {CORRELATION_HEADER: correlation_id}
        logger.set_correlation_id(correlation_id)
        logger.append_keys(endpoint=ep.name, method=request.method)
        admission: Admission | None = None
        try:
            kwargs: dict[str, Any] = dict(path_params)
            caller: Caller | None = None
            rate_limits.enforce(limited, rate_limits.IP, rate_limits.source_ip(request.context))
            if ep.roles or ep.wants_caller or ep.wants_admission:
                caller = self._authenticate(request.headers.get("authorization"), check_revocation=not ep.wants_admission)
                if ep.wants_admission:
                    admission = kwargs["admission"] = rate_limits.admission(limited, caller)
                if ep.roles and not caller.has_any(ep.roles):
                    raise Forbidden()
                if ep.wants_caller:
                    kwargs["caller"] = caller
            if admission is None:
                rate_limits.enforce(limited, rate_limits.ACCOUNT, caller.account_id if caller else None)
            if ep.body_model is not None:
                kwargs["body"] = parse_model(ep.body_model, _read_json_body(request.raw_body))
            if ep.query_model is not None:
                kwargs["query"] = parse_model(ep.query_model, dict(request.query_params or {}))
            key = request.headers.get(IDEMPOTENCY_HEADER.lower())
            if key is not None and request.method in WRITE_METHODS and ep.idempotent:
                from chalicelib.adapters import idempotency  # only keyed writes pay for its import

                # Per caller and per resource: request.path is the route's template, so the path's
                # parameters are part of the scope too.
                resource = request.path.format(**path_params)
                scope = f"{caller.account_id if caller else 'public'} {request.method} {resource} {_checked_key(key)}"
                outcome, replayed = idempotency.once(
                    scope, request.raw_body, lambda: _outcome(ep, kwargs), self.app.lambda_context
                )
                if replayed:
                    headers[REPLAYED_HEADER] = "true"
            else:
                outcome = _outcome(ep, kwargs)
            if admission is not None and not admission.settled:
                # A refusal before any transaction, or an answer replayed: the checks now, and
                # their refusal instead. A write made without them would be a bug of the endpoint.
                if outcome["status"] < 400 and not headers.get(REPLAYED_HEADER):
                    raise RuntimeError(f"{ep.name} took an admission and wrote without settling it")
                admission.settle()
            _log_outcome(outcome["status"], outcome.get("error"))
            if "file" in outcome:
                return _file_response(outcome["file"], {**headers, **outcome.get("headers", {})})
            return _json_response(outcome["status"], outcome["body"], {**headers, **outcome.get("headers", {})})
        except DomainError as error:
            if admission is not None and not admission.settled:  # refused before the endpoint (403, 400)
                try:
                    admission.settle()
                except DomainError as instead:
                    error = instead
            status, body = refusal(error)
            _log_outcome(status, type(error).__name__)
            return _json_response(status, body, {**headers, **refusal_headers(error)})
        except Exception:
            logger.exception("request failed")
            return _json_response(*internal_error(), headers)
        finally:
            logger.remove_keys(["endpoint", "method"])

    @staticmethod
    def _framework_errors_as_envelope(event: Any, get_response: Callable[[Any], Response]) -> Response:
        """Chalice's own refusals (405, 415, unknown route, its 500) in the contract's envelope."""
        response = get_response(event)
        body = response.body
        if response.status_code >= 400 and isinstance(body, dict) and "Code" in body:
            status, code, message = FRAMEWORK_ERRORS.get(
                response.status_code, (500, "INTERNAL", "Something went wrong on our side.")
            )
            response.status_code = status
            response.body = envelope(code, message)
        return response


def _outcome(ep: Endpoint, kwargs: dict[str, Any]) -> dict[str, Any]:
    """Call the endpoint; its answer or refusal as a storable outcome. Unexpected exceptions
    propagate: they are never stored as the answer to an idempotent call."""
    try:
        result = ep.func(**kwargs)
    except DomainError as error:
        status, body = refusal(error)
        return {"status": status, "body": body, "error": type(error).__name__, "headers": refusal_headers(error)}
    if isinstance(result, FileDownload):
        return {"status": ep.status, "body": None, "file": result}
    body = None if result is None else _serialise(ep.response_type, result)
    outcome: dict[str, Any] = {"status": ep.status, "body": body}
    if isinstance(result, Page) and result.next_cursor:
        outcome["headers"] = {NEXT_CURSOR_HEADER: result.next_cursor}
    if ep.cache_seconds:
        outcome["headers"] = {**outcome.get("headers", {}), "Cache-Control": f"public, max-age={ep.cache_seconds}"}
    return outcome


def _json_response(status: int, body: Any, headers: dict[str, str]) -> Response:
    """JSON in UTF-8 as it is (İstanbul, not \\u0130stanbul): readable by people and tools alike."""
    if body is None:
        return Response(body="", status_code=status, headers=headers)
    return Response(
        body=json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        status_code=status,
        headers={**headers, "Content-Type": "application/json; charset=utf-8"},
    )


def _file_response(file: FileDownload, headers: dict[str, str]) -> Response:
    """A file answer: its bytes and media type, offered for saving, never cached."""
    return Response(
        body=file.content,
        status_code=200,
        headers={
            **headers,
            "Content-Type": file.media_type,
            "Content-Disposition": f'attachment; filename="{file.filename}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


def _log_outcome(status: int, error: str | None) -> None:
    if error is None:
        logger.info("request served", extra={"status": status})
    elif status == 401:
        logger.warning("request refused", extra={"status": status, "error": error})
    else:
        logger.info("request refused", extra={"status": status, "error": error})


def _checked_key(key: str) -> str:
    if not 1 <= len(key) <= MAX_IDEMPOTENCY_KEY or not key.isprintable():
        raise ValidationFailed(f"An Idempotency-Key has 1 to {MAX_IDEMPOTENCY_KEY} printable characters.")
    return key


def _serialise(response_type: Any, result: Any) -> Any:
    if response_type is None or response_type is Any:
        return result
    return _adapter(response_type).dump_python(result, mode="json", by_alias=True)


@functools.lru_cache(maxsize=None)
def _adapter(response_type: Any) -> TypeAdapter:
    return TypeAdapter(response_type)


def _correlation_id(request: Any) -> str:
    supplied = request.headers.get(CORRELATION_HEADER.lower(), "")
    if supplied and len(supplied) <= 64 and supplied.replace("-", "").isalnum():
        return supplied
    request_id = (request.context or {}).get("requestId")
    return request_id or str(uuid.uuid4())

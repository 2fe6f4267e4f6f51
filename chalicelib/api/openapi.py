"""The OpenAPI 3.1 document, generated from the registered endpoints and their pydantic models."""

from __future__ import annotations

import re
import types
import typing
from typing import Any

from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import models_json_schema

from chalicelib.api.errors import ERROR_TABLE
from chalicelib.api.http import IDEMPOTENCY_HEADER, MAX_IDEMPOTENCY_KEY, WRITE_METHODS, Endpoint
from chalicelib.contract import FileDownload
from chalicelib.domain.errors import Unauthenticated, ValidationFailed

REF = "#/components/schemas/{model}"
_PATH_PARAM = re.compile(r"{([^}]+)}")

IDEMPOTENCY_PARAMETER = {
    "name": IDEMPOTENCY_HEADER,
    "in": "header",
    "required": False,
    "description": "A retry with the same key and body returns the first result and changes nothing more.",
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_IDEMPOTENCY_KEY},
}

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "details": {"type": "object"},
            },
        }
    },
}


def _models(endpoints: dict[tuple[str, str], Endpoint]) -> list[type[BaseModel]]:
    found: set[type[BaseModel]] = set()
    for ep in endpoints.values():
        for model in (ep.body_model, ep.query_model, _response_model(ep), *_alternatives(ep)):
            if model is not None:
                found.add(model)
    return sorted(found, key=lambda m: m.__name__)


def _alternatives(ep: Endpoint) -> tuple[type[BaseModel], ...]:
    """The models of a response that is one of several (`A | B | C`), else ()."""
    t = ep.response_type
    if typing.get_origin(t) not in (typing.Union, types.UnionType):
        return ()
    return tuple(arg for arg in typing.get_args(t) if isinstance(arg, type) and issubclass(arg, BaseModel))


def _response_model(ep: Endpoint) -> type[BaseModel] | None:
    t = ep.response_type
    if isinstance(t, type) and issubclass(t, BaseModel):
        return t
    for arg in getattr(t, "__args__", ()):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    return None


def _response_schema(ep: Endpoint) -> dict[str, Any] | None:
    t = ep.response_type
    if t is None or t is type(None) or (isinstance(t, type) and issubclass(t, FileDownload)):
        return None
    alternatives = _alternatives(ep)
    if alternatives:
        return {"oneOf": [{"$ref": REF.format(model=m.__name__)} for m in alternatives]}
    model = _response_model(ep)
    if model is t:
        return {"$ref": REF.format(model=model.__name__)}
    if model is not None:  # list[Model]
        return {"type": "array", "items": {"$ref": REF.format(model=model.__name__)}}
    return TypeAdapter(t).json_schema()


def _query_parameters(model: type[BaseModel], definitions: dict[str, Any]) -> list[dict[str, Any]]:
    schema = definitions[model.__name__]
    required = set(schema.get("required", []))
    return [
        {"name": name, "in": "query", "required": name in required, "schema": prop}
        for name, prop in schema.get("properties", {}).items()
    ]


def _error_responses(ep: Endpoint) -> dict[str, Any]:
    errors = set(ep.errors)
    if ep.body_model or ep.query_model:
        errors.add(ValidationFailed)
    if ep.roles or ep.wants_caller:
        errors.add(Unauthenticated)
    responses: dict[str, Any] = {}
    for error in errors:
        status, code = ERROR_TABLE[error]
        entry = responses.setdefault(str(status), {"description": "", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
        entry["description"] = ", ".join(sorted(filter(None, [entry["description"], code])))
    if ep.roles:
        responses.setdefault("403", {"description": "FORBIDDEN", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
    return responses


def document(endpoints: dict[tuple[str, str], Endpoint], title: str, version: str) -> dict[str, Any]:
    _, top = models_json_schema([(m, "validation") for m in _models(endpoints)], ref_template=REF)
    definitions = top.get("$defs", {})
    definitions["Error"] = ERROR_SCHEMA
    paths: dict[str, Any] = {}
    for (method, path), ep in sorted(endpoints.items(), key=lambda item: (item[0][1], item[0][0])):
        operation: dict[str, Any] = {
            "operationId": ep.name,
            "summary": ep.summary,
            "tags": [ep.tag],
            "parameters": [
                {"name": name, "in": "path", "required": True, "schema": {"type": "string", "maxLength": 128}}
                for name in _PATH_PARAM.findall(path)
            ],
            "responses": {},
        }
        if ep.query_model:
            operation["parameters"] += _query_parameters(ep.query_model, definitions)
        if method in WRITE_METHODS and ep.idempotent:
            operation["parameters"].append(IDEMPOTENCY_PARAMETER)
        if ep.body_model:
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": {"$ref": REF.format(model=ep.body_model.__name__)}}},
            }
        if ep.roles or ep.wants_caller:
            operation["security"] = [{"bearer": []}]
        success: dict[str, Any] = {"description": "OK"}
        schema = _response_schema(ep)
        if isinstance(ep.response_type, type) and issubclass(ep.response_type, FileDownload):
            success["content"] = {ep.response_type.media_type: {"schema": {"type": "string", "format": "binary"}}}
        elif schema is not None:
            success["content"] = {"application/json": {"schema": schema}}
        operation["responses"][str(ep.status)] = success
        operation["responses"].update(_error_responses(ep))
        paths.setdefault(path, {})[method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {
            "title": title,
            "version": version,
            "description": "Appointments at the Migration Directorates of Türkiye's provinces. "
            "Every error is {\"error\": {\"code\", \"message\", \"details\"}}.",
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": definitions,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }

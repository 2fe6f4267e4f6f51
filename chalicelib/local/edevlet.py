"""The e-Devlet stand-in of the local stack: a real OpenID provider (the maintained
`oidc-provider-mock`, a Flask app built on Authlib: discovery, JWKS, the authorization code flow
with PKCE, token and userinfo endpoints) in this process, on its own free port of 127.0.0.1.
Never deployed: in AWS the service talks to e-Devlet itself, through the same client code.

What is ours:
- the people it knows are the seeded residents who hold a foreigner ID (e-Devlet accounts exist
  for foreigner ID numbers, not for passports), each with the claim `kimlik_no` (the verified
  identity number the service reads; chalicelib/adapters/edevlet.py) and their names;
- its sign-in page (`edevlet_templates/authorization_form.html`, which replaces the library's)
  lets a person pick one of them, or type any other number (someone the registry does not know,
  to see the refusal), or cancel; it is a plain form, in Turkish and English, without scripts;
- clients must be registered (no anonymous client gets a code) and a nonce is required; the
  service's client is registered at start with the portal's callback as its only redirect
  address, and the secret the provider issues is what the stack puts in Secrets Manager.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Iterable

from chalicelib.adapters.edevlet import IDENTITY_NUMBER_CLAIM
from chalicelib.domain.catalogue import PROVINCES
from chalicelib.local.residents import SyntheticResident

TEMPLATES = Path(__file__).parent / "edevlet_templates"
PROVINCE_NAMES = {p.code: p.name for p in PROVINCES}


@dataclass(frozen=True)
class Registration:
    client_id: str
    client_secret: str


def claims_of(resident: SyntheticResident) -> dict[str, Any]:
    return {
        IDENTITY_NUMBER_CLAIM: resident.document_number,
        "given_name": resident.given_name,
        "family_name": resident.family_name,
        "birthdate": resident.birth_date.isoformat(),
    }


def build_app(residents: Iterable[SyntheticResident], today: date):
    """The provider's WSGI app, knowing `residents` (those with a foreigner ID)."""
    import flask
    import oidc_provider_mock
    from oidc_provider_mock import User

    people = [r for r in residents if r.document_type == "foreign_id"]
    app = flask.Flask("edevlet", template_folder=str(TEMPLATES))  # our templates first
    oidc_provider_mock.init_app(
        app,
        require_client_registration=True,
        require_nonce=True,
        issue_refresh_token=False,
        user_claims=[User(sub=r.document_number, claims=claims_of(r)) for r in people],
    )
    # init_app turns Flask's debug mode and werkzeug's interactive debugger on: off here.
    app.debug = False
    app.wsgi_app = getattr(app.wsgi_app, "app", app.wsgi_app)
    app.secret_key = __import__("secrets").token_bytes(16)

    listed = [
        {
            "number": r.document_number,
            "name": f"{r.given_name} {r.family_name}",
            "province": PROVINCE_NAMES.get(r.province, r.province),
            "status": r.permit_status.value.replace("_", " "),
            "expired": r.permit_valid_until < today,
        }
        for r in sorted(people, key=lambda r: (r.province, r.family_name, r.given_name))
    ]

    @app.context_processor
    def residents_for_the_picker() -> dict[str, Any]:
        return {"residents": listed}

    @app.before_request
    def typed_number_is_a_person_too() -> None:
        """A typed number the provider does not know becomes a person carrying that number (the
        library would make one without our claim)."""
        from oidc_provider_mock._storage import storage  # the library's per-app storage

        if flask.request.method == "POST" and flask.request.path == "/oauth2/authorize":
            number = (flask.request.form.get("sub") or "").strip()
            if number and storage.get_user(number) is None:
                storage.store_user(User(sub=number, claims={IDENTITY_NUMBER_CLAIM: number}))

    return app


class EmbeddedProvider:
    """The provider served on 127.0.0.1:`port` (0: any free port) in a background thread."""

    def __init__(self, residents: Iterable[SyntheticResident], today: date, host: str = "127.0.0.1", port: int = 0) -> None:
        from werkzeug.serving import WSGIRequestHandler, make_server

        class Quiet(WSGIRequestHandler):
            def log_request(self, *args: Any, **kwargs: Any) -> None:
                pass  # its addresses carry states, nonces and codes: nothing for a log

        self.app = build_app(residents, today)
        self._server = make_server(host, port, self.app, threaded=True, request_handler=Quiet)
        self.issuer = f"http://{host}:{self._server.server_port}"
        self._thread: threading.Thread | None = None

    def start(self) -> "EmbeddedProvider":
        self._thread = threading.Thread(target=self._server.serve_forever, name="edevlet-provider", daemon=True)
        self._thread.start()
        return self

    def register_client(self, redirect_uri: str) -> Registration:
        """Register the service as a client (as one registers with e-Devlet), with its callback
        as the only redirect address; the provider chooses the id and the secret."""
        answer = self.app.test_client().post(
            "/oauth2/clients",
            json={"redirect_uris": [redirect_uri], "token_endpoint_auth_method": "client_secret_basic"},
            base_url=self.issuer,
        )
        if answer.status_code != 201:
            raise RuntimeError(f"the embedded e-Devlet provider refused the client: {answer.status_code}")
        body = answer.get_json()
        return Registration(client_id=body["client_id"], client_secret=body["client_secret"])

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
        self._server.server_close()

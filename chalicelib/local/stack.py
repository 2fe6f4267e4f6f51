"""The whole service on one machine: emulated AWS, provisioned resources, seed data, the event
pump and the HTTP server — what `make run` starts and what the HTTP tests run against.

Everything lives in this process's memory and is gone when it stops.
"""

from __future__ import annotations

import importlib
import os
import threading
from dataclasses import dataclass, field
from datetime import date, datetime
from types import ModuleType
from typing import Any

import boto3

from chalicelib import wiring
from chalicelib.clock import clock
from chalicelib.domain import privacy_notice
from chalicelib.domain.calendar import ISTANBUL
from chalicelib.local import totp
from chalicelib.local.edevlet import EmbeddedProvider
from chalicelib.local.emulator import Emulator, configure_environment
from chalicelib.settings import reset_settings
from chalicelib.local.outbox import Outbox
from chalicelib.local.provision import provision
from chalicelib.local.pump import EventPump
from chalicelib.local.queue_log import QueueLog
from chalicelib.local.residents import synthetic_residents
from chalicelib.local.server import make_server
from chalicelib.local.streams import StreamReader
from chalicelib.resources import resources

REGION = "eu-central-1"
DEFAULT_ADMIN_EMAIL = "admin@example.org"
DEFAULT_ADMIN_PASSWORD = "LocalAdmin123!"
# The admin's second factor, enrolled at start (so the admin's sign-in asks for the code at
# once): any authenticator app, or `.venv/bin/python -c "import pyotp; print(pyotp.TOTP('…').now())"`.
DEFAULT_ADMIN_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

# The HTTP tests and the benchmarks send hundreds of sign-ups, sign-ins and bookings a minute from
# 127.0.0.1 on purpose: their stacks set these (the environment wins over the defaults of
# `domain/limits.RateLimits`). The defaults themselves are tested by tests/http/test_flood.py and
# tests/services/test_rate_limits.py. Per-phone limits are not raised: load tests use a fresh
# phone number per person, as people do (the tests of those limits use the defaults).
LOAD_TEST_RATE_LIMITS = {
    "RATE_LIMIT_IP_REQUESTS_PER_MINUTE": "1000000",
    "RATE_LIMIT_IP_SIGN_UPS_PER_HOUR": "1000000",
    "RATE_LIMIT_IP_CODES_PER_HOUR": "1000000",
    "RATE_LIMIT_IP_SIGN_INS_PER_MINUTE": "1000000",
    "RATE_LIMIT_IP_CODE_CHECKS_PER_HOUR": "1000000",
    "RATE_LIMIT_ACCOUNT_BOOKINGS_PER_HOUR": "1000000",
    "RATE_LIMIT_ACCOUNT_STAFF_ACTIONS_PER_HOUR": "1000000",
    "RATE_LIMIT_VERIFICATION_SMS_PER_HOUR": "1000000",
    "RATE_LIMIT_DOCUMENT_SIGN_UPS_PER_DAY": "1000000",  # the timing benches repeat one document
}


@dataclass
class LocalStack:
    emulator: Emulator
    edevlet: EmbeddedProvider
    app_module: ModuleType
    outbox: Outbox
    pump: EventPump
    server: Any
    url: str
    admin_email: str
    admin_password: str
    admin_totp_secret: str
    environment: dict[str, str] = field(default_factory=dict)
    _thread: threading.Thread | None = None

    def serve_in_background(self) -> "LocalStack":
        self._thread = threading.Thread(target=self.server.serve_forever, name="local-http", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self.server.serve_forever()

    def stop(self) -> None:
        self.pump.stop()
        if self._thread is not None:  # shutdown() waits for a serve loop: only stop a running one
            self.server.shutdown()
        self.server.server.server_close()
        self.edevlet.stop()
        self.emulator.stop()


def start(
    port: int = 8000,
    *,
    host: str = "127.0.0.1",
    seed_residents: bool = True,
    pump_interval: float | None = 1.0,
) -> LocalStack:
    """Start the emulator, provision every resource from `chalicelib.resources`, import the app
    against it, seed the catalogue's slots, the registry and the admin account."""
    emulator = Emulator(port=0).start()
    configure_environment(emulator.endpoint_url, REGION)
    session = boto3.session.Session(region_name=REGION)
    provisioned = provision(session, resources(), endpoint_url=emulator.endpoint_url)
    environment = provisioned.environment()
    os.environ.update(environment)
    # Plain http://127.0.0.1: a Secure cookie would never come back (the only place it is off).
    os.environ["WEB_SECURE_COOKIES"] = "false"
    # No CloudWatch here: the business metrics (observability.record) would only print.
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    reset_settings()
    wiring.reset()

    outbox = Outbox(REGION, now=clock.now)
    emulator.after_request(outbox.collect)
    queue_log = QueueLog(now=clock.now)
    emulator.observe(queue_log.observe)
    app_module = importlib.import_module("app")

    admin_email = os.environ.get("LOCAL_ADMIN_EMAIL", DEFAULT_ADMIN_EMAIL)
    admin_password = os.environ.get("LOCAL_ADMIN_PASSWORD", DEFAULT_ADMIN_PASSWORD)
    admin_totp_secret = os.environ.get("LOCAL_ADMIN_TOTP_SECRET", DEFAULT_ADMIN_TOTP_SECRET)
    _seed(admin_email, admin_password, seed_residents)
    with emulator.lock:
        totp.enrol(REGION, provisioned.user_pool_id, admin_email, admin_totp_secret)

    pump = EventPump(app_module.app, session.client("sqs"), clock=clock.now, sns_client=session.client("sns"),
                     streams=StreamReader(REGION, emulator.lock))
    server = make_server(
        app_module.app,
        host,
        port,
        local_routes={
            ("GET", "/local/outbox"): lambda _: outbox.entries(),
            ("GET", "/local/queue-messages"): lambda _: queue_log.entries(),
            ("GET", "/local/residents"): lambda _: [r.as_record() | {"document_type": r.document_type} for r in synthetic_residents()],
            ("POST", "/local/pump"): lambda _: {name: vars(run) for name, run in pump.run_once().items()},
            ("GET", "/local/clock"): lambda _: {"now": clock.now().astimezone(ISTANBUL).isoformat()},
            ("POST", "/local/clock"): lambda body: _move_clock(body, pump),
            ("POST", "/local/privacy-notice"): _publish_notice,
            ("DELETE", "/local/privacy-notice"): _withdraw_notices,
        },
    )
    bound_port = server.server.server_address[1]
    # The SMS link to the portal: this local server (in AWS, PORTAL_URL of the Chalice stage).
    os.environ["PORTAL_URL"] = f"http://{host}:{bound_port}"
    reset_settings()
    edevlet = _start_edevlet(session, provisioned.secret_names, f"http://{host}:{bound_port}")
    if pump_interval:
        pump.start(pump_interval)
    return LocalStack(
        emulator=emulator,
        edevlet=edevlet,
        app_module=app_module,
        outbox=outbox,
        pump=pump,
        server=server,
        url=f"http://{host}:{bound_port}",
        admin_email=admin_email,
        admin_password=admin_password,
        admin_totp_secret=admin_totp_secret,
        environment=environment,
    )


def _start_edevlet(session: boto3.session.Session, secret_names: tuple[str, ...], portal_url: str) -> EmbeddedProvider:
    """The e-Devlet stand-in, the service registered with it as a client (the portal's callback
    its only redirect address), the secret it issued put in (emulated) Secrets Manager and the
    issuer and client id in the environment: from here on the service finds e-Devlet exactly as
    it does in AWS (chalicelib/settings.py, chalicelib/wiring.py)."""
    from chalicelib.settings import edevlet_client_secret_name

    provider = EmbeddedProvider(synthetic_residents(), clock.today()).start()
    redirect_uri = f"{portal_url}/sign-in/e-devlet/callback"
    registration = provider.register_client(redirect_uri)
    assert edevlet_client_secret_name() in secret_names, "the e-Devlet secret is not among the provisioned ones"
    session.client("secretsmanager").put_secret_value(SecretId=edevlet_client_secret_name(), SecretString=registration.client_secret)
    os.environ.update(
        {"EDEVLET_ISSUER": provider.issuer, "EDEVLET_CLIENT_ID": registration.client_id, "EDEVLET_REDIRECT_URI": redirect_uri}
    )
    reset_settings()
    wiring.reset()
    return provider


def _move_clock(body: Any, pump: EventPump) -> dict[str, Any]:
    """Move the service's clock forward to `{"to": "<ISO time>"}` (local only; time never goes
    back), then run whatever the move made due: schedules fire as they would have in AWS."""
    if not isinstance(body, dict) or not isinstance(body.get("to"), str):
        raise ValueError('send {"to": "<ISO-8601 time with offset>"}')
    target = datetime.fromisoformat(body["to"])
    if target.tzinfo is None:
        raise ValueError("give the time with its offset, e.g. 2026-12-01T09:10:00+03:00")
    now = clock.now()
    if target < now:
        raise ValueError("the clock only moves forward")
    clock.travel(target - now)
    runs = pump.run_once()
    return {"now": clock.now().astimezone(ISTANBUL).isoformat(), "ran": {n: vars(r) for n, r in runs.items() if r.invocations}}


def _publish_notice(body: Any) -> dict[str, str]:
    """Publish `{"version": "YYYY-MM-DD"}` as a new version of the privacy notice, with the same
    words (local only): whoever signs in next sees it once, as after a real new version."""
    if not isinstance(body, dict) or not isinstance(body.get("version"), str):
        raise ValueError('send {"version": "YYYY-MM-DD"}, later than the version in force')
    version = body["version"].strip()
    privacy_notice.versions.publish(privacy_notice.NoticeVersion(version, date.fromisoformat(version[:10])))
    return {"version": version}


def _withdraw_notices(_: Any) -> dict[str, str]:
    """Back to the versions written in the code (local only)."""
    privacy_notice.versions.reset()
    return {"version": privacy_notice.versions.current().id}


def _seed(admin_email: str, admin_password: str, seed_residents: bool) -> None:
    from chalicelib.contract import ImportResidentsRequest
    from chalicelib.services import accounts, catalogue, registry

    accounts.ensure_admin(admin_email, admin_password)
    if seed_residents:
        records = [r.as_record() for r in synthetic_residents()]
        registry.import_residents(ImportResidentsRequest.model_validate({"records": records}))
    catalogue.extend_slot_horizon()

"""Run-time configuration, read from the environment once per process.

In AWS the environment is set by the CDK stack (`infrastructure/`); on one machine the local
stack (`chalicelib/local`) sets it before the app is imported. Nothing here talks to AWS.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from functools import lru_cache

from datetime import timedelta

from chalicelib.domain.demand import DemandPolicy
from chalicelib.domain.giving_back import ReturnDelay
from chalicelib.domain.kept_back import ReleasePolicy
from chalicelib.domain.limits import RateLimits

DEFAULT_PREFIX = "md-appointments"
# The portal's public address, as the SMS link it (keep it short: each character counts in an SMS).
DEFAULT_PORTAL_URL = "https://randevu.example.org"


@dataclass(frozen=True)
class Settings:
    region: str
    resource_prefix: str
    user_pool_id: str
    user_pool_client_id: str
    jwks_url: str
    sms_sender_id: str
    email_sender: str
    slot_horizon_days: int
    verification_code_ttl_minutes: int
    assignment_window_minutes: int
    web_secure_cookies: bool
    demand: DemandPolicy
    # Rate limits (env `RATE_LIMIT_<FIELD>`; defaults and the table of routes in the README).
    rate_limits: RateLimits = RateLimits()
    # e-Devlet (OpenID Connect): the provider's issuer URL, this service's client id there, the
    # Secrets Manager secret holding the client secret, and the portal's callback address.
    edevlet_issuer: str = ""
    edevlet_client_id: str = ""
    edevlet_client_secret_name: str = ""
    edevlet_redirect_uri: str = ""
    portal_url: str = DEFAULT_PORTAL_URL
    # A notification's channel is given up (marked failed, shown to staff, alarmed) after this many
    # failed sends; keep it at most the queue's max_receive_count (5) so it lands before the DLQ.
    notification_max_attempts: int = 5
    # The sender's pace in each worker (sends per second; 0 = unpaced): the stack derives it from
    # the account's SNS/SES quotas and the workers' maximum concurrency (infrastructure/stacks/workers.py).
    notification_sms_per_second: float = 0.0
    notification_email_per_second: float = 0.0
    # The SES configuration set every email is sent with (empty: none; chalicelib/resources.py).
    email_configuration_set: str = ""
    # A place given back returns to the pool at a random moment this many minutes after its
    # release (env PLACE_RETURN_DELAY_MINUTES="low-high", default 15-90; domain/giving_back.py).
    place_return_delay: ReturnDelay = ReturnDelay()
    # The assigner's budget per message: due requests read before it continues in a follow-up
    # message (env ASSIGNMENT_MAX_ITEMS; services/assignment.Budget).
    assignment_max_items: int = 1000
    # The KMS key that signs receipts (its ARN in AWS, its id locally; chalicelib/resources.py).
    receipt_signing_key_id: str = ""
    # The public keys (DER) of receipt keys rotated out whose receipts are still honoured (env
    # RECEIPT_PREVIOUS_PUBLIC_KEYS, base64, comma separated; infrastructure/stacks/appointments.py
    # says how an asymmetric key is rotated by hand).
    receipt_previous_public_keys: tuple[bytes, ...] = ()
    # When a day's unused kept-back places go to the public: `lead` before its first slot, at a
    # random moment in the `window` before that (env KEPT_BACK_RELEASE_LEAD_HOURS, _WINDOW_HOURS).
    kept_back_release: ReleasePolicy = ReleasePolicy()

    @property
    def issuer(self) -> str:
        """The `iss` claim Cognito puts in every token of this pool."""
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.user_pool_id}"


def edevlet_client_secret_name() -> str:
    """Where the e-Devlet client secret is kept (named in `chalicelib/resources.py` too)."""
    return f"{resource_prefix()}/edevlet-client-secret"


def family_key_secret_name() -> str:
    """The key a guardian's dependants' opaque ids are derived with (HMAC; services/family.py),
    so no document number travels in a URL, a form or an API answer (named in resources.py too)."""
    return f"{resource_prefix()}/family-id-key"


def resource_prefix() -> str:
    """Prefix of every physical resource name (tables, queues): one deployment per prefix."""
    return os.environ.get("RESOURCE_PREFIX", DEFAULT_PREFIX)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    env = os.environ
    region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "eu-central-1"
    pool_id = env.get("USER_POOL_ID", "")
    return Settings(
        region=region,
        resource_prefix=resource_prefix(),
        user_pool_id=pool_id,
        user_pool_client_id=env.get("USER_POOL_CLIENT_ID", ""),
        # In AWS the key set lives under the issuer; the local stack points this at the emulator.
        jwks_url=env.get("JWKS_URL")
        or f"https://cognito-idp.{region}.amazonaws.com/{pool_id}/.well-known/jwks.json",
        sms_sender_id=env.get("SMS_SENDER_ID", "GOCIDARESI"),
        email_sender=env.get("EMAIL_SENDER", "no-reply@randevu.example.org"),
        slot_horizon_days=int(env.get("SLOT_HORIZON_DAYS", "21")),
        verification_code_ttl_minutes=int(env.get("VERIFICATION_CODE_TTL_MINUTES", "15")),
        # At most 15: a window's message waits on the queue (DelaySeconds ≤ 900) until it closes.
        web_secure_cookies=env.get("WEB_SECURE_COOKIES", "true").lower() != "false",
        assignment_window_minutes=min(int(env.get("ASSIGNMENT_WINDOW_MINUTES", "10")), 15),
        assignment_max_items=max(int(env.get("ASSIGNMENT_MAX_ITEMS", "1000")), 1),
        edevlet_issuer=env.get("EDEVLET_ISSUER", ""),
        edevlet_client_id=env.get("EDEVLET_CLIENT_ID", ""),
        edevlet_client_secret_name=env.get("EDEVLET_CLIENT_SECRET_NAME") or edevlet_client_secret_name(),
        edevlet_redirect_uri=env.get("EDEVLET_REDIRECT_URI", ""),
        portal_url=(env.get("PORTAL_URL") or DEFAULT_PORTAL_URL).rstrip("/"),
        email_configuration_set=env.get("EMAIL_CONFIGURATION_SET", ""),
        receipt_signing_key_id=env.get("RECEIPT_SIGNING_KEY_ID", ""),
        receipt_previous_public_keys=tuple(
            base64.b64decode(key, validate=True) for key in env.get("RECEIPT_PREVIOUS_PUBLIC_KEYS", "").split(",") if key.strip()
        ),
        rate_limits=RateLimits.from_environment(env),
        notification_max_attempts=max(1, int(env.get("NOTIFICATION_MAX_ATTEMPTS", "5"))),
        notification_sms_per_second=float(env.get("NOTIFICATION_SMS_PER_SECOND", "0")),
        notification_email_per_second=float(env.get("NOTIFICATION_EMAIL_PER_SECOND", "0")),
        place_return_delay=_return_delay(env.get("PLACE_RETURN_DELAY_MINUTES", "")),
        kept_back_release=ReleasePolicy(
            lead=timedelta(hours=float(env.get("KEPT_BACK_RELEASE_LEAD_HOURS", "24"))),
            window=timedelta(hours=float(env.get("KEPT_BACK_RELEASE_WINDOW_HOURS", "6"))),
        ),
        demand=DemandPolicy(
            lookahead_days=int(env.get("DEMAND_LOOKAHEAD_DAYS", DemandPolicy.lookahead_days)),
            assign_below_free_share=float(env.get("DEMAND_ASSIGN_BELOW_FREE_SHARE", DemandPolicy.assign_below_free_share)),
            open_at_free_share=float(env.get("DEMAND_OPEN_AT_FREE_SHARE", DemandPolicy.open_at_free_share)),
            max_bookings_per_minute=float(env.get("DEMAND_MAX_BOOKINGS_PER_MINUTE", DemandPolicy.max_bookings_per_minute)),
        ),
    )


def _return_delay(text: str) -> ReturnDelay:
    """"15-90" -> ReturnDelay(15, 90); empty: the default."""
    if not text.strip():
        return ReturnDelay()
    low, _, high = text.partition("-")
    return ReturnDelay(int(low), int(high or low))


def reset_settings() -> None:
    """Forget the cached settings (the local stack and tests change the environment)."""
    get_settings.cache_clear()

"""Which route counts what: the one table of route-level rate limits, for the API and the portal.

`chalicelib/api/http.py` and `chalicelib/web/frame.py` apply it to every request before the
endpoint or page runs: the client-IP rules first (before the token is even read), then the
account rules. The numbers are settings (`domain/limits.RateLimits`, env `RATE_LIMIT_*`).
Limits keyed by what a body names (a phone, a document number, an account's codes) live in the
use cases: `services/code_sms.py`, `services/phone_accounts.py`, `services/signup.py`.
The README's "Rate limits" section shows this table; `tests/unit/test_rate_limits.py` checks that
every public route and every route that books or sends a message is in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.clock import clock
from chalicelib.domain import limits
from chalicelib.domain.roles import Caller
from chalicelib.services import limits as counters
from chalicelib.services.admission import Admission
from chalicelib.settings import get_settings

IP, ACCOUNT = "ip", "account"


@dataclass(frozen=True)
class Rule:
    name: str
    key: str  # IP or ACCOUNT
    setting: str  # the RateLimits field holding the number
    period: int  # seconds (limits.MINUTE, limits.HOUR)
    message: str

    @property
    def limit(self) -> int:
        return int(getattr(get_settings().rate_limits, self.setting))

    def counted(self) -> counters.Limit:
        return counters.Limit(self.name, self.limit, self.period, self.message)


IP_REQUESTS = Rule("ip-requests", IP, "ip_requests_per_minute", limits.MINUTE, "Too many requests from your network. Please wait a moment and try again.")
IP_SIGN_UPS = Rule("ip-sign-ups", IP, "ip_sign_ups_per_hour", limits.HOUR, "Too many sign-ups from your network. Please try again later.")
IP_CODES = Rule("ip-codes", IP, "ip_codes_per_hour", limits.HOUR, "Too many codes were asked for from your network. Please try again later.")
IP_SIGN_INS = Rule("ip-sign-ins", IP, "ip_sign_ins_per_minute", limits.MINUTE, "Too many sign-in attempts from your network. Please wait a moment and try again.")
IP_CODE_CHECKS = Rule("ip-code-checks", IP, "ip_code_checks_per_hour", limits.HOUR, "Too many codes were tried from your network. Please try again later.")
ACCOUNT_BOOKINGS = Rule("account-bookings", ACCOUNT, "account_bookings_per_hour", limits.HOUR, "Too many booking changes from your account. Please try again later.")
ACCOUNT_SETTINGS = Rule("account-settings", ACCOUNT, "account_settings_per_hour", limits.HOUR, "Too many changes to your settings. Please try again later.")
ACCOUNT_DATA_EXPORTS = Rule("account-data-exports", ACCOUNT, "account_data_exports_per_day", limits.DAY, "You have downloaded your data several times today. Please try again tomorrow.")
ACCOUNT_STAFF_ACTIONS = Rule("account-staff-actions", ACCOUNT, "account_staff_actions_per_hour", limits.HOUR, "Too many changes from your account. Please try again later.")

PUBLIC = (IP_REQUESTS,)

# (method, path) → the rules it counts, for API routes and portal pages alike.
ROUTES: dict[tuple[str, str], tuple[Rule, ...]] = {
    # The API, public.
    ("GET", "/v1/health"): PUBLIC,
    ("GET", "/v1/openapi.json"): PUBLIC,
    ("GET", "/v1/provinces"): PUBLIC,
    ("GET", "/v1/directorates"): PUBLIC,
    ("GET", "/v1/services"): PUBLIC,
    ("GET", "/v1/statistics"): PUBLIC,
    ("GET", "/v1/privacy-notice"): PUBLIC,
    ("POST", "/v1/auth/signup"): (*PUBLIC, IP_SIGN_UPS),
    ("POST", "/v1/auth/confirm"): (*PUBLIC, IP_CODE_CHECKS),
    ("POST", "/v1/auth/resend-code"): (*PUBLIC, IP_CODES),
    ("POST", "/v1/auth/login"): (*PUBLIC, IP_SIGN_INS),
    ("POST", "/v1/auth/mfa"): (*PUBLIC, IP_SIGN_INS),
    ("POST", "/v1/auth/forgot-password"): (*PUBLIC, IP_CODES),
    ("POST", "/v1/auth/reset-password"): (*PUBLIC, IP_CODE_CHECKS),
    # The API, routes that book or send a message.
    ("POST", "/v1/appointments"): (ACCOUNT_BOOKINGS,),
    ("PATCH", "/v1/appointments/{appointment_id}"): (ACCOUNT_BOOKINGS,),
    ("DELETE", "/v1/appointments/{appointment_id}"): (ACCOUNT_BOOKINGS,),
    ("POST", "/v1/assignment-requests"): (ACCOUNT_BOOKINGS,),
    ("DELETE", "/v1/assignment-requests/{request_id}"): (ACCOUNT_BOOKINGS,),
    ("PUT", "/v1/me/language"): (ACCOUNT_SETTINGS,),
    ("GET", "/v1/me/data"): (ACCOUNT_DATA_EXPORTS,),  # reads every table about the person: expensive
    ("DELETE", "/v1/me"): (ACCOUNT_SETTINGS,),
    ("PUT", "/v1/me/privacy-notice"): (ACCOUNT_SETTINGS,),
    ("PATCH", "/v1/staff/applicants/{applicant_id}"): (ACCOUNT_STAFF_ACTIONS,),
    ("POST", "/v1/staff/applicants/{applicant_id}/release"): (ACCOUNT_STAFF_ACTIONS,),
    ("POST", "/v1/staff/appointments/{appointment_id}/attendance"): (ACCOUNT_STAFF_ACTIONS,),
    ("POST", "/v1/staff/appointments/{appointment_id}/follow-up"): (ACCOUNT_STAFF_ACTIONS,),
    ("PUT", "/v1/staff/applicants/{applicant_id}/lock"): (ACCOUNT_STAFF_ACTIONS,),
    ("POST", "/v1/appointments/{appointment_id}/release"): (ACCOUNT_BOOKINGS,),
    ("POST", "/v1/staff/directorates/{directorate_id}/closures"): (ACCOUNT_STAFF_ACTIONS,),
    ("POST", "/v1/staff/receipts/verify"): (ACCOUNT_STAFF_ACTIONS,),  # an audited read of a person
    ("POST", "/v1/staff/appointments"): (ACCOUNT_STAFF_ACTIONS,),  # the phone line and the counter book
    # The portal: every page counts IP_REQUESTS (PORTAL_DEFAULT); these count more.
    ("POST", "/sign-up"): (*PUBLIC, IP_SIGN_UPS),
    ("POST", "/sign-up/code"): (*PUBLIC, IP_CODE_CHECKS),
    ("POST", "/sign-in"): (*PUBLIC, IP_SIGN_INS),
    ("POST", "/sign-in/code"): (*PUBLIC, IP_SIGN_INS),
    ("GET", "/sign-in/e-devlet"): (*PUBLIC, IP_SIGN_INS),
    ("GET", "/sign-in/e-devlet/callback"): (*PUBLIC, IP_SIGN_INS),
    ("POST", "/sign-in/e-devlet/contact"): (*PUBLIC, IP_SIGN_UPS),
    ("POST", "/sign-in/e-devlet/phone-code"): (*PUBLIC, IP_CODE_CHECKS),
    ("POST", "/sign-in/e-devlet/email-code"): (*PUBLIC, IP_CODE_CHECKS),
    ("POST", "/password/forgot"): (*PUBLIC, IP_CODES),
    ("POST", "/password/reset"): (*PUBLIC, IP_CODE_CHECKS),
    ("POST", "/me/language"): (*PUBLIC, ACCOUNT_SETTINGS),
    ("GET", "/me/data"): (*PUBLIC, ACCOUNT_DATA_EXPORTS),
    ("GET", "/me/data.json"): (*PUBLIC, ACCOUNT_DATA_EXPORTS),
    ("POST", "/me/close"): (*PUBLIC, ACCOUNT_SETTINGS),
    ("POST", "/privacy/updated"): (*PUBLIC, ACCOUNT_SETTINGS),
    ("POST", "/book/check"): (*PUBLIC, ACCOUNT_BOOKINGS),
    ("POST", "/book/request"): (*PUBLIC, ACCOUNT_BOOKINGS),
    ("POST", "/requests/{request_id}"): (*PUBLIC, ACCOUNT_BOOKINGS),
    ("POST", "/staff/appointments/{appointment_id}/attendance"): (*PUBLIC, ACCOUNT_STAFF_ACTIONS),
    ("POST", "/staff/closure"): (*PUBLIC, ACCOUNT_STAFF_ACTIONS),
    ("POST", "/appointments/{appointment_id}/give-back"): (*PUBLIC, ACCOUNT_BOOKINGS),
    ("POST", "/staff/appointments/{appointment_id}/correction"): (*PUBLIC, ACCOUNT_STAFF_ACTIONS),
    ("POST", "/staff/appointments/{appointment_id}/follow-up"): (*PUBLIC, ACCOUNT_STAFF_ACTIONS),
    ("POST", "/staff/appointments/{appointment_id}/lock"): (*PUBLIC, ACCOUNT_STAFF_ACTIONS),
    ("POST", "/staff/applicants/{applicant_id}"): (*PUBLIC, ACCOUNT_STAFF_ACTIONS),
    ("POST", "/staff/applicants/{applicant_id}/release"): (*PUBLIC, ACCOUNT_STAFF_ACTIONS),
    ("POST", "/staff/receipts"): (*PUBLIC, ACCOUNT_STAFF_ACTIONS),
    ("POST", "/assisted"): (*PUBLIC, ACCOUNT_STAFF_ACTIONS),  # each search reads the registry
    ("POST", "/assisted/slots"): (*PUBLIC, ACCOUNT_STAFF_ACTIONS),
    ("POST", "/assisted/book"): (*PUBLIC, ACCOUNT_STAFF_ACTIONS),
}
PORTAL_DEFAULT = PUBLIC  # any other page, any method


def rules_for(method: str, path: str, portal: bool = False) -> tuple[Rule, ...]:
    return ROUTES.get((method, path), PORTAL_DEFAULT if portal else ())


def source_ip(context: Any) -> str:
    """The client's address as API Gateway reports it (the local server fills it from the socket)."""
    identity = (context or {}).get("identity") or {}
    return str(identity.get("sourceIp") or "unknown")


def enforce(rules: tuple[Rule, ...], key: str, subject: str | None) -> None:
    """Count the request against each of `rules` keyed by `key` (IP or ACCOUNT), or refuse it
    with 429 RATE_LIMITED and Retry-After. No subject (no account yet): nothing to count."""
    if subject is None:
        return
    now = clock.now()
    for rule in rules:
        if rule.key == key:
            limit = rule.counted()
            if not counters.spend(limit.kind, subject, limit.limit, now, limit.period):
                raise limit.refusal(now)


def admission(rules: tuple[Rule, ...], caller: Caller) -> Admission:
    """The checks the API makes of a signed-in caller before an endpoint, handed to one that takes
    them into its own transaction (services/admission.py): the token's revocation check, and
    `rules`' per-account limits."""
    assert caller.issued_at is not None, "a caller from a verified token"
    return Admission(caller.account_id, caller.issued_at, tuple(rule.counted() for rule in rules if rule.key == ACCOUNT))

"""What a person's data export leaves out of each kind of record, and why (pure, no I/O).

Everything else the service stores about them is exported as stored. A field is left out only
when it is a secret the export would weaken (digests of one-time codes, the access token of a
session), when it would reveal what must stay secret to keep the service fair (a lottery rank,
the random moment a place given back returns to the pool), when it is someone else's personal
data, or when it is a copy made only to index the record (its value is exported under its own
name). `tests/unit/test_my_data_fields.py` holds every stored attribute to this list: a new
attribute is either exported or named here with its reason.
"""

from __future__ import annotations

SCHEMA_VERSION = "1"

LEFT_OUT: dict[str, dict[str, str]] = {
    "Applicant": {
        "verification_code_hash": "a digest of a one-time code: a secret",
        "reset_code_hash": "a digest of a one-time code: a secret",
        "email_code_hash": "a digest of a one-time code: a secret",
        "pending_day": "an index copy of pending_expires_at",
        "expires": "an index copy (DynamoDB's TTL) of pending_expires_at",
    },
    "Appointment": {
        "checkin_code_hash": "a digest of a one-time code: a secret",
        "place_returns_at": "the secret random moment a place given back returns to the pool",
        "returning_day": "an index copy of place_returns_at",
        "unmarked_day": "an index copy of start",
    },
    "AssignmentRequest": {
        "queue_key": "reveals the request's lottery rank",
        "waiting_province": "its shard is drawn from the lottery rank",
    },
    "Notification": {
        "undelivered_day": "an index copy of created_at",
    },
    "ResidentRecord": {
        "guardian_document_number": "another person's document number (the guardian's)",
    },
    "AuditRecord": {
        "subject": "the record it is filed under: this person",
        "actor_id": "a staff member's account id (the authority's own record); the role is exported, and the person's own id or a system's name is kept",
    },
    "SignInRecord": {
        "account_id": "this person",
        "expires": "an index copy (DynamoDB's TTL) of when the record is removed",
    },
    "WebSession": {
        "csrf_token": "a secret of the session",
        "access_token": "a secret of the session",
        "oidc_state": "a secret of a sign-in in progress",
        "oidc_nonce": "a secret of a sign-in in progress",
        "oidc_verifier": "a secret of a sign-in in progress",
        "sign_in_challenge": "a secret of a sign-in in progress",
        "signup_email": "only between a sign-up and its code",
        "reset_email": "only between a forgotten password and its code",
        "found_applicant": "a staff session's state, never an applicant's",
        "edevlet_document": "only during an e-Devlet first sign-in",
        "edevlet_applicant": "only during an e-Devlet first sign-in",
        "edevlet_until": "only during an e-Devlet first sign-in",
        "session_id": "the session's secret cookie value",
        "account_id": "this person",
    },
    "TokenValidity": {
        "account_id": "this person",
    },
}


def kept_actor(actor_id: str, person_id: str) -> bool:
    """An audit record's actor is exported when it is the person themselves or the system."""
    return actor_id == person_id or actor_id.startswith("system")

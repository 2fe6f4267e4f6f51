from chalicelib.api.errors import ERROR_TABLE, refusal
from chalicelib.domain import errors

CONTRACT = {
    "VALIDATION_FAILED": 400, "UNAUTHENTICATED": 401, "FORBIDDEN": 403, "NOT_ELIGIBLE": 403,
    "WRONG_PROVINCE": 403, "NOT_FOUND": 404, "DUPLICATE_ACCOUNT": 409, "SLOT_FULL": 409,
    "LOCKED_OUT": 409, "APPOINTMENT_FINAL": 409, "PROFILE_LOCKED": 409, "REQUEST_PENDING": 409,
    "ASSIGNED_MODE": 409, "RATE_LIMITED": 429,
}


def test_every_domain_error_has_exactly_the_contract_status_and_code():
    subclasses = set(errors.DomainError.__subclasses__())
    assert subclasses == set(ERROR_TABLE)
    assert {code: status for status, code in ERROR_TABLE.values()} == CONTRACT


def test_the_envelope_carries_code_message_and_details():
    status, body = refusal(errors.LockedOut(locked_until="2026-12-27T10:00:00+03:00"))
    assert status == 409
    assert body == {
        "error": {
            "code": "LOCKED_OUT",
            "message": errors.LockedOut.default_message,
            "details": {"locked_until": "2026-12-27T10:00:00+03:00"},
        }
    }

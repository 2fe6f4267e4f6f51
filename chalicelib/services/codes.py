"""The one-time codes kept on an applicant's item: one slot per purpose (the phone code of a
sign-up, a forgotten password's code, an e-Devlet account's email code), each three attributes —
the code's digest, its expiry, the attempts made on it.

Two rules serve every slot:
- an attempt is counted before it is judged (the account's guesses of the day, then the code's
  own attempts), each by a conditional write, so guesses sent in parallel never exceed either;
- a new code is stored no sooner than `RESEND_INTERVAL` after the last one, by a conditional
  write, so of two requests at the same moment one sends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from pynamodb.attributes import Attribute

from chalicelib.adapters.dynamo import update_if
from chalicelib.adapters.tables import Applicant
from chalicelib.domain import limits, verification
from chalicelib.services import limits as counters

RESEND_INTERVAL = timedelta(seconds=60)


@dataclass(frozen=True)
class CodeSlot:
    purpose: str  # what the code is for: its digest is bound to it (domain/verification.py)
    digest: Attribute
    expires_at: Attribute
    attempts: Attribute

    def pending(self, applicant: Applicant) -> verification.PendingCode:
        return verification.PendingCode(
            getattr(applicant, self.digest.attr_name),
            getattr(applicant, self.expires_at.attr_name),
            int(getattr(applicant, self.attempts.attr_name) or 0),
        )


SIGN_UP = CodeSlot(verification.SIGN_UP, Applicant.verification_code_hash, Applicant.verification_expires_at, Applicant.verification_attempts)
PASSWORD_RESET = CodeSlot(verification.PASSWORD_RESET, Applicant.reset_code_hash, Applicant.reset_expires_at, Applicant.reset_attempts)
EMAIL = CodeSlot(verification.EMAIL, Applicant.email_code_hash, Applicant.email_code_expires_at, Applicant.email_code_attempts)


def count_attempt(applicant: Applicant, slot: CodeSlot, now: datetime) -> verification.PendingCode | None:
    """Count an attempt on the slot's code before its answer is known. Returns the code as it was
    before this attempt, or None when no code is pending (the day's guesses are not spent on
    nothing) or no attempt is left."""
    if getattr(applicant, slot.digest.attr_name) is None:
        return None
    if not counters.spend(counters.CODE_GUESS, applicant.applicant_id, limits.GUESSES_PER_DAY, now):
        return None
    counted = update_if(
        applicant,
        [slot.attempts.add(1)],
        slot.digest.exists() & (slot.attempts < limits.ATTEMPTS_PER_CODE),
    )
    if not counted:
        return None
    pending = slot.pending(applicant)  # the item as updated: one attempt more than before
    return verification.PendingCode(pending.digest, pending.expires_at, pending.attempts - 1)


def store_new(applicant: Applicant, slot: CodeSlot, code: str, now: datetime, minutes: int, *, replacing_only: bool = False) -> bool:
    """Store `code` in the slot unless the last one was sent less than `RESEND_INTERVAL` ago
    (with `replacing_only`, also unless no code is pending). False when it was not stored."""
    sent_long_enough_ago = slot.expires_at.does_not_exist() | (
        slot.expires_at <= verification.resend_threshold(now, minutes, RESEND_INTERVAL)
    )
    return update_if(
        applicant,
        [
            slot.digest.set(verification.code_digest(applicant.applicant_id, code, slot.purpose)),
            slot.expires_at.set(verification.expiry(now, minutes)),
            slot.attempts.set(0),
        ],
        slot.digest.exists() & sent_long_enough_ago if replacing_only else sent_long_enough_ago,
    )

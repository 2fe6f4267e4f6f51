"""Closing an online account (KVKK: the person ends the processing they asked for), as rules.

- A closed account signs in no more and is sent nothing more; its appointments and audit trail
  stay, as records the directorate must keep.
- Closing never frees a person to book sooner: the identity stays claimed by the closed account,
  with its 30-day lock, until that lock has ended. Until then a new sign-up with that identity is
  answered as for any claimed identity (DUPLICATE_ACCOUNT).
- Once the lock has ended the person may open a new account. It is a new account (new id, new
  login, none of the old account's contact details, messages, requests or sign-ins), but it takes
  over the person's appointments, as an account opened by a person booked for offline does: they
  carry the lock history (a late no-show or a corrected attendance mark locks the new account).

Pure, no I/O.
"""

from __future__ import annotations

from datetime import datetime

from chalicelib.domain.lockout import lock_in_force

CLOSED = "closed"  # Applicant.status of a closed account
ACTION = "account.closed"  # its audit record's action
TOKEN_REASON = "closed"  # TokenValidity.reason: its access tokens were revoked by the closure
SKIPPED_REASON = "account_closed"  # why a notification's channels were not sent


def may_close(status: str) -> bool:
    """Only an active account is closed by its person (a pending sign-up simply lapses; a
    released account is the authority's to keep)."""
    return status == "active"


def identity_freed(status: str, locked_until: datetime | None, now: datetime) -> bool:
    """Whether a new account of the same person may take the identity a closed account holds:
    only once no lock is in force (the same boundary as lockout.lock_in_force)."""
    return status == CLOSED and lock_in_force(locked_until, now) is None

"""Families (issue 12): who a guardian may book for, and how many people one booking may carry.

A dependant is a minor whose registry record names the guardian (by a document number the
guardian's account holds). The guardian names a dependant by an opaque id derived from the
child's document number with a key the service keeps, so no document number travels in a URL,
a form or an API answer.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date

from chalicelib.domain.errors import ValidationFailed

SELF = "self"  # the guardian themselves, among the people of a booking
ADULT_AGE = 18
# People in one booking: each takes up to five items of the one transaction (their lock, the
# appointment, its audit record, its confirmation and reminder) beside the slot's one, well within
# DynamoDB's 100 items, and no family books a directorate's whole half hour.
MAX_PEOPLE = 6
DEPENDANT_ID_LENGTH = 32  # hex characters of the HMAC kept


def dependant_id(key: bytes, document_number: str) -> str:
    """The opaque, stable id a guardian names a dependant by."""
    return hmac.new(key, f"dependant:{document_number}".encode(), hashlib.sha256).hexdigest()[:DEPENDANT_ID_LENGTH]


def is_minor(birth_date: str | None, today: date) -> bool:
    """Under 18 today (a record without a birth date is nobody's dependant)."""
    if not birth_date:
        return False
    try:
        born = date.fromisoformat(birth_date)
    except ValueError:
        return False
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    return age < ADULT_AGE


def require_people(people: list[str], dependants: set[str]) -> None:
    """Everyone named is the guardian or one of their dependants: anyone else is refused without
    saying whether such a child exists."""
    strangers = [person for person in people if person != SELF and person not in dependants]
    if strangers:
        raise ValidationFailed("Choose only yourself and children you are the registered guardian of.", field="people")

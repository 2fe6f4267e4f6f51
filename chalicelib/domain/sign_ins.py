"""What the service records of a sign-in, and for how long (pure, no I/O).

A sign-in record says when an applicant's account was signed in to and how (`password` or
`e-devlet`), nothing more: no IP address, no device. Its purpose is the person's own: their data
export lists them, so they notice a sign-in that was not theirs (and sign out everywhere). A year
is enough for that and for the authority to answer a complaint about misuse of an account.
(The period lives in the retention schedule, `domain/retention.py`.)
"""

from __future__ import annotations

from chalicelib.domain.retention import SIGN_IN_RECORD

PASSWORD = "password"
EDEVLET = "e-devlet"
METHODS = (PASSWORD, EDEVLET)
KEPT_FOR = SIGN_IN_RECORD  # the retention schedule's period (domain/retention.py)

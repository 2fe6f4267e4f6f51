"""When an access token stops being accepted before it expires.

Cognito's access tokens are verified by the service itself (stack-notes 14), and Cognito's
`AdminUserGlobalSignOut` revokes refresh tokens only: an access token keeps verifying until it
expires (up to 60 minutes). So the service keeps, per account, the instant from which tokens are
valid, and refuses any token issued before it. The events that move that instant forward: a
password reset, a sign-out everywhere, the account being disabled or released (a change of role,
when the service gets one, must revoke too).

Instants are whole seconds on the token's clock (the `iat` claim is whole seconds of real time,
set by whoever issued the token), never the service's travel-able clock.
"""

from __future__ import annotations

# Each process remembers an account's instant for at most this long, so a revocation made by one
# function instance is obeyed by every other within this bound (the promise: 60 s).
CACHE_SECONDS = 30
REFUSED_WITHIN_SECONDS = 60
assert CACHE_SECONDS < REFUSED_WITHIN_SECONDS

# How many accounts a process remembers at most (the oldest entries are forgotten first).
CACHE_ENTRIES = 10_000


def issued_before_revocation(issued_at: int, valid_from: int | None) -> bool:
    """A token issued in a whole second before the account's "valid from" instant is refused.

    A token issued in the same second as the revocation is accepted: the person who just reset a
    password or signed out everywhere signs in again at once, and must not be refused for the
    rest of that second."""
    return valid_from is not None and issued_at < valid_from

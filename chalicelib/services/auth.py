"""Who is calling: the bearer token, verified, turned into a Caller with roles."""

from __future__ import annotations

from chalicelib import wiring
from chalicelib.adapters.tables import StaffMember
from chalicelib.adapters.tokens import InvalidToken, VerifiedToken
from chalicelib.domain.catalogue import Directorate, find_directorate
from chalicelib.domain.errors import Forbidden, Unauthenticated
from chalicelib.domain.roles import Caller, Role
from chalicelib.services import revocation

_ROLES = {role.value: role for role in Role}


def authenticate(authorization: str | None, check_revocation: bool = True) -> Caller:
    """The caller of a valid bearer token, or Unauthenticated. `check_revocation=False` only for
    an endpoint that takes an Admission: it checks the token's revocation itself, in its
    transaction (services/admission.py), or the API does after it."""
    scheme, _, token = (authorization or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated()
    try:
        verified = wiring.token_verifier().verify(token.strip())
    except InvalidToken:
        raise Unauthenticated() from None
    if check_revocation and revocation.is_revoked(verified.sub, verified.issued_at):
        raise Unauthenticated()
    return caller_of(verified)


def fresh_caller(access_token: str) -> Caller:
    """The caller of a token Cognito has just issued to the service itself (a sign-in): its
    signature is verified, and no revocation can predate it."""
    return caller_of(wiring.token_verifier().verify(access_token))


def caller_of(verified: VerifiedToken) -> Caller:
    return Caller(account_id=verified.sub, roles=frozenset(_ROLES[group] for group in verified.groups if group in _ROLES),
                  issued_at=verified.issued_at)


def staff_directorate(caller: Caller) -> Directorate | None:
    """The directorate a staff account works for (None for an admin without one)."""
    try:
        member = StaffMember.get(caller.account_id)
    except StaffMember.DoesNotExist:
        if Role.ADMIN in caller.roles:
            return None
        raise Forbidden("This staff account is not assigned to a directorate.") from None
    return find_directorate(member.directorate_id)

"""Who is calling: an account and the roles (Cognito groups) its verified token carries."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Role(str, enum.Enum):
    APPLICANT = "applicant"
    STAFF = "staff"  # bound to one directorate (see StaffMember)
    # A supervisor is a member of staff (its account is in both groups) who may also lift or
    # shorten a lock and correct what staff recorded (issue 12).
    SUPERVISOR = "supervisor"
    AGENT = "agent"  # the national phone line: books for a person of any province, bound to none
    ADMIN = "admin"


@dataclass(frozen=True)
class Caller:
    account_id: str
    roles: frozenset[Role]
    issued_at: int | None = field(default=None, compare=False)  # its token's `iat` (whole seconds)

    def has_any(self, roles: frozenset[Role]) -> bool:
        return bool(self.roles & roles)

    @property
    def acting_role(self) -> Role | None:
        """The role the account acts in (recorded in audit trails, choosing the portal's
        menu): its highest, admin over supervisor over staff over agent over applicant."""
        return next((role for role in _BY_RANK if role in self.roles), None)


_BY_RANK = (Role.ADMIN, Role.SUPERVISOR, Role.STAFF, Role.AGENT, Role.APPLICANT)


def needs_second_factor(roles: frozenset[Role]) -> bool:
    """Every account that acts for the authority — any role other than applicant (staff, admin,
    and whatever role is added later) — signs in with a second factor, a TOTP code."""
    return any(role is not Role.APPLICANT for role in roles)

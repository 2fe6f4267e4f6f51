"""Who is calling: an account and the roles (Cognito groups) its verified token carries."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Role(str, enum.Enum):
    APPLICANT = "applicant"
    STAFF = "staff"  # bound to one directorate (see StaffMember)
    ADMIN = "admin"


@dataclass(frozen=True)
class Caller:
    account_id: str
    roles: frozenset[Role]

    def has_any(self, roles: frozenset[Role]) -> bool:
        return bool(self.roles & roles)

    @property
    def acting_role(self) -> Role | None:
        """The role the account acts in (recorded in audit trails, choosing the portal's
        menu): its highest, admin over staff over applicant."""
        return next((role for role in (Role.ADMIN, Role.STAFF, Role.APPLICANT) if role in self.roles), None)


def needs_second_factor(roles: frozenset[Role]) -> bool:
    """Every account that acts for the authority — any role other than applicant (staff, admin,
    and whatever role is added later) — signs in with a second factor, a TOTP code."""
    return any(role is not Role.APPLICANT for role in roles)

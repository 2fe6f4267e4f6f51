"""The applicant's own details: readable, never amendable online; the notification language (not
personal data) is changed online."""

from __future__ import annotations

from chalicelib.api.http import APPLICANT, endpoint
from chalicelib.contract import AnyBody, ApplicantProfile, LanguageRequest
from chalicelib.domain.errors import NotFound, ProfileLocked
from chalicelib.domain.roles import Caller
from chalicelib.services import notification_language, profile



@endpoint("My profile: identity, province, permit status and lock", roles=APPLICANT, errors=(NotFound,))
def me(caller: Caller) -> ApplicantProfile:
    return profile.my_profile(caller)


@endpoint(
    "Always refused: personal details are amended only in person at a directorate",
    roles=APPLICANT,
    errors=(ProfileLocked,),
)
def amend_me(caller: Caller, body: AnyBody) -> None:
    profile.refuse_self_amendment(caller)


@endpoint(
    "Change my notification language (SMS, email, calendar invitations): not personal data, so changed online",
    roles=APPLICANT,
    errors=(NotFound,),
)
def change_language(caller: Caller, body: LanguageRequest) -> ApplicantProfile:
    return notification_language.change(caller, body.language)

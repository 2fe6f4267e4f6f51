"""The messages of the public contract (`api-contract.md`): request and response bodies
(pydantic models), and a page of results.

The same models validate requests, serialise responses and generate the OpenAPI document. They
are the vocabulary the use cases take and return, so they live below the entry points: the API
(`chalicelib/api`), the portal (`chalicelib/web`) and the use cases (`chalicelib/services`) all
import them from here, and no use case imports an entry point (tests/unit/test_layers.py).
Field rules come from `chalicelib/domain/identity.py`, so a rule is written once.
"""

from __future__ import annotations

from datetime import date, datetime
import dataclasses
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, StringConstraints, field_validator

from chalicelib.clock import clock
from chalicelib.domain import identity, privacy_notice
from chalicelib.domain.calendar import ISTANBUL
from chalicelib.domain.capacity import MAX_CAPACITY
from chalicelib.domain.family import DEPENDANT_ID_LENGTH, MAX_PEOPLE, SELF
from chalicelib.domain.catalogue import PermitStatus, find_directorate, find_province
from chalicelib.domain.identity import PASSWORD_POLICY, DocumentType
from chalicelib.domain.profile import MIN_REASON_LENGTH
from chalicelib.i18n import LANGUAGES


def _birth_date(value: date) -> date:
    return identity.check_birth_date(value, clock.today())


def _province(code: str) -> str:
    if find_province(code) is None:
        raise ValueError("use a province plate code from 01 to 81")
    return code


def _directorate(directorate_id: str) -> str:
    if find_directorate(directorate_id) is None:
        raise ValueError("no directorate has this id (see GET /v1/directorates)")
    return directorate_id


def _bounded(max_length: int) -> StringConstraints:
    return StringConstraints(min_length=1, max_length=max_length)


# Times go out in the service's display zone, Europe/Istanbul, with their offset.
IstanbulTime = Annotated[datetime, PlainSerializer(lambda moment: moment.astimezone(ISTANBUL).isoformat(), return_type=str)]
Email = Annotated[str, _bounded(254), AfterValidator(identity.normalize_email)]
TurkishMobile = Annotated[str, _bounded(32), AfterValidator(identity.normalize_turkish_mobile)]
PersonName = Annotated[str, _bounded(200), AfterValidator(identity.normalize_name)]
Nationality = Annotated[str, _bounded(3), AfterValidator(identity.normalize_nationality)]
Language = Annotated[str, _bounded(8), AfterValidator(identity.normalize_language)]
BirthDate = Annotated[date, AfterValidator(_birth_date)]
Password = Annotated[str, StringConstraints(max_length=PASSWORD_POLICY.max_length), AfterValidator(PASSWORD_POLICY.check)]
ProvinceCode = Annotated[str, _bounded(2), AfterValidator(_province)]
DirectorateId = Annotated[str, _bounded(64), AfterValidator(_directorate)]
RawDocumentNumber = Annotated[str, _bounded(32)]
# Why staff or an administrator did something to a person's record or account (audited).
Reason = Annotated[str, StringConstraints(min_length=MIN_REASON_LENGTH, max_length=500)]


def _published_notice(version_id: str) -> str:
    if privacy_notice.versions.find(version_id) is None:
        raise ValueError("no privacy notice has this version (see GET /v1/privacy-notice)")
    return version_id


# A version of the privacy notice that was published (domain/privacy_notice.py).
NoticeVersionId = Annotated[str, StringConstraints(min_length=1, max_length=20, strip_whitespace=True), AfterValidator(_published_notice)]


class Strict(BaseModel):
    """Request bodies refuse unknown fields: a typo is an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# --- public catalogue -------------------------------------------------------------------------


class Health(BaseModel):
    status: Literal["ok"]


class ProvinceOut(BaseModel):
    code: str
    name: str


class DirectorateOut(BaseModel):
    id: str
    province: str
    name: str
    address: str
    services: list[str]


class DirectoratesQuery(Strict):
    province: ProvinceCode | None = None


class ServiceOut(BaseModel):
    code: str
    name: str
    names: dict[str, str]
    duration_minutes: int
    eligible_statuses: list[PermitStatus]


# --- accounts -----------------------------------------------------------------------------------


class SignupRequest(Strict):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, json_schema_extra={"examples": [{
        "document_type": "foreign_id", "document_number": "99706848764", "nationality": "SY",
        "given_name": "Ahmad", "family_name": "Al-Hassan", "birth_date": "1990-05-17",
        "email": "ahmad@example.net", "phone": "0532 123 45 67", "password": "Secret123pass", "language": "ar",
        "notice_version": "2026-12-02",
    }]})

    document_type: DocumentType
    document_number: RawDocumentNumber
    nationality: Nationality
    given_name: PersonName
    family_name: PersonName
    birth_date: BirthDate
    email: Email
    phone: TurkishMobile
    password: Password
    language: Language
    notice_version: NoticeVersionId | None = Field(
        default=None,
        description="The version of the privacy notice (GET /v1/privacy-notice) the client showed the person before "
        "sign-up; recorded on the account. Without it nothing is recorded as shown, and the portal shows the notice "
        "at the person's first sign-in",
    )

    @field_validator("document_number")
    @classmethod
    def _document_number(cls, value: str, info: Any) -> str:
        document_type = info.data.get("document_type")
        if document_type is None:
            return value  # the document_type error is reported on its own
        return identity.normalize_document_number(document_type, value)


class SignupResponse(BaseModel):
    applicant_id: str
    status: Literal["pending_verification"]


class ConfirmRequest(Strict):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, json_schema_extra={"examples": [{"email": "ahmad@example.net", "code": "123456"}]})

    email: Email
    code: Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")]


class ConfirmResponse(BaseModel):
    applicant_id: str
    status: Literal["active"]


class ResendCodeRequest(Strict):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, json_schema_extra={"examples": [{"email": "ahmad@example.net"}]})

    email: Email


class Accepted(BaseModel):
    status: Literal["accepted"]


class LoginRequest(Strict):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, json_schema_extra={"examples": [{"email": "ahmad@example.net", "password": "Secret123pass"}]})

    email: Email
    password: Annotated[str, StringConstraints(min_length=1, max_length=256)]


class LoginResponse(BaseModel):
    access_token: str
    token_type: Literal["Bearer"]
    expires_in: int


class MfaChallengeResponse(BaseModel):
    """The password was right; a staff or admin account answers with its TOTP code at
    `POST /v1/auth/mfa` within 3 minutes."""

    challenge: Literal["mfa"]
    session: str


class MfaSetupResponse(BaseModel):
    """First sign-in of a staff or admin account: add `secret` to an authenticator app (or scan
    `otpauth_uri` as a QR code), then send its code to `POST /v1/auth/mfa` within 3 minutes.
    TOTP per RFC 6238: 30-second steps, 6 digits, SHA-1, base32 secret."""

    challenge: Literal["mfa_setup"]
    session: str
    secret: str
    otpauth_uri: str


class MfaRequest(Strict):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, json_schema_extra={"examples": [{"session": "q3Xw…(from the sign-in answer)", "code": "123456"}]})

    session: Annotated[str, StringConstraints(min_length=20, max_length=100, pattern=r"^[A-Za-z0-9_-]+$")]
    code: Annotated[str, StringConstraints(min_length=6, max_length=6, pattern=r"^[0-9]{6}$")]


class ForgotPasswordRequest(Strict):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, json_schema_extra={"examples": [{"email": "ahmad@example.net"}]})

    email: Email


class ResetPasswordRequest(Strict):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, json_schema_extra={"examples": [
        {"email": "ahmad@example.net", "code": "123456", "password": "NewSecret123pass"}
    ]})

    email: Email
    code: Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")]
    password: Password


class PasswordChanged(BaseModel):
    status: Literal["password_changed"]


class SignedOut(BaseModel):
    status: Literal["signed_out"]


# --- profile --------------------------------------------------------------------------------------


class ApplicantProfile(BaseModel):
    applicant_id: str
    status: str
    document_type: DocumentType
    document_number: str
    nationality: str
    given_name: str
    family_name: str
    birth_date: date
    email: str
    phone: str
    language: str
    province: str | None = Field(description="Plate code of the registered province of residence")
    province_name: str | None
    permit_status: PermitStatus | None
    permit_valid_until: date | None
    locked_until: IstanbulTime | None = Field(description="No new booking before this time; null when free to book")
    email_undeliverable: bool = Field(
        default=False,
        description="Email to this address bounced for good or was reported as spam: no more email is sent to it "
        "(SMS still is) until the address is changed",
    )
    notice_version: str | None = Field(
        default=None, description="The version of the privacy notice the person was shown (null: never shown)",
    )
    notice_seen_at: IstanbulTime | None = Field(default=None, description="When the person was shown that version")


class AnyBody(BaseModel):
    """Whatever is sent: the answer does not depend on it."""

    model_config = ConfigDict(extra="allow")


# The languages a person is written to in (SMS, email, calendar invitations): one of the six of the
# text catalogue (chalicelib/i18n.py), written in any case ("FA" is fa).
NotificationLanguage = Annotated[
    Literal[LANGUAGES],  # type: ignore[valid-type]
    BeforeValidator(lambda value: value.strip().lower() if isinstance(value, str) else value),
]


class LanguageRequest(Strict):
    """The notification language (contract v1.1): not personal data, so the person changes it
    online while every personal detail stays locked."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, json_schema_extra={"examples": [{"language": "fa"}]})

    language: NotificationLanguage = Field(description="tr, en, ar, fa, ru or uk: the language of SMS, email and calendar invitations")


# --- the privacy notice (KVKK article 10) ------------------------------------------------------------


class PrivacyNoticeQuery(Strict):
    language: NotificationLanguage = Field(default="tr", description="tr, en, ar, fa, ru or uk")


class PrivacyNoticeSection(BaseModel):
    heading: str
    paragraphs: list[str]
    items: list[str] = Field(description="A list that follows the paragraphs (may be empty)")


class PrivacyNoticeOut(BaseModel):
    version: str = Field(description="The version in force: send it as `notice_version` at sign-up once shown")
    published: date
    language: str
    title: str
    intro: str
    sections: list[PrivacyNoticeSection]


class NoticeAcknowledgementRequest(Strict):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, json_schema_extra={"examples": [{"version": "2026-12-02"}]})

    version: NoticeVersionId = Field(description="The version in force, as GET /v1/privacy-notice gives it")


class NoticeAcknowledgement(BaseModel):
    notice_version: str
    notice_seen_at: IstanbulTime


class AmendApplicantRequest(Strict):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, json_schema_extra={"examples": [{"phone": "0555 111 22 33", "reason": "New SIM card, shown in person"}]})

    reason: Reason
    given_name: PersonName | None = None
    family_name: PersonName | None = None
    birth_date: BirthDate | None = None
    nationality: Nationality | None = None
    document_type: DocumentType | None = None
    document_number: RawDocumentNumber | None = None
    email: Email | None = None
    phone: TurkishMobile | None = None
    language: Language | None = None


class AuditEntry(BaseModel):
    entry_id: str
    action: str
    actor_id: str
    actor_role: str
    reason: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    lookup: Literal["document", "applicant_id", "appointment"] | None = Field(
        default=None, description="A staff read of the record: how it was reached; null for a change"
    )
    at: IstanbulTime


class AmendmentResult(BaseModel):
    profile: ApplicantProfile
    audit: AuditEntry


class ApplicantSearchRequest(Strict):
    """The document the person presents at the counter: sent in the body, never in a URL."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, json_schema_extra={"examples": [{"document_number": "99123456780"}]})

    document_number: RawDocumentNumber


class ReleaseRequest(Strict):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, json_schema_extra={"examples": [{"reason": "Residence permit card seen at the counter; the online account was opened by someone else"}]})

    reason: Reason


class ReleaseResult(BaseModel):
    applicant_id: str
    status: Literal["released"]


class DisableStaffRequest(Strict):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, json_schema_extra={"examples": [{"reason": "Left the directorate on 30 November"}]})

    reason: Reason


class StaffAccountStatus(BaseModel):
    account_id: str
    status: Literal["disabled"]


# --- administration ---------------------------------------------------------------------------


class ResidentRecordIn(Strict):
    document_number: RawDocumentNumber
    permit_status: PermitStatus
    permit_valid_until: date
    province: ProvinceCode
    given_name: PersonName
    family_name: PersonName
    birth_date: BirthDate
    nationality: Nationality = Field(description="ISO 3166-1 alpha-2 (alpha-3 accepted); stored as alpha-3")
    passport_number: RawDocumentNumber | None = None
    guardian_document_number: RawDocumentNumber | None = Field(default=None, description="A minor's guardian, by document number")

    @field_validator("document_number", "passport_number", "guardian_document_number")
    @classmethod
    def _canonical(cls, value: str | None) -> str | None:
        return None if value is None else identity.normalize_registry_document_number(value)


class ImportResidentsRequest(Strict):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, json_schema_extra={"examples": [{"records": [{
        "document_number": "99706848764", "permit_status": "residence_permit", "permit_valid_until": "2028-06-30", "province": "34",
        "given_name": "Ahmad", "family_name": "Al-Hassan", "birth_date": "1990-05-17", "nationality": "SY", "passport_number": "N01234567",
    }]}]})

    records: Annotated[list[ResidentRecordIn], Field(min_length=1, max_length=1000)]


class ImportResidentsResponse(BaseModel):
    imported: int


class CreateStaffRequest(Strict):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, json_schema_extra={"examples": [
        {"email": "clerk@example.org", "password": "StaffPass123", "directorate_id": "34-fatih"},
        {"email": "line157@example.org", "password": "AgentPass123", "role": "agent"},
    ]})

    email: Email
    password: Password
    role: Literal["staff", "agent", "supervisor"] = Field(
        default="staff", description="staff and supervisor work for one directorate; an agent (the national phone line) for none"
    )
    directorate_id: DirectorateId | None = Field(
        default=None, validate_default=True, description="Required for staff and supervisor; refused for an agent"
    )

    @field_validator("directorate_id")
    @classmethod
    def _directorate_for_role(cls, directorate_id: str | None, info):
        role = info.data.get("role", "staff")
        if role == "agent" and directorate_id is not None:
            raise ValueError("an agent works for no directorate")
        if role != "agent" and directorate_id is None:
            raise ValueError("required for staff and supervisor")
        return directorate_id


class StaffAccount(BaseModel):
    account_id: str
    email: str
    role: str = "staff"
    directorate_id: str | None


# --- booking ----------------------------------------------------------------------------------------


def _service(code: str) -> str:
    from chalicelib.domain.catalogue import find_service

    if find_service(code) is None:
        raise ValueError("no service has this code (see GET /v1/services)")
    return code


ServiceCode = Annotated[str, _bounded(64), AfterValidator(_service)]
SlotId = Annotated[str, _bounded(96)]


class AvailabilityQuery(Strict):
    directorate: DirectorateId
    service: ServiceCode
    from_: date | None = Field(default=None, alias="from", description="First day (YYYY-MM-DD); default today")
    days: Annotated[int, Field(ge=1, le=31)] = 7

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, populate_by_name=True)


class SlotOut(BaseModel):
    slot_id: str
    start: IstanbulTime
    end: IstanbulTime
    remaining: int


class Availability(BaseModel):
    mode: Literal["open", "assigned"]
    directorate: str
    service: str
    slots: list[SlotOut]
    permit_valid_until: date | None = Field(
        default=None,
        description="Set when the caller's permit ends before the booking window does: no later day is offered (nor assigned)",
    )


PersonChoice = Annotated[str, StringConstraints(pattern=rf"^({SELF}|[0-9a-f]{{{DEPENDANT_ID_LENGTH}}})$")]


class BookingRequest(Strict):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, json_schema_extra={"examples": [{"slot_id": "34-fatih@2026-12-01T09:00", "service": "address_registration"}]})

    slot_id: SlotId
    service: ServiceCode
    people: Annotated[list[PersonChoice], Field(min_length=1, max_length=MAX_PEOPLE)] | None = Field(
        default=None,
        description=f'Who comes: "{SELF}" and/or dependant ids (GET /v1/me/dependants), at most {MAX_PEOPLE}; '
        "each gets their own appointment on this slot, all or nothing",
    )

    @field_validator("people")
    @classmethod
    def _each_once(cls, people: list[str] | None) -> list[str] | None:
        if people is not None and len(set(people)) != len(people):
            raise ValueError("name each person once")
        return people


class DependantOut(BaseModel):
    """A minor whose registry record names the caller as guardian."""

    dependant_id: str
    given_name: str
    birth_date: date


class AppointmentOut(BaseModel):
    appointment_id: str
    reference: str
    status: str
    start: IstanbulTime
    end: IstanbulTime
    directorate: str
    directorate_name: str
    directorate_address: str
    service: str
    applicant_id: str
    attendance: str | None
    created_at: IstanbulTime
    # Corrections and appeals, and giving a place back (issue 12): what happened to it, and why.
    correction: "AttendanceCorrection | None" = Field(default=None, description="The mark was corrected (the latest correction)")
    lock_change: "LockChange | None" = Field(default=None, description="The lock this appointment set was lifted or shortened")
    follow_up_of: str | None = Field(default=None, description="A follow-up visit: the appointment it continues (it starts no lock)")
    follow_up_id: str | None = Field(default=None, description="The follow-up visit staff issued for this appointment")
    follow_up_reason: str | None = None
    released_at: IstanbulTime | None = Field(default=None, description="When its person gave the place back (the lock stays)")
    # An appointment a guardian booked for a dependant: the dependant's given name (shown to the guardian).
    person: str | None = None


class FamilyBookingOut(BaseModel):
    """The appointments of one booking for several people, in the order they were named."""

    appointments: list[AppointmentOut]


class AttendanceCorrection(BaseModel):
    corrected_from: Literal["attended", "no_show"]
    reason: str
    corrected_at: IstanbulTime


class LockChange(BaseModel):
    change: Literal["lifted", "shortened"]
    locked_until: IstanbulTime | None = Field(description="The shortened lock's end; null when lifted")
    grounds: Literal["force_majeure", "authority_error", "wrong_attendance", "other"]
    reason: str
    changed_at: IstanbulTime


class AppointmentPageQuery(Strict):
    limit: Annotated[int, Field(ge=1, le=100)] = 20
    cursor: Annotated[str, StringConstraints(max_length=2000)] | None = None
    whose: Literal["mine", "dependants"] = Field(
        default="mine", description="mine: the caller's own; dependants: those the caller booked for their children (each names its person)"
    )


class AttendanceRequest(Strict):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, json_schema_extra={"examples": [{"outcome": "attended", "checkin_code": "123456"}]})

    outcome: Literal["attended", "no_show"]
    checkin_code: Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")] | None = Field(
        default=None, description="The code sent to the person the day before; refused when wrong"
    )
    reason: Reason | None = Field(
        default=None, description="Required to correct a mark already recorded (within 7 days of the appointment); audited and shown to the person"
    )


class LockRequest(Strict):
    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True,
        json_schema_extra={"examples": [{"locked_until": None, "grounds": "force_majeure", "reason": "Hospital stay on the appointment day, report seen"}]},
    )

    locked_until: datetime | None = Field(description="The new, earlier end of the lock (with its offset); null lifts it")
    reason: Reason
    grounds: Literal["force_majeure", "authority_error", "wrong_attendance", "other"] = Field(
        default="other", description="Why, from the closed list (the reason says more)"
    )

    @field_validator("locked_until")
    @classmethod
    def _with_offset(cls, value: datetime | None):
        if value is not None and value.utcoffset() is None:
            raise ValueError("give the time with its offset, e.g. 2026-12-01T09:00:00+03:00")
        return value


class LockOut(BaseModel):
    applicant_id: str
    locked_until: IstanbulTime | None
    change: Literal["lifted", "shortened"]
    appointment_id: str | None = Field(description="The appointment whose lock it was (the person sees the change there)")


class FollowUpRequest(Strict):
    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True,
        json_schema_extra={"examples": [{"slot_id": "34-fatih@2026-12-03T10:00", "reason": "The rental contract was missing"}]},
    )

    slot_id: Annotated[str, _bounded(100)]
    reason: Reason


class GivenBack(BaseModel):
    appointment_id: str
    status: Literal["released"]
    locked_until: IstanbulTime | None = Field(description="The 30-day lock stays until then")


class SlotCapacityRequest(Strict):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, json_schema_extra={"examples": [{"capacity": 5}, {"capacity": 6, "internal": 2}]})

    capacity: Annotated[int, Field(ge=0, le=MAX_CAPACITY, strict=True)] = Field(description="The slot's places in total")
    internal: Annotated[int, Field(ge=0, le=MAX_CAPACITY, strict=True)] | None = Field(
        default=None, description="How many of them are kept back for the assisted channel (never offered online); default: as they are"
    )


class SlotCapacity(BaseModel):
    slot_id: str
    capacity: int  # in total
    booked: int  # in total
    internal: int = 0  # kept back, of `capacity`
    internal_booked: int = 0


class AssistedBookingRequest(Strict):
    """A booking by the phone line or the counter for a person identified by the registry."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, json_schema_extra={"examples": [{
        "document_number": "99123456780", "birth_date": "1990-01-01", "slot_id": "34-fatih@2026-12-01T09:00",
        "service": "address_registration", "channel": "phone", "phone": "0532 123 45 67", "language": "ar",
    }]})

    document_number: RawDocumentNumber
    birth_date: date
    slot_id: SlotId
    service: ServiceCode
    channel: Literal["phone", "counter"]
    phone: TurkishMobile | None = Field(default=None, description="The person's contact for the SMS: required when they have no online account")
    email: Email | None = Field(default=None, description="Optional: without it no email is sent (a person with no online account)")
    language: Language | None = Field(default=None, description="The messages' language for a person with no online account (default tr)")

    @field_validator("document_number")
    @classmethod
    def _canonical(cls, value: str) -> str:
        return identity.normalize_registry_document_number(value)


# --- high demand: assignment requests, demand modes, closures ---------------------------------


class AssignmentPreferences(Strict):
    earliest: date | None = Field(default=None, description="No appointment before this day")
    latest: date | None = Field(default=None, description="No appointment after this day")
    part_of_day: Literal["any", "morning", "afternoon"] = "any"
    weekdays: Annotated[list[Annotated[int, Field(ge=0, le=4, strict=True)]], Field(min_length=1, max_length=5)] | None = Field(
        default=None, description="Acceptable weekdays, Monday = 0 … Friday = 4; default all"
    )

    @field_validator("latest")
    @classmethod
    def _not_before_earliest(cls, latest: date | None, info):
        earliest = info.data.get("earliest")
        if latest is not None and earliest is not None and latest < earliest:
            raise ValueError("latest must not be before earliest")
        return latest


class AssignmentRequestIn(Strict):
    """The appointment this request leads to is confirmed without asking the person again: final
    (never cancelled or changed online) and the start of the 30-day wait, like a booked one. As
    before `POST /v1/appointments`, the client shows the person that and has them agree before
    sending; the portal does (the same tick box as its booking). No acknowledgement field: the
    booking body has none either, and v1 callers keep working."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={"examples": [{"service": "address_registration", "directorate": "34-fatih", "preferences": {"part_of_day": "morning"}}]},
    )

    service: ServiceCode
    directorate: DirectorateId | None = Field(default=None, description="Default: any directorate of your province")
    preferences: AssignmentPreferences | None = None


class AssignmentStatus(BaseModel):
    request_id: str
    status: Literal["waiting", "assigned", "withdrawn"]
    service: str
    directorate: str | None
    priority: bool = Field(description="A request the authority filed after cancelling an appointment (served first)")
    position: int | None = Field(description="While waiting: 1 + the requests served before this one (the worst case until the window's order is drawn)")
    estimated_date: date | None
    appointment_id: str | None
    reason: str | None = Field(description="Why it was withdrawn, or which closure filed it")
    received_at: IstanbulTime
    window_start: IstanbulTime
    window_closes_at: IstanbulTime
    window_seed: str | None = Field(description="Once the window has closed: the recorded seed its order is drawn from")


class DemandModeRequest(Strict):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, json_schema_extra={"examples": [{"mode": "assigned"}]})

    mode: Literal["open", "assigned", "auto"]


class DemandModeOut(BaseModel):
    directorate: str
    service: str
    setting: Literal["open", "assigned", "auto"]
    mode: Literal["open", "assigned"] = Field(description="The mode in force")
    auto_mode: Literal["open", "assigned"] = Field(description="What the demand rule chose last")


class ClosureRequest(Strict):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, json_schema_extra={"examples": [{"date": "2026-12-03", "reason": "Power cut in the building"}]})

    date: date
    reason: Annotated[str, _bounded(500)]


class ClosureOut(BaseModel):
    directorate: str
    date: date
    slots_closed: int
    appointments_cancelled: int
    requests_filed: int


class Page(list):
    """A page of results: the items are the body, the cursor of the next page a header."""

    def __init__(self, items: list[Any], next_cursor: str | None) -> None:
        super().__init__(items)
        self.next_cursor = next_cursor


# --- Receipts (issue 12, item 10) -------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class FileDownload:
    """An answer that is a file, not JSON: its bytes, served with `media_type` and offered for
    saving under `filename` (chalicelib/api/http.py; the OpenAPI document names the media type)."""

    content: bytes
    filename: str
    media_type: ClassVar[str] = "application/octet-stream"


class PdfDownload(FileDownload):
    media_type: ClassVar[str] = "application/pdf"


class ReceiptCheckRequest(Strict):
    """What the receipt's QR code holds, as a scanner (it types like a keyboard) or a person
    entered it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, json_schema_extra={"examples": [{"code": "eyJhbGciOiJFUzI1NiJ9.eyJhcHQiOi….MEUCIQ…"}]})

    code: Annotated[str, StringConstraints(min_length=1, max_length=2000)]


class ReceiptHolder(BaseModel):
    """Whose appointment it is, as the service holds it now: for staff of the appointment's
    directorate (and admins), to compare with the identity document in front of them."""

    applicant_id: str
    given_name: str
    family_name: str
    masked_document: str
    reference: str
    service: str
    status: str


class ReceiptGenuine(BaseModel):
    valid: Literal[True] = True
    appointment_id: str
    directorate: str
    start: IstanbulTime
    issued_at: IstanbulTime
    masked_document: str = Field(description="As printed on the receipt (the token carries it)")
    holder: ReceiptHolder | None = Field(
        default=None, description="Only for staff of the appointment's directorate, and admins; the read is audited"
    )


class ReceiptNotGenuine(BaseModel):
    valid: Literal[False] = False


# --- Public statistics (issue 13, item 7) ------------------------------------------------------


class StatisticsQuery(Strict):
    province: ProvinceCode
    from_: date | None = Field(default=None, alias="from", description="First day (YYYY-MM-DD); default a week ago")
    days: Annotated[int, Field(ge=1, le=62)] = 14

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, populate_by_name=True)


class DayFigures(BaseModel):
    offered: int = Field(description="Places offered (public and kept back) in open slots of the day")
    booked: int = Field(description="Appointments made for the day")
    released: int = Field(description="Of them, given back by their person")
    no_shows: int
    median_days_to_first_free_place: float | None = Field(
        description="Median, over the day's samples, of the days from then to the first day with a free public place")
    assigned_share: float | None = Field(description="Share of the day's appointments the assigner made (assigned mode)")


class DirectorateDayFigures(DayFigures):
    directorate: str


class StatisticsDay(BaseModel):
    date: date
    province: DayFigures
    directorates: list[DirectorateDayFigures]


class Statistics(BaseModel):
    province: str
    days: list[StatisticsDay]


# --- My data and account closure (issue 14: KVKK, the right to learn, obtain and end) ----------


class AccountClosed(BaseModel):
    applicant_id: str
    status: Literal["closed"]
    closed_at: IstanbulTime
    identity_held_until: IstanbulTime | None = Field(
        default=None,
        description="The identity stays with the closed account until this lock ends; a new account can be opened after it (null: now)",
    )


class MyData(BaseModel):
    """Everything the service holds about the caller (GET /v1/me/data), as stored: one list per
    kind of record, each record a JSON object of its stored fields (secrets such as code digests,
    and what would reveal a lottery rank, left out)."""

    schema_version: Literal["1"] = "1"
    generated_at: IstanbulTime
    applicant_id: str
    profile: dict[str, Any] = Field(description="The account: identity as registered, contact, language, status, lock")
    registry: list[dict[str, Any]] = Field(description="The authority's registry records of the documents the account holds")
    appointments: list[dict[str, Any]]
    dependants_appointments: list[dict[str, Any]] = Field(description="Appointments the caller booked for their dependants")
    assignment_requests: list[dict[str, Any]]
    notifications: list[dict[str, Any]] = Field(description="Messages sent or owed: channel states and times; message texts are not stored")
    audit: list[dict[str, Any]] = Field(description="Changes to the record and staff reads of it, oldest first")
    sign_ins: list[dict[str, Any]] = Field(description="Sign-ins: when and how (no address, no device)")
    sessions: list[dict[str, Any]] = Field(description="Portal sessions open now: when started, until when")
    token_revocations: list[dict[str, Any]] = Field(description="When the account's access tokens were last revoked, and why")

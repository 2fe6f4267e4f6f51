"""The DynamoDB tables, as PynamoDB models.

These classes are the single source of truth for every table's name, keys and indexes:
`chalicelib/resources.py` derives table definitions from them, and both the CDK stack
(`infrastructure/`) and the local stack (`chalicelib/local`) provision from those definitions.
Models hold data; the rules that decide what to write live in `chalicelib/domain`.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from chalicelib.settings import resource_prefix


def table_name(short_name: str) -> str:
    return f"{resource_prefix()}-{short_name}"


class _Meta:
    billing_mode = "PAY_PER_REQUEST"
    max_pool_connections = 64


class ResidentsByPassport(GlobalSecondaryIndex):
    """Sparse: the records that carry a passport number, so a sign-up with a passport finds its
    person with one Query (a passport number is not the registry's key)."""

    class Meta:
        index_name = "by-passport"
        projection = AllProjection()

    passport_number = UnicodeAttribute(hash_key=True)


class ResidentsByGuardian(GlobalSecondaryIndex):
    """Sparse: only minors' records carry a guardian, so a guardian's dependants are one Query per
    document number the guardian holds (services/family.py), never a Scan of the registry."""

    class Meta:
        index_name = "by-guardian"
        projection = AllProjection()

    guardian_document_number = UnicodeAttribute(hash_key=True)


class ResidentRecord(Model):
    """The authority's registry: who a person is (names, birth date, nationality, documents),
    which permit they hold, valid until when, living where. Keyed by the registry's document
    number (a foreigner ID, or a passport number for a newcomer who has none yet)."""

    class Meta(_Meta):
        table_name = table_name("residents")

    document_number = UnicodeAttribute(hash_key=True)
    permit_status = UnicodeAttribute()
    permit_valid_until = UnicodeAttribute()  # YYYY-MM-DD
    province = UnicodeAttribute()  # plate code "01".."81"
    # Identity as the authority holds it (null only on records imported before it was carried).
    given_name = UnicodeAttribute(null=True)  # as written on the residence card (Latin script)
    family_name = UnicodeAttribute(null=True)
    birth_date = UnicodeAttribute(null=True)  # YYYY-MM-DD
    nationality = UnicodeAttribute(null=True)  # ISO 3166-1 alpha-3, as on the applicant
    passport_number = UnicodeAttribute(null=True)  # canonical (domain.identity)
    guardian_document_number = UnicodeAttribute(null=True)  # a minor's guardian, by document number
    updated_at = UTCDateTimeAttribute()

    by_passport = ResidentsByPassport()
    by_guardian = ResidentsByGuardian()


class PendingSignUpsByDay(GlobalSecondaryIndex):
    """Sparse: sign-ups whose phone code is not confirmed yet, by the (UTC) day they expire, so the
    clean-up schedule reads exactly the expired ones, never the whole table."""

    class Meta:
        index_name = "pending-by-day"
        projection = AllProjection()

    pending_day = UnicodeAttribute(hash_key=True)
    pending_expires_at = UTCDateTimeAttribute(range_key=True)


class DueForRetention(GlobalSecondaryIndex):
    """Sparse, on each table whose items the retention schedule anonymises (domain/retention.py):
    the items due, by due day and shard ("<day>#<shard>"), keys only. The retention run reads a
    due day's shards and removes the attribute when it is done, so the index holds only what is
    still to do (services/retention.py). One class for the four tables: PynamoDB binds a copy of
    the index to each model that declares it."""

    class Meta:
        index_name = "retention-due"
        projection = KeysOnlyProjection()

    retention_due = UnicodeAttribute(hash_key=True)


class ApplicantsByEmail(GlobalSecondaryIndex):
    """Every account's email address (not sparse: every account has one), keys only: the
    email-feedback handler finds the accounts of an address SES reports undeliverable with one
    Query (services/email_feedback.py). Only a new account or a changed address writes to it."""

    class Meta:
        index_name = "by-email"
        projection = KeysOnlyProjection()

    email = UnicodeAttribute(hash_key=True)


class Applicant(Model):
    """An applicant's account: the person's identity as registered at sign-up.

    `applicant_id` is the Cognito `sub` of the account, so a verified token leads here with one
    GetItem. `province`, `permit_status` and `permit_valid_until` are a copy of the person's
    registry record, refreshed by every registry import, so that a booking reads one item.
    """

    class Meta(_Meta):
        table_name = table_name("applicants")

    applicant_id = UnicodeAttribute(hash_key=True)
    status = UnicodeAttribute()  # pending_verification | active | released | closed
    # The person closed their online account (services/closure.py): sign-in and messages ended.
    closed_at = UTCDateTimeAttribute(null=True)
    # A closed account's identity taken over by the person's new account once its lock had ended
    # (services/people.py `take_over`): the new account's id. The new account names it `reopened_from`.
    reopened_by = UnicodeAttribute(null=True)
    reopened_from = UnicodeAttribute(null=True)
    document_type = UnicodeAttribute()
    document_number = UnicodeAttribute()
    # Every document number this account has held (an in-person amendment adds the new one): each
    # stays claimed by the account until staff release it. Absent on accounts never amended.
    document_numbers = UnicodeSetAttribute(null=True)
    nationality = UnicodeAttribute()
    given_name = UnicodeAttribute()
    family_name = UnicodeAttribute()
    birth_date = UnicodeAttribute()  # YYYY-MM-DD
    # None only on an offline person (services/people.py) booked for without an email address.
    email = UnicodeAttribute(null=True)
    phone = UnicodeAttribute()  # E.164
    language = UnicodeAttribute()
    # An offline person's guardian (a minor booked by a parent): messages go to that account.
    guardian_id = UnicodeAttribute(null=True)
    # An offline person who opened an online account (services/people.py `adopt_in`): the account
    # names the offline item it took over (`adopted_from`), the offline item the account (`adopted_by`).
    adopted_from = UnicodeAttribute(null=True)
    adopted_by = UnicodeAttribute(null=True)
    province = UnicodeAttribute(null=True)
    permit_status = UnicodeAttribute(null=True)
    permit_valid_until = UnicodeAttribute(null=True)  # YYYY-MM-DD
    verification_code_hash = UnicodeAttribute(null=True)
    verification_expires_at = UTCDateTimeAttribute(null=True)
    verification_attempts = NumberAttribute(default=0)
    # A forgotten password's code: apart from the sign-up code, present only while one is pending.
    reset_code_hash = UnicodeAttribute(null=True)
    reset_expires_at = UTCDateTimeAttribute(null=True)
    reset_attempts = NumberAttribute(null=True)
    # How the person signs in: None (email and password) or "e-devlet" (only through e-Devlet,
    # chalicelib/services/edevlet.py; such an account has no password anyone knows).
    sign_in_method = UnicodeAttribute(null=True)
    # An e-Devlet account's email code: present only while the email address is unconfirmed.
    email_code_hash = UnicodeAttribute(null=True)
    email_code_expires_at = UTCDateTimeAttribute(null=True)
    email_code_attempts = NumberAttribute(null=True)
    locked_until = UTCDateTimeAttribute(null=True)
    waiting_request = UnicodeAttribute(null=True)  # the one assignment request waiting, if any
    # While pending: when the sign-up lapses (24 h), the day of that (the sparse index), and the
    # TTL a while later (DynamoDB removes the item if the clean-up schedule has not; code never
    # relies on it: moto does not expire items, and neither does DynamoDB on the dot).
    pending_expires_at = UTCDateTimeAttribute(null=True)
    pending_day = UnicodeAttribute(null=True)
    expires = TTLAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()  # writers that must not lose an update condition on it
    # SES reported this address undeliverable ("bounce": a permanent bounce; "complaint": the
    # person marked our email as spam), and since when: nothing more is emailed to it, and My
    # details says so. Removed when the address changes (services/email_feedback.py).
    email_undeliverable = UnicodeAttribute(null=True)
    email_undeliverable_since = UTCDateTimeAttribute(null=True)
    # A released (or closed) account: "<day>#<shard>" of the day its profile is anonymised
    # (domain/retention.py), until it is.
    retention_due = UnicodeAttribute(null=True)
    # The privacy notice (domain/privacy_notice.py): the version the person was shown and when.
    # None: never shown (an account older than the notice, or an API sign-up whose client did not
    # say it showed it); the portal shows the version in force at the next sign-in.
    notice_version = UnicodeAttribute(null=True)
    notice_seen_at = UTCDateTimeAttribute(null=True)

    pending_by_day = PendingSignUpsByDay()
    by_email = ApplicantsByEmail()
    due_for_retention = DueForRetention()


class RateCounter(Model):
    """How many times something happened to one subject in one window (a minute, an hour, an
    Istanbul day: requests per client IP, codes sent per account or phone, codes tried, sign-ups
    naming a phone): one conditional ADD per event, so parallel requests cannot overrun a limit
    (services/limits.py). Also, with no window and no TTL, the live accounts per phone number
    (services/phone_accounts.py). The subject is a digest, never personal data. TTL removes old
    windows."""

    class Meta(_Meta):
        table_name = table_name("rate-counters")

    counter = UnicodeAttribute(hash_key=True)  # "<kind>#<subject digest>[#<window>]"
    count = NumberAttribute(default=0)
    expires = TTLAttribute(null=True)


class IdentityClaim(Model):
    """One item per person (their registry document): the conditional put that makes
    "one account per person" hold. Put when a sign-up's phone code is confirmed (pending
    sign-ups claim nothing), in the same transaction as the account becoming active."""

    class Meta(_Meta):
        table_name = table_name("identity-claims")

    claim = UnicodeAttribute(hash_key=True)  # "document:<NUMBER>"
    applicant_id = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()


class StaffMember(Model):
    """An account acting for the authority: a staff (or supervisor) account's binding to the one
    directorate it works for; an agent of the phone line works for none."""

    class Meta(_Meta):
        table_name = table_name("staff")

    account_id = UnicodeAttribute(hash_key=True)  # Cognito sub
    directorate_id = UnicodeAttribute(null=True)  # None: an agent
    role = UnicodeAttribute(null=True)  # staff | supervisor | agent (absent: staff)
    email = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    disabled_at = UTCDateTimeAttribute(null=True)  # an administrator ended the account (audited)


class TokenValidity(Model):
    """Per account, the instant from which its access tokens are accepted (see
    `chalicelib/domain/revocation.py`): absent until the first revocation."""

    class Meta(_Meta):
        table_name = table_name("token-validity")

    account_id = UnicodeAttribute(hash_key=True)  # Cognito sub
    valid_from = NumberAttribute()  # epoch seconds on the tokens' clock
    reason = UnicodeAttribute()  # password_reset | sign_out_everywhere | disabled | released | closed
    updated_at = UTCDateTimeAttribute()


class AuditRecord(Model):
    """Who changed what, when, from what to what, and why. Write-once: every put is conditional on
    the record being new (`write_once`), alone or in a transaction (adapters/dynamo.py), and no
    role may update or delete one (infrastructure/stacks/permissions.py) but the retention run,
    which may only erase the personal values it holds."""

    @classmethod
    def write_once(cls, condition=None):
        """The condition of a put of a record: no record with its key exists (and `condition`)."""
        new = cls.subject.does_not_exist()
        return new if condition is None else new & condition

    def save(self, condition=None, **kwargs):  # type: ignore[override]
        return super().save(condition=self.write_once(condition), **kwargs)

    class Meta(_Meta):
        table_name = table_name("audit")

    subject = UnicodeAttribute(hash_key=True)  # "applicant:<id>", "applicant-reads:<id>", "directorate:<id>"
    entry = UnicodeAttribute(range_key=True)  # "<ISO time>#<uuid>": newest last
    action = UnicodeAttribute()
    actor_id = UnicodeAttribute()
    actor_role = UnicodeAttribute()
    reason = UnicodeAttribute(null=True)
    before = MapAttribute(null=True)
    after = MapAttribute(null=True)
    lookup = UnicodeAttribute(null=True)  # a staff read: how the record was reached (document | applicant_id | appointment)
    at = UTCDateTimeAttribute()
    # "<day>#<shard>": when `before`, `after` and `reason` are erased (domain/retention.py), until they are.
    retention_due = UnicodeAttribute(null=True)

    due_for_retention = DueForRetention()


class Slot(Model):
    """A bookable half hour at a directorate, with its places and how many of them are taken.

    Public places (`capacity`, `booked`) are what the portal offers and online bookings take;
    internal places (`internal`, `internal_booked`) are kept back for the assisted channel until
    their day's release (domain/kept_back.py). The slot's places in total: capacity + internal."""

    class Meta(_Meta):
        table_name = table_name("slots")
        stream_view_type = "NEW_AND_OLD_IMAGES"  # the availability summary folds its changes (services/availability.py)

    directorate_id = UnicodeAttribute(hash_key=True)
    start = UnicodeAttribute(range_key=True)  # Istanbul wall time "YYYY-MM-DDTHH:MM": sorts by time
    end = UnicodeAttribute()
    capacity = NumberAttribute()  # public places
    booked = NumberAttribute(default=0)  # public places taken
    internal = NumberAttribute(default=0)  # kept-back places (assisted channel only)
    internal_booked = NumberAttribute(default=0)  # kept-back places taken
    services = UnicodeSetAttribute()
    is_open = BooleanAttribute(default=True)  # false once the authority closes the day


class KeptBackReleasesByDay(GlobalSecondaryIndex):
    """Sparse: days whose kept-back places are not released yet, by the day, ordered by their
    (secret) release moment, so the release schedule reads exactly the due ones."""

    class Meta:
        index_name = "release-pending-by-day"
        projection = AllProjection()

    release_pending_day = UnicodeAttribute(hash_key=True)
    release_at = UTCDateTimeAttribute(range_key=True)


class DirectorateDay(Model):
    """A calendar day of a directorate: written once, in the same transaction as its slots,
    so that rolling the horizon forward never regenerates (and so never resets) a day."""

    class Meta(_Meta):
        table_name = table_name("directorate-days")

    directorate_id = UnicodeAttribute(hash_key=True)
    day = UnicodeAttribute(range_key=True)  # YYYY-MM-DD
    status = UnicodeAttribute()  # open | closed
    slot_count = NumberAttribute(default=0)
    generated_at = UTCDateTimeAttribute(null=True)  # None: closed before it was ever opened
    closed_reason = UnicodeAttribute(null=True)
    closed_by = UnicodeAttribute(null=True)
    closed_at = UTCDateTimeAttribute(null=True)
    # When the day's unused kept-back places go to the public: drawn at random when the day is
    # opened (domain/kept_back.py), never shown to anyone; `release_pending_day` (= day) is set
    # until the release schedule has run for it (the sparse index), `released_at` after.
    release_at = UTCDateTimeAttribute(null=True)
    release_pending_day = UnicodeAttribute(null=True)
    released_at = UTCDateTimeAttribute(null=True)

    release_pending = KeptBackReleasesByDay()


class KeptBackShare(Model):
    """A directorate's default share of kept-back (internal) places, in percent of each slot's
    places: applied to the slots it has generated (not yet released) and to every day it opens
    later. No item: 0 %."""

    class Meta(_Meta):
        table_name = table_name("kept-back-shares")

    directorate_id = UnicodeAttribute(hash_key=True)
    share_percent = NumberAttribute(default=0)
    updated_by = UnicodeAttribute(null=True)
    updated_at = UTCDateTimeAttribute(null=True)


class AppointmentsByApplicant(GlobalSecondaryIndex):
    """An applicant's appointments by start time: "my appointments", newest first."""

    class Meta:
        index_name = "by-applicant"
        projection = AllProjection()

    applicant_id = UnicodeAttribute(hash_key=True)
    start = UTCDateTimeAttribute(range_key=True)


class AppointmentsByDirectorate(GlobalSecondaryIndex):
    """A directorate's appointments by start time: a day's list, a closure's victims."""

    class Meta:
        index_name = "by-directorate"
        projection = AllProjection()

    directorate_id = UnicodeAttribute(hash_key=True)
    start = UTCDateTimeAttribute(range_key=True)


class UnmarkedAppointmentsByDay(GlobalSecondaryIndex):
    """Sparse: only appointments whose attendance is not recorded yet, by their Istanbul date,
    so the end-of-day no-show sweep reads exactly what it must mark, never the whole table."""

    class Meta:
        index_name = "unmarked-by-day"
        projection = AllProjection()

    unmarked_day = UnicodeAttribute(hash_key=True)
    start = UTCDateTimeAttribute(range_key=True)


class UnmarkedAppointmentsByDirectorate(GlobalSecondaryIndex):
    """Sparse: a directorate's appointments whose attendance is not recorded yet, by their Istanbul
    date (an item without `unmarked_day` is not in it), so the batch jobs fanned out per directorate
    (services/fanout.py) read one directorate's share only: the day-before reminders of one day,
    the no-show sweep of the days that are over, a page at a time. (`unmarked-by-day` above keys
    the whole country's day on one partition and is no longer read; CloudFormation takes one index
    change per update, so it is dropped in a deployment of its own.)"""

    class Meta:
        index_name = "unmarked-by-directorate"
        projection = AllProjection()

    directorate_id = UnicodeAttribute(hash_key=True)
    unmarked_day = UnicodeAttribute(range_key=True)


class AppointmentsByGuardian(GlobalSecondaryIndex):
    """Sparse: appointments a guardian booked for a dependant, by start time, so the guardian's
    My appointments lists their children's appointments with one Query."""

    class Meta:
        index_name = "by-guardian"
        projection = AllProjection()

    guardian_id = UnicodeAttribute(hash_key=True)
    start = UTCDateTimeAttribute(range_key=True)


class PlacesToReturnByDay(GlobalSecondaryIndex):
    """Sparse: appointments given back whose place is not back in the pool yet, by the Istanbul
    day of the (secret, random) moment it returns, so the return schedule reads exactly the due
    ones (services/giving_back.py), never the whole table."""

    class Meta:
        index_name = "returning-by-day"
        projection = AllProjection()

    returning_day = UnicodeAttribute(hash_key=True)
    place_returns_at = UTCDateTimeAttribute(range_key=True)


class Appointment(Model):
    """A confirmed appointment. Never deleted and never moved: only attendance is recorded on
    it (and corrected within 7 days), the authority cancels it (a closure), or its person gives
    the place back (released)."""

    class Meta(_Meta):
        table_name = table_name("appointments")
        stream_view_type = "NEW_AND_OLD_IMAGES"  # public statistics count its changes (services/statistics.py)

    appointment_id = UnicodeAttribute(hash_key=True)
    reference = UnicodeAttribute()  # shown to people and staff, e.g. "GOC-7K3Q9XPA"
    applicant_id = UnicodeAttribute()
    directorate_id = UnicodeAttribute()
    slot_start = UnicodeAttribute()  # the slot's key: Istanbul wall time "YYYY-MM-DDTHH:MM"
    start = UTCDateTimeAttribute()
    end = UTCDateTimeAttribute()
    service = UnicodeAttribute()
    status = UnicodeAttribute()  # confirmed | cancelled_by_authority | released
    # Which kind of place it took: absent or "public"; "internal" (a kept-back place, booked by
    # the assisted channel: giving it back frees `internal_booked`, not `booked`).
    place = UnicodeAttribute(null=True)
    # Booked for the person by the phone line or the counter ("phone" | "counter"); absent: online.
    channel = UnicodeAttribute(null=True)
    # The applicant's lock before this booking: none on appointments booked since a booking is one
    # transaction (it requires no lock in force, services/booking.py new_appointment).
    lock_before = UTCDateTimeAttribute(null=True)
    cancelled_at = UTCDateTimeAttribute(null=True)
    cancel_reason = UnicodeAttribute(null=True)
    attendance = UnicodeAttribute(null=True)  # attended | no_show
    attendance_at = UTCDateTimeAttribute(null=True)
    unmarked_day = UnicodeAttribute(null=True)  # Istanbul date while attendance is unrecorded
    checkin_code_hash = UnicodeAttribute(null=True)  # set when the day-before reminder is written
    # Channels ("sms", "email") of a notification about it that was given up on (staff see it).
    undelivered_channels = UnicodeSetAttribute(null=True)
    # The guardian who booked it for a dependant (services/family.py): messages go to them, and
    # they see it (None for a person's own appointment).
    guardian_id = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    # Corrections (services/corrections.py). A no-show keeps the lock it replaced and the lock it
    # set, so that correcting it to attended gives the replaced lock back (domain/lockout.py).
    no_show_lock_before = UTCDateTimeAttribute(null=True)
    no_show_lock = UTCDateTimeAttribute(null=True)
    corrected_from = UnicodeAttribute(null=True)  # the mark a correction replaced (the latest one)
    correction_reason = UnicodeAttribute(null=True)
    corrected_at = UTCDateTimeAttribute(null=True)
    # A supervisor or admin lifted or shortened the lock this appointment set (shown to the person).
    lock_change = UnicodeAttribute(null=True)  # lifted | shortened
    lock_changed_until = UTCDateTimeAttribute(null=True)  # the shortened lock's end (None: lifted)
    lock_change_grounds = UnicodeAttribute(null=True)  # domain.corrections.LockGrounds
    lock_change_reason = UnicodeAttribute(null=True)
    lock_changed_at = UTCDateTimeAttribute(null=True)
    # A follow-up visit for the same matter (issued by staff; it starts no lock): the original's id
    # on the follow-up, the follow-up's id on the original.
    follow_up_of = UnicodeAttribute(null=True)
    follow_up_id = UnicodeAttribute(null=True)
    follow_up_reason = UnicodeAttribute(null=True)
    # Given back by its person (services/giving_back.py): the place returns to the pool at a random
    # moment, stored and never shown to anyone, or at once to the assigned-mode queue.
    released_at = UTCDateTimeAttribute(null=True)
    place_returns_at = UTCDateTimeAttribute(null=True)
    returning_day = UnicodeAttribute(null=True)  # set until the place is back (the sparse index)
    place_returned_at = UTCDateTimeAttribute(null=True)
    place_to_queue = BooleanAttribute(null=True)  # the directorate assigned this service: queue first
    assigned = BooleanAttribute(null=True)  # made by the assigner (assigned mode), for public statistics
    # "<day>#<shard>": when it is anonymised (domain/retention.py), until it is.
    retention_due = UnicodeAttribute(null=True)

    by_applicant = AppointmentsByApplicant()
    by_directorate = AppointmentsByDirectorate()
    unmarked_by_day = UnmarkedAppointmentsByDay()
    unmarked_by_directorate = UnmarkedAppointmentsByDirectorate()
    by_guardian = AppointmentsByGuardian()
    returning_by_day = PlacesToReturnByDay()
    due_for_retention = DueForRetention()


class UndeliveredNotificationsByDay(GlobalSecondaryIndex):
    """Sparse: notifications with a channel still to deliver (neither sent nor failed), by the day
    they were written, so a schedule can re-queue any whose queue message was lost (never a Scan)."""

    class Meta:
        index_name = "undelivered-by-day"
        projection = AllProjection()

    undelivered_day = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class NotificationsByApplicant(GlobalSecondaryIndex):
    """A person's notifications by the time they were written: what the service sent them, for
    their data export (services/my_data.py), one Query a page."""

    class Meta:
        index_name = "by-applicant"
        projection = AllProjection()

    applicant_id = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class Notification(Model):
    """A message owed to a person about their appointment, by SMS and by email.

    Written in the same transaction as the change it announces (the intent can't be lost), then
    queued from the table's stream and delivered by the queue-driven sender; each channel moves pending → sending → sent under
    conditions, so a redelivered or duplicated queue message never sends it twice. A channel
    that failed `notification_max_attempts` times is given up (sending → failed, conditional)."""

    class Meta(_Meta):
        table_name = table_name("notifications")
        # The transactional outbox: each new item is queued for the sender from this stream
        # (services/outbox.py), never by the request that wrote it.
        stream_view_type = "NEW_IMAGE"

    notification_id = UnicodeAttribute(hash_key=True)
    # appointment.confirmed | appointment.reminder | appointment.cancelled | request.withdrawn
    kind = UnicodeAttribute()
    appointment_id = UnicodeAttribute(null=True)  # absent only for request.withdrawn (no appointment)
    request_id = UnicodeAttribute(null=True)  # request.withdrawn: the assignment request it explains
    applicant_id = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    sms_status = UnicodeAttribute(default="pending")  # pending | sending | sent | failed | skipped (`sms_skipped` says why)
    sms_claimed_at = UTCDateTimeAttribute(null=True)
    sms_sent_at = UTCDateTimeAttribute(null=True)
    # pending | sending | sent | skipped: not sent, because the address is undeliverable
    # (`email_skipped` says why; services/email_feedback.py)
    email_status = UnicodeAttribute(default="pending")
    email_skipped = UnicodeAttribute(null=True)
    sms_skipped = UnicodeAttribute(null=True)  # skipped: why ("account_closed": its person closed the account)
    email_claimed_at = UTCDateTimeAttribute(null=True)
    email_sent_at = UTCDateTimeAttribute(null=True)
    attempts = NumberAttribute(default=0)  # failed sends, all channels
    sms_attempts = NumberAttribute(null=True)  # failed sends of each channel (absent: none)
    email_attempts = NumberAttribute(null=True)
    last_error = UnicodeAttribute(null=True)  # an error type, never message text (no personal data)
    checkin_code = UnicodeAttribute(null=True)  # a reminder's code, removed once delivered
    reason = UnicodeAttribute(null=True)  # a cancellation's reason, as the directorate gave it; a withdrawal's code
    undelivered_day = UnicodeAttribute(null=True)
    # The delivery record's end (domain/retention.py): DynamoDB's TTL deletes it then; nothing
    # serves it after that even while it is still stored.
    expires = TTLAttribute(null=True)

    undelivered_by_day = UndeliveredNotificationsByDay()
    by_applicant = NotificationsByApplicant()


class WaitingRequestsByProvince(GlobalSecondaryIndex):
    """Sparse: the requests still waiting in a province, spread over shards (partition key
    "<province>#<shard>", the shard from the request's lottery rank), each shard in queue order
    (domain/assignment.queue_place); the assigner merges the shards a page at a time
    (services/waiting.py)."""

    class Meta:
        index_name = "waiting-by-province"
        projection = AllProjection()

    waiting_province = UnicodeAttribute(hash_key=True)
    queue_key = UnicodeAttribute(range_key=True)


class AssignmentRequestsByApplicant(GlobalSecondaryIndex):
    """A person's assignment requests by when they were received: their data export
    (services/my_data.py), one Query a page."""

    class Meta:
        index_name = "by-applicant"
        projection = AllProjection()

    applicant_id = UnicodeAttribute(hash_key=True)
    received_at = UTCDateTimeAttribute(range_key=True)


class AssignmentRequest(Model):
    """A person's request to be given an appointment when the directorate assigns them.

    Moves waiting → assigned (in the booking transaction of the appointment it gets) or
    waiting → withdrawn, each under the condition that it is still waiting."""

    class Meta(_Meta):
        table_name = table_name("assignment-requests")

    request_id = UnicodeAttribute(hash_key=True)
    applicant_id = UnicodeAttribute()
    province = UnicodeAttribute()
    service = UnicodeAttribute()
    directorate_id = UnicodeAttribute(null=True)  # None: any directorate of the province
    earliest = UnicodeAttribute(null=True)  # YYYY-MM-DD
    latest = UnicodeAttribute(null=True)
    part_of_day = UnicodeAttribute(default="any")
    weekdays = UnicodeAttribute(default="01234")  # Monday = 0
    priority = BooleanAttribute(default=False)  # a closure's victim
    status = UnicodeAttribute()  # waiting | assigned | withdrawn
    received_at = UTCDateTimeAttribute()
    window_start = UnicodeAttribute()  # ISO UTC: the lottery window it was drawn in
    appointment_id = UnicodeAttribute(null=True)
    reason = UnicodeAttribute(null=True)  # why it was withdrawn, or which closure created it
    decided_at = UTCDateTimeAttribute(null=True)
    waiting_province = UnicodeAttribute(null=True)  # "<province>#<shard>", set while waiting (the sparse index)
    queue_key = UnicodeAttribute(null=True)  # "<0 priority|1>#<window_start>#<rank>#<request_id>" (queue_place)
    # Once ended: "<day>#<shard>" of the day it is anonymised (domain/retention.py), until it is.
    retention_due = UnicodeAttribute(null=True)

    waiting_by_province = WaitingRequestsByProvince()
    by_applicant = AssignmentRequestsByApplicant()
    due_for_retention = DueForRetention()


class AssignmentWindow(Model):
    """Items about one province's lottery windows and its waiting queue's shards.

    - The window's own item (`province`, `window_start`): its seed, drawn and recorded when its
      first request arrives (anyone can re-draw the order from it once it is published), and
      whether the message that has it served when it closes was sent (`announced`).
    - Its counters, one item per shard of the waiting queue (`province` = "<province>#<shard>"):
      how many requests of that shard were filed in the window and have left it since (assigned
      or withdrawn), each added in the transaction that files or ends the request; summed over
      the shards they give positions (services/waiting.py).
    - Each shard's totals (`province` = "<province>#<shard>", `window_start` = "total#filed" with
      `filed`, "total#settled" with `settled`): the requests ever filed in the shard and those
      that left it, closure victims included, added in the same transactions; filed − settled > 0
      marks the shards the readers open."""

    class Meta(_Meta):
        table_name = table_name("assignment-windows")

    province = UnicodeAttribute(hash_key=True)
    window_start = UnicodeAttribute(range_key=True)  # ISO UTC
    seed = NumberAttribute(null=True)
    drawn_at = UTCDateTimeAttribute(null=True)
    announced = BooleanAttribute(null=True)
    filed = NumberAttribute(default=0)
    settled = NumberAttribute(default=0)


class DemandMode(Model):
    """How a directorate gives out a service's appointments: chosen by an admin (`open`,
    `assigned`) or left to the demand rule (`auto`, the default when no item exists)."""

    class Meta(_Meta):
        table_name = table_name("demand-modes")

    directorate_id = UnicodeAttribute(hash_key=True)
    service = UnicodeAttribute(range_key=True)
    setting = UnicodeAttribute(default="auto")  # open | assigned | auto
    auto_mode = UnicodeAttribute(default="open")  # what the demand rule decided last
    booked_total = NumberAttribute(null=True)  # the directorate's booked units at the last evaluation
    evaluated_at = UTCDateTimeAttribute(null=True)
    updated_by = UnicodeAttribute(null=True)
    updated_at = UTCDateTimeAttribute(null=True)


class WebSessionsByAccount(GlobalSecondaryIndex):
    """Sparse (only signed-in sessions carry an account), keys only: closing an account ends
    every portal session it has (services/closure.py) with one Query, never a Scan."""

    class Meta:
        index_name = "by-account"
        projection = KeysOnlyProjection()

    account_id = UnicodeAttribute(hash_key=True)


class WebSession(Model):
    """A portal session. The browser's cookie holds only this random id; the access token
    and the CSRF token stay on the server. DynamoDB's TTL removes expired sessions."""

    class Meta(_Meta):
        table_name = table_name("web-sessions")

    session_id = UnicodeAttribute(hash_key=True)
    csrf_token = UnicodeAttribute()
    language = UnicodeAttribute(default="tr")
    access_token = UnicodeAttribute(null=True)
    account_id = UnicodeAttribute(null=True)
    role = UnicodeAttribute(null=True)  # applicant | staff | admin: which menu the pages show
    signup_email = UnicodeAttribute(null=True)  # between sign-up and its SMS code (never in a URL)
    reset_email = UnicodeAttribute(null=True)  # between "forgotten password" and its SMS code (idem)
    # Staff found this applicant by the document presented: the page the console opens next
    # records its read with lookup "document" (the number itself is never put in the address).
    found_applicant = UnicodeAttribute(null=True)
    sign_in_challenge = UnicodeAttribute(null=True)  # between the password and the TOTP code (idem)
    # e-Devlet sign-in: what the authorization request must be answered with (state, nonce, PKCE
    # verifier), then the verified identity number and the account being made for it, until when.
    oidc_state = UnicodeAttribute(null=True)
    oidc_nonce = UnicodeAttribute(null=True)
    oidc_verifier = UnicodeAttribute(null=True)
    edevlet_document = UnicodeAttribute(null=True)
    edevlet_applicant = UnicodeAttribute(null=True)
    edevlet_until = UTCDateTimeAttribute(null=True)
    expires = TTLAttribute()
    created_at = UTCDateTimeAttribute()

    by_account = WebSessionsByAccount()


class SignInRecord(Model):
    """One sign-in of an applicant's account: when and how (`password` or `e-devlet`), nothing
    more (no address, no device): the person sees their sign-ins in their data export, and
    notices one that was not theirs. Kept `domain/sign_ins.KEPT_FOR`; DynamoDB's TTL removes it."""

    class Meta(_Meta):
        table_name = table_name("sign-ins")

    account_id = UnicodeAttribute(hash_key=True)  # the applicant's id (Cognito sub)
    entry = UnicodeAttribute(range_key=True)  # "<ISO time>#<uuid>": newest last
    method = UnicodeAttribute()  # password | e-devlet
    at = UTCDateTimeAttribute()
    expires = TTLAttribute()


class SignInChallenge(Model):
    """A sign-in of a staff or admin account waiting for its TOTP code (never an applicant's).

    `challenge_id` is the opaque `session` the caller holds; Cognito's own session, the account's
    email and (at enrolment) the access token Cognito already issued stay here, on the server,
    until the code is right. Short-lived: the service compares `expires_at` itself (the emulator
    never expires items, stack-notes 10), and DynamoDB's TTL removes the item later."""

    class Meta(_Meta):
        table_name = table_name("sign-in-challenges")

    challenge_id = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute()  # mfa: answer Cognito's SOFTWARE_TOKEN_MFA | mfa_setup: enrol the app first
    email = UnicodeAttribute()
    cognito_session = UnicodeAttribute(null=True)  # kind mfa
    access_token = UnicodeAttribute(null=True)  # kind mfa_setup: withheld until the code is right
    token_expires_at = UTCDateTimeAttribute(null=True)  # kind mfa_setup: when that token expires
    secret = UnicodeAttribute(null=True)  # kind mfa_setup: shown again if the page is reloaded
    attempts = NumberAttribute(default=0)  # failed sends, all channels
    sms_attempts = NumberAttribute(null=True)  # failed sends of each channel (absent: none)
    email_attempts = NumberAttribute(null=True)
    expires_at = UTCDateTimeAttribute()
    expires = TTLAttribute()


class IdempotencyRecord(Model):
    """Results of write calls sent with an `Idempotency-Key`, written and read by Powertools
    Idempotency (`chalicelib/adapters/idempotency.py`); declared here so that the table is
    provisioned like every other. DynamoDB's TTL removes expired records."""

    class Meta(_Meta):
        table_name = table_name("idempotency")

    id = UnicodeAttribute(hash_key=True)
    expiration = TTLAttribute(null=True)
    in_progress_expiration = NumberAttribute(null=True)
    status = UnicodeAttribute(null=True)
    data = UnicodeAttribute(null=True)
    validation = UnicodeAttribute(null=True)


class AvailabilityDay(Model):
    """The availability summary (domain/availability_summary.py): one item per directorate and
    day, holding that day's slots as the public calendar shows them (services offered, public
    places left), kept by the slots table's stream (services/availability.py). A page view of
    any service reads one item per day shown, never the slot partition. The item
    `(directorate_id, "#built")` says the directorate's summary is complete (rebuilt from its
    slots once): until then pages read the slots themselves."""

    class Meta(_Meta):
        table_name = table_name("availability")

    key = UnicodeAttribute(hash_key=True)  # the directorate id
    day = UnicodeAttribute(range_key=True)  # YYYY-MM-DD, or "#built" (sorts before any day)
    # slot start (Istanbul wall time) -> {"end": wall time, "services": [...], "left": public places, "v": version}
    slots = MapAttribute(default=dict)
    rev = VersionAttribute()  # optimistic lock: concurrent stream batches never lose each other's folds
    expires = TTLAttribute(null=True)  # a day after the day: DynamoDB removes past days


class PublicStatistic(Model):
    """Public statistics (domain/statistics.py), kept by the slots' and appointments' streams
    (services/statistics.py). Three kinds of item:
    - a day's ledger: key "ledger#<directorate>#<day>", item "slots" | "appointments", what each
      slot or appointment of the day adds to it (`entries`: id -> figures and stream version),
      `rev` counting its writes (the optimistic lock of the transaction that writes it);
    - a published day: key "province#<plate code>", item "<day>#<directorate>", the day's totals
      (`figures`), written in the same transaction as the ledger it sums;
    - its wait samples: item "<day>#<directorate>#wait", the days to the first free place taken
      that day (`waits`: hour -> days).
    The public read is one Query of a province's published days. No personal data: counts, and
    appointment ids only in the unpublished ledgers."""

    class Meta(_Meta):
        table_name = table_name("statistics")

    key = UnicodeAttribute(hash_key=True)
    item = UnicodeAttribute(range_key=True)
    entries = MapAttribute(default=dict)
    figures = MapAttribute(default=dict)
    waits = MapAttribute(default=dict)
    rev = NumberAttribute(null=True)


ALL_TABLES: tuple[type[Model], ...] = (
    ResidentRecord,
    Applicant,
    IdentityClaim,
    RateCounter,
    StaffMember,
    TokenValidity,
    AuditRecord,
    Slot,
    AvailabilityDay,
    PublicStatistic,
    DirectorateDay,
    KeptBackShare,
    Appointment,
    Notification,
    AssignmentRequest,
    AssignmentWindow,
    DemandMode,
    WebSession,
    SignInRecord,
    SignInChallenge,
    IdempotencyRecord,
)

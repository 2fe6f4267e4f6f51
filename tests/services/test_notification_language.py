"""The notification language is changed online (issue 12, item 9): it is not personal data, so
the person changes it while every personal detail stays locked, and the messages sent from then
on (SMS, email, calendar invitation) are in it, for an appointment booked before the change too."""

from __future__ import annotations

import re
from email import message_from_string
from email.policy import default

import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends
from moto.sns.models import sns_backends
from pydantic import ValidationError

from chalicelib.adapters.tables import Applicant, Notification
from chalicelib.clock import clock
from chalicelib.contract import LanguageRequest
from chalicelib.domain.calendar import ISTANBUL
from chalicelib.domain.catalogue import find_service
from chalicelib.domain.errors import NotFound, ProfileLocked
from chalicelib.domain.roles import Caller, Role
from chalicelib.services import notification_language, notifications, profile
from chalicelib.services.catalogue import extend_slot_horizon
from tests.services.conftest import REGION
from tests.services.world import slot_owing_confirmation_only, FATIH, applicant, book, free_slots


@pytest.fixture(autouse=True)
def open_horizon(aws, frozen_clock):
    extend_slot_horizon(only=(FATIH,))


def test_the_language_changes_online_the_details_stay_locked_and_the_next_messages_use_it(aws):
    caller = applicant(language="en")
    before = Applicant.get(caller.account_id)
    appointment = book(caller, slot_owing_confirmation_only(caller).slot_id)  # its confirmation is owed, not yet sent

    changed = notification_language.change(caller, LanguageRequest(language="UK").language)

    assert changed.language == "uk"
    after = Applicant.get(caller.account_id)
    assert (after.phone, after.email, after.given_name, after.document_number) == (before.phone, before.email, before.given_name, before.document_number)
    with pytest.raises(ProfileLocked):
        profile.refuse_self_amendment(caller)  # PATCH /v1/me stays refused

    today = clock.now().astimezone(ISTANBUL).date().isoformat()
    [owed] = [n for n in Notification.undelivered_by_day.query(today) if n.appointment_id == appointment.appointment_id]
    notifications.deliver(owed.notification_id)
    [sms] = [body for to, body in sns_backends[DEFAULT_ACCOUNT_ID][REGION].sms_messages.values() if to == after.phone]
    assert "вас записано" in sms and appointment.reference in sms
    [raw] = [m.raw_data for m in ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages if after.email in m.destinations]
    email = message_from_string(raw, policy=default)
    assert email["Subject"].startswith("Ваш запис підтверджено")
    assert "Візьміть із собою" in email.get_body(("plain",)).get_content()
    [invite] = [part for part in email.iter_attachments() if part.get_content_type() == "text/calendar"]
    ics = invite.get_content() if isinstance(invite.get_content(), str) else invite.get_content().decode()
    assert f"SUMMARY;LANGUAGE=uk:{find_service('address_registration').names['uk']}" in re.sub(r"\r?\n ", "", ics)


@pytest.mark.parametrize("raw", ["de", "", "farsi", "fa-IR", None, 7])
def test_a_language_outside_the_six_is_refused_naming_the_field(raw):
    with pytest.raises(ValidationError) as refused:
        LanguageRequest.model_validate({"language": raw})
    assert [problem["loc"] for problem in refused.value.errors()] == [("language",)]


def test_an_account_without_a_profile_is_told_so_and_nothing_is_written(aws):
    with pytest.raises(NotFound):
        notification_language.change(Caller("no-such-account", frozenset({Role.APPLICANT})), "fa")
    assert not list(Applicant.query("no-such-account"))  # the update did not create an item

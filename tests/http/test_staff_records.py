"""A person's record at the counter, over HTTP: every staff read audited with who, when and the
lookup (the document number only ever in a body), an amended document number that stays claimed,
and the release of an online account someone else opened with a person's identity."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.http.client import Api, Person, new_person, unique_email, unique_foreign_id, unique_phone
from tests.http.conftest import sms_code_for
from tests.http.test_accounts import register
from tests.http.test_revocation import issued_a_minute_ago

REASON = "Residence permit card seen at the counter; the online account was not opened by its holder"


def sign_up(api: Api, identity: Person, email: str, phone: str):
    """A self-service sign-up with `identity`'s document (and whatever else the sign-up asks of
    it), from `email` and `phone`, confirmed with the code that phone receives. Returns the
    sign-up's answer, or a pair (applicant id, access token) once confirmed.

    Every sign-up of these tests goes through here, so that what a sign-up must send can change
    in one place."""
    signup = api.post("/v1/auth/signup", identity.signup_body(email=email, phone=phone))
    if signup.status_code != 201:
        return signup
    confirmed = api.post("/v1/auth/confirm", {"email": email, "code": sms_code_for(api, phone)})
    assert confirmed.status_code == 200, confirmed.text
    return signup.json()["applicant_id"], api.login(email, identity.password)


def staff_member(api: Api, admin_token: str, directorate: str) -> tuple[str, str]:
    """A new staff member of `directorate`: (account id, access token)."""
    email = unique_email("staff")
    created = api.post("/v1/admin/staff", {"email": email, "password": "StaffPass123", "directorate_id": directorate}, token=admin_token)
    assert created.status_code == 201, created.text
    return created.json()["account_id"], api.login(email, "StaffPass123")


def search(api: Api, token: str, document_number: str):
    return api.post("/v1/staff/applicants/search", {"document_number": document_number}, token=token)


def trail(api: Api, token: str, applicant_id: str) -> list[dict]:
    answer = api.get(f"/v1/staff/applicants/{applicant_id}/audit", token=token)
    assert answer.status_code == 200, answer.text
    return answer.json()


@pytest.fixture
def owner(api: Api, admin_token: str) -> Person:
    """A resident of Bursa in the registry, with no account yet."""
    person = new_person(province="16")
    register(api, admin_token, person)
    return person


def stack_now(api: Api) -> datetime:
    return datetime.fromisoformat(api.get("/local/clock").json()["now"])


def test_every_staff_read_says_who_when_and_through_which_lookup(api: Api, admin_token: str, owner: Person):
    applicant_id, _ = sign_up(api, owner, owner.email, owner.phone)
    staff_id, staff_token = staff_member(api, admin_token, "16-merkez")
    before = stack_now(api)  # the service's clock: other tests move it forward

    found = search(api, staff_token, owner.document_number)
    assert found.status_code == 200, found.text
    assert found.json()["applicant_id"] == applicant_id
    assert api.get(f"/v1/staff/applicants/{applicant_id}", token=staff_token).status_code == 200

    newest_first = trail(api, staff_token, applicant_id)
    reads = [(e["action"], e["lookup"], e["actor_id"], e["actor_role"]) for e in newest_first if e["lookup"]]
    assert reads == [
        ("audit.viewed", "applicant_id", staff_id, "staff"),  # reading the trail is a read too
        ("profile.viewed", "applicant_id", staff_id, "staff"),
        ("profile.viewed", "document", staff_id, "staff"),
    ]
    for entry in newest_first[:3]:
        assert before - timedelta(seconds=5) <= datetime.fromisoformat(entry["at"]) <= stack_now(api) + timedelta(seconds=5)


def test_the_document_number_goes_in_a_body_never_in_an_address(api: Api, admin_token: str, owner: Person):
    sign_up(api, owner, owner.email, owner.phone)
    _, staff_token = staff_member(api, admin_token, "16-merkez")
    in_address = api.get("/v1/staff/applicants", token=staff_token, params={"document_number": owner.document_number})
    assert in_address.status_code != 200 and "applicant_id" not in in_address.text
    missing = search(api, staff_token, "")
    assert missing.status_code == 400 and missing.json()["error"]["code"] == "VALIDATION_FAILED"
    assert "document_number" in missing.text
    unknown = search(api, staff_token, unique_foreign_id())
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "NOT_FOUND"


def test_staff_of_another_province_find_nobody_and_leave_no_read(api: Api, admin_token: str, owner: Person):
    applicant_id, _ = sign_up(api, owner, owner.email, owner.phone)
    elsewhere_id, elsewhere = staff_member(api, admin_token, "35-merkez")
    refused = search(api, elsewhere, owner.document_number)
    assert refused.status_code == 404 and refused.json()["error"]["code"] == "NOT_FOUND"
    assert api.get(f"/v1/staff/applicants/{applicant_id}", token=elsewhere).status_code == 404
    released = api.post(f"/v1/staff/applicants/{applicant_id}/release", {"reason": REASON}, token=elsewhere)
    assert released.status_code == 404
    everything = trail(api, admin_token, applicant_id)  # an admin reaches anyone (and this read is audited too)
    assert [e for e in everything if e["actor_id"] == elsewhere_id] == []
    assert [e["actor_role"] for e in everything if e["lookup"]] == ["admin"]


def test_a_staff_member_releases_a_squatted_account_and_the_owner_signs_up(api: Api, admin_token: str, owner: Person):
    # Someone who knows the owner's document number opens an account with it, from their own phone.
    squatter_email, squatter_phone = unique_email("squatter"), unique_phone()
    squatter_id, squatter_token = sign_up(api, owner, squatter_email, squatter_phone)
    squatter_token = issued_a_minute_ago(squatter_token)  # certainly before the release (whole seconds)
    assert api.get("/v1/me", token=squatter_token).status_code == 200
    refused = sign_up(api, owner, owner.email, owner.phone)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "DUPLICATE_ACCOUNT"

    # The owner shows their permit at the counter; staff find the account and release it.
    staff_id, staff_token = staff_member(api, admin_token, "16-merkez")
    found = search(api, staff_token, owner.document_number)
    assert found.status_code == 200 and found.json()["applicant_id"] == squatter_id
    assert found.json()["phone"] == squatter_phone  # not the owner's: this is what staff see
    no_reason = api.post(f"/v1/staff/applicants/{squatter_id}/release", {}, token=staff_token)
    assert no_reason.status_code == 400 and "reason" in no_reason.text
    released = api.post(f"/v1/staff/applicants/{squatter_id}/release", {"reason": REASON}, token=staff_token)
    assert released.status_code == 200, released.text
    assert released.json() == {"applicant_id": squatter_id, "status": "released"}
    again = api.post(f"/v1/staff/applicants/{squatter_id}/release", {"reason": REASON}, token=staff_token)
    assert again.status_code == 200 and again.json() == released.json()

    # The owner signs up and confirms; the squatter is out.
    owner_id, owner_token = sign_up(api, owner, owner.email, owner.phone)
    assert owner_id != squatter_id
    assert api.get("/v1/me", token=owner_token).json()["document_number"] == owner.document_number
    assert api.get("/v1/me", token=squatter_token).status_code == 401
    signs_in = api.post("/v1/auth/login", {"email": squatter_email, "password": owner.password})
    assert signs_in.status_code == 401

    # The release is on the squatter account's trail, once: who, when, why; the account is kept.
    [entry] = [e for e in trail(api, staff_token, squatter_id) if e["action"] == "account.released"]
    assert (entry["actor_id"], entry["actor_role"], entry["reason"]) == (staff_id, "staff", REASON)
    assert entry["after"]["document_numbers_freed"] == [owner.document_number]
    assert api.get(f"/v1/staff/applicants/{squatter_id}", token=staff_token).json()["status"] == "released"
    # Staff presented with the document now find the owner.
    assert search(api, staff_token, owner.document_number).json()["applicant_id"] == owner_id


def test_an_amended_number_stays_claimed_until_the_account_is_released(api: Api, admin_token: str, owner: Person):
    applicant_id, _ = sign_up(api, owner, owner.email, owner.phone)
    renewed = Person(unique_foreign_id(), owner.email, owner.phone, province=owner.province)
    register(api, admin_token, renewed)
    _, staff_token = staff_member(api, admin_token, "16-merkez")
    amended = api.patch(f"/v1/staff/applicants/{applicant_id}",
                        {"document_number": renewed.document_number, "reason": "New foreigner ID card seen"}, token=staff_token)
    assert amended.status_code == 200, amended.text

    # The old number opens no second account: refused as any claimed identity is.
    second = sign_up(api, owner, unique_email("second"), unique_phone())
    assert second.status_code == 409 and second.json()["error"]["code"] == "DUPLICATE_ACCOUNT"
    assert search(api, staff_token, owner.document_number).json()["applicant_id"] == applicant_id

    assert api.post(f"/v1/staff/applicants/{applicant_id}/release", {"reason": REASON}, token=staff_token).status_code == 200
    for number in (owner.document_number, renewed.document_number):  # both are free now
        identity = Person(number, unique_email("again"), unique_phone(), province=owner.province)
        again = sign_up(api, identity, identity.email, identity.phone)
        assert isinstance(again, tuple), again.text


def test_the_openapi_document_has_the_search_and_the_release_and_no_lookup_by_address(api: Api):
    paths = api.get("/v1/openapi.json").json()["paths"]
    assert "post" in paths["/v1/staff/applicants/search"]
    assert "post" in paths["/v1/staff/applicants/{applicant_id}/release"]
    assert "/v1/staff/applicants" not in paths

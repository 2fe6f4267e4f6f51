"""Accounts end to end over HTTP: the issue's scenario, eligibility, duplicates, confirmation."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

from tests.http.client import Api, new_person, unique_email, unique_phone
from tests.http.conftest import sms_code_for


def register(api: Api, admin_token: str, person, valid_until: date | None = None) -> None:
    response = api.post("/v1/admin/residents", {"records": [person.registry_record(valid_until)]}, token=admin_token)
    assert response.status_code == 200, response.text
    assert response.json() == {"imported": 1}


def signed_up_and_confirmed(api: Api, admin_token: str, **kwargs):
    person = new_person(**kwargs)
    register(api, admin_token, person)
    assert api.post("/v1/auth/signup", person.signup_body()).status_code == 201
    code = sms_code_for(api, person.phone)
    assert api.post("/v1/auth/confirm", {"email": person.email, "code": code}).status_code == 200
    return person, api.login(person.email, person.password)


def test_the_whole_scenario_from_registry_to_an_audited_amendment(api: Api, admin_token: str):
    person = new_person(province="06", permit_status="work_permit")
    register(api, admin_token, person)

    signup = api.post("/v1/auth/signup", person.signup_body(phone="0555 " + person.phone[6:9] + " " + person.phone[9:]))
    assert signup.status_code == 201, signup.text
    assert signup.json()["status"] == "pending_verification"
    applicant_id = signup.json()["applicant_id"]

    code = sms_code_for(api, person.phone)
    confirmed = api.post("/v1/auth/confirm", {"email": person.email, "code": code})
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json() == {"applicant_id": applicant_id, "status": "active"}

    token = api.login(person.email, person.password)
    me = api.get("/v1/me", token=token)
    assert me.status_code == 200, me.text
    profile = me.json()
    assert profile["province"] == "06" and profile["province_name"] == "Ankara"
    assert profile["permit_status"] == "work_permit"
    assert profile["locked_until"] is None
    assert profile["phone"] == person.phone and profile["nationality"] == "SYR"

    refused = api.patch("/v1/me", {"phone": "+905551112233"}, token=token)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "PROFILE_LOCKED"

    staff_email = unique_email("staff")
    created = api.post(
        "/v1/admin/staff",
        {"email": staff_email, "password": "StaffPass123", "directorate_id": "06-merkez"},
        token=admin_token,
    )
    assert created.status_code == 201, created.text
    staff_token = api.login(staff_email, "StaffPass123")

    found = api.get("/v1/staff/applicants", token=staff_token, params={"document_number": person.document_number})
    assert found.status_code == 200 and found.json()["applicant_id"] == applicant_id

    no_reason = api.patch(f"/v1/staff/applicants/{applicant_id}", {"phone": "0555 111 22 33"}, token=staff_token)
    assert no_reason.status_code == 400

    amended = api.patch(
        f"/v1/staff/applicants/{applicant_id}",
        {"phone": "0555 111 22 33", "reason": "Lost the old SIM card; new number shown in person"},
        token=staff_token,
    )
    assert amended.status_code == 200, amended.text
    assert amended.json()["profile"]["phone"] == "+905551112233"

    trail = api.get(f"/v1/staff/applicants/{applicant_id}/audit", token=staff_token)
    assert trail.status_code == 200
    [entry] = trail.json()
    assert entry["action"] == "profile.amended"
    assert entry["before"] == {"phone": person.phone} and entry["after"] == {"phone": "+905551112233"}
    assert entry["actor_role"] == "staff" and entry["reason"].startswith("Lost the old SIM")
    assert api.get("/v1/me", token=token).json()["phone"] == "+905551112233"


def test_staff_of_another_province_cannot_see_or_amend_the_applicant(api: Api, admin_token: str):
    person, _ = signed_up_and_confirmed(api, admin_token, province="35")
    staff_email = unique_email("staff")
    api.post("/v1/admin/staff", {"email": staff_email, "password": "StaffPass123", "directorate_id": "01-merkez"}, token=admin_token)
    staff_token = api.login(staff_email, "StaffPass123")
    found = api.get("/v1/staff/applicants", token=staff_token, params={"document_number": person.document_number})
    assert found.status_code == 404


def test_only_people_in_the_registry_with_a_permit_valid_today_may_sign_up(api: Api, admin_token: str):
    unknown = new_person()
    refused = api.post("/v1/auth/signup", unknown.signup_body())
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "NOT_ELIGIBLE"

    expired = new_person()
    register(api, admin_token, expired, valid_until=date.today() - timedelta(days=1))
    refused = api.post("/v1/auth/signup", expired.signup_body())
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "NOT_ELIGIBLE"
    assert refused.json()["error"]["details"] == {}  # no date: the answer is the unknown person's


def test_invalid_fields_are_each_named(api: Api):
    person = new_person()
    body = person.signup_body(document_number="99123456789", phone="0212 123 45 67", nationality="TR", password="weak")
    refused = api.post("/v1/auth/signup", body)
    assert refused.status_code == 400
    fields = {f["field"] for f in refused.json()["error"]["details"]["fields"]}
    assert fields == {"document_number", "phone", "nationality", "password"}


def test_one_account_per_person_and_per_email(api: Api, admin_token: str):
    person, _ = signed_up_and_confirmed(api, admin_token)
    same_person = api.post("/v1/auth/signup", person.signup_body(email=unique_email(), phone="+905550000001"))
    assert same_person.status_code == 409 and same_person.json()["error"]["code"] == "DUPLICATE_ACCOUNT"

    other = new_person()
    register(api, admin_token, other)
    same_email = api.post("/v1/auth/signup", other.signup_body(email=person.email))
    assert same_email.status_code == 409 and same_email.json()["error"]["code"] == "DUPLICATE_ACCOUNT"


def test_concurrent_confirmations_of_one_person_create_exactly_one_account(api: Api, admin_token: str):
    person = new_person()
    register(api, admin_token, person)
    racers = [(unique_email("racer"), unique_phone()) for _ in range(8)]
    for email, phone in racers:  # pending sign-ups claim nothing: all of them may exist at once
        assert api.post("/v1/auth/signup", person.signup_body(email=email, phone=phone)).status_code == 201
    codes = {email: sms_code_for(api, phone) for email, phone in racers}

    def confirm(email):
        return api.post("/v1/auth/confirm", {"email": email, "code": codes[email]})

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(confirm, codes))
    assert sorted(a.status_code for a in answers) == [200] + [409] * 7
    assert {a.json()["error"]["code"] for a in answers if a.status_code == 409} == {"DUPLICATE_ACCOUNT"}
    # The losers' logins were removed: each of their emails is free for another person.
    loser = next(email for email, a in zip(codes, answers) if a.status_code == 409)
    assert api.post("/v1/auth/login", {"email": loser, "password": person.password}).status_code == 401
    other = new_person()
    register(api, admin_token, other)
    assert api.post("/v1/auth/signup", other.signup_body(email=loser)).status_code == 201


def test_a_wrong_code_is_refused_and_too_many_wrong_codes_lock_the_code(api: Api, admin_token: str):
    person = new_person()
    register(api, admin_token, person)
    api.post("/v1/auth/signup", person.signup_body())
    code = sms_code_for(api, person.phone)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    unconfirmed_login = api.post("/v1/auth/login", {"email": person.email, "password": person.password})
    assert unconfirmed_login.status_code == 401 and unconfirmed_login.json()["error"]["details"]["reason"] == "not_confirmed"
    refusals = [api.post("/v1/auth/confirm", {"email": person.email, "code": wrong}) for _ in range(3)]
    assert {r.status_code for r in refusals} == {400}
    exhausted = api.post("/v1/auth/confirm", {"email": person.email, "code": code})
    assert exhausted.status_code == 400 and exhausted.content == refusals[0].content  # the right code, too late


def test_login_with_a_wrong_password_is_unauthenticated(api: Api, admin_token: str):
    person, _ = signed_up_and_confirmed(api, admin_token)
    refused = api.post("/v1/auth/login", {"email": person.email, "password": "Wrong123pass"})
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "UNAUTHENTICATED"


def test_registry_import_is_admin_only_validated_and_idempotent(api: Api, admin_token: str):
    person = new_person()
    record = person.registry_record()
    twice = api.post("/v1/admin/residents", {"records": [record, record]}, token=admin_token)
    assert twice.json() == {"imported": 1}
    bad = api.post("/v1/admin/residents", {"records": [{**record, "province": "82"}]}, token=admin_token)
    assert bad.status_code == 400
    identity = ("given_name", "family_name", "birth_date", "nationality")
    anonymous = {k: v for k, v in record.items() if k not in identity}
    without_identity = api.post("/v1/admin/residents", {"records": [anonymous]}, token=admin_token)
    assert without_identity.status_code == 400 and without_identity.json()["error"]["code"] == "VALIDATION_FAILED"
    named = {f["field"].split(".")[-1] for f in without_identity.json()["error"]["details"]["fields"]}
    assert named == set(identity)
    _, applicant_token = signed_up_and_confirmed(api, admin_token)
    assert api.post("/v1/admin/residents", {"records": [record]}, token=applicant_token).status_code == 403


def test_the_local_registry_lists_its_seeded_residents_with_who_they_are(api: Api):
    residents = api.get("/local/residents").json()
    assert len(residents) >= 100
    for field in ("document_number", "given_name", "family_name", "birth_date", "nationality", "permit_valid_until"):
        assert all(r[field] for r in residents), field
    assert all(len(r["nationality"]) == 2 for r in residents)
    assert any(r.get("passport_number") for r in residents) and any(r.get("guardian_document_number") for r in residents)
    assert any(set("ŞşİıĞğÜü") & set(r["given_name"] + r["family_name"]) for r in residents)

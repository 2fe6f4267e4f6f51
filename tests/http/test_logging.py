"""The service's logs carry no personal data in clear: the scenario's document numbers, phone
numbers and email addresses never appear in what the local stack wrote."""

from __future__ import annotations

import json

from tests.http.client import Api, new_person, unique_email
from tests.http.conftest import sms_code_for


def test_the_scenario_leaves_structured_logs_without_personal_data(api: Api, admin_token: str, server_log):
    person = new_person(province="27")
    api.post("/v1/admin/residents", {"records": [person.registry_record()]}, token=admin_token)
    signup = api.post("/v1/auth/signup", person.signup_body())
    applicant_id = signup.json()["applicant_id"]
    api.post("/v1/auth/confirm", {"email": person.email, "code": "000000"})  # a refusal is logged too
    api.post("/v1/auth/confirm", {"email": person.email, "code": sms_code_for(api, person.phone)})
    token = api.login(person.email, person.password)
    api.get("/v1/me", token=token)
    api.patch("/v1/me", {"email": "new@example.net"}, token=token)
    staff_email = unique_email("staff")
    api.post("/v1/admin/staff", {"email": staff_email, "password": "StaffPass123", "directorate_id": "27-merkez"}, token=admin_token)
    staff_token = api.login(staff_email, "StaffPass123")
    api.post("/v1/staff/applicants/search", {"document_number": person.document_number}, token=staff_token)
    new_phone = "+905559876543"
    amended = api.patch(
        f"/v1/staff/applicants/{applicant_id}", {"phone": new_phone, "reason": "new number, seen in person"}, token=staff_token
    )
    assert amended.status_code == 200

    log = server_log.read_text()
    records = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    ours = [r for r in records if r.get("endpoint") in {"signup", "confirm", "login", "me", "amend_me", "find_applicant", "amend_applicant"}]
    assert len(ours) >= 9, "the requests above should each have left a structured log line"
    assert all(r.get("correlation_id") for r in ours)
    national = "0" + person.phone[3:]
    for secret in [person.document_number, person.email, person.phone, person.phone[1:], national, staff_email, new_phone, "new@example.net"]:
        assert secret not in log, f"personal data in the log: {secret[:3]}…"

"""An administrator disables a staff account (a clerk who left, a stolen authenticator): its
tokens are refused at once, it cannot sign in again, and the change is audited."""

from __future__ import annotations

from tests.http.client import Api, unique_email
from tests.http.test_revocation import issued_a_minute_ago
from tests.http.test_tokens import me_status

PASSWORD = "StaffPass123"
REASON = {"reason": "Left the directorate on 30 November"}


def disable(api: Api, token: str, account_id: str, body=REASON):
    return api.post(f"/v1/admin/staff/{account_id}/disable", body, token=token)


def test_a_disabled_staff_account_is_refused_at_once_and_cannot_sign_in_again(api: Api, admin_token: str):
    email = unique_email("clerk")
    created = api.post("/v1/admin/staff", {"email": email, "password": PASSWORD, "directorate_id": "06-merkez"}, token=admin_token)
    assert created.status_code == 201, created.text
    account_id = created.json()["account_id"]
    earlier = issued_a_minute_ago(api.login(email, PASSWORD))
    day_list = lambda token: api.post("/v1/staff/applicants/search", {"document_number": "99000000000"}, token=token).status_code
    assert day_list(earlier) == 404  # a staff route answers: nobody with that number

    answer = disable(api, admin_token, account_id)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"account_id": account_id, "status": "disabled"}

    assert day_list(earlier) == 401
    assert me_status(api, earlier) == 401
    signing_in = api.post("/v1/auth/login", {"email": email, "password": PASSWORD})
    assert signing_in.status_code == 401 and "access_token" not in signing_in.text
    assert disable(api, admin_token, account_id).status_code == 200  # again: nothing more changes


def test_disabling_needs_an_admin_a_known_staff_account_and_a_reason(api: Api, admin_token: str):
    email = unique_email("clerk")
    created = api.post("/v1/admin/staff", {"email": email, "password": PASSWORD, "directorate_id": "06-merkez"}, token=admin_token)
    account_id = created.json()["account_id"]
    staff_token = api.login(email, PASSWORD)

    assert disable(api, staff_token, account_id).status_code == 403
    missing_reason = disable(api, admin_token, account_id, body={})
    assert missing_reason.status_code == 400 and missing_reason.json()["error"]["details"]["fields"][0]["field"] == "reason"
    unknown = disable(api, admin_token, "no-such-account")
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "NOT_FOUND"
    assert api.post("/v1/staff/applicants/search", {"document_number": "99000000000"}, token=staff_token).status_code == 404  # still staff: nobody with that number

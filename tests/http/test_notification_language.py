"""PUT /v1/me/language over HTTP (contract v1.1): the notification language is not personal data,
so the person changes it online while their personal details stay locked, and the next message
they are sent comes in it."""

from __future__ import annotations

from tests.http.client import Api
from tests.http.test_accounts import signed_up_and_confirmed


def test_the_notification_language_changes_online_while_the_details_stay_locked(api: Api, admin_token: str):
    person, token = signed_up_and_confirmed(api, admin_token)  # signed up in Arabic
    assert api.get("/v1/me", token=token).json()["language"] == "ar"

    changed = api.put("/v1/me/language", {"language": "fa"}, token=token)
    assert changed.status_code == 200, changed.text
    assert changed.json()["language"] == "fa"
    me = api.get("/v1/me", token=token).json()
    assert me["language"] == "fa" and me["phone"] == person.phone  # nothing else moved

    locked = api.patch("/v1/me", {"language": "ru"}, token=token)  # personal details: still only in person
    assert locked.status_code == 409 and locked.json()["error"]["code"] == "PROFILE_LOCKED"

    for refused_body in ({"language": "de"}, {"language": ""}, {}, {"language": "fa", "phone": "+905551112233"}):
        refused = api.put("/v1/me/language", refused_body, token=token)
        assert refused.status_code == 400, refused.text
        error = refused.json()["error"]
        assert error["code"] == "VALIDATION_FAILED"
        assert {f["field"] for f in error["details"]["fields"]} <= {"language", "phone"} and error["details"]["fields"]
    assert api.get("/v1/me", token=token).json()["language"] == "fa"  # no refused body changed anything

    assert api.put("/v1/me/language", {"language": "fa"}).status_code == 401  # only the person themself

    # The next message comes in the chosen language: a password-reset code SMS, in Persian.
    assert api.post("/v1/auth/forgot-password", {"email": person.email}).status_code in (200, 202)
    sms = [m for m in api.get("/local/outbox").json() if m["to"] == person.phone and m["channel"] == "sms"]
    assert "کد بازنشانی رمز" in sms[-1]["body"]

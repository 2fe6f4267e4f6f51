"""The privacy notice over HTTP (an addition to the contract, as v1.1 allows): anyone reads it
in their language; a sign-up that names the version it showed has it recorded on the account,
one that does not is still served and has nothing recorded (the portal then shows the notice at
the first sign-in); an applicant's client records a new version with PUT /v1/me/privacy-notice."""

from __future__ import annotations

from tests.http.client import Api, new_person
from tests.http.conftest import sms_code_for
from tests.http.test_accounts import register


def _signed_up(api: Api, admin_token: str, **body) -> tuple[object, str]:
    person = new_person(province="33")
    register(api, admin_token, person)
    answer = api.post("/v1/auth/signup", {k: v for k, v in person.signup_body(**body).items() if v is not None})
    assert answer.status_code == 201, answer.text
    assert api.post("/v1/auth/confirm", {"email": person.email, "code": sms_code_for(api, person.phone)}).status_code == 200
    return person, api.login(person.email, person.password)


def test_anyone_reads_the_notice_in_each_language_and_a_wrong_language_is_a_clear_error(api: Api):
    turkish = api.get("/v1/privacy-notice")
    assert turkish.status_code == 200 and turkish.json()["language"] == "tr"
    persian = api.get("/v1/privacy-notice", params={"language": "FA"}).json()
    assert persian["language"] == "fa" and persian["version"] == turkish.json()["version"]
    assert persian["title"].startswith("اطلاعیه") and len(persian["sections"]) == len(turkish.json()["sections"])
    rights = persian["sections"][6]
    assert rights["heading"].endswith("(ماده 11 قانون KVKK)") and len(rights["items"]) == 9
    refused = api.get("/v1/privacy-notice", params={"language": "xx"})
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "VALIDATION_FAILED"
    operations = api.get("/v1/openapi.json").json()["paths"]
    assert "get" in operations["/v1/privacy-notice"] and "put" in operations["/v1/me/privacy-notice"]


def test_a_sign_up_naming_the_version_shown_has_it_on_the_account(api: Api, admin_token: str):
    version = api.get("/v1/privacy-notice").json()["version"]
    _, token = _signed_up(api, admin_token, notice_version=version)
    me = api.get("/v1/me", token=token).json()
    assert me["notice_version"] == version and me["notice_seen_at"] is not None


def test_a_sign_up_without_a_version_is_served_and_records_nothing_until_the_client_says_it_showed_it(api: Api, admin_token: str):
    _, token = _signed_up(api, admin_token, notice_version=None)
    me = api.get("/v1/me", token=token).json()
    assert me["notice_version"] is None and me["notice_seen_at"] is None

    version = api.get("/v1/privacy-notice").json()["version"]
    for wrong in ("2001-01-01", "not-a-version"):
        refused = api.put("/v1/me/privacy-notice", {"version": wrong}, token=token)
        assert refused.status_code == 400 and refused.json()["error"]["code"] == "VALIDATION_FAILED", refused.text
    read = api.put("/v1/me/privacy-notice", {"version": version}, token=token)
    assert read.status_code == 200 and read.json()["notice_version"] == version
    assert api.get("/v1/me", token=token).json()["notice_version"] == version
    assert api.put("/v1/me/privacy-notice", {"version": version}, token=None).status_code == 401


def test_a_sign_up_naming_a_version_never_published_is_refused_and_nothing_is_made(api: Api, admin_token: str):
    person = new_person(province="33")
    register(api, admin_token, person)
    refused = api.post("/v1/auth/signup", person.signup_body(notice_version="2099-12-31"))
    assert refused.status_code == 400, refused.text
    assert [f["field"] for f in refused.json()["error"]["details"]["fields"]] == ["notice_version"]
    assert api.post("/v1/auth/signup", person.signup_body()).status_code == 201  # the same person, corrected

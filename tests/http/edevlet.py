"""Driving the e-Devlet sign-in with `requests`, as a browser without scripts would: the portal
sends the person to the embedded provider, the provider's page picks a seeded resident, the
provider sends them back, then the contact details and the two codes (from /local/outbox)."""

from __future__ import annotations

import re
from datetime import date

import requests

from chalicelib.local.residents import SyntheticResident, synthetic_residents
from tests.http.client import Api

CONTACT, PHONE_CODE, EMAIL_CODE = "/sign-in/e-devlet/contact", "/sign-in/e-devlet/phone-code", "/sign-in/e-devlet/email-code"


def residents_with_foreigner_id(today: date, province: str, expired: bool = False) -> list[SyntheticResident]:
    """Seeded adults of `province` who hold a foreigner ID (e-Devlet knows those), with a permit
    in force (or expired)."""
    return [
        r for r in synthetic_residents(today)
        if r.province == province and r.document_type == "foreign_id" and r.guardian_document_number is None
        and (r.permit_valid_until < today) == expired
    ]


def today_of(api: Api) -> date:
    return date.fromisoformat(api.get("/local/clock").json()["now"][:10])


def csrf_of(page: requests.Response) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


def through_the_provider(browser: requests.Session, base_url: str, number: str) -> requests.Response:
    """From the portal's start of the flow to its callback's answer (not followed further)."""
    started = browser.get(f"{base_url}/sign-in/e-devlet", allow_redirects=False)
    assert started.status_code == 303, started.text
    authorize = started.headers["Location"]
    picker = browser.get(authorize)
    assert picker.status_code == 200
    back = browser.post(authorize, data={"sub": number}, allow_redirects=False)
    assert back.status_code == 302 and "/sign-in/e-devlet/callback?" in back.headers["Location"]
    return browser.get(back.headers["Location"], allow_redirects=False)


def latest_code(api: Api, channel: str, to: str) -> str:
    messages = [m for m in api.get("/local/outbox").json() if m["channel"] == channel and m["to"] == to]
    assert messages, f"no {channel} reached {to}"
    return re.search(r"\b(\d{6})\b", messages[-1]["body"]).group(1)


def post_form(browser: requests.Session, base_url: str, path: str, **fields: str) -> requests.Response:
    """The form at `path` sent as a browser sends it: its hidden fields (the form token, the
    privacy notice's version the contact page showed) with `fields`."""
    form = browser.get(f"{base_url}{path}")
    assert form.status_code == 200, form.text
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.text))
    return browser.post(f"{base_url}{path}", data={**hidden, "csrf": csrf_of(form), **fields}, allow_redirects=False)


def first_sign_in(browser: requests.Session, base_url: str, api: Api, number: str, phone: str, email: str) -> requests.Response:
    """A new person's whole first sign-in; returns the answer of the last code (a redirect)."""
    arrived = through_the_provider(browser, base_url, number)
    assert arrived.status_code == 303 and arrived.headers["Location"] == CONTACT, arrived.text
    sent = post_form(browser, base_url, CONTACT, phone=phone, email=email)
    assert sent.status_code == 303 and sent.headers["Location"] == PHONE_CODE, sent.text
    phone_done = post_form(browser, base_url, PHONE_CODE, code=latest_code(api, "sms", phone_e164(phone)))
    assert phone_done.status_code == 303 and phone_done.headers["Location"] == EMAIL_CODE, phone_done.text
    return post_form(browser, base_url, EMAIL_CODE, code=latest_code(api, "email", email))


def phone_e164(phone: str) -> str:
    digits = re.sub(r"\D", "", phone)
    return "+90" + digits[-10:]

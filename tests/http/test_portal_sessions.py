"""A person who fears someone else is in their account signs out on every device from My
details: the other browser's session ends with it, and they can sign in again at once."""

from __future__ import annotations

import time

from bench.population import PASSWORD, create_applicants
from tests.http.browser import check_accessible_in_every_language, click_through, sign_in


def after_this_second(moment: float) -> None:
    """Return once the wall clock has left the second of `moment`. A token carries its issue
    time in whole seconds, and one issued in the very second of a revocation is accepted by
    design; this makes the other browser's token certainly older than the revocation. It
    waits for a clock to turn, not for something else to finish."""
    while int(time.time()) == int(moment):
        time.sleep(0.05)


def test_signing_out_on_every_device_ends_the_other_browsers_session(browser, base_url):
    person = create_applicants(base_url, 1, province="16")[0]
    other_context, other_page = sign_in(browser, base_url, person.email, PASSWORD, language="ar")
    signed_in_at = time.time()
    other_page.goto(f"{base_url}/me")
    assert other_page.url.endswith("/me")

    context, page = sign_in(browser, base_url, person.email, PASSWORD, language="ar")
    page.goto(f"{base_url}/me")
    check_accessible_in_every_language(page)
    after_this_second(signed_in_at)
    click_through(page, "form[action='/sign-out/everywhere'] button")

    other_page.goto(f"{base_url}/me")
    assert "/sign-in" in other_page.url  # the lost device is out
    page.goto(f"{base_url}/me")
    assert "/sign-in" in page.url  # and so is this one

    context.close()
    context, page = sign_in(browser, base_url, person.email, PASSWORD)
    page.goto(f"{base_url}/me")
    assert page.url.endswith("/me")  # signing in again works at once
    context.close()
    other_context.close()

"""Helpers for tests that talk to an in-process emulator."""

from __future__ import annotations

import uuid

import boto3

REGION = "eu-central-1"


def fresh_account_session(region: str = REGION) -> boto3.session.Session:
    """A session whose requests go to a new, empty moto account: moto's state is per process,
    shared by every emulator of the test run, so a fresh account is what a fresh emulator is."""
    account = str(uuid.uuid4().int)[:12].rjust(12, "1")
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=region)
    session.events.register(
        "before-send", lambda request, **_: request.headers.__setitem__("x-moto-account-id", account)
    )
    return session

"""The emulator's Cognito TOTP (chalicelib/local/totp.py): a secret per user, and a code is
checked against it — moto alone accepts any code, or one secret shared by everyone
(stack-notes 12)."""

from __future__ import annotations

import time
import uuid

import boto3
import pyotp
import pytest

from chalicelib.local import totp
from chalicelib.local.provision import provision
from chalicelib.resources import resources

REGION = "eu-central-1"
PASSWORD = "StaffPass123"


@pytest.fixture(scope="module")
def pool(emulator):
    """A pool provisioned as the service's, in a moto account of its own (moto's state is per
    process); returns (cognito client, pool id, client id, account id)."""
    account = str(uuid.uuid4().int)[:12].rjust(12, "1")
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
    session.events.register("before-send", lambda request, **_: request.headers.__setitem__("x-moto-account-id", account))
    local = provision(session, resources(), endpoint_url=emulator.endpoint_url)
    cognito = session.client("cognito-idp", endpoint_url=emulator.endpoint_url)
    return cognito, local.user_pool_id, local.user_pool_client_id, account


def new_user(pool) -> str:
    cognito, pool_id, _, _ = pool
    email = f"staff.{uuid.uuid4().hex[:10]}@example.org"
    cognito.admin_create_user(UserPoolId=pool_id, Username=email, MessageAction="SUPPRESS",
                              UserAttributes=[{"Name": "email", "Value": email}])
    cognito.admin_set_user_password(UserPoolId=pool_id, Username=email, Password=PASSWORD, Permanent=True)
    return email


def sign_in(pool, email: str) -> dict:
    cognito, _, client_id, _ = pool
    return cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                 AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD})


def answer(pool, email: str, session: str, code: str) -> dict:
    cognito, _, client_id, _ = pool
    return cognito.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="SOFTWARE_TOKEN_MFA", Session=session,
        ChallengeResponses={"USERNAME": email, "SOFTWARE_TOKEN_MFA_CODE": code},
    )


def wrong_code(secret: str) -> str:
    """A 6-digit code that is not the secret's in any step the check could accept now or in
    the next step (the check takes one step either side)."""
    generator, now = pyotp.TOTP(secret), time.time()
    valid = {generator.at(now + steps * 30) for steps in (-2, -1, 0, 1, 2)}
    return next(code for code in (f"{n:06d}" for n in range(1_000_000)) if code not in valid)


def enrolled(pool) -> tuple[str, str]:
    """A user who went through AssociateSoftwareToken, VerifySoftwareToken and
    SetUserMFAPreference as the service does at a first sign-in; returns (email, secret)."""
    cognito = pool[0]
    email = new_user(pool)
    access = sign_in(pool, email)["AuthenticationResult"]["AccessToken"]
    secret = cognito.associate_software_token(AccessToken=access)["SecretCode"]
    assert cognito.verify_software_token(AccessToken=access, UserCode=pyotp.TOTP(secret).now())["Status"] == "SUCCESS"
    cognito.set_user_mfa_preference(AccessToken=access, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    return email, secret


def test_every_user_gets_a_random_base32_secret_of_160_bits(pool):
    cognito = pool[0]
    secrets = set()
    for _ in range(3):
        access = sign_in(pool, new_user(pool))["AuthenticationResult"]["AccessToken"]
        secret = cognito.associate_software_token(AccessToken=access)["SecretCode"]
        assert len(secret) == 32 and pyotp.TOTP(secret).byte_secret()  # 32 base32 letters = 160 bits
        secrets.add(secret)
    assert len(secrets) == 3


def test_a_wrong_code_enables_nothing_and_a_right_one_enrols(pool):
    cognito = pool[0]
    email = new_user(pool)
    access = sign_in(pool, email)["AuthenticationResult"]["AccessToken"]
    secret = cognito.associate_software_token(AccessToken=access)["SecretCode"]

    with pytest.raises(cognito.exceptions.CodeMismatchException):
        cognito.verify_software_token(AccessToken=access, UserCode=wrong_code(secret))
    with pytest.raises(cognito.exceptions.InvalidParameterException):  # not verified: cannot be enabled
        cognito.set_user_mfa_preference(AccessToken=access, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    assert "AuthenticationResult" in sign_in(pool, email)  # still no second factor

    assert cognito.verify_software_token(AccessToken=access, UserCode=pyotp.TOTP(secret).now())["Status"] == "SUCCESS"
    cognito.set_user_mfa_preference(AccessToken=access, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    assert sign_in(pool, email)["ChallengeName"] == "SOFTWARE_TOKEN_MFA"


def test_the_sign_in_challenge_takes_only_the_users_own_code(pool):
    cognito = pool[0]
    email, secret = enrolled(pool)
    _, someone_elses = enrolled(pool)
    challenge = sign_in(pool, email)
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA" and "AuthenticationResult" not in challenge

    for code in (wrong_code(secret), pyotp.TOTP(someone_elses).now()):
        if code != pyotp.TOTP(secret).now():  # one in a million: the other user's code is this one's too
            with pytest.raises(cognito.exceptions.CodeMismatchException):
                answer(pool, email, challenge["Session"], code)

    tokens = answer(pool, email, challenge["Session"], pyotp.TOTP(secret).now())["AuthenticationResult"]
    assert tokens["AccessToken"]


def test_a_used_session_cannot_be_answered_again(pool):
    cognito = pool[0]
    email, secret = enrolled(pool)
    session = sign_in(pool, email)["Session"]
    answer(pool, email, session, pyotp.TOTP(secret).now())
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        answer(pool, email, session, pyotp.TOTP(secret).now())


def test_enrol_gives_a_user_a_known_secret_as_the_local_admin_gets_it(pool, emulator):
    cognito, pool_id, _, account = pool
    email = new_user(pool)
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    with emulator.lock:
        totp.enrol(REGION, pool_id, email, secret, account_id=account)

    session = sign_in(pool, email)["Session"]
    with pytest.raises(cognito.exceptions.CodeMismatchException):
        answer(pool, email, session, wrong_code(secret))
    assert answer(pool, email, session, pyotp.TOTP(secret).now())["AuthenticationResult"]["AccessToken"]


def test_enrol_refuses_a_secret_that_is_not_base32_or_too_short(pool, emulator):
    email = new_user(pool)
    for bad in ("not base32!", "JBSWY3DPEHPK3PXP"):  # the second: 80 bits, under pyotp's minimum of 112
        with emulator.lock, pytest.raises(ValueError):
            totp.enrol(REGION, pool[1], email, bad, account_id=pool[3])

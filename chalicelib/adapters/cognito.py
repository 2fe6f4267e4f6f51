"""Cognito user pool: accounts, passwords, groups and tokens.

Translates Cognito's API and exceptions into a small vocabulary the use cases understand; it
decides nothing about who may have an account.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


class EmailTaken(Exception):
    pass


class PasswordRejected(Exception):
    pass


class InvalidCredentials(Exception):
    pass


class NotConfirmed(Exception):
    pass


class SignOutFailed(Exception):
    """Cognito did not revoke the account's sessions (the message is the error's type only)."""


class CodeMismatch(Exception):
    """The TOTP code is not the one the account's authenticator shows now."""


class ChallengeExpired(Exception):
    """Cognito no longer knows the sign-in (its session expired or was used)."""


@dataclass(frozen=True)
class CognitoUser:
    sub: str
    status: str  # UNCONFIRMED | CONFIRMED | FORCE_CHANGE_PASSWORD | ...
    created_at: datetime


@dataclass(frozen=True)
class Tokens:
    access_token: str
    expires_in: int


@dataclass(frozen=True)
class MfaRequired:
    """The password was right; Cognito asks for the account's TOTP code (SOFTWARE_TOKEN_MFA)
    within its `session`."""

    session: str


class CognitoAccounts:
    def __init__(self, client, user_pool_id: str, client_id: str) -> None:
        self._client = client
        self._pool = user_pool_id
        self._client_id = client_id
        self._errors = client.exceptions

    def create_login(self, email: str, password: str, *, email_verified: bool = False) -> str:
        """A login with a permanent password, created by the service (the pool allows no public
        sign-up, so nobody can skip the registry); returns its `sub`. Cognito sends nothing.
        Whether it may be used yet is the service's to decide (an applicant's status)."""
        try:
            response = self._client.admin_create_user(
                UserPoolId=self._pool,
                Username=email,
                UserAttributes=[{"Name": "email", "Value": email}]
                + ([{"Name": "email_verified", "Value": "true"}] if email_verified else []),
                MessageAction="SUPPRESS",
            )
        except self._errors.UsernameExistsException:
            raise EmailTaken() from None
        try:
            self._client.admin_set_user_password(UserPoolId=self._pool, Username=email, Password=password, Permanent=True)
        except self._errors.InvalidPasswordException as error:
            self.delete(email)
            raise PasswordRejected(error.response["Error"].get("Message", "")) from None
        attributes = {a["Name"]: a["Value"] for a in response["User"].get("Attributes", [])}
        return attributes.get("sub") or self._sub_of(email)

    def _sub_of(self, email: str) -> str:
        user = self.find(email)
        assert user is not None
        return user.sub

    def groups(self, email: str) -> set[str]:
        response = self._client.admin_list_groups_for_user(UserPoolId=self._pool, Username=email)
        return {group["GroupName"] for group in response.get("Groups", [])}

    def find(self, email: str) -> CognitoUser | None:
        try:
            user = self._client.admin_get_user(UserPoolId=self._pool, Username=email)
        except self._errors.UserNotFoundException:
            return None
        attributes = {a["Name"]: a["Value"] for a in user.get("UserAttributes", [])}
        return CognitoUser(
            sub=attributes.get("sub", user["Username"]),
            status=user["UserStatus"],
            created_at=user["UserCreateDate"],
        )

    def delete(self, email: str) -> None:
        try:
            self._client.admin_delete_user(UserPoolId=self._pool, Username=email)
        except self._errors.UserNotFoundException:
            pass

    def add_to_group(self, email: str, group: str) -> None:
        self._client.admin_add_user_to_group(UserPoolId=self._pool, Username=email, GroupName=group)

    def create_confirmed(self, email: str, password: str, group: str) -> str:
        """A ready-to-use account created by an administrator (staff, admin); returns its `sub`."""
        sub = self.create_login(email, password, email_verified=True)
        self.add_to_group(email, group)
        return sub

    def change_email(self, old_email: str, new_email: str) -> None:
        try:
            self._client.admin_update_user_attributes(
                UserPoolId=self._pool,
                Username=old_email,
                UserAttributes=[
                    {"Name": "email", "Value": new_email},
                    {"Name": "email_verified", "Value": "true"},
                ],
            )
        except (self._errors.AliasExistsException, self._errors.UsernameExistsException):
            raise EmailTaken() from None

    def set_password(self, email: str, password: str) -> None:
        """A new permanent password, chosen by the account's owner once they proved who they are."""
        try:
            self._client.admin_set_user_password(
                UserPoolId=self._pool, Username=email, Password=password, Permanent=True
            )
        except self._errors.InvalidPasswordException as error:
            raise PasswordRejected(error.response["Error"].get("Message", "")) from None

    def sign_out_everywhere(self, email: str) -> None:
        """Revoke every refresh token of the account, so no device stays signed in for long."""
        try:
            self._client.admin_user_global_sign_out(UserPoolId=self._pool, Username=email)
        except self._errors.ClientError as error:
            raise SignOutFailed(error.response["Error"].get("Code", type(error).__name__)) from None

    def disable(self, email: str) -> None:
        """The login stops working (sign-in refused; the account and its records stay). Idempotent:
        disabling a disabled or missing login changes nothing."""
        try:
            self._client.admin_disable_user(UserPoolId=self._pool, Username=email)
        except self._errors.UserNotFoundException:
            pass

    def login(self, email: str, password: str) -> Tokens | MfaRequired:
        try:
            response = self._client.initiate_auth(
                ClientId=self._client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": email, "PASSWORD": password},
            )
        except self._errors.UserNotConfirmedException:
            raise NotConfirmed() from None
        except (self._errors.NotAuthorizedException, self._errors.UserNotFoundException):
            raise InvalidCredentials() from None
        if response.get("ChallengeName") == "SOFTWARE_TOKEN_MFA":
            return MfaRequired(session=response["Session"])
        if "AuthenticationResult" not in response:  # a challenge this service never sets up
            raise InvalidCredentials()
        return _tokens(response)

    # -- the second factor (TOTP, Cognito's software-token MFA) ---------------------------------

    def answer_mfa(self, email: str, session: str, code: str) -> Tokens:
        """Answer Cognito's SOFTWARE_TOKEN_MFA challenge with the code of the account's app."""
        try:
            response = self._client.respond_to_auth_challenge(
                ClientId=self._client_id,
                ChallengeName="SOFTWARE_TOKEN_MFA",
                Session=session,
                ChallengeResponses={"USERNAME": email, "SOFTWARE_TOKEN_MFA_CODE": code},
            )
        except self._errors.CodeMismatchException:
            raise CodeMismatch() from None
        except (
            self._errors.NotAuthorizedException,
            self._errors.ExpiredCodeException,
            self._errors.ResourceNotFoundException,
            self._errors.UserNotFoundException,
        ):
            raise ChallengeExpired() from None
        if "AuthenticationResult" not in response:
            raise ChallengeExpired()
        return _tokens(response)

    def new_totp_secret(self, access_token: str) -> str:
        """A new TOTP secret for the signed-in account (AssociateSoftwareToken); not in use
        until a code made with it is verified."""
        return self._client.associate_software_token(AccessToken=access_token)["SecretCode"]

    def enable_totp(self, access_token: str, code: str) -> None:
        """Verify a code made with the new secret, then make TOTP the account's second factor
        (every later sign-in gets the SOFTWARE_TOKEN_MFA challenge)."""
        try:
            answer = self._client.verify_software_token(AccessToken=access_token, UserCode=code)
        except (self._errors.CodeMismatchException, self._errors.EnableSoftwareTokenMFAException):
            raise CodeMismatch() from None
        except self._errors.NotAuthorizedException:
            raise ChallengeExpired() from None
        if answer.get("Status") != "SUCCESS":
            raise CodeMismatch()
        self._client.set_user_mfa_preference(
            AccessToken=access_token, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True}
        )


def _tokens(response: dict) -> Tokens:
    result = response["AuthenticationResult"]
    return Tokens(access_token=result["AccessToken"], expires_in=int(result["ExpiresIn"]))

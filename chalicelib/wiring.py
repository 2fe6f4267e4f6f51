"""Builds the adapters once per process, lazily (cold start pays only for what a call uses).

Use cases ask for their collaborators here instead of constructing them; tests and the local
stack call `reset()` after changing the environment.
"""

from __future__ import annotations

import sys
from functools import lru_cache

from botocore.config import Config

from chalicelib.adapters import dynamo
from chalicelib.adapters.cognito import CognitoAccounts
from chalicelib.adapters.edevlet import OpenIdClient
from chalicelib.adapters.email import EmailSender
from chalicelib.adapters.signing import KmsSigner
from chalicelib.adapters.sms import SmsSender
from chalicelib.adapters.tokens import TokenVerifier
from chalicelib.settings import family_key_secret_name, get_settings, reset_settings

_BOTO_CONFIG = Config(retries={"mode": "standard", "max_attempts": 3}, max_pool_connections=64)


@lru_cache(maxsize=None)
def _client(service: str):
    import boto3  # on first use, not at cold start

    return boto3.session.Session().client(service, region_name=get_settings().region, config=_BOTO_CONFIG)


@lru_cache(maxsize=1)
def accounts() -> CognitoAccounts:
    settings = get_settings()
    return CognitoAccounts(_client("cognito-idp"), settings.user_pool_id, settings.user_pool_client_id)


@lru_cache(maxsize=1)
def sms() -> SmsSender:
    return SmsSender(_client("sns"), get_settings().sms_sender_id)


@lru_cache(maxsize=1)
def email() -> EmailSender:
    settings = get_settings()
    return EmailSender(_client("ses"), settings.email_sender, settings.email_configuration_set)


@lru_cache(maxsize=1)
def sqs():
    return _client("sqs")


@lru_cache(maxsize=None)
def queue_url(name: str) -> str:
    """A queue's URL, looked up once per process."""
    return sqs().get_queue_url(QueueName=name)["QueueUrl"]


@lru_cache(maxsize=1)
def receipt_signer() -> KmsSigner:
    """The receipt key in KMS (its public key is kept once fetched: one KMS call per process)."""
    return KmsSigner(_client("kms"), get_settings().receipt_signing_key_id)


@lru_cache(maxsize=1)
def token_verifier() -> TokenVerifier:
    settings = get_settings()
    return TokenVerifier(settings.jwks_url, settings.issuer, settings.user_pool_client_id)


@lru_cache(maxsize=1)
def edevlet() -> OpenIdClient:
    """e-Devlet's OpenID provider: issuer, client id and callback from the environment, the
    client secret from Secrets Manager (read when first needed, then kept for the process)."""
    settings = get_settings()
    return OpenIdClient(
        settings.edevlet_issuer, settings.edevlet_client_id, _edevlet_client_secret, settings.edevlet_redirect_uri
    )


@lru_cache(maxsize=1)
def _edevlet_client_secret() -> str:
    return _client("secretsmanager").get_secret_value(SecretId=get_settings().edevlet_client_secret_name)["SecretString"]


@lru_cache(maxsize=1)
def family_key() -> bytes:
    """The key dependants' opaque ids are derived with (Secrets Manager, read once per process)."""
    return _client("secretsmanager").get_secret_value(SecretId=family_key_secret_name())["SecretString"].encode()


def reset() -> None:
    reset_settings()
    dynamo.reset()
    if "chalicelib.adapters.idempotency" in sys.modules:
        sys.modules["chalicelib.adapters.idempotency"].reset()
    for cached in (_client, accounts, sms, email, sqs, queue_url, receipt_signer, token_verifier, edevlet, _edevlet_client_secret, family_key):
        cached.cache_clear()

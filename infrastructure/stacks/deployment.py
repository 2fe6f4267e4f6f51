"""What differs between deployments (environments), in one place: read from CDK context
(`cdk deploy -c key=value`, or `cdk.json`), with the defaults below.

Every limit at the public edge (WAF rates, API Gateway throttles), the service's own rate
limits, the alarm subscribers and thresholds, the log retention, the SMS spend limit, the
workers' concurrency and the custom domain come from here; the constructs in `edge.py` and
`monitoring.py` only read it.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, fields
from typing import Any, Callable

from chalicelib.domain.limits import RateLimits

# The retention periods CloudWatch Logs accepts (days).
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)

# API Gateway answers before a function does: a function may run at most this long (its
# integration timeout is 29 s; one second is left for API Gateway itself).
API_GATEWAY_TIMEOUT_SECONDS = 29


@dataclass(frozen=True)
class DeploymentSettings:
    """One deployment's configuration. Field name = CDK context key."""

    # API Gateway stage (the only one: see edge.py); empty = `api_gateway_stage` of .chalice/config.json.
    stage_name: str = ""
    # Custom domain (both or neither): the name and an ACM certificate for it (for an EDGE
    # API the certificate lives in us-east-1). TLS 1.2 is pinned on it.
    domain_name: str = ""
    certificate_arn: str = ""
    # The sender's email domain: an SES domain identity with Easy DKIM (email.py); the sender
    # address must be in it. Empty: the sender's address alone is the identity.
    email_domain: str = ""
    # Who the alarms reach: email addresses, comma separated on the command line.
    alarm_emails: tuple[str, ...] = ()
    # WAF: requests per client IP in `waf_window_seconds` (60, 120, 300 or 600), for the whole
    # API and for the routes that send an SMS.
    waf_window_seconds: int = 300
    waf_rate_limit_per_ip: int = 1000
    waf_sms_rate_limit_per_ip: int = 20
    # API Gateway: the stage's steady rate and burst (requests per second, all clients together),
    # and the tighter ones of the routes that send SMS.
    throttle_rate: float = 200.0
    throttle_burst: int = 400
    # Together the SMS routes stay within the account's SMS quota left to codes (see edge.py
    # `check_sms_throttles`): 6 routes × 1.5/s = 9/s ≤ 20/s × (1 − 0.5).
    sms_throttle_rate: float = 1.5
    sms_throttle_burst: int = 3
    # Log retention of every log group (functions, API access log, SMS delivery status).
    log_retention_days: int = 90
    # SNS: the account's monthly SMS spend limit (USD), and the alarm at this share of it.
    sms_monthly_spend_limit_usd: int = 100
    sms_spend_alarm_ratio: float = 0.8
    sms_success_rate_alarm_below: float = 0.9
    # The workers (queue consumers): reserved concurrency each, and the queue source's maximum.
    worker_reserved_concurrency: int = 5
    worker_max_concurrency: int = 5
    # The account's send quotas (per second): SNS SMS (20 by default) and SES (14 in a new
    # production account; raise both here once AWS raises them), and the share of each that the
    # notification sender may use (the rest is left for the verification codes the API sends).
    # Each sender process paces itself at quota x share / worker_max_concurrency (workers.py).
    sms_quota_per_second: float = 20.0
    ses_quota_per_second: float = 14.0
    notification_send_share: float = 0.5
    # A notification's channel is given up (failed, shown to staff, alarmed) after this many
    # failed sends; at most the queue's max_receive_count, so it happens before the DLQ.
    notification_max_attempts: int = 5
    # Alarm thresholds.
    api_5xx_rate_alarm: float = 0.01
    api_p99_latency_alarm_ms: int = 3000
    queue_age_alarm_seconds: int = 1800
    ses_bounce_rate_alarm: float = 0.05
    ses_complaint_rate_alarm: float = 0.001
    # The CloudWatch namespace of the service's own metrics (Powertools Metrics).
    metrics_namespace: str = "MigrationAppointments"

    # The service's own rate limits (chalicelib/domain/limits.py `RateLimits`), as name=value
    # pairs (`-c service_rate_limits=phone_codes_per_hour=2,verification_sms_per_hour=1000`):
    # each becomes RATE_LIMIT_<NAME> on every function; the others keep the service's defaults.
    service_rate_limits: tuple[str, ...] = ()
    # Disaster recovery (backups.py): the AWS Backup vault, in a second region or a backup
    # account, that every table backup is copied to. Empty: backups stay here (a warning at synth).
    backup_copy_vault_arn: str = ""
    # The receipt key's manual rotation (an asymmetric KMS key has no automatic rotation; see
    # appointments.py `_signing_key`): raising `receipt_key_generation` makes a new key that signs
    # from that deployment on (the old one is retained, not deleted); the old key's public half
    # (`aws kms get-public-key --key-id alias/<prefix>-receipts --query PublicKey --output text`,
    # base64) goes into `receipt_previous_public_keys` so that the receipts it signed stay genuine
    # until the last of their appointments is past (then it is removed, and the old key scheduled
    # for deletion).
    receipt_key_generation: int = 1
    receipt_previous_public_keys: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self.service_rate_limit_environment()  # refuses an unknown name or a value that is no positive number
        if bool(self.domain_name) != bool(self.certificate_arn):
            raise ValueError("domain_name and certificate_arn go together: give both or neither")
        if self.log_retention_days not in LOG_RETENTION_DAYS:
            raise ValueError(f"log_retention_days must be one of {LOG_RETENTION_DAYS}")
        if self.waf_window_seconds not in (60, 120, 300, 600):
            raise ValueError("waf_window_seconds must be 60, 120, 300 or 600")
        for name in ("waf_rate_limit_per_ip", "waf_sms_rate_limit_per_ip"):
            if getattr(self, name) < 10:
                raise ValueError(f"{name}: WAF's smallest rate limit is 10")
        if self.worker_max_concurrency < 2 or self.worker_reserved_concurrency < self.worker_max_concurrency:
            raise ValueError(
                "worker_max_concurrency must be at least 2 (SQS's minimum) and at most worker_reserved_concurrency"
            )
        if self.sms_quota_per_second <= 0 or self.ses_quota_per_second <= 0:
            raise ValueError("sms_quota_per_second and ses_quota_per_second must be positive")
        if not 0 < self.notification_send_share <= 1:
            raise ValueError("notification_send_share must be above 0 and at most 1")
        vault = self.backup_copy_vault_arn
        if vault and (not vault.startswith("arn:") or ":backup-vault:" not in vault):
            raise ValueError("backup_copy_vault_arn must be the ARN of an AWS Backup vault (arn:aws:backup:<region>:<account>:backup-vault:<name>)")
        if self.notification_max_attempts < 1:
            raise ValueError("notification_max_attempts must be at least 1")
        if self.receipt_key_generation < 1:
            raise ValueError("receipt_key_generation must be at least 1")
        for key in self.receipt_previous_public_keys:
            try:
                base64.b64decode(key, validate=True)
            except ValueError:
                raise ValueError("receipt_previous_public_keys: each is a public key as KMS gives it (base64 DER)") from None

    @classmethod
    def from_context(cls, context: Callable[[str], Any]) -> "DeploymentSettings":
        """`context` is `node.try_get_context`; values given on the command line are strings."""
        values: dict[str, Any] = {}
        for field in fields(cls):
            raw = context(field.name)
            if raw is None or raw == "":
                continue
            default = field.default
            if isinstance(default, tuple):
                items = raw if isinstance(raw, (list, tuple)) else str(raw).split(",")
                values[field.name] = tuple(item.strip() for item in items if str(item).strip())
            elif isinstance(default, bool):
                values[field.name] = str(raw).lower() in ("1", "true", "yes")
            else:
                values[field.name] = type(default)(raw)
        return cls(**values)

    def service_rate_limit_environment(self) -> dict[str, str]:
        """RATE_LIMIT_<NAME> → value for each service rate limit this deployment sets."""
        known = {item.name for item in fields(RateLimits)}
        environment = {}
        for pair in self.service_rate_limits:
            name, _, value = pair.partition("=")
            name = name.strip()
            if name not in known:
                raise ValueError(f"service_rate_limits: {name!r} is not a service rate limit (one of {sorted(known)})")
            if not value.strip().isdigit() or int(value) < 1:
                raise ValueError(f"service_rate_limits: {name} needs a whole number of at least 1, not {value!r}")
            environment[f"RATE_LIMIT_{name.upper()}"] = str(int(value))
        return environment


def apply_service_rate_limits(chalice: Any, template: dict[str, Any], settings: DeploymentSettings) -> None:
    """The deployment's service rate limits, in the environment of every function of the app."""
    environment = settings.service_rate_limit_environment()
    for logical_id, resource in template.get("Resources", {}).items():
        if resource.get("Type") == "AWS::Serverless::Function":
            function = chalice.get_resource(logical_id)
            for name, value in environment.items():
                function.add_property_override(f"Environment.Variables.{name}", value)

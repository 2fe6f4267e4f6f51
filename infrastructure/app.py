"""CDK app: one AppointmentsStack per deployment prefix.

Run from `infrastructure/` (cdk.json says how):

    cdk synth  -c prefix=md-appointments
    cdk deploy -c prefix=md-appointments [-c email_sender=... -c sms_sender_id=... -c chalice_stage=dev]

Context values (all optional):
  prefix         prefix of every physical name; also the stack name (default: RESOURCE_PREFIX
                 or "md-appointments")
  chalice_stage  the stage of .chalice/config.json whose settings the functions get (default "dev")
  email_sender   SES sender identity (default: chalicelib.resources default)
  sms_sender_id  SNS DefaultSenderID (default: chalicelib.resources default)
  log_level      LOG_LEVEL of the functions (default "INFO")
  ...            the public edge, alarms, logs and limits of this environment: stage_name,
                 domain_name + certificate_arn, alarm_emails, WAF rates, throttles,
                 log_retention_days, ... (infrastructure/stacks/deployment.py, with defaults)
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent

# The repository root must come first and this directory must not be on the path at all:
# Chalice packaging imports the *service's* `app` module (REPO_ROOT/app.py), and this file is
# called app.py too.
sys.path[:] = [str(REPO_ROOT)] + [p for p in sys.path if Path(p or ".").resolve() not in (HERE, REPO_ROOT)]

import aws_cdk as cdk  # noqa: E402

from chalicelib.settings import DEFAULT_PREFIX  # noqa: E402

DEFAULT_REGION = "eu-central-1"


def main() -> None:
    # The CDK CLI sets CDK_OUTDIR; `python app.py` alone (make synth) writes to infrastructure/cdk.out.
    app = cdk.App(outdir=os.environ.get("CDK_OUTDIR") or str(HERE / "cdk.out"))
    context = app.node.try_get_context
    prefix = context("prefix") or os.environ.get("RESOURCE_PREFIX") or DEFAULT_PREFIX
    # Table names are read from RESOURCE_PREFIX when chalicelib's models are imported: set it first.
    os.environ["RESOURCE_PREFIX"] = prefix
    # Chalice's packager asks boto3 for a region (to pick service principals); deployments
    # have one (AWS_REGION / profile), an offline synth may not.
    region = os.environ.get("CDK_DEFAULT_REGION") or os.environ.get("AWS_REGION")
    os.environ.setdefault("AWS_DEFAULT_REGION", region or DEFAULT_REGION)

    from chalicelib.resources import resources

    from infrastructure.stacks.appointments import AppointmentsStack, EdevletClient
    from infrastructure.stacks.deployment import DeploymentSettings

    messaging = {key: context(key) for key in ("email_sender", "sms_sender_id") if context(key)}
    stack = AppointmentsStack(
        app,
        prefix,
        resources=resources(**messaging),
        prefix=prefix,
        chalice_stage=context("chalice_stage") or "dev",
        log_level=context("log_level") or "INFO",
        edevlet=EdevletClient(
            issuer=context("edevlet_issuer") or "",
            client_id=context("edevlet_client_id") or "",
            redirect_uri=context("edevlet_redirect_uri") or "",
        ),
        deployment=DeploymentSettings.from_context(context),
        source_dir=REPO_ROOT,
        env=cdk.Environment(
            account=os.environ.get("CDK_DEFAULT_ACCOUNT"),
            region=os.environ.get("CDK_DEFAULT_REGION"),
        ),
        description=f"Appointment service of the migration directorates ({prefix})",
    )
    try:
        app.synth()
    finally:
        stack.remove_chalice_package()


if __name__ == "__main__":
    main()

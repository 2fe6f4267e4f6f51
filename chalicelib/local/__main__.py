"""`python -m chalicelib.local` (what `make run` runs): the service on http://127.0.0.1:$PORT."""

from __future__ import annotations

import os
import time

from chalicelib.local import stack


def main() -> None:
    started = time.monotonic()
    local = stack.start(port=int(os.environ.get("PORT", "8000")))
    print(
        f"\nMigration Directorate appointments — local stack ready in {time.monotonic() - started:.1f} s\n"
        f"  API:            {local.url}/v1/health   (OpenAPI: {local.url}/v1/openapi.json)\n"
        f"  Portal:         {local.url}/   (Sign in with e-Devlet: {local.url}/sign-in/e-devlet)\n"
        f"  e-Devlet (local stand-in, OpenID provider): {local.edevlet.issuer}/.well-known/openid-configuration\n"
        f"  Sent SMS/email: {local.url}/local/outbox   (queued messages: {local.url}/local/queue-messages)\n"
        f"  AWS emulator:   {local.emulator.endpoint_url}   (AWS_ENDPOINT_URL for the AWS CLI or boto3: tables, queues)\n"
        f"  Admin account:  {local.admin_email} / {local.admin_password}\n"
        f"  Admin TOTP:     secret {local.admin_totp_secret}   (LOCAL_ADMIN_TOTP_SECRET; the code now: make totp)\n"
        f"                  .venv/bin/python -c \"import pyotp; print(pyotp.TOTP('{local.admin_totp_secret}').now())\"\n"
        f"  Residents:      make residents   (synthetic registry records you can sign up as)\n"
        f"  Everything is in memory and is lost when you stop this process (Ctrl-C).\n",
        flush=True,
    )
    try:
        local.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        local.stop()


if __name__ == "__main__":
    main()

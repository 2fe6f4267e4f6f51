"""No input, however malformed, produces a 5xx: schemathesis generates requests for every route
the OpenAPI document describes (the document the app serves, generated from the same models
the handlers use) and checks every answer is not a server error and matches the document."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.http.client import Api
from tests.http.test_accounts import signed_up_and_confirmed

EXAMPLES_PER_ROUTE = 20  # per route: with issue 12 the document has some sixty routes
CHECKS = "not_a_server_error,response_schema_conformance,content_type_conformance"
SCHEMATHESIS = Path(sys.executable).with_name("st")


def run_schemathesis(base_url: str, token: str, workdir: Path, *selection: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            str(SCHEMATHESIS), "run", f"{base_url}/v1/openapi.json",
            "--checks", CHECKS,
            "--max-examples", str(EXAMPLES_PER_ROUTE),
            "--seed", "20261127",
            "--header", f"Authorization: Bearer {token}",
            "--request-timeout", "30",
            "--no-color",
            *selection,
        ],
        capture_output=True, text=True, timeout=900, cwd=workdir,  # its reports stay out of the repo
    )


@pytest.fixture(scope="module")
def applicant_token(api: Api, admin_token: str) -> str:
    return signed_up_and_confirmed(api, admin_token)[1]


def test_no_route_answers_a_5xx_or_off_contract_as_admin(base_url, admin_token, tmp_path):
    # The admin reaches every staff and admin route, so generated bodies get past authorisation.
    # Not sign-out everywhere: it would revoke the session's admin token the later tests use
    # (tests/http/test_revocation.py covers that route).
    result = run_schemathesis(base_url, admin_token, tmp_path, "--exclude-path", "/v1/auth/sign-out-everywhere")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


def test_applicant_routes_answer_no_5xx_as_an_applicant(base_url, applicant_token, tmp_path):
    # Profile, availability, booking and appointments as the applicant they are for. Not the
    # closure (DELETE /v1/me): it would end the account every later example signs in as
    # (tests/http/test_my_data.py covers it).
    result = run_schemathesis(base_url, applicant_token, tmp_path, "--include-path-regex", "^/v1/(me|availability|appointments)",
                              "--exclude-operation-id", "close_my_account")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]

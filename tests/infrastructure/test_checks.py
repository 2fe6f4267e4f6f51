"""cfn-lint and cdk-nag (AwsSolutions and Serverless packs) find nothing unacknowledged in the
synthesized template, Chalice's functions and API included (infrastructure/checks.py)."""

from __future__ import annotations

import copy

import pytest

from infrastructure.checks import CFN_LINT_IGNORED, SUPPRESSIONS, cfn_lint_findings, expand_sam, nag_findings


@pytest.fixture(scope="module")
def expanded(synthesized):
    return expand_sam(synthesized.json)


def test_cfn_lint_finds_nothing_in_the_template(synthesized):
    assert cfn_lint_findings(synthesized.json) == []


def test_cfn_lint_sees_inside_the_sam_resources_chalice_generates(synthesized):
    broken = copy.deepcopy(synthesized.json)
    broken["Resources"]["APIHandler"]["Properties"]["Timeout"] = "thirty"
    assert any("APIHandler" in finding for finding in cfn_lint_findings(broken))


def test_cdk_nag_finds_nothing_unacknowledged_in_the_expanded_template(synthesized):
    assert nag_findings(synthesized.json) == []


def test_cdk_nag_is_run_on_chalices_functions_and_api(expanded):
    # SAM expansion gives the resources cdk-nag knows: the functions, the stage and its rules.
    types = {resource["Type"] for resource in expanded["Resources"].values()}
    assert {"AWS::Lambda::Function", "AWS::ApiGateway::Stage", "AWS::ApiGateway::RestApi", "AWS::Events::Rule"} <= types
    assert not {t for t in types if t.startswith("AWS::Serverless::")}


def test_every_acknowledged_finding_says_why():
    for suppression in SUPPRESSIONS:
        assert len(suppression.reason) > 40 and suppression.types, suppression.rule
    assert all(len(reason) > 40 for reason in CFN_LINT_IGNORED.values())

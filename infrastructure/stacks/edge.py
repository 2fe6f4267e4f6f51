"""The public edge of the API: one stage, its throttles and logs, a WAF in front, a custom domain.

- **One stage.** SAM (which `chalice.cdk` emits) adds a second stage named `Stage` beside the
  configured one unless the API sets `OpenApiVersion` (stack-notes 16); every limit below would
  be bypassed through it. `OpenApiVersion: "2.0"` (what Chalice's definition is) removes it.
- **Throttling** (API Gateway): a stage-wide steady rate and burst, and tighter ones on each
  route that sends an SMS (`SMS_SENDING_ROUTES`). Execution logs at ERROR level, never request
  bodies (personal data); an access log in JSON; both with the configured retention.
- **WAF** (WAFv2, regional, on the stage): AWS's managed rule groups (common, known bad inputs,
  IP reputation), a per-IP rate limit on everything and a tighter one on the SMS routes. A
  request over a rate limit gets 429 with `Retry-After` in the service's error envelope.
- **Custom domain** when one is configured: the certificate given, TLS 1.2 pinned.

Limits and names come from `deployment.DeploymentSettings`.
"""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_wafv2 as wafv2
from chalice.cdk import Chalice
from constructs import Construct

from infrastructure.stacks.deployment import DeploymentSettings

# The routes that send an SMS, as (method, path): the JSON API and the portal's forms. A test
# checks that each is a route of app.py. They get the tighter WAF rate and API throttle.
SMS_SENDING_ROUTES = (
    ("POST", "/v1/auth/signup"),
    ("POST", "/v1/auth/resend-code"),
    ("POST", "/v1/auth/forgot-password"),
    ("POST", "/sign-up"),
    ("POST", "/password/forgot"),
    ("POST", "/sign-in/e-devlet/contact"),
)

def check_sms_throttles(settings: DeploymentSettings) -> None:
    """The SMS routes' throttles together must fit in the part of the account's SMS quota that the
    notification sender leaves to codes (workers.py paces the sender at the other part); above
    it, SNS would throttle the codes a burst asks for."""
    left_to_codes = settings.sms_quota_per_second * (1 - settings.notification_send_share)
    total = len(SMS_SENDING_ROUTES) * settings.sms_throttle_rate
    if total > left_to_codes:
        raise ValueError(
            f"the {len(SMS_SENDING_ROUTES)} SMS routes at sms_throttle_rate {settings.sms_throttle_rate:g}/s may ask "
            f"{total:g} SMS/s, more than the {left_to_codes:g}/s the SMS quota leaves to codes"
        )


API_LOGICAL_ID = "RestAPI"  # what Chalice calls the API in its SAM template

# AWS managed rule groups, in priority order: (name, rules of it that only count, and why).
MANAGED_RULE_GROUPS: tuple[tuple[str, dict[str, str]], ...] = (
    ("AWSManagedRulesAmazonIpReputationList", {}),
    (
        "AWSManagedRulesCommonRuleSet",
        {
            # Bodies over 8 KB: an admin's residents import (CSV rows in JSON) is legitimately
            # larger; the API's own validation bounds every body.
            "SizeRestrictions_BODY": "admin imports exceed 8 KB; bodies are validated by the service",
        },
    ),
    ("AWSManagedRulesKnownBadInputsRuleSet", {}),
)

RATE_LIMITED_BODY_KEY = "rate-limited"


def method_setting_path(path: str) -> str:
    """API Gateway's MethodSettings `ResourcePath`: the path with each "/" escaped as "~1"."""
    return "/" + path.replace("/", "~1")


def rate_limited_body() -> str:
    """What WAF answers over a rate limit: the service's error envelope for RATE_LIMITED."""
    from chalicelib.api.errors import ERROR_TABLE
    from chalicelib.domain import errors

    code = ERROR_TABLE[errors.RateLimited][1]
    return json.dumps(
        {"error": {"code": code, "message": errors.RateLimited.default_message, "details": {}}},
        ensure_ascii=False,
    )


class Edge(Construct):
    """WAF, throttles, logs and domain of the API that `chalice` packaged (stage `stage_name`)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        chalice: Chalice,
        prefix: str,
        stage_name: str,
        settings: DeploymentSettings,
        logs_key: kms.IKey | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.settings = settings
        self.logs_key_arn = logs_key.key_arn if logs_key is not None else None
        self.stage_name = stage_name
        self.api_name = f"{prefix}-api"
        self.api = chalice.get_resource(API_LOGICAL_ID)
        self.api_id = cdk.Fn.ref(API_LOGICAL_ID)

        self.access_log = self._log_group("AccessLog", f"/aws/apigateway/{prefix}/{stage_name}/access")
        # Created by API Gateway itself on first use (without retention) unless it exists.
        self.execution_log = self._log_group(
            "ExecutionLog", cdk.Fn.sub(f"API-Gateway-Execution-Logs_${{{API_LOGICAL_ID}}}/{stage_name}")
        )
        self.cloudwatch_role = self._api_gateway_account()
        self._configure_api()
        self.web_acl = self._web_acl(prefix)
        self.web_acl_association = wafv2.CfnWebACLAssociation(
            self,
            "WebAclAssociation",
            web_acl_arn=self.web_acl.attr_arn,
            # `${RestAPI.Stage}` is SAM's reference to the stage it creates (and a dependency on it).
            resource_arn=cdk.Fn.sub(
                "arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/"
                f"${{{API_LOGICAL_ID}}}/stages/${{{API_LOGICAL_ID}.Stage}}"
            ),
        )

    # -- API Gateway ------------------------------------------------------------------------

    def _log_group(self, construct_id: str, name: str) -> logs.CfnLogGroup:
        group = logs.CfnLogGroup(
            self, construct_id, log_group_name=name, retention_in_days=self.settings.log_retention_days,
            kms_key_id=self.logs_key_arn,  # the authority's logs key (appointments.py): logs hold addresses
        )
        group.apply_removal_policy(cdk.RemovalPolicy.DESTROY)
        return group

    def _api_gateway_account(self) -> iam.Role:
        """API Gateway writes logs only with a role set on the account (one per region)."""
        role = iam.Role(
            self,
            "ApiGatewayCloudWatchRole",
            assumed_by=iam.ServicePrincipal("apigateway.amazonaws.com"),
            description="Lets API Gateway write this region's API logs to CloudWatch Logs",
            managed_policies=[
                iam.ManagedPolicy.from_aws_managed_policy_name("service-role/AmazonAPIGatewayPushToCloudWatchLogs")
            ],
        )
        account = apigateway.CfnAccount(self, "ApiGatewayAccount", cloud_watch_role_arn=role.role_arn)
        account.apply_removal_policy(cdk.RemovalPolicy.RETAIN)
        self.api.node.add_dependency(account)
        return role

    def method_settings(self) -> list[dict[str, Any]]:
        settings = self.settings
        check_sms_throttles(settings)
        common = {"LoggingLevel": "ERROR", "DataTraceEnabled": False, "MetricsEnabled": False}
        stage_wide = {
            "ResourcePath": "/*",
            "HttpMethod": "*",
            "ThrottlingRateLimit": settings.throttle_rate,
            "ThrottlingBurstLimit": settings.throttle_burst,
            **common,
        }
        sms_routes = [
            {
                "ResourcePath": method_setting_path(path),
                "HttpMethod": method,
                "ThrottlingRateLimit": settings.sms_throttle_rate,
                "ThrottlingBurstLimit": settings.sms_throttle_burst,
                **common,
            }
            for method, path in SMS_SENDING_ROUTES
        ]
        return [stage_wide, *sms_routes]

    def _configure_api(self) -> None:
        api = self.api
        api.add_property_override("OpenApiVersion", "2.0")  # no second stage (stack-notes 16)
        api.add_property_override("Name", self.api_name)  # the ApiName dimension of its metrics
        api.add_property_override("StageName", self.stage_name)
        api.add_property_override("TracingEnabled", True)
        api.add_property_override("MethodSettings", self.method_settings())
        api.add_property_override(
            "AccessLogSetting",
            {
                "DestinationArn": self.access_log.attr_arn,
                # No body, no query string, no caller identity beyond the IP: no personal data.
                "Format": json.dumps(
                    {
                        "requestId": "$context.requestId",
                        "ip": "$context.identity.sourceIp",
                        "requestTime": "$context.requestTime",
                        "httpMethod": "$context.httpMethod",
                        "resourcePath": "$context.resourcePath",
                        "status": "$context.status",
                        "responseLength": "$context.responseLength",
                        "latency": "$context.responseLatency",
                        "integrationLatency": "$context.integrationLatency",
                        "wafStatus": "$context.waf.status",
                        "errorType": "$context.error.responseType",
                    }
                ),
            },
        )
        if self.settings.domain_name:
            api.add_property_override(
                "Domain",
                {
                    "DomainName": self.settings.domain_name,
                    "CertificateArn": self.settings.certificate_arn,
                    # Chalice's API is edge-optimized: its certificate is in us-east-1.
                    "EndpointConfiguration": "EDGE",
                    "SecurityPolicy": "TLS_1_2",
                    "BasePath": ["/"],
                },
            )

    # -- WAF --------------------------------------------------------------------------------

    def _web_acl(self, prefix: str) -> wafv2.CfnWebACL:
        settings = self.settings
        rules: list[wafv2.CfnWebACL.RuleProperty] = []
        for name, counted in MANAGED_RULE_GROUPS:
            rules.append(
                wafv2.CfnWebACL.RuleProperty(
                    name=name,
                    priority=len(rules),
                    override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
                    statement=wafv2.CfnWebACL.StatementProperty(
                        managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                            vendor_name="AWS",
                            name=name,
                            rule_action_overrides=[
                                wafv2.CfnWebACL.RuleActionOverrideProperty(
                                    name=rule, action_to_use=wafv2.CfnWebACL.RuleActionProperty(count={})
                                )
                                for rule in counted
                            ]
                            or None,
                        )
                    ),
                    visibility_config=self._visibility(name),
                )
            )
        rules.append(self._rate_rule("SmsRoutesPerIp", len(rules), settings.waf_sms_rate_limit_per_ip, self._sms_routes()))
        rules.append(self._rate_rule("AllRoutesPerIp", len(rules), settings.waf_rate_limit_per_ip, None))
        return wafv2.CfnWebACL(
            self,
            "WebAcl",
            name=f"{prefix}-api",
            description=f"In front of the {prefix} API stage: managed rules and per-IP rate limits",
            scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            rules=rules,
            custom_response_bodies={
                RATE_LIMITED_BODY_KEY: wafv2.CfnWebACL.CustomResponseBodyProperty(
                    content_type="APPLICATION_JSON", content=rate_limited_body()
                )
            },
            visibility_config=self._visibility(f"{prefix}-api"),
        )

    def _visibility(self, metric_name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
        return wafv2.CfnWebACL.VisibilityConfigProperty(
            cloud_watch_metrics_enabled=True, metric_name=metric_name, sampled_requests_enabled=True
        )

    def _sms_routes(self) -> wafv2.CfnWebACL.StatementProperty:
        """POST to one of the SMS routes. Paths are matched at their end: through the
        execute-api address they start with the stage name, through the custom domain not."""
        paths = [
            wafv2.CfnWebACL.StatementProperty(
                byte_match_statement=wafv2.CfnWebACL.ByteMatchStatementProperty(
                    field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(uri_path={}),
                    positional_constraint="ENDS_WITH",
                    search_string=path,
                    text_transformations=[wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="URL_DECODE")],
                )
            )
            for path in sorted({path for _, path in SMS_SENDING_ROUTES})
        ]
        methods = sorted({method for method, _ in SMS_SENDING_ROUTES})
        [method] = methods  # every SMS route is a POST; a second method needs an OR here
        is_method = wafv2.CfnWebACL.StatementProperty(
            byte_match_statement=wafv2.CfnWebACL.ByteMatchStatementProperty(
                field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(method={}),
                positional_constraint="EXACTLY",
                search_string=method,
                text_transformations=[wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="NONE")],
            )
        )
        return wafv2.CfnWebACL.StatementProperty(
            and_statement=wafv2.CfnWebACL.AndStatementProperty(
                statements=[
                    is_method,
                    wafv2.CfnWebACL.StatementProperty(or_statement=wafv2.CfnWebACL.OrStatementProperty(statements=paths)),
                ]
            )
        )

    def _rate_rule(
        self, name: str, priority: int, limit: int, scope_down: wafv2.CfnWebACL.StatementProperty | None
    ) -> wafv2.CfnWebACL.RuleProperty:
        return wafv2.CfnWebACL.RuleProperty(
            name=name,
            priority=priority,
            action=wafv2.CfnWebACL.RuleActionProperty(
                block=wafv2.CfnWebACL.BlockActionProperty(
                    custom_response=wafv2.CfnWebACL.CustomResponseProperty(
                        response_code=429,
                        custom_response_body_key=RATE_LIMITED_BODY_KEY,
                        response_headers=[
                            wafv2.CfnWebACL.CustomHTTPHeaderProperty(
                                name="Retry-After", value=str(self.settings.waf_window_seconds)
                            )
                        ],
                    )
                )
            ),
            statement=wafv2.CfnWebACL.StatementProperty(
                rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                    aggregate_key_type="IP",
                    limit=limit,
                    evaluation_window_sec=self.settings.waf_window_seconds,
                    scope_down_statement=scope_down,
                )
            ),
            visibility_config=self._visibility(name),
        )

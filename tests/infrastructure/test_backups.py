"""Backups and disaster recovery (infrastructure/stacks/backups.py): every table is backed up
hourly and daily, and each backup is copied to the vault of a second region or account."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk.assertions import Annotations, Match, Template

from infrastructure.stacks.backups import TableBackups
from infrastructure.stacks.deployment import DeploymentSettings

COPY_VAULT = "arn:aws:backup:eu-west-1:210987654321:backup-vault:md-appointments-dr"


def _stack(copy_vault_arn: str = "") -> cdk.Stack:
    stack = cdk.Stack(cdk.App(), "Backups")
    tables = {
        name: dynamodb.Table(stack, name, partition_key=dynamodb.Attribute(name="k", type=dynamodb.AttributeType.STRING))
        for name in ("slots", "appointments")
    }
    TableBackups(stack, "Backups", prefix="md", tables=tables, copy_vault_arn=copy_vault_arn)
    return stack


def test_every_table_is_backed_up_hourly_and_daily_and_each_backup_is_copied_out_of_the_region():
    template = Template.from_stack(_stack(COPY_VAULT))
    [plan] = template.find_resources("AWS::Backup::BackupPlan").values()
    rules = {r["RuleName"]: r for r in plan["Properties"]["BackupPlan"]["BackupPlanRule"]}
    assert sorted(rules) == ["Daily", "Hourly"]
    assert rules["Hourly"]["ScheduleExpression"] == "cron(0 * * * ? *)"
    assert rules["Hourly"]["Lifecycle"] == {"DeleteAfterDays": 2} and rules["Daily"]["Lifecycle"] == {"DeleteAfterDays": 35}
    for rule in rules.values():
        [copy] = rule["CopyActions"]
        assert copy["DestinationBackupVaultArn"] == COPY_VAULT
        assert copy["Lifecycle"] == rule["Lifecycle"]
    [selection] = template.find_resources("AWS::Backup::BackupSelection").values()
    assert len(selection["Properties"]["BackupSelection"]["Resources"]) == 2
    template.has_resource("AWS::Backup::BackupVault", {"DeletionPolicy": "Retain"})


def test_without_a_copy_vault_the_stack_says_there_is_no_disaster_recovery():
    stack = _stack()
    Annotations.from_stack(stack).has_warning("*", Match.string_like_regexp("no disaster recovery"))
    [plan] = Template.from_stack(stack).find_resources("AWS::Backup::BackupPlan").values()
    assert all("CopyActions" not in r for r in plan["Properties"]["BackupPlan"]["BackupPlanRule"])


def test_a_copy_vault_that_is_not_a_backup_vault_arn_is_refused():
    with pytest.raises(ValueError):
        DeploymentSettings(backup_copy_vault_arn="md-appointments-dr")
    assert DeploymentSettings(backup_copy_vault_arn=COPY_VAULT).backup_copy_vault_arn == COPY_VAULT

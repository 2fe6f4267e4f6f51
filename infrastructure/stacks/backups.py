"""Backups and disaster recovery of the tables (docs/capacity.md, "Backups and recovery").

Two layers:
- In the region: point-in-time recovery on every table (`durable_table`), 35 days back to the
  second. It answers a bad write or a bad deployment: restore to a new table, copy back what
  was lost. RPO: seconds (PITR's restorable time is about five minutes behind now).
- Out of the region (or the account): an AWS Backup plan takes every table hourly (kept two
  days) and daily (kept 35 days) into this stack's vault, and copies each backup into the vault
  named by `backup_copy_vault_arn` (a vault in a second region, or in a backup account that
  the production account cannot delete from). It answers the loss of the region or of the
  account. RPO: one hour (the hourly copy); RTO: the time to restore the tables from the copies
  and deploy this stack there (docs/capacity.md states the figures).

Without a copy vault (a test deployment) the plan still runs, in the region only; the stack says
so with a warning at synthesis rather than pretending to a recovery it does not have.
"""

from __future__ import annotations

from typing import Mapping

import aws_cdk as cdk
from aws_cdk import aws_backup as backup
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from constructs import Construct

HOURLY_RETENTION = cdk.Duration.days(2)
DAILY_RETENTION = cdk.Duration.days(35)


class TableBackups(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, prefix: str, tables: Mapping[str, dynamodb.Table], copy_vault_arn: str = "") -> None:
        super().__init__(scope, construct_id)
        self.vault = backup.BackupVault(self, "Vault", backup_vault_name=f"{prefix}-tables", removal_policy=cdk.RemovalPolicy.RETAIN)
        copy_to = backup.BackupVault.from_backup_vault_arn(self, "CopyVault", copy_vault_arn) if copy_vault_arn else None
        if copy_to is None:
            cdk.Annotations.of(self).add_warning_v2(
                "md:no-backup-copy", "backup_copy_vault_arn is empty: backups stay in this region and account (no disaster recovery)."
            )
        self.plan = backup.BackupPlan(self, "Plan", backup_plan_name=f"{prefix}-tables", backup_vault=self.vault)
        for rule_name, schedule, retention in (
            ("Hourly", events.Schedule.cron(minute="0"), HOURLY_RETENTION),
            ("Daily", events.Schedule.cron(minute="30", hour="1"), DAILY_RETENTION),
        ):
            self.plan.add_rule(backup.BackupPlanRule(
                rule_name=rule_name,
                schedule_expression=schedule,
                delete_after=retention,
                copy_actions=[backup.BackupPlanCopyActionProps(destination_backup_vault=copy_to, delete_after=retention)] if copy_to else None,
            ))
        self.plan.add_selection("Tables", resources=[backup.BackupResource.from_dynamo_db_table(t) for _, t in sorted(tables.items())])

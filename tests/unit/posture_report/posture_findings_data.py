"""Synthetic posture findings shared by the report tests: two accounts, two regions, hostile strings."""

HOSTILE = u"<script>window.__pwned=1</script><img src=x onerror=\"window.__pwned=2\"> & | `x` *y* [l](http://e) \x00\x1b\n\"'"


def finding(control_id, status, severity, resource_id, account_id="111111111111", region="us-east-1", **extra):
    item = {
        "control_id": control_id, "title": "Title of %s" % control_id, "resource_type": "AWS::RDS::DBInstance",
        "resource_id": resource_id, "resource_arn": "arn:aws:rds:%s:%s:db:%s" % (region, account_id, resource_id),
        "account_id": account_id, "region": region, "status": status, "severity": severity,
        "evidence": {"field": "PubliclyAccessible", "value": status == "FAIL"},
        "remediation": "rds_instance: publicly_accessible=false",
    }
    item.update(extra)
    return item


def sample():
    """12 findings: 5 FAIL (1 CRITICAL, 2 HIGH, 1 MEDIUM, 1 LOW), 5 PASS, 2 NOT_APPLICABLE, in 3 account/region pairs."""
    return [
        finding("RDS.2", "FAIL", "CRITICAL", "app-db"),
        finding("RDS.3", "PASS", "MEDIUM", "app-db"),
        finding("RDS.10", "FAIL", "HIGH", "app-db", evidence={"field": "IAMDatabaseAuthenticationEnabled", "value": False}),
        finding("RDS.5", "NOT_APPLICABLE", "MEDIUM", "app-db-replica1", evidence={"field": "ReadReplicaSourceDBInstanceIdentifier", "value": "app-db"}),
        finding("RDS.11", "PASS", "MEDIUM", "app-db", evidence={"field": "BackupRetentionPeriod", "value": 14}),
        finding("BASE.FORCE_SSL", "FAIL", "HIGH", HOSTILE, title=HOSTILE, remediation=HOSTILE,
                evidence={"field": HOSTILE, "value": [HOSTILE, {"k": HOSTILE}]}),
        finding("RDS.9", "PASS", "MEDIUM", "orders-aurora", region="us-west-2"),
        finding("RDS.7", "FAIL", "MEDIUM", "orders-aurora", region="us-west-2"),
        finding("RDS.24", "PASS", "LOW", "orders-aurora", region="us-west-2", evidence={"field": "MasterUsername", "value": "dbadmin"}),
        finding("RDS.13", "FAIL", "LOW", "reports-db", account_id="444444444444"),
        finding("RDS.35", "PASS", "INFORMATIONAL", "reports-db", account_id="444444444444"),
        finding("RDS.37", "NOT_APPLICABLE", "LOW", "reports-db", account_id="444444444444", evidence=None),
    ]

"""rds_snapshot: input checks, plan and retention selection (pure functions, no AWS)."""

import datetime

import pytest

from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_snapshot.plan import plan_absent, plan_present
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_snapshot.prune import select
from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_snapshot.validation import input_errors, parse_snapshot_arn

BASE = dict(mode="snapshot", state="present", snapshot_identifier="orders-snap", db_instance_identifier=None, db_cluster_identifier=None,
            source_snapshot=None, source_region=None, kms_key_id=None, copy_tags=False, shared_accounts=None, name_prefix=None,
            keep_count=None, keep_days=None, tags=None, wait_timeout=60)


def params(**changes):
    return dict(BASE, **changes)


@pytest.mark.parametrize("changes, fragment", [
    (dict(snapshot_identifier="1bad"), "snapshot_identifier: '1bad'"),
    (dict(snapshot_identifier="bad--id"), "snapshot_identifier: 'bad--id'"),
    (dict(snapshot_identifier="bad-"), "snapshot_identifier: 'bad-'"),
    (dict(db_instance_identifier="x" * 64), "db_instance_identifier"),
    (dict(mode="prune", snapshot_identifier=None, db_instance_identifier="db", name_prefix="n-", keep_count=0), "keep_count: 0"),
    (dict(mode="prune", snapshot_identifier=None, db_instance_identifier="db", name_prefix="n-"), "keep_count, keep_days or both"),
    (dict(mode="prune", snapshot_identifier=None, name_prefix="n-", keep_days=3), "needs db_instance_identifier"),
    (dict(shared_accounts=["all"]), "'all'"),
    (dict(shared_accounts=["1234"]), "12 digits"),
    (dict(kms_key_id="alias/k"), "only used with source_snapshot"),
    (dict(source_snapshot="arn:aws:rds:us-east-1:111111111111:snapshot:s", source_region="us-west-2"), "differs from the region"),
    (dict(db_instance_identifier="db", snapshot_identifier="rds:db-2025"), "reserved for automated snapshots"),
    (dict(state="absent", shared_accounts=["111111111111"]), "not used with state=absent"),
])
def test_bad_input_is_named(changes, fragment):
    errors = input_errors(params(**changes))
    assert any(fragment in error for error in errors), errors


def test_good_input_has_no_errors():
    assert input_errors(params(db_instance_identifier="orders-db", shared_accounts=["333333333333"], tags={"a": "b"})) == []
    assert input_errors(params(state="absent", snapshot_identifier="rds:orders-db-2025-03-01-00-00")) == []
    assert input_errors(params(mode="prune", snapshot_identifier=None, db_cluster_identifier="c", name_prefix="n-", keep_days=7)) == []


def test_arn_parsing():
    assert parse_snapshot_arn("arn:aws:rds:us-east-1:111111111111:cluster-snapshot:c1")["kind"] == "cluster"
    assert parse_snapshot_arn("arn:aws:rds:us-west-2:111111111111:snapshot:s1")["region"] == "us-west-2"
    assert parse_snapshot_arn("s1") is None


CURRENT = dict(identifier="s1", source_identifier="db1", copied_from=None, kms_key_id="arn:k1", tags={"a": "1"}, snapshot_type="manual")
DESIRED = dict(identifier="s1", source_identifier="db1", copy=None, shared_accounts=None, purge_shared_accounts=True, tags=None,
               purge_tags=True, aws_managed_key=False)


def test_new_snapshot_is_created_and_shared():
    changes, errors, after = plan_present(None, [], dict(DESIRED, shared_accounts=["333333333333"], tags={"t": 1}))
    assert errors == []
    assert [change["action"] for change in changes] == ["create", "share"]
    assert after["shared_accounts"] == ["333333333333"] and after["tags"] == {"t": "1"}


def test_existing_snapshot_matching_task_is_unchanged():
    assert plan_present(CURRENT, ["333333333333"], dict(DESIRED, shared_accounts=["333333333333"]))[:2] == ([], [])


def test_existing_snapshot_of_another_source_is_an_error():
    changes, errors, _after = plan_present(CURRENT, [], dict(DESIRED, source_identifier="db2"))
    assert changes == [] and "taken from db1, not db2" in errors[0]


def test_copy_with_another_key_is_an_error():
    copy = dict(source_arn="arn:src", source_identifier="db1", kms_key_arn="arn:k2")
    errors = plan_present(dict(CURRENT, copied_from="arn:src"), [], dict(DESIRED, source_identifier=None, copy=copy))[1]
    assert len(errors) == 1 and "kms_key_id" in errors[0]


def test_purge_and_keep_shared_accounts_and_tags():
    changes = plan_present(CURRENT, ["111111111111", "333333333333"], dict(DESIRED, shared_accounts=["333333333333"], tags={"b": "2"}))[0]
    assert changes == [dict(action="tag", set={"b": "2"}, remove=["a"]), dict(action="share", add=[], remove=["111111111111"])]
    changes = plan_present(CURRENT, ["111111111111"], dict(DESIRED, shared_accounts=["333333333333"], purge_shared_accounts=False))[0]
    assert changes == [dict(action="share", add=["333333333333"], remove=[])]


def test_sharing_an_aws_managed_key_snapshot_is_refused():
    errors = plan_present(CURRENT, [], dict(DESIRED, shared_accounts=["333333333333"], aws_managed_key=True))[1]
    assert "aws/rds" in errors[0]
    # removing accounts is still allowed
    assert plan_present(CURRENT, ["333333333333"], dict(DESIRED, shared_accounts=[], aws_managed_key=True))[1] == []


def test_absent():
    assert plan_absent(None) == ([], [])
    assert plan_absent(CURRENT) == ([dict(action="delete", snapshot="s1")], [])
    assert "cannot be deleted" in plan_absent(dict(CURRENT, identifier="rds:db1-x", snapshot_type="automated"))[1][0]


NOW = datetime.datetime(2025, 3, 10, tzinfo=datetime.timezone.utc)


def snap(identifier, days_old, status="available", snapshot_type="manual"):
    return dict(identifier=identifier, status=status, snapshot_type=snapshot_type, create_time=NOW - datetime.timedelta(days=days_old))


def names(snapshots):
    return [s["identifier"] for s in snapshots]


def test_prune_keeps_newest_count_and_young_ones():
    snapshots = [snap("n-1", 1), snap("n-5", 5), snap("n-9", 9), snap("n-20", 20), snap("other-30", 30), snap("n-0", 0, status="creating")]
    keep, delete, skipped = select(snapshots, "n-", keep_count=2, now=NOW)
    assert names(keep) == ["n-1", "n-5"] and names(delete) == ["n-9", "n-20"] and names(skipped) == ["n-0"]
    keep, delete, _skipped = select(snapshots, "n-", keep_days=7, now=NOW)
    assert names(keep) == ["n-1", "n-5"] and names(delete) == ["n-9", "n-20"]
    keep, delete, _skipped = select(snapshots, "n-", keep_count=1, keep_days=10, now=NOW)
    assert names(keep) == ["n-1", "n-5", "n-9"] and names(delete) == ["n-20"]
    assert select([snap("n-3", 3, snapshot_type="automated")], "n-", keep_count=1, now=NOW) == ([], [], [])

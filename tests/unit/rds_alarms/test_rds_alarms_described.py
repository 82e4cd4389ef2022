"""rds_alarms ``described``: earlier results replace describes, and only trustworthy ones do."""

from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_alarms import described, targets

ARN = "arn:aws:rds:us-east-1:111111111111:db:%s"


class CountingApi(object):
    """Describes from a fixed set of instances and counts the calls."""

    def __init__(self, instances):
        self.instances = dict((item["DBInstanceIdentifier"], item) for item in instances)
        self.calls = []

    def db_instance(self, identifier):
        self.calls.append(("db_instance", identifier))
        return self.instances.get(identifier)

    def db_instances(self, filter_name, values):
        if not values:  # as AlarmsApi.db_instances: no request for nothing
            return []
        self.calls.append(("db_instances", filter_name, tuple(values)))
        return [self.instances[value] for value in values if value in self.instances]

    def user_parameters(self, group):
        self.calls.append(("user_parameters", group))
        return {}


def result(identifier, source=None, replicas=(), arn=True, region="us-east-1"):
    return dict(db_instance_identifier=identifier, db_instance_arn=(ARN % identifier).replace("us-east-1", region) if arn else None,
                db_instance_class="db.t4g.medium", db_parameter_groups=[{"db_parameter_group_name": "pg15"}],
                allocated_storage=100, read_replica_db_instance_identifiers=list(replicas),
                read_replica_source_db_instance_identifier=source, engine="postgres")


def aws(identifier, source=None, replicas=()):
    return dict(DBInstanceIdentifier=identifier, DBInstanceArn=ARN % identifier, DBInstanceClass="db.t4g.medium",
                DBParameterGroups=[{"DBParameterGroupName": "pg15"}], AllocatedStorage=100, ReadReplicaDBInstanceIdentifiers=list(replicas),
                ReadReplicaSourceDBInstanceIdentifier=source, Engine="postgres")


def test_instance_results_convert_to_the_describe_shape_and_predictions_are_left_out():
    found = described.instances_by_id([result("db"), result("new", arn=False), "junk", None])
    assert sorted(found) == ["db"]
    assert found["db"]["DBParameterGroups"] == [{"DBParameterGroupName": "pg15"}]
    assert found["db"]["DBInstanceArn"] == ARN % "db"


def test_described_instance_and_replicas_need_no_describe():
    api = CountingApi([aws("db", replicas=["db-r1"]), aws("db-r1", source="db")])
    known = described.instances_by_id([result("db", replicas=["db-r1"]), result("db-r1", source="db")])
    deployment = targets.discover_instance(api, "db", True, known)
    assert [t["id"] for t in deployment["targets"]] == ["db", "db-r1"]
    assert api.calls == []


def test_a_primary_described_before_its_replicas_still_gets_them():
    api = CountingApi([aws("db", replicas=["db-r1", "db-r2"]), aws("db-r1", source="db"), aws("db-r2", source="db")])
    known = described.instances_by_id([result("db"), result("db-r1", source="db"),
                                       result("db-dr", source=ARN % "db", region="us-west-2")])
    deployment = targets.discover_instance(api, "db", True, known)
    assert [t["id"] for t in deployment["targets"]] == ["db", "db-r1"]
    assert deployment["skipped"][0].startswith("arn:aws:rds:us-west-2:111111111111:db:db-dr")
    assert api.calls == []


def test_replicas_missing_from_the_results_are_described_in_one_call():
    api = CountingApi([aws("db", replicas=["db-r1", "db-r2"]), aws("db-r1", source="db"), aws("db-r2", source="db")])
    known = described.instances_by_id([result("db", replicas=["db-r1", "db-r2"]), result("db-r1", source="db")])
    deployment = targets.discover_instance(api, "db", True, known)
    assert [t["id"] for t in deployment["targets"]] == ["db", "db-r1", "db-r2"]
    assert api.calls == [("db_instances", "db-instance-id", ("db-r2",))]


def test_cluster_result_of_another_cluster_or_without_arns_is_ignored():
    cluster = dict(identifier="orders", arn="arn:aws:rds:us-east-1:111111111111:cluster:orders",
                   serverless_v2_scaling={"min_capacity": 0.5, "max_capacity": 8})
    instances = [dict(identifier="orders-1", arn=ARN % "orders-1", role="writer", instance_class="db.r6g.large",
                      db_parameter_group_name="aurora16"),
                 dict(identifier="orders-2", arn=ARN % "orders-2", role="reader", instance_class="db.serverless",
                      db_parameter_group_name="aurora16")]
    found, members = described.cluster_and_instances(dict(cluster=cluster, instances=instances), "orders")
    assert found["DBClusterMembers"] == [{"DBInstanceIdentifier": "orders-1", "IsClusterWriter": True},
                                         {"DBInstanceIdentifier": "orders-2", "IsClusterWriter": False}]
    assert found["ServerlessV2ScalingConfiguration"]["MaxCapacity"] == 8
    assert [m["DBParameterGroups"] for m in members] == [[{"DBParameterGroupName": "aurora16"}]] * 2
    assert described.cluster_and_instances(dict(cluster=cluster, instances=instances), "other") == (None, None)
    predicted = [dict(instances[0]), dict(instances[1], arn=None)]
    assert described.cluster_and_instances(dict(cluster=cluster, instances=predicted), "orders") == (None, None)
    assert described.cluster_and_instances({}, "orders") == (None, None)


def test_described_parameter_groups_save_the_parameter_reads():
    api = CountingApi([])
    deployment = dict(targets=[dict(id="db", kind="instance", parameter_group="pg15", instance_class="db.t4g.medium", max_acu=None)])
    groups = described.parameter_values({"pg15": {"max_connections": 200}})
    assert targets.fill_max_connections(api, deployment, None, lambda doing, function, *args: function(*args), groups) == []
    assert deployment["targets"][0]["max_connections"] == 200 and api.calls == []

"""Replica-lag metrics measured on the real standbys, as CloudWatch would report them.

RDS publishes ``AWS/RDS ReplicaLag`` (seconds, dimension ``DBInstanceIdentifier``) for read
replicas and ``AuroraGlobalDBReplicationLag`` (milliseconds, dimension ``DBClusterIdentifier``)
for Aurora Global Database secondaries. moto only returns what was put with PutMetricData, so
``innovate.aws_postgres.rds_failover`` (whose preflight reads these metrics) would never see a lag.

Here GetMetricStatistics for one of these metrics first samples the lag of the standby behind the
instance or cluster and stores it as a datapoint (PutMetricData in moto's backend, at the current
time), then answers as moto does. The sample is measured on the standby PostgreSQL server like
RDS measures it: 0 when everything received has been replayed, otherwise the age of the last
replayed transaction (``now() - pg_last_xact_replay_timestamp()``). A server that is not a standby
(a primary, a promoted replica, an Aurora secondary that does not stream) gets no datapoint, as on
RDS. Other metrics and namespaces are moto's.
"""

import datetime
import logging

from moto.cloudwatch.responses import CloudWatchResponse
from moto.rds.models import rds_backends

log = logging.getLogger("localenv.emulator.failover_api")

NAMESPACE = "AWS/RDS"
#: metric name -> (dimension, unit, factor from seconds)
LAG_METRICS = {
    "ReplicaLag": ("DBInstanceIdentifier", "Seconds", 1.0),
    "AuroraGlobalDBReplicationLag": ("DBClusterIdentifier", "Milliseconds", 1000.0),
}
LAG_SQL = (
    "SELECT CASE WHEN NOT pg_is_in_recovery() THEN NULL "
    "WHEN pg_last_wal_receive_lsn() IS NOT NULL AND pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
    "ELSE GREATEST(0, EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()))::float8 END"
)
_originals = {}


def _server_key(account_id, region, dimension, identifier):
    backend = rds_backends[account_id][region]
    identifier = (identifier or "").lower()
    if dimension == "DBInstanceIdentifier":
        database = backend.databases.get(identifier)
        return (account_id, region, database.db_instance_identifier) if database is not None else None
    cluster = backend.clusters.get(identifier)
    if cluster is None:
        return None
    from localenv.emulator.aurora import state  # pylint: disable=import-outside-toplevel

    return state.get(cluster).server_key


def standby_lag_seconds(key):
    """The replay lag of the standby ``key`` in seconds, or None when it is not a standby."""
    from localenv.emulator import db_instances  # pylint: disable=import-outside-toplevel

    fleet = db_instances.fleet()
    if fleet is None or key is None or key not in fleet or fleet.replica_source(key) is None:
        return None
    conn = fleet.connect_admin(key)
    try:
        with conn.cursor() as cursor:
            cursor.execute(LAG_SQL)
            value = cursor.fetchone()[0]
    finally:
        conn.close()
    return None if value is None else float(value)


def _sample(response):
    metric = response._get_param("MetricName")
    if response._get_param("Namespace") != NAMESPACE or metric not in LAG_METRICS:
        return
    dimension, unit, factor = LAG_METRICS[metric]
    dimensions = response._get_param("Dimensions", []) or []
    identifier = next((d.get("Value") for d in dimensions if d.get("Name") == dimension), None)
    if not identifier:
        return
    try:
        lag = standby_lag_seconds(_server_key(response.current_account, response.region, dimension, identifier))
    except Exception as e:  # pylint: disable=broad-except  # a stopped server: no datapoint, as on RDS
        log.info("no %s sample for %s: %s", metric, identifier, e)
        return
    if lag is None:
        return
    response.cloudwatch_backend.put_metric_data(NAMESPACE, [{
        "MetricName": metric,
        "Dimensions": [{"Name": dimension, "Value": identifier}],
        "Timestamp": datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None),  # moto keeps naive UTC
        "Value": lag * factor,
        "Unit": unit,
    }])


def _get_metric_statistics(self):
    _sample(self)
    return _originals["get_metric_statistics"](self)


def install(context):  # pylint: disable=unused-argument
    _originals.setdefault("get_metric_statistics", CloudWatchResponse.get_metric_statistics)
    CloudWatchResponse.get_metric_statistics = _get_metric_statistics

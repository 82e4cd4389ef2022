"""Aurora PostgreSQL in the local environment: clusters, their instances, global databases and
reader auto scaling, with a real PostgreSQL server behind each cluster when the data plane is on.

``install(context)`` must run after ``localenv.emulator.db_instances.install`` (when the data plane
is on): it wraps the instance operations that package installed. Modules:

- clusters.py: CreateDBCluster / ModifyDBCluster / DeleteDBCluster / FailoverDBCluster;
- instances.py: the instances of Aurora clusters;
- servers.py: the server behind a cluster (one per cluster, following the writer);
- global_clusters.py: global databases, switchover and failover;
- global_replication.py: secondaries stream from the primary; switchover and failover promote;
- autoscaling.py: checks on the reader-count scalable target.
"""

from localenv import hooks
from localenv.emulator.aurora import autoscaling, clusters, global_clusters, global_replication, instances, servers


def install(context):
    clusters.install(context)
    instances.install(context)
    global_clusters.install(context)
    global_replication.install(context)
    autoscaling.install(context)
    if servers.on_parameter_group_modified not in hooks._subscribers.get("parameter_group_modified", []):
        hooks.subscribe("parameter_group_modified", servers.on_parameter_group_modified)

"""RDS events the data plane records (DescribeEvents), added to moto's event catalogue.

Messages follow the RDS event list (Amazon RDS User Guide, "Amazon RDS event categories and event
messages"): RDS-EVENT-0006 restarted, 0013/0049 Multi-AZ failover started/completed, 0087/0088
stopped/started, 0043 restored from snapshot, 0019 restored from a point in time, plus replica
creation and promotion.
"""

from moto.rds.models import Event

EVENTS = {
    "DB_INSTANCE_RESTARTED": {"Categories": ["availability"], "Message": "DB instance restarted"},
    "DB_INSTANCE_FAILOVER_STARTED": {"Categories": ["failover"], "Message": "Multi-AZ instance failover started."},
    "DB_INSTANCE_FAILOVER_COMPLETED": {"Categories": ["failover"], "Message": "Multi-AZ instance failover completed"},
    "DB_INSTANCE_STOPPED": {"Categories": ["notification"], "Message": "DB instance stopped"},
    "DB_INSTANCE_STARTED": {"Categories": ["notification"], "Message": "DB instance started"},
    "DB_INSTANCE_RESTORED_FROM_SNAPSHOT": {"Categories": ["restoration"], "Message": "Restored from snapshot"},
    "DB_INSTANCE_RESTORED_TO_POINT_IN_TIME": {
        "Categories": ["restoration"],
        "Message": "Restored from DB instance to a point in time",
    },
    "DB_INSTANCE_REPLICA_CREATED": {"Categories": ["read replica"], "Message": "Read replica created"},
    "DB_INSTANCE_REPLICA_PROMOTED": {
        "Categories": ["read replica"],
        "Message": "Read replica promoted to a standalone DB instance",
    },
    "DB_SNAPSHOT_CREATE_MANUAL_START": {"Categories": ["creation"], "Message": "Creating manual snapshot"},
    "DB_SNAPSHOT_CREATE_MANUAL_FINISH": {"Categories": ["creation"], "Message": "Manual snapshot created"},
}


def install():
    for name, event in EVENTS.items():
        Event.EVENT_MAP.setdefault(name, event)


def record(resource, event_type):
    """Add an event for ``resource`` (a DBInstance or DBSnapshot)."""
    resource.add_event(event_type)

"""DescribeDBEngineVersions for postgres and aurora-postgresql."""


def _versions(rds, **filters):
    paginator = rds.get_paginator("describe_db_engine_versions")
    return [v for page in paginator.paginate(**filters) for v in page["DBEngineVersions"]]


def test_postgres_versions_and_families(emu_rds):
    versions = _versions(emu_rds, Engine="postgres")
    assert {v["Engine"] for v in versions} == {"postgres"}
    assert {"14.13", "15.8", "15.12", "16.4", "16.8"} <= {v["EngineVersion"] for v in versions}
    for version in versions:
        major = version["EngineVersion"].split(".")[0]
        assert version["DBParameterGroupFamily"] == "postgres" + major
        assert version["MajorEngineVersion"] == major
        assert version["DBEngineDescription"] == "PostgreSQL"
        assert version["Status"] == "available"


def test_upgrade_targets(emu_rds):
    (v15,) = _versions(emu_rds, Engine="postgres", EngineVersion="15.8")
    targets = {t["EngineVersion"]: t["IsMajorVersionUpgrade"] for t in v15["ValidUpgradeTarget"]}
    assert targets["15.10"] is False and targets["15.12"] is False
    assert targets["16.4"] is True
    assert all(not v.startswith("14.") for v in targets) and "15.8" not in targets


def test_filters(emu_rds):
    aurora = _versions(emu_rds, Engine="aurora-postgresql",
                       DBParameterGroupFamily="aurora-postgresql16")
    assert aurora and all(v["EngineVersion"].startswith("16.") for v in aurora)
    assert all(v["SupportsGlobalDatabases"] for v in aurora)
    (default,) = _versions(emu_rds, Engine="postgres", EngineVersion="15", DefaultOnly=True)
    assert default["EngineVersion"].startswith("15.")
    (overall,) = _versions(emu_rds, Engine="postgres", DefaultOnly=True)
    assert overall["DBParameterGroupFamily"] == "postgres16"
    assert _versions(emu_rds, Engine="mysql") == []
    everything = _versions(emu_rds)
    assert {v["Engine"] for v in everything} == {"postgres", "aurora-postgresql"}
    page = emu_rds.describe_db_engine_versions(MaxRecords=20)
    assert len(page["DBEngineVersions"]) == min(20, len(everything))

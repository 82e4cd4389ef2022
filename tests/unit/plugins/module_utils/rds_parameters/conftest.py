"""Engine-default metadata shaped like DescribeEngineDefaultParameters entries, as validation input."""

import pytest


def _entry(name, data_type, allowed=None, apply_type="dynamic", modifiable=True):
    entry = {"ParameterName": name, "DataType": data_type, "ApplyType": apply_type, "IsModifiable": modifiable,
             "Source": "engine-default"}
    if allowed is not None:
        entry["AllowedValues"] = allowed
    return entry


@pytest.fixture
def metadata():
    entries = [
        _entry("work_mem", "integer", "64-2147483647"),
        _entry("shared_buffers", "integer", "16-1073741823", apply_type="static"),
        _entry("max_connections", "integer", "6-262143", apply_type="static"),
        _entry("effective_cache_size", "integer", "1-2147483647"),
        _entry("statement_timeout", "integer", "0-2147483647"),
        _entry("idle_session_timeout", "integer", "-1,1-100"),
        _entry("random_page_cost", "float", "0-2147483647"),
        _entry("checkpoint_completion_target", "float", "0-1"),
        _entry("rds.force_ssl", "boolean", "0,1"),
        _entry("log_connections", "boolean", "0,1"),
        _entry("log_statement", "string", "none,ddl,mod,all"),
        _entry("TimeZone", "string", "UTC,Europe/Paris,America/New_York,Etc/GMT+1"),
        _entry("search_path", "string"),
        _entry("pgaudit.log", "list", "ddl,function,misc,read,role,write,none,all,-ddl,-function,-misc,-read,-role,-write"),
        _entry("shared_preload_libraries", "list", "auto_explain,orafce,pgaudit,pglogical,pg_cron,pg_stat_statements,pg_hint_plan",
               apply_type="static"),
        _entry("password_encryption", "string", "md5,scram-sha-256"),
        _entry("rds.extensions", "list", "plpgsql,postgis", modifiable=False),
    ]
    return dict((entry["ParameterName"], entry) for entry in entries)

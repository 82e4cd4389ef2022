"""Regenerate the parameter catalogue from a throw-away PostgreSQL 15 server.

Usage: python -m localenv.catalogue.generate [--output DIR] [--pg-bin DIR]
"""

import argparse
import contextlib
import json
import os
import pathlib
import shutil
import socket
import subprocess
import tempfile

import psycopg2

from localenv.catalogue import deltas, rds_specific

PG_BIN = pathlib.Path("/usr/lib/postgresql/15/bin")
DATA_DIR = pathlib.Path(__file__).parent / "data"
PRELOAD = "pgaudit,pg_stat_statements,auto_explain"
# First engine version RDS released for each family's major.
FAMILIES = {
    "postgres14": ("postgres", 14, "14.1"),
    "postgres15": ("postgres", 15, "15.2"),
    "postgres16": ("postgres", 16, "16.1"),
    "aurora-postgresql15": ("aurora-postgresql", 15, "15.2"),
    "aurora-postgresql16": ("aurora-postgresql", 16, "16.1"),
}
DATA_TYPES = {"bool": "boolean", "integer": "integer", "real": "float", "string": "string",
              "enum": "string"}
COLUMNS = ("name", "vartype", "enumvals", "min_val", "max_val", "unit", "context", "short_desc",
           "boot_val")


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_postgres(cmd):
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--"] + cmd
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@contextlib.contextmanager
def throwaway_server(pg_bin=PG_BIN):
    """Yield a psycopg2 connection to a temporary PostgreSQL server with the audit libraries."""
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="pgcatalogue-"))
    tmp.chmod(0o777)
    data, port = tmp / "data", _free_port()
    try:
        _as_postgres([str(pg_bin / "initdb"), "-D", str(data), "-U", "postgres",
                      "--auth=trust", "--no-sync"])
        opts = ("-c listen_addresses=127.0.0.1 -c port=%d -c unix_socket_directories=%s "
                "-c shared_preload_libraries=%s" % (port, tmp, PRELOAD))
        _as_postgres([str(pg_bin / "pg_ctl"), "-D", str(data), "-o", opts, "-l",
                      str(tmp / "log"), "-w", "start"])
        try:
            conn = psycopg2.connect(host="127.0.0.1", port=port, user="postgres",
                                    dbname="postgres")
            try:
                yield conn
            finally:
                conn.close()
        finally:
            _as_postgres([str(pg_bin / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def read_settings(conn):
    with conn.cursor() as cur:
        cur.execute("SELECT %s FROM pg_settings ORDER BY name" % ", ".join(COLUMNS))
        return {row[0]: dict(zip(COLUMNS, row)) for row in cur.fetchall()}


def apply_delta(settings, major):
    """Turn PostgreSQL 15 settings into those of ``major`` using the documented deltas."""
    delta = deltas.DELTAS[major]
    result = {name: dict(s) for name, s in settings.items() if name not in delta["removed"]}
    for old, new in delta["renamed"].items():
        result[new] = dict(result.pop(old), name=new)
    for setting in delta["added"]:
        result[setting["name"]] = dict(setting)
    for name, fields in delta["changed"].items():
        result[name].update(fields)
    return result


def _rds_value(setting, value):
    if value is None:
        return None
    if setting["vartype"] == "bool":
        return {"on": "1", "off": "0"}.get(value, value)
    return value


def _allowed_values(setting):
    if setting["name"] == "shared_preload_libraries":
        return None
    if setting["vartype"] == "bool":
        return "0,1"
    if setting["vartype"] == "enum":
        return ",".join(setting["enumvals"])
    if setting["vartype"] in ("integer", "real"):
        return "%s-%s" % (setting["min_val"], setting["max_val"])
    return None


def to_rds(setting, engine, min_version):
    """Map one pg_settings row to an RDS Parameter shape (plus Context/Unit/DefaultValue)."""
    name = setting["name"]
    internal = setting["context"] == "internal"
    param = {
        "ParameterName": name,
        "Description": setting["short_desc"],
        "DataType": DATA_TYPES[setting["vartype"]],
        "AllowedValues": _allowed_values(setting),
        "ApplyType": "static" if internal or setting["context"] == "postmaster" else "dynamic",
        "IsModifiable": not internal and name not in rds_specific.BLOCKED,
        "MinimumEngineVersion": min_version,
        "Context": setting["context"],
        "Unit": setting["unit"],
        "DefaultValue": _rds_value(setting, setting["boot_val"]),
    }
    if name == "shared_preload_libraries":
        libraries = rds_specific.SHARED_PRELOAD_LIBRARIES
        if engine == "aurora-postgresql":
            libraries = tuple(sorted(libraries + rds_specific.AURORA_EXTRA_LIBRARIES))
        param.update(DataType="list", AllowedValues=",".join(libraries))
    if name in rds_specific.RDS_DEFAULTS:
        param["ParameterValue"] = rds_specific.RDS_DEFAULTS[name]
    param["Source"] = "system" if "ParameterValue" in param and not param["IsModifiable"] \
        else "engine-default"
    return param


def build_family(settings, family):
    engine, major, min_version = FAMILIES[family]
    params = {name: to_rds(s, engine, min_version)
              for name, s in apply_delta(settings, major).items()}
    for name, extra in rds_specific.rds_parameters(engine, major).items():
        params[name] = dict(extra, MinimumEngineVersion=min_version, Context="sighup",
                            Unit=None, ParameterValue=extra["DefaultValue"],
                            Source="engine-default")
    for param in params.values():
        if engine == "aurora-postgresql":
            param["Scope"] = rds_specific.aurora_scope(param["ParameterName"])
        for key in [k for k, v in param.items() if v is None]:
            del param[key]
    return [params[name] for name in sorted(params, key=lambda n: (n.lower(), n))]


def write_catalogue(settings, out_dir):
    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for family in FAMILIES:
        document = {"family": family, "source": "pg_settings of PostgreSQL 15 with %s, "
                    "deltas.py and rds_specific.py" % PRELOAD,
                    "parameters": build_family(settings, family)}
        text = json.dumps(document, indent=1, sort_keys=True) + "\n"
        (out_dir / ("%s.json" % family)).write_text(text)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", default=str(DATA_DIR))
    parser.add_argument("--pg-bin", default=str(PG_BIN))
    args = parser.parse_args(argv)
    with throwaway_server(pathlib.Path(args.pg_bin)) as conn:
        settings = read_settings(conn)
    write_catalogue(settings, args.output)
    print("wrote %d families to %s" % (len(FAMILIES), args.output))


if __name__ == "__main__":
    main()

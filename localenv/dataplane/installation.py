"""A private, relocatable PostgreSQL installation whose extensions behave as on Amazon RDS.

On RDS, members of ``rds_superuser`` create every extension RDS supports although they are not
superusers. PostgreSQL 13+ has the mechanism: an extension whose control file says
``trusted = true`` may be created by a non-superuser with CREATE on the database; its script then
runs as the bootstrap superuser. The Debian packages mark only some of them trusted (pg_trgm,
pgcrypto, uuid-ossp, ...), not pgaudit or pg_stat_statements.

PostgreSQL finds its share directory relative to the path of the running ``postgres`` binary
(``<prefix>/lib/postgresql/15/bin/postgres`` -> ``<prefix>/share/postgresql/15``, symlinks
resolved). So this module builds, once per state dir::

    <root>/lib/postgresql/15/bin/postgres    a hard link to (or copy of) the real binary
    <root>/lib/postgresql/15/lib             -> the real pkglibdir (extension libraries)
    <root>/share/postgresql/15/*             -> the real share files, except
    <root>/share/postgresql/15/extension/    symlinks to the real scripts, and control files
                                             copied with ``trusted = true`` for the extensions
                                             in RDS_SUPPORTED_EXTENSIONS

and the servers are started with ``pg_ctl -p <root>/lib/postgresql/15/bin/postgres``. Extensions
RDS does not offer (adminpack, file_fdw, pg_surgery, xml2, ...) stay untrusted: only the
bootstrap superuser can create them, as on RDS. ``rds.allowed_extensions`` is enforced separately
(see bootstrap_sql.ALLOWED_EXTENSIONS_SQL).
"""

import dataclasses
import fcntl
import json
import os
import pathlib
import shutil
import subprocess

from localenv.dataplane import runas

#: Extensions Amazon RDS for PostgreSQL 15 supports (the ones installed here are marked trusted).
RDS_SUPPORTED_EXTENSIONS = frozenset(
    """
    address_standardizer address_standardizer_data_us amcheck aws_commons aws_lambda aws_s3 bloom
    bool_plperl btree_gin btree_gist citext cube dblink dict_int dict_xsyn earthdistance
    fuzzystrmatch h3 h3_postgis hll hstore hstore_plperl insert_username intagg intarray ip4r isn
    jsonb_plperl lo log_fdw ltree moddatetime old_snapshot orafce pageinspect pg_bigm pg_buffercache
    pg_cron pg_freespacemap pg_hint_plan pg_partman pg_prewarm pg_proctab pg_repack pg_similarity
    pg_stat_statements pg_tle pg_trgm pg_visibility pg_walinspect pgaudit pgcrypto pglogical
    pgrouting pgrowlocks pgstattuple pgtap plcoffee plls plperl plpgsql plprofiler plrust pltcl plv8
    postgis postgis_raster postgis_tiger_geocoder postgis_topology postgres_fdw prefix rdkit
    rds_tools refint seg sslinfo tablefunc tcn tds_fdw tsm_system_rows tsm_system_time unaccent
    uuid-ossp vector
    """.split()
)

MAJOR = "15"


@dataclasses.dataclass
class Installation:
    root: pathlib.Path
    postgres: pathlib.Path
    sharedir: pathlib.Path
    trusted: frozenset


def _pg_config(option):
    return subprocess.run(
        [runas.pg_program("pg_config"), option], capture_output=True, text=True, check=True
    ).stdout.strip()


def trusted_control(text):
    """``text`` of a control file with ``trusted = true`` (any earlier ``trusted`` line removed)."""
    lines = [line for line in text.splitlines() if not line.strip().lower().startswith("trusted")]
    lines.append("trusted = true  # localenv: RDS lets rds_superuser members create it")
    return "\n".join(lines) + "\n"


def _link_binary(source, target):
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _build(root):
    bindir = pathlib.Path(_pg_config("--bindir"))
    sharedir = pathlib.Path(_pg_config("--sharedir"))
    pkglibdir = pathlib.Path(_pg_config("--pkglibdir"))
    private_bin = root / "lib" / "postgresql" / MAJOR / "bin"
    private_share = root / "share" / "postgresql" / MAJOR
    private_bin.mkdir(parents=True)
    private_share.mkdir(parents=True)
    _link_binary(bindir / "postgres", private_bin / "postgres")
    os.symlink(pkglibdir, root / "lib" / "postgresql" / MAJOR / "lib")
    for entry in sharedir.iterdir():
        if entry.name != "extension":
            os.symlink(entry, private_share / entry.name)
    extension_dir = private_share / "extension"
    extension_dir.mkdir()
    trusted = []
    for entry in sorted((sharedir / "extension").iterdir()):
        name = entry.name
        if name.endswith(".control") and "--" not in name and name[: -len(".control")] in RDS_SUPPORTED_EXTENSIONS:
            (extension_dir / name).write_text(trusted_control(entry.read_text()))
            trusted.append(name[: -len(".control")])
        else:
            os.symlink(entry, extension_dir / name)
    for directory, _subdirs, _files in os.walk(root):
        os.chmod(directory, 0o755)
    return trusted


def ensure(postgres_dir):
    """Build (once) and return the private installation under ``postgres_dir``."""
    postgres_dir = pathlib.Path(postgres_dir)
    root = postgres_dir / "installation"
    ready = root / "ready.json"
    runas.make_dir(postgres_dir, 0o755)
    with open(postgres_dir / ".installation.lock", "w") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        if not ready.exists():
            shutil.rmtree(root, ignore_errors=True)
            root.mkdir(parents=True)
            trusted = _build(root)
            ready.write_text(json.dumps({"trusted": trusted}))
            os.chmod(ready, 0o644)
        trusted = frozenset(json.loads(ready.read_text())["trusted"])
    return Installation(
        root=root,
        postgres=root / "lib" / "postgresql" / MAJOR / "bin" / "postgres",
        sharedir=root / "share" / "postgresql" / MAJOR,
        trusted=trusted,
    )

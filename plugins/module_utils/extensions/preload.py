# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Which extensions need a library in ``shared_preload_libraries``, and the remedy when it is missing."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

#: extension -> the library that must be in ``shared_preload_libraries`` before CREATE EXTENSION
#: works (or before the extension does anything useful). On RDS the parameter is static: changing
#: it needs a reboot.
PRELOAD_LIBRARIES = {
    "pgaudit": "pgaudit",
    "pg_stat_statements": "pg_stat_statements",
    "pg_cron": "pg_cron",
    "pglogical": "pglogical",
    "pg_hint_plan": "pg_hint_plan",
    "pg_tle": "pg_tle",
    "pg_transport": "pg_transport",
    "pg_prewarm": "pg_prewarm",
    "pg_partman": "pg_partman_bgw",
    "timescaledb": "timescaledb",
    "citus": "citus",
}

#: Extensions whose library is optional: without it the extension works, but its background
#: worker (autoprewarm, partition maintenance) does not run. Listed as a warning, never a failure.
OPTIONAL_PRELOAD = frozenset({"pg_prewarm", "pg_partman"})

#: Libraries that are loaded through shared_preload_libraries only and are not extensions.
LIBRARY_ONLY = frozenset({"auto_explain", "pg_partman_bgw", "decoder_raw", "wal2json", "test_decoding"})


def loaded_libraries(setting):
    """The library names of a ``shared_preload_libraries`` value (``'$libdir/x'`` counts as ``x``)."""
    names = []
    for part in (setting or "").split(","):
        name = part.strip().strip("\"'").strip()
        if not name:
            continue
        name = name.rsplit("/", 1)[-1]
        if name.endswith(".so"):
            name = name[:-3]
        names.append(name)
    return names


def required_library(extension):
    """The library ``extension`` needs preloaded, or None."""
    return PRELOAD_LIBRARIES.get(extension)


def missing_library(extension, loaded):
    """The library ``extension`` needs that is not in ``loaded`` (a list of names), else None."""
    library = required_library(extension)
    if library is None or library in loaded:
        return None
    return library


def remedy(missing, loaded):
    """How to load the ``missing`` libraries (a sorted list) on RDS, as one sentence block."""
    wanted = list(loaded) + [library for library in missing if library not in loaded]
    return (
        "Add %s to the shared_preload_libraries parameter of the instance's DB parameter group "
        "(module innovate.aws_postgres.rds_parameter_group, for example parameters: "
        "{shared_preload_libraries: [%s]}), then reboot the instance, because shared_preload_libraries "
        "is a static parameter that only takes effect at the next reboot (module "
        "innovate.aws_postgres.rds_instance with reboot_for_pending: now). Then run this task again."
        % (", ".join(missing), ", ".join(wanted))
    )

# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import subprocess
import sys

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.innovate.aws_postgres.plugins.filter.pg_tuning import FilterModule, pg_tuning

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))

# Hand-computed (memory M bytes): shared_buffers = M/4/8192, effective_cache_size = 3M/4/8192,
# max_connections = min(M // 9531392, 5000), maintenance_work_mem = min(M/16, 2 GiB)/1024,
# work_mem = (3M/4 * factor // (max_connections * 3)) // 1024 bounded to 1024..262144.
EXPECTED = {
    # 1 GiB: 1073741824 // 9531392 = 112; 805306368 // 336 = 2396745 B -> 2340 kB
    "db.t3.micro": dict(
        shared_buffers=32768, effective_cache_size=98304, max_connections=112, maintenance_work_mem=65536, work_mem=2340
    ),
    # 4 GiB: 4294967296 // 9531392 = 450; 3221225472 // 1350 = 2386093 B -> 2330 kB
    "db.t4g.medium": dict(
        shared_buffers=131072, effective_cache_size=393216, max_connections=450, maintenance_work_mem=262144, work_mem=2330
    ),
    # 16 GiB: 17179869184 // 9531392 = 1802; 12884901888 // 5406 = 2383444 B -> 2327 kB; 1 GiB maintenance
    "db.r6g.large": dict(
        shared_buffers=524288,
        effective_cache_size=1572864,
        max_connections=1802,
        maintenance_work_mem=1048576,
        work_mem=2327,
    ),
    # 64 GiB: 68719476736 // 9531392 = 7209 -> 5000; 51539607552 // 15000 = 3435973 B -> 3355 kB; 2 GiB cap
    "db.m7g.4xlarge": dict(
        shared_buffers=2097152,
        effective_cache_size=6291456,
        max_connections=5000,
        maintenance_work_mem=2097152,
        work_mem=3355,
    ),
    # 512 GiB: capped at 5000 connections; 412316860416 // 15000 = 27487790 B -> 26843 kB
    "db.r7g.16xlarge": dict(
        shared_buffers=16777216,
        effective_cache_size=50331648,
        max_connections=5000,
        maintenance_work_mem=2097152,
        work_mem=26843,
    ),
}


@pytest.mark.parametrize("instance_class", sorted(EXPECTED))
def test_values_match_hand_computed_numbers(instance_class):
    assert pg_tuning(instance_class) == EXPECTED[instance_class]


def test_dict_input_gives_the_same_as_the_class_name():
    assert pg_tuning({"class": "db.r6g.large"}) == EXPECTED["db.r6g.large"]


@pytest.mark.parametrize(
    "instance_class, shared_buffers",
    [
        ("db.t3.2xlarge", 32 * 32768),
        ("db.t4g.small", 2 * 32768),
        ("db.m7g.large", 8 * 32768),
        ("db.m7g.12xlarge", 192 * 32768),
        ("db.m7g.16xlarge", 256 * 32768),
        ("db.r6g.12xlarge", 384 * 32768),
        ("db.r7g.xlarge", 32 * 32768),
    ],
)
def test_published_memory_of_each_family(instance_class, shared_buffers):
    # 32768 pages of 8 kB are 256 MiB, the shared_buffers of each GiB of memory.
    assert pg_tuning(instance_class)["shared_buffers"] == shared_buffers


def test_workload_scales_work_mem():
    # db.r7g.16xlarge: 412316860416 * 4 // 15000 = 109951162 B -> 107374 kB
    assert pg_tuning("db.r7g.16xlarge", workload="analytics")["work_mem"] == 107374
    # 412316860416 * 2 // 15000 = 54975581 B -> 53687 kB
    assert pg_tuning({"class": "db.r7g.16xlarge", "workload": "mixed"})["work_mem"] == 53687
    others = dict(pg_tuning("db.r7g.16xlarge", workload="analytics"))
    del others["work_mem"]
    expected = dict(EXPECTED["db.r7g.16xlarge"])
    del expected["work_mem"]
    assert others == expected


def test_max_connections_override_resizes_work_mem():
    # db.m7g.xlarge (16 GiB), mixed, 400 connections: 12884901888 * 2 // 1200 = 21474836 B -> 20971 kB
    result = pg_tuning({"class": "db.m7g.xlarge", "workload": "mixed", "max_connections": 400})
    assert result == dict(
        shared_buffers=524288,
        effective_cache_size=1572864,
        max_connections=400,
        maintenance_work_mem=1048576,
        work_mem=20971,
    )
    # The filter argument wins over the dict key.
    assert pg_tuning({"class": "db.m7g.xlarge", "max_connections": 400}, max_connections=100)["max_connections"] == 100


def test_work_mem_is_bounded_to_1_mib_and_256_mib():
    assert pg_tuning("db.t3.micro", max_connections=5000)["work_mem"] == 1024
    assert pg_tuning("db.r6g.16xlarge", max_connections=10, workload="analytics")["work_mem"] == 262144


def test_serverless_is_sized_for_max_acu():
    # 16 ACU = 32 GiB: 34359738368 // 9531392 = 3604; 25769803776 // 10812 = 2383444 B -> 2327 kB
    assert pg_tuning({"class": "db.serverless", "max_acu": 16}) == dict(
        shared_buffers=1048576,
        effective_cache_size=3145728,
        max_connections=3604,
        maintenance_work_mem=2097152,
        work_mem=2327,
    )
    # 2.5 ACU = 5 GiB: 5368709120 // 9531392 = 563
    half = pg_tuning("db.serverless", max_acu=2.5)
    assert half["shared_buffers"] == 163840 and half["max_connections"] == 563


@pytest.mark.parametrize(
    "value, kwargs, expected",
    [
        ("db.serverless", {}, "db.serverless needs max_acu"),
        ("db.serverless", {"max_acu": 0.5}, "max_acu=0.5 is not valid: Aurora Serverless v2 takes 1 to 256 ACUs"),
        ("db.serverless", {"max_acu": 3.3}, "max_acu=3.3 is not valid"),
        ("db.serverless", {"max_acu": 300}, "max_acu=300 is not valid"),
        ("db.serverless", {"max_acu": "8"}, "max_acu must be a number"),
        ("db.r6g.large", {"max_acu": 8}, "max_acu applies only to db.serverless, not to db.r6g.large"),
        ("db.r6g.large", {"workload": "batch"}, "workload='batch' is not valid, use one of analytics, mixed, oltp"),
        ("db.r6g.large", {"max_connections": 0}, "max_connections=0 is not valid"),
        ("db.r6g.large", {"max_connections": True}, "max_connections=True is not valid"),
        ("db.r6g.large", {"max_connections": "100"}, "max_connections='100' is not valid"),
        ({"class": "db.r6g.large", "vcpus": 2}, {}, "unknown keys vcpus; accepted keys: class, max_connections"),
        ({"workload": "oltp"}, {}, "the input dict needs a 'class' key"),
        (["db.r6g.large"], {}, "input must be an instance class name or a dict"),
    ],
)
def test_invalid_input_is_refused_with_a_clear_message(value, kwargs, expected):
    with pytest.raises(AnsibleFilterError) as err:
        pg_tuning(value, **kwargs)
    assert expected in str(err.value)


@pytest.mark.parametrize("instance_class", ["db.r5.large", "db.m7g.micro", "r6g.large", "db.r6g", "db.t3.3xlarge"])
def test_unknown_class_names_the_known_families_and_sizes(instance_class):
    with pytest.raises(AnsibleFilterError) as err:
        pg_tuning(instance_class)
    msg = str(err.value)
    assert msg.startswith("pg_tuning: unknown instance class %r; known classes: " % instance_class)
    assert "db.t3.{micro,small,medium,large,xlarge,2xlarge}" in msg
    assert "db.t4g.{micro,small,medium,large,xlarge,2xlarge}" in msg
    assert "db.m7g.{large,xlarge,2xlarge,4xlarge,8xlarge,12xlarge,16xlarge}" in msg
    assert "db.r6g.{large,xlarge,2xlarge,4xlarge,8xlarge,12xlarge,16xlarge}" in msg
    assert "db.r7g.{large,xlarge,2xlarge,4xlarge,8xlarge,12xlarge,16xlarge}" in msg
    assert "db.serverless (with max_acu)" in msg


def test_filter_module_exports_pg_tuning():
    assert FilterModule().filters() == {"pg_tuning": pg_tuning}


def test_filter_resolves_by_fqcn_in_a_template(tmp_path):
    env = dict(
        os.environ,
        ANSIBLE_CONFIG=os.path.join(REPO_ROOT, "ansible.cfg"),
        ANSIBLE_STDOUT_CALLBACK="ansible.builtin.default",
        ANSIBLE_CALLBACK_RESULT_FORMAT="json",
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_LOCAL_TEMP=str(tmp_path),
        ANSIBLE_HOME=str(tmp_path),
    )
    template = "{{ {'class': 'db.m7g.xlarge', 'workload': 'mixed', 'max_connections': 400} | innovate.aws_postgres.pg_tuning }}"
    result = subprocess.run(
        [
            os.path.join(os.path.dirname(sys.executable), "ansible"),
            "localhost",
            "-i", "localhost,",
            "-c", "local",
            "-m", "ansible.builtin.debug",
            "-a", "msg=" + template,
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    header, _sep, body = result.stdout.partition(" => ")
    assert header.strip() == "localhost | SUCCESS", result.stdout
    msg = json.loads(body)["msg"]
    assert msg == dict(
        shared_buffers=524288,
        effective_cache_size=1572864,
        max_connections=400,
        maintenance_work_mem=1048576,
        work_mem=20971,
    )

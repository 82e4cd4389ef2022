"""pg_schema_checksum pieces that need no server: sampling modulus, digests, comparison, input checks."""

import pytest

from ansible_collections.innovate.aws_postgres.plugins.module_utils.schema_checksum.compare import compare, previous_modulus, result_problems
from ansible_collections.innovate.aws_postgres.plugins.module_utils.schema_checksum.data import modulus_for, sampling_method
from ansible_collections.innovate.aws_postgres.plugins.module_utils.schema_checksum.digest import digest
from ansible_collections.innovate.aws_postgres.plugins.modules.pg_schema_checksum import input_problems


def sc_table(rows=10, data="d1", columns="c1", indexes="i1", modulus=None):
    parts = dict(table="t", columns=columns, constraints="k", indexes=indexes, triggers="g")
    return dict(rows=rows, schema_parts=parts, schema_digest=digest(parts), data_digest=data,
                sampling=dict(modulus=modulus, rows_read=1, method="m") if modulus else None)


def sc_result(**tables):
    return dict(tables=dict((name.replace("__", "."), table) for name, table in tables.items()), sequences={}, objects={}, extensions={})


@pytest.mark.parametrize("rows, threshold, expected", [(0, 100, 1), (100, 100, 1), (101, 100, 2), (250000, 100000, 3), (7, 1, 7)])
def test_modulus(rows, threshold, expected):
    assert modulus_for(rows, threshold) == expected


def test_sampling_method_states_the_key():
    assert sampling_method(["id"], 1) is None
    assert sampling_method(["a", "b"], 4) == "rows whose md5 of the primary key (a, b), first 28 bits as an integer, modulo 4 is 0"
    assert "whole row (no primary key)" in sampling_method(None, 2)


def test_digest_ignores_key_order():
    assert digest({"a": 1, "b": [1, 2]}) == digest({"b": [1, 2], "a": 1}) != digest({"a": 1, "b": [2, 1]})


def test_equal_results_have_no_differences():
    assert compare(sc_result(public__t=sc_table()), sc_result(public__t=sc_table())) == ({}, [])


def test_differences_are_named_table_by_table():
    now = sc_result(public__a=sc_table(rows=11, data="x"), public__b=sc_table(indexes="i2"), public__new=sc_table())
    then = sc_result(public__a=sc_table(), public__b=sc_table(), public__old=sc_table())
    now["sequences"] = {"public.s": {"start": "1"}}
    differences, summary = compare(now, then)
    assert differences == {
        "missing_tables": ["public.old"], "extra_tables": ["public.new"],
        "tables": {"public.a": {"rows": {"this": 11, "compare_to": 10}, "data": True}, "public.b": {"schema": ["indexes"]}},
        "sequences": {"extra": ["public.s"]},
    }
    assert "public.a: 11 rows here, 10 in compare_to" in summary and "public.b: schema differs (indexes)" in summary


def test_previous_modulus():
    previous = sc_result(public__big=sc_table(modulus=5), public__small=sc_table())
    assert previous_modulus(previous, "public.big") == 5
    assert previous_modulus(previous, "public.small") == 1
    assert previous_modulus(previous, "public.none") is None
    assert previous_modulus(None, "public.big") is None


@pytest.mark.parametrize("value, fragment", [
    ("text", "expected the registered result"),
    ({"digest": "x"}, "no 'tables' mapping"),
    ({"tables": {"public.t": {"rows": 1}}}, "is not a pg_schema_checksum result"),
])
def test_compare_to_must_be_a_result(value, fragment):
    assert fragment in result_problems(value)[0]


def sc_params(**overrides):
    params = dict(sample_threshold_rows=100, schemas=None, exclude_tables=[], compare_to=None)
    params.update(overrides)
    return params


def test_input_problems():
    assert input_problems(sc_params()) == []
    problems = input_problems(sc_params(sample_threshold_rows=0, schemas=["pg_catalog", "information_schema"], exclude_tables=["a", "a.b.c"]))
    assert len(problems) == 5

"""pg_schema_checksum through ansible-playbook against a real PostgreSQL 15 server of the local environment.

One RDS instance (created with boto3; the emulator starts a real server for it) holds two
databases with the same schema and data loaded differently: tables created in another order
(other OIDs), rows inserted in reverse order, dead rows left behind. Their digests must match;
then single changes (one row, a dropped index, a column type) must show up in the digest and in
``differences`` for the table concerned. Connections use verify-full TLS as the RDS master user.
"""

import json

import pytest

from ext_instances import create_instance

MODULE = "innovate.aws_postgres.pg_schema_checksum"
SOURCE_DB, COPY_DB = "sc_source", "sc_copy"

SCHEMA = {
    "types": "CREATE TYPE public.mood AS ENUM ('sad', 'ok', 'happy')",
    "orders": ("CREATE TABLE public.orders (id bigserial PRIMARY KEY, customer text NOT NULL, amount numeric(12,2),"
               " placed_at timestamptz NOT NULL, details jsonb, mood public.mood DEFAULT 'ok')"),
    "orders_index": "CREATE INDEX orders_customer_idx ON public.orders (customer)",
    "events": "CREATE TABLE public.events (kind text, n integer, payload bytea)",
    "sales": "CREATE SCHEMA sales",
    "lines": ("CREATE TABLE sales.lines (order_id bigint REFERENCES public.orders (id), line integer, sku text,"
              " qty integer CHECK (qty > 0), PRIMARY KEY (order_id, line))"),
    "big": "CREATE TABLE sales.big (id integer PRIMARY KEY, label text)",
    "view": "CREATE VIEW sales.order_totals AS SELECT order_id, sum(qty) AS qty FROM sales.lines GROUP BY order_id",
}
SOURCE_ORDER = ["types", "orders", "orders_index", "events", "sales", "lines", "big", "view"]
COPY_ORDER = ["sales", "big", "types", "events", "orders", "lines", "view", "orders_index"]
ORDERS = [(i, "customer-%02d" % (i % 7), "%d.%02d" % (i * 3, i % 100), "2024-01-%02d 10:00:00+02" % (1 + i % 28),
           json.dumps({"n": i, "tags": ["a", "b"][: i % 3]}), ["sad", "ok", "happy"][i % 3]) for i in range(1, 41)]
EVENTS = [("click", i % 5, bytes([i % 256, 7])) for i in range(30)] + [("click", 1, bytes([1, 7]))] * 3
LINES = [(order, line, "sku-%d" % (order * line), line) for order in range(1, 41) for line in (1, 2)]
BIG_ROWS = 3000


def load(instance, dbname, order, reverse):
    conn = instance.connect(dbname=dbname)
    try:
        with conn.cursor() as cursor:
            for step in order:
                cursor.execute(SCHEMA[step])
            rows = list(reversed(ORDERS)) if reverse else ORDERS
            if reverse:  # rows that are deleted again: dead tuples and sequence values the source never had
                cursor.execute("INSERT INTO public.orders (id, customer, placed_at) SELECT 1000 + g, 'gone', now() FROM generate_series(1, 50) g")
                cursor.execute("DELETE FROM public.orders WHERE id > 999")
            cursor.executemany("INSERT INTO public.orders (id, customer, amount, placed_at, details, mood) VALUES (%s, %s, %s, %s, %s, %s)", rows)
            cursor.executemany("INSERT INTO public.events VALUES (%s, %s, %s)", list(reversed(EVENTS)) if reverse else EVENTS)
            cursor.executemany("INSERT INTO sales.lines VALUES (%s, %s, %s, %s)", list(reversed(LINES)) if reverse else LINES)
            series = "generate_series(%d, 1, -1)" % BIG_ROWS if reverse else "generate_series(1, %d)" % BIG_ROWS
            cursor.execute("INSERT INTO sales.big SELECT g, 'label ' || g FROM " + series + " g")
            cursor.execute("SELECT setval('public.orders_id_seq', 40)")
    finally:
        conn.close()


@pytest.fixture(scope="module")
def instance(localenv):
    created = create_instance(localenv, "sc", {"rds.force_ssl": "1"}, iam=False)
    conn = created.connect()
    try:
        with conn.cursor() as cursor:
            for dbname in (SOURCE_DB, COPY_DB):
                cursor.execute("CREATE DATABASE %s" % dbname)
    finally:
        conn.close()
    load(created, SOURCE_DB, SOURCE_ORDER, reverse=False)
    load(created, COPY_DB, COPY_ORDER, reverse=True)
    yield created
    created.delete()


def execute(instance, dbname, statement):
    conn = instance.connect(dbname=dbname)
    try:
        with conn.cursor() as cursor:
            cursor.execute(statement)
    finally:
        conn.close()


def checksum(ansible, instance, dbname, **args):
    result = ansible.module(MODULE, dict(instance.connection_args(login_db=dbname), **args))
    assert result.get("failed") is not True, result.get("msg")
    assert result["changed"] is False
    return result


def strip(result):
    """A registered result as a later task's compare_to receives it."""
    return dict((key, value) for key, value in result.items() if key not in ("task", "host", "_ansible_no_log", "invocation"))


def test_same_data_loaded_differently_gives_the_same_digests_and_sampling_is_stated(ansible, instance):
    source = checksum(ansible, instance, SOURCE_DB, sample_threshold_rows=1000)
    assert source["schemas"] == ["public", "sales"]
    assert source["row_counts"] == {"public.events": 33, "public.orders": 40, "sales.big": BIG_ROWS, "sales.lines": 80}
    assert source["tables"]["public.events"]["ordered_by"] == "all columns (no primary key)"
    assert source["tables"]["sales.lines"]["ordered_by"] == ["order_id", "line"]
    big = source["tables"]["sales.big"]
    assert big["sampling"]["modulus"] == 3 and 800 < big["sampling"]["rows_read"] < 1200
    assert "primary key (id)" in big["sampling"]["method"] and "modulo 3 is 0" in big["sampling"]["method"]
    assert source["sampling"]["sampled_tables"] == ["sales.big"] and source["sampling"]["notes"][0].startswith("sales.big: 3000 rows")
    assert source["tables"]["public.orders"]["sampling"] is None
    assert "view sales.order_totals" in source["objects"] and "type public.mood" in source["objects"]
    assert source["sequences"]["public.orders_id_seq"]["owned_by"] == "public.orders.id"
    assert "last_value" not in source["sequences"]["public.orders_id_seq"]

    copy = checksum(ansible, instance, COPY_DB, sample_threshold_rows=1000, compare_to=strip(source))
    assert copy["matches"] is True, copy["summary"]
    assert copy["differences"] == {} and copy["summary"] == []
    assert copy["digest"] == source["digest"] and copy["data_digest"] == source["data_digest"]
    for name, table in source["tables"].items():
        assert copy["tables"][name]["data_digest"] == table["data_digest"], name
        assert copy["tables"][name]["schema_digest"] == table["schema_digest"], name

    with_values = checksum(ansible, instance, COPY_DB, include_sequence_values=True, include_data=False, schemas=["public"])
    assert with_values["sequences"]["public.orders_id_seq"]["last_value"] == "40"
    assert with_values["data_digest"] is None and with_values["tables"]["public.orders"]["data_digest"] is None
    assert list(with_values["tables"]) == ["public.events", "public.orders"]


def test_one_changed_row_a_dropped_index_and_a_column_type_are_named(ansible, instance):
    source = strip(checksum(ansible, instance, SOURCE_DB, exclude_tables=["sales.big"]))
    assert "sales.big" not in source["tables"]
    execute(instance, COPY_DB, "UPDATE public.orders SET amount = amount + 0.01 WHERE id = 17")
    try:
        changed_row = checksum(ansible, instance, COPY_DB, exclude_tables=["sales.big"], compare_to=source)
    finally:
        execute(instance, COPY_DB, "UPDATE public.orders SET amount = amount - 0.01 WHERE id = 17")
    assert changed_row["matches"] is False
    assert changed_row["differences"] == {"tables": {"public.orders": {"data": True}}}
    assert changed_row["summary"] == ["public.orders: data differs"]

    execute(instance, COPY_DB, "DELETE FROM public.events WHERE ctid = (SELECT min(ctid) FROM public.events WHERE n = 1 AND kind = 'click')")
    execute(instance, COPY_DB, "INSERT INTO public.events VALUES ('click', 1, '\\x0107')")
    execute(instance, COPY_DB, "DROP INDEX public.orders_customer_idx")
    execute(instance, COPY_DB, "ALTER TABLE sales.lines ALTER COLUMN sku TYPE varchar(64)")
    try:
        changed_schema = checksum(ansible, instance, COPY_DB, exclude_tables=["sales.big"], compare_to=source)
    finally:
        execute(instance, COPY_DB, "CREATE INDEX orders_customer_idx ON public.orders (customer)")
        execute(instance, COPY_DB, "ALTER TABLE sales.lines ALTER COLUMN sku TYPE text")
    assert changed_schema["differences"]["tables"] == {"public.orders": {"schema": ["indexes"]}, "sales.lines": {"schema": ["columns"]}}
    assert "public.events" not in changed_schema["differences"]["tables"], "a duplicate row re-inserted elsewhere is the same data"
    assert changed_schema["schema_digest"] != source["schema_digest"]

    restored = checksum(ansible, instance, COPY_DB, exclude_tables=["sales.big"], compare_to=source)
    assert restored["matches"] is True, restored["summary"]


def test_sampling_follows_compare_to_and_a_missing_row_is_found(ansible, instance):
    source = strip(checksum(ansible, instance, SOURCE_DB, schemas=["sales"], sample_threshold_rows=500))
    assert source["tables"]["sales.big"]["sampling"]["modulus"] == 6
    # The copy alone would be read with another modulus; with compare_to it uses the source's.
    execute(instance, COPY_DB, "DELETE FROM sales.big WHERE id > 2000")
    try:
        copy = checksum(ansible, instance, COPY_DB, schemas=["sales"], sample_threshold_rows=500, compare_to=source)
        alone = checksum(ansible, instance, COPY_DB, schemas=["sales"], sample_threshold_rows=500)
    finally:
        execute(instance, COPY_DB, "INSERT INTO sales.big SELECT g, 'label ' || g FROM generate_series(2001, %d) g" % BIG_ROWS)
    assert copy["tables"]["sales.big"]["sampling"]["modulus"] == 6 and alone["tables"]["sales.big"]["sampling"]["modulus"] == 4
    assert copy["differences"] == {"tables": {"sales.big": {"rows": {"this": 2000, "compare_to": BIG_ROWS}, "data": True}}}
    assert "sales.big: 2000 rows here, 3000 in compare_to" in copy["summary"]


def test_bad_inputs_fail_cleanly(ansible, instance):
    connection = instance.connection_args(login_db=SOURCE_DB)
    cases = [
        (dict(schemas=["nope"]), "schemas: nope is not in the database"),
        (dict(schemas=["pg_catalog"]), "is a system schema"),
        (dict(sample_threshold_rows=0), "sample_threshold_rows: 0 is not accepted"),
        (dict(exclude_tables=["orders"]), "exclude_tables: 'orders' is not schema.table"),
        (dict(exclude_tables=["public.nope"]), "exclude_tables: public.nope not found"),
        (dict(compare_to={"digest": "x"}), "compare_to: the dict has no 'tables' mapping"),
        (dict(compare_to={"tables": {"public.orders": {"rows": 1}}}), "is not a pg_schema_checksum result"),
        (dict(login_password="wrong"), "unable to connect to PostgreSQL"),
    ]
    tasks = [{"name": "bad %d" % index, MODULE: dict(connection, **args), "ignore_errors": True} for index, (args, _m) in enumerate(cases)]
    run = ansible.playbook(json.dumps([{"hosts": "localhost", "connection": "local", "gather_facts": False, "tasks": tasks}]))
    for index, (_args, message) in enumerate(cases):
        result = run.result("bad %d" % index)
        assert result.get("failed") is True and message in result["msg"], (message, result.get("msg"))
        assert "Traceback" not in json.dumps(result) and "wrong" not in result["msg"]

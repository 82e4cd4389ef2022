"""pg_drill_writer: the writer loop (fake connections) and the RPO/RTO accounting (pure functions)."""

import io
import json

from ansible_collections.innovate.aws_postgres.plugins.module_utils.drill import accounting, writer


def ack(seq, ts):
    return dict(event="ack", seq=seq, ts=ts, host="h", port=1)


def err(seq, ts, message="server closed the connection unexpectedly"):
    return dict(event="error", seq=seq, ts=ts, error=message)


def test_switchover_without_loss_measures_the_client_outage():
    acks = [ack(1, 10.0), ack(2, 10.1), ack(5, 12.6), ack(6, 12.7)]
    errors = [err(3, 10.2), err(4, 11.0)]
    result = accounting.account(acks, errors, present_seqs=[1, 2, 5, 6])
    assert result["lost"] == 0 and result["rpo_rows"] == 0 and result["rpo_seconds"] == 0
    assert result["rto_seconds"] == 2.5 and result["outage"]["failed_attempts"] == 2
    assert result["outage"]["first_error"] == "server closed the connection unexpectedly"
    assert result["consistent"] and result["acknowledged"] == 4 and result["present_acknowledged"] == 4


def test_failover_reports_lost_rows_and_seconds_and_ambiguous_commits():
    # 3 and 4 were acknowledged by the old primary after the new one was promoted; 5 committed without acknowledgement
    acks = [ack(1, 1.0), ack(2, 1.5), ack(3, 2.0), ack(4, 2.25), ack(6, 5.0)]
    errors = [err(5, 2.5)]
    result = accounting.account(acks, errors, present_seqs=[1, 2, 5, 6])
    assert result["lost"] == 2 and result["lost_seqs"] == [3, 4]
    assert result["rpo_seconds"] == 0.75  # from the last survivor (1.5) to the last lost commit (2.25)
    assert result["unacknowledged_present"] == 1 and result["failed_attempts_present"] == 1
    assert result["acknowledged"] == result["present_acknowledged"] + result["lost"] == 5
    assert result["rto_seconds"] == 2.75


def test_no_outage_and_log_parsing():
    lines = ['{"event": "start", "ts": 1}', "not json", "[1]", json.dumps(ack(1, 1.0)), "", json.dumps(ack(2, 1.1))]
    acks, errors = accounting.read_log(lines)
    result = accounting.account(acks, errors, [1, 2])
    assert result["outage_observed"] is False and result["rto_seconds"] is None and result["consistent"]


class FakeCursor(object):
    def __init__(self, conn):
        self.conn = conn

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def execute(self, statement, params):
        self.conn.calls.append(params)
        if self.conn.fail_on and params[1] in self.conn.fail_on:
            raise RuntimeError("connection lost\nsecond line")


class FakeConn(object):
    def __init__(self, fail_on=()):
        self.calls, self.fail_on, self.closed = [], set(fail_on), False

    def cursor(self):
        return FakeCursor(self)

    def close(self):
        self.closed = True


def test_writer_reconnects_after_a_failure_and_stops_on_the_stop_file(tmp_path):
    stop_file = tmp_path / "stop"
    connections = [FakeConn(fail_on=[3]), FakeConn()]
    ticks = iter(range(1000))

    def connector(config):
        return connections.pop(0), dict(host="h%d" % len(connections), port=5432)

    def sleep(seconds):
        if len(log.getvalue().splitlines()) >= 6:
            stop_file.write_text("stop")

    log = io.StringIO()
    count = writer.run(dict(run_id="r1", stop_file=str(stop_file), interval=0.01), log, clock=lambda: float(next(ticks)), sleep=sleep,
                       connector=connector)
    entries = [json.loads(line) for line in log.getvalue().splitlines()]
    assert [entry["event"] for entry in entries] == ["ack", "ack", "error", "ack", "ack", "ack"]
    assert [entry["seq"] for entry in entries] == [1, 2, 3, 4, 5, 6]
    assert entries[2]["error"] == "connection lost" and entries[3]["host"] == "h0"
    assert count == 5
    assert writer.insert_statement("drill_writes") == "INSERT INTO drill_writes (run_id, seq) VALUES (%s, %s)"


def drill_params(**changes):
    values = dict(state="start", run_id="drill-1", table="drill_writes", secret_id="prod/app-db/app", login_host=None, login_user=None,
                  interval=0.05, fence_host=None)
    values.update(changes)
    return values


def test_writer_input_errors():
    from ansible_collections.innovate.aws_postgres.plugins.modules.pg_drill_writer import _input_errors

    assert _input_errors(drill_params()) == []
    cases = [
        (dict(run_id="bad id!"), "run_id: 'bad id!'"),
        (dict(table="Drill; DROP TABLE x"), "table: 'Drill; DROP TABLE x'"),
        (dict(secret_id=None), "secret_id or login_host is required with state=start"),
        (dict(secret_id=None, login_host="db.example.com"), "login_user is required with login_host"),
        (dict(interval=0), "interval: 0"),
        (dict(state="fence"), "fence_host is required with state=fence"),
    ]
    for changes, fragment in cases:
        errors = _input_errors(drill_params(**changes))
        assert len(errors) == 1 and fragment in errors[0], (changes, errors)
    assert _input_errors(drill_params(state="stop", secret_id=None)) == []

"""rds_restore_points: the choice of the snapshot and of the point in time, and its input checks."""

import datetime

import pytest

from ansible_collections.innovate.aws_postgres.plugins.module_utils.restore_points.choose import (
    ChoiceError,
    check_given_time,
    iso,
    latest_snapshot,
    parse_time,
    pick_time,
    pitr_window,
)
from ansible_collections.innovate.aws_postgres.plugins.modules.rds_restore_points import input_problems

UTC = datetime.timezone.utc
NOW = datetime.datetime(2026, 11, 22, 4, 0, 0, tzinfo=UTC)


def at(hours_ago):
    return NOW - datetime.timedelta(hours=hours_ago)


def snap(identifier, hours_ago, kind="automated", status="available"):
    return dict(DBSnapshotIdentifier=identifier, SnapshotCreateTime=at(hours_ago), SnapshotType=kind, Status=status)


def params(**overrides):
    base = dict(window_days=7, margin_seconds=300, point_in_time=True, restore_time=None, seed="s")
    base.update(overrides)
    return base


def test_latest_snapshot_is_the_newest_available_of_the_types():
    snapshots = [snap("rds:a", 30), snap("manual-b", 5, "manual"), snap("rds:c", 2, status="creating"), snap("rds:d", 10)]
    assert latest_snapshot(snapshots, ["automated", "manual"])["DBSnapshotIdentifier"] == "manual-b"
    assert latest_snapshot(snapshots, ["automated"])["DBSnapshotIdentifier"] == "rds:d"
    assert latest_snapshot([snap("rds:c", 2, status="creating")], ["automated"]) is None


def test_window_is_the_last_days_inside_the_restorable_window_with_margins():
    start, end = pitr_window(at(24 * 14), at(0.1), NOW, 7, 300)
    assert start == NOW - datetime.timedelta(days=7, seconds=-300)
    assert end == at(0.1) - datetime.timedelta(seconds=300)
    start, end = pitr_window(at(48), at(0), NOW, 7, 0)
    assert (start, end) == (at(48), at(0))


@pytest.mark.parametrize("earliest, latest, text", [
    (None, at(0), "no restorable window"),
    (at(1), None, "no restorable window"),
    (at(0.05), at(0), "leaves no time to choose from"),
])
def test_window_refused(earliest, latest, text):
    with pytest.raises(ChoiceError, match=text):
        pitr_window(earliest, latest, NOW, 7, 300)


def test_random_time_is_seeded_whole_seconds_inside_the_window():
    start, end = at(24 * 7), at(0)
    first = pick_time(start, end, "app-db-2026-11")
    assert first == pick_time(start, end, "app-db-2026-11")
    assert start <= first <= end and first.microsecond == 0
    picks = {pick_time(start, end, "seed-%d" % number) for number in range(20)}
    assert len(picks) > 15 and all(start <= pick <= end for pick in picks)
    assert pick_time(at(0), at(0), "any") == at(0)


def test_given_time_parsing_and_bounds():
    assert parse_time("2026-11-21T10:00:00Z") == datetime.datetime(2026, 11, 21, 10, tzinfo=UTC)
    assert parse_time("2026-11-21T12:00:00+02:00") == datetime.datetime(2026, 11, 21, 10, tzinfo=UTC)
    assert parse_time("2026-11-21T10:00:00") == datetime.datetime(2026, 11, 21, 10, tzinfo=UTC)
    assert iso(parse_time("2026-11-21T10:00:00.5Z")) == "2026-11-21T10:00:00Z"
    with pytest.raises(ChoiceError, match="restore_time: 'yesterday' is not an ISO 8601 time"):
        parse_time("yesterday")
    with pytest.raises(ChoiceError, match="outside the window"):
        check_given_time(at(200), at(100), at(0))
    assert check_given_time(at(50), at(100), at(0)) == at(50)


@pytest.mark.parametrize("overrides, text", [
    (dict(window_days=0), "window_days: 0 is not accepted; give 1 to 35 days"),
    (dict(window_days=36), "window_days: 36 is not accepted"),
    (dict(margin_seconds=-1), "margin_seconds: -1 is not accepted"),
    (dict(seed=None), "seed: required to choose a random point in time"),
])
def test_bad_inputs(overrides, text):
    problems = input_problems(params(**overrides))
    assert len(problems) == 1 and text in problems[0]


def test_good_inputs():
    assert input_problems(params()) == []
    assert input_problems(params(seed=None, restore_time="2026-11-21T10:00:00Z")) == []
    assert input_problems(params(seed=None, point_in_time=False)) == []

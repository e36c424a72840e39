"""Test traffic kept out of the numbers: --exclude-alias, --exclude-version, --exclude-attribute
(the filters of every command; the sidebar uses the same Filters)."""
import json
from datetime import datetime, timedelta, timezone

import pytest

from lex_records import load, record
from lexlens.analytics.cli import main
from lexlens.analytics.filters import Filters, apply_filters, count_excluded


def tagged(rec, alias_id=None, request=None):
    if alias_id:
        rec["bot"]["aliasId"] = alias_id
    if request:
        rec["requestAttributes"] = request
    return rec


# p1, p2: production; t1: the console's test alias; d1: DRAFT on a production alias;
# a1: a load test tagging its second turn's session attributes; r1: a request attribute
RECORDS = [
    tagged(record("p1", 0, "hi", alias="Live", version="3"), alias_id="LIVEALIAS1"),
    tagged(record("p1", 10, "balance", alias="Live", version="3"), alias_id="LIVEALIAS1"),
    tagged(record("p2", 20, "hello", alias="Live", version="3"), alias_id="LIVEALIAS1"),
    record("t1", 0, "test", alias="TestBotAlias", version="DRAFT"),
    tagged(record("d1", 5, "draft", alias="Live", version="DRAFT"), alias_id="LIVEALIAS1"),
    tagged(record("a1", 30, "load 1", alias="Live", version="3"), alias_id="LIVEALIAS1"),
    tagged(record("a1", 40, "load 2", alias="Live", version="3", attributes={"testIndicator": "true"}),
           alias_id="LIVEALIAS1"),
    tagged(record("r1", 50, "probe", alias="Live", version="3"), alias_id="LIVEALIAS1",
           request={"testIndicator": "true"}),
]


@pytest.mark.parametrize("filters,sessions,removed", [
    (Filters(), {"p1", "p2", "t1", "d1", "a1", "r1"}, 0),
    (Filters(exclude_aliases=("TSTALIASID",)), {"p1", "p2", "d1", "a1", "r1"}, 1),
    (Filters(exclude_aliases=("TestBotAlias",)), {"p1", "p2", "d1", "a1", "r1"}, 1),
    (Filters(exclude_versions=("DRAFT",)), {"p1", "p2", "a1", "r1"}, 2),
    (Filters(exclude_attributes=(("testIndicator", "true"),)), {"p1", "p2", "t1", "d1"}, 3),  # whole sessions
    (Filters(exclude_attributes=(("testIndicator", "false"),)), {"p1", "p2", "t1", "d1", "a1", "r1"}, 0),
    (Filters(exclude_aliases=("TSTALIASID",), exclude_versions=("DRAFT",),
             exclude_attributes=(("testIndicator", "true"),)), {"p1", "p2"}, 5),
    (Filters(alias_names=("Live",), exclude_versions=("DRAFT",)), {"p1", "p2", "a1", "r1"}, 2),
])
def test_exclusions(filters, sessions, removed):
    data = load(RECORDS)
    kept = apply_filters(data, filters)
    assert set(kept.turns["session_id"]) == sessions
    assert count_excluded(data, filters) == removed


def test_exclusions_of_nothing():
    assert apply_filters(load([]), Filters(exclude_versions=("DRAFT",))).turns.empty


def write(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def moved_to(records, start):
    """The records moved to begin at ``start`` (CloudWatch takes no data older than two weeks)."""
    first = min(datetime.fromisoformat(r["timestamp"].replace("Z", "+00:00")) for r in records)
    moved = []
    for r in records:
        when = datetime.fromisoformat(r["timestamp"].replace("Z", "+00:00")) - first + start
        moved.append({**r, "timestamp": when.strftime("%Y-%m-%dT%H:%M:%S.000Z")})
    return moved


@pytest.fixture
def logs(tmp_path):
    return write(tmp_path / "logs.jsonl", RECORDS)


@pytest.mark.parametrize("command", ["report", "check", "publish"])
def test_every_command_honours_them(capsys, logs, tmp_path, command):
    hour = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0) - timedelta(hours=2)
    if command == "publish":
        logs = write(tmp_path / "recent.jsonl", moved_to(RECORDS, hour))
    args = {"report": ["--json"], "check": ["--rule", "utterances < 0", "--json"],
            "publish": ["--dry-run", "--ledger", str(tmp_path / "l.jsonl"), "--period", "3600",
                        "--until", (hour + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%MZ")]}[command]
    exclusions = ["--exclude-alias", "TSTALIASID", "--exclude-version", "DRAFT",
                  "--exclude-attribute", "testIndicator=true"]
    code = main([command, str(logs), *args, *exclusions])
    out, err = capsys.readouterr()
    assert code == 0, err
    if command == "report":
        assert json.loads(out)["utterances"] == 3
    elif command == "check":
        assert json.loads(out)["rules"][0]["value"] == 3
    else:
        assert "CountMessages  -  3" in out and "Sessions  -  2" in out


@pytest.mark.parametrize("value", ["testIndicator", "=true", " =x"])
def test_exclude_attribute_needs_key_and_value(capsys, logs, value):
    with pytest.raises(SystemExit) as raised:
        main(["report", str(logs), "--exclude-attribute", value])
    assert raised.value.code == 2 and "is not KEY=VALUE" in capsys.readouterr().err


def test_nothing_left_says_what_was_excluded(capsys, logs):
    assert main(["report", str(logs), "--exclude-alias", "Live", "--exclude-alias", "TSTALIASID"]) == 3
    assert "--exclude-alias Live, --exclude-alias TSTALIASID" in capsys.readouterr().err

"""The Logs Insights stand-in's evaluator on its own: field discovery, sort order, rendering, parsing.

Each expectation comes from the documentation page cited next to it, not from the evaluator.
"""
import json
import random

import pytest

from hypothesis import given, settings
from hypothesis import strategies as st

from insights_eval import MISSING, Timestamp, discover_fields, discover_wanted, java_double, natural_key, render
from insights_query import QueryError, parse_query

# https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_AnalyzeLogData-discoverable-fields.html
DISCOVERY = [
    ("empty object", {}, {}),
    ("nested keys joined with dots", {"userIdentity": {"type": "IAMUser"}}, {"userIdentity.type": "IAMUser"}),
    ("array items by position", {"requestParameters": {"instancesSet": {"items": [{"instanceId": "i-1"}]}}},
     {"requestParameters.instancesSet.items.0.instanceId": "i-1"}),
    ("array of scalars", {"tags": ["a", "b"]}, {"tags.0": "a", "tags.1": "b"}),
    ("numbers stay numbers", {"n": 3, "x": 0.5}, {"n": 3, "x": 0.5}),
    ("null is no value", {"a": None, "b": "x"}, {"b": "x"}),
    ("empty containers give no field", {"a": {}, "b": [], "c": "x"}, {"c": "x"}),
    ("a leading @ is doubled", {"@example.com": "v", "in": {"@x": 1}}, {"@@example.com": "v", "in.@x": 1}),
    ("booleans as 1/0 by default", {"ok": True, "no": False}, {"ok": 1, "no": 0}),
]


@pytest.mark.parametrize("name, document, expected", DISCOVERY, ids=[case[0] for case in DISCOVERY])
def test_json_fields_are_discovered_as_documented(name, document, expected):
    assert discover_fields(json.dumps(document)) == expected


@pytest.mark.parametrize("message", ["", "not json {", "START RequestId: 1f2e", "[1, 2]", "42", "null", '"text"'])
def test_a_message_that_is_not_a_json_object_has_no_discovered_fields(message):
    assert discover_fields(message) == {}


def test_booleans_can_be_discovered_as_text_instead():
    assert discover_fields('{"ok": true, "no": false}', booleans="text") == {"ok": "true", "no": "false"}


@pytest.mark.parametrize("count", [199, 200, 201, 250])
def test_at_most_200_fields_are_discovered_per_event(count):
    """"CloudWatch Logs Insights can extract a maximum of 200 log event fields from a JSON log" (page above)."""
    document = {"nested": {f"f{index:03d}": index for index in range(count)}}
    found = discover_fields(json.dumps(document))
    assert len(found) == min(count, 200)
    assert list(found) == [f"nested.f{index:03d}" for index in range(min(count, 200))]


KEYS = st.text(alphabet="ab@_0", min_size=1, max_size=3)
SCALARS = st.none() | st.booleans() | st.integers(-5, 5) | st.floats(allow_nan=False, allow_infinity=False) | \
    st.text(alphabet="x:,", max_size=3)
DOCUMENTS = st.dictionaries(KEYS, st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                                               | st.dictionaries(KEYS, inner, max_size=3), max_leaves=12), max_size=5)


@settings(max_examples=300, deadline=None)
@given(document=DOCUMENTS, extra=st.lists(KEYS, max_size=3), booleans=st.sampled_from(["numeric", "text"]))
def test_looking_up_wanted_fields_agrees_with_discovering_them_all(document, extra, booleans):
    """The stand-in's fast path (the fields a query names, looked up by path) against full discovery."""
    message = json.dumps(document)
    everything = discover_fields(message, booleans=booleans)
    wanted = frozenset(list(everything) + extra + ["a.0", "@@a", "b.a.0"])
    assert discover_wanted(message, wanted, booleans) == {name: everything[name] for name in wanted
                                                          if name in everything}


def test_the_fast_path_finds_keys_holding_dots_and_skips_containers():
    message = json.dumps({"a.b": 1, "c": [{"d": True}], "e": None, "@f": "x"})
    wanted = frozenset(["a.b", "c.0.d", "c.0", "c", "e", "@f", "@@f", "f"])
    assert discover_wanted(message, wanted, "numeric") == {"a.b": 1, "c.0.d": 1, "@@f": "x"}
    assert discover_wanted(message, frozenset(), "numeric") == {}


@pytest.mark.parametrize("count", [0, 199, 200, 201, 250])
def test_the_fast_path_keeps_the_200_field_limit(count):
    message = json.dumps({"f": {f"k{index:03d}": index for index in range(count)}})
    wanted = frozenset(f"f.k{index:03d}" for index in (0, 198, 199, 200, 249))
    assert discover_wanted(message, wanted, "numeric") == {name: int(name[-3:]) for name in wanted
                                                            if int(name[-3:]) < min(count, 200)}


# CWL_QuerySyntax-Sort.html: the ascending example, in the documented order.
DOCUMENTED_ORDER = ["!:", "#", "*%04", "0#", "5A", "111A", "2345_", "@", "@_", "A", "A9876fghj", "a12345hfh",
                    "0", "01", "1", "2", "3"]


@pytest.mark.parametrize("seed", range(5))
def test_natural_sort_reproduces_the_documented_example(seed):
    values = DOCUMENTED_ORDER[:]
    random.Random(seed).shuffle(values)
    assert sorted(values, key=natural_key) == DOCUMENTED_ORDER
    assert sorted(values, key=natural_key, reverse=True) == DOCUMENTED_ORDER[::-1]


def test_digit_runs_sort_by_length_before_value():
    """"it orders numeric portions by their length first and then by their numerical value" (same page)."""
    assert sorted(["a007", "a10", "a9", "a08"], key=natural_key) == ["a9", "a08", "a10", "a007"]


def test_numbers_sort_by_value_after_text_and_missing_values_first():
    values = [10, "b", 2, MISSING, 2.5, "a"]
    assert sorted(values, key=natural_key) == [MISSING, "a", "b", 2, 2.5, 10]
    assert sorted([], key=natural_key) == []


RENDERING = [  # GetQueryResults carries every value as a string (API_ResultField.html)
    (Timestamp(1_701_814_483_877), "plain", "2023-12-05 22:14:43.877"),  # the form of real answers
    (Timestamp(0), "plain", "1970-01-01 00:00:00.000"),
    (12, "plain", "12"), (0.5, "plain", "0.5"), ("text", "plain", "text"),
    (15.0, "java", "15.0"), (6.7e7, "java", "6.7E7"), (12, "java", "12.0"), (0.0001, "java", "1.0E-4"),
    (-2.5e-5, "java", "-2.5E-5"), (1234567.5, "java", "1234567.5"), (0, "java", "0.0"),
]


@pytest.mark.parametrize("value, style, expected", RENDERING)
def test_values_render_as_strings(value, style, expected):
    assert render(value, style) == expected


@pytest.mark.parametrize("number, expected", [(1e7, "1.0E7"), (9999999.0, "9999999.0"), (0.001, "0.001"),
                                              (1.5e300, "1.5E300")])
def test_java_doubles_switch_to_scientific_notation_outside_1e_3_to_1e7(number, expected):
    assert java_double(number) == expected


BINS = [("300s", 60_000), ("5m", 300_000), ("90m", 3_600_000), ("2hrs", 7_200_000), ("1500ms", 1_000),
        ("30h", 86_400_000), ("1h", 3_600_000), ("2mins", 120_000), ("10msecs", 10), ("1hs", None), ("1d", None), ("1w", None), ("0m", None), ("5", None)]


@pytest.mark.parametrize("period, milliseconds", BINS)
def test_bin_periods_follow_the_documented_units_and_caps(period, milliseconds):
    """bin(300s) runs as 60 seconds: "The cap for ms is 1000, the caps for s and m are 60, and the cap for
    h is 24" (CWL_QuerySyntax-operations-functions.html); day and longer units are outside the subset."""
    query = f"stats count(*) as n by bin({period})"
    if milliseconds is None:
        with pytest.raises(QueryError):
            parse_query(query)
    else:
        assert parse_query(query).stats[0].groups[0][0].period_ms == milliseconds


def test_commands_and_functions_are_case_insensitive():
    """The documentation's own examples write FIELDS, STATS, BY, BIN (CWL_QuerySyntax-Stats.html)."""
    parsed = parse_query("FIELDS a | FILTER a = 1 | STATS count() AS n BY BIN(5m) AS t")
    assert parsed.stats[0].output_names() == ["t", "n"]


def test_a_comment_runs_to_the_end_of_the_line_and_strings_keep_hashes():
    parsed = parse_query('filter a = "x # y" # a comment | stats count(*)\n| stats count(*) as n')
    assert parsed.commands[0].condition.right.value == "x # y"
    assert len(parsed.stats) == 1

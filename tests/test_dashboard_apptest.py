"""Every dashboard page under streamlit.testing.v1.AppTest on the bundled sample logs:
no exception, KPI values equal to the analytics functions, filters that change them."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import lexlens.sample_logs as sample_logs
from lexlens.analytics.filters import Filters, apply_filters
from lexlens.analytics.metrics.intents import top_intents
from lexlens.analytics.ingest.loading import load_logs
from lexlens.analytics.metrics.conversations import compute_conversations
from lexlens.analytics.metrics.sessions import compute_duration_stats, compute_sessions, compute_turns_per_session
from lexlens.analytics.metrics.totals import compute_totals
from lexlens.analytics.metrics.utterances import top_utterances
from lexlens.dashboard.pagelist import EXPLORER_PAGE, PAGES
from lexlens.dashboard.settings import ALLOW_WRITES_VAR, SOURCES_VAR, settings_environment
from dashboard_helpers import HOSTILE_TEXTS, streamlit_run_on_loopback, write_hostile_log

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
TIMEOUT = 120

# page -> what its run on the demo must show: its title, and exactly this many charts, tables and
# metric tiles (a page that lost a chart or a table fails; the meta-test below requires one entry
# per page)
PAGE_CHECKS = {
    "views/overview.py": {"title": "Overview", "charts": 3, "tables": 2, "tiles": 7},  # + unusual hours
    "views/conversations.py": {"title": "Conversations", "charts": 3, "tables": 1, "tiles": 6},
    "views/intents.py": {"title": "Intents", "charts": 3, "tables": 3, "tiles": 0},
    "views/missed.py": {"title": "Missed utterances", "charts": 3, "tables": 2, "tiles": 3},
    "views/slots_attributes.py": {"title": "Slots & attributes", "charts": 2, "tables": 2, "tiles": 0},
    "views/explorer.py": {"title": "Session explorer", "charts": 0, "tables": 1, "tiles": 0},
    "views/outcomes.py": {"title": "Outcomes & funnels", "charts": 2, "tables": 4, "tiles": 4},
    "views/nlu.py": {"title": "NLU health", "charts": 3, "tables": 3, "tiles": 0},
    "views/generative.py": {"title": "Generative answers", "charts": 2, "tables": 2, "tiles": 5},  # the demo: assisted NLU
    "views/clusters.py": {"title": "Missed-utterance clusters", "charts": 2, "tables": 3, "tiles": 0},
    "views/comparisons.py": {"title": "Comparisons", "charts": 0, "tables": 2, "tiles": 4},
}


def sessions_at_default(turns):
    """The sessions table at Lex's default inactivity threshold, as the dashboard starts."""
    return compute_sessions(turns, conversations=compute_conversations(turns, idle_timeout_s=300))


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in (SOURCES_VAR, ALLOW_WRITES_VAR):
        monkeypatch.delenv(name, raising=False)
    with streamlit_run_on_loopback():
        yield


@pytest.fixture(scope="module")
def demo():
    return load_logs([sample_logs.DEMO_LOG])


def start(query: dict | None = None, page: str | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params.update(query or {})
    at.run()
    if page:
        at.switch_page(page).run()
    return at


def open_session_link(at: AppTest, session_id: str) -> AppTest:
    """The explorer of ``at`` opened by a link to ``session_id``. (``start`` runs the default
    page first, and the app keeps ``session=`` in the URL of the explorer only.)"""
    at.query_params["session"] = session_id
    return at.run()


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def number(text: str) -> float:
    """The number a metric tile shows ('9,231', '6.53%', '10:02' (m:ss), '1:02:03', '4.62')."""
    if ":" in text:
        seconds = 0
        for part in text.strip().split(":"):
            seconds = seconds * 60 + int(part)
        return seconds
    value = float(re.sub(r"[^0-9.\-]", "", text))
    return value / 100 if text.strip().endswith("%") else value


def shown_kpis(at: AppTest) -> dict[str, float]:
    return {metric.label: number(metric.value) for metric in at.main.metric}


def expected_kpis(turns: pd.DataFrame) -> dict[str, float]:
    totals = compute_totals(turns, sessions_at_default(turns))
    sessions = sessions_at_default(turns)
    return {"Records": totals["records"], "Sessions": totals["sessions"],
            "Conversations": totals["conversations"], "Fallback rate": totals["fallback_rate"],
            "Median duration": compute_duration_stats(sessions)["median"],
            "Mean duration": compute_duration_stats(sessions)["mean"],
            "Mean turns": compute_turns_per_session(sessions)["mean"]}


def assert_kpis_match(at: AppTest, turns: pd.DataFrame) -> None:
    shown, expected = shown_kpis(at), expected_kpis(turns)
    assert set(shown) == set(expected)
    # tiles round: counts exact, a rate to 0.01 percentage point, seconds to the second, turns to 0.01
    tolerance = {"Fallback rate": 5e-5, "Median duration": 0.5, "Mean duration": 0.5, "Mean turns": 0.005}
    for label, value in expected.items():
        assert shown[label] == pytest.approx(value, abs=tolerance.get(label, 0)), label


def test_every_navigation_page_has_an_apptest():
    navigation = {path for path, *_ in PAGES}
    assert navigation == set(PAGE_CHECKS), "add the new page to PAGE_CHECKS (and test it)"
    files = {f"views/{p.name}" for p in (APP.parent / "views").glob("*.py") if p.name != "__init__.py"}
    assert files == navigation, "a page file is not in dashboard/pagelist.py"


@pytest.mark.parametrize("page", list(PAGE_CHECKS))
def test_page_runs_on_the_sample(page):
    at = start(page=None if page == PAGES[0][0] else page)
    assert_clean(at)
    check = PAGE_CHECKS[page]
    assert [title.value for title in at.main.title] == [check["title"]]
    shown = {"charts": len(at.main.get("plotly_chart")), "tables": len(at.main.dataframe),
             "tiles": len(at.main.metric)}
    assert shown == {key: check[key] for key in shown}


def test_overview_kpis_equal_the_analytics(demo):
    at = start()
    assert_clean(at)
    assert_kpis_match(at, demo.turns)
    assert all(not metric.delta for metric in at.main.metric)  # whole range: nothing before it


def test_overview_activity_lines_do_not_hide_one_another():
    """Per day, active and started sessions are nearly equal: the started line drawn over the
    active one hid it, so one is wide and the other dotted."""
    import json

    at = start()
    assert_clean(at)
    figure = json.loads(at.main.get("plotly_chart")[0].proto.spec)
    lines = {trace["name"]: trace.get("line", {}) for trace in figure["data"] if trace["type"] == "scatter"}
    assert set(lines) == {"Messages (utterances)", "Active sessions", "Sessions started"}
    assert lines["Active sessions"]["width"] > lines["Sessions started"]["width"]
    assert lines["Sessions started"]["dash"] == "dot"
    assert "dash" not in lines["Active sessions"]


def test_unusual_hours_are_shaded_and_their_sessions_listed_hour_by_hour(demo):
    """The Overview shades each unusual hour on its activity chart (one bar trace) and lists the
    sessions of the hour picked under the table: the most unusual first, any other, or all."""
    import json

    from lexlens.analytics.metrics.anomalies import compute_anomalies, sessions_in_hours, unusual_hours

    hours = unusual_hours(compute_anomalies(demo.turns, "UTC"))["bin_start"].drop_duplicates()
    assert len(hours) > 2, "the demo must have unusual hours to pick from"
    at = start()
    assert_clean(at)
    figure = json.loads(at.main.get("plotly_chart")[0].proto.spec)
    (shading,) = [trace for trace in figure["data"] if trace["type"] == "bar"]
    assert shading["name"] == "Unusual hour" and len(shading["x"]) == len(hours)
    picker = at.selectbox(key="unusual_hour")
    labels = hours.dt.strftime("%Y-%m-%d %a %H:00").tolist()
    assert picker.value == labels[0] and picker.options[-1] == f"all {len(hours):,} unusual hours"
    assert sorted(shading["customdata"]) == sorted(labels)  # the chart's hover names an hour as the picker does
    for choice, chosen in ((None, hours.head(1)), (labels[1], hours.iloc[[1]]), ("all", hours)):
        if choice is not None:
            at.selectbox(key="unusual_hour").set_value(choice).run()
            assert_clean(at)
        shown = at.dataframe[1].value
        expected = sessions_in_hours(demo.turns, chosen, "UTC")
        assert len(expected) and shown["session_id"].tolist() == expected["session_id"].tolist(), choice


def test_bot_filter_changes_the_kpis(demo):
    at = start()
    bot, name = sorted(set(zip(demo.turns["bot_id"].astype(str), demo.turns["bot_name"].astype(str))))[0]
    at.multiselect(key="bot").set_value([name]).run()
    assert_clean(at)
    filtered = apply_filters(demo, Filters(bot_ids=(bot,))).turns
    assert 0 < len(filtered) < len(demo.turns)
    assert_kpis_match(at, filtered)
    assert at.query_params["bot"] == name  # the view can be shared (by the bot's name)


def test_url_filters_apply_on_first_run(demo):
    locale = "en_GB"
    at = start({"locale": locale, "mode": "Text"})
    assert_clean(at)
    assert_kpis_match(at, apply_filters(demo, Filters(locales=(locale,), input_modes=("Text",))).turns)


def test_date_range_compares_with_the_period_before(demo):
    at = start()
    at.text_input(key="from").set_value("2026-11-10")
    at.text_input(key="to").set_value("2026-11-16").run()
    assert_clean(at)
    since = pd.Timestamp("2026-11-10", tz="UTC")
    until = pd.Timestamp("2026-11-17", tz="UTC")
    window = apply_filters(demo, Filters(since=since, until=until)).turns
    before = apply_filters(demo, Filters(since=since - (until - since), until=since)).turns
    assert_kpis_match(at, window)
    deltas = {metric.label: metric.delta for metric in at.main.metric}
    change = len(window) - len(before)
    assert deltas["Records"].startswith(f"{change:+,}")
    assert (at.query_params["from"], at.query_params["to"]) == ("2026-11-10", "2026-11-16")


def test_time_zone_moves_the_day_boundaries(demo):
    at = start({"tz": "Asia/Tokyo", "from": "2026-11-10", "to": "2026-11-10"})
    assert_clean(at)
    since = pd.Timestamp("2026-11-10", tz="Asia/Tokyo")
    window = apply_filters(demo, Filters(since=since, until=since + pd.Timedelta(days=1))).turns
    assert_kpis_match(at, window)


def test_empty_filter_result_explains_itself():
    at = start({"bot": "PizzaBot", "intent": "CheckBalance"})  # PizzaBot has no such intent
    assert_clean(at)
    assert any("No turns match" in info.value for info in at.main.info)


def test_missing_source_is_a_message_not_a_traceback():
    at = start({"src": "/nonexistent/logs.jsonl"})
    assert not at.exception
    assert any("does not exist" in error.value for error in at.error)


@pytest.mark.parametrize("content, said", [
    ("not json\n{\"also\": \"not lex\"}\n", "2 lines read, 2 rejected."),
    ("not json\n", "1 line read, 1 rejected."),
], ids=["two lines", "one line"])
def test_unreadable_file_shows_rejections(content, said, tmp_path, monkeypatch):
    garbage = tmp_path / "garbage.jsonl"
    garbage.write_text(content, encoding="utf-8")
    at = start({"src": str(garbage)})
    assert not at.exception
    assert [warning.value for warning in at.warning if "No Lex V2" in warning.value] == [
        f"No Lex V2 conversation-log records in this source: {said} The sidebar lists the reasons."]
    assert any(said.split(", ")[1].rstrip(".") in caption.value for caption in at.sidebar.caption)
    # the sidebar's tally in the same words: '1 line read · 0 records', never '1 lines'
    assert any(caption.value.startswith(said.split(",")[0] + " · 0 records · 0 blank · 0 duplicates · ")
               for caption in at.sidebar.caption)


def test_the_sidebar_accounts_for_every_line_read():
    """variants.jsonl has lines of each kind: the caption names them all, and they add up to
    the lines read (before, blank lines went unsaid and the sum fell short)."""
    report = load_logs([sample_logs.SAMPLE_DIR / "variants.jsonl"]).report
    assert report.blank and report.duplicates and report.rejected
    at = start({"src": str(sample_logs.SAMPLE_DIR / "variants.jsonl")})
    assert not at.exception
    caption = next(c.value for c in at.sidebar.caption if "lines read" in c.value)
    plurals = {"line read": "lines read", "record": "records", "duplicate": "duplicates"}  # '1 duplicate'
    counts = dict((plurals.get(name, name), number(value)) for value, name in re.findall(
        r"([\d,]+) (lines? read|records?|blank|duplicates?|rejected)", caption))
    assert counts == {"lines read": report.lines, "records": report.accepted, "blank": report.blank,
                      "duplicates": report.duplicates, "rejected": report.rejected}
    assert counts["lines read"] == sum(counts[name] for name in ("records", "blank", "duplicates", "rejected"))


def test_intents_and_missed_tables_equal_the_analytics(demo):
    at = start(page="views/intents.py")
    assert_clean(at)
    intents = at.main.dataframe[0].value
    pd.testing.assert_frame_equal(intents.reset_index(drop=True), top_intents(demo.turns), check_dtype=False)
    at.switch_page("views/missed.py").run()
    missed = at.main.dataframe[0].value.reset_index(drop=True)
    pd.testing.assert_frame_equal(missed, top_utterances(demo.turns, 50, missed_only=True), check_dtype=False)


def test_table_search_keeps_matching_rows(demo):
    at = start(page="views/intents.py")
    at.text_input(key="search_intents").set_value("balance").run()
    shown = at.main.dataframe[0].value
    assert len(shown) and shown["intent"].str.contains("balance", case=False).all()


def test_session_link_opens_the_transcript(demo):
    session = sessions_at_default(demo.turns).sort_values("turns").iloc[-1]
    at = open_session_link(start(page=EXPLORER_PAGE), session["session_id"])
    assert_clean(at)
    transcript = at.main.dataframe[-1].value
    assert len(transcript) == session["turns"]
    expected = demo.turns[demo.turns["session_key"] == session["session_key"]]["transcript"]
    assert transcript["utterance"].tolist() == expected.tolist()


def test_hostile_text_stays_text(tmp_path, monkeypatch):
    hostile = write_hostile_log(tmp_path / "hostile.jsonl")
    monkeypatch.setenv(SOURCES_VAR, str(hostile))
    at = start(page="views/missed.py")
    assert_clean(at)
    table = at.main.dataframe[0].value
    assert set(HOSTILE_TEXTS) <= set(table["utterance"])  # shown verbatim, in a table cell
    rendered = [m.value for m in at.markdown] + [c.value for c in at.caption] + [t.value for t in at.title]
    assert not any("<script" in text or "onerror" in text for text in rendered)


def test_writer_panel_only_with_allow_writes(monkeypatch):
    at = start(page="views/missed.py")
    assert not any("Add missed utterances" in s.value for s in at.main.subheader)
    monkeypatch.setenv(ALLOW_WRITES_VAR, "1")
    at = start(page="views/missed.py")
    assert any("Add missed utterances" in s.value for s in at.main.subheader)


def test_settings_environment_round_trips():
    from lexlens.dashboard.settings import read_settings

    env = settings_environment(["/a", "/b"], True, {"log_groups": ["g1", "g2"], "region": "eu-west-1"})
    settings = read_settings(env)
    assert settings.sources == ("/a", "/b") and settings.allow_writes
    assert settings.cloudwatch["log_groups"] == ("g1", "g2")
    assert settings.cloudwatch["region"] == "eu-west-1"
    assert read_settings({}).sources == () and not read_settings({}).allow_writes


def test_clusters_test_set_is_one_bot_and_locale_and_leaves_formulas_out(tmp_path, monkeypatch):
    import json

    from lexlens.analytics.report.testset import TESTSET_COLUMNS
    from lex_records import record

    rows = [record(f"s{i}", i, text, "FallbackIntent", missed=True, alternatives=(("CheckBalance", 0.3),))
            for i, text in enumerate(["balance", "=balance", "balance", "@balance"])]
    source = tmp_path / "logs.jsonl"
    source.write_text("\n".join(json.dumps(row) for row in rows) + "\n", encoding="utf-8")
    monkeypatch.setenv(SOURCES_VAR, str(source))
    at = start(page="views/clusters.py")
    assert_clean(at)
    testset = next(frame.value for frame in at.main.dataframe if list(frame.value.columns) == TESTSET_COLUMNS)
    assert testset["Input"].tolist() == ["balance"]  # the CLI writes the same rows (test_report_cli)
    assert testset["Expected Output Intent"].tolist() == ["CheckBalance"]  # 100% share: the default
    assert any("2 utterances starting like a spreadsheet formula left out" in c.value for c in at.main.caption)


def test_clusters_test_set_offers_the_intents_of_the_bot_and_locale(demo):
    import json

    at = start(page="views/clusters.py")
    assert_clean(at)
    editor = next(frame for frame in at.main.dataframe if "expected" in frame.value.columns)
    offered = json.loads(editor.proto.columns)["expected"]["type_config"]["options"]
    pair = at.selectbox(key="cluster_pair")
    bot_name, locale = pair.options[pair.index].split(" · ")
    turns = demo.turns[(demo.turns["bot_name"].astype(str) == bot_name) & (demo.turns["locale"].astype(str) == locale)]
    assert offered == sorted(set(turns["intent"].astype(str)) - {""})
    assert len(offered) > 1


def test_serve_outcome_options_are_the_sidebar_defaults(monkeypatch, demo):
    """`lexlens serve --escalation-intent SpeakToAgent --idle-timeout 600` reaches every page."""
    from lexlens.analytics.cli import build_parser
    from lexlens.analytics.cli.serve import build_environment
    from lexlens.analytics.metrics.escalation import EscalationRule
    from lexlens.analytics.metrics.outcomes import compute_containment, compute_outcomes

    args = build_parser().parse_args(["serve", "--escalation-intent", "SpeakToAgent", "--idle-timeout", "600",
                                      "--escalation-attribute", "escalated=true"])
    for name, value in build_environment(args).items():
        if name.startswith("LEXLENS_"):
            monkeypatch.setenv(name, value)
    at = start(page="views/outcomes.py")
    assert_clean(at)
    assert at.session_state["esc_intent"] == ["SpeakToAgent"] and at.session_state["idle"] == 600
    assert at.session_state["esc_key"] == "escalated" and at.session_state["esc_value"] == "true"
    rule = EscalationRule(intents=("SpeakToAgent",), attribute=("escalated", "true"))
    rate = compute_containment(compute_outcomes(demo, 600, rule))["containment_rate"]
    tiles = {metric.label: metric.value for metric in at.main.metric}
    assert tiles["Containment rate"] == f"{rate:.1%}"
    at.switch_page("views/comparisons.py").run()
    assert_clean(at)
    assert not any("Containment needs an escalation marker" in c.value for c in at.main.caption)


def test_explorer_with_nothing_in_the_filters_says_so_and_still_opens_a_linked_session(demo):
    session = sessions_at_default(demo.turns).iloc[0]
    at = open_session_link(start({"bot": "PizzaBot", "intent": "CheckBalance"}, page=EXPLORER_PAGE),
                           session["session_id"])
    assert_clean(at)
    assert any("No sessions match the filters" in info.value for info in at.main.info)
    assert any(text.value == f"Session {session['session_id']}" for text in at.main.text)


def test_the_calendar_fills_the_date_boxes(demo):
    import datetime as dt

    at = start()
    at.date_input(key="date_calendar").set_value((dt.date(2026, 11, 5), dt.date(2026, 11, 12))).run()
    assert_clean(at)
    assert (at.text_input(key="from").value, at.text_input(key="to").value) == ("2026-11-05", "2026-11-12")
    assert (at.query_params["from"], at.query_params["to"]) == ("2026-11-05", "2026-11-12")
    since, until = pd.Timestamp("2026-11-05", tz="UTC"), pd.Timestamp("2026-11-13", tz="UTC")
    assert_kpis_match(at, apply_filters(demo, Filters(since=since, until=until)).turns)


@pytest.mark.parametrize("start_text, end_text, expected, notes", [
    ("", "", ("2026-10-21", "2026-11-19"), 0),
    ("2026-11-05", "2026-11-12", ("2026-11-05", "2026-11-12"), 0),
    ("2026/11/05", "", ("2026-11-05", "2026-11-19"), 0),
    ("0001-01-01", "9999-12-31", ("2026-10-21", "2026-11-19"), 2),
    ("someday", "2026-11-31", ("2026-10-21", "2026-11-19"), 2),
    ("2026-11-12", "2026-11-05", ("2026-11-05", "2026-11-12"), 1),
])
def test_date_boxes_resolve_inside_the_data(start_text, end_text, expected, notes):
    import datetime as dt

    from lexlens.dashboard.date_range import resolve_dates

    choice = resolve_dates(start_text, end_text, dt.date(2026, 10, 21), dt.date(2026, 11, 19))
    assert (choice.start.isoformat(), choice.end.isoformat()) == expected and len(choice.notes) == notes


def test_a_restarted_server_draws_the_same_overview_from_the_store(demo, tmp_path, monkeypatch):
    """Issue 16: the first start parses the log and keeps its tables and the Overview's
    figures; after a restart (caches emptied) the Overview is drawn from the store, parsing
    nothing and computing none of its figures again, with the same figures."""
    import shutil

    import streamlit as st

    from lexlens.analytics.ingest import pieces
    from lexlens.analytics.metrics import anomalies, breakdowns, sentiment, timeseries

    log = tmp_path / "demo.jsonl.gz"
    shutil.copyfile(sample_logs.DEMO_LOG, log)
    monkeypatch.setenv(SOURCES_VAR, str(log))
    monkeypatch.setenv("LEXLENS_STORE_DIR", str(tmp_path / "store"))
    parsed = []
    real_parse = pieces.parse_pieces
    monkeypatch.setattr(pieces, "parse_pieces", lambda units, *args, **kwargs: parsed.append(len(units)) or
                        real_parse(units, *args, **kwargs))
    drawn = []
    for restart in range(2):
        st.cache_resource.clear()  # a restart: nothing kept in memory
        at = start()
        assert_clean(at)
        assert_kpis_match(at, demo.turns)
        drawn.append([metric.value for metric in at.metric])
        for module, name in ((timeseries, "compute_activity_over_time"), (anomalies, "compute_anomalies"),
                             (breakdowns, "compute_modality"), (sentiment, "compute_sentiment_summary")):
            monkeypatch.setattr(module, name, lambda *args, **kwargs: pytest.fail("computed again"))
    assert parsed == [1, 0] and drawn[0] == drawn[1]
    assert list((tmp_path / "store" / "values").iterdir())
    assert list((tmp_path / "store" / "pieces").iterdir())


@pytest.mark.parametrize("intent", ["FallbackIntent", "OrderPizza"])
def test_the_funnel_chart_ends_with_the_attempts_that_succeeded(demo, intent):
    """Each bar is the attempts that passed its step: the Fulfilled bar is the intent's
    successes (the Intent outcomes table's Success), not the attempts that reached it."""
    import json

    from lexlens.analytics.metrics.outcomes import compute_intent_outcomes, compute_outcomes

    at = start(page="views/outcomes.py")
    at.selectbox(key="funnel_intent").set_value(intent).run()
    assert_clean(at)
    funnel = json.loads(at.main.get("plotly_chart")[-1].proto.spec)["data"][0]
    if isinstance(funnel["x"], dict):  # plotly's typed array: {"dtype", "bdata": base64}
        import base64

        funnel["x"] = np.frombuffer(base64.b64decode(funnel["x"]["bdata"]), dtype=funnel["x"]["dtype"]).tolist()
    outcomes = compute_intent_outcomes(compute_outcomes(demo, 600, None)).set_index("intent")
    assert funnel["type"] == "funnel" and funnel["y"][0] == "Started" and funnel["y"][-1] == "Fulfilled"
    assert funnel["x"][0] == outcomes.loc[intent, ["Success", "Failed", "Switched", "Dropped"]].sum()
    assert funnel["x"][-1] == outcomes.loc[intent, "Success"]
    assert all(earlier >= later for earlier, later in zip(funnel["x"], funnel["x"][1:]))
    assert "%{value:,}" in funnel["texttemplate"]  # 95,093 on the bar, not plotly's 95.093k


@pytest.mark.parametrize("query,said", [
    ({"tz": "Mars/Olympus"}, ["Time zone 'Mars/Olympus' from the link"]),
    ({"bot": ["NoSuchBot", "PizzaBot"]}, ["Bot 'NoSuchBot' from the link"]),
    ({"tz": "Asia/Kolkata", "bot": "PizzaBot"}, []),
], ids=["unknown zone", "unknown bot beside a known one", "all known"])
def test_a_link_value_that_is_not_a_choice_is_ignored_with_a_note(demo, query, said):
    at = start(query)
    assert_clean(at)
    notes = [warning.value for warning in at.sidebar.warning if "from the link" in warning.value]
    assert len(notes) == len(said) and all(text.replace("\\", "").startswith(expected)
                                           for text, expected in zip(notes, said)), notes
    assert at.selectbox(key="tz").value == ("Asia/Kolkata" if query.get("tz") == "Asia/Kolkata" else "UTC")
    assert at.multiselect(key="bot").value == (["PizzaBot"] if "bot" in query else [])
    at.run()  # the next run: the note was said once
    assert not [warning for warning in at.sidebar.warning if "from the link" in warning.value]


def test_the_confusion_chart_draws_the_measure_it_ranks_by(demo):
    """Pairs are ranked by how often each is the other's runner-up (the fewer direction): the
    bars show that, so they never grow down the chart (they showed the total, out of order)."""
    import json

    from lexlens.analytics.metrics.nlu import compute_confusion_pairs

    at = start(page="views/nlu.py")
    assert_clean(at)
    charts = [json.loads(chart.proto.spec) for chart in at.main.get("plotly_chart")]
    (chart,) = [spec for spec in charts if "runner-up" in json.dumps(spec.get("layout", {}).get("title", ""))]
    bars = chart["data"][0]["x"]
    if isinstance(bars, dict):  # plotly's typed array
        import base64

        bars = np.frombuffer(base64.b64decode(bars["bdata"]), dtype=bars["dtype"]).tolist()
    expected = compute_confusion_pairs(demo).head(15)["mutual"].tolist()
    assert bars == expected and bars == sorted(bars, reverse=True) and len(bars) > 1
